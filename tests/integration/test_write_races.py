"""Issue 14's concurrency proof: 32 clients write the same 10 boxes at once, and what they
leave behind is checked by SQL against what each client was told.

The boxes, locations and tags are rows the test writes into boxtribute's dump. The clients,
each a thread sending one mutation after another with the front-end's documents:
- 12 take items out of the boxes with createBoxFromBox (nobody else sets numberOfItems);
- 6 own the location of some boxes: 3 move theirs with updateBox (UpdateLocationOfBox),
  3 with moveBoxesToLocation, among four locations, one of which makes a box Donated;
- 6 own the comment of some boxes and set it with updateBox, every text unique;
- 8 own one tag each and assign it to, or unassign it from, a random few of the boxes.
So every comment, location and tag relation has one writer, whose last acknowledged write
must be what the database holds, and the items of a source box and of the boxes made from it
add up to its start at every moment. An answer is either the mutation's result or, after
Depot's three attempts, DATABASE_BUSY (counted); anything else (an HTTP error, another
GraphQL error, no answer within a minute) fails the test.

Afterwards, by SQL: items conserved per source box and no box below zero (also sampled while
the clients run); each box's last acknowledged comment, location and tags there; the history
rows of each owner's field exactly its acknowledged changes, in its order, and each source's
items rows exactly the acknowledged takes; replaying each box's history rows (boxtribute's
encodings: `items`, `location_id`, `box_state_id` with from_int/to_int, `comments changed from
"a" to "b";`, "Record created") from its start gives its final items, location, state and
comment, every row's old value being the value before it; a tag relation per assignment and
one removal per unassignment; every deadlock MariaDB counted was retried or reported.

More races, made to happen by a session of the test's own holding a row: a tag deleted while
updateBox or createBox gives it to a box leaves no live relation of the deleted tag; a
createBoxFromBox, moveBoxesToLocation or createBoxes merge that waited for its box behind
another write answers the box's history with that write's row.
Licensed under the Apache License 2.0.
"""
import os
import random
import re
import subprocess
import sys
import threading
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DUMP = os.path.join(harness.SHARED, "data", "boxtribute-init.sql")
SEED = int(os.environ.get("DEPOT_RACE_SEED", "14"))
ROUNDS = int(os.environ.get("DEPOT_RACE_ROUNDS", "16"))     # requests per client
START_ITEMS = [0, 1, 2, 4, 6, 9, 12, 20, 60, 200]            # so some boxes run out
LOCATION_OWNERS = [("update", [0, 1]), ("update", [2, 3]), ("update", [4]),
                   ("move", [5, 6]), ("move", [7, 8]), ("move", [9])]
COMMENT_OWNERS = [[0, 1], [2, 3], [4, 5], [6, 7], [8], [9]]
TAKERS, TAG_OWNERS = 12, 8
DONATED, IN_STOCK = 5, 1

COMMENT = """mutation UpdateComment($boxLabelIdentifier: String!, $comment: String) {
  updateBox(updateInput: {labelIdentifier: $boxLabelIdentifier, comment: $comment}) {
    labelIdentifier comment lastModifiedOn } }"""
COMMENT_ROW = re.compile(r'^comments changed from "(.*)" to "(.*)";$', re.S)


def permissions(base):
    return [f"base_{base}/{r}:read" for r in harness.RESOURCES] + [
        f"base_{base}/stock:write", f"base_{base}/tag_relation:assign", f"base_{base}/tag:write"]


class HeldLock:
    """A MariaDB session of the test's own that holds a lock until released: it stands for a
    writer that is slow to commit, so a mutation waits at a chosen statement."""

    def __init__(self, db, statement):
        self.process = subprocess.Popen(db.client() + ["--batch", "-N", "--unbuffered"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        self.process.stdin.write(f"START TRANSACTION; {statement}; SELECT 'locked';\n")
        self.process.stdin.flush()
        while self.process.stdout.readline().strip() != "locked":
            pass

    def release(self):
        self.process.stdin.write("ROLLBACK;\n")
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.process.stdout.close()


class Ledger:
    """What the clients were told, shared by their threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failures = []          # answers that are neither a result nor DATABASE_BUSY
        self.busy = 0               # DATABASE_BUSY answers
        self.answers = 0
        self.takes = []             # (source index, number, new label, items left) per created box
        self.refused_takes = 0      # InvalidNumberOfItemsError answers

    def fail(self, what):
        with self.lock:
            self.failures.append(what)


@unittest.skipUnless(os.path.exists(DUMP), f"{DUMP} is absent: boxtribute's dump is not available here")
class WriteRaces(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        cls.db = harness.MariaDB(cls.scratch.path)
        db = cls.db
        db.load_file(DUMP)
        harness.load_depot_tables(db)
        base = 1
        cls.user = 8
        product = int(db.scalar("SELECT MIN(p.id) FROM products p WHERE p.camp_id = 1 AND p.deleted IS NULL "
                                "AND EXISTS (SELECT 1 FROM sizes_sizegroup ss WHERE ss.sizegroup_id = p.sizegroup_id)"))
        size = int(db.scalar(f"SELECT MIN(ss.size_id) FROM sizes_sizegroup ss JOIN products p "
                             f"ON p.sizegroup_id = ss.sizegroup_id WHERE p.id = {product}"))
        cls.product, cls.size = product, size
        cls.locations = {}
        for name, state in [("Race A", IN_STOCK), ("Race B", IN_STOCK), ("Race Donated", DONATED),
                            ("Race C", IN_STOCK), ("Race Target", IN_STOCK)]:
            db.sql(f"INSERT INTO locations (label, camp_id, type, box_state_id, seq) VALUES "
                   f"('{name}', {base}, 'Warehouse', {state}, 1)")
            cls.locations[int(db.scalar(f"SELECT id FROM locations WHERE label = '{name}'"))] = state
        ids = sorted(cls.locations)
        cls.owned_locations, cls.target = ids[:4], ids[4]
        db.sql("INSERT INTO tags (label, color, camp_id, type, description, created) VALUES " + ", ".join(
            f"('race {k}', '#aabbcc', {base}, 'Stock', '', '2024-01-01 00:00:00')" for k in range(TAG_OWNERS)))
        cls.tags = [int(r[0]) for r in db.sql("SELECT id FROM tags WHERE label LIKE 'race %' ORDER BY id")]
        cls.labels = [f"9914{i:04d}" for i in range(len(START_ITEMS))]
        db.sql("INSERT INTO stock (box_id, product_id, size_id, items, location_id, box_state_id, comments, "
               "created, created_by, modified, modified_by, deleted) VALUES " + ", ".join(
                   f"('{label}', {product}, {size}, {items}, {cls.owned_locations[0]}, {IN_STOCK}, 'start', "
                   f"'2024-05-06 07:08:09', {cls.user}, '2024-05-06 07:08:09', {cls.user}, 0)"
                   for label, items in zip(cls.labels, START_ITEMS)))
        cls.ids = [int(db.scalar(f"SELECT id FROM stock WHERE box_id = '{label}'")) for label in cls.labels]
        cls.keys = harness.Keys(cls.scratch.path)
        cls.token = cls.keys.token(sub=f"auth0|{cls.user}", permissions=permissions(base))
        cls.depot = harness.Depot(db, cls.keys, cls.scratch.path, form="one")

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.db.stop()
        cls.scratch.remove()
        assert codes == [0], f"depot did not exit cleanly on SIGTERM: {codes}"

    # -- the clients ------------------------------------------------------------------------

    def send(self, ledger, what, document, variables):
        """One mutation; its field's value, or None when it was DATABASE_BUSY or failed."""
        try:
            status, body, _ = harness.post(self.depot.url, {"query": document, "variables": variables},
                                           self.token, timeout=60)
        except OSError as e:        # a timeout included: a hang
            ledger.fail(f"{what}: no answer ({e})")
            return None
        with ledger.lock:
            ledger.answers += 1
        errors = (body or {}).get("errors")
        if status != 200 or body is None:
            ledger.fail(f"{what}: HTTP {status} {body}")
            return None
        if errors:
            if all((e.get("extensions") or {}).get("code") == "DATABASE_BUSY" for e in errors) \
                    and list(body["data"].values()) == [None]:
                with ledger.lock:
                    ledger.busy += 1
            else:
                ledger.fail(f"{what}: {errors}")
            return None
        return next(iter(body["data"].values()))

    def taker(self, ledger, rng, client):
        document = harness.read_query("mutations/CreateBoxFromBox.graphql")
        for _ in range(ROUNDS):
            source, number = rng.randrange(len(self.labels)), rng.randint(1, 3)
            result = self.send(ledger, f"taker {client}", document, {
                "sourceBoxLabelIdentifier": self.labels[source], "numberOfItems": number,
                "locationId": self.target})
            if result is None:
                continue
            if result["__typename"] == "Box":
                if (result["numberOfItems"], result["location"]["id"]) != (number, str(self.target)):
                    ledger.fail(f"taker {client}: {result}")
                with ledger.lock:
                    ledger.takes.append((source, number, result["labelIdentifier"],
                                         result["sourceBox"]["numberOfItems"]))
            elif result["__typename"] == "InvalidNumberOfItemsError":
                with ledger.lock:
                    ledger.refused_takes += 1
            else:
                ledger.fail(f"taker {client}: {result}")

    def location_owner(self, ledger, rng, client, how, boxes, acknowledged):
        update = harness.read_query("mutations/UpdateLocationOfBox.graphql")
        move = harness.read_query("mutations/MoveBoxesToLocation.graphql")
        for _ in range(ROUNDS):
            location = rng.choice(self.owned_locations)
            if how == "update":
                box = rng.choice(boxes)
                result = self.send(ledger, f"location owner {client}", update, {
                    "boxLabelIdentifier": self.labels[box], "newLocationId": location})
                if result is None:
                    continue
                if result["location"]["id"] != str(location):
                    ledger.fail(f"location owner {client}: {result}")
                acknowledged[box].append(location)
                continue
            chosen = sorted(rng.sample(boxes, rng.randint(1, len(boxes))))
            result = self.send(ledger, f"location owner {client}", move, {
                "labelIdentifiers": [self.labels[b] for b in chosen], "locationId": location})
            if result is None:
                continue
            if result["__typename"] != "BoxesResult" or any(
                    box["location"]["id"] != str(location) for box in result["updatedBoxes"]):
                ledger.fail(f"location owner {client}: {result}")
                continue
            for box in chosen:
                acknowledged[box].append(location)

    def comment_owner(self, ledger, rng, client, boxes, acknowledged):
        for round_ in range(ROUNDS):
            box = rng.choice(boxes)
            text = f"client {client} round {round_}"
            result = self.send(ledger, f"comment owner {client}", COMMENT,
                               {"boxLabelIdentifier": self.labels[box], "comment": text})
            if result is None:
                continue
            if result["comment"] != text:
                ledger.fail(f"comment owner {client}: {result}")
            acknowledged[box].append(text)

    def tag_owner(self, ledger, rng, client, acknowledged):
        assign = harness.read_query("mutations/AssignTagsToBoxes.graphql")
        unassign = harness.read_query("mutations/UnassignTagsFromBoxes.graphql")
        for _ in range(ROUNDS):
            on = rng.random() < 0.6
            chosen = sorted(rng.sample(range(len(self.labels)), rng.randint(1, 4)))
            result = self.send(ledger, f"tag owner {client}", assign if on else unassign, {
                "labelIdentifiers": [self.labels[b] for b in chosen], "tagIds": [self.tags[client]]})
            if result is not None:
                for box in chosen:
                    acknowledged[box].append(on)

    def run_clients(self):
        n = len(self.labels)
        ledger = Ledger()
        locations = [[] for _ in range(n)]
        comments = [[] for _ in range(n)]
        tags = [[[] for _ in range(n)] for _ in range(TAG_OWNERS)]
        jobs = [lambda rng, c=c: self.taker(ledger, rng, c) for c in range(TAKERS)]
        jobs += [lambda rng, c=c, how=how, boxes=boxes: self.location_owner(ledger, rng, c, how, boxes, locations)
                 for c, (how, boxes) in enumerate(LOCATION_OWNERS)]
        jobs += [lambda rng, c=c, boxes=boxes: self.comment_owner(ledger, rng, c, boxes, comments)
                 for c, boxes in enumerate(COMMENT_OWNERS)]
        jobs += [lambda rng, c=c: self.tag_owner(ledger, rng, c, tags[c]) for c in range(TAG_OWNERS)]
        self.assertEqual(len(jobs), 32)
        stop = threading.Event()
        samples = []
        sampler = threading.Thread(target=self.sample_conservation, args=(stop, samples))
        sampler.start()
        try:
            with ThreadPoolExecutor(len(jobs)) as pool:
                futures = [pool.submit(job, random.Random(SEED * 1000 + i)) for i, job in enumerate(jobs)]
                for future in futures:
                    future.result()
        finally:
            stop.set()
            sampler.join()
        return ledger, locations, comments, tags, samples

    # -- checks -----------------------------------------------------------------------------

    def conservation(self):
        """Per source box: its items plus those of the boxes made from it; the least items of any."""
        ids = ",".join(str(i) for i in self.ids)
        rows = self.db.sql(f"SELECT s.id, s.items + COALESCE((SELECT SUM(c.items) FROM stock c "
                           f"WHERE c.source_box_id = s.id), 0), LEAST(s.items, COALESCE((SELECT MIN(c.items) "
                           f"FROM stock c WHERE c.source_box_id = s.id), s.items)) FROM stock s WHERE s.id IN ({ids})")
        return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}

    def sample_conservation(self, stop, samples):
        """While the clients run: one consistent read (a single statement) after another."""
        while not stop.is_set():
            samples.append(self.conservation())
            time.sleep(0.2)

    def box_rows(self):
        """id -> (items, location, state, comments, source id) of the test's boxes and their children."""
        ids = ",".join(str(i) for i in self.ids)
        rows = self.db.sql(f"SELECT id, items, location_id, box_state_id, comments, source_box_id FROM stock "
                           f"WHERE id IN ({ids}) OR source_box_id IN ({ids})")
        return {int(r[0]): (int(r[1]), int(r[2]), int(r[3]), r[4], None if r[5] is None else int(r[5]))
                for r in rows}

    def replay(self, rows):
        """Each box's history rows in id order, from its start: the values they lead to, and every
        row whose old value is not the value before it. Rows of one box are written under its row
        lock, so their ids follow its commits; a created box starts where boxtribute's history
        says, in its source's location at that moment with 0 items."""
        ids = ",".join(str(i) for i in rows)
        history = self.db.sql(f"SELECT id, record_id, changes, from_int, to_int FROM history "
                              f"WHERE tablename = 'stock' AND record_id IN ({ids}) ORDER BY id")
        state = {box_id: {"items": items, "location_id": self.owned_locations[0], "box_state_id": IN_STOCK,
                          "comments": "start"}
                 for box_id, items in zip(self.ids, START_ITEMS)}
        breaks = []
        for row_id, record, changes, from_int, to_int in history:
            record = int(record)
            if changes == "Record created":
                source = state[rows[record][4]]
                state[record] = {"items": 0, "location_id": source["location_id"],
                                 "box_state_id": self.locations[source["location_id"]], "comments": ""}
                continue
            match = COMMENT_ROW.match(changes)
            field, old, new = ("comments", match.group(1), match.group(2)) if match else \
                (changes, int(from_int), int(to_int))
            if field not in ("items", "location_id", "box_state_id", "comments"):
                breaks.append((row_id, record, f"unexpected history row {changes!r}"))
                continue
            if state[record][field] != old:
                breaks.append((row_id, record, f"{field} from {old!r} while it was {state[record][field]!r}"))
            state[record][field] = new
        return state, breaks

    def test_32_clients_on_10_boxes(self):
        deadlocks_before = self.db.status("Innodb_deadlocks")
        started = time.time()
        ledger, locations, comments, tags, samples = self.run_clients()
        elapsed = time.time() - started
        deadlocks = self.db.status("Innodb_deadlocks") - deadlocks_before
        with open(os.path.join(self.scratch.path, "depot.log"), errors="replace") as log:
            retries = sum("conflicted; attempt" in line for line in log)
        print(f"\n{ledger.answers} answers in {elapsed:.1f} s: {len(ledger.takes)} boxes made, "
              f"{ledger.refused_takes} takes refused, {ledger.busy} DATABASE_BUSY, {retries} retries, "
              f"{deadlocks} deadlocks, {len(samples)} samples", flush=True)

        self.assertEqual(ledger.failures, [], "answers that are neither a result nor DATABASE_BUSY")
        self.assertEqual(ledger.answers, 32 * ROUNDS)
        # Every deadlock's victim was a field of Depot's: run again (a retry) or answered busy.
        self.assertLessEqual(deadlocks, retries + ledger.busy)

        # createBoxFromBox conserved items, at every sample and at the end
        start = dict(zip(self.ids, START_ITEMS))
        for sample in samples + [self.conservation()]:
            self.assertEqual({box_id: total for box_id, (total, _) in sample.items()}, start)
            self.assertGreaterEqual(min(least for _, least in sample.values()), 0)
        rows = self.box_rows()
        for index, box_id in enumerate(self.ids):
            takes = [(number, label) for source, number, label, _ in ledger.takes if source == index]
            children = {r[0]: r for r in self.db.sql(f"SELECT box_id, items FROM stock WHERE source_box_id = {box_id}")}
            self.assertEqual(sorted(children), sorted(label for _, label in takes), f"boxes made from {box_id}")
            for number, label in takes:
                self.assertEqual(int(children[label][1]), number, label)
            self.assertEqual(rows[box_id][0], START_ITEMS[index] - sum(number for number, _ in takes))
            # each answer read its source inside its transaction: the takes, by the items each
            # left, step down from the start one after another
            left = START_ITEMS[index]
            for number, _, items_left in sorted(((n, label, after) for source, n, label, after in ledger.takes
                                                 if source == index), key=lambda take: -take[2]):
                self.assertEqual(items_left, left - number, f"takes from box {box_id}")
                left = items_left

        # no lost update: each owner's last acknowledged write is there
        for index, box_id in enumerate(self.ids):
            items, location, state, comment, _ = rows[box_id]
            self.assertEqual(location, locations[index][-1] if locations[index] else self.owned_locations[0])
            self.assertEqual(state, self.locations[location])
            self.assertEqual(comment, comments[index][-1] if comments[index] else "start")
            for k, tag in enumerate(self.tags):
                relations = self.db.sql(f"SELECT deleted_on IS NULL FROM tags_relations WHERE object_type = 'Stock' "
                                        f"AND object_id = {box_id} AND tag_id = {tag} ORDER BY id")
                # one relation per assignment that added the tag, each but a live last one removed
                presence, added = False, 0
                for on in tags[k][index]:
                    added += on and not presence
                    presence = on
                self.assertEqual([r[0] for r in relations], ["0"] * (added - presence) + ["1"] * presence,
                                 f"box {box_id}, tag {tag}: {tags[k][index]}")

        # the history of each owner's field is exactly its acknowledged changes, in order
        def changes(box_id, field):
            return [tuple(int(v) for v in r) for r in self.db.sql(
                f"SELECT from_int, to_int FROM history WHERE tablename = 'stock' AND record_id = {box_id} "
                f"AND changes = '{field}' ORDER BY id")]
        for index, box_id in enumerate(self.ids):
            expected, current = [], self.owned_locations[0]
            for location in locations[index]:
                if location != current:
                    expected.append((current, location))
                current = location
            self.assertEqual(changes(box_id, "location_id"), expected, f"locations of box {box_id}")
            texts = [r[0] for r in self.db.sql(f"SELECT changes FROM history WHERE tablename = 'stock' AND "
                                               f"record_id = {box_id} AND changes LIKE 'comments %' ORDER BY id")]
            self.assertEqual(texts, [f'comments changed from "{a}" to "{b}";'
                                     for a, b in zip(["start"] + comments[index], comments[index])])
            taken = sorted(a - b for a, b in changes(box_id, "items"))
            self.assertEqual(taken, sorted(number for source, number, _, _ in ledger.takes if source == index))

        # replaying the history gives the final rows
        replayed, breaks = self.replay(rows)
        self.assertEqual(breaks, [])
        self.assertEqual(set(replayed), set(rows))
        for box_id, (items, location, state, comment, _) in rows.items():
            self.assertEqual(replayed[box_id], {"items": items, "location_id": location, "box_state_id": state,
                                                "comments": comment}, f"box {box_id}")

    # -- a tag deleted while a box takes it -------------------------------------------------

    def waiting_transactions(self):
        return int(self.db.scalar("SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'"))

    def wait_until(self, condition, what):
        # InnoDB refreshes INNODB_TRX only after 100 ms without a reader: polled faster, it
        # kept showing the first waiting transaction and never the second.
        deadline = time.time() + 60
        while not condition():
            self.assertLess(time.time(), deadline, f"waited a minute for {what}")
            time.sleep(0.2)

    def tag_deleted_meanwhile(self, name, document, variables, hold):
        """document gives a box the new tag T while deleteTag(T) runs. The test's own session
        holds a row the mutation locks after it has read T (hold(T), a statement), so it waits
        there; deleteTag is sent then, and the held row released once deleteTag has answered or
        waits too. Whichever commits first, no live relation of the deleted tag may remain: the
        mutation must either see T deleted or be seen by deleteTag."""
        self.db.sql(f"INSERT INTO tags (label, color, camp_id, type, description, created) VALUES "
                    f"('{name}', '#aabbcc', 1, 'Stock', '', '2024-01-01 00:00:00')")
        tag = int(self.db.scalar(f"SELECT id FROM tags WHERE label = '{name}'"))
        held = HeldLock(self.db, hold)
        answers = {}

        def send(key, text, values):
            answers[key] = harness.post(self.depot.url, {"query": text, "variables": values}, self.token, timeout=60)
        try:
            writer = threading.Thread(target=send, args=("writer", document, dict(variables, tagIds=[tag])))
            writer.start()
            self.wait_until(lambda: self.waiting_transactions() >= 1, "the mutation to wait for the held row")
            deleter = threading.Thread(target=send, args=(
                "deleteTag", "mutation ($id: ID!) { deleteTag(id: $id) { __typename ... on Tag { id } } }",
                {"id": str(tag)}))
            deleter.start()
            self.wait_until(lambda: "deleteTag" in answers or self.waiting_transactions() >= 2,
                            "deleteTag to finish or wait")
        finally:
            held.release()
        writer.join()
        deleter.join()
        for key, (status, body, _) in answers.items():
            self.assertEqual((status, body.get("errors")), (200, None), f"{key}: {body}")
        self.assertEqual(answers["deleteTag"][1]["data"]["deleteTag"], {"__typename": "Tag", "id": str(tag)})
        self.assertNotIn(self.db.scalar(f"SELECT deleted FROM tags WHERE id = {tag}"), (None, "0000-00-00 00:00:00"))
        self.assertEqual(self.db.sql(f"SELECT object_id FROM tags_relations WHERE tag_id = {tag} "
                                     f"AND deleted_on IS NULL"), [], "a live relation of a deleted tag")

    def test_tag_deleted_while_update_box_assigns_it(self):
        """updateBox (BoxEdit's form) waits at its lock of the box's relations, held on the
        relation to another tag."""
        self.db.sql(f"INSERT INTO stock (box_id, product_id, size_id, items, location_id, box_state_id, created, "
                    f"created_by, modified, modified_by, deleted) VALUES ('99149901', {self.product}, {self.size}, 1, "
                    f"{self.owned_locations[1]}, {IN_STOCK}, NOW(), {self.user}, NOW(), {self.user}, 0)")
        box = int(self.db.scalar("SELECT id FROM stock WHERE box_id = '99149901'"))
        self.db.sql(f"INSERT INTO tags_relations (object_id, object_type, tag_id, created_on, created_by_id) "
                    f"VALUES ({box}, 'Stock', {self.tags[0]}, NOW(), {self.user})")
        relation = int(self.db.scalar(f"SELECT id FROM tags_relations WHERE object_id = {box} AND object_type = 'Stock'"))
        self.tag_deleted_meanwhile("race deleted 1", harness.read_query("mutations/UpdateContentOfBox.graphql"), {
            "boxLabelIdentifier": "99149901", "productId": self.product, "locationId": self.owned_locations[1],
            "numberOfItems": 2, "sizeId": self.size, "comment": "", "newTagNames": []},
            f"SELECT id FROM tags_relations WHERE id = {relation} FOR UPDATE")

    def test_tag_deleted_while_create_box_assigns_it(self):
        """createBox (BoxCreate's form) waits at its INSERT, whose foreign key check reads the
        location, held."""
        location = self.owned_locations[3]
        self.tag_deleted_meanwhile("race deleted 2", harness.read_query("mutations/CreateBox.graphql"), {
            "locationId": location, "productId": self.product, "sizeId": self.size,
            "numberOfItems": 1, "comment": "", "newTagNames": [], "qrCode": None},
            f"SELECT id FROM locations WHERE id = {location} FOR UPDATE")
    # -- an answer read as the lock found the rows -----------------------------------------

    def answered_after_lock(self, label, document, variables, source_box):
        """document waits for box label's lock behind an updateBox of its comment; its answer
        is read in its transaction after the lock, so the box's history in it (source_box
        picks it from the field's value) shows every row committed before the field's own (a
        snapshot taken before the wait would miss the comment's row)."""
        self.db.sql(f"INSERT INTO stock (box_id, product_id, size_id, items, location_id, box_state_id, created, "
                    f"created_by, modified, modified_by, deleted) VALUES ('{label}', {self.product}, {self.size}, 10, "
                    f"{self.owned_locations[1]}, {IN_STOCK}, NOW(), {self.user}, NOW(), {self.user}, 0)")
        box = int(self.db.scalar(f"SELECT id FROM stock WHERE box_id = '{label}'"))
        held = HeldLock(self.db, f"SELECT id FROM stock WHERE id = {box} FOR UPDATE")
        answers = {}

        def send(key, text, values):
            answers[key] = harness.post(self.depot.url, {"query": text, "variables": values}, self.token, timeout=60)
        threads = [threading.Thread(target=send, args=("comment", COMMENT, {
                       "boxLabelIdentifier": label, "comment": "while waiting"})),
                   threading.Thread(target=send, args=("field", document, variables))]
        try:
            for waiting, thread in enumerate(threads, start=1):
                thread.start()
                self.wait_until(lambda: self.waiting_transactions() >= waiting, "the mutations to wait for the box")
        finally:
            held.release()
        for thread in threads:
            thread.join()
        for key, (status, body, _) in answers.items():
            self.assertEqual((status, body.get("errors")), (200, None), f"{key}: {body}")
        shown = sorted(int(entry["id"]) for entry in source_box(answers["field"][1]["data"])["history"]
                       if entry["id"].isdigit())
        stored = [int(r[0]) for r in self.db.sql(f"SELECT id FROM history WHERE tablename = 'stock' "
                                                 f"AND record_id = {box} ORDER BY id")]
        self.assertEqual(len(stored), 2, stored)    # the comment's row and the field's
        self.assertEqual(shown, [i for i in stored if i <= max(shown)])

    def test_create_box_from_box_answers_what_its_lock_found(self):
        """BoxView's document: the source's history in createBoxFromBox's answer."""
        self.answered_after_lock("99149902", harness.read_query("mutations/CreateBoxFromBox.graphql"), {
            "sourceBoxLabelIdentifier": "99149902", "numberOfItems": 2, "locationId": self.owned_locations[1]},
            lambda data: data["createBoxFromBox"]["sourceBox"])

    def test_move_boxes_answers_what_its_lock_found(self):
        """A document asking the moved box's history."""
        self.answered_after_lock("99149903", """mutation ($labels: [String!]!, $location: Int!) {
              moveBoxesToLocation(updateInput: {labelIdentifiers: $labels, locationId: $location}) {
                ... on BoxesResult { updatedBoxes { history { id } } } } }""",
            {"labels": ["99149903"], "location": self.owned_locations[3]},
            lambda data: data["moveBoxesToLocation"]["updatedBoxes"][0])

    def test_create_boxes_answers_what_its_lock_found(self):
        """A bulk import's row merged into a box, the document asking its history."""
        size_name = self.db.scalar(f"SELECT label FROM sizes WHERE id = {self.size}")
        self.answered_after_lock("99149904", """mutation ($rows: [BoxBulkCreationInput!]) {
              createBoxes(creationInput: $rows) { ... on BoxesResult { updatedBoxes { history { id } } } } }""",
            {"rows": [{"productId": self.product, "sizeName": size_name, "numberOfItems": 3,
                       "locationId": self.owned_locations[1], "boxLabelIdentifierForMerge": "99149904"}]},
            lambda data: data["createBoxes"]["updatedBoxes"][0])

if __name__ == "__main__":
    unittest.main()
