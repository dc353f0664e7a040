"""The hot path of a scan, profiled: perf samples the backend (cpu-clock,
call graphs) while it scans pre-rendered pages, and prints the heaviest
symbols, self and with children, for the typed columns and for raw.

Run by `bash bench/run.sh profile` inside a throwaway cluster, with the
simulator it started:   profile.py WORKDIR MAIN_URL MAIN_N
"""

import os
import subprocess
import sys
import time

import bench
from scenario import connect, sql


def perf_scan(conn, workdir, label, statement):
    pid = sql(conn, "SELECT pg_backend_pid()")[0][0]
    data = os.path.join(workdir, "perf-%s.data" % label)
    perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-p", str(pid),
                             "-o", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    seconds, result = bench.timed(conn, statement)
    perf.send_signal(2)
    perf.wait()
    print("== %s: %d rows in %.2f s (%.0f rows/s), under perf" % (label, result[0][0], seconds,
                                                                   result[0][0] / seconds))
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
    perf_scan(conn, workdir, "typed", bench.TYPED_SELECT % "m_all")
    perf_scan(conn, workdir, "raw", "SELECT count(raw) FROM m_all")
    perf_scan(conn, workdir, "count", "SELECT count(*) FROM m_all")


if __name__ == "__main__":
    main()
