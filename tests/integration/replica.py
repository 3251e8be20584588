"""A primary and a read replica for the tests of Depot's replica reads: two private mariadbd with
replication, a primary (binary log, server-id 1) and a read-only replica (server-id 2) that
follows it by GTID over TCP, both with userstat on so that each server counts the SELECTs of
Depot's user alone (the test's own queries and the replication threads never blur the figure).
Licensed under the Apache License 2.0.
"""
import contextlib
import os
import time
import unittest

import harness

USER, PASSWORD = "depot", "depot-pw"


class Replication:
    """The two servers, and Depot's user created on the primary (it reaches the replica by
    replication, as everything written on the primary does)."""

    def __init__(self, folder, grants="SELECT, INSERT, UPDATE, DELETE", user=USER, password=PASSWORD):
        self.user, self.password = user, password
        common = ["--userstat=1"]
        self.primary = harness.MariaDB(os.path.join(folder, "primary"), port=harness.free_port(),
                                       args=common + ["--server-id=1", "--log-bin=primary-bin",
                                                      "--binlog-format=ROW"])
        self.replica = harness.MariaDB(os.path.join(folder, "replica"), port=harness.free_port(),
                                       args=common + ["--server-id=2", "--read-only=1"])
        self.primary.sql("CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-pw';"
                         " GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'", db=None)
        self.replica.sql(f"CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = {self.primary.port},"
                         " MASTER_USER = 'repl', MASTER_PASSWORD = 'repl-pw', MASTER_USE_GTID = slave_pos;"
                         " START SLAVE", db=None)
        self.primary.sql(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}';"
                         f" GRANT {grants} ON {self.primary.database}.* TO '{user}'@'%'", db=None)

    def depot_env(self, pool, **extra):
        """Depot's environment for both servers, as Depot's user, with a fixed pool of `pool`
        connections to each; extra adds or overrides variables."""
        env = {"MYSQL_USER": self.user, "MYSQL_PASSWORD": self.password,
               "MYSQL_REPLICA_HOST": "127.0.0.1", "MYSQL_REPLICA_PORT": str(self.replica.port),
               "DEPOT_DB_POOL": str(pool), "DEPOT_DB_POOL_MIN": str(pool), "DEPOT_DB_REPLICA_POOL": str(pool)}
        env.update(extra)
        return env

    def stop(self):
        self.replica.stop()
        self.primary.stop()

    def catch_up(self):
        """Wait until the replica has applied everything the primary has logged."""
        position = self.primary.scalar("SELECT @@gtid_binlog_pos")
        waited = self.replica.scalar(f"SELECT MASTER_GTID_WAIT('{position}', 60)")
        if waited != "0":
            raise AssertionError(f"the replica did not reach {position} in 60 s (MASTER_GTID_WAIT: {waited})")

    @contextlib.contextmanager
    def lagging(self):
        """The replica's SQL thread stopped for the block: what the primary writes meanwhile
        is not applied on the replica until the block ends."""
        self.replica.sql("STOP SLAVE SQL_THREAD", db=None)
        try:
            yield
        finally:
            self.replica.sql("START SLAVE SQL_THREAD", db=None)

    def selects(self, db):
        """SELECTs Depot's user ran on db (USER_STATISTICS: the test's own queries and the
        replication threads are not counted). Reading it is one SELECT of the test's."""
        value = db.scalar(f"SELECT SELECT_COMMANDS FROM information_schema.USER_STATISTICS WHERE USER = '{self.user}'")
        return int(value or 0)

    def selects_each(self):
        """(primary's, replica's) selects."""
        return self.selects(self.primary), self.selects(self.replica)

    def depot_connections(self, db):
        return int(db.scalar(f"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '{self.user}'"))

    def wait_replica_connections(self, pool, seconds=10):
        """Seconds until Depot's pool and its control connection to the replica are all up."""
        started = time.monotonic()
        while self.depot_connections(self.replica) < pool + 1:
            if time.monotonic() - started >= seconds:
                raise AssertionError(f"Depot did not connect to the replica in {seconds} s")
            time.sleep(0.05)
        return time.monotonic() - started


class ReplicaTestCase(unittest.TestCase):
    """Tests that share, for the class, a scratch folder, a Replication, keys and Depot (one
    process) reading both servers with a fixed pool of POOL connections. A subclass loads its
    rows on the primary in load() (before Depot starts) and adds Depot's variables in
    DEPOT_ENV."""

    POOL = 2
    GRANTS = "SELECT, INSERT, UPDATE, DELETE"
    DEPOT_ENV = {}

    @classmethod
    def load(cls):
        raise NotImplementedError("a ReplicaTestCase loads its own rows on cls.primary")

    @classmethod
    def setUpClass(cls):
        cls.scratch = harness.Scratch()
        folder = cls.scratch.path
        cls.servers = Replication(folder, grants=cls.GRANTS)
        cls.primary, cls.replica = cls.servers.primary, cls.servers.replica
        cls.load()
        cls.keys = harness.Keys(folder)
        cls.depot = harness.Depot(cls.primary, cls.keys, folder, form="one",
                                  extra_env=cls.servers.depot_env(cls.POOL, **cls.DEPOT_ENV))

    @classmethod
    def tearDownClass(cls):
        codes = cls.depot.stop()
        cls.servers.stop()
        cls.scratch.remove()
        assert codes == [0], codes
