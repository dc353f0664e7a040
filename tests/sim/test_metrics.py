"""Ticket metrics (sim/README.md §14): the metric_sets sideload of the ticket
exports and show_many in either shape (switch metric_sets_shape), a ticket's
metrics endpoint (archived tickets too, 404 for deleted ones), and the ground
truth they all agree with."""

from simcase import SimulatorCase, path_of


class TestMetricSets(SimulatorCase):
    tickets = 300

    def switch(self, **values):
        before = self.sim.switches.as_dict()
        self.control("POST", "/_sim/switches", values)
        self.addCleanup(self.sim.switches.update, {k: before[k] for k in values})

    def export(self):
        """The whole cursor export with include=metric_sets: tickets, pages."""
        self.clock_forward()
        url = ("/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=100"
               "&exclude_deleted=true&support_type_scope=all&include=metric_sets")
        pages = []
        while True:
            page = self.ok(url)
            pages.append(page)
            if page["end_of_stream"]:
                return pages
            # the parameters that decide a page go with every request (§4.1)
            url = path_of(page["after_url"]) + ("&exclude_deleted=true&support_type_scope=all"
                                                "&include=metric_sets")

    def clock_forward(self):
        self.control("POST", "/_sim/clock", {"advance": 120})

    def test_top_level_array_keyed_by_ticket_id(self):
        truth = {m["ticket_id"]: m for m in self.truth("ticket_metrics")}
        seen = {}
        for page in self.export():
            ids = [t["id"] for t in page["tickets"]]
            self.assertEqual([m["ticket_id"] for m in page["metric_sets"]], ids)
            self.assertNotIn("metric_set", page["tickets"][0] if page["tickets"] else {})
            seen.update((m["ticket_id"], m) for m in page["metric_sets"])
        self.assertEqual(seen, truth)
        sample = next(iter(truth.values()))
        for key in ("reply_time_in_minutes", "full_resolution_time_in_minutes"):
            self.assertEqual(sorted(sample[key]), ["business", "calendar"])

    def test_per_ticket_shape(self):
        self.switch(metric_sets_shape="per_ticket")
        truth = {m["ticket_id"]: m for m in self.truth("ticket_metrics")}
        seen = {}
        for page in self.export():
            self.assertNotIn("metric_sets", page)
            for t in page["tickets"]:
                self.assertEqual(t["metric_set"]["ticket_id"], t["id"])
                seen[t["id"]] = t["metric_set"]
        self.assertEqual(seen, truth)

    def test_show_many_and_per_ticket_endpoint(self):
        truth = {m["ticket_id"]: m for m in self.truth("ticket_metrics")}
        ids = sorted(truth)[:3]
        page = self.ok("/api/v2/tickets/show_many.json?ids=%s&include=metric_sets"
                       % ",".join(map(str, ids)))
        self.assertEqual(page["metric_sets"], [truth[i] for i in ids])
        self.switch(metric_sets_shape="per_ticket")
        page = self.ok("/api/v2/tickets/show_many.json?ids=%s&include=metric_sets"
                       % ",".join(map(str, ids)))
        self.assertEqual([t["metric_set"] for t in page["tickets"]], [truth[i] for i in ids])
        self.assertEqual(self.ok("/api/v2/tickets/%d/metrics.json" % ids[0]),
                         {"ticket_metric": truth[ids[0]]})
        self.control("POST", "/_sim/tickets/%d/archive" % ids[1], {})
        self.assertEqual(self.ok("/api/v2/tickets/%d/metrics.json" % ids[1])["ticket_metric"]["ticket_id"],
                         ids[1])
        self.control("DELETE", "/_sim/tickets/%d" % ids[2])
        resp, _ = self.get_json("/api/v2/tickets/%d/metrics.json" % ids[2])
        self.assertEqual(resp.status, 404)
        self.assertNotIn(ids[2], {m["ticket_id"] for m in self.truth("ticket_metrics")})
