/*-------------------------------------------------------------------------
 *
 * zd_conn.h
 *		  Connections to Zendesk: the per-user-mapping handle cache, paced and
 *		  retried requests, and Zendesk's answers as SQL errors.
 *
 * The one way into the Zendesk client's HTTP layer for the rest of the FDW
 * and for sync.  It uses zd_tokens.h for the shared refresh-token pairs;
 * the token store never calls back into this file except through the
 * request function it is handed, so the dependency runs one way.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_conn.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_CONN_H
#define ZD_CONN_H

#include "zendesk_fdw.h"

extern ZdConn *zd_conn_for(const ZdOptions *options);
extern void zd_conn_get(ZdConn *conn, const ZdOptions *options, char **url,
						ZdRequestKind kind, ZdHttpResponse *response);
extern void zd_conn_get_accepting(ZdConn *conn, const ZdOptions *options,
								  char **url, ZdRequestKind kind,
								  const long *accepted,
								  ZdHttpResponse *response);
extern void zd_conn_report_status(ZdConn *conn, const ZdOptions *options,
								  const char *method, const char *url,
								  const ZdHttpResponse *response);
extern const ZdRequestStats *zd_conn_stats(ZdConn *conn);
extern const char *zd_conn_header(ZdConn *conn, const char *name);
extern const char *zd_url_path(const char *url);
extern time_t zd_conn_token_expires_at(ZdConn *conn, const ZdOptions *options);

#endif							/* ZD_CONN_H */
