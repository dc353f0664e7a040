"""Incremental export pagination, as Zendesk pages it.

Given a resource's stream index (sorted (ts, id) pairs, streams.py), a way to
fetch and filter its records, and the request's parameters, build one page.
The rules are sim/README.md §3 (time-based: tickets, users, organizations,
ticket events, ticket metric events, the sample endpoints) and §4
(cursor-based: tickets, users), with the sources cited there; where the
sources are silent, switches.py decides.  A page costs O(log N + page).
"""

import base64
import binascii
import bisect
import collections
import threading
import urllib.parse

MAX_PER_PAGE = 1000
SAMPLE_LIMIT = 50
NO_ID = (1 << 63) - 1
TOO_RECENT_422 = {"error": "InvalidValue",
                  "description": "Too recent start_time. Use a start_time older than 5 minutes"}
TOO_RECENT_400 = {"errors": [{"code": "StartTimeTooRecent", "status": "400",
                              "title": "start_time must be more than 60 seconds ago"}]}


class ExportError(Exception):
    """A request the real API rejects; carries status and JSON body."""

    def __init__(self, status, body):
        super().__init__(body)
        self.status = status
        self.body = body


class Empty(Exception):
    """The request is answered with an empty page (switch too_recent=empty)."""


def invalid_cursor(style):
    if style == "errors":
        return ExportError(400, {"errors": [{"code": "InvalidCursor", "status": "400",
                                             "title": "cursor is invalid or expired"}]})
    return ExportError(400, {"error": "InvalidCursor",
                             "description": "cursor is invalid or expired"})


def encode_cursor(ts, record_id):
    """base64 of "<ts>.0||<id>|" (observed, §4.2)."""
    return base64.b64encode(("%d.0||%d|" % (ts, record_id)).encode()).decode()


def decode_cursor(cursor, style="legacy"):
    try:
        text = base64.b64decode(cursor, validate=True).decode()
        ts_part, rest = text.split("||", 1)
        id_part = rest.rstrip("|")
        return int(float(ts_part)), int(id_part)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid_cursor(style)


def parse_per_page(params, maximum=MAX_PER_PAGE):
    raw = params.get("per_page")
    if raw is None:
        return maximum, False
    try:
        n = int(raw)
    except ValueError:
        raise ExportError(400, {"error": "InvalidValue",
                                "description": "per_page must be an integer"})
    return max(1, min(n, maximum)), True


def parse_start_time(params, now, too_recent="422"):
    raw = params.get("start_time")
    if raw is None:
        raise ExportError(400, {"error": "InvalidValue",
                                "description": "start_time is required"})
    try:
        start = int(raw)
    except ValueError:
        raise ExportError(400, {"error": "InvalidValue",
                                "description": "start_time must be a Unix epoch"})
    if start > now - 60:
        # the only real body seen for this rule is the 422 (§3.7); §16 #1
        if too_recent == "400":
            raise ExportError(400, TOO_RECENT_400)
        if too_recent == "empty":
            raise Empty()
        raise ExportError(422, TOO_RECENT_422)
    return start


def page_url(base_url, path, query):
    """An absolute pagination URL; parameters sorted, as Rails' to_query does
    (observed: per_page before start_time, cursor before per_page)."""
    return "%s%s?%s" % (base_url, path, urllib.parse.urlencode(sorted(query.items())))


def shuffle_key(seed):
    """A deterministic, not-by-id order for records sharing a second (§3.3)."""
    mix = (seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF

    def key(record_id):
        return ((record_id ^ mix) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    return key


class ExportSpec:
    """One export: where its records are and how to present them.

    index: StreamIndex; get(id) -> stored record or None (not in the stream);
    make_filter(params) -> predicate or None; render(records, params) ->
    (rendered list, sideloads dict); path: canonical path for pagination URLs;
    result_key; key_order: the page's keys in recorded order.
    """

    def __init__(self, index, get, make_filter, render, path, result_key, key_order):
        self.index = index
        self.get = get
        self.make_filter = make_filter
        self.render = render
        self.path = path
        self.result_key = result_key
        self.key_order = key_order


class CursorRegistry:
    """Cursors handed out: when (for cursor_ttl) and with which filters (for
    cursor_query=remembered).  Bounded: the oldest are forgotten first."""

    def __init__(self, limit=200000):
        self._items = collections.OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit

    def issue(self, cursor, now, filters):
        with self._lock:
            if cursor not in self._items:
                self._items[cursor] = (now, filters)
                if len(self._items) > self._limit:
                    self._items.popitem(last=False)

    def lookup(self, cursor):
        with self._lock:
            return self._items.get(cursor)

    def clear(self):
        with self._lock:
            self._items.clear()


STICKY = ("exclude_deleted", "support_type_scope", "include")


def cursor_page(spec, params, now, base_url, switches, registry):
    """One page of a cursor-based export (tickets, users), §4.

    Records changed within the last minute are not exported yet.
    """
    per_page, per_page_given = parse_per_page(params)
    cutoff = now - 60
    keys = spec.index.keys
    filters = {k: params[k] for k in STICKY if k in params}
    echo = None
    try:
        if "cursor" in params:
            cursor_in = params["cursor"]
            position_key = decode_cursor(cursor_in, switches.invalid_cursor_error)
            issued = registry.lookup(cursor_in)
            if switches.cursor_ttl and issued is not None and now - issued[0] > switches.cursor_ttl:
                raise invalid_cursor(switches.invalid_cursor_error)
            if switches.cursor_query == "remembered" and issued is not None:
                filters = issued[1]
            position = bisect.bisect_right(keys, position_key)
            echo = cursor_in
        else:
            start = parse_start_time(params, now, switches.too_recent)
            position = bisect.bisect_left(keys, (start,))
            echo = encode_cursor(start - 1, NO_ID)
    except Empty:
        position = len(keys)
        echo = None
    include = spec.make_filter(filters)
    after_filter = switches.filter_timing == "after"

    page = []
    last_key = None
    more = False
    examined = 0
    get = spec.get
    for i in range(position, len(keys)):
        key = keys[i]
        if key[0] >= cutoff:
            break
        record = get(key[1])
        if record is None:
            continue
        wanted = include is None or include(record)
        if after_filter:
            if examined == per_page:
                more = True
                break
            examined += 1
            last_key = key
            if wanted:
                page.append(record)
        else:
            if not wanted:
                continue
            if len(page) == per_page:
                more = True
                break
            page.append(record)
            last_key = key

    if last_key is not None:
        cursor = encode_cursor(*last_key)
    elif switches.empty_cursor == "echo" and echo is not None:
        cursor = echo
    else:
        # no source shows a cursor on an empty page (§4.3, §16 #2)
        cursor = None
    if cursor is not None:
        registry.issue(cursor, now, filters)
        query = {"cursor": cursor}
        if per_page_given:
            query["per_page"] = str(per_page)
        after_url = page_url(base_url, spec.path, query)
    else:
        after_url = None
    rendered, sideloads = spec.render(page, filters)
    body = {spec.result_key: rendered}
    body.update(sideloads)
    body.update({
        "after_url": after_url,
        "before_url": None,
        "after_cursor": cursor,
        "before_cursor": None,
        "end_of_stream": not more,
    })
    return body


def time_page(spec, params, now, base_url, switches, seed, sample=False):
    """One page of a time-based export, §3.3 (the recipe there, with its
    switches): records by stream time, ties in no id order; a small page grows
    to the whole of its last second (end_time = last + 1); a 1000-page is capped
    (end_time = last, so the next page repeats that second); a page that is not
    full ends the stream with end_time = last; next_page is never null."""
    per_page, _ = parse_per_page(params)
    growth = switches.time_page_growth
    grow = growth == "always" or (growth == "small" and per_page < MAX_PER_PAGE)
    if sample:
        per_page = min(per_page, SAMPLE_LIMIT)
        grow = False
    cutoff = now - 60
    keys = spec.index.keys
    n = len(keys)
    try:
        start = parse_start_time(params, now, switches.too_recent)
        position = bisect.bisect_left(keys, (start,))
    except Empty:
        start = int(params["start_time"])
        position = n
    include = spec.make_filter(params)
    after_filter = switches.filter_timing == "after"
    get = spec.get

    picked = []          # (ts, id, record), (ts, id) order
    examined = 0
    last_ts = None
    i = position
    while i < n:
        ts, rid = keys[i]
        if ts >= cutoff:
            break
        if (examined if after_filter else len(picked)) >= per_page:
            break
        record = get(rid)
        i += 1
        if record is None:
            continue
        wanted = include is None or include(record)
        if after_filter or wanted:
            examined += 1
            last_ts = ts
        if wanted:
            picked.append((ts, rid, record))
    full = (examined if after_filter else len(picked)) >= per_page and last_ts is not None
    order = shuffle_key(seed) if switches.time_order == "shuffled" else (lambda rid: rid)

    if full and grow:
        while i < n and keys[i][0] == last_ts:
            rid = keys[i][1]
            record = get(rid)
            i += 1
            if record is not None and (include is None or include(record)):
                picked.append((last_ts, rid, record))
        end_time = last_ts + 1
    elif full:
        # capped: which records of the last second made it is up to the
        # in-second order, as on the real server (ticket 1570 left out, §3.3)
        end_time = last_ts
        if after_filter:
            taken = sum(1 for j in range(position, i) if keys[j][0] == last_ts
                        and get(keys[j][1]) is not None)
        else:
            taken = sum(1 for entry in picked if entry[0] == last_ts)
        lo, hi = spec.index.second(last_ts)
        candidates = []
        for j in range(lo, hi):
            rid = keys[j][1]
            record = get(rid)
            if record is None:
                continue
            if after_filter or include is None or include(record):
                candidates.append((rid, record))
        candidates.sort(key=lambda c: order(c[0]))
        chosen = candidates[:taken]
        if after_filter and include is not None:
            chosen = [c for c in chosen if include(c[1])]
        picked = [entry for entry in picked if entry[0] != last_ts]
        picked.extend((last_ts, rid, record) for rid, record in chosen)
    elif last_ts is not None:
        end_time = last_ts
    elif switches.empty_time_page_end_time == "cutoff":
        end_time = max(start, int(cutoff))
    else:
        end_time = start

    picked.sort(key=lambda entry: (entry[0], order(entry[1])))
    records = [entry[2] for entry in picked]
    rendered, sideloads = spec.render(records, params)
    query = {k: v for k, v in params.items()}
    query["start_time"] = str(end_time)
    values = {
        spec.result_key: rendered,
        "count": len(rendered),
        "end_of_stream": not full,
        "next_page": page_url(base_url, spec.path, query),
        "end_time": end_time,
    }
    body = {}
    for key in spec.key_order:
        if key == spec.result_key:
            body[key] = rendered
            body.update(sideloads)
        elif key in values:
            body[key] = values[key]
    return body
