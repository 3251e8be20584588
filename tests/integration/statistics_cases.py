"""What the statistics and public test files share: a private MariaDB and the one-process Depot
per test class, loaded by the class's load(), as the mutation tests have them
(mutation_cases.DepotPerClass), with the /public URL (DepotPerClass); the callers' tokens (a reader of some bases, one such reader per
permission it lacks, a god user) and one request to /graphql or /public with its status
checked (Callers, which the files' replica variants mix into replica.ReplicaTestCase).
Licensed under the Apache License 2.0.
"""
import harness
import mutation_cases
from mutation_cases import READS, permissions


def canonical(facts):
    """A cube's facts in one order: boxtribute's cubes have none."""
    return sorted(facts, key=lambda f: sorted((k, str(v)) for k, v in f.items()))


class Callers:
    """Tokens from the class's self.keys and requests to its self.depot. Mixed in before
    unittest.TestCase."""
    token = None    # what a request to /graphql carries unless it names a token

    @classmethod
    def coordinator_token(cls, bases=(1,), sub="auth0|8", org=1, lacking=()):
        """The coordinator of bases (the first one's role) who reads everything there but the
        permissions named in lacking."""
        return cls.keys.token(sub=sub, org=org, base_ids=bases, roles=(f"base_{bases[0]}_coordinator",),
                              permissions=permissions(bases, [r for r in READS if r not in lacking]))

    @classmethod
    def tokens_lacking(cls, bases, names):
        """For each permission named: a coordinator_token of bases without it."""
        return {name: cls.coordinator_token(bases, lacking=(name,)) for name in names}

    @classmethod
    def god_token(cls):
        """A god user as boxtribute's tokens carry one: the role, no organisation."""
        return cls.keys.token(sub="auth0|1", org="null", roles=("boxtribute_god",), permissions=[])

    def ask(self, query, variables=None, token=None, public=False, headers=None):
        """The answer of /graphql (with the class's token unless given), or of /public (with no
        token unless given); its status must be 200."""
        url = self.depot.url.replace("/graphql", "/public") if public else self.depot.url
        token = token if public else token or self.token
        status, body, _ = harness.post(url, {"query": query, "variables": variables or {}}, token, headers)
        self.assertEqual(status, 200, body)
        return body

    def ask_ok(self, query, variables=None, token=None, public=False):
        """As ask, and the answer must have no error."""
        body = self.ask(query, variables, token, public)
        self.assertNotIn("errors", body, body)
        return body

    def ask_cube(self, query, base, token=None):
        """A cube's document ($b: the base) for one base."""
        return self.ask(query, {"b": base}, token)


class DepotPerClass(Callers, mutation_cases.DepotPerClass):
    """mutation_cases.DepotPerClass with the callers' requests, and the /public URL. Mixed in
    before unittest.TestCase (as mutation_cases.MutationCases), so that a class of cases shared
    by two data sets is not run by itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.public = cls.depot.url.replace("/graphql", "/public")
