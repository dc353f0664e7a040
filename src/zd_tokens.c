/*-------------------------------------------------------------------------
 *
 * zd_tokens.c
 *		  OAuth token lifecycles: when to renew an access token, and what
 *		  to tell the user when Zendesk's token endpoint says no.
 *
 * An access token's life is counted from the moment we asked for it, with
 * our own clock only (expires_in is relative: Zendesk's clock never
 * matters), and it is renewed a margin ahead of its end, so that neither
 * skew nor a request in flight meets an expired token.
 *
 * IDENTIFICATION
 *		  src/zd_tokens.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "zendesk_fdw.h"
#include "zd_oauth.h"

/* renew an access token this many seconds before it expires ... */
#define ZD_TOKEN_RENEW_MARGIN_S 60
/* ... or, for short-lived tokens, once this fraction of its life is gone */
#define ZD_TOKEN_RENEW_FRACTION 0.5

/*
 * zd_token_renew_at
 *		When to renew a token asked for at asked_at that lives expires_in
 *		seconds ((time_t) -1: never; expires_in < 0: no expiry was sent).
 */
time_t
zd_token_renew_at(time_t asked_at, long expires_in)
{
	if (expires_in < 0)
		return (time_t) -1;
	return asked_at + Max(expires_in - ZD_TOKEN_RENEW_MARGIN_S,
						  (long) (expires_in * ZD_TOKEN_RENEW_FRACTION));
}

/*
 * zd_token_refused
 *		The token endpoint did not answer 200: an error with the fix.  said
 *		is Zendesk's error text (never a secret: the request's are not in
 *		the answer).
 */
void
zd_token_refused(const ZdOptions *options, const ZdHttpResponse *response,
				 const char *said)
{
	const char *server = quote_identifier(options->server_name);

	if (zd_oauth_error_is(response->body, response->body_len, "invalid_client"))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("Zendesk does not accept the OAuth client of the user mapping for server \"%s\"",
						options->server_name),
				 errdetail("HTTP %ld from POST /oauth/tokens: %s", response->status, said),
				 errhint("The client's secret was regenerated, or the client was deleted or is not confidential. In Zendesk Admin Center, Apps and integrations > APIs > OAuth clients, open the client, generate a new secret (shown once) and set it with ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (SET oauth_client_secret '...').",
						 server)));
	if (zd_oauth_error_is(response->body, response->body_len, "invalid_grant"))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("Zendesk refused the OAuth refresh token of the user mapping for server \"%s\"",
						options->server_name),
				 errdetail("HTTP %ld from POST /oauth/tokens: %s", response->status, said),
				 errhint("The refresh token expired (30 days unused by default) or was revoked. Authorize the OAuth client again (authorization-code grant) and set the new refresh token with ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (SET oauth_refresh_token '...').",
						 server)));
	if (zd_oauth_error_is(response->body, response->body_len, "invalid_scope"))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("Zendesk refused the OAuth scope of the user mapping for server \"%s\"",
						options->server_name),
				 errdetail("HTTP %ld from POST /oauth/tokens: %s", response->status, said),
				 errhint("Set oauth_scope to scopes the OAuth client may ask for, such as \"read\".")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			 errmsg("Zendesk refused an OAuth access token to the user mapping for server \"%s\"",
					options->server_name),
			 errdetail("HTTP %ld from POST /oauth/tokens: %s", response->status, said),
			 errhint("Check oauth_client_id and oauth_client_secret: the OAuth client must be confidential, and its secret is shown once, when it is created in Admin Center.")));
}
