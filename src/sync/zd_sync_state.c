/*-------------------------------------------------------------------------
 *
 * zd_sync_state.c
 *		  The checkpoint row of a sync (zendesk_fdw.sync_state) and the
 *		  tombstones of removed ids (zendesk_fdw.sync_tombstones).
 *
 * Both tables belong to the extension's owner and show each role only its
 * own rows (row-level security); the sync writes them on the caller's
 * behalf.  So every statement here runs as the tables' owner, with
 * search_path set to "pg_catalog, pg_temp" (a caller's search_path must not
 * choose the functions and operators the owner runs), and a restricted
 * security context.  The statements are saved SPI plans, made on first use
 * and freed by zd_sync_state_free_plans at the end of a run.  The caller
 * has SPI connected.
 *
 * IDENTIFICATION
 *		  src/sync/zd_sync_state.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "zd_sync.h"

#define STATE_COUNTERS \
	"pages = $3, rows_inserted = $4, rows_updated = $5, rows_deleted = $6, " \
	"rows_quarantined = $7, requests = $8, rate_limited = $9, retries = $10, " \
	"seconds_waited = $11"

enum
{
	PLAN_LOAD,
	PLAN_BEGIN,
	PLAN_CHECKPOINT,
	PLAN_FINISH,
	PLAN_FORGET_STATE,
	PLAN_FORGET_TOMBSTONES,
	PLAN_REWIND,
	PLAN_TOMBSTONE_BLOCKS,
	PLAN_TOMBSTONE_SET,
	PLAN_TOMBSTONE_AMONG,
	PLAN_SEEN_LOAD,
	PLAN_SEEN_SET,
	PLAN_SEEN_IDS,
	PLAN_FIELDS_NEWS,
	PLAN_LIST_BEGIN,
	PLAN_LIST_PROGRESS,
	PLAN_LIST_FINISH,
	PLAN_LIST_OTHER,
	NUM_PLANS
};

static const char *const plan_sql[NUM_PLANS] = {
	[PLAN_LOAD] =
	"SELECT owner::oid, resource, delete_mode, "
	"extract(epoch FROM start_time)::int8, after_cursor, "
	"extract(epoch FROM recovery_time)::int8, target_relfilenode, status, pid, "
	"fields_fingerprint "
	"FROM zendesk_fdw.sync_state WHERE source = $1 AND target = $2",
	[PLAN_BEGIN] =
	"INSERT INTO zendesk_fdw.sync_state AS s (source, target, owner, resource, delete_mode, "
	"start_time, after_cursor, recovery_time, target_relfilenode, status, pid, error, "
	"started_at, checkpoint_at, finished_at, pages, rows_inserted, rows_updated, "
	"rows_deleted, rows_quarantined, requests, rate_limited, retries, seconds_waited, "
	"fields_fingerprint) "
	"VALUES ($1, $2, $3, $4, $5, to_timestamp($6::float8), $7, to_timestamp($8::float8), $9, "
	"'running', pg_backend_pid(), NULL, clock_timestamp(), NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, "
	"$10) "
	"ON CONFLICT (source, target) DO UPDATE SET owner = EXCLUDED.owner, "
	"resource = EXCLUDED.resource, delete_mode = EXCLUDED.delete_mode, "
	"start_time = EXCLUDED.start_time, after_cursor = EXCLUDED.after_cursor, "
	"recovery_time = EXCLUDED.recovery_time, target_relfilenode = EXCLUDED.target_relfilenode, "
	"fields_fingerprint = EXCLUDED.fields_fingerprint, "
	"status = 'running', pid = EXCLUDED.pid, error = NULL, started_at = EXCLUDED.started_at, "
	"finished_at = NULL, pages = 0, rows_inserted = 0, rows_updated = 0, rows_deleted = 0, "
	"rows_quarantined = 0, "
	"requests = 0, rate_limited = 0, retries = 0, seconds_waited = 0",
	[PLAN_CHECKPOINT] =
	"UPDATE zendesk_fdw.sync_state SET " STATE_COUNTERS ", "
	"after_cursor = coalesce($12, after_cursor), recovery_time = to_timestamp($13::float8), "
	"checkpoint_at = clock_timestamp() WHERE source = $1 AND target = $2",
	[PLAN_FINISH] =
	"UPDATE zendesk_fdw.sync_state SET " STATE_COUNTERS ", "
	"status = $12, error = $13, finished_at = clock_timestamp() "
	"WHERE source = $1 AND target = $2",
	[PLAN_FORGET_STATE] =
	"DELETE FROM zendesk_fdw.sync_state WHERE source = $1 AND target = $2",
	/* tombstones belong to the target: kept while another sync writes it */
	[PLAN_FORGET_TOMBSTONES] =
	"DELETE FROM zendesk_fdw.sync_tombstones WHERE target = $1 "
	"AND NOT EXISTS (SELECT 1 FROM zendesk_fdw.sync_state WHERE target = $1)",
	[PLAN_REWIND] =
	"UPDATE zendesk_fdw.sync_state SET after_cursor = NULL, recovery_time = NULL, "
	"target_relfilenode = $3, checkpoint_at = clock_timestamp() "
	"WHERE source = $1 AND target = $2",
	[PLAN_TOMBSTONE_BLOCKS] =
	"WITH cleared AS (DELETE FROM zendesk_fdw.sync_tombstones "
	"WHERE target = $1 AND id = $2 AND stream_time <= to_timestamp($3::float8) RETURNING 1) "
	"SELECT EXISTS (SELECT 1 FROM zendesk_fdw.sync_tombstones "
	"WHERE target = $1 AND id = $2 AND stream_time > to_timestamp($3::float8))",
	[PLAN_TOMBSTONE_SET] =
	"INSERT INTO zendesk_fdw.sync_tombstones AS t (target, id, stream_time) "
	"VALUES ($1, $2, to_timestamp($3::float8)) ON CONFLICT (target, id) "
	"DO UPDATE SET stream_time = greatest(t.stream_time, EXCLUDED.stream_time)",
	[PLAN_TOMBSTONE_AMONG] =
	"SELECT id FROM zendesk_fdw.sync_tombstones WHERE target = $1 AND id = ANY ($2) ORDER BY id",
	/* fields_seen came with version 1.1 */
	[PLAN_SEEN_LOAD] =
	"SELECT fields_seen::text FROM zendesk_fdw.sync_state WHERE source = $1 AND target = $2",
	/* "new": unmapped and not in the first list, until a column maps it */
	[PLAN_SEEN_SET] =
	"UPDATE zendesk_fdw.sync_state SET fields_seen = "
	"(SELECT coalesce(jsonb_agg(n.f || jsonb_build_object('new', n.f->>'column' IS NULL "
	"AND $4::jsonb IS NOT NULL AND (o.f IS NULL OR coalesce((o.f->>'new')::boolean, false))) "
	"ORDER BY (n.f->>'id')::int8), '[]') "
	"FROM jsonb_array_elements($3::jsonb) n(f) "
	"LEFT JOIN jsonb_array_elements($4::jsonb) o(f) ON o.f->'id' = n.f->'id') "
	"WHERE source = $1 AND target = $2",
	[PLAN_SEEN_IDS] =
	"SELECT (f->>'id')::int8, coalesce((f->>'new')::boolean, false) "
	"FROM zendesk_fdw.sync_state s LEFT JOIN LATERAL jsonb_array_elements(s.fields_seen) f ON true "
	"WHERE s.source = $1 AND s.target = $2 AND s.fields_seen IS NOT NULL",
	[PLAN_FIELDS_NEWS] =
	"SELECT string_agg(CASE WHEN o.f IS NULL "
	"THEN format('new %s field %s \"%s\"%s', n.f->>'type', n.f->>'id', n.f->>'title', "
	"CASE WHEN n.f->>'column' IS NULL THEN ', mapped by no column' "
	"ELSE format(', column %I', n.f->>'column') END) "
	"ELSE format('field %s \"%s\": its options changed (%s options, were %s)', "
	"n.f->>'id', n.f->>'title', n.f->>'options', o.f->>'options') END, "
	"'; ' ORDER BY (n.f->>'id')::int8), "
	"coalesce(bool_or(o.f IS NULL AND n.f->>'column' IS NULL), false) "
	"FROM jsonb_array_elements($1::jsonb) n(f) "
	"LEFT JOIN jsonb_array_elements($2::jsonb) o(f) ON o.f->'id' = n.f->'id' "
	"WHERE o.f IS NULL OR o.f->'options_hash' IS DISTINCT FROM n.f->'options_hash'",
	/* rows_listed and note came with version 1.2; a list has no checkpoint */
	[PLAN_LIST_OTHER] =
	"SELECT source::regclass::text FROM zendesk_fdw.sync_state "
	"WHERE target = $2 AND source <> $1 ORDER BY source LIMIT 1",
	[PLAN_LIST_BEGIN] =
	"UPDATE zendesk_fdw.sync_state SET rows_listed = 0, note = NULL "
	"WHERE source = $1 AND target = $2",
	[PLAN_LIST_PROGRESS] =
	"UPDATE zendesk_fdw.sync_state SET " STATE_COUNTERS ", rows_listed = $12 "
	"WHERE source = $1 AND target = $2",
	[PLAN_LIST_FINISH] =
	"UPDATE zendesk_fdw.sync_state SET " STATE_COUNTERS ", rows_listed = $12, "
	"status = $13, error = $14, note = $15, finished_at = clock_timestamp() "
	"WHERE source = $1 AND target = $2",
};

static const Oid counter_types[] = {INT8OID, INT8OID, INT8OID, INT8OID, INT8OID,
INT8OID, INT8OID, INT8OID, FLOAT8OID};

static SPIPlanPtr plans[NUM_PLANS];

/* Acting as the owner of the extension's tables. */
typedef struct AsOwner
{
	Oid			save_userid;
	int			save_sec_context;
	int			nestlevel;
} AsOwner;

static Oid
tables_owner(void)
{
	Oid			nsp = get_namespace_oid("zendesk_fdw", false);
	Oid			relid = get_relname_relid("sync_state", nsp);
	HeapTuple	tuple;
	Oid			owner;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table zendesk_fdw.sync_state does not exist"),
				 errhint("Update the extension: ALTER EXTENSION zendesk_fdw UPDATE.")));
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

static void
as_owner_begin(AsOwner *as)
{
	GetUserIdAndSecContext(&as->save_userid, &as->save_sec_context);
	SetUserIdAndSecContext(tables_owner(),
						   as->save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	as->nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

static void
as_owner_end(AsOwner *as)
{
	AtEOXact_GUC(true, as->nestlevel);
	SetUserIdAndSecContext(as->save_userid, as->save_sec_context);
}

/* The saved plan of statement k, made on first use (as the owner). */
static SPIPlanPtr
plan_for(int k)
{
	Oid			types[15];
	int			nargs;

	if (plans[k] != NULL)
		return plans[k];

	types[0] = REGCLASSOID;
	types[1] = REGCLASSOID;
	switch (k)
	{
		case PLAN_LOAD:
		case PLAN_LIST_BEGIN:
		case PLAN_LIST_OTHER:
		case PLAN_FORGET_STATE:
		case PLAN_SEEN_LOAD:
		case PLAN_SEEN_IDS:
			nargs = 2;
			break;
		case PLAN_SEEN_SET:
			types[2] = TEXTOID;
			types[3] = TEXTOID;
			nargs = 4;
			break;
		case PLAN_FIELDS_NEWS:
			types[0] = TEXTOID;
			types[1] = TEXTOID;
			nargs = 2;
			break;
		case PLAN_FORGET_TOMBSTONES:
			nargs = 1;
			break;
		case PLAN_REWIND:
			types[2] = OIDOID;
			nargs = 3;
			break;
		case PLAN_TOMBSTONE_AMONG:
			types[1] = INT8ARRAYOID;
			nargs = 2;
			break;
		case PLAN_BEGIN:
			types[2] = REGROLEOID;
			types[3] = TEXTOID;
			types[4] = TEXTOID;
			types[5] = INT8OID;
			types[6] = TEXTOID;
			types[7] = INT8OID;
			types[8] = OIDOID;
			types[9] = TEXTOID;
			nargs = 10;
			break;
		case PLAN_CHECKPOINT:
		case PLAN_FINISH:
			memcpy(&types[2], counter_types, sizeof(counter_types));
			types[11] = TEXTOID;
			types[12] = (k == PLAN_CHECKPOINT) ? INT8OID : TEXTOID;
			nargs = 13;
			break;
		case PLAN_LIST_PROGRESS:
		case PLAN_LIST_FINISH:
			memcpy(&types[2], counter_types, sizeof(counter_types));
			types[11] = INT8OID;
			types[12] = TEXTOID;
			types[13] = TEXTOID;
			types[14] = TEXTOID;
			nargs = (k == PLAN_LIST_PROGRESS) ? 12 : 15;
			break;
		default:				/* the tombstones: target, id, stream time */
			types[1] = INT8OID;
			types[2] = INT8OID;
			nargs = 3;
			break;
	}
	plans[k] = SPI_prepare(plan_sql[k], nargs, types);
	if (plans[k] == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", plan_sql[k],
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plans[k]) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plans[k];
}

/*
 * Run statement k as the tables' owner; returns SPI_processed.  Never
 * read_only: after a commit of a sync there is no portal snapshot, and a
 * statement that is not read-only takes a snapshot of its own.
 */
static uint64
run_as_owner(int k, Datum *values, const char *nulls)
{
	AsOwner		as;
	int			rc;

	as_owner_begin(&as);
	rc = SPI_execute_plan(plan_for(k), values, nulls, false, 0);
	as_owner_end(&as);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed for \"%s\": %s", plan_sql[k],
			 SPI_result_code_string(rc));
	return SPI_processed;
}

static Datum
text_or_null(const char *s, char *null)
{
	*null = (s == NULL) ? 'n' : ' ';
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

const char *
zd_delete_mode_name(ZdDeleteMode mode)
{
	return mode == ZD_DELETE_FLAG ? "flag" : "remove";
}

/*
 * zd_sync_state_has_fields_seen
 *		Has sync_state the column fields_seen (extension version 1.1 on)?
 *		The library serves a database whose extension is not updated yet.
 */
bool
zd_sync_state_has_fields_seen(void)
{
	Oid			nsp = get_namespace_oid("zendesk_fdw", false);

	return get_attnum(get_relname_relid("sync_state", nsp), "fields_seen") != InvalidAttrNumber;
}

/* fields_seen of (source, target) into state, when the row and the column exist */
static void
load_fields_seen(Oid source, Oid target, ZdSyncState *state)
{
	Datum		values[2] = {ObjectIdGetDatum(source), ObjectIdGetDatum(target)};
	MemoryContext caller_cxt = CurrentMemoryContext;
	char	   *text;

	if (!zd_sync_state_has_fields_seen() || run_as_owner(PLAN_SEEN_LOAD, values, NULL) == 0)
		return;
	text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	state->fields_seen = text ? MemoryContextStrdup(caller_cxt, text) : NULL;
	SPI_freetuptable(SPI_tuptable);
}

/*
 * zd_sync_state_load
 *		The row of (source, target), copied into the current memory context
 *		(state->found is false when there is none).
 */
void
zd_sync_state_load(Oid source, Oid target, ZdSyncState *state)
{
	Datum		values[2] = {ObjectIdGetDatum(source), ObjectIdGetDatum(target)};
	MemoryContext caller_cxt = CurrentMemoryContext;
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;
	MemoryContext old;

	memset(state, 0, sizeof(*state));
	if (run_as_owner(PLAN_LOAD, values, NULL) == 0)
		return;

	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	old = MemoryContextSwitchTo(caller_cxt);
	state->found = true;
	state->owner = DatumGetObjectId(SPI_getbinval(tuple, desc, 1, &isnull));
	state->resource = SPI_getvalue(tuple, desc, 2);
	state->delete_mode = strcmp(SPI_getvalue(tuple, desc, 3), "flag") == 0 ?
		ZD_DELETE_FLAG : ZD_DELETE_REMOVE;
	d = SPI_getbinval(tuple, desc, 4, &isnull);
	state->has_start_time = !isnull;
	state->start_time = isnull ? 0 : DatumGetInt64(d);
	state->after_cursor = SPI_getvalue(tuple, desc, 5);
	d = SPI_getbinval(tuple, desc, 6, &isnull);
	state->has_recovery_time = !isnull;
	state->recovery_time = isnull ? 0 : DatumGetInt64(d);
	d = SPI_getbinval(tuple, desc, 7, &isnull);
	state->target_relfilenode = isnull ? InvalidOid : DatumGetObjectId(d);
	state->status = SPI_getvalue(tuple, desc, 8);
	d = SPI_getbinval(tuple, desc, 9, &isnull);
	state->pid = isnull ? 0 : DatumGetInt32(d);
	state->fields_fingerprint = SPI_getvalue(tuple, desc, 10);
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
	load_fields_seen(source, target, state);
}

/*
 * zd_sync_state_set_fields_seen
 *		Record the custom fields a run saw (a jsonb array's text), each
 *		marked "new" when no column maps it and it was not in the first list
 *		recorded (before: the list the last run recorded, or NULL).
 */
void
zd_sync_state_set_fields_seen(Oid source, Oid target, const char *fields_seen,
							  const char *before)
{
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};

	values[0] = ObjectIdGetDatum(source);
	values[1] = ObjectIdGetDatum(target);
	values[2] = CStringGetTextDatum(fields_seen);
	values[3] = text_or_null(before, &nulls[3]);
	run_as_owner(PLAN_SEEN_SET, values, nulls);
}

/*
 * zd_sync_state_fields_known
 *		The fields the last run of (source, target) recorded, for
 *		add_columns: known->baseline is false when there is no such list (no
 *		run yet, or none since the update from 1.0); else known->ids holds
 *		their ids and known->is_new whether each is marked new.
 */
void
zd_sync_state_fields_known(Oid source, Oid target, ZdFieldsKnown *known)
{
	Datum		values[2] = {ObjectIdGetDatum(source), ObjectIdGetDatum(target)};
	MemoryContext caller_cxt = CurrentMemoryContext;
	uint64		n;

	memset(known, 0, sizeof(*known));
	if (!OidIsValid(target) || !zd_sync_state_has_fields_seen())
		return;
	n = run_as_owner(PLAN_SEEN_IDS, values, NULL);
	/* one row with a null id stands for an empty list */
	known->baseline = n > 0;
	known->ids = MemoryContextAlloc(caller_cxt, sizeof(int64) * Max(n, 1));
	known->is_new = MemoryContextAlloc(caller_cxt, sizeof(bool) * Max(n, 1));
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		id = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		if (isnull)
			continue;
		known->ids[known->n] = DatumGetInt64(id);
		known->is_new[known->n++] = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[i],
															   SPI_tuptable->tupdesc, 2, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * zd_sync_state_fields_news
 *		The additive changes from the fields seen before to those seen now:
 *		fields not listed before, fields whose options changed; NULL when
 *		none.  *unmapped: is one of the new fields mapped by no column?  In
 *		the current memory context.
 */
char *
zd_sync_state_fields_news(const char *before, const char *now, bool *unmapped)
{
	Datum		values[2];
	MemoryContext caller_cxt = CurrentMemoryContext;
	char	   *news;
	bool		isnull;

	values[0] = CStringGetTextDatum(now);
	values[1] = CStringGetTextDatum(before);
	run_as_owner(PLAN_FIELDS_NEWS, values, NULL);
	news = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	news = news ? MemoryContextStrdup(caller_cxt, news) : NULL;
	*unmapped = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2,
										   &isnull));
	SPI_freetuptable(SPI_tuptable);
	return news;
}

/*
 * zd_sync_state_begin_run
 *		Write the row a run starts from: status running, this backend's PID,
 *		counters zero, and the position the run will resume from.
 */
void
zd_sync_state_begin_run(Oid source, Oid target, const ZdSyncState *state,
						const char *resource)
{
	Datum		values[10];
	char		nulls[10];

	memset(nulls, ' ', sizeof(nulls));
	values[0] = ObjectIdGetDatum(source);
	values[1] = ObjectIdGetDatum(target);
	values[2] = ObjectIdGetDatum(state->owner);
	values[3] = CStringGetTextDatum(resource);
	values[4] = CStringGetTextDatum(zd_delete_mode_name(state->delete_mode));
	values[5] = Int64GetDatum(state->start_time);
	nulls[5] = state->has_start_time ? ' ' : 'n';
	values[6] = text_or_null(state->after_cursor, &nulls[6]);
	values[7] = Int64GetDatum(state->recovery_time);
	nulls[7] = state->has_recovery_time ? ' ' : 'n';
	values[8] = ObjectIdGetDatum(state->target_relfilenode);
	values[9] = text_or_null(state->fields_fingerprint, &nulls[9]);
	run_as_owner(PLAN_BEGIN, values, nulls);
}

static void
counter_values(Oid source, Oid target, const ZdSyncCounters *c, Datum *values)
{
	values[0] = ObjectIdGetDatum(source);
	values[1] = ObjectIdGetDatum(target);
	values[2] = Int64GetDatum(c->pages);
	values[3] = Int64GetDatum(c->rows_inserted);
	values[4] = Int64GetDatum(c->rows_updated);
	values[5] = Int64GetDatum(c->rows_deleted);
	values[6] = Int64GetDatum(c->rows_quarantined);
	values[7] = Int64GetDatum(c->requests);
	values[8] = Int64GetDatum(c->rate_limited);
	values[9] = Int64GetDatum(c->retries);
	values[10] = Float8GetDatum(c->seconds_waited);
}

/*
 * zd_sync_state_checkpoint
 *		The position after a page (after_cursor NULL keeps the stored one)
 *		and the counters so far.
 */
void
zd_sync_state_checkpoint(Oid source, Oid target, const char *after_cursor,
						 int64 recovery_time, const ZdSyncCounters *counters)
{
	Datum		values[13];
	char		nulls[13];

	memset(nulls, ' ', sizeof(nulls));
	counter_values(source, target, counters, values);
	values[11] = text_or_null(after_cursor, &nulls[11]);
	values[12] = Int64GetDatum(recovery_time);
	if (run_as_owner(PLAN_CHECKPOINT, values, nulls) != 1)
		elog(ERROR, "the sync_state row of the sync went missing");
}

/*
 * zd_sync_state_finish
 *		The end of a run: its status (done or failed), error and counters.
 */
void
zd_sync_state_finish(Oid source, Oid target, const char *status,
					 const char *error, const ZdSyncCounters *counters)
{
	Datum		values[13];
	char		nulls[13];

	memset(nulls, ' ', sizeof(nulls));
	counter_values(source, target, counters, values);
	values[11] = CStringGetTextDatum(status);
	values[12] = text_or_null(error, &nulls[12]);
	run_as_owner(PLAN_FINISH, values, nulls);
}

/*
 * zd_sync_state_check_lists
 *		A mirror of a standard list records its counts in columns of
 *		sync_state that came with version 1.2.
 */
void
zd_sync_state_check_lists(const char *resource)
{
	Oid			nsp = get_namespace_oid("zendesk_fdw", false);

	if (get_attnum(get_relname_relid("sync_state", nsp), "rows_listed") == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a mirror of Zendesk %s needs version 1.2 of extension \"zendesk_fdw\"",
						resource),
				 errdetail("Its runs are recorded in columns of zendesk_fdw.sync_state that version 1.2 adds."),
				 errhint("Update the extension: ALTER EXTENSION zendesk_fdw UPDATE.")));
}

/*
 * zd_sync_state_other_source
 *		Another source synced into target (by any role: read as the
 *		extension's owner), as text, or NULL: a list's mirror must be its
 *		alone, since each run deletes what the list does not hold.
 */
char *
zd_sync_state_other_source(Oid source, Oid target)
{
	Datum		values[2] = {ObjectIdGetDatum(source), ObjectIdGetDatum(target)};
	bool		isnull;
	Datum		other;

	if (run_as_owner(PLAN_LIST_OTHER, values, NULL) == 0)
		return NULL;
	other = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? NULL : TextDatumGetCString(other);
}

/*
 * zd_sync_state_begin_listing
 *		After zd_sync_state_begin_run, for a standard list: no record listed
 *		yet, and no note.
 */
void
zd_sync_state_begin_listing(Oid source, Oid target)
{
	Datum		values[2] = {ObjectIdGetDatum(source), ObjectIdGetDatum(target)};

	run_as_owner(PLAN_LIST_BEGIN, values, NULL);
}

/*
 * zd_sync_state_listed
 *		The counters after a page of a standard list; no checkpoint, which a
 *		listing does not have.
 */
void
zd_sync_state_listed(Oid source, Oid target, const ZdSyncCounters *counters)
{
	Datum		values[12];

	counter_values(source, target, counters, values);
	values[11] = Int64GetDatum(counters->rows_listed);
	if (run_as_owner(PLAN_LIST_PROGRESS, values, NULL) != 1)
		elog(ERROR, "the sync_state row of the sync went missing");
}

/*
 * zd_sync_state_finish_listing
 *		The end of a run of a standard list: zd_sync_state_finish, the rows
 *		listed, and a note (the plan lacks the list) or NULL.
 */
void
zd_sync_state_finish_listing(Oid source, Oid target, const char *status, const char *error,
							 const char *note, const ZdSyncCounters *counters)
{
	Datum		values[15];
	char		nulls[15];

	memset(nulls, ' ', sizeof(nulls));
	counter_values(source, target, counters, values);
	values[11] = Int64GetDatum(counters->rows_listed);
	values[12] = CStringGetTextDatum(status);
	values[13] = text_or_null(error, &nulls[13]);
	values[14] = text_or_null(note, &nulls[14]);
	run_as_owner(PLAN_LIST_FINISH, values, nulls);
}

/*
 * zd_sync_state_forget
 *		Remove the row of (source, target), and the target's tombstones
 *		unless another sync writes the target.  Returns whether there was a
 *		row.
 */
bool
zd_sync_state_forget(Oid source, Oid target)
{
	Datum		values[2] = {ObjectIdGetDatum(source), ObjectIdGetDatum(target)};
	bool		found = run_as_owner(PLAN_FORGET_STATE, values, NULL) > 0;

	run_as_owner(PLAN_FORGET_TOMBSTONES, &values[1], NULL);
	return found;
}

/*
 * zd_sync_state_rewind
 *		The target has a new storage (relfilenode): the checkpoint of
 *		(source, target) is cleared, the next page starts from the start.
 */
void
zd_sync_state_rewind(Oid source, Oid target, Oid relfilenode)
{
	Datum		values[3] = {ObjectIdGetDatum(source), ObjectIdGetDatum(target),
	ObjectIdGetDatum(relfilenode)};

	if (run_as_owner(PLAN_REWIND, values, NULL) != 1)
		elog(ERROR, "the sync_state row of the sync went missing");
}

/*
 * zd_sync_tombstone_blocks
 *		Is id removed from target by a deletion newer than stream_time?  A
 *		tombstone this version outdates (a restore) is cleared.
 */
bool
zd_sync_tombstone_blocks(Oid target, int64 id, int64 stream_time)
{
	Datum		values[3] = {ObjectIdGetDatum(target), Int64GetDatum(id),
	Int64GetDatum(stream_time)};
	bool		isnull;
	bool		blocks;

	run_as_owner(PLAN_TOMBSTONE_BLOCKS, values, NULL);
	blocks = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
										1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return blocks;
}

/*
 * zd_sync_tombstoned
 *		Which of the n ids have a tombstone in target: an ascending array
 *		in the current memory context, *nfound long.  One query per page,
 *		so that the records without one cost no lookup of their own.
 */
int64 *
zd_sync_tombstoned(Oid target, const int64 *ids, int n, int *nfound)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	Datum		values[2];
	int64	   *found;
	uint64		count;

	for (int i = 0; i < n; i++)
		elems[i] = Int64GetDatum(ids[i]);
	values[0] = ObjectIdGetDatum(target);
	values[1] = PointerGetDatum(construct_array(elems, n, INT8OID, sizeof(int64),
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	count = run_as_owner(PLAN_TOMBSTONE_AMONG, values, NULL);
	found = MemoryContextAlloc(caller_cxt, sizeof(int64) * Max(count, 1));
	for (uint64 i = 0; i < count; i++)
	{
		bool		isnull;

		found[i] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
											   1, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);
	MemoryContextSwitchTo(caller_cxt);
	*nfound = (int) count;
	return found;
}

/*
 * zd_sync_tombstone_set
 *		Remember that id was removed from target at stream_time.
 */
void
zd_sync_tombstone_set(Oid target, int64 id, int64 stream_time)
{
	Datum		values[3] = {ObjectIdGetDatum(target), Int64GetDatum(id),
	Int64GetDatum(stream_time)};

	run_as_owner(PLAN_TOMBSTONE_SET, values, NULL);
}

/*
 * zd_sync_state_free_plans
 *		Free the saved plans (at the end of a run, on every path).
 */
void
zd_sync_state_free_plans(void)
{
	for (int k = 0; k < NUM_PLANS; k++)
	{
		if (plans[k] != NULL)
			SPI_freeplan(plans[k]);
		plans[k] = NULL;
	}
}
