#!/usr/bin/env bash
# tests/layout/run.sh RESULTS -- the repository's shape: it stands alone, its
# layers hold, its packaging agrees with itself.  Each check also runs on a
# copy with a planted fault, which it must report (its positive control).
# Appends PASS/FAIL lines to RESULTS.  Needs python3, cc, pkg-config, pg_config.
set -uo pipefail
cd "$(dirname "$0")/../.."
RESULTS=$1
pass() { echo "PASS $1" >>"$RESULTS"; echo "ok   $1"; }
fail() { echo "FAIL $1" >>"$RESULTS"; echo "FAIL $1"; }
PY=/usr/bin/python3
PG_INCLUDE=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --includedir-server)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# expect NAME WANT CMD...: WANT is "clean" (exit 0, nothing printed) or a
# pattern the output must contain (exit 1)
expect() {
  local name=$1 want=$2; shift 2
  local out status
  out=$("$@" 2>&1); status=$?
  if [ "$want" = clean ]; then
    if [ $status -eq 0 ] && [ -z "$out" ]; then pass "$name"; else echo "$out" | head -20; fail "$name"; fi
  elif [ $status -eq 1 ] && grep -qF -- "$want" <<<"$out"; then pass "$name"
  else echo "$out" | head -20; fail "$name (wanted: $want)"; fi
}

# -- nothing outside the repository
expect "layout: no tracked file refers to anything outside the clone" clean \
  $PY tests/layout/check.py standalone .
mkdir "$WORK/alone"
git ls-files -z | xargs -0 cp --parents -t "$WORK/alone" 2>/dev/null
( cd "$WORK/alone" && git init -q && git add -A ) >/dev/null 2>&1
# (spelled in pieces, so that this file does not hold what it plants)
sibling=$(printf '%s/%s' .. shared)
machine=$(printf '/%s/%s/fixtures' work shared)
home=$(printf '/%s/someone/zendesk_fdw' home)
note=$(printf '%s-%s.md' zendesk search)
printf 'see %s/%s\n' "$sibling" "$note" >"$WORK/alone/sim/planted.md"
printf '/* as %s §6 says */\n' "$note" >"$WORK/alone/src/planted.h"
printf 'FIXTURES = "%s"\n' "$machine" >"$WORK/alone/tests/planted.py"
printf 'cd %s\n' "$home" >"$WORK/alone/scripts/planted.sh"
( cd "$WORK/alone" && git add -A ) >/dev/null 2>&1
expect "layout: the check finds a planted reference to the folder beside the clone" "sim/planted.md:1: refers to $sibling" \
  $PY tests/layout/check.py standalone "$WORK/alone"
expect "layout: the check finds a planted mention of a note the clone does not have" \
  "src/planted.h:1: refers to $note, a note the repository does not have" \
  $PY tests/layout/check.py standalone "$WORK/alone"
expect "layout: the check finds a planted absolute path of one machine" \
  "tests/planted.py:1: absolute path outside the repository and the system: $machine" \
  $PY tests/layout/check.py standalone "$WORK/alone"
expect "layout: the check finds a planted home directory" "scripts/planted.sh:1: absolute path outside" \
  $PY tests/layout/check.py standalone "$WORK/alone"

# -- the layers of src/
expect "layout: src/client builds without PostgreSQL, and no layer includes one below it" clean \
  $PY tests/layout/check.py layers src "$PG_INCLUDE"
cp -r src "$WORK/layers"
cp zendesk_fdw.c "$WORK/"
sed -i '0,/#include <stdlib.h>/s//#include <stdlib.h>\n#include "postgres.h"/' "$WORK/layers/client/zd_idset.c"
sed -i '0,/#include <stdlib.h>/s//#include <stdlib.h>\n#include <utils\/palloc.h>/' "$WORK/layers/client/zd_url.c"
sed -i 's|^#include "zd_conn.h"$|#include "zd_conn.h"\n#include "sync/zd_sync.h"|' "$WORK/layers/fdw/zd_scan.c"
expect "layout: the check finds a planted postgres.h in src/client" "client/zd_idset.c: includes PostgreSQL's postgres.h" \
  $PY tests/layout/check.py layers "$WORK/layers" "$PG_INCLUDE"
expect "layout: the check finds a planted <utils/palloc.h> in src/client" "client/zd_url.c: includes PostgreSQL's utils/palloc.h" \
  $PY tests/layout/check.py layers "$WORK/layers" "$PG_INCLUDE"
expect "layout: the check finds src/client failing to build without PostgreSQL" "client/zd_idset.c: does not compile without PostgreSQL" \
  $PY tests/layout/check.py layers "$WORK/layers" "$PG_INCLUDE"
expect "layout: the check finds fdw including sync" "fdw/zd_scan.c: fdw includes sync/zd_sync.h, a layer below it" \
  $PY tests/layout/check.py layers "$WORK/layers" "$PG_INCLUDE"

# -- packaging
expect "layout: META.json, LICENSE and CHANGELOG.md agree with the control file" clean \
  $PY tests/layout/check.py meta .
mkdir "$WORK/meta"
cp META.json LICENSE CHANGELOG.md zendesk_fdw.control zendesk_fdw--*.sql "$WORK/meta/"
# a version no release will have: the control file ahead of META.json and CHANGELOG.md
meta_version=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' META.json)
sed -i "s/^default_version = .*/default_version = '9.9'/" "$WORK/meta/zendesk_fdw.control"
$PY - "$WORK/meta/META.json" <<'PYEOF'
import json, sys
meta = json.load(open(sys.argv[1]))
del meta["maintainer"]
json.dump(meta, open(sys.argv[1], "w"))
PYEOF
expect "layout: the check finds a version the control file does not have" "META.json: version '$meta_version', the control file's default_version is '9.9'" \
  $PY tests/layout/check.py meta "$WORK/meta"
expect "layout: the check finds a key the Meta Spec requires missing" "META.json: no 'maintainer'" \
  $PY tests/layout/check.py meta "$WORK/meta"
expect "layout: the check finds a version CHANGELOG.md does not describe" "CHANGELOG.md: no section for the control file's version 9.9" \
  $PY tests/layout/check.py meta "$WORK/meta"
exit 0
