/*-------------------------------------------------------------------------
 *
 * zd_export.c
 *		  The pagination state machines of Zendesk's incremental exports.
 *
 * Zendesk puts a non-null after_url/next_page on the last page too (zendesk-
 * api.md §3.2, §4.3), so the only end is end_of_stream.  Pagination URLs are
 * absolute; following one verbatim would send our credentials wherever the
 * response points, so a cursor URL off the configured base is an error, and
 * time-based requests are built here from end_time (the whole of what
 * next_page holds, §3.2).
 *
 * IDENTIFICATION
 *		  src/client/zd_export.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zd_export.h"
#include "zd_url.h"

/*
 * sticky_params
 *		The parameters that decide which records the export holds, as
 *		"&name=value..." (empty when none).  Whether Zendesk keeps them in its
 *		cursor is not documented (sim/README.md §16), and its after_url does
 *		not carry them (observed), so every request of the export sends them.
 */
static void
sticky_params(const ZdResource *resource, const ZdExportParams *params,
			  char *buf, size_t buflen)
{
	snprintf(buf, buflen, "%s%s%s%s",
			 (resource->has_deleted && !params->include_deleted) ? "&exclude_deleted=true" : "",
			 resource->has_support_type_scope ? "&support_type_scope=all" : "",
			 params->include ? "&include=" : "",
			 params->include ? params->include : "");
}

/*
 * Path and query of a request from start_time (malloc'd).  A negative
 * start_time is one not known yet (EXPLAIN of a run-time bound): "?".
 */
static char *
start_time_path(const ZdResource *resource, long long start_time, int per_page,
				const char *sticky)
{
	char		buf[512];
	char		start[32];

	if (start_time < 0)
		snprintf(start, sizeof(start), "?");
	else
		snprintf(start, sizeof(start), "%lld", start_time);
	snprintf(buf, sizeof(buf), "%s?start_time=%s&per_page=%d%s",
			 resource->export_path, start, per_page, sticky);
	return strdup(buf);
}

/*
 * zd_export_first_path
 *		Path and query of the first request of an export (malloc'd).
 */
char *
zd_export_first_path(const ZdResource *resource, const ZdExportParams *params)
{
	char		sticky[256];

	sticky_params(resource, params, sticky, sizeof(sticky));
	return start_time_path(resource, params->start_time, params->per_page, sticky);
}

/*
 * has_param
 *		Does the query of url hold parameter name?
 */
static bool
has_param(const char *url, const char *name, size_t namelen)
{
	const char *q = strchr(url, '?');

	while (q != NULL)
	{
		q++;
		if (strncmp(q, name, namelen) == 0 && q[namelen] == '=')
			return true;
		q = strchr(q, '&');
	}
	return false;
}

/*
 * with_sticky_params
 *		url (malloc'd copy) with every sticky parameter it lacks appended.
 */
static char *
with_sticky_params(const char *url, const char *sticky)
{
	size_t		len = strlen(url);
	char	   *result = malloc(len + strlen(sticky) + 2);
	const char *p = sticky;

	if (result == NULL)
		return NULL;
	strcpy(result, url);
	while (*p == '&')
	{
		const char *name = p + 1;
		const char *eq = strchr(name, '=');
		const char *end = strchr(name, '&');
		size_t		partlen = end ? (size_t) (end - p) : strlen(p);

		if (eq != NULL && !has_param(url, name, eq - name))
		{
			if (strchr(result, '?') == NULL)
			{
				strcat(result, "?");
				strncat(result, p + 1, partlen - 1);
			}
			else
				strncat(result, p, partlen);
		}
		p += partlen;
	}
	return result;
}

/* base_url + path, malloc'd; frees path */
static char *
on_base(const char *base_url, char *path)
{
	char	   *url;

	if (path == NULL)
		return NULL;
	url = malloc(strlen(base_url) + strlen(path) + 1);
	if (url != NULL)
	{
		strcpy(url, base_url);
		strcat(url, path);
	}
	free(path);
	return url;
}

/*
 * zd_export_begin
 *		Set up the state machine; ex->next_url is the first request.
 */
bool
zd_export_begin(ZdExport *ex, const char *base_url, const ZdResource *resource,
				const ZdExportParams *params, char *errbuf, size_t errlen)
{
	size_t		len;

	memset(ex, 0, sizeof(*ex));
	if (resource->export_path == NULL)
	{
		snprintf(errbuf, errlen, "%s has no incremental export: it is a standard list",
				 resource->name);
		return false;
	}
	ex->resource = resource;
	ex->per_page = params->per_page;
	ex->next_start_time = params->start_time;
	ex->page_start_time = -1;
	sticky_params(resource, params, ex->sticky, sizeof(ex->sticky));
	ex->base_url = strdup(base_url);
	if (ex->base_url == NULL)
		goto oom;
	len = strlen(ex->base_url);
	while (len > 0 && ex->base_url[len - 1] == '/')
		ex->base_url[--len] = '\0';
	ex->next_url = on_base(ex->base_url, zd_export_first_path(resource, params));
	if (ex->next_url == NULL)
		goto oom;
	return true;

oom:
	zd_export_end(ex);
	snprintf(errbuf, errlen, "out of memory");
	return false;
}

/*
 * zd_export_begin_at_cursor
 *		Set up a cursor export that resumes after a stored after_cursor:
 *		ex->next_url asks for the page after it.  The cursor is opaque and
 *		base64 (sim/README.md §4.2), so it is percent-encoded here.
 */
bool
zd_export_begin_at_cursor(ZdExport *ex, const char *base_url,
						  const ZdResource *resource,
						  const ZdExportParams *params, const char *cursor,
						  char *errbuf, size_t errlen)
{
	char	   *url;
	char	   *p;

	if (resource->stream != ZD_STREAM_CURSOR)
	{
		snprintf(errbuf, errlen, "the %s export is time-based and takes no cursor",
				 resource->name);
		return false;
	}
	if (!zd_export_begin(ex, base_url, resource, params, errbuf, errlen))
		return false;
	url = malloc(strlen(ex->base_url) + strlen(resource->export_path) +
				 3 * strlen(cursor) + strlen(ex->sticky) + 40);
	ex->last_cursor = strdup(cursor);
	if (url == NULL || ex->last_cursor == NULL)
	{
		free(url);
		zd_export_end(ex);
		snprintf(errbuf, errlen, "out of memory");
		return false;
	}
	p = url + sprintf(url, "%s%s?cursor=", ex->base_url, resource->export_path);
	p += zd_url_encode(p, cursor);
	sprintf(p, "&per_page=%d%s", params->per_page, ex->sticky);
	free(ex->next_url);
	ex->next_url = url;
	return true;
}

static bool
set_next(ZdExport *ex, char *next, char *errbuf, size_t errlen)
{
	if (next == NULL)
	{
		snprintf(errbuf, errlen, "out of memory");
		return false;
	}
	if (strcmp(next, ex->next_url) == 0)
	{
		free(next);
		snprintf(errbuf, errlen,
				 "the export position stopped advancing (the next page is the page just read)");
		return false;
	}
	free(ex->next_url);
	ex->next_url = next;
	return true;
}

static bool
advance_cursor(ZdExport *ex, const ZdPage *page, char *errbuf, size_t errlen)
{
	if (page->next_url == NULL)
	{
		snprintf(errbuf, errlen,
				 "the page has end_of_stream false but no after_url for the next page");
		return false;
	}
	if (!zd_url_on_base(ex->base_url, page->next_url))
	{
		snprintf(errbuf, errlen,
				 "the next page is on another host or path than the server's base URL: %.200s",
				 page->next_url);
		return false;
	}
	return set_next(ex, with_sticky_params(page->next_url, ex->sticky), errbuf, errlen);
}

static bool
advance_time(ZdExport *ex, const ZdPage *page, char *errbuf, size_t errlen)
{
	long long	start = ex->page_start_time;
	int			per_page = ex->per_page;

	if (page->end_time < start)
	{
		snprintf(errbuf, errlen, "end_time %lld is before the page's start_time %lld",
				 page->end_time, start);
		return false;
	}
	if (page->end_time == start)
	{
		if (page->nrecords == 0)
		{
			snprintf(errbuf, errlen,
					 "the export position stopped advancing (an empty page with end_time %lld = start_time)",
					 start);
			return false;
		}
		if (ex->whole_second)
		{
			snprintf(errbuf, errlen,
					 "second %lld holds more records than a page, and Zendesk did not return it whole with per_page=1",
					 start);
			return false;
		}
		/* One second fills the page: ask for that second alone. */
		ex->whole_second = true;
		per_page = 1;
	}
	else
		ex->whole_second = false;

	ex->next_start_time = page->end_time;
	return set_next(ex, on_base(ex->base_url,
								start_time_path(ex->resource, page->end_time,
												per_page, ex->sticky)),
					errbuf, errlen);
}

/*
 * zd_export_advance
 *		Take in a parsed page: decide the next request or the end.
 */
bool
zd_export_advance(ZdExport *ex, const ZdPage *page, char *errbuf, size_t errlen)
{
	ex->pages++;
	ex->page_start_time = ex->next_start_time;
	if (page->after_cursor != NULL)
	{
		char	   *cursor = strdup(page->after_cursor);

		if (cursor == NULL)
		{
			snprintf(errbuf, errlen, "out of memory");
			return false;
		}
		free(ex->last_cursor);
		ex->last_cursor = cursor;
	}

	if (page->end_of_stream)
	{
		free(ex->next_url);
		ex->next_url = NULL;
		ex->finished = true;
		return true;
	}
	if (ex->resource->stream == ZD_STREAM_CURSOR)
		return advance_cursor(ex, page, errbuf, errlen);
	return advance_time(ex, page, errbuf, errlen);
}

void
zd_export_end(ZdExport *ex)
{
	free(ex->base_url);
	free(ex->next_url);
	free(ex->last_cursor);
	memset(ex, 0, sizeof(*ex));
}
