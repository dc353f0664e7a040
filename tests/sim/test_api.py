"""The standard API (sim/README.md §5, §6, §6.1, §7.1, §9): single records,
show_many, lists with cursor and offset pagination, fields, counts, users/me,
the search export, and their error bodies."""

import base64
import json
import struct
import urllib.parse

from simcase import BASIC, SimulatorCase, path_of, query_of

NOT_FOUND = {"error": "RecordNotFound", "description": "Not found"}


class SwitchMixin:
    def switch(self, **values):
        before = self.sim.switches.as_dict()
        self.control("POST", "/_sim/switches", values)
        self.addCleanup(self.sim.switches.update, {k: before[k] for k in values})


class TestSingleAndMany(SwitchMixin, SimulatorCase):

    def live_ids(self):
        return self.account.sorted_ids("tickets")

    def test_single_ticket_shape(self):
        ticket_id = self.live_ids()[0]
        body = self.ok("/api/v2/tickets/%d.json" % ticket_id)
        self.assertEqual(list(body), ["ticket"])
        ticket = body["ticket"]
        self.assertNotIn("generated_timestamp", ticket)            # §3.4
        self.assertIn("fields", ticket)
        self.assertEqual(ticket["url"], "%s/api/v2/tickets/%d.json" % (self.base, ticket_id))
        self.assertEqual(self.ok("/api/v2/tickets/%d" % ticket_id), body)

    def test_missing_and_deleted_tickets_are_404(self):
        deleted = [i for i, t in self.account.tickets.items() if t["status"] == "deleted"][0]
        for ticket_id in (deleted, 999999):
            resp, body = self.get_json("/api/v2/tickets/%d.json" % ticket_id)
            self.assertEqual((resp.status, body), (404, NOT_FOUND))
        for path in ("/api/v2/users/1.json", "/api/v2/organizations/1.json", "/api/v2/ticket_fields/1.json"):
            resp, body = self.get_json(path)
            self.assertEqual((resp.status, body), (404, NOT_FOUND))

    def test_archived_tickets(self):
        archived = sorted(self.account.archived)
        self.assertTrue(archived)
        self.assertEqual(self.ok("/api/v2/tickets/%d.json" % archived[0])["ticket"]["status"], "closed")
        listed = set()
        page = self.ok("/api/v2/tickets.json?page[size]=100")
        while True:
            listed |= {t["id"] for t in page["tickets"]}
            if not page["meta"]["has_more"]:
                break
            page = self.ok(path_of(page["links"]["next"]))
        self.assertFalse(listed & set(archived))                   # §3.6
        page = self.ok("/api/v2/incremental/tickets.json?start_time=0&support_type_scope=all")
        exported = {t["id"] for t in page["tickets"]}
        self.assertTrue(set(archived) <= exported)

    def test_show_many(self):
        ids = self.live_ids()[:5]
        deleted = [i for i, t in self.account.tickets.items() if t["status"] == "deleted"][0]
        asked = list(reversed(ids)) + [deleted, 424242]
        body = self.ok("/api/v2/tickets/show_many.json?ids=" + ",".join(map(str, asked)))
        self.assertEqual(list(body), ["tickets", "next_page", "previous_page", "count"])
        self.assertEqual([t["id"] for t in body["tickets"]], sorted(ids))   # by id, unknown left out
        self.assertEqual(body["count"], 5)
        self.assertIsNone(body["next_page"])
        users = sorted(self.account.users)[:3]
        body = self.ok("/api/v2/users/show_many.json?ids=%s" % ",".join(map(str, users)))
        self.assertEqual([u["id"] for u in body["users"]], users)
        orgs = sorted(self.account.organizations)[:2]
        body = self.ok("/api/v2/organizations/show_many?ids=%s" % ",".join(map(str, orgs)))
        self.assertEqual([o["id"] for o in body["organizations"]], orgs)

    def test_show_many_over_100_is_too_many_values(self):
        ids = ",".join(str(i) for i in range(1, 102))
        for resource in ("tickets", "users", "organizations"):
            resp, body = self.get_json("/api/v2/%s/show_many.json?ids=%s" % (resource, ids))
            self.assertEqual(resp.status, 400)
            self.assertEqual(body, {"error": "TooManyValues",
                                    "description": "Parameter  cannot specify more than 100 values",
                                    "max_count": 100})

    def test_users_me(self):
        me = self.ok("/api/v2/users/me.json")["user"]
        self.assertEqual((me["email"], me["role"]), ("admin@example.com", "admin"))
        bad = "Basic " + base64.b64encode(b"admin@example.com/token:wrong").decode()
        resp, body = self.get_json("/api/v2/users/me.json", auth=bad)
        self.assertEqual(resp.status, 200)                          # §1, node-zendesk recording
        self.assertIsNone(body["user"]["id"])
        self.assertEqual(body["user"]["name"], "Anonymous user")
        self.switch(me_unauthenticated="401")
        resp, body = self.get_json("/api/v2/users/me.json", auth=bad)
        self.assertEqual((resp.status, body), (401, {"error": "Couldn't authenticate you"}))

    def test_counts(self):
        body = self.ok("/api/v2/tickets/count.json")
        self.assertEqual(list(body["count"]), ["value", "refreshed_at"])
        live = sum(1 for t in self.account.tickets.values() if t["status"] != "deleted")
        self.assertEqual(body["count"]["value"], live)
        self.assertEqual(self.ok("/api/v2/users/count")["count"]["value"],
                         sum(1 for u in self.account.users.values() if u["active"]))
        self.assertEqual(self.ok("/api/v2/organizations/count.json")["count"]["value"],
                         len(self.account.organizations))
        self.switch(count_staleness="frozen")
        self.control("POST", "/_sim/counts/refresh")
        self.control("POST", "/_sim/tickets", {"count": 3})
        self.assertEqual(self.ok("/api/v2/tickets/count.json")["count"]["value"], live)
        self.control("POST", "/_sim/counts/refresh")
        self.assertEqual(self.ok("/api/v2/tickets/count.json")["count"]["value"], live + 3)

    def test_unknown_endpoint_and_method(self):
        resp, body = self.get_json("/api/v2/nothing.json")
        self.assertEqual((resp.status, body["error"]), (404, "InvalidEndpoint"))
        resp, _ = self.request("POST", "/api/v2/tickets.json", {"Authorization": BASIC}, body="{}")
        self.assertEqual(resp.status, 404)


class TestListPagination(SwitchMixin, SimulatorCase):
    """§5.1 CBP and §5.2 OBP."""

    tickets = 330

    def walk_cbp(self, path, size, key):
        page = self.ok("%s?page[size]=%d" % (path, size))
        pages = [page]
        while page["meta"]["has_more"]:
            page = self.ok(path_of(page["links"]["next"]))
            pages.append(page)
        return pages, [r["id"] for p in pages for r in p[key]]

    def test_cbp_walk(self):
        pages, ids = self.walk_cbp("/api/v2/tickets.json", 100, "tickets")
        self.assertEqual(ids, self.account.sorted_ids("tickets"))
        first = pages[0]
        self.assertEqual(list(first), ["tickets", "meta", "links"])
        self.assertEqual(list(first["meta"]), ["has_more", "after_cursor", "before_cursor"])
        # cursor: base64 {"o":"nice_id","v": base64("i" + int64 LE)} (decoded from the recordings)
        cursor = json.loads(base64.b64decode(first["meta"]["after_cursor"]))
        raw = base64.b64decode(cursor["v"])
        self.assertEqual((cursor["o"], raw[:1], struct.unpack("<q", raw[1:])[0]),
                         ("nice_id", b"i", first["tickets"][-1]["id"]))
        self.assertEqual(urllib.parse.urlsplit(first["links"]["next"]).query,
                         "page%%5Bafter%%5D=%s&page%%5Bsize%%5D=100"
                         % urllib.parse.quote(first["meta"]["after_cursor"], safe=""))
        last = pages[-1]
        self.assertFalse(last["meta"]["has_more"])
        self.assertIsNotNone(last["links"]["next"])                # recorded: still there
        for ticket in first["tickets"]:
            self.assertNotIn("fields", ticket)                     # recorded CBP shape
            self.assertNotIn("generated_timestamp", ticket)
        back = self.ok(path_of(pages[1]["links"]["prev"]))
        self.assertEqual([t["id"] for t in back["tickets"]], [t["id"] for t in first["tickets"]])
        _, users = self.walk_cbp("/api/v2/users.json", 7, "users")
        self.assertEqual(users, self.account.sorted_ids("users"))
        _, orgs = self.walk_cbp("/api/v2/organizations.json", 3, "organizations")
        self.assertEqual(orgs, sorted(self.account.organizations))

    def test_cbp_size_limit_and_last_page_switches(self):
        resp, body = self.get_json("/api/v2/tickets.json?page[size]=101")
        self.assertEqual(resp.status, 400)
        self.assertEqual(body["errors"][0]["code"], "InvalidPaginationParameter")
        self.switch(cbp_oversize="clamp")
        self.assertEqual(len(self.ok("/api/v2/tickets.json?page[size]=101")["tickets"]), 100)
        total = len(self.account.sorted_ids("users"))
        self.switch(cbp_last_page="empty")
        pages, ids = self.walk_cbp("/api/v2/users.json", total, "users")
        self.assertEqual(len(pages), 2)
        self.assertEqual(pages[-1]["users"], [])
        self.assertFalse(pages[-1]["meta"]["has_more"])

    def test_obp(self):
        body = self.ok("/api/v2/tickets.json")
        ids = self.account.sorted_ids("tickets")
        self.assertEqual(list(body), ["tickets", "next_page", "previous_page", "count"])
        self.assertEqual(body["count"], len(ids))                  # the total (§5.2)
        self.assertEqual([t["id"] for t in body["tickets"]], ids[:100])
        self.assertIn("fields", body["tickets"][0])                # recorded OBP shape
        self.assertEqual(body["next_page"], self.base + "/api/v2/tickets.json?page=2")
        self.assertIsNone(body["previous_page"])
        page3 = self.ok("/api/v2/tickets.json?page=3&per_page=50")
        self.assertEqual([t["id"] for t in page3["tickets"]], ids[100:150])
        self.assertEqual(query_of(page3["previous_page"]), {"page": "2", "per_page": "50"})
        orgs = self.ok("/api/v2/organizations.json")["organizations"]
        self.assertEqual([o["name"] for o in orgs], sorted(o["name"] for o in orgs))

    def test_obp_depth_limit(self):
        resp, body = self.get_json("/api/v2/tickets.json?page=101")
        self.assertEqual(resp.status, 400)
        self.assertEqual(body["errors"][0]["code"], "InvalidPaginationDepth")
        resp, _ = self.get_json("/api/v2/users.json?page=100&per_page=100")
        self.assertEqual(resp.status, 200)

    def test_fields(self):
        body = self.ok("/api/v2/ticket_fields.json")
        self.assertEqual(list(body), ["ticket_fields", "next_page", "previous_page", "count"])
        self.assertEqual(body["count"], len(body["ticket_fields"]))
        cbp = self.ok("/api/v2/ticket_fields.json?page[size]=5")
        self.assertEqual(len(cbp["ticket_fields"]), 5)
        self.assertTrue(cbp["meta"]["has_more"])
        for path, key in (("/api/v2/user_fields.json", "user_fields"),
                          ("/api/v2/organization_fields", "organization_fields")):
            fields = self.ok(path)[key]
            one = self.ok("/api/v2/%s/%d.json" % (key, fields[0]["id"]))
            self.assertEqual(one[key[:-1]], fields[0])

    def test_search_export(self):
        path = "/api/v2/search/export.json?query=%s&filter[type]=user&page[size]=4" % urllib.parse.quote(
            "created_at>=2019-09-14T00:39:54Z type:user")
        page = self.ok(path)
        self.assertEqual(list(page), ["results", "facets", "meta", "links"])
        self.assertIsNone(page["facets"])
        self.assertTrue(all(r["result_type"] == "user" for r in page["results"]))
        seen = []
        while True:
            seen.extend(r["id"] for r in page["results"])
            if not page["meta"]["has_more"]:
                break
            cursor = json.loads(base64.b64decode(page["meta"]["after_cursor"]))
            self.assertEqual(cursor["field"], "created_at")
            self.assertIn("query=created_at%3E%3D2019-09-14T00%3A39%3A54Z+type%3Auser", page["links"]["next"])
            page = self.ok(path_of(page["links"]["next"]))
        active = [u for u in self.account.users.values() if u["active"]]
        expected = [u["id"] for u in sorted(active, key=lambda u: (-self.epoch(u["created_at"]), u["id"]))]
        self.assertEqual(seen, expected)                           # created_at desc, id (§9)
        tickets = self.ok("/api/v2/search/export.json?query=status:open&filter[type]=ticket&page[size]=1000")
        self.assertTrue(all(t["status"] == "open" for t in tickets["results"]))
        resp, _ = self.get_json("/api/v2/search/export.json?query=x")
        self.assertEqual(resp.status, 400)

    @staticmethod
    def epoch(text):
        from zendesk_sim.records import epoch
        return epoch(text)
