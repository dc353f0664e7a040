/*-------------------------------------------------------------------------
 *
 * zd_sync.h
 *		  Declarations shared by the files of the sync (mirroring): the
 *		  driver (zd_sync.c), the target table and its statements
 *		  (zd_sync_target.c) and the checkpoint row (zd_sync_state.c).
 *
 * No jansson here: zd_sync_target.c and zd_sync_state.c use
 * utils/builtins.h.
 *
 * IDENTIFICATION
 *		  src/sync/zd_sync.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_SYNC_H
#define ZD_SYNC_H

#include "postgres.h"

#include "executor/spi.h"
#include "utils/relcache.h"

#include "client/zd_resources.h"

/*
 * What happens to a ticket Zendesk reports deleted, and to a row of the
 * mirror of a standard list that a whole listing no longer holds.
 */
typedef enum ZdDeleteMode
{
	ZD_DELETE_REMOVE,			/* row removed; a ticket's leaves a tombstone */
	ZD_DELETE_FLAG				/* row kept: as Zendesk sends it (status
								 * 'deleted'), or, unlisted, with its
								 * unlisted_at set */
} ZdDeleteMode;

/* Counters of one run. */
typedef struct ZdSyncCounters
{
	int64		pages;
	int64		rows_inserted;
	int64		rows_updated;
	int64		rows_deleted;
	int64		rows_quarantined;
	int64		rows_listed;	/* a standard list: the records it listed */
	int64		requests;
	int64		rate_limited;
	int64		retries;
	double		seconds_waited;
} ZdSyncCounters;

/* The sync_state row of a (source, target), as read at the start of a run. */
typedef struct ZdSyncState
{
	bool		found;
	Oid			owner;
	char	   *resource;
	ZdDeleteMode delete_mode;
	bool		has_start_time;
	int64		start_time;		/* epoch seconds */
	char	   *after_cursor;	/* or NULL */
	bool		has_recovery_time;
	int64		recovery_time;	/* epoch seconds */
	Oid			target_relfilenode;
	char	   *fields_fingerprint;	/* of the mapped custom fields, or NULL */
	char	   *fields_seen;	/* jsonb text of the active custom fields, or NULL */
	char	   *status;
	int			pid;
} ZdSyncState;

/* The target table and the statements that write it. */
typedef struct ZdSyncTarget
{
	Oid			relid;
	char	   *qualified;		/* quoted schema.name, for messages and SQL */
	int			nparams;		/* live columns of the source, in order */
	int		   *param_att;		/* source attribute index of each parameter */
	Oid		   *param_types;
	int			id_param;		/* parameter of "id" */
	int			stream_param;	/* parameter of the stream time, or -1 */
	bool		snapshot;		/* a standard list: its listing is the truth */
	SPIPlanPtr	upsert;			/* returns (xmax = 0): inserted */
	SPIPlanPtr	remove;			/* (id, stream time) */
	char	   *quarantine;		/* quoted name of the quarantine table, or NULL */
	SPIPlanPtr	quarantine_insert;	/* (id, stream time, error, record) */
	SPIPlanPtr	unlisted;		/* a standard list: (bigint[] of the ids
								 * listed) removes or flags the other rows */
	SPIPlanPtr	relisted;		/* delete mode flag: (the ids listed) clears
								 * the flag of rows listed again */
} ZdSyncTarget;

/* The custom fields the last run recorded (sync_state.fields_seen). */
typedef struct ZdFieldsKnown
{
	bool		baseline;		/* a list was recorded */
	int			n;
	int64	   *ids;
	bool	   *is_new;			/* unmapped, and not in the first list */
} ZdFieldsKnown;

/* What a run is asked to do. */
typedef struct ZdSyncArgs
{
	Oid			source;
	const char *target;
	bool		has_start_time;
	int64		start_time;		/* epoch seconds; the first run's start */
	bool		has_delete_mode;
	ZdDeleteMode delete_mode;
	const char *quarantine;		/* table for records that cannot be converted, or NULL */
	bool		add_columns;	/* columns for new custom fields (schema drift) */
	bool		commit;			/* sync: commit every page (non-atomic SPI) */
} ZdSyncArgs;

/* What a run did. */
typedef struct ZdSyncResult
{
	const char *status;			/* "done" or "failed" */
	ZdSyncCounters counters;
	bool		has_old_recovery_time;
	int64		old_recovery_time;
	bool		has_new_recovery_time;
	int64		new_recovery_time;
	char	   *error;			/* a failed page's error, or NULL */
} ZdSyncResult;

/* in zd_sync.c */
extern void zd_sync_run(const ZdSyncArgs *args, ZdSyncResult *result);
extern void zd_sync_resync(const ZdSyncArgs *args, ZdSyncResult *result);
extern void zd_sync_reset(Oid source, const char *target);

/* in zd_sync_target.c */
extern Oid	zd_sync_target_namespace(const char *target, char **relname);
extern Oid	zd_sync_target_prepare(Relation source, const ZdResource *resource,
								   const char *target, ZdSyncTarget *out,
								   bool *created);
extern void zd_sync_target_check_source(Relation source, const ZdResource *resource);
extern void zd_sync_target_plan(ZdSyncTarget *target, Relation source);
extern void zd_sync_quarantine_prepare(ZdSyncTarget *target, const char *name,
									   Oid source);
extern void zd_sync_quarantine(ZdSyncTarget *target, Oid source, int64 id,
							   int64 stream_time, const char *error, const char *record);
extern void zd_sync_target_check_privileges(Oid relid, const ZdResource *resource);
extern void zd_sync_target_plan_unlisted(ZdSyncTarget *target, Oid source,
										 ZdDeleteMode mode, bool created);
extern void zd_sync_target_free(ZdSyncTarget *target);
extern Oid	zd_sync_target_relfilenode(Oid relid);

/* in zd_sync_fields.c */
extern bool zd_sync_fields_mapped(Relation source, const ZdResource *resource);
extern char *zd_sync_fields_fingerprint(Relation source, const ZdResource *resource,
										List *fields);
extern char *zd_sync_fields_seen(Relation source, const ZdResource *resource, List *fields);
extern bool zd_sync_fields_add_columns(Oid source, Oid target_nsp, const char *target_relname,
									   const ZdResource *resource, List *fields,
									   const ZdFieldsKnown *known, int64 *since);
extern void zd_sync_fields_check(const char *stored, const char *current,
								 const char *source_name);
extern void zd_sync_fields_check_exist(const char *current, const char *source_name);

/* in zd_sync_state.c */
extern void zd_sync_state_load(Oid source, Oid target, ZdSyncState *state);
extern bool zd_sync_state_has_fields_seen(void);
extern char *zd_sync_state_fields_news(const char *before, const char *now, bool *unmapped);
extern void zd_sync_state_set_fields_seen(Oid source, Oid target, const char *fields_seen,
										  const char *before);
extern void zd_sync_state_fields_known(Oid source, Oid target, ZdFieldsKnown *known);
extern void zd_sync_state_begin_run(Oid source, Oid target, const ZdSyncState *state,
									const char *resource);
extern void zd_sync_state_checkpoint(Oid source, Oid target, const char *after_cursor,
									 int64 recovery_time, const ZdSyncCounters *counters);
extern void zd_sync_state_finish(Oid source, Oid target, const char *status,
								 const char *error, const ZdSyncCounters *counters);
extern void zd_sync_state_check_lists(const char *resource);
extern void zd_sync_state_begin_listing(Oid source, Oid target);
extern char *zd_sync_state_other_source(Oid source, Oid target);
extern void zd_sync_state_listed(Oid source, Oid target, const ZdSyncCounters *counters);
extern void zd_sync_state_finish_listing(Oid source, Oid target, const char *status,
										 const char *error, const char *note,
										 const ZdSyncCounters *counters);
extern bool zd_sync_state_forget(Oid source, Oid target);
extern void zd_sync_state_rewind(Oid source, Oid target, Oid relfilenode);
extern bool zd_sync_tombstone_blocks(Oid target, int64 id, int64 stream_time);
extern int64 *zd_sync_tombstoned(Oid target, const int64 *ids, int n, int *nfound);
extern void zd_sync_tombstone_set(Oid target, int64 id, int64 stream_time);
extern void zd_sync_state_free_plans(void);
extern const char *zd_delete_mode_name(ZdDeleteMode mode);

#endif							/* ZD_SYNC_H */
