"""Crash tests of zendesk_fdw.sync: nothing lost, nothing duplicated.

Each test interrupts a first sync of tickets (page_size 200, so about 13
pages), or a snapshot of group memberships (pages of 100), at one point -- kill -9 of the syncing backend mid-transfer (the
simulator drips the body), mid-upsert (a test trigger sleeping at row k),
right after a commit; a cancel; faults and changes made while it runs --
then checks what the target holds at that point (whole pages only), resumes
(the first request after resume carries the stored cursor, read from the
simulator's log), and ends with the target equal to the simulator's ground
truth: no missing row, no extra row, no duplicate.

kill -9 of a backend makes the postmaster restart every backend, so this
runs in a cluster of its own (tests/crash/run.sh: pg_virtualenv) and
reconnects.  Needs ZD_SIM_URL and the PG* variables; /usr/bin/python3.
"""

import json
import os
import signal
import threading
import time
import unittest
import urllib.parse
import urllib.request

import psycopg2

SIM = os.environ["ZD_SIM_URL"]
PAGE = 200


def sim(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(SIM + path, data=data, method=method)
    with urllib.request.urlopen(req, timeout=30) as resp:
        text = resp.read().decode()
    return text


def sim_lines(path):
    return [json.loads(line) for line in sim("GET", path).splitlines() if line.strip()]


def connect():
    deadline = time.time() + 60
    while True:
        try:
            conn = psycopg2.connect(dbname=os.environ.get("PGDATABASE", "postgres"))
            conn.autocommit = True
            return conn
        except psycopg2.OperationalError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)


def query(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None


def stream_order():
    """The tickets in export order (generated_timestamp, id), deleted ones too."""
    docs = sim_lines("/_sim/tickets.jsonl")
    return sorted(docs, key=lambda d: (d["generated_timestamp"], d["id"]))


class Sync(threading.Thread):
    """CALL zendesk_fdw.sync in a connection of its own."""

    def __init__(self, target, role=None, source="zd.tickets"):
        super().__init__(daemon=True)
        self.conn = connect()
        if role is not None:
            query(self.conn, "SET ROLE %s" % role)
        self.pid = self.conn.get_backend_pid()
        self.source = source
        self.target = target
        self.error = None

    def run(self):
        try:
            query(self.conn, "CALL zendesk_fdw.sync(%s, %s)", (self.source, self.target))
        except psycopg2.Error as e:
            self.error = e


class CrashTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        conn = connect()
        query(conn, "CREATE EXTENSION IF NOT EXISTS zendesk_fdw")
        query(conn, "DROP SERVER IF EXISTS zd CASCADE")
        query(conn, "CREATE SERVER zd FOREIGN DATA WRAPPER zendesk_fdw OPTIONS "
                    "(url %s, page_size %s, export_requests_per_minute '60000')",
              (SIM, str(PAGE)))
        query(conn, "CREATE USER MAPPING FOR CURRENT_USER SERVER zd OPTIONS "
                    "(email 'admin@example.com', api_token 'sim-api-token')")
        query(conn, "CREATE SCHEMA IF NOT EXISTS zd")
        query(conn, "CREATE FOREIGN TABLE zd.tickets (id bigint, subject text, status text, "
                    "generated_timestamp timestamptz, raw jsonb) SERVER zd "
                    "OPTIONS (resource 'tickets')")
        query(conn, "IMPORT FOREIGN SCHEMA zendesk LIMIT TO (group_memberships) "
                    "FROM SERVER zd INTO zd")
        query(conn, "CREATE SCHEMA IF NOT EXISTS mirror")
        conn.close()

    def setUp(self):
        sim("DELETE", "/_sim/faults")
        self.conn = connect()

    def tearDown(self):
        sim("DELETE", "/_sim/faults")
        self.conn.close()

    # -- helpers

    def state(self, target):
        rows = query(connect(), "SELECT status, pages, after_cursor, error, pid FROM "
                                "zendesk_fdw.sync_state WHERE target = %s::regclass", (target,))
        return rows[0] if rows else None

    def wait_for(self, what, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = what()
            if value:
                return value
            time.sleep(0.02)
        self.fail("timed out waiting")

    def pages_committed(self, target, n):
        def check():
            try:
                st = self.state(target)
            except psycopg2.Error:
                return False
            return st is not None and st[1] >= n
        return check

    def kill9(self, pid):
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        self.conn = connect()
        # the postmaster has restarted every backend: wait until it takes queries
        self.wait_for(lambda: query(connect(), "SELECT 1"))

    def assert_whole_pages(self, target, pages):
        """The target holds exactly the live tickets of the first `pages` pages."""
        order = stream_order()
        expected = {d["id"] for d in order[:pages * PAGE] if d["status"] != "deleted"}
        got = [r[0] for r in query(self.conn, "SELECT id FROM %s" % target)]
        self.assertEqual(len(got), len(set(got)), "duplicate ids")
        self.assertEqual(set(got), expected)

    def resume_and_check(self, target, stale=False):
        """Resume: the first request carries the stored cursor; the end is exact."""
        stored = self.state(target)[2]
        self.assertIsNotNone(stored)
        sim("DELETE", "/_sim/requests")
        conn = connect()
        query(conn, "CALL zendesk_fdw.sync('zd.tickets', %s)", (target,))
        notices = "".join(conn.notices)
        if stale:
            self.assertIn("ended without finishing", notices)
        first = [r for r in sim_lines("/_sim/requests.jsonl")
                 if r["path"].startswith("/api/v2/incremental/tickets/cursor")][0]
        self.assertTrue(first["query"].startswith(
            "cursor=" + urllib.parse.quote(stored, safe="") + "&"), first["query"])
        self.assert_equal_to_truth(target)
        self.assertEqual(self.state(target)[0], "done")

    def assert_equal_to_truth(self, target):
        truth = {d["id"]: d for d in sim_lines("/_sim/tickets.jsonl") if d["status"] != "deleted"}
        rows = query(self.conn, "SELECT id, raw FROM %s" % target)
        ids = [r[0] for r in rows]
        self.assertEqual(len(ids), len(set(ids)), "duplicate ids")
        self.assertEqual(set(ids) - set(truth), set(), "rows not in Zendesk")
        self.assertEqual(set(truth) - set(ids), set(), "rows missing")
        differing = [r[0] for r in rows if r[1] != truth[r[0]]]
        self.assertEqual(differing, [], "rows differing from Zendesk")

    # -- the kill points

    def test_kill_mid_transfer(self):
        """kill -9 while the simulator drips the body of page 4."""
        target = "mirror.t_mid_transfer"
        sim("POST", "/_sim/faults", {"path": "/api/v2/incremental/tickets/cursor", "skip": 3,
                                     "count": 1, "kind": "drip", "drip_bytes": 64,
                                     "drip_interval": 0.2})
        run = Sync(target)
        run.start()
        self.wait_for(self.pages_committed(target, 3))
        time.sleep(1.0)
        self.kill9(run.pid)
        self.assertEqual(self.state(target)[0], "running")
        self.assert_whole_pages(target, 3)
        self.resume_and_check(target, stale=True)

    def test_kill_mid_upsert(self):
        """kill -9 while a trigger sleeps at row k of page 3."""
        target = "mirror.t_mid_upsert"
        k = [d for d in stream_order()[2 * PAGE:3 * PAGE] if d["status"] != "deleted"][57]["id"]
        query(self.conn, "CREATE TABLE %s (id bigint PRIMARY KEY, subject text, status text, "
                         "generated_timestamp timestamptz, raw jsonb)" % target)
        query(self.conn, "CREATE FUNCTION mirror.sleep_at_k() RETURNS trigger LANGUAGE plpgsql "
                         "AS $$ BEGIN IF NEW.id = %d THEN PERFORM pg_sleep(60); END IF; "
                         "RETURN NEW; END $$" % k)
        query(self.conn, "CREATE TRIGGER sleep_at_k BEFORE INSERT ON %s FOR EACH ROW "
                         "EXECUTE FUNCTION mirror.sleep_at_k()" % target)
        run = Sync(target)
        run.start()
        self.wait_for(lambda: query(connect(), "SELECT 1 FROM pg_stat_activity WHERE pid = %s "
                                               "AND wait_event = 'PgSleep'", (run.pid,)))
        self.kill9(run.pid)
        self.assert_whole_pages(target, 2)
        query(self.conn, "DROP TRIGGER sleep_at_k ON %s" % target)
        self.resume_and_check(target, stale=True)

    def test_kill_right_after_commit(self):
        """kill -9 as soon as the checkpoint of page 5 is visible."""
        target = "mirror.t_after_commit"
        sim("POST", "/_sim/faults", {"path": "/api/v2/incremental/tickets/cursor", "skip": 5,
                                     "count": 1, "delay": 5})
        run = Sync(target)
        run.start()
        self.wait_for(self.pages_committed(target, 5))
        self.kill9(run.pid)
        self.assert_whole_pages(target, 5)
        self.resume_and_check(target, stale=True)

    def test_cancel(self):
        """pg_cancel_backend while page 4 is held: the error is recorded."""
        target = "mirror.t_cancel"
        sim("POST", "/_sim/faults", {"path": "/api/v2/incremental/tickets/cursor", "skip": 3,
                                     "count": 1, "delay": 10})
        run = Sync(target)
        run.start()
        self.wait_for(self.pages_committed(target, 3))
        time.sleep(0.3)
        query(self.conn, "SELECT pg_cancel_backend(%s)", (run.pid,))
        run.join(10)
        self.assertIsInstance(run.error, psycopg2.extensions.QueryCanceledError)
        status, pages, _, error, _ = self.state(target)
        self.assertEqual((status, pages), ("failed", 3))
        self.assertIn("canceling statement due to user request", error)
        self.assert_whole_pages(target, 3)
        self.resume_and_check(target)

    def test_progress(self):
        """A long run reports progress against Zendesk's count every few seconds
        (requests: the ticket fields, the count, and 2 pages)."""
        target = "mirror.t_progress"
        sim("POST", "/_sim/faults", {"path": "/api/v2/incremental/tickets/cursor", "skip": 1,
                                     "count": 1, "delay": 6})
        run = Sync(target)
        run.start()
        run.join(60)
        self.assertIsNone(run.error)
        progress = [n for n in run.conn.notices if "so far" in n]
        self.assertEqual(len(progress), 1, run.conn.notices)
        self.assertRegex(progress[0], r"NOTICE:  zendesk_fdw: %d records into %s so far "
                                      r"\(about \d+%% of \d+\), 2 pages, 4 requests"
                         % (2 * PAGE, target))
        self.assertRegex(progress[0], r"About \d+ seconds left at 60000 export requests")
        self.assert_equal_to_truth(target)

    def test_faults_and_changes_during_the_run(self):
        """Retried faults, and tickets changed while the sync runs."""
        target = "mirror.t_faults"
        order = stream_order()
        early = [d["id"] for d in order[:PAGE] if d["status"] != "deleted"]
        late = [d["id"] for d in order[8 * PAGE:9 * PAGE] if d["status"] != "deleted"]
        path = "/api/v2/incremental/tickets/cursor"
        sim("POST", "/_sim/faults", {"path": path, "skip": 1, "count": 1, "status": 500,
                                     "body": "{\"error\":\"InternalError\"}"})
        sim("POST", "/_sim/faults", {"path": path, "skip": 2, "count": 1, "kind": "rate_limit",
                                     "retry_after": 1})
        sim("POST", "/_sim/faults", {"path": path, "skip": 3, "count": 1,
                                     "kind": "reset_mid_body"})
        sim("POST", "/_sim/faults", {"path": path, "skip": 4, "count": 1, "delay": 3})
        run = Sync(target)
        run.start()
        self.wait_for(self.pages_committed(target, 3))
        # while the sync runs: an already mirrored ticket changes, one not
        # yet read is deleted, a new one is created
        sim("PATCH", "/_sim/tickets/%d" % early[0], {"subject": "changed during the sync"})
        sim("DELETE", "/_sim/tickets/%d" % late[0])
        sim("POST", "/_sim/tickets", {"subject": "created during the sync"})
        run.join(60)
        self.assertIsNone(run.error)
        self.assertEqual(self.state(target)[0], "done")
        # the changes are in the stream from the next minute on: a refresh
        sim("POST", "/_sim/clock", {"advance": 120})
        self.resume_and_check(target)

    # -- the target changed under the run (issue 17, defect 4)

    def test_truncate_mid_run(self):
        """TRUNCATE from a second session 5 pages in: the next page's
        transaction notices the new storage, clears the checkpoint and the
        run mirrors again from the start; it ends equal to Zendesk."""
        target = "mirror.t_truncate"
        sim("POST", "/_sim/faults", {"path": "/api/v2/incremental/tickets/cursor", "skip": 5,
                                     "count": 1, "delay": 3})
        run = Sync(target)
        run.start()
        self.wait_for(self.pages_committed(target, 5))
        query(self.conn, "TRUNCATE %s" % target)
        run.join(60)
        self.assertIsNone(run.error)
        self.assertEqual(self.state(target)[0], "done")
        self.assert_equal_to_truth(target)
        self.assertTrue(any("truncated or rewritten while the sync ran" in n
                            for n in run.conn.notices), run.conn.notices)
        self.resume_and_check(target)

    def test_truncate_twice(self):
        """A second TRUNCATE in the same run fails it, with a hint to sync
        again; the next sync mirrors from the start and ends exact."""
        target = "mirror.t_truncate_twice"
        path = "/api/v2/incremental/tickets/cursor"
        sim("POST", "/_sim/faults", {"path": path, "skip": 5, "count": 1, "delay": 3})
        run = Sync(target)
        run.start()
        self.wait_for(self.pages_committed(target, 5))
        query(self.conn, "TRUNCATE %s" % target)
        # the third page after the restart is held too
        sim("POST", "/_sim/faults", {"path": path, "skip": 2, "count": 1, "delay": 3})
        self.wait_for(self.pages_committed(target, 7))
        query(self.conn, "TRUNCATE %s" % target)
        run.join(60)
        self.assertIsNotNone(run.error, "the run ended without an error")
        self.assertEqual(run.error.pgcode, "55000", run.error.pgerror)
        self.assertIn("Run the sync again", run.error.pgerror)
        self.assertEqual(self.state(target)[0], "failed")
        conn = connect()
        query(conn, "CALL zendesk_fdw.sync('zd.tickets', %s)", (target,))
        self.assertIn("truncated or rewritten since its last sync", "".join(conn.notices))
        self.assert_equal_to_truth(target)
        self.assertEqual(self.state(target)[0], "done")

    def test_rename_mid_run(self):
        """The target renamed while the run waits for a page: the next page
        fails (55000) instead of writing whatever the name now means; a sync
        into the new name resumes from the checkpoint."""
        target = "mirror.t_rename"
        sim("POST", "/_sim/faults", {"path": "/api/v2/incremental/tickets/cursor", "skip": 3,
                                     "count": 1, "delay": 3})
        run = Sync(target)
        run.start()
        self.wait_for(self.pages_committed(target, 3))
        query(self.conn, "ALTER TABLE %s RENAME TO t_renamed" % target)
        query(self.conn, "CREATE TABLE %s (id bigint PRIMARY KEY, subject text, status text, "
                         "generated_timestamp timestamptz, raw jsonb)" % target)
        run.join(60)
        self.assertIsNotNone(run.error, "the run ended without an error")
        self.assertEqual(run.error.pgcode, "55000", run.error.pgerror)
        self.assertEqual(query(self.conn, "SELECT count(*) FROM %s" % target)[0][0], 0)
        self.assert_whole_pages("mirror.t_renamed", 3)
        self.resume_and_check("mirror.t_renamed")

    def test_revoke_mid_run(self):
        """SELECT on the source revoked while a role's sync runs: the next
        page fails (42501); the pages before it stay."""
        target = "mirror.t_revoke"
        role = "regress_crash_reader"
        query(self.conn, "DROP ROLE IF EXISTS %s" % role)
        query(self.conn, "CREATE ROLE %s" % role)
        query(self.conn, "CREATE USER MAPPING FOR %s SERVER zd OPTIONS "
                         "(email 'admin@example.com', api_token 'sim-api-token')" % role)
        query(self.conn, "GRANT USAGE, CREATE ON SCHEMA mirror TO %s" % role)
        query(self.conn, "GRANT USAGE ON SCHEMA zd TO %s" % role)
        query(self.conn, "GRANT SELECT ON zd.tickets TO %s" % role)
        sim("POST", "/_sim/faults", {"path": "/api/v2/incremental/tickets/cursor", "skip": 3,
                                     "count": 1, "delay": 3})
        run = Sync(target, role)
        run.start()
        self.wait_for(self.pages_committed(target, 3))
        query(self.conn, "REVOKE SELECT ON zd.tickets FROM %s" % role)
        run.join(60)
        self.assertIsNotNone(run.error, "the run ended without an error")
        self.assertEqual(run.error.pgcode, "42501", run.error.pgerror)
        self.assertEqual(self.state(target)[0], "failed")
        self.assert_whole_pages(target, 3)

    # -- a snapshot of a standard list (issue 18)

    def test_kill_mid_listing(self):
        """kill -9 while the listing of group memberships waits for its
        second page, after memberships were deleted, created and changed
        since the last run: page 1 is committed and nothing is deleted; the
        next run lists again from the first page (no checkpoint) and ends
        equal to the listing."""
        target = "mirror.gm_snapshot"
        path = "/api/v2/group_memberships"
        ids = self.mirror_memberships(target)
        deleted = [ids[3], ids[120], ids[-5]]
        for mid in deleted:
            sim("DELETE", "/_sim/group_memberships/%d" % mid)
        sim("PATCH", "/_sim/group_memberships/%d" % ids[10], {"default": True})
        sim("POST", "/_sim/group_memberships", {"count": 2})
        sim("POST", "/_sim/faults", {"path": path, "skip": 1, "count": 1, "delay": 10})
        run = Sync(target, source="zd.group_memberships")
        run.start()

        def first_page_committed():
            st = self.state(target)
            return st is not None and st[0] == "running" and st[1] >= 1
        self.wait_for(first_page_committed)
        time.sleep(0.3)
        self.kill9(run.pid)
        self.assertEqual(self.state(target)[0], "running")
        got = [r[0] for r in query(self.conn, "SELECT id FROM %s" % target)]
        self.assertEqual(len(got), len(set(got)), "duplicate ids")
        self.assertTrue(set(deleted) <= set(got), "a killed listing deleted rows")

        sim("DELETE", "/_sim/requests")
        conn = connect()
        query(conn, "CALL zendesk_fdw.sync('zd.group_memberships', %s)", (target,))
        notices = "".join(conn.notices)
        self.assertIn("ended without finishing", notices)
        self.assertIn("lists it again from the start", notices)
        first = [r for r in sim_lines("/_sim/requests.jsonl") if r["path"].startswith(path)][0]
        self.assertNotIn("page%5Bafter%5D", first["query"])
        self.assert_list_equal_to_truth(target)
        rows = query(self.conn, "SELECT status, rows_deleted, after_cursor, recovery_time "
                                "FROM zendesk_fdw.sync_state WHERE target = %s::regclass",
                     (target,))
        self.assertEqual(rows[0], ("done", len(deleted), None, None))

    def test_cancel_mid_listing(self):
        """pg_cancel_backend while the second page of group memberships is
        held, after deletions: the run fails with the cancel recorded and
        nothing deleted; the next run lists from the start and is exact."""
        target = "mirror.gm_cancel"
        path = "/api/v2/group_memberships"
        ids = self.mirror_memberships(target)
        deleted = [ids[1], ids[-2]]
        for mid in deleted:
            sim("DELETE", "/_sim/group_memberships/%d" % mid)
        sim("POST", "/_sim/faults", {"path": path, "skip": 1, "count": 1, "delay": 10})
        run = Sync(target, source="zd.group_memberships")
        run.start()
        self.wait_for(lambda: (self.state(target) or ("", 0))[:2] == ("running", 1))
        time.sleep(0.3)
        query(self.conn, "SELECT pg_cancel_backend(%s)", (run.pid,))
        run.join(10)
        self.assertIsInstance(run.error, psycopg2.extensions.QueryCanceledError)
        rows = query(self.conn, "SELECT status, pages, rows_deleted, error FROM "
                                "zendesk_fdw.sync_state WHERE target = %s::regclass", (target,))
        status, pages, rows_deleted, error = rows[0]
        self.assertEqual((status, pages, rows_deleted), ("failed", 1, 0))
        self.assertIn("canceling statement due to user request", error)
        got = {r[0] for r in query(self.conn, "SELECT id FROM %s" % target)}
        self.assertTrue(set(deleted) <= got, "a cancelled listing deleted rows")
        query(self.conn, "CALL zendesk_fdw.sync('zd.group_memberships', %s)", (target,))
        self.assert_list_equal_to_truth(target)
        self.assertEqual(self.state(target)[0], "done")

    def test_restart_mid_listing(self):
        """Zendesk refuses the cursor of the third page after a membership of
        the first page was deleted and another changed: the run lists again
        from the first page, and the mirror ends equal to that second pass
        (the deleted row removed, the changed row's new version), not to
        the union of both passes."""
        target = "mirror.gm_restart"
        path = "/api/v2/group_memberships"
        ids = self.mirror_memberships(target)
        sim("DELETE", "/_sim/requests")
        sim("POST", "/_sim/faults", {"path": path, "skip": 2, "count": 1, "delay": 3})
        run = Sync(target, source="zd.group_memberships")
        run.start()
        self.wait_for(lambda: (self.state(target) or ("", 0))[:2] == ("running", 2))
        sim("DELETE", "/_sim/group_memberships/%d" % ids[3])
        sim("PATCH", "/_sim/group_memberships/%d" % ids[10], {"default": True})
        sim("POST", "/_sim/list_cursors/expire", {})
        run.join(30)
        self.assertIsNone(run.error)
        refused = [r for r in sim_lines("/_sim/requests.jsonl")
                   if r["path"].startswith(path) and r["status"] == 400]
        self.assertEqual(len(refused), 1, "the third page's cursor is refused once")
        self.assert_list_equal_to_truth(target)
        rows = query(self.conn, "SELECT rows_listed, rows_deleted FROM zendesk_fdw.sync_state "
                                "WHERE target = %s::regclass", (target,))
        self.assertEqual(rows[0], (len(ids) - 1, 1))

    def mirror_memberships(self, target):
        """At least 250 group memberships (3 pages), mirrored into target by
        a first sync; returns their ids, ascending."""
        have = len(sim_lines("/_sim/group_memberships.jsonl"))
        if have < 250:
            sim("POST", "/_sim/group_memberships", {"count": 250 - have})
        query(self.conn, "CALL zendesk_fdw.sync('zd.group_memberships', %s)", (target,))
        self.assert_list_equal_to_truth(target)
        return sorted(d["id"] for d in sim_lines("/_sim/group_memberships.jsonl"))

    def assert_list_equal_to_truth(self, target):
        truth = {d["id"]: d for d in sim_lines("/_sim/group_memberships.jsonl")}
        rows = query(self.conn, "SELECT id, raw FROM %s" % target)
        ids = [r[0] for r in rows]
        self.assertEqual(len(ids), len(set(ids)), "duplicate ids")
        self.assertEqual(set(ids) - set(truth), set(), "rows not listed")
        self.assertEqual(set(truth) - set(ids), set(), "rows missing")
        differing = [r[0] for r in rows if r[1] != truth[r[0]]]
        self.assertEqual(differing, [], "rows differing from the listing")


if __name__ == "__main__":
    unittest.main()
