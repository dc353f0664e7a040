/*-------------------------------------------------------------------------
 *
 * zd_import.c
 *		  IMPORT FOREIGN SCHEMA: the four tables, with a typed column for each
 *		  custom ticket, user and organization field.
 *
 * Each table gets the resource's default columns (every top-level key of the
 * real objects, and raw) and one column per custom field, read from
 * ticket_fields, user_fields and organization_fields.  A custom column is
 * named from the field's title: a lower-case ASCII slug (accented Latin
 * letters lose their accents, other scripts give nothing), with "_<id>"
 * appended when the slug is empty or already taken, cut to fit 63 bytes; it
 * keeps the field's id (tickets) or key (users, organizations) as its column
 * option, so renaming a field in Zendesk never breaks the table.  Types:
 * text, textarea, regexp, partialcreditcard, tagger -> text; multiselect ->
 * text[]; checkbox -> boolean; integer, lookup -> bigint; decimal ->
 * numeric; date -> date; anything else -> jsonb.
 *
 * Options: fields 'active' (default) or 'all'; include_deleted for tickets.
 * LIMIT TO and EXCEPT are honoured, and field definitions are fetched only
 * for the tables imported.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_import.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/defrem.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"

#include "zendesk_fdw.h"
#include "zd_conn.h"
#include "client/zd_fields.h"
#include "client/zd_url.h"

/* how many pages of field definitions to follow at most */
#define ZD_MAX_FIELD_PAGES 1000

typedef struct ImportOptions
{
	bool		all_fields;
	bool		include_deleted;
} ImportOptions;

static ImportOptions
import_options(ImportForeignSchemaStmt *stmt)
{
	ImportOptions result = {false, false};
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "fields") == 0)
		{
			const char *value = defGetString(def);

			if (strcmp(value, "all") == 0)
				result.all_fields = true;
			else if (strcmp(value, "active") != 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"fields\": \"%s\"", value),
						 errhint("\"fields\" is \"active\" (the default) or \"all\".")));
		}
		else if (strcmp(def->defname, "include_deleted") == 0)
			result.include_deleted = defGetBoolean(def);
		else
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 errhint("Valid options for IMPORT FOREIGN SCHEMA: fields, include_deleted.")));
	}
	return result;
}

/* SQL type of a custom field of this Zendesk type */
/* The column type of a custom field's type (IMPORT FOREIGN SCHEMA's map). */
const char *
zd_field_sql_type(const char *type)
{
	static const char *const map[][2] = {
		{"text", "text"}, {"textarea", "text"}, {"regexp", "text"},
		{"partialcreditcard", "text"}, {"tagger", "text"}, {"dropdown", "text"},
		{"multiselect", "text[]"}, {"checkbox", "boolean"}, {"integer", "bigint"},
		{"lookup", "bigint"}, {"decimal", "numeric"}, {"date", "date"},
	};

	for (size_t i = 0; i < lengthof(map); i++)
		if (strcmp(type, map[i][0]) == 0)
			return map[i][1];
	return "jsonb";
}

/*
 * Latin letters with diacritics, as the ASCII letters a slug gives them:
 * Latin-1 Supplement and Latin Extended-A (U+00C0..U+017F), by code point
 * range.  Code points in no range (x, /, and every other script) are gaps.
 */
static const struct
{
	unsigned int first;
	unsigned int last;
	const char *ascii;
}			latin_letters[] = {
	{0xC0, 0xC5, "a"}, {0xC6, 0xC6, "ae"}, {0xC7, 0xC7, "c"}, {0xC8, 0xCB, "e"},
	{0xCC, 0xCF, "i"}, {0xD0, 0xD0, "d"}, {0xD1, 0xD1, "n"}, {0xD2, 0xD6, "o"},
	{0xD8, 0xD8, "o"}, {0xD9, 0xDC, "u"}, {0xDD, 0xDD, "y"}, {0xDE, 0xDE, "th"},
	{0xDF, 0xDF, "ss"}, {0xE0, 0xE5, "a"}, {0xE6, 0xE6, "ae"}, {0xE7, 0xE7, "c"},
	{0xE8, 0xEB, "e"}, {0xEC, 0xEF, "i"}, {0xF0, 0xF0, "d"}, {0xF1, 0xF1, "n"},
	{0xF2, 0xF6, "o"}, {0xF8, 0xF8, "o"}, {0xF9, 0xFC, "u"}, {0xFD, 0xFD, "y"},
	{0xFE, 0xFE, "th"}, {0xFF, 0xFF, "y"},
	{0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},
	{0x11C, 0x123, "g"}, {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x132, 0x133, "ij"},
	{0x134, 0x135, "j"}, {0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"},
	{0x14C, 0x151, "o"}, {0x152, 0x153, "oe"}, {0x154, 0x159, "r"}, {0x15A, 0x161, "s"},
	{0x162, 0x167, "t"}, {0x168, 0x173, "u"}, {0x174, 0x175, "w"}, {0x176, 0x178, "y"},
	{0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"},
};

/* The ASCII of a two-byte UTF-8 Latin letter at p, or NULL. */
static const char *
latin_ascii(const unsigned char *p)
{
	unsigned int cp;

	if ((p[0] & 0xE0) != 0xC0 || (p[1] & 0xC0) != 0x80)
		return NULL;
	cp = ((p[0] & 0x1F) << 6) | (p[1] & 0x3F);
	for (size_t i = 0; i < lengthof(latin_letters); i++)
		if (cp >= latin_letters[i].first && cp <= latin_letters[i].last)
			return latin_letters[i].ascii;
	return NULL;
}

/*
 * slug
 *		The lower-case ASCII slug of a title (UTF-8, as Zendesk sends it):
 *		letters and digits, accented Latin letters without their accents, one
 *		"_" for each run of anything else between them.
 */
static char *
slug(const char *title)
{
	StringInfoData buf;
	bool		gap = false;

	initStringInfo(&buf);
	for (const unsigned char *p = (const unsigned char *) title; *p; p++)
	{
		char		lower[2] = {0, 0};
		const char *letters = NULL;

		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			lower[0] = (char) *p;
		else if (*p >= 'A' && *p <= 'Z')
			lower[0] = (char) (*p - 'A' + 'a');
		else if ((letters = latin_ascii(p)) != NULL)
			p++;				/* the letter's second byte */
		if (lower[0] != '\0')
			letters = lower;
		if (letters == NULL)
		{
			gap = true;
			continue;
		}
		if (gap && buf.len > 0)
			appendStringInfoChar(&buf, '_');
		appendStringInfoString(&buf, letters);
		gap = false;
	}
	return buf.data;
}

/* s cut to at most len bytes, without a trailing "_" */
static void
cut(char *s, size_t len)
{
	if (strlen(s) > len)
		s[len] = '\0';
	len = strlen(s);
	while (len > 0 && s[len - 1] == '_')
		s[--len] = '\0';
}

static bool
name_taken(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp(strVal(lfirst(lc)), name) == 0)
			return true;
	return false;
}

/*
 * zd_field_column_name
 *		The column name of a custom field: its title's slug, or, when that is
 *		empty or taken (taken: a List of String), the slug with "_<id>"
 *		appended; at most 63 bytes.
 */
char *
zd_field_column_name(List *taken, const ZdFieldDef *field)
{
	char	   *base = slug(field->title);
	char		suffix[32];

	cut(base, NAMEDATALEN - 1);
	if (base[0] != '\0' && !name_taken(taken, base))
		return base;
	snprintf(suffix, sizeof(suffix), "_%lld", field->id);
	cut(base, NAMEDATALEN - 1 - strlen(suffix));
	return psprintf("%s%s", base, suffix);
}

/*
 * zd_field_has_column
 *		Does IMPORT FOREIGN SCHEMA give this field a column (when active)?  Not
 *		system ticket fields, which are the ticket's own keys, and not user or
 *		organization fields without a key.
 */
bool
zd_field_has_column(const ZdResource *resource, const ZdFieldDef *field)
{
	return !field->system && (resource->custom == ZD_CUSTOM_TICKET || field->key != NULL);
}

/*
 * zd_field_column_definition
 *		The column definition of a custom field, named name: type and the
 *		option that maps it ("name text OPTIONS (custom_field_id '42')").
 */
char *
zd_field_column_definition(const ZdResource *resource, const ZdFieldDef *field,
						   const char *name)
{
	if (resource->custom == ZD_CUSTOM_TICKET)
		return psprintf("%s %s OPTIONS (custom_field_id '%lld')", quote_identifier(name),
						zd_field_sql_type(field->type), field->id);
	return psprintf("%s %s OPTIONS (%s %s)", quote_identifier(name),
					zd_field_sql_type(field->type),
					resource->custom == ZD_CUSTOM_USER ? "user_field" : "organization_field",
					quote_literal_cstr(field->key));
}

/*
 * zd_fetch_fields
 *		Every custom field definition of a resource, following the list's
 *		pages on the server's base URL.  Returns a List of palloc'd ZdFieldDef.
 *		(IMPORT FOREIGN SCHEMA, and the fingerprint of a sync.)
 */
List *
zd_fetch_fields(ZdConn *conn, const ZdOptions *options, const ZdResource *resource)
{
	List	   *result = NIL;
	char	   *url = psprintf("%s%s?page%%5Bsize%%5D=100", options->base_url,
							   resource->fields_path);

	for (int page = 0; url != NULL; page++)
	{
		ZdHttpResponse response;
		ZdFieldList list;
		char		err[256];

		if (page == ZD_MAX_FIELD_PAGES)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("%s of Zendesk server \"%s\" did not end after %d pages",
							resource->fields_key, options->server_name, page)));
		zd_conn_get(conn, options, &url, ZD_REQ_STANDARD, &response);
		if (!zd_fields_parse(response.body, response.body_len, resource->fields_key,
							 &list, err, sizeof(err)))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
					 errmsg("invalid %s from Zendesk server \"%s\"", resource->fields_key,
							options->server_name),
					 errdetail("%s (GET %s).", err, zd_url_path(url))));
		/* copy out of malloc'd memory before anything can raise an error */
		for (size_t i = 0; i < list.nfields; i++)
		{
			ZdFieldDef *copy = palloc(sizeof(ZdFieldDef));

			*copy = list.fields[i];
			copy->key = list.fields[i].key ? pstrdup(list.fields[i].key) : NULL;
			copy->type = pstrdup(list.fields[i].type);
			copy->title = pstrdup(list.fields[i].title);
			result = lappend(result, copy);
		}
		url = list.next_url ? pstrdup(list.next_url) : NULL;
		zd_fields_free(&list);
		if (url != NULL && !zd_url_on_base(options->base_url, url))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("the next page of %s is not on the base URL of Zendesk server \"%s\"",
							resource->fields_key, options->server_name),
					 errdetail("Next page: %s", url)));
	}
	return result;
}

static char *
table_command(const ZdResource *resource, List *fields, const ImportOptions *iopts,
			  const char *server_name)
{
	StringInfoData sql;
	List	   *taken = NIL;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE FOREIGN TABLE %s (\n", quote_identifier(resource->name));
	for (const ZdResourceColumn *c = resource->columns; c->name != NULL; c++)
	{
		appendStringInfo(&sql, "%s  %s %s", first ? "" : ",\n", quote_identifier(c->name), c->type);
		taken = lappend(taken, makeString(pstrdup(c->name)));
		first = false;
	}
	foreach(lc, fields)
	{
		ZdFieldDef *field = lfirst(lc);
		char	   *name;

		if (!zd_field_has_column(resource, field) || (!field->active && !iopts->all_fields))
			continue;
		name = zd_field_column_name(taken, field);
		taken = lappend(taken, makeString(name));
		appendStringInfo(&sql, ",\n  %s", zd_field_column_definition(resource, field, name));
	}
	appendStringInfo(&sql, "\n) SERVER %s OPTIONS (resource %s%s)",
					 quote_identifier(server_name), quote_literal_cstr(resource->name),
					 (resource->has_deleted && iopts->include_deleted) ? ", include_deleted 'true'" : "");
	return sql.data;
}

/*
 * zd_import_foreign_schema
 *		The body of ImportForeignSchema: a CREATE FOREIGN TABLE per resource.
 */
List *
zd_import_foreign_schema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	ImportOptions iopts = import_options(stmt);
	ZdOptions  *options = zd_get_server_options(serverOid, true);
	ZdConn	   *conn = NULL;
	List	   *commands = NIL;

	for (int i = 0; zd_resource_at(i) != NULL; i++)
	{
		const ZdResource *resource = zd_resource_at(i);
		List	   *fields = NIL;

		if (!IsImportableForeignTable(resource->name, stmt))
			continue;
		if (resource->fields_path != NULL)
		{
			if (conn == NULL)
				conn = zd_conn_for(options);
			fields = zd_fetch_fields(conn, options, resource);
		}
		commands = lappend(commands,
						   table_command(resource, fields, &iopts, options->server_name));
	}
	return commands;
}
