/*-------------------------------------------------------------------------
 *
 * zd_export.h
 *		  The pagination state machine of Zendesk's incremental exports.
 *
 * Given the configured base URL and a resource, it builds the first request,
 * then, page by page, decides the next one: end only on end_of_stream, follow
 * the pagination URL only when it stays on the configured base (scheme, host,
 * port and path prefix), and fail on a position that stops advancing.  No
 * PostgreSQL header; no I/O.
 *
 * IDENTIFICATION
 *		  src/zd_export.h
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
} ZdExportParams;

typedef struct ZdExport
{
	const ZdResource *resource;
	char	   *base_url;		/* as configured, without a trailing slash */
	char	   *next_url;		/* the request to make next; NULL when finished */
	char	   *last_cursor;	/* last non-null after_cursor seen */
	char		sticky[256];	/* "&name=value..." every request carries */
	bool		finished;
	long		pages;
} ZdExport;

extern char *zd_export_first_path(const ZdResource *resource,
								  const ZdExportParams *params);
extern bool zd_export_begin(ZdExport *ex, const char *base_url,
							const ZdResource *resource,
							const ZdExportParams *params,
							char *errbuf, size_t errlen);
extern bool zd_export_advance(ZdExport *ex, const ZdPage *page,
							  char *errbuf, size_t errlen);
extern void zd_export_end(ZdExport *ex);

#endif							/* ZD_EXPORT_H */
