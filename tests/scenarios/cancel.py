"""Cancel, statement_timeout and pg_terminate_backend in each phase of a
request: connecting (a loopback listener whose backlog is full, so the
connect is never completed), a slow-drip response, a Retry-After pause, the
pacing pause, and a backoff between retries.  Each must end the statement
within 1.5 s of the cancel, the timeout or the termination; the latencies
are printed.  While it waits, pg_stat_activity shows wait_event_type
Extension.
"""

import time

from scenario import (EXPORT_PATH, Listener, Query, connect, note, report, setup_server, sql,
                      wait_until)

LIMIT_S = 1.5


def phases(sim, listener):
    """name -> (server url, server options, fault specs, ready(log), statement_timeout s)"""
    def logged(pred, n=1):
        return lambda: sum(1 for r in sim.requests(EXPORT_PATH) if pred(r)) >= n
    fast = dict(export_requests_per_minute=100000, page_size=100)
    return [
        ("connecting", listener.url, fast, [], None, 1.0),
        ("slow response", sim.url, fast,
         [dict(path=EXPORT_PATH, kind="drip", drip_bytes=16, drip_interval=0.5, count=1)],
         logged(lambda r: r["fault"] == "drip"), 1.5),
        ("Retry-After pause", sim.url, fast,
         [dict(path=EXPORT_PATH, kind="rate_limit", retry_after=60, count=1)],
         logged(lambda r: r["status"] == 429), 1.0),
        ("pacing pause", sim.url, dict(export_requests_per_minute=1, page_size=100), [],
         logged(lambda r: r["status"] == 200), 1.0),
        # the second backoff starts 0.5 to 1 s in and lasts 1 to 2 s: the
        # second 500 is logged by 1 s, and at 1.2 s it is still under way
        ("backoff", sim.url, dict(fast, max_retries=20),
         [dict(path=EXPORT_PATH, kind="server_error", status=500)],
         logged(lambda r: r["status"] == 500, 2), 1.2),
    ]


def waiting_in_extension(pid):
    conn = connect()
    try:
        def check():
            sql(conn, "SELECT pg_stat_clear_snapshot()")
            return sql(conn, "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                       (pid,))[0][0] == "Extension"
        return wait_until(check, timeout=10)
    finally:
        conn.close()


def one(sim, phase, method, url, options, faults, ready, timeout_s, latencies):
    name = "cancel: %s, %s" % (phase, method)
    table = "zd_cancel_tickets"
    conn = connect()
    setup_server(conn, "zd_cancel", url, **options)
    sim.clear_faults()
    for f in faults:
        sim.fault(**f)
    sim.clear_log()
    setup = ["SET statement_timeout = '%dms'" % int(timeout_s * 1000)] \
        if method == "statement_timeout" else []
    q = Query("SELECT count(*) FROM %s" % table, setup)
    q.start()
    in_phase = wait_until(ready, timeout=10) if ready else True
    in_phase_at = time.monotonic()
    extension = waiting_in_extension(q.pid)
    if method == "statement_timeout":
        reached = in_phase and in_phase_at < q.started + timeout_s
        q.join(30)
        acted = q.started + timeout_s
    else:
        reached = in_phase
        time.sleep(0.3)
        acted = time.monotonic()
        fn = "pg_cancel_backend" if method == "cancel" else "pg_terminate_backend"
        sql(conn, "SELECT %s(%%s)" % fn, (q.pid,))
        q.join(30)
    ended = q.ended if q.ended is not None else float("inf")
    latency = ended - acted
    latencies[(phase, method)] = latency
    expected = {"cancel": "canceling statement due to user request",
                "statement_timeout": "canceling statement due to statement timeout",
                "terminate": "terminat"}[method]
    report("%s: ends within %.1f s" % (name, LIMIT_S),
           reached and extension and q.error is not None and expected in str(q.error)
           and latency < LIMIT_S,
           "phase reached %s, wait_event Extension %s, error %r, after %.2f s" %
           (reached, extension, str(q.error).strip(), latency))
    q.close()
    sim.clear_faults()
    conn.close()


def run(sim):
    conn = connect()
    postmaster_start = sql(conn, "SELECT pg_postmaster_start_time()")[0][0]
    conn.close()
    listener = Listener(accept=False)
    latencies = {}
    try:
        for phase, url, options, faults, ready, timeout_s in phases(sim, listener):
            for method in ("cancel", "statement_timeout", "terminate"):
                one(sim, phase, method, url, options, faults, ready, timeout_s, latencies)
    finally:
        listener.close()
    for phase in dict.fromkeys(p for p, _ in latencies):
        note("cancel latency, %s: %s" % (phase, ", ".join(
            "%s %.0f ms" % (m, 1000 * latencies[(phase, m)])
            for m in ("cancel", "statement_timeout", "terminate") if (phase, m) in latencies)))
    conn = connect()
    now_start = sql(conn, "SELECT pg_postmaster_start_time()")[0][0]
    report("cancel: no backend crashed (the postmaster did not restart)",
           now_start == postmaster_start, "started %s, now %s" % (postmaster_start, now_start))
    conn.close()
