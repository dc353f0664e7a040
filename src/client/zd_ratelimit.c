/*-------------------------------------------------------------------------
 *
 * zd_ratelimit.c
 *		  Reading Zendesk's rate-limit headers.
 *
 * IDENTIFICATION
 *		  src/client/zd_ratelimit.c
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "zd_ratelimit.h"
#include "zd_time.h"

/*
 * zd_parse_count
 *		A non-negative decimal integer, surrounded by nothing but blanks.
 */
bool
zd_parse_count(const char *value, long *n)
{
	char	   *end;
	long		v;

	if (value == NULL)
		return false;
	while (isspace((unsigned char) *value))
		value++;
	if (!isdigit((unsigned char) *value))
		return false;
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0)
		return false;
	while (isspace((unsigned char) *end))
		end++;
	if (*end != '\0')
		return false;
	*n = v;
	return true;
}

/*
 * zd_parse_retry_after
 *		Retry-After as milliseconds: delay-seconds, or an HTTP date relative
 *		to now_epoch (never negative).
 */
bool
zd_parse_retry_after(const char *value, int64_t now_epoch, long *ms)
{
	long		seconds;
	int64_t		when;

	if (value == NULL)
		return false;
	if (zd_parse_count(value, &seconds))
	{
		if (seconds > LONG_MAX / 1000)
			seconds = LONG_MAX / 1000;
		*ms = seconds * 1000;
		return true;
	}
	if (zd_time_parse_http_date(value, &when))
	{
		if (when <= now_epoch)
			*ms = 0;
		else if (when - now_epoch > LONG_MAX / 1000)
			*ms = LONG_MAX / 1000 * 1000;
		else
			*ms = (long) (when - now_epoch) * 1000;
		return true;
	}
	return false;
}

static long
first_count(const ZdHttp *http, const char *const *names)
{
	long		n;

	for (int i = 0; names[i] != NULL; i++)
		if (zd_parse_count(zd_http_header(http, names[i]), &n))
			return n;
	return -1;
}

/*
 * zd_rate_info
 *		The account-wide limit headers of the last response, by any of the
 *		names Zendesk has used.
 */
void
zd_rate_info(const ZdHttp *http, int64_t now_epoch, ZdRateInfo *info)
{
	static const char *const limit_names[] = {
		"ratelimit-limit", "x-rate-limit", "rate-limit", NULL
	};
	static const char *const remaining_names[] = {
		"ratelimit-remaining", "x-rate-limit-remaining", "rate-limit-remaining", NULL
	};
	static const char *const reset_names[] = {
		"ratelimit-reset", "rate-limit-reset", NULL
	};

	info->limit = first_count(http, limit_names);
	info->remaining = first_count(http, remaining_names);
	info->reset_seconds = first_count(http, reset_names);
	if (!zd_parse_retry_after(zd_http_header(http, "Retry-After"), now_epoch,
							  &info->retry_after_ms))
		info->retry_after_ms = -1;
}
