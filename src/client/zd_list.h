/*-------------------------------------------------------------------------
 *
 * zd_list.h
 *		  The pagination state machine of Zendesk's standard list endpoints.
 *
 * The second pagination family (sim/README.md, "Lists"): cursor pages
 * (page[size], page[after]; meta.has_more, meta.after_cursor, links.next)
 * or no pagination at all (the whole list in one answer).  The machine
 * follows links.next only on the configured base, ends on has_more false,
 * refuses a cursor that stops advancing and a page that repeats an id of
 * the same listing, and never follows offset pagination (next_page):
 * offsets stop at page 100 and skip records when others are deleted while
 * the listing pages, so a mirror that removes what a listing did not return
 * would remove live rows.  An expired or invalid cursor restarts the
 * listing from its first page (at most ZD_LIST_MAX_RESTARTS times), and so
 * does a first page served again for a page[after] request (a Zendesk that
 * ignores a cursor it no longer takes); the records a consumer already
 * returned are then skipped by id (zd_list_take).  No PostgreSQL header; no I/O.
 *
 * IDENTIFICATION
 *		  src/client/zd_list.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_LIST_H
#define ZD_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zd_idset.h"
#include "zd_parse.h"
#include "zd_resources.h"

#define ZD_LIST_MAX_RESTARTS 3

typedef struct ZdList
{
	char	   *base_url;		/* as configured, without a trailing slash */
	char	   *first_url;		/* the first request, for a restart */
	char	   *next_url;		/* the request to make next; NULL when finished */
	char	   *last_cursor;	/* the last after_cursor seen */
	char		endpoint[256];	/* the path, without its query: for messages */
	ZdIdSet    *pass_ids;		/* ids of this pass over the list */
	ZdIdSet    *returned_ids;	/* ids the consumer took (zd_list_take) */
	long		pages;
	int			restarts;
	bool		finished;
	ZdIdSet    *first_ids;		/* ids of the last first page: to know it
								 * when it comes back for a page[after] */
	bool		have_last_id;	/* the last record of the page before */
	int64_t		last_id;
} ZdList;

extern bool zd_list_begin(ZdList *list, const char *base_url, const char *path,
						  int page_size, char *errbuf, size_t errlen);
extern bool zd_list_advance(ZdList *list, const ZdPage *page,
							char *errbuf, size_t errlen);
extern bool zd_list_restart(ZdList *list, char *errbuf, size_t errlen);
extern int	zd_list_take(ZdList *list, int64_t id);
extern void zd_list_end(ZdList *list);

#endif							/* ZD_LIST_H */
