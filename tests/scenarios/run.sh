#!/usr/bin/env bash
# tests/scenarios/run.sh RESULTS [long] -- the scenario tests: pacing against
# the simulator's scaled ceiling, shared pacing in a cluster that preloads the
# library (and the negative control in one that does not), keep-alive, gzip,
# proxies, bad answers and cancel phase by phase.  Each check becomes a
# PASS/FAIL line in RESULTS.  The extension must be installed (scripts/test.sh
# does it, under the machine-wide lock).
#
#   bash tests/scenarios/run.sh RESULTS        the quick part (scripts/test.sh)
#   bash tests/scenarios/run.sh RESULTS long   the long pacing runs only (~3 min;
#       ZD_PACE_LIMIT=10 ZD_PACE_WINDOW=60 for Zendesk's own ceiling, ~50 min)
set -uo pipefail
cd "$(dirname "$0")"
RESULTS=$1
MODE=${2:-quick}

# With ZD_SCENARIO_LOGDIR set, each cluster logs at debug5 and its server log
# is copied there as scenario-GROUP.log (scripts/test.sh greps it for secrets).
run_group() {  # run_group GROUP [pg_virtualenv options...]
  local group=$1; shift
  local out log=
  if [ -n "${ZD_SCENARIO_LOGDIR:-}" ]; then
    log="$ZD_SCENARIO_LOGDIR/scenario-$group.log"
    set -- "$@" -o log_min_messages=debug5
  fi
  out=$(pg_virtualenv -t -v 15 "$@" sh -c '
    /usr/bin/python3 main.py "$1"; rc=$?
    [ -z "$2" ] || cp "$(dirname "$PG_CLUSTER_CONF_ROOT")/log/postgresql-15-regress.log" "$2"
    exit $rc' sh "$group" "$log" 2>&1)
  echo "$out" | grep -E '^     # ' || true
  while IFS= read -r line; do
    case "$line" in
      "ok   "*) echo "PASS scenario: ${line#ok   }" >>"$RESULTS"; echo "ok   scenario: ${line#ok   }" ;;
      "FAIL "*) echo "FAIL scenario: ${line#FAIL }" >>"$RESULTS"; echo "FAIL scenario: ${line#FAIL }" ;;
    esac
  done <<<"$out"
  if ! grep -qE '^(ok   |FAIL )' <<<"$out" || grep -q '^Traceback' <<<"$out"; then
    echo "$out" | tail -30
    echo "FAIL scenario: the $group run itself" >>"$RESULTS"; echo "FAIL scenario: the $group run itself"
  fi
}

if [ "$MODE" = long ]; then
  run_group long -o shared_preload_libraries=zendesk_fdw
else
  run_group plain
  run_group preload -o shared_preload_libraries=zendesk_fdw
fi
exit 0
