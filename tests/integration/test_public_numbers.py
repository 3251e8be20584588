"""The public endpoint's totals (issue 17): newlyCreatedBoxNumbers, newlyRegisteredBeneficiaryNumbers
and reachedBeneficiariesNumbers(start, end, duration) without a token, with boxtribute's
business_logic/metrics semantics: get_time_span's combinations of start, end and duration, both
ends included, the test organisation (id 1) left out, reached beneficiaries the UNION of those
created or edited, checked out (heads and family members), served and tagged.

Expected numbers are computed here in Python over the raw rows the test inserts (and, on
boxtribute's dump, over the dump's raw rows read back), never from Depot's SQL. Each field costs
one statement; an invalid combination is BAD_USER_INPUT and runs none.
Licensed under the Apache License 2.0.
"""
import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from statistics_cases import DepotPerClass  # noqa: E402
from test_stats_cubes import BASE_OF_LOCATION, Rows  # noqa: E402  (the boxes; expectations are here)

DUMP = os.path.join(harness.SHARED, "data", "boxtribute-init.sql")
FIELDS = ("newlyCreatedBoxNumbers", "newlyRegisteredBeneficiaryNumbers", "reachedBeneficiariesNumbers")
ALL = """query($start: Datetime, $end: Datetime, $duration: Int) {
  newlyCreatedBoxNumbers(start: $start, end: $end, duration: $duration)
  newlyRegisteredBeneficiaryNumbers(start: $start, end: $end, duration: $duration)
  reachedBeneficiariesNumbers(start: $start, end: $end, duration: $duration) }"""
NOW = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
D = datetime.datetime
OLD = D(2024, 1, 1)


class Facts:
    """The raw rows the numbers are computed from, and boxtribute's three counts over them."""

    def __init__(self, organisation_of_base, boxes, people, history, transactions, services, tags):
        self.organisation_of_base = organisation_of_base
        self.boxes = boxes              # (created, base)
        self.people = people            # id -> (base, created, parent)
        self.history = history          # (record_id, changes, changedate) of table people
        self.transactions = transactions    # (people_id, count, date)
        self.services = services        # (people_id, created)
        self.tags = tags                # (people_id, created_on)

    def _counted(self, ids):
        """boxtribute's LEFT JOINs to people, camps and organisations, test organisation left out."""
        def organisation(pid):
            person = self.people.get(pid)
            return self.organisation_of_base.get(person[0]) if person else None
        return sum(1 for pid in ids if pid is not None and organisation(pid) != 1)

    def boxes_created(self, start, end):
        return sum(1 for created, base in self.boxes
                   if created and start <= created <= end and self.organisation_of_base[base] != 1)

    def _created(self, start, end):
        return ({r for r, changes, when in self.history if changes == "Record created" and start <= when <= end}
                | {p for p, (_, created, _) in self.people.items() if created and start <= created <= end})

    def registered(self, start, end):
        return self._counted(self._created(start, end))

    def reached(self, start, end):
        inside = lambda when: when is not None and start <= when <= end  # noqa: E731
        heads = {p for p, count, when in self.transactions if inside(when) and count > 0 and p is not None}
        ids = ({r for r, changes, when in self.history if inside(when) and not changes.startswith("Record deleted")}
               | self._created(start, end)
               | heads
               | {p for p, (_, _, parent) in self.people.items() if parent in heads and parent != p}
               | {p for p, when in self.services if inside(when)}
               | {p for p, when in self.tags if inside(when)})
        return self._counted(ids)

    def expected(self, start, end):
        return {"newlyCreatedBoxNumbers": self.boxes_created(start, end),
                "newlyRegisteredBeneficiaryNumbers": self.registered(start, end),
                "reachedBeneficiariesNumbers": self.reached(start, end)}


def rows_of_the_test():
    """Beneficiaries of bases 1 and 2 (the test organisation 1) and 3 (organisation 2), each one
    reached or registered one way, some of them near now for the spans that end now."""
    people = {  # id: (base, created, parent)
        1: (3, D(2024, 3, 1, 10), None), 2: (3, D(2024, 3, 2, 10), 1), 3: (1, D(2024, 3, 2, 11), None),
        4: (3, D(2024, 3, 5), None),     # exactly at midnight: a span's end includes it
        5: (3, None, None),              # imported without created: history says when
        6: (3, OLD, None), 8: (3, OLD, 6), 9: (3, OLD, None), 10: (3, OLD, None), 11: (2, OLD, None),
        12: (3, OLD, None), 13: (3, NOW - datetime.timedelta(days=2), None), 14: (3, OLD, None),
        15: (1, NOW - datetime.timedelta(days=1), None), 16: (2, OLD, 14),
    }
    history = [(1, "Record created", D(2024, 3, 1, 10)), (5, "Record created", D(2024, 3, 6, 8)),
               (999, "Record created", D(2024, 3, 3)),   # hard-deleted since: no organisation, counted
               (6, "firstname", D(2024, 3, 6, 9)), (9, "Record deleted by dailyroutine", D(2024, 3, 7)),
               (3, "lastname", D(2024, 3, 8))]
    transactions = [(6, 2, D(2024, 3, 7, 9)), (9, 0, D(2024, 3, 7, 9)), (None, 3, D(2024, 3, 7, 9)),
                    (14, 1, NOW - datetime.timedelta(days=3))]
    services = [(10, D(2024, 3, 8, 12))]
    tags = [(11, D(2024, 3, 8, 12)), (12, D(2024, 3, 8, 13))]
    return people, history, transactions, services, tags


def rows_sql(people, history, transactions, services, tags):
    q = lambda v: "NULL" if v is None else f"'{v}'"  # noqa: E731
    lines = ["INSERT INTO services (id, label, description, camp_id) VALUES (1, 'Legal aid', '', 3);"]
    for pid, (base, created, parent) in sorted(people.items(), key=lambda kv: (kv[1][2] is not None, kv[0])):
        lines.append("INSERT INTO people (id, seq, family_id, camp_id, deleted, bicyclebancomment,"
                     f" workshopbancomment, created, parent_id) VALUES ({pid}, 1, 1, {base},"
                     f" '0000-00-00 00:00:00', '', '', {q(created)}, {parent or 'NULL'});")
    for record, changes, when in history:
        lines.append("INSERT INTO history (tablename, record_id, changes, changedate)"
                     f" VALUES ('people', {record}, '{changes}', '{when}');")
    for pid, count, when in transactions:
        lines.append("INSERT INTO transactions (people_id, count, description, transaction_date)"
                     f" VALUES ({pid or 'NULL'}, {count}, '', '{when}');")
    for pid, when in services:
        lines.append(f"INSERT INTO services_relations (people_id, service_id, created) VALUES ({pid}, 1, '{when}');")
    for pid, when in tags:
        lines.append("INSERT INTO tags_relations (object_id, object_type, tag_id, created_on)"
                     f" VALUES ({pid}, 'People', 1, '{when}');")
    return "\n".join(lines)


class PublicNumbersBase(DepotPerClass):
    """The checks, on whatever rows the class loaded into self.db (self.facts holds them)."""

    def check_span(self, variables, start, end):
        body = self.ask(ALL, variables, public=True)
        self.assertNotIn("errors", body, body.get("errors"))
        self.assertEqual(body["data"], self.facts.expected(start, end))
        # One statement per field, whatever the rows.
        self.assertEqual(body["extensions"]["debug"]["sqlStatements"], 3)
        return body["data"]


class PublicNumbersOnDepotDDL(PublicNumbersBase, unittest.TestCase):
    @classmethod
    def load(cls, db):
        db.load_file(os.path.join(harness.REPO, "db", "ddl.sql"))
        harness.load_depot_tables(db)
        boxes = Rows()
        beneficiaries = rows_of_the_test()
        path = os.path.join(cls.scratch.path, "rows.sql")
        with open(path, "w") as f:
            f.write(boxes.sql() + "\n" + rows_sql(*beneficiaries))
        db.load_file(path)
        # Two boxes of base 3 created recently, for the spans that end now.
        db.sql(f"UPDATE stock SET created = '{NOW - datetime.timedelta(days=1)}' WHERE id IN"
                   " (SELECT id FROM (SELECT s.id FROM stock s JOIN locations l ON l.id = s.location_id"
                   " WHERE l.camp_id = 3 ORDER BY s.id LIMIT 2) recent)")
        box_rows = [(created, BASE_OF_LOCATION[int(location)]) for created, location
                    in db.sql("SELECT created, location_id FROM stock")]
        box_rows = [(D.fromisoformat(c) if c not in (None, "NULL") else None, b) for c, b in box_rows]
        cls.facts = Facts({1: 1, 2: 1, 3: 2}, box_rows, *beneficiaries)

    def test_start_and_end_both_included(self):
        data = self.check_span({"start": "2024-03-01", "end": "2024-03-05"}, D(2024, 3, 1), D(2024, 3, 5))
        self.assertTrue(all(data.values()), f"every number should be above 0 on these rows: {data}")

    def test_start_and_end_win_over_a_duration_even_a_negative_one(self):
        self.check_span({"start": "2024-03-01", "end": "2024-03-05", "duration": -3}, D(2024, 3, 1), D(2024, 3, 5))

    def test_start_and_duration(self):
        self.check_span({"start": "2024-03-02", "duration": 7}, D(2024, 3, 2), D(2024, 3, 9))

    def test_end_with_an_offset_and_duration(self):
        self.check_span({"end": "2024-03-09T12:00:00+02:00", "duration": 4}, D(2024, 3, 5, 10), D(2024, 3, 9, 10))

    def test_duration_alone_ends_now(self):
        # The rows nearest now are a day old: the seconds between the test's clock and Depot's
        # cannot move them across an end.
        data = self.check_span({"duration": 5}, NOW - datetime.timedelta(days=5), NOW)
        self.assertTrue(all(data.values()), data)

    def test_start_alone_ends_now(self):
        self.check_span({"start": "2024-03-06"}, D(2024, 3, 6), NOW)

    def test_several_spans_against_the_rows(self):
        for day in range(1, 10):
            with self.subTest(day=day):
                self.check_span({"start": f"2024-03-{day:02d}T06:00:00Z", "duration": 1},
                                D(2024, 3, day, 6), D(2024, 3, day + 1, 6))

    def test_invalid_combinations_are_errors_and_run_nothing(self):
        future = (NOW + datetime.timedelta(days=3)).isoformat()
        cases = [({}, "Insufficient arguments"), ({"end": "2024-03-05"}, "Insufficient arguments"),
                 ({"start": "2024-03-05", "end": "2024-03-01"}, "Start date cannot be after the end date."),
                 ({"start": future}, "Start date cannot be after the end date."),
                 ({"start": "2024-03-01", "duration": -1}, "Duration cannot be negative."),
                 ({"end": "2024-03-01", "duration": -1}, "Duration cannot be negative."),
                 ({"duration": -1}, "Duration cannot be negative."),
                 ({"start": "2024-03-01", "duration": 2 ** 31 - 1}, "Date value out of range.")]
        for variables, message in cases:
            for field in FIELDS:
                with self.subTest(variables=variables, field=field):
                    query = f"""query($start: Datetime, $end: Datetime, $duration: Int) {{
                                {field}(start: $start, end: $end, duration: $duration) }}"""
                    body = self.ask(query, variables, public=True)
                    self.assertEqual(body["data"], {field: None})
                    (error,) = body["errors"]
                    self.assertEqual(error["message"], message)
                    self.assertEqual(error["extensions"]["code"], "BAD_USER_INPUT")
                    self.assertEqual(error["path"], [field])
                    self.assertEqual(body["extensions"]["debug"]["sqlStatements"], 0)

    def test_not_on_the_protected_endpoint(self):
        token = self.keys.token()
        status, body, _ = harness.post(self.depot.url, {"query": "{ newlyCreatedBoxNumbers(duration: 1) }"}, token)
        self.assertIn("newlyCreatedBoxNumbers", body["errors"][0]["message"], body)
        self.assertIsNone(body.get("data"), body)


@unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")
class PublicNumbersOnBoxtributeDump(PublicNumbersBase, unittest.TestCase):
    """boxtribute's dump, its rows read back raw and counted in Python."""

    @classmethod
    def load(cls, db):
        db.load_file(DUMP)
        harness.load_depot_tables(db)

        def when(text):
            return None if text in (None, "NULL", "0000-00-00 00:00:00") else D.fromisoformat(text)

        def num(text):
            return None if text in (None, "NULL") else int(text)
        organisation_of_base = {int(b): num(o) for b, o in db.sql("SELECT id, organisation_id FROM camps")}
        base_of_location = {int(i): int(b) for i, b in db.sql("SELECT id, camp_id FROM locations")}
        boxes = [(when(c), base_of_location[int(loc)]) for c, loc in db.sql("SELECT created, location_id FROM stock")]
        people = {int(i): (int(b), when(c), num(p)) for i, b, c, p in
                  db.sql("SELECT id, camp_id, created, parent_id FROM people")}
        history = [(num(r), c, when(d)) for r, c, d in
                   db.sql("SELECT record_id, changes, changedate FROM history WHERE tablename = 'people'")]
        transactions = [(num(p), int(c), when(d)) for p, c, d in
                        db.sql("SELECT people_id, count, transaction_date FROM transactions")]
        services = [(int(p), when(c)) for p, c in db.sql("SELECT people_id, created FROM services_relations")]
        tags = [(int(o), when(c)) for o, c in
                db.sql("SELECT object_id, created_on FROM tags_relations WHERE object_type = 'People'")]
        cls.facts = Facts(organisation_of_base, boxes, people, history, transactions, services, tags)
        cls.dates = sorted({d for d, _ in boxes if d} | {d for _, _, d in history if d}
                           | {d for _, _, d in transactions if d})

    def test_spans_over_the_dump(self):
        self.assertTrue(self.dates, "the dump has no dated rows")
        first, last = self.dates[0].date(), self.dates[-1].date()
        spans = [(D(first.year, 1, 1), D(last.year + 1, 1, 1))]
        middle = self.dates[len(self.dates) // 2]
        spans += [(middle - datetime.timedelta(days=30), middle), (middle, middle + datetime.timedelta(days=90))]
        nonzero = set()
        for start, end in spans:
            with self.subTest(start=start, end=end):
                data = self.check_span({"start": start.isoformat(), "end": end.isoformat()}, start, end)
                nonzero |= {k for k, v in data.items() if v}
        self.assertEqual(nonzero, set(FIELDS), "some number is 0 over every span: the spans test nothing")


if __name__ == "__main__":
    unittest.main()
