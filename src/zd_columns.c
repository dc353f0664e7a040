/*-------------------------------------------------------------------------
 *
 * zd_columns.c
 *		  How each column of a foreign table is filled from a Zendesk record.
 *
 * A column is filled from the record key of its name, or of its "field"
 * option; a jsonb column named "raw" holds the whole record.
 *
 * IDENTIFICATION
 *		  src/zd_columns.c
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

static bool
is_document_type(Oid typid)
{
	return typid == JSONBOID || typid == JSONOID;
}

/*
 * zd_columns_plan
 *		Work out how to fill each live column of rel.
 */
ZdColumn *
zd_columns_plan(Relation rel, int *ncolumns)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	ZdColumn   *columns = palloc0(sizeof(ZdColumn) * Max(tupdesc->natts, 1));

	*ncolumns = 0;

	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		ZdColumn   *col;
		ListCell   *lc;
		Oid			func;

		if (att->attisdropped)
			continue;
		col = &columns[(*ncolumns)++];
		col->index = i;
		col->name = pstrdup(NameStr(att->attname));
		col->key = col->name;
		col->typid = att->atttypid;
		col->typmod = att->atttypmod;
		col->type_name = format_type_be(col->typid);
		foreach(lc, GetForeignColumnOptions(RelationGetRelid(rel), att->attnum))
		{
			DefElem    *def = lfirst_node(DefElem, lc);

			if (strcmp(def->defname, "field") == 0)
				col->key = pstrdup(defGetString(def));
		}

		getTypeInputInfo(col->typid, &func, &col->ioparam);
		fmgr_info(func, &col->input);
		col->elemtype = get_element_type(col->typid);

		if (strcmp(col->name, "raw") == 0 && col->typid == JSONBOID &&
			col->key == col->name)
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

