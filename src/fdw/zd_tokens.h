/*-------------------------------------------------------------------------
 *
 * zd_tokens.h
 *		  OAuth token lifecycles, and the refresh-token pairs shared by the
 *		  whole cluster.
 *
 * The token store knows nothing of connections: it is handed the function
 * that performs a token request (zd_conn.c's), so zd_conn.c depends on it
 * and not the other way round.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_tokens.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_TOKENS_H
#define ZD_TOKENS_H

#include <time.h>

#include "zendesk_fdw.h"
#include "client/zd_oauth.h"

#define ZD_TOKEN_MAX 1024		/* bytes of a shared token, with its NUL */
extern time_t zd_token_renew_at(time_t asked_at, long expires_in);
pg_noreturn extern void zd_token_refused(const ZdOptions *options,
										 const ZdHttpResponse *response,
										 const char *said);
extern void zd_tokens_init(void);
/*
 * How the token store asks Zendesk for a token: POST the refresh grant of
 * refresh_token (or, when NULL, the client-credentials grant) and return
 * only with a token in *grant.  zd_conn.c hands its own.
 */
typedef void (*ZdTokenRequest) (void *arg, const char *refresh_token, ZdTokenGrant *grant);

extern char *zd_tokens_authorization(const ZdOptions *options, ZdTokenRequest request,
									 void *arg);
extern void zd_tokens_rejected(const ZdOptions *options);
extern time_t zd_tokens_expires_at(const ZdOptions *options);

#endif							/* ZD_TOKENS_H */
