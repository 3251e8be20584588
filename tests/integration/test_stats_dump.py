"""Statistics cubes on boxtribute's own database (../shared/data/boxtribute-init.sql, unchanged,
plus Depot's indexes): createdBoxes, topProductsCheckedOut and topProductsDonated of bases 1 to 4
against boxtribute's own SQL for each (business_logic/statistics/crud.py, as bench/stats_bench.py
times it), run here on the same database, and each dimension against SQL written here; then the
dump's own transfer agreements deciding another organisation's access. Skipped, saying so, when
the dump is absent.
Licensed under the Apache License 2.0.
"""
import collections
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "bench"))
import harness  # noqa: E402
from stats_bench import CUBES  # noqa: E402  boxtribute's statements, the facts' first
from statistics_cases import DepotPerClass, canonical  # noqa: E402

DUMP = os.path.join(harness.SHARED, "data", "boxtribute-init.sql")
BASES = (1, 2, 3, 4)
# boxtribute's ProductGender (enums.py): the GraphQL name of each products.gender_id.
GENDERS = {1: "Women", 2: "Men", 3: "UnisexAdult", 4: "Girl", 5: "Boy", 6: "UnisexKid", 7: "BabyGirl",
           8: "BabyBoy", 9: "UnisexBaby", 10: "none", 12: "TeenGirl", 13: "TeenBoy"}


def number(text):
    return None if text is None else int(text)


def id_list(text):
    return sorted(int(t) for t in text.split(",")) if text else []


# Per cube: boxtribute's fact (its crud.py column names) as the GraphQL fact Depot answers.
AS_FACT = {
    "createdBoxes": lambda r: {
        "createdOn": r["created_on"], "categoryId": number(r["category_id"]),
        "productId": number(r["product_id"]), "gender": GENDERS[int(r["gender"])],
        "tagIds": id_list(r["tag_ids"]), "boxesCount": number(r["boxes_count"]),
        "itemsCount": number(r["items_count"])},
    "topProductsCheckedOut": lambda r: {
        "checkedOutOn": r["checked_out_on"], "productId": number(r["product_id"]),
        "categoryId": number(r["category_id"]), "rank": number(r["rank"]),
        "itemsCount": number(r["items_count"])},
    "topProductsDonated": lambda r: {
        "createdOn": r["created_on"], "donatedOn": r["donated_on"], "sizeId": number(r["size_id"]),
        "productId": number(r["product_id"]), "categoryId": number(r["category_id"]),
        "rank": number(r["rank"]), "itemsCount": number(r["items_count"])},
}


def merge_tag_sets(facts):
    """createdBoxes' facts with one set of tags made one fact: boxtribute groups by its unordered
    GROUP_CONCAT and may split a set over several facts, Depot groups by the set (README)."""
    merged = collections.OrderedDict()
    for f in facts:
        key = tuple((k, str(v)) for k, v in sorted(f.items()) if k not in ("boxesCount", "itemsCount"))
        if key in merged:
            merged[key]["boxesCount"] += f["boxesCount"]
            merged[key]["itemsCount"] += f["itemsCount"]
        else:
            merged[key] = dict(f)
    return list(merged.values())


@unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")
class StatsCubesOnBoxtributeDump(DepotPerClass, unittest.TestCase):

    @classmethod
    def load(cls, db):
        db.load_file(DUMP)
        harness.load_depot_tables(db)

    @classmethod
    def tokens(cls):
        cls.token = cls.god_token()

    def named_rows(self, sql):
        """The rows of one statement as dicts under its column names (NULL as None)."""
        out = subprocess.run(self.db.client() + ["--batch", "--raw"], input=sql.encode(), check=True,
                             capture_output=True, timeout=600).stdout.decode()
        lines = out.splitlines()
        if not lines:
            return []
        names = lines[0].split("\t")
        return [dict(zip(names, [None if v == "NULL" else v for v in line.split("\t")])) for line in lines[1:]]

    def boxtribute_facts(self, cube, base):
        rows = self.named_rows(CUBES[cube]["sql"][0].format(base=base))
        facts = [AS_FACT[cube](r) for r in rows]
        return merge_tag_sets(facts) if cube == "createdBoxes" else facts

    def cube(self, cube, base, token=None):
        body = self.ask_cube(CUBES[cube]["query"], base, token)
        self.assertNotIn("errors", body)
        return body["data"][cube]

    def dimension(self, sql, ids, gender=False):
        """boxtribute's _generate_dimensions: the rows of the facts' ids (all when ids is None)."""
        ids = None if ids is None else {i for i in ids if i is not None}   # IN (NULL) matches nothing
        if ids is not None and not ids:
            return []
        where = "" if ids is None else f" WHERE id IN ({', '.join(str(i) for i in sorted(ids))})"
        rows = self.db.sql(sql + where + " ORDER BY id")
        if gender:
            return [{"id": int(r[0]), "name": r[1], "gender": GENDERS[int(r[2])]} for r in rows]
        if len(rows[0]) == 3:
            return [{"id": int(r[0]), "name": r[1], "color": r[2]} for r in rows]
        return [{"id": int(r[0]), "name": r[1]} for r in rows]

    def check_dimensions(self, cube, answer):
        facts, got = answer["facts"], answer["dimensions"]
        self.assertEqual(got["category"], self.dimension("SELECT id, label FROM product_categories", None))
        self.assertEqual(got["product"], self.dimension("SELECT id, name, gender_id FROM products",
                                                        {f["productId"] for f in facts}, gender=True))
        if cube == "createdBoxes":
            self.assertEqual(got["tag"], self.dimension("SELECT id, label, color FROM tags",
                                                        {t for f in facts for t in f["tagIds"]}))
        if cube == "topProductsDonated":
            self.assertEqual(got["size"], self.dimension("SELECT id, label FROM sizes",
                                                         {f["sizeId"] for f in facts}))

    def test_each_cube_answers_as_boxtributes_sql_for_bases_1_to_4(self):
        for cube in AS_FACT:
            with_facts = []
            for base in BASES:
                with self.subTest(cube=cube, base=base):
                    expected = self.boxtribute_facts(cube, base)
                    with_facts += [base] if expected else []
                    answer = self.cube(cube, base)
                    self.assertEqual(canonical(answer["facts"]), canonical(expected))
                    self.check_dimensions(cube, answer)
            # The dump has data for each cube in most bases (no checkouts in base 4).
            self.assertGreaterEqual(len(with_facts), 3, f"{cube}: facts only in bases {with_facts}")

    def test_created_boxes_of_boxes_with_several_tags(self):
        # The dump's boxes with more than one live tag are why createdBoxes groups tags as a set.
        several = self.db.scalar("SELECT COUNT(*) FROM (SELECT object_id FROM tags_relations WHERE"
                                 " object_type = 'Stock' AND deleted_on IS NULL GROUP BY object_id"
                                 " HAVING COUNT(*) > 1) t")
        self.assertGreater(int(several), 0)
        tagged = [f for f in self.cube("createdBoxes", 1)["facts"] if len(f["tagIds"]) > 1]
        self.assertTrue(tagged)
        self.assertTrue(all(f["tagIds"] == sorted(f["tagIds"]) for f in tagged))

    def test_the_dumps_agreements_decide_another_organisations_access(self):
        # Agreement 4 (Accepted) links base 1 with bases 2 and 3; bases 1 and 4 are linked only
        # by Rejected, Canceled and UnderReview ones (asserted here, from the dump).
        links = self.db.sql("SELECT a.state, d.source_base_id, d.target_base_id FROM transfer_agreement a"
                            " JOIN transfer_agreement_detail d ON d.transfer_agreement_id = a.id")
        accepted = {(int(s), int(t)) for state, s, t in links if state == "Accepted"}
        self.assertIn((1, 2), accepted)
        self.assertFalse({(1, 4), (4, 1)} & accepted)
        self.assertTrue({(1, 4), (4, 1)} & {(int(s), int(t)) for _, s, t in links})
        reads = ["stock", "product", "product_category", "history", "size", "transaction"]
        org1 = self.keys.token(base_ids=(1,), permissions=[f"base_1/{r}:read" for r in reads])
        org2 = self.keys.token(sub="auth0|2", org=2, base_ids=(2, 3, 4), roles=("base_2_coordinator",),
                               permissions=[f"base_{b}/{r}:read" for b in (2, 3, 4) for r in reads])
        for cube in ("createdBoxes", "topProductsDonated"):
            for token, base in ((org1, 2), (org2, 1)):
                with self.subTest(cube=cube, base=base):
                    answer = self.cube(cube, base, token)
                    self.assertEqual(canonical(answer["facts"]), canonical(self.boxtribute_facts(cube, base)))
            with self.subTest(cube=cube, base=4):
                body = self.ask_cube(CUBES[cube]["query"], 4, org1)
                self.assertIsNone(body["data"][cube])
                self.assertEqual(body["errors"][0]["extensions"]["description"], "You don't have access to 'base=4'")
        body = self.ask_cube(CUBES["topProductsCheckedOut"]["query"], 1, org2)
        self.assertEqual(body["errors"][0]["extensions"]["description"], "You don't have access to 'base=1'")


if __name__ == "__main__":
    unittest.main()
