#!/usr/bin/env bash
# scripts/regress-sim.sh -- a private Zendesk simulator for one pg_regress test.
#
# Tests that mutate the account, add fields or flip switches run against a
# simulator of their own, so that nothing they change leaks into the other
# tests (which share the suite's simulator).  Run from the repository root,
# as pg_regress runs psql:
#
#   \set url `bash scripts/regress-sim.sh start NAME --seed 1 --tickets 300`
#   ...
#   \! bash scripts/regress-sim.sh stop NAME
#
# start prints the simulator's URL; its state lives in results/sim-NAME/.  It
# dies on its own after ZD_REGRESS_SIM_SECONDS (default 600), should a test
# be killed before its stop line.
set -euo pipefail
cd "$(dirname "$0")/.."
action=$1 name=$2
shift 2
dir="$PWD/results/sim-$name"

case "$action" in
  start)
    rm -rf "$dir"
    mkdir -p "$dir"
    PYTHONPATH="$PWD/sim" timeout "${ZD_REGRESS_SIM_SECONDS:-600}" /usr/bin/python3 \
      -m zendesk_sim --port 0 --ready-file "$dir/ready.json" "$@" >"$dir/sim.log" 2>&1 </dev/null &
    echo $! >"$dir/pid"
    for _ in $(seq 1 300); do
      [ -s "$dir/ready.json" ] && break
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/sim.log" >&2; exit 1; }
      sleep 0.05
    done
    /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http_url"])' \
      "$dir/ready.json"
    ;;
  stop)
    if [ -f "$dir/pid" ]; then
      kill "$(cat "$dir/pid")" 2>/dev/null || true
      rm -f "$dir/pid"
    fi
    ;;
  *)
    echo "usage: $0 start|stop NAME [simulator options]" >&2
    exit 2
    ;;
esac
