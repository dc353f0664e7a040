/*-------------------------------------------------------------------------
 *
 * fuzz_page.c
 *		  libFuzzer target: an export page as Zendesk might send it.
 *
 * The input is one response body.  It is parsed as a page of every resource
 * in the catalog (cursor pages for tickets and users, time pages for
 * organizations and ticket events), and every record of a page that parses
 * is asked for its id and its stream time, the way a scan reads them (which
 * runs the ISO 8601 parser on whatever the record holds).
 *
 * Built with -DZD_FUZZ_PLANTED_BUG it is the positive control of the fuzzing
 * harness: a deliberate heap overflow on a long cursor, which the short
 * run must find (tests/fuzz/run.sh).
 *
 * IDENTIFICATION
 *		  tests/fuzz/fuzz_page.c
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include "zd_parse.h"
#include "zd_time.h"

#ifdef ZD_FUZZ_PLANTED_BUG
/*
 * The planted bug: the cursor is copied into a buffer sized for the longest
 * cursor of the seeds (40 bytes) plus a margin, so a cursor of 48 bytes or
 * more overflows it.  No seed has one; the fuzzer has to make one.  (The
 * copy is kept, or the compiler would drop it as unused.)
 */
static char *last_cursor;

static void
planted_bug(const char *cursor)
{
	if (cursor != NULL)
	{
		free(last_cursor);
		last_cursor = malloc(48);
		memcpy(last_cursor, cursor, strlen(cursor) + 1);
	}
}
#endif

static void
check_page(const ZdResource *resource, const uint8_t *data, size_t size)
{
	ZdPage		page;
	char		err[256];

	err[0] = '\0';
	if (!zd_page_parse((const char *) data, size, resource->result_key,
					   resource->stream, &page, err, sizeof(err)))
	{
		FUZZ_CHECK(err[0] != '\0', "a page was refused without a reason");
		FUZZ_CHECK(page.root == NULL && page.records == NULL,
				   "a refused page left something behind");
		return;
	}
	FUZZ_CHECK(json_is_array(page.records) &&
			   page.nrecords == json_array_size(page.records),
			   "nrecords %zu does not match the records", page.nrecords);
	if (resource->stream == ZD_STREAM_TIME)
		FUZZ_CHECK(page.after_cursor == NULL, "a time page with a cursor");
	else
		FUZZ_CHECK(page.end_time == -1, "a cursor page with an end_time");
#ifdef ZD_FUZZ_PLANTED_BUG
	planted_bug(page.after_cursor);
#endif
	/* a sideload's records replace the page's, or the page stays as it was */
	if (resource->sideload_key != NULL)
	{
		size_t		before = page.nrecords;

		if (zd_page_take_sideload(&page, resource->sideload_key, resource->sideload_member,
								  err, sizeof(err)))
			FUZZ_CHECK(json_is_array(page.records) &&
					   page.nrecords == json_array_size(page.records),
					   "sideload of %zu records for %zu", page.nrecords, before);
		else
			FUZZ_CHECK(err[0] != '\0' && page.nrecords == before,
					   "a refused sideload changed the page");
	}
	for (size_t i = 0; i < page.nrecords; i++)
	{
		json_t	   *record = json_array_get(page.records, i);
		int64_t		value;

		FUZZ_CHECK(json_is_object(record), "record %zu is not an object", i);
		(void) zd_record_id(record, &value);
		(void) zd_record_stream_time(resource, record, &value);
	}
	zd_page_free(&page);
	FUZZ_CHECK(page.root == NULL && page.owned_records == NULL,
			   "zd_page_free left the page set");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const ZdResource *resource;

	/* export pages; a standard list's pages are fuzz_list's */
	for (int i = 0; (resource = zd_resource_at(i)) != NULL; i++)
		if (resource->stream != ZD_STREAM_LIST)
			check_page(resource, data, size);
	return 0;
}
