"""GraphiQL in a real browser: Depot (one process, on a private MariaDB) serves the explorer
at GET /graphql with its assets from the binary; headless Chromium (Debian's, driven by npm
playwright-core through tests/js/graphiql_browser.mjs) opens it, sets the demo token in the
headers editor, runs a query and must see the boxes in the result pane. The screenshot is
kept as a test artifact: $DEPOT_BUILD_DIR/artifacts/graphiql.png. With live updates on
(DEPOT_LIVE_URL, the page's subscriptions' URL) the same page runs a box subscription through
live-svc's graphql-transport-ws: its first event shows the box as SQL has it, and a change made
by SQL shows in the result pane (graphiql-live.png).
Licensed under the Apache License 2.0.
"""
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

JS = os.path.join(harness.REPO, "tests", "js")


SUBSCRIPTION = """subscription Box($label: String! = "%s") {
  box(labelIdentifier: $label) { labelIdentifier numberOfItems }
}"""


class GraphiQLBrowserTest(unittest.TestCase):

    def node_or_skip(self):
        node = harness.node()
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if not node or not chromium or not os.path.isdir(os.path.join(JS, "node_modules", "playwright-core")):
            self.skipTest("needs node, Debian's chromium and npm playwright-core (scripts/setup.sh, npm ci)")
        return node

    def screenshot(self, name):
        artifacts = os.path.join(harness.BUILD, "artifacts")
        os.makedirs(artifacts, exist_ok=True)
        shot = os.path.join(artifacts, name)
        if os.path.exists(shot):
            os.remove(shot)
        return shot

    def test_graphiql_runs_a_query_in_chromium(self):
        node = self.node_or_skip()
        scratch = harness.Scratch()
        db = harness.MariaDB(scratch.path)
        depot = None
        try:
            harness.load_demo(db, boxes=300)
            keys = harness.Keys(scratch.path)
            depot = harness.Depot(db, keys, scratch.path, form="one", debug=False)
            shot = self.screenshot("graphiql.png")
            out = subprocess.run([node, os.path.join(JS, "graphiql_browser.mjs"), depot.url, keys.token(), shot],
                                 capture_output=True, text=True, timeout=300, cwd=JS)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            report = json.loads(out.stdout.strip().splitlines()[-1])
            self.assertEqual(report["title"], "Depot GraphiQL")
            self.assertIn('"totalCount": 300', report["result"])
            self.assertIn('"labelIdentifier"', report["result"])
            for asset in ("/graphiql/graphiql.min.js", "/graphiql/react.production.min.js",
                          "/graphiql/react-dom.production.min.js", "/graphiql/graphiql.min.css"):
                self.assertIn(asset, report["requests"])
            with open(shot, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
            self.assertGreater(os.path.getsize(shot), 20000)
            print(f"\nGraphiQL screenshot: {shot}", file=sys.stderr)
        finally:
            if depot:
                codes = depot.stop()
                self.assertEqual(codes, [0])
            db.stop()
            scratch.remove()

    def test_graphiql_shows_a_live_subscription_in_chromium(self):
        node = self.node_or_skip()
        scratch = harness.Scratch()
        db = harness.MariaDB(scratch.path)
        depot = None
        try:
            harness.load_demo(db, boxes=50)
            keys = harness.Keys(scratch.path)
            depot = harness.Depot(db, keys, scratch.path, form="one", debug=False, live=True)
            box_id, label, items = db.sql(
                "SELECT s.id, s.box_id, s.items FROM stock s JOIN locations l ON l.id = s.location_id"
                " WHERE l.camp_id = 1 AND s.items IS NOT NULL ORDER BY s.id LIMIT 1")[0]
            shot = self.screenshot("graphiql-live.png")
            browser = subprocess.Popen([node, os.path.join(JS, "graphiql_browser.mjs"), depot.url, keys.token(),
                                        shot, SUBSCRIPTION % label], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=JS)
            try:
                line = browser.stdout.readline()
                self.assertTrue(line.startswith('{"first"'), line)
                first = json.loads(line)["first"]
                self.assertIn(f'"labelIdentifier": "{label}"', first)
                self.assertIn(f'"numberOfItems": {items}', first)
                db.sql(f"UPDATE stock SET items = items + 11 WHERE id = {box_id}")
                after = int(db.scalar(f"SELECT items FROM stock WHERE id = {box_id}"))
                self.assertEqual(after, int(items) + 11)
                browser.stdin.write(f'"numberOfItems": {after}\n')
                browser.stdin.flush()
                out, err = browser.communicate(timeout=120)
            finally:
                if browser.poll() is None:
                    browser.kill()
                    browser.wait()
            self.assertEqual(browser.returncode, 0, out + err)
            report = json.loads(out.strip().splitlines()[-1])
            self.assertIn(f'"numberOfItems": {after}', report["result"])
            self.assertIn(f'"labelIdentifier": "{label}"', report["result"])
            print(f"\nGraphiQL live screenshot: {shot}", file=sys.stderr)
        finally:
            if depot:
                codes = depot.stop()
                self.assertEqual(codes, [0])
            db.stop()
            scratch.remove()


if __name__ == "__main__":
    unittest.main(verbosity=2)
