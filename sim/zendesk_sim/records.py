"""Record shapes and their deterministic generation.

Everything here is about what one Zendesk object looks like: the key sets
and key orders of tickets, users, organizations, ticket fields, user and
organization fields, ticket events and ticket metric events (sim/README.md
§7, §8, §3.8, §3.9, checked against the recordings in tests/fixtures), how a
seeded random generator fills them, and how a stored record is rendered for a
response (absolute URLs from the request's base, custom-field arrays from the
current field definitions).

Stored records are plain dicts replaced, never changed in place (copy on
write), so a response being rendered never sees half a mutation.  Ticket
custom-field values are stored sparse ({field_id: value}) and expanded at
render time, as Zendesk does: every *active* custom field appears in a
ticket's custom_fields, with null (false for a checkbox) when unset.
"""

import datetime
import random

# Generated records change between these two instants (2026-01-01 and
# 2026-10-01, UTC): always more than a minute in the past.
HISTORY_START = 1767225600
HISTORY_END = 1790812800
# Zendesk archives tickets closed for 120 days (§3.6); judged against the end
# of the generated history so the account does not depend on the wall clock.
ARCHIVE_BEFORE = HISTORY_END - 120 * 86400

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

# The recorded key orders (§8.1, §8.2, §8.3).
TICKET_KEYS = (
    "url", "id", "external_id", "via", "created_at", "updated_at", "type", "subject",
    "raw_subject", "description", "priority", "status", "recipient", "requester_id",
    "submitter_id", "assignee_id", "organization_id", "group_id", "collaborator_ids",
    "follower_ids", "email_cc_ids", "forum_topic_id", "problem_id", "has_incidents",
    "is_public", "due_at", "tags", "custom_fields", "satisfaction_rating",
    "sharing_agreement_ids", "custom_status_id", "fields", "followup_ids", "ticket_form_id",
    "brand_id", "allow_channelback", "allow_attachments", "from_messaging_channel",
    "generated_timestamp")
USER_KEYS = (
    "id", "url", "name", "email", "created_at", "updated_at", "time_zone", "iana_time_zone",
    "phone", "shared_phone_number", "photo", "locale_id", "locale", "organization_id", "role",
    "verified", "external_id", "tags", "alias", "active", "shared", "shared_agent",
    "last_login_at", "two_factor_auth_enabled", "signature", "details", "notes", "role_type",
    "custom_role_id", "moderator", "ticket_restriction", "only_private_comments",
    "restricted_agent", "suspended", "default_group_id", "report_csv", "user_fields")
ORGANIZATION_KEYS = (
    "url", "id", "name", "shared_tickets", "shared_comments", "external_id", "created_at",
    "updated_at", "domain_names", "details", "notes", "group_id", "tags", "organization_fields")

BRAND_ID = 6130830354842
FORM_ID = 6130830344474
CUSTOM_STATUS_IDS = {"new": 6130830355610, "open": 6130830355738, "pending": 6130830355866,
                     "hold": 6130830355994, "solved": 6130830356122, "closed": 6130830356122}
GROUP_BASE = 360000000000
EVENT_ID_BASE = 10 ** 13          # ticket event ids: large, like the real ones
METRIC_EVENT_ID_BASE = 2 * 10 ** 13
ATTACHMENT_ID_BASE = 6130876541082

VIA_NAMES = {"web": "Web form", "email": "Mail", "api": "Web service", "mobile": "Mobile",
             "chat": "Chat", "sample_ticket": "Sample ticket", "rule": "Rule"}
TIME_ZONES = [("America/New_York", "America/New_York"), ("Eastern Time (US & Canada)", "America/New_York"),
              ("Berlin", "Europe/Berlin"), ("Osaka", "Asia/Tokyo"), ("UTC", "Etc/UTC"),
              ("Pacific Time (US & Canada)", "America/Los_Angeles")]
FIRST_NAMES = ["Ana", "Björn", "Chloé", "Dmitri", "Émile", "Fatima", "Günther", "Hana",
               "Ingrid", "José", "Kenji", "Łukasz", "María", "Nnamdi", "Olga", "Priya",
               "山田", "Zoë", "Søren", "Ünal"]
LAST_NAMES = ["Smith", "Müller", "García", "Nováková", "Ødegaard", "Nguyễn", "O'Brien",
              "Иванова", "太郎", "Dubois", "Kowalski", "Silva"]
COMPANY_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Wayne", "Stark", "Soylent",
                 "Hooli", "Vandelay", "Zürich Rück", "東京商事", "Ñandú"]


_DAYS = {}
_DATES = {}


def iso(ts):
    """Zendesk's timestamp format: ISO 8601, UTC, seconds, Z."""
    ts = int(ts)
    day, rest = divmod(ts, 86400)
    text = _DAYS.get(day)
    if text is None:
        text = _DAYS[day] = datetime.datetime.fromtimestamp(
            day * 86400, datetime.timezone.utc).strftime("%Y-%m-%dT")
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return "%s%02d:%02d:%02dZ" % (text, hours, minutes, seconds)


def epoch(text):
    """The inverse of iso()."""
    date = text[:10]
    day = _DATES.get(date)
    if day is None:
        day = _DATES[date] = int(datetime.datetime.strptime(date, "%Y-%m-%d").replace(
            tzinfo=datetime.timezone.utc).timestamp())
    return day + int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])


# ---------------------------------------------------------------------------
# Field definitions


def field_options(base_id, pairs):
    return [{"id": base_id + 20 * i, "name": name, "raw_name": name, "value": value,
             "default": False} for i, (name, value) in enumerate(pairs)]


# (id, type, title, description, extra) of the account's ticket fields.  System
# fields first (values in top-level ticket attributes), then one custom field
# of every type (values in custom_fields), including a title collision, an
# accented title and an inactive field.
SYSTEM_TICKET_FIELDS = [
    (360011737434, "subject", "Subject", "", {}),
    (360011737454, "description", "Description",
     "Please enter the details of your request. A member of our support staff will respond "
     "as soon as possible.", {}),
    (360011737474, "status", "Status", "Request status",
     {"system_field_options": [{"name": n.capitalize(), "value": n}
                               for n in ("open", "pending", "solved")], "sub_type_id": 0}),
    (360011737494, "tickettype", "Type", "Request type",
     {"system_field_options": [{"name": n.capitalize(), "value": n}
                               for n in ("question", "incident", "problem", "task")]}),
    (360011737514, "priority", "Priority", "Request priority",
     {"system_field_options": [{"name": n.capitalize(), "value": n}
                               for n in ("low", "normal", "high", "urgent")], "sub_type_id": 0}),
    (360011737534, "group", "Group", "Request group", {}),
    (360011737554, "assignee", "Assignee", "Agent assigned to your request", {}),
    (360011737574, "custom_status", "Ticket status", "Request ticket status",
     {"custom_statuses": [{"id": CUSTOM_STATUS_IDS[s], "status_category": s,
                           "agent_label": s.capitalize(), "end_user_label": s.capitalize(),
                           "description": "", "active": True, "default": True}
                          for s in ("new", "open", "pending", "hold", "solved")]}),
]
CUSTOM_TICKET_FIELDS = [
    (360011747994, "text", "Order number", "Order number from the shop", {"key": "order_number"}),
    (360011672493, "textarea", "Internal notes", "Notes for agents", {}),
    (360011672533, "checkbox", "Escalated", "Escalated to tier 2", {"tag": "escalated"}),
    (360011672513, "date", "Renewal date", "Contract renewal",
     {"regexp_for_validation": "\\A([0-9]{4})-(1[0-2]|0[1-9])-(3[01]|[12][0-9]|0[1-9])\\z"}),
    (360011748014, "integer", "Seats", "Licensed seats", {"regexp_for_validation": "\\A[-+]?\\d+\\z"}),
    (360011747974, "decimal", "Refund amount", "Amount refunded",
     {"regexp_for_validation": "\\A[-+]?[0-9]*[.,]?[0-9]+\\z"}),
    (360011748674, "regexp", "SKU", "Product SKU", {"regexp_for_validation": "^[A-Z]{3}-[0-9]{4}$"}),
    (360011748694, "partialcreditcard", "Card", "Last digits of the card", {}),
    (360011759674, "tagger", "Plan", "Subscription plan",
     {"custom_field_options": field_options(360013088874, [("Free", "plan_free"), ("Pro", "plan_pro"),
                                                      ("Enterprise", "plan_enterprise")])}),
    (360011759694, "multiselect", "Products", "Products concerned",
     {"custom_field_options": field_options(360013089874, [("Printer", "prod_printer"),
                                                      ("Scanner", "prod_scanner"),
                                                      ("Café machine", "prod_cafe"),
                                                      ("配送 box", "prod_box")])}),
    (360011759714, "lookup", "Account manager", "User managing the account",
     {"relationship_target_type": "zen:user", "relationship_filter": {"all": [], "any": []}}),
    (360011759734, "tagger", "Region", "Sales region",
     {"custom_field_options": field_options(360013090874, [("EMEA", "region_emea"),
                                                      ("APAC", "region_apac"),
                                                      ("Americas", "region_amer")])}),
    (360011759754, "text", "region", "Free-text region (collides with Region)", {}),
    (360011759774, "text", "Référence client ✓", "Customer reference", {}),
    (360011759794, "text", "Legacy code", "No longer used", {"active": False}),
]
FIELD_CREATED = "2025-11-23T16:05:12Z"
FIELD_UPDATED = "2025-11-24T10:54:05Z"


def ticket_field(field_id, ftype, title, description, extra, position):
    """A ticket field object, keys in the recorded order (go-zendesk ticket_fields)."""
    system = ftype in ("subject", "description", "status", "tickettype", "priority", "group",
                       "assignee", "custom_status")
    field = {
        "url": None,
        "id": field_id,
        "type": ftype,
        "title": title,
        "raw_title": title,
        "description": description,
        "raw_description": description,
        "position": position,
        "active": extra.get("active", True),
        "required": ftype == "assignee",
        "collapsed_for_agents": False,
        "regexp_for_validation": extra.get("regexp_for_validation"),
        "title_in_portal": title,
        "raw_title_in_portal": title,
        "visible_in_portal": ftype in ("subject", "description", "priority", "assignee"),
        "editable_in_portal": ftype in ("subject", "description"),
        "required_in_portal": ftype in ("subject", "description"),
        "tag": extra.get("tag"),
        "created_at": FIELD_CREATED,
        "updated_at": FIELD_UPDATED,
        "removable": not system or ftype in ("tickettype", "priority"),
        "key": ("standard::%s" % ftype) if system else extra.get("key"),
        "agent_description": None,
    }
    for name in ("system_field_options", "sub_type_id", "custom_statuses",
                 "custom_field_options", "relationship_target_type", "relationship_filter"):
        if name in extra:
            field[name] = extra[name]
    if ftype in ("tagger", "multiselect") and "custom_field_options" not in field:
        field["custom_field_options"] = []
    if ftype == "lookup":
        field.setdefault("relationship_target_type", "zen:user")
        field.setdefault("relationship_filter", {"all": [], "any": []})
    return field


def default_ticket_fields():
    fields = []
    for position, spec in enumerate(SYSTEM_TICKET_FIELDS + CUSTOM_TICKET_FIELDS):
        fields.append(ticket_field(*spec, position=position))
    return fields


# User and organization fields: keyed by `key` in the records (§8.2, §8.3).
USER_FIELD_SPECS = [
    (7001, "text", "employee_id", "Employee ID"),
    (7002, "checkbox", "beta_tester", "Beta tester"),
    (7003, "date", "contract_start", "Contract start"),
    (7004, "integer", "lifetime_orders", "Lifetime orders"),
    (7005, "decimal", "credit_limit", "Credit limit"),
    (7006, "dropdown", "tier", "Tier"),
    (7007, "textarea", "bio", "Biographie ✍"),
    (7008, "multiselect", "languages", "Languages"),
]
ORG_FIELD_SPECS = [
    (1110988024701, "text", "account_number", "Account number"),
    (1110988024702, "integer", "employees", "Employees"),
    (1110988024703, "dropdown", "segment", "Segment"),
    (1110988024704, "checkbox", "strategic", "Strategic"),
    (1110988024705, "date", "customer_since", "Customer since"),
    (1110988024706, "lookup", "owner", "Owner"),
]


def user_field(field_id, ftype, key, title, position):
    """A user field (go-zendesk user_fields.json key order)."""
    field = {"url": None, "id": field_id, "type": ftype, "key": key, "title": title,
             "raw_title": title, "description": title, "raw_description": title,
             "position": position, "active": True, "regexp_for_validation": None,
             "created_at": FIELD_CREATED, "updated_at": FIELD_UPDATED}
    if ftype in ("dropdown", "multiselect"):
        field["custom_field_options"] = field_options(field_id * 100, [
            (v.capitalize(), v) for v in (("bronze", "silver", "gold") if ftype == "dropdown"
                                          else ("en", "de", "ja", "fr"))])
    return field


def organization_field(field_id, ftype, key, title, position):
    """An organization field (go-zendesk organization_fields.json key order)."""
    field = {"id": field_id, "url": None, "title": title, "type": ftype,
             "relationship_target_type": "zen:user" if ftype == "lookup" else "",
             "relationship_filter": {"all": None, "any": None} if ftype != "lookup"
             else {"all": [{"field": "role", "operator": "is", "value": "4"}], "any": []},
             "active": True, "description": title, "key": key, "position": position,
             "raw_description": title, "raw_title": title,
             "created_at": FIELD_CREATED, "updated_at": FIELD_UPDATED}
    if ftype in ("dropdown", "multiselect"):
        field["custom_field_options"] = field_options(field_id * 100, [
            (v.capitalize(), v) for v in ("smb", "mid_market", "enterprise")])
    return field


# ---------------------------------------------------------------------------
# Values of custom fields, in the forms seen in the wild (§7.2)


def custom_value(rng, field, user_ids):
    """A random value for a ticket/user/org custom field of this definition."""
    ftype = field["type"]
    if ftype == "regexp":
        return "%s-%04d" % ("".join(rng.choice("ABCDEFGHJK") for _ in range(3)), rng.randrange(10000))
    if ftype == "text":
        return rng.choice(["ORD-%d" % rng.randrange(10 ** 6), "Ünïcödé ✓ %d" % rng.randrange(100),
                           "東京 %d" % rng.randrange(100), "  spaced  ", "quote \" and \\ back",
                           "%d" % rng.randrange(10 ** 6)])
    if ftype == "textarea":
        return "Line one\nLine two — %s\n\ttabbed" % rng.choice(SUBJECT_WORDS)
    if ftype == "checkbox":
        return True
    if ftype == "date":
        return "2026-%02d-%02d" % (rng.randrange(1, 13), rng.randrange(1, 29))
    if ftype == "integer":
        # strings as captured; some beyond 2^32, some negative
        return str(rng.choice([rng.randrange(0, 500), rng.randrange(2 ** 32, 2 ** 40),
                               -rng.randrange(1, 100)]))
    if ftype == "decimal":
        return rng.choice(["12.50", "19.99", "0.1", "-3.25", "1000000.001",
                           "%d.%02d" % (rng.randrange(1000), rng.randrange(100))])
    if ftype == "partialcreditcard":
        return "XXXXXXXXXXXX%04d" % rng.randrange(10000)
    if ftype in ("tagger", "dropdown"):
        options = field.get("custom_field_options") or []
        return rng.choice(options)["value"] if options else None
    if ftype == "multiselect":
        options = field.get("custom_field_options") or []
        if not options:
            return None
        return [o["value"] for o in rng.sample(options, rng.randrange(1, min(3, len(options)) + 1))]
    if ftype == "lookup":
        return rng.choice(user_ids)
    return None


def unset_value(ftype):
    """What Zendesk shows for a field with no value: false for a checkbox."""
    return False if ftype == "checkbox" else None


def render_number(value, ftype, as_number):
    """integer/decimal values: stored as strings; numbers under the switch."""
    if not as_number or value is None or ftype not in ("integer", "decimal"):
        return value
    try:
        return int(value) if ftype == "integer" else float(value)
    except (TypeError, ValueError):
        return value


# ---------------------------------------------------------------------------
# Tickets


# Records are replaced, never changed in place (module docstring), so equal
# empty lists and plain via objects can be one shared object each: about a
# kilobyte less per ticket on an account of a million.
EMPTY = []
SHAREABLE_LISTS = ("collaborator_ids", "follower_ids", "email_cc_ids", "tags",
                   "sharing_agreement_ids", "followup_ids")
_VIAS = {}


def _plain_via(channel):
    via = _VIAS.get(channel)
    if via is None:
        via = _VIAS[channel] = {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}}
    return via


def _sample(below, population, k):
    """random.sample(population, k) for k <= 5, drawing exactly what
    CPython's sample draws (the same values for the same seed), without its
    per-call checks: a million tickets call it three million times."""
    n = len(population)
    result = [None] * k
    if n <= 21:
        pool = list(population)
        for i in range(k):
            j = below(n - i)
            result[i] = pool[j]
            pool[j] = pool[n - i - 1]
    else:
        selected = set()
        for i in range(k):
            j = below(n)
            while j in selected:
                j = below(n)
            selected.add(j)
            result[i] = population[j]
    return result


class TicketGenerator:
    """Tickets from a seed: the main random stream decides every value the
    first simulator versions had (kept so an account stays the same for the
    same --seed/--tickets), a second stream the values added since."""

    def __init__(self, seed, user_ids, org_ids, subdomain):
        self.seed = seed
        self.rng = random.Random(seed)
        self.extra = random.Random("%d:extra" % seed)
        self.user_ids = user_ids
        self.org_ids = org_ids
        self.subdomain = subdomain

    def _pools(self, custom_fields):
        """64 pre-drawn values per active custom field: a ticket picks from them
        (cheap enough for a million tickets)."""
        if getattr(self, "_pool_source", None) is not custom_fields:
            rng = random.Random("%d:pools" % self.seed)
            self._pool_list = [(f["id"], [custom_value(rng, f, self.user_ids) for _ in range(64)])
                               for f in custom_fields if f["active"]]
            self._pool_source = custom_fields
        return self._pool_list

    def times(self, n):
        """(created, updated, generated) for tickets 1..n, as the first versions did.

        Creation times spread evenly over the history, in bursts: about a third
        of the tickets share their second with the previous one (the case that
        breaks naive time-based pagination).  (rng._randbelow(k) is what
        randrange(0, k) and choice() draw, called directly for speed.)
        """
        rng = self.rng
        below = rng._randbelow
        rand = rng.random
        created = HISTORY_START
        span = HISTORY_END - HISTORY_START
        for ticket_id in range(1, n + 1):
            if ticket_id == 1 or rand() >= 0.3:
                created = max(created, HISTORY_START + span * ticket_id // (n + 1) + below(60))
            updated = created if rand() < 0.5 else created + below(86400 * 20)
            updated = min(updated, HISTORY_END)
            # generated_timestamp: every change, system ones too (0-5 s later)
            generated = updated + below(6)
            yield ticket_id, created, updated, generated

    def ticket(self, ticket_id, created, updated, generated, status=None):
        """One ticket (main stream first, in the original order of calls)."""
        rng = self.rng
        below = rng._randbelow
        rand = rng.random
        users = self.user_ids
        drawn_status = STATUSES[below(len(STATUSES))]
        deleted = rand() < 0.05
        words = _sample(below, SUBJECT_WORDS, 2)
        subject = "%s %s #%d" % (words[0].capitalize(), words[1], ticket_id)
        requester = users[below(len(users))]
        ttype = TYPES[below(len(TYPES))]
        channel = CHANNELS[below(len(CHANNELS))]
        ticket = {
            "url": None,  # filled in per request, from the base URL
            "id": ticket_id,
            "external_id": None if rand() < 0.8 else "ext-%d" % ticket_id,
            "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": iso(created),
            "updated_at": iso(updated),
            "type": ttype,
            "subject": subject,
            "raw_subject": subject,
            "description": "Customer wrote about %s.\nSecond line with \"quotes\"." % words[0],
            "priority": PRIORITIES[below(len(PRIORITIES))],
            "status": "deleted" if deleted else drawn_status,
            "recipient": None if rand() < 0.7 else "support@%s.zendesk.com" % self.subdomain,
            "requester_id": requester,
            "submitter_id": requester,
            "assignee_id": None if rand() < 0.3 else users[below(len(users))],
            "organization_id": None if rand() < 0.2 else self.org_ids[below(len(self.org_ids))],
            "group_id": None if rand() < 0.4 else GROUP_BASE + below(5),
            "collaborator_ids": sorted(_sample(below, users, below(3))),
            "follower_ids": [],
            "email_cc_ids": [],
            "forum_topic_id": None,
            "problem_id": None,
            "has_incidents": False,
            "is_public": rand() < 0.9,
            "due_at": iso(created + 86400 * 7) if ttype == "task" else None,
            "tags": sorted(_sample(below, TAGS, below(4))),
            "custom_fields": {},
            "satisfaction_rating": None,
            "sharing_agreement_ids": [],
            "custom_status_id": CUSTOM_STATUS_IDS["open"],
            "fields": None,
            "followup_ids": [],
            "ticket_form_id": FORM_ID,
            "brand_id": BRAND_ID,
            "allow_channelback": False,
            "allow_attachments": True,
            "from_messaging_channel": False,
            "generated_timestamp": generated,
        }
        if status is not None:
            ticket["status"] = status
        return ticket, drawn_status

    def embellish(self, ticket, custom_fields):
        """The values added since the first versions (second stream).

        Returns (ticket, flags) where flags say ai_agent / scrubbed.
        """
        x = self.extra
        pools = self._pools(custom_fields)
        values = {}
        mask = x.getrandbits(len(pools))
        for field_id, pool in pools:
            if mask & 1:
                values[field_id] = pool[x.getrandbits(6)]
            mask >>= 1
        ticket["custom_fields"] = values
        ticket["fields"] = values
        channel = ticket["via"]["channel"]
        if channel == "email":
            name = "%s %s" % (x.choice(FIRST_NAMES), x.choice(LAST_NAMES))
            ticket["via"] = {"channel": "email", "source": {
                "from": {"address": "customer%d@example.org" % ticket["requester_id"], "name": name},
                "to": {"name": "Support", "address": "support@%s.zendesk.com" % self.subdomain},
                "rel": None}}
        elif channel == "web" and x.random() < 0.1:
            ticket["via"] = {"channel": "rule", "source": {
                "to": {}, "from": {"id": 61351077, "title": "Notify requester of received request"},
                "rel": "trigger"}}
        for key in SHAREABLE_LISTS:
            if not ticket[key]:
                ticket[key] = EMPTY
        if ticket["via"]["source"]["from"] == {} and ticket["via"]["source"]["to"] == {} \
                and ticket["via"]["source"]["rel"] is None:
            ticket["via"] = _plain_via(ticket["via"]["channel"])
        status = ticket["status"]
        roll = x.random()
        if status in ("solved", "closed"):
            if roll < 0.3:
                ticket["satisfaction_rating"] = {"score": "offered"}
            elif roll < 0.6:
                ticket["satisfaction_rating"] = {
                    "id": 360000000000 + ticket["id"], "score": x.choice(["good", "bad"]),
                    "comment": x.choice(["", "Merci beaucoup!", "Too slow 😞", "素晴らしい"])}
            elif roll < 0.7:
                ticket["satisfaction_rating"] = {"score": "unoffered"}
        ticket["custom_status_id"] = CUSTOM_STATUS_IDS.get(status, CUSTOM_STATUS_IDS["open"])
        if ticket["type"] == "incident" and x.random() < 0.3:
            ticket["problem_id"] = max(1, ticket["id"] - x.randrange(1, 50))
        if ticket["type"] == "problem" and x.random() < 0.3:
            ticket["has_incidents"] = True
        if x.random() < 0.15:
            ticket["follower_ids"] = sorted(x.sample(self.user_ids, min(2, len(self.user_ids))))
        if x.random() < 0.1:
            ticket["email_cc_ids"] = sorted(x.sample(self.user_ids, 1))
        ticket["allow_channelback"] = channel in ("chat", "mobile") and x.random() < 0.5
        ticket["from_messaging_channel"] = channel == "mobile" and x.random() < 0.3
        ai = x.random() < 0.03
        scrubbed = False
        if status == "deleted" and x.random() < 0.2:
            scrubbed = True
            ticket["subject"] = ticket["raw_subject"] = "SCRUBBED"
            ticket["description"] = "X"
        return ticket, {"ai_agent": ai, "scrubbed": scrubbed}


def new_ticket(ticket_id, now, requester, values, subdomain):
    """A ticket created through the control API (defaults for what is not given)."""
    subject = values.get("subject", "New ticket #%d" % ticket_id)
    ticket = {
        "url": None, "id": ticket_id, "external_id": None,
        "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": iso(now), "updated_at": iso(now), "type": None,
        "subject": subject, "raw_subject": subject,
        "description": values.get("description", "Created by the simulator's control API."),
        "priority": None, "status": "new", "recipient": None,
        "requester_id": requester, "submitter_id": requester, "assignee_id": None,
        "organization_id": None, "group_id": None, "collaborator_ids": [], "follower_ids": [],
        "email_cc_ids": [], "forum_topic_id": None, "problem_id": None, "has_incidents": False,
        "is_public": True, "due_at": None, "tags": [], "custom_fields": {},
        "satisfaction_rating": None, "sharing_agreement_ids": [],
        "custom_status_id": CUSTOM_STATUS_IDS["new"], "fields": None, "followup_ids": [],
        "ticket_form_id": FORM_ID, "brand_id": BRAND_ID, "allow_channelback": False,
        "allow_attachments": True, "from_messaging_channel": False, "generated_timestamp": now,
    }
    ticket["fields"] = ticket["custom_fields"]
    return ticket


# ---------------------------------------------------------------------------
# Users and organizations


def generate_user(rng, index, user_id, created, updated, org_ids, admin_email, agent_email,
                  user_fields, subdomain):
    """One user: index 0 is the account's admin (the API token's owner), 1 an agent."""
    name = "%s %s" % (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
    if index == 0:
        role, email, name = "admin", admin_email, "Sim Admin"
    elif index == 1:
        role, email, name = "agent", agent_email, "Sim Agent"
    else:
        roll = rng.random()
        role = "admin" if roll < 0.01 else "agent" if roll < 0.08 else "end-user"
        email = None if rng.random() < 0.05 else "user%d@example.org" % index
    tz, iana = rng.choice(TIME_ZONES)
    staff = role != "end-user"
    active = index < 2 or (rng.random() >= 0.03 and index != 4)
    values = {}
    for field in user_fields:
        if rng.random() < 0.4:
            values[field["key"]] = custom_value(rng, field, [user_id])
    user = {
        "id": user_id,
        "url": None,
        "name": name,
        "email": email,
        "created_at": iso(created),
        "updated_at": iso(updated),
        "time_zone": tz,
        "iana_time_zone": iana,
        "phone": None if rng.random() < 0.8 else "+4930%07d" % rng.randrange(10 ** 7),
        "shared_phone_number": None,
        "photo": (ATTACHMENT_ID_BASE + 2 * index) if rng.random() < 0.2 else None,
        "locale_id": 1,
        "locale": "en-US",
        "organization_id": rng.choice(org_ids) if rng.random() < 0.6 else None,
        "role": role,
        "verified": staff or rng.random() < 0.5,
        "external_id": None if rng.random() < 0.9 else "crm-%d" % index,
        "tags": sorted(rng.sample(TAGS, rng.randrange(0, 3))),
        "alias": None if not staff else "",
        "active": active,
        "shared": False,
        "shared_agent": False,
        "last_login_at": iso(updated) if staff else None,
        "two_factor_auth_enabled": None if not staff else rng.random() < 0.5,
        "signature": None if not staff else "— %s" % name,
        "details": None if rng.random() < 0.9 else "Prefers e-mail. Ünïcode ✓",
        "notes": None if rng.random() < 0.9 else "VIP since 2019",
        "role_type": None if role == "end-user" else (4 if role == "admin" else None),
        "custom_role_id": None if role == "end-user" else 360002544331 + (role == "admin"),
        "moderator": staff,
        "ticket_restriction": "requested" if role == "end-user" else None,
        "only_private_comments": False,
        "restricted_agent": role == "end-user",
        "suspended": active and rng.random() < 0.01,
        "default_group_id": GROUP_BASE + rng.randrange(5) if staff else None,
        "report_csv": role == "admin",
        "user_fields": values,
    }
    return user


def generate_organization(rng, index, org_id, created, updated, org_fields, user_ids):
    values = {}
    for field in org_fields:
        if rng.random() < 0.5:
            values[field["key"]] = custom_value(rng, field, user_ids)
    name = "%s %s %d" % (rng.choice(COMPANY_WORDS), rng.choice(["GmbH", "Inc.", "Ltd", "S.A.", "株式会社"]),
                         index)
    slug = "org%d" % index
    return {
        "url": None,
        "id": org_id,
        "name": name,
        "shared_tickets": rng.random() < 0.3,
        "shared_comments": rng.random() < 0.2,
        "external_id": None if rng.random() < 0.7 else "sf-%06d" % index,
        "created_at": iso(created),
        "updated_at": iso(updated),
        "domain_names": [] if rng.random() < 0.5 else ["%s.example.com" % slug],
        "details": None if rng.random() < 0.8 else "Head office: Zürich",
        "notes": None if rng.random() < 0.9 else "Renewal in Q3",
        "group_id": None if rng.random() < 0.7 else GROUP_BASE + rng.randrange(5),
        "tags": sorted(rng.sample(TAGS, rng.randrange(0, 3))),
        "organization_fields": values,
    }


# ---------------------------------------------------------------------------
# Rendering: stored record -> response object


class RenderContext:
    """What rendering needs besides the record: the base URL, the current
    field definitions and the switches that change shapes."""

    def __init__(self, base, custom_fields, user_fields, org_fields, numbers_as_json, version=0):
        self.base = base
        self.key = (base, version, numbers_as_json)
        self.custom_fields = [(f["id"], f["type"]) for f in custom_fields if f["active"]]
        self.user_fields = [(f["key"], f["type"]) for f in user_fields if f["active"]]
        self.org_fields = [(f["key"], f["type"]) for f in org_fields if f["active"]]
        self.numbers = numbers_as_json


def render_ticket(ticket, ctx, shape="export"):
    """shape: export (every key), show (no generated_timestamp: single, show_many,
    search, and GET /tickets with offset pagination) or list (GET /tickets with
    cursor pagination: no fields either), §8.1 and the zenpy recordings."""
    out = dict(ticket)
    out["url"] = "%s/api/v2/tickets/%d.json" % (ctx.base, ticket["id"])
    values = ticket["custom_fields"]
    numbers = ctx.numbers
    cf = []
    for field_id, ftype in ctx.custom_fields:
        value = values.get(field_id, None)
        if value is None:
            value = unset_value(ftype) if field_id not in values else None
        elif numbers:
            value = render_number(value, ftype, True)
        cf.append({"id": field_id, "value": value})
    out["custom_fields"] = cf
    if shape == "list":
        del out["fields"]
        del out["generated_timestamp"]
    else:
        out["fields"] = cf
        if shape != "export":
            del out["generated_timestamp"]
    return out


def render_photo(attachment_id, user_id, base):
    name = "profile_image_%d_%d.png" % (user_id, attachment_id % 100000000)
    content = "%s/system/photos/%d/%s" % (base, attachment_id, name)
    thumb_name = name.replace(".png", "_thumb.png")
    thumb_content = "%s/system/photos/%d/%s" % (base, attachment_id, thumb_name)
    return {
        "url": "%s/api/v2/attachments/%d.json" % (base, attachment_id), "id": attachment_id,
        "file_name": name, "content_url": content, "mapped_content_url": content,
        "content_type": "image/png", "size": 10157, "width": 80, "height": 80,
        "inline": False, "deleted": False,
        "thumbnails": [{
            "url": "%s/api/v2/attachments/%d.json" % (base, attachment_id + 1),
            "id": attachment_id + 1, "file_name": thumb_name, "content_url": thumb_content,
            "mapped_content_url": thumb_content, "content_type": "image/png", "size": 2330,
            "width": 32, "height": 32, "inline": False, "deleted": False}],
    }


def render_user(user, ctx):
    out = dict(user)
    out["url"] = "%s/api/v2/users/%d.json" % (ctx.base, user["id"])
    if user["photo"] is not None:
        out["photo"] = render_photo(user["photo"], user["id"], ctx.base)
    values = user["user_fields"]
    out["user_fields"] = {key: render_number(values.get(key, unset_value(ftype) if key not in values else None),
                                             ftype, ctx.numbers)
                          for key, ftype in ctx.user_fields}
    if not user["active"]:
        # recorded: deleted users carry one more key, last (UsersIncrementalTest 2023)
        out["permanently_deleted"] = False
    return out


def render_organization(org, ctx):
    out = dict(org)
    out["url"] = "%s/api/v2/organizations/%d.json" % (ctx.base, org["id"])
    values = org["organization_fields"]
    out["organization_fields"] = {
        key: render_number(values.get(key, unset_value(ftype) if key not in values else None),
                           ftype, ctx.numbers)
        for key, ftype in ctx.org_fields}
    return out


def render_field(field, base, collection):
    out = dict(field)
    out["url"] = "%s/api/v2/%s/%d.json" % (base, collection, field["id"])
    return out


ANONYMOUS_USER = {
    "id": None, "url": None, "name": "Anonymous user", "email": "invalid@example.com",
    "created_at": None, "updated_at": None, "time_zone": "UTC", "iana_time_zone": "Etc/UTC",
    "phone": None, "shared_phone_number": None, "photo": None, "locale_id": 1,
    "locale": "en-US", "organization_id": None, "role": "end-user", "verified": False,
    "external_id": None, "tags": [], "alias": None, "active": True, "shared": False,
    "shared_agent": False, "last_login_at": None, "two_factor_auth_enabled": None,
    "signature": None, "details": None, "notes": None, "role_type": None,
    "custom_role_id": None, "moderator": False, "ticket_restriction": "requested",
    "only_private_comments": False, "restricted_agent": True, "suspended": False,
    "default_group_id": None, "report_csv": False, "user_fields": {},
}


# ---------------------------------------------------------------------------
# Ticket events (§3.8) and ticket metric events (§3.9)
#
# An event is stored as a tuple (timestamp, event_id, ticket_id, kind, data):
# kind "create" (a generated ticket's creation audit), "update" (a generated
# later audit: status change and a reply), "created" or "changes" (a ticket
# created or changed through the control API: data holds
# ([(field, value, previous)], (comment body, public) or None, updater id)).


def event_via(channel, as_object):
    if as_object:
        return {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}}
    return VIA_NAMES.get(channel, "Web service")


def _child(cid, via, field, value, previous=None, kind="Change"):
    child = {"id": cid, "via": via, "via_reference_id": None, field: value}
    if kind == "Change":
        child["previous_value"] = previous
    child["event_type"] = kind
    return child


def _comment(cid, eid, ts, via, author, body, public, full):
    if not full:
        return {"id": cid, "via": via, "via_reference_id": None, "comment_present": True,
                "comment_public": public, "event_type": "Comment"}
    html = "<div class=\"zd-comment\" dir=\"auto\"><p dir=\"auto\">%s</p></div>" % (
        body.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>"))
    return {"id": cid, "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
            "via_reference_id": None, "type": "Comment", "author_id": author, "body": body,
            "html_body": html, "public": public, "attachments": [], "audit_id": eid,
            "created_at": iso(ts), "event_type": "Comment"}


def render_event(event, ticket, seed, full_comments, via_object):
    """A ticket event for the export; ticket is the stored ticket as generated
    (Account.event_ticket): the generated events show it, whatever changed since."""
    ts, eid, tid, kind, data = event
    channel = ticket["via"]["channel"] if ticket else "api"
    via = event_via(channel, via_object)
    requester = ticket["requester_id"] if ticket else None
    updater = requester
    children = []
    cid = eid + 1
    if kind == "create":
        for field in ("subject", "status", "priority", "type", "requester_id", "tags"):
            if ticket is None:
                break
            value = ticket[field]
            if field == "status":
                value = "new"
            if field in ("requester_id",) and value is not None:
                value = str(value)
            children.append(_child(cid, via, field, value, kind="Create"))
            cid += 1
        body = ticket["description"] if ticket else ""
        children.append(_comment(cid, eid, ts, via, requester, body, True, full_comments))
    elif kind == "update":
        status = ticket["status"] if ticket else "open"
        if status == "deleted":
            status = "open"
        children.append(_child(cid, via, "status", status, previous="new"))
        cid += 1
        rng = random.Random("%d:event:%d" % (seed, eid))
        updater = (ticket["assignee_id"] or requester) if ticket else None
        body = rng.choice(["Thanks, we are looking into it.", "Could you send a screenshot?",
                           "Résolu — merci !", "配送状況を確認しました。", "Line 1\nLine 2"])
        children.append(_comment(cid, eid, ts, via, updater, body, rng.random() < 0.8,
                                 full_comments))
    else:
        # "created" / "changes": made through the control API
        changes, comment, updater_id = data
        updater = updater_id if updater_id is not None else -1
        child_kind = "Create" if kind == "created" else "Change"
        for field, value, previous in changes:
            if field == "custom_fields":
                field = "custom_ticket_fields"
            if field == "requester_id" and value is not None:
                value = str(value)
            children.append(_child(cid, via, field, value, previous=previous, kind=child_kind))
            cid += 1
        if comment is not None:
            body, public = comment
            children.append(_comment(cid, eid, ts, via, updater, body, public, full_comments))
    return {
        "id": eid,
        "ticket_id": tid,
        "timestamp": ts,
        "created_at": iso(ts),
        "updater_id": updater if updater is not None else -1,
        "via": via,
        "via_reference_id": None,
        "system": {"client": "Mozilla/5.0 (X11; Linux x86_64) Simulator", "ip_address": "192.0.2.%d" % (eid % 250 + 1)},
        "metadata": {},
        "event_type": "Audit",
        "child_events": children,
    }


METRICS = ("agent_work_time", "pausable_update_time", "periodic_update_time", "reply_time",
           "requester_wait_time", "resolution_time")


def render_metric_event(event):
    ts, mid, tid, metric, mtype = event
    return {"id": mid, "ticket_id": tid, "metric": metric, "instance_id": 1, "type": mtype,
            "time": iso(ts)}


class Prerendered(list):
    """Rendered records with their JSON (UTF-8 bytes), for the serializer to join
    instead of encoding them again (the render cache's fast path)."""

    def __init__(self, records, fragments):
        super().__init__(records)
        self.fragments = fragments


def render_metric_set(ticket, base):
    created = epoch(ticket["created_at"])
    updated = epoch(ticket["updated_at"])
    solved = ticket["status"] in ("solved", "closed")
    minutes = max(0, (updated - created) // 60)
    return {
        "url": "%s/api/v2/ticket_metrics/%d.json" % (base, ticket["id"]),
        "id": 7000000000000 + ticket["id"], "ticket_id": ticket["id"],
        "created_at": ticket["created_at"], "updated_at": ticket["updated_at"],
        "group_stations": 1, "assignee_stations": 1 if ticket["assignee_id"] else 0,
        "reopens": 0, "replies": 1 if updated > created else 0,
        "assignee_updated_at": ticket["updated_at"] if ticket["assignee_id"] else None,
        "requester_updated_at": ticket["created_at"], "status_updated_at": ticket["updated_at"],
        "initially_assigned_at": ticket["created_at"] if ticket["assignee_id"] else None,
        "assigned_at": ticket["created_at"] if ticket["assignee_id"] else None,
        "solved_at": ticket["updated_at"] if solved else None,
        "latest_comment_added_at": ticket["updated_at"],
        "reply_time_in_minutes": {"calendar": minutes if updated > created else None,
                                  "business": minutes if updated > created else None},
        "first_resolution_time_in_minutes": {"calendar": minutes if solved else None,
                                             "business": minutes if solved else None},
        "full_resolution_time_in_minutes": {"calendar": minutes if solved else None,
                                            "business": minutes if solved else None},
        "agent_wait_time_in_minutes": {"calendar": 0, "business": 0},
        "requester_wait_time_in_minutes": {"calendar": minutes, "business": minutes},
        "on_hold_time_in_minutes": {"calendar": 0, "business": 0},
        "custom_status_updated_at": ticket["updated_at"],
    }


class RenderCache:
    """JSON (UTF-8 bytes) of rendered export records, keyed by record id, valid while
    the stored record is the same object (mutations replace records) and the
    render context (base URL, field definitions, switches) is the same.
    Bounded: past `limit` entries it starts over."""

    def __init__(self, limit):
        self.limit = limit
        self._items = {}

    def render(self, records, ctx, render_one, dumps):
        items = self._items
        out = []
        fragments = []
        for record in records:
            hit = items.get(record["id"])
            if hit is not None and hit[0] is record and hit[1] == ctx.key:
                out.append(hit[2])
                fragments.append(hit[3])
                continue
            rendered = render_one(record)
            text = dumps(rendered).encode()
            if len(items) >= self.limit:
                items.clear()
            items[record["id"]] = (record, ctx.key, rendered, text)
            out.append(rendered)
            fragments.append(text)
        return Prerendered(out, fragments)

    def clear(self):
        self._items.clear()
