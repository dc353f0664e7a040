"""The Zendesk API's routes: which path is which endpoint, and what it answers.

Every route works with and without the .json suffix (§0).  A handler takes
the simulator and the parsed request and returns the JSON body of a 200, or
raises ExportError / NotFound for Zendesk's error answers; authentication,
rate limits, faults and the wire are server.py's business.

Endpoint families (used by fault rules, the request log and the rate limits):
  export_tickets_cursor, export_tickets, export_users_cursor, export_users,
  export_organizations, export_ticket_events, export_ticket_metric_events,
  export_sample, tickets_list, ticket, tickets_show_many, tickets_count,
  users_list, user, users_show_many, users_count, users_me,
  organizations_list, organization, organizations_show_many,
  organizations_count, ticket_fields, ticket_field, user_fields, user_field,
  organization_fields, organization_field, search_export, oauth_token, unknown.
"""

import base64
import binascii
import bisect
import json
import re

from . import exports, history, lists, pagination, records
from .exports import ExportError, ExportSpec

NOT_FOUND = {"error": "RecordNotFound", "description": "Not found"}


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
INVALID_ENDPOINT = {"error": "InvalidEndpoint", "description": "Not found"}


class NotFound(Exception):
    pass


ROUTES = [
    ("POST", r"/oauth/tokens", "oauth_token", None),
    ("GET", r"/api/v2/incremental/tickets/cursor", "export_tickets_cursor", "tickets_cursor"),
    ("GET", r"/api/v2/incremental/users/cursor", "export_users_cursor", "users_cursor"),
    ("GET", r"/api/v2/incremental/(tickets|users|organizations|ticket_events)/sample",
     "export_sample", "sample"),
    ("GET", r"/api/v2/incremental/tickets", "export_tickets", "tickets_time"),
    ("GET", r"/api/v2/incremental/users", "export_users", "users_time"),
    ("GET", r"/api/v2/incremental/organizations", "export_organizations", "organizations_time"),
    ("GET", r"/api/v2/incremental/ticket_events", "export_ticket_events", "ticket_events_time"),
    ("GET", r"/api/v2/incremental/ticket_metric_events", "export_ticket_metric_events",
     "metric_events_time"),
    ("GET", r"/api/v2/tickets", "tickets_list", "tickets_list"),
    ("GET", r"/api/v2/tickets/show_many", "tickets_show_many", "tickets_show_many"),
    ("GET", r"/api/v2/tickets/count", "tickets_count", "count"),
    ("GET", r"/api/v2/tickets/(\d+)", "ticket", "ticket_show"),
    ("GET", r"/api/v2/tickets/(\d+)/metrics", "ticket_metrics", "ticket_metrics_of_ticket"),
    ("GET", r"/api/v2/users", "users_list", "users_list"),
    ("GET", r"/api/v2/users/show_many", "users_show_many", "users_show_many"),
    ("GET", r"/api/v2/users/count", "users_count", "count"),
    ("GET", r"/api/v2/users/me", "users_me", "users_me"),
    ("GET", r"/api/v2/users/(\d+)", "user", "user_show"),
    ("GET", r"/api/v2/organizations", "organizations_list", "organizations_list"),
    ("GET", r"/api/v2/organizations/show_many", "organizations_show_many", "organizations_show_many"),
    ("GET", r"/api/v2/organizations/count", "organizations_count", "count"),
    ("GET", r"/api/v2/organizations/(\d+)", "organization", "organization_show"),
    ("GET", r"/api/v2/ticket_fields", "ticket_fields", "fields_list"),
    ("GET", r"/api/v2/ticket_fields/(\d+)", "ticket_field", "field_show"),
    ("GET", r"/api/v2/user_fields", "user_fields", "fields_list"),
    ("GET", r"/api/v2/user_fields/(\d+)", "user_field", "field_show"),
    ("GET", r"/api/v2/organization_fields", "organization_fields", "fields_list"),
    ("GET", r"/api/v2/organization_fields/(\d+)", "organization_field", "field_show"),
    ("GET", r"/api/v2/search/export", "search_export", "search_export"),
] + lists.ROUTES + history.ROUTES
_COMPILED = [(m, re.compile("^%s$" % p), fam, h) for m, p, fam, h in ROUTES]
FAMILIES = sorted({fam for _, _, fam, _ in ROUTES} | {"unknown"})


def resolve(method, path):
    """(family, handler name or None, regex groups); handler None: wrong method."""
    route = path[:-5] if path.endswith(".json") else path
    known = None
    for m, regex, family, handler in _COMPILED:
        match = regex.match(route)
        if match:
            if m == method:
                return family, handler, match.groups()
            known = family
    if known:
        return known, None, ()
    return "unknown", None, ()


def resource_of(family):
    """The scope resource an OAuth token needs for this family (tickets:read...)."""
    for name in ("ticket_metric_events", "ticket_events", "ticket_field", "user_field",
                 "organization_field", "ticket", "user", "organization", "search"):
        if name in family:
            return {"ticket_field": "ticket_fields", "user_field": "user_fields",
                    "organization_field": "organization_fields", "ticket": "tickets",
                    "user": "users", "organization": "organizations"}.get(name, name)
    return "read"


# ---------------------------------------------------------------------------
# filters and renderers


def ticket_filter(account):
    def make(params):
        exclude_deleted = str(params.get("exclude_deleted", "false")).lower() == "true"
        scope = params.get("support_type_scope", "agent")
        ai = account.ai_tickets
        tests = []
        if exclude_deleted:
            tests.append(lambda t: t["status"] != "deleted")
        if scope == "ai_agent":
            tests.append(lambda t: t["id"] in ai)
        elif scope != "all":
            tests.append(lambda t: t["id"] not in ai)
        if not tests:
            return None
        if len(tests) == 1:
            return tests[0]
        return lambda t: all(test(t) for test in tests)
    return make


def _includes(params):
    return {part.strip() for part in str(params.get("include", "")).split(",") if part.strip()}


def ticket_sideloads(sim, ctx, tickets, params):
    wanted = _includes(params)
    out = {}
    account = sim.account
    if "users" in wanted:
        ids = sorted({i for t in tickets for i in (t["requester_id"], t["submitter_id"], t["assignee_id"])
                      if i is not None and i in account.users})
        out["users"] = [records.render_user(account.users[i], ctx) for i in ids]
    if "groups" in wanted:
        ids = sorted({t["group_id"] for t in tickets if t["group_id"] is not None})
        out["groups"] = lists.sideload_groups(sim, ids, ctx.base)
    if "organizations" in wanted:
        ids = sorted({t["organization_id"] for t in tickets
                      if t["organization_id"] is not None and t["organization_id"] in account.organizations})
        out["organizations"] = [records.render_organization(account.organizations[i], ctx) for i in ids]
    if "metric_sets" in wanted and sim.switches.metric_sets_shape == "top_level":
        out["metric_sets"] = [records.render_metric_set(t, ctx.base) for t in tickets]
    return out


def _with_metric_sets(sim, tickets, rendered, params, base):
    """include=metric_sets under metric_sets_shape=per_ticket: each ticket
    carries its metric_set (a copy: the rendered records may be cached)."""
    if "metric_sets" not in _includes(params) or sim.switches.metric_sets_shape != "per_ticket":
        return rendered
    return [dict(r, metric_set=records.render_metric_set(t, base)) for t, r in zip(tickets, rendered)]


def ticket_export_spec(sim, req, cursor):
    account = sim.account
    ctx = account.render_context(req.base_url, sim.switches)

    cache = getattr(sim, "render_cache", None)

    def render(tickets, params):
        if "metric_sets" in _includes(params) and sim.switches.metric_sets_shape == "per_ticket":
            rendered = _with_metric_sets(sim, tickets,
                                         [records.render_ticket(t, ctx, "export") for t in tickets],
                                         params, ctx.base)
        elif cache is not None:
            rendered = cache.render(tickets, ctx, lambda t: records.render_ticket(t, ctx, "export"), _dumps)
        else:
            rendered = [records.render_ticket(t, ctx, "export") for t in tickets]
        return rendered, ticket_sideloads(sim, ctx, tickets, params)
    path = "/api/v2/incremental/tickets/cursor.json" if cursor else "/api/v2/incremental/tickets.json"
    return ExportSpec(account.ticket_index, account.tickets.get, ticket_filter(account), render,
                      path, "tickets", ("tickets", "count", "end_of_stream", "next_page", "end_time"))


def user_export_spec(sim, req, cursor):
    account = sim.account
    ctx = account.render_context(req.base_url, sim.switches)

    def render(users, params):
        side = {}
        if "organizations" in _includes(params):
            ids = sorted({u["organization_id"] for u in users
                          if u["organization_id"] in account.organizations})
            side["organizations"] = [records.render_organization(account.organizations[i], ctx) for i in ids]
        return [records.render_user(u, ctx) for u in users], side
    path = "/api/v2/incremental/users/cursor.json" if cursor else "/api/v2/incremental/users.json"
    return ExportSpec(account.user_index, account.users.get, lambda params: None, render, path,
                      "users", ("users", "next_page", "count", "end_of_stream", "end_time"))


def organization_export_spec(sim, req):
    account = sim.account
    ctx = account.render_context(req.base_url, sim.switches)
    tombstones = sim.switches.deleted_organizations == "tombstone"

    def get(org_id):
        return account.organization_for_export(org_id, tombstones)

    def render(orgs, params):
        return [records.render_organization(o, ctx) for o in orgs], {}
    return ExportSpec(account.org_index, get, lambda params: None, render,
                      "/api/v2/incremental/organizations.json", "organizations",
                      ("organizations", "next_page", "count", "end_of_stream", "end_time"))


def ticket_event_export_spec(sim, req):
    account = sim.account
    index, events = account.event_stream()
    via_object = sim.switches.event_via == "object"
    seed = account.seed

    def make_filter(params):
        scope = params.get("support_type_scope", "agent")
        ai = account.ai_tickets
        if scope == "all":
            return None
        if scope == "ai_agent":
            return lambda e: e[2] in ai
        return lambda e: e[2] not in ai

    def render(items, params):
        full = "comment_events" in _includes(params)
        return [records.render_event(e, account.event_ticket(e[2]), seed, full, via_object)
                for e in items], {}
    return ExportSpec(index, events.get, make_filter, render,
                      "/api/v2/incremental/ticket_events.json", "ticket_events",
                      ("ticket_events", "next_page", "count", "end_time", "end_of_stream"))


def metric_event_export_spec(sim, req):
    index, events = sim.account.metric_event_stream()
    order = ("ticket_metric_events", "next_page", "count", "end_time")
    if sim.switches.metric_events_end_of_stream:
        order = order + ("end_of_stream",)

    def render(items, params):
        return [records.render_metric_event(e) for e in items], {}
    return ExportSpec(index, events.get, lambda params: None, render,
                      "/api/v2/incremental/ticket_metric_events.json", "ticket_metric_events", order)


# ---------------------------------------------------------------------------
# handlers: incremental exports


def tickets_cursor(sim, req, groups):
    with sim.account.lock:
        spec = ticket_export_spec(sim, req, cursor=True)
        return exports.cursor_page(spec, req.params, sim.account.clock.now(), req.base_url,
                                   sim.switches, sim.cursors)


def users_cursor(sim, req, groups):
    with sim.account.lock:
        spec = user_export_spec(sim, req, cursor=True)
        return exports.cursor_page(spec, req.params, sim.account.clock.now(), req.base_url,
                                   sim.switches, sim.cursors)


def _time(sim, req, spec, sample=False):
    return exports.time_page(spec, req.params, sim.account.clock.now(), req.base_url,
                             sim.switches, sim.account.seed, sample=sample)


def tickets_time(sim, req, groups):
    with sim.account.lock:
        return _time(sim, req, ticket_export_spec(sim, req, cursor=False))


def users_time(sim, req, groups):
    with sim.account.lock:
        return _time(sim, req, user_export_spec(sim, req, cursor=False))


def organizations_time(sim, req, groups):
    with sim.account.lock:
        return _time(sim, req, organization_export_spec(sim, req))


def ticket_events_time(sim, req, groups):
    with sim.account.lock:
        return _time(sim, req, ticket_event_export_spec(sim, req))


def metric_events_time(sim, req, groups):
    with sim.account.lock:
        return _time(sim, req, metric_event_export_spec(sim, req))


def sample(sim, req, groups):
    resource = groups[0]
    with sim.account.lock:
        spec = {"tickets": lambda: ticket_export_spec(sim, req, cursor=False),
                "users": lambda: user_export_spec(sim, req, cursor=False),
                "organizations": lambda: organization_export_spec(sim, req),
                "ticket_events": lambda: ticket_event_export_spec(sim, req)}[resource]()
        spec.path = "/api/v2/incremental/%s/sample.json" % resource
        return _time(sim, req, spec, sample=True)


# ---------------------------------------------------------------------------
# handlers: the standard API


def _ctx(sim, req):
    return sim.account.render_context(req.base_url, sim.switches)


def tickets_list(sim, req, groups):
    account = sim.account
    with account.lock:
        ctx = _ctx(sim, req)
        ids = account.sorted_ids("tickets")

        # recorded: CBP pages leave out `fields`, OBP pages keep it
        shape = "list" if pagination.is_cbp(req.params) else "show"

        def render(i):
            t = account.tickets.get(i)
            return None if t is None else records.render_ticket(t, ctx, shape)
        if pagination.is_cbp(req.params):
            return pagination.cbp_page(ids, req.params, req.base_url, "/api/v2/tickets.json",
                                       "tickets", render, "nice_id", sim.switches)
        return pagination.obp_page(ids, req.params, req.base_url, "/api/v2/tickets.json",
                                   "tickets", render)


def _visible_ticket(account, ticket_id):
    t = account.tickets.get(ticket_id)
    if t is None or t["status"] == "deleted":
        return None
    return t


def ticket_show(sim, req, groups):
    account = sim.account
    with account.lock:
        t = _visible_ticket(account, int(groups[0]))
        if t is None:
            raise NotFound()
        return {"ticket": records.render_ticket(t, _ctx(sim, req), "show")}


def tickets_show_many(sim, req, groups):
    account = sim.account
    with account.lock:
        ctx = _ctx(sim, req)
        found = []

        def lookup(i):
            t = _visible_ticket(account, i)
            if t is not None:
                found.append(t)
            return None if t is None else records.render_ticket(t, ctx, "show")
        body = pagination.show_many(req.params, lookup, "tickets")
        found.sort(key=lambda t: t["id"])
        body["tickets"] = _with_metric_sets(sim, found, body["tickets"], req.params, ctx.base)
        body.update(ticket_sideloads(sim, ctx, found, req.params))
        return body


def ticket_metrics_of_ticket(sim, req, groups):
    """GET /tickets/{id}/metrics: the ticket's metric set (archived tickets
    too); 404 for a deleted ticket, as Zendesk answers."""
    account = sim.account
    with account.lock:
        t = _visible_ticket(account, int(groups[0]))
        if t is None:
            raise NotFound()
        return {"ticket_metric": records.render_metric_set(t, req.base_url)}


def count(sim, req, groups):
    kind = req.family.split("_")[0]
    value, refreshed = sim.account.count(kind, sim.switches.count_staleness)
    return {"count": {"value": value,
                      "refreshed_at": records.iso(refreshed) if refreshed is not None else None}}


def users_list(sim, req, groups):
    account = sim.account
    with account.lock:
        ctx = _ctx(sim, req)
        ids = account.sorted_ids("users")

        def render(i):
            u = account.users.get(i)
            return None if u is None else records.render_user(u, ctx)
        if pagination.is_cbp(req.params):
            return pagination.cbp_page(ids, req.params, req.base_url, "/api/v2/users.json",
                                       "users", render, "id", sim.switches)
        return pagination.obp_page(ids, req.params, req.base_url, "/api/v2/users.json",
                                   "users", render)


def user_show(sim, req, groups):
    account = sim.account
    with account.lock:
        u = account.users.get(int(groups[0]))
        if u is None:
            raise NotFound()
        return {"user": records.render_user(u, _ctx(sim, req))}


def users_show_many(sim, req, groups):
    account = sim.account
    with account.lock:
        ctx = _ctx(sim, req)

        def lookup(i):
            u = account.users.get(i)
            return None if u is None else records.render_user(u, ctx)
        return pagination.show_many(req.params, lookup, "users")


def users_me(sim, req, groups):
    account = sim.account
    principal = req.principal
    if principal is None:
        return {"user": dict(records.ANONYMOUS_USER)}
    index = 0 if principal.role == "admin" else 1
    with account.lock:
        user = account.users[account.user_ids[index]]
        return {"user": records.render_user(user, _ctx(sim, req))}


def organizations_list(sim, req, groups):
    account = sim.account
    with account.lock:
        ctx = _ctx(sim, req)

        def render(i):
            o = account.organizations.get(i)
            return None if o is None else records.render_organization(o, ctx)
        if pagination.is_cbp(req.params):
            return pagination.cbp_page(account.sorted_ids("organizations"), req.params, req.base_url,
                                       "/api/v2/organizations.json", "organizations", render, "id",
                                       sim.switches)
        # OBP lists organizations by name (recorded: not by id)
        return pagination.obp_page(account.sorted_ids("organizations_by_name"), req.params,
                                   req.base_url, "/api/v2/organizations.json", "organizations", render)


def organization_show(sim, req, groups):
    account = sim.account
    with account.lock:
        o = account.organizations.get(int(groups[0]))
        if o is None:
            raise NotFound()
        return {"organization": records.render_organization(o, _ctx(sim, req))}


def organizations_show_many(sim, req, groups):
    account = sim.account
    with account.lock:
        ctx = _ctx(sim, req)

        def lookup(i):
            o = account.organizations.get(i)
            return None if o is None else records.render_organization(o, ctx)
        return pagination.show_many(req.params, lookup, "organizations")


def _field_kind(family):
    return {"ticket_fields": "ticket_fields", "ticket_field": "ticket_fields",
            "user_fields": "user_fields", "user_field": "user_fields",
            "organization_fields": "organization_fields",
            "organization_field": "organization_fields"}[family]


def fields_list(sim, req, groups):
    kind = _field_kind(req.family)
    account = sim.account
    with account.lock:
        fields = list(account._field_list(kind))
        by_id = {f["id"]: f for f in fields}
        if pagination.is_cbp(req.params):
            return pagination.cbp_page(sorted(by_id), req.params, req.base_url,
                                       "/api/v2/%s.json" % kind, kind,
                                       lambda i: records.render_field(by_id[i], req.base_url, kind),
                                       "id", sim.switches)
        return {kind: [records.render_field(f, req.base_url, kind) for f in fields],
                "next_page": None, "previous_page": None, "count": len(fields)}


def field_show(sim, req, groups):
    kind = _field_kind(req.family)
    account = sim.account
    with account.lock:
        for f in account._field_list(kind):
            if f["id"] == int(groups[0]):
                return {kind[:-1]: records.render_field(f, req.base_url, kind)}
    raise NotFound()


# ---------------------------------------------------------------------------
# search export (§9): a subset of the query language

_TERM = re.compile(r"^(created_at|updated_at)(>=|<=|>|<|:)(.+)$")


def _search_predicate(query, kind):
    tests = []
    for token in query.split():
        if token.startswith("type:"):
            continue
        match = _TERM.match(token)
        if match:
            field, op, value = match.groups()
            value = value.strip("\"'")
            if len(value) == 10:
                value += "T00:00:00Z"
            try:
                bound = records.epoch(value if value.endswith("Z") else value + "Z")
            except ValueError:
                raise ExportError(400, {"error": "InvalidSearchQuery",
                                        "description": "cannot parse %s" % token})
            ops = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
                   "<": lambda a, b: a < b, ":": lambda a, b: a // 86400 == b // 86400}
            tests.append((lambda f, o, b: lambda r: ops[o](records.epoch(r[f]), b))(field, op, bound))
            continue
        if token.startswith("status:") and kind == "ticket":
            wanted = token[7:]
            tests.append((lambda w: lambda r: r["status"] == w)(wanted))
            continue
        if token.startswith("role:") and kind == "user":
            wanted = token[5:]
            tests.append((lambda w: lambda r: r["role"] == w)(wanted))
            continue
        # free text: matched against a few text attributes
        needle = token.lower()
        tests.append((lambda n: lambda r: any(n in str(r.get(k) or "").lower()
                                              for k in ("subject", "description", "name", "email")))(needle))
    return lambda r: all(test(r) for test in tests)


def search_export(sim, req, groups):
    params = req.params
    kind = params.get("filter[type]")
    if kind not in ("ticket", "user", "organization", "group"):
        raise ExportError(400, {"error": "InvalidSearchParameter",
                                "description": "filter[type] must be one of ticket, user, organization, group"})
    size = pagination._int_param(params, "page[size]", 100)
    size = max(1, min(size, 1000))
    account = sim.account
    now = account.clock.now()
    query = params.get("query", "")
    after_key = None
    exported = 0
    session = int(now * 1000)
    if params.get("page[after]"):
        try:
            raw = params["page[after]"]
            data = json.loads(base64.b64decode(raw + "=" * (-len(raw) % 4)))
            after_key = (-int(data["sortValues"][0]) // 1000, int(data["sortValues"][1]))
            exported = int(data.get("exportedThusFar", 0))
            session = int(data.get("sessionStart", session))
            if now * 1000 - int(data["createdAt"]) > 3600 * 1000:
                raise ValueError("expired")
        except (ValueError, KeyError, TypeError, IndexError, binascii.Error):
            raise exports.invalid_cursor("errors")
    with account.lock:
        ctx = _ctx(sim, req)
        if kind == "ticket":
            pool = (t for t in account.tickets.values() if t["status"] != "deleted")
        elif kind == "user":
            pool = (u for u in account.users.values() if u["active"])
        elif kind == "organization":
            pool = iter(account.organizations.values())
        else:
            pool = iter(())
        cached = account.search_cache.get((kind, query))
        if cached is not None and cached[0] == account.generation:
            matched, keys = cached[1], cached[2]
        else:
            test = _search_predicate(query, kind)
            matched = sorted(((-records.epoch(r["created_at"]), r["id"], r) for r in pool if test(r)),
                             key=lambda e: (e[0], e[1]))
            keys = [(e[0], e[1]) for e in matched]
            if len(account.search_cache) > 64:
                account.search_cache.clear()
            account.search_cache[(kind, query)] = (account.generation, matched, keys)
        start = 0
        if after_key is not None:
            start = bisect.bisect_right(keys, after_key)
        chosen = matched[start:start + size]
        results = []
        for _, _, r in chosen:
            if kind == "ticket":
                out = records.render_ticket(r, ctx, "show")
            elif kind == "user":
                out = records.render_user(r, ctx)
            else:
                out = records.render_organization(r, ctx)
            out["result_type"] = kind
            results.append(out)
        has_more = start + size < len(matched)
    cursor = None
    next_link = None
    if chosen:
        last = chosen[-1]
        cursor_obj = {"field": "created_at", "desc": True, "tieBreakField": "id", "tieBreakDesc": False,
                      "sortValues": [-last[0] * 1000, last[1]], "exportedThusFar": exported + len(chosen),
                      "sessionStart": session, "createdAt": int(now * 1000)}
        cursor = base64.b64encode(json.dumps(cursor_obj, separators=(",", ":")).encode()).decode()
        q = {k: v for k, v in params.items() if k != "page[after]"}
        q["page[after]"] = cursor
        next_link = pagination.url(req.base_url, "/api/v2/search/export.json", q)
    return {"results": results, "facets": None,
            "meta": {"has_more": has_more, "after_cursor": cursor, "before_cursor": None},
            "links": {"prev": None, "next": next_link}}


HANDLERS = {name: obj for name, obj in globals().items() if callable(obj)}
HANDLERS.update(lists.HANDLERS)
HANDLERS.update(history.HANDLERS)
