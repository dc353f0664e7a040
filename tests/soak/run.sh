#!/usr/bin/env bash
# tests/soak/run.sh [KILLS] [--seed S] [--page-size N] -- the crash soak of
# zendesk_fdw.sync (tests/soak/soak.py): KILLS (default 100) kill -9s of the
# syncing backend at random points of long exports, with changes and faults
# between, each export resumed and its mirror compared with the simulator's
# ground truth.  A cluster of its own (a kill -9 restarts the whole cluster)
# and a simulator of its own: SOAK_TICKETS tickets (default 30000; 8000 for
# a smoke run of 10 kills or fewer), the soak's seed as the simulator's
# seed, so that --seed S replays a run (the kills land where the timing
# puts them, so a replay is close, not identical).
#
# Run alone, it builds and installs this checkout under the machine-wide
# install lock and holds the lock to the end; from scripts/test.sh (which
# holds the lock on fd 9) it uses the installed build.  With SOAK_RESULTS
# set, appends one PASS/FAIL line to that file.  Exits 1 on a difference or
# an unexpected error.
set -uo pipefail
cd "$(dirname "$0")/../.."
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
LOCK=/tmp/zendesk_fdw-install.lock

KILLS=100
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then KILLS=$1; shift; fi
SEED=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = --seed ] && SEED=${args[$((i + 1))]:-}
done
if [ -z "$SEED" ]; then
  SEED=$(( $(od -An -N4 -tu4 /dev/urandom) ))
  args+=(--seed "$SEED")
fi

if [ "$(readlink /proc/$$/fd/9 2>/dev/null)" != "$LOCK" ]; then
  exec 9>"$LOCK"
  echo "waiting for the install lock ($LOCK)"
  flock 9
  make -s PG_CONFIG="$PG_CONFIG" ZD_WERROR=1 >/dev/null && make -s install PG_CONFIG="$PG_CONFIG" >/dev/null \
    || { echo "build failed"; exit 1; }
else
  flock 9
fi

# PASS/FAIL to SOAK_RESULTS, "ok   ..."/"FAIL ..." on stdout, as scripts/test.sh
result() {
  [ -n "${SOAK_RESULTS:-}" ] && echo "$1 $2" >>"$SOAK_RESULTS"
  if [ "$1" = PASS ]; then echo "ok   $2"; else echo "FAIL $2"; fi
}

# shellcheck source=../../scripts/sim-env.sh
. scripts/sim-env.sh
trap stop_simulator EXIT
TICKETS=${SOAK_TICKETS:-$([ "$KILLS" -le 10 ] && echo 8000 || echo 30000)}
start_simulator --seed "$SEED" --tickets "$TICKETS" \
  --export-limit 1000000 --account-limit 1000000 \
  || { result FAIL "soak: simulator start"; exit 1; }

# the driver's output (and, on failure, pg_virtualenv's copy of the server
# log) is kept in a file when the soak fails
LOG=$(mktemp /tmp/zendesk_fdw-soak.XXXXXX.log)
pg_virtualenv -t -v 15 /usr/bin/python3 -u tests/soak/soak.py --kills "$KILLS" "${args[@]}" 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
line=$(grep '^RESULT ' "$LOG" | tail -1)
if [ "$rc" -eq 0 ] && [ -n "$line" ]; then
  rm -f "$LOG"
  result PASS "soak: ${line#RESULT PASS }"
else
  result FAIL "soak: ${line:+${line#RESULT FAIL } }(seed $SEED; log kept in $LOG)"
  exit 1
fi
