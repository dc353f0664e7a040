"""The hot path of a scan and of a sync, profiled: perf samples the backend
(cpu-clock, call graphs) while it scans pre-rendered pages, and prints the
heaviest symbols, self and with children, for the typed columns, for raw,
for count(*) and for a first sync of the same pages.

Run by `bash bench/run.sh profile` inside a throwaway cluster, with the
simulator it started:   profile.py WORKDIR MAIN_URL MAIN_N
"""

import os
import subprocess
import sys
import time

import bench
from scenario import connect, sql


def perf_run(conn, workdir, label, statement, count=None):
    """statement under perf; the rows it handled are its first value, or
    what the query count says."""
    pid = sql(conn, "SELECT pg_backend_pid()")[0][0]
    data = os.path.join(workdir, "perf-%s.data" % label)
    perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-p", str(pid),
                             "-o", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    seconds, result = bench.timed(conn, statement)
    perf.send_signal(2)
    perf.wait()
    rows = (result if count is None else sql(conn, count))[0][0]
    print("== %s: %d rows in %.2f s (%.0f rows/s), under perf" % (label, rows, seconds, rows / seconds))
    for mode in (["--no-children"], ["--children"]):
        out = subprocess.run(["perf", "report", "-i", data, "--stdio", "-g", "none",
                              "--percent-limit", "1.5", "--sort", "dso,symbol"] + mode,
                             capture_output=True, text=True).stdout
        print("-- %s" % ("self" if mode[0] == "--no-children" else "with children"))
        print("\n".join(line for line in out.splitlines() if line.strip() and not line.startswith("#")))


def main():
    workdir, url, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    conn = connect()
    sql(conn, "CREATE EXTENSION zendesk_fdw")
    bench.create_server(conn, "m", url)
    bench.fetch_pages(url, workdir)          # pre-render every page
    sql(conn, "SELECT count(*) FROM m_all")   # load the library, warm the connection
    for label, statement in (("typed", bench.TYPED_SELECT % "m_all"),
                             ("raw", "SELECT count(raw) FROM m_all"),
                             ("count", "SELECT count(*) FROM m_all")):
        perf_run(conn, workdir, label, statement)
    perf_run(conn, workdir, "sync", "CALL zendesk_fdw.sync('m_typed', 'mirror_m')",
             "SELECT count(*) FROM mirror_m")


if __name__ == "__main__":
    main()
