"""The simulated account: its records, their export order, and mutations.

An account is generated deterministically from a seed and a size (or seeded
from recorded (id, timestamp) tuples), so a test can compute the ground truth
it expects.  Record shapes live in records.py; this module owns the state:
tickets, users, organizations, ticket fields, user and organization fields,
ticket events and ticket metric events, the hidden facts the JSON does not
show (AI-agent tickets, archived tickets), the stream indexes the exports page
through, and every mutation the control API offers.  Mutations take their
timestamps from the account's clock (clock.py), which tests can move.
"""

import random
import threading

from . import records
from .clock import Clock
from .records import HISTORY_END, HISTORY_START, epoch, iso  # noqa: F401 (re-exported)
from .streams import StreamIndex

__all__ = ["Account", "Clock", "SimError", "iso", "HISTORY_START", "HISTORY_END"]

TICKET_WRITABLE = set(records.TICKET_KEYS) - {"url", "id", "created_at", "fields"}
USER_WRITABLE = set(records.USER_KEYS) - {"url", "id", "created_at"}
ORG_WRITABLE = set(records.ORGANIZATION_KEYS) - {"url", "id", "created_at"}
SYSTEM_FIELD_TYPES = {"subject", "description", "status", "tickettype", "priority", "group",
                      "assignee", "custom_status"}
TICKET_FIELD_TYPES = {"text", "textarea", "checkbox", "date", "integer", "decimal", "regexp",
                      "partialcreditcard", "multiselect", "tagger", "lookup"}
USER_FIELD_TYPES = {"text", "textarea", "checkbox", "date", "integer", "decimal", "regexp",
                    "dropdown", "multiselect", "lookup"}


class SimError(Exception):
    """A control-API request the account refuses: HTTP status and message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _as_epoch(value):
    if value is None:
        return None
    if isinstance(value, str):
        return epoch(value)
    return int(value)


class Account:
    """Records of one account, with the stream time of each."""

    def __init__(self, seed=1, tickets=100, subdomain="example", admin_email="admin@example.com",
                 agent_email="agent@example.com", clock=None, ticket_times=None,
                 user_times=None, organizations=None, events=True):
        """ticket_times: optional (id, generated_timestamp[, updated_at[, status]]) tuples
        (updated_at as epoch or ISO 8601) to seed the tickets' ids and stream times
        exactly (e.g. from a recording); user_times likewise (id, updated_at[, created_at]).
        organizations: how many (default tickets // 50, at least 2)."""
        self.seed = seed
        self.subdomain = subdomain
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.admin_email = admin_email
        self.agent_email = agent_email
        rng_users = random.Random("%d:users" % seed)
        rng_orgs = random.Random("%d:orgs" % seed)

        ntickets = len(ticket_times) if ticket_times is not None else tickets
        if user_times is not None:
            self.user_ids = [int(entry[0]) for entry in user_times]
        else:
            self.user_ids = [6130869168922 + 7919 * i for i in range(max(5, ntickets // 10))]
        norgs = organizations if organizations is not None else max(2, ntickets // 50)
        self.org_ids = [6130869157658 + 104729 * i for i in range(norgs)]
        self.brand_id = records.BRAND_ID
        self.form_id = records.FORM_ID

        # field definitions
        self.ticket_fields = records.default_ticket_fields()
        self.user_fields = [records.user_field(*spec, position=i)
                            for i, spec in enumerate(records.USER_FIELD_SPECS)]
        self.organization_fields = [records.organization_field(*spec, position=i)
                                    for i, spec in enumerate(records.ORG_FIELD_SPECS)]

        # hidden facts (§3.6, §2 support_type_scope)
        self.ai_tickets = set()
        self.archived = set()
        self.deleted_status = {}     # ticket id -> status before deletion
        self.deleted_orgs = {}       # org id -> the organization at deletion

        self.tickets = {}
        self.users = {}
        self.user_ts = {}
        self.organizations = {}
        self.org_ts = {}
        self._make_organizations(rng_orgs)
        self._make_users(rng_users, user_times)
        self._make_tickets(seed, tickets, ticket_times)

        self.ticket_index = StreamIndex((t["generated_timestamp"], i) for i, t in self.tickets.items())
        self.user_index = StreamIndex((ts, i) for i, ts in self.user_ts.items())
        self.org_index = StreamIndex((ts, i) for i, ts in self.org_ts.items())
        self._events = None          # lazily: event id -> tuple
        # a generated ticket as generated, kept when it is first changed: its
        # generated events (creation, first update) are history and show it
        self._generated = {}
        self._event_index = None
        self._metric_events = None
        self._metric_index = None
        self._next_event_id = records.EVENT_ID_BASE + (1 << 40)
        self._next_metric_id = records.METRIC_EVENT_ID_BASE + (1 << 40)
        self._sorted_ids = {}        # cache for the standard lists
        self._counts = {}            # count endpoint snapshots
        self._live_counts = {}
        self.search_cache = {}       # (kind, query) -> (generation, matches), routes.search_export
        self.generation = 0          # bumped on every mutation
        self.fields_generation = 0   # bumped when a field definition changes
        self.refresh_counts()

    # -- generation -------------------------------------------------------

    def _make_organizations(self, rng):
        n = len(self.org_ids)
        for index, org_id in enumerate(self.org_ids):
            created = HISTORY_START - 86400 * 30 + (HISTORY_END - HISTORY_START) * index // (2 * n + 1)
            created += rng.randrange(0, 3600)
            updated = created if rng.random() < 0.5 else min(HISTORY_END, created + rng.randrange(0, 86400 * 60))
            if index and rng.random() < 0.2:
                # bulk imports: several organizations in one second
                prev = self.organizations[self.org_ids[index - 1]]
                updated = max(self.org_ts[self.org_ids[index - 1]], created)
                created = min(created, epoch(prev["created_at"]))
            org = records.generate_organization(rng, index, org_id, created, updated,
                                                self.organization_fields, self.user_ids)
            self.organizations[org_id] = org
            self.org_ts[org_id] = updated

    def _make_users(self, rng, user_times):
        n = len(self.user_ids)
        updated = HISTORY_START
        for index, user_id in enumerate(self.user_ids):
            if user_times is not None:
                entry = user_times[index]
                updated = _as_epoch(entry[1])
                created = _as_epoch(entry[2]) if len(entry) > 2 and entry[2] is not None else updated
            else:
                if index == 0 or rng.random() >= 0.35:
                    created = HISTORY_START - 86400 * 60 + (HISTORY_END - HISTORY_START) * index // (n + 1)
                    created += rng.randrange(0, 600)
                else:
                    created = updated  # the same second as the previous user: bulk creation
                updated = created if rng.random() < 0.6 else min(HISTORY_END, created + rng.randrange(0, 86400 * 30))
            user = records.generate_user(rng, index, user_id, created, updated, self.org_ids,
                                         self.admin_email, self.agent_email, self.user_fields,
                                         self.subdomain)
            if user_times is not None and len(user_times[index]) > 3 and user_times[index][3] is not None:
                user["active"] = bool(user_times[index][3])
            if not user["active"]:
                # a deleted user: active false, updated at deletion (§3.5)
                updated = min(HISTORY_END, updated + rng.randrange(60, 86400 * 5)) if user_times is None else updated
                user["updated_at"] = iso(updated)
            self.users[user_id] = user
            self.user_ts[user_id] = updated

    def _make_tickets(self, seed, n, ticket_times):
        gen = records.TicketGenerator(seed, self.user_ids, self.org_ids, self.subdomain)
        custom = [f for f in self.ticket_fields if f["type"] not in SYSTEM_FIELD_TYPES]
        if ticket_times is None:
            source = gen.times(n)
        else:
            source = self._seeded_times(ticket_times)
        for entry in source:
            ticket_id, created, updated, generated = entry[:4]
            forced_status = entry[4] if len(entry) > 4 else None
            ticket, _ = gen.ticket(ticket_id, created, updated, generated, forced_status)
            ticket, flags = gen.embellish(ticket, custom)
            if ticket["status"] == "deleted":
                self.deleted_status[ticket_id] = "open"
                if ticket_times is None and not flags["scrubbed"]:
                    # deleted later than the last update: generated_timestamp moves,
                    # updated_at stays (§3.4, §3.5)
                    ticket["generated_timestamp"] = min(
                        HISTORY_END, generated + gen.extra.randrange(60, 86400 * 3))
            elif ticket["status"] == "closed" and updated < records.ARCHIVE_BEFORE:
                self.archived.add(ticket_id)
            if flags["ai_agent"] and ticket_times is None:
                self.ai_tickets.add(ticket_id)
            self.tickets[ticket_id] = ticket

    @staticmethod
    def _seeded_times(ticket_times):
        for entry in ticket_times:
            ticket_id, generated = int(entry[0]), int(entry[1])
            updated = _as_epoch(entry[2]) if len(entry) > 2 and entry[2] is not None else generated
            status = entry[3] if len(entry) > 3 else None
            yield ticket_id, updated, updated, generated, status

    # -- reading ----------------------------------------------------------

    def now(self):
        return int(self.clock.now())

    def ticket_stream(self):
        """Tickets in export order, (generated_timestamp, id), with their keys."""
        with self.lock:
            keys = list(self.ticket_index.keys)
            return [self.tickets[i] for _, i in keys], keys

    def custom_ticket_fields(self):
        return [f for f in self.ticket_fields if f["type"] not in SYSTEM_FIELD_TYPES]

    def render_context(self, base, switches):
        return records.RenderContext(base, self.custom_ticket_fields(), self.user_fields,
                                     self.organization_fields,
                                     switches is not None and switches.number_values == "number",
                                     self.fields_generation)

    def support_type(self, ticket_id):
        return "ai_agent" if ticket_id in self.ai_tickets else "agent"

    def organization_for_export(self, org_id, tombstones):
        """An organization as the export sees it: deleted ones only as tombstones."""
        org = self.organizations.get(org_id)
        if org is not None:
            return org
        if tombstones:
            return self.deleted_orgs.get(org_id)
        return None

    def sorted_ids(self, kind):
        """Ids for the standard lists, cached until the next mutation:
        tickets (not deleted, not archived, §3.6), users (active), organizations."""
        with self.lock:
            cached = self._sorted_ids.get(kind)
            if cached is not None and cached[0] == self.generation:
                return cached[1]
            if kind == "tickets":
                ids = sorted(i for i, t in self.tickets.items()
                             if t["status"] != "deleted" and i not in self.archived)
            elif kind == "users":
                ids = sorted(i for i, u in self.users.items() if u["active"])
            elif kind == "organizations":
                ids = sorted(self.organizations)
            elif kind == "organizations_by_name":
                ids = sorted(self.organizations, key=lambda i: (self.organizations[i]["name"], i))
            else:
                raise KeyError(kind)
            self._sorted_ids[kind] = (self.generation, ids)
            return ids

    # -- events (lazy) ------------------------------------------------------

    def _ensure_events(self):
        if self._events is not None:
            return
        events = {}
        pairs = []
        for ticket_id, ticket in self.tickets.items():
            created = epoch(ticket["created_at"])
            updated = epoch(ticket["updated_at"])
            eid = records.EVENT_ID_BASE + ticket_id * 64
            events[eid] = (created, eid, ticket_id, "create", None)
            pairs.append((created, eid))
            if updated > created:
                eid2 = eid + 32
                events[eid2] = (updated, eid2, ticket_id, "update", None)
                pairs.append((updated, eid2))
        self._events = events
        self._event_index = StreamIndex(pairs)

    def event_ticket(self, ticket_id):
        """The ticket an event of ticket_id is rendered from: as generated (the
        generated events are its history, which later changes do not rewrite)."""
        ticket = self._generated.get(ticket_id)
        return ticket if ticket is not None else self.tickets.get(ticket_id)

    def event_stream(self):
        with self.lock:
            self._ensure_events()
            return self._event_index, self._events

    def _ensure_metric_events(self):
        if self._metric_events is not None:
            return
        events = {}
        pairs = []
        for ticket_id, ticket in self.tickets.items():
            created = epoch(ticket["created_at"])
            base = records.METRIC_EVENT_ID_BASE + ticket_id * 16
            for k, metric in enumerate(("reply_time", "requester_wait_time", "resolution_time",
                                        "agent_work_time")):
                events[base + k] = (created, base + k, ticket_id, metric, "activate")
                pairs.append((created, base + k))
            if ticket["status"] in ("solved", "closed"):
                updated = epoch(ticket["updated_at"])
                for k, metric in enumerate(("requester_wait_time", "resolution_time", "agent_work_time")):
                    mid = base + 8 + k
                    events[mid] = (updated, mid, ticket_id, metric, "fulfill")
                    pairs.append((updated, mid))
        self._metric_events = events
        self._metric_index = StreamIndex(pairs)

    def metric_event_stream(self):
        with self.lock:
            self._ensure_metric_events()
            return self._metric_index, self._metric_events

    def _add_event(self, ts, ticket_id, kind, data):
        self._ensure_events()
        eid = self._next_event_id
        self._next_event_id += 16
        self._events[eid] = (ts, eid, ticket_id, kind, data)
        self._event_index.add((ts, eid))
        return eid

    def _add_metric_events(self, ts, ticket_id, mtype, metrics):
        self._ensure_metric_events()
        for metric in metrics:
            mid = self._next_metric_id
            self._next_metric_id += 1
            self._metric_events[mid] = (ts, mid, ticket_id, metric, mtype)
            self._metric_index.add((ts, mid))

    # -- counts (§6.1) --------------------------------------------------------

    def live_count(self, kind):
        """Tickets not deleted, active users, organizations (cached until a mutation)."""
        cached = self._live_counts.get(kind)
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        if kind == "tickets":
            value = sum(1 for t in self.tickets.values() if t["status"] != "deleted")
        elif kind == "users":
            value = sum(1 for u in self.users.values() if u["active"])
        else:
            value = len(self.organizations)
        self._live_counts[kind] = (self.generation, value)
        return value

    def refresh_counts(self):
        with self.lock:
            now = self.now()
            for kind in ("tickets", "users", "organizations"):
                self._counts[kind] = (self.live_count(kind), now)

    def count(self, kind, mode):
        """(value, refreshed_at epoch or None) as the count endpoint answers."""
        with self.lock:
            now = self.now()
            if mode == "live":
                return self.live_count(kind), now
            value, refreshed = self._counts[kind]
            if mode == "frozen":
                return value, refreshed
            live = self.live_count(kind)
            if live <= 100000:
                return live, now
            if now - refreshed >= 86400:
                self._counts[kind] = (live, now)
                return live, now
            return value, refreshed

    # -- mutations: tickets -------------------------------------------------

    def _touched(self):
        self.generation += 1

    def _ticket(self, ticket_id):
        ticket = self.tickets.get(int(ticket_id))
        if ticket is None:
            raise SimError(404, "no ticket %s" % ticket_id)
        return ticket

    def _replace_ticket(self, old, new):
        if old is not None:
            self._generated.setdefault(old["id"], old)
        self.tickets[new["id"]] = new
        self.ticket_index.move(None if old is None else (old["generated_timestamp"], old["id"]),
                               (new["generated_timestamp"], new["id"]))
        self._touched()

    def _custom_values(self, current, given):
        """Merge custom-field values given as [{id, value}] or {id: value}."""
        values = dict(current)
        if isinstance(given, dict):
            items = given.items()
        else:
            items = ((entry["id"], entry.get("value")) for entry in given)
        known = {f["id"] for f in self.custom_ticket_fields()}
        for field_id, value in items:
            field_id = int(field_id)
            if field_id not in known:
                raise SimError(422, "no custom ticket field %d" % field_id)
            if value is None:
                values.pop(field_id, None)
            else:
                values[field_id] = value
        return values

    def _apply_ticket_changes(self, ticket, changes):
        """Apply changes to a copy; returns (new ticket, [(field, value, previous)])."""
        new = dict(ticket)
        diff = []
        for key, value in changes.items():
            if key in ("custom_fields", "fields"):
                values = self._custom_values(ticket["custom_fields"], value)
                changed = {str(k): v for k, v in values.items()
                           if ticket["custom_fields"].get(k) != v}
                new["custom_fields"] = new["fields"] = values
                if changed:
                    diff.append(("custom_fields", changed, None))
                continue
            if key not in TICKET_WRITABLE:
                raise SimError(422, "ticket attribute %r cannot be set" % key)
            if key in ("updated_at",) and value is not None and not isinstance(value, str):
                value = iso(value)
            if new.get(key) != value:
                if key not in ("updated_at", "generated_timestamp"):
                    diff.append((key, value, new.get(key)))
                new[key] = value
        if "subject" in changes and "raw_subject" not in changes:
            new["raw_subject"] = new["subject"]
        if "status" in changes and new["status"] in records.CUSTOM_STATUS_IDS:
            new["custom_status_id"] = records.CUSTOM_STATUS_IDS[new["status"]]
        return new, diff

    def create_tickets(self, values=None, count=1):
        """New tickets, all stamped now (count > 1: a burst in one second)."""
        values = dict(values or {})
        comment = values.pop("comment", None)
        support_type = values.pop("support_type", "agent")
        with self.lock:
            self._ensure_events()
            now = self.now()
            created = []
            next_id = max(self.tickets, default=0) + 1
            for _ in range(int(count)):
                requester = values.get("requester_id", self.user_ids[min(2, len(self.user_ids) - 1)])
                ticket = records.new_ticket(next_id, now, requester, values, self.subdomain)
                changes = {k: v for k, v in values.items() if k not in ("subject", "description")}
                ticket, _ = self._apply_ticket_changes(ticket, changes)
                ticket["generated_timestamp"] = int(values.get("generated_timestamp", now))
                self._replace_ticket(None, ticket)
                if support_type == "ai_agent":
                    self.ai_tickets.add(next_id)
                ts = _as_epoch(ticket["created_at"])
                self._add_event(ts, next_id, "created", (
                    [(field, ticket[field], None) for field in ("subject", "status", "priority", "type",
                                                                "requester_id", "tags")],
                    (comment or ticket["description"], True), ticket["requester_id"]))
                self._add_metric_events(ts, next_id, "activate",
                                        ("reply_time", "requester_wait_time", "resolution_time",
                                         "agent_work_time"))
                created.append(ticket)
                next_id += 1
            return created

    def update_ticket(self, ticket_id, changes, system=False, comment=None, updater_id=None):
        """An update: updated_at and generated_timestamp move to now, and a ticket
        event records it; system=True: only generated_timestamp moves (§3.4)."""
        changes = dict(changes or {})
        if "comment" in changes:
            comment = changes.pop("comment")
        with self.lock:
            self._ensure_events()
            ticket = self._ticket(ticket_id)
            if ticket["status"] == "deleted":
                raise SimError(422, "ticket %s is deleted: restore it first" % ticket_id)
            now = self.now()
            new, diff = self._apply_ticket_changes(ticket, changes)
            if "generated_timestamp" not in changes:
                new["generated_timestamp"] = now
            if not system and "updated_at" not in changes and (diff or comment is not None):
                new["updated_at"] = iso(now)
            self._replace_ticket(ticket, new)
            self.archived.discard(new["id"])
            if not system and (diff or comment is not None):
                if isinstance(comment, str):
                    comment = (comment, True)
                elif isinstance(comment, dict):
                    comment = (comment.get("body", ""), bool(comment.get("public", True)))
                self._add_event(_as_epoch(new["updated_at"]), new["id"], "changes",
                                (diff, comment, updater_id))
                if any(field == "status" and value in ("solved", "closed") for field, value, _ in diff):
                    self._add_metric_events(now, new["id"], "fulfill",
                                            ("requester_wait_time", "resolution_time", "agent_work_time"))
            return new

    def touch_tickets(self, ids=None):
        """System updates: generated_timestamp moves to now, updated_at stays (§3.4)."""
        with self.lock:
            now = self.now()
            ids = list(self.tickets) if ids is None else [int(i) for i in ids]
            out = []
            for ticket_id in ids:
                ticket = self._ticket(ticket_id)
                new = dict(ticket)
                new["generated_timestamp"] = now
                self._replace_ticket(ticket, new)
                out.append(new)
            return out

    def delete_ticket(self, ticket_id):
        """Soft delete: status deleted, generated_timestamp moves, updated_at stays (§3.5)."""
        with self.lock:
            ticket = self._ticket(ticket_id)
            if ticket["status"] == "deleted":
                raise SimError(422, "ticket %s is already deleted" % ticket_id)
            new = dict(ticket)
            self.deleted_status[new["id"]] = ticket["status"]
            new["status"] = "deleted"
            new["generated_timestamp"] = self.now()
            self._replace_ticket(ticket, new)
            self.archived.discard(new["id"])
            return new

    def restore_ticket(self, ticket_id):
        with self.lock:
            ticket = self._ticket(ticket_id)
            if ticket["status"] != "deleted":
                raise SimError(422, "ticket %s is not deleted" % ticket_id)
            if ticket["subject"] == "SCRUBBED" and ticket["description"] == "X":
                raise SimError(404, "ticket %s was permanently deleted" % ticket_id)
            new = dict(ticket)
            new["status"] = self.deleted_status.pop(new["id"], "open")
            new["generated_timestamp"] = self.now()
            self._replace_ticket(ticket, new)
            return new

    def scrub_ticket(self, ticket_id):
        """Permanent deletion: still in the stream, status deleted, subject SCRUBBED,
        description X (§3.5)."""
        with self.lock:
            ticket = self._ticket(ticket_id)
            new = dict(ticket)
            if new["status"] != "deleted":
                self.deleted_status[new["id"]] = new["status"]
                new["status"] = "deleted"
            new["subject"] = new["raw_subject"] = "SCRUBBED"
            new["description"] = "X"
            new["generated_timestamp"] = self.now()
            self._replace_ticket(ticket, new)
            self.archived.discard(new["id"])
            return new

    def archive_ticket(self, ticket_id):
        """Archive (closing first if needed): out of GET /tickets, still exported (§3.6)."""
        with self.lock:
            ticket = self._ticket(ticket_id)
            if ticket["status"] == "deleted":
                raise SimError(422, "ticket %s is deleted" % ticket_id)
            if ticket["status"] != "closed":
                ticket = self.update_ticket(ticket_id, {"status": "closed"})
            self.archived.add(ticket["id"])
            self._touched()
            return ticket

    def set_support_type(self, ticket_id, support_type):
        with self.lock:
            ticket = self._ticket(ticket_id)
            if support_type == "ai_agent":
                self.ai_tickets.add(ticket["id"])
            else:
                self.ai_tickets.discard(ticket["id"])
            self._touched()
            return ticket

    # -- mutations: users and organizations -----------------------------------

    def _user(self, user_id):
        user = self.users.get(int(user_id))
        if user is None:
            raise SimError(404, "no user %s" % user_id)
        return user

    def _replace_user(self, old, new, ts):
        self.users[new["id"]] = new
        old_ts = self.user_ts.get(new["id"])
        self.user_ts[new["id"]] = ts
        self.user_index.move(None if old is None else (old_ts, new["id"]), (ts, new["id"]))
        self._touched()

    def _apply_record_changes(self, record, changes, writable, fields_key, defs):
        new = dict(record)
        for key, value in changes.items():
            if key == fields_key:
                values = dict(record[fields_key])
                known = {f["key"] for f in defs}
                for fkey, fvalue in value.items():
                    if fkey not in known:
                        raise SimError(422, "no field %r" % fkey)
                    if fvalue is None:
                        values.pop(fkey, None)
                    else:
                        values[fkey] = fvalue
                new[fields_key] = values
                continue
            if key not in writable:
                raise SimError(422, "attribute %r cannot be set" % key)
            new[key] = value
        return new

    def create_user(self, values=None):
        values = dict(values or {})
        with self.lock:
            now = self.now()
            user_id = max(self.users, default=6130869168922) + 7919
            rng = random.Random("%d:user:%d" % (self.seed, user_id))
            user = records.generate_user(rng, len(self.users) + 2, user_id, now, now,
                                         self.org_ids, self.admin_email, self.agent_email,
                                         self.user_fields, self.subdomain)
            user["active"] = True
            user["suspended"] = False
            user = self._apply_record_changes(user, values, USER_WRITABLE, "user_fields", self.user_fields)
            user["updated_at"] = iso(now)
            self.user_ids.append(user_id)
            self._replace_user(None, user, now)
            return user

    def update_user(self, user_id, changes):
        with self.lock:
            user = self._user(user_id)
            now = self.now()
            new = self._apply_record_changes(user, changes or {}, USER_WRITABLE, "user_fields",
                                             self.user_fields)
            ts = _as_epoch(changes["updated_at"]) if "updated_at" in (changes or {}) else now
            new["updated_at"] = iso(ts)
            self._replace_user(user, new, ts)
            return new

    def delete_user(self, user_id):
        """Deleted users stay in the export with active false (§3.5)."""
        with self.lock:
            user = self._user(user_id)
            if not user["active"]:
                raise SimError(422, "user %s is already deleted" % user_id)
            return self.update_user(user_id, {"active": False})

    def _org(self, org_id):
        org = self.organizations.get(int(org_id))
        if org is None:
            raise SimError(404, "no organization %s" % org_id)
        return org

    def _replace_org(self, old, new, ts):
        self.organizations[new["id"]] = new
        old_ts = self.org_ts.get(new["id"])
        self.org_ts[new["id"]] = ts
        self.org_index.move(None if old is None else (old_ts, new["id"]), (ts, new["id"]))
        self._touched()

    def create_organization(self, values=None):
        values = dict(values or {})
        with self.lock:
            now = self.now()
            org_id = max(list(self.organizations) + list(self.deleted_orgs),
                         default=6130869157658) + 104729
            rng = random.Random("%d:org:%d" % (self.seed, org_id))
            org = records.generate_organization(rng, len(self.org_ids), org_id, now, now,
                                                self.organization_fields, self.user_ids)
            org = self._apply_record_changes(org, values, ORG_WRITABLE, "organization_fields",
                                             self.organization_fields)
            org["updated_at"] = iso(now)
            self.org_ids.append(org_id)
            self._replace_org(None, org, now)
            return org

    def update_organization(self, org_id, changes):
        with self.lock:
            org = self._org(org_id)
            now = self.now()
            new = self._apply_record_changes(org, changes or {}, ORG_WRITABLE,
                                             "organization_fields", self.organization_fields)
            ts = _as_epoch(changes["updated_at"]) if "updated_at" in (changes or {}) else now
            new["updated_at"] = iso(ts)
            self._replace_org(org, new, ts)
            return new

    def delete_organization(self, org_id):
        """Out of the API; in the export only as a tombstone (switch deleted_organizations)."""
        with self.lock:
            org = self._org(org_id)
            now = self.now()
            del self.organizations[org["id"]]
            tomb = dict(org)
            tomb["updated_at"] = iso(now)
            tomb["deleted_at"] = iso(now)
            self.deleted_orgs[org["id"]] = tomb
            self.org_index.move((self.org_ts[org["id"]], org["id"]), (now, org["id"]))
            self.org_ts[org["id"]] = now
            self._touched()
            return tomb

    # -- mutations: field definitions -----------------------------------------

    def _field_list(self, kind):
        return {"ticket_fields": self.ticket_fields, "user_fields": self.user_fields,
                "organization_fields": self.organization_fields}[kind]

    def field(self, kind, field_id):
        for field in self._field_list(kind):
            if field["id"] == int(field_id):
                return field
        raise SimError(404, "no %s %s" % (kind[:-1].replace("_", " "), field_id))

    def add_field(self, kind, spec):
        """A new custom field: no ticket changes (no generated_timestamp moves), it
        simply appears, null, in every record (§7.2)."""
        spec = dict(spec or {})
        ftype = spec.get("type", "text")
        title = spec.get("title", "New field")
        with self.lock:
            fields = self._field_list(kind)
            field_id = max((f["id"] for f in fields), default=1000) + 20
            position = len(fields)
            if kind == "ticket_fields":
                if ftype not in TICKET_FIELD_TYPES:
                    raise SimError(422, "ticket field type %r is not one of %s" % (ftype, sorted(TICKET_FIELD_TYPES)))
                extra = {k: v for k, v in spec.items() if k not in ("type", "title", "description")}
                if ftype in ("tagger", "multiselect") and "custom_field_options" not in extra:
                    extra["custom_field_options"] = records.field_options(
                        field_id * 10, [("One", "opt_one"), ("Two", "opt_two")])
                field = records.ticket_field(field_id, ftype, title, spec.get("description", title), extra, position)
            else:
                if ftype not in USER_FIELD_TYPES:
                    raise SimError(422, "field type %r is not one of %s" % (ftype, sorted(USER_FIELD_TYPES)))
                key = spec.get("key") or "field_%d" % field_id
                if any(f["key"] == key for f in fields):
                    raise SimError(422, "key %r is taken" % key)
                make = records.user_field if kind == "user_fields" else records.organization_field
                field = make(field_id, ftype, key, title, position)
                for name in ("active", "description", "custom_field_options"):
                    if name in spec:
                        field[name] = spec[name]
            now = iso(self.now())
            field["created_at"] = field["updated_at"] = now
            fields.append(field)
            self.fields_generation += 1
            self._touched()
            return field

    def update_field(self, kind, field_id, changes):
        """Change a field: title, active (deactivate), type (retype), options..."""
        with self.lock:
            fields = self._field_list(kind)
            old = self.field(kind, field_id)
            new = dict(old)
            for key, value in (changes or {}).items():
                if key in ("id", "url", "created_at"):
                    raise SimError(422, "%r cannot be changed" % key)
                if key == "key" and kind != "ticket_fields":
                    raise SimError(422, "the key of a user or organization field cannot change")
                new[key] = value
                if key == "title":
                    new["raw_title"] = new["title_in_portal"] = new["raw_title_in_portal"] = value
                    if kind != "ticket_fields":
                        new.pop("title_in_portal")
                        new.pop("raw_title_in_portal")
            new["updated_at"] = iso(self.now())
            fields[fields.index(old)] = new
            self.fields_generation += 1
            self._touched()
            return new

    def delete_field(self, kind, field_id):
        with self.lock:
            fields = self._field_list(kind)
            field = self.field(kind, field_id)
            if kind == "ticket_fields" and field["type"] in SYSTEM_FIELD_TYPES and not field["removable"]:
                raise SimError(403, "system field %s cannot be deleted" % field_id)
            fields.remove(field)
            self.fields_generation += 1
            self._touched()
            return field
