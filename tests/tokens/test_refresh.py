"""The refresh-token flow in a cluster with zendesk_fdw preloaded (issue 7).

Run by run.sh inside pg_virtualenv (PG* variables set) with the simulator
(ZD_SIM_URL) and ZD_SERVER_LOG, the cluster's log at debug5.  Checks against
the simulator's request log and its token endpoint: one refresh for two
backends at once (one of which rolls back), the rotated refresh token
committed to the user mapping whatever the caller's transaction did, a scan
outliving several access tokens, a revoked refresh token's error, and no
token in the server log.  Issue 17: a cancel or statement_timeout during a
slow refresh keeps the rotated pair; one statement outlives 20+ rotations;
four backends rotating at once for many rotations leave exactly one live
refresh token, the one the catalog holds; a sync (committing page by page)
outlives 20+ rotations; a person's token set meanwhile replaces the pair.
"""

import json
import os
import threading
import time
import unittest
import urllib.request

import psycopg2

SIM = os.environ["ZD_SIM_URL"]
LOG = os.environ["ZD_SERVER_LOG"]
CLIENT_ID, CLIENT_SECRET = "zendesk_fdw_sim", "sim-client-secret"
SEEN_TOKENS = set()


def sim(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(SIM + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def sim_json(method, path, body=None):
    status, data = sim(method, path, body)
    assert status == 200, (method, path, status, data[:200])
    return json.loads(data) if data else None


def requests_log():
    _, data = sim("GET", "/_sim/requests.jsonl")
    return [json.loads(line) for line in data.decode().splitlines() if line]


def token_requests(log):
    return [(r["status"]) for r in log if r["path"] == "/oauth/tokens"]


def connect():
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    return conn


def live_tickets():
    _, data = sim("GET", "/_sim/tickets.jsonl")
    return sum(1 for line in data.decode().splitlines()
               if line and json.loads(line)["status"] != "deleted")


def catalog_refresh_token(cur):
    cur.execute("""SELECT option_value FROM pg_options_to_table(
                     (SELECT umoptions FROM pg_user_mappings WHERE srvname = 'zd_rt'))
                   WHERE option_name = 'oauth_refresh_token'""")
    token = cur.fetchone()[0]
    SEEN_TOKENS.add(token)
    return token


class RefreshTokenFlow(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.conn = connect()
        cur = cls.conn.cursor()
        cur.execute("CREATE EXTENSION IF NOT EXISTS zendesk_fdw")
        cur.execute("DROP SERVER IF EXISTS zd_rt CASCADE")
        cur.execute("CREATE SERVER zd_rt FOREIGN DATA WRAPPER zendesk_fdw "
                    "OPTIONS (url %s, export_requests_per_minute '6000')", (SIM,))
        cls.set_refresh_token(cur, sim_json("POST", "/_sim/oauth/refresh_tokens", {})["refresh_token"],
                              create=True)
        cur.execute("CREATE FOREIGN TABLE tickets_rt (id bigint, status text) "
                    "SERVER zd_rt OPTIONS (resource 'tickets')")

    @classmethod
    def set_refresh_token(cls, cur, token, create=False):
        SEEN_TOKENS.add(token)
        if create:
            cur.execute("CREATE USER MAPPING FOR CURRENT_USER SERVER zd_rt OPTIONS "
                        "(oauth_client_id %s, oauth_client_secret %s, oauth_refresh_token %s)",
                        (CLIENT_ID, CLIENT_SECRET, token))
        else:
            cur.execute("ALTER USER MAPPING FOR CURRENT_USER SERVER zd_rt "
                        "OPTIONS (SET oauth_refresh_token %s)", (token,))

    @classmethod
    def tearDownClass(cls):
        sim_json("POST", "/_sim/oauth/settings", {"token_lifetime": 1800, "early_expiry": 0})
        sim("DELETE", "/_sim/faults")
        cls.conn.close()

    def setUp(self):
        sim_json("POST", "/_sim/oauth/settings", {"token_lifetime": 1800, "early_expiry": 0})
        sim("DELETE", "/_sim/faults")
        sim("DELETE", "/_sim/requests")

    def test_1_scan_rotates_and_stores_the_pair(self):
        cur = self.conn.cursor()
        before = catalog_refresh_token(cur)
        cur.execute("SELECT count(*) FROM tickets_rt")
        self.assertEqual(cur.fetchone()[0], live_tickets())
        self.assertEqual(token_requests(requests_log()), [200])
        after = catalog_refresh_token(cur)
        self.assertNotEqual(before, after)
        cur.execute("SELECT method, authenticated, token_expires_at > now() + interval '29 minutes' "
                    "FROM zendesk_fdw.check_connection('zd_rt')")
        self.assertEqual(cur.fetchone(), ("oauth_refresh_token", True, True))

    def test_2_two_backends_refresh_at_once_one_rolls_back(self):
        # both backends hold an access token Zendesk now calls expired, and the
        # token endpoint is slow, so the second asks while the first refreshes
        warm = [connect(), connect()]
        for c in warm:
            c.cursor().execute("SELECT count(*) FROM tickets_rt WHERE id = 1")
        sim_json("POST", "/_sim/oauth/expire", {})
        sim_json("POST", "/_sim/faults", {"endpoint": "oauth", "kind": "delay", "delay": 1.0})
        sim("DELETE", "/_sim/requests")
        results, errors = {}, []

        def scan(name, conn, rollback):
            try:
                cur = conn.cursor()
                if rollback:
                    cur.execute("BEGIN")
                cur.execute("SELECT count(*) FROM tickets_rt")
                results[name] = cur.fetchone()[0]
                if rollback:
                    cur.execute("ROLLBACK")
            except Exception as e:  # reported below
                errors.append("%s: %s" % (name, e))

        threads = [threading.Thread(target=scan, args=("rolls back", warm[0], True)),
                   threading.Thread(target=scan, args=("commits", warm[1], False))]
        for t in threads:
            t.start()
            time.sleep(0.2)
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        expected = live_tickets()
        self.assertEqual(results, {"rolls back": expected, "commits": expected})
        log = requests_log()
        self.assertEqual(token_requests(log), [200], "one refresh for both backends")
        self.assertEqual([r["status"] for r in log if r["status"] == 400], [])

        # the stored token is the live one, although one caller rolled back:
        # Zendesk accepts it (which rotates it away from us) ...
        cur = self.conn.cursor()
        stored = catalog_refresh_token(cur)
        status, body = sim("POST", "/oauth/tokens", {"grant_type": "refresh_token", "client_id": CLIENT_ID,
                                                    "client_secret": CLIENT_SECRET, "refresh_token": stored})
        self.assertEqual(status, 200, body)
        # ... so the user sets the new one, which replaces the shared pair
        self.set_refresh_token(cur, json.loads(body)["refresh_token"])
        sim_json("POST", "/_sim/oauth/expire", {})
        for c in warm:
            cur2 = c.cursor()
            cur2.execute("SELECT count(*) FROM tickets_rt")
            self.assertEqual(cur2.fetchone()[0], expected)
            c.close()

    def test_3_scan_outlives_several_access_tokens(self):
        cur = self.conn.cursor()
        cur.execute("ALTER SERVER zd_rt OPTIONS (ADD page_size '100', SET export_requests_per_minute '120')")
        try:
            sim_json("POST", "/_sim/oauth/settings", {"token_lifetime": 3, "early_expiry": 1})
            sim_json("POST", "/_sim/oauth/expire", {})
            sim("DELETE", "/_sim/requests")
            started = time.time()
            cur.execute("SELECT count(*) FROM tickets_rt")
            self.assertEqual(cur.fetchone()[0], live_tickets())
            self.assertGreater(time.time() - started, 8)
            log = requests_log()
            self.assertGreaterEqual(len(token_requests(log)), 4)
            self.assertEqual(set(token_requests(log)), {200})
            # one 401: the first request, with the token expired above; every
            # later token was renewed ahead of its end
            self.assertEqual([r["status"] for r in log if r["status"] != 200], [401])
        finally:
            cur.execute("ALTER SERVER zd_rt OPTIONS (DROP page_size, SET export_requests_per_minute '6000')")
        # every rotation was stored: the catalog holds the live token
        status, body = sim("POST", "/oauth/tokens", {"grant_type": "refresh_token", "client_id": CLIENT_ID,
                                                    "client_secret": CLIENT_SECRET,
                                                    "refresh_token": catalog_refresh_token(cur)})
        self.assertEqual(status, 200, body)
        self.set_refresh_token(cur, json.loads(body)["refresh_token"])

    def test_4_revoked_refresh_token(self):
        sim_json("POST", "/_sim/revoke_tokens", {"refresh_tokens": True})
        cur = self.conn.cursor()
        with self.assertRaises(psycopg2.Error) as ctx:
            cur.execute("SELECT count(*) FROM tickets_rt")
        e = ctx.exception
        self.assertEqual(e.pgcode, "28000")
        self.assertIn("refused the OAuth refresh token", e.diag.message_primary)
        self.assertIn("invalid_grant", e.diag.message_detail)
        self.assertIn("SET oauth_refresh_token", e.diag.message_hint)
        for token in SEEN_TOKENS:
            self.assertNotIn(token, str(e))
        # a new token set by the user works at once
        self.set_refresh_token(cur, sim_json("POST", "/_sim/oauth/refresh_tokens", {})["refresh_token"])
        cur.execute("SELECT count(*) > 0 FROM tickets_rt")
        self.assertTrue(cur.fetchone()[0])

    # -- issue 17 ------------------------------------------------------------------

    def fresh_authorization(self):
        """Every refresh token dies; the user authorizes the client again."""
        sim_json("POST", "/_sim/revoke_tokens", {"refresh_tokens": True})
        self.set_refresh_token(self.conn.cursor(),
                               sim_json("POST", "/_sim/oauth/refresh_tokens", {})["refresh_token"])
        sim("DELETE", "/_sim/requests")

    def assert_one_live_token_in_the_catalog(self):
        live = sim_json("GET", "/_sim/oauth/refresh_tokens")["refresh_tokens"]
        SEEN_TOKENS.update(live)
        self.assertEqual(live, [catalog_refresh_token(self.conn.cursor())],
                         "exactly one live refresh token, the catalog's")

    def assert_next_statements_work(self, conn):
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM tickets_rt WHERE id = 1")
        self.assertEqual(cur.fetchone()[0], 1)
        # and the refresh token kept is the live one: a refresh with it works
        sim_json("POST", "/_sim/oauth/expire", {})
        cur.execute("SELECT count(*) FROM tickets_rt WHERE id = 1")
        self.assertEqual(cur.fetchone()[0], 1)

    def slow_token_endpoint(self):
        # ~300 bytes of answer (~170 gzipped) 8 at a time, 0.25 s apart:
        # ~5 s, all after the pair has rotated
        sim_json("POST", "/_sim/faults", {"endpoint": "oauth", "kind": "drip",
                                          "drip_bytes": 8, "drip_interval": 0.25, "count": 1})

    def test_6_statement_timeout_during_a_slow_refresh_keeps_the_pair(self):
        self.fresh_authorization()
        self.slow_token_endpoint()
        conn = connect()
        try:
            cur = conn.cursor()
            cur.execute("SET statement_timeout = '2s'")
            started = time.time()
            with self.assertRaises(psycopg2.errors.QueryCanceled):
                cur.execute("SELECT count(*) FROM tickets_rt WHERE id = 1")
            elapsed = time.time() - started
            self.assertEqual(token_requests(requests_log()), [200])
            cur.execute("RESET statement_timeout")
            self.assert_next_statements_work(conn)
            self.assert_one_live_token_in_the_catalog()
            # the exchange finished (bounded by the server's timeout, not the
            # statement's), and only then was the timeout served
            self.assertGreater(elapsed, 3.5)
        finally:
            conn.close()

    def test_7_cancel_during_a_slow_refresh_keeps_the_pair(self):
        self.fresh_authorization()
        self.slow_token_endpoint()
        conn, other = connect(), connect()
        try:
            cur = conn.cursor()
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
            canceller = threading.Timer(1.5, lambda: other.cursor().execute(
                "SELECT pg_cancel_backend(%s)", (pid,)))
            canceller.start()
            with self.assertRaises(psycopg2.errors.QueryCanceled):
                cur.execute("SELECT count(*) FROM tickets_rt WHERE id = 1")
            canceller.join()
            self.assertEqual(token_requests(requests_log()), [200])
            # other backends too (the shared pair), then this one
            self.assert_next_statements_work(other)
            self.assert_next_statements_work(conn)
            self.assert_one_live_token_in_the_catalog()
        finally:
            conn.close()
            other.close()

    def test_8_one_statement_outlives_20_rotations(self):
        self.fresh_authorization()
        cur = self.conn.cursor()
        # a 1-second access token is renewed before every request: 25 pages,
        # 25 rotations in one statement
        cur.execute("ALTER SERVER zd_rt OPTIONS (ADD page_size '100')")
        sim_json("POST", "/_sim/oauth/settings", {"token_lifetime": 1})
        try:
            cur.execute("SELECT count(*) FROM tickets_rt")
            self.assertEqual(cur.fetchone()[0], live_tickets())
        finally:
            cur.execute("ALTER SERVER zd_rt OPTIONS (DROP page_size)")
        rotations = token_requests(requests_log())
        self.assertGreaterEqual(len(rotations), 21)
        self.assertEqual(set(rotations), {200})
        self.assert_one_live_token_in_the_catalog()

    def test_85_a_sync_outlives_20_rotations(self):
        # a first sync commits page by page for hours; its options are read
        # once, at its start: 25 pages, 25 rotations, each in its own
        # transaction
        self.fresh_authorization()
        cur = self.conn.cursor()
        cur.execute("DROP SCHEMA IF EXISTS mirror_rt CASCADE")
        cur.execute("CREATE SCHEMA mirror_rt")
        cur.execute("CREATE FOREIGN TABLE mirror_rt.source (id bigint, status text, "
                    "updated_at timestamptz, generated_timestamp timestamptz) "
                    "SERVER zd_rt OPTIONS (resource 'tickets')")
        cur.execute("ALTER SERVER zd_rt OPTIONS (ADD page_size '100')")
        sim_json("POST", "/_sim/oauth/settings", {"token_lifetime": 1})
        try:
            cur.execute("CALL zendesk_fdw.sync('mirror_rt.source', 'mirror_rt.tickets')")
            cur.execute("SELECT count(*) FROM mirror_rt.tickets")
            self.assertEqual(cur.fetchone()[0], live_tickets())
        finally:
            cur.execute("ALTER SERVER zd_rt OPTIONS (DROP page_size)")
            cur.execute("DROP SCHEMA mirror_rt CASCADE")
        rotations = token_requests(requests_log())
        self.assertGreaterEqual(len(rotations), 21)
        self.assertEqual(set(rotations), {200})
        self.assert_one_live_token_in_the_catalog()

    def test_9_four_backends_rotating_at_once(self):
        # 2-second access tokens, due after 1 s: four backends scanning
        # together, twice (a shared pace of 900 requests a minute, 50 pages
        # a scan: ~13 s a round), each ready to rotate the pair whenever it
        # is due: a rotation a second, ~13 in each statement's life
        self.fresh_authorization()
        cur = self.conn.cursor()
        cur.execute("ALTER SERVER zd_rt OPTIONS (ADD page_size '50', SET export_requests_per_minute '900')")
        sim_json("POST", "/_sim/oauth/settings", {"token_lifetime": 2})
        conns = [connect() for _ in range(4)]
        results, errors = {}, []

        def scans(i, conn):
            try:
                c = conn.cursor()
                for n in range(2):
                    c.execute("SELECT count(*) FROM tickets_rt")
                    results[(i, n)] = c.fetchone()[0]
            except Exception as e:  # reported below
                errors.append("backend %d: %s" % (i, e))

        try:
            threads = [threading.Thread(target=scans, args=(i, c)) for i, c in enumerate(conns)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
        finally:
            for c in conns:
                c.close()
            cur.execute("ALTER SERVER zd_rt OPTIONS (DROP page_size, SET export_requests_per_minute '6000')")
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 8)
        self.assertEqual(set(results.values()), {live_tickets()})
        rotations = token_requests(requests_log())
        self.assertGreaterEqual(len(rotations), 16)
        self.assertEqual(set(rotations), {200}, "no invalid_grant")
        self.assert_one_live_token_in_the_catalog()

    def test_95_a_person_sets_a_token_while_a_statement_rotates(self):
        # one rotation per request, paced, for ~6 s; 2 s in, a person sets a
        # token of a new authorization: it replaces the pair (it is used,
        # hence rotated away), and no writer puts the old chain's back
        self.fresh_authorization()
        cur = self.conn.cursor()
        cur.execute("ALTER SERVER zd_rt OPTIONS (ADD page_size '50', SET export_requests_per_minute '600')")
        sim_json("POST", "/_sim/oauth/settings", {"token_lifetime": 1})
        person = sim_json("POST", "/_sim/oauth/refresh_tokens", {})["refresh_token"]
        SEEN_TOKENS.add(person)
        scanner = connect()
        outcome = {}

        def scan():
            try:
                c = scanner.cursor()
                c.execute("SELECT count(*) FROM tickets_rt")
                outcome["count"] = c.fetchone()[0]
            except Exception as e:  # reported below
                outcome["error"] = str(e)

        thread = threading.Thread(target=scan)
        try:
            thread.start()
            time.sleep(2)
            for attempt in range(5):
                try:
                    self.set_refresh_token(cur, person)
                    break
                except psycopg2.errors.InternalError:
                    # "tuple concurrently updated": a writer committed a
                    # rotation at the same moment; a person tries again
                    time.sleep(0.1)
            thread.join(60)
        finally:
            scanner.close()
            cur.execute("ALTER SERVER zd_rt OPTIONS (DROP page_size, SET export_requests_per_minute '6000')")
        self.assertEqual(outcome, {"count": live_tickets()})
        live = sim_json("GET", "/_sim/oauth/refresh_tokens")["refresh_tokens"]
        SEEN_TOKENS.update(live)
        self.assertNotIn(person, live, "the person's token was taken (and rotated)")
        self.assertIn(catalog_refresh_token(cur), live)
        # the other live token is the old chain's last, which nobody holds now
        self.assertEqual(len(live), 2)

    def test_z_no_token_in_the_server_log(self):
        cur = self.conn.cursor()
        catalog_refresh_token(cur)
        with open(LOG, errors="replace") as f:
            lines = [line for line in f if "user mapping" not in line.lower()]
        self.assertTrue(any("zendesk_fdw: POST /oauth/tokens" in line for line in lines),
                        "the log has the extension's debug lines")
        leaked = [t for t in SEEN_TOKENS if any(t in line for line in lines)]
        self.assertEqual(leaked, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
