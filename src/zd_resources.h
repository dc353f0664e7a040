/*-------------------------------------------------------------------------
 *
 * zd_resources.h
 *		  The static catalog of Zendesk resources the FDW can read.
 *
 * One entry per resource: its export endpoint, the key of its record array,
 * its stream kind and the parameters the endpoint takes.  Validation,
 * planning and scanning all read this table, so that adding a resource is
 * one entry here.  No PostgreSQL header.
 *
 * IDENTIFICATION
 *		  src/zd_resources.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_RESOURCES_H
#define ZD_RESOURCES_H

#include <stdbool.h>

typedef enum ZdStreamKind
{
	ZD_STREAM_CURSOR,			/* after_url / after_cursor (tickets, users) */
	ZD_STREAM_TIME				/* next_page / end_time (organizations, events) */
} ZdStreamKind;

typedef struct ZdResource
{
	const char *name;			/* table option "resource" */
	const char *export_path;	/* incremental export, from the base URL */
	const char *result_key;		/* the array of records in a page */
	ZdStreamKind stream;
	bool		has_deleted;	/* takes exclude_deleted */
	bool		has_support_type_scope; /* takes support_type_scope */
} ZdResource;

extern const ZdResource *zd_resource_lookup(const char *name);
extern const char *zd_resource_names(void);

#endif							/* ZD_RESOURCES_H */
