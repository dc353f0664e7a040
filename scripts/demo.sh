#!/usr/bin/env bash
# scripts/demo.sh -- the zendesk_fdw demo: sets the machine up, starts the
# Zendesk simulator (HTTPS, OAuth) with a generated account, and runs
# scripts/demo.sql in a throwaway PostgreSQL 15 cluster.
#   TICKETS=20000 bash scripts/demo.sh   for a bigger account
set -euo pipefail
cd "$(dirname "$0")/.."
# the extension is installed into the one PostgreSQL: one install at a time
exec 9>/tmp/zendesk_fdw-install.lock
flock 9
bash scripts/setup.sh
. scripts/sim-env.sh
trap stop_simulator EXIT
start_simulator --seed 42 --tickets "${TICKETS:-5000}" --export-limit 1000 --account-limit 10000
echo "Zendesk simulator: $ZD_SIM_HTTPS_URL (${TICKETS:-5000} tickets)"
cp scripts/demo.sql "$ZD_SIM_DIR/demo.sql"
chmod 644 "$ZD_SIM_DIR/demo.sql"
pg_virtualenv -t -v 15 psql -X -q -v ON_ERROR_STOP=1 --echo-all \
  -v sim_url="$ZD_SIM_HTTPS_URL" -v sim_ca="$ZD_SIM_CA" -f "$ZD_SIM_DIR/demo.sql"
