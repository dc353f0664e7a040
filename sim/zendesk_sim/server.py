"""The simulator's HTTP front: Zendesk's routes, headers, limits and errors,
plus a control API under /_sim/ for tests.

Control API (no authentication; loopback only):
  GET    /_sim/requests          the request log, oldest first
  GET    /_sim/requests.jsonl    the same, one JSON object a line
  DELETE /_sim/requests          clear it
  POST   /_sim/faults            add a fault rule (JSON, see Fault)
  DELETE /_sim/faults            remove every fault rule
  GET    /_sim/tickets           ground truth: every ticket, by id
  GET    /_sim/tickets.jsonl     the same, one JSON object a line
  POST   /_sim/clock             {"advance": seconds} moves the clock
  POST   /_sim/revoke_tokens     every OAuth access token stops working
"""

import email.utils
import gzip
import http.server
import json
import threading
import time
import urllib.parse

from . import exports
from .auth import AuthError

JSON_TYPE = "application/json; charset=utf-8"

EXPORT_LIMIT_BODY = {
    "error": "APIRateLimitExceeded",
    "description": "Number of allowed incremental export API requests per minute exceeded",
}
ACCOUNT_LIMIT_TEXT = "Number of allowed API requests per minute exceeded"


class RateWindow:
    """A fixed one-minute window on real time, as Zendesk's limits reset."""

    def __init__(self, limit):
        self.limit = limit
        self._lock = threading.Lock()
        self._window = None
        self._used = 0

    def take(self):
        """(allowed, remaining, seconds to reset)."""
        now = time.time()
        window = int(now // 60)
        with self._lock:
            if window != self._window:
                self._window = window
                self._used = 0
            reset = max(1, int((window + 1) * 60 - now + 0.999))
            if self._used >= self.limit:
                return False, 0, reset
            self._used += 1
            return True, self.limit - self._used, reset


class Fault:
    """A rule that changes the answer to matching requests.

    path: prefix of the request path (without query) it applies to;
    skip: let this many matching requests through first;
    count: how many requests it hits (null: every one);
    delay: seconds to wait before answering (then answer normally, unless
           status is given);
    status, body, content_type, headers: the answer to send instead.
    """

    def __init__(self, spec):
        self.path = spec.get("path", "")
        self.skip = int(spec.get("skip", 0))
        self.count = spec.get("count")
        self.delay = float(spec.get("delay", 0))
        self.status = spec.get("status")
        self.body = spec.get("body", "")
        self.content_type = spec.get("content_type", JSON_TYPE)
        self.headers = spec.get("headers", {})

    def matches(self, path):
        if not path.startswith(self.path):
            return False
        if self.skip > 0:
            self.skip -= 1
            return False
        if self.count is not None:
            if self.count <= 0:
                return False
            self.count -= 1
        return True


class Simulator:
    """Shared state of every listener (HTTP and HTTPS) of one account."""

    def __init__(self, account, authenticator, export_limit=10, account_limit=700):
        self.account = account
        self.auth = authenticator
        self.export_window = RateWindow(export_limit)
        self.account_window = RateWindow(account_limit)
        self.account_limit = account_limit
        self.faults = []
        self.log = []
        self.lock = threading.Lock()
        self._connections = 0

    def next_connection_id(self):
        with self.lock:
            self._connections += 1
            return self._connections

    def take_fault(self, path):
        with self.lock:
            for fault in self.faults:
                if fault.matches(path):
                    return fault
        return None


def make_handler(sim, scheme):
    class Handler(ZendeskHandler):
        simulator = sim
        url_scheme = scheme
    return Handler


class ZendeskHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    simulator = None
    url_scheme = "http"

    def setup(self):
        super().setup()
        self.connection_id = self.simulator.next_connection_id()

    def log_message(self, fmt, *args):
        pass

    # -- plumbing -----------------------------------------------------------

    def base_url(self):
        return "%s://%s" % (self.url_scheme, self.headers.get("Host", "localhost"))

    def send(self, status, body, content_type=JSON_TYPE, headers=None):
        if isinstance(body, (dict, list)):
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        else:
            data = body.encode() if isinstance(body, str) else body
        encoding = self.headers.get("Accept-Encoding", "")
        gzipped = "gzip" in encoding and len(data) > 0
        if gzipped:
            data = gzip.compress(data, compresslevel=5)
        # send_response_only: no Server header, and Date from the simulated clock
        self.send_response_only(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Date", email.utils.formatdate(self.simulator.account.clock.now(),
                                                        usegmt=True))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        # logged before the body goes out, so a client that has the response
        # finds the request in the log
        self.record(status, len(data))
        self.wfile.write(data)

    def record(self, status, nbytes):
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path.startswith("/_sim/"):
            return
        entry = {
            "time": time.time(),
            "method": self.command,
            "path": parsed.path,
            "query": parsed.query,
            "status": status,
            "accept_encoding": self.headers.get("Accept-Encoding"),
            "bytes": nbytes,
            "connection": self.connection_id,
            "auth": getattr(self, "auth_kind", None),
        }
        with self.simulator.lock:
            self.simulator.log.append(entry)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def rate_headers(self, remaining, reset):
        limit = self.simulator.account_limit
        return {
            "x-rate-limit": limit,
            "x-rate-limit-remaining": remaining,
            "ratelimit-limit": limit,
            "ratelimit-remaining": remaining,
            "ratelimit-reset": reset,
        }

    # -- dispatch -----------------------------------------------------------

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def dispatch(self):
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        params = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        try:
            if path.startswith("/_sim/"):
                return self.control(path, params)
            fault = self.simulator.take_fault(path)
            if fault is not None:
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.status is not None:
                    return self.send(fault.status, fault.body, fault.content_type,
                                     fault.headers)
            route = path[:-5] if path.endswith(".json") else path
            if route == "/oauth/tokens" and self.command == "POST":
                return self.oauth_tokens()
            if route == "/api/v2/incremental/tickets/cursor" and self.command == "GET":
                return self.api(lambda: self.ticket_cursor_export(params), export=True)
            return self.send(404, {"error": "InvalidEndpoint", "description": "Not found"})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def api(self, produce, export=False):
        """Authenticate, apply the rate limits, answer."""
        allowed, remaining, reset = self.simulator.account_window.take()
        headers = self.rate_headers(remaining, reset)
        if not allowed:
            headers["Retry-After"] = reset
            return self.send(429, ACCOUNT_LIMIT_TEXT, "text/plain; charset=utf-8", headers)
        try:
            self.auth_kind = self.simulator.auth.check(self.headers.get("Authorization"))
        except AuthError as e:
            return self.send(e.status, e.body, headers=headers)
        if export:
            allowed, _, export_reset = self.simulator.export_window.take()
            if not allowed:
                headers["Retry-After"] = export_reset
                return self.send(429, EXPORT_LIMIT_BODY, headers=headers)
        try:
            body = produce()
        except exports.ExportError as e:
            return self.send(e.status, e.body, headers=headers)
        return self.send(200, body, headers=headers)

    # -- Zendesk endpoints ----------------------------------------------------

    def oauth_tokens(self):
        raw = self.read_body()
        ctype = self.headers.get("Content-Type", "")
        try:
            if "json" in ctype:
                form = json.loads(raw or b"{}")
            else:
                form = dict(urllib.parse.parse_qsl(raw.decode()))
            if not isinstance(form, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            return self.send(400, {"error": "invalid_request",
                                   "error_description": "The request body could not be parsed."})
        try:
            return self.send(200, self.simulator.auth.issue_token(form))
        except AuthError as e:
            return self.send(e.status, e.body)

    def render_ticket(self, ticket, base):
        out = dict(ticket)
        out["url"] = "%s/api/v2/tickets/%d.json" % (base, ticket["id"])
        return out

    def ticket_cursor_export(self, params):
        account = self.simulator.account
        stream, keys = account.ticket_stream()
        exclude_deleted = params.get("exclude_deleted", "false").lower() == "true"

        def include(ticket):
            return not (exclude_deleted and ticket["status"] == "deleted")

        base = self.base_url()
        page = exports.cursor_page(stream, keys, include, params, account.clock.now(),
                                   base, "/api/v2/incremental/tickets/cursor.json",
                                   "tickets")
        page["tickets"] = [self.render_ticket(t, base) for t in page["tickets"]]
        return page

    # -- control API ------------------------------------------------------------

    def control(self, path, params):
        sim = self.simulator
        if path.endswith(".jsonl") and self.command == "GET":
            return self.control_lines(path[:-len(".jsonl")])
        if path == "/_sim/requests":
            if self.command == "DELETE":
                with sim.lock:
                    sim.log.clear()
                return self.send(200, {"ok": True})
            with sim.lock:
                return self.send(200, list(sim.log))
        if path == "/_sim/faults":
            if self.command == "DELETE":
                with sim.lock:
                    sim.faults.clear()
                return self.send(200, {"ok": True})
            spec = json.loads(self.read_body() or b"{}")
            with sim.lock:
                sim.faults.append(Fault(spec))
            return self.send(200, {"ok": True})
        if path == "/_sim/tickets":
            return self.send(200, self.ground_truth_tickets())
        if path == "/_sim/clock":
            spec = json.loads(self.read_body() or b"{}")
            now = sim.account.clock.advance(float(spec.get("advance", 0)))
            return self.send(200, {"now": now})
        if path == "/_sim/revoke_tokens":
            sim.auth.revoke_all()
            return self.send(200, {"ok": True})
        return self.send(404, {"error": "unknown control endpoint"})

    def ground_truth_tickets(self):
        with self.simulator.account.lock:
            tickets = sorted(self.simulator.account.tickets.values(), key=lambda t: t["id"])
            return [self.render_ticket(t, self.base_url()) for t in tickets]

    def control_lines(self, path):
        """A control collection as JSON lines (for COPY FROM PROGRAM in tests)."""
        if path == "/_sim/requests":
            with self.simulator.lock:
                items = list(self.simulator.log)
        elif path == "/_sim/tickets":
            items = self.ground_truth_tickets()
        else:
            return self.send(404, {"error": "unknown control endpoint"})
        text = "".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n"
                       for item in items)
        return self.send(200, text, "application/x-ndjson; charset=utf-8")


class Listener(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64
