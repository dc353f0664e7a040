/*-------------------------------------------------------------------------
 *
 * zd_http.c
 *		  A non-blocking HTTP client over libcurl's multi interface.
 *
 * One ZdHttp holds one multi handle and one easy handle, reused from request
 * to request so that libcurl keeps the connection (and the TLS session) alive
 * between the pages of a scan.  libcurl tells us which sockets it wants
 * through its socket callback and when it wants to be woken through its timer
 * callback; both only record what they are told.  The write and header
 * callbacks only append to malloc'd buffers, with a size cap, and ask libcurl
 * to abort when the cap is passed.  No callback blocks, allocates with
 * anything but malloc, or calls back into the caller.
 *
 * Only GET and POST are used, redirects are never followed, and plain http is
 * refused unless the caller allows it (the backend allows it for loopback
 * hosts only); no other protocol is ever spoken.  Proxies are used only when
 * the caller names one: the environment's http_proxy, https_proxy, all_proxy
 * (which libcurl would otherwise follow) are ignored.  Every request is
 * bounded in time three ways: connecting, the whole request, and a stall (no
 * byte received for a while).  CURLOPT_NOSIGNAL keeps libcurl away from
 * SIGALRM, which belongs to the backend's timeouts.
 *
 * IDENTIFICATION
 *		  src/client/zd_http.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "zd_http.h"

typedef struct ZdHttpHeader
{
	char	   *name;
	char	   *value;
} ZdHttpHeader;

struct ZdHttp
{
	CURLM	   *multi;
	CURL	   *easy;
	bool		in_flight;		/* easy handle is attached to multi */
	bool		done;
	CURLcode	result;
	bool		body_too_large;

	/* sockets and timer as libcurl last described them */
	int			nsockets;
	int			sock_fd[ZD_HTTP_MAX_SOCKETS];
	int			sock_what[ZD_HTTP_MAX_SOCKETS];
	bool		sockets_overflow;
	bool		timer_set;
	long long	timer_deadline_ms;	/* CLOCK_MONOTONIC */

	/* response */
	char	   *body;
	size_t		body_len;
	size_t		body_cap;
	size_t		max_body_bytes;
	ZdHttpHeader *headers;
	int			nheaders;
	int			headers_cap;
	struct curl_slist *request_headers;
	char		errbuf[CURL_ERROR_SIZE];
	char		message[CURL_ERROR_SIZE + 128];
};

static long long
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
clear_headers(ZdHttp *http)
{
	for (int i = 0; i < http->nheaders; i++)
	{
		free(http->headers[i].name);
		free(http->headers[i].value);
	}
	http->nheaders = 0;
}

/*
 * socket_cb
 *		libcurl's socket callback: remember what it wants on which socket.
 */
static int
socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	ZdHttp	   *http = userp;
	int			i;

	for (i = 0; i < http->nsockets; i++)
		if (http->sock_fd[i] == (int) fd)
			break;

	if (what == CURL_POLL_REMOVE)
	{
		if (i < http->nsockets)
		{
			http->nsockets--;
			http->sock_fd[i] = http->sock_fd[http->nsockets];
			http->sock_what[i] = http->sock_what[http->nsockets];
		}
		return 0;
	}
	if (i == http->nsockets)
	{
		if (http->nsockets == ZD_HTTP_MAX_SOCKETS)
		{
			http->sockets_overflow = true;
			return -1;			/* makes libcurl fail the transfer */
		}
		http->nsockets++;
		http->sock_fd[i] = (int) fd;
	}
	http->sock_what[i] = what;
	return 0;
}

/*
 * timer_cb
 *		libcurl's timer callback: remember when it wants to be woken.
 */
static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	ZdHttp	   *http = userp;

	if (timeout_ms < 0)
		http->timer_set = false;
	else
	{
		http->timer_set = true;
		http->timer_deadline_ms = monotonic_ms() + timeout_ms;
	}
	return 0;
}

/*
 * write_cb
 *		Append body bytes (already decoded) to the malloc'd buffer.
 */
static size_t
write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	ZdHttp	   *http = userp;
	size_t		n = size * nmemb;

	if (http->max_body_bytes > 0 && http->body_len + n > http->max_body_bytes)
	{
		http->body_too_large = true;
		return CURL_WRITEFUNC_ERROR;
	}
	if (http->body_len + n + 1 > http->body_cap)
	{
		size_t		cap = http->body_cap ? http->body_cap : 16384;
		char	   *grown;

		while (cap < http->body_len + n + 1)
			cap *= 2;
		grown = realloc(http->body, cap);
		if (grown == NULL)
			return CURL_WRITEFUNC_ERROR;
		http->body = grown;
		http->body_cap = cap;
	}
	memcpy(http->body + http->body_len, data, n);
	http->body_len += n;
	http->body[http->body_len] = '\0';
	return n;
}

/*
 * header_cb
 *		Keep the header lines of the last response, as name/value pairs.
 */
static size_t
header_cb(char *line, size_t size, size_t nmemb, void *userp)
{
	ZdHttp	   *http = userp;
	size_t		n = size * nmemb;
	size_t		len = n;
	const char *colon;
	size_t		namelen;
	const char *value;
	size_t		valuelen;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;

	/* A status line starts a new response (after 100 Continue, say). */
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0)
	{
		clear_headers(http);
		return n;
	}
	colon = memchr(line, ':', len);
	if (colon == NULL)
		return n;
	namelen = colon - line;
	value = colon + 1;
	valuelen = len - namelen - 1;
	while (valuelen > 0 && (*value == ' ' || *value == '\t'))
	{
		value++;
		valuelen--;
	}

	if (http->nheaders == http->headers_cap)
	{
		int			cap = http->headers_cap ? http->headers_cap * 2 : 32;
		ZdHttpHeader *grown = realloc(http->headers, cap * sizeof(ZdHttpHeader));

		if (grown == NULL)
			return CURL_WRITEFUNC_ERROR;
		http->headers = grown;
		http->headers_cap = cap;
	}
	http->headers[http->nheaders].name = strndup(line, namelen);
	http->headers[http->nheaders].value = strndup(value, valuelen);
	if (http->headers[http->nheaders].name == NULL ||
		http->headers[http->nheaders].value == NULL)
	{
		free(http->headers[http->nheaders].name);
		free(http->headers[http->nheaders].value);
		return CURL_WRITEFUNC_ERROR;
	}
	http->nheaders++;
	return n;
}

/*
 * zd_http_create
 *		A new client, or NULL when libcurl cannot make its handles.
 */
ZdHttp *
zd_http_create(void)
{
	ZdHttp	   *http = calloc(1, sizeof(ZdHttp));

	if (http == NULL)
		return NULL;
	http->multi = curl_multi_init();
	http->easy = curl_easy_init();
	if (http->multi == NULL || http->easy == NULL ||
		curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, socket_cb) != CURLM_OK ||
		curl_multi_setopt(http->multi, CURLMOPT_SOCKETDATA, http) != CURLM_OK ||
		curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, timer_cb) != CURLM_OK ||
		curl_multi_setopt(http->multi, CURLMOPT_TIMERDATA, http) != CURLM_OK)
	{
		zd_http_destroy(http);
		return NULL;
	}
	return http;
}

/*
 * zd_http_abort
 *		Drop a transfer in progress, if any (its connection is closed).
 */
void
zd_http_abort(ZdHttp *http)
{
	if (http->in_flight)
	{
		curl_multi_remove_handle(http->multi, http->easy);
		http->in_flight = false;
	}
	http->nsockets = 0;
	http->timer_set = false;
}

void
zd_http_destroy(ZdHttp *http)
{
	if (http == NULL)
		return;
	if (http->multi != NULL && http->easy != NULL)
		zd_http_abort(http);
	if (http->easy)
		curl_easy_cleanup(http->easy);
	if (http->multi)
		curl_multi_cleanup(http->multi);
	curl_slist_free_all(http->request_headers);
	clear_headers(http);
	free(http->headers);
	free(http->body);
	free(http);
}

static void
set_message(ZdHttp *http, const char *text)
{
	snprintf(http->message, sizeof(http->message), "%s", text);
}

static bool
append_header(ZdHttp *http, const char *name, const char *value)
{
	size_t		len = strlen(name) + strlen(value) + 3;
	char	   *line = malloc(len);
	struct curl_slist *list;

	if (line == NULL)
		return false;
	snprintf(line, len, "%s: %s", name, value);
	list = curl_slist_append(http->request_headers, line);
	/* curl_slist_append copies the string */
	explicit_bzero(line, len);
	free(line);
	if (list == NULL)
		return false;
	http->request_headers = list;
	return true;
}

#define SETOPT(opt, val) \
	do { if (curl_easy_setopt(http->easy, (opt), (val)) != CURLE_OK) goto setup_failed; } while (0)

/*
 * zd_http_start
 *		Begin a request.  A transfer still in progress is dropped first.
 */
ZdHttpError
zd_http_start(ZdHttp *http, const ZdHttpRequest *request)
{
	bool		post = strcmp(request->method, "POST") == 0;

	zd_http_abort(http);
	curl_easy_reset(http->easy);
	curl_slist_free_all(http->request_headers);
	http->request_headers = NULL;
	clear_headers(http);
	http->body_len = 0;
	if (http->body)
		http->body[0] = '\0';
	http->body_too_large = false;
	http->sockets_overflow = false;
	http->done = false;
	http->result = CURLE_OK;
	http->errbuf[0] = '\0';
	http->message[0] = '\0';
	http->max_body_bytes = request->max_body_bytes;

	if (!post && strcmp(request->method, "GET") != 0)
	{
		set_message(http, "only GET and POST are supported");
		return ZD_HTTP_ERR_SETUP;
	}

	SETOPT(CURLOPT_URL, request->url);
	SETOPT(CURLOPT_PROTOCOLS_STR, request->allow_plain_http ? "http,https" : "https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_ERRORBUFFER, http->errbuf);
	SETOPT(CURLOPT_WRITEFUNCTION, write_cb);
	SETOPT(CURLOPT_WRITEDATA, http);
	SETOPT(CURLOPT_HEADERFUNCTION, header_cb);
	SETOPT(CURLOPT_HEADERDATA, http);
	SETOPT(CURLOPT_ACCEPT_ENCODING, "");
	SETOPT(CURLOPT_USERAGENT, "zendesk_fdw/1.0");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, request->connect_timeout_ms);
	SETOPT(CURLOPT_TIMEOUT_MS, request->timeout_ms);
	if (request->stall_timeout_ms > 0)
	{
		/* less than a byte a second for that many seconds */
		SETOPT(CURLOPT_LOW_SPEED_LIMIT, 1L);
		SETOPT(CURLOPT_LOW_SPEED_TIME, (request->stall_timeout_ms + 999) / 1000);
	}
	/*
	 * Proxies are a server option, never taken from the environment: ""
	 * disables http_proxy and friends, and an empty exception list keeps
	 * no_proxy from bypassing the proxy the caller named.
	 */
	SETOPT(CURLOPT_PROXY, request->proxy ? request->proxy : "");
	SETOPT(CURLOPT_NOPROXY, "");
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (request->ca_file != NULL)
		SETOPT(CURLOPT_CAINFO, request->ca_file);

	if (!append_header(http, "Accept", "application/json"))
		goto setup_failed;
	if (request->authorization != NULL &&
		!append_header(http, "Authorization", request->authorization))
		goto setup_failed;
	if (post)
	{
		const char *body = request->body ? request->body : "";

		if (!append_header(http, "Content-Type",
						   request->content_type ? request->content_type : "application/json"))
			goto setup_failed;
		SETOPT(CURLOPT_POST, 1L);
		SETOPT(CURLOPT_POSTFIELDSIZE, (long) strlen(body));
		SETOPT(CURLOPT_COPYPOSTFIELDS, body);
	}
	SETOPT(CURLOPT_HTTPHEADER, http->request_headers);

	if (curl_multi_add_handle(http->multi, http->easy) != CURLM_OK)
		goto setup_failed;
	http->in_flight = true;
	zd_http_timer_expired(http);	/* let libcurl start: resolve, connect */
	return ZD_HTTP_OK;

setup_failed:
	set_message(http, "could not configure the HTTP request");
	return ZD_HTTP_ERR_SETUP;
}

static void
collect_done(ZdHttp *http)
{
	CURLMsg    *msg;
	int			left;

	while ((msg = curl_multi_info_read(http->multi, &left)) != NULL)
	{
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == http->easy)
		{
			http->result = msg->data.result;
			http->done = true;
			curl_multi_remove_handle(http->multi, http->easy);
			http->in_flight = false;
			http->nsockets = 0;
			http->timer_set = false;
		}
	}
}

/*
 * zd_http_poll
 *		True when the request has finished; otherwise fill in what to wait for.
 */
bool
zd_http_poll(ZdHttp *http, ZdHttpWait *wait)
{
	if (http->done || !http->in_flight)
		return true;

	wait->nsockets = 0;
	for (int i = 0; i < http->nsockets; i++)
	{
		int			what = http->sock_what[i];

		wait->sockets[wait->nsockets].fd = http->sock_fd[i];
		wait->sockets[wait->nsockets].want_read =
			(what == CURL_POLL_IN || what == CURL_POLL_INOUT);
		wait->sockets[wait->nsockets].want_write =
			(what == CURL_POLL_OUT || what == CURL_POLL_INOUT);
		wait->nsockets++;
	}
	if (http->timer_set)
	{
		long long	left = http->timer_deadline_ms - monotonic_ms();

		wait->timeout_ms = left > 0 ? (long) left : 0;
	}
	else
		wait->timeout_ms = -1;
	return false;
}

void
zd_http_socket_ready(ZdHttp *http, int fd, bool readable, bool writable)
{
	int			running;
	int			mask = (readable ? CURL_CSELECT_IN : 0) |
		(writable ? CURL_CSELECT_OUT : 0);

	if (!http->in_flight)
		return;
	curl_multi_socket_action(http->multi, (curl_socket_t) fd, mask, &running);
	collect_done(http);
}

void
zd_http_timer_expired(ZdHttp *http)
{
	int			running;

	if (!http->in_flight)
		return;
	http->timer_set = false;
	curl_multi_socket_action(http->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect_done(http);
}

static ZdHttpError
classify(ZdHttp *http)
{
	switch (http->result)
	{
		case CURLE_OK:
			return ZD_HTTP_OK;
		case CURLE_UNSUPPORTED_PROTOCOL:
		case CURLE_URL_MALFORMAT:
			return ZD_HTTP_ERR_URL;
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_RESOLVE_PROXY:
		case CURLE_COULDNT_CONNECT:
			return ZD_HTTP_ERR_CONNECT;
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_SSL_CIPHER:
		case CURLE_SSL_ISSUER_ERROR:
			return ZD_HTTP_ERR_TLS;
		case CURLE_OPERATION_TIMEDOUT:
			return ZD_HTTP_ERR_TIMEOUT;
		case CURLE_WRITE_ERROR:
			if (http->body_too_large)
				return ZD_HTTP_ERR_TOO_LARGE;
			return ZD_HTTP_ERR_TRANSFER;
		default:
			return ZD_HTTP_ERR_TRANSFER;
	}
}

/*
 * zd_http_result
 *		Outcome of the finished request; the response is filled in on success.
 */
ZdHttpError
zd_http_result(ZdHttp *http, ZdHttpResponse *response)
{
	ZdHttpError err;
	curl_off_t	wire = 0;
	double		seconds = 0;

	if (!http->done)
	{
		set_message(http, "the request did not finish");
		return ZD_HTTP_ERR_TRANSFER;
	}
	err = classify(http);
	if (err != ZD_HTTP_OK)
	{
		if (err == ZD_HTTP_ERR_TOO_LARGE)
			snprintf(http->message, sizeof(http->message),
					 "response body larger than %zu bytes", http->max_body_bytes);
		else if (http->sockets_overflow)
			set_message(http, "libcurl asked to watch too many sockets");
		else
			set_message(http, http->errbuf[0] ? http->errbuf : curl_easy_strerror(http->result));
		return err;
	}
	memset(response, 0, sizeof(*response));
	curl_easy_getinfo(http->easy, CURLINFO_RESPONSE_CODE, &response->status);
	curl_easy_getinfo(http->easy, CURLINFO_TOTAL_TIME, &seconds);
	curl_easy_getinfo(http->easy, CURLINFO_SIZE_DOWNLOAD_T, &wire);
	response->seconds = seconds;
	response->wire_bytes = (long) wire;
	response->body = http->body ? http->body : "";
	response->body_len = http->body_len;
	return ZD_HTTP_OK;
}

const char *
zd_http_error_message(const ZdHttp *http)
{
	return http->message;
}

/*
 * zd_http_header
 *		Value of a header of the last response (name case-insensitive), or NULL.
 */
const char *
zd_http_header(const ZdHttp *http, const char *name)
{
	for (int i = 0; i < http->nheaders; i++)
		if (strcasecmp(http->headers[i].name, name) == 0)
			return http->headers[i].value;
	return NULL;
}

/*
 * zd_http_connection_count
 *		New connections the last transfer had to open (0 when one was reused).
 */
int
zd_http_connection_count(const ZdHttp *http)
{
	long		n = 0;

	curl_easy_getinfo(http->easy, CURLINFO_NUM_CONNECTS, &n);
	return (int) n;
}
