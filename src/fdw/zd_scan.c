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
 * Only the columns the query reads are converted (zd_convert.c); the others
 * are NULL in the rows handed out.
 *
 * A page is parsed and accepted by the state machine before any of its
 * records is returned, so a malformed page yields no rows.
 *
 * A standard list (groups, memberships, brands, ...) has no export: the
 * scan reads the whole list, or the listing filtered by one key, through
 * zd_listing.c with standard requests.  A listing restarted after a
 * refused cursor repeats records, which are skipped by id (zd_list_take).
 *
 * What is asked for comes from the scan's ZdScanSpec: an export from a
 * start_time, ended early once the stream passes an upper bound on its own
 * order (the last record of a cursor page, the end_time of a time page), or
 * lookups of ids (one GET, or show_many in batches of 100; a 404 is no row).
 * A lookup keeps the export's row set: a deleted ticket the export would hide
 * is not returned.  A start_time within Zendesk's last minute (or in the
 * future) is answered by Zendesk with an error naming start_time, which means
 * that there is nothing to read yet: the scan ends with no rows.
 *
 * Each record is returned once.  Time-based exports repeat a page's last
 * second at the start of the next page (sim/README.md §3.3), and a record
 * changed while a long scan runs comes back later in the stream; so the ids
 * returned are kept (8 bytes each, zd_idset.c) and looked up for the records
 * that may be repeats: those of the second a time-based page starts with,
 * and those whose stream time is at or after the scan's start by Zendesk's
 * clock (its Date header).  The first version seen is the one returned.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "zendesk_fdw.h"
#include "zd_conn.h"
#include "zd_convert.h"
#include "zd_listing.h"
#include "client/zd_export.h"
#include "client/zd_idset.h"
#include "client/zd_lookup.h"
#include "client/zd_json_arena.h"
#include "client/zd_parse.h"
#include "client/zd_time.h"

struct ZdScan
{
	MemoryContext scan_cxt;
	MemoryContext page_cxt;
	MemoryContext row_cxt;
	MemoryContextCallback cleanup;

	const ZdOptions *options;
	ZdConn	   *conn;
	ZdConverter *conv;
	ZdScanSpec	spec;			/* ids in scan_cxt */
	int			next_id;		/* lookup: index of the next batch's first id */
	bool		lookup_done;

	ZdExport	export;			/* malloc'd inside; freed by cleanup */
	bool		export_active;
	ZdList		list;			/* a standard list's machine; likewise */
	bool		list_active;
	int			next_filter;	/* filtered listings: the next value's index */
	ZdPage		page;			/* jansson tree; freed by cleanup */
	bool		page_loaded;
	size_t		next_record;

	ZdRequestStats own;			/* the requests this scan made: counted while
								 * it runs, not the connection's since it
								 * began (an inner scan of a join shares the
								 * connection) */
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
	if (scan->list_active)
	{
		zd_list_end(&scan->list);
		scan->list_active = false;
	}
}

static bool
is_list(const ZdScan *scan)
{
	return scan->options->resource->stream == ZD_STREAM_LIST;
}

static const ZdListFilter *
spec_filter(const ZdResource *resource, const ZdScanSpec *spec)
{
	return spec->filter >= 0 ? &resource->filters[spec->filter] : NULL;
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
	zd_json_arena_release_cache();
}

static ZdExportParams
export_params(const ZdOptions *options, const ZdScanSpec *spec)
{
	ZdExportParams params;

	params.start_time = spec->start_time;
	params.per_page = spec->per_page > 0 ? spec->per_page : options->page_size;
	params.include_deleted = options->include_deleted;
	params.include = options->resource->sideload_include != NULL ?
		options->resource->sideload_include : options->include;
	return params;
}

static int64 *
copy_values(MemoryContext cxt, const int64 *values, int n)
{
	int64	   *copy;

	if (n <= 0)
		return NULL;
	copy = MemoryContextAlloc(cxt, sizeof(int64) * n);
	memcpy(copy, values, sizeof(int64) * n);
	return copy;
}

/*
 * zd_scan_spec_copy
 *		*dst = *src, with the ids and filter values copied into cxt.
 */
void
zd_scan_spec_copy(ZdScanSpec *dst, const ZdScanSpec *src, MemoryContext cxt)
{
	*dst = *src;
	dst->ids = copy_values(cxt, src->ids, src->nids);
	dst->filter_values = copy_values(cxt, src->filter_values, src->nfilter_values);
}

/* Keep a copy of spec, its values in the scan context. */
static void
set_spec(ZdScan *scan, const ZdScanSpec *spec)
{
	zd_scan_spec_copy(&scan->spec, spec, scan->scan_cxt);
	scan->next_id = 0;
	scan->lookup_done = spec->lookup && spec->nids == 0;
}

/*
 * begin_listing
 *		The whole list, or the filtered listing of the next filter value.
 */
static void
begin_listing(ZdScan *scan)
{
	const ZdListFilter *filter = spec_filter(scan->options->resource, &scan->spec);

	release_export(scan);
	zd_listing_begin(&scan->list, scan->options, filter,
					 filter != NULL ? scan->spec.filter_values[scan->next_filter++] : 0,
					 scan->spec.per_page);
	scan->list_active = true;
}

/*
 * listing_done
 *		Has the scan read its last listing?  Begins the next filter value's
 *		listing when the current one is at its end.
 */
static bool
listing_done(ZdScan *scan)
{
	if (!scan->list.finished)
		return false;
	if (scan->spec.filter < 0 || scan->next_filter >= scan->spec.nfilter_values)
		return true;
	begin_listing(scan);
	return false;
}

static void
start_export(ZdScan *scan)
{
	ZdExportParams params = export_params(scan->options, &scan->spec);
	char		err[256];

	zd_idset_destroy(scan->returned);
	scan->returned = zd_idset_create();
	if (scan->returned == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	scan->scan_start = -1;
	if (scan->spec.lookup)
		return;
	if (is_list(scan))
	{
		scan->next_filter = 0;
		begin_listing(scan);
		return;
	}

	if (!zd_export_begin(&scan->export, scan->options->base_url,
						 scan->options->resource, &params, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not start the Zendesk export: %s", err)));
	scan->export_active = true;
}

/*
 * lookup_batch_path
 *		Path of the lookup request for ids[first..], at most as many as the
 *		resource's show endpoint takes (resource->lookup_batch: show_many's
 *		100, or 1), malloc'd by zd_lookup_path.
 */
static char *
lookup_batch_path(const ZdResource *resource, const int64 *ids, int nids,
				  int first, int *batch)
{
	char	   *path;

	*batch = Min(nids - first, Max(resource->lookup_batch, 1));
	path = zd_lookup_path(resource, ids + first, *batch);
	if (path == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return path;
}

/*
 * list_first_request
 *		"GET <path>" of a listing's first request, for EXPLAIN: the filter's
 *		value is "?" when known only at scan start.
 */
static char *
list_first_request(const ZdResource *resource, const ZdScanSpec *spec)
{
	const ZdListFilter *filter = spec_filter(resource, spec);
	const char *format = filter != NULL ? filter->path_format : resource->list_path;
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "GET ");
	if (filter == NULL)
		appendStringInfoString(&buf, resource->list_path);
	else if (spec->nfilter_values > 0)
		appendStringInfoString(&buf, zd_listing_path(resource, filter, spec->filter_values[0]));
	else
	{
		const char *hole = strstr(format, "%lld");

		Assert(hole != NULL);
		appendBinaryStringInfo(&buf, format, hole - format);
		appendStringInfo(&buf, "?%s", hole + 4);
	}
	if (resource->list_paged)
		appendStringInfo(&buf, "%cpage[size]=%d", strchr(format, '?') ? '&' : '?',
						 zd_listing_page_size(resource, spec->per_page));
	if (spec->nfilter_values > 1)
		appendStringInfo(&buf, " (and %d more listings, one a %s)", spec->nfilter_values - 1,
						 filter->key);
	else if (spec->nfilter_values == -2)
		appendStringInfo(&buf, " (a listing a %s)", filter->key);
	return buf.data;
}

/*
 * zd_scan_first_request
 *		"GET <path>" of the first request of a scan, for EXPLAIN, and how many
 *		more follow when that is known before the scan.
 */
char *
zd_scan_first_request(const ZdOptions *options, const ZdScanSpec *spec)
{
	char	   *path;
	char	   *result;

	if (spec->lookup)
	{
		int			batch;
		size_t		nrequests = zd_lookup_requests(options->resource, spec->nids);

		if (spec->nids == 0)
			return pstrdup("no request (the values admit no row)");
		if (spec->nids == -1)
			return psprintf("GET %s/?%s.json", options->resource->lookup_path,
							options->resource->lookup_one_suffix ?
							options->resource->lookup_one_suffix : "");
		if (spec->nids == -2)
			return options->resource->lookup_batch > 1 ?
				psprintf("GET %s/show_many.json?ids=? (up to %d ids a request)",
						 options->resource->lookup_path, options->resource->lookup_batch) :
				psprintf("GET %s/?.json (a request an id)", options->resource->lookup_path);
		path = lookup_batch_path(options->resource, spec->ids, spec->nids, 0, &batch);
		result = nrequests > 1 ?
			psprintf("GET %s (and %zu more requests)", path, nrequests - 1) :
			psprintf("GET %s", path);
	}
	else if (options->resource->stream == ZD_STREAM_LIST)
		return list_first_request(options->resource, spec);
	else
	{
		ZdExportParams params = export_params(options, spec);

		path = zd_export_first_path(options->resource, &params);
		if (path == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
		result = psprintf("GET %s", path);
	}
	free(path);
	return result;
}

/*
 * zd_scan_begin
 *		Set up a scan of rel that converts the columns of retrieved_attrs
 *		(attnums) and leaves the others NULL; no request is made until the
 *		first row is asked.
 */
ZdScan *
zd_scan_begin(const ZdOptions *options, Relation rel, List *retrieved_attrs,
			  const ZdScanSpec *spec)
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
	scan->conv = zd_converter_create_projected(rel, options->resource, retrieved_attrs);
	scan->conn = zd_conn_for(options);
	set_spec(scan, spec);
	start_export(scan);
	MemoryContextSwitchTo(old);
	return scan;
}

/*
 * note_scan_start
 *		Zendesk's time at the scan's first answer, from its Date header.
 */
static void
note_scan_start(ZdScan *scan)
{
	const char *date;
	int64_t		now;

	if (scan->scan_start >= 0)
		return;
	date = zd_conn_header(scan->conn, "Date");
	if (date != NULL && zd_time_parse_http_date(date, &now))
		scan->scan_start = now;
}

static void
report_invalid_page(ZdScan *scan, const char *err, const char *path)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
			 errmsg("invalid page from Zendesk server \"%s\"", scan->options->server_name),
			 errdetail("%s (GET %s).", err, path)));
}

/*
 * check_record_ids
 *		Every record of the page has an integer id, checked before any of
 *		them is returned: a page with a bad record yields no row.
 */
static void
check_record_ids(ZdScan *scan, const char *path)
{
	int64_t		id;
	char		err[256];

	for (size_t i = 0; i < scan->page.nrecords; i++)
	{
		if (!zd_record_id(json_array_get(scan->page.records, i), &id))
		{
			snprintf(err, sizeof(err), "element %zu of \"%s\" has no integer \"id\"",
					 i, scan->options->resource->result_key);
			report_invalid_page(scan, err, path);
		}
	}
}

/*
 * fetch_lookup
 *		The next batch of ids: one GET or one show_many.
 */
static void
fetch_lookup(ZdScan *scan)
{
	static const long accepted[] = {403, 404, 0};
	const ZdResource *resource = scan->options->resource;
	ZdHttpResponse response;
	char		err[256];
	char	   *path;
	char	   *url;
	int			batch;

	path = lookup_batch_path(resource, scan->spec.ids, scan->spec.nids,
							 scan->next_id, &batch);
	url = psprintf("%s%s", scan->options->base_url, path);
	free(path);
	zd_conn_get_accepting(scan->conn, scan->options, &url, ZD_REQ_STANDARD,
						  accepted, &response);
	scan->next_id += batch;
	scan->lookup_done = scan->next_id >= scan->spec.nids;
	scan->pages_total++;
	if (zd_listing_is_plan_gate(resource, &response))
	{
		zd_listing_plan_notice(scan->options, zd_url_path(url), response.status);
		scan->lookup_done = true;	/* the other ids would answer the same */
		return;
	}
	if (response.status == 404)
		return;					/* no such record: no row */
	if (response.status != 200)
		zd_conn_report_status(scan->conn, scan->options, "GET", url, &response);

	if (!zd_lookup_parse(response.body, response.body_len,
						 batch == 1 ? resource->lookup_key : resource->result_key,
						 batch == 1, &scan->page, err, sizeof(err)))
		report_invalid_page(scan, err, zd_url_path(url));
	scan->page_loaded = true;
	/* show_many of the parent, its records' sideload (a ticket's metrics) */
	if (batch > 1 && resource->sideload_key != NULL &&
		!zd_page_take_sideload(&scan->page, resource->sideload_key,
							   resource->sideload_member, err, sizeof(err)))
		report_invalid_page(scan, err, zd_url_path(url));
	check_record_ids(scan, zd_url_path(url));
}

/*
 * stream_passed_stop
 *		Has the stream passed the scan's upper bound with this page?  Cursor
 *		pages are in stream order, so their last record is the latest; a time
 *		page's end_time is where the next page starts.
 */
static bool
stream_passed_stop(ZdScan *scan)
{
	const ZdResource *resource = scan->options->resource;
	int64_t		ts;

	if (!scan->spec.has_stop)
		return false;
	if (resource->stream == ZD_STREAM_TIME)
		return scan->page.end_time > scan->spec.stop_after;
	if (scan->page.nrecords == 0)
		return false;
	return zd_record_stream_time(resource,
								 json_array_get(scan->page.records, scan->page.nrecords - 1),
								 &ts) && ts > scan->spec.stop_after;
}

/*
 * fetch_page
 *		Request, parse and accept the next page of the export.
 */
static void
fetch_page(ZdScan *scan)
{
	static const long first_accepted[] = {400, 422, 0};
	ZdHttpResponse response;
	char		err[256];
	char	   *url;
	char	   *path;
	const ZdResource *resource = scan->options->resource;
	bool		first = scan->export.pages == 0;
	MemoryContext old;

	release_page(scan);
	CHECK_FOR_INTERRUPTS();

	old = MemoryContextSwitchTo(scan->page_cxt);
	if (scan->spec.lookup)
	{
		fetch_lookup(scan);
		MemoryContextSwitchTo(old);
		return;
	}
	if (is_list(scan))
	{
		if (zd_listing_fetch(scan->conn, scan->options, &scan->list,
							 scan->spec.filter >= 0, &scan->page) == ZD_LISTING_PAGE)
		{
			scan->page_loaded = true;
			scan->pages_total++;
		}
		MemoryContextSwitchTo(old);
		return;
	}

	url = pstrdup(scan->export.next_url);
	zd_conn_get_accepting(scan->conn, scan->options, &url, ZD_REQ_EXPORT,
						  (first && scan->spec.start_time > 0) ? first_accepted : NULL,
						  &response);
	path = pstrdup(zd_url_path(url));
	note_scan_start(scan);
	if (response.status != 200)
	{
		if (!zd_error_is_start_time_too_recent(response.status, response.body,
											   response.body_len))
			zd_conn_report_status(scan->conn, scan->options, "GET", url, &response);
		elog(DEBUG1, "zendesk_fdw: start_time %lld is within Zendesk's last minute: nothing to read",
			 (long long) scan->spec.start_time);
		scan->export.finished = true;
		MemoryContextSwitchTo(old);
		return;
	}

	if (!zd_page_parse(response.body, response.body_len, resource->result_key,
					   resource->stream, &scan->page, err, sizeof(err)))
		report_invalid_page(scan, err, path);
	scan->page_loaded = true;
	scan->pages_total++;
	check_record_ids(scan, path);

	if (!zd_export_advance(&scan->export, &scan->page, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("cannot continue the Zendesk export of server \"%s\"",
						scan->options->server_name),
				 errdetail("%s (GET %s).", err, path)));
	/* a sideload (ticket metrics): the records handed out come with the page */
	if (resource->sideload_key != NULL)
	{
		if (!zd_page_take_sideload(&scan->page, resource->sideload_key,
								   resource->sideload_member, err, sizeof(err)))
			report_invalid_page(scan, err, path);
		check_record_ids(scan, path);
	}
	if (stream_passed_stop(scan))
		scan->export.finished = true;
	MemoryContextSwitchTo(old);
}

/*
 * hidden_by_export
 *		Would the export leave this looked-up record out?  A deleted ticket,
 *		unless the table includes them.
 */
static bool
hidden_by_export(ZdScan *scan, json_t *record)
{
	json_t	   *status;

	if (!scan->options->resource->has_deleted || scan->options->include_deleted)
		return false;
	status = json_object_get(record, "status");
	return json_is_string(status) && strcmp(json_string_value(status), "deleted") == 0;
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

	(void) zd_record_id(record, &id);	/* checked when the page came */
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
 * first_time_listed
 *		Is this the first time the listing hands out this record?  Only a
 *		listing restarted after a refused cursor repeats one.
 */
static bool
first_time_listed(ZdScan *scan, json_t *record)
{
	int64_t		id;
	int			taken;

	(void) zd_record_id(record, &id);	/* checked when the page came */
	taken = zd_list_take(&scan->list, id);
	if (taken < 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return taken == 1;
}

/* Add to the scan's own counters what the connection did since before. */
static void
count_own(ZdScan *scan, const ZdRequestStats *before)
{
	const ZdRequestStats *now = zd_conn_stats(scan->conn);

	scan->own.requests_export += now->requests_export - before->requests_export;
	scan->own.requests_standard += now->requests_standard - before->requests_standard;
	scan->own.rate_limited += now->rate_limited - before->rate_limited;
	scan->own.retries += now->retries - before->retries;
	scan->own.bytes += now->bytes - before->bytes;
	scan->own.waited_ms += now->waited_ms - before->waited_ms;
}

static bool next_row(ZdScan *scan, Datum *values, bool *nulls);

/*
 * zd_scan_next
 *		The next row into values/nulls; false at the end of the export, the
 *		listing or the lookups.  The datums live until the next call.
 */
bool
zd_scan_next(ZdScan *scan, Datum *values, bool *nulls)
{
	ZdRequestStats before = *zd_conn_stats(scan->conn);
	bool		found = next_row(scan, values, nulls);

	count_own(scan, &before);
	return found;
}

static bool
next_row(ZdScan *scan, Datum *values, bool *nulls)
{
	for (;;)
	{
		if (scan->page_loaded && scan->next_record < scan->page.nrecords)
		{
			json_t	   *record = json_array_get(scan->page.records, scan->next_record++);
			MemoryContext old;

			if (scan->spec.lookup ? hidden_by_export(scan, record) :
				is_list(scan) ? !first_time_listed(scan, record) :
				!first_time_seen(scan, record))
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
		if (scan->spec.lookup ? scan->lookup_done :
			is_list(scan) ? listing_done(scan) : scan->export.finished)
		{
			release_page(scan);
			return false;
		}
		fetch_page(scan);
	}
}

/*
 * zd_scan_restart
 *		Start again, asking for spec.
 */
void
zd_scan_restart(ZdScan *scan, const ZdScanSpec *spec)
{
	MemoryContext old = MemoryContextSwitchTo(scan->scan_cxt);

	release_page(scan);
	release_export(scan);
	set_spec(scan, spec);
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
 *		What the scan has done so far, for EXPLAIN ANALYZE: its requests (and
 *		the count request the quota guard made for it), pages, and repeats
 *		skipped.
 */
void
zd_scan_report(ZdScan *scan, ZdRequestStats *stats, long *pages, int64 *skipped)
{
	*stats = scan->own;
	*pages = scan->pages_total;
	*skipped = scan->records_skipped;
}

/*
 * zd_scan_count_for
 *		zd_scan_count for the quota guard of this scan: counted as the scan's.
 */
int64
zd_scan_count_for(ZdScan *scan)
{
	ZdRequestStats before = *zd_conn_stats(scan->conn);
	int64		count = zd_scan_count(scan->options);

	count_own(scan, &before);
	return count;
}

/*
 * zd_scan_count
 *		The resource's record count from Zendesk's count endpoint (a standard
 *		request; approximate on large accounts, sim/README.md §6.1), or -1
 *		when the resource has none.
 */
int64
zd_scan_count(const ZdOptions *options)
{
	ZdConn	   *conn;
	ZdHttpResponse response;
	char	   *url;
	char		err[256];
	long long	count;

	if (options->resource->count_path == NULL)
		return -1;
	conn = zd_conn_for(options);
	url = psprintf("%s%s", options->base_url, options->resource->count_path);
	zd_conn_get(conn, options, &url, ZD_REQ_STANDARD, &response);
	if (!zd_count_parse(response.body, response.body_len, &count, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("invalid answer from Zendesk server \"%s\"", options->server_name),
				 errdetail("%s (GET %s).", err, zd_url_path(url))));
	return count;
}
