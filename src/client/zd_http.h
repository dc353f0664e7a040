/*-------------------------------------------------------------------------
 *
 * zd_http.h
 *		  A small HTTP client over libcurl's multi interface.
 *
 * This layer includes no PostgreSQL header: it is built into the backend
 * module and, unchanged, into the unit tests and fuzzers.  It never blocks.
 * The caller starts a request, asks which sockets and timeout libcurl is
 * waiting on (zd_http_poll), waits for them in its own event loop -- the
 * backend uses a WaitEventSet that also watches its latch, so a cancel is
 * immediate -- and reports back what became ready.  Nothing here raises an
 * error or calls back into the caller: failures come back as a ZdHttpError
 * plus a message.
 *
 * IDENTIFICATION
 *		  src/client/zd_http.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_HTTP_H
#define ZD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define ZD_HTTP_MAX_SOCKETS 8

typedef struct ZdHttp ZdHttp;

typedef enum ZdHttpError
{
	ZD_HTTP_OK = 0,
	ZD_HTTP_ERR_SETUP,			/* libcurl refused an option, or out of memory */
	ZD_HTTP_ERR_URL,			/* malformed URL or a scheme not allowed */
	ZD_HTTP_ERR_CONNECT,		/* name resolution or TCP connect failed */
	ZD_HTTP_ERR_TLS,			/* TLS handshake or certificate verification */
	ZD_HTTP_ERR_TIMEOUT,		/* connect, total or stall timeout reached */
	ZD_HTTP_ERR_TRANSFER,		/* connection dropped, bad encoding, ... */
	ZD_HTTP_ERR_TOO_LARGE		/* decoded body larger than the cap */
} ZdHttpError;

typedef struct ZdHttpRequest
{
	const char *method;			/* "GET" or "POST" */
	const char *url;
	const char *authorization;	/* whole Authorization header value, or NULL */
	const char *body;			/* POST body, or NULL */
	const char *content_type;	/* of the POST body */
	const char *ca_file;		/* trust these CAs instead of the system's */
	const char *proxy;			/* a proxy URL, or NULL: none (the environment's
								 * proxy variables are never used) */
	bool		allow_plain_http;	/* otherwise only https is allowed */
	long		connect_timeout_ms;
	long		timeout_ms;		/* the whole request */
	long		stall_timeout_ms;	/* no byte received for this long (whole
									 * seconds; 0: no stall check) */
	size_t		max_body_bytes; /* decoded bytes; 0 means no cap */
} ZdHttpRequest;

typedef struct ZdHttpResponse
{
	long		status;
	const char *body;			/* NUL-terminated; owned by the handle */
	size_t		body_len;
	double		seconds;		/* total time of the transfer */
	long		wire_bytes;		/* body bytes as received (compressed) */
} ZdHttpResponse;

/* What libcurl waits for; fd lists are valid until the next call. */
typedef struct ZdHttpWait
{
	int			nsockets;
	struct
	{
		int			fd;
		bool		want_read;
		bool		want_write;
	}			sockets[ZD_HTTP_MAX_SOCKETS];
	long		timeout_ms;		/* -1: no timer pending */
} ZdHttpWait;

extern ZdHttp *zd_http_create(void);
extern void zd_http_destroy(ZdHttp *http);

extern ZdHttpError zd_http_start(ZdHttp *http, const ZdHttpRequest *request);
extern bool zd_http_poll(ZdHttp *http, ZdHttpWait *wait);
extern void zd_http_socket_ready(ZdHttp *http, int fd, bool readable,
								 bool writable);
extern void zd_http_timer_expired(ZdHttp *http);
extern void zd_http_abort(ZdHttp *http);

extern ZdHttpError zd_http_result(ZdHttp *http, ZdHttpResponse *response);
extern const char *zd_http_error_message(const ZdHttp *http);
extern const char *zd_http_header(const ZdHttp *http, const char *name);
extern int	zd_http_connection_count(const ZdHttp *http);

#endif							/* ZD_HTTP_H */
