#!/usr/bin/env bash
# bench/run.sh -- the benchmarks of issue 10, side by side in one run against
# the Zendesk simulator; prints one table (each row: measured, target, met).
#
#   bash bench/run.sh
#   BENCH_TICKETS=100000 BENCH_LARGE=1000000 bash bench/run.sh    (the defaults)
#   BENCH_LARGE=200000 bash bench/run.sh      memory at 200k tickets: ~2 minutes less
#                                             (the simulator renders ~7,500 uncached tickets/s)
#   bash bench/run.sh profile    perf over scans of BENCH_TICKETS pre-rendered tickets
#   bash bench/run.sh scan       scan and sync throughput only (items 2 and 3), ~3 minutes
#
# Sizes: requests and the refresh on 10k tickets and on BENCH_TICKETS; scan
# and sync throughput on BENCH_TICKETS (pre-rendered pages); memory on 10k
# and BENCH_LARGE; pacing on 2,500 tickets at BENCH_PACE_LIMIT requests per
# BENCH_PACE_WINDOW seconds (default 20 per 6 s, counted in a sliding window,
# as the scenario tests do); BENCH_REPEAT runs of each scan and of the first sync (default 1).
# Needs the machine set up as scripts/setup.sh does (it runs it).  The
# simulators are generated first; the machine-wide install lock is held only
# while installing and measuring.  About 8 minutes on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-all}
SMALL=10000
TICKETS=${BENCH_TICKETS:-100000}
LARGE=${BENCH_LARGE:-1000000}
. scripts/sim-env.sh

WORK=$(mktemp -d /tmp/zendesk_bench.XXXXXX)
chmod 777 "$WORK"   # the cluster (user postgres) writes and reads its COPY files here
SIM_PIDS=() SIM_DIRS=()
cleanup() {
  for pid in "${SIM_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for dir in "${SIM_DIRS[@]}"; do rm -rf "$dir"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
started=$(date +%s)

gcc -O2 -Wall -Wextra -Werror -o "$WORK/parse_rate" bench/parse_rate.c $(pkg-config --cflags --libs jansson)

sim() {  # sim SEED TICKETS [options]: start one, remember it, print nothing
  start_simulator --seed "$1" --tickets "$2" --export-limit 100000000 --account-limit 100000000 "${@:3}"
  SIM_PIDS+=("$ZD_SIM_PID") SIM_DIRS+=("$ZD_SIM_DIR")
}
if [ "$MODE" = profile ] || [ "$MODE" = scan ]; then
  echo "== generating the account: $TICKETS tickets"
  sim 4 "$TICKETS" --render-cache $((TICKETS * 2)); MAIN_URL=$ZD_SIM_URL
else
  echo "== generating the accounts: $SMALL, $TICKETS and $LARGE tickets"
  sim 3 "$SMALL" --render-cache $((SMALL * 2)); SMALL_URL=$ZD_SIM_URL
  sim 4 "$TICKETS" --render-cache $((TICKETS * 2)); MAIN_URL=$ZD_SIM_URL
  ZD_SIM_START_SECONDS=600 sim 5 "$LARGE"; LARGE_URL=$ZD_SIM_URL
fi
echo "   ready after $(( $(date +%s) - started )) s"

# the extension is installed into the one PostgreSQL: hold the machine-wide lock
exec 9>/tmp/zendesk_fdw-install.lock
echo "== waiting for the install lock"
flock 9
locked=$(date +%s)
bash scripts/setup.sh >/dev/null
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
# the quota guard is off for the whole run (each server sets it to 0 too;
# the pacing scenarios' servers do not)
if [ "$MODE" = profile ]; then
  PYTHONPATH=bench:tests/scenarios:tests/memory pg_virtualenv -t -v 15 \
    /usr/bin/python3 bench/profile.py "$WORK" "$MAIN_URL" "$TICKETS"
elif [ "$MODE" = scan ]; then
  PGOPTIONS="-c zendesk_fdw.max_requests_per_statement=0" \
    pg_virtualenv -t -v 15 -o shared_preload_libraries=zendesk_fdw \
    /usr/bin/python3 bench/bench.py --scan "$WORK" "$MAIN_URL" "$TICKETS"
else
  PGOPTIONS="-c zendesk_fdw.max_requests_per_statement=0" \
    pg_virtualenv -t -v 15 -o shared_preload_libraries=zendesk_fdw \
    /usr/bin/python3 bench/bench.py "$WORK" "$SMALL_URL" "$MAIN_URL" "$LARGE_URL" "$SMALL" "$TICKETS" "$LARGE"
fi
flock -u 9
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg); $(( $(date +%s) - started )) s in all, $(( $(date +%s) - locked )) s holding the lock"
