"""Replaying real traffic: an account seeded with the recorded ids and stream
times answers the recorded request sequence with the recorded pages.

TicketsIncrementalTest.test_pagination.json (117 requests, 2023-09-19):
time-based pages from start_time=0 (default per_page, then per_page=1) and
cursor pages (start_time=0, then per_page=1 by cursor).  UsersIncrementalTest
the same for users.  Both are zenpy's recordings in tests/fixtures/zenpy-gpl3,
kept whole (every record of every page).  The account holds exactly the records the recording
shows (ids, generated_timestamp or updated_at, updated_at, status); the clock
is set to each request's recording time.  Order within a second is not by id
on the real server and shuffled here, so records of a capped page's last
second are compared as a count, everything else as sets and, for cursor
pages, in order with the decoded cursors.
"""

import base64
import calendar
import datetime
import urllib.parse

from zendesk_sim.account import Account
from zendesk_sim.clock import Clock

from simcase import SimulatorCase, fixture


def recorded_epoch(text):
    return calendar.timegm(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").timetuple())


def epoch_of(iso):
    return calendar.timegm(datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").timetuple())


class ReplayCase(SimulatorCase):
    recording = None
    key = None

    @classmethod
    def recorded_records(cls):
        seen = {}
        for interaction in fixture(cls.recording):
            for record in interaction["body"][cls.key]:
                seen[record["id"]] = record
        return seen

    def replay(self, stream_ts):
        interactions = fixture(self.recording)
        checked_time = checked_cursor = 0
        for n, interaction in enumerate(interactions):
            where = "request %d: %s" % (n, interaction["uri"])
            self.account.clock.set(recorded_epoch(interaction["recorded_at"]))
            got = self.ok(interaction["uri"])
            real = interaction["body"]
            self.assertEqual(set(got), set(real), where)
            real_records, our_records = real[self.key], got[self.key]
            self.assertEqual(got["end_of_stream"], real["end_of_stream"], where)
            if "count" in real:
                checked_time += 1
                self.assertEqual(got["count"], real["count"], where)
                self.assertEqual(got["end_time"], real["end_time"], where)
                self.assertEqual(self.rest(got["next_page"]), self.rest(real["next_page"]), where)
                capped = real["count"] >= 1000
                last = real["end_time"]
                whole = (lambda r: stream_ts(r) < last) if capped else (lambda r: True)
                self.assertEqual({r["id"] for r in our_records if whole(r)},
                                 {r["id"] for r in real_records if whole(r)}, where)
                self.assertEqual(sum(1 for r in our_records if not whole(r)),
                                 sum(1 for r in real_records if not whole(r)), where)
                # stream order: by second, never by id within it
                seconds = [stream_ts(r) for r in our_records]
                self.assertEqual(seconds, sorted(seconds), where)
            else:
                checked_cursor += 1
                self.assertEqual([r["id"] for r in our_records], [r["id"] for r in real_records], where)
                self.assertEqual(base64.b64decode(got["after_cursor"]),
                                 base64.b64decode(real["after_cursor"]), where)
                self.assertEqual(got["after_cursor"], real["after_cursor"], where)
                self.assertEqual(self.rest(got["after_url"]), self.rest(real["after_url"]), where)
                self.assertIsNone(got["before_url"])
                self.assertIsNone(got["before_cursor"])
        return checked_time, checked_cursor

    @staticmethod
    def rest(url):
        """A pagination URL without its host (the recording's is another account's)."""
        parts = urllib.parse.urlsplit(url)
        return parts.path + "?" + parts.query


class TestTicketReplay(ReplayCase):
    recording = "TicketsIncrementalTest.test_pagination.json"
    key = "tickets"

    @classmethod
    def make_account(cls):
        times = [(t["id"], t["generated_timestamp"], t["updated_at"], t["status"])
                 for t in cls.recorded_records().values()]
        return Account(seed=1, ticket_times=sorted(times), clock=Clock(0))

    def test_recorded_page_sequence(self):
        self.assertEqual(len(self.account.tickets), 1001)
        time_pages, cursor_pages = self.replay(lambda t: t["generated_timestamp"])
        self.assertEqual((time_pages, cursor_pages), (16, 101))

    def test_seeded_tickets_keep_recorded_times_and_status(self):
        records = self.recorded_records()
        for ticket_id, real in records.items():
            ours = self.account.tickets[ticket_id]
            self.assertEqual(ours["generated_timestamp"], real["generated_timestamp"])
            self.assertEqual(ours["updated_at"], real["updated_at"])
            self.assertEqual(ours["status"], real["status"])
        # the recorded ticket 465: deleted, updated_at stays, generated_timestamp later (§3.4)
        self.assertEqual(epoch_of(self.account.tickets[465]["updated_at"]), 1695053386)
        self.assertEqual(self.account.tickets[465]["generated_timestamp"], 1695053389)


class TestUserReplay(ReplayCase):
    recording = "UsersIncrementalTest.test_pagination.json"
    key = "users"

    @classmethod
    def make_account(cls):
        records = cls.recorded_records()
        times = [(u["id"], u["updated_at"], u["created_at"], u["active"]) for u in records.values()]
        # the recorded account had more users after those the recording shows
        # (its first pages end with end_of_stream false): one stands for them
        last = max(epoch_of(u["updated_at"]) for u in records.values())
        times.append((max(records) + 1, last + 3600, last + 3600, True))
        return Account(seed=1, tickets=10, user_times=sorted(times), clock=Clock(0))

    def test_recorded_page_sequence(self):
        time_pages, cursor_pages = self.replay(lambda u: epoch_of(u["updated_at"]))
        self.assertGreater(time_pages, 20)
        self.assertGreater(cursor_pages, 90)
