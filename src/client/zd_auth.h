/*-------------------------------------------------------------------------
 *
 * zd_auth.h
 *		  Building Zendesk credentials: API-token Basic headers and OAuth
 *		  token requests.
 *
 * No PostgreSQL header.  Every string returned here holds a secret: it is
 * malloc'd, and the caller wipes and frees it with zd_secret_free.
 *
 * IDENTIFICATION
 *		  src/client/zd_auth.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_AUTH_H
#define ZD_AUTH_H

extern char *zd_auth_basic(const char *email, const char *api_token);
extern char *zd_auth_bearer(const char *access_token);
extern char *zd_oauth_client_credentials_body(const char *client_id,
											  const char *client_secret,
											  const char *scope);
extern char *zd_oauth_refresh_body(const char *client_id,
								   const char *client_secret,
								   const char *refresh_token);
extern void zd_secret_free(char *secret);

#endif							/* ZD_AUTH_H */
