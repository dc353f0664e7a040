/*-------------------------------------------------------------------------
 *
 * zd_compat.h
 *		  What differs between the PostgreSQL releases zendesk_fdw builds on
 *		  (15 to 18), in one place.
 *
 * The rest of the code is written against the names below and tests no
 * PG_VERSION_NUM of its own:
 *
 *	pg_noreturn					18's spelling, before the declaration; older
 *								releases' pg_attribute_noreturn() is a GCC
 *								attribute, which may stand there too
 *	ExplainState, ExplainProperty*	commands/explain_state.h and
 *								explain_format.h since 18, explain.h before
 *	ZD_MY_LXID					the backend's local transaction id
 *								(PGPROC.lxid became vxid.lxid in 17)
 *	zd_create_foreignscan_path	create_foreignscan_path with 15's arguments
 *								(17 added fdw_restrictinfo, 18 disabled_nodes)
 *	zd_create_wait_event_set	a WaitEventSet (17 takes a resource owner
 *								instead of a memory context)
 *	zd_server_aclcheck			a right on a foreign server (16 replaced
 *								pg_foreign_server_aclcheck by object_aclcheck)
 *	zd_wait_event				the wait event of what the backend waits for:
 *								named custom events since 17 (ZendeskRequest,
 *								ZendeskPacing, ZendeskTokenRefresh), the one
 *								"Extension" event before
 *
 * IDENTIFICATION
 *		  src/fdw/zd_compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_COMPAT_H
#define ZD_COMPAT_H

#include "postgres.h"

#include "catalog/pg_foreign_server.h"
#include "optimizer/pathnode.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

/* What the backend waits for, each a wait event of its own since 17. */
typedef enum ZdWaitEvent
{
	ZD_WAIT_REQUEST,			/* a Zendesk request (ZendeskRequest) */
	ZD_WAIT_PACING,				/* a pause between requests (ZendeskPacing) */
	ZD_WAIT_TOKEN_REFRESH,		/* another backend's token refresh
								 * (ZendeskTokenRefresh) */
	ZD_WAIT_EVENTS
} ZdWaitEvent;

extern uint32 zd_wait_event(ZdWaitEvent event);

#ifndef pg_noreturn
#define pg_noreturn pg_attribute_noreturn()
#endif

/* 18: EXPLAIN's state and output functions in headers of their own */
#if PG_VERSION_NUM >= 180000
#include "commands/explain_format.h"
#include "commands/explain_state.h"
#else
#include "commands/explain.h"
#endif

/* 18: disabled_nodes; 17: fdw_restrictinfo (none: the scans are of base relations) */
#if PG_VERSION_NUM >= 180000
#define zd_create_foreignscan_path(root, rel, target, rows, startup, total, pathkeys, outer, outerpath, private) \
	create_foreignscan_path(root, rel, target, rows, 0, startup, total, pathkeys, outer, outerpath, NIL, private)
#elif PG_VERSION_NUM >= 170000
#define zd_create_foreignscan_path(root, rel, target, rows, startup, total, pathkeys, outer, outerpath, private) \
	create_foreignscan_path(root, rel, target, rows, startup, total, pathkeys, outer, outerpath, NIL, private)
#else
#define zd_create_foreignscan_path create_foreignscan_path
#endif

/* 17: vxid.lxid; WaitEventSets belong to a resource owner; custom wait events */
#if PG_VERSION_NUM >= 170000
#define ZD_MY_LXID (MyProc->vxid.lxid)
#define zd_create_wait_event_set(nevents) CreateWaitEventSet(CurrentResourceOwner, (nevents))
#define ZD_CUSTOM_WAIT_EVENTS
#else
#define ZD_MY_LXID (MyProc->lxid)
#define zd_create_wait_event_set(nevents) CreateWaitEventSet(CurrentMemoryContext, (nevents))
#endif

/* 16: object_aclcheck for every kind of object; checkAsUser in the plan node */
#if PG_VERSION_NUM >= 160000
#define zd_server_aclcheck(serverid, roleid, mode) \
	object_aclcheck(ForeignServerRelationId, (serverid), (roleid), (mode))
/* the role a foreign scan's table is checked as (16: in the plan node) */
#define ZD_SCAN_CHECK_AS_USER(node) (((ForeignScan *) (node)->ss.ps.plan)->checkAsUser)
#else
#define zd_server_aclcheck pg_foreign_server_aclcheck
#define ZD_SCAN_CHECK_AS_USER(node) \
	(exec_rt_fetch(((Scan *) (node)->ss.ps.plan)->scanrelid, (node)->ss.ps.state)->checkAsUser)
#endif

#endif							/* ZD_COMPAT_H */
