/*-------------------------------------------------------------------------
 *
 * zd_plan.h
 *		  Pushdown: which WHERE clauses become part of the Zendesk request.
 *
 * README.md, "What a query asks Zendesk": a lower bound on a stream time column becomes the
 * export's start_time; an upper bound on the stream's own order column ends
 * the stream early; id = / id IN / id = ANY become lookups; on a standard
 * list, key = value on a key it has a filtered listing by (group_id on
 * group_memberships) becomes that listing.  The values are
 * expressions kept in the plan (fdw_exprs) and evaluated when the scan
 * starts, so a generic plan never freezes now() or a parameter.  Every
 * clause is still checked locally.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_plan.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_PLAN_H
#define ZD_PLAN_H

#include "zendesk_fdw.h"
#include "zd_columns.h"

#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"

typedef enum ZdPushKind
{
	ZD_PUSH_LOWER,				/* stream time column >(=) value */
	ZD_PUSH_UPPER,				/* stream order column <(=) value */
	ZD_PUSH_ID,					/* id = value */
	ZD_PUSH_ID_ANY,				/* id = ANY (array value) */
	ZD_PUSH_FILTER				/* ZD_PUSH_FILTER + i: a standard list's
								 * resource->filters[i].key = value */
} ZdPushKind;

typedef struct ZdPushdown
{
	List	   *exprs;			/* the values (fdw_exprs) */
	List	   *kinds;			/* integer List: ZdPushKind of each */
	List	   *clauses;		/* the RestrictInfos they came from */
	bool		lookup;			/* an id clause: lookups answer the scan */
	bool		filter;			/* else a filter clause: a filtered listing */
} ZdPushdown;

extern void zd_pushdown_classify(PlannerInfo *root, RelOptInfo *baserel,
								 const ZdOptions *options,
								 const ZdColumn *columns, int ncolumns,
								 List *restrictinfos, bool lookups,
								 ZdPushdown *push);
extern bool zd_pushdown_is_param_clause(PlannerInfo *root, RelOptInfo *baserel,
									 const ZdOptions *options,
									 const ZdColumn *columns, int ncolumns,
									 RestrictInfo *rinfo);
extern bool zd_pushdown_spec(List *exprstates, List *kinds,
							 ExprContext *econtext, int per_page,
							 ZdScanSpec *spec);
extern void zd_pushdown_plan_spec(List *exprs, List *kinds, int per_page,
								  ZdScanSpec *spec);
extern double zd_pushdown_lookup_ids(List *exprs, List *kinds);
extern double zd_pushdown_filter_values(List *exprs, List *kinds);

#endif							/* ZD_PLAN_H */
