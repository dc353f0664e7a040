#!/usr/bin/env bash
# scripts/pacing.sh -- the long pacing runs (not in the quick suite): one
# backend exporting 240 pages, then four backends together, against the
# simulator's scaled export ceiling (20 requests per 6 s, counted in a
# sliding window), in a cluster that preloads the library.  Prints the
# figures (requests a minute against the ceiling, 429s, the most requests in
# any window) and the checks; takes about 3 minutes.
#
#   bash scripts/pacing.sh
#   ZD_PACE_LIMIT=10 ZD_PACE_WINDOW=60 bash scripts/pacing.sh   # Zendesk's own ceiling: ~50 min
set -uo pipefail
cd "$(dirname "$0")/.."
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
# the extension is installed into the one PostgreSQL: hold the machine-wide lock
exec 9>/tmp/zendesk_fdw-install.lock
flock 9
bash scripts/setup.sh || exit 1
bash tests/scenarios/run.sh "$RESULTS" long
echo "$(grep -c '^PASS' "$RESULTS") passed, $(grep -c '^FAIL' "$RESULTS") failed"
! grep -q '^FAIL' "$RESULTS"
