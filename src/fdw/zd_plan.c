/*-------------------------------------------------------------------------
 *
 * zd_plan.c
 *		  Pushdown: which WHERE clauses become part of the Zendesk request.
 *
 * The planner's restriction clauses are sorted into the four shapes of
 * the README's pushdown table ("What a query asks Zendesk"); anything
 * else is only checked locally (and so is everything pushed).  The safety rules:
 *
 *	- a lower bound becomes start_time only on a column the resource lists
 *	  in lower_bound_keys: a record's stream time is never earlier than its
 *	  updated_at, so nothing the query wants comes before it;
 *	- an upper bound ends the stream only on the stream's own order column
 *	  (order_key), never on ticket updated_at (which can lag
 *	  generated_timestamp) and never on ticket events (which can arrive
 *	  late, sim/README.md §3.8);
 *	- a filtered listing (the memberships of one group) only for key = value
 *	  on a key the resource lists in filters, and one key a scan: a second
 *	  key's clause, and any filter once an id clause makes it a lookup, is
 *	  checked locally only;
 *	- only built-in operators of the integer and timestamptz types, values
 *	  free of this table's columns and of volatile functions;
 *	- values are evaluated when the scan starts; a NULL one means no rows,
 *	  so no request.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_plan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/transam.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "client/zd_lookup.h"
#include "zd_plan.h"

/* The column a clause operand is, if it is one of this table's columns. */
static const ZdColumn *
column_of(Node *node, RelOptInfo *baserel, const ZdColumn *columns, int ncolumns)
{
	Var		   *var;

	if (node != NULL && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node == NULL || !IsA(node, Var))
		return NULL;
	var = (Var *) node;
	if (var->varno != (int) baserel->relid || var->varlevelsup != 0 || var->varattno <= 0)
		return NULL;
	for (int i = 0; i < ncolumns; i++)
		if (columns[i].index == var->varattno - 1)
			return &columns[i];
	return NULL;
}

/* Is the column filled from this top-level key of the record? */
static bool
column_is_key(const ZdColumn *col, const char *key)
{
	return col != NULL && col->source == ZD_SRC_KEY && key != NULL &&
		strcmp(col->key, key) == 0;
}

/* A value the scan can compute before it reads anything. */
static bool
is_pushable_value(PlannerInfo *root, RelOptInfo *baserel, Node *value)
{
	return !bms_is_member(baserel->relid, pull_varnos(root, value)) &&
		!contain_volatile_functions(value) &&
		!contain_subplans(value);
}

static bool
is_id_type(Oid type)
{
	return type == INT8OID || type == INT4OID || type == INT2OID;
}

/* A built-in equality of the integer types. */
static bool
is_integer_equality(Oid opno)
{
	return opno < FirstNormalObjectId &&
		get_op_opfamily_strategy(opno, INTEGER_BTREE_FAM_OID) == BTEqualStrategyNumber;
}

/*
 * time_comparison
 *		For a built-in timestamptz-timestamptz comparison, +1 for > and >=,
 *		-1 for < and <=, seen from the left operand; else 0.
 */
static int
time_comparison(Oid opno)
{
	Oid			left;
	Oid			right;
	char	   *name;

	if (opno >= FirstNormalObjectId)
		return 0;
	op_input_types(opno, &left, &right);
	if (left != TIMESTAMPTZOID || right != TIMESTAMPTZOID)
		return 0;
	name = get_opname(opno);
	if (strcmp(name, ">") == 0 || strcmp(name, ">=") == 0)
		return 1;
	if (strcmp(name, "<") == 0 || strcmp(name, "<=") == 0)
		return -1;
	return 0;
}

/*
 * The index in resource->filters of the key the column is filled from, when
 * a standard list has a filtered listing by it; else -1.
 */
static int
filter_of(const ZdResource *resource, const ZdColumn *col)
{
	const ZdListFilter *filter;

	if (col == NULL || col->source != ZD_SRC_KEY || resource->stream != ZD_STREAM_LIST)
		return -1;
	filter = zd_resource_filter(resource, col->key);
	return filter != NULL ? (int) (filter - resource->filters) : -1;
}

/* The key lookups are by: "id", or a ticket's metrics' "ticket_id". */
static const char *
lookup_key(const ZdResource *resource)
{
	return resource->lookup_id_key != NULL ? resource->lookup_id_key : "id";
}

static bool
is_lower_bound_key(const ZdResource *resource, const ZdColumn *col)
{
	for (size_t i = 0; i < lengthof(resource->lower_bound_keys); i++)
		if (column_is_key(col, resource->lower_bound_keys[i]))
			return true;
	return false;
}

/*
 * classify
 *		The push kind and value of one clause; false when it is only checked
 *		locally.
 */
static bool
classify(PlannerInfo *root, RelOptInfo *baserel, const ZdOptions *options,
		 const ZdColumn *columns, int ncolumns, RestrictInfo *rinfo,
		 ZdPushKind *kind, Expr **value)
{
	const ZdResource *resource = options->resource;
	Node	   *clause = (Node *) rinfo->clause;

	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) clause;
		Node	   *left = linitial(op->args);
		Node	   *right = lsecond(op->args);
		const ZdColumn *col = column_of(left, baserel, columns, ncolumns);
		Node	   *other = right;
		int			direction;

		if (col == NULL)
		{
			col = column_of(right, baserel, columns, ncolumns);
			other = left;
		}
		if (col == NULL || !is_pushable_value(root, baserel, other))
			return false;

		/* id = value: a lookup */
		if (column_is_key(col, lookup_key(resource)) && resource->lookup_path != NULL &&
			is_id_type(col->typid) && is_id_type(exprType(other)) &&
			is_integer_equality(op->opno))
		{
			/* a lookup cannot show the deleted tickets the export would */
			if (resource->has_deleted && options->include_deleted)
				return false;
			*kind = ZD_PUSH_ID;
			*value = (Expr *) other;
			return true;
		}

		/* key = value on a filtered listing's key */
		if (filter_of(resource, col) >= 0 && is_id_type(col->typid) &&
			is_id_type(exprType(other)) && is_integer_equality(op->opno))
		{
			*kind = ZD_PUSH_FILTER + filter_of(resource, col);
			*value = (Expr *) other;
			return true;
		}

		direction = time_comparison(op->opno);
		if (direction == 0 || col->typid != TIMESTAMPTZOID)
			return false;
		if (other == left)
			direction = -direction;	/* value < column: a lower bound */
		if (direction > 0 && is_lower_bound_key(resource, col))
		{
			*kind = ZD_PUSH_LOWER;
			*value = (Expr *) other;
			return true;
		}
		if (direction < 0 && column_is_key(col, resource->order_key))
		{
			*kind = ZD_PUSH_UPPER;
			*value = (Expr *) other;
			return true;
		}
		return false;
	}

	if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) clause;
		Node	   *array = lsecond(saop->args);
		const ZdColumn *col = column_of(linitial(saop->args), baserel, columns, ncolumns);
		Oid			elemtype = get_element_type(exprType(array));

		/* key = ANY (values) on a filtered listing's key: a listing each */
		if (saop->useOr && filter_of(resource, col) >= 0 &&
			is_id_type(col->typid) && is_id_type(elemtype) &&
			is_integer_equality(saop->opno) && is_pushable_value(root, baserel, array))
		{
			*kind = ZD_PUSH_FILTER + filter_of(resource, col);
			*value = (Expr *) array;
			return true;
		}
		if (saop->useOr && column_is_key(col, lookup_key(resource)) && resource->lookup_path != NULL &&
			is_id_type(col->typid) && is_id_type(elemtype) &&
			is_integer_equality(saop->opno) &&
			!(resource->has_deleted && options->include_deleted) &&
			is_pushable_value(root, baserel, array))
		{
			*kind = ZD_PUSH_ID_ANY;
			*value = (Expr *) array;
			return true;
		}
	}
	return false;
}

/*
 * zd_pushdown_classify
 *		Sort restrictinfos into push; the rest are only checked locally.
 *		lookups false: id clauses are checked locally only (a standard
 *		list's path that lists rather than looks up).
 */
void
zd_pushdown_classify(PlannerInfo *root, RelOptInfo *baserel,
					 const ZdOptions *options, const ZdColumn *columns,
					 int ncolumns, List *restrictinfos, bool lookups,
					 ZdPushdown *push)
{
	ListCell   *lc;
	ListCell   *le;
	ListCell   *lk;
	int			filter_kind = -1;
	ZdPushdown	filtered;

	memset(push, 0, sizeof(*push));
	foreach(lc, restrictinfos)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		ZdPushKind	kind;
		Expr	   *value;

		if (rinfo->pseudoconstant ||
			!classify(root, baserel, options, columns, ncolumns, rinfo, &kind, &value) ||
			(!lookups && (kind == ZD_PUSH_ID || kind == ZD_PUSH_ID_ANY)))
			continue;
		if (kind >= ZD_PUSH_FILTER)
		{
			if (filter_kind >= 0 && (int) kind != filter_kind)
				continue;		/* one filtered listing a scan */
			filter_kind = kind;
			push->filter = true;
		}
		push->exprs = lappend(push->exprs, value);
		push->kinds = lappend_int(push->kinds, kind);
		push->clauses = lappend(push->clauses, rinfo);
		if (kind == ZD_PUSH_ID || kind == ZD_PUSH_ID_ANY)
			push->lookup = true;
	}
	if (!push->lookup || !push->filter)
		return;

	/* lookups answer the scan: the filter clauses are checked locally only */
	memset(&filtered, 0, sizeof(filtered));
	filtered.lookup = true;
	forthree(le, push->exprs, lk, push->kinds, lc, push->clauses)
	{
		if (lfirst_int(lk) >= ZD_PUSH_FILTER)
			continue;
		filtered.exprs = lappend(filtered.exprs, lfirst(le));
		filtered.kinds = lappend_int(filtered.kinds, lfirst_int(lk));
		filtered.clauses = lappend(filtered.clauses, lfirst(lc));
	}
	*push = filtered;
}

/*
 * zd_pushdown_is_param_clause
 *		Is this join clause "id = <other relation's column>", which a
 *		parameterized path turns into one lookup per outer row, or a filter
 *		key's "group_id = <...>", one filtered listing per outer row?
 */
bool
zd_pushdown_is_param_clause(PlannerInfo *root, RelOptInfo *baserel,
							const ZdOptions *options, const ZdColumn *columns,
							int ncolumns, RestrictInfo *rinfo)
{
	ZdPushKind	kind;
	Expr	   *value;

	return classify(root, baserel, options, columns, ncolumns, rinfo, &kind, &value) &&
		(kind == ZD_PUSH_ID || kind >= ZD_PUSH_FILTER);
}

/* An integer datum of one of the id types as int64. */
static int64
id_datum(Datum value, Oid type)
{
	return type == INT8OID ? DatumGetInt64(value) :
		type == INT4OID ? DatumGetInt32(value) : DatumGetInt16(value);
}

/* Epoch second of a finite timestamptz, rounded down. */
static int64
epoch_second(TimestampTz ts)
{
	int64		seconds = ts / USECS_PER_SEC;

	if (ts < 0 && ts % USECS_PER_SEC != 0)
		seconds--;
	return seconds + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
}

static int
compare_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* The ids of an id clause's value, sorted and distinct, NULLs left out. */
static int64 *
ids_of_value(ZdPushKind kind, Datum value, Oid type, int *nids)
{
	int64	   *ids;
	int			n = 0;

	if (kind == ZD_PUSH_ID)
	{
		ids = palloc(sizeof(int64));
		ids[n++] = id_datum(value, type);
	}
	else
	{
		ArrayType  *array = DatumGetArrayTypeP(value);
		Oid			elemtype = ARR_ELEMTYPE(array);
		int16		elemlen;
		bool		elembyval;
		char		elemalign;
		Datum	   *elems;
		bool	   *elemnulls;
		int			nelems;

		get_typlenbyvalalign(elemtype, &elemlen, &elembyval, &elemalign);
		deconstruct_array(array, elemtype, elemlen, elembyval, elemalign,
						  &elems, &elemnulls, &nelems);
		ids = palloc(sizeof(int64) * Max(nelems, 1));
		for (int i = 0; i < nelems; i++)
			if (!elemnulls[i])
				ids[n++] = elemtype == INT8OID ? DatumGetInt64(elems[i]) :
					elemtype == INT4OID ? DatumGetInt32(elems[i]) : DatumGetInt16(elems[i]);
	}
	qsort(ids, n, sizeof(int64), compare_int64);
	*nids = 0;
	for (int i = 0; i < n; i++)
		if (*nids == 0 || ids[*nids - 1] != ids[i])
			ids[(*nids)++] = ids[i];
	return ids;
}

/* Keep in kept[0..*nkept-1] only the ids also in ids[0..n-1] (both sorted). */
static void
intersect_ids(int64 *kept, int *nkept, const int64 *ids, int n)
{
	int			k = 0;
	int			j = 0;

	for (int i = 0; i < *nkept; i++)
	{
		while (j < n && ids[j] < kept[i])
			j++;
		if (j < n && ids[j] == kept[i])
			kept[k++] = kept[i];
	}
	*nkept = k;
}

/* Is this the type of an array (a filter's = ANY value)? */
static bool
is_array_type(Oid type)
{
	return OidIsValid(get_element_type(type));
}

/*
 * add_value
 *		Fold one evaluated value into spec; false when it admits no row.
 */
static bool
add_value(ZdScanSpec *spec, ZdPushKind kind, Datum value, bool isnull, Oid type,
		  bool *have_ids)
{
	TimestampTz ts;
	int64	   *ids;
	int			nids;
	int64		key;

	if (isnull)
		return false;			/* a comparison with NULL is never true */
	switch ((ZdPushKind) Min(kind, ZD_PUSH_FILTER))
	{
		case ZD_PUSH_LOWER:
			ts = DatumGetTimestampTz(value);
			if (TIMESTAMP_IS_NOEND(ts))
				return false;
			if (!TIMESTAMP_IS_NOBEGIN(ts))
				spec->start_time = Max(spec->start_time, epoch_second(ts));
			return true;
		case ZD_PUSH_UPPER:
			ts = DatumGetTimestampTz(value);
			if (TIMESTAMP_IS_NOBEGIN(ts))
				return false;
			if (!TIMESTAMP_IS_NOEND(ts))
			{
				spec->stop_after = spec->has_stop ?
					Min(spec->stop_after, epoch_second(ts)) : epoch_second(ts);
				spec->has_stop = true;
			}
			return true;
		case ZD_PUSH_FILTER:
			/* key = value, or key = ANY (values): a listing per value */
			ids = ids_of_value(is_array_type(type) ? ZD_PUSH_ID_ANY : ZD_PUSH_ID,
							   value, type, &nids);
			/* Zendesk's ids are positive: a listing of 0 or less has no row */
			for (key = 0; key < nids && ids[key] < 1; key++)
				;
			memmove(ids, ids + key, sizeof(int64) * (nids - key));
			nids -= key;
			spec->filter = kind - ZD_PUSH_FILTER;
			if (spec->nfilter_values < 0)
			{
				spec->filter_values = ids;
				spec->nfilter_values = nids;
			}
			else
				intersect_ids(spec->filter_values, &spec->nfilter_values, ids, nids);
			return spec->nfilter_values > 0;
		case ZD_PUSH_ID:
		case ZD_PUSH_ID_ANY:
			ids = ids_of_value(kind, value, type, &nids);
			if (!*have_ids)
			{
				spec->ids = ids;
				spec->nids = nids;
				*have_ids = true;
			}
			else
				intersect_ids(spec->ids, &spec->nids, ids, nids);
			return true;
	}
	return true;
}

static void
spec_init(ZdScanSpec *spec, List *kinds, int per_page)
{
	ListCell   *lc;

	memset(spec, 0, sizeof(*spec));
	spec->per_page = per_page;
	spec->filter = -1;
	spec->nfilter_values = -3;	/* no filter value folded in yet */
	foreach(lc, kinds)
	{
		if (lfirst_int(lc) == ZD_PUSH_ID || lfirst_int(lc) == ZD_PUSH_ID_ANY)
			spec->lookup = true;
		else if (lfirst_int(lc) >= ZD_PUSH_FILTER)
			spec->filter = lfirst_int(lc) - ZD_PUSH_FILTER;
	}
}

/*
 * zd_pushdown_spec
 *		At scan start: evaluate the pushed values into spec.  False when a
 *		value admits no row at all (a NULL bound, an empty id list, an upper
 *		bound before the lower one): then no request is made.
 */
bool
zd_pushdown_spec(List *exprstates, List *kinds, ExprContext *econtext,
				 int per_page, ZdScanSpec *spec)
{
	ListCell   *ls;
	ListCell   *lk;
	bool		have_ids = false;
	MemoryContext old = MemoryContextSwitchTo(econtext->ecxt_per_query_memory);

	spec_init(spec, kinds, per_page);
	forboth(ls, exprstates, lk, kinds)
	{
		ExprState  *state = lfirst(ls);
		bool		isnull;
		Datum		value = ExecEvalExpr(state, econtext, &isnull);

		if (!add_value(spec, lfirst_int(lk), value, isnull,
					   exprType((Node *) state->expr), &have_ids))
		{
			MemoryContextSwitchTo(old);
			return false;
		}
	}
	MemoryContextSwitchTo(old);
	if (spec->lookup)
		return spec->nids > 0;
	return !(spec->has_stop && spec->stop_after < spec->start_time);
}

/*
 * zd_pushdown_plan_spec
 *		For EXPLAIN, without running anything: the spec as far as constants
 *		tell.  A start_time known only at scan start is -1; ids known only
 *		then make nids -1 (one id) or -2 (a list), and likewise
 *		nfilter_values for a filter's values.
 */
void
zd_pushdown_plan_spec(List *exprs, List *kinds, int per_page, ZdScanSpec *spec)
{
	ListCell   *le;
	ListCell   *lk;
	bool		have_ids = false;
	bool		ids_known = true;
	bool		one_id = false;
	int			filter_unknown = 0;

	spec_init(spec, kinds, per_page);
	forboth(le, exprs, lk, kinds)
	{
		Node	   *expr = lfirst(le);
		ZdPushKind	kind = lfirst_int(lk);

		if (IsA(expr, Const))
		{
			Const	   *c = (Const *) expr;

			/* a constant that admits no row: the scan makes no request */
			if (!add_value(spec, kind, c->constvalue, c->constisnull, c->consttype, &have_ids))
			{
				spec->lookup = true;
				spec->nids = 0;
				return;
			}
		}
		else if (kind == ZD_PUSH_LOWER)
			spec->start_time = -1;
		else if (kind == ZD_PUSH_ID || kind == ZD_PUSH_ID_ANY)
			ids_known = false;
		else if (kind >= ZD_PUSH_FILTER)
			filter_unknown = is_array_type(exprType(expr)) ? -2 : Min(filter_unknown, -1);
		if (kind == ZD_PUSH_ID)
			one_id = true;
	}
	if (spec->lookup && !ids_known)
		spec->nids = one_id ? -1 : -2;
	if (filter_unknown < 0)
		spec->nfilter_values = filter_unknown;
}

/*
 * zd_pushdown_filter_values
 *		How many filtered listings the scan will make: the values of its
 *		filter clause (the fewest any allows); a list known only at scan
 *		start counts as 10 (a stated default), no filter as 0.
 */
double
zd_pushdown_filter_values(List *exprs, List *kinds)
{
	ListCell   *le;
	ListCell   *lk;
	double		values = 0;

	forboth(le, exprs, lk, kinds)
	{
		Node	   *expr = lfirst(le);
		double		n;

		if (lfirst_int(lk) < ZD_PUSH_FILTER)
			continue;
		if (!is_array_type(exprType(expr)))
			n = 1;
		else if (IsA(expr, Const) && !((Const *) expr)->constisnull)
		{
			ArrayType  *array = DatumGetArrayTypeP(((Const *) expr)->constvalue);

			n = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
		}
		else
			n = 10;
		values = values > 0 ? Min(values, n) : n;
	}
	return values;
}

/*
 * zd_pushdown_lookup_ids
 *		How many ids the lookups will ask for: the fewest any id clause
 *		allows; a list known only at scan start counts as ZD_SHOW_MANY_MAX
 *		(a stated default: one show_many request).
 */
double
zd_pushdown_lookup_ids(List *exprs, List *kinds)
{
	ListCell   *le;
	ListCell   *lk;
	double		ids = -1;

	forboth(le, exprs, lk, kinds)
	{
		Node	   *expr = lfirst(le);
		double		n;

		if (lfirst_int(lk) == ZD_PUSH_ID)
			n = 1;
		else if (lfirst_int(lk) != ZD_PUSH_ID_ANY)
			continue;
		else if (IsA(expr, Const) && !((Const *) expr)->constisnull)
		{
			ArrayType  *array = DatumGetArrayTypeP(((Const *) expr)->constvalue);

			n = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
		}
		else
			n = ZD_SHOW_MANY_MAX;
		ids = ids < 0 ? n : Min(ids, n);
	}
	return Max(ids, 0);
}
