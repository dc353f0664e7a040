"""Rate limits (sim/README.md §10): the buckets, their 429 bodies and headers,
Retry-After in whole seconds, ceilings and windows scaled down so pacing
runs in seconds, the three window models, and real time (not the simulated
clock) underneath."""

import time

from simcase import EXPORT, SimulatorCase

TIME = "/api/v2/incremental/tickets.json?start_time=0&per_page=1"
USERS_CURSOR = "/api/v2/incremental/users/cursor.json?start_time=0&per_page=1"


class LimitCase(SimulatorCase):
    tickets = 30

    def limits(self, **spec):
        self.control("POST", "/_sim/limits", spec)
        self.addCleanup(self.control, "POST", "/_sim/limits",
                        {"account": 100000, "export": 100000, "users_cursor": 100000,
                         "tickets_index": 100000, "sample": 100000, "search_export": 100000,
                         "window": 60})

    def switch(self, **values):
        before = self.sim.switches.as_dict()
        self.control("POST", "/_sim/switches", values)
        self.addCleanup(self.sim.switches.update, {k: before[k] for k in values})

    def statuses(self, path, n):
        out = []
        for _ in range(n):
            resp, body = self.get_json(path)
            out.append((resp.status, resp, body))
        return out


class TestBuckets(LimitCase):

    def test_export_429_json_with_whole_second_retry_after(self):
        self.limits(export=2, window=2)
        results = self.statuses(TIME, 3)
        if results[2][0] == 200:          # the window rolled over; once more
            results = self.statuses(TIME, 3)
        status, resp, body = results[-1]
        self.assertEqual(status, 429)
        self.assertEqual(body, {"error": "APIRateLimitExceeded",
                                "description": "Number of allowed incremental export API requests per minute exceeded"})
        retry = resp.getheader("Retry-After")
        self.assertTrue(retry.isdigit() and 1 <= int(retry) <= 2, retry)
        self.assertTrue(resp.getheader("Content-Type").startswith("application/json"))
        # the account headers are there; no invented per-export remaining header
        self.assertIsNotNone(resp.getheader("x-rate-limit-remaining"))
        self.assertFalse([h for h, _ in resp.getheaders() if "incremental" in h.lower()])
        time.sleep(int(retry))
        self.assertEqual(self.get_json(TIME)[0].status, 200)
        # all incremental exports share the bucket
        self.limits(export=1, window=2)
        codes = [self.get_json(p)[0].status for p in (TIME, "/api/v2/incremental/organizations.json?start_time=0")]
        if codes[0] == 200:
            self.assertEqual(codes[1], 429)

    def test_account_limit_plain_text(self):
        self.limits(account=2, window=2)
        results = self.statuses("/api/v2/tickets/count.json", 4)
        self.assertIn(429, [r[0] for r in results])
        status, resp, body = [r for r in results if r[0] == 429][0]
        self.assertEqual(body, "Number of allowed API requests per minute exceeded")
        self.assertTrue(resp.getheader("Content-Type").startswith("text/plain"))
        self.assertEqual(resp.getheader("x-rate-limit"), "2")
        self.assertEqual(resp.getheader("x-rate-limit-remaining"), "0")
        self.assertIsNotNone(resp.getheader("Retry-After"))

    def test_users_cursor_has_its_own_bucket_and_header(self):
        self.limits(export=1, users_cursor=3, window=60)
        got = [self.get_json(USERS_CURSOR)[0] for _ in range(4)]
        self.assertEqual([r.status for r in got], [200, 200, 200, 429])
        header = got[0].getheader("Zendesk-RateLimit-incremental-exports-cursor")
        self.assertRegex(header, r"^total=3; remaining=2; resets=\d+$")
        self.assertEqual(got[3].getheader("Zendesk-RateLimit-incremental-exports-cursor")[:21],
                         "total=3; remaining=0;")
        self.assertEqual(self.get_json(TIME)[0].status, 200)      # the export bucket untouched
        # switch: it draws on the export bucket too
        self.limits(export=1, users_cursor=10, window=60)
        self.switch(users_cursor_quota="both")
        self.assertEqual([self.get_json(USERS_CURSOR)[0].status for _ in range(2)], [200, 429])
        self.switch(users_cursor_header=False)
        resp, _ = self.get_json(USERS_CURSOR)
        self.assertIsNone(resp.getheader("Zendesk-RateLimit-incremental-exports-cursor"))

    def test_cursor_export_quota_switch(self):
        self.limits(export=1, window=60)
        self.assertEqual([self.get_json(EXPORT + "?start_time=0")[0].status for _ in range(2)], [200, 429])
        self.switch(cursor_export_quota="separate")
        self.assertEqual([self.get_json(EXPORT + "?start_time=0")[0].status for _ in range(3)], [200] * 3)
        self.assertEqual(self.get_json(TIME)[0].status, 429)

    def test_tickets_index_and_sample_buckets(self):
        self.limits(tickets_index=2, sample=1, window=60)
        got = [self.get_json("/api/v2/tickets.json")[0] for _ in range(3)]
        self.assertEqual([r.status for r in got], [200, 200, 429])
        self.assertRegex(got[0].getheader("zendesk-ratelimit-tickets-index"), r"^total=2; remaining=1; resets=\d+$")
        self.assertEqual(self.get_json("/api/v2/tickets/count.json")[0].status, 200)
        sample = "/api/v2/incremental/tickets/sample.json?start_time=0"
        self.assertEqual([self.get_json(sample)[0].status for _ in range(2)], [200, 429])

    def test_rate_header_styles(self):
        resp, _ = self.get_json("/api/v2/tickets/count.json")
        names = {h.lower() for h, _ in resp.getheaders()}
        self.assertTrue({"x-rate-limit", "x-rate-limit-remaining", "ratelimit-limit", "ratelimit-remaining",
                         "ratelimit-reset"} <= names)
        self.switch(rate_headers="2023")
        resp, _ = self.get_json("/api/v2/tickets/count.json")
        names = {h.lower() for h, _ in resp.getheaders()}
        self.assertTrue({"rate-limit", "rate-limit-remaining", "rate-limit-reset"} <= names)
        self.assertNotIn("ratelimit-limit", names)
        self.switch(rate_headers="x-only")
        resp, _ = self.get_json("/api/v2/tickets/count.json")
        self.assertEqual({h.lower() for h, _ in resp.getheaders() if "rate" in h.lower()},
                         {"x-rate-limit", "x-rate-limit-remaining"})

    def test_moving_the_clock_does_not_refill(self):
        self.limits(export=1, window=60)
        self.get_json(TIME)
        self.control("POST", "/_sim/clock", {"advance": 3600})
        self.assertEqual(self.get_json(TIME)[0].status, 429)


class TestWindowModels(LimitCase):

    def test_sliding_window(self):
        self.switch(rate_window="sliding")
        self.limits(export=2, window=2)
        first = time.time()
        self.assertEqual([s for s, _, _ in self.statuses(TIME, 2)], [200, 200])
        status, resp, _ = self.statuses(TIME, 1)[0]
        self.assertEqual(status, 429)
        retry = int(resp.getheader("Retry-After"))
        self.assertTrue(1 <= retry <= 2)
        time.sleep(max(0, first + 2.05 - time.time()))
        self.assertEqual(self.get_json(TIME)[0].status, 200)

    def test_token_bucket(self):
        self.switch(rate_window="token_bucket")
        self.limits(export=2, window=2)                            # one token a second
        self.assertEqual([s for s, _, _ in self.statuses(TIME, 3)], [200, 200, 429])
        time.sleep(1.05)
        self.assertEqual([s for s, _, _ in self.statuses(TIME, 2)], [200, 429])

    def test_fixed_window_is_aligned(self):
        self.limits(export=1, window=1)
        time.sleep(1 - time.time() % 1 + 0.02)
        self.assertEqual([s for s, _, _ in self.statuses(TIME, 2)], [200, 429])
        time.sleep(1 - time.time() % 1 + 0.02)
        self.assertEqual(self.get_json(TIME)[0].status, 200)

    def test_limits_state(self):
        state = self.control("GET", "/_sim/limits")
        self.assertEqual(set(state), {"account", "export", "users_cursor", "sample", "tickets_index",
                                      "search_export"})
