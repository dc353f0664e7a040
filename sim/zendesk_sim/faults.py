"""Fault injection: rules that change the answer to matching requests.

A rule (POST /_sim/faults, JSON) says which requests it hits and what they
get instead.

Which requests (all given conditions must hold):
  path          prefix of the request path ("/api/v2/incremental/tickets/cursor")
  endpoint      an endpoint family (see routes.FAMILIES) or a group: "exports"
                (every /incremental/ endpoint), "standard" (the rest of the
                API), "oauth", "any"
  method        GET, POST...
  query         a substring of the raw query string ("cursor=")
  min_per_page  only requests asking for at least this many records
                (per_page, or page[size]; an export without per_page asks 1000)
  skip          let this many matching requests through first
  nth           hit only the nth matching request (1-based): skip n-1, count 1
  every         after skip, hit one matching request in every k
  count         how many requests it hits (null: every one)
  active_after  seconds (real time) after the rule is added before it hits
  active_for    seconds (real time) it stays active after that (a 429 storm)

What they get (kind; the default is "status" when status is given, else "delay"):
  delay            wait `delay` seconds first (any kind), then answer normally
  status           status, body, content_type, headers as given
  rate_limit       429 JSON APIRateLimitExceeded, Retry-After: retry_after (default 10)
  account_rate_limit  429 plain text, Retry-After
  server_error     status (default 503) with Retry-After only if retry_after is given
  gateway_timeout  504 HTML (after `delay`): what a too-large page meets
  html             200 with an HTML page (a proxy's or maintenance page)
  invalid_cursor   400 with the invalid-cursor body (switch invalid_cursor_error)
  reset            close the connection without answering
  reset_mid_body   headers with the full Content-Length (or chunked), `cut_after`
                   bytes of the body on the wire, then close: a short read
  truncate         a complete response whose body is the first `cut_after` bytes
                   of the JSON (invalid JSON, consistent Content-Length)
  corrupt          the JSON with bytes from `cut_after` on replaced by garbage
  drip             the response sent `drip_bytes` at a time, `drip_interval` s apart
  hang             accept the request and never answer (for `hold` seconds, default
                   3600, or until the client goes away)
  ghost_page       an export page with no records and end_of_stream false whose
                   position moves as far as it can without skipping a record
  stall            an export page whose position does not move (the same
                   after_cursor / end_time = start_time), end_of_stream false

`cut_after` defaults to half the body.  GET /_sim/faults lists the rules with
their hits; DELETE /_sim/faults removes them all, DELETE /_sim/faults/<id> one.
"""

import base64
import json
import threading
import time
import urllib.parse

from .limits import ACCOUNT_LIMIT_TEXT, EXPORT_LIMIT_BODY

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
HTML_PAGE = ("<!DOCTYPE html>\n<html><head><title>Zendesk</title></head><body>"
             "<h1>We'll be right back</h1><p>Scheduled maintenance.</p></body></html>\n")
GATEWAY_TIMEOUT_PAGE = ("<html>\n<head><title>504 Gateway Time-out</title></head>\n<body>\n"
                        "<center><h1>504 Gateway Time-out</h1></center>\n</body>\n</html>\n")
BAD_GATEWAY_PAGE = ("<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n"
                    "<center><h1>502 Bad Gateway</h1></center>\n</body>\n</html>\n")

KINDS = {"status", "delay", "rate_limit", "account_rate_limit", "server_error",
         "gateway_timeout", "html", "invalid_cursor", "reset", "reset_mid_body", "truncate",
         "corrupt", "drip", "hang", "ghost_page", "stall"}
# kinds answered without running the endpoint
ANSWERS = {"status", "rate_limit", "account_rate_limit", "server_error", "gateway_timeout",
           "html", "invalid_cursor"}
# kinds that change the endpoint's JSON page
PAGE_KINDS = {"ghost_page", "stall"}
# kinds that change how bytes travel
WIRE_KINDS = {"reset", "reset_mid_body", "drip", "hang"}
# kinds that change the body text
BODY_KINDS = {"truncate", "corrupt"}


class Fault:
    """One rule; see the module docstring for its fields."""

    _ids = 0
    _ids_lock = threading.Lock()

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault rule is a JSON object")
        with Fault._ids_lock:
            Fault._ids += 1
            self.id = Fault._ids
        self.spec = dict(spec)
        self.path = spec.get("path", "")
        self.endpoint = spec.get("endpoint")
        self.method = spec.get("method")
        self.query = spec.get("query")
        self.min_per_page = spec.get("min_per_page")
        self.skip = int(spec.get("skip", 0))
        self.count = spec.get("count")
        self.every = int(spec.get("every", 1) or 1)
        if spec.get("nth") is not None:
            self.skip = int(spec["nth"]) - 1
            self.count = 1
        if self.count is not None:
            self.count = int(self.count)
        self.delay = float(spec.get("delay", 0))
        self.status = spec.get("status")
        self.kind = spec.get("kind") or ("status" if self.status is not None else "delay")
        if self.kind not in KINDS:
            raise ValueError("unknown fault kind %r (known: %s)" % (self.kind, ", ".join(sorted(KINDS))))
        self.body = spec.get("body", "")
        self.content_type = spec.get("content_type", JSON_TYPE)
        self.headers = dict(spec.get("headers", {}))
        self.retry_after = spec.get("retry_after")
        self.cut_after = spec.get("cut_after")
        self.drip_bytes = max(1, int(spec.get("drip_bytes", 64)))
        self.drip_interval = float(spec.get("drip_interval", 0.1))
        self.hold = float(spec.get("hold", 3600))
        self.seen = 0
        self.hits = 0
        self.added = time.monotonic()
        self.active_after = float(spec.get("active_after", 0) or 0)
        self.active_for = spec.get("active_for")

    # -- matching ---------------------------------------------------------------

    def _conditions(self, request):
        age = time.monotonic() - self.added
        if age < self.active_after:
            return False
        if self.active_for is not None and age > self.active_after + float(self.active_for):
            return False
        if self.path and not request.path.startswith(self.path):
            return False
        if self.method and request.method.upper() != self.method.upper():
            return False
        if self.query and self.query not in request.query:
            return False
        if self.endpoint and not family_matches(self.endpoint, request.family):
            return False
        if self.min_per_page is not None and request.asked_records() < int(self.min_per_page):
            return False
        return True

    def matches(self, request):
        """Does this rule hit this request?  Counts it (skip, every, count)."""
        if not self._conditions(request):
            return False
        if self.skip > 0:
            self.skip -= 1
            return False
        self.seen += 1
        if (self.seen - 1) % self.every:
            return False
        if self.count is not None:
            if self.count <= 0:
                return False
            self.count -= 1
        self.hits += 1
        return True

    def describe(self):
        out = dict(self.spec)
        out.update({"id": self.id, "kind": self.kind, "hits": self.hits,
                    "remaining": self.count})
        return out

    # -- answers ------------------------------------------------------------------

    def answer(self, invalid_cursor_body):
        """(status, body, content type, headers) for the ANSWERS kinds."""
        headers = dict(self.headers)
        kind = self.kind
        if kind == "status":
            return int(self.status), self.body, self.content_type, headers
        if kind == "rate_limit":
            headers.setdefault("Retry-After", self.retry_after if self.retry_after is not None else 10)
            return 429, EXPORT_LIMIT_BODY, JSON_TYPE, headers
        if kind == "account_rate_limit":
            headers.setdefault("Retry-After", self.retry_after if self.retry_after is not None else 10)
            return 429, ACCOUNT_LIMIT_TEXT, "text/plain; charset=utf-8", headers
        if kind == "server_error":
            status = int(self.status or 503)
            if self.retry_after is not None:
                headers.setdefault("Retry-After", self.retry_after)
            if status == 502:
                return status, BAD_GATEWAY_PAGE, HTML_TYPE, headers
            if status == 503:
                return status, {"error": "ServiceUnavailable",
                                "description": "API service is currently unavailable."}, JSON_TYPE, headers
            return status, {"error": "InternalServerError",
                            "description": "Something went wrong"}, JSON_TYPE, headers
        if kind == "gateway_timeout":
            return 504, GATEWAY_TIMEOUT_PAGE, HTML_TYPE, headers
        if kind == "html":
            return int(self.status or 200), HTML_PAGE, HTML_TYPE, headers
        if kind == "invalid_cursor":
            return 400, invalid_cursor_body, JSON_TYPE, headers
        raise AssertionError(kind)

    def cut(self, length):
        if self.cut_after is None:
            return length // 2
        return max(0, min(int(self.cut_after), length))

    def transform_text(self, data):
        """truncate / corrupt: the body bytes (before content encoding)."""
        k = self.cut(len(data))
        if self.kind == "truncate":
            return data[:k]
        garbage = (b"\x00\xff<!-- garbage -->}{]" * (len(data) // 20 + 1))[:len(data) - k]
        return data[:k] + garbage

    def transform_page(self, body, params, resource):
        """ghost_page / stall on an export page (dict); other bodies unchanged."""
        if not isinstance(body, dict) or "end_of_stream" not in body:
            return body
        records = None
        for key in ("tickets", "users", "organizations", "ticket_events", "ticket_metric_events"):
            if key in body and isinstance(body[key], list):
                records = key
                break
        if records is None:
            return body
        body = dict(body)
        cursor_page = "after_cursor" in body
        if self.kind == "stall":
            body["end_of_stream"] = False
            if cursor_page:
                cursor = params.get("cursor") or _start_cursor(params)
                body["after_cursor"] = cursor
                body["after_url"] = _replace_query(body.get("after_url") or "", {"cursor": cursor},
                                                   params, cursor_page=True)
            else:
                start = params.get("start_time", "0")
                body["end_time"] = int(start)
                body["next_page"] = _replace_query(body["next_page"], {"start_time": str(start)}, params)
            return body
        # ghost page: no records; the position moves up to the first record it held
        first = body[records][0] if body[records] else None
        body[records] = []
        if "count" in body:
            body["count"] = 0
        body["end_of_stream"] = False
        if cursor_page:
            if first is not None:
                ts = _stream_ts(first, resource)
                cursor = base64.b64encode(("%d.0||%d|" % (ts, first["id"] - 1)).encode()).decode()
            else:
                cursor = body.get("after_cursor") or params.get("cursor") or _start_cursor(params)
            body["after_cursor"] = cursor
            body["after_url"] = _replace_query(body.get("after_url") or "", {"cursor": cursor},
                                               params, cursor_page=True)
        else:
            end = int(params.get("start_time", "0"))
            if first is not None:
                end = max(end, _stream_ts(first, resource))
            body["end_time"] = end
            body["next_page"] = _replace_query(body["next_page"], {"start_time": str(end)}, params)
        return body


def _start_cursor(params):
    start = int(params.get("start_time", "0"))
    return base64.b64encode(("%d.0||%d|" % (start - 1, (1 << 63) - 1)).encode()).decode()


def _stream_ts(record, resource):
    from .records import epoch
    if "generated_timestamp" in record:
        return record["generated_timestamp"]
    if "timestamp" in record:
        return record["timestamp"]
    if "time" in record:
        return epoch(record["time"])
    return epoch(record["updated_at"])


def _replace_query(url, values, params, cursor_page=False):
    if not url:
        return url
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    if cursor_page:
        query = {k: v for k, v in query.items() if k in ("cursor", "per_page")}
    query.update(values)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(sorted(query.items()))))


def family_matches(wanted, family):
    if wanted in ("any", family):
        return True
    if wanted == "exports":
        return family.startswith("export_")
    if wanted == "standard":
        return not family.startswith("export_") and family not in ("oauth_token", "unknown")
    if wanted == "oauth":
        return family == "oauth_token"
    return False


class FaultSet:
    """The active rules, in the order they were added (the first match wins)."""

    def __init__(self):
        self._rules = []
        self._lock = threading.Lock()

    def add(self, spec):
        fault = Fault(spec)
        with self._lock:
            self._rules.append(fault)
        return fault

    def clear(self):
        with self._lock:
            self._rules.clear()

    def remove(self, fault_id):
        with self._lock:
            before = len(self._rules)
            self._rules = [f for f in self._rules if f.id != fault_id]
            return len(self._rules) != before

    def take(self, request):
        with self._lock:
            for fault in self._rules:
                if fault.matches(request):
                    return fault
        return None

    def describe(self):
        with self._lock:
            return [f.describe() for f in self._rules]

    # the list-like interface the first version had (sim.faults.append / clear)
    def append(self, fault):
        with self._lock:
            self._rules.append(fault)

    def __len__(self):
        return len(self._rules)


def dumps(body):
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
