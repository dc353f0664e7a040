/*-------------------------------------------------------------------------
 *
 * zd_parse.c
 *		  Parsing of Zendesk response bodies with jansson.
 *
 * Export pages are checked for the keys the pagination state machines rely
 * on, with their types, so that a malformed page is reported as such instead
 * of ending a stream early.  Bodies are parsed with JSON_ALLOW_NUL: a single
 * \u0000 in one comment must not fail the whole page (the conversion layer
 * states what becomes of it).
 *
 * IDENTIFICATION
 *		  src/client/zd_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "zd_parse.h"
#include "zd_time.h"

static bool records_are_objects(json_t *records, const char *key,
								char *errbuf, size_t errlen);

static void
describe_json_error(const json_error_t *jerr, char *errbuf, size_t errlen)
{
	snprintf(errbuf, errlen, "invalid JSON at byte %d: %s",
			 jerr->position, jerr->text);
}

/*
 * parse_page_body
 *		json_loadb into an arena of the page's own (jansson's allocator when
 *		no arena can be had).  On failure nothing is left to free.
 */
static bool
parse_page_body(const char *body, size_t len, ZdPage *page,
				char *errbuf, size_t errlen)
{
	json_error_t jerr;

	page->arena = zd_json_arena_create();
	zd_json_arena_enter(page->arena);
	page->root = json_loadb(body, len, JSON_ALLOW_NUL, &jerr);
	zd_json_arena_leave(page->arena);
	if (page->root == NULL)
	{
		zd_json_arena_free(page->arena);
		page->arena = NULL;
		describe_json_error(&jerr, errbuf, errlen);
		return false;
	}
	return true;
}

/*
 * optional_string
 *		key of obj: absent or null gives NULL; a string, its value; anything
 *		else is refused.
 */
static bool
optional_string(json_t *obj, const char *key, const char *where, const char **value,
				char *errbuf, size_t errlen)
{
	json_t	   *v = json_object_get(obj, key);

	*value = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v))
	{
		snprintf(errbuf, errlen, "\"%s%s\" is neither a string nor null", where, key);
		return false;
	}
	*value = json_string_value(v);
	return true;
}

/*
 * parse_records_page
 *		The part every page shares: a JSON object holding an array of
 *		objects under result_key.  On failure returns false with errbuf set
 *		and nothing left to free.
 */
static bool
parse_records_page(const char *body, size_t len, const char *result_key,
				   ZdPage *page, char *errbuf, size_t errlen)
{
	memset(page, 0, sizeof(*page));
	page->end_time = -1;

	if (!parse_page_body(body, len, page, errbuf, errlen))
		return false;
	if (!json_is_object(page->root))
	{
		snprintf(errbuf, errlen, "the page is not a JSON object");
		goto bad;
	}
	page->records = json_object_get(page->root, result_key);
	if (!json_is_array(page->records))
	{
		snprintf(errbuf, errlen, "the page has no \"%s\" array", result_key);
		goto bad;
	}
	page->nrecords = json_array_size(page->records);
	if (!records_are_objects(page->records, result_key, errbuf, errlen))
		goto bad;
	return true;

bad:
	zd_page_free(page);
	return false;
}

/*
 * zd_page_parse
 *		Parse one export page.  On failure returns false with errbuf set and
 *		nothing left to free.
 */
bool
zd_page_parse(const char *body, size_t len, const char *result_key,
			  ZdStreamKind kind, ZdPage *page, char *errbuf, size_t errlen)
{
	json_t	   *eos;
	const char *url_key = (kind == ZD_STREAM_CURSOR) ? "after_url" : "next_page";

	if (!parse_records_page(body, len, result_key, page, errbuf, errlen))
		return false;

	eos = json_object_get(page->root, "end_of_stream");
	if (!json_is_boolean(eos))
	{
		snprintf(errbuf, errlen, "the page has no boolean \"end_of_stream\"");
		goto bad;
	}
	page->end_of_stream = json_is_true(eos);

	if (!optional_string(page->root, url_key, "", &page->next_url, errbuf, errlen))
		goto bad;

	if (kind == ZD_STREAM_CURSOR)
	{
		if (!optional_string(page->root, "after_cursor", "", &page->after_cursor,
							 errbuf, errlen))
			goto bad;
	}
	else
	{
		json_t	   *end_time = json_object_get(page->root, "end_time");

		if (!json_is_integer(end_time))
		{
			snprintf(errbuf, errlen, "the page has no integer \"end_time\"");
			goto bad;
		}
		page->end_time = json_integer_value(end_time);
	}
	return true;

bad:
	zd_page_free(page);
	return false;
}

/*
 * zd_list_page_parse
 *		Parse one page of a standard list endpoint: a cursor page
 *		({"<key>": [...], "meta": {"has_more", "after_cursor"}, "links":
 *		{"next"}}), an offset page ({"<key>": [...], "next_page": ...}) or a
 *		whole unpaginated list ({"<key>": [...]}, perhaps with a null
 *		next_page and a count).  zd_list_advance decides what each means.
 *		On failure returns false with errbuf set and nothing left to free.
 */
bool
zd_list_page_parse(const char *body, size_t len, const char *result_key,
				   ZdPage *page, char *errbuf, size_t errlen)
{
	json_t	   *meta;

	if (!parse_records_page(body, len, result_key, page, errbuf, errlen))
		return false;

	meta = json_object_get(page->root, "meta");
	if (meta != NULL && !json_is_null(meta))
	{
		json_t	   *has_more = json_object_get(meta, "has_more");
		json_t	   *links = json_object_get(page->root, "links");

		if (!json_is_object(meta) || !json_is_boolean(has_more))
		{
			snprintf(errbuf, errlen, "the page's \"meta\" has no boolean \"has_more\"");
			goto bad;
		}
		page->cursor_paged = true;
		page->has_more = json_is_true(has_more);
		if (!optional_string(meta, "after_cursor", "meta.", &page->after_cursor,
							 errbuf, errlen))
			goto bad;
		if (links != NULL && !json_is_null(links))
		{
			if (!json_is_object(links))
			{
				snprintf(errbuf, errlen, "the page's \"links\" is not an object");
				goto bad;
			}
			if (!optional_string(links, "next", "links.", &page->next_url, errbuf, errlen))
				goto bad;
		}
	}
	if (!optional_string(page->root, "next_page", "", &page->offset_next, errbuf, errlen))
		goto bad;
	page->end_of_stream = page->cursor_paged ? !page->has_more : page->offset_next == NULL;
	return true;

bad:
	zd_page_free(page);
	return false;
}

/*
 * records_are_objects
 *		Is every element of the array a JSON object?
 */
static bool
records_are_objects(json_t *records, const char *key, char *errbuf, size_t errlen)
{
	for (size_t i = 0; i < json_array_size(records); i++)
	{
		if (!json_is_object(json_array_get(records, i)))
		{
			snprintf(errbuf, errlen, "element %zu of \"%s\" is not an object", i, key);
			return false;
		}
	}
	return true;
}

/*
 * zd_lookup_parse
 *		The answer of a lookup as a one-page stream: {"<key>": {...}} for a
 *		single lookup (single), {"<key>": [...]} for show_many.
 */
bool
zd_lookup_parse(const char *body, size_t len, const char *key, bool single,
				ZdPage *page, char *errbuf, size_t errlen)
{
	json_t	   *value;

	memset(page, 0, sizeof(*page));
	page->end_time = -1;
	page->end_of_stream = true;

	if (!parse_page_body(body, len, page, errbuf, errlen))
		return false;
	value = json_is_object(page->root) ? json_object_get(page->root, key) : NULL;
	if (single)
	{
		if (!json_is_object(value))
		{
			snprintf(errbuf, errlen, "the answer has no \"%s\" object", key);
			goto bad;
		}
		page->owned_records = json_array();
		if (page->owned_records == NULL || json_array_append(page->owned_records, value) != 0)
		{
			snprintf(errbuf, errlen, "out of memory");
			goto bad;
		}
		page->records = page->owned_records;
	}
	else
	{
		if (!json_is_array(value))
		{
			snprintf(errbuf, errlen, "the answer has no \"%s\" array", key);
			goto bad;
		}
		if (!records_are_objects(value, key, errbuf, errlen))
			goto bad;
		page->records = value;
	}
	page->nrecords = json_array_size(page->records);
	return true;

bad:
	zd_page_free(page);
	return false;
}

/*
 * zd_page_take_sideload
 *		Make a parsed export page's records its sideload: the page's key
 *		array, or else each record's member object, in the records' order
 *		(which shape Zendesk sends is not settled: sim/README.md §14).  A
 *		page with records but neither shape is refused; on failure the page
 *		is left as it was, for the caller to free.
 */
bool
zd_page_take_sideload(ZdPage *page, const char *key, const char *member,
					  char *errbuf, size_t errlen)
{
	json_t	   *array = json_is_object(page->root) ? json_object_get(page->root, key) : NULL;
	json_t	   *own;

	if (array != NULL && !json_is_null(array))
	{
		if (!json_is_array(array))
		{
			snprintf(errbuf, errlen, "\"%s\" is not an array", key);
			return false;
		}
		if (!records_are_objects(array, key, errbuf, errlen))
			return false;
		page->records = array;
		page->nrecords = json_array_size(array);
		return true;
	}
	own = json_array();
	if (own == NULL)
	{
		snprintf(errbuf, errlen, "out of memory");
		return false;
	}
	for (size_t i = 0; i < page->nrecords; i++)
	{
		json_t	   *value = json_object_get(json_array_get(page->records, i), member);

		if (!json_is_object(value))
		{
			snprintf(errbuf, errlen,
					 "the page has no \"%s\" array, and its record %zu no \"%s\" object",
					 key, i, member);
			json_decref(own);
			return false;
		}
		if (json_array_append(own, value) != 0)
		{
			snprintf(errbuf, errlen, "out of memory");
			json_decref(own);
			return false;
		}
	}
	if (page->owned_records != NULL)
		json_decref(page->owned_records);
	page->owned_records = own;
	page->records = own;
	page->nrecords = json_array_size(own);
	return true;
}

/*
 * zd_page_free
 *		The lookup's own array first: it references the record in the tree,
 *		and is malloc'd.  A tree in an arena goes with the arena.
 */
void
zd_page_free(ZdPage *page)
{
	if (page->owned_records != NULL)
		json_decref(page->owned_records);
	if (page->arena != NULL)
		zd_json_arena_free(page->arena);
	else if (page->root != NULL)
		json_decref(page->root);
	memset(page, 0, sizeof(*page));
}

/*
 * zd_count_parse
 *		{"count": {"value": N, "refreshed_at": ...}} of the count endpoints.
 */
bool
zd_count_parse(const char *body, size_t len, long long *count,
			   char *errbuf, size_t errlen)
{
	json_error_t jerr;
	json_t	   *root = json_loadb(body, len, 0, &jerr);
	json_t	   *value;
	bool		ok;

	if (root == NULL)
	{
		describe_json_error(&jerr, errbuf, errlen);
		return false;
	}
	value = json_object_get(json_object_get(root, "count"), "value");
	ok = json_is_integer(value) && json_integer_value(value) >= 0;
	if (ok)
		*count = json_integer_value(value);
	else
		snprintf(errbuf, errlen, "the answer has no integer \"count\".\"value\"");
	json_decref(root);
	return ok;
}

static const char *const system_ticket_field_types[] = {
	"subject", "description", "status", "custom_status", "tickettype",
	"priority", "group", "assignee", NULL
};

static char *
dup_member(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

/*
 * The options of a drop-down or multiselect field: their count, and a hash
 * of their values in order, so that a new or renamed option shows.
 */
static void
field_options(json_t *field, ZdFieldDef *def)
{
	json_t	   *options = json_object_get(field, "custom_field_options");
	uint64_t	hash = UINT64_C(14695981039346656037);

	def->noptions = json_is_array(options) ? json_array_size(options) : 0;
	for (size_t i = 0; i < def->noptions; i++)
	{
		json_t	   *value = json_object_get(json_array_get(options, i), "value");
		const char *text = json_is_string(value) ? json_string_value(value) : "";

		/* a separator byte no value holds: ("ab","c") and ("a","bc") differ */
		for (const unsigned char *p = (const unsigned char *) text;; p++)
		{
			hash ^= *p;
			hash *= UINT64_C(1099511628211);
			if (*p == '\0')
				break;
		}
	}
	def->options_hash = hash;
}

/*
 * zd_fields_parse
 *		Parse one page of ticket_fields, user_fields or organization_fields
 *		(array_key).  The next page is links.next while meta.has_more (cursor
 *		pagination), or next_page (offset pagination).  On failure nothing is
 *		left to free.
 */
bool
zd_fields_parse(const char *body, size_t len, const char *array_key,
				ZdFieldList *list, char *errbuf, size_t errlen)
{
	json_error_t jerr;
	json_t	   *root = json_loadb(body, len, 0, &jerr);
	json_t	   *array;
	json_t	   *meta;
	size_t		n;

	memset(list, 0, sizeof(*list));
	if (root == NULL)
	{
		describe_json_error(&jerr, errbuf, errlen);
		return false;
	}
	array = json_object_get(root, array_key);
	if (!json_is_array(array))
	{
		snprintf(errbuf, errlen, "the response has no \"%s\" array", array_key);
		json_decref(root);
		return false;
	}
	n = json_array_size(array);
	list->fields = calloc(n > 0 ? n : 1, sizeof(ZdFieldDef));
	if (list->fields == NULL)
		goto oom;
	for (size_t i = 0; i < n; i++)
	{
		json_t	   *f = json_array_get(array, i);
		json_t	   *id = json_object_get(f, "id");
		ZdFieldDef *def = &list->fields[list->nfields];

		if (!json_is_object(f) || !json_is_integer(id) ||
			!json_is_string(json_object_get(f, "type")))
		{
			snprintf(errbuf, errlen, "element %zu of \"%s\" has no integer id or no type",
					 i, array_key);
			zd_fields_free(list);
			json_decref(root);
			return false;
		}
		def->id = json_integer_value(id);
		def->key = dup_member(f, "key");
		def->type = dup_member(f, "type");
		def->title = dup_member(f, "title");
		if (def->title == NULL)
			def->title = strdup("");
		def->active = !json_is_false(json_object_get(f, "active"));
		def->has_created_at =
			json_is_string(json_object_get(f, "created_at")) &&
			zd_time_parse_iso8601(json_string_value(json_object_get(f, "created_at")),
								  &def->created_at);
		field_options(f, def);
		list->nfields++;
		if (def->type == NULL || def->title == NULL)
			goto oom;
		for (int t = 0; system_ticket_field_types[t] != NULL; t++)
			if (strcmp(def->type, system_ticket_field_types[t]) == 0)
				def->system = true;
	}

	meta = json_object_get(root, "meta");
	if (json_is_true(json_object_get(meta, "has_more")))
		list->next_url = dup_member(json_object_get(root, "links"), "next");
	else if (meta == NULL)
		list->next_url = dup_member(root, "next_page");
	json_decref(root);
	return true;

oom:
	zd_fields_free(list);
	json_decref(root);
	snprintf(errbuf, errlen, "out of memory");
	return false;
}

void
zd_fields_free(ZdFieldList *list)
{
	for (size_t i = 0; i < list->nfields; i++)
	{
		free(list->fields[i].key);
		free(list->fields[i].type);
		free(list->fields[i].title);
	}
	free(list->fields);
	free(list->next_url);
	memset(list, 0, sizeof(*list));
}

/*
 * The length of buf[0..len-1] without a UTF-8 character cut short at its
 * end (what a cut to a buffer's size leaves).
 */
static size_t
without_cut_character(const char *buf, size_t len)
{
	size_t		lead = len;
	unsigned char c;
	size_t		need;

	while (lead > 0 && len - lead < 3 && ((unsigned char) buf[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead == 0)
		return len;
	c = (unsigned char) buf[lead - 1];
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	return (len - (lead - 1) < need) ? lead - 1 : len;
}

/*
 * Copy text into buf as one printable line of at most buflen-1 bytes, never
 * ending in part of a UTF-8 character.
 */
static void
copy_one_line(char *buf, size_t buflen, const char *text, size_t len)
{
	size_t		o = 0;

	for (size_t i = 0; i < len && o + 1 < buflen; i++)
	{
		unsigned char c = (unsigned char) text[i];

		buf[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char) c;
	}
	o = without_cut_character(buf, o);
	while (o > 0 && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
}

static const char *
string_member(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void
join_two(char *buf, size_t buflen, const char *a, const char *b)
{
	char		tmp[1024];

	if (a && b)
		snprintf(tmp, sizeof(tmp), "%s: %s", a, b);
	else
		snprintf(tmp, sizeof(tmp), "%s", a ? a : b);
	copy_one_line(buf, buflen, tmp, strlen(tmp));
}

/*
 * zd_error_text
 *		Zendesk's own words from an error body, as one line.
 *
 * Knows the shapes Zendesk uses: {"error":"Code","description":"text"},
 * {"error":{"title","message"}}, {"errors":[{"code","title"}]}, OAuth's
 * {"error","error_description"}, and plain text (the account-wide 429).
 */
void
zd_error_text(const char *body, size_t len, char *buf, size_t buflen)
{
	json_t	   *root;
	json_error_t jerr;

	buf[0] = '\0';
	root = json_loadb(body, len, JSON_ALLOW_NUL, &jerr);
	if (root != NULL && json_is_object(root))
	{
		json_t	   *error = json_object_get(root, "error");
		json_t	   *errors = json_object_get(root, "errors");

		if (json_is_string(error))
		{
			const char *desc = string_member(root, "description");

			if (desc == NULL)
				desc = string_member(root, "error_description");
			join_two(buf, buflen, json_string_value(error), desc);
		}
		else if (json_is_object(error))
			join_two(buf, buflen, string_member(error, "title") ? string_member(error, "title") : "error",
					 string_member(error, "message"));
		else if (json_is_array(errors) && json_is_object(json_array_get(errors, 0)))
		{
			json_t	   *first = json_array_get(errors, 0);
			const char *code = string_member(first, "code");

			join_two(buf, buflen, code ? code : "error",
					 string_member(first, "title") ? string_member(first, "title")
					 : string_member(first, "detail"));
		}
	}
	if (root != NULL)
		json_decref(root);
	if (buf[0] != '\0')
		return;

	/* not JSON we know: an HTML page or plain text */
	{
		size_t		i = 0;

		while (i < len && isspace((unsigned char) body[i]))
			i++;
		if (i < len && body[i] == '<')
			snprintf(buf, buflen, "an HTML page (%zu bytes)", len);
		else if (i == len)
			snprintf(buf, buflen, "an empty body");
		else
		{
			size_t		end = i;

			while (end < len && body[end] != '\n' && end - i < 300)
				end++;
			copy_one_line(buf, buflen, body + i, end - i);
		}
	}
}

/*
 * zd_error_is_invalid_token
 *		Is this 401 body OAuth's "invalid_token" (expired or revoked token)?
 */
bool
zd_error_is_invalid_token(const char *body, size_t len)
{
	json_error_t jerr;
	json_t	   *root = json_loadb(body, len, 0, &jerr);
	bool		result = false;

	if (root != NULL)
	{
		const char *error = json_is_object(root) ? string_member(root, "error") : NULL;

		result = error != NULL && strcmp(error, "invalid_token") == 0;
		json_decref(root);
	}
	return result;
}

/*
 * zd_error_has_code
 *		Does this error body carry code, as {"error":"<code>",...} or as
 *		{"errors":[{"code":"<code>",...}]}?  Zendesk answers in both shapes.
 */
bool
zd_error_has_code(const char *body, size_t len, const char *code)
{
	json_error_t jerr;
	json_t	   *root = json_loadb(body, len, 0, &jerr);
	bool		result = false;

	if (root != NULL && json_is_object(root))
	{
		const char *error = string_member(root, "error");
		json_t	   *errors = json_object_get(root, "errors");
		const char *first = NULL;

		if (json_is_array(errors) && json_is_object(json_array_get(errors, 0)))
			first = string_member(json_array_get(errors, 0), "code");
		result = (error != NULL && strcmp(error, code) == 0) ||
			(first != NULL && strcmp(first, code) == 0);
	}
	if (root != NULL)
		json_decref(root);
	return result;
}

/*
 * zd_error_is_invalid_cursor
 *		Does this 400/422 body reject an export cursor as invalid or expired
 *		(InvalidCursor, in either shape: sim/README.md §4.3)?
 */
bool
zd_error_is_invalid_cursor(const char *body, size_t len)
{
	return zd_error_has_code(body, len, "InvalidCursor");
}

/*
 * zd_error_is_invalid_list_cursor
 *		Does this 400 body reject a standard list's page[after] cursor
 *		(InvalidPaginationParameter, or InvalidCursor: sim/README.md §12)?
 */
bool
zd_error_is_invalid_list_cursor(const char *body, size_t len)
{
	return zd_error_has_code(body, len, "InvalidPaginationParameter") ||
		zd_error_has_code(body, len, "InvalidCursor");
}

/*
 * zd_error_is_start_time_too_recent
 *		Is this answer to the first request of an export from start_time
 *		Zendesk's refusal of a start_time in its last minute (422
 *		InvalidValue, or 400 StartTimeTooRecent: sim/README.md §3.7)?  Such an
 *		export has nothing to read yet.
 */
bool
zd_error_is_start_time_too_recent(long status, const char *body, size_t len)
{
	static const char word[] = "start_time";
	const size_t wlen = sizeof(word) - 1;

	if ((status != 422 && status != 400) || body == NULL)
		return false;
	for (size_t i = 0; i + wlen <= len; i++)
		if (memcmp(body + i, word, wlen) == 0)
			return true;
	return false;
}
