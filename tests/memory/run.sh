#!/usr/bin/env bash
# tests/memory/run.sh [LARGE] -- backend memory of scans: anonymous memory
# (RssAnon) of a backend scanning 10k and LARGE (default 1,000,000) tickets,
# and of 1000 scans in one backend, a third of them ending in errors.
# Not part of the quick suite (the 1M-ticket account takes minutes).
set -euo pipefail
cd "$(dirname "$0")/../.."
LARGE=${1:-1000000}
bash scripts/setup.sh >/dev/null
. scripts/sim-env.sh
start_simulator --seed 3 --tickets 10000 --export-limit 1000000 --account-limit 1000000
SMALL_URL=$ZD_SIM_URL; SMALL_PID=$ZD_SIM_PID; SMALL_DIR=$ZD_SIM_DIR
start_simulator --seed 4 --tickets "$LARGE" --export-limit 1000000 --account-limit 1000000
LARGE_URL=$ZD_SIM_URL
trap 'stop_simulator; kill $SMALL_PID 2>/dev/null; rm -rf "$SMALL_DIR"' EXIT
pg_virtualenv -t -v 15 /usr/bin/python3 tests/memory/memory.py "$SMALL_URL" "$LARGE_URL" 10000 "$LARGE"
