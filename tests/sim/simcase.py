"""Shared scaffolding of the simulator's tests: a simulator on a free port per
test class, HTTP helpers, the recorded fixtures, and JSON type profiles.
Standard library only."""

import base64
import email.utils
import gzip
import http.client
import json
import os
import threading
import unittest
import urllib.parse

from zendesk_sim.account import Account
from zendesk_sim.auth import Authenticator
from zendesk_sim.server import Listener, Simulator, make_handler
from zendesk_sim.switches import Switches

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# recorded real Zendesk responses, one folder per source and licence
# (tests/fixtures/README.md)
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
SOURCES = {"zenpy": "zenpy-gpl3", "go-zendesk": "go-zendesk-mit"}

EMAIL, API_TOKEN = "admin@example.com", "sim-api-token"
AGENT_EMAIL, AGENT_TOKEN = "agent@example.com", "sim-agent-token"
CLIENT_ID, CLIENT_SECRET = "cid", "csecret"
REFRESH_TOKEN = "seed-refresh-token"
BASIC = "Basic " + base64.b64encode(("%s/token:%s" % (EMAIL, API_TOKEN)).encode()).decode()
AGENT_BASIC = "Basic " + base64.b64encode(("%s/token:%s" % (AGENT_EMAIL, AGENT_TOKEN)).encode()).decode()
EXPORT = "/api/v2/incremental/tickets/cursor.json"


def fixture_dir(source="zenpy"):
    """The folder of one source's recordings: "zenpy" or "go-zendesk"."""
    return os.path.join(FIXTURES, SOURCES[source])


def fixture(name, source="zenpy"):
    with open(os.path.join(fixture_dir(source), name), encoding="utf-8") as f:
        return json.load(f)


def json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def decode_cursor(cursor):
    return base64.b64decode(cursor).decode()


def query_of(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def path_of(url):
    parts = urllib.parse.urlsplit(url)
    return parts.path + "?" + parts.query


class SimulatorCase(unittest.TestCase):
    """A simulator for the test class; subclasses tune the class attributes."""

    tickets = 250
    seed = 7
    export_limit = 100000
    account_limit = 100000
    users_cursor_limit = 100000
    tickets_index_limit = 100000
    sample_limit = 100000
    rate_window = 60.0
    token_lifetime = 1800
    switches = {}
    account_kwargs = {}

    @classmethod
    def make_account(cls):
        return Account(seed=cls.seed, tickets=cls.tickets, **cls.account_kwargs)

    @classmethod
    def setUpClass(cls):
        cls.account = cls.make_account()
        cls.auth = Authenticator(EMAIL, API_TOKEN, CLIENT_ID, CLIENT_SECRET, cls.token_lifetime,
                                 refresh_token=REFRESH_TOKEN)
        switches = Switches()
        switches.update(cls.switches)
        cls.sim = Simulator(cls.account, cls.auth, export_limit=cls.export_limit,
                            account_limit=cls.account_limit, switches=switches,
                            users_cursor_limit=cls.users_cursor_limit,
                            tickets_index_limit=cls.tickets_index_limit,
                            sample_limit=cls.sample_limit, rate_window=cls.rate_window)
        cls.server = Listener(("127.0.0.1", 0), make_handler(cls.sim, "http"))
        cls.port = cls.server.server_address[1]
        cls.base = "http://127.0.0.1:%d" % cls.port
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.sim.close()
        cls.server.shutdown()
        cls.server.server_close()

    def request(self, method, path, headers=None, body=None, conn=None, timeout=10):
        own = conn is None
        if own:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        if resp.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        if own:
            conn.close()
        return resp, data

    def get_json(self, path, auth=BASIC, **kw):
        resp, data = self.request("GET", path, {"Authorization": auth} if auth else {}, **kw)
        ctype = resp.getheader("Content-Type", "")
        return resp, (json.loads(data) if "json" in ctype else data.decode())

    def ok(self, path, auth=BASIC):
        resp, body = self.get_json(path, auth=auth)
        self.assertEqual(resp.status, 200, (path, body))
        return body

    def control(self, method, path, body=None):
        resp, data = self.request(method, path, {"Content-Type": "application/json"}, body=body)
        self.assertEqual(resp.status, 200, (method, path, data[:300]))
        return json.loads(data) if data else None

    def truth(self, name):
        """GET /_sim/<name>: a ground truth, as a list."""
        resp, data = self.request("GET", "/_sim/%s" % name)
        self.assertEqual(resp.status, 200)
        return json.loads(data)

    def jsonl(self, path):
        resp, data = self.request("GET", path)
        self.assertEqual(resp.status, 200)
        return [json.loads(line) for line in data.decode().splitlines()]

    def date_of(self, resp):
        return email.utils.parsedate_to_datetime(resp.getheader("Date")).timestamp()

    def export_all(self, query, path=EXPORT, key="tickets", sticky=None):
        """Follow after_url to end_of_stream; returns (records, pages).

        after_url drops the filters (observed), so those named in sticky (the
        query's exclude_deleted / support_type_scope / include, by default) are
        sent again with every cursor request, as the FDW does."""
        if sticky is None:
            sticky = "".join("&%s=%s" % (k, v) for k, v in urllib.parse.parse_qsl(query)
                             if k in ("exclude_deleted", "support_type_scope", "include"))
        path = path + "?" + query
        records, pages = [], []
        for _ in range(10000):
            resp, page = self.get_json(path)
            self.assertEqual(resp.status, 200, page)
            pages.append(page)
            records.extend(page[key])
            if page["end_of_stream"]:
                return records, pages
            url = urllib.parse.urlsplit(page["after_url"])
            path = url.path + "?" + url.query + sticky
        self.fail("export did not end")

    def time_export_all(self, path, start=0, extra="", key="tickets", limit=10000):
        """Follow a time-based export by end_time to end_of_stream."""
        records, pages = [], []
        start_time = start
        for _ in range(limit):
            page = self.ok("%s?start_time=%d%s" % (path, start_time, extra))
            pages.append(page)
            records.extend(page[key])
            if page["end_of_stream"]:
                return records, pages
            start_time = page["end_time"]
        self.fail("time export did not end")
