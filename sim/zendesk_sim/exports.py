"""Incremental export pagination, as Zendesk pages it.

Pure functions: given the records in stream order and the request's
parameters, build the page.  Rules are those of shared/zendesk-api.md §4
(cursor exports) with the sources cited there.
"""

import base64
import binascii
import bisect
import urllib.parse


class ExportError(Exception):
    """A request the real API rejects; carries status and JSON body."""

    def __init__(self, status, body):
        super().__init__(body)
        self.status = status
        self.body = body


def encode_cursor(ts, record_id):
    """base64 of "<ts>.0||<id>|" (observed, §4.2)."""
    return base64.b64encode(("%d.0||%d|" % (ts, record_id)).encode()).decode()


def decode_cursor(cursor):
    try:
        text = base64.b64decode(cursor, validate=True).decode()
        ts_part, rest = text.split("||", 1)
        id_part = rest.rstrip("|")
        return int(float(ts_part)), int(id_part)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ExportError(400, {"error": "InvalidCursor",
                                "description": "cursor is invalid or expired"})


def parse_per_page(params):
    raw = params.get("per_page")
    if raw is None:
        return 1000, False
    try:
        n = int(raw)
    except ValueError:
        raise ExportError(400, {"error": "InvalidValue",
                                "description": "per_page must be an integer"})
    return max(1, min(n, 1000)), True


def parse_start_time(params, now):
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
        # the only real body seen for this rule (§3.7)
        raise ExportError(422, {"error": "InvalidValue",
                                "description": "Too recent start_time. Use a start_time older than 5 minutes"})
    return start


def cursor_page(stream, keys, include, params, now, base_url, path, result_key):
    """One page of a cursor-based export (tickets, users).

    stream: records sorted by (ts, id); keys: their (ts, id) pairs; include:
    a predicate on records (exclude_deleted, support_type_scope).  Records
    changed within the last minute are not exported yet.
    """
    per_page, per_page_given = parse_per_page(params)
    cutoff = now - 60
    if "cursor" in params:
        position = bisect.bisect_right(keys, decode_cursor(params["cursor"]))
    else:
        position = bisect.bisect_left(keys, (parse_start_time(params, now), -1))

    page = []
    last_key = None
    more = False
    for i in range(position, len(stream)):
        if keys[i][0] >= cutoff:
            break
        if not include(stream[i]):
            continue
        if len(page) == per_page:
            more = True
            break
        page.append(stream[i])
        last_key = keys[i]

    if page:
        cursor = encode_cursor(*last_key)
        query = {"cursor": cursor}
        if per_page_given:
            query["per_page"] = str(per_page)
        after_url = "%s%s?%s" % (base_url, path, urllib.parse.urlencode(query))
    else:
        # no source shows a cursor on an empty page (§4.3)
        cursor = None
        after_url = None
    return {
        result_key: page,
        "after_url": after_url,
        "before_url": None,
        "after_cursor": cursor,
        "before_cursor": None,
        "end_of_stream": not more,
    }
