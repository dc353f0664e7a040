"""Backend memory during scans: anonymous memory (RssAnon, which excludes
shared buffers) of one backend scanning a small and a large account, and of
a thousand scans in one backend, some ending in errors.

Run by tests/memory/run.sh inside a throwaway cluster (pg_virtualenv sets
PGHOST and friends), with the simulators it started:
  memory.py SMALL_URL LARGE_URL SMALL_N LARGE_N
Prints a table and exits non-zero when a target is missed.
"""

import json
import sys
import threading
import time
import urllib.request

import psycopg2


def rss_anon_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise RuntimeError("no RssAnon for pid %d" % pid)


class PeakSampler(threading.Thread):
    """Samples a process's RssAnon every few milliseconds; keeps the peak."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, rss_anon_kb(self.pid))
            time.sleep(0.005)


def connect():
    conn = psycopg2.connect("")
    conn.autocommit = True
    return conn


def setup(cur, name, url, columns):
    cur.execute("CREATE SERVER %s FOREIGN DATA WRAPPER zendesk_fdw "
                "OPTIONS (url %%s, export_requests_per_minute '100000', max_requests_per_statement '0')" % name, (url,))
    cur.execute("CREATE USER MAPPING FOR CURRENT_USER SERVER %s "
                "OPTIONS (email 'admin@example.com', api_token 'sim-api-token')" % name)
    cur.execute("CREATE FOREIGN TABLE %s_tickets (%s) SERVER %s OPTIONS (resource 'tickets', "
                "include_deleted 'true')" % (name, columns, name))


COLUMNS = ("id bigint, subject text, status text, created_at timestamptz, "
           "updated_at timestamptz, generated_timestamp timestamptz, tags text[], "
           "collaborator_ids bigint[], via jsonb, raw jsonb")


def scan_peak(name, expected):
    """(rows, baseline kB, peak kB) of a fresh backend scanning every column."""
    conn = connect()
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    # warm the backend: load the library, the catalogs, the connection
    cur.execute("SELECT count(*) FROM (SELECT * FROM %s_tickets LIMIT 1) s" % name)
    baseline = rss_anon_kb(pid)
    sampler = PeakSampler(pid)
    sampler.start()
    cur.execute("SELECT count(*), sum(length(raw::text)) FROM (SELECT * FROM %s_tickets) s" % name)
    rows = cur.fetchone()[0]
    sampler.stop.set()
    sampler.join()
    conn.close()
    if rows != expected:
        raise SystemExit("%s: scanned %d rows, expected %d" % (name, rows, expected))
    return rows, baseline, max(sampler.peak, baseline)


def repeated_scans(name, url, count):
    """RssAnon after 100 and after `count` scans, every third ending in an error."""
    conn = connect()
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    fault = json.dumps({"path": "/api/v2/incremental/tickets/cursor", "count": 1,
                        "status": 200, "body": "{\"tickets\":[{\"id\":1}"}).encode()
    after_100 = None
    errors = 0
    for i in range(1, count + 1):
        if i % 3 == 0:
            req = urllib.request.Request(url + "/_sim/faults", data=fault, method="POST")
            urllib.request.urlopen(req).read()
        try:
            # two pages a scan, so that a thousand scans take a minute
            cur.execute("SELECT count(*), max(subject) FROM "
                        "(SELECT raw->>'subject' AS subject FROM %s_tickets LIMIT 1500) s" % name)
            cur.fetchone()
        except psycopg2.Error:
            errors += 1
        if i == 100:
            after_100 = rss_anon_kb(pid)
    final = rss_anon_kb(pid)
    conn.close()
    return after_100, final, errors


def main():
    small_url, large_url, small_n, large_n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    conn = connect()
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS zendesk_fdw")
    setup(cur, "small", small_url, COLUMNS)
    setup(cur, "large", large_url, COLUMNS)
    conn.close()

    rows_s, base_s, peak_s = scan_peak("small", small_n)
    started = time.monotonic()
    rows_l, base_l, peak_l = scan_peak("large", large_n)
    seconds = time.monotonic() - started
    growth_mb = (peak_l - peak_s) / 1024.0
    after_100, final, errors = repeated_scans("small", small_url, 1000)
    drift_mb = (final - after_100) / 1024.0

    print("| scan | rows | RssAnon before (MB) | RssAnon peak (MB) |")
    print("| --- | --- | --- | --- |")
    print("| small account | %d | %.1f | %.1f |" % (rows_s, base_s / 1024.0, peak_s / 1024.0))
    print("| large account | %d | %.1f | %.1f |" % (rows_l, base_l / 1024.0, peak_l / 1024.0))
    print()
    print("large scan: %.0f rows/s over loopback (simulator included)" % (rows_l / seconds))
    print("peak growth from %d to %d tickets: %.1f MB (target: under 20 MB)" % (rows_s, rows_l, growth_mb))
    print("1000 scans in one backend, %d ending in an error: RssAnon %.1f MB after 100, "
          "%.1f MB after 1000, drift %.2f MB (target: under 1 MB)"
          % (errors, after_100 / 1024.0, final / 1024.0, drift_mb))
    ok = growth_mb < 20 and drift_mb < 1 and errors >= 300
    print("memory targets met" if ok else "memory targets MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
