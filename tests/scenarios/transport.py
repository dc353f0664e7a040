"""How the extension uses the wire: one kept-alive connection per scan, gzip,
and proxies only when a server option names one.
"""

import base64
import os
import subprocess
import time
import urllib.request

import psycopg2

from scenario import (Listener, alter_server, connect, error_text, note, report,
                      setup_server, sql)


def keepalive_and_gzip(sim):
    conn = connect()
    setup_server(conn, "zd_wire", sim.url, export_requests_per_minute=100000, page_size=100)
    truth = sim.live_ticket_ids()
    before = sql(conn, "SELECT coalesce(sum(bytes), 0) FROM zendesk_fdw.stats")[0][0]
    sim.clear_log()
    ids = sorted(r[0] for r in sql(conn, "SELECT id FROM zd_wire_tickets"))
    log = sim.requests()
    after = sql(conn, "SELECT coalesce(sum(bytes), 0) FROM zendesk_fdw.stats")[0][0]
    report("keep-alive: the scan returns the ground truth", ids == truth,
           "%d rows, %d expected" % (len(ids), len(truth)))
    conns = {r["connection"] for r in log}
    report("keep-alive: one connection for the scan's %d requests" % len(log),
           len(log) >= len(truth) // 100 and len(conns) == 1, "connections %s" % sorted(conns))

    sim.clear_log()
    sql(conn, "SELECT count(*) FROM zd_wire_tickets")
    again = {r["connection"] for r in sim.requests()}
    report("keep-alive: a second scan in the backend reuses the connection", again == conns,
           "first %s, second %s" % (sorted(conns), sorted(again)))
    # the cached handle is dropped when the server or the user mapping changes
    for what, statement in (
            ("ALTER SERVER", "ALTER SERVER zd_wire OPTIONS (SET page_size '200')"),
            ("ALTER USER MAPPING", "ALTER USER MAPPING FOR CURRENT_USER SERVER zd_wire "
                                   "OPTIONS (SET api_token 'sim-api-token')")):
        sql(conn, statement)
        sim.clear_log()
        sql(conn, "SELECT count(*) FROM zd_wire_tickets")
        now = {r["connection"] for r in sim.requests()}
        report("keep-alive: after %s the next scan opens a new connection, one" % what,
               len(now) == 1 and not now & again, "before %s, after %s" % (sorted(again), sorted(now)))
        again = now

    # gzip: every request asks for it, and the bytes that travelled are
    # fewer than the same pages uncompressed (fetched again, without gzip)
    auth = "Basic " + base64.b64encode(b"admin@example.com/token:sim-api-token").decode()
    plain = 0
    for r in log:
        url = sim.url + r["path"] + ("?" + r["query"] if r["query"] else "")
        req = urllib.request.Request(url, headers={"Authorization": auth})
        with urllib.request.urlopen(req, timeout=30) as resp:
            plain += len(resp.read())
    wire = sum(r["bytes"] for r in log)
    note("gzip: %d pages, %d bytes on the wire, %d uncompressed (%.1f%%)" %
         (len(log), wire, plain, 100.0 * wire / max(plain, 1)))
    report("gzip: every request asks for gzip",
           all("gzip" in (r["accept_encoding"] or "") for r in log), "accept_encoding differs")
    report("gzip: compressed bytes on the wire < uncompressed", 0 < wire < plain / 2,
           "%d on the wire, %d uncompressed" % (wire, plain))
    report("gzip: zendesk_fdw.stats counts the compressed bytes", after - before == wire,
           "stats %d, simulator %d" % (after - before, wire))
    conn.close()


def _postmaster_environ(conn):
    datadir = sql(conn, "SHOW data_directory")[0][0]
    with open(os.path.join(datadir, "postmaster.pid")) as f:
        pid = int(f.readline())
    with open("/proc/%d/environ" % pid, "rb") as f:
        return dict(kv.split("=", 1) for kv in f.read().decode().split("\0") if "=" in kv)


def _restart_cluster(environment):
    path = os.path.join(os.environ["PG_CLUSTER_CONF_ROOT"], "15", "regress", "environment")
    with open(path, "w") as f:
        f.write(environment)
    subprocess.run(["pg_ctlcluster", "15", "regress", "restart"], check=True)


def environment_proxies(sim):
    """Proxy variables in the server's environment are not used: a request
    goes through a proxy only when the server option proxy names one."""
    proxy = Listener()
    variables = {"http_proxy": proxy.url, "https_proxy": proxy.url, "all_proxy": proxy.url,
                 "HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url, "ALL_PROXY": proxy.url}
    _restart_cluster("".join("%s='%s'\n" % kv for kv in variables.items()))
    try:
        conn = connect()
        env = _postmaster_environ(conn)
        report("proxies: the cluster runs with proxy variables in its environment",
               all(env.get(k) == v for k, v in variables.items()), "environment %r" % env)
        # the control: libcurl's command-line tool, in the same environment, uses them
        subprocess.run(["curl", "-s", "-o", "/dev/null", sim.url + "/api/v2/users/me.json"],
                       env=dict(os.environ, **variables))
        used_by_curl = proxy.connections
        report("proxies: curl itself uses them (the control)", used_by_curl > 0,
               "the listener saw no connection from curl")
        setup_server(conn, "zd_proxy", sim.url, export_requests_per_minute=100000)
        truth = sim.live_ticket_ids()
        ids = sorted(r[0] for r in sql(conn, "SELECT id FROM zd_proxy_tickets"))
        report("proxies: a scan ignores the environment's proxies and goes straight to Zendesk",
               ids == truth and proxy.connections == used_by_curl,
               "%d rows of %d, %d connections to the proxy" %
               (len(ids), len(truth), proxy.connections - used_by_curl))
        # the server option proxy is used
        alter_server(conn, "zd_proxy", proxy=proxy.url, max_retries=0)
        started = proxy.connections
        try:
            sql(conn, "SELECT count(*) FROM zd_proxy_tickets")
            message = "no error"
        except psycopg2.Error as e:
            message = error_text(e)
        report("proxies: the server option proxy is used", proxy.connections > started,
               "the proxy saw no connection (%s)" % message)
        conn.close()
    finally:
        _restart_cluster("")
        proxy.close()
    time.sleep(0.2)
