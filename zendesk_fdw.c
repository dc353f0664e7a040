/*-------------------------------------------------------------------------
 *
 * zendesk_fdw.c
 *		  Foreign data wrapper for the Zendesk Support API: the FDW callbacks.
 *
 * This file holds the module's entry points (_PG_init, the handler and the
 * validator) and the FdwRoutine callbacks, which translate between the
 * executor and the scan layer (src/zd_scan.c).  No HTTP at plan time or in
 * plain EXPLAIN: the first request is only described, and made when the
 * first row is asked for.
 *
 * IDENTIFICATION
 *		  zendesk_fdw.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include <curl/curl.h>

#include "access/reloptions.h"
#include "access/table.h"
#include "commands/explain.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "utils/guc.h"
#include "utils/rel.h"

#include "zendesk_fdw.h"
#include "zd_columns.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Row estimate of a table without statistics. */
#define ZD_DEFAULT_ROWS 1000
/* Planner cost of one Zendesk request, in sequential-page units. */
#define ZD_REQUEST_COST 1000.0

/* Indexes of the List in ForeignScan.fdw_private */
enum ZdScanPrivateIndex
{
	ZdScanPrivateRequest		/* "GET <path>" of the first request */
};

typedef struct ZdScanState
{
	ZdScan	   *scan;
} ZdScanState;

PG_FUNCTION_INFO_V1(zendesk_fdw_handler);
PG_FUNCTION_INFO_V1(zendesk_fdw_validator);

static void zdGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
								Oid foreigntableid);
static void zdGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
							  Oid foreigntableid);
static ForeignScan *zdGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel,
									 Oid foreigntableid, ForeignPath *best_path,
									 List *tlist, List *scan_clauses,
									 Plan *outer_plan);
static void zdExplainForeignScan(ForeignScanState *node, ExplainState *es);
static void zdBeginForeignScan(ForeignScanState *node, int eflags);
static TupleTableSlot *zdIterateForeignScan(ForeignScanState *node);
static void zdReScanForeignScan(ForeignScanState *node);
static void zdEndForeignScan(ForeignScanState *node);
static List *zdImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid);

/*
 * _PG_init
 *		Module load: libcurl's global state, once per backend.
 */
void
_PG_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not initialize libcurl")));
	zd_pacing_init();
	MarkGUCPrefixReserved("zendesk_fdw");
}

Datum
zendesk_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = zdGetForeignRelSize;
	routine->GetForeignPaths = zdGetForeignPaths;
	routine->GetForeignPlan = zdGetForeignPlan;
	routine->ExplainForeignScan = zdExplainForeignScan;
	routine->BeginForeignScan = zdBeginForeignScan;
	routine->IterateForeignScan = zdIterateForeignScan;
	routine->ReScanForeignScan = zdReScanForeignScan;
	routine->EndForeignScan = zdEndForeignScan;
	routine->ImportForeignSchema = zdImportForeignSchema;

	PG_RETURN_POINTER(routine);
}

/*
 * zendesk_fdw_validator
 *		Check the options of a server, user mapping, foreign table or column.
 */
Datum
zendesk_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);

	zd_validate_options(options, catalog);
	PG_RETURN_VOID();
}

/*
 * zdGetForeignRelSize
 *		Row estimate; reads the options (no credentials, no HTTP) so that a
 *		table without a valid resource fails at plan time.
 */
static void
zdGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	ZdOptions  *options = zd_get_options(foreigntableid, false);
	Relation	rel = table_open(foreigntableid, NoLock);
	int			ncolumns;

	/* a column the resource cannot fill is an error now, not NULLs later */
	(void) zd_columns_plan(rel, options->resource, &ncolumns);
	table_close(rel, NoLock);

	baserel->fdw_private = options;
	baserel->rows = ZD_DEFAULT_ROWS;
}

/*
 * zdGetForeignPaths
 *		One path: the full incremental export.
 */
static void
zdGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	ZdOptions  *options = baserel->fdw_private;
	double		requests = ceil(baserel->rows / options->page_size) + 1;
	Cost		startup_cost = ZD_REQUEST_COST;
	Cost		total_cost = requests * ZD_REQUEST_COST +
		baserel->rows * cpu_tuple_cost * 10;

	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel, NULL, baserel->rows,
									 startup_cost, total_cost,
									 NIL, NULL, NULL, NIL));
}

static ForeignScan *
zdGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
				 ForeignPath *best_path, List *tlist, List *scan_clauses,
				 Plan *outer_plan)
{
	ZdOptions  *options = baserel->fdw_private;
	List	   *fdw_private;

	/* Every clause is checked locally. */
	scan_clauses = extract_actual_clauses(scan_clauses, false);
	fdw_private = list_make1(makeString(zd_scan_first_request(options)));

	return make_foreignscan(tlist, scan_clauses, baserel->relid, NIL,
							fdw_private, NIL, NIL, outer_plan);
}

static void
zdExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	const char *request = strVal(list_nth(plan->fdw_private, ZdScanPrivateRequest));

	ExplainPropertyText("Zendesk", request, es);

	if (es->analyze && node->fdw_state != NULL)
	{
		ZdScanState *state = node->fdw_state;
		ZdRequestStats stats;
		long		pages;
		int64		skipped;

		zd_scan_report(state->scan, &stats, &pages, &skipped);
		ExplainPropertyInteger("Zendesk Export Requests", NULL, stats.requests_export, es);
		ExplainPropertyInteger("Zendesk Standard Requests", NULL, stats.requests_standard, es);
		ExplainPropertyInteger("Zendesk Pages", NULL, pages, es);
		ExplainPropertyInteger("Zendesk Repeats Skipped", NULL, skipped, es);
		ExplainPropertyInteger("Zendesk 429 Responses", NULL, stats.rate_limited, es);
		ExplainPropertyInteger("Zendesk Retries", NULL, stats.retries, es);
		/* these vary from run to run */
		if (es->costs)
		{
			ExplainPropertyInteger("Zendesk Bytes Received", "bytes", stats.bytes, es);
			ExplainPropertyInteger("Zendesk Time Waited", "ms", stats.waited_ms, es);
		}
	}
}

static void
zdBeginForeignScan(ForeignScanState *node, int eflags)
{
	Relation	rel = node->ss.ss_currentRelation;
	ZdScanState *state;
	ZdOptions  *options;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	options = zd_get_options(RelationGetRelid(rel), true);
	state = palloc0(sizeof(ZdScanState));
	state->scan = zd_scan_begin(options, rel);
	node->fdw_state = state;
}

static TupleTableSlot *
zdIterateForeignScan(ForeignScanState *node)
{
	ZdScanState *state = node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;

	ExecClearTuple(slot);
	if (zd_scan_next(state->scan, slot->tts_values, slot->tts_isnull))
		ExecStoreVirtualTuple(slot);
	return slot;
}

static void
zdReScanForeignScan(ForeignScanState *node)
{
	ZdScanState *state = node->fdw_state;

	zd_scan_restart(state->scan);
}

static void
zdEndForeignScan(ForeignScanState *node)
{
	ZdScanState *state = node->fdw_state;

	if (state != NULL)
		zd_scan_end(state->scan);
}

static List *
zdImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	return zd_import_foreign_schema(stmt, serverOid);
}
