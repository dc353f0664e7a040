/*-------------------------------------------------------------------------
 *
 * fuzz_ratelimit.c
 *		  libFuzzer target: the values of Zendesk's rate-limit headers.
 *
 * The input is one header value (as libcurl hands it over: text up to the
 * first NUL), read as a count (x-rate-limit, ratelimit-remaining, ...) and
 * as a Retry-After, in seconds or as an HTTP date, against a fixed "now".
 *
 * IDENTIFICATION
 *		  tests/fuzz/fuzz_ratelimit.c
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include "zd_ratelimit.h"

/* Mon, 23 Nov 2026 19:40:44 GMT: a "now" inside the dates of the seeds */
#define FUZZ_NOW 1795462844

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *value = fuzz_cstring(data, size);
	long		n = -1;
	long		ms = -1;

	if (zd_parse_count(value, &n))
		FUZZ_CHECK(n >= 0, "a negative count %ld from \"%s\"", n, value);
	if (zd_parse_retry_after(value, FUZZ_NOW, &ms))
		FUZZ_CHECK(ms >= 0, "a negative wait %ld ms from \"%s\"", ms, value);
	free(value);
	return 0;
}
