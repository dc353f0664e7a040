#!/usr/bin/env bash
# tests/tokens/run.sh -- the refresh-token flow in a cluster of its own with
# shared_preload_libraries=zendesk_fdw (the flow needs the shared token
# store).  Needs ZD_SIM_URL and the extension installed; prints unittest's
# verbose output.
set -uo pipefail
cd "$(dirname "$0")"
pg_virtualenv -t -v 15 -o shared_preload_libraries=zendesk_fdw -o log_min_messages=debug5 sh -c '
  ZD_SERVER_LOG="$(dirname "$PG_CLUSTER_CONF_ROOT")/log/postgresql-15-regress.log" \
    /usr/bin/python3 test_refresh.py 2>&1' 
