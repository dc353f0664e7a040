/*-------------------------------------------------------------------------
 *
 * zendesk_fdw.h
 *		  Declarations shared by the PostgreSQL side of zendesk_fdw.
 *
 * The Zendesk client (src/client) has headers of its own and no PostgreSQL
 * in it; this header is for the files that translate between it and
 * PostgreSQL (src/fdw, and src/sync above it).  Connections are declared in
 * zd_conn.h, the token store in zd_tokens.h.
 *
 * IDENTIFICATION
 *		  src/fdw/zendesk_fdw.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZENDESK_FDW_H
#define ZENDESK_FDW_H

#include "postgres.h"

#include <time.h>

#include "foreign/foreign.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"

#include "zd_compat.h"

#include "client/zd_fields.h"
#include "client/zd_http.h"
#include "client/zd_oauth.h"
#include "client/zd_resources.h"

/* How a user mapping authenticates. */
typedef enum ZdAuthMethod
{
	ZD_AUTH_OAUTH_CLIENT_CREDENTIALS,
	ZD_AUTH_OAUTH_REFRESH_TOKEN,
	ZD_AUTH_OAUTH_TOKEN,
	ZD_AUTH_API_TOKEN
} ZdAuthMethod;

/* What a request draws on: the export quota, or the standard API's. */
typedef enum ZdRequestKind
{
	ZD_REQ_EXPORT,
	ZD_REQ_STANDARD
} ZdRequestKind;

/*
 * The SQLSTATE of an export cursor Zendesk rejects (400/422 InvalidCursor):
 * an invalid handle on a position in its stream.  A sync recognises it and
 * restarts the export from its recovery time.
 */
#define ERRCODE_ZD_INVALID_CURSOR ERRCODE_FDW_INVALID_HANDLE

/* Counters of the requests of one connection. */
typedef struct ZdRequestStats
{
	int64		requests_export;
	int64		requests_standard;
	int64		rate_limited;	/* 429 answers */
	int64		retries;
	int64		bytes;			/* on the wire (compressed) */
	int64		waited_ms;		/* pacing, Retry-After and backoff pauses */
} ZdRequestStats;

/* Everything a scan needs from the server, user mapping and table options. */
typedef struct ZdOptions
{
	Oid			serverid;
	Oid			umid;
	char	   *server_name;
	char	   *base_url;		/* from url, or https://<subdomain>.zendesk.com */
	bool		plain_http;		/* base_url is http to a loopback host */
	char	   *ca_file;
	char	   *proxy;
	int			timeout_ms;
	int			connect_timeout_ms;
	int			page_size;
	int			export_requests_per_minute;
	int			max_requests_per_minute;	/* 0: no ceiling of our own */
	int			max_retries;
	int			max_requests_per_statement; /* the quota guard; 0: none */
	const ZdResource *resource;
	bool		include_deleted;
	char	   *include;		/* sideloads: "comment_events", or NULL */
	double		rows;			/* table option "rows", or -1 */

	ZdAuthMethod auth_method;
	char	   *email;
	char	   *api_token;
	char	   *oauth_client_id;
	char	   *oauth_client_secret;
	char	   *oauth_scope;
	char	   *oauth_token;
	char	   *oauth_refresh_token;	/* as the catalog has it */
} ZdOptions;

/* in zd_options.c */
extern void zd_validate_options(List *options, Oid catalog);
extern void zd_options_init(void);
extern PGDLLEXPORT Datum zendesk_fdw_validator(PG_FUNCTION_ARGS);
extern ZdOptions *zd_get_options(Oid foreigntableid, bool with_credentials);
extern ZdOptions *zd_get_options_as(Oid foreigntableid, Oid userid, bool with_credentials);
extern ZdOptions *zd_get_server_options(Oid serverid, bool with_credentials);
extern ZdOptions *zd_get_server_options_as(Oid serverid, Oid userid, bool with_credentials);

/* a connection of a user mapping (zd_conn.h) */
typedef struct ZdConn ZdConn;

/* in zd_check.c */
extern const char *zd_auth_method_name(ZdAuthMethod method);

/* in zd_pacing.c */
struct ZdRateInfo;
extern void zd_wait_ms(long ms, ZdRequestStats *stats);
extern void zd_pace_before(const ZdOptions *options, ZdRequestKind kind,
						   ZdRequestStats *stats);
extern void zd_pace_after(const ZdOptions *options, ZdRequestKind kind,
						  const struct ZdRateInfo *rate, bool rate_limited);
extern void zd_stats_add(const ZdOptions *options, const char *path,
						 const ZdRequestStats *delta);
extern void zd_pacing_init(void);

/* in zd_guard.c */
extern void zd_guard_init(void);
extern int	zd_guard_limit(const ZdOptions *options);
extern void zd_guard_charge(const ZdOptions *options, double requests,
							const char *table, bool standard);

/* in zd_import.c */
extern List *zd_import_foreign_schema(ImportForeignSchemaStmt *stmt, Oid serverOid);
extern List *zd_fetch_fields(ZdConn *conn, const ZdOptions *options,
							 const ZdResource *resource);
extern const char *zd_field_sql_type(const char *type);
extern bool zd_field_has_column(const ZdResource *resource, const ZdFieldDef *field);
extern char *zd_field_column_name(List *taken, const ZdFieldDef *field);
extern char *zd_field_column_definition(const ZdResource *resource, const ZdFieldDef *field,
										const char *name);

/* in zd_scan.c */

/*
 * What one scan asks Zendesk for: an export from start_time (stopped early
 * once the stream passes stop_after), a standard list (whole, or filtered
 * by one key), or lookups of ids.  Worked out by the
 * planner's clauses at scan start (zd_plan.c).
 */
typedef struct ZdScanSpec
{
	bool		lookup;			/* answer by id, not by an export */
	int64	   *ids;			/* lookup: sorted, distinct */
	int			nids;			/* in EXPLAIN, -1 or -2 when known only at
								 * scan start (one id, a list) */
	int64		start_time;		/* export: epoch seconds; -1 in EXPLAIN when
								 * known only at scan start */
	bool		has_stop;		/* export: end once the stream passes ... */
	int64		stop_after;		/* ... this epoch second */
	int			per_page;		/* export: per_page of the requests; list:
								 * page[size], 0 for the largest */
	int			filter;			/* list: index in resource->filters of the
								 * key filtered listings answer, or -1 */
	int64	   *filter_values;	/* ... a listing for each of these values:
								 * sorted, distinct, positive */
	int			nfilter_values; /* in EXPLAIN, -1 or -2 when known only at
								 * scan start (one value, a list) */
} ZdScanSpec;

typedef struct ZdScan ZdScan;
extern ZdScan *zd_scan_begin(const ZdOptions *options, Relation rel,
							 List *retrieved_attrs, const ZdScanSpec *spec);
extern bool zd_scan_next(ZdScan *scan, Datum *values, bool *nulls);
extern void zd_scan_restart(ZdScan *scan, const ZdScanSpec *spec);
extern void zd_scan_end(ZdScan *scan);
extern void zd_scan_report(ZdScan *scan, ZdRequestStats *stats, long *pages,
						   int64 *skipped);
extern char *zd_scan_first_request(const ZdOptions *options, const ZdScanSpec *spec);
extern void zd_scan_spec_copy(ZdScanSpec *dst, const ZdScanSpec *src, MemoryContext cxt);
extern int64 zd_scan_count(const ZdOptions *options);
extern int64 zd_scan_count_for(ZdScan *scan);

#endif							/* ZENDESK_FDW_H */
