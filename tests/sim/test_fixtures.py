"""Self-tests against reality: every recorded interaction of zenpy's
recordings (tests/fixtures/zenpy-gpl3) that maps to a simulator route is
replayed against the simulator, and the answer must have the recording's page
keys, headers, and, over all records of each kind, the same nested key sets,
JSON types and nullability.  go-zendesk's recordings
(tests/fixtures/go-zendesk-mit) add nested paths, and are the reference for
ticket, user and organization fields.

Where the recordings never show a value (a key always null, an array always
empty, a free-form map always {}), the type the simulator may use is taken
from Zendesk's documentation as sim/README.md describes it, and listed in
ALLOWED with its section there (§): the only departures from the recordings
are documented ones.
"""

import glob
import json
import os
import urllib.parse

from simcase import BASIC, SimulatorCase, fixture, fixture_dir, json_type

# Free-form maps: their keys are the account's own (field keys), not a schema.
MAPS = {"user_fields", "organization_fields", "custom_ticket_fields", "relationship_filter"}

# path -> (extra JSON types, extra key sets) allowed beyond the recordings, by source
TICKET_ALLOWED = {
    # §8.1 table: values the 2023-24 recordings only show as null or empty
    "type": ({"string"}, ()), "priority": ({"string"}, ()), "assignee_id": ({"int"}, ()),
    "group_id": ({"int"}, ()), "organization_id": ({"null"}, ()), "external_id": ({"string"}, ()),
    "recipient": ({"string"}, ()), "due_at": ({"string"}, ()), "problem_id": ({"int"}, ()),
    "collaborator_ids[]": ({"int"}, ()), "follower_ids[]": ({"int"}, ()),
    "email_cc_ids[]": ({"int"}, ()), "tags[]": ({"string"}, ()),
    "followup_ids[]": ({"int"}, ()), "sharing_agreement_ids[]": ({"int"}, ()),
    # §8.5: the three forms of satisfaction_rating
    "satisfaction_rating": ({"object"}, (frozenset({"score"}), frozenset({"id", "score", "comment"}))),
    "satisfaction_rating.score": ({"string"}, ()), "satisfaction_rating.id": ({"int"}, ()),
    "satisfaction_rating.comment": ({"string"}, ()),
    # §7.2: custom-field values: strings (numbers as strings too), arrays, booleans, lookup ids
    "custom_fields[]": ({"object"}, (frozenset({"id", "value"}),)),
    "custom_fields[].id": ({"int"}, ()),
    "custom_fields[].value": ({"string", "array", "bool", "int", "null"}, ()),
    "custom_fields[].value[]": ({"string"}, ()),
    "fields[]": ({"object"}, (frozenset({"id", "value"}),)),
    "fields[].id": ({"int"}, ()),
    "fields[].value": ({"string", "array", "bool", "int", "null"}, ()),
    "fields[].value[]": ({"string"}, ()),
    # §8.4: via sources of email tickets and triggers (go-zendesk ticket.json, zenpy via.json)
    "via.source.from": ({"object"}, (frozenset({"address", "name"}), frozenset({"id", "title"}))),
    "via.source.from.address": ({"string"}, ()), "via.source.from.name": ({"string"}, ()),
    "via.source.from.id": ({"int"}, ()), "via.source.from.title": ({"string"}, ()),
    "via.source.to": ({"object"}, (frozenset({"address", "name"}),)),
    "via.source.to.address": ({"string"}, ()), "via.source.to.name": ({"string"}, ()),
    "via.source.rel": ({"string"}, ()),
}
USER_ALLOWED = {
    # §8.2 table
    "phone": ({"string"}, ()), "shared_phone_number": ({"bool"}, ()),
    "organization_id": ({"int"}, ()), "role_type": ({"int"}, ()), "custom_role_id": ({"int"}, ()),
    "default_group_id": ({"int"}, ()), "last_login_at": ({"string"}, ()),
    "two_factor_auth_enabled": ({"bool"}, ()), "signature": ({"string"}, ()),
    "details": ({"string"}, ()), "notes": ({"string"}, ()), "alias": ({"string"}, ()),
    "ticket_restriction": ({"null"}, ()), "external_id": ({"string"}, ()), "tags[]": ({"string"}, ()),
    "email": ({"null"}, ()),
    # §8.2: user_fields keyed by field key; values as §7.2
    "user_fields.*": ({"string", "bool", "array", "null", "int"}, ()),
    "user_fields.*[]": ({"string"}, ()),
}
ORG_ALLOWED = {
    # §8.3 table
    "external_id": ({"string"}, ()), "details": ({"string"}, ()), "notes": ({"string"}, ()),
    "group_id": ({"int"}, ()), "domain_names[]": ({"string"}, ()), "tags[]": ({"string"}, ()),
    "organization_fields.*": ({"string", "bool", "array", "null", "int"}, ()),
    "organization_fields.*[]": ({"string"}, ()),
}
ALLOWED = {"ticket_export": TICKET_ALLOWED, "ticket_list": TICKET_ALLOWED,
           "ticket_show": TICKET_ALLOWED, "user": USER_ALLOWED, "search_user": USER_ALLOWED,
           "organization": ORG_ALLOWED}

# Recorded endpoints the simulator does not serve (the FDW does not use them).
NOT_SIMULATED = ("/api/v2/groups", "/api/v2/ticket_audits")


def walk(value, path, profile):
    entry = profile.setdefault(path, {"types": set(), "keysets": set()})
    entry["types"].add(json_type(value))
    if isinstance(value, dict):
        leaf = path.rsplit(".", 1)[-1]
        if leaf in MAPS:
            for item in value.values():
                walk(item, path + ".*", profile)
        else:
            entry["keysets"].add(frozenset(value))
            for key, item in value.items():
                walk(item, (path + "." if path else "") + key, profile)
    elif isinstance(value, list):
        for item in value:
            walk(item, path + "[]", profile)


def conformance_errors(sim, recorded, allowed):
    """Differences of the simulator's profile from the recorded one."""
    errors = []
    for path, entry in sorted(sim.items()):
        rec = recorded.get(path, {"types": set(), "keysets": set()})
        extra_types, extra_keysets = allowed.get(path, (set(), ()))
        if path not in recorded and path not in allowed:
            errors.append("%s: not in any recording" % (path or "<record>"))
            continue
        types = rec["types"] | extra_types
        for t in entry["types"] - types:
            errors.append("%s: type %s (recorded: %s)" % (path or "<record>", t, sorted(rec["types"])))
        keysets = rec["keysets"] | set(extra_keysets)
        for keys in entry["keysets"] - keysets:
            near = min(keysets, key=lambda k: len(k ^ keys)) if keysets else frozenset()
            errors.append("%s: keys %s extra / %s missing" % (path or "<record>", sorted(keys - near),
                                                              sorted(near - keys)))
    # every recorded key is served
    for keys in recorded.get("", {"keysets": set()})["keysets"]:
        if keys not in sim.get("", {"keysets": set()})["keysets"]:
            errors.append("<record>: recorded key set %s never served" % sorted(keys))
    return errors


def kind_of(path, params):
    route = path[:-5] if path.endswith(".json") else path
    if route.startswith("/api/v2/incremental/tickets"):
        return "ticket_export", "tickets"
    if route.startswith("/api/v2/incremental/users"):
        return "user", "users"
    if route == "/api/v2/tickets":
        return "ticket_list", "tickets"
    if route == "/api/v2/tickets/show_many":
        return "ticket_show", "tickets"
    if route.startswith("/api/v2/tickets/"):
        return "ticket_show", "ticket"
    if route in ("/api/v2/users", "/api/v2/users/show_many"):
        return "user", "users"
    if route.startswith("/api/v2/users/"):
        return "user", "user"
    if route in ("/api/v2/organizations", "/api/v2/organizations/show_many"):
        return "organization", "organizations"
    if route.startswith("/api/v2/organizations/"):
        return "organization", "organization"
    if route == "/api/v2/search/export":
        return "search_%s" % params.get("filter[type]"), "results"
    return None, None


class TestAgainstRecordings(SimulatorCase):
    """Every zenpy interaction, mapped onto this account."""

    tickets = 250

    def sim_path(self, uri):
        """The recorded request, with this account's ids and cursors."""
        parts = urllib.parse.urlsplit(uri)
        path = parts.path
        params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        account = self.account
        segments = path.split("/")
        last = segments[-1].replace(".json", "")
        if last.isdigit():
            resource = segments[-2]
            sim_id = {"tickets": account.sorted_ids("tickets")[0], "users": account.user_ids[2],
                      "organizations": sorted(account.organizations)[0]}[resource]
            segments[-1] = segments[-1].replace(last, str(sim_id))
            path = "/".join(segments)
        if "ids" in params:
            n = len(params["ids"].split(","))
            resource = segments[-2]
            pool = {"tickets": account.sorted_ids("tickets"), "users": sorted(account.users),
                    "organizations": sorted(account.organizations)}[resource]
            params["ids"] = ",".join(str(i) for i in pool[:n])
        if "start_time" in params:
            params["start_time"] = "0"
        if path.startswith("/api/v2/search/") and int(params.get("page[size]", 100)) > 10:
            params["page[size]"] = "10"     # this account is small: keep a second page
        for name, meta in (("cursor", "after_cursor"), ("page[after]", "after_cursor"),
                           ("page[before]", "before_cursor")):
            if name in params:
                first = {k: v for k, v in params.items() if k not in ("cursor", "page[after]", "page[before]")}
                if name == "cursor":
                    first["start_time"] = "0"
                page = self.ok(path + "?" + urllib.parse.urlencode(first))
                cursor = page.get(meta) if name == "cursor" else page["meta"][meta]
                params[name] = cursor
        return path, params

    def test_every_recorded_interaction(self):
        profiles = {}
        recorded_profiles = {}
        checked = skipped = 0
        seen_kinds = set()
        for name in sorted(glob.glob(os.path.join(fixture_dir("zenpy"), "*.json"))):
            for interaction in fixture(os.path.basename(name)):
                uri = interaction["uri"]
                if interaction["method"] != "GET" or uri.split("?")[0].replace(".json", "").endswith(NOT_SIMULATED):
                    skipped += 1
                    continue
                rpath = urllib.parse.urlsplit(uri).path
                rparams = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(uri).query))
                kind, key = kind_of(rpath, rparams)
                self.assertIsNotNone(kind, uri)
                path, params = self.sim_path(uri)
                era = "2024" if "ratelimit-limit" in interaction["headers"] else "x-only"
                self.sim.switches.set("rate_headers", era)
                try:
                    resp, raw = self.request("GET", path + ("?" + urllib.parse.urlencode(params) if params else ""),
                                             {"Authorization": BASIC, "Accept-Encoding": "gzip, deflate"})
                finally:
                    self.sim.switches.set("rate_headers", "2024")
                body = json.loads(raw)
                where = "%s (%s)" % (uri[:120], os.path.basename(name))
                self.assertEqual(resp.status, interaction["status"], where)
                real = interaction["body"]
                self.assertEqual(set(body), set(real), where)
                for sub in ("meta", "links"):
                    if sub in real:
                        self.assertEqual(set(body[sub]), set(real[sub]), where)
                        for k, v in real[sub].items():
                            if v is not None and body[sub][k] is not None:
                                self.assertEqual(json_type(body[sub][k]), json_type(v), where + " " + k)
                for k, v in real.items():
                    if k not in (key, "meta", "links") and v is not None and body[k] is not None:
                        self.assertEqual(json_type(body[k]), json_type(v), where + " " + k)
                # headers: every recorded one is sent, and no rate header the recordings lack
                got = {h.lower(): v for h, v in resp.getheaders()}
                for header, value in interaction["headers"].items():
                    self.assertIn(header.lower(), got, where)
                    if header.lower() in ("content-type", "content-encoding"):
                        self.assertEqual(got[header.lower()], value, where)
                rate = {h for h in got if "rate" in h}
                allowed = {h.lower() for h in interaction["headers"] if "rate" in h.lower()}
                allowed |= {"zendesk-ratelimit-tickets-index"} if kind == "ticket_list" else set()
                allowed |= {"zendesk-ratelimit-incremental-exports-cursor"} if "users/cursor" in rpath else set()
                self.assertEqual(rate - allowed, set(), where)
                self.assertEqual(got.get("transfer-encoding"), "chunked", where)   # gzip travels chunked
                # records, for the profiles
                items = real[key] if isinstance(real[key], list) else [real[key]]
                ours = body[key] if isinstance(body[key], list) else [body[key]]
                self.assertTrue(ours or not items, where)
                for record in items:
                    walk(record, "", recorded_profiles.setdefault(kind, {}))
                for record in ours:
                    walk(record, "", profiles.setdefault(kind, {}))
                seen_kinds.add(kind)
                checked += 1
        self.assertGreater(checked, 300)
        self.assertEqual(seen_kinds, {"ticket_export", "ticket_list", "ticket_show", "user",
                                      "organization", "search_user"})
        # nested paths also seen in go-zendesk's (older, hand-trimmed) recordings
        for name, kind, key in (("ticket.json", "ticket_show", "ticket"),
                                ("ticket_custom_field.json", "ticket_show", "ticket"),
                                ("tickets.json", "ticket_list", "tickets"),
                                ("user.json", "user", "user"), ("users.json", "user", "users")):
            data = fixture(name, "go-zendesk")[key]
            extra = {}
            for record in (data if isinstance(data, list) else [data]):
                walk(record, "", extra)
            for path, entry in extra.items():
                if path and "." in path or "[" in path:
                    target = recorded_profiles[kind].setdefault(path, {"types": set(), "keysets": set()})
                    target["types"] |= entry["types"]
                    target["keysets"] |= entry["keysets"]
        report = []
        for kind, profile in sorted(profiles.items()):
            allowed = ALLOWED.get(kind, ALLOWED.get(kind.replace("search_", ""), {}))
            if kind == "search_user":
                allowed = dict(USER_ALLOWED)
            for err in conformance_errors(profile, recorded_profiles[kind], allowed):
                report.append("%s: %s" % (kind, err))
        self.assertEqual(report, [], "\n".join(report))

    def test_export_record_shapes_cover_every_variant(self):
        """The simulator's own variety (the recordings show few): deleted, scrubbed,
        custom fields of every type, rated tickets, photos, inactive users."""
        tickets = self.jsonl("/_sim/tickets.jsonl")
        self.assertTrue(any(t["status"] == "deleted" and t["subject"] == "SCRUBBED"
                            and t["description"] == "X" for t in tickets))
        self.assertTrue(any(t["satisfaction_rating"] and "comment" in t["satisfaction_rating"] for t in tickets))
        values = [cf["value"] for t in tickets for cf in t["custom_fields"]]
        self.assertEqual({json_type(v) for v in values}, {"string", "array", "bool", "int", "null"})
        self.assertTrue(any(isinstance(v, str) and v.lstrip("-").isdigit() and int(v) > 2 ** 32 for v in values))
        self.assertTrue(all(t["custom_fields"] == t["fields"] for t in tickets))
        users = self.jsonl("/_sim/users.jsonl")
        self.assertTrue(any(not u["active"] for u in users))
        self.assertTrue(any(u["photo"] for u in users))
        self.assertTrue(any(u["id"] > 2 ** 32 for u in users))


class TestFieldsAgainstRecordings(SimulatorCase):
    """Ticket, user and organization fields against go-zendesk's recordings."""

    tickets = 20

    def test_ticket_fields(self):
        real = fixture("ticket_fields.json", "go-zendesk")
        page = self.ok("/api/v2/ticket_fields.json")
        self.assertEqual(set(page), set(real))
        by_type = {}
        for field in real["ticket_fields"]:
            by_type.setdefault(field["type"], set()).add(frozenset(field))
        base = frozenset.intersection(*[frozenset(f) for f in real["ticket_fields"]])
        # §7.1: newer keys and the type-specific ones of types go-zendesk lacks
        documented = {"key"}
        specific = {"multiselect": {"custom_field_options"},
                    "lookup": {"relationship_target_type", "relationship_filter"},
                    "custom_status": {"custom_statuses"}, "partialcreditcard": set()}
        types_seen = set()
        for field in page["ticket_fields"]:
            keys = frozenset(field)
            types_seen.add(field["type"])
            if field["type"] in by_type:
                self.assertIn(keys - documented, by_type[field["type"]], field["type"])
            else:
                self.assertEqual(keys - documented, base | specific[field["type"]], field["type"])
            for key, value in field.items():
                for recorded in real["ticket_fields"]:
                    if key in recorded and recorded[key] is not None and value is not None:
                        self.assertEqual(json_type(value), json_type(recorded[key]), key)
                        break
            for option in field.get("custom_field_options", []):
                self.assertEqual(set(option), set(real["ticket_fields"][7]["custom_field_options"][0]))
        self.assertTrue({"text", "textarea", "checkbox", "date", "integer", "decimal", "regexp",
                         "partialcreditcard", "multiselect", "tagger", "lookup", "subject",
                         "description", "status", "tickettype", "priority", "group", "assignee",
                         "custom_status"} <= types_seen)
        self.assertTrue(any(not f["active"] for f in page["ticket_fields"]))
        single = self.ok("/api/v2/ticket_fields/%d.json" % page["ticket_fields"][0]["id"])
        self.assertEqual(set(single), set(fixture("ticket_field.json", "go-zendesk")))

    def test_user_and_organization_fields(self):
        for name, path in (("user_fields.json", "/api/v2/user_fields.json"),
                           ("organization_fields.json", "/api/v2/organization_fields.json")):
            real = fixture(name, "go-zendesk")
            key = name[:-5]
            page = self.ok(path)
            self.assertTrue(set(real) <= set(page))
            recorded = {frozenset(f) for f in real[key]}
            union = frozenset().union(*recorded)
            for field in page[key]:
                keys = frozenset(field) - {"custom_field_options"}   # dropdowns (doc)
                self.assertTrue(keys in recorded or keys == union, (name, sorted(keys)))
                for k, v in field.items():
                    for rec in real[key]:
                        if k in rec and rec[k] is not None and v is not None:
                            self.assertEqual(json_type(v), json_type(rec[k]), (name, k))
                            break
