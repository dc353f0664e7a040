"""Every switch, every value: the core scenario (a full cursor export, a
time-based export with dedupe, organizations, users, a list walk, counts,
users/me, a page through every other export) keeps its invariants under each
variant, so the FDW's own scenario tests can run under each of them too."""

import json
import urllib.parse

from zendesk_sim.switches import Switches

from simcase import EXPORT, SimulatorCase, path_of

TIME = "/api/v2/incremental/tickets.json"


def variants():
    import dataclasses
    for field in dataclasses.fields(Switches):
        choices = field.metadata["choices"]
        if choices is None:
            choices = (field.default, 3600)
        for value in choices:
            if value != field.default:
                yield field.name, value


class TestEverySwitch(SimulatorCase):
    tickets = 90

    def scenario(self):
        everything = set(self.account.tickets)
        records, _ = self.export_all("start_time=0&per_page=13&support_type_scope=all")
        self.assertEqual({t["id"] for t in records}, everything)
        records, pages = self.time_export_all(TIME, extra="&per_page=9&support_type_scope=all")
        self.assertEqual({t["id"] for t in records}, everything)
        for page in pages:
            self.assertIsNotNone(page["next_page"])
        records, _ = self.time_export_all("/api/v2/incremental/users.json", extra="&per_page=7", key="users")
        self.assertEqual({u["id"] for u in records}, set(self.account.users))
        records, _ = self.export_all("start_time=0&per_page=5", path="/api/v2/incremental/users/cursor.json",
                                     key="users")
        self.assertEqual({u["id"] for u in records}, set(self.account.users))
        records, _ = self.time_export_all("/api/v2/incremental/organizations.json", extra="&per_page=2",
                                          key="organizations")
        self.assertEqual({o["id"] for o in records}, set(self.account.organizations))
        page = self.ok("/api/v2/tickets.json?page[size]=25")
        listed = []
        while True:
            listed.extend(t["id"] for t in page["tickets"])
            if not page["meta"]["has_more"]:
                break
            page = self.ok(path_of(page["links"]["next"]))
        self.assertEqual(listed, self.account.sorted_ids("tickets"))
        self.assertIsInstance(self.ok("/api/v2/tickets/count.json")["count"]["value"], int)
        self.assertIsNotNone(self.ok("/api/v2/users/me.json")["user"]["id"])
        for path in ("/api/v2/incremental/ticket_events.json?start_time=0&per_page=50",
                     "/api/v2/incremental/ticket_metric_events.json?start_time=0&per_page=50",
                     "/api/v2/incremental/tickets/sample.json?start_time=0",
                     "/api/v2/ticket_fields.json", "/api/v2/search/export.json?query=x&filter[type]=ticket"):
            self.ok(path)
        page = self.ok(EXPORT + "?start_time=0&per_page=50")
        self.assertTrue(0 < len(page["tickets"]) <= 50)      # short under filter_timing=after

    def test_defaults(self):
        self.scenario()

    def test_each_variant(self):
        tried = 0
        defaults = Switches().as_dict()
        for name, value in variants():
            with self.subTest(switch=name, value=value):
                self.control("POST", "/_sim/switches", {name: value})
                try:
                    self.scenario()
                finally:
                    self.sim.switches.update({name: defaults[name]})
                tried += 1
        self.assertGreater(tried, 25)

    def test_numbers_as_numbers(self):
        self.control("POST", "/_sim/switches", {"number_values": "number"})
        self.addCleanup(self.sim.switches.update, {"number_values": "string"})
        ticket = self.ok(EXPORT + "?start_time=0&per_page=90&support_type_scope=all")["tickets"]
        integer = [cf["value"] for t in ticket for cf in t["custom_fields"]
                   if cf["id"] == 360011748014 and cf["value"] is not None]
        decimal = [cf["value"] for t in ticket for cf in t["custom_fields"]
                   if cf["id"] == 360011747974 and cf["value"] is not None]
        self.assertTrue(integer and all(isinstance(v, int) for v in integer))
        self.assertTrue(decimal and all(isinstance(v, float) for v in decimal))

    def test_gzip_framing(self):
        headers = {"Authorization": __import__("simcase").BASIC, "Accept-Encoding": "gzip"}
        resp, _ = self.request("GET", EXPORT + "?start_time=0", headers)
        self.assertEqual((resp.getheader("Transfer-Encoding"), resp.getheader("Content-Length")), ("chunked", None))
        self.control("POST", "/_sim/switches", {"gzip_framing": "length"})
        self.addCleanup(self.sim.switches.update, {"gzip_framing": "chunked"})
        resp, data = self.request("GET", EXPORT + "?start_time=0", headers)
        self.assertIsNone(resp.getheader("Transfer-Encoding"))
        self.assertIsNotNone(resp.getheader("Content-Length"))
        self.assertIn("tickets", json.loads(data))
        resp, _ = self.request("GET", EXPORT + "?start_time=0", {"Authorization": headers["Authorization"]})
        self.assertIsNone(resp.getheader("Content-Encoding"))      # identity without Accept-Encoding


class TestRenderCache(SimulatorCase):
    """The pre-rendered fast path answers exactly what the slow path does."""

    tickets = 60

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from zendesk_sim.records import RenderCache
        cls.sim.render_cache = RenderCache(1000)

    def test_same_answers_and_invalidation(self):
        truth = {t["id"]: t for t in self.jsonl("/_sim/tickets.jsonl")}
        for _ in range(2):
            records, _ = self.export_all("start_time=0&per_page=20&support_type_scope=all")
            self.assertEqual({t["id"]: t for t in records}, truth)
        ticket_id = sorted(i for i, t in self.account.tickets.items() if t["status"] != "deleted")[0]
        self.control("PATCH", "/_sim/tickets/%d" % ticket_id, {"subject": "Cache me"})
        self.control("POST", "/_sim/ticket_fields", {"type": "text", "title": "Fresh"})
        self.control("POST", "/_sim/clock", {"advance": 61})
        truth = {t["id"]: t for t in self.jsonl("/_sim/tickets.jsonl")}
        records, _ = self.export_all("start_time=0&per_page=20&support_type_scope=all")
        self.assertEqual({t["id"]: t for t in records}, truth)
        self.assertEqual(truth[ticket_id]["subject"], "Cache me")
        resp, data = self.request("GET", "/_sim/tickets.jsonl", {"Host": "other.host:1"})
        other = json.loads(data.decode().splitlines()[0])
        page = self.request("GET", EXPORT + "?start_time=0&per_page=1&support_type_scope=all",
                            {"Authorization": __import__("simcase").BASIC, "Host": "other.host:1"})[1]
        self.assertTrue(json.loads(page)["tickets"][0]["url"].startswith("http://other.host:1/"))
        self.assertTrue(other["url"].startswith("http://other.host:1/"))
        self.assertEqual(urllib.parse.urlsplit(json.loads(page)["after_url"]).netloc, "other.host:1")
