/*-------------------------------------------------------------------------
 *
 * zd_sync_fields.c
 *		  Schema drift: the custom fields a sync's source maps to columns,
 *		  checked against Zendesk's field lists, and the columns added for new
 *		  fields when the caller asks.
 *
 * Breaking changes.  For each column filled from a custom field
 * (custom_field_id, user_field, organization_field) the fingerprint holds
 * the field's id, type, key and active flag as Zendesk lists them now,
 * "column|field|id|type, key, state" ("column|field|deleted" when gone), one
 * entry a line.  The first run stores it in sync_state; each later run
 * compares: a mapped field deleted, deactivated or retyped is a breaking
 * change that stops the run, naming the fields, before any page is read, so
 * the checkpoint stays at the last page converted under the old schema.
 * The same check runs again inside the page's subtransaction, before its
 * commit, every ZD_FIELDS_CHECK_RECORDS records (zd_sync.c), so a change
 * made while a long run goes on stops it at the page that met it.
 *
 * Additive changes.  Every active custom field of the resource, mapped or
 * not, is listed in sync_state.fields_seen (jsonb: id, type, key, title,
 * options, the column that maps it, and "new" for a field no column maps
 * that came after the first list); a run that finds a field not listed
 * before, or a field whose options changed, says so (zd_sync_state.c
 * compares).  With add_columns => true, a new field no column maps gets one
 * on the foreign table, named and typed as IMPORT FOREIGN SCHEMA would (the
 * fields there at the first run and left unmapped were left out on
 * purpose), and a mapped field's column missing from the mirror gets one
 * there; the run then reads again from the oldest such field's creation,
 * since no record holds a value for a field before it existed.
 *
 * IDENTIFICATION
 *		  src/sync/zd_sync_fields.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xact.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/value.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "fdw/zendesk_fdw.h"
#include "fdw/zd_columns.h"
#include "client/zd_fields.h"
#include "zd_sync.h"

/* The definition a column's field has now, or NULL when it is gone. */
static const ZdFieldDef *
find_field(List *fields, const ZdColumn *col)
{
	ListCell   *lc;

	foreach(lc, fields)
	{
		const ZdFieldDef *field = lfirst(lc);

		if (col->source == ZD_SRC_TICKET_FIELD ? field->id == col->field_id :
			(field->key != NULL && strcmp(field->key, col->key) == 0))
			return field;
	}
	return NULL;
}

/* Is this column filled from a custom field? */
static bool
is_field_column(const ZdColumn *col)
{
	return col->source == ZD_SRC_TICKET_FIELD || col->source == ZD_SRC_USER_FIELD ||
		col->source == ZD_SRC_ORGANIZATION_FIELD;
}

/*
 * zd_sync_fields_mapped
 *		Does the source map any custom field to a column?
 */
bool
zd_sync_fields_mapped(Relation source, const ZdResource *resource)
{
	int			ncolumns;
	ZdColumn   *columns = zd_columns_plan(source, resource, &ncolumns);

	for (int c = 0; c < ncolumns; c++)
		if (is_field_column(&columns[c]))
			return true;
	return false;
}

/*
 * zd_sync_fields_fingerprint
 *		The fingerprint of the fields source maps, given Zendesk's list of
 *		them now, or NULL when it maps none.
 */
char *
zd_sync_fields_fingerprint(Relation source, const ZdResource *resource, List *fields)
{
	int			ncolumns;
	ZdColumn   *columns = zd_columns_plan(source, resource, &ncolumns);
	bool		any = false;
	StringInfoData fp;

	initStringInfo(&fp);
	for (int c = 0; c < ncolumns; c++)
	{
		ZdColumn   *col = &columns[c];
		const ZdFieldDef *field;

		if (!is_field_column(col))
			continue;
		any = true;
		field = find_field(fields, col);
		if (col->source == ZD_SRC_TICKET_FIELD)
			appendStringInfo(&fp, "%s|%lld|", col->name, (long long) col->field_id);
		else
			appendStringInfo(&fp, "%s|%s|", col->name, col->key);
		if (field == NULL)
			appendStringInfoString(&fp, "deleted\n");
		else
			appendStringInfo(&fp, "%lld|%s, key %s, %s\n", (long long) field->id, field->type,
							 field->key ? field->key : "(none)",
							 field->active ? "active" : "inactive");
	}
	return any ? fp.data : NULL;
}

/* The column of source that maps field, or NULL. */
static const char *
column_of(const ZdColumn *columns, int ncolumns, const ZdFieldDef *field)
{
	for (int c = 0; c < ncolumns; c++)
		if (is_field_column(&columns[c]) &&
			(columns[c].source == ZD_SRC_TICKET_FIELD ? columns[c].field_id == field->id :
			 (field->key != NULL && strcmp(columns[c].key, field->key) == 0)))
			return columns[c].name;
	return NULL;
}

static void
append_json_member(StringInfo buf, const char *name, const char *value)
{
	appendStringInfo(buf, ", \"%s\": ", name);
	if (value == NULL)
		appendStringInfoString(buf, "null");
	else
		escape_json(buf, value);
}

/*
 * zd_sync_fields_seen
 *		Every active custom field of the resource that can have a column, as
 *		a jsonb array's text: id, type, key, title, options (count and hash)
 *		and the column of source that maps it (null when none).
 */
char *
zd_sync_fields_seen(Relation source, const ZdResource *resource, List *fields)
{
	int			ncolumns;
	ZdColumn   *columns = zd_columns_plan(source, resource, &ncolumns);
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	foreach(lc, fields)
	{
		const ZdFieldDef *field = lfirst(lc);

		if (!field->active || !zd_field_has_column(resource, field))
			continue;
		appendStringInfo(&buf, "%s{\"id\": %lld", first ? "" : ", ", field->id);
		append_json_member(&buf, "type", field->type);
		append_json_member(&buf, "key", field->key);
		append_json_member(&buf, "title", field->title);
		appendStringInfo(&buf, ", \"options\": %zu, \"options_hash\": \"%016llx\"",
						 field->noptions, (unsigned long long) field->options_hash);
		append_json_member(&buf, "column", column_of(columns, ncolumns, field));
		appendStringInfoChar(&buf, '}');
		first = false;
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* The names of rel's live columns, as a List of String. */
static List *
column_names(Oid relid, List *names)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);

	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped)
			names = lappend(names, makeString(pstrdup(NameStr(TupleDescAttr(desc, i)->attname))));
	relation_close(rel, AccessShareLock);
	return names;
}

static void
run_alter(const char *sql)
{
	if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not add a column: %s", sql);
	CommandCounterIncrement();
}

/*
 * Is field new since the mirror's fields were first recorded: not in the
 * list the last run recorded, or marked new there (unmapped since it came)?
 * Fields that were there at the first run and that no column maps were left
 * out on purpose.
 */
static bool
is_new_field(const ZdFieldsKnown *known, const ZdFieldDef *field)
{
	if (!known->baseline)
		return false;
	for (int i = 0; i < known->n; i++)
		if (known->ids[i] == field->id)
			return known->is_new[i];
	return true;
}

/*
 * zd_sync_fields_add_columns
 *		add_columns => true: a column on source for every active custom field
 *		no column maps that is new since the mirror's fields were first
 *		recorded (known), and a column on the target (when it exists) for
 *		every custom-field column of source it lacks.  The statements run as the
 *		caller, who must own both tables.  The target is target_relname in
 *		target_nsp.  Returns whether the target got a
 *		column; then *since is the oldest creation time of their fields
 *		(epoch seconds), or -1 when one of them is unknown.
 */
bool
zd_sync_fields_add_columns(Oid source, Oid target_nsp, const char *target_relname,
						   const ZdResource *resource, List *fields,
						   const ZdFieldsKnown *known, int64 *since)
{
	Oid			target = get_relname_relid(target_relname, target_nsp);
	char	   *target_name = quote_qualified_identifier(get_namespace_name(target_nsp),
														 target_relname);
	char	   *source_name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(source)),
														 get_rel_name(source));
	List	   *taken = column_names(source, NIL);
	Relation	rel;
	int			ncolumns;
	ZdColumn   *columns;
	ListCell   *lc;
	bool		added = false;

	if (OidIsValid(target))
		taken = column_names(target, taken);

	rel = relation_open(source, AccessShareLock);
	columns = zd_columns_plan(rel, resource, &ncolumns);
	relation_close(rel, AccessShareLock);
	foreach(lc, fields)
	{
		const ZdFieldDef *field = lfirst(lc);
		char	   *name;

		if (!field->active || !zd_field_has_column(resource, field) ||
			column_of(columns, ncolumns, field) != NULL || !is_new_field(known, field))
			continue;
		name = zd_field_column_name(taken, field);
		taken = lappend(taken, makeString(name));
		run_alter(psprintf("ALTER FOREIGN TABLE %s ADD COLUMN %s", source_name,
						   zd_field_column_definition(resource, field, name)));
		ereport(NOTICE,
				(errmsg("column %s added to foreign table %s for %s field %lld \"%s\" (%s)",
						quote_identifier(name), source_name, resource->name, field->id,
						field->title, field->type)));
	}
	if (!OidIsValid(target))
		return false;

	*since = PG_INT64_MAX;
	rel = relation_open(source, AccessShareLock);
	columns = zd_columns_plan(rel, resource, &ncolumns);
	for (int c = 0; c < ncolumns; c++)
	{
		const ZdColumn *col = &columns[c];
		const ZdFieldDef *field;

		if (!is_field_column(col) || get_attnum(target, col->name) != InvalidAttrNumber)
			continue;
		run_alter(psprintf("ALTER TABLE %s ADD COLUMN %s %s", target_name,
						   quote_identifier(col->name),
						   format_type_with_typemod(col->typid, col->typmod)));
		ereport(NOTICE,
				(errmsg("column %s added to %s", quote_identifier(col->name), target_name)));
		field = find_field(fields, col);
		if (field == NULL || !field->has_created_at)
			*since = -1;
		else if (*since >= 0)
			*since = Min(*since, field->created_at);
		added = true;
	}
	relation_close(rel, AccessShareLock);
	return added;
}

/*
 * next_entry
 *		The entry (line) of a fingerprint at *line, copied, with *line moved
 *		to the next one; NULL after the last.
 */
static char *
next_entry(const char **line)
{
	const char *end;
	char	   *entry;

	if (*line == NULL || **line == '\0')
		return NULL;
	end = strchr(*line, '\n');
	entry = pnstrdup(*line, end ? (size_t) (end - *line) : strlen(*line));
	*line = end ? end + 1 : NULL;
	return entry;
}

/* The column name of an entry (column|field|...). */
static char *
entry_column(const char *entry)
{
	return pnstrdup(entry, strchr(entry, '|') - entry);
}

/* The field an entry's column maps (its id or key). */
static char *
entry_field(const char *entry)
{
	const char *bar = strchr(entry, '|');

	return pnstrdup(bar + 1, strcspn(bar + 1, "|"));
}

/* The entry of the same column as `entry` in a fingerprint, or NULL. */
static char *
entry_for(const char *fingerprint, const char *entry)
{
	size_t		namelen = strchr(entry, '|') - entry;
	const char *line = fingerprint;
	char	   *candidate;

	while ((candidate = next_entry(&line)) != NULL)
		if (strncmp(candidate, entry, namelen + 1) == 0)
			return candidate;
	return NULL;
}

/* "type, state" of an entry (after column|field|id|), or "deleted". */
static const char *
entry_state(const char *entry)
{
	const char *p = entry;

	for (int i = 0; i < 3 && p != NULL; i++)
	{
		p = strchr(p, '|');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return "deleted";
	return psprintf("%s", p);
}

/*
 * zd_sync_fields_check_exist
 *		A run with no fingerprint stored (the first, or after a reset): every
 *		field a column maps must exist in Zendesk, or the column would stay
 *		NULL for good without a word.
 */
void
zd_sync_fields_check_exist(const char *current, const char *source_name)
{
	StringInfoData missing;
	const char *line = current;
	char	   *entry;

	if (current == NULL)
		return;
	initStringInfo(&missing);
	while ((entry = next_entry(&line)) != NULL)
		if (strcmp(entry_state(entry), "deleted") == 0)
			appendStringInfo(&missing, "%scolumn \"%s\" (field %s)", missing.len ? ", " : "",
							 entry_column(entry), entry_field(entry));
	if (missing.len > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
				 errmsg("foreign table \"%s\" maps custom fields that Zendesk does not have", source_name),
				 errdetail("%s.", missing.data),
				 errhint("Correct the column's custom_field_id, user_field or organization_field option, or drop the column; IMPORT FOREIGN SCHEMA lists the fields as they are.")));
}

/*
 * zd_sync_fields_check
 *		Stop the run when a field mapped at the last run was deleted,
 *		deactivated or retyped since; the error names every such field.
 */
void
zd_sync_fields_check(const char *stored, const char *current, const char *source_name)
{
	StringInfoData breaking;
	const char *line = stored;
	char	   *before;

	if (stored == NULL || current == NULL)
		return;
	initStringInfo(&breaking);
	while ((before = next_entry(&line)) != NULL)
	{
		char	   *now = entry_for(current, before);

		/* a column no longer in the table is not a change of Zendesk's */
		if (now != NULL && strcmp(now, before) != 0)
			appendStringInfo(&breaking, "%scolumn \"%s\" (field %s): %s, was %s",
							 breaking.len ? "; " : "", entry_column(before), entry_field(before),
							 entry_state(now), entry_state(before));
	}
	if (breaking.len > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("custom fields mapped by foreign table \"%s\" changed in Zendesk since the last sync",
						source_name),
				 errdetail("%s.", breaking.data),
				 errhint("Adjust the foreign table and the mirror to the fields as they are now, then mirror again with zendesk_fdw.resync; the checkpoint stays at the last page converted under the old fields.")));
}
