"""Fault injection (faults.py): which requests a rule hits, and each kind of
bad answer: error statuses, resets before and during the body, truncated,
corrupt and HTML bodies, slow drips, connections that never answer, ghost
pages, stalled positions, invalid cursors."""

import http.client
import json
import socket
import time
import urllib.parse

from simcase import BASIC, EXPORT, SimulatorCase, decode_cursor, path_of

TIME = "/api/v2/incremental/tickets.json"


class FaultCase(SimulatorCase):
    tickets = 120

    def fault(self, **spec):
        body = self.control("POST", "/_sim/faults", spec)
        self.addCleanup(self.request, "DELETE", "/_sim/faults")
        return body["id"]

    def raw(self, path, gzip=False, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Authorization": BASIC}
        if gzip:
            headers["Accept-Encoding"] = "gzip"
        conn.request("GET", path, headers=headers)
        return conn, conn.getresponse()


class TestAnswers(FaultCase):

    def test_presets(self):
        self.fault(endpoint="exports", kind="rate_limit", retry_after=7, count=1)
        resp, body = self.get_json(EXPORT + "?start_time=0")
        self.assertEqual((resp.status, body["error"], resp.getheader("Retry-After")),
                         (429, "APIRateLimitExceeded", "7"))
        self.fault(endpoint="exports", kind="account_rate_limit", count=1)
        resp, body = self.get_json(EXPORT + "?start_time=0")
        self.assertEqual((resp.status, body), (429, "Number of allowed API requests per minute exceeded"))
        self.fault(endpoint="exports", kind="server_error", status=503, retry_after=3, count=1)
        resp, body = self.get_json(EXPORT + "?start_time=0")
        self.assertEqual((resp.status, resp.getheader("Retry-After")), (503, "3"))
        self.fault(endpoint="exports", kind="server_error", status=503, count=1)
        resp, _ = self.get_json(EXPORT + "?start_time=0")
        self.assertEqual((resp.status, resp.getheader("Retry-After")), (503, None))
        self.fault(endpoint="exports", kind="server_error", status=502, count=1)
        resp, body = self.get_json(EXPORT + "?start_time=0")
        self.assertEqual(resp.status, 502)
        self.assertTrue(resp.getheader("Content-Type").startswith("text/html"))
        self.fault(endpoint="exports", status=400, body="Bad Request", content_type="text/plain", count=1)
        resp, body = self.get_json(EXPORT + "?start_time=0")
        self.assertEqual((resp.status, body), (400, "Bad Request"))
        self.fault(endpoint="exports", status=409, body='{"error":"Conflict"}', count=1)
        resp, body = self.get_json(EXPORT + "?start_time=0")
        self.assertEqual((resp.status, body), (409, {"error": "Conflict"}))
        self.fault(endpoint="exports", kind="html", count=1)
        resp, body = self.get_json(EXPORT + "?start_time=0")
        self.assertEqual(resp.status, 200)
        self.assertIn("<html>", body)
        self.assertEqual(self.get_json(EXPORT + "?start_time=0")[0].status, 200)

    def test_504_on_large_pages_only(self):
        self.fault(endpoint="export_tickets_cursor", kind="gateway_timeout", min_per_page=500)
        self.assertEqual(self.get_json(EXPORT + "?start_time=0")[0].status, 504)          # 1000 by default
        self.assertEqual(self.get_json(EXPORT + "?start_time=0&per_page=600")[0].status, 504)
        self.assertEqual(self.get_json(EXPORT + "?start_time=0&per_page=100")[0].status, 200)

    def test_matching_rules(self):
        rule = self.fault(endpoint="export_tickets_cursor", query="cursor=", nth=2, status=500, body="{}")
        page = self.ok(EXPORT + "?start_time=0&per_page=10")
        nxt = path_of(page["after_url"])
        self.assertEqual(self.get_json(nxt)[0].status, 200)                 # first cursor request
        self.assertEqual(self.get_json(nxt)[0].status, 500)                 # the second
        self.assertEqual(self.get_json(nxt)[0].status, 200)
        listed = self.control("GET", "/_sim/faults")
        self.assertEqual([(f["id"], f["hits"]) for f in listed], [(rule, 1)])
        self.request("DELETE", "/_sim/faults")
        self.fault(endpoint="standard", every=2, status=503, body="{}")
        codes = [self.get_json("/api/v2/tickets/count.json")[0].status for _ in range(4)]
        self.assertEqual(codes, [503, 200, 503, 200])
        self.assertEqual(self.get_json(EXPORT + "?start_time=0")[0].status, 200)
        self.request("DELETE", "/_sim/faults")
        one = self.fault(path="/api/v2/tickets", skip=1, count=1, status=500, body="{}")
        self.assertEqual([self.get_json("/api/v2/tickets/count.json")[0].status for _ in range(3)],
                         [200, 500, 200])
        self.control("DELETE", "/_sim/faults/%d" % one)

    def test_a_storm_that_ends(self):
        self.fault(endpoint="exports", kind="rate_limit", retry_after=1, active_for=0.4)
        self.assertEqual(self.get_json(EXPORT + "?start_time=0")[0].status, 429)
        self.assertEqual(self.get_json(EXPORT + "?start_time=0")[0].status, 429)
        time.sleep(0.5)
        self.assertEqual(self.get_json(EXPORT + "?start_time=0")[0].status, 200)
        self.fault(endpoint="exports", status=500, body="{}", active_after=0.3)
        self.assertEqual(self.get_json(EXPORT + "?start_time=0")[0].status, 200)
        time.sleep(0.35)
        self.assertEqual(self.get_json(EXPORT + "?start_time=0")[0].status, 500)

    def test_invalid_cursor_and_log(self):
        self.request("DELETE", "/_sim/requests")
        self.fault(endpoint="exports", query="cursor=", kind="invalid_cursor", count=1)
        page = self.ok(EXPORT + "?start_time=0&per_page=10")
        resp, body = self.get_json(path_of(page["after_url"]))
        self.assertEqual((resp.status, body["error"]), (400, "InvalidCursor"))
        log = self.control("GET", "/_sim/requests")
        self.assertEqual([(e["endpoint"], e["fault"], e["status"]) for e in log],
                         [("export_tickets_cursor", None, 200), ("export_tickets_cursor", "invalid_cursor", 400)])


class TestWire(FaultCase):

    def test_reset_before_answering(self):
        self.fault(endpoint="exports", kind="reset", count=1)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        conn.request("GET", EXPORT + "?start_time=0", headers={"Authorization": BASIC})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionResetError, http.client.BadStatusLine)):
            conn.getresponse()
        conn.close()
        self.assertEqual(self.get_json(EXPORT + "?start_time=0")[0].status, 200)

    def test_reset_mid_body_is_a_short_read(self):
        for gzip in (False, True):
            self.fault(endpoint="exports", kind="reset_mid_body", cut_after=500, count=1)
            conn, resp = self.raw(EXPORT + "?start_time=0", gzip=gzip)
            self.assertEqual(resp.status, 200)
            if not gzip:
                self.assertGreater(int(resp.getheader("Content-Length")), 500)
            else:
                self.assertEqual(resp.getheader("Transfer-Encoding"), "chunked")
            with self.assertRaises((http.client.IncompleteRead, ConnectionResetError)):
                resp.read()
            conn.close()
        log = self.control("GET", "/_sim/requests")
        self.assertEqual([e["bytes"] for e in log if e["fault"] == "reset_mid_body"], [500, 500])

    def test_truncated_and_corrupt_bodies(self):
        for kind in ("truncate", "corrupt"):
            self.fault(endpoint="exports", kind=kind, cut_after=300, count=1)
            resp, data = self.request("GET", EXPORT + "?start_time=0", {"Authorization": BASIC,
                                                                       "Accept-Encoding": "gzip"})
            self.assertEqual(resp.status, 200)
            if kind == "truncate":
                self.assertEqual(len(data), 300)
            self.assertEqual(data[:300], self.request("GET", EXPORT + "?start_time=0",
                                                      {"Authorization": BASIC})[1][:300])
            with self.assertRaises(ValueError):
                json.loads(data)

    def test_slow_drip(self):
        self.fault(endpoint="exports", kind="drip", drip_bytes=400, drip_interval=0.05, count=1)
        start = time.monotonic()
        resp, data = self.request("GET", EXPORT + "?start_time=0&per_page=3", {"Authorization": BASIC})
        elapsed = time.monotonic() - start
        pieces = -(-int(resp.getheader("Content-Length")) // 400)
        self.assertGreaterEqual(elapsed, 0.05 * (pieces - 1))
        self.assertEqual(len(json.loads(data)["tickets"]), 3)

    def test_a_connection_that_never_answers(self):
        self.fault(endpoint="exports", kind="hang", hold=5, count=1)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=0.5)
        conn.request("GET", EXPORT + "?start_time=0", headers={"Authorization": BASIC})
        with self.assertRaises(socket.timeout):
            conn.getresponse()
        conn.close()
        self.assertEqual(self.get_json(EXPORT + "?start_time=0")[0].status, 200)

    def test_delay_then_normal_answer(self):
        self.fault(endpoint="export_tickets", delay=0.3, count=1)
        start = time.monotonic()
        self.assertEqual(self.get_json(TIME + "?start_time=0")[0].status, 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)

    def test_delay_ends_when_the_client_leaves(self):
        # a client that gives up (a cancelled query) is logged at once, as a
        # request without an answer -- not when the delay would have ended,
        # after a test may have cleared the log and begun counting requests
        self.fault(endpoint="export_tickets", delay=30, count=1)
        self.request("DELETE", "/_sim/requests")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=0.3)
        conn.request("GET", TIME + "?start_time=0", headers={"Authorization": BASIC})
        with self.assertRaises(socket.timeout):
            conn.getresponse()
        conn.close()
        deadline = time.monotonic() + 2
        log = []
        while not log and time.monotonic() < deadline:
            time.sleep(0.05)
            log = self.control("GET", "/_sim/requests")
        self.assertEqual([(r["path"], r["status"], r["fault"]) for r in log],
                         [(TIME, None, "delay")])


class TestPositions(FaultCase):

    def test_ghost_page_loses_nothing(self):
        self.fault(endpoint="export_tickets_cursor", query="cursor=", kind="ghost_page", nth=2)
        records, pages = self.export_all("start_time=0&per_page=10&support_type_scope=all")
        ids = [t["id"] for t in records]
        self.assertEqual(sorted(ids), sorted(self.account.tickets))
        self.assertEqual(len(ids), len(set(ids)))
        ghost = [p for p in pages if not p["tickets"] and not p["end_of_stream"]]
        self.assertEqual(len(ghost), 1)
        before = pages[pages.index(ghost[0]) - 1]
        self.assertNotEqual(ghost[0]["after_cursor"], before["after_cursor"])   # it moved

    def test_ghost_time_page(self):
        self.fault(endpoint="export_tickets", kind="ghost_page", count=1)
        page = self.ok(TIME + "?start_time=0&per_page=5")
        self.assertEqual((page["count"], page["tickets"], page["end_of_stream"]), (0, [], False))
        first = self.account.ticket_index.keys[0][0]
        self.assertEqual(page["end_time"], first)
        records, _ = self.time_export_all(TIME, extra="&per_page=5&support_type_scope=all")
        self.assertEqual({t["id"] for t in records}, set(self.account.tickets))

    def test_stalled_position(self):
        self.fault(endpoint="exports", kind="stall")
        page = self.ok(EXPORT + "?start_time=0&per_page=5")
        again = self.ok(path_of(page["after_url"]))
        self.assertEqual(again["after_cursor"], page["after_cursor"])
        self.assertEqual(again["tickets"], page["tickets"])
        self.assertFalse(again["end_of_stream"])
        self.assertEqual(decode_cursor(page["after_cursor"]).split("||")[0], "-1.0")
        page = self.ok(TIME + "?start_time=12345&per_page=5")
        self.assertEqual((page["end_time"], page["end_of_stream"]), (12345, False))
        self.assertEqual(urllib.parse.parse_qs(urllib.parse.urlsplit(page["next_page"]).query)["start_time"],
                         ["12345"])
