"""depot-delay-proxy (bench/delay_proxy.c), which puts MariaDB "10 ms away" for P4 and
test_db_pool: over real loopback sockets, every byte arrives, in order, no sooner than the delay
each way; what a side sent before it closed is delivered before the other side sees the close
(a server that answers a half-closed request, then hangs up); and an idle proxy with
connections half or wholly closed uses no CPU (no busy loop on a socket at its end).
Licensed under the Apache License 2.0.
"""
import os
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ONE_WAY_MS = 5


def read_all(sock):
    data = bytearray()
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            return bytes(data)
        data += chunk


class DelayProxy(unittest.TestCase):
    def setUp(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = harness.free_port()
        self.proxy = subprocess.Popen([harness.binary("bench", "depot-delay-proxy"), str(self.port),
                                       str(self.server.getsockname()[1]), str(ONE_WAY_MS)],
                                      stdout=subprocess.PIPE)
        self.assertEqual(self.proxy.stdout.readline().strip(), b"ready")

    def tearDown(self):
        self.proxy.kill()
        self.proxy.wait()
        self.server.close()

    def connect(self):
        client = socket.create_connection(("127.0.0.1", self.port))
        upstream, _ = self.server.accept()
        return client, upstream

    def test_a_round_trip_is_delayed_both_ways(self):
        client, upstream = self.connect()
        for _ in range(5):
            start = time.monotonic()
            client.sendall(b"ping")
            self.assertEqual(upstream.recv(16), b"ping")
            upstream.sendall(b"pong")
            self.assertEqual(client.recv(16), b"pong")
            self.assertGreaterEqual((time.monotonic() - start) * 1000, 2 * ONE_WAY_MS)
        client.close()
        upstream.close()

    def test_an_answer_to_a_half_closed_request_arrives_whole(self):
        for size in (1, 70000, 3000000):
            payload = os.urandom(size)
            client, upstream = self.connect()
            answerer = threading.Thread(target=lambda: (upstream.sendall(read_all(upstream)[::-1] * 2),
                                                        upstream.close()))
            answerer.start()
            client.sendall(payload)
            client.shutdown(socket.SHUT_WR)
            self.assertEqual(read_all(client), payload[::-1] * 2, size)
            answerer.join()
            client.close()

    def test_no_busy_loop_on_closed_sockets(self):
        client, upstream = self.connect()
        client.sendall(b"x")
        self.assertEqual(upstream.recv(16), b"x")
        upstream.close()                # one side gone, the other still open
        time.sleep(0.2)
        before = harness.cpu_seconds(self.proxy.pid)
        time.sleep(1)
        self.assertLessEqual(harness.cpu_seconds(self.proxy.pid) - before, 0.05)     # of 1 s a second
        client.close()                  # both gone
        time.sleep(0.2)
        before = harness.cpu_seconds(self.proxy.pid)
        time.sleep(1)
        self.assertLessEqual(harness.cpu_seconds(self.proxy.pid) - before, 0.05)


if __name__ == "__main__":
    unittest.main(verbosity=2)
