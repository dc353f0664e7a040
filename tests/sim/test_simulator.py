"""The simulator's first tests: the cursor export's semantics, authentication,
gzip, rate limits, the control API (the rest is in the other test_*.py files).
Run by scripts/test.sh; standard library only.
"""

import base64
import email.utils
import http.client
import json
import time
import unittest
import urllib.parse

from zendesk_sim.account import Account

from simcase import (API_TOKEN, BASIC, CLIENT_ID, CLIENT_SECRET, EMAIL, EXPORT,  # noqa: F401
                     SimulatorCase, fixture, json_type)

ALL = "&support_type_scope=all"


class TestShapes(SimulatorCase):
    """Key sets and JSON types are those of the real recordings."""

    def test_ticket_keys_and_types_match_recording(self):
        real = fixture("TicketsIncrementalTest.test_get_values.json")[1]["body"]["tickets"][0]
        _, page = self.get_json(EXPORT + "?start_time=0&per_page=5")
        for ticket in page["tickets"]:
            self.assertEqual(list(ticket.keys()), list(real.keys()))
            for key, value in ticket.items():
                if real[key] is not None and value is not None:
                    self.assertEqual(json_type(value), json_type(real[key]), key)

    def test_cursor_page_keys_match_recording(self):
        real = fixture("TicketsIncrementalTest.test_get_values.json")[1]["body"]
        _, page = self.get_json(EXPORT + "?start_time=0")
        self.assertEqual(set(page.keys()), set(real.keys()))
        self.assertIsNone(page["before_url"])
        self.assertIsNone(page["before_cursor"])

    def test_headers_like_recording(self):
        real = fixture("UsersIncrementalTest.test_get_values.json")[0]["headers"]
        resp, _ = self.request("GET", EXPORT + "?start_time=0",
                               {"Authorization": BASIC, "Accept-Encoding": "gzip, deflate"})
        got = {k.lower() for k, _ in resp.getheaders()}
        for name in real:
            self.assertIn(name.lower(), got)
        self.assertEqual(resp.getheader("Content-Type"), "application/json; charset=utf-8")
        # no invented per-export "remaining" header (sim/README.md §10.3)
        self.assertFalse([h for h in got if "incremental" in h])

    def test_ids_beyond_32_bits(self):
        _, page = self.get_json(EXPORT + "?start_time=0&per_page=50")
        self.assertTrue(any(t["requester_id"] > 2 ** 32 for t in page["tickets"]))

    def test_deterministic_account(self):
        again = Account(seed=7, tickets=self.tickets)
        self.assertEqual(again.tickets, self.account.tickets)
        other = Account(seed=8, tickets=self.tickets)
        self.assertNotEqual(other.tickets, self.account.tickets)

    def test_many_tickets_share_a_second(self):
        stream, keys = self.account.ticket_stream()
        seconds = [k[0] for k in keys]
        self.assertLess(len(set(seconds)), len(seconds))


class TestCursorExport(SimulatorCase):
    """sim/README.md §4."""

    def test_pages_cover_every_ticket_once_in_order(self):
        records, pages = self.export_all("start_time=0&per_page=7" + ALL)
        ids = [t["id"] for t in records]
        self.assertEqual(sorted(ids), sorted(self.account.tickets))
        self.assertEqual(len(ids), len(set(ids)))
        keys = [(t["generated_timestamp"], t["id"]) for t in records]
        self.assertEqual(keys, sorted(keys))
        self.assertEqual(len(pages), -(-len(ids) // 7))
        for page in pages[:-1]:
            self.assertEqual(len(page["tickets"]), 7)

    def test_cursor_encodes_last_record(self):
        _, page = self.get_json(EXPORT + "?start_time=0&per_page=3")
        last = page["tickets"][-1]
        decoded = base64.b64decode(page["after_cursor"]).decode()
        self.assertEqual(decoded, "%d.0||%d|" % (last["generated_timestamp"], last["id"]))
        url = urllib.parse.urlsplit(page["after_url"])
        self.assertEqual(urllib.parse.parse_qs(url.query),
                         {"cursor": [page["after_cursor"]], "per_page": ["3"]})
        self.assertEqual("%s://%s" % (url.scheme, url.netloc), "http://127.0.0.1:%d" % self.port)

    def test_after_url_has_no_per_page_when_not_asked(self):
        _, page = self.get_json(EXPORT + "?start_time=0")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(page["after_url"]).query)
        self.assertEqual(list(query), ["cursor"])

    def test_last_page_keeps_a_cursor_and_resuming_returns_nothing(self):
        records, pages = self.export_all("start_time=0&per_page=100")
        last = pages[-1]
        self.assertTrue(last["end_of_stream"])
        self.assertIsNotNone(last["after_cursor"])
        self.assertIsNotNone(last["after_url"])
        _, again = self.get_json(EXPORT + "?cursor=" + urllib.parse.quote(last["after_cursor"]))
        self.assertEqual(again["tickets"], [])
        self.assertTrue(again["end_of_stream"])
        self.assertIsNone(again["after_cursor"])

    def test_start_time_is_inclusive_on_generated_timestamp(self):
        stream, keys = self.account.ticket_stream()
        middle = keys[len(keys) // 2][0]
        records, _ = self.export_all("start_time=%d" % middle + ALL)
        expected = [t["id"] for t in stream if t["generated_timestamp"] >= middle]
        self.assertEqual([t["id"] for t in records], expected)

    def test_exclude_deleted(self):
        records, _ = self.export_all("start_time=0&exclude_deleted=true" + ALL)
        live = [t for t in self.account.tickets.values() if t["status"] != "deleted"]
        self.assertEqual(len(records), len(live))
        self.assertTrue(any(t["status"] == "deleted" for t in self.account.tickets.values()))

    def test_too_recent_start_time(self):
        recent = int(self.account.clock.now()) - 30
        resp, body = self.get_json(EXPORT + "?start_time=%d" % recent)
        self.assertEqual(resp.status, 422)
        self.assertEqual(body, {"error": "InvalidValue",
                                "description": "Too recent start_time. Use a start_time older than 5 minutes"})

    def test_invalid_cursor(self):
        resp, body = self.get_json(EXPORT + "?cursor=not-base64!")
        self.assertEqual(resp.status, 400)
        self.assertEqual(body["error"], "InvalidCursor")

    def test_json_suffix_optional(self):
        resp, page = self.get_json("/api/v2/incremental/tickets/cursor?start_time=0&per_page=1")
        self.assertEqual(resp.status, 200)
        self.assertEqual(len(page["tickets"]), 1)


class TestAuth(SimulatorCase):
    """sim/README.md §1, §1.1."""

    def test_no_or_bad_credentials_401(self):
        for auth in (None, "Basic " + base64.b64encode(b"admin@example.com/token:nope").decode(),
                     "Digest abc"):
            resp, body = self.get_json(EXPORT + "?start_time=0", auth=auth)
            self.assertEqual(resp.status, 401)
            self.assertEqual(body, {"error": "Couldn't authenticate you"})

    def token(self, **extra):
        form = {"grant_type": "client_credentials", "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET, "scope": "read"}
        form.update(extra)
        resp, data = self.request("POST", "/oauth/tokens", {"Content-Type": "application/json"},
                                  body=json.dumps(form))
        return resp, json.loads(data)

    def test_client_credentials_token(self):
        resp, body = self.token()
        self.assertEqual(resp.status, 200)
        self.assertEqual(body["token_type"], "bearer")
        self.assertEqual(body["expires_in"], self.token_lifetime)
        self.assertNotIn("refresh_token", body)
        resp, _ = self.get_json(EXPORT + "?start_time=0", auth="Bearer " + body["access_token"])
        self.assertEqual(resp.status, 200)

    def test_form_encoded_token_request(self):
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                       "client_secret": CLIENT_SECRET})
        resp, data = self.request("POST", "/oauth/tokens",
                                  {"Content-Type": "application/x-www-form-urlencoded"}, body=form)
        self.assertEqual(resp.status, 200, data)

    def test_wrong_client(self):
        resp, body = self.token(client_secret="wrong")
        self.assertEqual(resp.status, 401)
        self.assertEqual(body["error"], "invalid_client")
        resp, body = self.token(grant_type="password")
        self.assertEqual(resp.status, 400)

    def test_expires_in_bounds(self):
        self.assertEqual(self.token(expires_in=300)[0].status, 400)
        self.assertEqual(self.token(expires_in=172800)[0].status, 400)
        resp, body = self.token(expires_in=600)
        self.assertEqual(body["expires_in"], 600)

    def test_unknown_bearer_is_invalid_token(self):
        resp, body = self.get_json(EXPORT + "?start_time=0", auth="Bearer nope")
        self.assertEqual(resp.status, 401)
        self.assertEqual(body["error"], "invalid_token")

    def test_revoked_token(self):
        _, body = self.token()
        self.request("POST", "/_sim/revoke_tokens")
        resp, err = self.get_json(EXPORT + "?start_time=0", auth="Bearer " + body["access_token"])
        self.assertEqual(resp.status, 401)
        self.assertEqual(err["error"], "invalid_token")


class TestExpiringTokens(SimulatorCase):
    token_lifetime = 1

    def test_token_expires(self):
        form = {"grant_type": "client_credentials", "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET}
        _, data = self.request("POST", "/oauth/tokens", {"Content-Type": "application/json"},
                               body=json.dumps(form))
        token = json.loads(data)["access_token"]
        self.assertEqual(self.get_json(EXPORT + "?start_time=0", auth="Bearer " + token)[0].status, 200)
        time.sleep(1.2)
        resp, body = self.get_json(EXPORT + "?start_time=0", auth="Bearer " + token)
        self.assertEqual(resp.status, 401)
        self.assertEqual(body["error"], "invalid_token")


class TestTransport(SimulatorCase):

    def test_gzip_only_when_asked(self):
        resp, _ = self.request("GET", EXPORT + "?start_time=0", {"Authorization": BASIC})
        self.assertIsNone(resp.getheader("Content-Encoding"))
        resp, data = self.request("GET", EXPORT + "?start_time=0",
                                  {"Authorization": BASIC, "Accept-Encoding": "gzip"})
        self.assertEqual(resp.getheader("Content-Encoding"), "gzip")
        self.assertIn("tickets", json.loads(data))

    def test_request_log_and_keep_alive(self):
        self.request("DELETE", "/_sim/requests")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        for _ in range(3):
            self.request("GET", EXPORT + "?start_time=0&per_page=2",
                         {"Authorization": BASIC, "Accept-Encoding": "gzip"}, conn=conn)
        conn.close()
        self.request("GET", EXPORT + "?start_time=0&per_page=2", {"Authorization": BASIC})
        _, data = self.request("GET", "/_sim/requests")
        log = json.loads(data)
        self.assertEqual(len(log), 4)
        self.assertEqual(len({e["connection"] for e in log[:3]}), 1)
        self.assertNotEqual(log[3]["connection"], log[0]["connection"])
        self.assertEqual(log[0]["accept_encoding"], "gzip")
        self.assertEqual(log[0]["auth"], "api_token")
        self.assertEqual(log[0]["query"], "start_time=0&per_page=2")

    def test_clock_moves_date_header(self):
        resp, _ = self.request("GET", EXPORT + "?start_time=0", {"Authorization": BASIC})
        before = email.utils.parsedate_to_datetime(resp.getheader("Date")).timestamp()
        self.request("POST", "/_sim/clock", body=json.dumps({"advance": 3600}))
        resp, _ = self.request("GET", EXPORT + "?start_time=0", {"Authorization": BASIC})
        after = email.utils.parsedate_to_datetime(resp.getheader("Date")).timestamp()
        self.assertGreaterEqual(after - before, 3599)

    def test_fault_rules(self):
        spec = {"path": EXPORT.replace(".json", ""), "count": 1, "status": 503,
                "body": "<html>down</html>", "content_type": "text/html",
                "headers": {"Retry-After": "7"}}
        self.request("POST", "/_sim/faults", body=json.dumps(spec))
        resp, data = self.request("GET", EXPORT + "?start_time=0", {"Authorization": BASIC})
        self.assertEqual(resp.status, 503)
        self.assertEqual(resp.getheader("Retry-After"), "7")
        self.assertEqual(data, b"<html>down</html>")
        resp, _ = self.request("GET", EXPORT + "?start_time=0", {"Authorization": BASIC})
        self.assertEqual(resp.status, 200)

    def test_delay_fault(self):
        self.request("POST", "/_sim/faults", body=json.dumps({"path": EXPORT, "delay": 0.5, "count": 1}))
        start = time.monotonic()
        resp, _ = self.request("GET", EXPORT + "?start_time=0", {"Authorization": BASIC})
        self.assertEqual(resp.status, 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.5)

    def test_unknown_endpoint(self):
        resp, body = self.get_json("/api/v2/nothing.json")
        self.assertEqual(resp.status, 404)

    def test_ground_truth(self):
        _, data = self.request("GET", "/_sim/tickets")
        truth = json.loads(data)
        self.assertEqual([t["id"] for t in truth], sorted(self.account.tickets))
        _, lines = self.request("GET", "/_sim/tickets.jsonl")
        self.assertEqual([json.loads(l) for l in lines.decode().splitlines()], truth)


class TestExportRateLimit(SimulatorCase):
    export_limit = 2

    def test_export_429_is_json_with_retry_after(self):
        for _ in range(2):
            self.assertEqual(self.get_json(EXPORT + "?start_time=0")[0].status, 200)
        resp, body = self.get_json(EXPORT + "?start_time=0")
        if resp.status == 200:
            # the minute rolled over between requests; try once more
            self.get_json(EXPORT + "?start_time=0")
            resp, body = self.get_json(EXPORT + "?start_time=0")
        self.assertEqual(resp.status, 429)
        self.assertEqual(body["error"], "APIRateLimitExceeded")
        self.assertTrue(1 <= int(resp.getheader("Retry-After")) <= 60)


class TestAccountRateLimit(SimulatorCase):
    account_limit = 3

    def test_account_429_is_plain_text(self):
        statuses = []
        for _ in range(5):
            resp, body = self.get_json(EXPORT + "?start_time=0")
            statuses.append(resp.status)
        self.assertIn(429, statuses)
        self.assertEqual(body, "Number of allowed API requests per minute exceeded")
        self.assertTrue(resp.getheader("Content-Type").startswith("text/plain"))
        self.assertEqual(resp.getheader("x-rate-limit-remaining"), "0")


if __name__ == "__main__":
    unittest.main()
