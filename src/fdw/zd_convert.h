/*-------------------------------------------------------------------------
 *
 * zd_convert.h
 *		  JSON records to PostgreSQL datums: the one bridge between jansson
 *		  and PostgreSQL.
 *
 * Files that include this header include jansson.h, so they must not
 * include utils/builtins.h (its fmgrprotos.h declares a json_object() that
 * collides with jansson's).
 *
 * IDENTIFICATION
 *		  src/fdw/zd_convert.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_CONVERT_H
#define ZD_CONVERT_H

#include "postgres.h"

#include <jansson.h>

#include "nodes/pg_list.h"
#include "utils/relcache.h"

#include "zd_columns.h"

typedef struct ZdConverter ZdConverter;

extern ZdConverter *zd_converter_create(Relation rel,
										const struct ZdResource *resource);
extern ZdConverter *zd_converter_create_projected(Relation rel,
												  const struct ZdResource *resource,
												  List *attnums);
extern void zd_convert_record(ZdConverter *conv, json_t *record,
							  Datum *values, bool *nulls);

#endif							/* ZD_CONVERT_H */
