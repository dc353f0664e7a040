#!/usr/bin/env bash
# tests/valgrind/build-pg.sh -- build an assert-enabled PostgreSQL 15 that
# tells valgrind about palloc'd memory, for tests/valgrind/run.sh.
#
# Debian's own PostgreSQL 15 source (postgresql-15/bookworm, with Debian's
# patches), configured with --enable-cassert --enable-debug and
# CPPFLAGS=-DUSE_VALGRIND, installed into a prefix of its own (default
# /opt/pg15-valgrind; PG_VALGRIND_PREFIX to change it).  Needs root for
# apt-get; about ten minutes on two cores.  Idempotent: a finished prefix is
# left alone (FORCE=1 builds again, reusing the source tree in
# PG_VALGRIND_WORK).
set -euo pipefail

PREFIX=${PG_VALGRIND_PREFIX:-/opt/pg15-valgrind}
WORK=${PG_VALGRIND_WORK:-/var/tmp/pg15-valgrind-src}
JOBS=${JOBS:-2}

if [ -x "$PREFIX/bin/postgres" ] && [ -f "$PREFIX/share/valgrind.supp" ] &&
   [ -f "$PREFIX/share/postgresql/extension/dblink.control" ] && [ -z "${FORCE:-}" ]; then
  echo "build-pg: $PREFIX is already built ($("$PREFIX/bin/pg_config" --version))"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "build-pg: run as root (apt-get)" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
# The machine's sources have no deb-src entry; add one of our own.  Only
# bookworm's sources are served (not bookworm-security's), hence the
# explicit postgresql-15/bookworm below.
SRC_LIST=/etc/apt/sources.list.d/zendesk-fdw-deb-src.sources
if [ ! -f "$SRC_LIST" ]; then
  cat >"$SRC_LIST" <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi
apt-get update -qq
# The build dependencies by name (build-dep would pull in far more: docs,
# LLVM, every PL), plus what apt-get source and the tests need.
apt-get install -y -qq --no-install-recommends \
  bison flex libreadline-dev zlib1g-dev libssl-dev libicu-dev pkg-config \
  dpkg-dev gcc make perl valgrind >/dev/null

mkdir -p "$WORK"
cd "$WORK"
SRC=$(find "$WORK" -maxdepth 1 -type d -name 'postgresql-15-*' | head -1)
if [ -z "$SRC" ]; then
  apt-get source -qq postgresql-15/bookworm >/dev/null
  SRC=$(find "$WORK" -maxdepth 1 -type d -name 'postgresql-15-*' | head -1)
fi
[ -n "$SRC" ] || { echo "build-pg: no source tree in $WORK" >&2; exit 1; }
echo "build-pg: building $(basename "$SRC") into $PREFIX"

cd "$SRC"
# a tree built before is cleaned: without --enable-depend, objects do not
# follow a change of configure's paths
[ -f config.status ] && make -s distclean >/dev/null 2>&1
# Debian's patches (50-per-version-dirs) send the modules and PGXS to
# /usr/lib/postgresql/15/lib -- over the system PostgreSQL's own files --
# unless the library directory's name holds "postgres": hence --libdir.
./configure --prefix="$PREFIX" --libdir="$PREFIX/lib/postgresql" \
  --enable-cassert --enable-debug --with-openssl --with-icu --without-llvm \
  CPPFLAGS=-DUSE_VALGRIND CFLAGS="-O1 -g -fno-omit-frame-pointer" >"$WORK/configure.log" 2>&1 \
  || { tail -30 "$WORK/configure.log"; exit 1; }
make -s -j"$JOBS" >"$WORK/make.log" 2>&1 || { tail -40 "$WORK/make.log"; exit 1; }
# dblink: the cancel and retry tests run a second session with it
make -s -C contrib/dblink >>"$WORK/make.log" 2>&1 || { tail -40 "$WORK/make.log"; exit 1; }
# Nothing may be installed outside the prefix: every directory the build
# was made for (the same make variables decide where install puts things).
outside=$(sed -n 's/^#define [A-Z]* "\(.*\)"$/\1/p' src/port/pg_config_paths.h | grep -v "^$PREFIX/" || true)
if [ -n "$outside" ] || [ ! -s src/port/pg_config_paths.h ]; then
  echo "build-pg: directories outside $PREFIX: ${outside:-none read}; not installing" >&2
  exit 1
fi
rm -rf "$PREFIX"
make -s install >"$WORK/install.log" 2>&1 || { tail -40 "$WORK/install.log"; exit 1; }
make -s -C contrib/dblink install >>"$WORK/install.log" 2>&1 || { tail -40 "$WORK/install.log"; exit 1; }
# pg_regress's installcheck needs nothing from contrib; the suppressions file
# is PostgreSQL's own, kept beside the binaries it belongs to.
cp src/tools/valgrind.supp "$PREFIX/share/valgrind.supp"
echo "build-pg: done: $("$PREFIX/bin/pg_config" --version) in $PREFIX"
