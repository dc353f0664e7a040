/*-------------------------------------------------------------------------
 *
 * zd_ratelimit.h
 *		  Reading Zendesk's rate-limit headers, and the pacing arithmetic.
 *
 * Zendesk has used several names for its account-wide headers (zendesk-
 * api.md §10.3): x-rate-limit / x-rate-limit-remaining throughout,
 * rate-limit-* in 2023, ratelimit-* (with -reset) since 2024.  Retry-After
 * comes in seconds (or, per HTTP, a date).  No PostgreSQL header.
 *
 * IDENTIFICATION
 *		  src/client/zd_ratelimit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_RATELIMIT_H
#define ZD_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "zd_http.h"

typedef struct ZdRateInfo
{
	long		limit;			/* -1 when not sent */
	long		remaining;		/* -1 when not sent */
	long		reset_seconds;	/* -1 when not sent */
	long		retry_after_ms; /* -1 when not sent */
} ZdRateInfo;

extern void zd_rate_info(const ZdHttp *http, int64_t now_epoch, ZdRateInfo *info);
extern bool zd_parse_retry_after(const char *value, int64_t now_epoch, long *ms);
extern bool zd_parse_count(const char *value, long *n);

#endif							/* ZD_RATELIMIT_H */
