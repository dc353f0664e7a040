/*-------------------------------------------------------------------------
 *
 * fuzz_time.c
 *		  libFuzzer target: ISO 8601 record times and HTTP dates.
 *
 * The input is one time as text.  A time zd_time_parse_iso8601 accepts must
 * name a real instant: written back out from the epoch it gave (in UTC, the
 * offset applied), it is the same calendar date and time of day -- so no
 * 30 February, no month 13, no hour 24 slips through as some other day.
 *
 * IDENTIFICATION
 *		  tests/fuzz/fuzz_time.c
 *
 *-------------------------------------------------------------------------
 */
#include <time.h>

#include "fuzz_common.h"

#include "zd_time.h"

/*
 * The fields of text as written (it was accepted, so the layout is known),
 * compared with the instant epoch + its offset in UTC.
 */
static void
check_round_trip(const char *text, int64_t epoch)
{
	int			y,
				mo,
				d,
				h,
				mi,
				s;
	int			offset = 0;
	const char *zone = text + 19;
	time_t		local;
	struct tm	tm;

	if (sscanf(text, "%4d-%2d-%2d%*c%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6)
		FUZZ_CHECK(0, "accepted \"%s\" has no date and time", text);
	if (s == 60)
		return;					/* a leap second is the next second's instant */
	if (*zone == '.')
		while (*++zone >= '0' && *zone <= '9')
			;
	if (*zone == '+' || *zone == '-')
		offset = (*zone == '-' ? -1 : 1) *
			(((zone[1] - '0') * 10 + (zone[2] - '0')) * 3600 +
			 ((zone[4] - '0') * 10 + (zone[5] - '0')) * 60);
	local = (time_t) (epoch + offset);
	FUZZ_CHECK(gmtime_r(&local, &tm) != NULL, "no calendar time for %lld",
			   (long long) local);
	FUZZ_CHECK(tm.tm_year + 1900 == y && tm.tm_mon + 1 == mo && tm.tm_mday == d &&
			   tm.tm_hour == h && tm.tm_min == mi && tm.tm_sec == s,
			   "\"%s\" was read as %04d-%02d-%02dT%02d:%02d:%02d (offset %d)", text,
			   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			   tm.tm_sec, offset);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = fuzz_cstring(data, size);
	int64_t		epoch;

	if (zd_time_parse_iso8601(text, &epoch))
		check_round_trip(text, epoch);
	(void) zd_time_parse_http_date(text, &epoch);
	free(text);
	return 0;
}
