/*-------------------------------------------------------------------------
 *
 * zd_sync.c
 *		  The run of a sync: a Zendesk export copied into a table page by
 *		  page, each page's rows and checkpoint in one subtransaction.
 *
 * The run drives the export itself (zd_export.c through zd_conn.c), never
 * a cursor over the foreign scan, which a commit would read to the end.
 * Per page, inside an internal subtransaction: fetch and parse the page,
 * upsert its records with saved plans (zd_sync_target.c), write the
 * checkpoint (zd_sync_state.c), release; then, for sync, commit.  So the
 * rows of a page and the position after it are durable together or not at
 * all: a crash, cancel or error anywhere loses nothing and duplicates
 * nothing, and the next run resumes from the stored cursor.
 *
 * A page that fails is rolled back; its error is written to sync_state (and
 * committed, for sync) and raised again; materialize returns it in its
 * summary instead.  An export cursor Zendesk rejects as invalid is not a
 * failure: the export restarts from start_time = the recovery time (the
 * stream time of the last page in the target), and upserts absorb the
 * overlap.
 *
 * A standard list (groups, memberships, ...) has no export: every run lists
 * it whole (zd_listing.c, standard requests) and makes the target equal to
 * it.  Its pages are upserted as an export's are, with no checkpoint (a
 * listing cannot resume), and the ids listed are kept in the run's memory;
 * the last page's transaction also removes, or flags, the rows whose id the
 * listing did not hold, and marks the run done.  So a listing that fails,
 * is cancelled or dies on the way deletes nothing, and the next run lists
 * again from the first page.  An account whose plan lacks the list is a run
 * that changes nothing and says so in sync_state.note.  No tombstone: the
 * listing is the truth, and no older version of a record can follow it.
 *
 * One run per (source, target): a session-level lock for sync, held across
 * commits and released on every path; a transaction-level one for
 * materialize.  The target is locked by each page's transaction only, so
 * each page checks again that it is the table, and the storage, the run
 * started with (check_target).  State that outlives commits lives in the
 * run's context under TopMemoryContext, deleted at the end; its reset
 * callback frees the malloc'd export (or list) state and the jansson tree
 * of the page.  No relation is open and no snapshot of ours is pushed at a
 * commit.
 *
 * IDENTIFICATION
 *		  src/sync/zd_sync.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "fdw/zendesk_fdw.h"
#include "fdw/zd_conn.h"
#include "fdw/zd_convert.h"
#include "fdw/zd_listing.h"
#include "client/zd_export.h"
#include "client/zd_json_arena.h"
#include "client/zd_parse.h"
#include "zd_sync.h"
#include "client/zd_time.h"

/* locktag_field4 of the sync lock: apart from pg_advisory_lock's 1 and 2 */
#define ZD_SYNC_LOCK_FIELD4 0x7A64

/* the mapped fields are checked again before a page's commit this often:
 * one standard request per thousand records (README.md, "Mirroring") */
#define ZD_FIELDS_CHECK_RECORDS 1000

/* a progress NOTICE at most this often */
#define ZD_PROGRESS_INTERVAL_MS 5000

typedef struct ZdSyncRun
{
	MemoryContext run_cxt;
	MemoryContext caller_cxt;	/* the CALL's: outlives the error being
								 * reported */
	MemoryContext page_cxt;
	MemoryContext row_cxt;
	MemoryContextCallback cleanup;

	LOCKTAG		lock_tag;
	bool		locked;			/* a session lock this run must release */
	bool		active;			/* in active_runs */
	struct ZdSyncRun *outer;	/* the run this one runs inside, in active_runs */

	Oid			source;
	Oid			target_relid;
	char	   *target_nspname; /* the target's name when the run started */
	char	   *target_relname;
	Oid			target_relfilenode; /* its storage, as sync_state records it */
	bool		target_changed; /* the page found a new storage: start again */
	bool		remirrored;		/* started again after a new storage */
	ZdOptions  *options;
	const ZdResource *resource;
	ZdConn	   *conn;
	ZdConverter *conv;
	ZdConverter *stream_conv;	/* the stream time only: for deletions */
	ZdSyncTarget target;
	ZdDeleteMode delete_mode;
	bool		tombstones;		/* deletions leave tombstones: look them up */
	int64	   *tombstoned;		/* ids of the page with one, ascending */
	int			ntombstoned;

	int			natts;
	Datum	   *values;
	bool	   *nulls;
	Datum	   *params;
	char	   *param_nulls;

	ZdExport	export;			/* malloc'd inside; freed by cleanup */
	bool		export_active;
	bool		listing;		/* a standard list, read whole every run */
	ZdList		list;			/* malloc'd inside; freed by cleanup */
	bool		list_active;
	bool		not_on_plan;	/* the account's plan lacks the list */
	int64	   *listed;			/* the ids this run listed (rows_listed) */
	int64		listed_cap;
	ZdPage		page;			/* jansson tree; freed by cleanup */
	bool		page_loaded;
	bool		cursor_request; /* the page asked for was a cursor= request */
	bool		restarted;		/* restarted after an invalid cursor, no page since */
	int64		start_time;		/* of the run, when no checkpoint */

	ZdRequestStats stats_at_start;
	ZdSyncCounters counters;
	int64		records;		/* received by this run */
	char	   *fingerprint;	/* of the mapped fields at the start, or NULL */
	int64		records_since_fields_check;
	int64		estimated;		/* records Zendesk counts, or -1 */
	TimestampTz last_progress;
	bool		has_recovery_time;
	int64		recovery_time;
} ZdSyncRun;

/* the runs in progress in this backend, innermost first */
static ZdSyncRun *active_runs = NULL;

static void
release_page(ZdSyncRun *run)
{
	if (run->page_loaded)
		zd_page_free(&run->page);
	run->page_loaded = false;
	run->ntombstoned = 0;
	MemoryContextReset(run->page_cxt);
}

static void
release_export(ZdSyncRun *run)
{
	if (run->export_active)
		zd_export_end(&run->export);
	run->export_active = false;
}

static void
release_list(ZdSyncRun *run)
{
	if (run->list_active)
		zd_list_end(&run->list);
	run->list_active = false;
}

/* Reset callback of the run's context: every path out ends here. */
static void
run_cleanup(void *arg)
{
	ZdSyncRun  *run = arg;

	if (run->page_loaded)
		zd_page_free(&run->page);
	run->page_loaded = false;
	release_export(run);
	release_list(run);
	zd_json_arena_release_cache();
}

/* Commit what the run did so far and go on in a new transaction. */
static void
commit_now(ZdSyncRun *run)
{
	MemoryContextSwitchTo(run->run_cxt);
	SPI_commit();
	SPI_start_transaction();
	MemoryContextSwitchTo(run->run_cxt);
}

/*
 * start_export
 *		(Re)start the export: after a stored cursor, or from start_time.
 */
static void
start_export(ZdSyncRun *run, const char *cursor, int64 start_time)
{
	ZdExportParams params;
	char		err[256];
	bool		ok;

	params.start_time = start_time;
	params.per_page = run->options->page_size;
	params.include_deleted = true;	/* deletions are what a mirror must see */
	params.include = run->options->include;

	release_page(run);
	release_export(run);
	if (cursor != NULL)
		ok = zd_export_begin_at_cursor(&run->export, run->options->base_url, run->resource,
									   &params, cursor, err, sizeof(err));
	else
		ok = zd_export_begin(&run->export, run->options->base_url, run->resource,
							 &params, err, sizeof(err));
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("could not start the Zendesk export: %s", err)));
	run->export_active = true;
}

/*
 * start_listing
 *		(Re)start the whole listing of a standard list at its first page.
 *		Nothing is kept from a listing started before: the ids a run keeps
 *		are those of one listing, from its first page to its last.
 */
static void
start_listing(ZdSyncRun *run)
{
	release_page(run);
	release_list(run);
	zd_listing_begin(&run->list, run->options, NULL, 0, 0);
	run->list_active = true;
	run->counters.rows_listed = 0;
}

/*
 * fetch_page
 *		Request, parse and accept the next page of the export.  The first
 *		request of an export from a start_time in Zendesk's last minute is
 *		refused as too recent: the export ends there with no page, as a
 *		scan's does (zd_scan.c).  Returns whether a page was taken in.
 */
static bool
fetch_page(ZdSyncRun *run)
{
	static const long first_accepted[] = {400, 422, 0};
	ZdHttpResponse response;
	char		err[256];
	char	   *url;
	char	   *path;
	bool		first;

	release_page(run);
	CHECK_FOR_INTERRUPTS();

	MemoryContextSwitchTo(run->page_cxt);
	url = pstrdup(run->export.next_url);
	run->cursor_request = strstr(url, "cursor=") != NULL;
	first = run->export.pages == 0 && !run->cursor_request;
	zd_conn_get_accepting(run->conn, run->options, &url, ZD_REQ_EXPORT,
						  first ? first_accepted : NULL, &response);
	path = pstrdup(zd_url_path(url));
	if (response.status != 200)
	{
		if (!zd_error_is_start_time_too_recent(response.status, response.body,
											   response.body_len))
			zd_conn_report_status(run->conn, run->options, "GET", url, &response);
		ereport(DEBUG1,
				(errmsg_internal("zendesk_fdw: the export into %s starts within Zendesk's last minute: nothing to read",
								 run->target.qualified)));
		run->export.finished = true;
		MemoryContextSwitchTo(run->run_cxt);
		return false;
	}

	if (!zd_page_parse(response.body, response.body_len, run->resource->result_key,
					   run->resource->stream, &run->page, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("invalid page from Zendesk server \"%s\"", run->options->server_name),
				 errdetail("%s (GET %s).", err, path)));
	run->page_loaded = true;

	if (!zd_export_advance(&run->export, &run->page, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("cannot continue the Zendesk export of server \"%s\"",
						run->options->server_name),
				 errdetail("%s (GET %s).", err, path)));
	MemoryContextSwitchTo(run->run_cxt);
	return true;
}

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* The ids of the page's records that have a tombstone in the target. */
static void
find_tombstoned(ZdSyncRun *run)
{
	int64	   *ids = MemoryContextAlloc(run->page_cxt,
										 sizeof(int64) * Max(run->page.nrecords, 1));
	int			n = 0;

	run->ntombstoned = 0;
	if (!run->tombstones)
		return;
	for (size_t i = 0; i < run->page.nrecords; i++)
	{
		int64_t		id;

		if (zd_record_id(json_array_get(run->page.records, i), &id))
			ids[n++] = id;
	}
	MemoryContextSwitchTo(run->page_cxt);
	run->tombstoned = zd_sync_tombstoned(run->target_relid, ids, n, &run->ntombstoned);
	MemoryContextSwitchTo(run->run_cxt);
}

static bool
record_is_deleted(const ZdResource *resource, json_t *record)
{
	json_t	   *status = json_object_get(record, "status");

	return resource->has_deleted && json_is_string(status) &&
		strcmp(json_string_value(status), "deleted") == 0;
}

/* An error as one line for sync_state: message, detail, context. */
static char *
error_text(ErrorData *edata)
{
	char	   *text = pstrdup(edata->message);

	if (edata->detail != NULL)
		text = psprintf("%s (%s)", text, edata->detail);
	if (edata->context != NULL)
		text = psprintf("%s; %s", text, edata->context);
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return text;
}

/*
 * in_subtransaction
 *		fn(run, arg) inside an internal subtransaction: released if it
 *		returns, rolled back if it raises.  Returns the error (copied into
 *		the caller's memory context), or NULL.
 */
static ErrorData *
in_subtransaction(ZdSyncRun *run, void (*fn) (ZdSyncRun *run, void *arg), void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		fn(run, arg);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	return edata;
}

/*
 * rethrow
 *		Raise an error caught by in_subtransaction again.  ReThrowError
 *		copies the message fields into ErrorContext, but leaves filename,
 *		funcname and the domains where CopyErrorData put them: the run's
 *		memory, deleted on the way out before the error is reported.  They
 *		go to the caller's memory first.
 */
pg_noreturn static void
rethrow(ZdSyncRun *run, ErrorData *edata)
{
	MemoryContextSwitchTo(run->caller_cxt);
	if (edata->filename != NULL)
		edata->filename = pstrdup(edata->filename);
	if (edata->funcname != NULL)
		edata->funcname = pstrdup(edata->funcname);
	if (edata->domain != NULL)
		edata->domain = pstrdup(edata->domain);
	if (edata->context_domain != NULL)
		edata->context_domain = pstrdup(edata->context_domain);
	ReThrowError(edata);
}

static void
convert(ZdSyncRun *run, void *record)
{
	zd_convert_record(run->conv, record, run->values, run->nulls);
}

/*
 * convert_or_quarantine
 *		Convert a record in a subtransaction of its own; a record that
 *		cannot be converted goes to the quarantine table.  Returns whether
 *		the record was converted.
 */
static bool
convert_or_quarantine(ZdSyncRun *run, json_t *record, int64 id, int64 ts)
{
	MemoryContext cxt = CurrentMemoryContext;
	ErrorData  *edata = in_subtransaction(run, convert, record);
	char	   *text;
	char	   *json;

	if (edata == NULL)
		return true;
	if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
		rethrow(run, edata);

	text = error_text(edata);
	json = json_dumps(record, JSON_COMPACT | JSON_ENCODE_ANY);
	if (json == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	PG_TRY();
	{
		zd_sync_quarantine(&run->target, run->source, id, ts, text, json);
	}
	PG_FINALLY();
	{
		free(json);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	run->counters.rows_quarantined++;
	return false;
}

/*
 * sync_record
 *		Apply one record to the target; returns its stream time.
 */
static int64
sync_record(ZdSyncRun *run, json_t *record)
{
	ZdSyncTarget *target = &run->target;
	int64_t		id;
	int64_t		ts;
	int			rc;

	if (!zd_record_id(record, &id))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("a Zendesk %s record has no integer \"id\"", run->resource->name)));
	/*
	 * A listed record with no stream time (some memberships have none) is
	 * written all the same, with 0 for the quarantine's stream_time.
	 */
	if (!zd_record_stream_time(run->resource, record, &ts))
	{
		if (!run->listing)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
					 errmsg("Zendesk %s record %lld has no valid \"%s\"", run->resource->name,
							(long long) id, run->resource->stream_time_key)));
		ts = 0;
	}

	MemoryContextReset(run->row_cxt);
	MemoryContextSwitchTo(run->row_cxt);

	/*
	 * A deletion needs the id and the stream time, nothing else: the rest of
	 * the deleted version is not converted, so what would not convert
	 * (quarantine) cannot keep a deleted record in the mirror.
	 */
	if (run->delete_mode == ZD_DELETE_REMOVE && record_is_deleted(run->resource, record))
	{
		int			att = target->param_att[target->stream_param];
		Datum		args[2];
		char		nulls[2];

		zd_convert_record(run->stream_conv, record, run->values, run->nulls);
		args[0] = Int64GetDatum(id);
		args[1] = run->values[att];
		nulls[0] = ' ';
		nulls[1] = run->nulls[att] ? 'n' : ' ';
		rc = SPI_execute_plan(target->remove, args, nulls, false, 0);
		if (rc != SPI_OK_DELETE)
			elog(ERROR, "could not remove a row from %s: %s", target->qualified,
				 SPI_result_code_string(rc));
		run->counters.rows_deleted += SPI_processed;
		zd_sync_tombstone_set(run->target_relid, id, ts);
		return ts;
	}

	/* a version older than its deletion is not written, nor converted */
	if (run->ntombstoned > 0 &&
		bsearch(&id, run->tombstoned, run->ntombstoned, sizeof(int64), cmp_int64) != NULL &&
		zd_sync_tombstone_blocks(run->target_relid, id, ts))
		return ts;

	if (run->target.quarantine_insert == NULL)
		zd_convert_record(run->conv, record, run->values, run->nulls);
	else if (!convert_or_quarantine(run, record, id, ts))
		return ts;

	for (int p = 0; p < target->nparams; p++)
	{
		run->params[p] = run->values[target->param_att[p]];
		run->param_nulls[p] = run->nulls[target->param_att[p]] ? 'n' : ' ';
	}
	rc = SPI_execute_plan(target->upsert, run->params, run->param_nulls, false, 0);
	if (rc != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "could not write a row of %s: %s", target->qualified,
			 SPI_result_code_string(rc));
	if (SPI_processed == 1)
	{
		bool		isnull;

		if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
			run->counters.rows_inserted++;
		else
			run->counters.rows_updated++;
	}
	SPI_freetuptable(SPI_tuptable);
	return ts;
}

static void
update_request_counters(ZdSyncRun *run)
{
	const ZdRequestStats *now = zd_conn_stats(run->conn);
	const ZdRequestStats *then = &run->stats_at_start;

	run->counters.requests = (now->requests_export - then->requests_export) +
		(now->requests_standard - then->requests_standard);
	run->counters.rate_limited = now->rate_limited - then->rate_limited;
	run->counters.retries = now->retries - then->retries;
	run->counters.seconds_waited = (now->waited_ms - then->waited_ms) / 1000.0;
}

/*
 * estimate_total
 *		Zendesk's count of the resource's records, for progress only: -1
 *		where there is no count endpoint (ticket events) or it fails.
 */
static void
fetch_count(ZdSyncRun *run, void *arg)
{
	int64	   *total = arg;
	char	   *base = pstrdup(run->options->base_url);
	size_t		len = strlen(base);
	char	   *url;
	ZdHttpResponse response;
	json_error_t jerr;
	json_t	   *root;

	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	url = psprintf("%s/api/v2/%s/count.json", base, run->resource->name);
	zd_conn_get(run->conn, run->options, &url, ZD_REQ_STANDARD, &response);
	root = json_loadb(response.body, response.body_len, 0, &jerr);
	if (root != NULL)
	{
		json_t	   *value = json_object_get(json_object_get(root, "count"), "value");

		if (json_is_integer(value))
			*total = json_integer_value(value);
		json_decref(root);
	}
}

static int64
estimate_total(ZdSyncRun *run)
{
	int64		total = -1;
	ErrorData  *edata;

	if (strcmp(run->resource->name, "ticket_events") == 0)
		return -1;
	MemoryContextSwitchTo(run->page_cxt);
	edata = in_subtransaction(run, fetch_count, &total);
	MemoryContextSwitchTo(run->run_cxt);
	/* a cancel is not a missing estimate */
	if (edata != NULL && edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
		rethrow(run, edata);
	MemoryContextReset(run->page_cxt);
	return total;
}

/*
 * report_progress
 *		Every few seconds, a NOTICE with the run's progress: records, pages,
 *		requests, the share of Zendesk's count and the time left at the
 *		configured export rate.  The same counters are in sync_state.
 */
static void
report_progress(ZdSyncRun *run, const char *target)
{
	TimestampTz now = GetCurrentTimestamp();

	if (!TimestampDifferenceExceeds(run->last_progress, now, ZD_PROGRESS_INTERVAL_MS))
		return;
	run->last_progress = now;
	if (run->estimated > 0)
	{
		int64		left = Max(run->estimated - run->records, 0);
		int			rate = Max(run->options->export_requests_per_minute, 1);
		int64		seconds = (left + run->options->page_size - 1) / run->options->page_size *
			60 / rate;

		ereport(NOTICE,
				(errmsg("zendesk_fdw: %lld records into %s so far (about %d%% of %lld), %lld pages, %lld requests",
						(long long) run->records, target,
						(int) Min(99, run->records * 100 / run->estimated),
						(long long) run->estimated, (long long) run->counters.pages,
						(long long) run->counters.requests),
				 seconds < 120 ?
				 errdetail("About %lld seconds left at %d export requests a minute.",
						   (long long) seconds, rate) :
				 errdetail("About %lld minutes left at %d export requests a minute.",
						   (long long) (seconds + 30) / 60, rate)));
	}
	else
		ereport(NOTICE,
				(errmsg("zendesk_fdw: %lld records into %s so far, %lld pages, %lld requests",
						(long long) run->records, target, (long long) run->counters.pages,
						(long long) run->counters.requests)));
}

/*
 * check_target
 *		In the transaction of every page, before the page writes: lock the
 *		target against TRUNCATE until the commit, and check that it is still
 *		the table the run started with, on the storage sync_state records.
 *		Between two commits nothing of the run holds a lock on it.  A name
 *		that no longer resolves to that table (renamed, dropped) is an error:
 *		the saved statements name it.  A new storage (TRUNCATE, or a rewrite)
 *		may have lost the rows of the pages committed so far: the checkpoint
 *		is cleared in this transaction and false returned, and the run starts
 *		again from the start; a second time in one run is an error.  And the
 *		caller must still be allowed to read the source: a run outlives the
 *		check at its start by hours, a REVOKE must not.
 */
static bool
check_target(ZdSyncRun *run)
{
	Oid			nsp;
	Oid			relfilenode;
	AclResult	aclresult;

	/* the lock takes in what other sessions committed since the last page */
	LockRelationOid(run->target_relid, RowExclusiveLock);
	aclresult = pg_class_aclcheck(run->source, GetUserId(), ACL_SELECT);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FOREIGN_TABLE, get_rel_name(run->source));
	nsp = get_namespace_oid(run->target_nspname, true);
	if (!OidIsValid(nsp) ||
		get_relname_relid(run->target_relname, nsp) != run->target_relid)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the target %s of the sync of \"%s\" was renamed or dropped while the sync ran",
						run->target.qualified, get_rel_name(run->source)),
				 errdetail("The sync writes the table by the name it was given."),
				 errhint("Sync into the table's new name, which resumes from the last checkpoint, or rename it back.")));
	relfilenode = zd_sync_target_relfilenode(run->target_relid);
	if (relfilenode == run->target_relfilenode)
		return true;
	if (run->remirrored)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s was truncated or rewritten again while the sync mirrored it from the start",
						run->target.qualified),
				 errdetail("The rows of the pages committed before may be gone; the run stops here."),
				 errhint("Run the sync again: it mirrors %s from the start.",
						 run->target.qualified)));
	zd_sync_state_rewind(run->source, run->target_relid, relfilenode);
	run->target_relfilenode = relfilenode;
	run->target_changed = true;
	return false;
}

/*
 * process_page
 *		One page: fetch, apply every record, write the checkpoint.  A page
 *		without records leaves the checkpoint as it is.  (arg: unused; the
 *		signature of in_subtransaction.)
 */
static void
process_page(ZdSyncRun *run, void *arg)
{
	int64		max_ts = PG_INT64_MIN;

	if (!fetch_page(run))
		return;
	if (!check_target(run))
	{
		release_page(run);
		return;
	}
	find_tombstoned(run);
	for (size_t i = 0; i < run->page.nrecords; i++)
	{
		int64		ts = sync_record(run, json_array_get(run->page.records, i));

		max_ts = Max(max_ts, ts);
	}
	MemoryContextSwitchTo(run->run_cxt);
	MemoryContextReset(run->row_cxt);

	/* fields changed while the run goes on: this page is not committed */
	run->records_since_fields_check += run->page.nrecords;
	if (run->fingerprint != NULL && run->records_since_fields_check >= ZD_FIELDS_CHECK_RECORDS)
	{
		Relation	source_rel;
		List	   *fields;
		char	   *now;

		MemoryContextSwitchTo(run->page_cxt);
		fields = zd_fetch_fields(run->conn, run->options, run->resource);
		source_rel = relation_open(run->source, AccessShareLock);
		now = zd_sync_fields_fingerprint(source_rel, run->resource, fields);
		relation_close(source_rel, AccessShareLock);
		zd_sync_fields_check(run->fingerprint, now, get_rel_name(run->source));
		MemoryContextSwitchTo(run->run_cxt);
		run->records_since_fields_check = 0;
	}

	run->counters.pages++;
	run->records += run->page.nrecords;
	update_request_counters(run);
	if (run->page.nrecords > 0)
	{
		bool		cursor = run->resource->stream == ZD_STREAM_CURSOR;

		run->recovery_time = cursor ? max_ts : run->page.end_time;
		run->has_recovery_time = true;
		zd_sync_state_checkpoint(run->source, run->target_relid,
								 cursor ? run->page.after_cursor : NULL,
								 run->recovery_time, &run->counters);
	}
	release_page(run);
}

/* Keep the id of a record the listing gave, for the end of the listing. */
static void
keep_listed(ZdSyncRun *run, int64 id)
{
	if (run->counters.rows_listed == run->listed_cap)
	{
		Size		cap = Max(run->listed_cap * 2, 1024);

		run->listed = run->listed == NULL ?
			MemoryContextAllocHuge(run->run_cxt, sizeof(int64) * cap) :
			repalloc_huge(run->listed, sizeof(int64) * cap);
		run->listed_cap = cap;
	}
	run->listed[run->counters.rows_listed++] = id;
}

/*
 * remove_unlisted
 *		The listing reached its end: the rows of the target it did not list
 *		are removed, or flagged, as the delete mode says, and rows flagged
 *		before that it listed again lose their flag.
 */
static void
remove_unlisted(ZdSyncRun *run)
{
	int64		n = run->counters.rows_listed;
	Datum	   *elems;
	Datum		arg;
	int			rc;

	MemoryContextSwitchTo(run->page_cxt);
	elems = MemoryContextAllocHuge(run->page_cxt, sizeof(Datum) * Max(n, 1));
	for (int64 i = 0; i < n; i++)
		elems[i] = Int64GetDatum(run->listed[i]);
	arg = PointerGetDatum(construct_array(elems, (int) n, INT8OID, sizeof(int64),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	if (run->target.relisted != NULL)
	{
		rc = SPI_execute_plan(run->target.relisted, &arg, NULL, false, 0);
		if (rc != SPI_OK_UPDATE)
			elog(ERROR, "could not clear the flag of listed rows of %s: %s",
				 run->target.qualified, SPI_result_code_string(rc));
	}
	rc = SPI_execute_plan(run->target.unlisted, &arg, NULL, false, 0);
	if (rc != SPI_OK_DELETE && rc != SPI_OK_UPDATE)
		elog(ERROR, "could not remove the unlisted rows of %s: %s", run->target.qualified,
			 SPI_result_code_string(rc));
	run->counters.rows_deleted += SPI_processed;
	MemoryContextSwitchTo(run->run_cxt);
}

/*
 * process_list_page
 *		One page of a standard list: fetch, upsert the records not taken
 *		before (a listing restarted after a refused cursor repeats them),
 *		keep their ids, write the counters.  After the last page, in the
 *		same subtransaction, remove_unlisted: only a listing that reached
 *		its end deletes anything.  An account whose plan lacks the list
 *		(zd_listing_fetch gave a NOTICE) ends the listing with no page, and
 *		nothing is deleted.  (arg: unused.)
 */
static void
process_list_page(ZdSyncRun *run, void *arg)
{
	ZdListingAnswer answer;
	int			restarts = run->list.restarts;

	release_page(run);
	MemoryContextSwitchTo(run->page_cxt);
	answer = zd_listing_fetch(run->conn, run->options, &run->list, false, &run->page);
	MemoryContextSwitchTo(run->run_cxt);
	update_request_counters(run);
	if (answer != ZD_LISTING_PAGE)
	{
		/* a whole listing is never filtered: no "missing parent" */
		Assert(answer == ZD_LISTING_NOT_ON_PLAN);
		run->not_on_plan = true;
		return;
	}
	/*
	 * A listing restarted (Zendesk refused its cursor): this page begins the
	 * pass that will reach the end, and the ids listed are that pass's only,
	 * so that what it no longer lists is deleted.  Its records are written
	 * again (an unchanged row is not rewritten), so their newest version
	 * wins.
	 */
	if (run->list.restarts > restarts)
		run->counters.rows_listed = 0;
	run->page_loaded = true;
	if (!check_target(run))
	{
		release_page(run);
		return;
	}
	for (size_t i = 0; i < run->page.nrecords; i++)
	{
		json_t	   *record = json_array_get(run->page.records, i);
		int64_t		id = 0;

		/* zd_listing_fetch refuses a page with a record that has no id */
		(void) zd_record_id(record, &id);
		sync_record(run, record);
		keep_listed(run, id);
	}
	MemoryContextSwitchTo(run->run_cxt);
	MemoryContextReset(run->row_cxt);

	run->counters.pages++;
	run->records += run->page.nrecords;
	if (run->list.finished)
		remove_unlisted(run);
	zd_sync_state_listed(run->source, run->target_relid, &run->counters);
	release_page(run);
}

/* The end of a run that failed, in sync_state. */
static void
finish_failed(ZdSyncRun *run, ErrorData *edata)
{
	if (run->listing)
		zd_sync_state_finish_listing(run->source, run->target_relid, "failed",
									 error_text(edata), NULL, &run->counters);
	else
		zd_sync_state_finish(run->source, run->target_relid, "failed", error_text(edata),
							 &run->counters);
}

/*
 * run_page
 *		process_page in an internal subtransaction.  Returns false when the
 *		page failed and the run ends (materialize); for sync a failure is
 *		raised again after its error is committed to sync_state.
 */
static bool
run_page(ZdSyncRun *run, const ZdSyncArgs *args, ZdSyncResult *result,
		 MemoryContext caller_cxt)
{
	ZdSyncCounters before = run->counters;
	ErrorData  *edata;

	MemoryContextSwitchTo(run->run_cxt);
	edata = in_subtransaction(run, run->listing ? process_list_page : process_page, NULL);
	MemoryContextSwitchTo(run->run_cxt);

	if (edata == NULL && run->target_changed)
	{
		ereport(NOTICE,
				(errmsg("%s was truncated or rewritten while the sync ran", run->target.qualified),
				 run->listing ?
				 errdetail("This run lists it again from the start.") :
				 errdetail("Its checkpoint is cleared; this run mirrors it again from the start.")));
		run->target_changed = false;
		run->remirrored = true;
		run->has_recovery_time = false;
		run->recovery_time = 0;
		if (run->listing)
			start_listing(run);
		else
			start_export(run, NULL, run->start_time);
		return true;
	}
	if (edata == NULL)
	{
		run->restarted = false;
		return true;
	}
	run->target_changed = false;

	/* nothing of the page is in the target: neither are its counts */
	run->counters = before;
	update_request_counters(run);

	if (edata->sqlerrcode == ERRCODE_ZD_INVALID_CURSOR && run->cursor_request &&
		!run->restarted)
	{
		ereport(NOTICE,
				(errmsg("Zendesk rejected the export cursor of the sync into %s; the export starts again from the recovery time",
						run->target.qualified),
				 errdetail("%s", edata->detail ? edata->detail : edata->message)));
		start_export(run, NULL, run->has_recovery_time ? run->recovery_time : run->start_time);
		run->restarted = true;
		FreeErrorData(edata);
		return true;
	}

	finish_failed(run, edata);
	if (args->commit)
	{
		commit_now(run);
		rethrow(run, edata);
	}
	MemoryContextSwitchTo(caller_cxt);
	result->status = "failed";
	result->error = error_text(edata);
	MemoryContextSwitchTo(run->run_cxt);
	return false;
}

/* The source must be a Zendesk foreign table the caller may read. */
static void
check_source(Oid source)
{
	AclResult	aclresult;
	ForeignTable *table;

	if (get_rel_relkind(source) != RELKIND_FOREIGN_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a foreign table", get_rel_name(source)),
				 errhint("The source of a sync is a foreign table of the zendesk_fdw wrapper.")));
	table = GetForeignTable(source);
	if (strcmp(GetForeignDataWrapper(GetForeignServer(table->serverid)->fdwid)->fdwname,
			   "zendesk_fdw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("foreign table \"%s\" is not a Zendesk table", get_rel_name(source)),
				 errhint("The source of a sync is a foreign table of the zendesk_fdw wrapper.")));
	aclresult = pg_class_aclcheck(source, GetUserId(), ACL_SELECT);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FOREIGN_TABLE, get_rel_name(source));
}

/* The PID holding the lock of a sync, or 0. */
static int
lock_holder(const LOCKTAG *tag)
{
	Oid			types[4] = {OIDOID, OIDOID, OIDOID, INT2OID};
	Datum		values[4] = {ObjectIdGetDatum(tag->locktag_field1),
		ObjectIdGetDatum(tag->locktag_field2),
		ObjectIdGetDatum(tag->locktag_field3),
	Int16GetDatum(tag->locktag_field4)};
	bool		isnull;
	int			pid = 0;

	if (SPI_execute_with_args("SELECT pid FROM pg_catalog.pg_locks WHERE locktype = 'advisory' "
							  "AND database = $1 AND classid = $2 AND objid = $3 "
							  "AND objsubid = $4 AND granted LIMIT 1",
							  4, types, values, NULL, false, 1) == SPI_OK_SELECT &&
		SPI_processed == 1)
		pid = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
										  &isnull));
	return pid;
}

/*
 * lock_sync
 *		Take the lock of (source, target): at once, or fail naming the
 *		backend that holds it.  A session lock for sync, which commits and
 *		releases it at its end; for materialize and sync_reset, a lock that
 *		their transaction releases when it ends, so that no other run starts
 *		before what they wrote is committed or rolled back.  This backend
 *		holding it already is no concurrent run, unless one of its runs of
 *		the pair is in progress (a trigger on the target, say): a
 *		transaction may reset a pair and materialize it, or materialize it
 *		twice.
 */
static void
lock_sync(ZdSyncRun *run, Oid nsp, const char *relname, const char *target, bool session)
{
	uint32		key = hash_combine(hash_uint32(nsp),
								   hash_bytes((const unsigned char *) relname, strlen(relname)));
	LockAcquireResult res;

	SET_LOCKTAG_ADVISORY(run->lock_tag, MyDatabaseId, run->source, key, ZD_SYNC_LOCK_FIELD4);
	for (ZdSyncRun *r = active_runs; r != NULL; r = r->outer)
		if (memcmp(&r->lock_tag, &run->lock_tag, sizeof(LOCKTAG)) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("a sync of \"%s\" into %s is already running in this session",
							get_rel_name(run->source), target),
					 errdetail("A run of the pair cannot start while another run of it is in progress, from a trigger on the target, say.")));
	res = LockAcquire(&run->lock_tag, ExclusiveLock, session, true);
	if (res == LOCKACQUIRE_NOT_AVAIL)
	{
		int			pid = lock_holder(&run->lock_tag);

		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("a sync of \"%s\" into %s is already running", get_rel_name(run->source),
						target),
				 pid != 0 ? errdetail("Backend PID %d runs it.", pid) : 0,
				 errhint(run->listing ?
						 "Wait for it to end, or stop it with pg_cancel_backend(); the next run lists again from the start." :
						 "Wait for it to end, or stop it with pg_cancel_backend(); the next run resumes from its last checkpoint.")));
	}
	run->locked = session;
}

/*
 * check_owner
 *		A sync that exists belongs to a role: only that role (or a member)
 *		may run or reset it.  Returns whether it exists.
 */
static bool
check_owner(Oid source, Oid relid, const char *target)
{
	ZdSyncState st;

	zd_sync_state_load(source, relid, &st);
	if (st.found && !has_privs_of_role(GetUserId(), st.owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the sync of \"%s\" into %s belongs to role \"%s\"",
						get_rel_name(source), target, GetUserNameFromId(st.owner, false))));
	return st.found;
}

typedef struct FieldsCheck
{
	const char *stored;
	const char *current;
} FieldsCheck;

/* zd_sync_fields_check as a step of in_subtransaction */
static void
check_fields(ZdSyncRun *run, void *arg)
{
	FieldsCheck *check = arg;

	zd_sync_fields_check(check->stored, check->current, get_rel_name(run->source));
}

/*
 * prepare_state
 *		Decide where the run starts from the stored row (if any) and the
 *		arguments, and write the row the run starts with.
 */
/*
 * rewind
 *		Columns were added to the mirror for fields created at since (epoch
 *		seconds, -1 when not known): no record holds a value for them from
 *		before, so the run reads again from there, or from the start, when
 *		its checkpoint is later.  Never before the first run's start_time.
 */
static void
rewind_for_new_columns(ZdSyncRun *run, ZdSyncState *st, int64 since)
{
	if (st->after_cursor == NULL && !st->has_recovery_time)
		return;
	if (since >= 0 && st->has_start_time)
		since = Max(since, st->start_time);
	if (since >= 0 && st->has_recovery_time && since > st->recovery_time)
		return;
	st->after_cursor = NULL;
	st->has_recovery_time = since >= 0;
	st->recovery_time = Max(since, 0);
	if (since >= 0)
		ereport(NOTICE,
				(errmsg("the sync into %s reads again from %s, when the fields of its new columns were created",
						run->target.qualified,
						timestamptz_to_str(time_t_to_timestamptz((pg_time_t) since)))));
	else
		ereport(NOTICE,
				(errmsg("the sync into %s reads again from the start: the creation time of a field of its new columns is not known",
						run->target.qualified)));
}

/*
 * record_fields_seen
 *		Say which custom fields are new, or have new options, since the last
 *		run, and store the fields as they are now.
 */
static void
record_fields_seen(ZdSyncRun *run, const ZdSyncState *st, const char *seen)
{
	bool		unmapped = false;
	char	   *news = st->fields_seen ?
		zd_sync_state_fields_news(st->fields_seen, seen, &unmapped) : NULL;

	if (news != NULL)
		ereport(NOTICE,
				(errmsg("the custom fields of Zendesk %s changed since the last sync into %s",
						run->resource->name, run->target.qualified),
				 errdetail("%s.", news),
				 unmapped ? errhint("sync, resync and materialize with add_columns => true give new fields columns on the foreign table and the mirror.") : 0));
	zd_sync_state_set_fields_seen(run->source, run->target_relid, seen, st->fields_seen);
	MemoryContextSwitchTo(run->run_cxt);
}

static void
prepare_state(ZdSyncRun *run, const ZdSyncArgs *args, ZdSyncState *st, bool reset,
			  char *fingerprint, char *seen, bool columns_added, int64 since)
{
	Oid			relfilenode;

	/* the storage as it is: no TRUNCATE until this transaction ends */
	LockRelationOid(run->target_relid, RowExclusiveLock);
	relfilenode = zd_sync_target_relfilenode(run->target_relid);
	zd_sync_state_load(run->source, run->target_relid, st);
	MemoryContextSwitchTo(run->run_cxt);
	if (st->found && !reset)
	{
		FieldsCheck check = {st->fields_fingerprint, fingerprint};
		ErrorData  *edata = in_subtransaction(run, check_fields, &check);

		/* a breaking change: other sessions see it in sync_state (sync) */
		if (edata != NULL)
		{
			if (args->commit)
			{
				zd_sync_state_finish(run->source, run->target_relid, "failed",
									 error_text(edata), &run->counters);
				commit_now(run);
			}
			rethrow(run, edata);
		}
	}
	if (st->found && reset)
	{
		zd_sync_state_forget(run->source, run->target_relid);
		MemoryContextSwitchTo(run->run_cxt);
		memset(st, 0, sizeof(*st));
	}
	if (!st->found || st->fields_fingerprint == NULL)
		zd_sync_fields_check_exist(fingerprint, get_rel_name(run->source));

	if (!st->found)
	{
		st->owner = GetUserId();
		st->delete_mode = args->has_delete_mode ? args->delete_mode : ZD_DELETE_REMOVE;
	}
	else
	{
		if (strcmp(st->resource, run->resource->name) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the sync into %s mirrors Zendesk %s, and \"%s\" reads %s",
							run->target.qualified, st->resource, get_rel_name(run->source),
							run->resource->name),
					 errhint("Use another target, or forget this sync first with zendesk_fdw.resync.")));
		if (args->has_delete_mode && args->delete_mode != st->delete_mode)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the sync into %s has delete mode \"%s\"", run->target.qualified,
							zd_delete_mode_name(st->delete_mode)),
					 errhint("To change it, mirror again with zendesk_fdw.resync(..., delete_mode => '%s').",
							 zd_delete_mode_name(args->delete_mode))));
		if (strcmp(st->status, "running") == 0)
			ereport(NOTICE,
					(errmsg("the last run of the sync into %s (PID %d) ended without finishing",
							run->target.qualified, st->pid),
					 run->listing ?
					 errdetail("A standard list has no checkpoint: this run lists it again from the start.") :
					 errdetail("This run resumes from its last checkpoint.")));
		/* a TRUNCATE (or a rewrite) may have lost any of the rows */
		if (relfilenode != st->target_relfilenode &&
			(st->after_cursor != NULL || st->has_recovery_time))
		{
			ereport(NOTICE,
					(errmsg("%s was truncated or rewritten since its last sync",
							run->target.qualified),
					 errdetail("This run mirrors it again from the start.")));
			st->after_cursor = NULL;
			st->has_recovery_time = false;
		}
		MemoryContextSwitchTo(run->run_cxt);
	}
	if (st->found && !reset && columns_added)
		rewind_for_new_columns(run, st, since);
	/* start_time counts when there is no checkpoint to resume from */
	if (args->has_start_time && st->after_cursor == NULL && !st->has_recovery_time)
	{
		st->has_start_time = true;
		st->start_time = args->start_time;
	}
	st->target_relfilenode = relfilenode;
	run->target_relfilenode = relfilenode;
	st->fields_fingerprint = fingerprint;
	run->delete_mode = st->delete_mode;
	run->start_time = st->has_start_time ? st->start_time : 0;
	run->has_recovery_time = st->has_recovery_time;
	run->recovery_time = st->recovery_time;

	zd_sync_state_begin_run(run->source, run->target_relid, st, run->resource->name);
	if (seen != NULL)
		record_fields_seen(run, st, seen);
	run->tombstones = run->delete_mode == ZD_DELETE_REMOVE && run->resource->has_deleted;
	MemoryContextSwitchTo(run->run_cxt);
}

/* zd_fetch_fields as a step of in_subtransaction; arg: the List * to set */
static void
fetch_fields(ZdSyncRun *run, void *arg)
{
	MemoryContextSwitchTo(run->run_cxt);
	*(List **) arg = zd_fetch_fields(run->conn, run->options, run->resource);
}

/*
 * fail_before_pages
 *		A run that fails before its first page (Zendesk refusing the
 *		credentials, say): a sync records the error in the row of its last
 *		run, if there is one, for other sessions and scheduled jobs to see;
 *		then the error is raised again.
 */
static void
fail_before_pages(ZdSyncRun *run, const ZdSyncArgs *args, Oid target_relid,
				  ErrorData *edata)
{
	if (args->commit && OidIsValid(target_relid))
	{
		update_request_counters(run);
		zd_sync_state_finish(run->source, target_relid, "failed", error_text(edata),
							 &run->counters);
		commit_now(run);
	}
	rethrow(run, edata);
}

/*
 * list_whole
 *		The pages of a standard list, from its first to its last, each
 *		committed for sync except the last: its rows, the removal of the
 *		rows it did not list and the row of a run that is done are one
 *		transaction.  An account whose plan lacks the list is a run that is
 *		done, with nothing changed and a note in sync_state.
 */
static void
list_whole(ZdSyncRun *run, const ZdSyncArgs *args, ZdSyncResult *result,
		   MemoryContext caller_cxt)
{
	char	   *note = NULL;

	start_listing(run);
	while (!run->list.finished)
	{
		if (!run_page(run, args, result, caller_cxt))
			break;
		if (args->commit && !run->list.finished)
			commit_now(run);
		report_progress(run, run->target.qualified);
	}
	if (result->error == NULL)
	{
		if (run->not_on_plan)
		{
			note = psprintf("Zendesk refused the list: the account's plan lacks %s, or the user mapping's user may not read it; nothing listed, nothing changed",
							run->resource->plan_feature);
			ereport(NOTICE,
					(errmsg("the sync into %s changed nothing", run->target.qualified),
					 errdetail("Zendesk refused the list: the account's plan lacks %s, or the user mapping's user may not read it. sync_state.note says so.",
							   run->resource->plan_feature)));
		}
		zd_sync_state_finish_listing(run->source, run->target_relid, "done", NULL, note,
									 &run->counters);
		if (args->commit)
			commit_now(run);
	}
	result->counters = run->counters;
}

static void
sync_body(ZdSyncRun *run, const ZdSyncArgs *args, bool reset, ZdSyncResult *result,
		  MemoryContext caller_cxt)
{
	ZdSyncState st;
	Relation	source_rel;
	char	   *relname;
	Oid			nsp;
	bool		created;
	char	   *fingerprint = NULL;
	char	   *seen = NULL;
	bool		record_seen;
	bool		fetch;
	List	   *fields = NIL;
	bool		columns_added = false;
	int64		since = -1;

	check_source(args->source);
	run->source = args->source;
	run->options = zd_get_options(args->source, true);
	run->resource = run->options->resource;
	run->listing = run->resource->stream == ZD_STREAM_LIST;
	if (run->resource->sideload_key != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a mirror of Zendesk %s is not supported yet", run->resource->name),
				 errdetail("Its records come with the pages of another export, and a mirror of them needs that export's deletions too."),
				 errhint("Read it with INSERT INTO ... SELECT from the foreign table.")));
	if (run->listing && run->resource->list_path == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("Zendesk %s cannot be mirrored", run->resource->name),
				 errdetail("Zendesk lists %s only for one %s at a time, and a mirror needs the whole list.",
						   run->resource->name, run->resource->filters[0].key),
				 errhint("Mirror ticket_events, which holds every change of every ticket.")));
	if (run->listing)
	{
		if (args->has_start_time)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a sync of Zendesk %s takes no start_time", run->resource->name),
					 errdetail("A standard list has no export: every run reads the whole list.")));
		zd_sync_state_check_lists(run->resource->name);
	}

	nsp = zd_sync_target_namespace(args->target, &relname);
	run->target_nspname = get_namespace_name(nsp);
	run->target_relname = relname;
	lock_sync(run, nsp, relname, args->target, args->commit);
	run->outer = active_runs;
	active_runs = run;
	run->active = true;
	if (OidIsValid(get_relname_relid(relname, nsp)))
		check_owner(run->source, get_relname_relid(relname, nsp), args->target);
	MemoryContextSwitchTo(run->run_cxt);

	run->conn = zd_conn_for(run->options);
	run->stats_at_start = *zd_conn_stats(run->conn);

	/*
	 * Zendesk's custom fields, one standard request: for the drift checks of
	 * a source that maps some, and the additive changes of any source whose
	 * resource has them (sync_state.fields_seen, version 1.1 on).
	 */
	record_seen = run->resource->fields_path != NULL && zd_sync_state_has_fields_seen();
	source_rel = relation_open(args->source, AccessShareLock);
	zd_sync_target_check_source(source_rel, run->resource);
	fetch = run->resource->fields_path != NULL &&
		(record_seen || args->add_columns || zd_sync_fields_mapped(source_rel, run->resource));
	relation_close(source_rel, AccessShareLock);
	MemoryContextSwitchTo(run->run_cxt);
	if (fetch)
	{
		ErrorData  *edata = in_subtransaction(run, fetch_fields, &fields);

		if (edata != NULL)
			fail_before_pages(run, args, get_relname_relid(relname, nsp), edata);
	}
	if (args->add_columns)
	{
		ZdFieldsKnown known;

		zd_sync_state_fields_known(args->source, get_relname_relid(relname, nsp), &known);
		columns_added = zd_sync_fields_add_columns(args->source, nsp, relname, run->resource,
												   fields, &known, &since);
		MemoryContextSwitchTo(run->run_cxt);
	}

	source_rel = relation_open(args->source, AccessShareLock);
	run->conv = zd_converter_create(source_rel, run->resource);
	if (fields != NIL)
		fingerprint = zd_sync_fields_fingerprint(source_rel, run->resource, fields);
	if (record_seen)
		seen = zd_sync_fields_seen(source_rel, run->resource, fields);
	MemoryContextSwitchTo(run->run_cxt);
	run->fingerprint = fingerprint ? pstrdup(fingerprint) : NULL;
	run->natts = RelationGetDescr(source_rel)->natts;
	run->values = palloc(sizeof(Datum) * Max(run->natts, 1));
	run->nulls = palloc(sizeof(bool) * Max(run->natts, 1));
	run->target_relid = zd_sync_target_prepare(source_rel, run->resource, args->target,
											   &run->target, &created);
	zd_sync_target_plan(&run->target, source_rel);
	if (run->target.stream_param >= 0)
		run->stream_conv = zd_converter_create_projected(source_rel, run->resource,
														 list_make1_int(run->target.param_att[run->target.stream_param] + 1));
	if (args->quarantine != NULL)
		zd_sync_quarantine_prepare(&run->target, args->quarantine, run->source);
	relation_close(source_rel, AccessShareLock);
	MemoryContextSwitchTo(run->run_cxt);
	run->params = palloc(sizeof(Datum) * Max(run->target.nparams, 1));
	run->param_nulls = palloc(Max(run->target.nparams, 1));

	if (run->listing)
	{
		char	   *other = zd_sync_state_other_source(run->source, run->target_relid);

		if (other != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("%s is also the mirror of %s", run->target.qualified, other),
					 errdetail("A mirror of a standard list holds that list alone: each run deletes what the list does not hold, which would be the other sync's rows."),
					 errhint("Mirror %s into a table of its own, or forget the other sync with zendesk_fdw.sync_reset.",
							 get_rel_name(run->source))));
	}
	prepare_state(run, args, &st, reset, fingerprint, seen, columns_added, since);
	if (run->listing)
	{
		zd_sync_state_begin_listing(run->source, run->target_relid);
		zd_sync_target_plan_unlisted(&run->target, run->source, run->delete_mode, created);
		MemoryContextSwitchTo(run->run_cxt);
	}
	result->has_old_recovery_time = st.has_recovery_time;
	result->old_recovery_time = st.recovery_time;
	if (args->commit)
		commit_now(run);

	run->last_progress = GetCurrentTimestamp();
	run->estimated = -1;
	if (run->listing)
	{
		list_whole(run, args, result, caller_cxt);
		return;
	}
	if (st.after_cursor != NULL && run->resource->stream == ZD_STREAM_CURSOR)
		start_export(run, st.after_cursor, 0);
	else
	{
		/* a full export: how far along it is can be told */
		if (!st.has_recovery_time && run->start_time == 0)
			run->estimated = estimate_total(run);
		start_export(run, NULL, st.has_recovery_time ? st.recovery_time : run->start_time);
	}

	while (!run->export.finished)
	{
		if (!run_page(run, args, result, caller_cxt))
			break;
		if (args->commit)
			commit_now(run);
		report_progress(run, run->target.qualified);
	}
	if (result->error == NULL)
	{
		zd_sync_state_finish(run->source, run->target_relid, "done", NULL, &run->counters);
		if (args->commit)
			commit_now(run);
	}
	result->counters = run->counters;
	result->has_new_recovery_time = run->has_recovery_time;
	result->new_recovery_time = run->recovery_time;
}

static void
run_with_cleanup(const ZdSyncArgs *args, bool reset, ZdSyncResult *result)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	MemoryContext run_cxt = AllocSetContextCreate(TopMemoryContext, "zendesk_fdw sync",
												  ALLOCSET_DEFAULT_SIZES);
	ZdSyncRun  *run = MemoryContextAllocZero(run_cxt, sizeof(ZdSyncRun));

	run->run_cxt = run_cxt;
	run->caller_cxt = caller_cxt;
	run->page_cxt = AllocSetContextCreate(run_cxt, "zendesk_fdw sync page",
										  ALLOCSET_DEFAULT_SIZES);
	run->row_cxt = AllocSetContextCreate(run_cxt, "zendesk_fdw sync row",
										 ALLOCSET_DEFAULT_SIZES);
	run->cleanup.func = run_cleanup;
	run->cleanup.arg = run;
	MemoryContextRegisterResetCallback(run_cxt, &run->cleanup);

	memset(result, 0, sizeof(*result));
	result->status = "done";
	PG_TRY();
	{
		MemoryContextSwitchTo(run_cxt);
		sync_body(run, args, reset, result, caller_cxt);
	}
	PG_FINALLY();
	{
		if (run->active)
			active_runs = run->outer;
		if (run->locked)
			LockRelease(&run->lock_tag, ExclusiveLock, true);
		zd_sync_target_free(&run->target);
		zd_sync_state_free_plans();
		MemoryContextSwitchTo(caller_cxt);
		MemoryContextDelete(run_cxt);
	}
	PG_END_TRY();
}

/*
 * zd_sync_run
 *		One run of sync (args->commit) or materialize.  SPI is connected,
 *		non-atomic for sync.
 */
void
zd_sync_run(const ZdSyncArgs *args, ZdSyncResult *result)
{
	run_with_cleanup(args, false, result);
}

/*
 * zd_sync_resync
 *		Forget the checkpoint, then run from the start.
 */
void
zd_sync_resync(const ZdSyncArgs *args, ZdSyncResult *result)
{
	run_with_cleanup(args, true, result);
}

/*
 * zd_sync_reset
 *		Forget the checkpoint of (source, target), and the target's
 *		tombstones when no other sync writes it, unless a run holds them.
 *		The source, the target and the sync are checked as a sync checks
 *		them before anything is locked or deleted: a Zendesk foreign table
 *		the caller may read, a target the caller may write as a sync does,
 *		a sync of the caller's.
 */
void
zd_sync_reset(Oid source, const char *target)
{
	ZdSyncRun	run;
	char	   *relname;
	Oid			nsp;
	Oid			relid;
	ZdOptions  *options;

	check_source(source);
	options = zd_get_options(source, false);
	nsp = zd_sync_target_namespace(target, &relname);
	relid = get_relname_relid(relname, nsp);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s\" does not exist", target)));
	zd_sync_target_check_privileges(relid, options->resource);
	PG_TRY();
	{
		if (!check_owner(source, relid, target))
			ereport(NOTICE,
					(errmsg("no sync from \"%s\" into %s to forget", get_rel_name(source), target),
					 errdetail("zendesk_fdw.sync_state has no checkpoint for them; nothing was changed.")));
		else
		{
			memset(&run, 0, sizeof(run));
			run.source = source;
			lock_sync(&run, nsp, relname, target, false);
			zd_sync_state_forget(source, relid);
		}
	}
	PG_FINALLY();
	{
		zd_sync_state_free_plans();
	}
	PG_END_TRY();
}
