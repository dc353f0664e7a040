/*-------------------------------------------------------------------------
 *
 * zd_conn.c
 *		  Connections to Zendesk: the per-backend handle cache, the
 *		  interruptible wait, authentication, and HTTP errors as SQL errors.
 *
 * One ZdHttp (one libcurl multi + easy handle, hence one kept-alive
 * connection) per user mapping, cached for the life of the backend and
 * dropped when a server or user mapping changes.  Requests are driven from
 * a WaitEventSet that watches libcurl's sockets and the process latch, so a
 * query cancel, statement_timeout or pg_terminate_backend ends a request at
 * once: CHECK_FOR_INTERRUPTS runs here, after libcurl has returned, never
 * inside a libcurl callback.  This is the only file that turns a failed
 * request into an ereport.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_conn.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "common/pg_prng.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/wait_event.h"

#include "zd_conn.h"
#include "zd_tokens.h"
#include "client/zd_auth.h"
#include "client/zd_parse.h"
#include "client/zd_ratelimit.h"
#include "client/zd_url.h"

/* a body larger than this is refused: a 1000-record page is ~1-5 MB */
#define ZD_MAX_BODY_BYTES (256L * 1024 * 1024)

/*
 * A response that sends nothing for this long (or for the whole timeout, if
 * that is shorter) is stalled: it ends as a timeout, and is retried.
 */
#define ZD_STALL_TIMEOUT_MS 30000

struct ZdConn
{
	Oid			umid;			/* hash key */
	ZdHttp	   *http;
	char	   *access_token;	/* malloc'd; client-credentials grant */
	time_t		token_renew_at;
	time_t		token_expires_at;	/* (time_t) -1: not known */
	bool		invalidated;
	ZdRequestStats stats;		/* since the backend started */
};

static HTAB *conn_hash = NULL;

static void
conn_reset(ZdConn *conn)
{
	zd_http_destroy(conn->http);
	conn->http = NULL;
	zd_secret_free(conn->access_token);
	conn->access_token = NULL;
	conn->invalidated = false;
}

static void
conn_inval_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS scan;
	ZdConn	   *conn;

	/* Any change to a server or user mapping drops every cached handle. */
	hash_seq_init(&scan, conn_hash);
	while ((conn = hash_seq_search(&scan)) != NULL)
		conn->invalidated = true;
}

static void
conn_exit_callback(int code, Datum arg)
{
	HASH_SEQ_STATUS scan;
	ZdConn	   *conn;

	hash_seq_init(&scan, conn_hash);
	while ((conn = hash_seq_search(&scan)) != NULL)
		conn_reset(conn);
}

/*
 * zd_conn_for
 *		The cached connection of the options' user mapping.
 */
ZdConn *
zd_conn_for(const ZdOptions *options)
{
	ZdConn	   *conn;
	bool		found;

	if (conn_hash == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(ZdConn);
		conn_hash = hash_create("zendesk_fdw connections", 8, &ctl,
								HASH_ELEM | HASH_BLOBS);
		CacheRegisterSyscacheCallback(FOREIGNSERVEROID, conn_inval_callback, (Datum) 0);
		CacheRegisterSyscacheCallback(USERMAPPINGOID, conn_inval_callback, (Datum) 0);
		on_proc_exit(conn_exit_callback, (Datum) 0);
	}

	conn = hash_search(conn_hash, &options->umid, HASH_ENTER, &found);
	if (!found)
	{
		conn->http = NULL;
		conn->access_token = NULL;
		conn->invalidated = false;
		memset(&conn->stats, 0, sizeof(conn->stats));
	}
	if (conn->invalidated)
		conn_reset(conn);
	if (conn->http == NULL)
	{
		conn->http = zd_http_create();
		if (conn->http == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not create an HTTP handle for Zendesk")));
	}
	return conn;
}

/*
 * zd_url_path
 *		The path and query of an absolute URL: what messages show.
 */
const char *
zd_url_path(const char *url)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return url;
	p = strchr(p + 3, '/');
	return p ? p : "/";
}

/* The path of a path-and-query, for messages. */
static char *
path_without_query(const char *path)
{
	const char *q = strchr(path, '?');

	return q ? pnstrdup(path, q - path) : pstrdup(path);
}

static void
report_transport_error(const ZdOptions *options, const char *method,
					   const char *url, ZdHttpError err, const char *message)
{
	const char *path = zd_url_path(url);

	switch (err)
	{
		case ZD_HTTP_ERR_CONNECT:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
					 errmsg("could not connect to Zendesk server \"%s\"", options->server_name),
					 errdetail("%s (%s %s).", message, method, path),
					 errhint("Check the server's subdomain or url option.")));
			break;
		case ZD_HTTP_ERR_TLS:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
					 errmsg("could not make a verified TLS connection to Zendesk server \"%s\"",
							options->server_name),
					 errdetail("%s (%s %s).", message, method, path),
					 errhint("If the server's certificate comes from a private certificate authority, a superuser can set the server option ca_file.")));
			break;
		case ZD_HTTP_ERR_TIMEOUT:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("Zendesk request to server \"%s\" timed out", options->server_name),
					 errdetail("%s (%s %s).", message, method, path),
					 errhint("The server options timeout and connect_timeout set the limits, in seconds; a response that sends nothing for %d s, or for the whole timeout if shorter, is stalled.",
							 ZD_STALL_TIMEOUT_MS / 1000)));
			break;
		case ZD_HTTP_ERR_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("Zendesk response from server \"%s\" is too large", options->server_name),
					 errdetail("%s (%s %s).", message, method, path),
					 errhint("Lower the server option page_size.")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("Zendesk request to server \"%s\" failed", options->server_name),
					 errdetail("%s (%s %s).", message, method, path)));
	}
}

/*
 * wait_for_request
 *		Drive the started request to its end, waiting on libcurl's sockets
 *		and the latch; interrupts are served as soon as they arrive.
 */
static void
wait_for_request(ZdHttp *http)
{
	pgstat_report_wait_start(zd_wait_event(ZD_WAIT_REQUEST));
	PG_TRY();
	{
		ZdHttpWait	wait;

		while (!zd_http_poll(http, &wait))
		{
			WaitEventSet *set;
			WaitEvent	occurred[ZD_HTTP_MAX_SOCKETS + 2];
			int			n;
			bool		latch_set = false;
			long		timeout = wait.timeout_ms;

			/* libcurl always has a socket or a timer; be safe if not */
			if (wait.nsockets == 0 && timeout < 0)
				timeout = 100;

			set = zd_create_wait_event_set(wait.nsockets + 2);
			AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
			AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
			for (int i = 0; i < wait.nsockets; i++)
			{
				uint32		events = (wait.sockets[i].want_read ? WL_SOCKET_READABLE : 0) |
					(wait.sockets[i].want_write ? WL_SOCKET_WRITEABLE : 0);

				if (events != 0)
					AddWaitEventToSet(set, events, wait.sockets[i].fd, NULL, NULL);
			}
			n = WaitEventSetWait(set, timeout, occurred, lengthof(occurred),
								 zd_wait_event(ZD_WAIT_REQUEST));
			FreeWaitEventSet(set);

			if (n == 0)
				zd_http_timer_expired(http);
			for (int i = 0; i < n; i++)
			{
				if (occurred[i].events & WL_LATCH_SET)
					latch_set = true;
				else
					zd_http_socket_ready(http, occurred[i].fd,
										 (occurred[i].events & WL_SOCKET_READABLE) != 0,
										 (occurred[i].events & WL_SOCKET_WRITEABLE) != 0);
			}
			/* libcurl's own timers (timeouts) also run while sockets are busy */
			if (!zd_http_poll(http, &wait) && wait.timeout_ms == 0)
				zd_http_timer_expired(http);
			if (latch_set)
			{
				ResetLatch(MyLatch);
				CHECK_FOR_INTERRUPTS();
			}
		}
	}
	PG_CATCH();
	{
		/* cancelled: drop the transfer, so the connection is closed now */
		zd_http_abort(http);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pgstat_report_wait_end();
}

/*
 * perform
 *		One request, start to end.  Transport failures are returned, not
 *		raised: the caller decides whether to retry.
 */
static ZdHttpError
perform(ZdConn *conn, const ZdOptions *options, const char *method,
		const char *url, const char *authorization, const char *body,
		ZdHttpResponse *response)
{
	ZdHttpRequest request = {0};
	ZdHttpError err;

	request.method = method;
	request.url = url;
	request.authorization = authorization;
	request.body = body;
	request.content_type = "application/json";
	request.ca_file = options->ca_file;
	request.proxy = options->proxy;
	request.allow_plain_http = options->plain_http;
	request.connect_timeout_ms = options->connect_timeout_ms;
	request.timeout_ms = options->timeout_ms;
	request.stall_timeout_ms = Min(options->timeout_ms, ZD_STALL_TIMEOUT_MS);
	request.max_body_bytes = ZD_MAX_BODY_BYTES;

	err = zd_http_start(conn->http, &request);
	if (err == ZD_HTTP_OK)
	{
		wait_for_request(conn->http);
		err = zd_http_result(conn->http, response);
	}
	if (err == ZD_HTTP_OK)
		conn->stats.bytes += response->wire_bytes;
	return err;
}

static const char *
credentials_hint(const ZdOptions *options)
{
	switch (options->auth_method)
	{
		case ZD_AUTH_OAUTH_CLIENT_CREDENTIALS:
			return "Check the oauth_client_id and oauth_client_secret of the user mapping";
		case ZD_AUTH_OAUTH_REFRESH_TOKEN:
			return "Check the oauth_refresh_token, oauth_client_id and oauth_client_secret of the user mapping";
		case ZD_AUTH_OAUTH_TOKEN:
			return "Check the oauth_token of the user mapping";
		case ZD_AUTH_API_TOKEN:
			return "Check the email and api_token of the user mapping";
	}
	return "Check the user mapping";
}

/*
 * zd_conn_report_status
 *		A Zendesk answer other than 200, as an SQL error with Zendesk's words.
 */
void
zd_conn_report_status(ZdConn *conn, const ZdOptions *options, const char *method,
					const char *url, const ZdHttpResponse *response)
{
	char		said[512];
	const char *path = zd_url_path(url);

	zd_error_text(response->body, response->body_len, said, sizeof(said));

	if ((response->status == 400 || response->status == 422) &&
		zd_error_is_invalid_cursor(response->body, response->body_len))
		ereport(ERROR,
				(errcode(ERRCODE_ZD_INVALID_CURSOR),
				 errmsg("Zendesk server \"%s\" rejected the export cursor as invalid",
						options->server_name),
				 errdetail("HTTP %ld from %s %s: %s", response->status, method, path, said)));

	switch (response->status)
	{
		case 401:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
					 errmsg("Zendesk rejected the credentials of the user mapping for server \"%s\"",
							options->server_name),
					 errdetail("HTTP 401 from %s %s: %s", method, path, said),
					 errhint("%s for server \"%s\".", credentials_hint(options),
							 options->server_name)));
			break;
		case 403:
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("Zendesk refused access to %s on server \"%s\"",
							path_without_query(path), options->server_name),
					 errdetail("HTTP 403 from %s %s: %s", method, path, said),
					 errhint("%s, and OAuth clients need the \"read\" scope.",
							 options->resource != NULL && options->resource->stream == ZD_STREAM_LIST ?
							 "Some lists are for Zendesk admins only" :
							 "Incremental exports need a Zendesk admin")));
			break;
		case 404:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
					 errmsg("Zendesk server \"%s\" has no %s", options->server_name,
							path_without_query(path)),
					 errdetail("HTTP 404 from %s %s: %s", method, path, said),
					 errhint("Check the server's subdomain or url option.")));
			break;
		case 429:
			{
				const char *retry_after = zd_http_header(conn->http, "Retry-After");

				ereport(ERROR,
						(errcode(ERRCODE_FDW_ERROR),
						 errmsg("Zendesk rate limit reached on server \"%s\"", options->server_name),
						 errdetail("HTTP 429 from %s %s: %s; Retry-After: %s", method, path,
								   said, retry_after ? retry_after : "(none)"),
						 errhint("Other integrations share the account's export quota; try again later.")));
			}
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("Zendesk server \"%s\" answered HTTP %ld", options->server_name,
							response->status),
					 errdetail("HTTP %ld from %s %s: %s", response->status, method, path, said)));
	}
}

/* Add what the connection did since *before to the account's counters. */
static void
flush_stats(ZdConn *conn, const ZdOptions *options, const char *url,
			const ZdRequestStats *before)
{
	ZdRequestStats delta;

	delta.requests_export = conn->stats.requests_export - before->requests_export;
	delta.requests_standard = conn->stats.requests_standard - before->requests_standard;
	delta.rate_limited = conn->stats.rate_limited - before->rate_limited;
	delta.retries = conn->stats.retries - before->retries;
	delta.bytes = conn->stats.bytes - before->bytes;
	delta.waited_ms = conn->stats.waited_ms - before->waited_ms;
	zd_stats_add(options, zd_url_path(url), &delta);
}

/*
 * token_request
 *		POST a grant to /oauth/tokens: client credentials, or, given a
 *		refresh token, the refresh grant.  Returns only with a token in
 *		*grant, whose secrets the caller wipes (zd_token_grant_free).
 */
static void
token_request(ZdConn *conn, const ZdOptions *options,
			  const char *refresh_token, ZdTokenGrant *grant)
{
	char	   *url = psprintf("%s/oauth/tokens", options->base_url);
	char	   *body;
	ZdHttpResponse response;
	char		err[256];
	ZdRequestStats before = conn->stats;

	if (refresh_token != NULL)
		body = zd_oauth_refresh_body(options->oauth_client_id,
									 options->oauth_client_secret, refresh_token);
	else
		body = zd_oauth_client_credentials_body(options->oauth_client_id,
												options->oauth_client_secret,
												options->oauth_scope);
	if (body == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	PG_TRY();
	{
		ZdHttpError err;

		conn->stats.requests_standard++;
		err = perform(conn, options, "POST", url, NULL, body, &response);
		flush_stats(conn, options, url, &before);

		if (err != ZD_HTTP_OK)
			report_transport_error(options, "POST", url, err,
								   zd_http_error_message(conn->http));
	}
	PG_FINALLY();
	{
		zd_secret_free(body);
	}
	PG_END_TRY();

	elog(DEBUG1, "zendesk_fdw: POST /oauth/tokens: HTTP %ld", response.status);
	if (response.status != 200)
	{
		char		said[512];

		zd_error_text(response.body, response.body_len, said, sizeof(said));
		zd_token_refused(options, &response, said);
	}
	if (!zd_token_grant_parse(response.body, response.body_len, grant, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("invalid OAuth token response from Zendesk server \"%s\"",
						options->server_name),
				 errdetail("%s (POST /oauth/tokens).", err)));
}

/*
 * fetch_access_token
 *		The client-credentials grant: a fresh access token for this mapping.
 */
static void
fetch_access_token(ZdConn *conn, const ZdOptions *options)
{
	ZdTokenGrant grant;

	/* the token's life counts from the request: no clock but ours is used */
	time_t		asked_at = time(NULL);

	token_request(conn, options, NULL, &grant);
	zd_secret_free(grant.refresh_token);
	zd_secret_free(conn->access_token);
	conn->access_token = grant.access_token;
	conn->token_renew_at = zd_token_renew_at(asked_at, grant.expires_in);
	conn->token_expires_at = grant.expires_in > 0 ? asked_at + grant.expires_in : (time_t) -1;
}

/* What a connection hands the token store to perform its refresh. */
typedef struct TokenRequestArg
{
	ZdConn	   *conn;
	const ZdOptions *options;
} TokenRequestArg;

static void
token_request_for_store(void *arg, const char *refresh_token, ZdTokenGrant *grant)
{
	TokenRequestArg *a = arg;

	token_request(a->conn, a->options, refresh_token, grant);
}

/*
 * The Authorization header for the mapping's method (malloc'd).  Not inlined:
 * its caller sets up a PG_TRY, and gcc's -Wclobbered misreads the merge.
 */
static pg_noinline char *
authorization_header(ZdConn *conn, const ZdOptions *options)
{
	char	   *header = NULL;

	switch (options->auth_method)
	{
		case ZD_AUTH_OAUTH_CLIENT_CREDENTIALS:
			if (conn->access_token == NULL ||
				(conn->token_renew_at != (time_t) -1 && time(NULL) >= conn->token_renew_at))
				fetch_access_token(conn, options);
			header = zd_auth_bearer(conn->access_token);
			break;
		case ZD_AUTH_OAUTH_REFRESH_TOKEN:
			{
				/* zd_tokens.c: the pair shared by the cluster */
				TokenRequestArg arg = {conn, options};

				header = zd_tokens_authorization(options, token_request_for_store, &arg);
			}
			break;
		case ZD_AUTH_OAUTH_TOKEN:
			header = zd_auth_bearer(options->oauth_token);
			break;
		case ZD_AUTH_API_TOKEN:
			header = zd_auth_basic(options->email, options->api_token);
			break;
	}
	if (header == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return header;
}

/*
 * get_with_credentials
 *		One GET with the mapping's Authorization header, wiped afterwards.
 */
static ZdHttpError
get_with_credentials(ZdConn *conn, const ZdOptions *options, const char *url,
					 ZdHttpResponse *response)
{
	char	   *authorization = authorization_header(conn, options);
	volatile ZdHttpError err = ZD_HTTP_OK;

	PG_TRY();
	{
		err = perform(conn, options, "GET", url, authorization, NULL, response);
	}
	PG_FINALLY();
	{
		zd_secret_free(authorization);
	}
	PG_END_TRY();
	return err;
}

static bool
transport_error_is_transient(ZdHttpError err)
{
	return err == ZD_HTTP_ERR_CONNECT || err == ZD_HTTP_ERR_TIMEOUT ||
		err == ZD_HTTP_ERR_TRANSFER;
}

/*
 * backoff_ms
 *		Delay before retry number n (1, 2, ...): exponential from 1 s, capped
 *		at 30 s, with jitter so that backends do not retry in step.
 */
static long
backoff_ms(int n)
{
	long		ceiling = 1000L << Min(n - 1, 5);

	ceiling = Min(ceiling, 30000L);
	return ceiling / 2 + (long) (pg_prng_double(&pg_global_prng_state) * (ceiling / 2));
}

/* Is a Content-Type value JSON's (application/json, or a +json type)? */
static bool
content_type_is_json(const char *type)
{
	size_t		len = strcspn(type, "; \t");

	return (len == 16 && pg_strncasecmp(type, "application/json", 16) == 0) ||
		(len > 5 && pg_strncasecmp(type + len - 5, "+json", 5) == 0);
}

/*
 * check_json_answer
 *		A 200 that is not JSON (a proxy's or a maintenance page) is an error
 *		saying so, rather than a parse error further on.
 */
static void
check_json_answer(ZdConn *conn, const ZdOptions *options, const char *url,
				  const ZdHttpResponse *response)
{
	const char *type = zd_http_header(conn->http, "Content-Type");
	char		said[512];

	if (type == NULL || content_type_is_json(type))
		return;
	zd_error_text(response->body, response->body_len, said, sizeof(said));
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
			 errmsg("Zendesk server \"%s\" answered with %s instead of JSON",
					options->server_name, pnstrdup(type, strcspn(type, "; \t"))),
			 errdetail("HTTP 200 from GET %s: %s.", zd_url_path(url), said),
			 errhint("A proxy or a maintenance page may be answering for Zendesk; check the server's subdomain or url option.")));
}

/*
 * zd_conn_get
 *		GET url with the mapping's credentials, paced, retried; returns only
 *		on HTTP 200 with a JSON body (or no Content-Type).  *url may be
 *		replaced (a 504 on a large page is retried with half the per_page).
 *
 * Retries, at most max_retries per call: a 429 after exactly its
 * Retry-After (and a slower pace after it); a 503 with Retry-After after
 * that; other 5xx and transient transport failures after a jittered,
 * exponential backoff.  An OAuth access token Zendesk calls invalid
 * (client credentials or refresh token) is renewed once.
 */
void
zd_conn_get(ZdConn *conn, const ZdOptions *options, char **url,
			ZdRequestKind kind, ZdHttpResponse *response)
{
	zd_conn_get_accepting(conn, options, url, kind, NULL, response);
}

/*
 * status_accepted
 *		Is status among the 0-terminated accepted statuses?
 */
static bool
status_accepted(long status, const long *accepted)
{
	for (; accepted != NULL && *accepted != 0; accepted++)
		if (*accepted == status)
			return true;
	return false;
}

/*
 * zd_conn_get_accepting
 *		zd_conn_get, where the 0-terminated statuses in accepted (e.g. a
 *		lookup's 404) are handed to the caller instead of raised as errors.
 */
void
zd_conn_get_accepting(ZdConn *conn, const ZdOptions *options, char **url,
					  ZdRequestKind kind, const long *accepted,
					  ZdHttpResponse *response)
{
	int			retries = 0;
	bool		renewed = false;
	ZdRequestStats before = conn->stats;

	for (;;)
	{
		ZdHttpError err;
		ZdRateInfo	rate;
		long		wait_ms = -1;

		zd_pace_before(options, kind, &conn->stats);
		err = get_with_credentials(conn, options, *url, response);
		if (kind == ZD_REQ_EXPORT)
			conn->stats.requests_export++;
		else
			conn->stats.requests_standard++;

		if (err != ZD_HTTP_OK)
		{
			zd_pace_after(options, kind, NULL, false);
			if (!transport_error_is_transient(err) || retries >= options->max_retries)
			{
				flush_stats(conn, options, *url, &before);
				report_transport_error(options, "GET", *url, err,
									   zd_http_error_message(conn->http));
			}
			retries++;
			conn->stats.retries++;
			elog(DEBUG1, "zendesk_fdw: GET %s failed: %s; retry %d of %d",
				 zd_url_path(*url), zd_http_error_message(conn->http), retries,
				 options->max_retries);
			zd_wait_ms(backoff_ms(retries), &conn->stats);
			continue;
		}

		elog(DEBUG1, "zendesk_fdw: GET %s: HTTP %ld, %ld bytes in %.3f s",
			 zd_url_path(*url), response->status, response->wire_bytes, response->seconds);
		zd_rate_info(conn->http, (int64_t) time(NULL), &rate);
		zd_pace_after(options, kind, &rate, response->status == 429);

		if (response->status == 401 && !renewed &&
			(options->auth_method == ZD_AUTH_OAUTH_CLIENT_CREDENTIALS ||
			 options->auth_method == ZD_AUTH_OAUTH_REFRESH_TOKEN) &&
			zd_error_is_invalid_token(response->body, response->body_len))
		{
			if (options->auth_method == ZD_AUTH_OAUTH_REFRESH_TOKEN)
				zd_tokens_rejected(options);	/* zd_tokens.c */
			zd_secret_free(conn->access_token);
			conn->access_token = NULL;
			renewed = true;
			continue;
		}
		if (response->status == 429)
		{
			conn->stats.rate_limited++;
			/* no Retry-After: wait out a whole rate-limit window */
			wait_ms = rate.retry_after_ms >= 0 ? rate.retry_after_ms : 60000;
		}
		else if (response->status == 503 && rate.retry_after_ms >= 0)
			wait_ms = rate.retry_after_ms;
		else if (response->status == 504 && zd_url_per_page(*url) > 1)
		{
			char	   *smaller = zd_url_with_per_page(*url, zd_url_per_page(*url) / 2);

			if (smaller == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_OUT_OF_MEMORY),
						 errmsg("out of memory")));
			*url = pstrdup(smaller);
			free(smaller);
			wait_ms = 0;
		}
		else if (response->status >= 500)
			wait_ms = backoff_ms(retries + 1);

		if (wait_ms < 0 || retries >= options->max_retries)
			break;
		retries++;
		conn->stats.retries++;
		zd_wait_ms(wait_ms, &conn->stats);
	}
	flush_stats(conn, options, *url, &before);
	if (response->status != 200)
	{
		if (!status_accepted(response->status, accepted))
			zd_conn_report_status(conn, options, "GET", *url, response);
		return;
	}
	check_json_answer(conn, options, *url, response);
}

/*
 * zd_conn_stats
 *		The connection's counters, for EXPLAIN ANALYZE and the stats view.
 */
const ZdRequestStats *
zd_conn_stats(ZdConn *conn)
{
	return &conn->stats;
}

/*
 * zd_conn_token_expires_at
 *		When the connection's OAuth access token expires ((time_t) -1: no
 *		token, or no expiry known).
 */
time_t
zd_conn_token_expires_at(ZdConn *conn, const ZdOptions *options)
{
	if (options->auth_method == ZD_AUTH_OAUTH_CLIENT_CREDENTIALS && conn->access_token != NULL)
		return conn->token_expires_at;
	if (options->auth_method == ZD_AUTH_OAUTH_REFRESH_TOKEN)
		return zd_tokens_expires_at(options);
	return (time_t) -1;
}

/*
 * zd_conn_header
 *		A header of the connection's last response, or NULL.
 */
const char *
zd_conn_header(ZdConn *conn, const char *name)
{
	return zd_http_header(conn->http, name);
}
