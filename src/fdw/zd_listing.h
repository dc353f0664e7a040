/*-------------------------------------------------------------------------
 *
 * zd_listing.h
 *		  One page of a standard list through the backend's connection: the
 *		  list machine (client/zd_list.c) fed with Zendesk's answers, and what
 *		  those answers mean for a table.
 *
 * Shared by the scan (zd_scan.c) and the snapshot mirrors (src/sync): both
 * read a list the same way.  What differs from the exports, by Zendesk's
 * making (README.md, "The standard lists"):
 *
 *	- requests are standard ones (the account's per-minute limit), never
 *	  the export's;
 *	- a page[after] cursor Zendesk refuses (expired, invalid) restarts the
 *	  listing from its first page: a scan skips the records it already
 *	  returned (zd_list_take), a mirror takes the new pass whole;
 *	- a filtered listing (the memberships of one group) answers 404 when
 *	  the group does not exist: that is a listing with no record;
 *	- a resource a lower plan lacks answers 403, or 404 InvalidEndpoint:
 *	  a NOTICE naming the plan feature, and a listing with no record, so a
 *	  job refreshing several tables goes on.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_listing.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_LISTING_H
#define ZD_LISTING_H

#include "zendesk_fdw.h"
#include "client/zd_list.h"
#include "client/zd_parse.h"

typedef enum ZdListingAnswer
{
	ZD_LISTING_PAGE,			/* a page, parsed and accepted by the machine */
	ZD_LISTING_NO_PARENT,		/* a filtered listing of a missing parent */
	ZD_LISTING_NOT_ON_PLAN		/* the account's plan lacks the resource */
} ZdListingAnswer;

extern int	zd_listing_page_size(const ZdResource *resource, int per_page);
extern char *zd_listing_path(const ZdResource *resource, const ZdListFilter *filter,
							 int64 value);
extern void zd_listing_begin(ZdList *list, const ZdOptions *options,
							 const ZdListFilter *filter, int64 value, int page_size);
extern ZdListingAnswer zd_listing_fetch(ZdConn *conn, const ZdOptions *options,
										ZdList *list, bool filtered, ZdPage *page);
extern bool zd_listing_is_plan_gate(const ZdResource *resource,
									const ZdHttpResponse *response);
extern void zd_listing_plan_notice(const ZdOptions *options, const char *path, long status);

#endif							/* ZD_LISTING_H */
