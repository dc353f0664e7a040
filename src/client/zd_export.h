/*-------------------------------------------------------------------------
 *
 * zd_export.h
 *		  The pagination state machines of Zendesk's incremental exports.
 *
 * Given the configured base URL and a resource, it builds the first request,
 * then, page by page, decides the next one.  Both machines end only on
 * end_of_stream and fail on a position that stops advancing.  The cursor
 * machine follows after_url, only when it stays on the configured base; the
 * time machine asks for start_time = end_time itself, and when one second
 * holds more records than a page it asks for that second alone with a small
 * per_page, which Zendesk grows to the whole second (sim/README.md §3.3).
 * No PostgreSQL header; no I/O.
 *
 * IDENTIFICATION
 *		  src/client/zd_export.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_EXPORT_H
#define ZD_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "zd_parse.h"
#include "zd_resources.h"

typedef struct ZdExportParams
{
	long long	start_time;		/* epoch seconds */
	int			per_page;		/* 1..1000 */
	bool		include_deleted;
	const char *include;		/* sideloads, e.g. "comment_events"; or NULL */
} ZdExportParams;

typedef struct ZdExport
{
	const ZdResource *resource;
	char	   *base_url;		/* as configured, without a trailing slash */
	char	   *next_url;		/* the request to make next; NULL when finished */
	char	   *last_cursor;	/* last non-null after_cursor seen */
	char		sticky[256];	/* "&name=value..." every request carries */
	int			per_page;
	bool		finished;
	long		pages;
	/* time-based exports */
	long long	next_start_time;	/* start_time of next_url */
	long long	page_start_time;	/* start_time of the page just taken in */
	bool		whole_second;	/* next_url reads one second with per_page=1 */
} ZdExport;

extern char *zd_export_first_path(const ZdResource *resource,
								  const ZdExportParams *params);
extern bool zd_export_begin(ZdExport *ex, const char *base_url,
							const ZdResource *resource,
							const ZdExportParams *params,
							char *errbuf, size_t errlen);
extern bool zd_export_begin_at_cursor(ZdExport *ex, const char *base_url,
									  const ZdResource *resource,
									  const ZdExportParams *params,
									  const char *cursor,
									  char *errbuf, size_t errlen);
extern bool zd_export_advance(ZdExport *ex, const ZdPage *page,
							  char *errbuf, size_t errlen);
extern void zd_export_end(ZdExport *ex);

#endif							/* ZD_EXPORT_H */
