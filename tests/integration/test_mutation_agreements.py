"""Transfer agreements and shipment creation: createTransferAgreement, acceptTransferAgreement,
rejectTransferAgreement, cancelTransferAgreement and createShipment, with the front-end's own
documents (tests/queries/mutations/), as users of both organisations, a god user and a user
without the permissions, on Depot's DDL and on boxtribute's dump.

Each success is checked against the rows (transfer_agreement, transfer_agreement_detail,
shipment) by SQL written here, and read back with transferAgreement(id) / shipment(id); each
documented error answers boxtribute's code and description and changes nothing (CHECKSUM TABLE
of every table these mutations write). Races: concurrent identical createTransferAgreement
calls create one agreement; concurrent accepts of one agreement have one winner; accept and
createShipment wait for another transaction's cancellation of the agreement. The SQL
statements of createTransferAgreement do not depend on the number of bases.
Licensed under the Apache License 2.0.
"""
import concurrent.futures
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from mutation_cases import NOT_FOUND, READS, ZERO, MutationCases, dt, on_each_data_set, permissions, ref  # noqa: E402

WRITTEN = "transfer_agreement, transfer_agreement_detail, shipment"

FRONTEND_CREATE = harness.read_query(os.path.join("mutations", "CreateTransferAgreement.graphql"))
FRONTEND_ACCEPT = harness.read_query(os.path.join("mutations", "AcceptTransferAgreement.graphql"))
FRONTEND_REJECT = harness.read_query(os.path.join("mutations", "RejectTransferAgreement.graphql"))
FRONTEND_CANCEL = harness.read_query(os.path.join("mutations", "CancelTransferAgreement.graphql"))
FRONTEND_SHIPMENT = harness.read_query(os.path.join("mutations", "CreateShipment.graphql"))
READ_AGREEMENT = harness.read_query("transfer_agreements.graphql")
READ_SHIPMENT = harness.read_query("shipment_by_id.graphql")

AGREEMENT = """id state type comment validFrom validUntil sourceOrganisation { id } targetOrganisation { id }
               sourceBases { id } targetBases { id } requestedBy { id } requestedOn acceptedBy { id }
               acceptedOn terminatedBy { id } terminatedOn"""
READ_ONE = f"""query($id: ID!) {{ transferAgreement(id: $id) {{ {AGREEMENT} }} }}"""
CREATE = f"""mutation($input: TransferAgreementCreationInput) {{
             createTransferAgreement(creationInput: $input) {{ {AGREEMENT} }} }}"""
SHIPMENT = """id state sourceBase { id } targetBase { id } transferAgreement { id } startedBy { id } startedOn
              sentOn canceledOn details { id }"""
CREATE_SHIPMENT = f"""mutation($input: ShipmentCreationInput) {{ createShipment(creationInput: $input) {{ {SHIPMENT} }} }}"""

# Two organisations with two live bases each and a deleted one in B, an organisation without
# bases, and their users; ids from 901 so they meet nothing already there.
FIXTURE = f"""
INSERT INTO organisations (id, label) VALUES (901, 'Agree Org A'), (902, 'Agree Org B'), (903, 'Agree Org Empty');
INSERT INTO camps (id, name, organisation_id, seq, deleted) VALUES
  (901, 'A1', 901, 901, NULL), (902, 'A2', 901, 902, NULL), (903, 'B1', 902, 903, NULL),
  (904, 'B2', 902, 904, NULL), (906, 'B closed', 902, 906, '2024-01-01 00:00:00');
INSERT INTO cms_users (id, naam, email, lastlogin, lastaction, deleted) VALUES
  (901, 'Coordinator A', 'c901@example.org', NOW(), NOW(), '{ZERO}'),
  (902, 'Coordinator B', 'c902@example.org', NOW(), NOW(), '{ZERO}'),
  (903, 'God', 'g903@example.org', NOW(), NOW(), '{ZERO}'),
  (904, 'Coordinator A1', 'c904@example.org', NOW(), NOW(), '{ZERO}'),
  (905, 'Reader A', 'r905@example.org', NOW(), NOW(), '{ZERO}');
"""

WRITES = ["transfer_agreement:create", "transfer_agreement:edit", "shipment:create", "shipment:edit"]


class AgreementCases(MutationCases):
    """The cases, run on each data set by the classes at the end of the file."""
    TABLES_WRITTEN = WRITTEN
    WRITES = WRITES

    @classmethod
    def add_rows(cls, db):
        db.sql(FIXTURE)

    @classmethod
    def tokens(cls):
        reads_writes = READS + cls.WRITES
        cls.a = cls.keys.token(sub="auth0|901", org=901, base_ids=(901, 902), roles=("coordinator",),
                               permissions=permissions((901, 902), reads_writes))
        cls.token = cls.a
        cls.a1 = cls.keys.token(sub="auth0|904", org=901, base_ids=(901,), roles=("coordinator",),
                                permissions=permissions((901,), reads_writes))
        cls.b = cls.keys.token(sub="auth0|902", org=902, base_ids=(903, 904), roles=("coordinator",),
                               permissions=permissions((903, 904), reads_writes))
        cls.reader = cls.keys.token(sub="auth0|905", org=901, base_ids=(901, 902), roles=("volunteer",),
                                    permissions=permissions((901, 902), READS))
        cls.god = cls.keys.token(sub="auth0|903", org="null", roles=("boxtribute_god",), permissions=[])
        # Every mutation here is beta level 2 (boxtribute's authz.py).
        cls.beta1 = cls.keys.token(sub="auth0|901", org=901, base_ids=(901, 902), roles=("coordinator",),
                                   permissions=permissions((901, 902), reads_writes), beta=1)

    def setUp(self):
        # Each case starts without agreements or shipments between the test's organisations.
        self.db.sql("DELETE FROM shipment WHERE source_base_id > 900; "
                    "DELETE FROM transfer_agreement_detail WHERE transfer_agreement_id IN "
                    "(SELECT id FROM transfer_agreement WHERE source_organisation_id > 900); "
                    "DELETE FROM transfer_agreement WHERE source_organisation_id > 900")

    # --- requests ---------------------------------------------------------------------

    def body(self, text, variables):
        body = super().body(text, variables)
        if text is READ_AGREEMENT:
            body["operationName"] = "TransferAgreement"
        return body

    def forbidden(self, text, variables, denied, token=None):
        self.refused(text, variables, "FORBIDDEN", f"You don't have access to '{denied}'", token)

    # --- rows ---------------------------------------------------------------------------

    def agreement_row(self, agreement):
        names = ["source_organisation_id", "target_organisation_id", "state", "type", "requested_on",
                 "requested_by", "accepted_on", "accepted_by", "terminated_on", "terminated_by",
                 "valid_from", "valid_until", "comment"]
        (row,) = self.json_rows(", ".join(f"CAST({n} AS CHAR)" if n.endswith(("_on", "_from", "_until")) else n
                                          for n in names), f"FROM transfer_agreement WHERE id = {agreement}")
        return dict(zip(names, row))

    def agreement_pairs(self, agreement):
        return [tuple(r) for r in self.json_rows(
            "source_base_id, target_base_id",
            f"FROM transfer_agreement_detail WHERE transfer_agreement_id = {agreement} "
            "ORDER BY source_base_id, target_base_id")]

    def shipment_row(self, shipment):
        names = ["source_base_id", "target_base_id", "transfer_agreement_id", "state", "started_on",
                 "started_by_id", "canceled_on", "sent_on", "receiving_started_on", "completed_on"]
        (row,) = self.json_rows(", ".join(f"CAST({n} AS CHAR)" if n.endswith("_on") else n for n in names),
                                f"FROM shipment WHERE id = {shipment}")
        return dict(zip(names, row))

    def expected_agreement(self, agreement):
        """TransferAgreement as AGREEMENT selects it, from SQL: live bases of each side."""
        (r,) = self.json_rows(
            f"CAST(id AS CHAR), state, type, comment, {dt('valid_from')}, {dt('valid_until')}, "
            f"CAST(source_organisation_id AS CHAR), CAST(target_organisation_id AS CHAR), "
            f"CAST(requested_by AS CHAR), {dt('requested_on')}, CAST(accepted_by AS CHAR), {dt('accepted_on')}, "
            f"CAST(terminated_by AS CHAR), {dt('terminated_on')}", f"FROM transfer_agreement WHERE id = {agreement}")

        def bases(side):
            return [{"id": str(b[0])} for b in self.db.sql(
                f"SELECT DISTINCT c.id FROM transfer_agreement_detail d JOIN camps c ON c.id = d.{side}_base_id "
                f"WHERE d.transfer_agreement_id = {agreement} AND c.deleted IS NULL ORDER BY c.id")]
        return {"id": r[0], "state": r[1], "type": r[2], "comment": r[3], "validFrom": r[4], "validUntil": r[5],
                "sourceOrganisation": ref(r[6]), "targetOrganisation": ref(r[7]),
                "sourceBases": bases("source"), "targetBases": bases("target"), "requestedBy": ref(r[8]),
                "requestedOn": r[9], "acceptedBy": ref(r[10]), "acceptedOn": r[11],
                "terminatedBy": ref(r[12]), "terminatedOn": r[13]}

    def sorted_bases(self, answer):
        """Base lists compared by id (the order of sourceBases/targetBases is not the point here)."""
        for side in ("sourceBases", "targetBases"):
            answer[side] = sorted(answer[side], key=lambda b: int(b["id"]))
        return answer

    def create(self, token=None, **fields):
        variables = {"initiatingOrganisationId": 901, "partnerOrganisationId": 902, "type": "SendingTo",
                     "initiatingOrganisationBaseIds": [901]}
        variables.update(fields)
        return variables, token or self.a

    def new_agreement(self, state="Accepted", type_="SendingTo", sources=(901,), targets=(903, 904),
                      valid_from="2024-01-01 00:00:00", valid_until=None, source_org=901, target_org=902):
        """An agreement written here by SQL."""
        until = f"'{valid_until}'" if valid_until else "NULL"
        agreement = self.db.scalar(
            "INSERT INTO transfer_agreement (source_organisation_id, target_organisation_id, state, type, "
            f"requested_on, requested_by, valid_from, valid_until) VALUES ({source_org}, {target_org}, '{state}', "
            f"'{type_}', '2024-01-01 00:00:00', 901, '{valid_from}', {until}); SELECT LAST_INSERT_ID()")
        agreement = int(agreement)
        pairs = ", ".join(f"({agreement}, {s}, {t})" for s in sources for t in targets)
        self.db.sql(f"INSERT INTO transfer_agreement_detail (transfer_agreement_id, source_base_id, target_base_id) "
                    f"VALUES {pairs}")
        return agreement

    # --- createTransferAgreement ------------------------------------------------------------

    def test_create_with_the_front_end_document(self):
        before = self.now()
        variables, token = self.create(comment="winter clothes")
        answer = self.field(FRONTEND_CREATE, variables, token)
        after = self.now()
        agreement = int(answer["id"])
        row = self.agreement_row(agreement)
        self.assertTrue(before <= row["requested_on"] <= after, row)
        self.assertEqual(row, {
            "source_organisation_id": 901, "target_organisation_id": 902, "state": "UnderReview",
            "type": "SendingTo", "requested_on": row["requested_on"], "requested_by": 901,
            "accepted_on": None, "accepted_by": None, "terminated_on": None, "terminated_by": None,
            "valid_from": row["requested_on"], "valid_until": None, "comment": "winter clothes"})
        # The partner's live bases by default (not the deleted 906).
        self.assertEqual(self.agreement_pairs(agreement), [(901, 903), (901, 904)])
        self.assertEqual(answer["state"], "UnderReview")
        self.assertEqual(answer["sourceOrganisation"]["id"], "901")
        self.assertEqual(sorted(b["id"] for b in answer["targetBases"]), ["903", "904"])
        self.assertEqual(answer["requestedBy"]["id"], "901")
        # Both sides read it back the same, and the mutation answered what the read API reads.
        for token in (self.a, self.b):
            read = self.field(READ_AGREEMENT, {"id": str(agreement)}, token)
            self.assertEqual(read, answer)
        self.assertEqual(self.sorted_bases(self.field(READ_ONE, {"id": str(agreement)})),
                         self.expected_agreement(agreement))

    def test_create_receiving_from_with_dates_and_chosen_bases(self):
        variables, token = self.create(token=self.b, initiatingOrganisationId=902, partnerOrganisationId=901,
                                       type="ReceivingFrom", initiatingOrganisationBaseIds=[904, 903, 904],
                                       partnerOrganisationBaseIds=[902], validFrom="2030-01-01",
                                       validUntil="2030-12-31")
        answer = self.field(CREATE, {"input": variables}, token)
        agreement = int(answer["id"])
        row = self.agreement_row(agreement)
        # The partner is the source of a ReceivingFrom agreement; the dates are whole days.
        self.assertEqual((row["source_organisation_id"], row["target_organisation_id"], row["type"]),
                         (901, 902, "ReceivingFrom"))
        self.assertEqual((row["valid_from"], row["valid_until"], row["comment"]),
                         ("2030-01-01 00:00:00", "2030-12-31 23:59:59", None))
        self.assertEqual(self.agreement_pairs(agreement), [(902, 903), (902, 904)])
        self.assertEqual(self.sorted_bases(answer), self.expected_agreement(agreement))

    def test_create_refusals_change_nothing(self):
        base = {"initiatingOrganisationId": 901, "partnerOrganisationId": 902, "type": "SendingTo",
                "initiatingOrganisationBaseIds": [901]}

        def refused(change, code, description, token=None):
            self.refused(CREATE, {"input": dict(base, **change)}, code, description, token)
        refused({}, "FORBIDDEN", "You don't have access to 'transfer_agreement:create'", self.reader)
        refused({"initiatingOrganisationBaseIds": [901, 903]}, "FORBIDDEN", "You don't have access to 'base=903'")
        refused({"initiatingOrganisationBaseIds": [902]}, "FORBIDDEN", "You don't have access to 'base=902'", self.a1)
        refused({"partnerOrganisationId": 901}, "BAD_USER_INPUT",
                "The user's organisation is not permitted to execute the requested action.")
        refused({"validFrom": "2030-05-02", "validUntil": "2030-05-02"}, "BAD_USER_INPUT",
                "'Valid until' date must be later than 'valid from' date.")
        refused({"validFrom": "2030-05-02", "validUntil": "2030-05-01"}, "BAD_USER_INPUT",
                "'Valid until' date must be later than 'valid from' date.")
        refused({"partnerOrganisationId": 903}, "BAD_USER_INPUT", "None of the requested partner bases is active.")
        refused({"partnerOrganisationBaseIds": []}, "BAD_USER_INPUT", "None of the requested partner bases is active.")
        refused({"initiatingOrganisationBaseIds": []}, "BAD_USER_INPUT",
                "None of the initiating organisation's bases is given.")
        refused({"partnerOrganisationId": 9999}, "BAD_USER_INPUT", "None of the requested partner bases is active.")
        # A base of the wrong organisation, or a deleted one: the organisation's live bases listed.
        refused({"partnerOrganisationBaseIds": [903, 901]}, "BAD_USER_INPUT",
                "The specified base (ID: 901) is not part of the current transfer agreement "
                "(included base IDs: 903, 904).")
        refused({"partnerOrganisationBaseIds": [906]}, "BAD_USER_INPUT",
                "The specified base (ID: 906) is not part of the current transfer agreement "
                "(included base IDs: 903, 904).")
        # The god user may name any base; the organisation check still holds.
        refused({"initiatingOrganisationBaseIds": [903]}, "BAD_USER_INPUT",
                "The specified base (ID: 903) is not part of the current transfer agreement "
                "(included base IDs: 901, 902).", self.god)

    def test_create_duplicate_rule(self):
        existing = self.new_agreement(state="UnderReview", sources=(901, 902), targets=(903, 904),
                                      valid_from="2024-01-01 00:00:00")
        duplicate = f"An identical agreement already exists: ID {existing}"
        # Same organisations, bases within the existing ones, valid from later: a duplicate,
        # whichever side initiates (boxtribute compares organisations as a set).
        self.refused(CREATE, {"input": self.create()[0]}, "BAD_USER_INPUT", duplicate)
        variables, token = self.create(token=self.b, initiatingOrganisationId=902, partnerOrganisationId=901,
                                       initiatingOrganisationBaseIds=[903], partnerOrganisationBaseIds=[902])
        self.refused(CREATE, {"input": variables}, "BAD_USER_INPUT", duplicate, token)
        # Valid from before the existing agreement: not a duplicate.
        answer = self.field(CREATE, {"input": self.create(validFrom="2023-06-01")[0]})
        self.assertEqual(self.agreement_row(int(answer["id"]))["valid_from"], "2023-06-01 00:00:00")
        # A closed agreement does not count: cancelled, the same request goes through.
        self.refused(CREATE, {"input": self.create(validFrom="2025-01-01")[0]}, "BAD_USER_INPUT",
                     f"An identical agreement already exists: ID {existing}")
        self.db.sql("UPDATE transfer_agreement SET state = 'Canceled' WHERE source_organisation_id > 900")
        self.field(CREATE, {"input": self.create(validFrom="2025-01-01")[0]})

    def test_create_concurrent_identical_requests_create_one_agreement(self):
        """The uniqueness check and the insert run under the organisations' row locks: of 8
        identical requests at once, one creates the agreement, the others wait for it and
        find it."""
        variables = {"input": self.create(validFrom="2026-01-01")[0]}
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(lambda _: self.send(CREATE, variables), range(8)))
        created = [r for r in responses if not r.get("errors")]
        self.assertEqual(len(created), 1, responses)
        agreement = created[0]["data"]["createTransferAgreement"]["id"]
        # Each ran once: they waited for the lock in turn, none deadlocked and ran again (every
        # attempt's statements count), so each took what the same duplicate takes alone.
        alone = self.send(CREATE, variables)["extensions"]["debug"]["sqlStatements"]
        for r in responses:
            if r.get("errors"):
                self.assertEqual(r["errors"][0]["extensions"]["description"],
                                 f"An identical agreement already exists: ID {agreement}", r)
                self.assertEqual(r["extensions"]["debug"]["sqlStatements"], alone, r)
        self.assertEqual(self.db.scalar("SELECT COUNT(*) FROM transfer_agreement WHERE source_organisation_id = 901"), "1")

    def test_create_statements_do_not_depend_on_bases(self):
        counts = []
        for bases in ([901], [901, 902]):
            status, response, _ = harness.post(self.depot.url, {"query": CREATE, "variables": {
                "input": self.create(initiatingOrganisationBaseIds=bases, validFrom=f"202{len(bases)}-01-01")[0]}},
                self.a)
            self.assertNotIn("errors", response, response)
            counts.append(response["extensions"]["debug"]["sqlStatements"])
            self.db.sql("UPDATE transfer_agreement SET state = 'Canceled' WHERE source_organisation_id = 901")
        self.assertEqual(counts[0], counts[1], counts)

    def test_accept_and_create_shipment_statements_do_not_depend_on_bases(self):
        counts = {"accept": [], "shipment": []}
        for sources, targets in [((901,), (903,)), ((901, 902), (903, 904))]:
            agreement = self.new_agreement(state="UnderReview", sources=sources, targets=targets)
            for kind, text, variables, token in [
                    ("accept", FRONTEND_ACCEPT, {"id": str(agreement)}, self.b),
                    ("shipment", FRONTEND_SHIPMENT, {"sourceBaseId": 901, "targetBaseId": 903,
                                                     "transferAgreementId": agreement}, self.a)]:
                response = self.send(text, variables, token)
                self.assertNotIn("errors", response, response)
                counts[kind].append(response["extensions"]["debug"]["sqlStatements"])
            self.db.sql(f"UPDATE transfer_agreement SET state = 'Canceled' WHERE id = {agreement}")
        self.assertEqual(len(set(counts["accept"])), 1, counts)
        self.assertEqual(len(set(counts["shipment"])), 1, counts)

    def test_beta_level(self):
        """boxtribute's beta-level check, before anything runs: nothing written."""
        agreement = self.new_agreement(state="UnderReview")
        for text, variables in [(FRONTEND_CREATE, self.create()[0]), (FRONTEND_ACCEPT, {"id": str(agreement)}),
                                (FRONTEND_REJECT, {"id": str(agreement)}), (FRONTEND_CANCEL, {"id": str(agreement)}),
                                (FRONTEND_SHIPMENT, {"sourceBaseId": 901, "targetBaseId": 902})]:
            self.beta_refused(text, variables, self.beta1)

    # --- accept, reject, cancel -------------------------------------------------------------

    def test_accept_by_the_target_side(self):
        agreement = self.new_agreement(state="UnderReview")
        row = self.agreement_row(agreement)
        # The source side may not accept; a user lacking the permission neither.
        self.forbidden(FRONTEND_ACCEPT, {"id": str(agreement)}, "base=903", self.a)
        self.forbidden(FRONTEND_ACCEPT, {"id": str(agreement)}, "transfer_agreement:edit", self.reader)
        before = self.now()
        answer = self.field(FRONTEND_ACCEPT, {"id": str(agreement)}, self.b)
        after = self.now()
        accepted = self.agreement_row(agreement)
        self.assertTrue(before <= accepted["accepted_on"] <= after, accepted)
        # Only the state columns changed.
        self.assertEqual(accepted, dict(row, state="Accepted", accepted_on=accepted["accepted_on"], accepted_by=902))
        self.assertEqual(answer["state"], "Accepted")
        self.assertEqual(answer["acceptedBy"]["id"], "902")
        self.assertEqual(self.field(READ_AGREEMENT, {"id": str(agreement)}, self.a), answer)
        self.refused(FRONTEND_ACCEPT, {"id": str(agreement)}, "BAD_USER_INPUT",
                     "The state of the transfer agreement (Accepted) does not allow the requested action. "
                     "Expecting state: UnderReview", self.b)
        self.refused(FRONTEND_REJECT, {"id": str(agreement)}, "BAD_USER_INPUT",
                     "The state of the transfer agreement (Accepted) does not allow the requested action. "
                     "Expecting state: UnderReview", self.b)

    def test_unknown_agreement(self):
        for doc in (FRONTEND_ACCEPT, FRONTEND_REJECT, FRONTEND_CANCEL):
            self.refused(doc, {"id": "999999"}, "BAD_USER_INPUT", NOT_FOUND, self.b)
            self.refused(doc, {"id": "x1"}, "BAD_USER_INPUT", NOT_FOUND, self.b)

    def test_receiving_from_is_accepted_or_rejected_by_the_source_side(self):
        agreement = self.new_agreement(state="UnderReview", type_="ReceivingFrom", sources=(901,), targets=(903,))
        self.forbidden(FRONTEND_REJECT, {"id": str(agreement)}, "base=901", self.b)
        row = self.agreement_row(agreement)
        answer = self.field(FRONTEND_REJECT, {"id": str(agreement)}, self.a1)
        rejected = self.agreement_row(agreement)
        self.assertEqual(rejected, dict(row, state="Rejected", terminated_on=rejected["terminated_on"],
                                        terminated_by=904))
        self.assertEqual((answer["state"], answer["terminatedBy"]["id"]), ("Rejected", "904"))
        self.refused(FRONTEND_CANCEL, {"id": str(agreement)}, "BAD_USER_INPUT",
                     "The state of the transfer agreement (Rejected) does not allow the requested action. "
                     "Expecting state: UnderReview or Accepted", self.a1)

    def test_cancel_by_either_side_needs_all_its_bases(self):
        agreement = self.new_agreement(state="Accepted", sources=(901, 902), targets=(903,))
        # a1 is member of 901 only: not every source base, and no target base.
        self.forbidden(FRONTEND_CANCEL, {"id": str(agreement)}, "base=903", self.a1)
        row = self.agreement_row(agreement)
        answer = self.field(FRONTEND_CANCEL, {"id": str(agreement)}, self.b)
        canceled = self.agreement_row(agreement)
        self.assertEqual(canceled, dict(row, state="Canceled", terminated_on=canceled["terminated_on"],
                                        terminated_by=902))
        self.assertEqual(answer["state"], "Canceled")
        other = self.new_agreement(state="UnderReview", sources=(901, 902), targets=(903,))
        self.assertEqual(self.field(FRONTEND_CANCEL, {"id": str(other)}, self.a)["terminatedBy"]["id"], "901")
        god = self.new_agreement(state="UnderReview", sources=(901,), targets=(903,), valid_from="2024-02-01")
        self.assertEqual(self.field(FRONTEND_ACCEPT, {"id": str(god)}, self.god)["acceptedBy"]["id"], "903")

    def test_concurrent_accepts_have_one_winner(self):
        agreement = self.new_agreement(state="UnderReview")
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            responses = list(pool.map(lambda _: self.send(FRONTEND_ACCEPT, {"id": str(agreement)}, self.b), range(6)))
        winners = [r for r in responses if not r.get("errors")]
        self.assertEqual(len(winners), 1, responses)
        for r in responses:
            if r.get("errors"):
                self.assertIn("(Accepted) does not allow", r["errors"][0]["extensions"]["description"])
        self.assertEqual(self.agreement_row(agreement)["state"], "Accepted")

    # --- createShipment ------------------------------------------------------------------

    def test_create_shipment_under_an_agreement(self):
        agreement = self.new_agreement(state="Accepted")
        before = self.now()
        answer = self.field(FRONTEND_SHIPMENT, {"sourceBaseId": 901, "targetBaseId": 903,
                                                "transferAgreementId": agreement}, self.a)
        after = self.now()
        shipment = int(answer["id"])
        row = self.shipment_row(shipment)
        self.assertTrue(before <= row["started_on"] <= after, row)
        self.assertEqual(row, {"source_base_id": 901, "target_base_id": 903, "transfer_agreement_id": agreement,
                               "state": "Preparing", "started_on": row["started_on"], "started_by_id": 901,
                               "canceled_on": None, "sent_on": None, "receiving_started_on": None,
                               "completed_on": None})
        self.assertEqual((answer["state"], answer["details"], answer["transferAgreement"]["id"]),
                         ("Preparing", [], str(agreement)))
        # Both sides read the shipment as the mutation answered it, and the agreement lists it.
        for token in (self.a, self.b):
            self.assertEqual(self.field(READ_SHIPMENT, {"id": str(shipment)}, token), answer)
        self.assertEqual([s["id"] for s in self.field(READ_AGREEMENT, {"id": str(agreement)}, self.b)["shipments"]],
                         [str(shipment)])

    def test_create_shipment_refusals_change_nothing(self):
        agreement = self.new_agreement(state="Accepted")

        def refused(source, target, code, description, token=None, agreement_id=agreement):
            self.refused(CREATE_SHIPMENT, {"input": {"sourceBaseId": source, "targetBaseId": target,
                                                     "transferAgreementId": agreement_id}}, code, description, token)
        refused(901, 903, "FORBIDDEN", "You don't have access to 'shipment:create'", self.reader)
        refused(903, 901, "FORBIDDEN", "You don't have access to 'base=903'", self.a)
        refused(901, 903, "BAD_USER_INPUT", NOT_FOUND, agreement_id=999999)
        refused(902, 903, "BAD_USER_INPUT", "The specified base (ID: 902) is not part of the current transfer "
                "agreement (included base IDs: 901).")
        refused(901, 902, "BAD_USER_INPUT", "The specified base (ID: 902) is not part of the current transfer "
                "agreement (included base IDs: 903, 904).")
        # A SendingTo agreement does not carry shipments back.
        refused(903, 901, "BAD_USER_INPUT", "The specified base (ID: 903) is not part of the current transfer "
                "agreement (included base IDs: 901).", self.b)
        for state in ("UnderReview", "Rejected", "Canceled"):
            other = self.new_agreement(state=state, valid_from="2024-03-01")
            refused(901, 903, "BAD_USER_INPUT", f"The state of the transfer agreement ({state}) does not allow the "
                    "requested action. Expecting state: Accepted", agreement_id=other)
        expired = self.new_agreement(valid_until="2024-06-30 23:59:59", valid_from="2024-04-01")
        refused(901, 903, "BAD_USER_INPUT", "The state of the transfer agreement (Expired) does not allow the "
                "requested action. Expecting state: Accepted", agreement_id=expired)
        future = self.new_agreement(valid_from="2099-01-01 00:00:00")
        refused(901, 903, "BAD_USER_INPUT", "The transfer agreement is not valid before 2099-01-01T00:00:00+00:00.",
                agreement_id=future)
        # Within one organisation.
        refused(901, 901, "BAD_USER_INPUT", "Source and target base must not be identical", agreement_id=None)
        refused(901, 903, "BAD_USER_INPUT", "Source and target base must be of same organisation", agreement_id=None)
        refused(901, 999999, "BAD_USER_INPUT", NOT_FOUND, agreement_id=None)

    def test_create_shipment_bidirectional_and_within_one_organisation(self):
        agreement = self.new_agreement(state="Accepted", type_="Bidirectional", sources=(901,), targets=(903,))
        back = self.field(CREATE_SHIPMENT, {"input": {"sourceBaseId": 903, "targetBaseId": 901,
                                                      "transferAgreementId": agreement}}, self.b)
        self.assertEqual(self.shipment_row(int(back["id"]))["transfer_agreement_id"], agreement)
        intra = self.field(CREATE_SHIPMENT, {"input": {"sourceBaseId": 902, "targetBaseId": 901}}, self.a)
        row = self.shipment_row(int(intra["id"]))
        self.assertEqual((row["source_base_id"], row["target_base_id"], row["transfer_agreement_id"], row["state"]),
                         (902, 901, None, "Preparing"))
        self.assertEqual((intra["transferAgreement"], intra["sourceBase"], intra["targetBase"]),
                         (None, {"id": "902"}, {"id": "901"}))

    # --- locks -----------------------------------------------------------------------------

    def held(self, sql):
        """A transaction of another client that ran sql and stays open until release()."""
        client = subprocess.Popen(self.db.client() + ["--batch", "-N", "--unbuffered"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        client.stdin.write(f"BEGIN; {sql}; SELECT 'held';\n")
        client.stdin.flush()
        self.assertEqual(client.stdout.readline().strip(), "held")
        return client

    def release(self, client):
        client.stdin.write("COMMIT;\n")
        client.stdin.close()
        client.wait(timeout=30)
        client.stdout.close()

    def wait_for_lock_wait(self):
        """Until a transaction waits for a row lock (Depot's, for the held one's row)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if int(self.db.scalar("SELECT COUNT(*) FROM information_schema.INNODB_LOCK_WAITS")):
                return
            time.sleep(0.2)     # InnoDB refreshes INNODB_LOCK_WAITS only after 100 ms without a reader
        self.fail("no transaction waited for the held row")

    def test_create_shipment_waits_for_a_cancellation_under_way(self):
        """createShipment checks the agreement's state under the agreement row's lock: while
        another transaction cancels the agreement, it waits, then refuses (boxtribute's read
        without a lock sees the last committed Accepted and creates the shipment)."""
        agreement = self.new_agreement(state="Accepted")
        client = self.held(f"UPDATE transfer_agreement SET state = 'Canceled' WHERE id = {agreement}")
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = pool.submit(self.send, CREATE_SHIPMENT, {"input": {
                "sourceBaseId": 901, "targetBaseId": 903, "transferAgreementId": agreement}}, self.a)
            self.wait_for_lock_wait()
            self.release(client)
            response = pending.result()
        self.assertIn("errors", response, "the shipment was created under a cancelled agreement")
        self.assertEqual(response["errors"][0]["extensions"]["description"],
                         "The state of the transfer agreement (Canceled) does not allow the requested action. "
                         "Expecting state: Accepted", response)
        self.assertEqual(self.db.scalar(f"SELECT COUNT(*) FROM shipment WHERE transfer_agreement_id = {agreement}"), "0")

    def test_accept_waits_for_a_cancellation_under_way(self):
        """accept checks the state on the locked row, so it never overwrites a concurrent
        cancellation with Accepted."""
        agreement = self.new_agreement(state="UnderReview")
        client = self.held(f"UPDATE transfer_agreement SET state = 'Canceled', terminated_by = 901 WHERE id = {agreement}")
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = pool.submit(self.send, FRONTEND_ACCEPT, {"id": str(agreement)}, self.b)
            self.wait_for_lock_wait()
            self.release(client)
            response = pending.result()
        self.assertIn("errors", response, "the cancellation was overwritten")
        self.assertIn("(Canceled) does not allow", response["errors"][0]["extensions"]["description"], response)
        row = self.agreement_row(agreement)
        self.assertEqual((row["state"], row["accepted_by"], row["terminated_by"]), ("Canceled", None, 901))


AgreementsOnDepotDDL, AgreementsOnBoxtributeDump = on_each_data_set(AgreementCases, "Agreements")


if __name__ == "__main__":
    unittest.main()
