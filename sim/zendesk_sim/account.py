"""The simulated Zendesk account: its records and its clock.

An account is generated deterministically from a seed and a size, so a test
can compute the ground truth it expects.  Record shapes follow the real
objects (shared/zendesk-api.md §8, checked against shared/fixtures/).

The clock is real time plus an offset that tests can move forward: the
`Date` header, the one-minute rule and the timestamps of mutations follow it.
"""

import datetime
import random
import threading
import time

# Generated records change between these two instants (2026-01-01 and
# 2026-10-01, UTC): always more than a minute in the past.
HISTORY_START = 1767225600
HISTORY_END = 1790812800

SUBJECT_WORDS = [
    "printer", "invoice", "login", "refund", "shipping", "password", "order",
    "upgrade", "billing", "export", "crash", "delay", "account", "café",
    "Rückerstattung", "配送", "заказ", "🚚 late",
]
TAGS = ["vip", "billing", "bug", "feature_request", "urgent", "churn_risk",
        "emea", "apac", "ünïcode"]
STATUSES = ["new", "open", "pending", "hold", "solved", "closed"]
PRIORITIES = [None, "low", "normal", "high", "urgent"]
TYPES = [None, "question", "incident", "problem", "task"]
CHANNELS = ["web", "email", "api", "mobile", "chat"]


def iso(ts):
    """Zendesk's timestamp format: ISO 8601, UTC, seconds, Z."""
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


class Clock:
    """Real time plus an offset tests can advance."""

    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self):
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds):
        with self._lock:
            self._offset += seconds
            return time.time() + self._offset


class Account:
    """Records of one account, with the stream time of each."""

    def __init__(self, seed=1, tickets=100, subdomain="example"):
        self.seed = seed
        self.subdomain = subdomain
        self.clock = Clock()
        self.lock = threading.RLock()
        rng = random.Random(seed)
        self.user_ids = [6130869168922 + 7919 * i for i in range(max(5, tickets // 10))]
        self.org_ids = [6130869157658 + 104729 * i for i in range(max(2, tickets // 50))]
        self.brand_id = 6130830354842
        self.form_id = 6130830344474
        self.tickets = {}
        self._ticket_stream = None
        self._make_tickets(rng, tickets)

    # -- generation -------------------------------------------------------

    def _make_tickets(self, rng, n):
        # Creation times spread evenly over the history, in bursts: about a
        # third of the tickets share their second with the previous one (the
        # case that breaks naive time-based pagination).
        created = HISTORY_START
        for ticket_id in range(1, n + 1):
            if ticket_id == 1 or rng.random() >= 0.3:
                created = max(created, HISTORY_START + (HISTORY_END - HISTORY_START) * ticket_id // (n + 1)
                              + rng.randrange(0, 60))
            updated = created if rng.random() < 0.5 else created + rng.randrange(0, 86400 * 20)
            updated = min(updated, HISTORY_END)
            # generated_timestamp: every change, system ones too (0-5 s later)
            generated = updated + rng.randrange(0, 6)
            self.tickets[ticket_id] = self._ticket(rng, ticket_id, created, updated, generated)

    def _ticket(self, rng, ticket_id, created, updated, generated):
        status = rng.choice(STATUSES)
        deleted = rng.random() < 0.05
        words = rng.sample(SUBJECT_WORDS, 2)
        subject = "%s %s #%d" % (words[0].capitalize(), words[1], ticket_id)
        requester = rng.choice(self.user_ids)
        ttype = rng.choice(TYPES)
        channel = rng.choice(CHANNELS)
        return {
            "url": None,  # filled in per request, from the base URL
            "id": ticket_id,
            "external_id": None if rng.random() < 0.8 else "ext-%d" % ticket_id,
            "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": iso(created),
            "updated_at": iso(updated),
            "type": ttype,
            "subject": subject,
            "raw_subject": subject,
            "description": "Customer wrote about %s.\nSecond line with \"quotes\"." % words[0],
            "priority": rng.choice(PRIORITIES),
            "status": "deleted" if deleted else status,
            "recipient": None if rng.random() < 0.7 else "support@%s.zendesk.com" % self.subdomain,
            "requester_id": requester,
            "submitter_id": requester,
            "assignee_id": None if rng.random() < 0.3 else rng.choice(self.user_ids),
            "organization_id": None if rng.random() < 0.2 else rng.choice(self.org_ids),
            "group_id": None if rng.random() < 0.4 else 360000000000 + rng.randrange(5),
            "collaborator_ids": sorted(rng.sample(self.user_ids, rng.randrange(0, 3))),
            "follower_ids": [],
            "email_cc_ids": [],
            "forum_topic_id": None,
            "problem_id": None,
            "has_incidents": False,
            "is_public": rng.random() < 0.9,
            "due_at": iso(created + 86400 * 7) if ttype == "task" else None,
            "tags": sorted(rng.sample(TAGS, rng.randrange(0, 4))),
            "custom_fields": [],
            "satisfaction_rating": None,
            "sharing_agreement_ids": [],
            "custom_status_id": 6130830355738,
            "fields": [],
            "followup_ids": [],
            "ticket_form_id": self.form_id,
            "brand_id": self.brand_id,
            "allow_channelback": False,
            "allow_attachments": True,
            "from_messaging_channel": False,
            "generated_timestamp": generated,
        }

    # -- reading ----------------------------------------------------------

    def ticket_stream(self):
        """Tickets in export order, (generated_timestamp, id), with their keys.

        Cached until the account changes.
        """
        with self.lock:
            if self._ticket_stream is None:
                stream = sorted(self.tickets.values(),
                                key=lambda t: (t["generated_timestamp"], t["id"]))
                keys = [(t["generated_timestamp"], t["id"]) for t in stream]
                self._ticket_stream = (stream, keys)
            return self._ticket_stream
