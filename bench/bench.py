"""The benchmarks of issue 10, measured side by side in one run.

Run by bench/run.sh inside a throwaway cluster that preloads the library
(pg_virtualenv sets PGHOST and friends), with the simulators it started:

    bench.py WORKDIR SMALL_URL MAIN_URL LARGE_URL SMALL_N MAIN_N LARGE_N
    bench.py --scan WORKDIR MAIN_URL MAIN_N      (scan and sync throughput only)

SMALL (10k tickets) and MAIN (100k) keep a render cache, so that once a
page has been served its tickets are pre-rendered; LARGE is read once, for
memory only.  Every count of requests comes from the simulator's request
log, every expected row count from its ground truth.  Prints the progress,
then one table: each row with its measured value, its target and whether it
is met.  Exit status 0 whether targets are met or not (the table says).
"""

import base64
import gzip
import http.client
import json
import math
import os
import resource
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [os.path.join(ROOT, "tests", "scenarios"), os.path.join(ROOT, "tests", "memory")]

import memory  # noqa: E402  (tests/memory: RssAnon of a scan)
import pacing  # noqa: E402  (tests/scenarios: pacing against the scaled ceiling)
import scenario  # noqa: E402
from etl import COLUMNS as TYPED  # noqa: E402
from scenario import connect, sql  # noqa: E402

EXPORT_PATH = "/api/v2/incremental/tickets/cursor"
PAGE = 1000
AUTH = "Basic " + base64.b64encode(b"admin@example.com/token:sim-api-token").decode()
TYPED_DDL = ", ".join("%s %s" % c for c in TYPED)
TYPED_NAMES = ", ".join(c for c, _ in TYPED)
# every typed column referenced, so each is converted; count() keeps the
# executor's own work small
TYPED_SELECT = "SELECT %s FROM %%s" % ", ".join("count(%s)" % c for c, _ in TYPED)

rows_out = []       # (item, what, value, target, met)
REPEAT = int(os.environ.get("BENCH_REPEAT", 1))   # runs of each scan and first sync; the fastest counts


def say(text):
    print("  %s" % text, flush=True)


def row(item, what, value, target, met):
    rows_out.append((item, what, value, target, "yes" if met else ("-" if met is None else "NO")))
    say("%s | %s | %s | %s" % (what, value, target, rows_out[-1][4]))


class Sim(scenario.Simulator):
    """A simulator run.sh started: its control API only."""

    def __init__(self, url):  # noqa (no subprocess of our own)
        self.url = url

    def tickets(self):
        return self.jsonl("/_sim/tickets.jsonl")

    def log_split(self):
        """(export requests, standard requests) since the log was cleared."""
        log = self.requests("/api/")
        export = sum(1 for r in log if r["path"].startswith(EXPORT_PATH))
        return export, len(log) - export


def timed(conn, statement, args=None):
    started = time.monotonic()
    result = sql(conn, statement, args)
    return time.monotonic() - started, result


def best_of(n, fn):
    """The fastest of n runs of fn() -> (seconds, result)."""
    runs = [fn() for _ in range(max(1, n))]
    return min(runs, key=lambda r: r[0])


def create_server(conn, name, url, **options):
    opts = dict(url=url, export_requests_per_minute="100000", max_requests_per_statement="0",
                **options)
    sql(conn, "CREATE SERVER %s FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (%s)" %
        (name, ", ".join("%s %s" % (k, scenario.quote(v)) for k, v in opts.items())))
    sql(conn, "CREATE USER MAPPING FOR CURRENT_USER SERVER %s "
              "OPTIONS (email 'admin@example.com', api_token 'sim-api-token')" % name)
    # typed columns and raw, deleted tickets included (the sync's stream);
    # and the typed columns alone, the sync's source
    sql(conn, "CREATE FOREIGN TABLE %s_all (%s, raw jsonb) SERVER %s "
              "OPTIONS (resource 'tickets', include_deleted 'true')" % (name, TYPED_DDL, name))
    sql(conn, "CREATE FOREIGN TABLE %s_typed (%s) SERVER %s "
              "OPTIONS (resource 'tickets', include_deleted 'true')" % (name, TYPED_DDL, name))
    sql(conn, "CREATE FOREIGN TABLE %s_live (%s) SERVER %s OPTIONS (resource 'tickets')"
        % (name, TYPED_DDL, name))


def list_requests(sim):
    """What the standard list endpoint (CBP, 100 a page) needs for the
    tickets it can show (neither archived nor deleted), and how many it
    cannot show at all."""
    meta = sim.jsonl("/_sim/ticket_meta.jsonl")
    listable = sum(1 for m in meta if not m["archived"] and not m["deleted"])
    archived = sum(1 for m in meta if m["archived"] and not m["deleted"])
    return math.ceil(listable / 100.0), archived


# ---------------------------------------------------------------------------
# 1. requests


def cpu_seconds(pid):
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))


def timed_sync(conn, name):
    """CALL sync into mirror_NAME after a CHECKPOINT (so that it does not
    write out what earlier steps left dirty): (seconds, backend CPU)."""
    sql(conn, "CHECKPOINT")
    pid = sql(conn, "SELECT pg_backend_pid()")[0][0]
    cpu = cpu_seconds(pid)
    seconds, _ = timed(conn, "CALL zendesk_fdw.sync(%s, %s)", ("%s_typed" % name, "mirror_%s" % name))
    return seconds, cpu_seconds(pid) - cpu


def first_sync_again(conn, name):
    """The first sync once more: the mirror emptied, its checkpoint forgotten."""
    sql(conn, "TRUNCATE mirror_%s" % name)
    sql(conn, "CALL zendesk_fdw.sync_reset(%s, %s)", ("%s_typed" % name, "mirror_%s" % name))
    return timed_sync(conn, name)


def requests_full(conn, sim, name, label):
    """A first sync of the whole account: export requests against
    ceil(records in the stream / 1000).  Returns (rows, seconds, backend
    CPU seconds)."""
    truth = sim.tickets()
    live = sum(1 for t in truth if t["status"] != "deleted")
    minimum = max(1, math.ceil(len(truth) / float(PAGE)))
    sim.clear_log()
    seconds, cpu = timed_sync(conn, name)
    export, standard = sim.log_split()
    mirrored = sql(conn, "SELECT count(*) FROM mirror_%s" % name)[0][0]
    lst, archived = list_requests(sim)
    row("1. requests", "full export (first sync), %s tickets (%d live)" % (label, live),
        "%d export (+%d standard); list endpoint: %d standard, %d archived unreachable"
        % (export, standard, lst, archived),
        "minimum %d = ceil(%d/%d)" % (minimum, len(truth), PAGE),
        export == minimum and mirrored == live)
    return len(truth), seconds, cpu


def requests_refresh(conn, sim, name, changes=50):
    """An incremental refresh after `changes` updates: one export request."""
    # archived tickets cannot be updated (Zendesk's rule)
    ids = [m["id"] for m in sim.jsonl("/_sim/ticket_meta.jsonl")
           if not m["archived"] and not m["deleted"]][:changes]
    for i, tid in enumerate(ids):
        sim.call("PATCH", "/_sim/tickets/%d" % tid, {"subject": "Changed %d" % i, "priority": "high"})
    sim.call("POST", "/_sim/clock", {"advance": 120})
    sim.clear_log()
    seconds, _ = timed(conn, "CALL zendesk_fdw.sync(%s, %s)", ("%s_typed" % name, "mirror_%s" % name))
    export, standard = sim.log_split()
    changed = sql(conn, "SELECT count(*) FROM mirror_%s WHERE subject LIKE 'Changed %%'" % name)[0][0]
    lst, _ = list_requests(sim)
    minimum = math.ceil(changes / float(PAGE))
    row("1. requests", "incremental refresh after %d changes" % changes,
        "%d export (+%d standard), %.0f ms; list endpoint: %d standard (re-list)"
        % (export, standard, seconds * 1000, lst),
        "minimum %d" % minimum, export == minimum and changed == changes)


# ---------------------------------------------------------------------------
# 2. scan throughput


def fetch_pages(url, workdir):
    """Follow the export as the scan does (deleted included), save each page
    uncompressed, and return the paths to GET; warms the render cache."""
    base = urllib.parse.urlsplit(url)
    http = http_conn(base)
    path = EXPORT_PATH + ".json?start_time=0&per_page=%d&support_type_scope=all" % PAGE
    paths, files, records = [], [], 0
    while True:
        body = get(http, path)
        page = json.loads(gzip.decompress(body))
        paths.append(path)
        files.append(os.path.join(workdir, "page%04d.json" % len(files)))
        with open(files[-1], "wb") as f:
            f.write(gzip.decompress(body))
        records += len(page["tickets"])
        if page["end_of_stream"]:
            break
        # the row set's parameters go with every page (Zendesk's next URL
        # does not repeat them)
        path = page["after_url"][len(url):] + "&support_type_scope=all"
    return paths, files, records


def http_conn(base):
    return http.client.HTTPConnection(base.hostname, base.port)


def get(conn, path):
    conn.request("GET", path, headers={"Authorization": AUTH, "Accept-Encoding": "gzip"})
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise SystemExit("GET %s: HTTP %d" % (path, resp.status))
    return body


def serving_rate(url, paths, records):
    """Tickets a second the simulator serves the same pages (gzip, one
    kept-alive connection, bodies read and dropped)."""
    conn = http_conn(urllib.parse.urlsplit(url))

    def once():
        started = time.monotonic()
        wire = sum(len(get(conn, p)) for p in paths)
        return time.monotonic() - started, wire
    seconds, wire = best_of(2, once)
    return records / seconds, wire


def parse_rate(workdir, files):
    out = subprocess.run([os.path.join(workdir, "parse_rate"), "3"] + files, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def scan_throughput(conn, sim, name, workdir, n):
    paths, files, records = fetch_pages(sim.url, workdir)
    if records != n:
        raise SystemExit("the export of %s has %d records, the ground truth %d" % (name, records, n))
    serve, wire = serving_rate(sim.url, paths, records)
    bare, mbs = parse_rate(workdir, files)
    say("simulator serving the %d pre-rendered pages: %.0f tickets/s (%.1f MB on the wire); "
        "jansson bare parse: %.0f tickets/s (%.1f MB/s)" % (len(paths), serve, wire / 1e6, bare, mbs))

    def scan(statement):
        def once():
            seconds, result = timed(conn, statement)
            if result[0][0] != n:
                raise SystemExit("%s: %d rows, expected %d" % (statement, result[0][0], n))
            return seconds, result
        return n / best_of(REPEAT, once)[0]
    count_rate = scan("SELECT count(*) FROM %s_all" % name)
    typed_rate = scan(TYPED_SELECT % ("%s_all" % name))
    raw_rate = scan("SELECT count(raw) FROM %s_all" % name)

    # COPY FROM a local file of the same rows into the same types
    sql(conn, "CREATE TABLE copy_src AS SELECT %s, raw FROM %s_all" % (TYPED_NAMES, name))
    typed_file = os.path.join(workdir, "typed.copy")
    raw_file = os.path.join(workdir, "raw.copy")
    sql(conn, "COPY copy_src (%s) TO %%s" % TYPED_NAMES, (typed_file,))
    sql(conn, "COPY copy_src (raw) TO %s", (raw_file,))
    sql(conn, "CREATE TABLE copy_typed (%s)" % TYPED_DDL)
    sql(conn, "CREATE TABLE copy_raw (raw jsonb)")

    def copy(table, path):
        def once():
            sql(conn, "TRUNCATE %s" % table)
            return timed(conn, "COPY %s FROM %%s" % table, (path,))
        return n / best_of(2, once)[0]
    copy_typed = copy("copy_typed", typed_file)
    copy_rawr = copy("copy_raw", raw_file)
    say("scan rows/s: count(*) %.0f, %d typed columns %.0f, raw %.0f; COPY rows/s: typed %.0f, "
        "raw jsonb %.0f" % (count_rate, len(TYPED), typed_rate, raw_rate, copy_typed, copy_rawr))
    row("2. scan", "simulator serving rate (pre-rendered pages)", "%.0f tickets/s" % serve,
        "above the scan's rate (not the bottleneck)", serve > max(count_rate, typed_rate, raw_rate))
    row("2. scan", "%d typed columns / COPY of the same rows" % len(TYPED),
        "%.0f / %.0f rows/s = %.2f" % (typed_rate, copy_typed, typed_rate / copy_typed),
        ">= 0.5", typed_rate / copy_typed >= 0.5)
    row("2. scan", "%d typed columns / jansson bare parse" % len(TYPED),
        "%.0f / %.0f = %.2f" % (typed_rate, bare, typed_rate / bare), ">= 0.7",
        typed_rate / bare >= 0.7)
    row("2. scan", "count(*) / bare parse; raw / COPY raw",
        "%.0f rows/s = %.2f; %.0f / %.0f = %.2f" % (count_rate, count_rate / bare, raw_rate,
                                                   copy_rawr, raw_rate / copy_rawr),
        "(figures)", None)
    return bare


# ---------------------------------------------------------------------------
# 3. sync throughput


def sync_throughput(conn, sim, name, n, sync_seconds, sync_cpu, bare):
    rate = n / sync_seconds
    # INSERT ... SELECT of the same rows from a local table into a table like
    # the sync's target (same columns, primary key id)
    live = sql(conn, "SELECT count(*) FROM mirror_%s" % name)[0][0]
    sql(conn, "CREATE TABLE local_src AS SELECT * FROM mirror_%s" % name)
    sql(conn, "CREATE TABLE local_dst (LIKE mirror_%s INCLUDING INDEXES)" % name)

    def once():
        sql(conn, "TRUNCATE local_dst")
        sql(conn, "CHECKPOINT")
        return timed(conn, "INSERT INTO local_dst SELECT * FROM local_src")
    insert_rate = live / best_of(2, once)[0]
    # the hand-made ETL script (its own process, parsing there)
    sql(conn, "CHECKPOINT")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, os.path.join(HERE, "etl.py"), sim.url, "etl_%s" % name],
                         check=True, capture_output=True, text=True).stdout.split()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    etl_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    etl_rows, etl_seconds = int(out[0]), float(out[1])
    etl_rate = etl_rows / etl_seconds
    etl_live = sql(conn, "SELECT count(*) FROM etl_%s" % name)[0][0]
    if etl_rows != n or etl_live != live:
        raise SystemExit("the ETL script read %d records and kept %d; the sync %d and %d"
                         % (etl_rows, etl_live, n, live))
    say("first sync of %d records: %.1f s (backend CPU %.1f s), %.0f records/s; INSERT ... SELECT "
        "of its %d rows: %.0f rows/s; ETL script: %.1f s (the script's own CPU %.1f s, its backend's "
        "not counted), %.0f records/s" % (n, sync_seconds, sync_cpu, rate, live, insert_rate,
                                         etl_seconds, etl_cpu, etl_rate))
    row("3. sync", "first sync / jansson bare parse", "%.0f / %.0f records/s = %.2f"
        % (rate, bare, rate / bare), ">= 0.5", rate / bare >= 0.5)
    row("3. sync", "first sync / hand-made ETL (Python + psycopg2, COPY)",
        "%.0f / %.0f records/s = %.2f (CPU: sync's backend %.1f s; script %.1f s + its backend)"
        % (rate, etl_rate, rate / etl_rate, sync_cpu, etl_cpu), ">= 0.5 (within 2x)",
        rate / etl_rate >= 0.5)
    row("3. sync", "first sync / INSERT ... SELECT from a local table",
        "%.0f / %.0f rows/s = %.2f" % (rate, insert_rate, rate / insert_rate), "(figure)", None)


# ---------------------------------------------------------------------------
# 4. memory, 5. pacing, 6. time to first row


def memory_rows(conn, small_url, small_n, large_url, large_n):
    cur = conn.cursor()
    memory.setup(cur, "mem_small", small_url, memory.COLUMNS)
    memory.setup(cur, "mem_large", large_url, memory.COLUMNS)
    _, base_s, peak_s = memory.scan_peak("mem_small", small_n)
    started = time.monotonic()
    _, base_l, peak_l = memory.scan_peak("mem_large", large_n)
    seconds = time.monotonic() - started
    growth = (peak_l - peak_s) / 1024.0
    say("RssAnon: %d tickets %.1f MB before, %.1f MB peak; %d tickets %.1f MB before, %.1f MB "
        "peak (%.0f s, %.0f rows/s, simulator rendering uncached)"
        % (small_n, base_s / 1024.0, peak_s / 1024.0, large_n, base_l / 1024.0,
           peak_l / 1024.0, seconds, large_n / seconds))
    row("4. memory", "RssAnon peak, scan of %d vs %d tickets" % (large_n, small_n),
        "%.1f MB vs %.1f MB: growth %.1f MB" % (peak_l / 1024.0, peak_s / 1024.0, growth),
        "growth < 20 MB", growth < 20)


def pacing_rows(limit, window):
    """tests/scenarios/pacing.py, at a ceiling of limit per window seconds
    (sliding), against a simulator of its own."""
    pacing.set_ceiling(limit, window)
    sim = scenario.Simulator("--seed", "1", "--tickets", "2500", "--export-limit", "100000",
                             "--account-limit", "100000")
    try:
        # 2,386 live tickets: 217 pages of 11 alone, 4 x 54 pages of 45 together
        rate1, n1 = pacing.single(sim, page_size=11, label="bench pacing")
        r1 = len(pacing.export_log(sim))
        rate4, n4 = pacing.four_backends(sim, shared=True, page_size=45, label="bench shared pacing")
        r4 = len(pacing.export_log(sim))
    finally:
        sim.stop()
    for label, rate, n429, requests in (("one backend", rate1, n1, r1),
                                        ("four backends, shared", rate4, n4, r4)):
        row("5. pacing", "%s, ceiling %d per %.0f s (sliding)" % (label, limit, window),
            "%d requests: %.1f/%.0f a minute = %.3f, %d 429s"
            % (requests, rate, pacing.CEILING, rate / pacing.CEILING, n429),
            ">= 0.95, zero 429s, >= 200 requests",
            rate / pacing.CEILING >= 0.95 and n429 == 0 and requests >= 200)


def first_row(conn, sim, name):
    """A pushed-down query (updated_at > a bound with a few thousand tickets
    after it, shuffled within the stream) read through a cursor: time to the
    first row and the export requests made by then."""
    truth = sorted(t["updated_at"] for t in sim.tickets() if t["status"] != "deleted")
    bound = truth[-3000]
    sim.clear_log()
    conn.autocommit = False
    cur = conn.cursor("first_row")
    cur.itersize = 1
    started = time.monotonic()
    cur.execute("SELECT id, subject, status FROM %s_live WHERE updated_at > %%s" % name, (bound,))
    first = cur.fetchone()
    seconds = time.monotonic() - started
    export, standard = sim.log_split()
    cur.close()
    conn.rollback()
    conn.autocommit = True
    row("6. first row", "pushed-down query (updated_at > bound, ~3000 tickets after it)",
        "%.0f ms, %d export request(s) (+%d standard) before the first row"
        % (seconds * 1000, export, standard), "one export request",
        first is not None and export == 1)


def print_table():
    order = sorted(range(len(rows_out)), key=lambda i: (rows_out[i][0], i))
    widths = [max(len(str(rows_out[i][k])) for i in order) for k in range(5)]
    heads = ("item", "what", "measured", "target", "met")
    widths = [max(w, len(h)) for w, h in zip(widths, heads)]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(heads, widths)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for i in order:
        print("| " + " | ".join(str(v).ljust(w) for v, w in zip(rows_out[i], widths)) + " |")
    missed = [r for r in rows_out if r[4] == "NO"]
    print()
    print("%d rows, %d targets met, %d missed" % (len(rows_out), sum(1 for r in rows_out if r[4] == "yes"),
                                                  len(missed)))


def throughput(conn, big, workdir, main_n):
    """Items 2 and 3: scan and sync throughput on MAIN."""
    print("== scan throughput, %d tickets" % main_n, flush=True)
    bare = scan_throughput(conn, big, "m", workdir, main_n)
    print("== requests and sync throughput, %d tickets" % main_n, flush=True)
    n, seconds, cpu = requests_full(conn, big, "m", "%dk" % (main_n // 1000))
    # BENCH_REPEAT first syncs in all, as the scans: the fastest counts
    for _ in range(REPEAT - 1):
        seconds, cpu = min((seconds, cpu), first_sync_again(conn, "m"))
    sync_throughput(conn, big, "m", n, seconds, cpu, bare)


def main():
    conn = connect()
    sql(conn, "CREATE EXTENSION zendesk_fdw")
    if sys.argv[1] == "--scan":
        # bench.py --scan WORKDIR MAIN_URL MAIN_N: items 2 and 3 only
        workdir, main_url, main_n = sys.argv[2], sys.argv[3], int(sys.argv[4])
        create_server(conn, "m", main_url)
        throughput(conn, Sim(main_url), workdir, main_n)
        print_table()
        return 0
    workdir, small_url, main_url, large_url = sys.argv[1:5]
    small_n, main_n, large_n = (int(x) for x in sys.argv[5:8])
    limit, window = int(os.environ.get("BENCH_PACE_LIMIT", 20)), float(os.environ.get("BENCH_PACE_WINDOW", 6))
    small, big = Sim(small_url), Sim(main_url)
    create_server(conn, "s", small_url)
    create_server(conn, "m", main_url)
    steps = [
        ("requests, 10k", lambda: requests_full(conn, small, "s", "10k")),
        ("incremental refresh", lambda: requests_refresh(conn, small, "s")),
        ("time to first row", lambda: first_row(conn, small, "s")),
        ("memory", lambda: memory_rows(conn, small_url, small_n, large_url, large_n)),
    ]
    for label, step in steps:
        print("== %s" % label, flush=True)
        step()
    throughput(conn, big, workdir, main_n)
    print("== pacing", flush=True)
    pacing_rows(limit, window)
    print_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
