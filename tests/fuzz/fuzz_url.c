/*-------------------------------------------------------------------------
 *
 * fuzz_url.c
 *		  libFuzzer target: base URLs, pagination URLs and per_page.
 *
 * The input is "base URL\npagination URL".  The base is checked the way
 * CREATE SERVER checks it; the pagination URL is matched against it the way
 * a scan decides whether to follow an after_url, and has its per_page read
 * and rewritten the way LIMIT shrinks a page.  Properties: a base that
 * passes the check is plain http only to a loopback host, and the base and
 * an API path under it are on the base; a rewritten per_page reads back.
 *
 * IDENTIFICATION
 *		  tests/fuzz/fuzz_url.c
 *
 *-------------------------------------------------------------------------
 */
#include <strings.h>

#include "fuzz_common.h"

#include "zd_url.h"

static void
check_base(const char *base)
{
	bool		plain_http = false;
	char		err[256];
	char	   *under;

	err[0] = '\0';
	if (!zd_url_check_base(base, &plain_http, err, sizeof(err)))
	{
		FUZZ_CHECK(err[0] != '\0', "\"%s\" was refused without a reason", base);
		return;
	}
	FUZZ_CHECK(strncasecmp(base, plain_http ? "http:" : "https:",
						   plain_http ? 5 : 6) == 0,
			   "\"%s\" accepted as plain_http=%d", base, plain_http);
	FUZZ_CHECK(zd_url_on_base(base, base), "base \"%s\" is not on itself", base);
	under = malloc(strlen(base) + 64);
	sprintf(under, "%s/api/v2/incremental/tickets/cursor.json?cursor=x", base);
	FUZZ_CHECK(zd_url_on_base(base, under), "\"%s\" is not on base \"%s\"", under, base);
	free(under);
}

static void
check_per_page(const char *url)
{
	static const int sizes[] = {1, 7, 100, 1000};
	int			before = zd_url_per_page(url);

	FUZZ_CHECK(before >= -1, "per_page %d of \"%s\"", before, url);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
	{
		char	   *rewritten = zd_url_with_per_page(url, sizes[i]);

		FUZZ_CHECK(rewritten != NULL || before == -1,
				   "\"%s\" has per_page %d but was not rewritten", url, before);
		if (rewritten == NULL)
			continue;
		FUZZ_CHECK(zd_url_per_page(rewritten) == sizes[i],
				   "\"%s\" with per_page=%d reads back %d", rewritten, sizes[i],
				   zd_url_per_page(rewritten));
		free(rewritten);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part;
	size_t		partlen;
	char	   *base;
	char	   *url;

	if (!fuzz_next_part(&data, &size, '\n', &part, &partlen))
		return 0;
	base = fuzz_cstring(part, partlen);
	if (!fuzz_next_part(&data, &size, '\n', &part, &partlen))
		part = (const uint8_t *) "", partlen = 0;
	url = fuzz_cstring(part, partlen);

	check_base(base);
	(void) zd_url_on_base(base, url);
	check_per_page(url);
	free(base);
	free(url);
	return 0;
}
