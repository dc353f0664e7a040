"""Bad answers on the third page of an export.

Each one, with retries off, ends the statement with a one-line error that
names the endpoint and holds no credential, and the client has received
exactly the two pages before it: no row of the bad page (read through a
cursor, 100 rows a FETCH, one page of 100 a request).  The transient ones
(a connection reset, a reset mid-body, a stalled response), with retries
on, are made again and the scan returns exactly the ground truth.
"""

import json
import time

import psycopg2

from scenario import (EXPORT_PATH, Listener, alter_server, connect, error_text, has_secret,
                      note, report, setup_server)

PAGE = 100
TICKET_OK = {"id": 99999999, "url": "x", "status": "open"}


def fetch_by_pages(conn, table):
    """Rows read through a cursor, until the end or an error: the first two
    pages 100 rows a FETCH, then one row a FETCH (a FETCH that fails returns
    nothing, so only single-row FETCHes show a half-read page)."""
    rows, error = [], None
    cur = conn.cursor(name="pages")
    try:
        cur.execute("SELECT id FROM %s" % table)
        while True:
            batch = cur.fetchmany(PAGE if len(rows) < 2 * PAGE else 1)
            if not batch:
                break
            rows.extend(r[0] for r in batch)
    except psycopg2.Error as e:
        error = e
    conn.rollback()
    return rows, error


def page_body(extra):
    """An export page body (JSON text) with the given keys changed (KeyError:
    removed)."""
    body = {"tickets": [TICKET_OK], "after_url": None, "after_cursor": None,
            "before_url": None, "before_cursor": None, "end_of_stream": True}
    body.update(extra)
    for k in [k for k, v in extra.items() if v is KeyError]:
        del body[k]
    return json.dumps(body)


def cases(other_host):
    """(name, fault spec, transient, what the message must say)"""
    return [
        # twice: libcurl itself sends a request again, once, on a new
        # connection when a kept-alive one closes before any answer (see
        # reset_once), so one reset would not reach the extension
        ("connection reset before an answer, twice", {"kind": "reset", "count": 2}, True,
         "failed"),
        ("reset mid-body", {"kind": "reset_mid_body"}, True, "failed"),
        ("stalled response (no byte within the timeout)", {"kind": "hang", "hold": 20}, True,
         "timed out"),
        ("truncated body", {"kind": "truncate"}, False, "invalid JSON"),
        ("HTML page with HTTP 200", {"kind": "html"}, False, "text/html"),
        ("invalid JSON", {"kind": "corrupt", "cut_after": 1000}, False, "invalid JSON"),
        ("missing key end_of_stream", {"status": 200, "body": page_body({"end_of_stream": KeyError})},
         False, "end_of_stream"),
        ("a record without an integer id, after a good one",
         {"status": 200, "body": page_body({"tickets": [TICKET_OK, {"id": "one", "status": "open"}]})},
         False, "id"),
        ("mistyped key after_url", {"status": 200, "body": page_body({"after_url": 42})},
         False, "after_url"),
        ("pagination URL to another host",
         {"status": 200, "body": page_body({
             "end_of_stream": False, "after_cursor": "x",
             "after_url": other_host + EXPORT_PATH + ".json?cursor=x&per_page=100"})},
         False, "another"),
    ]


def run(sim):
    conn = connect(autocommit=False)
    setup_server(conn, "zd_bad", sim.url, export_requests_per_minute=100000, page_size=PAGE,
                 timeout=2)
    conn.commit()
    truth = sim.live_ticket_ids()
    sim.clear_log()
    ordered, error = fetch_by_pages(conn, "zd_bad_tickets")
    pages = len(sim.requests(EXPORT_PATH))
    report("bad answers: the fault-free scan returns the ground truth",
           error is None and sorted(ordered) == truth, str(error))
    other = Listener()
    try:
        for name, spec, transient, says in cases(other.url):
            one_case(sim, conn, name, spec, transient, says, ordered, truth, pages)
        report("bad answers: no request went to the other host", other.connections == 0,
               "%d connections" % other.connections)
        reset_once(sim, conn, ordered, pages)
        slow_drip(sim, conn, ordered)
    finally:
        other.close()
        sim.clear_faults()
    conn.close()


def one_case(sim, conn, name, spec, transient, says, ordered, truth, pages):
    label = "bad answers: %s" % name
    alter_server(conn, "zd_bad", max_retries=0)
    conn.commit()
    sim.clear_faults()
    spec = dict({"count": 1}, **spec)
    sim.fault(path=EXPORT_PATH, skip=2, **spec)
    started = time.monotonic()
    rows, error = fetch_by_pages(conn, "zd_bad_tickets")
    elapsed = time.monotonic() - started
    text = error_text(error) if error is not None else ""
    primary = error.diag.message_primary if error is not None else ""
    note("%s: SQLSTATE %s after %.1f s: %s" % (name, error.pgcode if error is not None else "-",
                                              elapsed, text.replace("\n", " | ")))
    report("%s: ends the statement with a clear error" % label,
           error is not None and says in text and "\n" not in primary
           and EXPORT_PATH in text and not has_secret(text),
           "error %r" % text if error is not None else "no error: %d rows" % len(rows))
    report("%s: no row of the bad page is returned" % label, rows == ordered[:2 * PAGE],
           "%d rows received, %d expected (the first two pages)" % (len(rows), 2 * PAGE))
    if transient:
        alter_server(conn, "zd_bad", max_retries=None)
        conn.commit()
        sim.clear_faults()
        sim.fault(path=EXPORT_PATH, skip=2, **spec)
        sim.clear_log()
        rows, error = fetch_by_pages(conn, "zd_bad_tickets")
        log = [r for r in sim.requests(EXPORT_PATH)]
        report("%s: retried, the scan returns exactly the ground truth" % label,
               error is None and sorted(rows) == truth and len(rows) == len(truth)
               and len(log) == pages + spec["count"],
               "%s; %d rows, %d requests (%d pages)" % (error, len(rows), len(log), pages))


def reset_once(sim, conn, ordered, pages):
    """A kept-alive connection closed before any answer: libcurl sends the
    request again on a new connection by itself (what a server closing an
    idle connection needs), even with max_retries 0, and the scan is whole."""
    label = "bad answers: connection reset once before an answer"
    alter_server(conn, "zd_bad", max_retries=0)
    conn.commit()
    sim.clear_faults()
    sim.fault(path=EXPORT_PATH, skip=2, count=1, kind="reset")
    sim.clear_log()
    rows, error = fetch_by_pages(conn, "zd_bad_tickets")
    log = sim.requests(EXPORT_PATH)
    report("%s: sent again by libcurl on a new connection, the scan is whole" % label,
           error is None and rows == ordered and len(log) == pages + 1
           and len({r["connection"] for r in log}) == 2,
           "%s; %d rows, %d requests on %d connections" %
           (error, len(rows), len(log), len({r["connection"] for r in log})))


def slow_drip(sim, conn, ordered):
    """A page that trickles in (4 KB every 0.1 s) but keeps moving is read
    whole: a slow answer is not a stalled one."""
    label = "bad answers: a slow drip that keeps moving"
    alter_server(conn, "zd_bad", max_retries=0)
    conn.commit()
    sim.clear_faults()
    sim.fault(path=EXPORT_PATH, skip=2, count=1, kind="drip", drip_bytes=4096, drip_interval=0.1)
    sim.clear_log()
    started = time.monotonic()
    rows, error = fetch_by_pages(conn, "zd_bad_tickets")
    elapsed = time.monotonic() - started
    dripped = [r for r in sim.requests(EXPORT_PATH) if r["fault"] == "drip"]
    report("%s: is read whole, the scan returns exactly the ground truth" % label,
           error is None and rows == ordered and len(dripped) == 1 and elapsed > 0.3,
           "%s; %d rows, %d dripped pages, %.1f s" % (error, len(rows), len(dripped), elapsed))
