/*-------------------------------------------------------------------------
 *
 * fuzz_export.c
 *		  libFuzzer target: the export state machines fed with pages.
 *
 * The input is
 *
 *		base URL\n
 *		resource start_time per_page include_deleted\n
 *		page\fpage\f...
 *
 * (a form feed never occurs in JSON text).  The export is begun as a scan
 * begins it and each page is parsed and taken in, as a scan does, until the
 * stream ends or a page is refused.  Properties: every request stays on the
 * base URL; the position never stands still (the same request twice is
 * refused, not repeated); the stream ends exactly on end_of_stream; a time
 * export's start_time never goes back.  The ids of each page also go
 * through zd_lookup_path, as id lookups of a join would.
 *
 * IDENTIFICATION
 *		  tests/fuzz/fuzz_export.c
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include "zd_export.h"
#include "zd_lookup.h"
#include "zd_time.h"
#include "zd_url.h"

#define MAX_PAGES 64

static void
check_lookups(const ZdResource *resource, const ZdPage *page)
{
	int64_t		ids[ZD_SHOW_MANY_MAX];
	size_t		nids = 0;
	char	   *path;

	if (resource->lookup_path == NULL)
		return;
	for (size_t i = 0; i < page->nrecords && nids < ZD_SHOW_MANY_MAX; i++)
	{
		int64_t		id;

		if (zd_record_id(json_array_get(page->records, i), &id))
			ids[nids++] = id;
	}
	if (nids == 0)
		return;
	path = zd_lookup_path(resource, ids, nids);
	FUZZ_CHECK(path != NULL, "no lookup path for %zu ids", nids);
	FUZZ_CHECK(strncmp(path, resource->lookup_path, strlen(resource->lookup_path)) == 0,
			   "lookup path \"%s\"", path);
	if (nids > 1)
	{
		size_t		commas = 0;

		for (const char *p = path; *p; p++)
			commas += (*p == ',');
		FUZZ_CHECK(commas == nids - 1, "\"%s\" for %zu ids", path, nids);
	}
	free(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part;
	size_t		partlen;
	char	   *base;
	char	   *config;
	char		name[32];
	long long	start_time = 0;
	int			per_page = 1000;
	int			include_deleted = 0;
	const ZdResource *resource;
	ZdExportParams params;
	ZdExport	ex;
	char		err[512];
	bool		plain_http;

	if (!fuzz_next_part(&data, &size, '\n', &part, &partlen))
		return 0;
	base = fuzz_cstring(part, partlen);
	if (!fuzz_next_part(&data, &size, '\n', &part, &partlen))
	{
		free(base);
		return 0;
	}
	config = fuzz_cstring(part, partlen);
	name[0] = '\0';
	sscanf(config, "%31s %lld %d %d", name, &start_time, &per_page, &include_deleted);
	free(config);
	resource = zd_resource_lookup(name);
	/*
	 * what CREATE SERVER and the table options let through; a standard list
	 * has no export (zd_export_begin refuses it) and is fuzz_list's
	 */
	if (resource == NULL || resource->stream == ZD_STREAM_LIST ||
		start_time < 0 || per_page < 1 || per_page > 1000 ||
		!zd_url_check_base(base, &plain_http, err, sizeof(err)))
	{
		free(base);
		return 0;
	}
	params.start_time = start_time;
	params.per_page = per_page;
	params.include_deleted = include_deleted != 0;
	params.include = resource->stream == ZD_STREAM_TIME && include_deleted > 1 ?
		"comment_events" : NULL;

	FUZZ_CHECK(zd_export_begin(&ex, base, resource, &params, err, sizeof(err)),
			   "begin: %s", err);
	for (int n = 0; n < MAX_PAGES && !ex.finished; n++)
	{
		ZdPage		page;
		char	   *previous;
		long long	previous_start = ex.next_start_time;
		bool		advanced;

		FUZZ_CHECK(ex.next_url != NULL, "no next request before the end");
		FUZZ_CHECK(zd_url_on_base(ex.base_url, ex.next_url),
				   "request \"%s\" is off base \"%s\"", ex.next_url, ex.base_url);
		if (!fuzz_next_part(&data, &size, '\f', &part, &partlen))
			break;
		if (!zd_page_parse((const char *) part, partlen, resource->result_key,
						   resource->stream, &page, err, sizeof(err)))
			break;
		check_lookups(resource, &page);
		previous = strdup(ex.next_url);
		err[0] = '\0';
		advanced = zd_export_advance(&ex, &page, err, sizeof(err));
		if (advanced)
		{
			FUZZ_CHECK(ex.finished == page.end_of_stream,
					   "finished=%d on end_of_stream=%d", ex.finished, page.end_of_stream);
			FUZZ_CHECK(ex.finished == (ex.next_url == NULL),
					   "finished=%d with next request %s", ex.finished,
					   ex.next_url ? ex.next_url : "(none)");
			if (!ex.finished)
			{
				FUZZ_CHECK(strcmp(previous, ex.next_url) != 0,
						   "the same request twice: %s", previous);
				if (resource->stream == ZD_STREAM_TIME)
					FUZZ_CHECK(ex.next_start_time >= previous_start,
							   "start_time went back from %lld to %lld",
							   previous_start, ex.next_start_time);
			}
		}
		else
			FUZZ_CHECK(err[0] != '\0', "a page was refused without a reason");
		free(previous);
		zd_page_free(&page);
		if (!advanced)
			break;
	}
	zd_export_end(&ex);
	free(base);
	return 0;
}
