"""Zendesk's standard list resources beyond the four (sim/README.md §12).

groups, group_memberships, organization_memberships and brands are
cursor-paginated (CBP) or offset-paginated (OBP) lists; ticket_forms,
custom_statuses, sla_policies and schedules come in one unpaginated answer.
Each has a show endpoint.  The records are generated from the account's seed
and point at the account's users, organizations and ticket fields; the ids the
tickets already carry (group_id, brand_id, ticket_form_id, custom_status_id)
are ids of records here.

The store lives beside the account (one per simulator, built on first use);
the control API (/_sim/...) reads and mutates it: soft-deleted groups,
hard-deleted memberships, cursors expired on demand.
"""

import base64
import binascii
import bisect
import json
import random
import struct
import threading

from . import pagination, records
from .account import SimError
from .exports import ExportError

NOT_FOUND = {"error": "RecordNotFound", "description": "Not found"}
PLAN_FORBIDDEN = {"error": {"title": "Forbidden",
                            "message": "You do not have access to this page. Please contact the "
                                       "account owner of this help desk for further help."}}
PLAN_NOT_FOUND = {"error": "InvalidEndpoint", "description": "Not found"}
FOREIGN_HOST = "https://elsewhere.example.net"
ISSUED_LIMIT = 50000            # cursors whose hand-out time is remembered

GROUP_NAMES = ["Tier 1", "Tier 2", "Billing", "Ünïcode desk", "VIP"]
MEMBERSHIP_BASE = 6131000000000
ORG_MEMBERSHIP_BASE = 6132000000000
SECOND_BRAND_ID = records.BRAND_ID + 1024
FORM_IDS = (records.FORM_ID, records.FORM_ID + 2048, records.FORM_ID + 4096)
SLA_BASE = 360000068060
SCHEDULE_BASE = 360000131413
HOLIDAY_BASE = 360000250872
EXTRA_STATUS_IDS = (6130830356250, 6130830356378)
CREATED = records.epoch(records.FIELD_CREATED)
UPDATED = records.epoch(records.FIELD_UPDATED)

KEYS = {
    "groups": ("url", "id", "is_public", "name", "description", "default", "deleted",
               "created_at", "updated_at"),
    "group_memberships": ("url", "id", "user_id", "group_id", "default", "created_at",
                          "updated_at"),
    "organization_memberships": ("url", "id", "user_id", "organization_id", "default",
                                 "view_tickets", "organization_name", "created_at", "updated_at"),
    "brands": ("url", "id", "name", "brand_url", "subdomain", "host_mapping", "has_help_center",
               "help_center_state", "active", "default", "is_deleted", "logo", "ticket_form_ids",
               "signature_template", "created_at", "updated_at"),
    "ticket_forms": ("url", "id", "name", "raw_name", "display_name", "raw_display_name",
                     "end_user_visible", "position", "ticket_field_ids", "active", "default",
                     "in_all_brands", "restricted_brand_ids", "end_user_conditions",
                     "agent_conditions", "created_at", "updated_at"),
    "custom_statuses": ("url", "id", "status_category", "agent_label", "raw_agent_label",
                        "end_user_label", "raw_end_user_label", "description", "raw_description",
                        "end_user_description", "raw_end_user_description", "active", "default",
                        "created_at", "updated_at"),
    "sla_policies": ("url", "id", "title", "description", "position", "filter", "policy_metrics",
                     "created_at", "updated_at"),
    "schedules": ("url", "id", "name", "time_zone", "intervals", "created_at", "updated_at"),
    "holidays": ("id", "name", "start_date", "end_date"),
}
URL_PATHS = {"groups": "groups", "group_memberships": "group_memberships",
             "organization_memberships": "organization_memberships", "brands": "brands",
             "ticket_forms": "ticket_forms", "custom_statuses": "custom_statuses",
             "sla_policies": "slas/policies", "schedules": "business_hours/schedules"}
SINGULAR = {"groups": "group", "group_memberships": "group_membership",
            "organization_memberships": "organization_membership", "brands": "brand",
            "ticket_forms": "ticket_form", "custom_statuses": "custom_status",
            "sla_policies": "sla_policy", "schedules": "schedule"}
# the plan switch of each gated resource
GATES = {"sla_policies": "plan_sla_policies", "ticket_forms": "plan_ticket_forms",
         "schedules": "plan_schedules"}
COLLECTIONS = tuple(k for k in KEYS if k != "holidays")


def _now(account):
    return int(account.clock.now())


class ListStore:
    """The records of the list resources, by kind and id, and the cursors issued."""

    def __init__(self, account):
        self.account = account
        self.rng = random.Random("%d:lists" % account.seed)
        self.data = {kind: {} for kind in KEYS}
        self.holidays = {}           # schedule id -> {holiday id: holiday}
        self.issued = {}             # CBP cursor -> simulated time it was last handed out
        self.expired = set()         # cursors expired through the control API (until handed out again)
        self.next_id = {}
        self._make_groups()
        self._make_group_memberships()
        self._make_organization_memberships()
        self._make_brands()
        self._make_ticket_forms()
        self._make_custom_statuses()
        self._make_sla_policies()
        self._make_schedules()

    # -- generation ---------------------------------------------------------

    def _put(self, kind, record):
        full = {key: record.get(key) for key in KEYS[kind]}
        self.data[kind][full["id"]] = full
        return full

    def _times(self, floor=CREATED, spread=86400 * 300):
        created = max(CREATED, floor) + self.rng.randrange(0, spread)
        updated = created if self.rng.random() < 0.5 else created + self.rng.randrange(1, 86400 * 30)
        return records.iso(created), records.iso(updated)

    def _make_groups(self):
        # the five groups tickets, users and organizations point at (ids
        # GROUP_BASE + 0..4), and one deleted group
        for index, name in enumerate(GROUP_NAMES):
            self._put("groups", {"id": records.GROUP_BASE + index, "is_public": True, "name": name,
                                 "description": "", "default": index == 0, "deleted": False,
                                 "created_at": records.FIELD_CREATED,
                                 "updated_at": records.FIELD_UPDATED})
        self._put("groups", {"id": records.GROUP_BASE + 5, "is_public": False,
                             "name": "Old escalations", "description": "Escalations",
                             "default": False, "deleted": True,
                             "created_at": records.FIELD_CREATED,
                             "updated_at": records.iso(UPDATED + 86400 * 40)})
        self.next_id["groups"] = records.GROUP_BASE + 6

    def _live_group_ids(self):
        return sorted(i for i, g in self.data["groups"].items() if not g["deleted"])

    def _make_group_memberships(self):
        account = self.account
        next_id = MEMBERSHIP_BASE
        live = self._live_group_ids()
        for user_id in account.user_ids:
            user = account.users[user_id]
            if user["role"] == "end-user":
                continue
            default = user["default_group_id"]
            others = [g for g in live if g != default]
            chosen = [default] + sorted(self.rng.sample(others, self.rng.randrange(0, 3)))
            for group_id in chosen:
                created, updated = self._times(records.epoch(user["created_at"]))
                if self.rng.random() < 0.1:
                    updated = None   # "some group memberships come back without an updated_at"
                self._put("group_memberships", {
                    "id": next_id, "user_id": user_id, "group_id": group_id,
                    "default": group_id == default, "created_at": created, "updated_at": updated})
                next_id += 17
        self.next_id["group_memberships"] = next_id

    def _make_organization_memberships(self):
        account = self.account
        next_id = ORG_MEMBERSHIP_BASE
        for user_id in account.user_ids:
            user = account.users[user_id]
            org_id = user["organization_id"]
            if org_id is None or org_id not in account.organizations:
                continue
            orgs = [(org_id, True)]
            if len(account.org_ids) > 1 and self.rng.random() < 0.15:
                second = self.rng.choice([o for o in account.org_ids if o != org_id])
                orgs.append((second, None if self.rng.random() < 0.5 else False))
            for oid, default in orgs:
                created, updated = self._times(records.epoch(user["created_at"]))
                self._put("organization_memberships", {
                    "id": next_id, "user_id": user_id, "organization_id": oid,
                    "default": default, "view_tickets": self.rng.random() < 0.7,
                    "organization_name": account.organizations[oid]["name"],
                    "created_at": created, "updated_at": updated})
                next_id += 23
        self.next_id["organization_memberships"] = next_id

    def _make_brands(self):
        sub = self.account.subdomain
        self._put("brands", {
            "id": records.BRAND_ID, "name": sub.capitalize(),
            "brand_url": "https://%s.zendesk.com" % sub, "subdomain": sub, "host_mapping": None,
            "has_help_center": True, "help_center_state": "enabled", "active": True,
            "default": True, "is_deleted": False, "logo": None,
            "ticket_form_ids": list(FORM_IDS[:2]), "signature_template": "{{agent.signature}}",
            "created_at": records.FIELD_CREATED, "updated_at": records.FIELD_UPDATED})
        self._put("brands", {
            "id": SECOND_BRAND_ID, "name": "Ünïcode Outlet",
            "brand_url": "https://%s-outlet.zendesk.com" % sub, "subdomain": "%s-outlet" % sub,
            "host_mapping": "help.outlet.example.com", "has_help_center": False,
            "help_center_state": "disabled", "active": False, "default": False,
            "is_deleted": False, "logo": None, "ticket_form_ids": [FORM_IDS[0], FORM_IDS[2]],
            "signature_template": "", "created_at": records.FIELD_CREATED,
            "updated_at": records.iso(UPDATED + 3600)})
        self.next_id["brands"] = SECOND_BRAND_ID + 1024

    def _make_ticket_forms(self):
        field_ids = [f["id"] for f in self.account.ticket_fields if f.get("active", True)]
        specs = [
            (FORM_IDS[0], "Default Ticket Form", "Default Ticket Form", True, True, True, True, []),
            (FORM_IDS[1], "Billing question", "Ask about an invoice", True, False, True, True, []),
            (FORM_IDS[2], "Outlet returns", "Return an item", False, False, False, False,
             [SECOND_BRAND_ID]),
        ]
        for position, (fid, name, display, visible, default, active, all_brands, brands) \
                in enumerate(specs, start=1):
            created, updated = self._times()
            if default:
                created, updated = records.FIELD_CREATED, records.FIELD_UPDATED
            ids = field_ids if default else field_ids[:6] + field_ids[-2:]
            conditions = [] if default or len(ids) < 8 else [
                {"parent_field_id": ids[-1], "value": True,
                 "child_fields": [{"id": ids[-2], "is_required": False}]}]
            self._put("ticket_forms", {
                "id": fid, "name": name, "raw_name": name, "display_name": display,
                "raw_display_name": display, "end_user_visible": visible, "position": position,
                "ticket_field_ids": ids, "active": active, "default": default,
                "in_all_brands": all_brands, "restricted_brand_ids": brands,
                "end_user_conditions": conditions, "agent_conditions": conditions,
                "created_at": created, "updated_at": updated})
        self.next_id["ticket_forms"] = FORM_IDS[2] + 2048

    def _make_custom_statuses(self):
        # one default status per category: the ids tickets carry (closed
        # tickets share the solved status, as in Zendesk), and two custom ones
        for category in ("new", "open", "pending", "hold", "solved"):
            label = category.capitalize()
            self._put("custom_statuses", _status(records.CUSTOM_STATUS_IDS[category], category,
                                                 label, "", True, True, records.FIELD_CREATED,
                                                 records.FIELD_UPDATED))
        created, updated = self._times()
        self._put("custom_statuses", _status(EXTRA_STATUS_IDS[0], "open", "Awaiting vendor",
                                             "Waiting for a third party", True, False, created,
                                             updated))
        created, updated = self._times()
        self._put("custom_statuses", _status(EXTRA_STATUS_IDS[1], "pending", "Legal review",
                                             "Retired", False, False, created, updated))
        self.next_id["custom_statuses"] = EXTRA_STATUS_IDS[1] + 128

    def _make_sla_policies(self):
        specs = [("Urgent incidents", "For urgent incidents, we reply within 10 minutes",
                  {"all": [{"field": "type", "operator": "is", "value": "incident"}], "any": []},
                  [("urgent", "first_reply_time", 10, False), ("high", "first_reply_time", 30, False),
                   ("urgent", "requester_wait_time", 120, True)]),
                 ("VIP customers", "Tickets tagged vip",
                  {"all": [{"field": "current_tags", "operator": "includes", "value": "vip"}],
                   "any": []},
                  [("normal", "first_reply_time", 60, True), ("normal", "next_reply_time", 120, True)]),
                 ("Everything else", "",
                  {"all": [], "any": [{"field": "status", "operator": "less_than", "value": "solved"}]},
                  [("low", "first_reply_time", 480, True), ("normal", "first_reply_time", 240, True),
                   ("normal", "periodic_update_time", 1440, True)])]
        for position, (title, description, filt, metrics) in enumerate(specs, start=1):
            created, updated = self._times()
            self._put("sla_policies", {
                "id": SLA_BASE + 4096 * position, "title": title, "description": description,
                "position": position, "filter": filt,
                "policy_metrics": [{"priority": p, "metric": m, "target": t, "business_hours": b}
                                   for p, m, t, b in metrics],
                "created_at": created, "updated_at": updated})
        self.next_id["sla_policies"] = SLA_BASE + 4096 * 8

    def _make_schedules(self):
        day = 24 * 60
        specs = [("Weekdays, Berlin", "Berlin", [(d * day + 540, d * day + 1020) for d in range(1, 6)]),
                 ("Follow the sun", "Pacific Time (US & Canada)",
                  [(d * day, d * day + 720) for d in range(1, 6)]
                  + [(d * day + 780, d * day + 1440) for d in range(1, 6)])]
        for index, (name, tz, intervals) in enumerate(specs):
            created, updated = self._times()
            sid = SCHEDULE_BASE + 512 * index
            self._put("schedules", {
                "id": sid, "name": name, "time_zone": tz,
                "intervals": [{"start_time": a, "end_time": b} for a, b in intervals],
                "created_at": created, "updated_at": updated})
            self.holidays[sid] = {}
            for k, (hname, start, end) in enumerate([("New Year", "2026-01-01", "2026-01-01"),
                                                     ("Winter break", "2026-12-24", "2026-12-26")]):
                hid = HOLIDAY_BASE + 64 * (2 * index + k)
                self.holidays[sid][hid] = {"id": hid, "name": hname, "start_date": start,
                                           "end_date": end}
        self.next_id["schedules"] = SCHEDULE_BASE + 512 * 8

    # -- reading ------------------------------------------------------------

    def render(self, kind, record, base):
        out = dict(record)
        if "url" in out:
            out["url"] = "%s/api/v2/%s/%d.json" % (base, URL_PATHS[kind], record["id"])
        return out

    def get(self, kind, record_id):
        return self.data[kind].get(record_id)

    # -- mutation (control API) ---------------------------------------------

    def _allocate(self, kind):
        record_id = self.next_id[kind]
        self.next_id[kind] = record_id + 8
        return record_id

    def create(self, kind, values):
        now = records.iso(_now(self.account))
        template = {"groups": {"is_public": True, "name": "New group", "description": "",
                               "default": False, "deleted": False},
                    "group_memberships": {"default": False},
                    "organization_memberships": {"default": False, "view_tickets": True},
                    "brands": {"name": "New brand", "subdomain": "new-brand", "host_mapping": None,
                               "has_help_center": False, "help_center_state": "disabled",
                               "active": True, "default": False, "is_deleted": False,
                               "logo": None, "ticket_form_ids": [], "signature_template": ""},
                    "ticket_forms": {"name": "New form", "end_user_visible": True,
                                     "position": len(self.data["ticket_forms"]) + 1,
                                     "ticket_field_ids": [], "active": True, "default": False,
                                     "in_all_brands": True, "restricted_brand_ids": [],
                                     "end_user_conditions": [], "agent_conditions": []},
                    "custom_statuses": {"status_category": "open", "agent_label": "New status",
                                        "description": "", "active": True, "default": False},
                    "sla_policies": {"title": "New policy", "description": "",
                                     "position": len(self.data["sla_policies"]) + 1,
                                     "filter": {"all": [], "any": []}, "policy_metrics": []},
                    "schedules": {"name": "New schedule", "time_zone": "UTC", "intervals": []},
                    }[kind]
        record = dict(template)
        record.update(self._checked(kind, values))
        record.update({"id": self._allocate(kind), "created_at": now, "updated_at": now})
        self._complete(kind, record)
        if kind == "schedules":
            self.holidays[record["id"]] = {}
        return self._put(kind, record)

    def create_memberships(self, kind, count):
        """count new memberships over pairs (user, group or organization) not yet taken."""
        account = self.account
        if kind == "group_memberships":
            parents, key = self._live_group_ids(), "group_id"
        else:
            parents, key = list(account.org_ids), "organization_id"
        taken = {(m["user_id"], m[key]) for m in self.data[kind].values()}
        made = []
        for parent in parents:
            for user_id in account.user_ids:
                if len(made) == count:
                    return made
                if (user_id, parent) not in taken and user_id in account.users:
                    made.append(self.create(kind, {"user_id": user_id, key: parent}))
        if len(made) < count:
            raise SimError(409, "only %d free (user, %s) pairs" % (len(made), key))
        return made

    def _checked(self, kind, values):
        values = dict(values)
        for key in values:
            if key not in KEYS[kind] or key in ("url", "id", "created_at"):
                raise SimError(400, "%s has no writable key %r" % (kind, key))
        account = self.account
        if "user_id" in values and int(values["user_id"]) not in account.users:
            raise SimError(404, "no user %s" % values["user_id"])
        if "group_id" in values:
            group = self.data["groups"].get(int(values["group_id"]))
            if group is None or group["deleted"]:
                raise SimError(404, "no live group %s" % values["group_id"])
        if "organization_id" in values and int(values["organization_id"]) not in account.organizations:
            raise SimError(404, "no organization %s" % values["organization_id"])
        return values

    def _complete(self, kind, record):
        if kind == "organization_memberships":
            record["organization_name"] = self.account.organizations[record["organization_id"]]["name"]
        if kind == "brands":
            record["brand_url"] = "https://%s.zendesk.com" % record["subdomain"]
        if kind == "ticket_forms":
            record["raw_name"] = record.get("raw_name") or record["name"]
            record["display_name"] = record.get("display_name") or record["name"]
            record["raw_display_name"] = record.get("raw_display_name") or record["display_name"]
        if kind == "custom_statuses":
            for key in ("agent_label", "description"):
                record["raw_" + key] = record[key]
            record["end_user_label"] = record.get("end_user_label") or record["agent_label"]
            record["raw_end_user_label"] = record["end_user_label"]
            record["end_user_description"] = record.get("end_user_description") or record["description"]
            record["raw_end_user_description"] = record["end_user_description"]

    def update(self, kind, record_id, values):
        record = self._existing(kind, record_id)
        new = dict(record)
        new.update(self._checked(kind, values))
        new["updated_at"] = records.iso(_now(self.account))
        self._complete(kind, new)
        self.data[kind][record["id"]] = new
        if kind == "groups" and new["deleted"] and not record["deleted"]:
            self._drop_group_members(new["id"])
        return new

    def delete(self, kind, record_id):
        """groups: soft (deleted true, its memberships go); the rest: hard."""
        record = self._existing(kind, record_id)
        if kind == "groups":
            return self.update(kind, record["id"], {"deleted": True})
        del self.data[kind][record["id"]]
        self.holidays.pop(record["id"], None)
        return record

    def _drop_group_members(self, group_id):
        for mid in [m for m, r in self.data["group_memberships"].items() if r["group_id"] == group_id]:
            del self.data["group_memberships"][mid]

    def _existing(self, kind, record_id):
        record = self.data[kind].get(int(record_id))
        if record is None:
            raise SimError(404, "no %s %s" % (SINGULAR[kind], record_id))
        return record


def _status(status_id, category, label, description, active, default, created, updated):
    return {"id": status_id, "status_category": category, "agent_label": label,
            "raw_agent_label": label, "end_user_label": label, "raw_end_user_label": label,
            "description": description, "raw_description": description,
            "end_user_description": description, "raw_end_user_description": description,
            "active": active, "default": default, "created_at": created, "updated_at": updated}


_STORE_LOCK = threading.Lock()


def store(sim):
    """The simulator's list store, built from its account on first use."""
    with _STORE_LOCK:
        current = getattr(sim, "list_store", None)
        if current is None or current.account is not sim.account:
            current = ListStore(sim.account)
            sim.list_store = current
        return current


def sideload_groups(sim, ids, base):
    """The groups of include=groups: the listed records (deleted ones too)."""
    st = store(sim)
    return [st.render("groups", st.data["groups"][i], base) for i in ids if i in st.data["groups"]]


# ---------------------------------------------------------------------------
# cursor pagination over a sorted key list


def _pack(values):
    out = b""
    for value in values:
        if isinstance(value, str):
            raw = value.encode()
            out += b"s" + struct.pack("<I", len(raw)) + raw
        else:
            out += b"i" + struct.pack("<q", value)
    return out


def _unpack(raw):
    values, pos = [], 0
    while pos < len(raw):
        tag = raw[pos:pos + 1]
        if tag == b"s":
            (length,) = struct.unpack("<I", raw[pos + 1:pos + 5])
            text = raw[pos + 5:pos + 5 + length]
            if len(text) != length:
                raise ValueError("short string")
            values.append(text.decode())
            pos += 5 + length
        elif tag == b"i":
            values.append(struct.unpack("<q", raw[pos + 1:pos + 9])[0])
            pos += 9
        else:
            raise ValueError("unknown tag")
    return values


def encode_cursor(order, values):
    """base64 JSON {"o": order, "v": base64(typed values)}: the recorded form
    ("s" + uint32 length + UTF-8 for a string, "i" + int64 for an id)."""
    inner = base64.b64encode(_pack(values)).decode()
    return base64.b64encode(json.dumps({"o": order, "v": inner},
                                       separators=(",", ":")).encode()).decode()


def decode_cursor(cursor, order, arity):
    try:
        data = json.loads(base64.b64decode(cursor + "=" * (-len(cursor) % 4), validate=True))
        if not isinstance(data, dict) or data.get("o") != order:
            raise ValueError("wrong order")
        values = _unpack(base64.b64decode(data["v"], validate=True))
        if len(values) != arity:
            raise ValueError("wrong arity")
        return values
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, binascii.Error, struct.error):
        return None


class Listing:
    """One list endpoint's records in its order.

    order: the cursor's "o" ("id", or "name,id" for lists sorted by name);
    rows: records; each gets its sort key and its cursor values."""

    def __init__(self, order, rows):
        self.order = order
        if order == "name,id":
            keyed = [((r["name"].casefold(), r["id"]), (r["name"], r["id"]), r) for r in rows]
        else:
            keyed = [((r["id"],), (r["id"],), r) for r in rows]
        keyed.sort(key=lambda e: e[0])
        self.keys = [e[0] for e in keyed]
        self.values = [e[1] for e in keyed]
        self.rows = [e[2] for e in keyed]

    def key_of(self, values):
        if self.order == "name,id":
            if not isinstance(values[0], str) or not isinstance(values[1], int):
                return None
            return (values[0].casefold(), values[1])
        return tuple(values) if isinstance(values[0], int) else None


def cbp(sim, listing, params, base, path, key, render, keep):
    """A CBP page: page[size] (<= 100), page[after] / page[before]."""
    switches = sim.switches
    st = store(sim)
    size = pagination.cbp_size(params, switches)
    now = _now(st.account)
    arity = 2 if listing.order == "name,id" else 1
    direction, cursor = None, None
    for name in ("page[after]", "page[before]"):
        if params.get(name):
            direction, cursor = name, params[name]
    position = None
    if cursor is not None:
        values = decode_cursor(cursor, listing.order, arity)
        position = listing.key_of(values) if values is not None else None
        issued = st.issued.get(cursor)
        ttl = switches.list_cursor_ttl
        expired = cursor in st.expired or (ttl > 0 and issued is not None and now - issued > ttl)
        if position is None or expired:
            if switches.list_invalid_cursor == "400":
                raise ExportError(400, pagination.INVALID_CURSOR)
            direction, position = None, None
    fault = switches.list_fault
    n = len(listing.keys)
    if direction == "page[before]":
        end = bisect.bisect_left(listing.keys, position)
        start = max(0, end - size)
        has_more = start > 0
    else:
        start = 0 if position is None else bisect.bisect_right(listing.keys, position)
        if fault == "repeat_ids" and position is not None and start > 0:
            start -= 1
        end = min(n, start + size)
        if switches.cbp_last_page == "empty":
            has_more = end - start == size
        else:
            has_more = end < n
    chosen = range(start, end)
    query = {k: v for k, v in params.items() if k in keep}
    query["page[size]"] = str(size)
    if len(chosen):
        after = encode_cursor(listing.order, list(listing.values[end - 1]))
        before = encode_cursor(listing.order, list(listing.values[start]))
        if fault == "stuck_cursor" and direction == "page[after]":
            after, has_more = cursor, True
        if len(st.issued) > ISSUED_LIMIT:
            st.issued.clear()        # forgotten cursors are valid again: lenient, and bounded
        for handed in (after, before):
            st.issued[handed] = now
            st.expired.discard(handed)
        host = FOREIGN_HOST if fault == "foreign_next" else base
        links = {"prev": pagination.url(host, path, dict(query, **{"page[before]": before})),
                 "next": pagination.url(host, path, dict(query, **{"page[after]": after}))}
    else:
        after = before = None
        links = {"prev": None, "next": None}
    return {key: [render(listing.rows[i]) for i in chosen],
            "meta": {"has_more": has_more, "after_cursor": after, "before_cursor": before},
            "links": links}


def obp(listing, params, base, path, key, render, keep):
    """An OBP page: page (from 1), per_page (<= 100), count the total.  The
    offset indexes the list as it is when the page is asked for, so a record
    deleted before the offset shifts the rest and one is never served."""
    page, per_page = pagination.obp_window(params)
    start = (page - 1) * per_page
    rows = listing.rows[start:start + per_page]
    query = {k: v for k, v in params.items() if k in keep}
    if "per_page" in params:
        query["per_page"] = str(per_page)
    next_page = previous = None
    if start + per_page < len(listing.rows):
        next_page = pagination.url(base, path, dict(query, page=str(page + 1)))
    if page > 1:
        previous = pagination.url(base, path, dict(query, page=str(page - 1)))
    return {key: [render(r) for r in rows], "next_page": next_page, "previous_page": previous,
            "count": len(listing.rows)}


def _paged(sim, req, kind, rows, order, path, keep=()):
    st = store(sim)

    def render(r):
        return st.render(kind, r, req.base_url)
    listing = Listing(order, rows)
    if pagination.is_cbp(req.params):
        return cbp(sim, listing, req.params, req.base_url, path, kind, render, keep)
    return obp(listing, req.params, req.base_url, path, kind, render, keep)


def _gate(sim, kind):
    plan = getattr(sim.switches, GATES[kind])
    if plan == "403":
        raise ExportError(403, PLAN_FORBIDDEN)
    if plan == "404":
        raise ExportError(404, PLAN_NOT_FOUND)


def _show(sim, req, kind, record_id):
    if kind in GATES:
        _gate(sim, kind)
    st = store(sim)
    with sim.account.lock:
        record = st.get(kind, int(record_id))
        if record is None or (kind == "groups" and record["deleted"]
                              and sim.switches.deleted_group_show == "404"):
            raise ExportError(404, NOT_FOUND)
        return {SINGULAR[kind]: st.render(kind, record, req.base_url)}


def _flag(params, name):
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    return str(raw).lower() in ("true", "1")


# ---------------------------------------------------------------------------
# handlers


def groups_list(sim, req, groups):
    with sim.account.lock:
        st = store(sim)
        include_deleted = _flag(req.params, "exclude_deleted") is False
        rows = [g for g in st.data["groups"].values() if include_deleted or not g["deleted"]]
        return _paged(sim, req, "groups", rows, "name,id", "/api/v2/groups.json",
                      keep=("exclude_deleted",))


def group_show(sim, req, groups):
    return _show(sim, req, "groups", groups[0])


def _memberships(sim, req, kind, test, path):
    with sim.account.lock:
        rows = [m for m in store(sim).data[kind].values() if test(m)]
        return _paged(sim, req, kind, rows, "id", path)


def _parent(sim, kind, parent_id):
    account = sim.account
    if kind == "users":
        found = parent_id in account.users
    elif kind == "organizations":
        found = parent_id in account.organizations
    else:
        group = store(sim).data["groups"].get(parent_id)
        found = group is not None and not group["deleted"]
    if not found:
        raise ExportError(404, NOT_FOUND)
    return parent_id


def group_memberships_list(sim, req, groups):
    return _memberships(sim, req, "group_memberships", lambda m: True,
                        "/api/v2/group_memberships.json")


def group_memberships_of_group(sim, req, groups):
    with sim.account.lock:
        gid = _parent(sim, "groups", int(groups[0]))
    return _memberships(sim, req, "group_memberships", lambda m: m["group_id"] == gid,
                        "/api/v2/groups/%d/memberships.json" % gid)


def group_memberships_of_user(sim, req, groups):
    with sim.account.lock:
        uid = _parent(sim, "users", int(groups[0]))
    return _memberships(sim, req, "group_memberships", lambda m: m["user_id"] == uid,
                        "/api/v2/users/%d/group_memberships.json" % uid)


def group_membership_show(sim, req, groups):
    return _show(sim, req, "group_memberships", groups[0])


def organization_memberships_list(sim, req, groups):
    return _memberships(sim, req, "organization_memberships", lambda m: True,
                        "/api/v2/organization_memberships.json")


def organization_memberships_of_organization(sim, req, groups):
    with sim.account.lock:
        oid = _parent(sim, "organizations", int(groups[0]))
    return _memberships(sim, req, "organization_memberships",
                        lambda m: m["organization_id"] == oid,
                        "/api/v2/organizations/%d/organization_memberships.json" % oid)


def organization_memberships_of_user(sim, req, groups):
    with sim.account.lock:
        uid = _parent(sim, "users", int(groups[0]))
    return _memberships(sim, req, "organization_memberships", lambda m: m["user_id"] == uid,
                        "/api/v2/users/%d/organization_memberships.json" % uid)


def organization_membership_show(sim, req, groups):
    return _show(sim, req, "organization_memberships", groups[0])


def brands_list(sim, req, groups):
    with sim.account.lock:
        rows = list(store(sim).data["brands"].values())
        return _paged(sim, req, "brands", rows, "name,id", "/api/v2/brands.json")


def brand_show(sim, req, groups):
    return _show(sim, req, "brands", groups[0])


def _offset_envelope(key, items):
    return {key: items, "next_page": None, "previous_page": None, "count": len(items)}


def ticket_forms_list(sim, req, groups):
    _gate(sim, "ticket_forms")
    with sim.account.lock:
        st = store(sim)
        rows = sorted(st.data["ticket_forms"].values(), key=lambda f: (f["position"], f["id"]))
        for name in ("active", "end_user_visible"):
            wanted = _flag(req.params, name)
            if wanted is not None:
                rows = [f for f in rows if f[name] == wanted]
        return _offset_envelope("ticket_forms", [st.render("ticket_forms", f, req.base_url)
                                                 for f in rows])


def ticket_form_show(sim, req, groups):
    return _show(sim, req, "ticket_forms", groups[0])


def ticket_forms_show_many(sim, req, groups):
    _gate(sim, "ticket_forms")
    with sim.account.lock:
        st = store(sim)

        def lookup(i):
            f = st.get("ticket_forms", i)
            return None if f is None else st.render("ticket_forms", f, req.base_url)
        return pagination.show_many(req.params, lookup, "ticket_forms")


def custom_statuses_list(sim, req, groups):
    with sim.account.lock:
        st = store(sim)
        rows = sorted(st.data["custom_statuses"].values(), key=lambda s: s["id"])
        categories = req.params.get("status_categories")
        if categories:
            wanted = {c.strip() for c in categories.split(",") if c.strip()}
            rows = [s for s in rows if s["status_category"] in wanted]
        for name in ("active", "default"):
            flag = _flag(req.params, name)
            if flag is not None:
                rows = [s for s in rows if s[name] == flag]
        return {"custom_statuses": [st.render("custom_statuses", s, req.base_url) for s in rows]}


def custom_status_show(sim, req, groups):
    return _show(sim, req, "custom_statuses", groups[0])


def sla_policies_list(sim, req, groups):
    _gate(sim, "sla_policies")
    with sim.account.lock:
        st = store(sim)
        rows = sorted(st.data["sla_policies"].values(), key=lambda p: (p["position"], p["id"]))
        return _offset_envelope("sla_policies", [st.render("sla_policies", p, req.base_url)
                                                 for p in rows])


def sla_policy_show(sim, req, groups):
    return _show(sim, req, "sla_policies", groups[0])


def schedules_list(sim, req, groups):
    _gate(sim, "schedules")
    with sim.account.lock:
        st = store(sim)
        rows = [st.render("schedules", s, req.base_url)
                for s in sorted(st.data["schedules"].values(), key=lambda s: s["id"])]
        if sim.switches.schedules_shape == "offset":
            return _offset_envelope("schedules", rows)
        return {"schedules": rows}


def schedule_show(sim, req, groups):
    return _show(sim, req, "schedules", groups[0])


def schedule_holidays(sim, req, groups):
    _gate(sim, "schedules")
    with sim.account.lock:
        st = store(sim)
        sid = int(groups[0])
        if sid not in st.data["schedules"]:
            raise ExportError(404, NOT_FOUND)
        return {"holidays": [dict(h) for _, h in sorted(st.holidays.get(sid, {}).items())]}


ROUTES = [
    ("GET", r"/api/v2/groups", "groups_list", "groups_list"),
    ("GET", r"/api/v2/groups/(\d+)", "group", "group_show"),
    ("GET", r"/api/v2/groups/(\d+)/memberships", "group_memberships_list",
     "group_memberships_of_group"),
    ("GET", r"/api/v2/group_memberships", "group_memberships_list", "group_memberships_list"),
    ("GET", r"/api/v2/group_memberships/(\d+)", "group_membership", "group_membership_show"),
    ("GET", r"/api/v2/users/(\d+)/group_memberships", "group_memberships_list",
     "group_memberships_of_user"),
    ("GET", r"/api/v2/organization_memberships", "organization_memberships_list",
     "organization_memberships_list"),
    ("GET", r"/api/v2/organization_memberships/(\d+)", "organization_membership",
     "organization_membership_show"),
    ("GET", r"/api/v2/organizations/(\d+)/organization_memberships",
     "organization_memberships_list", "organization_memberships_of_organization"),
    ("GET", r"/api/v2/users/(\d+)/organization_memberships", "organization_memberships_list",
     "organization_memberships_of_user"),
    ("GET", r"/api/v2/brands", "brands_list", "brands_list"),
    ("GET", r"/api/v2/brands/(\d+)", "brand", "brand_show"),
    ("GET", r"/api/v2/ticket_forms", "ticket_forms_list", "ticket_forms_list"),
    ("GET", r"/api/v2/ticket_forms/show_many", "ticket_forms_show_many", "ticket_forms_show_many"),
    ("GET", r"/api/v2/ticket_forms/(\d+)", "ticket_form", "ticket_form_show"),
    ("GET", r"/api/v2/custom_statuses", "custom_statuses_list", "custom_statuses_list"),
    ("GET", r"/api/v2/custom_statuses/(\d+)", "custom_status", "custom_status_show"),
    ("GET", r"/api/v2/slas/policies", "sla_policies_list", "sla_policies_list"),
    ("GET", r"/api/v2/slas/policies/(\d+)", "sla_policy", "sla_policy_show"),
    ("GET", r"/api/v2/business_hours/schedules", "schedules_list", "schedules_list"),
    ("GET", r"/api/v2/business_hours/schedules/(\d+)", "schedule", "schedule_show"),
    ("GET", r"/api/v2/business_hours/schedules/(\d+)/holidays", "schedule_holidays",
     "schedule_holidays"),
]
HANDLERS = {name: globals()[name] for _, _, _, name in ROUTES}


# ---------------------------------------------------------------------------
# control API


def control(sim, request):
    """The /_sim/ endpoints of the list resources: ("json", body), ("jsonl",
    items) or None when the path is not one of them."""
    path, method = request.path, request.method
    name = path[len("/_sim/"):]
    if method == "GET":
        lines = name.endswith(".jsonl")
        if lines:
            name = name[:-len(".jsonl")]
        if name not in COLLECTIONS and name != "schedule_holidays":
            return None
        st = store(sim)
        with sim.account.lock:
            if name == "schedule_holidays":
                items = [dict(h, schedule_id=sid) for sid in sorted(st.holidays)
                         for _, h in sorted(st.holidays[sid].items())]
            else:
                items = [st.render(name, st.data[name][i], request.base_url)
                         for i in sorted(st.data[name])]
        return ("jsonl" if lines else "json", items)
    if path == "/_sim/list_cursors/expire" and method == "POST":
        st = store(sim)
        with sim.account.lock:
            count = len(st.issued)
            st.expired.update(st.issued)
            st.issued.clear()
            return ("json", {"expired": count})
    parts = name.split("/")
    if parts[0] not in COLLECTIONS or len(parts) > 2:
        return None
    kind = parts[0]
    st = store(sim)
    spec = request.json()
    if not isinstance(spec, dict):
        raise SimError(400, "expected a JSON object")
    with sim.account.lock:
        if len(parts) == 1 and method == "POST":
            sim.account.generation += 1
            if "count" in spec and kind in ("group_memberships", "organization_memberships"):
                made = st.create_memberships(kind, int(spec["count"]))
                return ("json", {kind: [st.render(kind, r, request.base_url) for r in made]})
            return ("json", {SINGULAR[kind]: st.render(kind, st.create(kind, spec), request.base_url)})
        if len(parts) == 2 and parts[1].isdigit():
            if method in ("PATCH", "PUT"):
                record = st.update(kind, parts[1], spec)
            elif method == "DELETE":
                record = st.delete(kind, parts[1])
            else:
                raise SimError(405, "method not allowed here")
            sim.account.generation += 1
            return ("json", {SINGULAR[kind]: st.render(kind, record, request.base_url)})
    raise SimError(405, "method not allowed here")
