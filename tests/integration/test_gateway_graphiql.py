"""GraphiQL in a real browser: Depot (one process, on a private MariaDB) serves the explorer
at GET /graphql with its assets from the binary; headless Chromium (Debian's, driven by npm
playwright-core through tests/js/graphiql_browser.mjs) opens it, sets the demo token in the
headers editor, runs a query and must see the boxes in the result pane. The screenshot is
kept as a test artifact: $DEPOT_BUILD_DIR/artifacts/graphiql.png.
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


class GraphiQLBrowserTest(unittest.TestCase):

    def test_graphiql_runs_a_query_in_chromium(self):
        node = harness.node()
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if not node or not chromium or not os.path.isdir(os.path.join(JS, "node_modules", "playwright-core")):
            self.skipTest("needs node, Debian's chromium and npm playwright-core (scripts/setup.sh, npm ci)")
        scratch = harness.Scratch()
        db = harness.MariaDB(scratch.path)
        depot = None
        try:
            harness.load_demo(db, boxes=300)
            keys = harness.Keys(scratch.path)
            depot = harness.Depot(db, keys, scratch.path, form="one", debug=False)
            artifacts = os.path.join(harness.BUILD, "artifacts")
            os.makedirs(artifacts, exist_ok=True)
            shot = os.path.join(artifacts, "graphiql.png")
            if os.path.exists(shot):
                os.remove(shot)
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
