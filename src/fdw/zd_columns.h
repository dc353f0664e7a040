/*-------------------------------------------------------------------------
 *
 * zd_columns.h
 *		  How each column of a foreign table is filled from a Zendesk record.
 *
 * Worked out once per scan from the table's definition: the JSON key, the
 * kind of conversion and the type's input functions.  No jansson here, so
 * this file may use utils/builtins.h.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_columns.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_COLUMNS_H
#define ZD_COLUMNS_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/relcache.h"

typedef enum ZdColumnKind
{
	ZD_COL_SCALAR,				/* via the type's input function */
	ZD_COL_TIMESTAMPTZ,			/* ISO 8601 text or an epoch integer */
	ZD_COL_DOCUMENT,			/* json, jsonb: the value's exact JSON text */
	ZD_COL_ARRAY,				/* a JSON array into a one-dimensional array */
	ZD_COL_RAW					/* jsonb "raw": the whole record */
} ZdColumnKind;

/* Where in the record a column's value is. */
typedef enum ZdColumnSource
{
	ZD_SRC_KEY,					/* a top-level key */
	ZD_SRC_RECORD,				/* the whole record ("raw") */
	ZD_SRC_TICKET_FIELD,		/* custom_fields[] element with this id */
	ZD_SRC_USER_FIELD,			/* user_fields.<key> */
	ZD_SRC_ORGANIZATION_FIELD	/* organization_fields.<key> */
} ZdColumnSource;

typedef struct ZdColumn
{
	int			index;			/* into values/nulls */
	const char *name;
	const char *type_name;		/* as format_type_be gives it */
	ZdColumnSource source;
	const char *key;			/* JSON key (ZD_SRC_KEY and the *_FIELD maps) */
	int64		field_id;		/* ZD_SRC_TICKET_FIELD */
	ZdColumnKind kind;
	Oid			typid;
	int32		typmod;
	FmgrInfo	input;
	Oid			ioparam;
	/* arrays */
	Oid			elemtype;
	FmgrInfo	elem_input;
	Oid			elem_ioparam;
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
	bool		elem_is_document;
} ZdColumn;

struct ZdResource;

extern ZdColumn *zd_columns_plan(Relation rel, const struct ZdResource *resource,
								 int *ncolumns);

#endif							/* ZD_COLUMNS_H */
