/*-------------------------------------------------------------------------
 *
 * zd_url.c
 *		  Checks on the URLs the client talks to.
 *
 * Credentials travel with every request, so where a request may go is
 * decided here, with libcurl's own URL parser (the one that will send it).
 *
 * IDENTIFICATION
 *		  src/zd_url.c
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

/*
 * zd_url_check_base
 *		Is url acceptable as a server's base URL?  https to any host, http to
 *		loopback only; no user info, query or fragment.  *plain_http tells
 *		which.
 */
bool
zd_url_check_base(const char *url, bool *plain_http, char *errbuf, size_t errlen)
{
	CURLU	   *u = curl_url();
	char	   *scheme = NULL;
	char	   *host = NULL;
	char	   *part = NULL;
	bool		ok = false;

	*plain_http = false;
	if (u == NULL)
	{
		snprintf(errbuf, errlen, "out of memory");
		return false;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		snprintf(errbuf, errlen, "\"%s\" is not a valid URL", url);
	else if (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0)
		snprintf(errbuf, errlen, "the scheme must be https (or http to a loopback host), not \"%s\"", scheme);
	else if (strcasecmp(scheme, "http") == 0 && !host_is_loopback(host))
		snprintf(errbuf, errlen, "plain http is allowed only to a loopback host (localhost, 127.0.0.0/8, [::1])");
	else if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK)
		snprintf(errbuf, errlen, "the URL must not hold user information: credentials belong in the user mapping");
	else if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
			 curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK)
		snprintf(errbuf, errlen, "the URL must not have a query or fragment");
	else
	{
		*plain_http = strcasecmp(scheme, "http") == 0;
		ok = true;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(part);
	curl_url_cleanup(u);
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
