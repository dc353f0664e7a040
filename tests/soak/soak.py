"""Crash soak of zendesk_fdw.sync: kill -9 at random points, resume, compare.

Runs in a cluster of its own (tests/soak/run.sh: pg_virtualenv), against a
simulator of its own with a large account.  Four mirrors are kept: tickets
(delete mode remove), tickets (delete mode flag), users and ticket events.
An episode picks one, starts a long export (resync, TRUNCATE, DROP of the
target, or a refresh after changes), and kills the syncing backend with
SIGKILL one to four times: after a random delay, or as soon as another
session sees sync_state.pages reach a random count.  Between the attempts
it changes the account (creates, updates, system updates, deletes,
restores, scrubs, users) and arms faults (429s and 429 storms, 5xx,
dropped connections, slow and dripped answers, an invalid cursor, and now
and then a bad body that fails the run).  The episode ends with a run that
completes; the mirror is then compared with the simulator's ground truth,
row by row: the id, the stream-time columns and the whole record (raw).
At the end every mirror is refreshed and compared once more.

Prints the seed (--seed replays a run, with the simulator started with the
same seed) and a final table; exits 1 on any difference or unexpected
error.  Needs ZD_SIM_URL and the PG* variables; /usr/bin/python3 with
Debian's python3-psycopg2.
"""

import argparse
import io
import json
import math
import os
import random
import re
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

import psycopg2
import psycopg2.extensions

SIM = os.environ["ZD_SIM_URL"]
MAX_RETRIES = 5
STATUSES = ["open", "pending", "hold", "solved"]
PRIORITIES = ["low", "normal", "high", "urgent"]


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


# -- the simulator

def sim(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(SIM + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        text = resp.read().decode()
    return json.loads(text) if text.strip().startswith(("{", "[")) else text


def sim_lines(path):
    req = urllib.request.Request(SIM + path)
    with urllib.request.urlopen(req, timeout=120) as resp:
        return [json.loads(line) for line in resp.read().decode().splitlines() if line.strip()]


def quote_literal(text):
    return "'" + text.replace("'", "''") + "'"


# -- the database

def connect(timeout=120):
    deadline = time.time() + timeout
    while True:
        try:
            conn = psycopg2.connect(dbname=os.environ.get("PGDATABASE", "postgres"))
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
            return conn
        except psycopg2.OperationalError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def query(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None


class Target:
    """A mirror: its source, delete mode, ground truth and checked columns."""

    def __init__(self, name, source, resource, delete_mode, export_path, columns, cursor):
        self.name = name
        self.source = source
        self.resource = resource
        self.delete_mode = delete_mode
        self.export_path = export_path
        # (the mirror's column as m, the record's key in t.doc, the key's name)
        self.columns = columns
        self.cursor = cursor
        self.est_seconds = None
        self.est_pages = None

    def sync_sql(self, resync=False):
        proc = "resync" if resync else "sync"
        if self.delete_mode is None:
            return "CALL zendesk_fdw.%s('%s', '%s')" % (proc, self.source, self.name)
        return "CALL zendesk_fdw.%s('%s', '%s', delete_mode => '%s')" % (
            proc, self.source, self.name, self.delete_mode)

    def truth_text(self):
        """The ground truth, JSON lines, with the extension's NUL rule: U+FFFD
        where the JSON has \\u0000 (text and jsonb cannot hold NUL)."""
        req = urllib.request.Request(SIM + "/_sim/%s.jsonl" % self.resource)
        with urllib.request.urlopen(req, timeout=120) as resp:
            data = resp.read()
        if b"u0000" not in data:
            return data
        # a run of backslashes before u0000: an odd one ends in the escape
        return re.sub(rb"(\\+)u0000", lambda m: m.group(0) if len(m.group(1)) % 2 == 0
                      else m.group(1)[:-1] + rb"\ufffd", data)


def epoch(column, key):
    return ("extract(epoch FROM m.%s)::bigint" % column, "(t.doc->>'%s')::bigint" % key, key)


def iso(column, key):
    return ("to_char(m.%s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')" % column,
            "t.doc->>'%s'" % key, key)


def same(column, key, cast="text"):
    return ("m.%s" % column, "(t.doc->>'%s')::%s" % (key, cast), key)


def make_targets():
    ticket_cols = [epoch("generated_timestamp", "generated_timestamp"),
                   iso("updated_at", "updated_at"), same("status", "status"),
                   same("subject", "subject")]
    return [
        Target("mirror.tickets", "zd.tickets", "tickets", "remove",
               "/api/v2/incremental/tickets/cursor", ticket_cols, True),
        Target("mirror.tickets_flagged", "zd.tickets", "tickets", "flag",
               "/api/v2/incremental/tickets/cursor", ticket_cols, True),
        Target("mirror.users", "zd.users", "users", None,
               "/api/v2/incremental/users/cursor",
               [iso("updated_at", "updated_at"), same("active", "active", "boolean"),
                same("name", "name")], True),
        Target("mirror.ticket_events", "zd.ticket_events", "ticket_events", None,
               "/api/v2/incremental/ticket_events",
               [epoch('"timestamp"', "timestamp"), same("ticket_id", "ticket_id", "bigint")],
               False),
    ]


def setup(page_size):
    conn = connect()
    query(conn, "CREATE EXTENSION IF NOT EXISTS zendesk_fdw")
    query(conn, "CREATE SERVER zd FOREIGN DATA WRAPPER zendesk_fdw OPTIONS "
                "(url %s, page_size %s, export_requests_per_minute '60000', "
                "max_requests_per_statement '0', max_retries %s)",
          (SIM, str(page_size), str(MAX_RETRIES)))
    query(conn, "CREATE USER MAPPING FOR CURRENT_USER SERVER zd OPTIONS "
                "(email 'admin@example.com', api_token 'sim-api-token')")
    query(conn, "CREATE SCHEMA zd")
    query(conn, "CREATE FOREIGN TABLE zd.tickets (id bigint, subject text, status text, "
                "updated_at timestamptz, generated_timestamp timestamptz, raw jsonb) "
                "SERVER zd OPTIONS (resource 'tickets')")
    query(conn, "CREATE FOREIGN TABLE zd.users (id bigint, name text, active boolean, "
                "updated_at timestamptz, raw jsonb) SERVER zd OPTIONS (resource 'users')")
    query(conn, "CREATE FOREIGN TABLE zd.ticket_events (id bigint, ticket_id bigint, "
                "\"timestamp\" timestamptz, raw jsonb) SERVER zd "
                "OPTIONS (resource 'ticket_events')")
    query(conn, "CREATE SCHEMA mirror")
    conn.close()


# -- one attempt: a CALL in a backend of its own, perhaps killed

class SyncCall(threading.Thread):
    def __init__(self, sql):
        super().__init__(daemon=True)
        self.conn = connect()
        self.pid = self.conn.get_backend_pid()
        self.sql = sql
        self.error = None
        self.started = time.time()
        self.elapsed = None
        self.notices = []

    def run(self):
        try:
            query(self.conn, self.sql)
        except psycopg2.Error as e:
            self.error = e
        self.elapsed = time.time() - self.started
        self.notices = list(self.conn.notices)


class Soak:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.targets = make_targets()
        self.synced = set()          # targets that exist and have completed once
        self.monitor = None
        self.n = {k: 0 for k in (
            "kills", "kills_by_delay", "kills_by_pages", "kills_survived", "runs",
            "runs_completed", "runs_compared", "runs_failed_injected", "rows_compared",
            "mutations", "faults", "faults_hit", "invalid_cursor_restarts",
            "stale_notices", "episodes")}
        self.differences = []
        self.unexpected = []

    # -- helpers

    def db(self):
        if self.monitor is None or self.monitor.closed:
            self.monitor = connect()
        try:
            query(self.monitor, "SELECT 1")
        except psycopg2.Error:
            self.monitor = connect()
        return self.monitor

    def state(self, target):
        rows = query(self.db(), "SELECT status, pages, pid, error, after_cursor IS NOT NULL "
                                "FROM zendesk_fdw.sync_state WHERE target = to_regclass(%s)",
                     (target.name,))
        return rows[0] if rows else None

    def unexpected_error(self, what):
        log("UNEXPECTED:", what)
        self.unexpected.append(what)

    # -- mutations

    def mutate(self, budget):
        """budget random changes to the account; the clock moves on after
        them (records changed within the last minute are not exported)."""
        rng = self.rng
        meta = sim_lines("/_sim/ticket_meta.jsonl")
        live = [m["id"] for m in meta if not m["deleted"]]
        deleted = [m["id"] for m in meta if m["deleted"] and not m["scrubbed"]]
        users = [(u["id"], u["active"]) for u in sim_lines("/_sim/users.jsonl")]
        active_users = [u for u, active in users if active]
        for _ in range(budget):
            op = rng.choices(["create", "update", "bulk", "touch", "delete", "restore",
                              "scrub", "user_create", "user_update", "user_delete"],
                             [3, 5, 2, 2, 3, 2, 1, 1, 2, 1])[0]
            try:
                if op == "create":
                    made = sim("POST", "/_sim/tickets",
                               {"subject": "soak created %d" % rng.randrange(10 ** 6),
                                "count": rng.randint(1, 20)})
                    live.extend(t["id"] for t in made["tickets"])
                elif op == "update" and live:
                    tid = rng.choice(live)
                    change = {"subject": rng.choice(["soak updated %d" % rng.randrange(10 ** 6),
                                                     "soak with a NUL \u0000 here"]),
                              "status": rng.choice(STATUSES)}
                    if rng.random() < 0.5:
                        change["comment"] = "soak comment"
                    sim("PATCH", "/_sim/tickets/%d" % tid, change)
                elif op == "bulk" and live:
                    ids = rng.sample(live, min(len(live), rng.randint(2, 50)))
                    sim("POST", "/_sim/tickets/bulk",
                        {"ids": ids, "changes": {"priority": rng.choice(PRIORITIES)}})
                elif op == "touch" and live:
                    ids = rng.sample(live, min(len(live), rng.randint(1, 100)))
                    sim("POST", "/_sim/tickets/touch", {"ids": ids})
                elif op == "delete" and live:
                    tid = live.pop(rng.randrange(len(live)))
                    sim("DELETE", "/_sim/tickets/%d" % tid)
                    deleted.append(tid)
                elif op == "restore" and deleted:
                    tid = deleted.pop(rng.randrange(len(deleted)))
                    sim("POST", "/_sim/tickets/%d/restore" % tid)
                    live.append(tid)
                elif op == "scrub" and live:
                    tid = live.pop(rng.randrange(len(live)))
                    sim("POST", "/_sim/tickets/%d/scrub" % tid)
                elif op == "user_create":
                    user = sim("POST", "/_sim/users", {"name": "Soak User %d" % rng.randrange(10 ** 6)})
                    active_users.append(user["user"]["id"])
                elif op == "user_update" and active_users:
                    sim("PATCH", "/_sim/users/%d" % rng.choice(active_users),
                        {"name": "Soak Renamed %d" % rng.randrange(10 ** 6)})
                elif op == "user_delete" and active_users:
                    uid = active_users.pop(rng.randrange(len(active_users)))
                    sim("DELETE", "/_sim/users/%d" % uid)
                else:
                    continue
            except urllib.error.HTTPError as e:
                self.unexpected_error("the simulator refused a %s: %s %s" % (op, e.code, e.read()[:200]))
                continue
            self.n["mutations"] += 1

    def advance_clock(self):
        sim("POST", "/_sim/clock", {"advance": 120})

    # -- faults

    def arm_faults(self, target, pages_left):
        """Faults for the next attempt: at most one retried fault (so no request
        meets more than max_retries), perhaps an invalid cursor, now and then a
        bad body that fails the run.  Returns the ids of the failing rules."""
        rng = self.rng
        sim("DELETE", "/_sim/faults")
        skip = lambda: rng.randint(0, max(0, pages_left))  # noqa: E731
        rules = []
        if rng.random() < 0.6:
            kind = rng.choice(["rate_limit", "storm", "server_error", "status", "reset",
                               "reset_mid_body", "delay", "drip"])
            rule = {"path": target.export_path, "skip": skip()}
            if kind == "rate_limit":
                rule.update(kind="rate_limit", retry_after=1, count=rng.randint(1, 3))
            elif kind == "storm":
                rule.update(kind="rate_limit", retry_after=1, skip=0,
                            active_after=round(rng.uniform(0, 4), 2), active_for=2)
            elif kind == "server_error":
                rule.update(kind="server_error", status=rng.choice([500, 502, 503]),
                            count=rng.randint(1, 2))
            elif kind == "status":
                rule.update(status=500, body="{\"error\":\"InternalError\"}", count=1)
            elif kind in ("reset", "reset_mid_body"):
                rule.update(kind=kind, count=rng.randint(1, 2))
            elif kind == "delay":
                rule.update(delay=round(rng.uniform(0.2, 2.0), 2), count=rng.randint(1, 3))
            else:
                rule.update(kind="drip", drip_bytes=8192, drip_interval=0.02, count=1)
            rules.append((kind, rule))
        if target.cursor and rng.random() < 0.25:
            rules.append(("invalid_cursor", {"path": target.export_path, "query": "cursor=",
                                             "kind": "invalid_cursor", "count": 1,
                                             "skip": rng.randint(0, 3)}))
        fatal = []
        if rng.random() < 0.08:
            kind = rng.choice(["truncate", "html"])
            rules.append((kind, {"path": target.export_path, "kind": kind, "count": 1,
                                 "skip": skip()}))
        for kind, rule in rules:
            rule_id = sim("POST", "/_sim/faults", rule)["id"]
            if kind in ("truncate", "html"):
                fatal.append(rule_id)
            self.n["faults"] += 1
        return fatal

    def faults_hit(self):
        return {r["id"]: r["hits"] for r in sim("GET", "/_sim/faults")}

    # -- an attempt

    def attempt(self, target, sql, kill, mutate_during):
        """Run one CALL; kill it as planned (kill: ("delay", seconds) or
        ("pages", count), or None).  Returns (outcome, whether the account
        changed while it ran, what else): ("killed", _, pages committed by
        the killed run), ("done", _, seconds) or ("failed", _, the error)."""
        before = self.state(target)
        stale = before is not None and before[0] == "running"
        run = SyncCall(sql)
        run.start()
        self.n["runs"] += 1
        did_mutate = False
        if kill is not None:
            mode, value = kill
            if mutate_during:
                time.sleep(self.rng.uniform(0, 1.0))
                if run.is_alive():
                    self.mutate(self.rng.randint(1, 10))
                    did_mutate = True
            if mode == "delay":
                deadline = run.started + value
                while run.is_alive() and time.time() < deadline:
                    time.sleep(0.005)
            else:
                while run.is_alive():
                    rows = query(self.db(), "SELECT pages FROM zendesk_fdw.sync_state "
                                            "WHERE target = to_regclass(%s) AND pid = %s "
                                            "AND status = 'running'", (target.name, run.pid))
                    if rows and rows[0][0] >= value:
                        break
                    time.sleep(0.01)
                if self.rng.random() < 0.5:
                    time.sleep(self.rng.uniform(0, 0.3))
            if run.is_alive():
                os.kill(run.pid, signal.SIGKILL)
                killed_after = time.time() - run.started
                run.join(60)
                self.monitor = None
                connect().close()           # the cluster has restarted
                # (a CALL that ended just before the signal is a completed run)
                if run.error is not None or run.elapsed is None:
                    self.n["kills"] += 1
                    self.n["kills_by_" + ("delay" if mode == "delay" else "pages")] += 1
                    st = self.state(target)
                    log("  kill -9 of %d after %.2f s (%s %s): %s, %s pages this run" % (
                        run.pid, killed_after, mode,
                        ("%.2f s" % value) if mode == "delay" else ("%d pages" % value),
                        st[0] if st else "no state row", st[1] if st else 0))
                    if st is not None and st[0] == "running" and st[2] != run.pid:
                        self.unexpected_error("after the kill of %d, sync_state of %s says "
                                              "running in PID %s" % (run.pid, target.name, st[2]))
                    return "killed", did_mutate, (st[1] if st and st[2] == run.pid else 0)
        run.join(600)
        if run.is_alive():
            self.unexpected_error("%s did not end within 600 s" % sql)
            os.kill(run.pid, signal.SIGKILL)
            run.join(60)
            self.monitor = None
            connect().close()
            return "killed", did_mutate, 0
        notices = "".join(run.notices)
        if stale:
            if "ended without finishing" in notices:
                self.n["stale_notices"] += 1
            else:
                self.unexpected_error("the run after a killed one did not say so: %r" % notices[-500:])
        if "rejected the export cursor" in notices:
            self.n["invalid_cursor_restarts"] += 1
        if run.error is not None:
            return "failed", did_mutate, run.error
        self.n["runs_completed"] += 1
        st = self.state(target)
        if st is None or st[0] != "done" or st[3] is not None:
            self.unexpected_error("%s completed but sync_state says %r" % (sql, st))
        log("  run completed in %.2f s, %s pages" % (run.elapsed, st[1] if st else "?"))
        return "done", did_mutate, run.elapsed

    # -- the comparison

    def compare(self, target):
        """The mirror against the ground truth, in SQL: one full join on id;
        a row differs when it is on one side only, when a checked column
        differs from the record's key, or when raw differs from the record."""
        started = time.time()
        conn = connect()
        query(conn, "CREATE TEMP TABLE truth_docs (doc jsonb)")
        with conn.cursor() as cur:
            cur.copy_expert("COPY truth_docs FROM STDIN WITH (FORMAT csv, QUOTE E'\\x01', "
                            "DELIMITER E'\\x02')", io.BytesIO(target.truth_text()))
        keep = "doc->>'status' IS DISTINCT FROM 'deleted'" if target.delete_mode == "remove" \
            else "true"
        query(conn, "CREATE TEMP VIEW truth AS SELECT (doc->>'id')::bigint AS id, doc "
                    "FROM truth_docs WHERE " + keep)
        checks = " OR ".join("%s IS DISTINCT FROM %s" % (m, t) for m, t, _ in target.columns)
        names = ", ".join("CASE WHEN %s IS DISTINCT FROM %s THEN %s || ' = ' || "
                          "coalesce(%s::text, 'NULL') || ', Zendesk ' || coalesce(%s::text, 'NULL') "
                          "END" % (m, t, quote_literal(name), m, t) for m, t, name in target.columns)
        rows = query(conn, """
            SELECT coalesce(m.id, t.id), m.id IS NULL, t.id IS NULL, t.doc->>'status',
                   CASE WHEN m.raw IS DISTINCT FROM t.doc THEN
                     (SELECT string_agg(format('%%s: mirror %%s, Zendesk %%s', k,
                                               left((m.raw->k)::text, 300),
                                               left((t.doc->k)::text, 300)), '; ' ORDER BY k) FROM
                        (SELECT jsonb_object_keys(m.raw) UNION SELECT jsonb_object_keys(t.doc)) ks(k)
                       WHERE m.raw->k IS DISTINCT FROM t.doc->k) END,
                   concat_ws('; ', %s)
              FROM %s m FULL JOIN truth t ON m.id = t.id
             WHERE m.id IS NULL OR t.id IS NULL OR m.raw IS DISTINCT FROM t.doc OR %s
             ORDER BY 1""" % (names, target.name, checks))
        compared, dupes = query(conn, "SELECT (SELECT count(*) FROM truth t FULL JOIN %s m "
                                      "ON m.id = t.id), (SELECT count(*) - count(DISTINCT id) "
                                      "FROM %s)" % (target.name, target.name))[0]
        conn.close()
        diffs = []
        for rid, missing, extra, status, raw_keys, columns in rows:
            if missing:
                diffs.append("%s: id %d missing (Zendesk status %s)" % (target.name, rid, status))
            elif extra:
                diffs.append("%s: id %d is not in Zendesk" % (target.name, rid))
            else:
                diffs.append("%s: id %d differs: %s%s" % (
                    target.name, rid, columns, (" raw " + raw_keys) if raw_keys else ""))
        if dupes:
            diffs.append("%s: %d duplicate ids" % (target.name, dupes))
        self.n["rows_compared"] += compared
        self.n["runs_compared"] += 1
        if diffs:
            log("  DIFFERENCES in %s: %d" % (target.name, len(diffs)))
            for d in diffs[:20]:
                log("    " + d)
            self.differences.extend(diffs)
        else:
            log("  %s equals the ground truth: %d rows (compared in %.1f s)" % (
                target.name, compared, time.time() - started))
        return not diffs

    # -- an episode

    def estimate(self, target):
        if target.est_pages is None:
            size = int(sim("GET", "/_sim/state").get(target.resource, 0) or 0)
            if target.resource == "ticket_events":
                size = len(sim_lines("/_sim/ticket_events.jsonl"))
            target.est_pages = max(1, math.ceil(size / self.args.page_size))
            target.est_seconds = max(1.0, size / 2500.0)
        return target.est_pages, target.est_seconds

    def episode(self, kills_wanted):
        rng = self.rng
        target = rng.choices(self.targets, [3, 3, 1, 2])[0]
        self.n["episodes"] += 1
        if target.name in self.synced:
            start = rng.choices(["resync", "truncate", "drop", "refresh"], [4, 3, 1, 1])[0]
        else:
            start = "first"
        pages, seconds = self.estimate(target)
        log("episode %d: %s, %s, %d kills planned" % (self.n["episodes"], target.name, start,
                                                     kills_wanted))
        if rng.random() < 0.7:
            self.mutate(rng.randint(1, 40))
        self.advance_clock()
        if start == "truncate":
            query(self.db(), "TRUNCATE %s" % target.name)
        elif start == "drop":
            query(self.db(), "DROP TABLE %s" % target.name)
        if start == "refresh":
            pages, seconds = 2, 0.5
        sql = target.sync_sql(resync=(start == "resync"))
        kills = 0
        pages_done = 0
        dirty = False
        for attempt_no in range(kills_wanted + 12):
            left = max(1, pages - pages_done)
            fatal = self.arm_faults(target, left)
            hits_before = self.faults_hit()
            kill = None
            if kills < kills_wanted:
                if rng.random() < 0.5:
                    kill = ("delay", round(rng.uniform(0.02, 1.1 * seconds * left / pages), 3))
                else:
                    kill = ("pages", rng.randint(1, left))
            outcome, mutated, info = self.attempt(target, sql, kill,
                                                  mutate_during=kill is not None and rng.random() < 0.25)
            dirty = dirty or mutated
            hits = self.faults_hit()
            self.n["faults_hit"] += sum(1 for i, h in hits.items() if h > hits_before.get(i, 0))
            if outcome == "killed":
                kills += 1
                pages_done += info
                sql = target.sync_sql()
                if rng.random() < 0.6:
                    self.mutate(rng.randint(1, 20))
                    self.advance_clock()
                continue
            if outcome == "failed":
                if any(hits.get(i, 0) > 0 for i in fatal):
                    self.n["runs_failed_injected"] += 1
                    st = self.state(target)
                    log("  run failed on the injected bad body: %s" % str(info).splitlines()[0])
                    if st is None or st[0] != "failed" or not st[3]:
                        self.unexpected_error("a failed run left sync_state %r" % (st,))
                    sql = target.sync_sql()
                    continue
                self.unexpected_error("%s failed: %s" % (sql, info))
                sql = target.sync_sql()
                continue
            # done: a whole export in one attempt tells how long the next take
            if start != "refresh" and attempt_no == 0:
                st = self.state(target)
                if st:
                    target.est_pages = max(1, st[1])
                target.est_seconds = max(0.5, info)
            self.synced.add(target.name)
            if dirty:
                sim("DELETE", "/_sim/faults")
                self.advance_clock()
                outcome, _, info = self.attempt(target, target.sync_sql(), None, False)
                if outcome != "done":
                    self.unexpected_error("the refresh after changes during the run: %s" % (info,))
            ok = self.compare(target)
            if ok:
                self.n["kills_survived"] += kills
            return kills
        self.unexpected_error("episode on %s did not complete in %d attempts" % (
            target.name, kills_wanted + 12))
        return kills

    def run(self):
        t0 = time.time()
        setup(self.args.page_size)
        while self.n["kills"] < self.args.kills:
            left = self.args.kills - self.n["kills"]
            self.episode(min(left, self.rng.randint(1, 4)))
            if len(self.unexpected) > 20:
                break
        log("final: every mirror refreshed and compared")
        sim("DELETE", "/_sim/faults")
        self.advance_clock()
        for target in self.targets:
            if target.name not in self.synced:
                continue
            outcome, _, info = self.attempt(target, target.sync_sql(), None, False)
            if outcome != "done":
                self.unexpected_error("final refresh of %s: %s" % (target.name, info))
            self.compare(target)
        self.report(time.time() - t0)

    def report(self, elapsed):
        n = self.n
        rows = [
            ("seed", "%d  (replay: tests/soak/run.sh %d --seed %d)" % (
                self.args.seed, self.args.kills, self.args.seed)),
            ("episodes (long exports)", n["episodes"]),
            ("kills -9", "%d  (after a random delay %d, at a random page count %d)" % (
                n["kills"], n["kills_by_delay"], n["kills_by_pages"])),
            ("kills survived", "%d  (resumed, and the mirror then equal to the ground truth)"
             % n["kills_survived"]),
            ("  resumes that reported the killed run", n["stale_notices"]),
            ("runs started", n["runs"]),
            ("runs completed", n["runs_completed"]),
            ("runs failed on an injected bad body", n["runs_failed_injected"]),
            ("comparisons with the ground truth", n["runs_compared"]),
            ("rows compared", n["rows_compared"]),
            ("mutations", n["mutations"]),
            ("fault rules armed / hit", "%d / %d" % (n["faults"], n["faults_hit"])),
            ("invalid-cursor restarts", n["invalid_cursor_restarts"]),
            ("differences", len(self.differences)),
            ("unexpected errors", len(self.unexpected)),
            ("elapsed", "%.0f s" % elapsed),
        ]
        print()
        print("crash soak of zendesk_fdw.sync")
        for name, value in rows:
            print("  %-40s %s" % (name, value))
        for d in self.differences[:100]:
            print("  difference: " + d)
        for u in self.unexpected[:100]:
            print("  unexpected: " + u)
        print("RESULT %s kills=%d survived=%d runs_completed=%d rows_compared=%d differences=%d "
              "unexpected=%d seed=%d" % (
                  "PASS" if not self.differences and not self.unexpected and
                  n["kills"] >= self.args.kills else "FAIL",
                  n["kills"], n["kills_survived"], n["runs_completed"], n["rows_compared"],
                  len(self.differences), len(self.unexpected), self.args.seed), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kills", type=int, default=100)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--page-size", type=int, default=250)
    args = p.parse_args()
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(4), "big")
    log("crash soak: %d kills, seed %d, page size %d, simulator %s" % (
        args.kills, args.seed, args.page_size, SIM))
    soak = Soak(args)
    soak.run()
    ok = not soak.differences and not soak.unexpected and soak.n["kills"] >= args.kills
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
