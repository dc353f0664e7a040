"""tests/fuzz/make-seeds.py -- the seed corpora of the fuzz targets.

    /usr/bin/python3 make-seeds.py OUTDIR [SIM_URL]

Writes OUTDIR/<target>/<sha1> files, one input each, in the input format of
each target (see the fuzz_*.c headers), from these sources:

- go-zendesk's recorded responses, tests/fixtures/go-zendesk-mit (MIT
  licence; tests/fixtures/README.md): objects, lists, field lists, search
  results, audits, with record arrays cut to a few records;
- a simulator started in this process (sim/zendesk_sim on 127.0.0.1, a free
  port, URLs as https://example.zendesk.com): export page chains of every
  resource, cursor and time-based, with several page sizes, filters and
  includes (consecutive pages three at a time for the export target),
  lookups, show_many, counts, field lists, CBP and OBP list pages, search
  export pages, OAuth token answers, the rate-limit headers of each of the
  three header generations, the error bodies of bad credentials, bad
  parameters, missing records, too-recent start times, invalid cursors and
  pagination depth, and the bodies and headers of its faults (429s with
  Retry-After, 5xx, HTML, truncated and corrupt JSON, stalled and ghost
  pages);
- the simulator at SIM_URL as well, when given (the suite's): the same
  export chains, lookups, errors and faults on its account (the faults
  added there are removed at the end);
- forms written by hand that the sources lack.

zenpy's recordings (tests/fixtures/zenpy-gpl3) are not used: they are under
the GPL, and the corpora are built output, which never contains them.

No page seed may carry an after_cursor of 48 bytes or more: the positive
control of tests/fuzz/run.sh (fuzz_page.c) overflows on one, and the fuzzer
has to make it.  The script fails if one would be written.

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
SIM_SRC = os.path.join(ROOT, "sim")
MAX_RECORDS = 3
MAX_CURSOR = 47             # fuzz_page.c's planted bug overflows on 48 bytes
ISO_RE = re.compile(r'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))"')
EMAIL, API_TOKEN = "admin@example.com", "sim-api-token"
AGENT_EMAIL, AGENT_TOKEN = "agent@example.com", "sim-agent-token"
CLIENT_ID, CLIENT_SECRET = "zendesk_fdw_sim", "sim-client-secret"
REFRESH_TOKEN = "sim-refresh-token"
# Mon, 23 Nov 2026 19:40:44 GMT: fuzz_ratelimit.c's "now"; the in-process
# simulator's clock starts an hour before, so its dates surround it
FUZZ_NOW = 1795462844


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
    for part in data.split(b"\f"):
        text = part.decode("utf-8", "replace")
        start = text.find("{")
        try:
            page = json.loads(text[start:]) if start >= 0 else None
        except ValueError:
            continue
        cursor = page.get("after_cursor") if isinstance(page, dict) else None
        if isinstance(cursor, str) and len(cursor.encode()) > MAX_CURSOR:
            sys.exit("make-seeds: a page seed with a %d-byte after_cursor; the positive "
                     "control (fuzz_page.c) must have to make one" % len(cursor.encode()))


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
        text = open(path, encoding="utf-8").read()
        try:
            text = dumps(json.loads(text))
        except ValueError:
            pass
        corpus.add("lookup", text)
        add_times(corpus, text)


class Sim:
    """A simulator over HTTP.  url: where to connect; host: the Host header
    to send (the simulator builds its URLs from it); base: the base URL its
    answers then use."""

    def __init__(self, url, host=None, base=None):
        self.url = url.rstrip("/")
        self.host = host
        self.base = (base or url).rstrip("/")
        token = base64.b64encode(("%s/token:%s" % (EMAIL, API_TOKEN)).encode()).decode()
        self.auth = "Basic " + token
        self.paths = []                 # every API request made, for the url target

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

    def fault(self, spec):
        self.request("/_sim/faults", "POST", spec, auth=False)

    def switch(self, name, value):
        self.request("/_sim/switches", "POST", {name: value}, auth=False)


@contextlib.contextmanager
def in_process_simulator():
    """A simulator in this process (threads), as tests/sim/simcase.py starts one.

    Its limits are Zendesk's for a large plan with the High Volume add-on,
    but for the incremental exports' 30 a minute, which the chains below
    would exceed (no header shows that limit); its URLs are https ones on
    example.zendesk.com, as a real account's would be (the listener speaks
    plain HTTP on loopback; only the URLs it writes say https)."""
    sys.path.insert(0, SIM_SRC)
    from zendesk_sim.account import Account
    from zendesk_sim.auth import Authenticator
    from zendesk_sim.clock import Clock
    from zendesk_sim.server import Listener, Simulator, make_handler
    from zendesk_sim.switches import Switches

    account = Account(seed=1, tickets=300, clock=Clock(FUZZ_NOW - 3600))
    auth = Authenticator(EMAIL, API_TOKEN, CLIENT_ID, CLIENT_SECRET, 1800,
                         agent_email=AGENT_EMAIL, agent_api_token=AGENT_TOKEN,
                         refresh_token=REFRESH_TOKEN)
    sim = Simulator(account, auth, export_limit=100000, account_limit=2500, switches=Switches(),
                    users_cursor_limit=60, tickets_index_limit=300, search_export_limit=100,
                    sample_limit=10)
    server = Listener(("127.0.0.1", 0), make_handler(sim, "https"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Sim("http://127.0.0.1:%d" % server.server_address[1],
                  host="example.zendesk.com", base="https://example.zendesk.com")
    finally:
        sim.close()
        server.shutdown()
        server.server_close()


def add_headers(corpus, headers):
    for name, value in headers.items():
        low = name.lower()
        if "rate" in low or low == "retry-after":
            corpus.add("ratelimit", value)
        if low == "date":
            corpus.add("time", value)
            corpus.add("ratelimit", value)


def follow(corpus, sim, path, pages=3):
    """GET path and up to pages-1 next pages; each page is a page seed (the
    headers of the first two only: the rest differ by a count).  Returns the
    shrunk pages, in order."""
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
    return out


def from_simulator(corpus, sim):
    exports = {
        "tickets": "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=3"
                   "&exclude_deleted=true&support_type_scope=all",
        "users": "/api/v2/incremental/users/cursor.json?start_time=0&per_page=3",
        "organizations": "/api/v2/incremental/organizations.json?start_time=0&per_page=2",
        "ticket_events": "/api/v2/incremental/ticket_events.json?start_time=0&per_page=3"
                         "&include=comment_events&support_type_scope=all",
    }
    for resource, path in exports.items():
        pages = follow(corpus, sim, path)
        if pages:
            per_page = re.search(r"per_page=(\d+)", path).group(1)
            corpus.add("export", "%s\n%s 0 %s 0\n%s" % (sim.base, resource, per_page, "\f".join(pages)))

    for path in ("/api/v2/tickets/1.json", "/api/v2/tickets/show_many.json?ids=1,2,3",
                 "/api/v2/users/1.json", "/api/v2/users/show_many.json?ids=1,2",
                 "/api/v2/organizations/1.json", "/api/v2/organizations/show_many.json?ids=1,2",
                 "/api/v2/tickets/count.json", "/api/v2/users/count.json",
                 "/api/v2/organizations/count.json", "/api/v2/ticket_fields.json",
                 "/api/v2/user_fields.json", "/api/v2/organization_fields.json",
                 "/api/v2/users/me.json", "/api/v2/tickets.json?page[size]=2",
                 "/api/v2/tickets/999999999.json"):
        status, headers, body = sim.request(path)
        add_headers(corpus, headers)
        corpus.add("lookup" if status == 200 else "error", body)
        add_times(corpus, body.decode("utf-8", "replace"))

    # error bodies: credentials, permissions, bad parameters, OAuth
    bad = "Basic " + base64.b64encode(("%s/token:wrong-token" % EMAIL).encode()).decode()
    agent = "Basic " + base64.b64encode(("%s/token:%s" % (AGENT_EMAIL, AGENT_TOKEN)).encode()).decode()
    for path, auth in (("/api/v2/tickets/count.json", bad),
                       ("/api/v2/incremental/tickets/cursor.json?start_time=0", agent),
                       ("/api/v2/incremental/tickets/cursor.json?start_time=0", False),
                       ("/api/v2/incremental/tickets/cursor.json?start_time=99999999999", True),
                       ("/api/v2/incremental/tickets/cursor.json?cursor=bogus", True),
                       ("/api/v2/tickets.json?page[size]=5000", True),
                       ("/api/v2/no_such_thing.json", True)):
        status, headers, body = sim.request(path, auth=auth)
        corpus.add("error", body)
    for form in ({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                  "client_secret": CLIENT_SECRET, "scope": "read"},
                 {"grant_type": "client_credentials", "client_id": CLIENT_ID,
                  "client_secret": "not-the-secret", "scope": "read"},
                 {"grant_type": "refresh_token", "refresh_token": "no-such-token"}):
        status, headers, body = sim.request("/oauth/tokens", "POST", form, auth=False)
        corpus.add("error", body)

    # faults: each hits the next request of the count endpoint or the export
    count = "/api/v2/tickets/count.json"
    export = "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=2"
    for spec, path in (({"path": count, "kind": "rate_limit", "retry_after": 7, "count": 1}, count),
                       ({"path": count, "kind": "account_rate_limit", "count": 1}, count),
                       ({"path": count, "kind": "server_error", "retry_after": 3, "count": 1}, count),
                       ({"path": count, "kind": "gateway_timeout", "count": 1}, count),
                       ({"path": count, "kind": "html", "count": 1}, count),
                       ({"path": "/api/v2/incremental", "kind": "invalid_cursor", "count": 1}, export),
                       ({"path": "/api/v2/incremental", "kind": "truncate", "count": 1}, export),
                       ({"path": "/api/v2/incremental", "kind": "corrupt", "count": 1}, export),
                       ({"path": "/api/v2/incremental", "kind": "stall", "count": 1}, export),
                       ({"path": "/api/v2/incremental", "kind": "ghost_page", "count": 1}, export)):
        sim.fault(spec)
        status, headers, body = sim.request(path)
        add_headers(corpus, headers)
        corpus.add("error" if status != 200 else "page", body)
        if status == 200 and path == export:
            corpus.add("export", "%s\ntickets 0 2 0\n%s" % (sim.base, body.decode("utf-8", "replace")))
    sim.request("/_sim/faults", "DELETE", auth=False)


def from_simulator_variety(corpus, sim):
    """What recordings used to give, from the in-process simulator: long
    per_page=1 chains (as zenpy's recorded ones), time-based exports, every
    list and lookup form, and the three generations of rate-limit headers.
    It sets switches, so it runs only on a simulator of its own."""
    def truth(name):
        return json.loads(sim.request("/_sim/" + name, auth=False)[2])
    ticket_ids = [t["id"] for t in truth("tickets")]
    meta = truth("ticket_meta")
    user_ids = [u["id"] for u in truth("users")]
    org_ids = [o["id"] for o in truth("organizations")]

    # chains: (resource, path, pages, include_deleted field of the export seed)
    chains = [
        ("tickets", "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=1", 60, 1),
        ("users", "/api/v2/incremental/users/cursor.json?start_time=0&per_page=1", 40, 0),
        ("tickets", "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=7", 6, 1),
        ("tickets", "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=5"
                    "&exclude_deleted=true", 6, 0),
        ("users", "/api/v2/incremental/users/cursor.json?start_time=0&per_page=4", 6, 0),
        ("organizations", "/api/v2/incremental/organizations.json?start_time=0&per_page=1", 6, 0),
        ("ticket_events", "/api/v2/incremental/ticket_events.json?start_time=0&per_page=1", 12, 0),
        ("ticket_events", "/api/v2/incremental/ticket_events.json?start_time=0&per_page=2"
                          "&include=comment_events", 6, 2),
    ]
    for resource, path, n, flag in chains:
        pages = follow(corpus, sim, path, pages=n)
        per_page = re.search(r"per_page=(\d+)", path).group(1)
        for i in range(0, len(pages), 3):
            corpus.add("export", "%s\n%s 0 %s %d\n%s"
                       % (sim.base, resource, per_page, flag, "\f".join(pages[i:i + 3])))
    # pages the export target does not read but a page may look like: the
    # time-based ticket and user exports (same-second pages), metric events,
    # the sample endpoints, the cursor exports' last pages
    recent = FUZZ_NOW - 3600 - 600
    for path, n in (("/api/v2/incremental/tickets.json?start_time=0&per_page=1", 30),
                    ("/api/v2/incremental/users.json?start_time=0&per_page=1", 30),
                    ("/api/v2/incremental/tickets.json?start_time=0&per_page=1000", 1),
                    ("/api/v2/incremental/ticket_metric_events.json?start_time=0&per_page=2", 3),
                    ("/api/v2/incremental/tickets/sample.json?start_time=0", 1),
                    ("/api/v2/incremental/users/sample.json?start_time=0", 1),
                    ("/api/v2/incremental/organizations/sample.json?start_time=0", 1),
                    ("/api/v2/incremental/ticket_events/sample.json?start_time=0", 1),
                    ("/api/v2/incremental/tickets/cursor.json?start_time=%d" % recent, 2),
                    ("/api/v2/incremental/users/cursor.json?start_time=%d" % recent, 2)):
        follow(corpus, sim, path, pages=n)

    # lookups: deleted, scrubbed, archived and plain tickets; users; organizations
    hidden = {}
    for m in meta:
        for flag in ("deleted", "scrubbed", "archived"):
            if m.get(flag) and flag not in hidden:
                hidden[flag] = m["id"]
    paths = ["/api/v2/tickets/%d.json" % i for i in ticket_ids[:12] + list(hidden.values())]
    paths += ["/api/v2/users/%d.json" % i for i in user_ids[:8]]
    paths += ["/api/v2/organizations/%d.json" % i for i in org_ids[:4]]
    paths += ["/api/v2/tickets/show_many.json?ids=" + ",".join(str(i) for i in ticket_ids[:n])
              for n in (1, 4, 100)]
    paths += ["/api/v2/users/show_many.json?ids=" + ",".join(str(i) for i in user_ids[:n]) for n in (1, 5)]
    paths += ["/api/v2/organizations/show_many.json?ids=%d,%d,999" % (org_ids[0], org_ids[-1])]
    fields = json.loads(sim.request("/api/v2/ticket_fields.json")[2])["ticket_fields"]
    paths += ["/api/v2/ticket_fields/%d.json" % f["id"] for f in fields]
    for name in ("user_fields", "organization_fields"):
        listed = json.loads(sim.request("/api/v2/%s.json" % name)[2])[name]
        paths += ["/api/v2/%s/%d.json" % (name, f["id"]) for f in listed[:2]]
    paths += ["/api/v2/ticket_fields.json?page[size]=5", "/api/v2/tickets.json",
              "/api/v2/tickets.json?page=2&per_page=3", "/api/v2/users.json?page[size]=3",
              "/api/v2/organizations.json?per_page=2", "/api/v2/users/me"]
    for path in paths:
        status, headers, body = sim.request(path)
        add_headers(corpus, headers)
        text = dumps(json.loads(body)) if status == 200 else body.decode("utf-8", "replace")
        corpus.add("lookup" if status == 200 else "error", text)
        add_times(corpus, text)
    # CBP chains of the lists and the search export: each page a lookup seed
    for path in ("/api/v2/tickets.json?page[size]=2", "/api/v2/users.json?page[size]=2",
                 "/api/v2/organizations.json?page[size]=1",
                 "/api/v2/search/export.json?query=%s&filter[type]=ticket&page[size]=2"
                 % urllib.parse.quote("status:open"),
                 "/api/v2/search/export.json?query=%s&filter[type]=user&page[size]=2"
                 % urllib.parse.quote("role:end-user"),
                 "/api/v2/search/export.json?query=%s&filter[type]=organization&page[size]=1"
                 % urllib.parse.quote("created_at>2000-01-01")):
        url = path
        for _ in range(5):
            status, headers, body = sim.request(url)
            add_headers(corpus, headers)
            if status != 200:
                corpus.add("error", body)
                break
            page = json.loads(body)
            corpus.add("lookup", dumps(page))
            add_times(corpus, dumps(page))
            url = (page.get("links") or {}).get("next")
            if url:
                corpus.add("url", "%s\n%s" % (sim.base, url))
            if not (page.get("meta") or {}).get("has_more") or not url:
                break
    # number-valued custom fields (switch number_values); Bearer and anonymous /users/me
    sim.switch("number_values", "number")
    for path in ("/api/v2/tickets/show_many.json?ids=" + ",".join(str(i) for i in ticket_ids[:3]),
                 "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=2"):
        status, headers, body = sim.request(path)
        corpus.add("lookup" if "show_many" in path else "page", dumps(json.loads(body)))
    sim.switch("number_values", "string")
    status, _, body = sim.request("/oauth/tokens", "POST",
                                  {"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                   "client_secret": CLIENT_SECRET, "scope": "read"}, auth=False)
    token = json.loads(body).get("access_token") if status == 200 else None
    for auth in ("Bearer %s" % token, "Bearer not-a-token", False):
        status, headers, body = sim.request("/api/v2/users/me.json", auth=auth)
        corpus.add("lookup" if status == 200 else "error", body)
    status, _, body = sim.request("/oauth/tokens", "POST",
                                  {"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN,
                                   "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, auth=False)
    corpus.add("error", body)      # a token answer: fuzz_error reads those too

    # errors the first pass lacks, and the switches' variants of them
    errors = ["/api/v2/tickets/show_many.json?ids=" + ",".join(str(i) for i in range(1, 102)),
              "/api/v2/tickets.json?page=101&per_page=100", "/api/v2/users/999999999.json",
              "/api/v2/organizations/999999999.json", "/api/v2/ticket_fields/999999999.json",
              "/api/v2/incremental/organizations.json?start_time=99999999999",
              "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=5000",
              "/api/v2/search/export.json?query=x", "/api/v2/incremental/tickets/cursor.json"]
    for path in errors:
        status, headers, body = sim.request(path)
        corpus.add("error", body)
    for name, values, path in (
            ("too_recent", ("400", "422"),
             "/api/v2/incremental/users/cursor.json?start_time=%d" % (FUZZ_NOW + 60)),
            ("invalid_cursor_error", ("errors", "legacy"),
             "/api/v2/incremental/users/cursor.json?cursor=bm9wZQ=="),
            ("me_unauthenticated", ("401", "anonymous"), "/api/v2/users/me.json")):
        for value in values:
            sim.switch(name, value)
            status, headers, body = sim.request(path, auth=name != "me_unauthenticated")
            corpus.add("error" if status != 200 else "lookup", body)
    for spec in ({"kind": "status", "status": 409, "body": {"error": "Conflict"}},
                 {"kind": "status", "status": 400, "body": "Bad request", "content_type": "text/plain"},
                 {"kind": "status", "status": 403, "body": {"error": {
                     "title": "Forbidden", "message": "You do not have access to this page."}}},
                 {"kind": "status", "status": 403, "body": {
                     "error": "Forbidden",
                     "description": "You are missing the following required scopes: read"}},
                 {"kind": "server_error", "status": 500},
                 {"kind": "server_error", "status": 502},
                 {"kind": "rate_limit", "retry_after": 59},
                 {"kind": "account_rate_limit", "retry_after": 1}):
        sim.fault(dict(spec, path="/api/v2/tickets/count.json", count=1))
        status, headers, body = sim.request("/api/v2/tickets/count.json")
        add_headers(corpus, headers)
        corpus.add("error", body)
    sim.request("/_sim/faults", "DELETE", auth=False)

    # the three generations of rate-limit header names, on an export and
    # on the endpoints with headers of their own (tickets index, users cursor)
    for era in ("2023", "x-only", "2024"):
        sim.switch("rate_headers", era)
        for path in ("/api/v2/incremental/users/cursor.json?start_time=0&per_page=1",
                     "/api/v2/tickets.json?page[size]=1", "/api/v2/tickets/count.json"):
            status, headers, body = sim.request(path)
            add_headers(corpus, headers)

    # every request made is a (base, request URL) pair of the url target
    for path in sim.paths:
        corpus.add("url", "%s\n%s%s" % (sim.base, sim.base, path))


def by_hand(corpus):
    """Forms the sources lack: offsets, fractions, dates, odd bases."""
    for t in ("2023-09-18T15:57:42Z", "2023-09-18T15:57:42+02:00", "2023-09-18 15:57:42-05:30",
              "2023-09-18T15:57:42.123456Z", "2016-12-31T23:59:60Z", "Wed, 21 Oct 2015 07:28:00 GMT",
              "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"):
        corpus.add("time", t)
    for v in ("0", "  10 ", "120", "Wed, 21 Oct 2015 07:28:00 GMT", "Mon, 23 Nov 2026 19:41:44 GMT",
              "9223372036854775807", "total=100; remaining=99; resets=30"):
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
    with in_process_simulator() as sim:
        from_simulator(corpus, sim)
        from_simulator_variety(corpus, sim)
    if len(sys.argv) > 2:
        from_simulator(corpus, Sim(sys.argv[2]))
    by_hand(corpus)
    print("seeds: " + ", ".join("%s %d" % kv for kv in sorted(corpus.counts.items())))


if __name__ == "__main__":
    main()
