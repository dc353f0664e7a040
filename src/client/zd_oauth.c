/*-------------------------------------------------------------------------
 *
 * zd_oauth.c
 *		  OAuth token answers and identity: the token endpoint's answer
 *		  and error codes, and who a set of credentials is (GET
 *		  /api/v2/users/me).
 *
 * A refresh "returns a new access token and refresh token while
 * invalidating the previous" pair (sim/README.md §1.1), so the answer's
 * refresh_token must be kept.  users/me answers a bad token with 200 and
 * {"user":{"name":"Anonymous user"}} (§1): only a user with a non-null id
 * counts as authenticated.
 *
 * IDENTIFICATION
 *		  src/client/zd_oauth.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "zd_auth.h"
#include "zd_oauth.h"
#include "zd_parse.h"

static const char *
string_member(json_t *object, const char *key)
{
	json_t	   *value = json_object_get(object, key);

	return json_is_string(value) ? json_string_value(value) : NULL;
}

/*
 * zd_token_grant_parse
 *		Read access_token, refresh_token (optional) and expires_in from a
 *		token endpoint answer.  On failure nothing is left to free.
 */
bool
zd_token_grant_parse(const char *body, size_t len, ZdTokenGrant *grant,
					 char *errbuf, size_t errlen)
{
	json_error_t jerr;
	json_t	   *root = json_loadb(body, len, 0, &jerr);
	const char *access;
	const char *refresh;
	json_t	   *expires;

	memset(grant, 0, sizeof(*grant));
	grant->expires_in = -1;
	if (root == NULL || !json_is_object(root))
	{
		snprintf(errbuf, errlen, "the token response is not a JSON object");
		json_decref(root);
		return false;
	}
	access = string_member(root, "access_token");
	refresh = string_member(root, "refresh_token");
	expires = json_object_get(root, "expires_in");
	if (access == NULL || access[0] == '\0')
		snprintf(errbuf, errlen, "the token response has no \"access_token\"");
	else if (expires != NULL && !json_is_null(expires) && !json_is_integer(expires))
		snprintf(errbuf, errlen, "\"expires_in\" of the token response is not an integer");
	else if (json_object_get(root, "refresh_token") != NULL &&
			 (refresh == NULL || refresh[0] == '\0'))
		snprintf(errbuf, errlen, "\"refresh_token\" of the token response is not a string");
	else
	{
		grant->access_token = strdup(access);
		grant->refresh_token = refresh ? strdup(refresh) : NULL;
		if (json_is_integer(expires))
			grant->expires_in = (long) json_integer_value(expires);
		json_decref(root);
		if (grant->access_token == NULL || (refresh != NULL && grant->refresh_token == NULL))
		{
			zd_token_grant_free(grant);
			snprintf(errbuf, errlen, "out of memory");
			return false;
		}
		return true;
	}
	json_decref(root);
	return false;
}

/*
 * zd_token_grant_free
 *		Wipe and free the secrets of a grant.
 */
void
zd_token_grant_free(ZdTokenGrant *grant)
{
	zd_secret_free(grant->access_token);
	zd_secret_free(grant->refresh_token);
	grant->access_token = NULL;
	grant->refresh_token = NULL;
}

/*
 * zd_oauth_error_is
 *		Is this an OAuth error body ({"error": code, ...}) with that code?
 *		(invalid_client: the client id or secret is not accepted;
 *		invalid_grant: the refresh token is expired, revoked or used.)
 */
bool
zd_oauth_error_is(const char *body, size_t len, const char *code)
{
	json_error_t jerr;
	json_t	   *root = json_loadb(body, len, 0, &jerr);
	bool		result = false;

	if (root != NULL && json_is_object(root))
	{
		const char *error = string_member(root, "error");

		result = error != NULL && strcmp(error, code) == 0;
	}
	json_decref(root);
	return result;
}

static char *
dup_member(json_t *object, const char *key)
{
	const char *value = string_member(object, key);

	return value ? strdup(value) : NULL;
}

/*
 * zd_me_parse
 *		Read the user of a users/me answer.  A user without a numeric id
 *		(Zendesk's "Anonymous user") is not authenticated.
 */
bool
zd_me_parse(const char *body, size_t len, ZdMe *me, char *errbuf, size_t errlen)
{
	json_error_t jerr;
	json_t	   *root = json_loadb(body, len, 0, &jerr);
	json_t	   *user;
	json_t	   *id;

	memset(me, 0, sizeof(*me));
	user = json_is_object(root) ? json_object_get(root, "user") : NULL;
	if (!json_is_object(user))
	{
		snprintf(errbuf, errlen, "the users/me response has no \"user\" object");
		json_decref(root);
		return false;
	}
	id = json_object_get(user, "id");
	me->authenticated = json_is_integer(id);
	me->id = me->authenticated ? (int64_t) json_integer_value(id) : 0;
	me->name = dup_member(user, "name");
	me->email = dup_member(user, "email");
	me->role = dup_member(user, "role");
	json_decref(root);
	return true;
}

/*
 * zd_me_free
 *		Free the strings of a ZdMe.
 */
void
zd_me_free(ZdMe *me)
{
	free(me->name);
	free(me->email);
	free(me->role);
	me->name = me->email = me->role = NULL;
}

/*
 * zd_me_refusal
 *		"HTTP <status> from GET /api/v2/users/me.json: <Zendesk's words>",
 *		for an answer other than 200.
 */
void
zd_me_refusal(long status, const char *body, size_t len, char *buf, size_t buflen)
{
	char		said[512];

	zd_error_text(body, len, said, sizeof(said));
	snprintf(buf, buflen, "HTTP %ld from GET /api/v2/users/me.json: %s", status, said);
}
