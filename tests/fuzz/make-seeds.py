"""tests/fuzz/make-seeds.py -- the seed corpora of the fuzz targets.

    /usr/bin/python3 make-seeds.py OUTDIR [SIM_URL]

Writes OUTDIR/<target>/<sha1> files, one input each, in the input format of
each target (see the fuzz_*.c headers), from two sources:

- the recorded Zendesk responses in ../shared/fixtures (zenpy's recordings:
  export pages, lookups, rate-limit headers; go-zendesk's objects and field
  lists), with record arrays cut to a few records to keep inputs small;
- the simulator at SIM_URL, when given: export page chains of every resource,
  lookups, counts, field lists, OAuth token answers, and the error bodies and
  headers of its faults (429s with Retry-After, 5xx, HTML, invalid cursors,
  stalled and ghost pages).  The faults added are removed at the end.

The corpora are generated, never committed (tests/fuzz/.gitignore).
"""

import base64
import glob
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "fixtures"))
if not os.path.isdir(FIXTURES):
    FIXTURES = os.environ.get("ZD_FIXTURES", "/work/shared/fixtures")
MAX_RECORDS = 3
ISO_RE = re.compile(r'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))"')
RESULT_KEYS = {"tickets": "tickets", "users": "users",
               "organizations": "organizations", "ticket_events": "ticket_events"}


class Corpus:
    def __init__(self, outdir):
        self.outdir = outdir
        self.counts = {}

    def add(self, target, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        d = os.path.join(self.outdir, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        path = os.path.join(d, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.counts[target] = self.counts.get(target, 0) + 1


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
    chains = {}
    for path in sorted(glob.glob(os.path.join(FIXTURES, "zenpy", "*.json"))):
        for ia in json.load(open(path)):
            body = ia.get("body")
            text = dumps(body) if not isinstance(body, str) else body
            uri = ia.get("uri", "")
            for name, value in ia.get("headers", {}).items():
                if "rate" in name.lower() or name.lower() == "retry-after":
                    corpus.add("ratelimit", str(value))
            corpus.add("url", "https://z3n-jteitelbaum.zendesk.com\nhttps://z3n-jteitelbaum.zendesk.com" + uri)
            add_times(corpus, text)
            if ia.get("status") != 200:
                corpus.add("error", text)
                continue
            if "/incremental/" in uri:
                corpus.add("page", text)
                for key in ("after_url", "next_page"):
                    if isinstance(body, dict) and isinstance(body.get(key), str):
                        corpus.add("url", "https://z3n-jteitelbaum.zendesk.com\n" + body[key])
                m = re.search(r"/incremental/(\w+)(/cursor)?", uri)
                if m and m.group(1) in RESULT_KEYS:
                    chains.setdefault((m.group(1), bool(m.group(2))), []).append(text)
            else:
                corpus.add("lookup", text)
    # export chains: consecutive recorded pages of one stream, three at a time
    for (resource, cursor), pages in chains.items():
        if cursor != (resource in ("tickets", "users")):
            continue  # the time-based ticket export is not what the FDW reads
        for i in range(0, min(len(pages), 30), 3):
            corpus.add("export", "https://z3n-jteitelbaum.zendesk.com\n%s 0 1000 0\n%s"
                       % (resource, "\f".join(pages[i:i + 3])))
    for path in sorted(glob.glob(os.path.join(FIXTURES, "go-zendesk", "*.json"))):
        text = open(path, encoding="utf-8").read()
        try:
            text = dumps(json.loads(text))
        except ValueError:
            pass
        corpus.add("lookup", text)
        add_times(corpus, text)


class Sim:
    def __init__(self, url):
        self.url = url.rstrip("/")
        token = base64.b64encode(b"admin@example.com/token:sim-api-token").decode()
        self.auth = "Basic " + token

    def request(self, path, method="GET", body=None, auth=True, headers=None):
        url = path if path.startswith("http") else self.url + path
        req = urllib.request.Request(url, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
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


def add_headers(corpus, headers):
    for name, value in headers.items():
        low = name.lower()
        if "rate" in low or low == "retry-after":
            corpus.add("ratelimit", value)
        if low == "date":
            corpus.add("time", value)
            corpus.add("ratelimit", value)


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
        pages = []
        url = path
        for _ in range(3):
            status, headers, body = sim.request(url)
            add_headers(corpus, headers)
            if status != 200:
                break
            text = body.decode("utf-8")
            pages.append(dumps(json.loads(text)))
            corpus.add("page", pages[-1])
            add_times(corpus, text)
            page = json.loads(text)
            url = page.get("after_url") or page.get("next_page")
            if url:
                corpus.add("url", "%s\n%s" % (sim.url, url))
            if page.get("end_of_stream") or not url:
                break
        if pages:
            per_page = re.search(r"per_page=(\d+)", path).group(1)
            corpus.add("export", "%s\n%s 0 %s 0\n%s" % (sim.url, resource, per_page, "\f".join(pages)))

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
    bad = "Basic " + base64.b64encode(b"admin@example.com/token:wrong-token").decode()
    agent = "Basic " + base64.b64encode(b"agent@example.com/token:sim-agent-token").decode()
    for path, auth in (("/api/v2/tickets/count.json", bad),
                       ("/api/v2/incremental/tickets/cursor.json?start_time=0", agent),
                       ("/api/v2/incremental/tickets/cursor.json?start_time=0", False),
                       ("/api/v2/incremental/tickets/cursor.json?start_time=99999999999", True),
                       ("/api/v2/incremental/tickets/cursor.json?cursor=bogus", True),
                       ("/api/v2/tickets.json?page[size]=5000", True),
                       ("/api/v2/no_such_thing.json", True)):
        status, headers, body = sim.request(path, auth=auth)
        corpus.add("error", body)
    for form in ({"grant_type": "client_credentials", "client_id": "zendesk_fdw_sim",
                  "client_secret": "sim-client-secret", "scope": "read"},
                 {"grant_type": "client_credentials", "client_id": "zendesk_fdw_sim",
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
            corpus.add("export", "%s\ntickets 0 2 0\n%s" % (sim.url, body.decode("utf-8", "replace")))
    sim.request("/_sim/faults", "DELETE", auth=False)


def by_hand(corpus):
    """Forms the sources lack: offsets, fractions, dates, odd bases."""
    for t in ("2023-09-18T15:57:42Z", "2023-09-18T15:57:42+02:00", "2023-09-18 15:57:42-05:30",
              "2023-09-18T15:57:42.123456Z", "2016-12-31T23:59:60Z", "Wed, 21 Oct 2015 07:28:00 GMT",
              "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"):
        corpus.add("time", t)
    for v in ("0", "  10 ", "120", "Wed, 21 Oct 2015 07:28:00 GMT", "Mon, 23 Nov 2026 19:41:44 GMT",
              "9223372036854775807"):
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
        from_simulator(corpus, Sim(sys.argv[2]))
    by_hand(corpus)
    print("seeds: " + ", ".join("%s %d" % kv for kv in sorted(corpus.counts.items())))


if __name__ == "__main__":
    main()
