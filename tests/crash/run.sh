#!/usr/bin/env bash
# tests/crash/run.sh RESULTS -- the crash tests of zendesk_fdw.sync, in a
# cluster of their own (kill -9 of a backend restarts the whole cluster) and
# with a simulator of their own.  Appends PASS/FAIL lines to RESULTS.  The
# extension must be installed (scripts/test.sh does it, under the lock).
set -uo pipefail
cd "$(dirname "$0")/../.."
RESULTS=$1
pass() { echo "PASS $1" >>"$RESULTS"; echo "ok   $1"; }
fail() { echo "FAIL $1" >>"$RESULTS"; echo "FAIL $1"; }

# shellcheck source=../../scripts/sim-env.sh
. scripts/sim-env.sh
trap stop_simulator EXIT
start_simulator --seed 2 --tickets 2500 --export-limit 100000 --account-limit 100000 \
  || { fail "crash: simulator start"; exit 0; }
out=$(pg_virtualenv -t -v 15 /usr/bin/python3 tests/crash/test_crash.py -v 2>&1)

echo "$out" | grep -E ' \.\.\. ' | while read -r line; do
  name=$(echo "$line" | sed -E 's/ \.\.\. .*//')
  case "$line" in *"... ok") pass "crash: $name" ;; *) fail "crash: $name" ;; esac
done
echo "$out" | grep -qE '^(OK|FAILED)' || { echo "$out" | tail -30; fail "crash: the unittest run itself"; }
echo "$out" | grep -q '^FAILED' && echo "$out" | sed -n '/^=====/,$p'
exit 0
