"""A ticket's history, per ticket: its audits and its comments (README §13).

`/api/v2/tickets/{id}/audits` and `/api/v2/tickets/{id}/comments` list one
ticket's audits (each with its events) and its comments, oldest first, by CBP
or OBP, 100 a page.  Both are rendered from the events the ticket events
export serves, so the three agree: an audit is a ticket event, its events are
the event's child events (`type` and `field_name` where the export has
`event_type` and the field as a key); a comment is a comment child event,
whole.  Archived tickets are served: their audits in one answer without
pagination, as the reference says ("Audits for Archived Tickets do not
support pagination"); a deleted ticket, or one that never was, answers 404.
"""

from . import lists, pagination, records
from .exports import ExportError

AUDIT_KEYS = ("id", "ticket_id", "created_at", "author_id", "via", "metadata", "events")


def _by_ticket(account):
    """The export's events grouped by ticket, each group oldest first."""
    _, events = account.event_stream()
    grouped = {}
    for e in sorted(events.values(), key=lambda e: (e[0], e[1])):
        grouped.setdefault(e[2], []).append(e)
    return grouped


def _rendered(account, events):
    return [records.render_event(e, account.event_ticket(e[2]), account.seed, True, True)
            for e in events]


def _ticket_events(account, ticket_id):
    """The export's events of one ticket, rendered whole, oldest first."""
    return _rendered(account, _by_ticket(account).get(ticket_id, []))


def _audit_event(child):
    kind = child["event_type"]
    if kind == "Comment":
        return {"id": child["id"], "type": "Comment", "author_id": child["author_id"],
                "body": child["body"], "html_body": child["html_body"],
                "plain_body": child["body"], "public": child["public"],
                "attachments": child["attachments"], "audit_id": child["audit_id"]}
    field = next(k for k in child
                 if k not in ("id", "via", "via_reference_id", "previous_value", "event_type"))
    event = {"id": child["id"], "type": kind, "field_name": field, "value": child[field]}
    if kind == "Change":
        event["previous_value"] = child["previous_value"]
    return event


def render_audit(event):
    return {"id": event["id"], "ticket_id": event["ticket_id"],
            "created_at": event["created_at"], "author_id": event["updater_id"],
            "via": event["via"],
            "metadata": {"system": dict(event["system"], location="Berlin, BE, Germany"),
                         "custom": {}},
            "events": [_audit_event(c) for c in event["child_events"]]}


def render_comment(event, child):
    return {"id": child["id"], "type": "Comment", "author_id": child["author_id"],
            "body": child["body"], "html_body": child["html_body"], "plain_body": child["body"],
            "public": child["public"], "attachments": child["attachments"],
            "audit_id": child["audit_id"], "via": child["via"],
            "metadata": {"system": dict(event["system"]), "custom": {}},
            "created_at": child["created_at"]}


def audits_in(rendered):
    return [render_audit(e) for e in rendered]


def comments_in(rendered):
    return [render_comment(e, c) for e in rendered
            for c in e["child_events"] if c["event_type"] == "Comment"]


def _visible(account, ticket_id):
    ticket = account.tickets.get(ticket_id)
    if ticket is None or ticket["status"] == "deleted":
        raise ExportError(404, lists.NOT_FOUND)
    return ticket


def _listed(sim, req, ticket_id, key, rows, path):
    listing = lists.Listing("id", rows)
    if pagination.is_cbp(req.params):
        return lists.cbp(sim, listing, req.params, req.base_url, path, key, dict, ())
    return lists.obp(listing, req.params, req.base_url, path, key, dict, ())


def ticket_audits(sim, req, groups):
    account = sim.account
    ticket_id = int(groups[0])
    with account.lock:
        _visible(account, ticket_id)
        rows = audits_in(_ticket_events(account, ticket_id))
        if ticket_id in account.archived:
            return {"audits": rows, "next_page": None, "previous_page": None,
                    "count": len(rows)}
        return _listed(sim, req, ticket_id, "audits", rows,
                       "/api/v2/tickets/%d/audits.json" % ticket_id)


def ticket_comments(sim, req, groups):
    account = sim.account
    ticket_id = int(groups[0])
    with account.lock:
        _visible(account, ticket_id)
        return _listed(sim, req, ticket_id, "comments",
                       comments_in(_ticket_events(account, ticket_id)),
                       "/api/v2/tickets/%d/comments.json" % ticket_id)


ROUTES = [
    ("GET", r"/api/v2/tickets/(\d+)/audits", "ticket_audits", "ticket_audits"),
    ("GET", r"/api/v2/tickets/(\d+)/comments", "ticket_comments", "ticket_comments"),
]
HANDLERS = {name: globals()[name] for _, _, _, name in ROUTES}


def control(sim, request):
    """GET /_sim/ticket_audits[.jsonl] and /_sim/ticket_comments[.jsonl]: every
    audit and comment of every ticket not deleted, by ticket then id; None
    for another path."""
    if request.method != "GET":
        return None
    name = request.path[len("/_sim/"):]
    lines = name.endswith(".jsonl")
    if lines:
        name = name[:-len(".jsonl")]
    if name not in ("ticket_audits", "ticket_comments"):
        return None
    account = sim.account
    of = audits_in if name == "ticket_audits" else comments_in
    with account.lock:
        grouped = _by_ticket(account)
        ids = sorted(i for i, t in account.tickets.items() if t["status"] != "deleted")
        items = [item for i in ids for item in of(_rendered(account, grouped.get(i, [])))]
    return ("jsonl" if lines else "json", items)
