"""The simulator's HTTP front: requests in, Zendesk's answers out.

This module owns the wire: parsing a request, authentication, the order in
which rate limits apply, the headers Zendesk sends (and no others), gzip with
chunked transfer encoding (as recorded) or identity with a Content-Length,
the request log, and the faults that act on the wire (resets, short bodies,
slow drips, connections that never answer).  What each endpoint answers is
routes.py; the control API under /_sim/ is control.py.

Order of checks for an API request: fault rules (a fault stands for the
network or a gateway in front of Zendesk, so it comes first), the account's
rate limit (its 429 is plain text), authentication (401), the admin-only and
OAuth-scope checks (403), the endpoint's own limit (a JSON 429 for exports),
then the endpoint.
"""

import email.utils
import gzip
import http.server
import json
import secrets
import select
import socket
import struct
import threading
import time
import urllib.parse

from . import control, routes
from .auth import FORBIDDEN_PAGE, AuthError, missing_scope
from .exports import CursorRegistry, ExportError
from .faults import ANSWERS, BODY_KINDS, PAGE_KINDS, FaultSet
from .limits import ACCOUNT_LIMIT_TEXT, EXPORT_LIMIT_BODY, Limits
from .records import Prerendered, RenderCache
from .switches import Switches

JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
CHUNK = 16384
LOG_LIMIT = 1000000


class Simulator:
    """Shared state of every listener (HTTP and HTTPS) of one account."""

    def __init__(self, account, authenticator, export_limit=10, account_limit=700,
                 switches=None, users_cursor_limit=20, sample_limit=10, tickets_index_limit=100,
                 search_export_limit=100, rate_window=60.0, sample_window=1200.0,
                 render_cache=0, gzip_level=1):
        self.account = account
        self.auth = authenticator
        self.switches = switches or Switches()
        self.limits = Limits(self.switches, account=account_limit, export=export_limit,
                             users_cursor=users_cursor_limit, sample=sample_limit,
                             tickets_index=tickets_index_limit,
                             search_export=search_export_limit, window=rate_window,
                             sample_window=sample_window)
        self.faults = FaultSet()
        self.cursors = CursorRegistry()
        # the pre-rendered fast path for ticket export pages (0: off)
        self.render_cache = RenderCache(render_cache) if render_cache else None
        self.gzip_level = gzip_level
        self.log = []
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self._connections = 0
        self._seq = 0

    @property
    def account_limit(self):
        return self.limits["account"].limit

    def next_connection_id(self):
        with self.lock:
            self._connections += 1
            return self._connections

    def next_seq(self):
        with self.lock:
            self._seq += 1
            return self._seq

    def close(self):
        """Let handlers holding connections (fault "hang") go."""
        self.closing.set()


def dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_handler(sim, scheme):
    class Handler(ZendeskHandler):
        simulator = sim
        url_scheme = scheme
    return Handler


class Request:
    """One parsed request."""

    def __init__(self, handler):
        parsed = urllib.parse.urlsplit(handler.path)
        self.method = handler.command
        self.path = parsed.path
        self.query = parsed.query
        self.params = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        self.headers = handler.headers
        self.base_url = "%s://%s" % (handler.url_scheme, handler.headers.get("Host", "localhost"))
        self.family, self.handler, self.groups = routes.resolve(self.method, self.path)
        self.principal = None
        self._handler = handler
        self._body = None

    def body(self):
        if self._body is None:
            length = int(self.headers.get("Content-Length") or 0)
            self._body = self._handler.rfile.read(length) if length else b""
        return self._body

    def json(self):
        raw = self.body()
        if not raw:
            return {}
        return json.loads(raw)

    def asked_records(self):
        """How many records the request asks for (fault rule min_per_page)."""
        for name in ("per_page", "page[size]"):
            if name in self.params:
                try:
                    return int(self.params[name])
                except ValueError:
                    return 0
        if self.family.startswith("export_"):
            return 1000
        return 100


def chunked(data, final=True):
    out = bytearray()
    for i in range(0, len(data), CHUNK):
        piece = data[i:i + CHUNK]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    if final:
        out += b"0\r\n\r\n"
    return bytes(out)


class ZendeskHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY a
    # kept-alive connection waits ~40 ms for the delayed ACK on every answer
    disable_nagle_algorithm = True
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

    def serialize(self, body):
        if isinstance(body, dict) and any(isinstance(v, Prerendered) for v in body.values()):
            # bytes throughout: the fragments are UTF-8 already, and joining
            # bytes is a copy (str would widen a page with one emoji to UCS-4)
            parts = []
            for key, value in body.items():
                if isinstance(value, Prerendered) and len(value) == len(value.fragments):
                    parts.append(b"%s:[%s]" % (dumps(key).encode(), b",".join(value.fragments)))
                else:
                    parts.append(b"%s:%s" % (dumps(key).encode(), dumps(value).encode()))
            return b"{" + b",".join(parts) + b"}"
        if isinstance(body, (dict, list)):
            return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        if isinstance(body, str):
            return body.encode()
        return body or b""

    def send(self, status, body, content_type=JSON_TYPE, headers=None, fault=None, api=True):
        """Answer; fault (if any) decides how the bytes travel."""
        data = self.serialize(body)
        kind = fault.kind if fault is not None else None
        if kind in BODY_KINDS:
            data = fault.transform_text(data)
        encoding = self.headers.get("Accept-Encoding", "") or ""
        gzipped = "gzip" in encoding and len(data) > 0
        if gzipped:
            data = gzip.compress(data, compresslevel=self.simulator.gzip_level)
        use_chunks = gzipped and self.simulator.switches.gzip_framing == "chunked"
        # send_response_only: no Server header, and Date from the simulated clock
        self.send_response_only(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Date", email.utils.formatdate(self.simulator.account.clock.now(),
                                                        usegmt=True))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        if use_chunks:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(data)))
        if api:
            self.send_header("x-zendesk-api-version", "v2")
            self.send_header("x-request-id", secrets.token_hex(8))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        header_bytes = sum(len(piece) for piece in getattr(self, "_headers_buffer", [])) + 2
        self.end_headers()

        if kind == "reset_mid_body":
            part = data[:fault.cut(len(data))]
            wire = chunked(part, final=False) if use_chunks else part
            self.record(status, len(part), fault, header_bytes + len(wire))
            try:
                self.wfile.write(wire)
                self.wfile.flush()
            finally:
                self.reset_connection()
            return
        wire = chunked(data) if use_chunks else data
        # logged before the body goes out, so a client that has the response
        # finds the request in the log
        self.record(status, len(data), fault, header_bytes + len(wire))
        if kind == "drip":
            for i in range(0, len(wire), fault.drip_bytes):
                self.wfile.write(wire[i:i + fault.drip_bytes])
                self.wfile.flush()
                if self.simulator.closing.wait(fault.drip_interval):
                    break
            return
        self.wfile.write(wire)

    def send_stream(self, lines, content_type):
        """A chunked stream of text pieces (ground truth of a big account)."""
        self.send_response_only(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Date", email.utils.formatdate(self.simulator.account.clock.now(), usegmt=True))
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        buffer = []
        size = 0
        for line in lines:
            piece = line.encode()
            buffer.append(piece)
            size += len(piece)
            if size >= 1 << 18:
                data = b"".join(buffer)
                self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
                buffer, size = [], 0
        if buffer:
            data = b"".join(buffer)
            self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def record(self, status, nbytes, fault=None, wire_bytes=None):
        """Log the request: bytes is the body as sent (after gzip), wire_bytes
        everything written (status line, headers, chunk framing, body)."""
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path.startswith("/_sim/"):
            return
        request = getattr(self, "sim_request", None)
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
            "wire_bytes": wire_bytes if wire_bytes is not None else 0,
            "endpoint": request.family if request is not None else None,
            "fault": fault.kind if fault is not None else None,
            "seq": self.simulator.next_seq(),
            "clock": int(self.simulator.account.clock.now()),
        }
        with self.simulator.lock:
            log = self.simulator.log
            log.append(entry)
            if len(log) > LOG_LIMIT:
                del log[:len(log) - LOG_LIMIT]

    def reset_connection(self):
        """Close with a TCP reset, now."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def client_gone(self, wait):
        """Has the client closed the connection (waiting up to `wait` s to see)?"""
        try:
            readable, _, _ = select.select([self.connection], [], [], wait)
            if readable and not self.connection.recv(1, socket.MSG_PEEK):
                return True
            if readable:
                time.sleep(wait)
            return False
        except (OSError, ValueError):
            return True

    def hang(self, fault):
        """Hold the connection without answering."""
        self.record(None, 0, fault)
        self.close_connection = True
        deadline = time.monotonic() + fault.hold
        while time.monotonic() < deadline and not self.simulator.closing.is_set():
            if self.client_gone(0.2):
                break

    def delay(self, fault):
        """Wait out a fault's delay before answering: "answer", or "closing"
        when the simulator stops first, or "gone" when the client leaves first
        (then the request is logged at once, as a request without an answer,
        not half a minute later, after a test has cleared the log)."""
        deadline = time.monotonic() + fault.delay
        while time.monotonic() < deadline:
            if self.simulator.closing.is_set():
                return "closing"
            if self.client_gone(min(0.05, max(deadline - time.monotonic(), 0))):
                self.record(None, 0, fault)
                self.close_connection = True
                return "gone"
        return "answer"

    def rate_headers(self, remaining, reset):
        limit = self.simulator.limits["account"].limit
        style = self.simulator.switches.rate_headers
        headers = {"x-rate-limit": limit, "x-rate-limit-remaining": remaining}
        if style == "2024":
            headers.update({"ratelimit-limit": limit, "ratelimit-remaining": remaining,
                            "ratelimit-reset": reset})
        elif style == "2023":
            headers.update({"rate-limit": limit, "rate-limit-remaining": remaining,
                            "rate-limit-reset": reset})
        return headers

    # -- dispatch -----------------------------------------------------------

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def dispatch(self):
        self.auth_kind = None        # per request, not per connection
        try:
            request = Request(self)
            self.sim_request = request
            if request.path.startswith("/_sim/"):
                return control.handle(self, request)
            fault = self.simulator.faults.take(request)
            if fault is not None:
                if fault.delay:
                    waited = self.delay(fault)
                    if waited == "closing":
                        return self.reset_connection()
                    if waited == "gone":
                        return
                if fault.kind == "reset":
                    self.record(None, 0, fault)
                    return self.reset_connection()
                if fault.kind == "hang":
                    return self.hang(fault)
                if fault.kind in ANSWERS:
                    status, body, ctype, headers = fault.answer(self.invalid_cursor_body())
                    return self.send(status, body, ctype, headers, fault=fault)
            if request.family == "oauth_token":
                return self.oauth_tokens(request, fault)
            if request.handler is None:
                return self.send(404, routes.INVALID_ENDPOINT, fault=fault)
            return self.api(request, fault)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def invalid_cursor_body(self):
        from .exports import invalid_cursor
        return invalid_cursor(self.simulator.switches.invalid_cursor_error).body

    def api(self, request, fault):
        """Rate limits, authentication, permissions, then the endpoint."""
        sim = self.simulator
        allowed, remaining, reset, _ = sim.limits["account"].take()
        headers = self.rate_headers(remaining, reset)
        if not allowed:
            headers["Retry-After"] = reset
            return self.send(429, ACCOUNT_LIMIT_TEXT, TEXT_TYPE, headers, fault=fault)
        try:
            principal = sim.auth.authenticate(self.headers.get("Authorization"))
            self.auth_kind = principal.kind
        except AuthError as e:
            if request.family == "users_me" and sim.switches.me_unauthenticated == "anonymous":
                principal = None
            else:
                return self.send(e.status, e.body, headers=headers, fault=fault)
        request.principal = principal
        family = request.family
        if principal is not None:
            if family.startswith("export_") and principal.role != "admin":
                return self.send(403, FORBIDDEN_PAGE, headers=headers, fault=fault)
            resource = routes.resource_of(family)
            if not principal.may_read(resource):
                return self.send(403, missing_scope("read"), headers=headers, fault=fault)
        denied = self.endpoint_limits(family, headers)
        if denied is not None:
            status, body, ctype = denied
            return self.send(status, body, ctype, headers, fault=fault)
        handler = routes.HANDLERS[request.handler]
        try:
            body = handler(sim, request, request.groups)
        except ExportError as e:
            return self.send(e.status, e.body, headers=headers, fault=fault)
        except routes.NotFound:
            return self.send(404, routes.NOT_FOUND, headers=headers, fault=fault)
        if fault is not None and fault.kind in PAGE_KINDS:
            body = fault.transform_page(body, request.params, family)
        return self.send(200, body, headers=headers, fault=fault)

    def endpoint_limits(self, family, headers):
        """Take from the endpoint's own bucket(s); (status, body, type) if denied."""
        sim = self.simulator
        limits = sim.limits

        def endpoint_header(name, bucket, remaining, reset):
            headers[name] = "total=%d; remaining=%d; resets=%d" % (bucket.limit, remaining, reset)

        if family == "export_sample":
            ok, _, _, wait = limits["sample"].take()
            if not ok:
                headers["Retry-After"] = wait
                return 429, EXPORT_LIMIT_BODY, JSON_TYPE
            return None
        if family == "export_users_cursor":
            bucket = limits["users_cursor"]
            ok, remaining, reset, wait = bucket.take()
            if sim.switches.users_cursor_header:
                endpoint_header("Zendesk-RateLimit-incremental-exports-cursor", bucket, remaining, reset)
            if not ok:
                headers["Retry-After"] = wait
                return 429, EXPORT_LIMIT_BODY, JSON_TYPE
            if sim.switches.users_cursor_quota == "both":
                ok, _, _, wait = limits["export"].take()
                if not ok:
                    headers["Retry-After"] = wait
                    return 429, EXPORT_LIMIT_BODY, JSON_TYPE
            return None
        if family == "export_tickets_cursor" and sim.switches.cursor_export_quota == "separate":
            return None
        if family.startswith("export_"):
            ok, _, _, wait = limits["export"].take()
            if not ok:
                headers["Retry-After"] = wait
                return 429, EXPORT_LIMIT_BODY, JSON_TYPE
            return None
        if family == "tickets_list":
            bucket = limits["tickets_index"]
            ok, remaining, reset, wait = bucket.take()
            endpoint_header("zendesk-ratelimit-tickets-index", bucket, remaining, reset)
            if not ok:
                headers["Retry-After"] = wait
                return 429, ACCOUNT_LIMIT_TEXT, TEXT_TYPE
            return None
        if family == "search_export":
            ok, _, _, wait = limits["search_export"].take()
            if not ok:
                headers["Retry-After"] = wait
                return 429, ACCOUNT_LIMIT_TEXT, TEXT_TYPE
        return None

    # -- the token endpoint ---------------------------------------------------------

    def oauth_tokens(self, request, fault):
        raw = request.body()
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
                                   "error_description": "The request body could not be parsed."},
                             fault=fault)
        try:
            return self.send(200, self.simulator.auth.issue_token(form), fault=fault)
        except AuthError as e:
            return self.send(e.status, e.body, fault=fault)


class Listener(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64
