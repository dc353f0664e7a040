#!/usr/bin/env bash
# scripts/test.sh -- the quick test suite, exactly as CI runs it.
#
# Sets the machine up (scripts/setup.sh), starts the Zendesk simulator, then
# runs: the simulator's own tests, the Zendesk client's unit tests (plain,
# under valgrind and under AddressSanitizer, each memory checker with a
# positive control that must be caught), and the pg_regress suite in a
# throwaway cluster.  Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config

bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
. scripts/sim-env.sh

RESULTS=$(mktemp)
trap 'stop_simulator; rm -f "$RESULTS"' EXIT
pass() { echo "PASS $1" >>"$RESULTS"; echo "ok   $1"; }
fail() { echo "FAIL $1" >>"$RESULTS"; echo "FAIL $1"; }
section() { printf '\n== %s\n' "$1"; }

start_simulator --seed 1 --tickets 2500 --export-limit 100000 --account-limit 100000 \
  || { echo "0 passed, 1 failed"; exit 1; }

section "simulator tests"
out=$(cd tests/sim && PYTHONPATH="$ROOT/sim" /usr/bin/python3 -m unittest -v 2>&1)
echo "$out" | grep -E ' \.\.\. ' | while read -r line; do
  name=$(echo "$line" | sed -E 's/ \.\.\. .*//')
  case "$line" in *"... ok") pass "sim: $name" ;; *) fail "sim: $name" ;; esac
done
echo "$out" | grep -qE '^(OK|FAILED)' || { echo "$out"; fail "sim: the unittest run itself"; }
echo "$out" | grep -q '^FAILED' && echo "$out" | sed -n '/^=====/,$p'

section "client unit tests"
bash tests/client/run.sh "$RESULTS"

section "pg_regress"
rm -rf results regression.diffs regression.out
pg_virtualenv -t -v 15 make -s installcheck PG_CONFIG="$PG_CONFIG" >regress.log 2>&1
grep -E '^(ok|not ok|test) ' regress.log | sed 's/^/  /'
while read -r line; do
  name=$(echo "$line" | awk '{print $2}')
  case "$line" in *" ok "*|*"... ok"*) pass "regress: $name" ;; *) fail "regress: $name" ;; esac
done < <(grep -E '^test [a-z_]+ +\.\.\. ' regress.log)
grep -qE 'tests passed|tests failed|test failed' regress.log || { tail -30 regress.log; fail "regress: the pg_regress run itself"; }
[ -f regression.diffs ] && head -200 regression.diffs

npass=$(grep -c '^PASS' "$RESULTS")
nfail=$(grep -c '^FAIL' "$RESULTS")
echo
grep '^FAIL' "$RESULTS" | sed 's/^FAIL/failed:/'
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
