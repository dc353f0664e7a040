"""The list resources beyond the four (sim/README.md §12): groups, group and
organization memberships, brands, ticket forms, custom statuses, SLA
policies, schedules; their cursor and offset pagination, show endpoints,
plan gating, cursor faults, control API and determinism."""

import base64
import json
import math
import struct
import urllib.parse

from simcase import SimulatorCase, fixture, json_type, path_of, query_of
from zendesk_sim import lists, records, routes
from zendesk_sim.account import Account

NOT_FOUND = {"error": "RecordNotFound", "description": "Not found"}


class ListCase(SimulatorCase):
    """Helpers: switches restored after each test, CBP walks, ground truth."""

    def switch(self, **values):
        before = self.sim.switches.as_dict()
        self.control("POST", "/_sim/switches", values)
        self.addCleanup(self.sim.switches.update, {k: before[k] for k in values})

    def walk(self, path, size=100, limit=1000):
        """Follow links.next from page[size]=size until has_more is false."""
        sep = "&" if "?" in path else "?"
        url = "%s%spage[size]=%d" % (path, sep, size)
        key = urllib.parse.urlsplit(path).path.rsplit("/", 1)[-1].replace(".json", "")
        key = {"memberships": "group_memberships"}.get(key, key)
        rows, pages = [], []
        for _ in range(limit):
            page = self.ok(url)
            pages.append(page)
            rows.extend(page[key])
            if not page["meta"]["has_more"]:
                return rows, pages
            url = path_of(page["links"]["next"])
        self.fail("listing did not end")

    def obp_walk(self, path, key, per_page=100):
        rows, page = [], self.ok("%s?per_page=%d" % (path, per_page))
        while True:
            rows.extend(page[key])
            if page["next_page"] is None:
                return rows
            page = self.ok(path_of(page["next_page"]))

    def error(self, path, status):
        resp, body = self.get_json(path)
        self.assertEqual(resp.status, status, (path, body))
        return body


def unpack_cursor(cursor):
    data = json.loads(base64.b64decode(cursor))
    raw = base64.b64decode(data["v"])
    values, pos = [], 0
    while pos < len(raw):
        if raw[pos:pos + 1] == b"s":
            (n,) = struct.unpack("<I", raw[pos + 1:pos + 5])
            values.append(raw[pos + 5:pos + 5 + n].decode())
            pos += 5 + n
        else:
            assert raw[pos:pos + 1] == b"i", raw
            values.append(struct.unpack("<q", raw[pos + 1:pos + 9])[0])
            pos += 9
    return data["o"], values


def recorded_keys(name, key):
    body = fixture(name, "go-zendesk")
    value = body[key]
    return value[0] if isinstance(value, list) else value


class TestGroups(ListCase):

    def test_the_default_listing_leaves_deleted_groups_out(self):
        truth = self.truth("groups")
        live = sorted(g["id"] for g in truth if not g["deleted"])
        rows, _ = self.walk("/api/v2/groups.json")
        self.assertEqual(sorted(g["id"] for g in rows), live)
        self.assertTrue(any(g["deleted"] for g in truth))
        self.assertFalse(any(g["deleted"] for g in rows))
        self.assertEqual(sorted(g["id"] for g in self.obp_walk("/api/v2/groups.json", "groups")), live)

    def test_exclude_deleted_false_lists_deleted_groups_flagged(self):
        rows, pages = self.walk("/api/v2/groups.json?exclude_deleted=false", size=2)
        self.assertEqual(rows, sorted(self.truth("groups"), key=lambda g: (g["name"].casefold(), g["id"])))
        self.assertIn(True, [g["deleted"] for g in rows])
        # the filter travels in links.next
        self.assertEqual(query_of(pages[0]["links"]["next"])["exclude_deleted"], "false")
        self.assertEqual(self.ok("/api/v2/groups.json?exclude_deleted=true")["count"],
                         len([g for g in rows if not g["deleted"]]))

    def test_keys_and_types_follow_the_recorded_group(self):
        recorded = recorded_keys("group.json", "group")
        group = self.ok("/api/v2/groups.json")["groups"][0]
        for key, value in recorded.items():
            self.assertIn(key, group)
            self.assertEqual(json_type(group[key]), json_type(value), key)
        # zenpy's recorded list adds is_public, description, default (sim/README.md §12.3)
        self.assertEqual(list(group), ["url", "id", "is_public", "name", "description", "default",
                                       "deleted", "created_at", "updated_at"])
        self.assertEqual(group["url"], "%s/api/v2/groups/%d.json" % (self.base, group["id"]))

    def test_cursor_is_the_recorded_name_id_form(self):
        page = self.ok("/api/v2/groups.json?page[size]=2")
        last, first = page["groups"][-1], page["groups"][0]
        self.assertEqual(unpack_cursor(page["meta"]["after_cursor"]), ("name,id", [last["name"], last["id"]]))
        self.assertEqual(unpack_cursor(page["meta"]["before_cursor"]), ("name,id", [first["name"], first["id"]]))
        self.assertNotIn("count", page)
        self.assertEqual(set(page), {"groups", "meta", "links"})

    def test_walk_by_one_ends_with_has_more_false_and_links_still_set(self):
        rows, pages = self.walk("/api/v2/groups.json", size=1)
        self.assertEqual(len(pages), len(rows))
        self.assertEqual([p["meta"]["has_more"] for p in pages], [True] * (len(pages) - 1) + [False])
        self.assertIsNotNone(pages[-1]["links"]["next"])      # recorded on the last page too
        self.assertEqual(query_of(pages[-1]["links"]["next"])["page[size]"], "1")

    def test_page_before_walks_back(self):
        rows, pages = self.walk("/api/v2/groups.json", size=2)
        back = self.ok(path_of(pages[-1]["links"]["prev"]))
        self.assertEqual(back["groups"], rows[-4:-2] if len(pages[-1]["groups"]) == 2 else rows[-3:-1])
        self.assertTrue(back["meta"]["has_more"])
        first = self.ok(path_of(pages[1]["links"]["prev"]))
        self.assertEqual(first["groups"], rows[:2])
        self.assertFalse(first["meta"]["has_more"])

    def test_show_and_missing(self):
        gid = records.GROUP_BASE + 1
        body = self.ok("/api/v2/groups/%d.json" % gid)
        self.assertEqual(list(body), ["group"])
        self.assertEqual(body["group"]["id"], gid)
        self.assertEqual(self.ok("/api/v2/groups/%d" % gid), body)
        self.assertEqual(self.error("/api/v2/groups/42.json", 404), NOT_FOUND)

    def test_show_of_a_deleted_group_under_each_switch(self):
        deleted = [g["id"] for g in self.truth("groups") if g["deleted"]][0]
        self.assertTrue(self.ok("/api/v2/groups/%d.json" % deleted)["group"]["deleted"])
        self.switch(deleted_group_show="404")
        self.assertEqual(self.error("/api/v2/groups/%d.json" % deleted, 404), NOT_FOUND)

    def test_tickets_users_and_organizations_point_at_live_groups(self):
        live = {g["id"] for g in self.truth("groups") if not g["deleted"]}
        used = {t["group_id"] for t in self.truth("tickets") if t["group_id"] is not None}
        used |= {u["default_group_id"] for u in self.truth("users") if u["default_group_id"]}
        used |= {o["group_id"] for o in self.truth("organizations") if o["group_id"]}
        self.assertTrue(used)
        self.assertLessEqual(used, live)

    def test_the_tickets_groups_sideload_equals_the_list(self):
        page = self.ok("/api/v2/incremental/tickets/cursor.json?start_time=0&include=groups")
        listed = {g["id"]: g for g in self.walk("/api/v2/groups.json")[0]}
        self.assertTrue(page["groups"])
        for group in page["groups"]:
            self.assertEqual(group, listed[group["id"]])

    def test_routes_have_families(self):
        for path in ("/api/v2/groups", "/api/v2/groups/1.json", "/api/v2/groups/1/memberships",
                     "/api/v2/users/1/group_memberships.json", "/api/v2/brands/3",
                     "/api/v2/ticket_forms/show_many", "/api/v2/slas/policies/4.json",
                     "/api/v2/business_hours/schedules/5/holidays.json"):
            family, handler, _ = routes.resolve("GET", path)
            self.assertNotEqual(family, "unknown", path)
            self.assertIsNotNone(handler, path)
        self.assertEqual(routes.resolve("POST", "/api/v2/groups")[1], None)


class TestGroupOrder(ListCase):

    def test_name_order_ignores_case_then_id(self):
        for name in ("alpha", "Beta", "beta", "Zulu", "ärger"):
            self.control("POST", "/_sim/groups", {"name": name})
        rows, pages = self.walk("/api/v2/groups.json", size=3)
        self.assertEqual([(g["name"].casefold(), g["id"]) for g in rows],
                         sorted((g["name"].casefold(), g["id"]) for g in rows))
        betas = [g for g in rows if g["name"].casefold() == "beta"]
        self.assertEqual([g["id"] for g in betas], sorted(g["id"] for g in betas))
        self.assertEqual(len(rows), len({g["id"] for g in rows}))


class TestMemberships(ListCase):
    tickets = 400

    def test_group_memberships_list_equals_ground_truth(self):
        truth = self.truth("group_memberships")
        rows, _ = self.walk("/api/v2/group_memberships.json", size=3)
        self.assertEqual(rows, truth)
        self.assertEqual(self.obp_walk("/api/v2/group_memberships.json", "group_memberships", 4), truth)

    def test_group_memberships_are_of_staff_with_their_default_group(self):
        users = {u["id"]: u for u in self.truth("users")}
        truth = self.truth("group_memberships")
        self.assertTrue(truth)
        for m in truth:
            self.assertNotEqual(users[m["user_id"]]["role"], "end-user")
        for uid in {m["user_id"] for m in truth}:
            defaults = [m["group_id"] for m in truth if m["user_id"] == uid and m["default"]]
            self.assertEqual(defaults, [users[uid]["default_group_id"]])

    def test_per_group_and_per_user_listings(self):
        truth = self.truth("group_memberships")
        for gid in {m["group_id"] for m in truth}:
            rows, _ = self.walk("/api/v2/groups/%d/memberships.json" % gid, size=2)
            self.assertEqual(rows, [m for m in truth if m["group_id"] == gid])
        uid = truth[0]["user_id"]
        rows, _ = self.walk("/api/v2/users/%d/group_memberships" % uid)
        self.assertEqual(rows, [m for m in truth if m["user_id"] == uid])
        end_user = [u["id"] for u in self.truth("users") if u["role"] == "end-user"][0]
        self.assertEqual(self.walk("/api/v2/users/%d/group_memberships" % end_user)[0], [])

    def test_unknown_parents_are_404(self):
        for path in ("/api/v2/groups/42/memberships.json", "/api/v2/users/42/group_memberships.json",
                     "/api/v2/organizations/42/organization_memberships.json",
                     "/api/v2/users/42/organization_memberships.json"):
            self.assertEqual(self.error(path + "?page[size]=10", 404), NOT_FOUND)

    def test_group_membership_keys_follow_the_recording(self):
        recorded = recorded_keys("group_memberships.json", "group_memberships")
        m = self.truth("group_memberships")[0]
        self.assertEqual(set(m), set(recorded))
        for key, value in recorded.items():
            if m[key] is not None:
                self.assertEqual(json_type(m[key]), json_type(value), key)
        shown = self.ok("/api/v2/group_memberships/%d.json" % m["id"])
        self.assertEqual(shown, {"group_membership": m})
        self.assertEqual(self.error("/api/v2/group_memberships/42.json", 404), NOT_FOUND)

    def test_organization_memberships(self):
        truth = self.truth("organization_memberships")
        orgs = {o["id"]: o for o in self.truth("organizations")}
        users = {u["id"]: u for u in self.truth("users")}
        recorded = recorded_keys("organization_memberships.json", "organization_memberships")
        self.assertLessEqual(set(recorded), set(truth[0]))
        self.assertEqual(set(truth[0]) - set(recorded), {"url"})
        for m in truth:
            self.assertEqual(m["organization_name"], orgs[m["organization_id"]]["name"])
            self.assertIn(m["default"], (True, False, None))
        # the user's organization_id is the default membership
        for uid, user in users.items():
            defaults = [m["organization_id"] for m in truth if m["user_id"] == uid and m["default"]]
            self.assertEqual(defaults, [user["organization_id"]] if user["organization_id"] else [])
        self.assertIn(None, [m["default"] for m in truth])      # recorded: default may be null
        rows, _ = self.walk("/api/v2/organization_memberships.json", size=7)
        self.assertEqual(rows, truth)
        oid = truth[0]["organization_id"]
        rows, _ = self.walk("/api/v2/organizations/%d/organization_memberships.json" % oid)
        self.assertEqual(rows, [m for m in truth if m["organization_id"] == oid])
        uid = truth[0]["user_id"]
        rows, _ = self.walk("/api/v2/users/%d/organization_memberships.json" % uid)
        self.assertEqual(rows, [m for m in truth if m["user_id"] == uid])
        self.assertEqual(self.ok("/api/v2/organization_memberships/%d" % truth[0]["id"]),
                         {"organization_membership": truth[0]})

    def test_membership_cursor_is_by_id(self):
        page = self.ok("/api/v2/group_memberships.json?page[size]=2")
        self.assertEqual(unpack_cursor(page["meta"]["after_cursor"]),
                         ("id", [page["group_memberships"][-1]["id"]]))


class TestPagination(ListCase):
    tickets = 1000

    def test_250_memberships_over_3_pages(self):
        before = len(self.truth("group_memberships"))
        made = self.control("POST", "/_sim/group_memberships", {"count": 250 - before})
        self.assertEqual(len(made["group_memberships"]), 250 - before)
        rows, pages = self.walk("/api/v2/group_memberships.json")
        self.assertEqual(len(rows), 250)
        self.assertEqual([len(p["group_memberships"]) for p in pages], [100, 100, 50])
        self.assertEqual([p["meta"]["has_more"] for p in pages], [True, True, False])
        self.assertEqual(rows, self.truth("group_memberships"))
        self.assertEqual(len(pages), math.ceil(250 / 100))

    def test_page_size_cap(self):
        body = self.error("/api/v2/group_memberships.json?page[size]=101", 400)
        self.assertEqual(body["errors"][0]["code"], "InvalidPaginationParameter")
        self.switch(cbp_oversize="clamp")
        page = self.ok("/api/v2/group_memberships.json?page[size]=500")
        self.assertLessEqual(len(page["group_memberships"]), 100)
        self.assertEqual(query_of(page["links"]["next"])["page[size]"], "100")

    def test_page_after_alone_pages_by_100(self):
        first = self.ok("/api/v2/organization_memberships.json?page[size]=1")
        page = self.ok("/api/v2/organization_memberships.json?page[after]=%s"
                       % urllib.parse.quote(first["meta"]["after_cursor"]))
        truth = self.truth("organization_memberships")
        self.assertEqual(page["organization_memberships"], truth[1:101])

    def test_offset_pages_count_and_depth_limit(self):
        page = self.ok("/api/v2/organization_memberships.json?per_page=5")
        total = len(self.truth("organization_memberships"))
        self.assertEqual(page["count"], total)
        self.assertEqual(len(page["organization_memberships"]), 5)
        self.assertIsNone(page["previous_page"])
        self.assertEqual(query_of(page["next_page"]), {"page": "2", "per_page": "5"})
        self.assertEqual(len(self.ok("/api/v2/organization_memberships.json?per_page=1000")
                             ["organization_memberships"]), min(100, total))
        self.ok("/api/v2/organization_memberships.json?page=100")
        self.ok("/api/v2/groups.json?page=100&per_page=100")
        for path in ("/api/v2/organization_memberships.json?page=101",
                     "/api/v2/group_memberships.json?page=101&per_page=1",
                     "/api/v2/brands.json?page=101",
                     "/api/v2/groups/%d/memberships.json?page=101" % records.GROUP_BASE):
            body = self.error(path, 400)
            self.assertEqual(body["errors"][0]["code"], "InvalidPaginationDepth")
        # cursor pagination has no depth limit
        self.assertEqual(len(self.walk("/api/v2/organization_memberships.json", size=1, limit=5000)[0]),
                         total)

    def test_offsets_skip_a_record_when_one_is_deleted_mid_listing(self):
        truth = self.truth("organization_memberships")
        first = self.ok("/api/v2/organization_memberships.json?per_page=10")
        self.control("DELETE", "/_sim/organization_memberships/%d" % first["organization_memberships"][0]["id"])
        second = self.ok(path_of(first["next_page"]))
        seen = [m["id"] for m in first["organization_memberships"] + second["organization_memberships"]]
        skipped = truth[10]["id"]
        self.assertNotIn(skipped, seen)                        # live and never served
        self.assertIn(skipped, [m["id"] for m in self.truth("organization_memberships")])
        self.assertEqual(second["organization_memberships"][0]["id"], truth[11]["id"])

    def test_cursors_skip_nothing_when_records_are_deleted_or_added(self):
        truth = self.truth("group_memberships")
        first = self.ok("/api/v2/group_memberships.json?page[size]=10")
        # delete the cursor's own record and one before it; add one at the end
        self.control("DELETE", "/_sim/group_memberships/%d" % first["group_memberships"][-1]["id"])
        self.control("DELETE", "/_sim/group_memberships/%d" % first["group_memberships"][0]["id"])
        users = [u["id"] for u in self.truth("users") if u["role"] != "end-user"]
        taken = {(m["user_id"], m["group_id"]) for m in truth}
        pair = [(u, g) for u in users for g in range(records.GROUP_BASE, records.GROUP_BASE + 5)
                if (u, g) not in taken][0]
        added = self.control("POST", "/_sim/group_memberships",
                             {"user_id": pair[0], "group_id": pair[1]})["group_membership"]
        rows = list(first["group_memberships"])
        url = path_of(first["links"]["next"])
        while True:
            page = self.ok(url)
            rows.extend(page["group_memberships"])
            if not page["meta"]["has_more"]:
                break
            url = path_of(page["links"]["next"])
        ids = [m["id"] for m in rows]
        self.assertEqual(ids[10:], [m["id"] for m in truth[10:]] + [added["id"]])
        self.assertEqual(len(ids), len(set(ids)))

    def test_empty_last_page_switch(self):
        self.switch(cbp_last_page="empty")
        total = len(self.truth("organization_memberships"))
        size = total if total <= 100 else 100
        while total % size:
            size -= 1
        rows, pages = self.walk("/api/v2/organization_memberships.json", size=size)
        self.assertEqual(len(rows), total)
        self.assertEqual(pages[-1]["organization_memberships"], [])
        self.assertEqual(pages[-1]["links"], {"prev": None, "next": None})
        self.assertTrue(pages[-2]["meta"]["has_more"])


class TestCursors(ListCase):

    def first_two(self, path="/api/v2/group_memberships.json", size=2):
        first = self.ok("%s?page[size]=%d" % (path, size))
        return first, path_of(first["links"]["next"])

    def test_garbage_and_foreign_cursors_are_400(self):
        garbage = ["not-a-cursor", base64.b64encode(b'{"o":"id"}').decode(),
                   lists.encode_cursor("name,id", ["Tier 1", 1]),
                   lists.encode_cursor("id", ["x"])]
        for cursor in garbage:
            for name in ("page[after]", "page[before]"):
                body = self.error("/api/v2/group_memberships.json?%s=%s"
                                  % (name, urllib.parse.quote(cursor)), 400)
                self.assertEqual(body["errors"][0]["code"], "InvalidPaginationParameter")
        # a groups cursor ("name,id") on the memberships list, and back
        groups = self.ok("/api/v2/groups.json?page[size]=1")["meta"]["after_cursor"]
        self.error("/api/v2/group_memberships.json?page[after]=%s" % urllib.parse.quote(groups), 400)

    def test_invalid_cursor_served_as_first_page_under_the_switch(self):
        self.switch(list_invalid_cursor="first_page")
        page = self.ok("/api/v2/group_memberships.json?page[size]=2&page[after]=junk")
        self.assertEqual(page["group_memberships"], self.truth("group_memberships")[:2])

    def test_cursor_expires_after_the_ttl(self):
        self.switch(list_cursor_ttl=60)
        first, second = self.first_two()
        self.control("POST", "/_sim/clock", {"advance": 30})
        self.ok(second)
        third = path_of(self.ok(second)["links"]["next"])
        self.control("POST", "/_sim/clock", {"advance": 61})
        body = self.error(third, 400)
        self.assertEqual(body["errors"][0]["code"], "InvalidPaginationParameter")
        # a listing started again works
        self.first_two()

    def test_expire_all_cursors_through_the_control_api(self):
        _, second = self.first_two()
        self.assertGreater(self.control("POST", "/_sim/list_cursors/expire")["expired"], 0)
        self.error(second, 400)
        self.switch(list_invalid_cursor="first_page")
        self.assertEqual(self.ok(second)["group_memberships"], self.truth("group_memberships")[:2])

    def test_stuck_cursor_fault(self):
        self.switch(list_fault="stuck_cursor")
        first, second = self.first_two()
        page = self.ok(second)
        cursor = query_of(second)["page[after]"]
        self.assertEqual(page["meta"]["after_cursor"], cursor)
        self.assertTrue(page["meta"]["has_more"])
        self.assertEqual(path_of(page["links"]["next"]), path_of(self.base + second))
        self.assertEqual(self.ok(path_of(page["links"]["next"])), page)

    def test_repeat_ids_fault(self):
        self.switch(list_fault="repeat_ids")
        first, second = self.first_two()
        page = self.ok(second)
        self.assertEqual(page["group_memberships"][0]["id"], first["group_memberships"][-1]["id"])

    def test_foreign_next_fault(self):
        self.switch(list_fault="foreign_next")
        first, _ = self.first_two()
        for link in first["links"].values():
            self.assertEqual(urllib.parse.urlsplit(link).netloc, "elsewhere.example.net")
        self.assertEqual(urllib.parse.urlsplit(first["links"]["next"]).path,
                         "/api/v2/group_memberships.json")

    def test_no_fault_links_use_the_request_host(self):
        first, _ = self.first_two("/api/v2/brands.json", 1)
        self.assertTrue(first["links"]["next"].startswith(self.base + "/api/v2/brands.json?"))


class TestDimensions(ListCase):

    def test_brands(self):
        truth = self.truth("brands")
        rows, _ = self.walk("/api/v2/brands.json", size=1)
        self.assertEqual(rows, sorted(truth, key=lambda b: (b["name"].casefold(), b["id"])))
        recorded = recorded_keys("brand.json", "brand")
        for key, value in recorded.items():
            self.assertIn(key, rows[0])
            if rows[0][key] is not None:
                self.assertEqual(json_type(rows[0][key]), json_type(value), key)
        brand_ids = {t["brand_id"] for t in self.truth("tickets")}
        self.assertLessEqual(brand_ids, {b["id"] for b in truth})
        default = [b for b in truth if b["default"]]
        self.assertEqual([b["id"] for b in default], [records.BRAND_ID])
        self.assertEqual(self.ok("/api/v2/brands/%d.json" % records.BRAND_ID), {"brand": default[0]})
        self.assertEqual(self.error("/api/v2/brands/1", 404), NOT_FOUND)
        self.assertEqual(self.ok("/api/v2/brands.json")["count"], len(truth))

    def test_ticket_forms(self):
        body = self.ok("/api/v2/ticket_forms.json")
        self.assertEqual(list(body), ["ticket_forms", "next_page", "previous_page", "count"])
        forms = body["ticket_forms"]
        self.assertEqual(body["count"], len(forms))
        self.assertEqual([f["position"] for f in forms], sorted(f["position"] for f in forms))
        self.assertEqual(forms, sorted(self.truth("ticket_forms"), key=lambda f: f["position"]))
        recorded = recorded_keys("ticket_form.json", "ticket_form")
        self.assertEqual(set(forms[0]), set(recorded))
        listed = recorded_keys("ticket_forms.json", "ticket_forms")
        for key, value in listed.items():
            self.assertEqual(json_type(forms[0][key]), json_type(value), key)
        self.assertLessEqual({t["ticket_form_id"] for t in self.truth("tickets")}, {f["id"] for f in forms})
        field_ids = {f["id"] for f in self.truth("ticket_fields")}
        for form in forms:
            self.assertLessEqual(set(form["ticket_field_ids"]), field_ids)
        # paging parameters are ignored: one answer
        self.assertEqual(self.ok("/api/v2/ticket_forms.json?page[size]=1")["ticket_forms"], forms)

    def test_ticket_form_filters_show_and_show_many(self):
        forms = self.truth("ticket_forms")
        active = self.ok("/api/v2/ticket_forms.json?active=true")["ticket_forms"]
        self.assertEqual({f["id"] for f in active}, {f["id"] for f in forms if f["active"]})
        self.assertLess(len(active), len(forms))
        hidden = self.ok("/api/v2/ticket_forms?end_user_visible=false")["ticket_forms"]
        self.assertEqual({f["id"] for f in hidden}, {f["id"] for f in forms if not f["end_user_visible"]})
        form = forms[1]
        self.assertEqual(self.ok("/api/v2/ticket_forms/%d.json" % form["id"]), {"ticket_form": form})
        self.assertEqual(self.error("/api/v2/ticket_forms/5.json", 404), NOT_FOUND)
        ids = ",".join(str(f["id"]) for f in forms) + ",5"
        many = self.ok("/api/v2/ticket_forms/show_many.json?ids=%s" % ids)
        self.assertEqual(many["ticket_forms"], sorted(forms, key=lambda f: f["id"]))
        too_many = ",".join(str(i) for i in range(1, 102))
        self.assertEqual(self.error("/api/v2/ticket_forms/show_many?ids=%s" % too_many, 400)["error"],
                         "TooManyValues")

    def test_custom_statuses(self):
        body = self.ok("/api/v2/custom_statuses.json")
        self.assertEqual(list(body), ["custom_statuses"])          # no pagination at all
        statuses = body["custom_statuses"]
        self.assertEqual(statuses, self.truth("custom_statuses"))
        keys = {"active", "agent_label", "created_at", "default", "description",
                "end_user_description", "end_user_label", "id", "raw_agent_label",
                "raw_description", "raw_end_user_description", "raw_end_user_label",
                "status_category", "updated_at", "url"}
        self.assertEqual(set(statuses[0]), keys)
        self.assertLessEqual({t["custom_status_id"] for t in self.truth("tickets")},
                             {s["id"] for s in statuses})
        for category in ("new", "open", "pending", "hold", "solved"):
            defaults = [s for s in statuses if s["status_category"] == category and s["default"]]
            self.assertEqual(len(defaults), 1, category)
            self.assertEqual(defaults[0]["id"], records.CUSTOM_STATUS_IDS[category])
        self.assertEqual(self.ok("/api/v2/custom_statuses.json?page[size]=1")["custom_statuses"], statuses)

    def test_custom_status_filters_and_show(self):
        statuses = self.truth("custom_statuses")
        got = self.ok("/api/v2/custom_statuses?status_categories=open,pending")["custom_statuses"]
        self.assertEqual(got, [s for s in statuses if s["status_category"] in ("open", "pending")])
        got = self.ok("/api/v2/custom_statuses?active=false")["custom_statuses"]
        self.assertEqual(got, [s for s in statuses if not s["active"]])
        self.assertTrue(got)
        got = self.ok("/api/v2/custom_statuses?default=false")["custom_statuses"]
        self.assertEqual(got, [s for s in statuses if not s["default"]])
        self.assertEqual(self.ok("/api/v2/custom_statuses/%d" % statuses[2]["id"]),
                         {"custom_status": statuses[2]})
        self.assertEqual(self.error("/api/v2/custom_statuses/3.json", 404), NOT_FOUND)

    def test_sla_policies(self):
        body = self.ok("/api/v2/slas/policies.json")
        self.assertEqual(list(body), ["sla_policies", "next_page", "previous_page", "count"])
        policies = body["sla_policies"]
        self.assertEqual(body["count"], len(policies))
        self.assertIsNone(body["next_page"])
        self.assertEqual([p["position"] for p in policies], sorted(p["position"] for p in policies))
        recorded = recorded_keys("sla_policy.json", "sla_policy")
        self.assertEqual(set(policies[0]) - set(recorded), {"url", "created_at", "updated_at"})
        for key, value in recorded.items():
            self.assertEqual(json_type(policies[0][key]), json_type(value), key)
        self.assertEqual(set(policies[0]["policy_metrics"][0]),
                         set(recorded["policy_metrics"][0]))
        self.assertEqual(self.ok("/api/v2/slas/policies/%d.json" % policies[0]["id"]),
                         {"sla_policy": policies[0]})
        self.assertEqual(self.error("/api/v2/slas/policies/7.json", 404), NOT_FOUND)

    def test_schedules_and_holidays(self):
        body = self.ok("/api/v2/business_hours/schedules.json")
        self.assertEqual(list(body), ["schedules"])
        schedules = body["schedules"]
        self.assertEqual(schedules, self.truth("schedules"))
        self.assertEqual(set(schedules[0]), {"url", "id", "name", "time_zone", "intervals",
                                             "created_at", "updated_at"})
        for s in schedules:
            for interval in s["intervals"]:
                # minutes from Sunday midnight; an interval stays within one day
                self.assertLess(interval["start_time"], interval["end_time"])
                self.assertEqual(interval["start_time"] // 1440, (interval["end_time"] - 1) // 1440)
        sid = schedules[0]["id"]
        self.assertEqual(self.ok("/api/v2/business_hours/schedules/%d" % sid), {"schedule": schedules[0]})
        holidays = self.ok("/api/v2/business_hours/schedules/%d/holidays.json" % sid)["holidays"]
        self.assertTrue(holidays)
        self.assertEqual(set(holidays[0]), {"id", "name", "start_date", "end_date"})
        self.assertEqual([dict(h, schedule_id=sid) for h in holidays],
                         [h for h in self.truth("schedule_holidays") if h["schedule_id"] == sid])
        self.assertEqual(self.error("/api/v2/business_hours/schedules/9/holidays", 404), NOT_FOUND)
        self.switch(schedules_shape="offset")
        body = self.ok("/api/v2/business_hours/schedules.json")
        self.assertEqual(list(body), ["schedules", "next_page", "previous_page", "count"])
        self.assertEqual(body["count"], len(schedules))

    def test_plan_gates(self):
        ids = {"sla_policies": self.truth("sla_policies")[0]["id"],
               "ticket_forms": self.truth("ticket_forms")[0]["id"],
               "schedules": self.truth("schedules")[0]["id"]}
        paths = {"sla_policies": ["/api/v2/slas/policies.json", "/api/v2/slas/policies/%d"],
                 "ticket_forms": ["/api/v2/ticket_forms", "/api/v2/ticket_forms/%d.json",
                                  "/api/v2/ticket_forms/show_many?ids=%d"],
                 "schedules": ["/api/v2/business_hours/schedules", "/api/v2/business_hours/schedules/%d",
                               "/api/v2/business_hours/schedules/%d/holidays"]}
        for kind, switch in lists.GATES.items():
            for value, status in (("403", 403), ("404", 404)):
                self.switch(**{switch: value})
                for path in paths[kind]:
                    path = path % ids[kind] if "%d" in path else path
                    body = self.error(path, status)
                    self.assertIn("error", body)
                # the other gated resources and the ungated ones still answer
                for other in set(paths) - {kind}:
                    self.ok(paths[other][0])
                self.ok("/api/v2/custom_statuses")
                self.ok("/api/v2/groups")
                self.switch(**{switch: "available"})
            self.ok(paths[kind][0])

    def test_switches_are_listed_with_documentation(self):
        described = self.control("GET", "/_sim/switches")
        for name in ("plan_sla_policies", "plan_ticket_forms", "plan_schedules", "schedules_shape",
                     "list_cursor_ttl", "list_invalid_cursor", "list_fault", "deleted_group_show"):
            self.assertIn(name, described)
            self.assertTrue(described[name]["doc"])


class TestControl(ListCase):

    def test_soft_deleting_a_group_mid_listing(self):
        made = self.control("POST", "/_sim/groups", {"name": "Temporary"})["group"]
        gid = made["id"]
        self.assertEqual(made["deleted"], False)
        users = [u["id"] for u in self.truth("users") if u["role"] != "end-user"]
        member = self.control("POST", "/_sim/group_memberships",
                              {"user_id": users[0], "group_id": gid})["group_membership"]
        first = self.ok("/api/v2/groups.json?page[size]=1")
        renamed = self.control("PATCH", "/_sim/groups/%d" % gid, {"name": "Temporary II"})["group"]
        self.assertEqual(renamed["name"], "Temporary II")
        self.control("POST", "/_sim/clock", {"advance": 10})
        deleted = self.control("DELETE", "/_sim/groups/%d" % gid)["group"]
        self.assertTrue(deleted["deleted"])
        self.assertGreater(deleted["updated_at"], made["updated_at"])
        rest, _ = self.walk(path_of(first["links"]["next"]).split("?")[0] + "?page[after]=%s"
                            % urllib.parse.quote(first["meta"]["after_cursor"]))
        self.assertNotIn(gid, [g["id"] for g in first["groups"] + rest])
        everything, _ = self.walk("/api/v2/groups.json?exclude_deleted=false")
        self.assertIn(gid, [g["id"] for g in everything if g["deleted"]])
        # its memberships are gone, hard
        self.assertNotIn(member["id"], [m["id"] for m in self.truth("group_memberships")])
        self.assertEqual(self.error("/api/v2/group_memberships/%d" % member["id"], 404), NOT_FOUND)
        self.assertEqual(self.error("/api/v2/groups/%d/memberships" % gid, 404), NOT_FOUND)
        resp, data = self.request("POST", "/_sim/group_memberships",
                                  {"Content-Type": "application/json"},
                                  body={"user_id": users[0], "group_id": gid})
        self.assertEqual(resp.status, 404)

    def test_hard_deleting_memberships(self):
        truth = self.truth("organization_memberships")
        victim = truth[len(truth) // 2]
        self.control("DELETE", "/_sim/organization_memberships/%d" % victim["id"])
        after = self.truth("organization_memberships")
        self.assertEqual(after, [m for m in truth if m["id"] != victim["id"]])
        self.assertEqual(self.walk("/api/v2/organization_memberships.json", size=5)[0], after)
        self.assertEqual(self.error("/api/v2/organization_memberships/%d" % victim["id"], 404), NOT_FOUND)
        resp, _ = self.request("DELETE", "/_sim/organization_memberships/%d" % victim["id"])
        self.assertEqual(resp.status, 404)

    def test_changing_and_creating_records(self):
        org = self.truth("organizations")[0]
        user = self.truth("users")[3]
        made = self.control("POST", "/_sim/organization_memberships",
                            {"user_id": user["id"], "organization_id": org["id"],
                             "default": None})["organization_membership"]
        self.assertEqual(made["organization_name"], org["name"])
        self.assertIsNone(made["default"])
        self.assertIn(made, self.truth("organization_memberships"))
        changed = self.control("PATCH", "/_sim/group_memberships/%d"
                               % self.truth("group_memberships")[0]["id"],
                               {"default": False})["group_membership"]
        self.assertFalse(changed["default"])
        status = self.control("POST", "/_sim/custom_statuses",
                              {"status_category": "hold", "agent_label": "On hold: parts"})["custom_status"]
        self.assertEqual(status["raw_agent_label"], "On hold: parts")
        self.assertIn(status, self.ok("/api/v2/custom_statuses?status_categories=hold")["custom_statuses"])
        self.control("DELETE", "/_sim/custom_statuses/%d" % status["id"])
        self.assertEqual(self.error("/api/v2/custom_statuses/%d" % status["id"], 404), NOT_FOUND)
        brand = self.control("PATCH", "/_sim/brands/%d" % records.BRAND_ID, {"name": "Renamed"})["brand"]
        self.assertEqual(self.ok("/api/v2/brands/%d" % records.BRAND_ID)["brand"], brand)
        for kind in ("ticket_forms", "sla_policies", "schedules"):
            made = self.control("POST", "/_sim/%s" % kind, {})
            (record,) = made.values()
            self.assertIn(record, self.truth(kind))

    def test_bad_control_requests(self):
        for method, path, body, status in (
                ("PATCH", "/_sim/groups/%d" % records.GROUP_BASE, {"colour": "red"}, 400),
                ("PATCH", "/_sim/groups/%d" % records.GROUP_BASE, {"id": 5}, 400),
                ("POST", "/_sim/group_memberships", {"user_id": 1, "group_id": records.GROUP_BASE}, 404),
                ("POST", "/_sim/organization_memberships", {"user_id": 1, "organization_id": 2}, 404),
                ("DELETE", "/_sim/brands/1", None, 404),
                ("POST", "/_sim/group_memberships", {"count": 100000}, 409)):
            resp, data = self.request(method, path, {"Content-Type": "application/json"}, body=body)
            self.assertEqual(resp.status, status, (method, path, data))

    def test_ground_truth_jsonl(self):
        for collection in lists.COLLECTIONS + ("schedule_holidays",):
            self.assertEqual(self.jsonl("/_sim/%s.jsonl" % collection), self.truth(collection))


class TestDeterminism(ListCase):

    def stores(self, seed_a, seed_b):
        class Holder:
            pass
        out = []
        for seed in (seed_a, seed_b):
            holder = Holder()
            holder.account = Account(seed=seed, tickets=300)
            out.append(lists.store(holder))
        return out

    def test_the_same_seed_gives_the_same_lists(self):
        a, b = self.stores(11, 11)
        for kind in lists.COLLECTIONS:
            self.assertEqual(a.data[kind], b.data[kind], kind)
        self.assertEqual(a.holidays, b.holidays)

    def test_another_seed_gives_other_memberships(self):
        a, b = self.stores(11, 12)
        self.assertNotEqual(a.data["group_memberships"], b.data["group_memberships"])
        self.assertNotEqual(a.data["organization_memberships"], b.data["organization_memberships"])

    def test_building_the_lists_changes_no_ticket(self):
        before = Account(seed=self.seed, tickets=self.tickets)
        self.assertEqual(before.tickets, self.account.tickets)
        self.ok("/api/v2/groups.json")
        self.assertEqual(before.tickets, self.account.tickets)
