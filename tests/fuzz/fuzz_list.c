/*-------------------------------------------------------------------------
 *
 * fuzz_list.c
 *		  libFuzzer target: the list pagination machine fed with pages.
 *
 * The input is
 *
 *		base URL\n
 *		path page_size result_key\n
 *		page\fpage\f...
 *
 * (a form feed never occurs in JSON text).  A listing is begun as a scan
 * begins it; each page is parsed and taken in until the listing ends or a
 * page is refused, and a refused page restarts the listing once in a while
 * as an invalid cursor does; the machine restarts by itself on a first page
 * served again for a page[after] request.  Properties: every request stays
 * on the base URL; the same request never follows itself except across a
 * restart; the listing ends exactly on has_more false or an unpaginated
 * answer, never on an offset page; a pass never returns an id twice;
 * restarts are bounded.
 *
 * IDENTIFICATION
 *		  tests/fuzz/fuzz_list.c
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include "zd_idset.h"
#include "zd_list.h"
#include "zd_time.h"
#include "zd_url.h"

#define MAX_PAGES 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part;
	size_t		partlen;
	char	   *base;
	char	   *config;
	char		path[128];
	char		key[32];
	int			page_size = 100;
	ZdList		list;
	ZdIdSet    *pass;
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
	path[0] = key[0] = '\0';
	sscanf(config, "%127s %d %31s", path, &page_size, key);
	free(config);
	if (path[0] != '/' || key[0] == '\0' || page_size < 0 ||
		page_size > ZD_LIST_MAX_PAGE_SIZE ||
		!zd_url_check_base(base, &plain_http, err, sizeof(err)))
	{
		free(base);
		return 0;
	}

	err[0] = '\0';
	if (!zd_list_begin(&list, base, path, page_size, err, sizeof(err)))
	{
		FUZZ_CHECK(err[0] != '\0', "begin refused without a reason");
		free(base);
		return 0;
	}
	pass = zd_idset_create();
	for (int n = 0; n < MAX_PAGES && !list.finished; n++)
	{
		ZdPage		page;
		char	   *previous;
		bool		advanced;
		int			restarts_before = list.restarts;

		FUZZ_CHECK(list.next_url != NULL, "no next request before the end");
		FUZZ_CHECK(zd_url_on_base(list.base_url, list.next_url),
				   "request \"%s\" is off base \"%s\"", list.next_url, list.base_url);
		if (!fuzz_next_part(&data, &size, '\f', &part, &partlen))
			break;
		if (!zd_list_page_parse((const char *) part, partlen, key, &page, err, sizeof(err)))
		{
			FUZZ_CHECK(err[0] != '\0', "a page was refused by the parser without a reason");
			break;
		}
		previous = strdup(list.next_url);
		err[0] = '\0';
		advanced = zd_list_advance(&list, &page, err, sizeof(err));
		if (advanced && list.restarts > restarts_before)
		{
			/* the page was the first page again: a new pass begins with it */
			FUZZ_CHECK(list.restarts == restarts_before + 1, "%d restarts in one page",
					   list.restarts - restarts_before);
			zd_idset_destroy(pass);
			pass = zd_idset_create();
		}
		if (advanced)
		{
			FUZZ_CHECK(list.finished == (list.next_url == NULL),
					   "finished=%d with next request %s", list.finished,
					   list.next_url ? list.next_url : "(none)");
			FUZZ_CHECK(list.finished == (page.cursor_paged ? !page.has_more : true),
					   "finished=%d on cursor_paged=%d has_more=%d",
					   list.finished, page.cursor_paged, page.has_more);
			FUZZ_CHECK(page.cursor_paged || page.offset_next == NULL,
					   "an offset page was accepted");
			if (!list.finished)
				FUZZ_CHECK(strcmp(previous, list.next_url) != 0,
						   "the same request twice: %s", previous);
			for (size_t i = 0; i < page.nrecords; i++)
			{
				int64_t		id;

				FUZZ_CHECK(zd_record_id(json_array_get(page.records, i), &id),
						   "a record without an integer id was accepted");
				FUZZ_CHECK(!zd_idset_contains(pass, id), "id %lld twice in one pass",
						   (long long) id);
				zd_idset_add(pass, id);
				zd_list_take(&list, id);
			}
		}
		else
			FUZZ_CHECK(err[0] != '\0', "a page was refused without a reason");
		free(previous);
		zd_page_free(&page);
		if (!advanced)
		{
			int			restarts = list.restarts;

			/* an odd page number restarts the listing, as an invalid cursor */
			if (n % 2 == 0 || !zd_list_restart(&list, err, sizeof(err)))
			{
				FUZZ_CHECK(n % 2 == 0 || restarts == ZD_LIST_MAX_RESTARTS,
						   "restart %d refused: %s", restarts + 1, err);
				break;
			}
			zd_idset_destroy(pass);
			pass = zd_idset_create();
		}
	}
	FUZZ_CHECK(list.restarts <= ZD_LIST_MAX_RESTARTS, "%d restarts", list.restarts);
	zd_idset_destroy(pass);
	zd_list_end(&list);
	free(base);
	return 0;
}
