#!/usr/bin/env bash
# scripts/installcheck.sh -- the pg_regress suite against any installed
# PostgreSQL (15 to 18), in a throwaway cluster of its own.
#
#   PG_CONFIG=/path/to/bin/pg_config bash scripts/installcheck.sh [TEST...]
#
# Builds a copy of this tree in a temporary directory with warnings as errors,
# installs it into that PostgreSQL (whose contrib must have dblink), starts the
# Zendesk simulator and a cluster of that PostgreSQL on a free port (as user
# postgres when run as root), runs pg_regress (the Makefile's REGRESS, or the
# tests named) and ends with "N passed, N failed".  The diffs of failed tests
# are printed.  PG_CONFIG defaults to the Debian PostgreSQL 15.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
BINDIR=$("$PG_CONFIG" --bindir) || { echo "installcheck: no pg_config at $PG_CONFIG"; echo "0 passed, 1 failed"; exit 1; }
VERSION=$("$PG_CONFIG" --version)
echo "installcheck: $VERSION ($PG_CONFIG)"

# One install at a time into one PostgreSQL: the quick suite's lock for the
# Debian PostgreSQL, a lock of their own for the others.
case "$("$PG_CONFIG" --pkglibdir)" in
  /usr/lib/postgresql/*) LOCK=/tmp/zendesk_fdw-install.lock ;;
  *) LOCK=/tmp/zendesk_fdw-install-$("$PG_CONFIG" --pkglibdir | md5sum | cut -c1-12).lock ;;
esac
exec 9>"$LOCK"
flock 9

WORK=$(mktemp -d /tmp/zendesk_fdw-installcheck.XXXXXX)
chmod 755 "$WORK"
PGDATA_DIR="$WORK/data"
SOCKET_DIR="$WORK/socket"
SERVER_LOG="$WORK/log/server.log"
cleanup() {
  [ -f "$PGDATA_DIR/postmaster.pid" ] && as_owner "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1
  stop_simulator
  rm -rf "$WORK"
}
trap cleanup EXIT
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
. scripts/sim-env.sh
# psql, pg_dump and the like of that PostgreSQL, for the tests that run them
export PATH="$BINDIR:$PATH"

# the tree as it is (tracked and untracked files, not what .gitignore leaves out)
TREE="$WORK/tree"
mkdir "$TREE"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
    (cd "$ROOT" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
    tar -C "$ROOT" --null -T - -cf - | tar -C "$TREE" -xf -
else
  (cd "$ROOT" && tar --exclude=./results --exclude='*.o' --exclude='*.so' -cf - .) | tar -C "$TREE" -xf -
fi
chmod -R a+rX "$TREE"

if ! make -s -C "$TREE" PG_CONFIG="$PG_CONFIG" ZD_WERROR=1 >"$WORK/build.log" 2>&1 ||
   ! make -s -C "$TREE" PG_CONFIG="$PG_CONFIG" install >>"$WORK/build.log" 2>&1; then
  cat "$WORK/build.log"
  echo "installcheck: the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "installcheck: built with warnings as errors, installed into $("$PG_CONFIG" --pkglibdir)"

start_simulator --seed 1 --tickets 2500 --export-limit 100000 --account-limit 100000 ||
  { echo "0 passed, 1 failed"; exit 1; }

mkdir -p "$PGDATA_DIR" "$SOCKET_DIR" "$WORK/log"
[ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA_DIR" "$SOCKET_DIR" "$WORK/log"
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_owner "$BINDIR/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$WORK/initdb.log" 2>&1 ||
  { cat "$WORK/initdb.log"; echo "0 passed, 1 failed"; exit 1; }
if ! as_owner "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -l "$SERVER_LOG" -w \
     -o "-p $PORT -k $SOCKET_DIR -c listen_addresses=''" start >/dev/null; then
  cat "$SERVER_LOG"; echo "0 passed, 1 failed"; exit 1
fi

if [ $# -gt 0 ]; then TESTS="$*"; else TESTS=$(sed -n 's/^REGRESS = //p' "$TREE/Makefile"); fi
PGHOST=$SOCKET_DIR PGPORT=$PORT PGUSER=postgres \
  make -s -C "$TREE" PG_CONFIG="$PG_CONFIG" installcheck REGRESS="$TESTS" >"$WORK/regress.log" 2>&1
# pg_regress 15 says "test NAME ... ok", 16 and later "ok N - NAME" (TAP)
grep -E '^(test |ok |not ok |# )' "$WORK/regress.log" | grep -v '^# (diff|using|initializing|running|waiting)' | sed 's/^/  /'
npass=$(grep -cE '^test [a-z0-9_]+ +\.\.\. ok|^ok [0-9]+ +[-+] ' "$WORK/regress.log")
nfail=$(grep -cE '^test [a-z0-9_]+ +\.\.\. FAILED|^not ok [0-9]+ ' "$WORK/regress.log")
if [ $((npass + nfail)) -eq 0 ]; then
  tail -30 "$WORK/regress.log"; tail -30 "$SERVER_LOG"; nfail=1
fi
[ -f "$TREE/regression.diffs" ] && cat "$TREE/regression.diffs"
# ZD_INSTALLCHECK_RESULTS=DIR keeps the results (results/*.out, regression.diffs)
if [ -n "${ZD_INSTALLCHECK_RESULTS:-}" ]; then
  mkdir -p "$ZD_INSTALLCHECK_RESULTS"
  cp -r "$TREE"/results/. "$ZD_INSTALLCHECK_RESULTS"/
  [ -f "$TREE/regression.diffs" ] && cp "$TREE/regression.diffs" "$ZD_INSTALLCHECK_RESULTS"/
fi
grep -E 'TRAP|terminated by signal' "$SERVER_LOG" | head -5
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
