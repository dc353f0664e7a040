/*-------------------------------------------------------------------------
 *
 * zd_url.c
 *		  Checks on the URLs the client talks to.
 *
 * Credentials travel with every request, so where a request may go is
 * decided here, with libcurl's own URL parser (the one that will send it).
 *
 * IDENTIFICATION
 *		  src/client/zd_url.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <curl/curl.h>

#include "zd_url.h"

/* Parts of a URL that decide where a request goes. */
typedef struct UrlParts
{
	char	   *scheme;
	char	   *host;
	char	   *port;
	char	   *path;
} UrlParts;

static bool
split_url(const char *url, UrlParts *parts)
{
	CURLU	   *u = curl_url();
	bool		ok;

	memset(parts, 0, sizeof(*parts));
	if (u == NULL)
		return false;
	ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_SCHEME, &parts->scheme, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_HOST, &parts->host, 0) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_PORT, &parts->port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
		curl_url_get(u, CURLUPART_PATH, &parts->path, 0) == CURLUE_OK;
	curl_url_cleanup(u);
	return ok;
}

static void
free_url_parts(UrlParts *parts)
{
	curl_free(parts->scheme);
	curl_free(parts->host);
	curl_free(parts->port);
	curl_free(parts->path);
}

/*
 * zd_url_on_base
 *		Does url go to the same scheme, host and port as base_url, under its
 *		path?
 */
bool
zd_url_on_base(const char *base_url, const char *url)
{
	UrlParts	base;
	UrlParts	target;
	bool		same = false;

	/* freed below even when base_url fails to parse and url is never split */
	memset(&target, 0, sizeof(target));
	if (split_url(base_url, &base) && split_url(url, &target))
	{
		size_t		baselen = strlen(base.path);

		while (baselen > 0 && base.path[baselen - 1] == '/')
			baselen--;
		same = strcasecmp(base.scheme, target.scheme) == 0 &&
			strcasecmp(base.host, target.host) == 0 &&
			strcmp(base.port, target.port) == 0 &&
			strncmp(base.path, target.path, baselen) == 0 &&
			(target.path[baselen] == '/' || target.path[baselen] == '\0');
	}
	free_url_parts(&base);
	free_url_parts(&target);
	return same;
}

/* localhost, an IPv4 address in 127.0.0.0/8, or [::1] */
static bool
host_is_loopback(const char *host)
{
	struct in_addr addr;

	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return true;
	return inet_pton(AF_INET, host, &addr) == 1 &&
		(ntohl(addr.s_addr) >> 24) == 127;
}

/* Is this part of u present? */
static bool
has_part(CURLU *u, CURLUPart what)
{
	char	   *part = NULL;
	bool		present = curl_url_get(u, what, &part, 0) == CURLUE_OK;

	curl_free(part);
	return present;
}

/*
 * A URL to check: parsed (flags as curl_url_set takes them), with its
 * scheme and a host that is not empty; false (errbuf says why) if it has
 * none.  The caller frees a URL parsed with free_checked.
 */
typedef struct CheckedUrl
{
	CURLU	   *u;
	char	   *scheme;
	char	   *host;
} CheckedUrl;

static void
free_checked(CheckedUrl *c)
{
	curl_free(c->scheme);
	curl_free(c->host);
	curl_url_cleanup(c->u);
}

static bool
parse_checked(const char *url, unsigned int flags, CheckedUrl *c, char *errbuf, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->u = curl_url();
	if (c->u == NULL)
	{
		snprintf(errbuf, errlen, "out of memory");
		return false;
	}
	if (curl_url_set(c->u, CURLUPART_URL, url, flags) != CURLUE_OK ||
		curl_url_get(c->u, CURLUPART_SCHEME, &c->scheme, 0) != CURLUE_OK ||
		curl_url_get(c->u, CURLUPART_HOST, &c->host, 0) != CURLUE_OK || c->host[0] == '\0')
	{
		snprintf(errbuf, errlen, "\"%.64s\" is not a valid URL", url);
		free_checked(c);
		return false;
	}
	return true;
}

/*
 * zd_url_check_base
 *		Is url acceptable as a server's base URL?  https to any host, http to
 *		loopback only; no user info, query or fragment.  *plain_http tells
 *		which.
 */
bool
zd_url_check_base(const char *url, bool *plain_http, char *errbuf, size_t errlen)
{
	CheckedUrl	c;
	bool		ok = false;

	*plain_http = false;
	if (!parse_checked(url, 0, &c, errbuf, errlen))
		return false;
	if (strcasecmp(c.scheme, "https") != 0 && strcasecmp(c.scheme, "http") != 0)
		snprintf(errbuf, errlen, "the scheme must be https (or http to a loopback host), not \"%.32s\"", c.scheme);
	else if (strcasecmp(c.scheme, "http") == 0 && !host_is_loopback(c.host))
		snprintf(errbuf, errlen, "plain http is allowed only to a loopback host (localhost, 127.0.0.0/8, [::1])");
	else if (has_part(c.u, CURLUPART_USER))
		snprintf(errbuf, errlen, "the URL must not hold user information: credentials belong in the user mapping");
	else if (has_part(c.u, CURLUPART_QUERY) || has_part(c.u, CURLUPART_FRAGMENT))
		snprintf(errbuf, errlen, "the URL must not have a query or fragment");
	else
	{
		*plain_http = strcasecmp(c.scheme, "http") == 0;
		ok = true;
	}
	free_checked(&c);
	return ok;
}

/*
 * zd_url_check_proxy
 *		Is url acceptable as a proxy: http, https or socks5h to a host (and
 *		port), nothing else?  Server options are readable by every role, so
 *		a proxy's user information would be a credential on show.
 */
bool
zd_url_check_proxy(const char *url, char *errbuf, size_t errlen)
{
	CheckedUrl	c;
	char	   *path = NULL;
	bool		ok = false;

	if (!parse_checked(url, CURLU_NON_SUPPORT_SCHEME, &c, errbuf, errlen))
		return false;
	if (strcasecmp(c.scheme, "http") != 0 && strcasecmp(c.scheme, "https") != 0 &&
			 strcasecmp(c.scheme, "socks5h") != 0)
		snprintf(errbuf, errlen, "the scheme must be http, https or socks5h, not \"%.32s\"", c.scheme);
	else if (has_part(c.u, CURLUPART_USER))
		snprintf(errbuf, errlen, "the proxy URL must not hold user information: server options are visible to every role");
	else if (has_part(c.u, CURLUPART_QUERY) || has_part(c.u, CURLUPART_FRAGMENT) ||
			 (curl_url_get(c.u, CURLUPART_PATH, &path, 0) == CURLUE_OK && strcmp(path, "/") != 0))
		snprintf(errbuf, errlen, "a proxy URL has no path, query or fragment");
	else
		ok = true;
	curl_free(path);
	free_checked(&c);
	return ok;
}

/* Where the value of query parameter per_page starts in url, or NULL. */
static const char *
per_page_value(const char *url)
{
	const char *q = strchr(url, '?');

	while (q != NULL)
	{
		q++;
		if (strncmp(q, "per_page=", 9) == 0)
			return q + 9;
		q = strchr(q, '&');
	}
	return NULL;
}

/*
 * zd_url_per_page
 *		The per_page parameter of url, or -1.
 */
int
zd_url_per_page(const char *url)
{
	const char *v = per_page_value(url);
	int			n = 0;

	if (v == NULL || *v < '0' || *v > '9')
		return -1;
	for (; *v >= '0' && *v <= '9' && n < 100000; v++)
		n = n * 10 + (*v - '0');
	return n;
}

/*
 * zd_url_with_per_page
 *		A malloc'd copy of url with per_page set to the given value (url must
 *		have the parameter).
 */
char *
zd_url_with_per_page(const char *url, int per_page)
{
	const char *v = per_page_value(url);
	const char *end;
	char		num[16];
	char	   *result;

	if (v == NULL)
		return NULL;
	end = v;
	while (*end >= '0' && *end <= '9')
		end++;
	snprintf(num, sizeof(num), "%d", per_page);
	result = malloc(strlen(url) + strlen(num) + 1);
	if (result == NULL)
		return NULL;
	memcpy(result, url, v - url);
	strcpy(result + (v - url), num);
	strcat(result, end);
	return result;
}

/*
 * zd_url_encode
 *		Percent-encode value as a query component into out, which has room
 *		for 3 * strlen(value) + 1 bytes: every byte but the unreserved ones
 *		(RFC 3986 §2.3), so an opaque cursor (base64: '+', '/', '=') arrives
 *		as it was given.  Returns the length written.
 */
size_t
zd_url_encode(char *out, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	char	   *p = out;

	for (const unsigned char *c = (const unsigned char *) value; *c; c++)
	{
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			(*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.' || *c == '~')
			*p++ = (char) *c;
		else
		{
			*p++ = '%';
			*p++ = hex[*c >> 4];
			*p++ = hex[*c & 15];
		}
	}
	*p = '\0';
	return (size_t) (p - out);
}
