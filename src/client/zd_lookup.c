/*-------------------------------------------------------------------------
 *
 * zd_lookup.c
 *		  The requests that answer a query by id instead of an export.
 *
 * One id is one GET of the record; more ids are show_many requests of at
 * most ZD_SHOW_MANY_MAX ids each (Zendesk answers more with a 400
 * TooManyValues), or one GET each where the resource has no show_many.  No PostgreSQL header.
 *
 * IDENTIFICATION
 *		  src/client/zd_lookup.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zd_lookup.h"

/*
 * zd_lookup_path
 *		The request for ids[0..nids-1] (1 <= nids <= resource->lookup_batch):
 *		"/api/v2/tickets/42.json" or "/api/v2/tickets/show_many.json?ids=1,2"
 *		(a ticket's metrics: "/api/v2/tickets/42/metrics.json", and
 *		show_many with "&include=metric_sets").
 *		NULL when out of memory or the resource has no lookups.
 */
char *
zd_lookup_path(const ZdResource *resource, const int64_t *ids, size_t nids)
{
	size_t		cap;
	size_t		len;
	char	   *path;

	if (resource->lookup_path == NULL || nids == 0 || nids > (size_t) resource->lookup_batch ||
		nids > ZD_SHOW_MANY_MAX)
		return NULL;
	/* 21 bytes per id and its comma, plus the fixed parts */
	cap = strlen(resource->lookup_path) + 32 + nids * 21 +
		(resource->lookup_one_suffix ? strlen(resource->lookup_one_suffix) : 0) +
		(resource->lookup_many_query ? strlen(resource->lookup_many_query) : 0);
	path = malloc(cap);
	if (path == NULL)
		return NULL;
	if (nids == 1)
	{
		snprintf(path, cap, "%s/%lld%s.json", resource->lookup_path, (long long) ids[0],
				 resource->lookup_one_suffix ? resource->lookup_one_suffix : "");
		return path;
	}
	len = snprintf(path, cap, "%s/show_many.json?ids=", resource->lookup_path);
	for (size_t i = 0; i < nids; i++)
		len += snprintf(path + len, cap - len, "%s%lld", i == 0 ? "" : ",", (long long) ids[i]);
	if (resource->lookup_many_query != NULL)
		snprintf(path + len, cap - len, "%s", resource->lookup_many_query);
	return path;
}

/*
 * zd_lookup_requests
 *		How many requests zd_lookup_path needs for nids ids.
 */
size_t
zd_lookup_requests(const ZdResource *resource, size_t nids)
{
	size_t		batch = resource->lookup_batch > 0 ? (size_t) resource->lookup_batch : 1;

	return (nids + batch - 1) / batch;
}
