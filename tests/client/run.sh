#!/usr/bin/env bash
# tests/client/run.sh RESULTS -- build and run the client unit tests: plain,
# under valgrind and under AddressSanitizer, plus the positive controls that
# each memory checker must catch.  Appends PASS/FAIL lines to RESULTS.
# Needs ZD_SIM_URL (scripts/test.sh starts the simulator).
set -uo pipefail
cd "$(dirname "$0")"
RESULTS=$1
pass() { echo "PASS $1" >>"$RESULTS"; echo "ok   $1"; }
fail() { echo "FAIL $1" >>"$RESULTS"; echo "FAIL $1"; }

if ! make -s all >build.log 2>&1; then
  cat build.log; fail "client: build"; exit 0
fi

# plain: one result per test
out=$(build/test_client 2>&1); status=$?
while read -r line; do
  case "$line" in
    "ok "*) pass "client: ${line#ok }" ;;
    "not ok "*) echo "  $line"; fail "client: ${line#not ok }" ;;
  esac
done <<<"$out"
[ $status -eq 0 ] || [ -n "$(grep '^not ok' <<<"$out")" ] || fail "client: exit status $status"

VALGRIND=(valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite
          --error-exitcode=99 --track-origins=yes)

# valgrind: clean on the suite, and catches the control
vg=$("${VALGRIND[@]}" build/test_client 2>&1); status=$?
if [ $status -eq 0 ]; then pass "client: valgrind reports nothing"
else echo "$vg" | tail -40; fail "client: valgrind reports nothing (exit $status)"; fi
vg=$("${VALGRIND[@]}" build/control_valgrind 2>&1); status=$?
if [ $status -eq 99 ] && grep -q "Invalid write\|definitely lost" <<<"$vg"; then
  pass "client: valgrind catches the positive control"
else echo "$vg" | tail -20; fail "client: valgrind catches the positive control (exit $status)"; fi
vg=$("${VALGRIND[@]}" build/control_arena_valgrind 2>&1); status=$?
if [ $status -eq 99 ] && grep -q "Invalid write" <<<"$vg"; then
  pass "client: valgrind catches an overrun inside a page's arena"
else echo "$vg" | tail -20; fail "client: valgrind catches an overrun inside a page's arena (exit $status)"; fi

# AddressSanitizer (with LeakSanitizer and UBSan)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=98
as=$(build/test_client_asan 2>&1); status=$?
if [ $status -eq 0 ]; then pass "client: AddressSanitizer reports nothing"
else echo "$as" | tail -40; fail "client: AddressSanitizer reports nothing (exit $status)"; fi
as=$(build/control_asan 2>&1); status=$?
if [ $status -eq 98 ] && grep -q "heap-buffer-overflow" <<<"$as"; then
  pass "client: AddressSanitizer catches the positive control"
else echo "$as" | tail -20; fail "client: AddressSanitizer catches the positive control (exit $status)"; fi
as=$(build/control_arena_asan 2>&1); status=$?
if [ $status -eq 98 ] && grep -q "use-after-poison" <<<"$as"; then
  pass "client: AddressSanitizer catches an overrun inside a page's arena"
else echo "$as" | tail -20; fail "client: AddressSanitizer catches an overrun inside a page's arena (exit $status)"; fi
ub=$(build/control_ubsan 2>&1); status=$?
if [ $status -ne 0 ] && grep -q "runtime error: shift exponent 64" <<<"$ub"; then
  pass "client: UndefinedBehaviorSanitizer catches the positive control"
else echo "$ub" | tail -20; fail "client: UndefinedBehaviorSanitizer catches the positive control (exit $status)"; fi
exit 0
