"""db-svc waits, without spinning, while MariaDB is down: a due Idempotency-Key purge used to
set the poll timeout to 0 while the control connection that runs it was down, so db-svc's loop
ran at full CPU until MariaDB came back (found with a Depot left running after its MariaDB was
stopped). Counts db-svc's CPU time while MariaDB is down, then that it serves again once MariaDB
is back.
Licensed under the Apache License 2.0.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


class DbDownIdleTest(unittest.TestCase):
    def test_db_svc_idles_while_mariadb_is_down(self):
        scratch = harness.Scratch()
        db = harness.MariaDB(scratch.path)
        depot = None
        try:
            harness.load_demo(db, boxes=10)
            keys = harness.Keys(scratch.path)
            token = keys.token()
            # A purge due every 200 ms: due again and again while MariaDB is down.
            depot = harness.Depot(db, keys, scratch.path, form="three",
                                  extra_env={"DEPOT_IDEMPOTENCY_PURGE_MS": "200"})
            db_svc = depot.processes[depot.commands["db-svc"][0]].pid
            db.stop()
            time.sleep(1.5)                     # connections lost, purge due
            before = harness.cpu_seconds(db_svc)
            time.sleep(3)
            busy = (harness.cpu_seconds(db_svc) - before) / 3
            self.assertLess(busy, 0.25, f"db-svc used {busy:.0%} of a core while MariaDB was down")
            db.start()
            deadline = time.time() + 30
            while True:
                status, body, _ = harness.post(depot.url, {"query": "{ bases { id } }"}, token)
                if status == 200 and "errors" not in body:
                    break
                self.assertLess(time.time(), deadline, body)
                time.sleep(0.3)
        finally:
            if depot:
                self.assertEqual(depot.stop(), [0, 0, 0])
            db.stop()
            scratch.remove()


if __name__ == "__main__":
    unittest.main()
