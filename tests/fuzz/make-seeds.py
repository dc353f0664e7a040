"""tests/fuzz/make-seeds.py -- the seed corpora of the fuzz targets.

    /usr/bin/python3 make-seeds.py OUTDIR [SIM_URL]

Writes OUTDIR/<target>/<sha1> files, one input each, in the input format of
each target (see the fuzz_*.c headers), from three sources:

- go-zendesk's recorded Zendesk responses, tests/fixtures/go-zendesk-mit
  (MIT licence, tests/fixtures/README.md): objects, lists, field lists,
  search results, audits, with record arrays cut to a few records;
- a simulator: the one at SIM_URL when given, otherwise one this script
  starts in its own process (sim/zendesk_sim, on 127.0.0.1 and a free port;
  its answers name https://example.zendesk.com, as a real account's would),
  so that no simulator has to be running.  From it: export page chains of
  every resource, cursor- and time-based, with several page sizes and
  filters (consecutive pages three at a time for the export target), the
  sample endpoints, lookups, show_many, counts, field lists, CBP and OBP list
  pages, search export pages, OAuth token answers, the rate-limit headers of
  each of the three header-name generations, the error bodies of bad
  credentials, missing permissions, bad parameters, missing records,
  too-recent start times (both shapes), invalid cursors (both shapes),
  oversized pages and the offset-pagination depth limit, and the bodies and
  headers of its faults (429s with Retry-After, 5xx, HTML, truncated and
  corrupt JSON, stalled and ghost pages).  On a simulator at SIM_URL the
  faults, switches and limits set here are put back as they were;
- forms written by hand that the sources lack.

zenpy's recordings (tests/fixtures/zenpy-gpl3) are not read: they are under
the GPL, and recordings from a GPL-licensed project stay in their own folder;
the corpora are built output, and nothing built contains them.

No page or export seed may carry an after_cursor of 48 bytes or more: the
positive control of tests/fuzz/run.sh (fuzz_page.c built with its planted
bug) overflows on one, and the fuzzer has to make it, not find it in the
seeds.  The script fails if such a seed would be written.

The corpora are generated, never committed (tests/fuzz/.gitignore).
"""

import base64
import contextlib
import glob
import hashlib
import json
import os
import re
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "go-zendesk-mit")
SIM_SOURCE = os.path.join(ROOT, "sim")
MAX_RECORDS = 3
MAX_CURSOR = 47             # fuzz_page.c's planted bug overflows on 48 bytes
ISO_RE = re.compile(r'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))"')
# the credentials of the simulator's command line (sim/README.md)
EMAIL, API_TOKEN = "admin@example.com", "sim-api-token"
AGENT_EMAIL, AGENT_TOKEN = "agent@example.com", "sim-agent-token"
CLIENT_ID, CLIENT_SECRET = "zendesk_fdw_sim", "sim-client-secret"
REFRESH_TOKEN = "sim-refresh-token"
# fuzz_ratelimit.c's fixed "now" (Mon, 23 Nov 2026 19:40:44 GMT); the
# in-process simulator's clock starts an hour before it
FUZZ_NOW = 1795462844
IN_PROCESS_BASE = "https://example.zendesk.com"


class Corpus:
    def __init__(self, outdir):
        self.outdir = outdir
        self.counts = {}

    def add(self, target, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        if target in ("page", "export"):
            check_cursors(data)
        d = os.path.join(self.outdir, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        path = os.path.join(d, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.counts[target] = self.counts.get(target, 0) + 1


def check_cursors(data):
    """Refuse a page seed whose after_cursor would trip the planted bug."""
    for cursor in re.findall(rb'"after_cursor"\s*:\s*"((?:[^"\\]|\\.)*)"', data):
        if len(cursor) > MAX_CURSOR:
            sys.exit("make-seeds: a page seed with a %d-byte after_cursor; the positive control "
                     "(fuzz_page.c) must have to make one itself" % len(cursor))


def shrink(body):
    """The body with every top-level array cut to MAX_RECORDS elements."""
    if isinstance(body, dict):
        return {k: (v[:MAX_RECORDS] if isinstance(v, list) else v) for k, v in body.items()}
    return body


def dumps(body):
    return json.dumps(shrink(body), ensure_ascii=False)


def add_times(corpus, text):
    for m in set(ISO_RE.findall(text)):
        corpus.add("time", m)


def from_fixtures(corpus):
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*.json"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            text = dumps(json.loads(text))
        except ValueError:
            pass
        corpus.add("lookup", text)
        add_times(corpus, text)


class Sim:
    """A simulator over HTTP.  url: where to connect; host: the Host header
    to send (the simulator builds its URLs from it); base: the base URL its
    answers then name; own: started by this script (its state may be used
    up: the seeded refresh token, say)."""

    def __init__(self, url, host=None, base=None, own=False):
        self.url = url.rstrip("/")
        self.host = host
        self.base = (base or url).rstrip("/")
        self.own = own
        token = base64.b64encode(("%s/token:%s" % (EMAIL, API_TOKEN)).encode()).decode()
        self.auth = "Basic " + token
        self.paths = []                 # the API paths requested, for the url target

    def request(self, path, method="GET", body=None, auth=True, headers=None):
        if path.startswith(self.base):
            path = path[len(self.base):]
        url = path if path.startswith("http") else self.url + path
        if not path.startswith("/_sim/"):
            self.paths.append(path)
        req = urllib.request.Request(url, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        if self.host:
            req.add_header("Host", self.host)
        if auth is True:
            req.add_header("Authorization", self.auth)
        elif auth:
            req.add_header("Authorization", auth)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()
        except (urllib.error.URLError, ConnectionError, OSError):
            return None, {}, b""

    def control(self, path, method="GET", body=None):
        status, _, data = self.request(path, method, body, auth=False)
        if status != 200:
            sys.exit("make-seeds: the simulator's %s %s answered %s" % (method, path, status))
        return json.loads(data) if data else None

    def fault(self, spec):
        self.control("/_sim/faults", "POST", spec)

    def switch(self, name, value):
        self.control("/_sim/switches", "POST", {name: value})


@contextlib.contextmanager
def in_process_simulator():
    """A simulator in this process, started as tests/sim/simcase.py starts one:
    threads, 127.0.0.1, a free port.  Its limits are high enough that the
    requests below never run into them (the 429s come from faults); its
    answers name https://example.zendesk.com (the listener speaks plain HTTP
    on loopback; only the URLs it writes say https)."""
    sys.path.insert(0, SIM_SOURCE)
    from zendesk_sim.account import Account
    from zendesk_sim.auth import Authenticator
    from zendesk_sim.clock import Clock
    from zendesk_sim.server import Listener, Simulator, make_handler
    from zendesk_sim.switches import Switches

    account = Account(seed=1, tickets=300, clock=Clock(FUZZ_NOW - 3600))
    auth = Authenticator(EMAIL, API_TOKEN, CLIENT_ID, CLIENT_SECRET, 1800,
                         agent_email=AGENT_EMAIL, agent_api_token=AGENT_TOKEN,
                         refresh_token=REFRESH_TOKEN)
    sim = Simulator(account, auth, export_limit=100000, account_limit=100000,
                    switches=Switches(), users_cursor_limit=100000, sample_limit=100000,
                    tickets_index_limit=100000, search_export_limit=100000)
    server = Listener(("127.0.0.1", 0), make_handler(sim, "https"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Sim("http://127.0.0.1:%d" % server.server_address[1],
                  host=urllib.parse.urlsplit(IN_PROCESS_BASE).netloc, base=IN_PROCESS_BASE,
                  own=True)
    finally:
        sim.close()
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def borrowed(sim):
    """A simulator someone else runs: raise its limits for the seeding, and
    put its limits, switches and faults back afterwards."""
    limits = sim.control("/_sim/limits")
    switches = sim.control("/_sim/switches")
    sim.control("/_sim/limits", "POST", {name: {"limit": 100000} for name in limits})
    try:
        yield sim
    finally:
        sim.control("/_sim/faults", "DELETE")
        sim.control("/_sim/switches", "POST",
                    {name: entry["value"] for name, entry in switches.items()})
        sim.control("/_sim/limits", "POST",
                    {name: {"limit": state["limit"], "window": state["window"]}
                     for name, state in limits.items()})


def add_headers(corpus, headers):
    for name, value in headers.items():
        low = name.lower()
        if "rate" in low or low == "retry-after":
            corpus.add("ratelimit", value)
        if low == "date":
            corpus.add("time", value)
            corpus.add("ratelimit", value)


def add_body(corpus, status, body, cut=True):
    """A 200 answer as a lookup seed (record arrays cut to a few records
    when cut), any other as an error seed; both as sent otherwise."""
    text = body.decode("utf-8", "replace")
    add_times(corpus, text)
    if status != 200:
        corpus.add("error", body)
        return
    if cut:
        try:
            text = dumps(json.loads(text))
        except ValueError:
            pass
    corpus.add("lookup", text)


def follow(corpus, sim, path, pages=3, sticky=""):
    """GET path and up to pages-1 next pages (after_url or next_page, with the
    filters in sticky sent again, as the FDW does); each page is a page seed.
    Returns the pages, shrunk, in order."""
    out = []
    url = path
    for n in range(pages):
        status, headers, body = sim.request(url)
        if n < 2 or status != 200:
            add_headers(corpus, headers)
        if status != 200:
            corpus.add("error", body)
            break
        page = json.loads(body.decode("utf-8"))
        out.append(dumps(page))
        corpus.add("page", out[-1])
        add_times(corpus, out[-1])
        url = page.get("after_url") or page.get("next_page")
        if url:
            corpus.add("url", "%s\n%s" % (sim.base, url))
        if page.get("end_of_stream") or not url:
            break
        url += sticky
    return out


def follow_list(corpus, sim, path, pages=4):
    """A standard list (CBP: links.next while meta.has_more; OBP: next_page),
    up to pages pages, each a lookup seed."""
    url = path
    bodies = []
    for n in range(pages):
        status, headers, body = sim.request(url)
        if n == 0:
            add_headers(corpus, headers)
        add_body(corpus, status, body)
        if status != 200:
            break
        bodies.append(body.decode("utf-8"))
        page = json.loads(body.decode("utf-8"))
        if "meta" in page:
            url = page["links"]["next"] if page["meta"].get("has_more") else None
        else:
            url = page.get("next_page")
        if not url:
            break
        corpus.add("url", "%s\n%s" % (sim.base, url))
    return bodies


def add_list_chain(corpus, sim, path, bodies):
    """A list seed (fuzz_list.c): the listing's path without its paging
    parameters, its page size and result key, and the pages in order."""
    base_path, _, query = path.partition("?")
    params = urllib.parse.parse_qsl(query)
    size = next((int(v) for k, v in params if k == "page[size]"), 0)
    rest = urllib.parse.urlencode([(k, v) for k, v in params
                                   if k not in ("page[size]", "per_page", "page")])
    key = "results" if "/search/" in base_path else base_path.rsplit("/", 1)[1].split(".")[0]
    corpus.add("list", "%s\n%s %d %s\n%s" % (sim.base, base_path + ("?" + rest if rest else ""),
                                               size, key, "\f".join(bodies)))


# resource, path, per_page and the include_deleted field of the export target
# (fuzz_export.c: 0 excludes deleted tickets, 1 includes them, 2 also asks
# for comment_events), and the filters to send again with each cursor
EXPORTS = [
    ("tickets", "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=3"
                "&exclude_deleted=true&support_type_scope=all", 3, 0,
     "&exclude_deleted=true&support_type_scope=all"),
    ("tickets", "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=3", 3, 1, ""),
    ("tickets", "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=1", 1, 1, ""),
    ("users", "/api/v2/incremental/users/cursor.json?start_time=0&per_page=3", 3, 0, ""),
    ("users", "/api/v2/incremental/users/cursor.json?start_time=0&per_page=1", 1, 0, ""),
    ("organizations", "/api/v2/incremental/organizations.json?start_time=0&per_page=2", 2, 0, ""),
    ("ticket_events", "/api/v2/incremental/ticket_events.json?start_time=0&per_page=3"
                      "&include=comment_events&support_type_scope=all", 3, 2, ""),
    ("ticket_events", "/api/v2/incremental/ticket_events.json?start_time=0&per_page=3", 3, 0, ""),
]
# page seeds only: time-based exports the FDW does not chain (it reads
# tickets and users by cursor), the metric events, the sample endpoints
PAGES = [
    "/api/v2/incremental/tickets.json?start_time=0&per_page=3",
    "/api/v2/incremental/tickets.json?start_time=0&per_page=1&exclude_deleted=true",
    "/api/v2/incremental/users.json?start_time=0&per_page=3",
    "/api/v2/incremental/ticket_metric_events.json?start_time=0&per_page=3",
    "/api/v2/incremental/tickets/sample.json?start_time=0",
    "/api/v2/incremental/users/sample.json?start_time=0",
    "/api/v2/incremental/organizations/sample.json?start_time=0",
    "/api/v2/incremental/ticket_events/sample.json?start_time=0",
]
LOOKUPS = [
    "/api/v2/tickets/1.json", "/api/v2/tickets/show_many.json?ids=1,2,3",
    "/api/v2/users/1.json", "/api/v2/users/show_many.json?ids=1,2",
    "/api/v2/organizations/1.json", "/api/v2/organizations/show_many.json?ids=1,2",
    "/api/v2/tickets/count.json", "/api/v2/users/count.json",
    "/api/v2/organizations/count.json", "/api/v2/ticket_fields.json",
    "/api/v2/ticket_fields.json?page[size]=5", "/api/v2/user_fields.json",
    "/api/v2/organization_fields.json", "/api/v2/users/me.json",
    "/api/v2/tickets/999999999.json",
]
# standard lists, a few pages each (lookup seeds)
LISTS = [
    "/api/v2/tickets.json?page[size]=2", "/api/v2/tickets.json?per_page=2",
    "/api/v2/tickets.json?per_page=2&page=50", "/api/v2/users.json?page[size]=2",
    "/api/v2/users.json?per_page=3", "/api/v2/organizations.json?page[size]=2",
    "/api/v2/organizations.json?per_page=2",
    "/api/v2/search/export.json?query=status:open&filter[type]=ticket&page[size]=2",
    "/api/v2/search/export.json?query=role:end-user&filter[type]=user&page[size]=2",
    "/api/v2/search/export.json?query=created_at>2026-01-01&filter[type]=organization"
    "&page[size]=2",
]


def from_simulator(corpus, sim):
    # export chains: consecutive pages, three at a time
    for resource, path, per_page, include_deleted, sticky in EXPORTS:
        pages = follow(corpus, sim, path, pages=30, sticky=sticky)
        for i in range(0, len(pages), 3):
            corpus.add("export", "%s\n%s 0 %d %d\n%s" % (sim.base, resource, per_page,
                                                         include_deleted, "\f".join(pages[i:i + 3])))
    for path in PAGES:
        follow(corpus, sim, path, pages=2)

    # lookups, counts and whole field lists (every field type); list and
    # search pages; a ticket field by id
    for path in LOOKUPS:
        status, headers, body = sim.request(path)
        add_headers(corpus, headers)
        add_body(corpus, status, body, cut=False)
    for path in LISTS:
        add_list_chain(corpus, sim, path, follow_list(corpus, sim, path))
    status, _, body = sim.request("/api/v2/ticket_fields.json")
    if status == 200:
        first = json.loads(body)["ticket_fields"][0]["id"]
        status, _, body = sim.request("/api/v2/ticket_fields/%d.json" % first)
        add_body(corpus, status, body)

    # the rate-limit headers of each generation of their names
    for era in ("2023", "x-only", "2024"):
        sim.switch("rate_headers", era)
        for path in ("/api/v2/tickets/count.json", "/api/v2/tickets.json?page[size]=1",
                     "/api/v2/incremental/users/cursor.json?start_time=0&per_page=1"):
            _, headers, _ = sim.request(path)
            add_headers(corpus, headers)

    # error bodies: credentials, permissions, bad parameters, missing records
    bad = "Basic " + base64.b64encode(("%s/token:wrong-token" % EMAIL).encode()).decode()
    agent = "Basic " + base64.b64encode(("%s/token:%s" % (AGENT_EMAIL, AGENT_TOKEN)).encode()).decode()
    ids = ",".join(str(i) for i in range(1, 102))
    for path, auth in (("/api/v2/tickets/count.json", bad),
                       ("/api/v2/tickets/count.json", "Bearer no-such-token"),
                       ("/api/v2/users/me.json", bad),
                       ("/api/v2/incremental/tickets/cursor.json?start_time=0", agent),
                       ("/api/v2/incremental/tickets/cursor.json?start_time=0", False),
                       ("/api/v2/incremental/tickets/cursor.json?start_time=99999999999", True),
                       ("/api/v2/incremental/tickets/cursor.json", True),
                       ("/api/v2/incremental/tickets/cursor.json?cursor=bogus", True),
                       ("/api/v2/incremental/organizations.json?start_time=now", True),
                       ("/api/v2/tickets.json?page[size]=5000", True),
                       ("/api/v2/tickets.json?page=101&per_page=100", True),
                       ("/api/v2/tickets/show_many.json?ids=" + ids, True),
                       ("/api/v2/search/export.json?query=x", True),
                       ("/api/v2/users/999999999.json", True),
                       ("/api/v2/no_such_thing.json", True)):
        status, headers, body = sim.request(path, auth=auth)
        add_body(corpus, status, body)
    for name, value, path in (
            ("too_recent", "400", "/api/v2/incremental/tickets/cursor.json?start_time=99999999999"),
            ("invalid_cursor_error", "errors", "/api/v2/incremental/tickets/cursor.json?cursor=bogus")):
        sim.switch(name, value)
        status, _, body = sim.request(path)
        add_body(corpus, status, body)
    sim.switch("too_recent", "422")
    sim.switch("invalid_cursor_error", "legacy")

    # OAuth token answers, good and bad
    forms = [{"grant_type": "client_credentials", "client_id": CLIENT_ID,
              "client_secret": CLIENT_SECRET, "scope": "read"},
             {"grant_type": "client_credentials", "client_id": CLIENT_ID,
              "client_secret": "not-the-secret", "scope": "read"},
             {"grant_type": "refresh_token", "refresh_token": "no-such-token",
              "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
             {"grant_type": "password", "client_id": CLIENT_ID}]
    if sim.own:     # rotating the seeded refresh token spends it: only on our own simulator
        forms.append({"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN,
                      "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    for form in forms:
        status, headers, body = sim.request("/oauth/tokens", "POST", form, auth=False)
        corpus.add("error", body)
        if status == 200 and form["grant_type"] == "client_credentials":
            token = json.loads(body)["access_token"]
            status, _, body = sim.request("/api/v2/users/me.json", auth="Bearer " + token)
            add_body(corpus, status, body)

    # faults: each hits the next request of the count endpoint or the export
    count = "/api/v2/tickets/count.json"
    export = "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=2"
    incremental = "/api/v2/incremental"
    faults = [({"path": count, "kind": "rate_limit", "retry_after": 7, "count": 1}, count),
              ({"path": incremental, "kind": "rate_limit", "retry_after": 47, "count": 1}, export),
              ({"path": count, "kind": "account_rate_limit", "count": 1}, count),
              ({"path": count, "kind": "server_error", "retry_after": 3, "count": 1}, count),
              ({"path": count, "kind": "server_error", "count": 1}, count),
              ({"path": count, "kind": "gateway_timeout", "count": 1}, count),
              ({"path": count, "kind": "html", "count": 1}, count),
              ({"path": incremental, "kind": "invalid_cursor", "count": 1}, export),
              ({"path": incremental, "kind": "truncate", "count": 1}, export),
              ({"path": incremental, "kind": "corrupt", "count": 1}, export),
              ({"path": incremental, "kind": "stall", "count": 1}, export),
              ({"path": incremental, "kind": "ghost_page", "count": 1}, export)]
    # and error bodies cut short or corrupted: a refused request under a fault
    faults += [({"path": count, "kind": kind, "count": 1}, count, bad)
               for kind in ("truncate", "corrupt")]
    for spec, path, *auth in faults:
        sim.fault(spec)
        status, headers, body = sim.request(path, auth=auth[0] if auth else True)
        add_headers(corpus, headers)
        corpus.add("error" if status != 200 else "page", body)
        if status == 200 and path == export:
            corpus.add("export", "%s\ntickets 0 2 1\n%s" % (sim.base, body.decode("utf-8", "replace")))
    sim.control("/_sim/faults", "DELETE")

    # every API path requested, as a pagination URL on the base
    for path in sim.paths:
        if path.startswith("/api/"):
            corpus.add("url", "%s\n%s%s" % (sim.base, sim.base, path))


def by_hand(corpus):
    """Forms the sources lack: offsets, fractions, dates, odd bases."""
    for t in ("2023-09-18T15:57:42Z", "2023-09-18T15:57:42+02:00", "2023-09-18 15:57:42-05:30",
              "2023-09-18T15:57:42.123456Z", "2016-12-31T23:59:60Z", "Wed, 21 Oct 2015 07:28:00 GMT",
              "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"):
        corpus.add("time", t)
    for v in ("0", "  10 ", "120", "Wed, 21 Oct 2015 07:28:00 GMT", "Mon, 23 Nov 2026 19:41:44 GMT",
              "9223372036854775807", "total=100; remaining=99; resets=30",
              "total=20; remaining=0; resets=41"):
        corpus.add("ratelimit", v)
    for base in ("https://acme.zendesk.com", "http://127.0.0.1:8080/zendesk/", "http://[::1]:9000",
                 "https://acme.zendesk.com:443/sub/path"):
        corpus.add("url", "%s\n%s/api/v2/incremental/tickets/cursor.json?per_page=1000&cursor=abc"
                   % (base, base.rstrip("/")))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    corpus = Corpus(sys.argv[1])
    from_fixtures(corpus)
    if len(sys.argv) > 2:
        with borrowed(Sim(sys.argv[2])) as sim:
            from_simulator(corpus, sim)
    else:
        with in_process_simulator() as sim:
            from_simulator(corpus, sim)
    by_hand(corpus)
    print("seeds: " + ", ".join("%s %d" % kv for kv in sorted(corpus.counts.items())))


if __name__ == "__main__":
    main()
