/*-------------------------------------------------------------------------
 *
 * zd_sync_api.c
 *		  The SQL entry points of mirroring: zendesk_fdw.sync, materialize,
 *		  sync_reset and resync.
 *
 * Reads the arguments, enforces PostgreSQL's transaction-control rules and
 * connects SPI; the run itself is zd_sync.c.  sync commits every page, so
 * it needs a CALL that PostgreSQL runs non-atomically: not inside a
 * transaction block, not from a function, not with SET or SECURITY
 * DEFINER, not one of several statements sent together.  An atomic CALL
 * fails at once with a hint naming materialize, which does the same work in
 * the caller's transaction and returns its summary.
 *
 * IDENTIFICATION
 *		  src/sync/zd_sync_api.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "zd_sync.h"

PG_FUNCTION_INFO_V1(zendesk_fdw_sync);
PG_FUNCTION_INFO_V1(zendesk_fdw_materialize);
PG_FUNCTION_INFO_V1(zendesk_fdw_sync_reset);
PG_FUNCTION_INFO_V1(zendesk_fdw_resync);

static void
read_args(FunctionCallInfo fcinfo, ZdSyncArgs *args)
{
	memset(args, 0, sizeof(*args));
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the source and the target of a sync cannot be null")));
	args->source = PG_GETARG_OID(0);
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(args->source)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", args->source)));
	args->target = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
	{
		TimestampTz start_time = PG_GETARG_TIMESTAMPTZ(2);

		if (TIMESTAMP_NOT_FINITE(start_time) || start_time > GetCurrentTimestamp())
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("start_time must be a time in the past"),
					 errhint("Zendesk exports what changed from start_time until about a minute ago.")));
		args->has_start_time = true;
		args->start_time = (int64) timestamptz_to_time_t(start_time);
		if (args->start_time < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("start_time cannot be before 1970-01-01 00:00:00+00")));
	}
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
	{
		char	   *mode = text_to_cstring(PG_GETARG_TEXT_PP(3));

		args->has_delete_mode = true;
		if (strcmp(mode, "remove") == 0)
			args->delete_mode = ZD_DELETE_REMOVE;
		else if (strcmp(mode, "flag") == 0)
			args->delete_mode = ZD_DELETE_FLAG;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid delete_mode \"%s\"", mode),
					 errhint("Valid modes: remove (deleted tickets leave the mirror), flag (they stay, with status 'deleted').")));
	}
	if (PG_NARGS() > 4 && !PG_ARGISNULL(4))
		args->quarantine = text_to_cstring(PG_GETARG_TEXT_PP(4));
	/* add_columns came with version 1.1 */
	if (PG_NARGS() > 5 && !PG_ARGISNULL(5))
		args->add_columns = PG_GETARG_BOOL(5);
}

/* Refuse a CALL that cannot commit, naming materialize. */
static void
require_nonatomic(FunctionCallInfo fcinfo, const char *name)
{
	if (fcinfo->context != NULL && IsA(fcinfo->context, CallContext) &&
		!castNode(CallContext, fcinfo->context)->atomic)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
			 errmsg("%s cannot run inside a transaction block", name),
			 errdetail("%s commits after every page, which PostgreSQL allows only to a CALL of its own: not inside BEGIN, a function or DO, not one of several statements sent at once, and not from a procedure with SET or SECURITY DEFINER.",
					   name),
			 errhint("Use SELECT * FROM zendesk_fdw.materialize(...), which does the same work in the caller's transaction.")));
}

static void
report(const char *name, const ZdSyncResult *result)
{
	ereport(NOTICE,
			(errmsg("%s: %lld rows inserted, %lld updated, %lld deleted, from %lld pages",
					name, (long long) result->counters.rows_inserted,
					(long long) result->counters.rows_updated,
					(long long) result->counters.rows_deleted,
					(long long) result->counters.pages),
			 result->counters.rows_quarantined > 0 ?
			 errdetail("%lld records could not be converted and are in the quarantine table.",
					   (long long) result->counters.rows_quarantined) : 0));
}

static void
call_sync(FunctionCallInfo fcinfo, const char *name, bool reset)
{
	ZdSyncArgs	args;
	ZdSyncResult result;
	MemoryContext fn_cxt = CurrentMemoryContext;

	require_nonatomic(fcinfo, name);
	read_args(fcinfo, &args);
	args.commit = true;
	if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect_ext failed");
	MemoryContextSwitchTo(fn_cxt);
	if (reset)
		zd_sync_resync(&args, &result);
	else
		zd_sync_run(&args, &result);
	report(name, &result);
	SPI_finish();
}

/*
 * zendesk_fdw.sync(source, target, start_time, delete_mode): a procedure.
 */
Datum
zendesk_fdw_sync(PG_FUNCTION_ARGS)
{
	call_sync(fcinfo, "zendesk_fdw.sync", false);
	PG_RETURN_VOID();
}

/*
 * zendesk_fdw.resync(source, target, start_time, delete_mode): forget the
 * checkpoint, then sync from start_time.
 */
Datum
zendesk_fdw_resync(PG_FUNCTION_ARGS)
{
	call_sync(fcinfo, "zendesk_fdw.resync", true);
	PG_RETURN_VOID();
}

/*
 * zendesk_fdw.materialize(source, target, start_time, delete_mode): the
 * same work in the caller's transaction; returns the run's summary.
 */
Datum
zendesk_fdw_materialize(PG_FUNCTION_ARGS)
{
	ZdSyncArgs	args;
	ZdSyncResult result;
	TupleDesc	desc;
	Datum		values[13];
	bool		nulls[13];
	MemoryContext fn_cxt = CurrentMemoryContext;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "materialize must return a record");
	desc = BlessTupleDesc(desc);
	read_args(fcinfo, &args);
	args.commit = false;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* the summary's strings must outlive SPI_finish */
	MemoryContextSwitchTo(fn_cxt);
	zd_sync_run(&args, &result);
	SPI_finish();

	memset(nulls, 0, sizeof(nulls));
	values[0] = CStringGetTextDatum(result.status);
	values[1] = Int64GetDatum(result.counters.pages);
	values[2] = Int64GetDatum(result.counters.rows_inserted);
	values[3] = Int64GetDatum(result.counters.rows_updated);
	values[4] = Int64GetDatum(result.counters.rows_deleted);
	values[5] = Int64GetDatum(result.counters.rows_quarantined);
	values[6] = Int64GetDatum(result.counters.requests);
	values[7] = Int64GetDatum(result.counters.rate_limited);
	values[8] = Int64GetDatum(result.counters.retries);
	values[9] = Float8GetDatum(result.counters.seconds_waited);
	values[10] = TimestampTzGetDatum(time_t_to_timestamptz((pg_time_t) result.old_recovery_time));
	nulls[10] = !result.has_old_recovery_time;
	values[11] = TimestampTzGetDatum(time_t_to_timestamptz((pg_time_t) result.new_recovery_time));
	nulls[11] = !result.has_new_recovery_time;
	values[12] = result.error ? CStringGetTextDatum(result.error) : (Datum) 0;
	nulls[12] = result.error == NULL;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * zendesk_fdw.sync_reset(source, target): forget the checkpoint and the
 * tombstones; the target's rows stay.
 */
Datum
zendesk_fdw_sync_reset(PG_FUNCTION_ARGS)
{
	ZdSyncArgs	args;

	read_args(fcinfo, &args);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	zd_sync_reset(args.source, args.target);
	SPI_finish();
	PG_RETURN_VOID();
}
