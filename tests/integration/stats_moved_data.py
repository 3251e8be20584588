"""Rows for the movedBoxes and stockOverview tests (test_stats_moved.py) and the expected facts,
computed here in Python from those rows alone.

The boxes' stories are written as events (created, moved, items changed, deleted, shipped...),
which become the rows of stock, history, tags_relations and shipment_detail as boxtribute
writes them; a few history rows are written raw, inconsistent as real data can be. The
expected facts follow boxtribute's rules (business_logic/statistics/sql.py), over the rows:
  - a box counts for the base its location is in now;
  - its version at a history row: the row's own new value for the field it changes, else the
    old value of that field's next change, else the new value of its previous change, else
    the box's value today;
  - InStock -> Donated counts +1 at the box's location, Donated -> InStock -1; a box created
    Donated +1; "Record deleted" +1 and "Box was undeleted." -1 as the target "Deleted"; the
    same version moved twice on one day counts once (boxtribute groups them);
  - shipments: every detail not removed, on the day sent (source) or receiving started
    (target); Lost and Scrap (from InStock) with the box's values of today.
Licensed under the Apache License 2.0.
"""
import collections
import math

from read_exact import GENDERS, STATES

INSTOCK, LOST, DONATED, SCRAP = 1, 2, 5, 6

FIXED_ROWS = """
INSERT INTO organisations (id, label) VALUES (1, 'BoxAid'), (2, 'BoxCare'), (3, 'BoxFar');
INSERT INTO cms_users (id, naam, email, lastlogin, lastaction, deleted) VALUES
  (1, 'Admin', 'admin@example.org', 0, 0, 0), (2, 'Other Coordinator', 'other@example.org', 0, 0, 0),
  (8, 'Dev Coordinator', 'dev@example.org', 0, 0, 0);
INSERT INTO camps (id, name, organisation_id, seq) VALUES (1, 'Lesvos', 1, 1), (2, 'Samos', 1, 2),
  (3, 'Athens', 2, 3), (4, 'Far away', 3, 4);
INSERT INTO box_state (id, label) VALUES (1, 'Instock'), (2, 'Lost'), (3, 'MarkedForShipment'), (4, 'Receiving'),
  (5, 'Donated'), (6, 'Scrap'), (7, 'InTransit'), (8, 'NotDelivered');
INSERT INTO sizegroup (id, label) VALUES (1, 'S M'), (28, 'Mass'), (29, 'Volume');
INSERT INTO sizes (id, label) VALUES (1, 'S'), (2, 'M'), (3, 'Mixed');
INSERT INTO units (id, name, symbol, conversion_factor, dimension_id) VALUES (1, 'kilogram', 'kg', 1, 28),
  (2, 'liter', 'l', 1, 29);
INSERT INTO product_categories (id, label) VALUES (1, 'Clothing'), (2, 'Food'), (3, 'Hygiene');
INSERT INTO genders (id, label, color) VALUES (1, 'Women', ''), (2, 'Men', ''), (10, '-', '');
INSERT INTO products (id, name, category_id, gender_id, sizegroup_id, camp_id, value, comments,
  stockincontainer, created, created_by) VALUES
  (1, 'Jacket', 1, 1, 1, 1, 0, '', 0, '2024-01-01 00:00:00', 8),
  (2, 'jacket ', 1, 1, 1, 1, 0, '', 0, '2024-01-01 00:00:00', 8),
  (3, 'Rice', 2, 10, 28, 1, 0, '', 0, '2024-01-01 00:00:00', 8),
  (4, 'Socks', 1, 2, 1, 2, 0, '', 0, '2024-01-01 00:00:00', 8),
  (5, 'Socks', 1, 2, 1, 3, 0, '', 0, '2024-01-01 00:00:00', 2),
  (6, 'Soap', 3, 10, 1, 1, 0, '', 0, '2024-01-01 00:00:00', 8);
INSERT INTO locations (id, label, camp_id, box_state_id, deleted) VALUES (1, 'WH', 1, 1, NULL),
  (2, 'Donated', 1, 5, NULL), (3, 'Old shop', 1, 1, '2024-02-01 10:00:00'), (4, 'WH2', 2, 1, NULL),
  (5, 'Free shop', 2, 5, NULL), (6, 'WH', 3, 1, NULL), (7, 'Far WH', 4, 1, NULL);
INSERT INTO tags (id, label, color, camp_id, description, type, deleted) VALUES
  (1, 'urgent', '#ff0000', 1, '', 'Stock', NULL), (2, 'winter', '#0000ff', 1, '', 'All', NULL),
  (3, 'old', '#999999', 1, '', 'Stock', '2024-01-20 00:00:00'), (4, 'samos', '#00ff00', 2, '', 'Stock', NULL);
INSERT INTO transfer_agreement (id, source_organisation_id, target_organisation_id, state, type,
  requested_on, requested_by, accepted_on, accepted_by, valid_from) VALUES
  (1, 1, 2, 'Accepted', 'Bidirectional', '2024-01-01 00:00:00', 8, '2024-01-01 00:00:00', 2, '2024-01-01 00:00:00');
INSERT INTO transfer_agreement_detail (transfer_agreement_id, source_base_id, target_base_id) VALUES (1, 1, 3);
"""


class Story:
    """Boxes and their histories, kept as the rows they become."""

    def __init__(self):
        self.boxes = {}          # id -> stock row (dict), as it is after every event
        self.history = []        # dicts: id, record_id, changes, changedate, from_int, to_int
        self.tags = []           # dicts: object_id, tag_id, deleted_on
        self.shipments = []      # dicts
        self.details = []        # dicts
        self.next_history = 1000

    def _row(self, box_id, changes, day, from_int=None, to_int=None, tablename="stock"):
        self.history.append({"id": self.next_history, "tablename": tablename, "record_id": box_id,
                             "changes": changes, "changedate": f"2024-01-{day:02d} 10:00:00",
                             "from_int": from_int, "to_int": to_int})
        self.next_history += 1

    def create(self, box_id, product, items, location, day, size=1, state=INSTOCK, unit=None, measure=None):
        self.boxes[box_id] = {"id": box_id, "product_id": product, "size_id": size, "items": items,
                              "location_id": location, "box_state_id": state, "display_unit_id": unit,
                              "measure_value": measure, "deleted": None,
                              "created": f"2024-01-{day:02d} 10:00:00"}
        self._row(box_id, "Record created", day)

    def change(self, box_id, day, field, value):
        box = self.boxes[box_id]
        self._row(box_id, field, day, box[field], value)
        box[field] = value

    def move(self, box_id, day, location, state, state_first=False):
        """A move to another location that changes the box's state, as the two rows
        boxtribute writes for it (location first unless state_first)."""
        steps = [("location_id", location), ("box_state_id", state)]
        for field, value in (reversed(steps) if state_first else steps):
            self.change(box_id, day, field, value)

    def delete(self, box_id, day):
        self._row(box_id, "Record deleted", day)
        self.boxes[box_id]["deleted"] = f"2024-01-{day:02d} 10:00:00"

    def undelete(self, box_id, day):
        self._row(box_id, "Box was undeleted.", day)
        self.boxes[box_id]["deleted"] = None

    def raw(self, box_id, changes, day, from_int, to_int, tablename="stock"):
        """A history row as real data may hold it, without touching the box."""
        self._row(box_id, changes, day, from_int, to_int, tablename)

    def tag(self, box_id, tag_id, removed=False):
        self.tags.append({"object_id": box_id, "tag_id": tag_id,
                          "deleted_on": "2024-01-15 00:00:00" if removed else None})

    def ship(self, shipment_id, source, target, sent_day, receiving_day, boxes):
        """A shipment and its details: boxes are (box, source product, source size, quantity,
        target product, target size, target quantity, removed)."""
        self.shipments.append({"id": shipment_id, "source": source, "target": target,
                               "sent_on": sent_day and f"2024-01-{sent_day:02d} 09:00:00",
                               "receiving": receiving_day and f"2024-01-{receiving_day:02d} 09:00:00"})
        for box_id, sp, ss, sq, tp, ts, tq, removed in boxes:
            self.details.append({"shipment_id": shipment_id, "box_id": box_id, "source_product_id": sp,
                                 "source_size_id": ss, "source_quantity": sq, "target_product_id": tp,
                                 "target_size_id": ts, "target_quantity": tq, "removed": removed,
                                 "source_location_id": self.boxes[box_id]["location_id"]})

    def sql(self):
        def v(x):
            if x is None:
                return "NULL"
            return str(x) if isinstance(x, (int, float)) else "'" + x.replace("'", "''") + "'"
        out = []
        for b in self.boxes.values():
            out.append("INSERT INTO stock (id, box_id, product_id, size_id, items, location_id, box_state_id, "
                       "display_unit_id, measure_value, deleted, created, created_by) VALUES "
                       f"({b['id']}, '{b['id']:06d}', {b['product_id']}, {v(b['size_id'])}, {v(b['items'])}, "
                       f"{b['location_id']}, {b['box_state_id']}, {v(b['display_unit_id'])}, "
                       f"{v(b['measure_value'])}, {v(b['deleted'] or '0000-00-00 00:00:00')}, "
                       f"{v(b['created'])}, 8);")
        for h in self.history:
            out.append("INSERT INTO history (id, tablename, record_id, changes, user_id, changedate, from_int, "
                       f"to_int) VALUES ({h['id']}, {v(h['tablename'])}, {h['record_id']}, {v(h['changes'])}, 8, "
                       f"{v(h['changedate'])}, {v(h['from_int'])}, {v(h['to_int'])});")
        for t in self.tags:
            out.append("INSERT INTO tags_relations (object_id, object_type, tag_id, created_on, deleted_on) "
                       f"VALUES ({t['object_id']}, 'Stock', {t['tag_id']}, '2024-01-02 00:00:00', "
                       f"{v(t['deleted_on'])});")
        for s in self.shipments:
            out.append("INSERT INTO shipment (id, source_base_id, target_base_id, transfer_agreement_id, state, "
                       "started_on, started_by_id, sent_on, sent_by_id, receiving_started_on, "
                       f"receiving_started_by_id) VALUES ({s['id']}, {s['source']}, {s['target']}, 1, "
                       f"'Receiving', '2024-01-01 00:00:00', 8, {v(s['sent_on'])}, 8, {v(s['receiving'])}, 2);")
        for d in self.details:
            out.append("INSERT INTO shipment_detail (shipment_id, box_id, source_product_id, target_product_id, "
                       "source_quantity, target_quantity, source_size_id, target_size_id, source_location_id, "
                       "created_on, created_by_id, removed_on, removed_by_id) VALUES "
                       f"({d['shipment_id']}, {d['box_id']}, {d['source_product_id']}, {v(d['target_product_id'])}, "
                       f"{v(d['source_quantity'])}, {v(d['target_quantity'])}, {v(d['source_size_id'])}, "
                       f"{v(d['target_size_id'])}, {d['source_location_id']}, '2024-01-01 00:00:00', 8, "
                       f"{v('2024-01-02 00:00:00' if d['removed'] else None)}, {8 if d['removed'] else 'NULL'});")
        return "\n".join(out)


def story():
    """The boxes of the tests on Depot's DDL: every way a box moves, in bases 1 to 3."""
    s = Story()
    # Donated, then counted again on the same day: the two InStock -> Donated of one version
    # count once; moved back and forth with the state row first.
    s.create(1, 1, 10, 1, 2)
    s.move(1, 5, 2, DONATED)
    s.tag(1, 1)
    s.tag(1, 2)
    s.create(2, 1, 10, 1, 2)
    s.change(2, 3, "items", 7)
    s.move(2, 5, 2, DONATED, state_first=True)
    s.move(2, 6, 1, INSTOCK, state_first=True)
    s.move(2, 6, 2, DONATED, state_first=True)
    s.move(2, 6, 1, INSTOCK, state_first=True)
    s.tag(2, 2)
    # Created Donated, with a measure (rounded to 12.3) and a tag that is deleted since and one
    # removed from it.
    s.create(3, 3, 3, 2, 4, size=None, state=DONATED, unit=1, measure=12.345)
    s.tag(3, 3)
    s.tag(3, 1, removed=True)
    # Deleted, undeleted, deleted again.
    s.create(4, 1, 5, 1, 2, size=2)
    s.delete(4, 7)
    s.undelete(4, 8)
    s.delete(4, 9)
    # Lost and Scrap; the product whose name trims and lowers to another's.
    s.create(5, 1, 4, 1, 2)
    s.change(5, 10, "box_state_id", LOST)
    s.create(6, 2, 6, 1, 2)
    s.change(6, 10, "box_state_id", SCRAP)
    # Donated, then its product changed: the donation counts the first product.
    s.create(7, 1, 8, 1, 2)
    s.move(7, 5, 2, DONATED)
    s.change(7, 12, "product_id", 2)
    s.change(7, 12, "size_id", 2)
    # Inconsistent items: the next change's old value (12) wins over the previous one's new (15).
    s.create(8, 1, 20, 1, 2)
    s.raw(8, "items", 3, 20, 15)
    s.change(8, 5, "box_state_id", DONATED)
    s.raw(8, "items", 6, 12, 9)
    s.boxes[8]["items"] = 9
    # Made in base 2, donated in base 1 where it is now.
    s.create(9, 4, 5, 4, 2)
    s.change(9, 3, "location_id", 1)
    s.change(9, 3, "product_id", 1)
    s.move(9, 4, 2, DONATED)
    # Donated in base 1, now in base 2: boxtribute counts it for base 2 (where it is now).
    s.create(10, 1, 6, 1, 2)
    s.move(10, 5, 2, DONATED)
    s.move(10, 6, 4, INSTOCK)
    # Shipped from base 1 to base 3 (received there), one box removed while preparing.
    s.create(11, 1, 5, 1, 2, measure=None)
    s.create(12, 1, 5, 1, 2)
    s.tag(11, 2)
    s.ship(1, 1, 3, 11, 12, [(11, 1, 1, 5, 5, 2, 4, False), (12, 1, 1, 5, 5, 2, 5, True)])
    s.change(11, 12, "location_id", 6)
    # Base 2's own donation; a measure that rounds to three significant digits (0.0457).
    s.create(13, 4, 3, 4, 2)
    s.move(13, 5, 5, DONATED)
    s.tag(13, 4)
    s.create(14, 3, 2, 1, 2, size=None, unit=2, measure=0.04567)
    s.move(14, 5, 2, DONATED)
    # A state change without a new state is none (a change of another table's record 15 is
    # written by test_stats_moved's own case).
    s.create(15, 6, 1, 1, 2)
    s.raw(15, "box_state_id", 5, 1, None)
    s.change(15, 6, "box_state_id", DONATED)
    # An unknown number of items (NULL) adds none: donated, and in stock in base 2.
    s.create(18, 6, None, 1, 3)
    s.move(18, 5, 2, DONATED)
    s.create(19, 4, None, 4, 3, size=3)
    # In a deleted location: not in the stock overview.
    s.create(16, 1, 2, 3, 2)
    # Another organisation's base without an agreement: nothing of it shows elsewhere.
    s.create(17, 5, 1, 7, 2)
    s.change(17, 5, "box_state_id", DONATED)
    return s


# --- expected movedBoxes facts ----------------------------------------------------------------

FIELDS = ("items", "location_id", "box_state_id", "product_id", "size_id")


def rounded(value):
    """boxtribute's ROUND(v, 3 - FLOOR(LOG10(v) + 1)): three significant digits."""
    if value is None or value <= 0:
        return None
    return round(value, 3 - (math.floor(math.log10(value)) + 1))


def version_at(rows, index, box):
    """The box's fields at its history row rows[index] (rows: its stock rows, by id)."""
    row = rows[index]
    version = {}
    for field in FIELDS:
        if row["changes"] == field:
            version[field] = row["to_int"]
            continue
        later = [r for r in rows[index + 1:] if r["changes"] == field]
        earlier = [r for r in rows[:index] if r["changes"] == field]
        value = later[0]["from_int"] if later else None
        if value is None and earlier:
            value = earlier[-1]["to_int"]
        version[field] = box[field] if value is None else value
    return version


class Tables:
    """The rows a Story wrote plus the fixed ones the expectations need, as dicts."""

    def __init__(self, s, products, locations, camps, units, tags_deleted):
        self.s = s
        self.products = products          # id -> (name, category, gender, base)
        self.locations = locations        # id -> (label, base, deleted date or None)
        self.camps = camps                # id -> (name, organisation label)
        self.units = units                # id -> dimension id
        self.tags_deleted = tags_deleted  # tag ids that are deleted

    def box_tags(self, box_id, skip_deleted_tags=False):
        ids = sorted({t["tag_id"] for t in self.s.tags if t["object_id"] == box_id and t["deleted_on"] is None
                      and not (skip_deleted_tags and t["tag_id"] in self.tags_deleted)})
        return ids


def expected_moved(t, base):
    """movedBoxes facts of base, as Depot answers them (visible fields), in a Counter."""
    s = t.s
    facts = collections.Counter()
    groups = collections.defaultdict(lambda: [0, 0])
    measure = {b: rounded(box["measure_value"]) for b, box in s.boxes.items()}

    def add(kind, day, product, size, box_id, target, target_type, organisation, boxes, items, label=None):
        name, category, gender, _ = t.products[product]
        unit = s.boxes[box_id]["display_unit_id"]
        key = (kind, day, category, name, gender, size, box_measure(box_id, kind), t.units.get(unit),
               tuple(t.box_tags(box_id)), str(target), target_type, organisation, label)
        groups[key][0] += boxes
        groups[key][1] += items if items is not None else 0

    def box_measure(box_id, kind):
        return measure[box_id]

    for box_id, box in s.boxes.items():
        if t.locations[box["location_id"]][1] != base:
            continue
        rows = sorted((h for h in s.history if h["record_id"] == box_id and h["tablename"] == "stock"),
                      key=lambda h: h["id"])
        moved = set()
        for i, row in enumerate(rows):
            day = row["changedate"][:10]
            v = version_at(rows, i, box)
            if row["changes"] in ("Record deleted", "Box was undeleted."):
                kind, sign = ("deleted", 1) if row["changes"] == "Record deleted" else ("undeleted", -1)
            elif row["changes"] == "Record created" and v["box_state_id"] == DONATED:
                kind, sign = "created", 1
            elif row["changes"] == "box_state_id" and (row["from_int"], row["to_int"]) in ((INSTOCK, DONATED),
                                                                                           (DONATED, INSTOCK)):
                kind, sign = "state", 1 if row["to_int"] == DONATED else -1
            else:
                continue
            moved.add((kind, sign, day, v["product_id"], v["size_id"], v["location_id"], v["items"]))
        for kind, sign, day, product, size, location, items in moved:
            deleted = kind in ("deleted", "undeleted")
            add(kind, day, product, size, box_id, "Deleted" if deleted else location,
                "BoxState" if deleted else "OutgoingLocation", None, sign, sign * (items or 0),
                label=t.locations[location][0])
    by_id = {sh["id"]: sh for sh in s.shipments}
    for d in s.details:
        sh = by_id[d["shipment_id"]]
        if d["removed"]:
            continue
        if sh["source"] == base and sh["sent_on"]:
            add("out", sh["sent_on"][:10], d["source_product_id"], d["source_size_id"], d["box_id"],
                "going-to-" + t.camps[sh["target"]][0], "OutgoingShipment", t.camps[sh["target"]][1], 1,
                d["source_quantity"])
        if sh["target"] == base and sh["receiving"]:
            add("in", sh["receiving"][:10], d["target_product_id"], d["target_size_id"], d["box_id"],
                "sent-from-" + t.camps[sh["source"]][0], "IncomingShipment", t.camps[sh["source"]][1], 1,
                d["target_quantity"])
    for h in s.history:
        box = s.boxes.get(h["record_id"])
        if (h["tablename"] != "stock" or h["changes"] != "box_state_id" or h["from_int"] != INSTOCK
                or h["to_int"] not in (LOST, SCRAP) or t.products[box["product_id"]][3] != base):
            continue
        label = "Lost" if h["to_int"] == LOST else "Scrap"
        add("lost", h["changedate"][:10], box["product_id"], box["size_id"], box["id"], label, "BoxState",
            None, 1, box["items"] or 0)
    for key, (boxes, items) in groups.items():
        _, day, category, name, gender, size, measure_value, dimension, tags, target, _, organisation, _ = key
        facts[fact(day, target, category, name, gender, size, dimension, measure_value, organisation,
                   list(tags), items, boxes)] += 1
    return facts


def fact(day, target, category, name, gender, size, dimension, measure_value, organisation, tags, items, boxes):
    """One MovedBoxesResult with every field, hashable."""
    return (("movedOn", day), ("targetId", str(target)), ("categoryId", category),
            ("productName", name.strip().lower()), ("gender", GENDERS[gender]), ("sizeId", size),
            ("dimensionId", dimension), ("absoluteMeasureValue", measure_value),
            ("organisationName", organisation), ("tagIds", tuple(tags)), ("itemsCount", items),
            ("boxesCount", boxes))


def as_fact(answer):
    """A MovedBoxesResult of Depot's answer, hashable as fact() makes them."""
    return tuple((k, tuple(answer[k]) if k == "tagIds" else answer[k])
                 for k in ("movedOn", "targetId", "categoryId", "productName", "gender", "sizeId",
                           "dimensionId", "absoluteMeasureValue", "organisationName", "tagIds",
                           "itemsCount", "boxesCount"))


# --- expected stockOverview facts -------------------------------------------------------------

def expected_stock(t, base, tag_ids=None, excluded_tag_ids=None, as_boxtribute_drops=False):
    """stockOverview facts of base with boxtribute's tag filters, as a Counter of
    StockOverviewResult tuples. as_boxtribute_drops: leave out the boxes whose tags are all
    deleted ones, as boxtribute's SQL does (Depot counts them, without tags)."""
    s = t.s
    groups = collections.defaultdict(lambda: [0, 0])
    for box in s.boxes.values():
        label, location_base, location_deleted = t.locations[box["location_id"]]
        if location_base != base or location_deleted or box["deleted"]:
            continue
        tags = t.box_tags(box["id"], skip_deleted_tags=True)
        if as_boxtribute_drops and t.box_tags(box["id"]) and not tags:
            continue
        if tag_ids and not set(tags) & set(tag_ids):
            continue
        if excluded_tag_ids and set(tags) & set(excluded_tag_ids):
            continue
        name, category, gender, _ = t.products[box["product_id"]]
        key = (category, name.strip().lower(), GENDERS[gender], box["size_id"],
               t.units.get(box["display_unit_id"]), rounded(box["measure_value"]), tuple(tags),
               box["location_id"], STATES[box["box_state_id"] - 1])
        groups[key][0] += box["items"] or 0
        groups[key][1] += 1
    return collections.Counter(key + (items, boxes) for key, (items, boxes) in groups.items())


STOCK_FIELDS = ("categoryId", "productName", "gender", "sizeId", "dimensionId", "absoluteMeasureValue",
                "tagIds", "locationId", "boxState", "itemsCount", "boxesCount")


def as_stock_fact(answer):
    return tuple(tuple(answer[k]) if k == "tagIds" else answer[k] for k in STOCK_FIELDS)
