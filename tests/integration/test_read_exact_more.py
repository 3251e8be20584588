"""Reads exactly as boxtribute answers them, continued (test_read_exact.py has the first root
queries): base, boxes, box (BoxView), qrCode / qrExists on real codes, location, product,
products, productCategory, tag, shipments, shipment, transferAgreements, transferAgreement,
beneficiaries and beneficiary, as the three users of read_exact.py on both databases. Each
query goes with the selection boxtribute's front-end sends (tests/queries/; where the front-end
sends none, the fields the type has), and the WHOLE answer is compared with one built here by
SQL for that user's access, following boxtribute's resolvers and authz.py and Depot's
documented orders (README "Deliberate choices"); never with Depot's own mapping.
Licensed under the Apache License 2.0.
"""
import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from read_exact import (GENDERS, STATES, BoxtributeDump, DepotDdl, Reads, date, dt, forbidden,  # noqa: E402
                        live, not_found)

TAG_TYPES = {"Stock": "Box", "People": "Beneficiary", "All": "All"}
HUMAN_GENDERS = {"M": "Male", "F": "Female", "D": "Diverse", "": "Diverse"}
LANGUAGES = {1: "nl", 2: "en", 3: "fr", 4: "de", 5: "ar", 6: "ckb"}

# Whole tables the answers are built from, keyed by id: (columns, FROM ...).
TABLES = {
    "users": ("CAST(id AS CHAR), naam", "FROM cms_users"),
    "organisations": ("CAST(id AS CHAR), label", "FROM organisations"),
    "bases": (f"CAST(id AS CHAR), name, CAST(organisation_id AS CHAR), monetary_currency_code, currencyname, "
              f"{dt('deleted')}", "FROM camps"),
    "products": (f"CAST(id AS CHAR), name, CAST(standard_product_id AS CHAR), gender_id, {dt('deleted')}, "
                 f"CAST(category_id AS CHAR), CAST(camp_id AS CHAR), CAST(sizegroup_id AS CHAR), value, comments, "
                 f"stockincontainer, {dt('created')}, CAST(created_by AS CHAR), {dt('modified')}, "
                 "CAST(modified_by AS CHAR)", "FROM products"),
    "categories": ("CAST(id AS CHAR), label, parent_id", "FROM product_categories"),
    "sizes": ("CAST(id AS CHAR), label", "FROM sizes"),
    "size_ranges": ("CAST(id AS CHAR), label", "FROM sizegroup"),
    "units": ("CAST(id AS CHAR), symbol", "FROM units"),
    "locations": (f"CAST(id AS CHAR), label, CAST(camp_id AS CHAR), box_state_id, seq, type, {dt('deleted')}, "
                  f"is_market, container_stock, CAST(created_by AS CHAR), {dt('created')}, "
                  f"CAST(modified_by AS CHAR), {dt('modified')}", "FROM locations"),
    "tags": (f"CAST(t.id AS CHAR), t.label, t.color, t.description, t.type, {dt('t.deleted')}, {dt('t.created')}, "
             f"{dt('t.modified')}, (SELECT {dt('MAX(r.created_on)')} FROM tags_relations r WHERE r.tag_id = t.id), "
             "CAST(t.camp_id AS CHAR)", "FROM tags t"),
    "boxes": (f"CAST(s.id AS CHAR), s.box_id, s.box_state_id, CAST(s.product_id AS CHAR), CAST(s.size_id AS CHAR), "
              f"s.weight, s.monetary_value, CAST(s.weight_display_unit_id AS CHAR), CAST(s.location_id AS CHAR), s.items, "
              f"s.comments, {dt('s.created')}, {dt('s.modified')}, {dt('s.deleted')}, CAST(s.created_by AS CHAR), "
              "CAST(s.modified_by AS CHAR), (SELECT q.code FROM qr q WHERE q.id = s.qr_id)", "FROM stock s"),
    "shipments": ("CAST(s.id AS CHAR), CONCAT('S', RIGHT(CONCAT('00', s.id), 3), '-', DATE_FORMAT(s.started_on, "
                  "'%y%m%d'), '-', UPPER(LEFT(a.name, 2)), 'x', UPPER(LEFT(b.name, 2))), s.state, "
                  "CAST(s.source_base_id AS CHAR), CAST(s.target_base_id AS CHAR), CAST(s.transfer_agreement_id AS CHAR), "
                  + ", ".join(f"{dt(f's.{what}_on')}, CAST(s.{what}_by_id AS CHAR)"
                              for what in ("started", "sent", "receiving_started", "completed", "canceled")),
                  "FROM shipment s JOIN camps a ON a.id = s.source_base_id JOIN camps b ON b.id = s.target_base_id"),
    "details": ("CAST(d.id AS CHAR), CAST(d.shipment_id AS CHAR), CAST(d.box_id AS CHAR), "
                + ", ".join(f"CAST(d.{side}_{what}_id AS CHAR)" for side in ("source", "target")
                            for what in ("product", "size", "location"))
                + ", d.source_quantity, d.target_quantity, "
                + ", ".join(f"{dt(f'd.{what}_on')}, CAST(d.{what}_by_id AS CHAR)"
                            for what in ("created", "removed", "lost", "received")),
                "FROM shipment_detail d"),
    "agreements": ("CAST(id AS CHAR), type, state, comment, " + dt("valid_from") + ", " + dt("valid_until") + ", "
                   "CAST(source_organisation_id AS CHAR), CAST(target_organisation_id AS CHAR), "
                   + ", ".join(f"{dt(f'{what}_on')}, CAST({what}_by AS CHAR)"
                               for what in ("requested", "accepted", "terminated")),
                   "FROM transfer_agreement"),
}


def typed(name, value):
    """value with Apollo Client's __typename (None stays None)."""
    return None if value is None else dict(value, __typename=name)


class ReadExactMore(Reads):
    """The cases; a database class supplies load()."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cache = {}

    # -- the rows, whole tables by id ---------------------------------------------------------

    def table(self, name):
        if name not in self.cache:
            self.cache[name] = {r[0]: r for r in self.records(*TABLES[name])}
        return self.cache[name]

    def grouped(self, key, sql_columns, rest):
        """{first column: [the other columns, ...]} in the SQL's order, cached."""
        if key not in self.cache:
            groups = {}
            for r in self.records(sql_columns, rest):
                groups.setdefault(r[0], []).append(r[1:])
            self.cache[key] = groups
        return self.cache[key]

    def base_of_location(self, location_id):
        return self.table("locations")[location_id][2] if location_id else None

    # -- objects as the front-end's fragments select them ------------------------------------------

    def user_basic(self, user_id):
        row = self.table("users").get(user_id)
        return typed("User", {"id": row[0], "name": row[1]}) if row else None

    def organisation_basic(self, org_id):
        row = self.table("organisations")[org_id]
        return typed("Organisation", {"id": row[0], "name": row[1]})

    def base_basic(self, base_id):
        return typed("Base", {"id": base_id, "name": self.table("bases")[base_id][1]})

    def base_org(self, base_id):
        return dict(self.base_basic(base_id), organisation=self.organisation_basic(self.table("bases")[base_id][2]))

    def product_basic(self, product_id):
        if product_id is None:
            return None
        p = self.table("products")[product_id]
        category = self.table("categories")[p[5]]
        return typed("Product", {
            "id": p[0], "name": p[1], "type": "StandardInstantiation" if p[2] else "Custom",
            "gender": GENDERS.get(p[3]), "deletedOn": p[4],
            "category": typed("ProductCategory", {"id": category[0], "name": category[1]})})

    def size_basic(self, size_id):
        return typed("Size", {"id": size_id, "label": self.table("sizes")[size_id][1]}) if size_id else None

    def size_range(self, range_id):
        sizes = self.grouped("range sizes", "CAST(r.sizegroup_id AS CHAR), CAST(r.size_id AS CHAR)",
                             "FROM sizes_sizegroup r ORDER BY r.sizegroup_id, r.seq, r.size_id")
        return typed("SizeRange", {"id": range_id, "label": self.table("size_ranges")[range_id][1],
                                   "sizes": [self.size_basic(s[0]) for s in sizes.get(range_id, [])]})

    def product_fields(self, product_id):
        """ProductFields: ProductBasicFields with the size range and its sizes."""
        if product_id is None:
            return None
        return dict(self.product_basic(product_id), sizeRange=self.size_range(self.table("products")[product_id][7]))

    def location_basic(self, location_id):
        loc = self.table("locations")[location_id]
        return typed("ClassicLocation", {"defaultBoxState": self.state(loc[3]), "id": loc[0], "seq": loc[4],
                                         "name": loc[1]})

    def tag_basic(self, tag_id):
        t = self.table("tags")[tag_id]
        return typed("Tag", {"id": t[0], "name": t[1], "color": t[2], "description": t[3], "type": TAG_TYPES[t[4]],
                             "deletedOn": t[5], "createdOn": t[6], "lastModifiedOn": t[7], "lastUsedOn": t[8]})

    @staticmethod
    def state(state_id):
        return STATES[int(state_id) - 1] if state_id else None

    def unit_symbol(self, unit_id):
        return typed("Unit", {"symbol": self.table("units")[unit_id][1]}) if unit_id else None

    def box_tags(self, user, box_id):
        """Box.tags: its assigned live tags of the bases the user may read, by tag id."""
        tags = self.grouped("box tags", "CAST(r.object_id AS CHAR), CAST(t.id AS CHAR), CAST(t.camp_id AS CHAR)",
                            "FROM tags_relations r JOIN tags t ON t.id = r.tag_id WHERE r.object_type = 'Stock' "
                            f"AND r.deleted_on IS NULL AND {live('t')} ORDER BY r.object_id, t.id")
        return [self.tag_basic(t[0]) for t in tags.get(box_id, []) if user.reads(t[1])]

    def open_detail(self, box_id):
        """The box's shipment detail neither removed, lost nor received."""
        for d in self.table("details").values():
            if d[2] == box_id and d[13] is None and d[15] is None and d[17] is None:
                return d
        return None

    def travel(self, box_id):
        """The shipment a travelling box (InTransit, Receiving, NotDelivered) is in: its detail
        neither removed nor received (lost allowed), as authorize_for_accessing_box finds it."""
        if int(self.table("boxes")[box_id][2]) not in (4, 7, 8):
            return None
        for d in self.table("details").values():
            if d[2] == box_id and d[13] is None and d[17] is None:
                return self.table("shipments")[d[1]]
        return None

    def may_read_box(self, user, box_id):
        """boxtribute's authorize_for_accessing_box: either base of a travelling box's shipment,
        else the base of the box's location."""
        shipment = self.travel(box_id)
        if shipment:
            return user.reads(shipment[3]) or user.reads(shipment[4])
        return user.reads(self.base_of_location(self.table("boxes")[box_id][8]))

    def manage_boxes_element(self, user, box_id):
        b = self.table("boxes")[box_id]
        location_base = self.base_of_location(b[8])
        product = self.table("products")[b[3]] if b[3] else None
        detail = self.open_detail(box_id)
        return typed("Box", {
            "id": b[0], "labelIdentifier": b[1],
            "product": self.product_basic(b[3]) if product and user.reads(product[6]) else None,
            "numberOfItems": b[9], "size": self.size_basic(b[4]), "weight": b[5], "monetaryValue": b[6],
            "weightDisplayUnit": self.unit_symbol(b[7]), "state": self.state(b[2]),
            "location": typed("ClassicLocation", {
                "id": b[8], "name": self.table("locations")[b[8]][1],
                "base": typed("Base", {"monetaryCurrencyCode": self.table("bases")[location_base][3]})})
            if user.reads(location_base) else None,
            "tags": self.box_tags(user, box_id),
            "shipmentDetail": typed("ShipmentDetail", {"id": detail[0], "shipment": typed("Shipment", {
                "id": detail[1], "labelIdentifier": self.table("shipments")[detail[1]][1]})}) if detail else None,
            "qrCode": typed("QrCode", {"code": b[16]}) if b[16] else None,
            "comment": b[10], "createdOn": b[11], "lastModifiedOn": b[12], "deletedOn": b[13],
            "createdBy": self.user_basic(b[14]), "lastModifiedBy": self.user_basic(b[15])})

    # -- base -------------------------------------------------------------------------------------

    def bases_to_ask(self):
        """Base 1 (the coordinator's) and the first base of organisation 2."""
        org2 = next(u for u in self.users if u.name == "org2")
        return ["1", str(org2.base_ids[0])]

    def check_per_base(self, name, document, expected_data, operation=None):
        """document with $baseId for each base to ask: expected_data(user, base) for users who
        may read the base, FORBIDDEN base=<id> on `base` for the others."""
        for base in self.bases_to_ask():
            def expected(user, base=base):
                if user.reads(base):
                    return {"data": expected_data(user, base)}
                return {"data": {"base": None}, "errors": [forbidden(["base"], f"base={base}")]}
            self.check(f"{name} {base}", document, expected, {"baseId": base}, operation)

    def test_base_for_box_create(self):
        """base(id) as BoxCreate asks it: its Box and All tags, live warehouse locations and live
        products (with size ranges and sizes), each by id."""
        def data(user, base):
            tags = [r[0] for r in self.rows(f"SELECT id FROM tags t WHERE camp_id = {base} AND {live('t')} "
                                            "AND type IN ('Stock', 'All') ORDER BY id")]
            locations = [r[0] for r in self.rows(f"SELECT id FROM locations l WHERE camp_id = {base} AND "
                                                 f"type = 'Warehouse' AND {live('l')} ORDER BY id")]
            products = [r[0] for r in self.rows(f"SELECT id FROM products p WHERE camp_id = {base} AND {live('p')} "
                                                "ORDER BY id")]
            return {"base": typed("Base", {
                "id": base, "monetaryCurrencyCode": self.table("bases")[base][3],
                "tags": [typed("Tag", {"value": t, "label": self.table("tags")[t][1], "color": self.table("tags")[t][2]})
                         for t in tags],
                "locations": [self.location_basic(loc) for loc in locations],
                "products": [self.product_fields(p) for p in products]})}
        self.check_per_base("base (BoxCreate)", harness.read_query("base_for_box_create.graphql"), data)

    def test_base_tags_for_tags_view(self):
        """base(id) as the tags view asks it: every live tag with the boxes and beneficiaries
        carrying it (README "Tagged resources")."""
        def data(user, base):
            resources = []
            for tag in [r[0] for r in self.rows(f"SELECT id FROM tags t WHERE camp_id = {base} AND {live('t')} "
                                                "ORDER BY id")]:
                tagged = self.records(
                    "r.object_type, CAST(r.object_id AS CHAR), s.box_id, CAST(p.camp_id AS CHAR)",
                    "FROM tags_relations r LEFT JOIN stock s ON r.object_type = 'Stock' AND s.id = r.object_id "
                    "LEFT JOIN people p ON r.object_type = 'People' AND p.id = r.object_id "
                    f"WHERE r.tag_id = {tag} AND r.deleted_on IS NULL "
                    "ORDER BY r.object_id, r.object_type = 'People', r.id")
                resources.append(dict(self.tag_basic(tag), taggedResources=[
                    typed("Box", {"labelIdentifier": label}) if kind == "Stock" else typed("Beneficiary", {"id": oid})
                    for kind, oid, label, person_base in tagged
                    if (kind == "Stock" and label is not None) or (kind == "People" and user.reads(person_base))]))
            return {"base": typed("Base", {"tags": resources})}
        self.check_per_base("base (TagsForTagsView)", harness.read_query("tags_for_tags_view.graphql"), data)

    def test_base_counts_and_beneficiaries(self):
        """base(id)'s own fields, its in-stock counts and its beneficiaries' first page."""
        def data(user, base):
            b = self.table("bases")[base]
            boxes, items = self.rows(f"SELECT COUNT(s.id), COALESCE(SUM(s.items), 0) FROM stock s JOIN locations l "
                                     f"ON l.id = s.location_id WHERE l.camp_id = {base} AND s.box_state_id = 1 "
                                     f"AND {live('s')}")[0]
            people = [r[0] for r in self.rows(f"SELECT id FROM people WHERE camp_id = {base} ORDER BY id")]
            return {"base": {
                "id": base, "name": b[1], "deletedOn": b[5], "monetaryCurrencyCode": b[3], "freeshopCurrencyName": b[4],
                "organisation": {"id": b[2], "name": self.table("organisations")[b[2]][1]},
                "instockBoxesCount": int(boxes), "instockItemsCount": int(items),
                "beneficiaries": {"totalCount": len(people),
                                  "pageInfo": {"hasNextPage": len(people) > 50, "hasPreviousPage": False},
                                  "elements": [{"id": p} for p in people[:50]]}}}
        self.check_per_base("base (counts)", harness.read_query("base_counts.graphql"), data)

    # -- boxes ------------------------------------------------------------------------------------

    def check_boxes(self, name, where, variables):
        """boxes with ManageBoxes' selection for each base asked; where(base) is the filter in SQL,
        variables(base) the query's."""
        document = harness.read_query("manage_boxes.graphql")
        for base in self.bases_to_ask():
            first = variables(base)["paginationInput"]

            def expected(user, base=base, first=first):
                if not user.reads(base):
                    return {"data": None, "errors": [forbidden(["boxes"], f"base={base}")]}
                ids = [r[0] for r in self.rows(
                    f"SELECT s.id FROM stock s JOIN locations l ON l.id = s.location_id WHERE l.camp_id = {base} "
                    f"AND {live('s')} AND {where(base)} ORDER BY s.modified DESC, s.id DESC")]
                return {"data": {"boxes": typed("BoxPage", {
                    "totalCount": len(ids), "pageInfo": typed("PageInfo", {"hasNextPage": len(ids) > first}),
                    "elements": [self.manage_boxes_element(user, b) for b in ids[:first]]})}}
            self.check(f"{name} {base}", document, expected, dict(variables(base), baseId=base))

    def test_boxes_manage_boxes_page(self):
        """boxes as ManageBoxes asks it on mount: the first 50 live boxes of the base, newest
        modification first; FORBIDDEN base=<id> (data null: BoxPage!) for a base the user may
        not read."""
        self.check_boxes("boxes first 50", lambda base: "TRUE", lambda base: {"paginationInput": 50})

    def two_locations(self, base):
        return [int(r[0]) for r in self.rows(f"SELECT id FROM locations WHERE camp_id = {base} AND type = 'Warehouse' "
                                             "ORDER BY id LIMIT 2")]

    def test_boxes_filtered_page(self):
        """boxes with the filters ManageBoxes sends (states, locations), 20 a page."""
        self.check_boxes("boxes InStock, Donated", lambda base: "s.box_state_id IN (1, 5)",
                         lambda base: {"paginationInput": 20, "filterInput": {"states": ["InStock", "Donated"]}})
        self.check_boxes("boxes at two locations",
                         lambda base: f"s.location_id IN ({','.join(map(str, self.two_locations(base)))})",
                         lambda base: {"paginationInput": 20, "filterInput": {"locationIds": self.two_locations(base)}})

    # -- box (BoxView), qrCode ------------------------------------------------------------------------

    def history(self, box_id):
        """Box.history in boxtribute's wording, newest first (README and API.md §4 for ties)."""
        names = {
            "location_id": ("changed box location from {} to {}", lambda i: self.table("locations")[i][1]),
            "product_id": ("changed product type from {} to {}", lambda i: self.table("products")[i][1]),
            "size_id": ("changed size from {} to {}", lambda i: self.table("sizes")[i][1]),
            "display_unit_id": ("changed unit from {} to {}", lambda i: self.table("units")[i][1]),
            "box_state_id": ("changed box state from {} to {}",
                             lambda i: self.db.scalar(f"SELECT label FROM box_state WHERE id = {i}")),
        }
        entries = []
        for hid, when, user, changes, old, new in self.records(
                f"CAST(id AS CHAR), {dt('changedate')}, CAST(user_id AS CHAR), changes, CAST(from_int AS CHAR), "
                "CAST(to_int AS CHAR)", f"FROM history WHERE tablename = 'stock' AND record_id = {box_id}"):
            if changes in names:
                text, name = names[changes]
                message = text.format(name(old), name(new))
            elif changes == "items":
                message = f"changed the number of items from {old} to {new}"
            elif changes.startswith("comments"):
                message = changes.replace("comments changed", "changed comments")
            elif changes.startswith("Record"):
                message = changes[7:] + " box"
            elif changes == "New Qr-code assigned by pdf generation.":
                message = "created QR code label for box"
            else:
                message = changes
            entries.append((when, 0, -int(hid), hid, user, message))
        created = self.table("boxes")[box_id][11]
        for rid, on, by, off, off_by, label in self.records(
                f"CAST(r.id AS CHAR), {dt('r.created_on')}, CAST(r.created_by_id AS CHAR), {dt('r.deleted_on')}, "
                "CAST(r.deleted_by_id AS CHAR), t.label", "FROM tags_relations r JOIN tags t ON t.id = r.tag_id "
                f"WHERE r.object_type = 'Stock' AND r.object_id = {box_id}"):
            if on is not None and created is not None and on != created:
                entries.append((on, 1, int(rid), f"ta{rid}", by, f"assigned tag '{label}' to box"))
            if off is not None:
                entries.append((off, 2, int(rid), f"tr{rid}", off_by, f"removed tag '{label}' from box"))
        entries.sort(key=lambda e: (e[1], e[2]))
        entries.sort(key=lambda e: e[0] or "", reverse=True)
        return [typed("HistoryEntry", {"id": e[3], "changes": e[5], "changeDate": e[0], "user": self.user_basic(e[4])})
                for e in entries]

    def box_view(self, user, box_id):
        """BoxByLabelIdentifier's box (BoxFields and the distribution parts) for this user."""
        b = self.table("boxes")[box_id]
        location_base = self.base_of_location(b[8])
        product = self.table("products")[b[3]] if b[3] else None
        detail = self.open_detail(box_id)
        if product and user.reads(product[6]):
            counts = self.rows(f"SELECT COALESCE(SUM(IF(box_state_id = 1, items, 0)), 0), COALESCE(SUM(IF(box_state_id "
                               f"IN (3, 4, 7), items, 0)), 0) FROM stock s WHERE product_id = {b[3]} AND {live('s')}")[0]
            product = dict(self.product_basic(b[3]), instockItemsCount=int(counts[0]), transferItemsCount=int(counts[1]))
        else:
            product = None
        shipment_detail = None
        if detail:
            shipment = self.table("shipments")[detail[1]]
            shipment_detail = typed("ShipmentDetail", {
                "id": detail[0], "sourceQuantity": detail[9],
                "sourceLocation": self.location_basic(detail[5]) if detail[5] else None,
                "sourceProduct": self.product_basic(detail[3]), "sourceSize": self.size_basic(detail[4]),
                "shipment": typed("Shipment", {"id": shipment[0], "labelIdentifier": shipment[1], "state": shipment[2],
                                               "targetBase": self.base_org(shipment[4])})})
        location = None
        if user.reads(location_base):
            base = self.table("bases")[location_base]
            locations = [r[0] for r in self.rows(f"SELECT id FROM locations l WHERE camp_id = {location_base} AND "
                                                 f"type = 'Warehouse' AND {live('l')} ORDER BY id")]
            events = self.records(
                f"CAST(e.id AS CHAR), e.state, l.label, e.name, {dt('e.planned_start_date_time')}, "
                f"{dt('e.planned_end_date_time')}", "FROM distro_events e JOIN locations l ON l.id = e.location_id "
                f"WHERE l.camp_id = {location_base} AND e.state IN ('Planning', 'Packing', 'OnDistro') ORDER BY e.id")
            location = typed("ClassicLocation", {
                "id": b[8], "name": self.table("locations")[b[8]][1],
                "defaultBoxState": self.state(self.table("locations")[b[8]][3]),
                "base": typed("Base", {
                    "id": location_base, "name": base[1], "monetaryCurrencyCode": base[3],
                    "locations": [self.location_basic(loc) for loc in locations],
                    "distributionEventsBeforeReturnedFromDistributionState": [typed("DistributionEvent", {
                        "id": e[0], "state": e[1], "distributionSpot": typed("DistributionSpot", {"name": e[2]}),
                        "name": e[3], "plannedStartDateTime": e[4], "plannedEndDateTime": e[5]}) for e in events]})})
        return typed("Box", {
            "id": b[0], "labelIdentifier": b[1], "state": self.state(b[2]), "product": product,
            "size": self.size_basic(b[4]), "weight": b[5], "monetaryValue": b[6],
            "weightDisplayUnit": self.unit_symbol(b[7]), "shipmentDetail": shipment_detail,
            "qrCode": typed("QrCode", {"code": b[16]}) if b[16] else None, "location": location,
            "numberOfItems": b[9], "tags": self.box_tags(user, box_id), "comment": b[10],
            "history": self.history(box_id), "createdOn": b[11], "lastModifiedOn": b[12], "deletedOn": b[13],
            "distributionEvent": None})

    def preparing_shipments(self, user):
        return [typed("Shipment", {
            "id": s[0], "state": s[2], "labelIdentifier": s[1], "sourceBase": typed("Base", {"id": s[3]}),
            "targetBase": typed("Base", {"name": self.table("bases")[s[4]][1], "organisation": typed(
                "Organisation", {"name": self.table("organisations")[self.table("bases")[s[4]][2]][1]})})})
            for s in sorted(self.table("shipments").values(), key=lambda s: int(s[0]))
            if s[2] == "Preparing" and (user.reads(s[3]) or user.reads(s[4]))]

    def box_denied(self, box_id):
        """FORBIDDEN as authorize_for_accessing_box gives it: base=<id>, or for a travelling box
        bases=[source, target]."""
        shipment = self.travel(box_id)
        if shipment:
            return f"bases=[{shipment[3]}, {shipment[4]}]"
        return f"base={self.base_of_location(self.table('boxes')[box_id][8])}"

    def boxes_to_view(self):
        """A base-1 box with the most history, and a box travelling between two organisations."""
        busy = self.db.scalar("SELECT s.id FROM stock s JOIN locations l ON l.id = s.location_id WHERE l.camp_id = 1 "
                              "ORDER BY (SELECT COUNT(*) FROM history h WHERE h.tablename = 'stock' AND h.record_id = s.id) "
                              "+ (SELECT COUNT(*) FROM tags_relations r WHERE r.object_type = 'Stock' AND r.object_id = s.id) "
                              "DESC, s.id LIMIT 1")
        travelling = self.db.scalar(
            "SELECT s.id FROM stock s JOIN shipment_detail d ON d.box_id = s.id AND d.removed_on IS NULL AND d.lost_on IS NULL "
            "AND d.received_on IS NULL JOIN shipment h ON h.id = d.shipment_id JOIN camps a ON a.id = h.source_base_id "
            "JOIN camps b ON b.id = h.target_base_id WHERE s.box_state_id IN (4, 7) AND a.organisation_id <> b.organisation_id "
            "ORDER BY s.id LIMIT 1")
        return [b for b in (busy, travelling) if b]

    def test_box_view(self):
        """box(labelIdentifier) with BoxView's whole selection (history included) and the
        shipments being prepared; a box the user may not read is FORBIDDEN (README "Boxes in
        transit")."""
        document = harness.read_query("box_view.graphql")
        for box_id in self.boxes_to_view():
            def expected(user, box_id=box_id):
                if self.may_read_box(user, box_id):
                    return {"data": {"box": self.box_view(user, box_id), "shipments": self.preparing_shipments(user)}}
                return {"data": {"box": None, "shipments": self.preparing_shipments(user)},
                        "errors": [forbidden(["box"], self.box_denied(box_id))]}
            self.check(f"box {box_id}", document, expected, {"labelIdentifier": self.table("boxes")[box_id][1]})

    def test_qr_code_scan(self):
        """qrCode and qrExists on real codes: a code with a base-1 box, one with a travelling box,
        one without a box. The box as BoxBasicFields; a box of a base the user may not read is
        UnauthorizedForBaseError (boxtribute's handle_unauthorized), a travelling box outside
        the user's bases an error on qrCode.box (FORBIDDEN bases=[...], which it re-raises)."""
        document = harness.read_query("qr_code_scan.graphql")
        codes = [self.table("boxes")[b][16] for b in self.boxes_to_view()]
        codes.append(self.db.scalar("SELECT q.code FROM qr q WHERE NOT EXISTS (SELECT 1 FROM stock s WHERE s.qr_id = q.id) "
                                    "ORDER BY q.id LIMIT 1"))
        box_by_code = {b[16]: b[0] for b in self.table("boxes").values() if b[16]}
        for code in [c for c in codes if c]:
            box_id = box_by_code.get(code)

            def expected(user, box_id=box_id, code=code):
                if box_id is None:
                    box, errors = None, []
                elif self.may_read_box(user, box_id):
                    box, errors = self.box_basic(user, box_id), []
                elif self.travel(box_id):
                    box, errors = None, [forbidden(["qrCode", "box"], self.box_denied(box_id))]
                else:
                    base = self.table("bases")[self.base_of_location(self.table("boxes")[box_id][8])]
                    box, errors = typed("UnauthorizedForBaseError", {
                        "baseName": base[1], "organisationName": self.table("organisations")[base[2]][1]}), []
                answer = {"data": {"qrCode": typed("QrCode", {"code": code, "box": box})}}
                return dict(answer, errors=errors) if errors else answer
            self.check(f"qrCode {code}", document, expected, {"qrCode": code}, "GetBoxLabelIdentifierForQrCode")
            self.check(f"qrExists {code}", document, lambda user: {"data": {"qrExists": True}}, {"qrCode": code},
                       "CheckIfQrExistsInDb")

    def box_basic(self, user, box_id):
        """BoxBasicFields (with the shipment view's weight fields)."""
        b = self.table("boxes")[box_id]
        location_base = self.base_of_location(b[8])
        detail = self.open_detail(box_id)
        return typed("Box", {
            "labelIdentifier": b[1], "state": self.state(b[2]), "comment": b[10],
            "location": typed("ClassicLocation", {"id": b[8], "base": typed("Base", {"id": location_base})})
            if user.reads(location_base) else None,
            "shipmentDetail": typed("ShipmentDetail", {"id": detail[0], "shipment": typed("Shipment", {"id": detail[1]})})
            if detail else None,
            "lastModifiedOn": b[12], "lastModifiedBy": self.user_basic(b[15])})

    # -- location, product, products, productCategory ---------------------------------------------

    LOCATION = ("query($id: ID!) { location(id: $id) { id name seq isShop isStockroom defaultBoxState "
                "base { id name } createdBy { id name } createdOn lastModifiedBy { id name } lastModifiedOn } }")

    def test_location(self):
        """location(id) of a warehouse location in each base asked: every field for users with
        location:read there, else FORBIDDEN base=<id>."""
        for base in self.bases_to_ask():
            location = self.db.scalar(f"SELECT MIN(id) FROM locations WHERE camp_id = {base} AND type = 'Warehouse'")
            loc = self.table("locations")[location]

            def expected(user, loc=loc, base=base):
                if not user.reads(base):
                    return {"data": {"location": None}, "errors": [forbidden(["location"], f"base={base}")]}
                return {"data": {"location": {
                    "id": loc[0], "name": loc[1], "seq": loc[4], "isShop": bool(loc[7]), "isStockroom": bool(loc[8]),
                    "defaultBoxState": self.state(loc[3]), "base": {"id": base, "name": self.table("bases")[base][1]},
                    "createdBy": self.untyped(self.user_basic(loc[9])), "createdOn": loc[10],
                    "lastModifiedBy": self.untyped(self.user_basic(loc[11])), "lastModifiedOn": loc[12]}}}
            self.check(f"location {location}", self.LOCATION, expected, {"id": location})

    @staticmethod
    def untyped(value):
        return None if value is None else {k: v for k, v in value.items() if k != "__typename"}

    def products_element(self, product_id):
        p = self.table("products")[product_id]
        counts = self.rows(f"SELECT COALESCE(SUM(IF(box_state_id = 1, items, 0)), 0), COALESCE(SUM(IF(box_state_id "
                           f"IN (3, 4, 7), items, 0)), 0) FROM stock s WHERE product_id = {product_id} AND {live('s')}")[0]
        return dict(self.product_basic(product_id), **{
            "standardProduct": typed("StandardProduct", {"id": p[2]}) if p[2] else None,
            "sizeRange": self.size_range(p[7]), "base": typed("Base", {"id": p[6]}),
            "instockItemsCount": int(counts[0]), "transferItemsCount": int(counts[1]), "price": p[8],
            "comment": p[9], "inShop": bool(p[10]), "createdOn": p[11], "createdBy": self.user_basic(p[12]),
            "lastModifiedOn": p[13], "lastModifiedBy": self.user_basic(p[14])})

    def test_products_for_products_view(self):
        """products(baseId) as the products view asks it: every product of the base, deleted ones
        included (boxtribute's page has no deleted filter), by id; no product of a base the user
        may not read (an empty page, as boxtribute's bases filter gives)."""
        for base in self.bases_to_ask():
            ids = [r[0] for r in self.rows(f"SELECT id FROM products WHERE camp_id = {base} ORDER BY id")]

            def expected(user, ids=ids, base=base):
                shown = ids if user.reads(base) else []
                return {"data": {"products": typed("ProductPage", {
                    "totalCount": len(shown), "elements": [self.products_element(p) for p in shown]})}}
            self.check(f"products {base}", harness.read_query("products_for_products_view.graphql"), expected,
                       {"baseId": base})

    def test_product(self):
        """product(id): ProductBasicFields and the products view's fields for users with
        product:read in its base, else FORBIDDEN base=<id>; an unknown id BAD_USER_INPUT."""
        fields = ("id name type gender deletedOn category { id name } standardProduct { id } sizeRange { id label "
                  "sizes { id label } } base { id } instockItemsCount transferItemsCount price comment inShop createdOn "
                  "createdBy { id name } lastModifiedOn lastModifiedBy { id name } __typename")
        for base in self.bases_to_ask():
            product = self.db.scalar(f"SELECT MIN(id) FROM products WHERE camp_id = {base}")

            def expected(user, product=product, base=base):
                if not user.reads(base):
                    return {"data": {"product": None}, "errors": [forbidden(["product"], f"base={base}")]}
                return {"data": {"product": self.deep_untyped(self.products_element(product), keep=True)}}
            self.check(f"product {product}", f"query($id: ID!) {{ product(id: $id) {{ {fields} }} }}", expected,
                       {"id": product})
        missing = int(self.db.scalar("SELECT MAX(id) FROM products")) + 1
        self.check("product unknown", "query($id: ID!) { product(id: $id) { id } }",
                   lambda user: {"data": {"product": None}, "errors": [not_found(["product"])]}, {"id": missing})

    def deep_untyped(self, value, keep=False):
        """value without the __typename Apollo Client adds (the outermost one kept if keep)."""
        if isinstance(value, list):
            return [self.deep_untyped(v) for v in value]
        if isinstance(value, dict):
            return {k: self.deep_untyped(v) for k, v in value.items() if k != "__typename" or keep}
        return value

    def test_product_category(self):
        """productCategory(id): every user (product_category is base-agnostic); its products
        are those of the bases the user may read, by id."""
        for category in [r[0] for r in self.rows("SELECT id FROM product_categories ORDER BY id LIMIT 3")]:
            c = self.table("categories")[category]

            def expected(user, c=c):
                products = [r[0] for r in self.rows(f"SELECT id FROM products p WHERE category_id = {c[0]} AND "
                                                    f"{user.bases_in('p.camp_id')} ORDER BY id")]
                return {"data": {"productCategory": {
                    "id": c[0], "name": c[1], "hasGender": c[2] == 12,
                    "products": {"totalCount": len(products), "elements": [{"id": p} for p in products[:50]]}}}}
            self.check(f"productCategory {category}", "query($id: ID!) { productCategory(id: $id) { id name hasGender "
                       "products { totalCount elements { id } } } }", expected, {"id": category})

    # -- tag ----------------------------------------------------------------------------------------

    def test_tag(self):
        """tag(id) (TagForUpdateTagView's fields, with taggedResources as the tags view asks them)
        of the first tag of each base asked: FORBIDDEN base=<id> outside the user's bases."""
        document = harness.read_query("tag.graphql")
        for base in self.bases_to_ask():
            tag = self.db.scalar(f"SELECT MIN(id) FROM tags WHERE camp_id = {base} AND type <> 'People'")

            def expected(user, tag=tag, base=base):
                if not user.reads(base):
                    return {"data": {"tag": None}, "errors": [forbidden(["tag"], f"base={base}")]}
                tagged = self.records(
                    "r.object_type, CAST(r.object_id AS CHAR), s.box_id, CAST(p.camp_id AS CHAR)",
                    "FROM tags_relations r LEFT JOIN stock s ON r.object_type = 'Stock' AND s.id = r.object_id "
                    "LEFT JOIN people p ON r.object_type = 'People' AND p.id = r.object_id "
                    f"WHERE r.tag_id = {tag} AND r.deleted_on IS NULL ORDER BY r.object_id, r.object_type = 'People', r.id")
                return {"data": {"tag": dict(self.tag_basic(tag), taggedResources=[
                    typed("Box", {"labelIdentifier": label}) if kind == "Stock" else typed("Beneficiary", {"id": oid})
                    for kind, oid, label, person_base in tagged
                    if (kind == "Stock" and label is not None) or (kind == "People" and user.reads(person_base))])}}
            self.check(f"tag {tag}", document, expected, {"tagId": tag})

    # -- shipments and transfer agreements ------------------------------------------------------------

    def visible_shipments(self, user, state=None):
        return [s for s in sorted(self.table("shipments").values(), key=lambda s: int(s[0]))
                if (user.reads(s[3]) or user.reads(s[4])) and (state is None or s[2] == state)]

    def details_of(self, shipment_id):
        return sorted((d for d in self.table("details").values() if d[1] == shipment_id), key=lambda d: int(d[0]))

    def direction(self, user, shipment, base):
        if shipment[3] == base:
            return "Outgoing"
        if shipment[4] == base:
            return "Incoming"
        source, target = user.reads(shipment[3]) and not user.god, user.reads(shipment[4]) and not user.god
        return "Outgoing" if source and not target else "Incoming" if target and not source else "Indeterminate"

    def test_shipments(self):
        """shipments as the transfers overview asks it (direction for the user's own base): the
        shipments with either base readable, by id, each with all its details."""
        def own_base(user):
            return "1" if user.god else str(user.base_ids[0])
        document = harness.read_query("shipments.graphql")
        for user in self.users:
            with self.subTest(query="shipments", user=user.name):
                base = own_base(user)
                expected = [typed("Shipment", {
                    "id": s[0], "labelIdentifier": s[1], "state": s[2], "direction": self.direction(user, s, base),
                    "details": [typed("ShipmentDetail", {
                        "id": d[0], "box": typed("Box", {
                            "labelIdentifier": self.table("boxes")[d[2]][1], "weight": self.table("boxes")[d[2]][5],
                            "monetaryValue": self.table("boxes")[d[2]][6],
                            "weightDisplayUnit": self.unit_symbol(self.table("boxes")[d[2]][7])}),
                        "createdOn": d[11], "removedOn": d[13], "lostOn": d[15]}) for d in self.details_of(s[0])],
                    "sourceBase": dict(self.base_org(s[3]), monetaryCurrencyCode=self.table("bases")[s[3]][3]),
                    "targetBase": self.base_org(s[4]), "startedOn": s[6], "sentOn": s[8], "receivingStartedOn": s[10],
                    "completedOn": s[12], "canceledOn": s[14]}) for s in self.visible_shipments(user)]
                self.assertEqual(self.ask(user, document, {"baseId": base}), {"data": {"shipments": expected}})

    def auto_match(self, detail):
        """The live product of the target base with the source product's standard product, lowest id."""
        shipment = self.table("shipments")[detail[1]]
        source = self.table("products").get(detail[3])
        if not source or not source[2]:
            return None
        matches = sorted((p for p in self.table("products").values() if p[2] == source[2] and p[6] == shipment[4]
                          and p[4] is None), key=lambda p: int(p[0]))
        if not matches:
            return None
        p = matches[0]
        return typed("Product", {"id": p[0], "name": p[1], "gender": GENDERS.get(p[3]),
                                 "sizeRange": typed("SizeRange", {"id": p[7], "label": self.table("size_ranges")[p[7]][1]})})

    def shipment_fields(self, user, shipment_id):
        s = self.table("shipments")[shipment_id]
        agreement = self.table("agreements").get(s[5])

        def detail(d):
            loc = self.table("locations")[d[5]] if d[5] else None
            return typed("ShipmentDetail", {
                "id": d[0],
                "box": dict(self.box_basic(user, d[2]), weight=self.table("boxes")[d[2]][5],
                            monetaryValue=self.table("boxes")[d[2]][6],
                            weightDisplayUnit=self.unit_symbol(self.table("boxes")[d[2]][7])),
                "sourceProduct": self.product_fields(d[3]), "targetProduct": self.product_fields(d[6]),
                "sourceSize": self.size_basic(d[4]), "targetSize": self.size_basic(d[7]),
                "sourceLocation": typed("ClassicLocation", {"id": loc[0], "name": loc[1], "defaultBoxState":
                                                            self.state(loc[3])}) if loc else None,
                "sourceQuantity": d[9], "targetQuantity": d[10],
                "createdOn": d[11], "createdBy": self.user_basic(d[12]), "removedOn": d[13],
                "removedBy": self.user_basic(d[14]), "lostOn": d[15], "lostBy": self.user_basic(d[16]),
                "receivedOn": d[17], "receivedBy": self.user_basic(d[18]),
                "autoMatchingTargetProduct": self.auto_match(d)})
        return typed("Shipment", {
            "id": s[0], "labelIdentifier": s[1], "state": s[2],
            "details": [detail(d) for d in self.details_of(s[0])],
            "sourceBase": dict(self.base_org(s[3]), monetaryCurrencyCode=self.table("bases")[s[3]][3]),
            "targetBase": dict(self.base_org(s[4]), monetaryCurrencyCode=self.table("bases")[s[4]][3]),
            "transferAgreement": typed("TransferAgreement", {"id": agreement[0], "comment": agreement[3],
                                                             "type": agreement[1]}) if agreement else None,
            **{f"{what}On": s[6 + 2 * i] for i, what in enumerate(("started", "sent", "receivingStarted", "completed",
                                                                   "canceled"))},
            **{f"{what}By": self.user_basic(s[7 + 2 * i]) for i, what in enumerate((
                "started", "sent", "receivingStarted", "completed", "canceled"))}})

    def test_shipment(self):
        """shipment(id) as the shipment view asks it, for every shipment: FORBIDDEN
        bases=[source, target] for a user who may read neither."""
        document = harness.read_query("shipment_by_id.graphql")
        for shipment_id in sorted(self.table("shipments"), key=int):
            s = self.table("shipments")[shipment_id]

            def expected(user, s=s):
                if user.reads(s[3]) or user.reads(s[4]):
                    return {"data": {"shipment": self.shipment_fields(user, s[0])}}
                return {"data": {"shipment": None}, "errors": [forbidden(["shipment"], f"bases=[{s[3]}, {s[4]}]")]}
            self.check(f"shipment {shipment_id}", document, expected, {"id": shipment_id})

    def test_shipment_direction_needs_the_base(self):
        """direction(baseId) needs base:read in baseId, as boxtribute's resolver authorizes it:
        asked for the other organisation's side of a shipment between two organisations, it is
        FORBIDDEN base=<id> at the field (non-null: the shipment is null)."""
        shipment, source, target = self.rows(
            "SELECT s.id, s.source_base_id, s.target_base_id FROM shipment s JOIN camps a ON a.id = s.source_base_id "
            "JOIN camps b ON b.id = s.target_base_id WHERE a.organisation_id <> b.organisation_id ORDER BY s.id LIMIT 1")[0]
        for user in self.users:
            if user.god:
                continue
            other = target if user.reads(source) else source
            with self.subTest(user=user.name):
                answer = self.ask(user, "query($id: ID!, $base: ID!) { shipment(id: $id) { id direction(baseId: $base) } }",
                                  {"id": shipment, "base": other})
                self.assertEqual(answer, {"data": {"shipment": None},
                                          "errors": [forbidden(["shipment", "direction"], f"base={other}")]})

    def agreement_fields(self, user, agreement_id):
        a = self.table("agreements")[agreement_id]

        def bases(side):
            return [self.base_basic(r[0]) for r in self.rows(
                f"SELECT DISTINCT {side}_base_id FROM transfer_agreement_detail WHERE transfer_agreement_id = {a[0]} "
                "ORDER BY 1")]
        return typed("TransferAgreement", {
            "id": a[0], "type": a[1], "state": a[2], "comment": a[3], "validFrom": a[4], "validUntil": a[5],
            "sourceOrganisation": self.organisation_basic(a[6]), "sourceBases": bases("source"),
            "targetOrganisation": self.organisation_basic(a[7]), "targetBases": bases("target"),
            "shipments": [typed("Shipment", {"id": s[0], "state": s[2], "sourceBase": self.base_basic(s[3]),
                                             "targetBase": self.base_basic(s[4])})
                          for s in self.visible_shipments(user) if s[5] == a[0]],
            "requestedOn": a[8], "requestedBy": self.user_basic(a[9]), "acceptedOn": a[10],
            "acceptedBy": self.user_basic(a[11]), "terminatedOn": a[12], "terminatedBy": self.user_basic(a[13])})

    def agreement_bases(self, agreement_id):
        return sorted({int(b) for r in self.rows(f"SELECT source_base_id, target_base_id FROM transfer_agreement_detail "
                                                 f"WHERE transfer_agreement_id = {agreement_id}") for b in r})

    def test_transfer_agreements(self):
        """transferAgreements (every state the overview asks) and transferAgreement(id): the
        agreements with a readable base on either side, by id; FORBIDDEN bases=[...] for one
        outside the user's bases."""
        document = harness.read_query("transfer_agreements.graphql")

        def readable(user, agreement_id):
            return any(user.reads(b) for b in self.agreement_bases(agreement_id))
        agreements = sorted(self.table("agreements"), key=int)
        self.check("transferAgreements", document, lambda user: {"data": {"transferAgreements": [
            self.agreement_fields(user, a) for a in agreements if readable(user, a)]}}, operation="TransferAgreements")
        for agreement_id in agreements:
            def expected(user, agreement_id=agreement_id):
                if readable(user, agreement_id):
                    return {"data": {"transferAgreement": self.agreement_fields(user, agreement_id)}}
                denied = ", ".join(map(str, self.agreement_bases(agreement_id)))
                return {"data": {"transferAgreement": None},
                        "errors": [forbidden(["transferAgreement"], f"bases=[{denied}]")]}
            self.check(f"transferAgreement {agreement_id}", document, expected, {"id": agreement_id},
                       operation="TransferAgreement")

    # -- beneficiaries --------------------------------------------------------------------------------

    BENEFICIARY = """id firstName lastName dateOfBirth age comment base { id } groupIdentifier gender languages
        familyHead { id } active isVolunteer signed registered phoneNumber signature dateOfSignature tokens
        createdBy { id } createdOn lastModifiedBy { id } lastModifiedOn tags { id name }
        transactions { id beneficiary { id } product { id } count tokens description createdBy { id } createdOn }"""

    def beneficiaries(self, user, where):
        """Every field of the beneficiaries matching where, as this user reads them."""
        today = datetime.datetime.now(datetime.timezone.utc).date()
        languages = self.grouped("languages", "CAST(people_id AS CHAR), language_id",
                                 "FROM x_people_languages ORDER BY people_id, language_id")
        tags = self.grouped("beneficiary tags", "CAST(r.object_id AS CHAR), CAST(t.id AS CHAR), t.label, "
                            "CAST(t.camp_id AS CHAR)", "FROM tags_relations r JOIN tags t ON t.id = r.tag_id WHERE "
                            f"r.object_type = 'People' AND r.deleted_on IS NULL AND {live('t')} ORDER BY r.object_id, t.id")
        transactions = self.grouped(
            "transactions", "CAST(people_id AS CHAR), CAST(id AS CHAR), CAST(product_id AS CHAR), count, drops, "
            f"description, CAST(user_id AS CHAR), {dt('transaction_date')}", "FROM transactions ORDER BY people_id, id")
        out = []
        for r in self.records(
                f"CAST(p.id AS CHAR), p.firstname, p.lastname, {date('p.date_of_birth')}, p.comments, "
                "CAST(p.camp_id AS CHAR), p.container, p.gender, CAST(p.parent_id AS CHAR), "
                f"{live('p')}, p.volunteer, p.approvalsigned, p.notregistered, p.phone, p.signaturefield, "
                f"{date('p.date_of_signature')}, CAST(p.created_by AS CHAR), {dt('p.created')}, "
                f"CAST(p.modified_by AS CHAR), {dt('p.modified')}, "
                "(SELECT COALESCE(SUM(t.drops), 0) FROM transactions t WHERE t.people_id = p.id)",
                f"FROM people p WHERE {where} ORDER BY p.id"):
            age = None
            if r[3]:
                born = datetime.date.fromisoformat(r[3])
                age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            out.append({
                "id": r[0], "firstName": r[1], "lastName": r[2], "dateOfBirth": r[3], "age": age, "comment": r[4],
                "base": {"id": r[5]}, "groupIdentifier": r[6], "gender": HUMAN_GENDERS[r[7]],
                "languages": [LANGUAGES[x[0]] for x in languages.get(r[0], [])],
                "familyHead": {"id": r[8]} if r[8] else None, "active": bool(r[9]), "isVolunteer": bool(r[10]),
                "signed": bool(r[11]), "registered": not r[12], "phoneNumber": r[13], "signature": r[14],
                "dateOfSignature": r[15], "tokens": int(r[20]), "createdBy": {"id": r[16]} if r[16] else None,
                "createdOn": r[17], "lastModifiedBy": {"id": r[18]} if r[18] else None, "lastModifiedOn": r[19],
                "tags": [{"id": t[0], "name": t[1]} for t in tags.get(r[0], []) if user.reads(t[2])],
                "transactions": [{"id": t[0], "beneficiary": {"id": r[0]}, "product": {"id": t[1]} if t[1] else None,
                                  "count": t[2], "tokens": t[3], "description": t[4],
                                  "createdBy": {"id": t[5]} if t[5] else None, "createdOn": t[6]}
                                 for t in transactions.get(r[0], [])]})
        return out

    def test_beneficiaries(self):
        """beneficiaries' first page (50, by id) of the bases the user may read, every field."""
        def expected(user):
            people = self.beneficiaries(user, user.bases_in("p.camp_id"))
            return {"data": {"beneficiaries": {
                "totalCount": len(people), "pageInfo": {"hasNextPage": len(people) > 50, "hasPreviousPage": False},
                "elements": people[:50]}}}
        self.check("beneficiaries", "{ beneficiaries { totalCount pageInfo { hasNextPage hasPreviousPage } "
                   f"elements {{ {self.BENEFICIARY} }} }} }}", expected)

    def test_beneficiary(self):
        """beneficiary(id), with transactions, of the person with most transactions in each base
        asked: FORBIDDEN base=<id> outside the user's bases."""
        for base in self.bases_to_ask():
            person = self.db.scalar(f"SELECT p.id FROM people p WHERE p.camp_id = {base} ORDER BY (SELECT COUNT(*) FROM "
                                    "transactions t WHERE t.people_id = p.id) DESC, p.id LIMIT 1")
            if person is None:
                continue

            def expected(user, person=person, base=base):
                if not user.reads(base):
                    return {"data": {"beneficiary": None}, "errors": [forbidden(["beneficiary"], f"base={base}")]}
                return {"data": {"beneficiary": self.beneficiaries(user, f"p.id = {person}")[0]}}
            self.check(f"beneficiary {person}", f"query($id: ID!) {{ beneficiary(id: $id) {{ {self.BENEFICIARY} }} }}",
                       expected, {"id": person})


class OnBoxtributeDump(BoxtributeDump, ReadExactMore, unittest.TestCase):
    pass


class OnDepotDdl(DepotDdl, ReadExactMore, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main(verbosity=2)
