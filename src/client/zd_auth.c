/*-------------------------------------------------------------------------
 *
 * zd_auth.c
 *		  Building Zendesk credentials: API-token Basic headers and OAuth
 *		  token requests.
 *
 * API tokens authenticate as "Basic base64(email/token:TOKEN)" (zendesk-
 * api.md §1); OAuth access tokens as "Bearer TOKEN".  The client-credentials
 * grant posts a JSON body to /oauth/tokens (§1.1).
 *
 * IDENTIFICATION
 *		  src/client/zd_auth.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "zd_auth.h"

static const char b64[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64 of len bytes of in, into out (which holds 4*ceil(len/3)+1 bytes) */
static void
base64_encode(const unsigned char *in, size_t len, char *out)
{
	size_t		o = 0;

	for (size_t i = 0; i < len; i += 3)
	{
		unsigned	v = in[i] << 16;

		if (i + 1 < len)
			v |= in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = (i + 1 < len) ? b64[(v >> 6) & 63] : '=';
		out[o++] = (i + 2 < len) ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

/*
 * zd_auth_basic
 *		"Basic base64(email/token:api_token)"
 */
char *
zd_auth_basic(const char *email, const char *api_token)
{
	size_t		plainlen = strlen(email) + strlen("/token:") + strlen(api_token);
	char	   *plain = malloc(plainlen + 1);
	char	   *header = malloc(strlen("Basic ") + 4 * ((plainlen + 2) / 3) + 1);

	if (plain == NULL || header == NULL)
	{
		free(plain);
		free(header);
		return NULL;
	}
	strcpy(plain, email);
	strcat(plain, "/token:");
	strcat(plain, api_token);
	strcpy(header, "Basic ");
	base64_encode((const unsigned char *) plain, plainlen, header + strlen("Basic "));
	zd_secret_free(plain);
	return header;
}

/*
 * zd_auth_bearer
 *		"Bearer access_token"
 */
char *
zd_auth_bearer(const char *access_token)
{
	char	   *header = malloc(strlen("Bearer ") + strlen(access_token) + 1);

	if (header == NULL)
		return NULL;
	strcpy(header, "Bearer ");
	strcat(header, access_token);
	return header;
}

/* JSON body of a token request: the grant, the client, and one more field. */
static char *
token_request_body(const char *grant, const char *client_id,
				   const char *client_secret, const char *key, const char *value)
{
	json_t	   *body = json_pack("{s:s, s:s, s:s, s:s}",
								 "grant_type", grant,
								 "client_id", client_id,
								 "client_secret", client_secret,
								 key, value);
	char	   *text;

	if (body == NULL)
		return NULL;
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return text;
}

/*
 * zd_oauth_client_credentials_body
 *		JSON body of a client-credentials token request.
 */
char *
zd_oauth_client_credentials_body(const char *client_id,
								 const char *client_secret, const char *scope)
{
	return token_request_body("client_credentials", client_id, client_secret,
							  "scope", scope);
}

/*
 * zd_oauth_refresh_body
 *		JSON body of a refresh-token grant request.
 */
char *
zd_oauth_refresh_body(const char *client_id, const char *client_secret,
					  const char *refresh_token)
{
	return token_request_body("refresh_token", client_id, client_secret,
							  "refresh_token", refresh_token);
}

/*
 * zd_secret_free
 *		Wipe a malloc'd secret and free it.
 */
void
zd_secret_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}
