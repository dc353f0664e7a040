/*-------------------------------------------------------------------------
 *
 * zendesk_fdw.c
 *		  Foreign data wrapper for the Zendesk Support API: the FDW callbacks.
 *
 * This file holds the module's entry points (_PG_init, the handler and the
 * validator) and the FdwRoutine callbacks, which translate between the
 * executor and the scan layer (src/fdw/zd_scan.c).  No HTTP at plan time or in
 * plain EXPLAIN: the first request is only described, and made when the
 * first row is asked for.  Only the columns the query reads are converted
 * from the records (the plan's retrieved attrs); the others stay NULL.
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
#include "access/sysattr.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "access/table.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/tuplestore.h"

#include "fdw/zendesk_fdw.h"
#include "fdw/zd_tokens.h"
#include "fdw/zd_columns.h"
#include "client/zd_lookup.h"
#include "fdw/zd_plan.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Row estimate of a table without statistics or a "rows" option. */
#define ZD_DEFAULT_ROWS 1000
/*
 * Planner costs of requests, in sequential-page units: an export request
 * draws on a quota of about ten a minute, a standard one on a far larger one,
 * so the planner prefers any number of lookups it can afford to an export.
 */
#define ZD_EXPORT_REQUEST_COST 10000.0
#define ZD_STANDARD_REQUEST_COST 100.0
/* Planner cost of converting one record. */
#define ZD_RECORD_COST (cpu_tuple_cost * 10)

/* What the planner learns about a foreign table (baserel->fdw_private). */
typedef struct ZdRelInfo
{
	ZdOptions  *options;
	ZdColumn   *columns;
	int			ncolumns;
	ZdPushdown	push;			/* of the restriction clauses */
	double		table_rows;		/* records in Zendesk */
	bool		rows_known;		/* from ANALYZE or the rows option */
	double		stream_fraction;	/* share of the stream the bounds keep */
} ZdRelInfo;

/* Indexes of the List in ForeignScan.fdw_private */
enum ZdScanPrivateIndex
{
	ZdPrivateRequest,			/* "GET <path>" of the first request */
	ZdPrivateKinds,				/* ZdPushKind of each fdw_exprs value */
	ZdPrivateExportRequests,	/* estimated export requests */
	ZdPrivateStandardRequests,	/* estimated standard requests */
	ZdPrivatePerPage,			/* per_page of the export, page[size] of a list */
	ZdPrivateRowsKnown,			/* the estimate rests on statistics */
	ZdPrivateStreamFraction,	/* share of the stream the bounds keep */
	ZdPrivateRetrievedAttrs		/* integer List: attnums the query reads */
};

typedef struct ZdScanState
{
	ZdScan	   *scan;			/* NULL until the first request is due */
	ZdOptions  *options;
	List	   *retrieved_attrs;	/* the columns converted; others stay NULL */
	List	   *value_states;	/* ExprStates of fdw_exprs */
	List	   *kinds;
	bool		spec_ready;		/* spec worked out for this pass */
	bool		no_request;		/* the values admit no row */
	ZdScanSpec	spec;
	double		export_requests;	/* planner's estimates */
	double		standard_requests;
	bool		rows_known;
	double		stream_fraction;
	int			per_page;

	/* rescans with unchanged values replay what was read */
	Tuplestorestate *cache;		/* NULL unless the scan may be read again */
	TupleTableSlot *cache_slot; /* what a replay reads from the cache */
	bool		cache_complete; /* the cache holds the whole answer */
	bool		replaying;
	bool		have_previous;	/* previous pass's spec, to compare */
	ZdScanSpec	previous;
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
static bool zdAnalyzeForeignTable(Relation relation, AcquireSampleRowsFunc *func,
								  BlockNumber *totalpages);

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
	zd_tokens_init();			/* zd_tokens.c: the shared OAuth token pairs */
	zd_guard_init();
	zd_options_init();		/* zd_options.c: the server-options event trigger */
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
	routine->AnalyzeForeignTable = zdAnalyzeForeignTable;

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
 *		Row estimate from statistics (ANALYZE), the "rows" option or a
 *		default, and the clauses that become part of the Zendesk request.
 *		Reads the options (no credentials, no HTTP), so that a table without
 *		a valid resource or with a column the resource cannot fill fails now.
 */
static void
zdGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	ZdRelInfo  *info = palloc0(sizeof(ZdRelInfo));
	Relation	rel = table_open(foreigntableid, NoLock);
	List	   *bounds = NIL;
	ListCell   *lc;
	ListCell   *lk;

	info->options = zd_get_options(foreigntableid, false);
	info->columns = zd_columns_plan(rel, info->options->resource, &info->ncolumns);
	if (rel->rd_rel->reltuples >= 0)
	{
		info->table_rows = rel->rd_rel->reltuples;
		info->rows_known = true;
	}
	else if (info->options->rows >= 0)
	{
		info->table_rows = info->options->rows;
		info->rows_known = true;
	}
	else
		info->table_rows = info->options->resource->typical_rows > 0 ?
			info->options->resource->typical_rows : ZD_DEFAULT_ROWS;
	table_close(rel, NoLock);

	zd_pushdown_classify(root, baserel, info->options, info->columns, info->ncolumns,
						 baserel->baserestrictinfo, true, &info->push);
	forboth(lc, info->push.clauses, lk, info->push.kinds)
		if (lfirst_int(lk) == ZD_PUSH_LOWER || lfirst_int(lk) == ZD_PUSH_UPPER)
			bounds = lappend(bounds, lfirst(lc));
	info->stream_fraction = clauselist_selectivity(root, bounds, baserel->relid,
												   JOIN_INNER, NULL);

	baserel->fdw_private = info;
	baserel->tuples = info->table_rows;
	baserel->rows = info->table_rows *
		clauselist_selectivity(root, baserel->baserestrictinfo, baserel->relid,
							   JOIN_INNER, NULL);
	/* ids are unique: a lookup returns at most one row per id */
	if (info->push.lookup)
		baserel->rows = Min(baserel->rows,
							zd_pushdown_lookup_ids(info->push.exprs, info->push.kinds));
	baserel->rows = clamp_row_est(baserel->rows);
}

/*
 * export_requests_for
 *		Export requests to read rows records, per_page a page: the last page,
 *		even if full, is followed by one that says end_of_stream.  A per_page
 *		shrunk to a LIMIT reads one page.
 */
static double
export_requests_for(double rows, int per_page, const ZdOptions *options)
{
	if (per_page < options->page_size)
		return 1;
	return floor(rows / per_page) + 1;
}

/* page[size] of a standard list's listing: the server's page_size, at most 100 */
static int
list_page_size(const ZdOptions *options)
{
	return Min(options->page_size, ZD_LIST_MAX_PAGE_SIZE);
}

/*
 * list_requests_for
 *		Standard requests to list rows records of a standard list in
 *		listings listings (the values of a filter; 1 without): each one
 *		answer unpaginated, else a page of list_page_size a request (a
 *		per_page shrunk to a LIMIT reads one page).  Cursor pages end on
 *		has_more false, so a last full page needs no empty one after it.
 */
static double
list_requests_for(double rows, int per_page, const ZdOptions *options, double listings)
{
	listings = Max(listings, 1);
	if (!options->resource->list_paged || per_page < list_page_size(options))
		return listings;
	return listings * Max(ceil(rows / listings / list_page_size(options)), 1);
}

/*
 * limit_per_page
 *		per_page of a cursor export (page[size] of a paginated list), shrunk
 *		to the query's LIMIT when the planner knows it applies to this scan's
 *		rows as they come: one table, no clause (a filter could need more
 *		rows), no ORDER BY.  Grouping, aggregates and set-returning functions
 *		already leave limit_tuples -1.
 */
static int
limit_per_page(PlannerInfo *root, RelOptInfo *baserel, const ZdOptions *options)
{
	int			ceiling = options->resource->stream == ZD_STREAM_LIST ?
		list_page_size(options) : options->page_size;

	if (root->limit_tuples > 0 && root->limit_tuples < ceiling &&
		(options->resource->stream == ZD_STREAM_CURSOR ||
		 (options->resource->stream == ZD_STREAM_LIST && options->resource->list_paged)) &&
		baserel->baserestrictinfo == NIL &&
		bms_membership(root->all_baserels) == BMS_SINGLETON &&
		root->parse->sortClause == NIL)
		return (int) root->limit_tuples;
	return options->page_size;
}

/* Does this equivalence member stand for the table's id column, or a key
 * the resource has a filtered listing by? */
static bool
ec_member_is_id(PlannerInfo *root, RelOptInfo *baserel, EquivalenceClass *ec,
				EquivalenceMember *em, void *arg)
{
	ZdRelInfo  *info = arg;
	Node	   *expr = (Node *) em->em_expr;

	if (IsA(expr, RelabelType))
		expr = (Node *) ((RelabelType *) expr)->arg;
	if (!IsA(expr, Var) || ((Var *) expr)->varno != (int) baserel->relid ||
		((Var *) expr)->varattno <= 0)
		return false;
	for (int i = 0; i < info->ncolumns; i++)
	{
		const ZdColumn *col = &info->columns[i];

		if (col->index != ((Var *) expr)->varattno - 1)
			continue;
		if (col->source != ZD_SRC_KEY)
			return false;
		return strcmp(col->key, info->options->resource->lookup_id_key ?
					  info->options->resource->lookup_id_key : "id") == 0 ||
			zd_resource_filter(info->options->resource, col->key) != NULL;
	}
	return false;
}

/*
 * path_private
 *		A path's fdw_private: per_page, and whether id clauses become
 *		lookups (a standard list also has a path that lists instead).
 */
static List *
path_private(int per_page, bool lookups)
{
	return list_make2(makeInteger(per_page), makeBoolean(lookups));
}

/*
 * Add a path parameterized by the relations of a join clause on id (a
 * lookup per outer row) or on a filter key (a filtered listing per row).
 */
static void
add_lookup_path(PlannerInfo *root, RelOptInfo *baserel, RestrictInfo *rinfo,
				List **seen)
{
	ZdRelInfo  *info = baserel->fdw_private;
	Relids		required_outer = bms_union(bms_difference(rinfo->clause_relids,
														  baserel->relids),
										   baserel->lateral_relids);
	ParamPathInfo *param_info;
	ListCell   *lc;

	if (bms_is_empty(required_outer) || bms_overlap(required_outer, baserel->relids))
		return;
	foreach(lc, *seen)
		if (bms_equal(lfirst(lc), required_outer))
			return;
	*seen = lappend(*seen, required_outer);

	param_info = get_baserel_parampathinfo(root, baserel, required_outer);
	/*
	 * per outer row, one lookup request, or the pages of one filtered
	 * listing: costed per execution
	 */
	add_path(baserel, (Path *)
			 zd_create_foreignscan_path(root, baserel, NULL, param_info->ppi_rows,
										ZD_STANDARD_REQUEST_COST,
										Max(ceil(param_info->ppi_rows /
												 list_page_size(info->options)), 1) *
										ZD_STANDARD_REQUEST_COST +
										param_info->ppi_rows * ZD_RECORD_COST,
										NIL, required_outer, NULL,
										path_private(limit_per_page(root, baserel, info->options),
													 true)));
}

/*
 * listed_rows
 *		Records a standard list's listing reads: the whole list, or the
 *		rows of the filtered listing push asks for.
 */
static double
listed_rows(PlannerInfo *root, RelOptInfo *baserel, ZdRelInfo *info, ZdPushdown *push)
{
	List	   *filters = NIL;
	ListCell   *lc;
	ListCell   *lk;

	if (!push->filter)
		return info->table_rows;
	forboth(lc, push->clauses, lk, push->kinds)
		if (lfirst_int(lk) >= ZD_PUSH_FILTER)
			filters = lappend(filters, lfirst(lc));
	return clamp_row_est(info->table_rows *
						 clauselist_selectivity(root, filters, baserel->relid,
												JOIN_INNER, NULL));
}

static void add_param_paths(PlannerInfo *root, RelOptInfo *baserel, ZdRelInfo *info);

/*
 * zdGetForeignPaths
 *		The scan the restriction clauses allow (an export from the bounds,
 *		a standard list's listing, or lookups; on a list, lookups and the
 *		listing both, for the cost to choose), and paths parameterized by
 *		join clauses on id (lookups) or on a filter key (filtered listings).
 */
static void
zdGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	ZdRelInfo  *info = baserel->fdw_private;
	int			per_page = limit_per_page(root, baserel, info->options);
	Cost		startup_cost;
	Cost		total_cost;

	if (info->push.lookup)
	{
		double		requests = zd_lookup_requests(info->options->resource,
												 zd_pushdown_lookup_ids(info->push.exprs,
																		 info->push.kinds));

		startup_cost = ZD_STANDARD_REQUEST_COST;
		total_cost = requests * ZD_STANDARD_REQUEST_COST + baserel->rows * ZD_RECORD_COST;
	}
	else if (info->options->resource->stream == ZD_STREAM_LIST)
	{
		double		listed = listed_rows(root, baserel, info, &info->push);

		startup_cost = ZD_STANDARD_REQUEST_COST;
		total_cost = list_requests_for(listed, per_page, info->options,
									   zd_pushdown_filter_values(info->push.exprs,
																 info->push.kinds)) *
			ZD_STANDARD_REQUEST_COST + listed * ZD_RECORD_COST;
	}
	else
	{
		double		stream_rows = info->table_rows * info->stream_fraction;

		startup_cost = ZD_EXPORT_REQUEST_COST;
		total_cost = export_requests_for(stream_rows, per_page, info->options) *
			ZD_EXPORT_REQUEST_COST +
			stream_rows * ZD_RECORD_COST;
	}
	/* a list read only by its filter (ticket audits) has no whole listing */
	if (!(info->options->resource->stream == ZD_STREAM_LIST &&
		  info->options->resource->list_path == NULL && !info->push.filter))
		add_path(baserel, (Path *)
				 zd_create_foreignscan_path(root, baserel, NULL, baserel->rows,
											startup_cost, total_cost,
											NIL, baserel->lateral_relids, NULL,
											path_private(per_page, true)));

	/*
	 * A list's lookups are one request an id where the show endpoint takes
	 * one: for many ids, listing (the whole list, or a filtered listing)
	 * can be cheaper.
	 */
	if (info->push.lookup && info->options->resource->stream == ZD_STREAM_LIST)
	{
		ZdPushdown	listing;
		double		listed;

		zd_pushdown_classify(root, baserel, info->options, info->columns, info->ncolumns,
							 baserel->baserestrictinfo, false, &listing);
		listed = listed_rows(root, baserel, info, &listing);
		add_path(baserel, (Path *)
				 zd_create_foreignscan_path(root, baserel, NULL, baserel->rows,
											ZD_STANDARD_REQUEST_COST,
											list_requests_for(listed, per_page, info->options,
															  zd_pushdown_filter_values(listing.exprs,
																						listing.kinds)) *
											ZD_STANDARD_REQUEST_COST + listed * ZD_RECORD_COST,
											NIL, baserel->lateral_relids, NULL,
											path_private(per_page, false)));
	}

	if (info->options->resource->lookup_path == NULL &&
		info->options->resource->filters[0].key == NULL)
		return;
	add_param_paths(root, baserel, info);
	if (baserel->pathlist == NIL)
	{
		const ZdResource *resource = info->options->resource;

		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can be read only by %s", resource->name, resource->filters[0].key),
				 errdetail("Zendesk lists %s only for one %s at a time.", resource->name,
						   resource->filters[0].key),
				 errhint("Add WHERE %s = ... or %s IN (...), or join on %s.%s",
						 resource->filters[0].key, resource->filters[0].key,
						 resource->filters[0].key,
						 strcmp(resource->name, "ticket_audits") == 0 ?
						 " For every change of every ticket, read ticket_events: Zendesk's account-wide audit list skips records and leaves out archived tickets." :
						 "")));
	}
}

/* The paths parameterized by join clauses on id or on a filter key. */
static void
add_param_paths(PlannerInfo *root, RelOptInfo *baserel, ZdRelInfo *info)
{
	List	   *seen = NIL;
	ListCell   *lc;

	foreach(lc, baserel->joininfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		if (join_clause_is_movable_to(rinfo, baserel) &&
			zd_pushdown_is_param_clause(root, baserel, info->options, info->columns,
									 info->ncolumns, rinfo))
			add_lookup_path(root, baserel, rinfo, &seen);
	}
	if (baserel->has_eclass_joins)
	{
		List	   *clauses = generate_implied_equalities_for_column(root, baserel,
																	 ec_member_is_id, info,
																	 baserel->lateral_referencers);

		foreach(lc, clauses)
		{
			RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

			if (zd_pushdown_is_param_clause(root, baserel, info->options, info->columns,
											info->ncolumns, rinfo))
				add_lookup_path(root, baserel, rinfo, &seen);
		}
	}
}

/*
 * retrieved_attrs
 *		The attnums of the columns the query reads: those of the scan's
 *		output (baserel->reltarget) and of the quals checked on its rows, as
 *		postgres_fdw's retrieved_attrs; every column for a whole-row
 *		reference.  System columns (tableoid) need no conversion.  The other
 *		columns are left NULL: a SELECT count(*) converts nothing.
 */
static List *
retrieved_attrs(RelOptInfo *baserel, List *local_exprs, ZdRelInfo *info)
{
	Bitmapset  *attrs_used = NULL;
	bool		whole_row;
	List	   *retrieved = NIL;

	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &attrs_used);
	pull_varattnos((Node *) local_exprs, baserel->relid, &attrs_used);
	whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs_used);
	for (int i = 0; i < info->ncolumns; i++)
	{
		AttrNumber	attnum = info->columns[i].index + 1;

		if (whole_row ||
			bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, attrs_used))
			retrieved = lappend_int(retrieved, attnum);
	}
	return retrieved;
}

static ForeignScan *
zdGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
				 ForeignPath *best_path, List *tlist, List *scan_clauses,
				 Plan *outer_plan)
{
	ZdRelInfo  *info = baserel->fdw_private;
	int			per_page = intVal(linitial(best_path->fdw_private));
	bool		lookups = boolVal(lsecond(best_path->fdw_private));
	ZdPushdown	push;
	ZdScanSpec	spec;
	double		export_requests = 0;
	double		standard_requests = 0;
	List	   *fdw_private;
	List	   *local_exprs = extract_actual_clauses(scan_clauses, false);

	/* scan_clauses holds the parameterized path's join clauses too */
	zd_pushdown_classify(root, baserel, info->options, info->columns, info->ncolumns,
						 scan_clauses, lookups, &push);
	zd_pushdown_plan_spec(push.exprs, push.kinds, per_page, &spec);
	if (spec.lookup)
		standard_requests = zd_lookup_requests(info->options->resource,
											   zd_pushdown_lookup_ids(push.exprs, push.kinds));
	else if (info->options->resource->stream == ZD_STREAM_LIST)
		standard_requests = list_requests_for(push.filter ? best_path->path.rows :
											  info->table_rows,
											  per_page, info->options,
											  zd_pushdown_filter_values(push.exprs, push.kinds));
	else
		export_requests = export_requests_for(info->table_rows * info->stream_fraction,
											  per_page, info->options);

	fdw_private = list_make5(makeString(zd_scan_first_request(info->options, &spec)),
							 push.kinds,
							 makeFloat(psprintf("%.0f", export_requests)),
							 makeFloat(psprintf("%.0f", standard_requests)),
							 makeInteger(per_page));
	fdw_private = lappend(fdw_private, makeBoolean(info->rows_known));
	fdw_private = lappend(fdw_private, makeFloat(psprintf("%.17g", info->stream_fraction)));
	fdw_private = lappend(fdw_private, retrieved_attrs(baserel, local_exprs, info));

	/* Every clause is checked locally, the pushed ones too. */
	return make_foreignscan(tlist, local_exprs,
							baserel->relid, push.exprs, fdw_private, NIL, NIL,
							outer_plan);
}

/* The key of the table's resource's filters[i], for EXPLAIN. */
static const char *
filter_key(ForeignScanState *node, int i)
{
	ZdOptions  *options = zd_get_options(RelationGetRelid(node->ss.ss_currentRelation), false);

	return options->resource->filters[i].key;
}

static void
zdExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	List	   *kinds = list_nth(plan->fdw_private, ZdPrivateKinds);
	double		export_requests = floatVal(list_nth(plan->fdw_private, ZdPrivateExportRequests));
	double		standard_requests = floatVal(list_nth(plan->fdw_private, ZdPrivateStandardRequests));
	List	   *context;
	ListCell   *le;
	ListCell   *lk;

	/*
	 * A Param (of a nested loop, an initplan) is shown by what sets it, found
	 * among the node's ancestors, which this callback is not given; 18's
	 * ruleutils asserts when it finds nothing.  Every pushed clause is in
	 * the node's Filter, and EXPLAIN has just shown that with a context set
	 * for this node and its ancestors: that is the one to use.
	 */
	if (plan->scan.plan.qual != NIL)
		context = es->deparse_cxt;
	else
		context = set_deparse_context_plan(es->deparse_cxt, (Plan *) plan, NIL);

	ExplainPropertyText("Zendesk", strVal(list_nth(plan->fdw_private, ZdPrivateRequest)), es);

	/* values known only when the scan starts */
	forboth(le, plan->fdw_exprs, lk, kinds)
	{
		static const char *const labels[] = {
			[ZD_PUSH_LOWER] = "Zendesk start_time from",
			[ZD_PUSH_UPPER] = "Zendesk stops after",
			[ZD_PUSH_ID] = "Zendesk id from",
			[ZD_PUSH_ID_ANY] = "Zendesk ids from"
		};
		Node	   *expr = lfirst(le);
		int			kind = lfirst_int(lk);

		if (IsA(expr, Const) && kind != ZD_PUSH_UPPER)
			continue;
		ExplainPropertyText(kind >= ZD_PUSH_FILTER ?
							psprintf("Zendesk %s from",
									 filter_key(node, kind - ZD_PUSH_FILTER)) :
							labels[kind],
							deparse_expression(expr, context, false, false), es);
	}
	if (export_requests > 0)
		ExplainPropertyFloat("Zendesk export requests (estimated)", NULL, export_requests, 0, es);
	if (standard_requests > 0)
		ExplainPropertyFloat("Zendesk standard requests (estimated)", NULL,
							 standard_requests, 0, es);

	if (es->analyze && node->fdw_state != NULL &&
		((ZdScanState *) node->fdw_state)->scan != NULL)
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

/*
 * scan_user
 *		The role a scan reads as: the one its table is checked as (a view's
 *		owner, unless the view is security_invoker), else the current user.
 */
static Oid
scan_user(ForeignScanState *node)
{
	Oid			userid = ZD_SCAN_CHECK_AS_USER(node);

	return OidIsValid(userid) ? userid : GetUserId();
}

static void
zdBeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	ZdScanState *state;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	state = palloc0(sizeof(ZdScanState));

	/*
	 * The credentials of the role the table is checked as: a view's owner
	 * when read through a view (checkAsUser), else the current user -- the
	 * user mapping postgres_fdw would choose.
	 */
	state->options = zd_get_options_as(RelationGetRelid(rel),
									   scan_user(node), true);
	state->value_states = ExecInitExprList(plan->fdw_exprs, (PlanState *) node);
	state->kinds = list_nth(plan->fdw_private, ZdPrivateKinds);
	state->export_requests = floatVal(list_nth(plan->fdw_private, ZdPrivateExportRequests));
	state->standard_requests = floatVal(list_nth(plan->fdw_private, ZdPrivateStandardRequests));
	state->per_page = intVal(list_nth(plan->fdw_private, ZdPrivatePerPage));
	state->rows_known = boolVal(list_nth(plan->fdw_private, ZdPrivateRowsKnown));
	state->stream_fraction = floatVal(list_nth(plan->fdw_private, ZdPrivateStreamFraction));
	state->retrieved_attrs = list_nth(plan->fdw_private, ZdPrivateRetrievedAttrs);
	/*
	 * Keep what is read when the scan may be read again: the plan asks for
	 * rewinds, or depends on values from outside (a correlated subquery, a
	 * join) that may change without changing what is asked of Zendesk.
	 */
	if ((eflags & EXEC_FLAG_REWIND) || !bms_is_empty(plan->scan.plan.extParam))
	{
		state->cache = tuplestore_begin_heap(false, false, work_mem);
		state->cache_slot = MakeSingleTupleTableSlot(RelationGetDescr(rel),
													 &TTSOpsMinimalTuple);
	}
	node->fdw_state = state;
}

static bool
same_spec(const ZdScanSpec *a, const ZdScanSpec *b)
{
	return a->lookup == b->lookup && a->start_time == b->start_time &&
		a->has_stop == b->has_stop && (!a->has_stop || a->stop_after == b->stop_after) &&
		a->per_page == b->per_page && a->nids == b->nids &&
		a->filter == b->filter && a->nfilter_values == b->nfilter_values &&
		(a->nfilter_values <= 0 ||
		 memcmp(a->filter_values, b->filter_values, sizeof(int64) * a->nfilter_values) == 0) &&
		(a->nids <= 0 || memcmp(a->ids, b->ids, sizeof(int64) * a->nids) == 0);
}

/*
 * charge_export
 *		Charge the scan's export requests to the quota guard.  Without
 *		statistics, the count endpoint (a standard request) tells how big the
 *		export is before the guard decides.
 */
static void
charge_export(ForeignScanState *node, ZdScanState *state)
{
	double		requests = state->export_requests;
	int64		count;

	if (zd_guard_limit(state->options) <= 0)
		return;
	if (!state->rows_known && state->per_page == state->options->page_size &&
		(count = zd_scan_count_for(state->scan)) >= 0)
		requests = export_requests_for(count * state->stream_fraction, state->per_page,
									   state->options);
	zd_guard_charge(state->options, requests,
					RelationGetRelationName(node->ss.ss_currentRelation), false);
}

/*
 * start_pass
 *		At the first row of a pass: evaluate the pushed values and start the
 *		requests, or replay the cache when they are what the last pass read.
 */
static void
start_pass(ForeignScanState *node, ZdScanState *state)
{
	ExprContext *econtext = node->ss.ps.ps_ExprContext;

	state->spec_ready = true;
	state->no_request = !zd_pushdown_spec(state->value_states, state->kinds, econtext,
										  state->per_page, &state->spec);
	if (state->no_request)
		return;
	if (state->have_previous && state->cache != NULL && same_spec(&state->spec, &state->previous))
	{
		tuplestore_rescan(state->cache);
		state->replaying = true;
		return;
	}
	if (state->cache != NULL)
	{
		tuplestore_clear(state->cache);
		state->cache_complete = false;
	}
	zd_scan_spec_copy(&state->previous, &state->spec, GetMemoryChunkContext(state));
	state->have_previous = true;

	/* no request yet: a count request of the guard shows in EXPLAIN ANALYZE */
	if (state->scan == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(state));

		state->scan = zd_scan_begin(state->options, node->ss.ss_currentRelation,
									state->retrieved_attrs, &state->spec);
		MemoryContextSwitchTo(old);
	}
	else
		zd_scan_restart(state->scan, &state->spec);
	if (zd_guard_limit(state->options) <= 0)
		return;
	if (state->spec.lookup)
		zd_guard_charge(state->options,
						zd_lookup_requests(state->options->resource, state->spec.nids),
						RelationGetRelationName(node->ss.ss_currentRelation), true);
	else if (state->options->resource->stream == ZD_STREAM_LIST)
		zd_guard_charge(state->options, state->standard_requests,
						RelationGetRelationName(node->ss.ss_currentRelation), true);
	else
		charge_export(node, state);
}

static TupleTableSlot *
zdIterateForeignScan(ForeignScanState *node)
{
	ZdScanState *state = node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;

	ExecClearTuple(slot);
	if (!state->spec_ready)
		start_pass(node, state);
	if (state->no_request)
		return slot;
	if (state->replaying)
	{
		/*
		 * A tuple read back from a spilled cache is palloc'd and freed by the
		 * next read: not in the per-tuple context, reset in between.
		 */
		MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(state));
		bool		found = tuplestore_gettupleslot(state->cache, true, false,
													state->cache_slot);

		MemoryContextSwitchTo(old);
		if (found)
			return ExecCopySlot(slot, state->cache_slot);
		state->replaying = false;
		if (state->cache_complete)
			return slot;
	}
	if (zd_scan_next(state->scan, slot->tts_values, slot->tts_isnull))
	{
		ExecStoreVirtualTuple(slot);
		if (state->cache != NULL)
			tuplestore_puttupleslot(state->cache, slot);
	}
	else if (state->cache != NULL)
		state->cache_complete = true;
	return slot;
}

/*
 * zdReScanForeignScan
 *		The next row starts a new pass: with the same values as the last one,
 *		it replays what that pass read (and goes on where it stopped); with
 *		new ones (a join's outer row, a correlated subquery), it asks Zendesk
 *		again.
 */
static void
zdReScanForeignScan(ForeignScanState *node)
{
	ZdScanState *state = node->fdw_state;

	state->spec_ready = false;
	state->replaying = false;
}

static void
zdEndForeignScan(ForeignScanState *node)
{
	ZdScanState *state = node->fdw_state;

	if (state == NULL)
		return;
	if (state->scan != NULL)
		zd_scan_end(state->scan);
	if (state->cache != NULL)
	{
		tuplestore_end(state->cache);
		ExecDropSingleTupleTableSlot(state->cache_slot);
	}
}

/*
 * acquire_count
 *		ANALYZE of a foreign table: no sample rows (that would be an export),
 *		only the record count from Zendesk's count endpoint, which becomes
 *		the table's reltuples.
 */
static int
acquire_count(Relation relation, int elevel, HeapTuple *rows, int targrows,
			  double *totalrows, double *totaldeadrows)
{
	/* ANALYZE runs as the table's owner: the owner's mapping */
	ZdOptions  *options = zd_get_options(RelationGetRelid(relation), true);

	*totalrows = zd_scan_count(options);
	*totaldeadrows = 0;
	ereport(elevel,
			(errmsg("\"%s\": Zendesk counts %.0f %s",
					RelationGetRelationName(relation), *totalrows,
					options->resource->name)));
	return 0;
}

static bool
zdAnalyzeForeignTable(Relation relation, AcquireSampleRowsFunc *func,
					  BlockNumber *totalpages)
{
	ZdOptions  *options = zd_get_options(RelationGetRelid(relation), false);

	if (options->resource->count_path == NULL)
		return false;			/* no count endpoint: use the rows option */
	*func = acquire_count;
	*totalpages = 1;
	return true;
}

static List *
zdImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	return zd_import_foreign_schema(stmt, serverOid);
}
