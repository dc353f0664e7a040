#!/usr/bin/env bash
# scripts/test.sh -- the quick test suite, exactly as CI runs it.
#
# Sets the machine up (scripts/setup.sh), starts the Zendesk simulator, then
# runs: the layout checks (nothing outside the clone is referred to, the
# client layer builds without PostgreSQL, META.json agrees with the control
# file), the simulator's own tests, the Zendesk client's unit tests (plain,
# under valgrind and under AddressSanitizer, each memory checker with a
# positive control that must be caught), the pg_regress suite in a
# throwaway cluster, a pg_cron-scheduled sync, the crash tests of sync and a
# short crash soak in clusters of their own, the scenario tests
# (tests/scenarios, two clusters of their own, one preloading the library),
# the refresh-token tests, and a short run of the client's fuzz targets (with
# a positive control).  Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config

# One suite at a time per machine: the extension is installed into the one
# PostgreSQL, so two checkouts testing at once would test each other's build.
exec 9>/tmp/zendesk_fdw-install.lock
flock 9

bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
. scripts/sim-env.sh

RESULTS=$(mktemp)
trap 'stop_simulator; rm -f "$RESULTS"' EXIT
pass() { echo "PASS $1" >>"$RESULTS"; echo "ok   $1"; }
fail() { echo "FAIL $1" >>"$RESULTS"; echo "FAIL $1"; }
section() { printf '\n== %s\n' "$1"; }

start_simulator --seed 1 --tickets 2500 --export-limit 100000 --account-limit 100000 \
  || { echo "0 passed, 1 failed"; exit 1; }

section "layout (the repository stands alone, src/ in layers, packaging)"
bash tests/layout/run.sh "$RESULTS"

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
SERVER_LOG="$ZD_SIM_DIR/server.log"
# debug5: the secrets check below reads everything the server logged
pg_virtualenv -t -v 15 -o log_min_messages=debug5 sh -c '
  make -s installcheck PG_CONFIG="$1"; rc=$?
  cp "$(dirname "$PG_CLUSTER_CONF_ROOT")/log/postgresql-15-regress.log" "$2"
  exit $rc' sh "$PG_CONFIG" "$SERVER_LOG" >regress.log 2>&1
grep -E '^(ok|not ok|test) ' regress.log | sed 's/^/  /'
while read -r line; do
  name=$(echo "$line" | awk '{print $2}')
  case "$line" in *" ok "*|*"... ok"*) pass "regress: $name" ;; *) fail "regress: $name" ;; esac
done < <(grep -E '^test [a-z_]+ +\.\.\. ' regress.log)
grep -qE 'tests passed|tests failed|test failed' regress.log || { tail -30 regress.log; fail "regress: the pg_regress run itself"; }
[ -f regression.diffs ] && head -200 regression.diffs

section "pg_cron"
# a scheduled sync, for real: pg_cron preloaded in a cluster of its own
bash tests/cron/run.sh "$RESULTS"

section "crash tests"
# kill -9, cancel and faults during a sync: a cluster and a simulator of their own
bash tests/crash/run.sh "$RESULTS"

section "crash soak (5 kills -9 at random points, changes and faults between)"
# the smoke of tests/soak/run.sh (the full soak: tests/soak/run.sh 100); it
# uses the build installed above, under this script's lock (fd 9)
if SOAK_RESULTS="$RESULTS" bash tests/soak/run.sh 5 >"$ZD_SIM_DIR/soak.out" 2>&1; then
  grep '^ok   soak' "$ZD_SIM_DIR/soak.out"
else
  grep -v '^20..-..-.. ' "$ZD_SIM_DIR/soak.out" | tail -40
  grep -q '^FAIL soak' "$ZD_SIM_DIR/soak.out" || fail "soak: the run itself"
fi

section "scenarios (tests/scenarios: pacing, shared pacing, keep-alive, gzip, proxies, bad answers, cancel)"
ZD_SCENARIO_LOGDIR="$ZD_SIM_DIR" bash tests/scenarios/run.sh "$RESULTS"

section "refresh tokens (a cluster with zendesk_fdw preloaded)"
out=$(ZD_TOKENS_LOG="$ZD_SIM_DIR/scenario-tokens.log" bash tests/tokens/run.sh 2>&1)
echo "$out" | grep -E ' \.\.\. ' | while read -r line; do
  name=$(echo "$line" | sed -E 's/ \.\.\. .*//')
  case "$line" in *"... ok") pass "tokens: $name" ;; *) fail "tokens: $name" ;; esac
done
echo "$out" | grep -qE '^(OK|FAILED)' || { echo "$out" | tail -30; fail "tokens: the unittest run itself"; }
echo "$out" | grep -q '^FAILED' && echo "$out" | sed -n '/^=====/,$p'

section "secrets"
# Every credential the suite uses, and the forms they travel in.  PostgreSQL's
# own echo of a CREATE/ALTER USER MAPPING statement is the documented
# exception, and only those lines are left out.
secrets=(sim-api-token sim-client-secret not-the-secret no-such-token wrong-token
         sim-agent-token regenerated-secret sim-refresh-token
         "$(printf 'agent@example.com/token:sim-agent-token' | base64 -w0)"
         "$(printf 'admin@example.com/token:sim-api-token' | base64 -w0)"
         "$(printf 'admin@example.com/token:wrong-token' | base64 -w0)")
leaks() {
  grep -v -i 'user mapping' "$1" | grep -F "${secrets[@]/#/-e}" | head -5
  grep -v -i 'user mapping' "$1" | grep -E 'Bearer [A-Za-z0-9._-]{8,}' | head -5
}
for log in "$ZD_SIM_DIR"/scenario-*.log; do
  grep -q 'DEBUG:  zendesk_fdw: GET' "$log" 2>/dev/null ||
    { fail "secrets: the scenario server log $(basename "$log") at debug5 was not captured"; continue; }
  found=$(leaks "$log")
  if [ -z "$found" ]; then pass "secrets: none in the $(basename "$log" .log) server log at debug5 ($(wc -l <"$log") lines)"
  else echo "$found"; fail "secrets: none in the $(basename "$log" .log) server log at debug5"; fi
done
if grep -q 'DEBUG:  zendesk_fdw: GET' "$SERVER_LOG" 2>/dev/null; then
  found=$(leaks "$SERVER_LOG")
  if [ -z "$found" ]; then pass "secrets: none in the server log at debug5 ($(wc -l <"$SERVER_LOG") lines)"
  else echo "$found"; fail "secrets: none in the server log at debug5"; fi
else
  fail "secrets: the server log at debug5 was not captured"
fi
# the check itself must see a secret where one is: the echoed test input has them
if [ -n "$(leaks results/auth.out)" ]; then pass "secrets: the check finds the secrets in the echoed test input"
else fail "secrets: the check finds the secrets in the echoed test input"; fi
found=$(cat results/*.out 2>/dev/null | grep -E '^(ERROR|DETAIL|HINT|NOTICE|WARNING|CONTEXT|INFO):' >"$ZD_SIM_DIR/messages.txt"; leaks "$ZD_SIM_DIR/messages.txt")
if [ -s "$ZD_SIM_DIR/messages.txt" ] && [ -z "$found" ]; then
  pass "secrets: none in errors, hints or notices ($(wc -l <"$ZD_SIM_DIR/messages.txt") messages)"
else echo "$found"; fail "secrets: none in errors, hints or notices"; fi

# The fuzzers use neither the installed extension nor the cluster: let the
# other checkouts have the machine while they run.
flock -u 9

section "fuzzing (${FUZZ_SECONDS:-20} s a target)"
bash tests/fuzz/run.sh "$RESULTS" "${FUZZ_SECONDS:-20}"

npass=$(grep -c '^PASS' "$RESULTS")
nfail=$(grep -c '^FAIL' "$RESULTS")
echo
grep '^FAIL' "$RESULTS" | sed 's/^FAIL/failed:/'
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
