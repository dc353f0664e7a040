/*-------------------------------------------------------------------------
 *
 * zd_check.c
 *		  zendesk_fdw.check_connection(server): who the current user's
 *		  credentials for a server belong to, and what Zendesk said.
 *
 * One GET /api/v2/users/me.json with the user mapping's credentials (for
 * OAuth client credentials and refresh tokens, after getting an access
 * token as a scan would).  A bad token can get 200 with Zendesk's
 * "Anonymous user" (sim/README.md §1): that is reported as not
 * authenticated, as is a 401 (a 403, such as a missing OAuth scope, leaves
 * it unknown: NULL).  Incremental exports need an admin, so the
 * role is reported too, with the token's expiry and the account's
 * rate-limit headers of the answer.  No credential is returned.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_check.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "zendesk_fdw.h"
#include "zd_conn.h"
#include "client/zd_oauth.h"
#include "client/zd_ratelimit.h"

enum
{
	COL_SERVER,
	COL_METHOD,
	COL_AUTHENTICATED,
	COL_USER_ID,
	COL_USER_NAME,
	COL_EMAIL,
	COL_ROLE,
	COL_IS_ADMIN,
	COL_TOKEN_EXPIRES_AT,
	COL_RATE_LIMIT,
	COL_RATE_LIMIT_REMAINING,
	COL_RATE_LIMIT_RESET,
	COL_DETAIL,
	NCOLS
};

/* The user-visible name of an authentication method. */
const char *
zd_auth_method_name(ZdAuthMethod method)
{
	switch (method)
	{
		case ZD_AUTH_OAUTH_CLIENT_CREDENTIALS:
			return "oauth_client_credentials";
		case ZD_AUTH_OAUTH_REFRESH_TOKEN:
			return "oauth_refresh_token";
		case ZD_AUTH_OAUTH_TOKEN:
			return "oauth_token";
		case ZD_AUTH_API_TOKEN:
			return "api_token";
	}
	return "unknown";
}

/* The first of the named headers of the last answer that is a count. */
static void
header_count(ZdConn *conn, const char *const *names, Datum *value, bool *isnull)
{
	for (; *names != NULL; names++)
	{
		const char *text = zd_conn_header(conn, *names);
		long		n;

		if (text != NULL && zd_parse_count(text, &n))
		{
			*value = Int64GetDatum((int64) n);
			*isnull = false;
			return;
		}
	}
	*isnull = true;
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

PG_FUNCTION_INFO_V1(zendesk_fdw_check_connection);

/*
 * zendesk_fdw_check_connection
 *		One row about the current user's credentials for the server.
 */
Datum
zendesk_fdw_check_connection(PG_FUNCTION_ARGS)
{
	char	   *servername = NameStr(*PG_GETARG_NAME(0));
	ForeignServer *server = GetForeignServerByName(servername, false);
	static const long accepted[] = {401, 403, 0};
	static const char *const limit_names[] = {"x-rate-limit", "ratelimit-limit", "rate-limit", NULL};
	static const char *const remaining_names[] = {"x-rate-limit-remaining", "ratelimit-remaining",
	"rate-limit-remaining", NULL};
	static const char *const reset_names[] = {"ratelimit-reset", "rate-limit-reset", NULL};
	TupleDesc	tupdesc;
	Datum		values[NCOLS];
	bool		nulls[NCOLS];
	ZdOptions  *options;
	ZdConn	   *conn;
	ZdHttpResponse response;
	char	   *url;
	AclResult	aclresult;
	time_t		expires_at;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	if (strcmp(GetForeignDataWrapper(server->fdwid)->fdwname, "zendesk_fdw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" is not a Zendesk server", server->servername),
				 errhint("check_connection takes a server of the zendesk_fdw wrapper.")));
	aclresult = zd_server_aclcheck(server->serverid, GetUserId(), ACL_USAGE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FOREIGN_SERVER, server->servername);

	options = zd_get_server_options(server->serverid, true);
	conn = zd_conn_for(options);
	url = psprintf("%s/api/v2/users/me.json", options->base_url);
	zd_conn_get_accepting(conn, options, &url, ZD_REQ_STANDARD, accepted, &response);

	memset(nulls, true, sizeof(nulls));
	values[COL_SERVER] = CStringGetTextDatum(server->servername);
	nulls[COL_SERVER] = false;
	values[COL_METHOD] = CStringGetTextDatum(zd_auth_method_name(options->auth_method));
	nulls[COL_METHOD] = false;
	values[COL_AUTHENTICATED] = BoolGetDatum(false);
	nulls[COL_AUTHENTICATED] = false;

	if (response.status == 200)
	{
		ZdMe		me;
		char		err[256];

		if (!zd_me_parse(response.body, response.body_len, &me, err, sizeof(err)))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
					 errmsg("invalid answer from Zendesk server \"%s\"", server->servername),
					 errdetail("%s (GET /api/v2/users/me.json).", err)));
		values[COL_AUTHENTICATED] = BoolGetDatum(me.authenticated);
		if (me.authenticated)
		{
			bool		admin = me.role != NULL && strcmp(me.role, "admin") == 0;

			values[COL_USER_ID] = Int64GetDatum(me.id);
			nulls[COL_USER_ID] = false;
			values[COL_USER_NAME] = text_or_null(me.name, &nulls[COL_USER_NAME]);
			values[COL_EMAIL] = text_or_null(me.email, &nulls[COL_EMAIL]);
			values[COL_ROLE] = text_or_null(me.role, &nulls[COL_ROLE]);
			values[COL_IS_ADMIN] = BoolGetDatum(admin);
			nulls[COL_IS_ADMIN] = false;
			if (!admin)
				values[COL_DETAIL] = text_or_null(psprintf("The user is not a Zendesk admin (role %s): incremental exports, which every scan but a lookup by id uses, need an admin.",
														   me.role ? me.role : "unknown"),
												  &nulls[COL_DETAIL]);
		}
		else
			values[COL_DETAIL] = text_or_null(psprintf("Zendesk answered GET /api/v2/users/me.json with \"%s\": the credentials were not accepted. Check the %s credentials of the user mapping.",
													   me.name ? me.name : "no user",
													   zd_auth_method_name(options->auth_method)),
											  &nulls[COL_DETAIL]);
		zd_me_free(&me);
	}
	else
	{
		char		said[640];

		/* a 403 (such as a missing scope) does not say whether they are valid */
		nulls[COL_AUTHENTICATED] = (response.status == 403);
		zd_me_refusal(response.status, response.body, response.body_len, said, sizeof(said));
		values[COL_DETAIL] = CStringGetTextDatum(said);
		nulls[COL_DETAIL] = false;
	}

	expires_at = zd_conn_token_expires_at(conn, options);
	if (expires_at != (time_t) -1)
	{
		values[COL_TOKEN_EXPIRES_AT] = TimestampTzGetDatum(time_t_to_timestamptz(expires_at));
		nulls[COL_TOKEN_EXPIRES_AT] = false;
	}
	header_count(conn, limit_names, &values[COL_RATE_LIMIT], &nulls[COL_RATE_LIMIT]);
	header_count(conn, remaining_names, &values[COL_RATE_LIMIT_REMAINING],
				 &nulls[COL_RATE_LIMIT_REMAINING]);
	header_count(conn, reset_names, &values[COL_RATE_LIMIT_RESET], &nulls[COL_RATE_LIMIT_RESET]);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
