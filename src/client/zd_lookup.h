/*-------------------------------------------------------------------------
 *
 * zd_lookup.h
 *		  The requests that answer a query by id instead of an export.
 *
 * GET <resource>/<id>.json for one id, show_many in batches of at most 100
 * ids (sim/README.md §6) where the resource has show_many (its
 * lookup_batch; a list with only a show endpoint takes one id a request), the count endpoints for estimates (§6.1).  Paths
 * are relative to the base URL and malloc'd.  No PostgreSQL header.
 *
 * IDENTIFICATION
 *		  src/client/zd_lookup.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_LOOKUP_H
#define ZD_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "zd_resources.h"

/* Zendesk's limit on ids per show_many request. */
#define ZD_SHOW_MANY_MAX 100

extern char *zd_lookup_path(const ZdResource *resource, const int64_t *ids,
							size_t nids);
extern size_t zd_lookup_requests(const ZdResource *resource, size_t nids);

#endif							/* ZD_LOOKUP_H */
