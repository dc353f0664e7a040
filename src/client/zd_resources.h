/*-------------------------------------------------------------------------
 *
 * zd_resources.h
 *		  The static catalog of Zendesk resources the FDW can read.
 *
 * One entry per resource: its export endpoint, the key of its record array,
 * its stream kind, the key and form of its stream time, the parameters the
 * endpoint takes, and its default columns (every top-level key of the real
 * objects, sim/README.md §8).  Validation, planning, scanning and IMPORT
 * FOREIGN SCHEMA all read this table, so that adding a resource is one entry
 * here.  No PostgreSQL header.
 *
 * IDENTIFICATION
 *		  src/client/zd_resources.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_RESOURCES_H
#define ZD_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>

typedef enum ZdStreamKind
{
	ZD_STREAM_CURSOR,			/* after_url / after_cursor (tickets, users) */
	ZD_STREAM_TIME,				/* next_page / end_time (organizations, events) */
	ZD_STREAM_LIST				/* a standard list, read whole (zd_list.c):
								 * no export, no start_time, no checkpoint */
} ZdStreamKind;

#define ZD_LIST_MAX_PAGE_SIZE 100	/* Zendesk's ceiling for page[size] */

typedef enum ZdTimeForm
{
	ZD_TIME_EPOCH,				/* an integer, seconds since 1970 */
	ZD_TIME_ISO8601				/* "2023-09-18T15:57:42Z" */
} ZdTimeForm;

/* A default column: a top-level key of the record and its SQL type. */
typedef struct ZdResourceColumn
{
	const char *name;
	const char *type;
} ZdResourceColumn;

/* Where the custom fields of a record are, for IMPORT FOREIGN SCHEMA. */
typedef enum ZdCustomFields
{
	ZD_CUSTOM_NONE,
	ZD_CUSTOM_TICKET,			/* custom_fields: [{id, value}] */
	ZD_CUSTOM_USER,				/* user_fields: {key: value} */
	ZD_CUSTOM_ORGANIZATION		/* organization_fields: {key: value} */
} ZdCustomFields;

/*
 * A filtered listing of a standard list: "key = n" is answered by the list
 * at path_format (one %lld, the value), e.g. the memberships of one group.
 */
typedef struct ZdListFilter
{
	const char *key;
	const char *path_format;
} ZdListFilter;

typedef struct ZdResource
{
	const char *name;			/* table option "resource" */
	const char *export_path;	/* incremental export, from the base URL */
	const char *result_key;		/* the array of records in a page */
	ZdStreamKind stream;
	const char *stream_time_key;	/* the record's position in the stream */
	ZdTimeForm stream_time_form;
	bool		has_deleted;	/* takes exclude_deleted */
	bool		has_support_type_scope; /* takes support_type_scope */
	ZdCustomFields custom;
	const char *fields_path;	/* definitions of the custom fields, or NULL */
	const char *fields_key;		/* their array in that response */
	const ZdResourceColumn *columns;	/* default columns, NULL-terminated */

	/* planning (README.md, "What a query asks Zendesk") */
	const char *lower_bound_keys[3];	/* a lower bound on these gives
										 * start_time; NULL-terminated */
	const char *order_key;		/* the stream's own order: an upper bound on
								 * it ends the stream early; or NULL */
	const char *lookup_path;	/* GET <path>/<id>.json, <path>/show_many.json;
								 * or NULL */
	const char *lookup_key;		/* the object in a single lookup's answer */
	const char *count_path;		/* {"count": {"value": N}}, or NULL */
	int			lookup_batch;	/* ids one lookup request takes: 100 with
								 * show_many, 1 with only a show endpoint */
	const char *lookup_id_key;	/* the key lookups are by (NULL: "id") */
	const char *lookup_one_suffix;	/* one id: <path>/<id><this>.json */
	const char *lookup_many_query;	/* show_many: &<this> after the ids */

	/* standard lists (stream ZD_STREAM_LIST) */
	const char *list_path;		/* the whole list, with the query it needs;
								 * NULL: read only by a filter (ticket
								 * audits, per ticket) */
	bool		list_paged;		/* cursor pagination; else one answer */
	ZdListFilter filters[2];	/* listings narrowed by a key; NULL-ended */
	const char *plan_feature;	/* what a lower plan lacks: such an account
								 * answers 403/404 where the list would be */
	/*
	 * A sideload: records that come with another resource's export pages
	 * (ticket metrics with the tickets, include=metric_sets): the export
	 * is export_path's, read by result_key's records; the records handed
	 * out are the page's sideload_key array, or each record's
	 * sideload_member object (Zendesk's shape is not settled).
	 */
	const char *sideload_include;
	const char *sideload_key;
	const char *sideload_member;
	int			typical_rows;	/* the planner's guess without statistics or
								 * the rows option (an account of a few dozen
								 * agents); 0: the default of every table */
} ZdResource;

extern const ZdResource *zd_resource_lookup(const char *name);
extern const ZdResource *zd_resource_at(int i);
extern const char *zd_resource_names(void);
extern bool zd_resource_has_key(const ZdResource *resource, const char *key);
extern const char *zd_resource_keys(const ZdResource *resource);
extern const ZdListFilter *zd_resource_filter(const ZdResource *resource, const char *key);
extern bool zd_resource_list_path(const ZdResource *resource, const ZdListFilter *filter,
								  long long value, char *buf, size_t len);

#endif							/* ZD_RESOURCES_H */
