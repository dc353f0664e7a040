"""A well-written hand-made ETL script, the yardstick of sync throughput:
what a user would write instead of zendesk_fdw.sync with the Python
standard library and Debian's psycopg2.

    etl.py BASE_URL TABLE       (PGHOST and friends name the database)

Follows the cursor-based incremental ticket export (1000 a page, gzip, one
kept-alive connection), parses each page with Python's json (C-accelerated)
in this process, and loads it into TABLE (created here with the columns of
COLUMNS and PRIMARY KEY (id)) the fast way: COPY into a temporary staging
table, then one upsert by id (the newer generated_timestamp wins) and a
delete of the tickets the page says are deleted; one transaction a page.
Prints "<rows> <seconds> <requests>".
"""

import base64
import csv
import datetime
import gzip
import http.client
import io
import json
import sys
import time
import urllib.parse

import psycopg2

# (column, type) of the mirror: the typed columns bench.py's sync target has
COLUMNS = [
    ("id", "bigint"), ("subject", "text"), ("status", "text"), ("priority", "text"),
    ("type", "text"), ("requester_id", "bigint"), ("assignee_id", "bigint"),
    ("organization_id", "bigint"), ("group_id", "bigint"), ("created_at", "timestamptz"),
    ("updated_at", "timestamptz"), ("generated_timestamp", "timestamptz"),
    ("due_at", "timestamptz"), ("tags", "text[]"), ("via", "jsonb"), ("custom_fields", "jsonb"),
]
EXPORT = "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=1000&support_type_scope=all"
AUTH = "Basic " + base64.b64encode(b"admin@example.com/token:sim-api-token").decode()


def text_array(values):
    """A PostgreSQL array literal of text values."""
    return "{%s}" % ",".join('"%s"' % v.replace("\\", "\\\\").replace('"', '\\"') for v in values)


def epoch(value):
    return datetime.datetime.fromtimestamp(value, datetime.timezone.utc).isoformat()


def csv_rows(tickets):
    """The page as CSV for COPY; NULs (which text cannot hold) become U+FFFD."""
    out = io.StringIO()
    w = csv.writer(out)
    for t in tickets:
        row = []
        for name, typ in COLUMNS:
            v = t.get(name)
            if v is None:
                row.append(None)
            elif name == "generated_timestamp":
                row.append(epoch(v))
            elif typ == "text[]":
                row.append(text_array(v))
            elif typ == "jsonb":
                row.append(json.dumps(v, ensure_ascii=False))
            else:
                row.append(v)
        w.writerow(["\\N" if v is None else str(v).replace("\x00", "\ufffd") for v in row])
    out.seek(0)
    return out


def main():
    base, table = sys.argv[1], sys.argv[2]
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port)
    db = psycopg2.connect("")
    cur = db.cursor()
    cols = ", ".join("%s %s" % c for c in COLUMNS)
    names = ", ".join(c for c, _ in COLUMNS)
    cur.execute("CREATE TABLE %s (%s, PRIMARY KEY (id))" % (table, cols))
    cur.execute("CREATE TEMP TABLE stage (%s) ON COMMIT DELETE ROWS" % cols)
    db.commit()
    upsert = ("INSERT INTO %s SELECT * FROM stage WHERE status IS DISTINCT FROM 'deleted' "
              "ON CONFLICT (id) DO UPDATE SET %s WHERE excluded.generated_timestamp >= %s.generated_timestamp"
              % (table, ", ".join("%s = excluded.%s" % (c, c) for c, _ in COLUMNS[1:]), table))
    delete = ("DELETE FROM %s t USING stage s WHERE s.status = 'deleted' AND t.id = s.id "
              "AND s.generated_timestamp >= t.generated_timestamp" % table)
    started = time.monotonic()
    path, rows, requests = EXPORT, 0, 0
    while True:
        conn.request("GET", path, headers={"Authorization": AUTH, "Accept-Encoding": "gzip"})
        resp = conn.getresponse()
        body = resp.read()
        requests += 1
        if resp.status != 200:
            raise SystemExit("GET %s: HTTP %d" % (path, resp.status))
        if resp.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        page = json.loads(body)
        tickets = page["tickets"]
        cur.copy_expert("COPY stage (%s) FROM STDIN WITH (FORMAT csv, NULL '\\N')" % names,
                        csv_rows(tickets))
        cur.execute(upsert)
        cur.execute(delete)
        db.commit()
        rows += len(tickets)
        if page["end_of_stream"]:
            break
        # the row set's parameters go with every page (Zendesk's next URL
        # does not repeat them)
        path = page["after_url"][len(base):] + "&support_type_scope=all"
    print("%d %.3f %d" % (rows, time.monotonic() - started, requests))


if __name__ == "__main__":
    main()
