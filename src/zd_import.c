/*-------------------------------------------------------------------------
 *
 * zd_import.c
 *		  IMPORT FOREIGN SCHEMA: the four tables, with a typed column for each
 *		  custom ticket, user and organization field.
 *
 * Each table gets the resource's default columns (every top-level key of the
 * real objects, and raw) and one column per custom field, read from
 * ticket_fields, user_fields and organization_fields.  A custom column is
 * named from the field's title: a lower-case ASCII slug, with "_<id>"
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
 *		  src/zd_import.c
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
#include "zd_fields.h"
#include "zd_url.h"

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
static const char *
field_sql_type(const char *type)
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

/* lower-case ASCII slug of a title: letters and digits, "_" between words */
static char *
slug(const char *title)
{
	StringInfoData buf;
	bool		gap = false;

	initStringInfo(&buf);
	for (const unsigned char *p = (const unsigned char *) title; *p; p++)
	{
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
		{
			if (gap && buf.len > 0)
				appendStringInfoChar(&buf, '_');
			appendStringInfoChar(&buf, (char) *p);
			gap = false;
		}
		else if (*p >= 'A' && *p <= 'Z')
		{
			if (gap && buf.len > 0)
				appendStringInfoChar(&buf, '_');
			appendStringInfoChar(&buf, (char) (*p - 'A' + 'a'));
			gap = false;
		}
		else
			gap = true;
	}
	return buf.data;
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

/* The column name of a custom field: slug, or slug_<id>; at most 63 bytes. */
static char *
column_name(List *taken, const ZdFieldDef *field)
{
	char	   *base = slug(field->title);
	char		suffix[32];

	if (strlen(base) > NAMEDATALEN - 1)
		base[NAMEDATALEN - 1] = '\0';
	if (base[0] != '\0' && !name_taken(taken, base))
		return base;
	snprintf(suffix, sizeof(suffix), "_%lld", field->id);
	if (strlen(base) + strlen(suffix) > NAMEDATALEN - 1)
		base[NAMEDATALEN - 1 - strlen(suffix)] = '\0';
	return psprintf("%s%s", base[0] ? base : "field", suffix);
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

		if (field->system || (!field->active && !iopts->all_fields))
			continue;
		if (resource->custom != ZD_CUSTOM_TICKET && field->key == NULL)
			continue;
		name = column_name(taken, field);
		taken = lappend(taken, makeString(name));
		appendStringInfo(&sql, ",\n  %s %s OPTIONS (", quote_identifier(name),
						 field_sql_type(field->type));
		if (resource->custom == ZD_CUSTOM_TICKET)
			appendStringInfo(&sql, "custom_field_id '%lld')", field->id);
		else
			appendStringInfo(&sql, "%s %s)",
							 resource->custom == ZD_CUSTOM_USER ? "user_field" : "organization_field",
							 quote_literal_cstr(field->key));
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
