"""The control API under /_sim/: what tests use to drive and observe the simulator.

No authentication (the simulator listens on loopback).  Bodies are JSON.
Records in answers are rendered exactly as the API renders them, with URLs
built from the request's Host, so a ground-truth record equals what the
export serves for it.

Observe
  GET    /_sim/requests[.jsonl]        the request log, oldest first (DELETE clears it)
  GET    /_sim/tickets[.jsonl]         ground truth: every ticket (deleted, archived and
                                       AI-agent ones too), by id, in the export's shape
  GET    /_sim/users[.jsonl]           every user (inactive too)
  GET    /_sim/organizations[.jsonl]   every organization (and tombstones when the
                                       switch deleted_organizations is tombstone)
  GET    /_sim/ticket_events[.jsonl]   every ticket event, by (timestamp, id);
                                       ?include=comment_events as the export
  GET    /_sim/ticket_metric_events[.jsonl]
  GET    /_sim/ticket_fields[.jsonl], /_sim/user_fields[.jsonl], /_sim/organization_fields[.jsonl]
  GET    /_sim/ticket_meta[.jsonl]     {id, support_type, archived, scrubbed, deleted} per ticket
  GET    /_sim/state                   sizes, clock, generation
  GET    /_sim/oauth/refresh_tokens    {"refresh_tokens": [...]}: every refresh token the
                                       token endpoint would accept now (after rotations,
                                       exactly one per authorization still in use)
Drive
  POST   /_sim/clock                   {"advance": s} or {"set": epoch} -> {"now": t}; GET reads it
  GET    /_sim/switches                every switch: value, default, choices, §16 row, doc
  POST   /_sim/switches                {"name": value, ...} -> the new values
  GET    /_sim/limits                  bucket states; POST {"export": 2, "window": 5, ...}
                                       sets limits (a number, or {"limit", "window"} per
                                       bucket; "window" alone applies to all but sample);
                                       POST /_sim/limits/reset empties every bucket
  POST   /_sim/faults                  add a fault rule (faults.py) -> {"ok": true, "id": n}
  GET    /_sim/faults                  the rules with their hits; DELETE clears,
                                       DELETE /_sim/faults/<id> removes one
  POST   /_sim/revoke_tokens           every OAuth access token dies ({"refresh_tokens":
                                       true}: refresh tokens too)
  POST   /_sim/oauth/refresh_tokens    mint an access/refresh pair ({"scope": "read"})
  POST   /_sim/oauth/expire            {"token": t} (or {} for all): access tokens expire now
  POST   /_sim/oauth/settings          {"token_lifetime": s, "refresh_token_lifetime": s,
                                       "early_expiry": s, "client_secret": new} (each
                                       optional; early_expiry: tokens die s seconds before
                                       their expires_in, as with clock skew; a new secret
                                       is a regenerated one: the old stops working)
  POST   /_sim/counts/refresh          refresh the count endpoints' snapshots
Mutate (timestamps from the simulated clock; answers hold the changed records)
  POST   /_sim/tickets                 create: {attributes..., "count": n, "comment": text,
                                       "support_type": "ai_agent"} -> {"tickets": [...]}
  PATCH  /_sim/tickets/<id>            update: {attributes..., "custom_fields": [{id, value}]
                                       or {id: value}, "comment": text, "system": true
                                       (generated_timestamp only)} -> {"ticket": ...}
  DELETE /_sim/tickets/<id>            soft delete (status deleted)
  POST   /_sim/tickets/<id>/restore|scrub|archive
  POST   /_sim/tickets/<id>/support_type  {"support_type": "ai_agent" | "agent"}
  POST   /_sim/tickets/touch           {"ids": [...]} (or {}: all): system updates
  POST   /_sim/tickets/bulk            {"ids": [...], "changes": {...}}: one update each
  POST   /_sim/users, PATCH|DELETE /_sim/users/<id>          (delete: active false)
  POST   /_sim/organizations, PATCH|DELETE /_sim/organizations/<id>
  POST   /_sim/ticket_fields {"type", "title", ...}, PATCH|DELETE /_sim/ticket_fields/<id>,
         POST /_sim/ticket_fields/<id>/deactivate; the same for user_fields and
         organization_fields
Lists (lists.py: groups, group_memberships, organization_memberships, brands,
ticket_forms, custom_statuses, sla_policies, schedules)
  GET    /_sim/<list>[.jsonl], /_sim/schedule_holidays[.jsonl]   ground truth
  POST   /_sim/<list> {attrs}; {"count": n} for the memberships
  PATCH  /_sim/<list>/<id>; DELETE /_sim/<list>/<id> (hard; a group: soft)
  POST   /_sim/list_cursors/expire    every list cursor handed out so far expires
"""

import json
import re

from . import history, lists, records
from .account import SimError
from .faults import Fault

JSON_TYPE = "application/json; charset=utf-8"
NDJSON_TYPE = "application/x-ndjson; charset=utf-8"


def _dumps(item):
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def handle(handler, request):
    try:
        return _handle(handler, request)
    except SimError as e:
        return handler.send(e.status, {"error": e.message}, api=False)
    except ControlError as e:
        return handler.send(e.status, {"error": e.message}, api=False)
    except (ValueError, KeyError, TypeError) as e:
        return handler.send(400, {"error": "bad control request: %s" % e}, api=False)


def _ok(handler, body=None):
    return handler.send(200, body if body is not None else {"ok": True}, api=False)


# -- ground truth ----------------------------------------------------------------


def ground_truth(sim, base, collection, params):
    """Rendered records of a collection, as a generator, and whether it exists."""
    account = sim.account
    with account.lock:
        ctx = account.render_context(base, sim.switches)
        if collection == "tickets":
            items = [account.tickets[i] for i in sorted(account.tickets)]
            return (records.render_ticket(t, ctx, "export") for t in items)
        if collection == "users":
            items = [account.users[i] for i in sorted(account.users)]
            return (records.render_user(u, ctx) for u in items)
        if collection == "organizations":
            items = dict(account.organizations)
            if sim.switches.deleted_organizations == "tombstone":
                items.update(account.deleted_orgs)
            ordered = [items[i] for i in sorted(items)]
            return (records.render_organization(o, ctx) for o in ordered)
        if collection == "ticket_events":
            index, events = account.event_stream()
            keys = list(index.keys)
            full = "comment_events" in params.get("include", "")
            via_object = sim.switches.event_via == "object"
            seed = account.seed
            return (records.render_event(events[eid], account.event_ticket(events[eid][2]), seed,
                                         full, via_object)
                    for _, eid in keys)
        if collection == "ticket_metric_events":
            index, events = account.metric_event_stream()
            keys = list(index.keys)
            return (records.render_metric_event(events[mid]) for _, mid in keys)
        if collection in ("ticket_fields", "user_fields", "organization_fields"):
            fields = list(account._field_list(collection))
            return (records.render_field(f, base, collection) for f in fields)
        if collection == "ticket_metrics":
            items = [account.tickets[i] for i in sorted(account.tickets)
                     if account.tickets[i]["status"] != "deleted"]
            return (records.render_metric_set(t, base) for t in items)
        if collection == "ticket_meta":
            items = [account.tickets[i] for i in sorted(account.tickets)]
            return ({"id": t["id"], "support_type": account.support_type(t["id"]),
                     "archived": t["id"] in account.archived,
                     "scrubbed": t["subject"] == "SCRUBBED" and t["description"] == "X",
                     "deleted": t["status"] == "deleted",
                     "generated_timestamp": t["generated_timestamp"]} for t in items)
    return None


COLLECTIONS = ("tickets", "users", "organizations", "ticket_events", "ticket_metric_events",
               "ticket_metrics",
               "ticket_fields", "user_fields", "organization_fields", "ticket_meta")


# -- dispatch -----------------------------------------------------------------------


def _handle(handler, request):
    sim = handler.simulator
    account = sim.account
    method = request.method
    path = request.path
    base = request.base_url

    # the list resources (lists.py): ground truth and mutations; a ticket's
    # audits and comments (history.py): ground truth
    answer = lists.control(sim, request) or history.control(sim, request)
    if answer is not None:
        kind, body = answer
        if kind == "jsonl":
            return handler.send(200, "".join(_dumps(i) + "\n" for i in body), NDJSON_TYPE, api=False)
        return _ok(handler, body)

    # ground truth and the log
    if method == "GET":
        name = path[len("/_sim/"):]
        lines = name.endswith(".jsonl")
        if lines:
            name = name[:-len(".jsonl")]
        if name == "requests":
            with sim.lock:
                items = list(sim.log)
            if lines:
                return handler.send(200, "".join(_dumps(i) + "\n" for i in items), NDJSON_TYPE, api=False)
            return handler.send(200, items, api=False)
        if name in COLLECTIONS:
            items = ground_truth(sim, base, name, request.params)
            if lines:
                return handler.send_stream((_dumps(i) + "\n" for i in items), NDJSON_TYPE)
            return handler.send(200, list(items), api=False)
        if name == "switches":
            return _ok(handler, sim.switches.describe())
        if name == "limits":
            return _ok(handler, sim.limits.state())
        if name == "faults":
            return _ok(handler, sim.faults.describe())
        if name == "clock":
            return _ok(handler, {"now": account.clock.now()})
        if name == "oauth/refresh_tokens":
            return _ok(handler, {"refresh_tokens": sim.auth.live_refresh_tokens()})
        if name == "state":
            with account.lock:
                return _ok(handler, {
                    "now": account.clock.now(), "generation": account.generation,
                    "tickets": len(account.tickets), "users": len(account.users),
                    "organizations": len(account.organizations),
                    "deleted_organizations": len(account.deleted_orgs),
                    "ticket_fields": len(account.ticket_fields), "seed": account.seed,
                    "switches": sim.switches.as_dict()})
        raise ControlError(404, "unknown control endpoint")

    if path == "/_sim/requests" and method == "DELETE":
        with sim.lock:
            sim.log.clear()
        return _ok(handler)

    if path == "/_sim/faults":
        if method == "DELETE":
            sim.faults.clear()
            return _ok(handler)
        fault = Fault(request.json())
        sim.faults.append(fault)
        return _ok(handler, {"ok": True, "id": fault.id})
    match = re.match(r"^/_sim/faults/(\d+)$", path)
    if match and method == "DELETE":
        if not sim.faults.remove(int(match.group(1))):
            raise ControlError(404, "no fault rule %s" % match.group(1))
        return _ok(handler)

    if path == "/_sim/clock":
        spec = request.json()
        if "set" in spec:
            now = account.clock.set(float(spec["set"]))
        else:
            now = account.clock.advance(float(spec.get("advance", 0)))
        return _ok(handler, {"now": now})
    if path == "/_sim/switches":
        sim.switches.update(request.json())
        return _ok(handler, sim.switches.as_dict())
    if path == "/_sim/limits":
        sim.limits.configure(request.json())
        return _ok(handler, sim.limits.state())
    if path == "/_sim/limits/reset":
        sim.limits.reset()
        return _ok(handler, sim.limits.state())
    if path == "/_sim/revoke_tokens":
        spec = request.json()
        sim.auth.revoke_all(refresh_tokens=bool(spec.get("refresh_tokens")))
        return _ok(handler)
    if path == "/_sim/oauth/refresh_tokens":
        spec = request.json()
        return _ok(handler, sim.auth.mint_refresh_token(spec.get("scope", "read"), spec.get("lifetime")))
    if path == "/_sim/oauth/expire":
        spec = request.json()
        sim.auth.expire(spec.get("token"))
        return _ok(handler)
    if path == "/_sim/oauth/settings":
        return _ok(handler, sim.auth.configure(request.json()))
    if path == "/_sim/counts/refresh":
        account.refresh_counts()
        return _ok(handler)

    return mutate(handler, request, sim, base)


def mutate(handler, request, sim, base):
    account = sim.account
    method = request.method
    path = request.path
    spec = request.json()
    if not isinstance(spec, dict):
        raise ControlError(400, "expected a JSON object")
    ctx = lambda: account.render_context(base, sim.switches)  # noqa: E731

    def ticket_answer(ticket):
        return _ok(handler, {"ticket": records.render_ticket(account.tickets[ticket["id"]], ctx(), "export")})

    # tickets
    if path == "/_sim/tickets" and method == "POST":
        count = int(spec.pop("count", 1))
        created = account.create_tickets(spec, count)
        c = ctx()
        return _ok(handler, {"tickets": [records.render_ticket(t, c, "export") for t in created]})
    if path == "/_sim/tickets/touch" and method == "POST":
        touched = account.touch_tickets(spec.get("ids"))
        return _ok(handler, {"count": len(touched)})
    if path == "/_sim/tickets/bulk" and method == "POST":
        changed = [account.update_ticket(i, spec.get("changes", {}), system=bool(spec.get("system")))
                   for i in spec["ids"]]
        c = ctx()
        return _ok(handler, {"tickets": [records.render_ticket(t, c, "export") for t in changed]})
    match = re.match(r"^/_sim/tickets/(\d+)(?:/(restore|scrub|archive|support_type))?$", path)
    if match:
        ticket_id, action = int(match.group(1)), match.group(2)
        if action is None and method in ("PATCH", "PUT"):
            system = bool(spec.pop("system", False))
            return ticket_answer(account.update_ticket(ticket_id, spec, system=system))
        if action is None and method == "DELETE":
            return ticket_answer(account.delete_ticket(ticket_id))
        if method == "POST" and action == "restore":
            return ticket_answer(account.restore_ticket(ticket_id))
        if method == "POST" and action == "scrub":
            return ticket_answer(account.scrub_ticket(ticket_id))
        if method == "POST" and action == "archive":
            return ticket_answer(account.archive_ticket(ticket_id))
        if method == "POST" and action == "support_type":
            return ticket_answer(account.set_support_type(ticket_id, spec.get("support_type", "agent")))

    # users and organizations
    if path == "/_sim/users" and method == "POST":
        return _ok(handler, {"user": records.render_user(account.create_user(spec), ctx())})
    match = re.match(r"^/_sim/users/(\d+)$", path)
    if match:
        if method in ("PATCH", "PUT"):
            return _ok(handler, {"user": records.render_user(account.update_user(match.group(1), spec), ctx())})
        if method == "DELETE":
            return _ok(handler, {"user": records.render_user(account.delete_user(match.group(1)), ctx())})
    if path == "/_sim/organizations" and method == "POST":
        return _ok(handler, {"organization": records.render_organization(
            account.create_organization(spec), ctx())})
    match = re.match(r"^/_sim/organizations/(\d+)$", path)
    if match:
        if method in ("PATCH", "PUT"):
            return _ok(handler, {"organization": records.render_organization(
                account.update_organization(match.group(1), spec), ctx())})
        if method == "DELETE":
            return _ok(handler, {"organization": records.render_organization(
                account.delete_organization(match.group(1)), ctx())})

    # field definitions
    match = re.match(r"^/_sim/(ticket_fields|user_fields|organization_fields)(?:/(\d+)(?:/(deactivate))?)?$", path)
    if match:
        kind, field_id, action = match.groups()
        singular = kind[:-1]
        if field_id is None and method == "POST":
            field = account.add_field(kind, spec)
        elif field_id is not None and action == "deactivate" and method == "POST":
            field = account.update_field(kind, field_id, {"active": False})
        elif field_id is not None and action is None and method in ("PATCH", "PUT"):
            field = account.update_field(kind, field_id, spec)
        elif field_id is not None and action is None and method == "DELETE":
            field = account.delete_field(kind, field_id)
        else:
            raise ControlError(405, "method not allowed here")
        return _ok(handler, {singular: records.render_field(field, base, kind)})

    raise ControlError(404, "unknown control endpoint")
