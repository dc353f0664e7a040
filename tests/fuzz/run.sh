#!/usr/bin/env bash
# tests/fuzz/run.sh RESULTS [SECONDS] -- build the fuzz targets, replay the
# regression inputs, fuzz each target for SECONDS (default 20), and check
# that the planted bug of the positive control is found.  Appends PASS/FAIL
# lines to RESULTS.  Seeds come from make-seeds.py: go-zendesk's recordings
# (tests/fixtures/go-zendesk-mit, MIT) and a simulator, the one at ZD_SIM_URL
# when it is set, else one make-seeds.py starts in its own process; never
# zenpy's GPL-licensed recordings (the seeds are built output).
#
# The corpus each run grows is kept in build/corpus/ (not committed), so
# later runs start where earlier ones stopped; crashes are written to
# build/crashes/.  The long run is the same with a larger SECONDS.
set -uo pipefail
cd "$(dirname "$0")"
RESULTS=$1
SECONDS_EACH=${2:-20}
CONTROL_SECONDS=${FUZZ_CONTROL_SECONDS:-60}
TARGETS=(page lookup error ratelimit time url export list)
pass() { echo "PASS $1" >>"$RESULTS"; echo "ok   $1"; }
fail() { echo "FAIL $1" >>"$RESULTS"; echo "FAIL $1"; }

if ! nice -n 10 make -s -j2 all >build.log 2>&1; then
  cat build.log; fail "fuzz: build"; exit 0
fi
rm -rf build/seeds
if ! out=$(/usr/bin/python3 make-seeds.py build/seeds ${ZD_SIM_URL:-} 2>&1); then
  echo "$out"; fail "fuzz: seed corpora"; exit 0
fi
echo "  $out"
mkdir -p build/crashes

# libFuzzer's own options for every run.  -len_control=0: inputs may grow to
# the size of the largest seed at once (pages are kilobytes, and libFuzzer
# would otherwise take minutes to allow that).
fuzz_opts() {
  echo "-timeout=10 -rss_limit_mb=2048 -len_control=0 -dict=fuzz.dict" \
       "-print_final_stats=1 -artifact_prefix=build/crashes/$1-"
}

for t in "${TARGETS[@]}"; do
  # regressions: every input once (the crashes found so far, now fixed)
  regs=(regressions/"$t"/*)
  if [ -e "${regs[0]}" ]; then
    if log=$(build/fuzz_"$t" $(fuzz_opts "$t") "${regs[@]}" 2>&1); then
      pass "fuzz: $t replays its ${#regs[@]} regression inputs"
    else
      echo "$log" | grep -E 'ERROR|SUMMARY|fuzz property|Running:' | head -20
      fail "fuzz: $t replays its ${#regs[@]} regression inputs"
    fi
  fi
  mkdir -p build/corpus/"$t"
  log=$(build/fuzz_"$t" $(fuzz_opts "$t") -max_total_time="$SECONDS_EACH" \
        build/corpus/"$t" build/seeds/"$t" 2>&1); status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' <<<"$log")
  if [ $status -eq 0 ]; then
    pass "fuzz: $t, ${runs:-?} inputs in ${SECONDS_EACH} s, no crash"
  else
    echo "$log" | grep -E -A12 'ERROR|fuzz property' | head -40
    echo "$log" | grep -E '^(artifact_prefix|Test unit written|SUMMARY)' | sed 's/^/  /'
    fail "fuzz: $t, ${runs:-?} inputs in ${SECONDS_EACH} s, no crash"
  fi
done

# The positive control: the same harness with a planted heap overflow on a
# cursor no seed has.  The fuzzer must find it, from the same seeds.  How
# long that takes depends on libFuzzer's random seed (6 s in one run, not
# within 60 s in another on a loaded machine), so it has three tries, each
# from a fresh corpus: a harness that cannot find the bug fails all three.
start=$(date +%s)
for attempt in 1 2 3; do
  work=$(mktemp -d)
  log=$(build/control_page $(fuzz_opts control) -max_total_time="$CONTROL_SECONDS" \
        "$work" build/seeds/page 2>&1); status=$?
  rm -rf "$work" build/crashes/control-*
  [ $status -ne 0 ] && break
done
took=$(( $(date +%s) - start ))
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' <<<"$log")
if [ $status -ne 0 ] && grep -q 'heap-buffer-overflow' <<<"$log" && grep -q 'planted_bug' <<<"$log"; then
  pass "fuzz: the positive control's planted overflow is found (try $attempt, ${took} s, ${runs:-?} inputs in the last)"
else
  echo "$log" | tail -15
  fail "fuzz: the positive control's planted overflow is found within 3 tries of ${CONTROL_SECONDS} s"
fi
exit 0
