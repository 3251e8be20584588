#!/usr/bin/env python3
"""A broken schema file stops Depot at start-up: the error names the file, line and column,
and the process exits non-zero before it serves anything (issue 3, "schema from SDL").

The schema files are written here; the expected positions are counted in them by hand."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

CASES = [
    # (name, SDL, expected message tail, line, column)
    ("unknown_type", "type Query {\n  a: Int\n  b: Nope\n}\n", 'Unknown type "Nope".', 3, 6),
    ("syntax", "type Query {\n  a: Int\n  b(: Int\n}\n", 'Syntax Error: Expected Name, found ":".', 3, 5),
    ("no_query", "type Box {\n  id: ID!\n}\n", "Query root type must be provided.", None, None),
]


class SchemaStartupTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.keys = harness.Keys(cls.scratch.path)

    @classmethod
    def tearDownClass(cls):
        cls.scratch.remove()

    def run_with(self, program, sdl_path):
        env = dict(os.environ, DEPOT_SCHEMA=sdl_path, AUTH0_DOMAIN=harness.DOMAIN,
                   AUTH0_AUDIENCE=harness.AUDIENCE, DEPOT_PUBLIC_KEY_FILE=self.keys.public,
                   DEPOT_PORT=str(harness.free_port()),
                   # Nothing may be reached: a schema error must come before any connection.
                   MYSQL_SOCKET=os.path.join(self.scratch.path, "no-such.sock"))
        return subprocess.run([harness.binary(*program)], env=env, capture_output=True,
                              text=True, timeout=30)

    def test_broken_schema_stops_both_binaries(self):
        for program in (("depot", "depot"), ("resolver-svc", "resolver-svc")):
            for name, sdl, message, line, column in CASES:
                with self.subTest(program=program[1], case=name):
                    path = os.path.join(self.scratch.path, f"{name}.graphql")
                    with open(path, "w") as f:
                        f.write(sdl)
                    done = self.run_with(program, path)
                    self.assertNotEqual(done.returncode, 0, done.stderr)
                    self.assertIn(message, done.stderr)
                    where = f"{path}:{line}:{column}: " if line is not None else f"{path}: "
                    self.assertIn(where + message, done.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
