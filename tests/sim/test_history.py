"""A ticket's audits and comments, per ticket (sim/README.md §13): the same
history the ticket events export serves, paginated, archived tickets served
whole, deleted tickets 404."""

from simcase import SimulatorCase, path_of


class TestHistory(SimulatorCase):
    tickets = 200

    def events_of(self, ticket_id):
        return [e for e in self.truth("ticket_events?include=comment_events")
                if e["ticket_id"] == ticket_id]

    def walk(self, path, key, size):
        url, rows, pages = "%s?page[size]=%d" % (path, size), [], 0
        while True:
            page = self.ok(url)
            pages += 1
            rows.extend(page[key])
            if not page["meta"]["has_more"]:
                return rows, pages
            url = path_of(page["links"]["next"])

    def test_audits_are_the_ticket_events(self):
        events = self.events_of(7)
        audits, pages = self.walk("/api/v2/tickets/7/audits.json", "audits", 1)
        self.assertEqual(pages, len(audits))
        self.assertEqual([a["id"] for a in audits], [e["id"] for e in events])
        for audit, event in zip(audits, events):
            self.assertEqual(audit["ticket_id"], 7)
            self.assertEqual(audit["created_at"], event["created_at"])
            self.assertEqual(audit["author_id"], event["updater_id"])
            self.assertEqual([x["id"] for x in audit["events"]],
                             [c["id"] for c in event["child_events"]])
            self.assertEqual({x["type"] for x in audit["events"]} - {"Create", "Change", "Comment"},
                             set())
            self.assertIsInstance(audit["via"], dict)
        self.assertEqual(audits, [a for a in self.truth("ticket_audits") if a["ticket_id"] == 7])

    def test_comments_are_the_comment_events(self):
        events = self.events_of(9)
        comments, _ = self.walk("/api/v2/tickets/9/comments.json", "comments", 100)
        wanted = [c for e in events for c in e["child_events"] if c["event_type"] == "Comment"]
        self.assertEqual([c["id"] for c in comments], [c["id"] for c in wanted])
        self.assertEqual([c["body"] for c in comments], [c["body"] for c in wanted])
        self.assertEqual(comments[0]["plain_body"], comments[0]["body"])
        self.assertEqual(sorted(comments[0]), sorted(
            ["id", "type", "author_id", "body", "html_body", "plain_body", "public",
             "attachments", "audit_id", "via", "metadata", "created_at"]))

    def test_archived_whole_deleted_404(self):
        self.control("POST", "/_sim/tickets/11/archive", {})
        page = self.ok("/api/v2/tickets/11/audits.json?page[size]=1")
        self.assertNotIn("meta", page)
        self.assertIsNone(page["next_page"])
        self.assertEqual(page["count"], len(page["audits"]))
        self.assertEqual(len(page["audits"]), len(self.events_of(11)))
        victim = next(t["id"] for t in self.truth("tickets")
                      if t["status"] != "deleted" and t["id"] > 11)
        self.control("DELETE", "/_sim/tickets/%d" % victim)
        resp, body = self.get_json("/api/v2/tickets/%d/audits.json" % victim)
        self.assertEqual(resp.status, 404)
        self.assertEqual(body["error"], "RecordNotFound")
        resp, _ = self.get_json("/api/v2/tickets/999999/comments.json")
        self.assertEqual(resp.status, 404)
        self.assertNotIn(victim, {a["ticket_id"] for a in self.truth("ticket_audits")})
