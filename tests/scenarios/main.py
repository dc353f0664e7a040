"""Run a group of scenarios against a simulator of their own.

    main.py plain      in a cluster without preload (most scenarios)
    main.py preload    in a cluster with shared_preload_libraries=zendesk_fdw
    main.py long       the long pacing runs, alone and four backends (not in
                       the quick suite; in a cluster that preloads the library)
    main.py plain NAME...   only the named scenarios of the group

Exit status: the number of failed checks.
"""

import os
import sys

import scenario
from scenario import Simulator, connect, sql

TICKETS = 2500


def prepare():
    conn = connect()
    sql(conn, "CREATE EXTENSION IF NOT EXISTS zendesk_fdw")
    sql(conn, "CREATE EXTENSION IF NOT EXISTS dblink")
    conn.close()


def main(argv):
    import bad_answers
    import cancel
    import pacing
    import transport

    groups = {
        "plain": [
            ("keepalive", transport.keepalive_and_gzip),
            ("proxies", transport.environment_proxies),
            ("pacing", pacing.single),
            ("slowdown", pacing.slowdown),
            ("account", pacing.account_headers),
            ("negative", lambda sim: pacing.four_backends(sim, shared=False)),
            ("bad", bad_answers.run),
            ("cancel", cancel.run),
        ],
        "preload": [
            ("shared", lambda sim: pacing.four_backends(sim, shared=True)),
        ],
        # in a cluster that preloads the library; ZD_PACE_LIMIT and
        # ZD_PACE_WINDOW change the ceiling (10 and 60 are Zendesk's own)
        "long": [
            ("long", lambda sim: pacing.single(sim, page_size=10, label="long pacing")),
            ("long-shared", lambda sim: pacing.four_backends(sim, shared=True, page_size=40,
                                                             label="long shared pacing")),
        ],
    }
    if argv[0] == "long":
        pacing.set_ceiling(int(os.environ.get("ZD_PACE_LIMIT", pacing.LIMIT)),
                           float(os.environ.get("ZD_PACE_WINDOW", pacing.WINDOW)))
    group, only = argv[0], set(argv[1:])
    sim = Simulator("--seed", "1", "--tickets", str(TICKETS),
                    "--export-limit", "100000", "--account-limit", "100000")
    try:
        prepare()
        for name, fn in groups[group]:
            if not only or name in only:
                fn(sim)
    finally:
        sim.stop()
    return scenario.failures


if __name__ == "__main__":
    sys.exit(min(main(sys.argv[1:]), 100))
