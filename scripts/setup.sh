#!/usr/bin/env bash
# scripts/setup.sh -- make a Debian 12 machine ready for zendesk_fdw, then
# build and install the extension.  Used by the demo, the tests and CI.
#
# Installs (as root, with apt-get) whatever of these is missing, builds with
# warnings as errors, and installs into PostgreSQL 15.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
PACKAGES=(
  postgresql-15 postgresql-server-dev-15 postgresql-15-cron
  libcurl4-openssl-dev libjansson-dev pkg-config make gcc
  python3 python3-psycopg2 curl openssl ca-certificates valgrind
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

make -s PG_CONFIG="$PG_CONFIG" ZD_WERROR=1
make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
echo "setup: zendesk_fdw built and installed into $($PG_CONFIG --pkglibdir)"
