"""Helpers of the scenario tests: a simulator of their own, the database, and
the pass/fail report.

The scenarios run inside pg_virtualenv (PGHOST, PGPORT, PGUSER... are set),
start their own Zendesk simulator as a subprocess, drive it through its
control API (limits, faults, the request log) and assert on what it saw.
Each check prints "ok   <name>" or "FAIL <name>: <why>", the lines
scripts/test.sh turns into its tally.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import psycopg2

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SECRETS = ("sim-api-token", "sim-client-secret",
           "YWRtaW5AZXhhbXBsZS5jb20vdG9rZW46c2ltLWFwaS10b2tlbg==")  # base64(admin@example.com/token:sim-api-token)
EXPORT_PATH = "/api/v2/incremental/tickets/cursor"

failures = 0


def report(name, ok, why=""):
    """One result line; a failure says why."""
    global failures
    if ok:
        print("ok   %s" % name, flush=True)
    else:
        failures += 1
        print("FAIL %s: %s" % (name, why), flush=True)
    return ok


def note(text):
    """A measured figure, printed beside the results (not a result)."""
    print("     # %s" % text, flush=True)


class Simulator:
    """A Zendesk simulator subprocess, and its control API."""

    def __init__(self, *args):
        self.dir = tempfile.mkdtemp(prefix="zd_scenario_sim.")
        os.chmod(self.dir, 0o755)
        ready = os.path.join(self.dir, "ready.json")
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "sim"))
        self.log = open(os.path.join(self.dir, "sim.log"), "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "zendesk_sim", "--port", "0", "--ready-file", ready] + list(args),
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("simulator did not start; see %s" % self.log.name)
            time.sleep(0.05)
        time.sleep(0.05)
        with open(ready) as f:
            self.url = json.load(f)["http_url"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
        return json.loads(text) if text.strip().startswith(("{", "[")) else text

    def jsonl(self, path):
        with urllib.request.urlopen(self.url + path, timeout=60) as r:
            return [json.loads(line) for line in r.read().decode().splitlines() if line.strip()]

    def fault(self, **spec):
        return self.call("POST", "/_sim/faults", spec)["id"]

    def clear_faults(self):
        self.call("DELETE", "/_sim/faults")

    def clear_log(self):
        self.call("DELETE", "/_sim/requests")

    def requests(self, path_prefix="/api/"):
        return [r for r in self.jsonl("/_sim/requests.jsonl") if r["path"].startswith(path_prefix)]

    def limits(self, **spec):
        self.call("POST", "/_sim/limits", spec)

    def live_ticket_ids(self):
        return sorted(t["id"] for t in self.jsonl("/_sim/tickets.jsonl") if t["status"] != "deleted")


def connect(autocommit=True):
    conn = psycopg2.connect("")
    conn.autocommit = autocommit
    return conn


def sql(conn, statement, args=None):
    with conn.cursor() as cur:
        cur.execute(statement, args)
        if cur.description is not None:
            return cur.fetchall()
        return None


def setup_server(conn, name, url, table=None, **options):
    """A server, the admin's API-token mapping and a tickets table (id only)."""
    opts = dict(url=url, **{k: str(v) for k, v in options.items()})
    sql(conn, "DROP SERVER IF EXISTS %s CASCADE" % name)
    sql(conn, "CREATE SERVER %s FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (%s)" %
        (name, ", ".join("%s %s" % (k, quote(v)) for k, v in opts.items())))
    sql(conn, "CREATE USER MAPPING FOR CURRENT_USER SERVER %s "
              "OPTIONS (email 'admin@example.com', api_token 'sim-api-token')" % name)
    sql(conn, "CREATE FOREIGN TABLE %s (id bigint) SERVER %s OPTIONS (resource 'tickets')" %
        (table or name + "_tickets", name))


def alter_server(conn, name, **options):
    """Set (value) or drop (None) server options."""
    current = dict(o.split("=", 1) for o in (sql(conn, "SELECT srvoptions FROM pg_foreign_server "
                                                       "WHERE srvname = %s", (name,))[0][0] or []))
    parts = []
    for k, v in options.items():
        if v is None:
            if k in current:
                parts.append("DROP %s" % k)
        else:
            parts.append("%s %s %s" % ("SET" if k in current else "ADD", k, quote(str(v))))
    if parts:
        sql(conn, "ALTER SERVER %s OPTIONS (%s)" % (name, ", ".join(parts)))


def quote(value):
    return "'" + str(value).replace("'", "''") + "'"


def error_text(exc):
    """Message, detail and hint of a psycopg2 error, as the client sees them."""
    diag = getattr(exc, "diag", None)
    if diag is None or diag.message_primary is None:
        return str(exc)
    return "\n".join(x for x in (diag.message_primary, diag.message_detail, diag.message_hint) if x)


def has_secret(text):
    return any(s in text for s in SECRETS) or "Bearer " in text or "Basic " in text


class Listener:
    """A loopback TCP listener that records who connects, and optionally
    never accepts (backlog full: a connect that is never completed)."""

    def __init__(self, accept=True):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.connections = 0
        self.fillers = []
        self.closed = False
        if accept:
            self.sock.listen(16)
            self.thread = threading.Thread(target=self._serve, daemon=True)
            self.thread.start()
        else:
            # backlog 0 holds one connection; fill it, so that every further
            # SYN is dropped and a connect hangs
            self.sock.listen(0)
            for _ in range(3):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", self.port))
                self.fillers.append(s)
            time.sleep(0.2)

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self.closed:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            c.close()

    def close(self):
        self.closed = True
        for s in self.fillers:
            s.close()
        self.sock.close()


class Query(threading.Thread):
    """A statement run in a connection of its own, in the background; its
    end time and error (if any) are kept."""

    def __init__(self, statement, setup=()):
        super().__init__(daemon=True)
        self.conn = connect()
        self.pid = sql(self.conn, "SELECT pg_backend_pid()")[0][0]
        for s in setup:
            sql(self.conn, s)
        self.statement = statement
        self.result = None
        self.error = None
        self.started = None
        self.ended = None

    def run(self):
        self.started = time.monotonic()
        try:
            self.result = sql(self.conn, self.statement)
        except psycopg2.Error as e:
            self.error = e
        self.ended = time.monotonic()

    def close(self):
        try:
            self.conn.close()
        except psycopg2.Error:
            pass


def wait_until(predicate, timeout=20.0, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False
