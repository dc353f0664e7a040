#!/usr/bin/env bash
# tests/tokens/run.sh -- the refresh-token flow in a cluster of its own with
# shared_preload_libraries=zendesk_fdw (the flow needs the shared token
# store).  Needs ZD_SIM_URL and the extension installed; prints unittest's
# verbose output.  With ZD_TOKENS_LOG set, the cluster's server log (debug5)
# is copied there for scripts/test.sh's secrets check.
set -uo pipefail
cd "$(dirname "$0")"
pg_virtualenv -t -v 15 -o shared_preload_libraries=zendesk_fdw -o log_min_messages=debug5 sh -c '
  log="$(dirname "$PG_CLUSTER_CONF_ROOT")/log/postgresql-15-regress.log"
  ZD_SERVER_LOG="$log" /usr/bin/python3 test_refresh.py 2>&1; rc=$?
  [ -z "${ZD_TOKENS_LOG:-}" ] || cp "$log" "$ZD_TOKENS_LOG"
  exit $rc'
