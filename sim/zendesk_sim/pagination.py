"""Pagination of the standard API: cursor (CBP), offset (OBP) and show_many
(sim/README.md §5, §6).

CBP: page[size] <= 100, page[after] / page[before], meta {has_more,
after_cursor, before_cursor}, links {prev, next}; cursors are base64 JSON
{"o": "nice_id" | "id", "v": base64("i" + little-endian int64)} (decoded from
the recordings); links are present even on the last page (recorded).
OBP: page, per_page <= 100, {next_page, previous_page, count (the total)};
deeper than page 100 or 10,000 records is a 400 InvalidPaginationDepth.
show_many: ids, at most 100 (else 400 TooManyValues), unknown ids left out,
results by id.
"""

import base64
import binascii
import bisect
import json
import struct
import urllib.parse

from .exports import ExportError

MAX_PAGE_SIZE = 100
DEPTH_ERROR = {"errors": [{
    "code": "InvalidPaginationDepth",
    "title": "Pagination requests using Offset Pagination are limited to page 100 or up to "
             "10000 records (page * per_page)",
    "detail": "There are limits to how deep you can paginate with offset-based pagination. To "
              "request more records, use cursor-based pagination instead.",
}]}
INVALID_CURSOR = {"errors": [{"code": "InvalidPaginationParameter",
                              "title": "Invalid pagination parameter",
                              "detail": "page[after]/page[before] is not a valid cursor"}]}
TOO_MANY_VALUES = {"error": "TooManyValues",
                   "description": "Parameter  cannot specify more than 100 values",
                   "max_count": 100}


def url(base, path, query):
    return "%s%s?%s" % (base, path, urllib.parse.urlencode(sorted(query.items())))


def encode_cbp(order, record_id):
    value = base64.b64encode(b"i" + struct.pack("<q", record_id)).decode()
    return base64.b64encode(json.dumps({"o": order, "v": value},
                                       separators=(",", ":")).encode()).decode()


def decode_cbp(cursor, order):
    try:
        data = json.loads(base64.b64decode(cursor + "=" * (-len(cursor) % 4)))
        raw = base64.b64decode(data["v"])
        if data.get("o") != order or len(raw) != 9 or raw[:1] != b"i":
            raise ValueError
        return struct.unpack("<q", raw[1:])[0]
    except (ValueError, KeyError, TypeError, binascii.Error, struct.error):
        raise ExportError(400, INVALID_CURSOR)


def _int_param(params, name, default):
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ExportError(400, {"error": "InvalidValue",
                                "description": "%s must be an integer" % name})


def is_cbp(params):
    return any(k in params for k in ("page[size]", "page[after]", "page[before]"))


def cbp_size(params, switches):
    """page[size]: 100 when absent; above 100 a 400 or 100 (switch cbp_oversize)."""
    size = _int_param(params, "page[size]", MAX_PAGE_SIZE)
    if size > MAX_PAGE_SIZE:
        if switches.cbp_oversize == "400":
            raise ExportError(400, {"errors": [{
                "code": "InvalidPaginationParameter", "title": "Invalid pagination parameter",
                "detail": "page[size] must be less than or equal to %d" % MAX_PAGE_SIZE}]})
        size = MAX_PAGE_SIZE
    return max(1, size)


def obp_window(params):
    """(page, per_page) of an OBP request; 400 InvalidPaginationDepth past the limit."""
    page = max(1, _int_param(params, "page", 1))
    per_page = max(1, min(_int_param(params, "per_page", MAX_PAGE_SIZE), MAX_PAGE_SIZE))
    if page > 100 or page * per_page > 10000:
        raise ExportError(400, DEPTH_ERROR)
    return page, per_page


def cbp_page(ids, params, base, path, result_key, render, order, switches):
    """A CBP page over ids (sorted ascending)."""
    size = cbp_size(params, switches)
    if params.get("page[before]"):
        before = decode_cbp(params["page[before]"], order)
        end = bisect.bisect_left(ids, before)
        start = max(0, end - size)
        chosen = ids[start:end]
        has_more = start > 0
    else:
        start = 0
        if params.get("page[after]"):
            start = bisect.bisect_right(ids, decode_cbp(params["page[after]"], order))
        chosen = ids[start:start + size]
        if switches.cbp_last_page == "empty":
            has_more = len(chosen) == size
        else:
            has_more = start + size < len(ids)
    records = [r for r in (render(i) for i in chosen) if r is not None]
    if chosen:
        after = encode_cbp(order, chosen[-1])
        before = encode_cbp(order, chosen[0])
        links = {"prev": url(base, path, {"page[before]": before, "page[size]": str(size)}),
                 "next": url(base, path, {"page[after]": after, "page[size]": str(size)})}
    else:
        after = before = None
        links = {"prev": None, "next": None}
    return {result_key: records,
            "meta": {"has_more": has_more, "after_cursor": after, "before_cursor": before},
            "links": links}


def obp_page(ids, params, base, path, result_key, render):
    """An OBP page over ids (in list order); count is the total."""
    page, per_page = obp_window(params)
    start = (page - 1) * per_page
    chosen = ids[start:start + per_page]
    records = [r for r in (render(i) for i in chosen) if r is not None]
    query = {}
    if "per_page" in params:
        query["per_page"] = str(per_page)
    next_page = previous = None
    if start + per_page < len(ids):
        next_page = url(base, path, dict(query, page=str(page + 1)))
    if page > 1:
        previous = url(base, path, dict(query, page=str(page - 1)))
    return {result_key: records, "next_page": next_page, "previous_page": previous,
            "count": len(ids)}


def show_many(params, lookup, result_key):
    """GET .../show_many?ids=1,2,3: lookup(id) -> rendered record or None."""
    raw = params.get("ids")
    if raw is None:
        raise ExportError(400, {"error": "InvalidValue", "description": "ids is required"})
    wanted = [part.strip() for part in raw.split(",") if part.strip()]
    if len(wanted) > 100:
        raise ExportError(400, TOO_MANY_VALUES)
    ids = set()
    for part in wanted:
        try:
            ids.add(int(part))
        except ValueError:
            continue
    records = [r for r in (lookup(i) for i in sorted(ids)) if r is not None]
    return {result_key: records, "next_page": None, "previous_page": None,
            "count": len(records)}
