/*-------------------------------------------------------------------------
 *
 * zd_scan.c
 *		  A scan of a Zendesk incremental export, one page in memory at a time.
 *
 * Drives the export state machine (zd_export.c) with pages fetched through
 * the backend's connection (zd_conn.c) and parsed by zd_parse.c, and hands
 * out one converted record at a time.  Memory:
 *
 *	- the scan context holds the scan state; a reset callback on it frees the
 *	  malloc'd state machine and the current jansson tree, so nothing leaks
 *	  when the query ends in an error or a cancel;
 *	- the page context holds what lives as long as one page;
 *	- the row context holds one row's datums and is reset per row.
 *
 * A page is parsed and accepted by the state machine before any of its
 * records is returned, so a malformed page yields no rows.
 *
 * Each record is returned once.  Time-based exports repeat a page's last
 * second at the start of the next page (zendesk-api.md §3.3), and a record
 * changed while a long scan runs comes back later in the stream; so the ids
 * returned are kept (8 bytes each, zd_idset.c) and looked up for the records
 * that may be repeats: those of the second a time-based page starts with,
 * and those whose stream time is at or after the scan's start by Zendesk's
 * clock (its Date header).  The first version seen is the one returned.
 *
 * IDENTIFICATION
 *		  src/zd_scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "zendesk_fdw.h"
#include "zd_convert.h"
#include "zd_export.h"
#include "zd_idset.h"
#include "zd_parse.h"
#include "zd_time.h"

struct ZdScan
{
	MemoryContext scan_cxt;
	MemoryContext page_cxt;
	MemoryContext row_cxt;
	MemoryContextCallback cleanup;

	const ZdOptions *options;
	ZdConn	   *conn;
	ZdConverter *conv;

	ZdExport	export;			/* malloc'd inside; freed by cleanup */
	bool		export_active;
	ZdPage		page;			/* jansson tree; freed by cleanup */
	bool		page_loaded;
	size_t		next_record;

	ZdRequestStats stats_at_start;	/* the connection's counters at begin */
	ZdIdSet    *returned;		/* ids returned so far; freed by cleanup */
	int64		scan_start;		/* Zendesk's time at the first page, or -1 */
	int64		records_skipped;	/* repeats not returned again */
	long		pages_total;	/* pages read, over rescans too */
};

static void
release_page(ZdScan *scan)
{
	if (scan->page_loaded)
	{
		zd_page_free(&scan->page);
		scan->page_loaded = false;
	}
	scan->next_record = 0;
	MemoryContextReset(scan->page_cxt);
}

static void
release_export(ZdScan *scan)
{
	if (scan->export_active)
	{
		zd_export_end(&scan->export);
		scan->export_active = false;
	}
}

/* Reset callback of the scan context: every path out ends here. */
static void
scan_cleanup(void *arg)
{
	ZdScan	   *scan = arg;

	if (scan->page_loaded)
		zd_page_free(&scan->page);
	scan->page_loaded = false;
	release_export(scan);
	zd_idset_destroy(scan->returned);
	scan->returned = NULL;
}

static ZdExportParams
export_params(const ZdOptions *options)
{
	ZdExportParams params;

	params.start_time = 0;
	params.per_page = options->page_size;
	params.include_deleted = options->include_deleted;
	params.include = NULL;
	return params;
}

static void
start_export(ZdScan *scan)
{
	ZdExportParams params = export_params(scan->options);
	char		err[256];

	zd_idset_destroy(scan->returned);
	scan->returned = zd_idset_create();
	if (scan->returned == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	scan->scan_start = -1;

	if (!zd_export_begin(&scan->export, scan->options->base_url,
						 scan->options->resource, &params, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not start the Zendesk export: %s", err)));
	scan->export_active = true;
}

/*
 * zd_scan_first_request
 *		"GET <path>" of the first request of a scan, for EXPLAIN.
 */
char *
zd_scan_first_request(const ZdOptions *options)
{
	ZdExportParams params = export_params(options);
	char	   *path = zd_export_first_path(options->resource, &params);
	char	   *result;

	if (path == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	result = psprintf("GET %s", path);
	free(path);
	return result;
}

/*
 * zd_scan_begin
 *		Set up a scan of rel; no request is made until the first row is asked.
 */
ZdScan *
zd_scan_begin(const ZdOptions *options, Relation rel)
{
	MemoryContext scan_cxt = AllocSetContextCreate(CurrentMemoryContext,
												   "zendesk_fdw scan",
												   ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(scan_cxt);
	ZdScan	   *scan = palloc0(sizeof(ZdScan));

	scan->scan_cxt = scan_cxt;
	scan->page_cxt = AllocSetContextCreate(scan_cxt, "zendesk_fdw page",
										   ALLOCSET_DEFAULT_SIZES);
	scan->row_cxt = AllocSetContextCreate(scan_cxt, "zendesk_fdw row",
										  ALLOCSET_DEFAULT_SIZES);
	scan->cleanup.func = scan_cleanup;
	scan->cleanup.arg = scan;
	MemoryContextRegisterResetCallback(scan_cxt, &scan->cleanup);

	scan->options = options;
	scan->conv = zd_converter_create(rel, options->resource);
	scan->conn = zd_conn_for(options);
	scan->stats_at_start = *zd_conn_stats(scan->conn);
	start_export(scan);
	MemoryContextSwitchTo(old);
	return scan;
}

/*
 * fetch_page
 *		Request, parse and accept the next page of the export.
 */
static void
fetch_page(ZdScan *scan)
{
	ZdHttpResponse response;
	char		err[256];
	char	   *url;
	char	   *path;
	const ZdResource *resource = scan->options->resource;
	MemoryContext old;

	release_page(scan);
	CHECK_FOR_INTERRUPTS();

	old = MemoryContextSwitchTo(scan->page_cxt);
	url = pstrdup(scan->export.next_url);
	zd_conn_get(scan->conn, scan->options, &url, ZD_REQ_EXPORT, &response);
	path = pstrdup(zd_url_path(url));
	if (scan->scan_start < 0)
	{
		const char *date = zd_conn_header(scan->conn, "Date");
		int64_t		now;

		if (date != NULL && zd_time_parse_http_date(date, &now))
			scan->scan_start = now;
	}

	if (!zd_page_parse(response.body, response.body_len, resource->result_key,
					   resource->stream, &scan->page, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("invalid page from Zendesk server \"%s\"", scan->options->server_name),
				 errdetail("%s (GET %s).", err, path)));
	scan->page_loaded = true;
	scan->pages_total++;

	if (!zd_export_advance(&scan->export, &scan->page, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("cannot continue the Zendesk export of server \"%s\"",
						scan->options->server_name),
				 errdetail("%s (GET %s).", err, path)));
	MemoryContextSwitchTo(old);
}

/*
 * first_time_seen
 *		Is this the first time the scan meets this record?  Remembers it.
 */
static bool
first_time_seen(ZdScan *scan, json_t *record)
{
	const ZdResource *resource = scan->options->resource;
	int64_t		id;
	int64_t		ts;
	bool		may_repeat;

	if (!zd_record_id(record, &id))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("a Zendesk %s record has no integer \"id\"", resource->name)));
	if (!zd_record_stream_time(resource, record, &ts))
		may_repeat = true;
	else
		may_repeat = (resource->stream == ZD_STREAM_TIME && scan->export.pages > 1 &&
					  ts == scan->export.page_start_time) ||
			(scan->scan_start >= 0 && ts >= scan->scan_start);
	if (may_repeat && zd_idset_contains(scan->returned, id))
		return false;
	if (!zd_idset_add(scan->returned, id))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return true;
}

/*
 * zd_scan_next
 *		The next row into values/nulls; false at the end of the export.
 *		The datums live until the next call.
 */
bool
zd_scan_next(ZdScan *scan, Datum *values, bool *nulls)
{
	for (;;)
	{
		if (scan->page_loaded && scan->next_record < scan->page.nrecords)
		{
			json_t	   *record = json_array_get(scan->page.records, scan->next_record++);
			MemoryContext old;

			if (!first_time_seen(scan, record))
			{
				scan->records_skipped++;
				continue;
			}
			MemoryContextReset(scan->row_cxt);
			old = MemoryContextSwitchTo(scan->row_cxt);
			zd_convert_record(scan->conv, record, values, nulls);
			MemoryContextSwitchTo(old);
			return true;
		}
		if (scan->export.finished)
		{
			release_page(scan);
			return false;
		}
		fetch_page(scan);
	}
}

/*
 * zd_scan_restart
 *		Start the export again from its first request.
 */
void
zd_scan_restart(ZdScan *scan)
{
	MemoryContext old = MemoryContextSwitchTo(scan->scan_cxt);

	release_page(scan);
	release_export(scan);
	start_export(scan);
	MemoryContextSwitchTo(old);
}

/*
 * zd_scan_end
 *		Release everything the scan holds, now rather than at query end.
 */
void
zd_scan_end(ZdScan *scan)
{
	MemoryContextDelete(scan->scan_cxt);
}

/*
 * zd_scan_report
 *		What the scan has done so far, for EXPLAIN ANALYZE: the connection's
 *		counters since the scan began, pages, and repeats skipped.
 */
void
zd_scan_report(ZdScan *scan, ZdRequestStats *stats, long *pages, int64 *skipped)
{
	const ZdRequestStats *now = zd_conn_stats(scan->conn);

	stats->requests_export = now->requests_export - scan->stats_at_start.requests_export;
	stats->requests_standard = now->requests_standard - scan->stats_at_start.requests_standard;
	stats->rate_limited = now->rate_limited - scan->stats_at_start.rate_limited;
	stats->retries = now->retries - scan->stats_at_start.retries;
	stats->bytes = now->bytes - scan->stats_at_start.bytes;
	stats->waited_ms = now->waited_ms - scan->stats_at_start.waited_ms;
	*pages = scan->pages_total;
	*skipped = scan->records_skipped;
}
