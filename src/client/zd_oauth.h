/*-------------------------------------------------------------------------
 *
 * zd_oauth.h
 *		  OAuth token answers and identity: the token endpoint's answer
 *		  and error codes, and who a set of credentials is (GET
 *		  /api/v2/users/me).
 *
 * No PostgreSQL header.  Strings holding a secret are malloc'd and wiped
 * and freed with zd_secret_free (zd_auth.h).
 *
 * IDENTIFICATION
 *		  src/client/zd_oauth.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_OAUTH_H
#define ZD_OAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An OAuth token endpoint answer (sim/README.md §1.1). */
typedef struct ZdTokenGrant
{
	char	   *access_token;	/* malloc'd secret */
	char	   *refresh_token;	/* malloc'd secret; NULL when none was sent */
	long		expires_in;		/* seconds; -1 when not sent */
} ZdTokenGrant;

/* Who the credentials are: GET /api/v2/users/me.json (§1). */
typedef struct ZdMe
{
	bool		authenticated;	/* a user with an id, not "Anonymous user" */
	int64_t		id;
	char	   *name;			/* malloc'd, or NULL */
	char	   *email;
	char	   *role;
} ZdMe;

extern bool zd_token_grant_parse(const char *body, size_t len, ZdTokenGrant *grant,
								 char *errbuf, size_t errlen);
extern void zd_token_grant_free(ZdTokenGrant *grant);
extern bool zd_oauth_error_is(const char *body, size_t len, const char *code);
extern bool zd_me_parse(const char *body, size_t len, ZdMe *me,
						char *errbuf, size_t errlen);
extern void zd_me_free(ZdMe *me);
extern void zd_me_refusal(long status, const char *body, size_t len,
						  char *buf, size_t buflen);

#endif							/* ZD_OAUTH_H */
