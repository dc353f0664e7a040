"""Switches: one per behaviour of Zendesk that the sources leave uncertain.

Each switch answers a row of sim/README.md §16 (or another point sim/README.md
marks uncertain).  Its default is the best-supported reading of the sources;
the other values are the plausible alternatives, so the FDW's tests can run
under each.  Set them from the command line (--switch name=value, repeatable)
or at run time (POST /_sim/switches {"name": value, ...}); GET /_sim/switches
lists them with their documentation.
"""

import dataclasses
import threading


def _switch(default, choices, doc, row):
    return dataclasses.field(default=default,
                             metadata={"choices": choices, "doc": doc, "row": row})


@dataclasses.dataclass
class Switches:
    # §16 #1
    too_recent: str = _switch(
        "422", ("422", "400", "empty"),
        "start_time within the last minute (by the simulator's clock): 422 "
        "{\"error\":\"InvalidValue\",\"description\":\"Too recent start_time...\"} (the only "
        "body ever seen for tickets, §3.7); 400 {\"errors\":[{\"code\":\"StartTimeTooRecent\"...}]} "
        "(the custom-object export's documented shape); or empty: no error, an empty "
        "end_of_stream page (the 2024 announcement's 'data is not provided').",
        "§16 #1")
    # §16 #2
    empty_cursor: str = _switch(
        "null", ("null", "echo"),
        "a cursor-export page with no records: after_cursor/after_url null (community post, "
        "§4.3), or echo the request's cursor (a start_time request then gets a cursor that "
        "resumes at that start_time).",
        "§16 #2")
    # §16 #3
    cursor_ttl: int = _switch(
        0, None,
        "seconds (simulated clock) an incremental-export cursor stays valid; 0: forever "
        "(undocumented; the search export's is 1 h). An expired cursor gets the invalid-cursor "
        "error.",
        "§16 #3")
    # §16 #4, #5
    time_page_growth: str = _switch(
        "small", ("small", "never", "always"),
        "time-based pages: small: a page with per_page < 1000 grows to the whole of its last "
        "second and ends at last+1, a 1000-page is capped and ends at last (both recorded, "
        "§3.3); never: every page is capped at per_page and ends at last; always: every page, "
        "1000 too, grows to the whole second (the doc's 'may exceed the 1000-item limit').",
        "§16 #4, #5")
    empty_time_page_end_time: str = _switch(
        "start_time", ("start_time", "cutoff"),
        "end_time of a time-based page with no records: the request's start_time, or the "
        "export's cutoff (now - 60 s: 'end_time reflects' the one-minute rule).",
        "§16 #4")
    # §16 #6
    number_values: str = _switch(
        "string", ("string", "number"),
        "integer and decimal custom-field values: strings as captured (\"9089\", \"12.50\"), "
        "or JSON numbers ([OAS] 'number or string').",
        "§16 #6")
    # §16 #8
    users_cursor_header: bool = _switch(
        True, (True, False),
        "send Zendesk-RateLimit-incremental-exports-cursor on the users cursor export "
        "(documented, never recorded).",
        "§16 #8")
    # §16 #9
    rate_headers: str = _switch(
        "2024", ("2024", "2023", "x-only"),
        "account rate headers: 2024: x-rate-limit* and ratelimit-limit/remaining/reset "
        "(recorded 2024); 2023: x-rate-limit* and rate-limit/-remaining/-reset; x-only: "
        "x-rate-limit* alone (all that the 2023 fixtures kept).",
        "§16 #9")
    # §16 #10
    me_unauthenticated: str = _switch(
        "anonymous", ("anonymous", "401"),
        "GET /users/me with bad credentials: 200 with the anonymous user (recorded by "
        "node-zendesk, 2023), or the usual 401.",
        "§16 #10")
    # §16 #12
    deleted_organizations: str = _switch(
        "vanish", ("vanish", "tombstone"),
        "a deleted organization: vanishes from the export and the API (no source shows a "
        "trace of it; the [OAS] object has no deleted flag), or stays in the export with "
        "updated_at moved and a deleted_at key.",
        "§16 #12")
    # §16 #14
    cbp_oversize: str = _switch(
        "400", ("400", "clamp"),
        "page[size] > 100 on a standard list: 400 (body undocumented; JSON:API style), or "
        "silently clamped to 100.",
        "§16 #14")
    cbp_last_page: str = _switch(
        "exact", ("exact", "empty"),
        "CBP has_more: exact (recorded: has_more false on the last full page), or true on a "
        "full last page so that an empty page ends the walk (zenpy's comment).",
        "§5.1")
    # §16 #15
    event_via: str = _switch(
        "string", ("string", "object"),
        "top-level via of a ticket event: a string (zenpy spec, [AB]) or the {channel, "
        "source} object of tickets and audits.",
        "§16 #15")
    # §16 #16
    metric_events_end_of_stream: bool = _switch(
        False, (True, False),
        "ticket_metric_events time-based pages carry end_of_stream ([OAS] lists only "
        "ticket_metric_events, next_page, count, end_time).",
        "§16 #16")
    # §16 #17
    time_order: str = _switch(
        "shuffled", ("shuffled", "id"),
        "order of records sharing one second in time-based exports: shuffled (recorded: "
        "not by id; deterministic from the seed), or by id.",
        "§16 #17")
    # issue 3: does the query travel with cursor=?
    cursor_query: str = _switch(
        "request", ("request", "remembered"),
        "filters (exclude_deleted, support_type_scope, include) of a cursor request: those "
        "sent with that request apply (after_url drops them, so a client must resend them), "
        "or the cursor remembers the first request's and ignores what is sent with cursor=.",
        "§4.1, §16")
    filter_timing: str = _switch(
        "before", ("before", "after"),
        "exclude_deleted and support_type_scope: applied before the page is cut (full pages), "
        "or after (short and empty 'ghost' pages while the position still advances).",
        "§3.5")
    # issue 3: fixed vs sliding window vs token bucket
    rate_window: str = _switch(
        "fixed", ("fixed", "sliding", "token_bucket"),
        "how a limit of N per window is counted: a fixed window aligned on the clock, a "
        "sliding window over the last window, or a token bucket refilling N per window.",
        "§10")
    # issue 3: does the users cursor export also draw on the export quota?
    users_cursor_quota: str = _switch(
        "own", ("own", "both"),
        "the users cursor export counts against its own limit (20/min) only, or against both "
        "its own and the incremental-export limit (10/min).",
        "§10.2")
    cursor_export_quota: str = _switch(
        "shared", ("shared", "separate"),
        "the tickets cursor export draws on the incremental-export limit (documented: 10/min for "
        "all incremental exports), or does not (observed in 2023: zenpy's recordings made 100 "
        "cursor requests within one minute while time-based requests paused after 10 a minute).",
        "§10.2")
    # issue 3: count endpoints' staleness
    count_staleness: str = _switch(
        "zendesk", ("zendesk", "live", "frozen"),
        "count endpoints: zendesk: live up to 100,000, above that a value refreshed every 24 h "
        "of simulated time (the Count Tickets reference); live: always exact, refreshed_at now; "
        "frozen: the value at the last POST /_sim/counts/refresh (or start).",
        "§6.1")
    invalid_cursor_error: str = _switch(
        "legacy", ("legacy", "errors"),
        "body of a rejected incremental cursor (400): legacy {\"error\":\"InvalidCursor\","
        "\"description\":...}, or {\"errors\":[{\"code\":\"InvalidCursor\",...}]} (the "
        "custom-object export's documented shape).",
        "§4.3")
    gzip_framing: str = _switch(
        "chunked", ("chunked", "length"),
        "a gzip response is sent with Transfer-Encoding: chunked (recorded) or with a "
        "Content-Length.",
        "§0")
    # list resources (lists.py, sim/README.md §12)
    plan_sla_policies: str = _switch(
        "available", ("available", "403", "404"),
        "SLA policies (Professional plans and above): served, or the account's plan lacks them "
        "and /slas/policies answers 403 or 404.",
        "§12.5")
    plan_ticket_forms: str = _switch(
        "available", ("available", "403", "404"),
        "ticket forms (Enterprise, or Professional with the add-on): served, or 403 / 404.",
        "§12.5")
    plan_schedules: str = _switch(
        "available", ("available", "403", "404"),
        "business-hours schedules (Professional and above): served, or 403 / 404.",
        "§12.5")
    metric_sets_shape: str = _switch(
        "top_level", ("top_level", "per_ticket"),
        "include=metric_sets: a top-level metric_sets array keyed by ticket_id (third-party "
        "code reads it so), or a metric_set object inside each ticket (one planning document "
        "says so).",
        "§14")
    schedules_shape: str = _switch(
        "bare", ("bare", "offset"),
        "the schedules list: {\"schedules\": [...]} alone, or with next_page, previous_page "
        "and count (peers disagree; undocumented).",
        "§12.4")
    list_cursor_ttl: int = _switch(
        0, None,
        "seconds (simulated clock) a list's CBP cursor stays valid after it was handed out; 0: "
        "forever (undocumented). POST /_sim/list_cursors/expire expires every cursor at once.",
        "§12.2")
    list_invalid_cursor: str = _switch(
        "400", ("400", "first_page"),
        "a list's unreadable or expired page[after]/page[before]: 400 InvalidPaginationParameter, "
        "or ignored (the first page is served).",
        "§12.2")
    list_fault: str = _switch(
        "none", ("none", "stuck_cursor", "repeat_ids", "foreign_next"),
        "faults of the CBP lists: stuck_cursor: a page[after] page hands back the same cursor "
        "with has_more true; repeat_ids: a page[after] page starts with the previous page's last "
        "record; foreign_next: links point at another host.",
        "§12.2")
    deleted_group_show: str = _switch(
        "found", ("found", "404"),
        "GET /groups/{id} of a soft-deleted group: the group with deleted true, or 404.",
        "§12.3")

    # -- access ---------------------------------------------------------------

    def __post_init__(self):
        object.__setattr__(self, "_lock", threading.Lock())

    @classmethod
    def names(cls):
        return [f.name for f in dataclasses.fields(cls)]

    def set(self, name, value):
        """Set one switch from a string or JSON value; raises ValueError."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        if name not in fields:
            raise ValueError("unknown switch %r (known: %s)" % (name, ", ".join(fields)))
        field = fields[name]
        value = _coerce(field, value)
        with self._lock:
            setattr(self, name, value)

    def update(self, values):
        for name, value in values.items():
            self.set(name, value)

    def assign(self, text):
        """Apply "name=value" (the CLI form)."""
        name, sep, value = text.partition("=")
        if not sep:
            raise ValueError("expected name=value, got %r" % text)
        self.set(name.strip(), value.strip())

    def as_dict(self):
        return {name: getattr(self, name) for name in self.names()}

    def describe(self):
        out = {}
        for f in dataclasses.fields(self):
            out[f.name] = {"value": getattr(self, f.name), "default": f.default,
                           "choices": list(f.metadata["choices"]) if f.metadata["choices"] else None,
                           "answers": f.metadata["row"], "doc": f.metadata["doc"]}
        return out


def _coerce(field, value):
    choices = field.metadata["choices"]
    if isinstance(field.default, bool):
        if isinstance(value, str):
            low = value.lower()
            if low in ("true", "1", "yes", "on"):
                value = True
            elif low in ("false", "0", "no", "off"):
                value = False
        if not isinstance(value, bool):
            raise ValueError("switch %s takes true or false" % field.name)
        return value
    if isinstance(field.default, int):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError("switch %s takes an integer" % field.name)
    value = str(value)
    if choices and value not in choices:
        raise ValueError("switch %s takes one of %s" % (field.name, ", ".join(choices)))
    return value
