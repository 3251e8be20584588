"""Beneficiary statistics (issue 17): the cubes beneficiaryDemographics and beneficiaryReach,
beneficiaryFigures and metrics, with boxtribute's permission rules (no cross-organisation access
to beneficiary data), as a base coordinator, a user without beneficiary:read, another
organisation's user and a god user; on db/ddl.sql with rows written here (beneficiaries created,
edited, tagged, served and checked out over two years, in three bases of two organisations) and
on boxtribute's dump.

Expected values are computed here in Python from the raw rows (read back with plain SELECTs),
following boxtribute's business_logic/statistics/crud.py and metrics/crud.py; on the dump the
reach facts are also checked against boxtribute's own BENEFICIARIES_REACHED_QUERY, run here.
Each cube costs a fixed number of SQL statements whatever the number of rows
(extensions.debug.sqlStatements); the statviz dashboard's documents (tests/queries/statistics/)
run as sent.
Licensed under the Apache License 2.0.
"""
import datetime
import decimal
import os
import random
import sys
import unittest
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from statistics_cases import DepotPerClass, canonical  # noqa: E402
from read_exact import DUMP  # noqa: E402

HUMAN = {"M": "Male", "F": "Female", "D": "Diverse", "": "Diverse"}
DEMOGRAPHICS = """query($baseId: Int!) { beneficiaryDemographics(baseId: $baseId) {
    facts { gender age createdOn deletedOn count tagIds } dimensions { tag { id name color } } } }"""
REACH = """query($baseId: Int!) { beneficiaryReach(baseId: $baseId) {
    facts { reachedOn beneficiaryId reachType count }
    dimensions { beneficiary { id age gender tagIds } tag { id name color } } } }"""
FIGURES = """query($baseId: ID!) { beneficiaryFigures(baseId: $baseId) {
    majorFamilyHeadGender majorFamilyHeadGenderPercentage averageFamilySize
    averageItemsPerVisitPerBeneficiary averageTotalItemsPerBeneficiary newRegistrationsLast30Days
    percentageWithoutFreeshopVisitLast90Days } }"""
METRICS = """query($org: ID, $after: Date, $before: Date) { metrics(organisationId: $org) {
    numberOfFamiliesServed(after: $after, before: $before) numberOfSales(after: $after, before: $before) } }"""
STATVIZ_DEMOGRAPHICS = harness.read_query(os.path.join("statistics", "BeneficiaryDemographics.graphql"))
STATVIZ_REACH = harness.read_query(os.path.join("statistics", "BeneficiaryReach.graphql"))
STATVIZ_FIGURES = harness.read_query(os.path.join("statistics", "BeneficiaryFigures.graphql"))

# boxtribute's BENEFICIARIES_REACHED_QUERY (business_logic/statistics/sql.py), verbatim but for
# its placeholders, which take base_id and the window's start (five times each).
BOXTRIBUTE_REACH_SQL = """
SELECT DATE(reached_on) AS reached_on, beneficiary_id, reach_type, COUNT(beneficiary_id) AS count
FROM (
    SELECT h.changedate AS reached_on, h.record_id AS beneficiary_id, "CreatedOrEdited" AS reach_type
    FROM history h INNER JOIN people p ON h.tablename = "people" AND p.id = h.record_id AND p.camp_id = {b}
    WHERE NOT h.changes LIKE "Record deleted%" AND h.changedate >= '{m}'
    GROUP BY h.changedate, p.id
    UNION ALL
    SELECT t.transaction_date AS reached_on, t.people_id AS beneficiary_id, "Checkout" AS reach_type
    FROM transactions t INNER JOIN people p ON p.id = t.people_id AND p.camp_id = {b}
        AND t.product_id IS NOT NULL AND t.transaction_date >= '{m}'
    GROUP BY t.transaction_date, t.people_id
    UNION ALL
    SELECT t.transaction_date AS reached_on, fm.id AS beneficiary_id, "Checkout" AS reach_type
    FROM transactions t INNER JOIN people p ON p.id = t.people_id AND p.camp_id = {b}
        AND t.product_id IS NOT NULL AND t.transaction_date >= '{m}'
    INNER JOIN people fm ON fm.parent_id = t.people_id
    GROUP BY t.transaction_date, fm.id
    UNION ALL
    SELECT sr.created AS reached_on, sr.people_id AS beneficiary_id, "ServiceUsed" AS reach_type
    FROM services_relations sr JOIN people p ON p.id = sr.people_id AND p.camp_id = {b} AND sr.created >= '{m}'
    UNION ALL
    SELECT tr.created_on AS reached_on, tr.object_id AS beneficiary_id, "TagApplied" AS reach_type
    FROM tags_relations tr JOIN people p ON tr.object_type = "People" AND p.id = tr.object_id AND p.camp_id = {b}
    WHERE tr.created_on IS NOT NULL AND tr.created_on >= '{m}'
    GROUP BY tr.created_on, tr.object_id
) i
GROUP BY DATE(reached_on), beneficiary_id, reach_type
ORDER BY reach_type, DATE(reached_on), beneficiary_id
"""

ZERO = "0000-00-00 00:00:00"


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)


def parse(text):
    """A DATETIME/DATE cell as MariaDB's client prints it; None for NULL and the zero date."""
    if text is None or text.startswith("0000-00-00"):
        return None
    if len(text) == 10:
        return datetime.datetime.strptime(text, "%Y-%m-%d")
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def age(born, today):
    """MariaDB's TIMESTAMPDIFF(YEAR, born, today): whole years completed."""
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def decimal_division(dividend, divisor):
    """boxtribute's averages are MariaDB DECIMAL divisions: 4 decimal places, half away from zero."""
    if not divisor:
        return 0.0
    quotient = decimal.Decimal(dividend) / decimal.Decimal(divisor)
    return float(quotient.quantize(decimal.Decimal("0.0001"), rounding=decimal.ROUND_HALF_UP))


def day(moment):
    return moment.date().isoformat() if moment else None


class Rows:
    """The raw rows the statistics read, as plain SELECTs return them."""

    def __init__(self, db):
        self.people = [{"id": int(r[0]), "base": int(r[1]), "gender": r[2], "born": parse(r[3]),
                        "created": parse(r[4]), "deleted": parse(r[5]),
                        "parent": int(r[6]) if r[6] is not None else None}
                       for r in db.sql("SELECT id, camp_id, gender, date_of_birth, created, deleted, parent_id "
                                       "FROM people")]
        self.by_id = {p["id"]: p for p in self.people}
        self.tag_links = [{"object": int(r[0]), "tag": int(r[1]), "created": parse(r[2]), "live": r[3] is None}
                          for r in db.sql("SELECT object_id, tag_id, created_on, deleted_on FROM tags_relations "
                                          "WHERE object_type = 'People'")]
        self.tags = {int(r[0]): {"id": int(r[0]), "name": r[1], "color": r[2]}
                     for r in db.sql("SELECT id, label, color FROM tags")}
        self.history = [{"record": int(r[0]), "changes": r[1], "date": parse(r[2])}
                        for r in db.sql("SELECT record_id, changes, changedate FROM history "
                                        "WHERE tablename = 'people'")]
        self.transactions = [{"people": int(r[0]) if r[0] is not None else None,
                              "product": r[1], "count": int(r[2]), "drops": int(r[3]), "date": parse(r[4])}
                             for r in db.sql("SELECT people_id, product_id, count, drops, transaction_date "
                                             "FROM transactions")]
        self.services = [{"people": int(r[0]), "created": parse(r[1])}
                         for r in db.sql("SELECT people_id, created FROM services_relations")]
        self.organisation_of = {int(r[0]): int(r[1]) for r in db.sql("SELECT id, organisation_id FROM camps")}
        self.today = parse(db.scalar("SELECT UTC_DATE()"))
        self.now = parse(db.scalar("SELECT UTC_TIMESTAMP()"))

    def live_tags(self, person_id):
        return sorted(t["tag"] for t in self.tag_links if t["object"] == person_id and t["live"])

    # --- boxtribute's computations, over the rows -----------------------------------------

    def demographics(self, base_id):
        groups = Counter()
        for p in self.people:
            if p["base"] != base_id:
                continue
            key = (HUMAN[p["gender"]], age(p["born"], self.today), day(p["created"]), day(p["deleted"]),
                   tuple(self.live_tags(p["id"])))
            groups[key] += 1
        facts = [{"gender": g, "age": a, "createdOn": c, "deletedOn": d, "tagIds": list(t), "count": n}
                 for (g, a, c, d, t), n in groups.items()]
        tag_ids = sorted({t for f in facts for t in f["tagIds"]})
        return facts, [self.tags[t] for t in tag_ids]

    def reach_window(self):
        """boxtribute in production: the last 104 weeks."""
        return self.now - datetime.timedelta(weeks=104)

    def reach(self, base_id):
        start = self.reach_window()
        in_base = {p["id"] for p in self.people if p["base"] == base_id}
        events = set()      # (moment, beneficiary, type, source): de-duplicated as boxtribute does
        services = []
        for h in self.history:
            if h["record"] in in_base and h["changes"] is not None and not h["changes"].startswith("Record deleted") \
                    and h["date"] is not None and h["date"] >= start:
                events.add((h["date"], h["record"], "CreatedOrEdited", "history"))
        for t in self.transactions:
            if t["people"] in in_base and t["product"] is not None and t["date"] >= start:
                events.add((t["date"], t["people"], "Checkout", "head"))
                for member in self.people:
                    if member["parent"] == t["people"]:
                        events.add((t["date"], member["id"], "Checkout", "member"))
        for s in self.services:
            if s["people"] in in_base and s["created"] >= start:
                services.append((s["created"], s["people"], "ServiceUsed"))
        for link in self.tag_links:
            if link["object"] in in_base and link["created"] is not None and link["created"] >= start:
                events.add((link["created"], link["object"], "TagApplied", "tag"))
        counts = Counter((day(m), b, kind) for m, b, kind, _ in events)
        counts.update((day(m), b, kind) for m, b, kind in services)
        facts = [{"reachedOn": d, "beneficiaryId": b, "reachType": k, "count": n} for (d, b, k), n in counts.items()]
        beneficiaries = [{"id": b, "age": age(self.by_id[b]["born"], self.today),
                          "gender": HUMAN[self.by_id[b]["gender"]], "tagIds": self.live_tags(b)}
                         for b in sorted({f["beneficiaryId"] for f in facts})]
        tag_ids = sorted({t for b in beneficiaries for t in b["tagIds"]})
        return facts, beneficiaries, [self.tags[t] for t in tag_ids]

    def figures(self, base_id):
        heads = [p for p in self.people if p["base"] == base_id and p["parent"] is None]
        genders = Counter(HUMAN[p["gender"]] for p in heads)
        if not heads:
            return {"majorFamilyHeadGender": "Diverse", "majorFamilyHeadGenderPercentage": 0.0,
                    "averageFamilySize": 0.0, "averageItemsPerVisitPerBeneficiary": 0.0,
                    "averageTotalItemsPerBeneficiary": 0.0, "newRegistrationsLast30Days": 0,
                    "percentageWithoutFreeshopVisitLast90Days": 0.0}
        # The first of Male, Female, Diverse with the most heads (Python's max keeps the first).
        major = max(["Male", "Female", "Diverse"], key=lambda g: genders[g])
        in_base = {p["id"] for p in self.people if p["base"] == base_id}
        visits = Counter()
        for t in self.transactions:
            if t["people"] in in_base and t["count"] > 0:
                visits[(t["people"], t["date"])] += t["count"]
        recent = {t["people"] for t in self.transactions if t["people"] in in_base and t["count"] > 0
                  and t["date"] > self.now - datetime.timedelta(days=90)}
        month_ago = self.now - datetime.timedelta(days=30)
        return {
            "majorFamilyHeadGender": major,
            "majorFamilyHeadGenderPercentage": genders[major] / len(heads),
            "averageFamilySize": len(in_base) / len(heads),
            "averageItemsPerVisitPerBeneficiary": decimal_division(sum(visits.values()), len(visits)),
            "averageTotalItemsPerBeneficiary": decimal_division(sum(visits.values()), len({b for b, _ in visits})),
            "newRegistrationsLast30Days": sum(1 for p in self.people if p["base"] == base_id
                                              and p["created"] is not None and p["created"] >= month_ago),
            "percentageWithoutFreeshopVisitLast90Days": sum(1 for p in heads if p["id"] not in recent) / len(heads),
        }

    def metrics(self, organisation_id, after=None, before=None):
        """boxtribute's _build_range_filter: BETWEEN when both are given, else strictly after /
        strictly before (dates at midnight)."""
        low = datetime.datetime.fromisoformat(after) if after else None
        high = datetime.datetime.fromisoformat(before) if before else None

        def within(moment):
            if low and high:
                return low <= moment <= high
            return (not low or moment > low) and (not high or moment < high)

        of_organisation = [t for t in self.transactions if t["people"] in self.by_id
                           and self.organisation_of[self.by_id[t["people"]]["base"]] == organisation_id
                           and within(t["date"])]
        return {"numberOfFamiliesServed": len({t["people"] for t in of_organisation if t["count"] > 0}),
                "numberOfSales": sum(t["count"] for t in of_organisation if t["drops"] >= 0)}


def random_rows(seed=17):
    """Beneficiaries of bases 1 and 2 (organisation 1) and 3 (organisation 2) over two years and a
    bit: families, genders ('' too), missing and zero birth dates, deletions, tags assigned and
    removed, history, services and checkouts (some without product, some returns), from `now`."""
    rng = random.Random(seed)
    now = utcnow()

    def ago(days):
        # Never within a day of a window's edge (30 and 90 days, 104 weeks): the test's "now" and
        # the request's are seconds apart.
        while days in (29, 30, 89, 90, 727, 728):
            days -= 2
        return (now - datetime.timedelta(days=days, seconds=rng.randrange(86400))).strftime("%Y-%m-%d %H:%M:%S")

    people, links, history, transactions, services = [], [], [], [], []
    pid = 0
    for base, n in ((1, 60), (2, 25), (3, 20)):
        for _ in range(n):
            pid += 1
            head = None
            if people and rng.random() < 0.4:
                candidates = [p for p in people if p[1] == base and p[2] is None]
                head = rng.choice(candidates)[0] if candidates else None
            born = rng.choice([None, "0000-00-00", f"{rng.randrange(1950, 2024)}-{rng.randrange(1, 13):02d}-"
                                                    f"{rng.randrange(1, 29):02d}"])
            created = ago(rng.choice([1, 3, 20, 29, 45, 100, 400, 800]))
            if rng.random() < 0.1:
                created = None
            deleted = ago(rng.randrange(0, 20)) if rng.random() < 0.15 else ZERO
            gender = rng.choice(["M", "F", "D", ""])
            people.append((pid, base, head, born, created, deleted, gender))
            for tag in rng.sample([1, 2, 3, 4] if base != 3 else [5, 6], rng.randrange(0, 3)):
                links.append((pid, tag, ago(rng.randrange(0, 900)) if rng.random() < 0.9 else None,
                              ago(1) if rng.random() < 0.2 else None))
            moment = ago(rng.randrange(0, 900))
            history.append((pid, "Record created", moment))
            history.append((pid, "volunteer", moment))        # a bulk change: one reach
            if rng.random() < 0.3:
                history.append((pid, "Record deleted", ago(rng.randrange(0, 50))))
            if rng.random() < 0.3:
                history.append((pid, 'container changed from "1" to "2"', ago(rng.randrange(0, 900))))
            for _ in range(rng.randrange(0, 4)):
                when = ago(rng.choice([2, 10, 60, 89, 91, 200, 700, 750]))
                for _ in range(rng.randrange(1, 3)):     # a checkout of several products at once
                    transactions.append((pid, rng.choice([1, 1, None]), rng.choice([1, 2, 5, -1, 0]),
                                         rng.choice([-3, 0, 4]), when))
            if rng.random() < 0.3:
                services.append((pid, ago(rng.randrange(0, 900))))
    # A checkout at midnight on a period's edge: BETWEEN counts it, strictly after or before not.
    transactions.append((1, 1, 3, 0, "2019-01-01 00:00:00"))
    return people, links, history, transactions, services


def json_or_null(value):
    return "null" if value is None else f'"{value}"'


def q(value):
    return "NULL" if value is None else f"'{value}'"


def ddl_rows():
    people, links, history, transactions, services = random_rows()
    sql = ["""
INSERT INTO organisations (id, label) VALUES (1, 'BoxAid'), (2, 'BoxCare');
INSERT INTO cms_users (id, naam, email, lastlogin, lastaction, deleted) VALUES
  (1, 'Admin', 'admin@example.org', 0, 0, 0), (8, 'Coordinator', 'c@example.org', 0, 0, 0);
INSERT INTO camps (id, name, organisation_id, seq) VALUES (1, 'Lesvos', 1, 1), (2, 'Samos', 1, 2),
  (3, 'Thessaloniki', 2, 3), (4, 'Empty', 2, 4);
INSERT INTO product_categories (id, label) VALUES (1, 'Clothing');
INSERT INTO sizegroup (id, label) VALUES (1, 'One size');
INSERT INTO genders (id, label, color) VALUES (1, 'Women', '');
INSERT INTO products (id, name, category_id, gender_id, sizegroup_id, camp_id, value, comments, stockincontainer)
  VALUES (1, 'Rice', 1, 1, 1, 1, 0, '', 0);
INSERT INTO tags (id, label, color, camp_id, type) VALUES (1, 'Family', '#ff0000', 1, 'People'),
  (2, 'Single', '#00ff00', 1, 'All'), (3, 'Old', '#0000ff', 1, 'People'), (4, 'Gone', '#000000', 1, 'People'),
  (5, 'Camp B', '#aaaaaa', 3, 'People'), (6, 'Camp C', '#bbbbbb', 3, 'All');
INSERT INTO services (id, label, description, camp_id) VALUES (1, 'Laundry', '', 1), (2, 'Lessons', '', 2),
  (3, 'Haircut', '', 3);
INSERT INTO transfer_agreement (id, source_organisation_id, target_organisation_id, state, type, requested_on,
  requested_by, valid_from) VALUES (1, 1, 2, 'Accepted', 'Bidirectional', NOW(), 8, NOW());
INSERT INTO transfer_agreement_detail (transfer_agreement_id, source_base_id, target_base_id) VALUES (1, 1, 3);
"""]
    sql.append("INSERT INTO people (id, camp_id, parent_id, date_of_birth, created, deleted, gender, seq, family_id, "
               "bicyclebancomment, workshopbancomment) VALUES " + ", ".join(
                   f"({p}, {b}, {h or 'NULL'}, {q(born)}, {q(c)}, {q(d)}, '{g}', 1, {p}, '', '')"
                   for p, b, h, born, c, d, g in people) + ";")
    sql.append("INSERT INTO tags_relations (object_id, object_type, tag_id, created_on, deleted_on) VALUES " +
               ", ".join(f"({o}, 'People', {t}, {q(c)}, {q(d)})" for o, t, c, d in links) + ";")
    sql.append("INSERT INTO history (tablename, record_id, changes, changedate) VALUES " +
               ", ".join(f"('people', {r}, '{c}', {q(d)})" for r, c, d in history) + ";")
    sql.append("INSERT INTO transactions (people_id, product_id, count, drops, transaction_date, description) VALUES " +
               ", ".join(f"({p}, {pr or 'NULL'}, {n}, {dr}, {q(d)}, '')" for p, pr, n, dr, d in transactions) + ";")
    people_base = {p[0]: p[1] for p in people}
    sql.append("INSERT INTO services_relations (people_id, service_id, created) VALUES " +
               ", ".join(f"({p}, {people_base[p]}, {q(c)})" for p, c in services) + ";")
    return "\n".join(sql)


class BeneficiaryStatisticsCases(DepotPerClass):
    """The cases, run on each data set by the classes at the end of the file."""

    BASES = ()              # the bases whose statistics are compared
    ORGANISATIONS = ()
    COORDINATOR = (1, (1,))     # the coordinator's organisation and bases (base 1's organisation)
    OTHER = (2, (3,))           # another organisation's user: its organisation and bases
    OTHER_BASE = None       # a base of another organisation than base 1's
    EMPTY_BASE = None       # a base without beneficiaries
    DEPOT_ENV = harness.FIXED_POOL

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rows = Rows(cls.db)

    @classmethod
    def tokens(cls):
        org, bases = cls.COORDINATOR
        cls.token = cls.coordinator = cls.coordinator_token(bases, org=org)
        cls.without = cls.coordinator_token(bases, org=org, lacking=("beneficiary:read",))
        cls.untagged = cls.coordinator_token(bases, org=org, lacking=("tag_relation:read",))
        org, bases = cls.OTHER
        cls.other = cls.coordinator_token(bases, sub="auth0|2", org=org)
        cls.god = cls.god_token()

    def data(self, text, variables=None, token=None):
        return self.ask_ok(text, variables, token)["data"]

    def reader(self, base):
        """A user who may read the base's beneficiaries: its coordinator, else the god user."""
        if base in self.COORDINATOR[1]:
            return self.coordinator
        return self.other if base in self.OTHER[1] else self.god

    # --- beneficiaryDemographics ---------------------------------------------------------

    def test_the_data_has_what_the_cases_need(self):
        """The comparisons below are not vacuous: base 1 has facts of every kind and tags."""
        facts, tags = self.rows.demographics(1)
        self.assertGreater(len(facts), 5)
        self.assertTrue(tags)
        self.assertTrue(any(f["age"] is None for f in facts) and any(f["deletedOn"] for f in facts))
        facts, beneficiaries, tags = self.rows.reach(1)
        self.assertTrue(tags)
        kinds = {"CreatedOrEdited", "Checkout", "TagApplied"} | ({"ServiceUsed"} if self.rows.services else set())
        self.assertLessEqual(kinds, {f["reachType"] for f in facts})
        self.assertGreater(self.rows.figures(1)["averageItemsPerVisitPerBeneficiary"], 0)

    def test_demographics_against_the_rows(self):
        for base in self.BASES:
            for token in (self.reader(base), self.god):
                with self.subTest(base=base):
                    answer = self.data(DEMOGRAPHICS, {"baseId": base}, token)["beneficiaryDemographics"]
                    facts, tags = self.rows.demographics(base)
                    self.assertEqual(canonical(answer["facts"]), canonical(facts))
                    self.assertEqual(answer["dimensions"]["tag"], tags)

    def test_statviz_demographics_document(self):
        response = self.ask(STATVIZ_DEMOGRAPHICS, {"baseId": 1})
        self.assertNotIn("errors", response, response)
        cube = response["data"]["beneficiaryDemographics"]
        self.assertEqual(cube["__typename"], "BeneficiaryDemographicsData")
        facts, tags = self.rows.demographics(1)
        self.assertEqual(canonical([{k: v for k, v in f.items() if k != "__typename"} for f in cube["facts"]]),
                         canonical([{k: f[k] for k in ("count", "createdOn", "age", "gender", "tagIds")}
                                    for f in facts]))
        self.assertEqual([{k: v for k, v in t.items() if k != "__typename"} for t in cube["dimensions"]["tag"]], tags)

    # --- beneficiaryReach ----------------------------------------------------------------

    def test_reach_against_the_rows(self):
        for base in self.BASES:
            token = self.reader(base)
            with self.subTest(base=base):
                answer = self.data(REACH, {"baseId": base}, token)["beneficiaryReach"]
                facts, beneficiaries, tags = self.rows.reach(base)
                self.assertEqual(canonical(answer["facts"]), canonical(facts))
                self.assertEqual(answer["dimensions"]["beneficiary"], beneficiaries)
                self.assertEqual(answer["dimensions"]["tag"], tags)

    def test_reach_as_boxtribute_sql_answers(self):
        """boxtribute's own SQL, run here with the same window, gives the same facts."""
        start = self.rows.reach_window().strftime("%Y-%m-%d %H:%M:%S")
        for base in self.BASES:
            token = self.reader(base)
            with self.subTest(base=base):
                expected = [{"reachedOn": r[0], "beneficiaryId": int(r[1]), "reachType": r[2], "count": int(r[3])}
                            for r in self.db.sql(BOXTRIBUTE_REACH_SQL.format(b=base, m=start))]
                answer = self.data(REACH, {"baseId": base}, token)["beneficiaryReach"]
                self.assertEqual(canonical(answer["facts"]), canonical(expected))

    def test_statviz_reach_document(self):
        response = self.ask(STATVIZ_REACH, {"baseId": 1})
        self.assertNotIn("errors", response, response)
        cube = response["data"]["beneficiaryReach"]
        facts, beneficiaries, _ = self.rows.reach(1)
        self.assertEqual(canonical([{k: v for k, v in f.items() if k != "__typename"} for f in cube["facts"]]),
                         canonical(facts))
        self.assertEqual([{k: v for k, v in b.items() if k != "__typename"}
                          for b in cube["dimensions"]["beneficiary"]], beneficiaries)

    # --- beneficiaryFigures --------------------------------------------------------------

    def test_figures_against_the_rows(self):
        for base in self.BASES:
            token = self.reader(base)
            with self.subTest(base=base):
                answer = self.data(FIGURES, {"baseId": str(base)}, token)["beneficiaryFigures"]
                expected = self.rows.figures(base)
                for name, value in expected.items():
                    if isinstance(value, float):
                        self.assertAlmostEqual(answer[name], value, places=9, msg=name)
                    else:
                        self.assertEqual(answer[name], value, name)

    def test_statviz_figures_document(self):
        answer = self.data(STATVIZ_FIGURES, {"baseId": "1"})["beneficiaryFigures"]
        self.assertEqual(answer["__typename"], "BeneficiaryFigures")
        self.assertEqual(answer["majorFamilyHeadGender"], self.rows.figures(1)["majorFamilyHeadGender"])

    # --- metrics -------------------------------------------------------------------------

    def metrics_periods(self):
        today = self.rows.today.date()
        return [(None, None), ((today - datetime.timedelta(days=90)).isoformat(), None),
                (None, (today - datetime.timedelta(days=90)).isoformat()),
                ((today - datetime.timedelta(days=400)).isoformat(), (today - datetime.timedelta(days=5)).isoformat()),
                ("2019-01-01", "2019-12-31"), ("2019-01-01", None), (None, "2019-01-01"),
                (today.isoformat(), today.isoformat())]

    def test_metrics_against_the_rows(self):
        mine, theirs = self.COORDINATOR[0], self.OTHER[0]
        callers = [(self.coordinator, None, mine), (self.coordinator, str(mine), mine), (self.other, None, theirs)] + \
                  [(self.god, str(o), o) for o in self.ORGANISATIONS]
        for token, argument, organisation in callers:
            for after, before in self.metrics_periods():
                with self.subTest(organisation=organisation, argument=argument, after=after, before=before):
                    answer = self.data(METRICS, {"org": argument, "after": after, "before": before}, token)
                    self.assertEqual(answer["metrics"], self.rows.metrics(organisation, after, before))

    def test_metrics_fields_with_their_own_periods_in_one_request(self):
        """Each aliased Metrics field is its own statement with its own period."""
        periods = self.metrics_periods()
        selections = " ".join(
            f"f{i}: numberOfFamiliesServed(after: {json_or_null(a)}, before: {json_or_null(b)}) "
            f"s{i}: numberOfSales(after: {json_or_null(a)}, before: {json_or_null(b)})"
            for i, (a, b) in enumerate(periods))
        response = self.ask(f"query {{ metrics {{ {selections} }} }}")
        self.assertNotIn("errors", response, response)
        expected = {}
        for i, (a, b) in enumerate(periods):
            numbers = self.rows.metrics(self.COORDINATOR[0], a, b)
            expected[f"f{i}"], expected[f"s{i}"] = numbers["numberOfFamiliesServed"], numbers["numberOfSales"]
        self.assertEqual(response["data"]["metrics"], expected)
        self.assertEqual(response["extensions"]["debug"]["sqlStatements"], 2 * len(periods))

    def test_metrics_of_a_god_user_without_organisation_count_nothing(self):
        answer = self.data(METRICS, {}, self.god)
        self.assertEqual(answer["metrics"], {"numberOfFamiliesServed": 0, "numberOfSales": 0})

    # --- permissions ---------------------------------------------------------------------

    def assert_forbidden(self, text, variables, token, denied):
        response = self.ask(text, variables, token)
        self.assertEqual(list(response["data"].values()), [None], response)
        self.assertEqual([e["extensions"] for e in response["errors"]],
                         [{"code": "FORBIDDEN", "description": f"You don't have access to '{denied}'"}], response)

    def test_no_cross_organisation_access(self):
        """Another organisation's base is refused, though an Accepted transfer agreement links it to
        the caller's base and opens its stock statistics (boxtribute's test case 11.1.3)."""
        base = self.OTHER_BASE
        linked = self.data("query($b: Int!) { createdBoxes(baseId: $b) { facts { productId } } }",
                           {"b": base}, self.coordinator)
        self.assertIsNotNone(linked["createdBoxes"])
        self.assert_forbidden(DEMOGRAPHICS, {"baseId": base}, self.coordinator, f"base={base}")
        self.assert_forbidden(REACH, {"baseId": base}, self.coordinator, f"base={base}")
        self.assert_forbidden(FIGURES, {"baseId": str(base)}, self.coordinator, f"base={base}")
        self.assert_forbidden(DEMOGRAPHICS, {"baseId": 1}, self.other, "base=1")
        mine, theirs = self.COORDINATOR[0], self.OTHER[0]
        self.assert_forbidden(METRICS, {"org": str(theirs)}, self.coordinator, f"organisation={theirs}")
        self.assert_forbidden(METRICS, {"org": str(mine)}, self.other, f"organisation={mine}")

    def test_without_the_permissions(self):
        self.assert_forbidden(DEMOGRAPHICS, {"baseId": 1}, self.without, "beneficiary:read")
        self.assert_forbidden(REACH, {"baseId": 1}, self.without, "beneficiary:read")
        self.assert_forbidden(FIGURES, {"baseId": "1"}, self.without, "beneficiary:read")
        self.assert_forbidden(DEMOGRAPHICS, {"baseId": 1}, self.untagged, "tag_relation:read")
        self.assert_forbidden(REACH, {"baseId": 1}, self.untagged, "tag_relation:read")

    def test_a_base_that_does_not_exist(self):
        for text, variables in ((DEMOGRAPHICS, {"baseId": 99}), (REACH, {"baseId": 99})):
            response = self.ask(text, variables, self.god)
            self.assertEqual(list(response["data"].values()), [None], response)
            self.assertEqual(response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", response)
        self.assert_forbidden(DEMOGRAPHICS, {"baseId": 99}, self.coordinator, "base=99")
        self.assertEqual(self.data(FIGURES, {"baseId": "99"}, self.god)["beneficiaryFigures"],
                         self.rows.figures(99))
        response = self.ask(FIGURES, {"baseId": "x"}, self.god)
        self.assertEqual(response["data"], {"beneficiaryFigures": None}, response)
        self.assertEqual(response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", response)

    # --- statements ----------------------------------------------------------------------

    def statements(self, text, variables, token=None):
        response = self.ask(text, variables, token)
        self.assertNotIn("errors", response, response)
        return response["extensions"]["debug"]["sqlStatements"]

    def test_statements_do_not_depend_on_the_rows(self):
        """A cube costs its facts' statement, its base's (does it exist) and one per dimension
        kind, whatever the number of facts; a kind without ids costs none (the empty base)."""
        empty = self.EMPTY_BASE
        for text, count in ((DEMOGRAPHICS, 3), (REACH, 4), (FIGURES, 1)):
            variables = {"baseId": self.BASES[0]} if text != FIGURES else {"baseId": str(self.BASES[0])}
            with self.subTest(query=text[:40]):
                self.assertEqual(self.statements(text, variables, self.god), count)
        self.assertEqual(self.statements(METRICS, {"org": "1"}), 2)
        self.assertEqual(self.statements(DEMOGRAPHICS, {"baseId": empty}, self.god), 2)
        self.assertEqual(self.statements(REACH, {"baseId": empty}, self.god), 2)


class BeneficiaryStatisticsOnDepotDdl(BeneficiaryStatisticsCases, unittest.TestCase):
    BASES = (1, 2, 3, 4)
    ORGANISATIONS = (1, 2, 3)
    COORDINATOR = (1, (1, 2))
    OTHER = (2, (3, 4))
    OTHER_BASE = 3
    EMPTY_BASE = 4

    @classmethod
    def load(cls, db):
        db.load_file(os.path.join(harness.REPO, "db", "ddl.sql"))
        db.load_file(os.path.join(harness.REPO, "db", "indexes.sql"))
        db.sql(ddl_rows())


@unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")
class BeneficiaryStatisticsOnBoxtributeDump(BeneficiaryStatisticsCases, unittest.TestCase):
    BASES = (1, 2, 3, 4, 100000000)
    ORGANISATIONS = (1, 2, 100000000)
    COORDINATOR = (1, (1,))
    OTHER = (2, (2, 3, 4))
    OTHER_BASE = 3
    EMPTY_BASE = 100000001

    @classmethod
    def load(cls, db):
        db.load_file(DUMP)
        harness.load_depot_tables(db)


if __name__ == "__main__":
    unittest.main()
