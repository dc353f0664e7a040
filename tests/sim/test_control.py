"""The control API: ground truth equal to what the API serves, mutations while
a scan runs (with the timestamps Zendesk would give them), field changes, the
switches and clock endpoints; the command line; determinism and speed."""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

from zendesk_sim.account import Account
from zendesk_sim.records import TICKET_KEYS, epoch

from simcase import EXPORT, ROOT, SimulatorCase

ALL = "&support_type_scope=all"
TIME = "/api/v2/incremental/tickets.json"


class TestGroundTruth(SimulatorCase):
    tickets = 150

    def test_every_collection_equals_what_the_api_serves(self):
        truth = {t["id"]: t for t in self.jsonl("/_sim/tickets.jsonl")}
        self.assertEqual(set(truth), set(self.account.tickets))
        records, _ = self.export_all("start_time=0" + ALL)
        for ticket in records:
            self.assertEqual(ticket, truth[ticket["id"]])
        self.assertEqual(self.control("GET", "/_sim/tickets"), [truth[i] for i in sorted(truth)])
        users = {u["id"]: u for u in self.jsonl("/_sim/users.jsonl")}
        records, _ = self.export_all("start_time=0", path="/api/v2/incremental/users/cursor.json", key="users")
        self.assertEqual({u["id"]: u for u in records}, users)
        orgs = {o["id"]: o for o in self.jsonl("/_sim/organizations.jsonl")}
        page = self.ok("/api/v2/incremental/organizations.json?start_time=0")
        self.assertEqual({o["id"]: o for o in page["organizations"]}, orgs)
        for include in ("", "&include=comment_events"):
            events = self.jsonl("/_sim/ticket_events.jsonl?x=1" + include)
            records, _ = self.time_export_all("/api/v2/incremental/ticket_events.json",
                                              extra="&per_page=1000" + ALL + include, key="ticket_events")
            self.assertEqual(sorted(records, key=lambda e: e["id"]), sorted(events, key=lambda e: e["id"]))
        metric = self.jsonl("/_sim/ticket_metric_events.jsonl")
        page = self.ok("/api/v2/incremental/ticket_metric_events.json?start_time=0")
        self.assertEqual(sorted(page["ticket_metric_events"], key=lambda e: e["id"]),
                         sorted(metric, key=lambda e: e["id"]))
        for kind in ("ticket_fields", "user_fields", "organization_fields"):
            self.assertEqual(self.jsonl("/_sim/%s.jsonl" % kind), self.ok("/api/v2/%s.json" % kind)[kind])
        meta = self.jsonl("/_sim/ticket_meta.jsonl")
        self.assertEqual({m["id"] for m in meta if m["support_type"] == "ai_agent"}, self.account.ai_tickets)
        self.assertEqual({m["id"] for m in meta if m["archived"]}, self.account.archived)

    def test_urls_follow_the_host(self):
        resp, data = self.request("GET", "/_sim/tickets.jsonl", {"Host": "acme.zendesk.test:8443"})
        first = json.loads(data.decode().splitlines()[0])
        self.assertEqual(first["url"], "http://acme.zendesk.test:8443/api/v2/tickets/%d.json" % first["id"])

    def test_state_and_switches(self):
        state = self.control("GET", "/_sim/state")
        self.assertEqual(state["tickets"], len(self.account.tickets))
        described = self.control("GET", "/_sim/switches")
        for name, entry in described.items():
            self.assertEqual(set(entry), {"value", "default", "choices", "answers", "doc"})
            self.assertTrue(entry["answers"].startswith("§"), name)
        resp, body = self.request("POST", "/_sim/switches", {}, body=json.dumps({"time_order": "nope"}))
        self.assertEqual(resp.status, 400)
        resp, body = self.request("POST", "/_sim/switches", {}, body=json.dumps({"no_such": 1}))
        self.assertEqual(resp.status, 400)


class TestMutations(SimulatorCase):
    tickets = 120

    def advance(self, seconds=61):
        self.control("POST", "/_sim/clock", {"advance": seconds})

    def live_id(self, n=0):
        return [i for i in self.account.sorted_ids("tickets") if i not in self.account.ai_tickets][n]

    def test_update_during_a_cursor_scan(self):
        page = self.ok(EXPORT + "?start_time=0&per_page=20")
        seen = page["tickets"][0]
        if seen["status"] == "deleted":
            self.control("POST", "/_sim/tickets/%d/restore" % seen["id"])
        before = self.account.tickets[seen["id"]]
        now = int(self.account.clock.now())
        updated = self.control("PATCH", "/_sim/tickets/%d" % seen["id"],
                               {"status": "solved", "subject": "Changed ✓",
                                "custom_fields": [{"id": 360011748014, "value": "42"}]})["ticket"]
        self.assertEqual(updated["subject"], "Changed ✓")
        self.assertGreaterEqual(updated["generated_timestamp"], now)
        self.assertGreaterEqual(epoch(updated["updated_at"]), now)
        self.assertIn({"id": 360011748014, "value": "42"}, updated["custom_fields"])
        self.assertNotEqual(updated["generated_timestamp"], before["generated_timestamp"])
        # not yet exported (the last minute), then at the end of the stream
        rest, _ = self.export_all(urllib.parse.urlsplit(page["after_url"]).query)
        self.assertNotIn(updated["id"], [t["id"] for t in rest])
        self.advance()
        rest, _ = self.export_all(urllib.parse.urlsplit(page["after_url"]).query)
        self.assertEqual(rest[-1], updated)

    def test_delete_restore_scrub(self):
        ticket_id = self.live_id(1)
        old = self.account.tickets[ticket_id]
        deleted = self.control("DELETE", "/_sim/tickets/%d" % ticket_id)["ticket"]
        self.assertEqual(deleted["status"], "deleted")
        self.assertEqual(deleted["updated_at"], old["updated_at"])              # §3.5
        self.assertGreater(deleted["generated_timestamp"], old["generated_timestamp"])
        self.assertEqual(self.get_json("/api/v2/tickets/%d.json" % ticket_id)[0].status, 404)
        self.advance()
        page = self.ok(TIME + "?start_time=%d&exclude_deleted=true" % deleted["generated_timestamp"])
        self.assertNotIn(ticket_id, [t["id"] for t in page["tickets"]])
        restored = self.control("POST", "/_sim/tickets/%d/restore" % ticket_id)["ticket"]
        self.assertEqual(restored["status"], old["status"])
        scrubbed = self.control("POST", "/_sim/tickets/%d/scrub" % ticket_id)["ticket"]
        self.assertEqual((scrubbed["status"], scrubbed["subject"], scrubbed["raw_subject"], scrubbed["description"]),
                         ("deleted", "SCRUBBED", "SCRUBBED", "X"))
        resp, _ = self.request("POST", "/_sim/tickets/%d/restore" % ticket_id)
        self.assertEqual(resp.status, 404)

    def test_system_update_moves_only_generated_timestamp(self):
        ticket_id = self.live_id(2)
        old = self.account.tickets[ticket_id]
        events = len(self.jsonl("/_sim/ticket_events.jsonl"))
        self.advance(5)
        self.control("POST", "/_sim/tickets/touch", {"ids": [ticket_id]})
        new = self.account.tickets[ticket_id]
        self.assertEqual(new["updated_at"], old["updated_at"])
        self.assertGreater(new["generated_timestamp"], old["generated_timestamp"])
        self.assertEqual(len(self.jsonl("/_sim/ticket_events.jsonl")), events)
        self.control("PATCH", "/_sim/tickets/%d" % ticket_id, {"tags": ["x"], "system": True})
        self.assertEqual(self.account.tickets[ticket_id]["updated_at"], old["updated_at"])

    def test_create_burst_archive_and_ai(self):
        created = self.control("POST", "/_sim/tickets", {"count": 5, "subject": "Burst",
                                                          "comment": "Première ligne"})["tickets"]
        self.assertEqual(len({t["generated_timestamp"] for t in created}), 1)
        events = [e for e in self.jsonl("/_sim/ticket_events.jsonl?include=comment_events")
                  if e["ticket_id"] == created[0]["id"]]
        self.assertEqual(len(events), 1)
        kinds = [c["event_type"] for c in events[0]["child_events"]]
        self.assertEqual(set(kinds), {"Create", "Comment"})
        self.assertEqual(events[0]["child_events"][-1]["body"], "Première ligne")
        self.assertEqual(list(created[0]), list(TICKET_KEYS))
        archived = self.control("POST", "/_sim/tickets/%d/archive" % created[0]["id"])["ticket"]
        self.assertEqual(archived["status"], "closed")
        listed = [t["id"] for t in self.ok("/api/v2/tickets.json?per_page=100&page=2")["tickets"]]
        self.assertNotIn(created[0]["id"], listed)
        self.control("POST", "/_sim/tickets/%d/support_type" % created[1]["id"], {"support_type": "ai_agent"})
        self.advance()
        page = self.ok(TIME + "?start_time=%d" % created[1]["generated_timestamp"])
        self.assertNotIn(created[1]["id"], [t["id"] for t in page["tickets"]])
        page = self.ok(TIME + "?start_time=%d&support_type_scope=all" % created[1]["generated_timestamp"])
        self.assertIn(created[1]["id"], [t["id"] for t in page["tickets"]])

    def test_ticket_field_changes(self):
        ticket_id = self.live_id(3)
        gts = self.account.tickets[ticket_id]["generated_timestamp"]
        field = self.control("POST", "/_sim/ticket_fields",
                             {"type": "integer", "title": "Nouveau champ"})["ticket_field"]
        ticket = self.ok("/api/v2/tickets/%d.json" % ticket_id)["ticket"]
        self.assertIn({"id": field["id"], "value": None}, ticket["custom_fields"])
        self.assertEqual(self.account.tickets[ticket_id]["generated_timestamp"], gts)   # no ticket moved
        self.control("PATCH", "/_sim/tickets/%d" % ticket_id, {"custom_fields": {str(field["id"]): "7"}})
        self.control("PATCH", "/_sim/ticket_fields/%d" % field["id"], {"type": "decimal", "title": "Renamed"})
        self.assertEqual(self.ok("/api/v2/ticket_fields/%d.json" % field["id"])["ticket_field"]["type"], "decimal")
        self.control("POST", "/_sim/ticket_fields/%d/deactivate" % field["id"])
        ticket = self.ok("/api/v2/tickets/%d.json" % ticket_id)["ticket"]
        self.assertNotIn(field["id"], [cf["id"] for cf in ticket["custom_fields"]])
        self.control("DELETE", "/_sim/ticket_fields/%d" % field["id"])
        self.assertEqual(self.get_json("/api/v2/ticket_fields/%d.json" % field["id"])[0].status, 404)
        resp, _ = self.request("DELETE", "/_sim/ticket_fields/360011737434")        # subject: a system field
        self.assertEqual(resp.status, 403)
        ufield = self.control("POST", "/_sim/user_fields", {"type": "checkbox", "key": "newsletter"})["user_field"]
        user = self.ok("/api/v2/users/%d.json" % self.account.user_ids[3])["user"]
        self.assertIs(user["user_fields"]["newsletter"], False)
        self.control("POST", "/_sim/organization_fields", {"type": "text", "key": "region_code"})
        org = self.ok("/api/v2/organizations/%d.json" % sorted(self.account.organizations)[0])["organization"]
        self.assertIsNone(org["organization_fields"]["region_code"])
        self.assertEqual(ufield["key"], "newsletter")

    def test_users_and_organizations(self):
        user = self.control("POST", "/_sim/users", {"name": "Zoë Nouvelle", "email": "zoe@example.org"})["user"]
        self.assertEqual(user["name"], "Zoë Nouvelle")
        self.advance(5)
        updated = self.control("PATCH", "/_sim/users/%d" % user["id"],
                               {"user_fields": {"tier": "gold"}, "phone": "+4930123"})["user"]
        self.assertGreater(epoch(updated["updated_at"]), epoch(user["updated_at"]))
        self.assertEqual(updated["user_fields"]["tier"], "gold")
        deleted = self.control("DELETE", "/_sim/users/%d" % user["id"])["user"]
        self.assertEqual((deleted["active"], deleted["permanently_deleted"]), (False, False))
        self.assertEqual(list(deleted)[-1], "permanently_deleted")
        self.assertEqual(self.ok("/api/v2/users/%d.json" % user["id"])["user"]["active"], False)
        org = self.control("POST", "/_sim/organizations", {"name": "Neue GmbH"})["organization"]
        org = self.control("PATCH", "/_sim/organizations/%d" % org["id"], {"tags": ["neu"]})["organization"]
        self.assertEqual(self.ok("/api/v2/organizations/%d" % org["id"])["organization"], org)

    def test_clock(self):
        now = self.control("GET", "/_sim/clock")["now"]
        later = self.control("POST", "/_sim/clock", {"advance": 100})["now"]
        self.assertGreaterEqual(later - now, 100)
        fixed = self.control("POST", "/_sim/clock", {"set": 1800000000})["now"]
        self.assertAlmostEqual(fixed, 1800000000, delta=1)
        resp, _ = self.get_json("/api/v2/tickets/count.json")
        self.assertAlmostEqual(self.date_of(resp), 1800000000, delta=2)
        created = self.control("POST", "/_sim/tickets", {})["tickets"][0]
        self.assertAlmostEqual(created["generated_timestamp"], 1800000000, delta=2)


class TestGeneration(unittest.TestCase):

    def test_default_account_keeps_its_shape(self):
        account = Account(seed=1, tickets=2500)
        self.assertEqual(len(account.tickets), 2500)
        deleted = sum(1 for t in account.tickets.values() if t["status"] == "deleted")
        self.assertTrue(0.04 <= deleted / 2500 <= 0.05, deleted)
        first = account.tickets[1]
        self.assertEqual(list(first), list(TICKET_KEYS))
        # values the C suite's expected output shows (sql/scan.sql)
        self.assertEqual((first["subject"], first["created_at"]), ("Rückerstattung 配送 #1", "2026-01-01T02:37:19Z"))
        self.assertEqual(account.tickets[3]["tags"], ["churn_risk", "ünïcode"])
        self.assertEqual(deleted, 114)

    def test_deterministic(self):
        a, b = Account(seed=3, tickets=300), Account(seed=3, tickets=300)
        self.assertEqual(a.tickets, b.tickets)
        self.assertEqual(a.users, b.users)
        self.assertEqual(a.organizations, b.organizations)
        self.assertEqual(a.ai_tickets, b.ai_tickets)
        self.assertNotEqual(Account(seed=4, tickets=300).tickets, a.tickets)

    def test_speed(self):
        start = time.monotonic()
        account = Account(seed=1, tickets=20000)
        self.assertLess(time.monotonic() - start, 4.0)
        # a page from the middle costs O(page), not O(account)
        from zendesk_sim import exports, routes
        from zendesk_sim.switches import Switches

        class Sim:
            pass
        sim = Sim()
        sim.account, sim.switches, sim.cursors = account, Switches(), exports.CursorRegistry()

        class Req:
            base_url = "http://x"
        middle = account.ticket_index.keys[10000][0]
        start = time.monotonic()
        for _ in range(5):
            spec = routes.ticket_export_spec(sim, Req, cursor=True)
            page = exports.cursor_page(spec, {"start_time": str(middle)}, account.clock.now(), "http://x",
                                       sim.switches, sim.cursors)
        self.assertEqual(len(page["tickets"]), 1000)
        self.assertLess((time.monotonic() - start) / 5, 0.5)


class TestCommandLine(unittest.TestCase):

    def run_sim(self, *args):
        tmp = tempfile.mkdtemp()
        ready = os.path.join(tmp, "ready.json")
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "sim"))
        errors = open(os.path.join(tmp, "stderr"), "w+")
        self.addCleanup(errors.close)
        proc = subprocess.Popen([sys.executable, "-m", "zendesk_sim", "--port", "0", "--ready-file", ready]
                                + list(args), env=env, stdout=subprocess.DEVNULL, stderr=errors)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        for _ in range(100):
            if os.path.exists(ready):
                break
            if proc.poll() is not None:
                errors.seek(0)
                self.fail(errors.read())
            time.sleep(0.05)
        with open(ready) as f:
            return json.load(f)

    def get(self, url, path):
        import base64
        import urllib.request
        req = urllib.request.Request(url + path, headers={"Authorization": "Basic " + base64.b64encode(
            b"admin@example.com/token:sim-api-token").decode()})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def test_starts_with_switches_and_seeded_times(self):
        tmp = tempfile.mkdtemp()
        times = os.path.join(tmp, "times.json")
        with open(times, "w") as f:
            json.dump([[5, 1700000000], [9, 1700000000, "2023-11-14T22:13:19Z", "deleted"], [7, 1700000500]], f)
        urls = self.run_sim("--tickets-from", times, "--switch", "time_order=id",
                            "--switch", "too_recent=400", "--export-limit", "50", "--rate-window", "5")
        self.assertEqual(set(urls), {"http_url"})
        page = self.get(urls["http_url"], "/api/v2/incremental/tickets.json?start_time=0")
        self.assertEqual([t["id"] for t in page["tickets"]], [5, 9, 7])
        self.assertEqual(page["tickets"][1]["status"], "deleted")
        state = self.get(urls["http_url"], "/_sim/state")
        self.assertEqual((state["switches"]["time_order"], state["switches"]["too_recent"]), ("id", "400"))

    def test_default_flags(self):
        urls = self.run_sim("--tickets", "40")
        page = self.get(urls["http_url"], EXPORT + "?start_time=0&per_page=5")
        self.assertEqual(len(page["tickets"]), 5)


class TestRequestLog(SimulatorCase):
    tickets = 30

    def test_log_entry_fields_and_bytes_on_the_wire(self):
        import socket
        from simcase import BASIC
        self.request("DELETE", "/_sim/requests")
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.sendall(("GET %s?start_time=0&per_page=5 HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
                      "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n" % (EXPORT, BASIC)).encode())
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        sock.close()
        entry = self.control("GET", "/_sim/requests")[0]
        self.assertEqual(list(entry)[:9], ["time", "method", "path", "query", "status", "accept_encoding",
                                           "bytes", "connection", "auth"])
        self.assertEqual(entry["wire_bytes"], len(received))
        body = received.split(b"\r\n\r\n", 1)[1]
        self.assertLess(entry["bytes"], len(body))                 # chunk framing around the gzip body
        self.assertEqual((entry["endpoint"], entry["fault"], entry["accept_encoding"]),
                         ("export_tickets_cursor", None, "gzip"))
