"""zendesk_fdw.sync run by pg_cron, for real.

A cluster of its own with pg_cron preloaded (tests/cron/run.sh:
cron.use_background_workers = on, cron.database_name = postgres).  Two jobs
are scheduled every minute: a single-statement CALL of sync, which must
succeed and leave a mirror equal to the simulator's ground truth, and the
same CALL followed by a second statement, which PostgreSQL runs atomically,
so sync must fail with its hint naming materialize.  pg_cron 1.4 has minute
granularity: the test waits for the first run of each (about a minute).
Needs ZD_SIM_URL and the PG* variables; /usr/bin/python3.
"""

import json
import os
import time
import unittest
import urllib.request

import psycopg2

SIM = os.environ["ZD_SIM_URL"]


def truth(resource):
    with urllib.request.urlopen(SIM + "/_sim/%s.jsonl" % resource, timeout=30) as resp:
        return [json.loads(line) for line in resp.read().decode().splitlines() if line.strip()]


def query(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None


class TestCron(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.conn = psycopg2.connect(dbname=os.environ.get("PGDATABASE", "postgres"))
        cls.conn.autocommit = True
        query(cls.conn, "CREATE EXTENSION IF NOT EXISTS pg_cron")
        query(cls.conn, "CREATE EXTENSION IF NOT EXISTS zendesk_fdw")
        query(cls.conn, "CREATE SERVER zd FOREIGN DATA WRAPPER zendesk_fdw OPTIONS "
                        "(url %s, export_requests_per_minute '6000')", (SIM,))
        # the job runs as its owner, who needs the user mapping
        query(cls.conn, "CREATE USER MAPPING FOR CURRENT_USER SERVER zd OPTIONS "
                        "(email 'admin@example.com', api_token 'sim-api-token')")
        query(cls.conn, "CREATE SCHEMA zendesk; CREATE SCHEMA mirror")
        query(cls.conn, "CREATE FOREIGN TABLE zendesk.tickets (id bigint, status text, "
                        "generated_timestamp timestamptz, raw jsonb) "
                        "SERVER zd OPTIONS (resource 'tickets')")
        cls.ok_job = query(cls.conn, "SELECT cron.schedule('zd-sync', '* * * * *', "
                           "$$CALL zendesk_fdw.sync('zendesk.tickets', 'mirror.tickets')$$)")[0][0]
        cls.bad_job = query(cls.conn, "SELECT cron.schedule('zd-two-statements', '* * * * *', "
                            "$$CALL zendesk_fdw.sync('zendesk.tickets', 'mirror.other'); "
                            "SELECT 1$$)")[0][0]
        deadline = time.time() + 150
        while time.time() < deadline:
            done = query(cls.conn, "SELECT count(DISTINCT jobid) FROM cron.job_run_details "
                                   "WHERE status IN ('succeeded', 'failed')")[0][0]
            if done == 2:
                break
            time.sleep(2)
        query(cls.conn, "SELECT cron.unschedule('zd-sync'), cron.unschedule('zd-two-statements')")
        # a run may still be under way: wait for it to end
        deadline = time.time() + 60
        while time.time() < deadline and query(
                cls.conn, "SELECT count(*) FROM cron.job_run_details "
                          "WHERE status NOT IN ('succeeded', 'failed')")[0][0]:
            time.sleep(1)

    def runs(self, jobid):
        return query(self.conn, "SELECT status, return_message FROM cron.job_run_details "
                                "WHERE jobid = %s ORDER BY runid", (jobid,))

    def test_single_statement_sync_succeeds(self):
        """A single-statement CALL of sync succeeds under pg_cron."""
        runs = self.runs(self.ok_job)
        self.assertTrue(runs, "the job never ran")
        self.assertEqual(runs[0][0], "succeeded", runs)

    def test_mirror_equals_ground_truth(self):
        """The mirror the cron job made equals the simulator's ground truth."""
        live = {t["id"]: t["status"] for t in truth("tickets") if t["status"] != "deleted"}
        got = dict(query(self.conn, "SELECT id, status FROM mirror.tickets"))
        self.assertEqual(got, live)
        state = query(self.conn, "SELECT status FROM zendesk_fdw.sync_state "
                                 "WHERE target = 'mirror.tickets'::regclass")
        self.assertEqual(state, [("done",)])

    def test_two_statement_command_fails_clearly(self):
        """A command of two statements runs atomically: sync fails, naming materialize."""
        runs = self.runs(self.bad_job)
        self.assertTrue(runs, "the job never ran")
        status, message = runs[0]
        self.assertEqual(status, "failed", runs)
        self.assertIn("materialize", message)
        self.assertIsNone(query(self.conn, "SELECT to_regclass('mirror.other')")[0][0])


if __name__ == "__main__":
    unittest.main()
