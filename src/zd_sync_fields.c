/*-------------------------------------------------------------------------
 *
 * zd_sync_fields.c
 *		  The fingerprint of the custom fields a sync's source maps to
 *		  columns, and the check of it at the start of every run.
 *
 * For each column filled from a custom field (custom_field_id, user_field,
 * organization_field) the fingerprint holds the field's id, type and
 * active flag as Zendesk lists them now, "column|field|id|type, state"
 * ("column|field|deleted" when gone), one entry a line.  The first run stores it in sync_state; each later run
 * compares: a mapped field deleted, deactivated or retyped is a breaking
 * change that stops the run, naming the fields, before any page is read, so
 * the checkpoint stays at the last page converted under the old schema.  A
 * new mapped column is recorded.  A source without custom-field columns
 * costs no request.
 *
 * IDENTIFICATION
 *		  src/zd_sync_fields.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/rel.h"

#include "zendesk_fdw.h"
#include "zd_columns.h"
#include "zd_fields.h"
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

/*
 * zd_sync_fields_fingerprint
 *		The fingerprint of the fields source maps, or NULL when it maps none.
 */
char *
zd_sync_fields_fingerprint(Relation source, const ZdOptions *options, ZdConn *conn)
{
	int			ncolumns;
	ZdColumn   *columns = zd_columns_plan(source, options->resource, &ncolumns);
	List	   *fields = NIL;
	bool		fetched = false;
	StringInfoData fp;

	initStringInfo(&fp);
	for (int c = 0; c < ncolumns; c++)
	{
		ZdColumn   *col = &columns[c];
		const ZdFieldDef *field;

		if (col->source != ZD_SRC_TICKET_FIELD && col->source != ZD_SRC_USER_FIELD &&
			col->source != ZD_SRC_ORGANIZATION_FIELD)
			continue;
		if (!fetched)
		{
			fields = zd_fetch_fields(conn, options, options->resource);
			fetched = true;
		}
		field = find_field(fields, col);
		if (col->source == ZD_SRC_TICKET_FIELD)
			appendStringInfo(&fp, "%s|%lld|", col->name, (long long) col->field_id);
		else
			appendStringInfo(&fp, "%s|%s|", col->name, col->key);
		if (field == NULL)
			appendStringInfoString(&fp, "deleted\n");
		else
			appendStringInfo(&fp, "%lld|%s, %s\n", (long long) field->id, field->type,
							 field->active ? "active" : "inactive");
	}
	return fetched ? fp.data : NULL;
}

/* The entry of the same column as `entry` in a fingerprint, or NULL. */
static char *
entry_for(const char *fingerprint, const char *entry)
{
	size_t		namelen = strchr(entry, '|') - entry;
	const char *line = fingerprint;

	while (line != NULL && *line != '\0')
	{
		const char *end = strchr(line, '\n');
		size_t		len = end ? (size_t) (end - line) : strlen(line);

		if (strncmp(line, entry, namelen + 1) == 0)
			return pnstrdup(line, len);
		line = end ? end + 1 : NULL;
	}
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
 * zd_sync_fields_check
 *		Stop the run when a field mapped at the last run was deleted,
 *		deactivated or retyped since; the error names every such field.
 */
void
zd_sync_fields_check(const char *stored, const char *current, const char *source_name)
{
	StringInfoData breaking;
	const char *line = stored;

	if (stored == NULL || current == NULL)
		return;
	initStringInfo(&breaking);
	while (*line != '\0')
	{
		const char *end = strchr(line, '\n');
		char	   *before = pnstrdup(line, end ? (size_t) (end - line) : strlen(line));
		char	   *now = entry_for(current, before);

		/* a column no longer in the table is not a change of Zendesk's */
		if (now != NULL && strcmp(now, before) != 0)
		{
			char	   *bar = strchr(before, '|');
			char	   *ref = pnstrdup(bar + 1, strcspn(bar + 1, "|"));

			appendStringInfo(&breaking, "%scolumn \"%s\" (field %s): %s, was %s",
							 breaking.len ? "; " : "", pnstrdup(before, bar - before), ref,
							 entry_state(now), entry_state(before));
		}
		if (end == NULL)
			break;
		line = end + 1;
	}
	if (breaking.len > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
				 errmsg("custom fields mapped by foreign table \"%s\" changed in Zendesk since the last sync",
						source_name),
				 errdetail("%s.", breaking.data),
				 errhint("Adjust the foreign table and the mirror to the fields as they are now, then mirror again with zendesk_fdw.resync; the checkpoint stays at the last page converted under the old fields.")));
}
