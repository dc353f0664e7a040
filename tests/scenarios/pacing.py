"""Pacing under the export ceiling, alone and shared by four backends.

The simulator's export quota is scaled down (LIMIT requests per WINDOW
seconds instead of 10 a minute) so that a run that would take Zendesk half
an hour takes seconds; the server option export_requests_per_minute says the
same ceiling.  The simulator counts with a sliding window (switch
rate_window=sliding), the strictest of the readings of Zendesk's limit: no
more than LIMIT requests in any WINDOW seconds.  What counts is what the
simulator saw: its request log (when each request arrived, its status) is
the measure, not the extension's view.
"""

import time

from scenario import (EXPORT_PATH, Query, connect, note, report, setup_server, sql)

LIMIT = 20
WINDOW = 6.0
CEILING = LIMIT * 60.0 / WINDOW          # requests a minute


def set_ceiling(limit, window):
    """Another scaled ceiling (the long run)."""
    global LIMIT, WINDOW, CEILING
    LIMIT, WINDOW, CEILING = limit, window, limit * 60.0 / window


def export_log(sim):
    return [r for r in sim.requests(EXPORT_PATH) if r["path"].startswith(EXPORT_PATH)]


def achieved(log):
    """Requests a minute over the run (first to last arrival), and 429s."""
    times = sorted(r["time"] for r in log)
    rate = (len(times) - 1) * 60.0 / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return rate, sum(1 for r in log if r["status"] == 429)


def max_in_window(log, window):
    """The most requests logged within any `window` seconds (a figure only:
    the log's time is taken when the answer is ready, so it carries the
    simulator's own jitter; its 429s are what it counted on arrival)."""
    times = sorted(r["time"] for r in log)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def export_stats(conn):
    """(requests, 429s, cluster_wide) of the export endpoint in zendesk_fdw.stats."""
    return sql(conn, "SELECT coalesce(sum(requests), 0), coalesce(sum(rate_limited), 0), "
                     "bool_and(cluster_wide) FROM zendesk_fdw.stats WHERE endpoint LIKE %s",
               (EXPORT_PATH + "%",))[0]


def fresh_quota(sim, limit=LIMIT, window=WINDOW):
    """A sliding window, its quota full (setting a limit empties the bucket),
    the log cleared."""
    sim.call("POST", "/_sim/switches", {"rate_window": "sliding"})
    sim.limits(export=limit, window=window)
    sim.clear_log()


def restore(sim):
    """The switch and limits the other scenarios run with (main.py's)."""
    sim.call("POST", "/_sim/switches", {"rate_window": "fixed"})
    sim.limits(export=100000, window=60)


def single(sim, page_size=50, label="pacing"):
    """One long export: zero 429s and at least 80% of the ceiling."""
    conn = connect()
    setup_server(conn, "zd_pace", sim.url, export_requests_per_minute=int(CEILING),
                 page_size=page_size)
    truth = sim.live_ticket_ids()
    fresh_quota(sim)
    started = time.monotonic()
    ids = sorted(r[0] for r in sql(conn, "SELECT id FROM zd_pace_tickets"))
    elapsed = time.monotonic() - started
    log = export_log(sim)
    rate, n429 = achieved(log)
    note("%s: %d export requests in %.1f s: %.1f/min against a ceiling of %.0f/min (%.1f%%), "
         "%d 429s, at most %d in any %.0f s" % (label, len(log), elapsed, rate, CEILING,
                                                100 * rate / CEILING, n429,
                                                max_in_window(log, WINDOW), WINDOW))
    report("%s: the export returns the ground truth" % label, ids == truth,
           "%d rows, %d expected" % (len(ids), len(truth)))
    report("%s: zero 429s over %d requests (at most %d in any %.0f s, by the simulator's "
           "sliding window)" % (label, len(log), LIMIT, WINDOW), n429 == 0, "%d 429s" % n429)
    report("%s: at least 80%% of the ceiling" % label, rate >= 0.8 * CEILING,
           "%.1f/min of %.0f/min" % (rate, CEILING))
    restore(sim)
    conn.close()
    return rate, n429


def four_backends(sim, shared, page_size=250, label=None):
    """Four concurrent scans of one account.  With the library preloaded
    they share one pacing state: together under the ceiling, zero 429s.
    Without it each paces alone, four times too fast: 429s (the negative
    control, asserted)."""
    label = label or ("shared pacing" if shared else "pacing without preload (negative control)")
    conn = connect()
    setup_server(conn, "zd_four", sim.url, export_requests_per_minute=int(CEILING),
                 page_size=page_size)
    preloaded = sql(conn, "SELECT 'zendesk_fdw' = ANY(string_to_array(current_setting("
                          "'shared_preload_libraries'), ','))")[0][0]
    report("%s: the cluster %s zendesk_fdw" % (label, "preloads" if shared else "does not preload"),
           preloaded == shared, "shared_preload_libraries is %r" %
           sql(conn, "SHOW shared_preload_libraries")[0][0])
    truth = sim.live_ticket_ids()
    stats_before = export_stats(conn)
    fresh_quota(sim)
    queries = [Query("SELECT id FROM zd_four_tickets") for _ in range(4)]
    started = time.monotonic()
    for q in queries:
        q.start()
    for q in queries:
        q.join()
    elapsed = time.monotonic() - started
    log = export_log(sim)
    rate, n429 = achieved(log)
    ok200 = [r for r in log if r["status"] == 200]
    note("%s: 4 scans, %d export requests (%d answered 200) in %.1f s: %.1f/min against a "
         "ceiling of %.0f/min (%.1f%%), %d 429s, at most %d in any %.0f s" %
         (label, len(log), len(ok200), elapsed, rate, CEILING, 100 * rate / CEILING, n429,
          max_in_window(log, WINDOW), WINDOW))
    rows_ok = all(q.error is None and sorted(r[0] for r in q.result) == truth for q in queries)
    report("%s: each of the four scans returns the ground truth" % label, rows_ok,
           "; ".join(str(q.error).strip() for q in queries if q.error) or "rows differ")
    # seen from a fifth backend, which made no request
    after = export_stats(conn)
    stats = (after[0] - stats_before[0], after[1] - stats_before[1], after[2])
    if shared:
        report("%s: zero 429s over %d requests (at most %d in any %.0f s, by the simulator's "
               "sliding window)" % (label, len(log), LIMIT, WINDOW), n429 == 0, "%d 429s" % n429)
        report("%s: together under the ceiling" % label, rate <= CEILING,
               "%.1f/min of %.0f/min" % (rate, CEILING))
        report("%s: zendesk_fdw.stats is cluster-wide: another backend sees the four scans' "
               "requests" % label, stats[2] is True and stats[0] == len(log) and stats[1] == n429,
               "stats (requests, 429s, cluster_wide) %r, simulator %d requests" % (stats, len(log)))
    else:
        report("%s: does hit 429s (each backend paces alone)" % label, n429 > 0,
               "no 429 in %d requests: the control cannot tell shared pacing from none" % len(log))
        report("%s: zendesk_fdw.stats is per backend: another backend sees none of the "
               "four scans' requests" % label, stats[0] == 0, "stats %r" % (stats,))
    for q in queries:
        q.close()
    restore(sim)
    conn.close()
    return rate, n429


def account_headers(sim):
    """The account-wide quota, read from its headers by every name Zendesk
    has used: when a response says none remain, the next request waits for
    the window's reset, and no 429 comes (2024's ratelimit-*, 2023's
    rate-limit-*).  With x-rate-limit-* alone there is no reset to wait
    for: a 429 comes, its Retry-After is honoured, and the scan completes."""
    conn = connect()
    setup_server(conn, "zd_account", sim.url, export_requests_per_minute=100000, page_size=250)
    truth = sim.live_ticket_ids()
    for style in ("2024", "2023", "x-only"):
        label = "account-wide headers (%s)" % style
        sim.call("POST", "/_sim/switches", {"rate_headers": style})
        sim.limits(account=5, window=2)
        sim.clear_log()
        ids = sorted(r[0] for r in sql(conn, "SELECT id FROM zd_account_tickets"))
        log = sim.requests()
        n429 = sum(1 for r in log if r["status"] == 429)
        note("%s: %d requests, %d 429s, at most %d in any 2 s" %
             (label, len(log), n429, max_in_window(log, 2.0)))
        report("%s: the scan returns the ground truth" % label, ids == truth,
               "%d rows, %d expected" % (len(ids), len(truth)))
        if style != "x-only":
            report("%s: waits for the reset when none remain: zero 429s" % label, n429 == 0,
                   "%d 429s in %d requests" % (n429, len(log)))
    sim.call("POST", "/_sim/switches", {"rate_headers": "2024"})
    sim.limits(account=100000, window=60)
    conn.close()


def slowdown(sim):
    """After a 429 (and its Retry-After) the pace slows down, then recovers."""
    label = "pacing after a 429"
    conn = connect()
    setup_server(conn, "zd_slow429", sim.url, export_requests_per_minute=200, page_size=250)
    base = 60.0 * 1.03 / 200
    sim.clear_log()
    sim.fault(path=EXPORT_PATH, kind="rate_limit", retry_after=1, skip=4, count=1)
    count = sql(conn, "SELECT count(*) FROM zd_slow429_tickets")[0][0]
    sim.clear_faults()
    times = [r["time"] for r in sim.requests(EXPORT_PATH)]
    gaps = [b - a for a, b in zip(times, times[1:])]
    # requests 1-5 then the 429 (the 5th): gap 5 is the Retry-After, gap 6
    # the first paced one after it
    note("%s: gaps before %s s, Retry-After %.2f s, after %s s (base interval %.3f s)" %
         (label, ", ".join("%.2f" % g for g in gaps[:4]), gaps[4],
          ", ".join("%.2f" % g for g in gaps[5:9]), base))
    report("%s: the scan completes" % label, count == len(sim.live_ticket_ids()), "%d rows" % count)
    report("%s: Retry-After waited in full" % label, gaps[4] >= 1.0, "%.2f s" % gaps[4])
    report("%s: the next requests are spaced wider than before" % label,
           gaps[5] >= 1.4 * base and gaps[5] > max(gaps[:4]),
           "first gap after %.3f s, base %.3f s, before %s" % (gaps[5], base, gaps[:4]))
    conn.close()
