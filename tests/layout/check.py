"""tests/layout/check.py -- the repository's shape.

    python3 tests/layout/check.py standalone [ROOT]
    python3 tests/layout/check.py layers [SRC [PG_INCLUDEDIR_SERVER]]
    python3 tests/layout/check.py meta [ROOT]

Each prints one line per problem it finds and exits 1 if there is any, 0
(printing nothing) if there is none.  Standard library only.

standalone -- the repository stands alone.  Every tracked file (git
ls-files; every file when ROOT is not a git work tree) is read for:
- a mention of the folder "shared" beside the clone, or of its fixtures
  (material some developers have next to their clone, and no user has);
- a mention of one of that folder's notes by name (zendesk-api, -resources
  and -search, and product, each with .md) when the repository has no file
  of that name: a reader of the clone cannot follow it;
- an absolute path whose first component is a top-level directory that is
  not the system's own (/usr, /etc, /var, /tmp, /opt, /dev, /proc, ...):
  home, root, work, mnt, srv, ... and any other top-level directory
  this machine has;
- a relative path (a string of ../ segments) that climbs above the
  repository from the file that holds it, to a name the repository does
  not have at its top (a command's ../../sim, run from tests/sim, is fine).
URL paths such as /api/v2/tickets.json or /_sim/clock are not top-level
directories and are not reported.

layers -- the layers of src/ (src/README.md) hold:
- every .c file of SRC/client compiles (cc -fsyntax-only, warnings as errors)
  with -I SRC/client and libcurl's and jansson's flags alone: no PostgreSQL
  include path;
- no file of SRC/client includes a header that PostgreSQL's server include
  directory has (postgres.h, utils/..., access/..., ...), whatever its
  spelling, nor a header outside SRC/client;
- no file of SRC/client or SRC/fdw (nor zendesk_fdw.c, beside SRC) includes
  a header of a layer below it (fdw/, sync/);
- an include of another layer names it ("client/zd_parse.h"), and such a
  header exists.
PG_INCLUDEDIR_SERVER defaults to what pg_config --includedir-server says.

meta -- META.json, the control file and the change log agree.  META.json
must be valid JSON with the keys the PGXN Meta Spec 1.0.0 requires (name,
abstract, version, maintainer, license, provides, meta-spec), SemVer
versions, a provides entry for the extension whose version, like the
distribution's, is the control file's default_version; prereqs naming
PostgreSQL, libcurl and jansson; LICENSE present and named by META.json's
licence; CHANGELOG.md with a section for every version the extension's SQL
scripts reach.
"""

import glob
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


# -- standalone
SYSTEM = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "opt", "proc", "run",
          "sbin", "sys", "tmp", "usr", "var"}
# top-level directories that are never the system's, whether or not this
# machine has them
NEVER = {"home", "root", "work", "mnt", "media", "srv", "Users", "Volumes", "lost+found", "shared"}

# an absolute path: a slash not preceded by a character that would make it
# part of a word, a URL, a variable ($HOME/x) or a relative path
ABSOLUTE = re.compile(r'(?<![\w.~$}/:@<>%-])/([A-Za-z_+][\w.+-]*)(?=[/\s"\'`),;:]|$)')
RELATIVE = re.compile(r'(?<![\w./-])((?:\.\./)+)([\w.-]+)')
NOTES = re.compile(r'\b(?:zendesk-api|zendesk-resources|zendesk-search|product)\.md\b')
SHARED = re.compile(r'\.\./shared\b|\bshared[/]fixtures\b|["\']shared["\'],\s*["\']fixtures["\']')


def tracked_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True, check=True)
        return [f for f in out.stdout.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs if x != ".git"]
            files.extend(os.path.relpath(os.path.join(d, n), root) for n in names)
        return files


def outside_dirs():
    """Top-level directories of this machine that are not the system's."""
    try:
        here = {d for d in os.listdir("/") if os.path.isdir(os.path.join("/", d))}
    except OSError:
        here = set()
    return (here | NEVER) - SYSTEM


def standalone_problems(root):
    root = os.path.abspath(root)
    outside = outside_dirs()
    top = set(os.listdir(root))
    names = {os.path.basename(rel) for rel in tracked_files(root)}
    found = []
    for rel in sorted(tracked_files(root)):
        path = os.path.join(root, rel)
        if not os.path.isfile(path) or os.path.islink(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        if b"\0" in data:
            continue                    # binary
        text = data.decode("utf-8", "replace")
        for n, line in enumerate(text.splitlines(), 1):
            where = "%s:%d" % (rel, n)
            for m in SHARED.finditer(line):
                found.append("%s: refers to %s, which a clone does not have" % (where, m.group(0)))
            for m in NOTES.finditer(line):
                if m.group(0) not in names:
                    found.append("%s: refers to %s, a note the repository does not have"
                                 % (where, m.group(0)))
            for m in ABSOLUTE.finditer(line):
                if m.group(1) in outside:
                    rest = re.match(r'[^\s"\'`),;]*', line[m.end(1):]).group(0)
                    found.append("%s: absolute path outside the repository and the system: /%s%s"
                                 % (where, m.group(1), rest))
            for m in RELATIVE.finditer(line):
                up = m.group(1).count("../")
                target = os.path.normpath(os.path.join(os.path.dirname(path), "../" * up))
                # a path in a command runs from some directory of the
                # repository: only a climb to a name the repository does
                # not have at its top is a way out of it
                if os.path.relpath(target, root).startswith("..") and m.group(2) not in top:
                    found.append("%s: %s%s climbs above the repository" % (where, m.group(1), m.group(2)))
    return found


# -- layers
LAYERS = ["client", "fdw", "sync"]           # each may include only those before it
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def pkg_cflags():
    try:
        out = subprocess.run(["pkg-config", "--cflags", "libcurl", "jansson"],
                             capture_output=True, text=True, check=True)
        return out.stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return []


def pg_server_dir():
    try:
        out = subprocess.run(["pg_config", "--includedir-server"], capture_output=True,
                             text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return INCLUDE.findall(f.read())


def layer_problems(src, pg_dir):
    found = []
    client = os.path.join(src, "client")
    cc = os.environ.get("CC", "cc")
    flags = ["-std=gnu11", "-fsyntax-only", "-Wall", "-Wextra", "-Wno-unused-parameter",
             "-Werror", "-I", client] + pkg_cflags()
    for c in sorted(glob.glob(os.path.join(client, "*.c"))):
        r = subprocess.run([cc] + flags + [c], capture_output=True, text=True)
        if r.returncode != 0:
            first = (r.stderr.strip().splitlines() or ["(no message)"])[0]
            found.append("%s: does not compile without PostgreSQL: %s" % (os.path.relpath(c, src), first))
    for path in sorted(glob.glob(os.path.join(client, "*.[ch]"))):
        rel = os.path.relpath(path, src)
        for kind, name in includes(path):
            if pg_dir and os.path.isfile(os.path.join(pg_dir, name)):
                found.append("%s: includes PostgreSQL's %s" % (rel, name))
            elif kind == '"' and not os.path.isfile(os.path.join(client, name)):
                found.append("%s: includes %s, which is not a header of src/client" % (rel, name))
    files = [(layer, p) for layer in LAYERS
             for p in sorted(glob.glob(os.path.join(src, layer, "*.[ch]")))]
    top = os.path.join(os.path.dirname(os.path.abspath(src)), "zendesk_fdw.c")
    if os.path.isfile(top):
        files.append(("fdw", top))           # the entry points sit on top of fdw/
    for layer, path in files:
        rel = os.path.relpath(path, src)
        rank = LAYERS.index(layer)
        for kind, name in includes(path):
            if kind != '"':
                continue
            if "/" in name:
                other = name.split("/", 1)[0]
                if other in LAYERS and LAYERS.index(other) > rank:
                    found.append("%s: %s includes %s, a layer below it" % (rel, layer, name))
                elif other in LAYERS and not os.path.isfile(os.path.join(src, name)):
                    found.append("%s: includes %s, which does not exist" % (rel, name))
            elif path != top and not os.path.isfile(os.path.join(os.path.dirname(path), name)) \
                    and not (pg_dir and os.path.isfile(os.path.join(pg_dir, name))):
                found.append("%s: includes %s without its layer's name" % (rel, name))
    return found


# -- meta
REQUIRED = ("name", "abstract", "version", "maintainer", "license", "provides", "meta-spec")
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+)?$")


def semver(sql_version):
    parts = sql_version.split(".")
    return ".".join(parts + ["0"] * (3 - len(parts)))


def meta_problems(root):
    found = []
    try:
        with open(os.path.join(root, "META.json"), encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        return ["META.json: %s" % e]
    for key in REQUIRED:
        if key not in meta:
            found.append("META.json: no %r (the Meta Spec requires it)" % key)
    spec = meta.get("meta-spec", {})
    if spec.get("version") != "1.0.0":
        found.append("META.json: meta-spec version is %r, not 1.0.0" % spec.get("version"))
    with open(os.path.join(root, "zendesk_fdw.control"), encoding="utf-8") as f:
        control = f.read()
    m = re.search(r"^default_version\s*=\s*'([^']+)'", control, re.M)
    if not m:
        return found + ["zendesk_fdw.control: no default_version"]
    version = semver(m.group(1))
    if meta.get("version") != version:
        found.append("META.json: version %r, the control file's default_version is %r (%s)"
                     % (meta.get("version"), m.group(1), version))
    provided = meta.get("provides", {}).get(meta.get("name", ""), {})
    if not provided:
        found.append("META.json: provides has no entry for %r" % meta.get("name"))
    elif provided.get("version") != version:
        found.append("META.json: provides version %r, the control file says %r"
                     % (provided.get("version"), version))
    for name, entry in meta.get("provides", {}).items():
        if "file" in entry and not os.path.isfile(os.path.join(root, entry["file"])):
            found.append("META.json: provides %s file %s does not exist" % (name, entry["file"]))
        if not SEMVER.match(entry.get("version", "")):
            found.append("META.json: provides %s version %r is not SemVer" % (name, entry.get("version")))
    if not SEMVER.match(meta.get("version", "")):
        found.append("META.json: version %r is not SemVer" % meta.get("version"))
    requires = {}
    for phase in meta.get("prereqs", {}).values():
        requires.update(phase.get("requires", {}))
    for dep in ("PostgreSQL", "libcurl", "jansson"):
        if dep not in requires:
            found.append("META.json: prereqs do not require %s" % dep)
    if meta.get("license") != "postgresql":
        found.append("META.json: license %r, the LICENSE file is the PostgreSQL Licence" % meta.get("license"))
    try:
        with open(os.path.join(root, "LICENSE"), encoding="utf-8") as f:
            if "PostgreSQL License" not in f.read():
                found.append("LICENSE: not the PostgreSQL Licence")
    except OSError:
        found.append("LICENSE: missing")
    try:
        with open(os.path.join(root, "CHANGELOG.md"), encoding="utf-8") as f:
            changelog = f.read()
    except OSError:
        return found + ["CHANGELOG.md: missing"]
    versions = set()
    for path in glob.glob(os.path.join(root, "zendesk_fdw--*.sql")):
        versions.update(re.findall(r"--(\d+(?:\.\d+)*)", os.path.basename(path)))
    for v in sorted(versions):
        if not re.search(r"^## %s\b" % re.escape(v), changelog, re.M):
            found.append("CHANGELOG.md: no section for version %s" % v)
    if not re.search(r"^## %s\b" % re.escape(m.group(1)), changelog, re.M):
        found.append("CHANGELOG.md: no section for the control file's version %s" % m.group(1))
    return found



def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    args = sys.argv[2:]
    if kind == "standalone":
        found = standalone_problems(args[0] if args else REPO)
    elif kind == "layers":
        pg_dir = args[1] if len(args) > 1 else pg_server_dir()
        found = layer_problems(args[0] if args else os.path.join(REPO, "src"), pg_dir)
        if not pg_dir:
            found.append("PostgreSQL's server include directory is unknown (pg_config --includedir-server)")
    elif kind == "meta":
        found = meta_problems(args[0] if args else REPO)
    else:
        sys.exit(__doc__)
    for line in found:
        print(line)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
