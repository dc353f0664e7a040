#!/usr/bin/env bash
# tests/valgrind/run.sh [TEST...] -- the pg_regress suite inside a PostgreSQL
# server running under valgrind.  Not part of the quick suite: about half an
# hour on two cores (see README, "Memory errors inside the server").
#
# Uses the assert-enabled, USE_VALGRIND PostgreSQL 15 of build-pg.sh (built
# first if missing), so palloc overruns are seen, not only malloc ones.
# Builds a copy of the extension against that tree's pg_config, with the
# positive control (planted_overrun.c) added, and installs it into that tree
# only -- the system PostgreSQL and the machine-wide install lock are not
# involved.  Then, in a cluster of its own (initdb as postgres) whose server
# runs under valgrind (--trace-children=yes, PostgreSQL's valgrind.supp,
# --error-exitcode, --leak-check=no), with the simulator as scripts/test.sh
# starts it:
#   1. the Makefile's REGRESS (or the TESTs given);
#   2. the catalog-path subset ($DISCARD_TESTS, default "extension options")
#      again with debug_discard_caches = 1;
#   3. the positive control: zd_valgrind_planted_overrun(16) writes one byte
#      past a 16-byte palloc chunk, which valgrind must report.
# Prints every valgrind error of 1 and 2, and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PREFIX=${PG_VALGRIND_PREFIX:-/opt/pg15-valgrind}
PG_CONFIG=$PREFIX/bin/pg_config
TESTS=${*:-$(sed -n 's/^REGRESS = //p' Makefile)}
DISCARD_TESTS=${DISCARD_TESTS-extension options}
PORT=${VALGRIND_PORT:-54399}
START=$(date +%s)

[ -x "$PREFIX/bin/postgres" ] || bash tests/valgrind/build-pg.sh || exit 1

WORK=$(mktemp -d /var/tmp/zd-valgrind.XXXXXX)
chmod 755 "$WORK"
RESULTS=$WORK/results.txt
: >"$RESULTS"
pass() { echo "PASS $1" >>"$RESULTS"; echo "ok   $1"; }
fail() { echo "FAIL $1" >>"$RESULTS"; echo "FAIL $1"; }
section() { printf '\n== %s\n' "$1"; }

. scripts/sim-env.sh
cleanup() {
  if [ -f "$WORK/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PREFIX/bin/pg_ctl" stop -D "$WORK/data" -m immediate -w -t 120 >/dev/null 2>&1
  fi
  stop_simulator
  echo "valgrind logs and the regression output are kept in $WORK"
}
trap cleanup EXIT

section "build the extension against $PREFIX"
# make install goes where pg_config says: never outside the prefix (the
# system PostgreSQL's directories belong to the other checkouts' tests)
for dir in pkglibdir sharedir pgxs; do
  case "$("$PG_CONFIG" --"$dir")" in
    "$PREFIX"/*) ;;
    *) fail "valgrind: $PG_CONFIG --$dir is $("$PG_CONFIG" --"$dir"), outside $PREFIX"; exit 1 ;;
  esac
done
mkdir "$WORK/ext"
cp -r Makefile zendesk_fdw.c zendesk_fdw.control zendesk_fdw--*.sql src sql expected scripts sim "$WORK/ext/"
cp tests/valgrind/planted_overrun.c "$WORK/ext/src/"
sed -i '/^PGXS :=/i OBJS += src/planted_overrun.o' "$WORK/ext/Makefile"
if (cd "$WORK/ext" && make -s clean PG_CONFIG="$PG_CONFIG" &&
    nice -n 10 make -s -j2 PG_CONFIG="$PG_CONFIG" ZD_WERROR=1 &&
    make -s install PG_CONFIG="$PG_CONFIG") >"$WORK/build.log" 2>&1; then
  pass "valgrind: the extension builds against the USE_VALGRIND server ($("$PG_CONFIG" --version))"
else
  tail -30 "$WORK/build.log"; fail "valgrind: the extension builds"; exit 1
fi

section "a cluster under valgrind"
mkdir -p "$WORK/data" "$WORK/sock" "$WORK/vg"
chown postgres: "$WORK/data" "$WORK/sock" "$WORK/vg"
runuser -u postgres -- "$PREFIX/bin/initdb" -D "$WORK/data" -U postgres -E UTF8 --no-locale \
  >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log"; fail "valgrind: initdb"; exit 1; }
start_simulator --seed 1 --tickets 2500 --export-limit 100000 --account-limit 100000 \
  || { fail "valgrind: the simulator starts"; exit 1; }
runuser -u postgres -- valgrind --quiet --trace-children=yes --leak-check=no \
  --suppressions="$PREFIX/share/valgrind.supp" --error-exitcode=99 --gen-suppressions=all \
  --num-callers=30 --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \
  --log-file="$WORK/vg/%p.log" \
  "$PREFIX/bin/postgres" -D "$WORK/data" -p "$PORT" -k "$WORK/sock" -c listen_addresses= \
  -c log_min_messages=warning -c max_connections=20 >"$WORK/server.log" 2>&1 &
export PGHOST=$WORK/sock PGPORT=$PORT PGUSER=postgres
for _ in $(seq 1 240); do
  "$PREFIX/bin/pg_isready" -q && break
  sleep 1
done
if "$PREFIX/bin/pg_isready" -q; then
  pass "valgrind: the server starts under valgrind ($(( $(date +%s) - START )) s so far)"
else
  tail -20 "$WORK/server.log"; fail "valgrind: the server starts under valgrind"; exit 1
fi

# the errors valgrind has logged so far (one marker per error)
errors() { cat "$WORK"/vg/*.log 2>/dev/null | grep -c 'VALGRINDERROR-BEGIN'; }
regress() {  # name, tests...
  local name=$1; shift
  local t0; t0=$(date +%s)
  # roles outlive pg_regress's database: a second pass starts without them
  "$PREFIX/bin/psql" -X -q -d postgres >/dev/null 2>&1 <<'SQL'
DROP DATABASE IF EXISTS contrib_regression;
SELECT format('DROP ROLE %I', rolname) FROM pg_roles WHERE rolname LIKE 'regress\_%' \gexec
SQL
  (cd "$WORK/ext" && rm -rf results regression.diffs &&
   make -s installcheck PG_CONFIG="$PG_CONFIG" REGRESS="$*") >"$WORK/regress-$name.log" 2>&1
  [ -f "$WORK/ext/regression.diffs" ] && cp "$WORK/ext/regression.diffs" "$WORK/regress-$name.diffs"
  grep -E '^(ok|not ok|test) ' "$WORK/regress-$name.log" | sed 's/^/  /'
  echo "  ($name: $(( $(date +%s) - t0 )) s)"
}

section "pg_regress under valgrind: $TESTS"
regress suite $TESTS
if grep -qE 'tests passed|tests failed|test failed' "$WORK/regress-suite.log"; then
  if grep -q 'All [0-9]* tests passed' "$WORK/regress-suite.log"; then
    pass "valgrind: the pg_regress suite passes under valgrind"
  else
    fail "valgrind: the pg_regress suite passes under valgrind (diffs: $WORK/regress-suite.diffs)"
  fi
else
  tail -20 "$WORK/regress-suite.log"; fail "valgrind: the pg_regress run itself"
fi

if [ -n "$DISCARD_TESTS" ]; then
  section "with debug_discard_caches = 1: $DISCARD_TESTS"
  PGOPTIONS="-c debug_discard_caches=1" regress discard $DISCARD_TESTS
  if grep -q 'All [0-9]* tests passed' "$WORK/regress-discard.log"; then
    pass "valgrind: $DISCARD_TESTS pass with debug_discard_caches = 1"
  else
    fail "valgrind: $DISCARD_TESTS pass with debug_discard_caches = 1"
  fi
fi

suite_errors=$(errors)
if [ "$suite_errors" -eq 0 ]; then
  pass "valgrind: no error in the server during the suite"
else
  for f in $(grep -l 'VALGRINDERROR-BEGIN' "$WORK"/vg/*.log); do
    echo "--- $f"; sed -n '/VALGRINDERROR-BEGIN/,/VALGRINDERROR-END/p' "$f" | head -60
  done
  fail "valgrind: no error in the server during the suite ($suite_errors errors)"
fi

section "positive control: a palloc overrun in the extension's code"
"$PREFIX/bin/psql" -X -q -d postgres >"$WORK/control.log" 2>&1 <<'SQL'
CREATE FUNCTION pg_temp.zd_valgrind_planted_overrun(int) RETURNS int
  LANGUAGE C STRICT AS '$libdir/zendesk_fdw', 'zd_valgrind_planted_overrun';
SELECT pg_temp.zd_valgrind_planted_overrun(16);
SQL
for _ in $(seq 1 60); do [ "$(errors)" -gt "$suite_errors" ] && break; sleep 1; done
control_errors=$(( $(errors) - suite_errors ))
if [ "$control_errors" -gt 0 ] && cat "$WORK"/vg/*.log | grep -q 'zd_valgrind_planted_overrun'; then
  pass "valgrind: the planted palloc overrun is reported ($(cat "$WORK"/vg/*.log |
    grep -A2 'VALGRINDERROR-BEGIN' | grep -m1 -oE 'Invalid (write|read) of size [0-9]+'))"
else
  cat "$WORK/control.log"
  fail "valgrind: the planted palloc overrun is reported"
fi

npass=$(grep -c '^PASS' "$RESULTS")
nfail=$(grep -c '^FAIL' "$RESULTS")
echo
echo "valgrind errors: $suite_errors in the suite, $control_errors from the positive control;" \
     "$(ls "$WORK"/vg | wc -l) processes traced; $(( $(date +%s) - START )) s in all"
grep '^FAIL' "$RESULTS" | sed 's/^FAIL/failed:/'
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
