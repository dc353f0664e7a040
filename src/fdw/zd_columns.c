/*-------------------------------------------------------------------------
 *
 * zd_columns.c
 *		  How each column of a foreign table is filled from a Zendesk record.
 *
 * A column is filled from the record's top-level key of its name, or of its
 * "field" option; a jsonb column named "raw" holds the whole record; the
 * options custom_field_id, user_field and organization_field take a custom
 * field's value.  A column whose key the resource does not have is an error
 * with the valid keys, raised when the table is planned: never a column of
 * silent NULLs.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_columns.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "zd_columns.h"
#include "client/zd_resources.h"

static bool
is_document_type(Oid typid)
{
	return typid == JSONBOID || typid == JSONOID;
}

/* Where the column's value comes from, from its name and options. */
static void
locate(ZdColumn *col, Relation rel, const ZdResource *resource, AttrNumber attnum)
{
	ListCell   *lc;

	col->source = ZD_SRC_KEY;
	col->key = col->name;
	foreach(lc, GetForeignColumnOptions(RelationGetRelid(rel), attnum))
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "field") == 0)
			col->key = pstrdup(defGetString(def));
		else if (strcmp(def->defname, "custom_field_id") == 0)
		{
			col->source = ZD_SRC_TICKET_FIELD;
			col->field_id = strtoll(defGetString(def), NULL, 10);
		}
		else if (strcmp(def->defname, "user_field") == 0)
		{
			col->source = ZD_SRC_USER_FIELD;
			col->key = pstrdup(defGetString(def));
		}
		else if (strcmp(def->defname, "organization_field") == 0)
		{
			col->source = ZD_SRC_ORGANIZATION_FIELD;
			col->key = pstrdup(defGetString(def));
		}
	}

	if ((col->source == ZD_SRC_TICKET_FIELD && resource->custom != ZD_CUSTOM_TICKET) ||
		(col->source == ZD_SRC_USER_FIELD && resource->custom != ZD_CUSTOM_USER) ||
		(col->source == ZD_SRC_ORGANIZATION_FIELD && resource->custom != ZD_CUSTOM_ORGANIZATION))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("column \"%s\" of foreign table \"%s\" has an option that resource \"%s\" does not take",
						col->name, RelationGetRelationName(rel), resource->name),
				 errhint("custom_field_id is for tickets, user_field for users, organization_field for organizations.")));

	if (col->source == ZD_SRC_KEY && strcmp(col->key, "raw") == 0)
	{
		if (col->typid != JSONBOID && col->typid != JSONOID)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
					 errmsg("column \"%s\" of foreign table \"%s\" holds the whole record and must be jsonb or json",
							col->name, RelationGetRelationName(rel))));
		col->source = ZD_SRC_RECORD;
	}
	if (col->source == ZD_SRC_KEY && !zd_resource_has_key(resource, col->key))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
				 errmsg("Zendesk %s have no key \"%s\" for column \"%s\" of foreign table \"%s\"",
						resource->name, col->key, col->name, RelationGetRelationName(rel)),
				 errhint("Valid keys: %s.  Name the key with the column option field, or use custom_field_id, user_field or organization_field for custom fields.",
						 zd_resource_keys(resource))));
}

/*
 * zd_columns_plan
 *		Work out how to fill each live column of rel; errors on a column the
 *		resource cannot fill.
 */
ZdColumn *
zd_columns_plan(Relation rel, const ZdResource *resource, int *ncolumns)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	ZdColumn   *columns = palloc0(sizeof(ZdColumn) * Max(tupdesc->natts, 1));

	*ncolumns = 0;
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		ZdColumn   *col;
		Oid			func;

		if (att->attisdropped)
			continue;
		col = &columns[(*ncolumns)++];
		col->index = i;
		col->name = pstrdup(NameStr(att->attname));
		col->typid = att->atttypid;
		col->typmod = att->atttypmod;
		col->type_name = format_type_be(col->typid);
		locate(col, rel, resource, att->attnum);

		getTypeInputInfo(col->typid, &func, &col->ioparam);
		fmgr_info(func, &col->input);
		col->elemtype = get_element_type(col->typid);

		if (col->source == ZD_SRC_RECORD)
			col->kind = ZD_COL_RAW;
		else if (is_document_type(col->typid))
			col->kind = ZD_COL_DOCUMENT;
		else if (col->typid == TIMESTAMPTZOID)
			col->kind = ZD_COL_TIMESTAMPTZ;
		else if (OidIsValid(col->elemtype))
		{
			col->kind = ZD_COL_ARRAY;
			getTypeInputInfo(col->elemtype, &func, &col->elem_ioparam);
			fmgr_info(func, &col->elem_input);
			get_typlenbyvalalign(col->elemtype, &col->elemlen, &col->elembyval,
								 &col->elemalign);
			col->elem_is_document = is_document_type(col->elemtype);
		}
		else
			col->kind = ZD_COL_SCALAR;
	}
	return columns;
}
