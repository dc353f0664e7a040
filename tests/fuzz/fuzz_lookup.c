/*-------------------------------------------------------------------------
 *
 * fuzz_lookup.c
 *		  libFuzzer target: the answers of lookups, counts and field lists.
 *
 * The input is one response body, read as a single lookup and as a
 * show_many answer of every resource that has lookups, as a count, and as
 * one page of each custom field list.
 *
 * IDENTIFICATION
 *		  tests/fuzz/fuzz_lookup.c
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include "zd_parse.h"

static void
check_lookup(const char *body, size_t size, const char *key, bool single)
{
	ZdPage		page;
	char		err[256];

	err[0] = '\0';
	if (!zd_lookup_parse(body, size, key, single, &page, err, sizeof(err)))
	{
		FUZZ_CHECK(err[0] != '\0', "a lookup was refused without a reason");
		FUZZ_CHECK(page.root == NULL && page.owned_records == NULL,
				   "a refused lookup left something behind");
		return;
	}
	FUZZ_CHECK(page.end_of_stream, "a lookup is not a whole stream");
	FUZZ_CHECK(!single || page.nrecords == 1, "a single lookup of %zu records",
			   page.nrecords);
	FUZZ_CHECK(page.nrecords == json_array_size(page.records),
			   "nrecords does not match the records");
	for (size_t i = 0; i < page.nrecords; i++)
		FUZZ_CHECK(json_is_object(json_array_get(page.records, i)),
				   "record %zu is not an object", i);
	zd_page_free(&page);
}

static void
check_fields(const char *body, size_t size, const char *key)
{
	ZdFieldList list;
	char		err[256];

	if (!zd_fields_parse(body, size, key, &list, err, sizeof(err)))
	{
		FUZZ_CHECK(list.fields == NULL && list.nfields == 0 && list.next_url == NULL,
				   "a refused field list left something behind");
		return;
	}
	for (size_t i = 0; i < list.nfields; i++)
		FUZZ_CHECK(list.fields[i].type != NULL && list.fields[i].title != NULL,
				   "field %zu has no type or title", i);
	zd_fields_free(&list);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *) data;
	const ZdResource *resource;
	long long	count = -1;
	char		err[256];

	for (int i = 0; (resource = zd_resource_at(i)) != NULL; i++)
	{
		if (resource->lookup_key != NULL)
		{
			check_lookup(body, size, resource->lookup_key, true);
			check_lookup(body, size, resource->result_key, false);
		}
		if (resource->fields_key != NULL)
			check_fields(body, size, resource->fields_key);
	}
	if (zd_count_parse(body, size, &count, err, sizeof(err)))
		FUZZ_CHECK(count >= 0, "a negative count %lld", count);
	return 0;
}
