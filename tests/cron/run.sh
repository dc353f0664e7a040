#!/usr/bin/env bash
# tests/cron/run.sh RESULTS -- zendesk_fdw.sync scheduled by pg_cron (Debian's
# postgresql-15-cron, 1.4: minute granularity, so this waits about a minute),
# in a cluster of its own with pg_cron preloaded and background workers on.
# Appends PASS/FAIL lines to RESULTS.  The extension must be installed
# (scripts/test.sh does it, under the lock).
set -uo pipefail
cd "$(dirname "$0")/../.."
RESULTS=$1
pass() { echo "PASS $1" >>"$RESULTS"; echo "ok   $1"; }
fail() { echo "FAIL $1" >>"$RESULTS"; echo "FAIL $1"; }

# shellcheck source=../../scripts/sim-env.sh
. scripts/sim-env.sh
trap stop_simulator EXIT
start_simulator --seed 5 --tickets 1500 --export-limit 100000 --account-limit 100000 \
  || { fail "cron: simulator start"; exit 0; }
out=$(pg_virtualenv -t -v 15 -o shared_preload_libraries=pg_cron \
        -o cron.database_name=postgres -o cron.use_background_workers=on \
        -o max_worker_processes=16 \
        /usr/bin/python3 tests/cron/test_cron.py -v 2>&1)

echo "$out" | grep -E ' \.\.\. ' | while read -r line; do
  name=$(echo "$line" | sed -E 's/ \.\.\. .*//')
  case "$line" in *"... ok") pass "cron: $name" ;; *) fail "cron: $name" ;; esac
done
echo "$out" | grep -qE '^(OK|FAILED)' || { echo "$out" | tail -30; fail "cron: the unittest run itself"; }
echo "$out" | grep -q '^FAILED' && echo "$out" | sed -n '/^=====/,$p'
exit 0
