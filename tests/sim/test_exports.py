"""Incremental exports: the page rules of sim/README.md §3 (time-based) and §4
(cursor-based), for tickets, users, organizations, ticket events and ticket
metric events, the sample endpoints, the one-minute rule on the simulator's
clock, and each switch that changes a page."""

import base64
import collections
import urllib.parse

from simcase import EXPORT, SimulatorCase, decode_cursor, path_of, query_of

TIME = "/api/v2/incremental/tickets.json"
USERS_TIME = "/api/v2/incremental/users.json"
USERS_CURSOR = "/api/v2/incremental/users/cursor.json"
ORGS = "/api/v2/incremental/organizations.json"
EVENTS = "/api/v2/incremental/ticket_events.json"
METRICS = "/api/v2/incremental/ticket_metric_events.json"
ALL = "&support_type_scope=all"


class SwitchMixin:
    def switch(self, **values):
        """Set switches for one test; restored afterwards."""
        before = self.sim.switches.as_dict()
        self.control("POST", "/_sim/switches", values)
        self.addCleanup(self.sim.switches.update, {k: before[k] for k in values})


class TestTimeExport(SwitchMixin, SimulatorCase):
    """§3.2, §3.3 on an account of 250 tickets where a third share a second."""

    def by_second(self):
        seconds = collections.defaultdict(set)
        for ts, ticket_id in self.account.ticket_index.keys:
            seconds[ts].add(ticket_id)
        return seconds

    def test_page_keys_in_recorded_order(self):
        page = self.ok(TIME + "?start_time=0&per_page=5" + ALL)
        self.assertEqual(list(page), ["tickets", "count", "end_of_stream", "next_page", "end_time"])
        page = self.ok(USERS_TIME + "?start_time=0&per_page=5")
        self.assertEqual(list(page), ["users", "next_page", "count", "end_of_stream", "end_time"])

    def test_one_full_page_ends_the_stream_at_the_last_second(self):
        page = self.ok(TIME + "?start_time=0" + ALL)
        keys = self.account.ticket_index.keys
        self.assertEqual(page["count"], len(keys))
        self.assertEqual(len(page["tickets"]), page["count"])
        self.assertTrue(page["end_of_stream"])
        self.assertEqual(page["end_time"], keys[-1][0])            # not +1 (§3.3 obs. 4)
        # next_page is not null on the last page, and repeats the last second
        self.assertEqual(query_of(page["next_page"])["start_time"], str(page["end_time"]))
        again = self.ok(path_of(page["next_page"]))
        self.assertEqual({t["id"] for t in again["tickets"]}, self.by_second()[keys[-1][0]])
        self.assertTrue(again["end_of_stream"])

    def test_small_pages_grow_to_the_whole_second(self):
        records, pages = self.time_export_all(TIME, extra="&per_page=1" + ALL)
        seconds = self.by_second()
        for page in pages[:-1]:
            ts = {t["generated_timestamp"] for t in page["tickets"]}
            self.assertEqual(len(ts), 1)
            second = ts.pop()
            self.assertEqual({t["id"] for t in page["tickets"]}, seconds[second])
            self.assertEqual(page["count"], len(seconds[second]))
            self.assertEqual(page["end_time"], second + 1)
            self.assertFalse(page["end_of_stream"])
            self.assertEqual(query_of(page["next_page"]),
                             {"per_page": "1", "start_time": str(second + 1), "support_type_scope": "all"})
        ids = [t["id"] for t in records]
        self.assertEqual(len(ids), len(set(ids)))                  # no overlap
        self.assertEqual(set(ids), set(self.account.tickets))
        self.assertTrue(any(p["count"] > 1 for p in pages))
        self.assertEqual(pages[-1]["tickets"], [])
        self.assertTrue(pages[-1]["end_of_stream"])

    def test_next_page_keeps_the_query_sorted(self):
        page = self.ok(TIME + "?start_time=0&per_page=1&exclude_deleted=true" + ALL)
        query = urllib.parse.urlsplit(page["next_page"]).query
        self.assertEqual(query, "exclude_deleted=true&per_page=1&start_time=%d&support_type_scope=all"
                         % page["end_time"])
        self.assertTrue(page["next_page"].startswith(self.base + TIME))

    def test_order_within_a_second_is_not_by_id(self):
        _, pages = self.time_export_all(TIME, extra="&per_page=1" + ALL)
        multi = [[t["id"] for t in p["tickets"]] for p in pages if p["count"] >= 3]
        self.assertTrue(multi)
        self.assertTrue(any(ids != sorted(ids) for ids in multi))
        # deterministic: the same order on the next request
        again = self.ok(TIME + "?start_time=%d&per_page=1" % pages[0]["tickets"][0]["generated_timestamp"] + ALL)
        self.assertEqual(again["tickets"], pages[0]["tickets"])

    def test_order_by_id_under_the_switch(self):
        self.switch(time_order="id")
        _, pages = self.time_export_all(TIME, extra="&per_page=1" + ALL)
        for page in pages:
            ids = [t["id"] for t in page["tickets"]]
            self.assertEqual(ids, sorted(ids))

    def test_never_grow_caps_small_pages(self):
        self.switch(time_page_growth="never")
        seconds = self.by_second()
        busy = min(ts for ts, ids in seconds.items() if len(ids) >= 2)
        page = self.ok(TIME + "?start_time=%d&per_page=1" % busy + ALL)
        self.assertEqual(page["count"], 1)
        self.assertEqual(page["end_time"], busy)                   # stalls on this second
        self.assertFalse(page["end_of_stream"])

    def test_exclude_deleted_and_support_type_scope(self):
        tickets = self.account.tickets
        ai = self.account.ai_tickets
        self.assertTrue(ai)
        page = self.ok(TIME + "?start_time=0")
        self.assertEqual({t["id"] for t in page["tickets"]}, set(tickets) - ai)
        page = self.ok(TIME + "?start_time=0&support_type_scope=ai_agent")
        self.assertEqual({t["id"] for t in page["tickets"]}, ai)
        page = self.ok(TIME + "?start_time=0&exclude_deleted=true" + ALL)
        self.assertEqual({t["id"] for t in page["tickets"]},
                         {i for i, t in tickets.items() if t["status"] != "deleted"})

    def test_per_page_above_1000_is_1000_and_empty_page_after_the_end(self):
        page = self.ok(TIME + "?start_time=0&per_page=5000" + ALL)
        self.assertEqual(page["count"], len(self.account.tickets))
        last = self.account.ticket_index.keys[-1][0]
        empty = self.ok(TIME + "?start_time=%d" % (last + 1))
        self.assertEqual((empty["count"], empty["end_of_stream"], empty["end_time"]), (0, True, last + 1))
        self.switch(empty_time_page_end_time="cutoff")
        empty = self.ok(TIME + "?start_time=%d" % (last + 1))
        self.assertGreater(empty["end_time"], last + 1000)

    def test_sideloads(self):
        page = self.ok(TIME + "?start_time=0&per_page=3&include=users,organizations,groups,metric_sets" + ALL)
        tickets = page["tickets"]
        users = {u["id"] for u in page["users"]}
        self.assertTrue({t["requester_id"] for t in tickets} <= users)
        self.assertEqual([m["ticket_id"] for m in page["metric_sets"]], [t["id"] for t in tickets])
        self.assertIn("organizations", page)
        self.assertIn("groups", page)
        self.assertNotIn("users", self.ok(TIME + "?start_time=0&per_page=3"))

    def test_sample_endpoint(self):
        page = self.ok("/api/v2/incremental/tickets/sample.json?start_time=0" + ALL)
        self.assertLessEqual(page["count"], 50)
        self.assertEqual(page["count"], len(page["tickets"]))
        self.assertIn("/incremental/tickets/sample.json?", page["next_page"])
        for resource in ("users", "organizations", "ticket_events"):
            page = self.ok("/api/v2/incremental/%s/sample?start_time=0" % resource)
            self.assertLessEqual(page["count"], 50)


class TestCappedPages(SwitchMixin, SimulatorCase):
    """A 1000-page is capped and the next page repeats its last second (§3.3
    obs. 3); a second holding more than a page stalls unless it grows."""

    tickets = 1200

    def test_capped_page_repeats_its_last_second(self):
        first = self.ok(TIME + "?start_time=0" + ALL)
        self.assertEqual(first["count"], 1000)
        self.assertFalse(first["end_of_stream"])
        last = first["end_time"]
        self.assertEqual(max(t["generated_timestamp"] for t in first["tickets"]), last)
        second = self.ok(path_of(first["next_page"]))
        self.assertEqual(second["tickets"][0]["generated_timestamp"], last)
        at_last = {t["id"] for t in first["tickets"] if t["generated_timestamp"] == last}
        repeated = {t["id"] for t in second["tickets"] if t["generated_timestamp"] == last}
        self.assertTrue(at_last <= repeated)
        union = {t["id"] for t in first["tickets"]} | {t["id"] for t in second["tickets"]}
        self.assertEqual(union, set(self.account.tickets))
        self.assertTrue(second["end_of_stream"])


class TestSecondLargerThanAPage(SwitchMixin, SimulatorCase):
    tickets = 50

    def test_a_second_larger_than_a_page(self):
        now = int(self.account.clock.now())
        self.control("POST", "/_sim/tickets", {"count": 1001, "subject": "burst"})
        self.control("POST", "/_sim/clock", {"advance": 120})
        page = self.ok(TIME + "?start_time=%d" % now + ALL)
        self.assertEqual(page["count"], 1000)
        self.assertEqual(page["end_time"], now)                    # the stream is wedged
        self.assertFalse(page["end_of_stream"])
        small = self.ok(TIME + "?start_time=%d&per_page=999" % now + ALL)
        self.assertEqual(small["count"], 1001)                     # a small page reads it whole
        self.assertEqual(small["end_time"], now + 1)
        self.switch(time_page_growth="always")
        page = self.ok(TIME + "?start_time=%d" % now + ALL)
        self.assertEqual((page["count"], page["end_time"]), (1001, now + 1))
        # the cursor export walks through it
        records, _ = self.export_all("start_time=%d&per_page=400" % now + ALL)
        self.assertEqual(len(records), 1001)


class TestCursorRules(SwitchMixin, SimulatorCase):
    """§4 beyond the first tests (test_simulator.py): users, switches."""

    def test_users_cursor_export_in_updated_at_order(self):
        records, pages = self.export_all("start_time=0&per_page=9", path=USERS_CURSOR, key="users")
        self.assertEqual({u["id"] for u in records}, set(self.account.users))
        keys = [(self.account.user_ts[u["id"]], u["id"]) for u in records]
        self.assertEqual(keys, sorted(keys))
        last = records[-1]
        ts = self.account.user_ts[last["id"]]
        self.assertEqual(decode_cursor(pages[-1]["after_cursor"]), "%d.0||%d|" % (ts, last["id"]))
        self.assertEqual(list(pages[0]), ["users", "after_url", "before_url", "after_cursor",
                                          "before_cursor", "end_of_stream"])

    def test_users_time_export_by_updated_at(self):
        records, pages = self.time_export_all(USERS_TIME, extra="&per_page=1", key="users")
        self.assertEqual({u["id"] for u in records}, set(self.account.users))
        for page in pages[:-1]:
            seconds = {self.account.user_ts[u["id"]] for u in page["users"]}
            self.assertEqual(len(seconds), 1)
            self.assertEqual(page["end_time"], seconds.pop() + 1)

    def test_inactive_users_are_exported(self):
        inactive = [u for u in self.account.users.values() if not u["active"]]
        records, _ = self.export_all("start_time=0", path=USERS_CURSOR, key="users")
        exported = {u["id"]: u for u in records}
        for user in inactive:
            self.assertFalse(exported[user["id"]]["active"])

    def test_empty_page_cursor_null_or_echoed(self):
        _, pages = self.export_all("start_time=0" + ALL)
        cursor = pages[-1]["after_cursor"]
        after = self.ok(EXPORT + "?cursor=" + urllib.parse.quote(cursor))
        self.assertIsNone(after["after_cursor"])
        self.assertIsNone(after["after_url"])
        self.switch(empty_cursor="echo")
        after = self.ok(EXPORT + "?cursor=" + urllib.parse.quote(cursor))
        self.assertEqual(after["after_cursor"], cursor)
        self.assertTrue(after["end_of_stream"])
        last = self.account.ticket_index.keys[-1][0]
        after = self.ok(EXPORT + "?start_time=%d" % (last + 1))
        self.assertEqual(decode_cursor(after["after_cursor"]).split("||")[0], "%d.0" % last)

    def test_cursor_expiry(self):
        page = self.ok(EXPORT + "?start_time=0&per_page=5")
        cursor = page["after_cursor"]
        self.switch(cursor_ttl=3600)
        self.assertEqual(self.get_json(EXPORT + "?cursor=" + urllib.parse.quote(cursor))[0].status, 200)
        self.control("POST", "/_sim/clock", {"advance": 3601})
        resp, body = self.get_json(EXPORT + "?cursor=" + urllib.parse.quote(cursor))
        self.assertEqual(resp.status, 400)
        self.assertEqual(body["error"], "InvalidCursor")
        self.switch(invalid_cursor_error="errors")
        resp, body = self.get_json(EXPORT + "?cursor=" + urllib.parse.quote(cursor))
        self.assertEqual(body["errors"][0]["code"], "InvalidCursor")

    def test_filters_travel_or_are_remembered(self):
        page = self.ok(EXPORT + "?start_time=0&per_page=50&exclude_deleted=true" + ALL)
        cursor = urllib.parse.quote(page["after_cursor"])
        # default: what is sent with cursor= applies (after_url drops the filters)
        bare = self.ok(EXPORT + "?cursor=%s&per_page=200" % cursor)
        self.assertTrue(any(t["status"] == "deleted" for t in bare["tickets"]))
        self.switch(cursor_query="remembered")
        kept = self.ok(EXPORT + "?cursor=%s&per_page=200" % cursor)
        self.assertFalse(any(t["status"] == "deleted" for t in kept["tickets"]))

    def test_ghost_pages_when_filters_apply_after_the_cut(self):
        self.switch(filter_timing="after")
        records, pages = self.export_all("start_time=0&per_page=2&support_type_scope=ai_agent")
        self.assertEqual({t["id"] for t in records}, self.account.ai_tickets)
        self.assertTrue(any(not p["tickets"] and not p["end_of_stream"] for p in pages))
        self.assertTrue(all(p["after_cursor"] for p in pages))

    def test_too_recent_variants(self):
        recent = int(self.account.clock.now()) - 30
        resp, body = self.get_json(EXPORT + "?start_time=%d" % recent)
        self.assertEqual((resp.status, body["error"]), (422, "InvalidValue"))
        self.switch(too_recent="400")
        for path in (EXPORT, TIME, ORGS):
            resp, body = self.get_json(path + "?start_time=%d" % recent)
            self.assertEqual((resp.status, body["errors"][0]["code"]), (400, "StartTimeTooRecent"))
        self.switch(too_recent="empty")
        page = self.ok(TIME + "?start_time=%d" % recent)
        self.assertEqual((page["count"], page["end_of_stream"], page["end_time"]), (0, True, recent))
        page = self.ok(EXPORT + "?start_time=%d" % recent)
        self.assertEqual((page["tickets"], page["end_of_stream"]), ([], True))


class TestOneMinuteRule(SimulatorCase):
    """§3.7, §4.3: the last minute is not exported, judged by the simulator's
    clock; moving the clock moves the Date header and the rule."""

    def test_a_new_ticket_waits_a_minute_of_simulated_time(self):
        created = self.control("POST", "/_sim/tickets", {"subject": "fresh ☕"})["tickets"][0]
        ts = created["generated_timestamp"]
        start = ts - 61
        page = self.ok(TIME + "?start_time=%d" % start)
        self.assertNotIn(created["id"], [t["id"] for t in page["tickets"]])
        records, _ = self.export_all("start_time=%d" % start)
        self.assertNotIn(created["id"], [t["id"] for t in records])
        resp, _ = self.get_json(TIME + "?start_time=%d" % ts)
        self.assertEqual(resp.status, 422)
        resp, before = self.request("GET", TIME + "?start_time=0", {"Authorization": __import__("simcase").BASIC})
        self.control("POST", "/_sim/clock", {"advance": 61})
        page = self.ok(TIME + "?start_time=%d" % ts)
        self.assertEqual([t["id"] for t in page["tickets"]], [created["id"]])
        resp2, _ = self.request("GET", TIME + "?start_time=0", {"Authorization": __import__("simcase").BASIC})
        self.assertGreaterEqual(self.date_of(resp2) - self.date_of(resp), 60)


class TestOrganizationsAndEvents(SwitchMixin, SimulatorCase):
    """§3.8, §3.9, §8.3, §16 #12, #15, #16."""

    def test_organizations_time_export(self):
        records, pages = self.time_export_all(ORGS, extra="&per_page=2", key="organizations")
        ids = {o["id"] for o in records}
        self.assertEqual(ids, set(self.account.organizations))
        self.assertEqual(list(pages[0]), ["organizations", "next_page", "count", "end_of_stream", "end_time"])

    def test_deleted_organizations_vanish_or_stay_as_tombstones(self):
        victim = sorted(self.account.organizations)[0]
        self.control("DELETE", "/_sim/organizations/%d" % victim)
        self.control("POST", "/_sim/clock", {"advance": 61})
        page = self.ok(ORGS + "?start_time=0")
        self.assertNotIn(victim, [o["id"] for o in page["organizations"]])
        self.assertEqual(self.get_json("/api/v2/organizations/%d.json" % victim)[0].status, 404)
        self.switch(deleted_organizations="tombstone")
        page = self.ok(ORGS + "?start_time=0")
        tomb = [o for o in page["organizations"] if o["id"] == victim]
        self.assertEqual(len(tomb), 1)
        self.assertIsNotNone(tomb[0]["deleted_at"])
        self.assertEqual(page["organizations"][-1]["id"], victim)   # updated_at moved
        truth = [o for o in self.jsonl("/_sim/organizations.jsonl") if o["id"] == victim]
        self.assertEqual(truth, tomb)

    def test_ticket_events_shape_and_comment_events(self):
        page = self.ok(EVENTS + "?start_time=0&per_page=5" + ALL)
        self.assertEqual(list(page), ["ticket_events", "next_page", "count", "end_time", "end_of_stream"])
        event = page["ticket_events"][0]
        self.assertEqual(list(event), ["id", "ticket_id", "timestamp", "created_at", "updater_id", "via",
                                       "via_reference_id", "system", "metadata", "event_type",
                                       "child_events"])
        self.assertIsInstance(event["via"], str)
        comments = [c for c in event["child_events"] if c["event_type"] == "Comment"]
        self.assertEqual(set(comments[0]), {"id", "via", "via_reference_id", "comment_present",
                                            "comment_public", "event_type"})
        full = self.ok(EVENTS + "?start_time=0&per_page=5&include=comment_events" + ALL)
        comment = [c for c in full["ticket_events"][0]["child_events"] if c["event_type"] == "Comment"][0]
        self.assertEqual(list(comment), ["id", "via", "via_reference_id", "type", "author_id", "body",
                                         "html_body", "public", "attachments", "audit_id", "created_at",
                                         "event_type"])
        self.assertEqual(comment["body"], self.account.tickets[event["ticket_id"]]["description"])
        self.assertIn("include=comment_events", full["next_page"])
        self.switch(event_via="object")
        page = self.ok(EVENTS + "?start_time=0&per_page=5" + ALL)
        self.assertIsInstance(page["ticket_events"][0]["via"], dict)

    def test_ticket_events_cover_every_ticket_and_follow_updates(self):
        records, _ = self.time_export_all(EVENTS, extra="&per_page=100" + ALL, key="ticket_events")
        ids = [e["id"] for e in records]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual({e["ticket_id"] for e in records}, set(self.account.tickets))
        truth = self.jsonl("/_sim/ticket_events.jsonl")
        self.assertEqual(sorted(ids), sorted(e["id"] for e in truth))
        ticket_id = sorted(self.account.tickets)[3]
        if self.account.tickets[ticket_id]["status"] == "deleted":
            self.control("POST", "/_sim/tickets/%d/restore" % ticket_id)
        self.control("PATCH", "/_sim/tickets/%d" % ticket_id, {"priority": "urgent", "comment": "Ça marche ✓"})
        self.control("POST", "/_sim/clock", {"advance": 61})
        newest = self.account.event_stream()[0].keys[-1]
        page = self.ok(EVENTS + "?start_time=%d&include=comment_events" % newest[0] + ALL)
        event = page["ticket_events"][-1]
        self.assertEqual(event["ticket_id"], ticket_id)
        change = [c for c in event["child_events"] if c["event_type"] == "Change"][0]
        self.assertEqual((change["priority"], change["event_type"]), ("urgent", "Change"))
        self.assertIn("previous_value", change)
        self.assertEqual([c["body"] for c in event["child_events"] if c["event_type"] == "Comment"],
                         ["Ça marche ✓"])

    def test_generated_ticket_events_are_history(self):
        """A generated ticket's creation and update events show it as it was
        then: later updates, a delete and a scrub do not rewrite them (the
        crash soak found the creation event following a later priority)."""
        ticket_id = max(i for i, t in self.account.tickets.items()
                        if t["status"] not in ("deleted", "closed") and t["updated_at"] > t["created_at"])

        def events():
            truth = [e for e in self.jsonl("/_sim/ticket_events.jsonl?include=comment_events")
                     if e["ticket_id"] == ticket_id]
            records, _ = self.time_export_all(EVENTS, extra="&per_page=1000&include=comment_events" + ALL,
                                              key="ticket_events")
            return truth, [e for e in records if e["ticket_id"] == ticket_id]

        before, exported = events()
        self.assertEqual(len(before), 2)
        self.assertEqual(exported, before)
        priority = "low" if self.account.tickets[ticket_id]["priority"] != "low" else "urgent"
        self.control("PATCH", "/_sim/tickets/%d" % ticket_id,
                     {"priority": priority, "subject": "Changed later", "status": "solved"})
        self.control("DELETE", "/_sim/tickets/%d" % ticket_id)
        self.control("POST", "/_sim/tickets/%d/scrub" % ticket_id)
        self.control("POST", "/_sim/clock", {"advance": 61})
        after, exported = events()
        self.assertEqual(after[:2], before)
        self.assertEqual(exported[:2], before)
        self.assertEqual(len(after), 3)

    def test_ticket_metric_events(self):
        page = self.ok(METRICS + "?start_time=0&per_page=10")
        self.assertEqual(list(page), ["ticket_metric_events", "next_page", "count", "end_time"])
        event = page["ticket_metric_events"][0]
        self.assertEqual(list(event), ["id", "ticket_id", "metric", "instance_id", "type", "time"])
        self.switch(metric_events_end_of_stream=True)
        self.assertIn("end_of_stream", self.ok(METRICS + "?start_time=0&per_page=10"))


class TestAgentsAndScopes(SimulatorCase):
    """Incremental exports are admin only (§1)."""

    def test_agent_gets_403_on_exports_only(self):
        from simcase import AGENT_BASIC
        for path in (EXPORT + "?start_time=0", TIME + "?start_time=0", ORGS + "?start_time=0"):
            resp, body = self.get_json(path, auth=AGENT_BASIC)
            self.assertEqual(resp.status, 403)
            self.assertEqual(body["error"]["title"], "Forbidden")
        resp, body = self.get_json("/api/v2/tickets.json", auth=AGENT_BASIC)
        self.assertEqual(resp.status, 200)
        me = self.ok("/api/v2/users/me.json", auth=AGENT_BASIC)["user"]
        self.assertEqual(me["role"], "agent")


class TestCursorBase64(SimulatorCase):
    def test_cursor_is_url_encoded_in_after_url(self):
        page = self.ok(EXPORT + "?start_time=0&per_page=1")
        raw = urllib.parse.urlsplit(page["after_url"]).query
        self.assertIn("cursor=" + urllib.parse.quote(page["after_cursor"], safe=""), raw)
        text = base64.b64decode(page["after_cursor"]).decode()
        self.assertRegex(text, r"^\d+\.0\|\|\d+\|$")
