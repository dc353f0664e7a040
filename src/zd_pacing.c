/*-------------------------------------------------------------------------
 *
 * zd_pacing.c
 *		  Pacing requests under Zendesk's rate limits, and the interruptible
 *		  sleep every pause uses.
 *
 * Zendesk allows an account about 10 incremental-export requests a minute
 * (30 with High Volume), shared with every other integration, and publishes
 * no per-export "remaining" header (zendesk-api.md §10), so export requests
 * are spaced by the configured ceiling: 60 s / export_requests_per_minute,
 * or / max_requests_per_minute when that is lower.  max_requests_per_minute
 * also spaces every other request.  The account-wide headers are read on
 * every response: when none remain, every request waits for the window's
 * reset.  After a 429 the pace slows (up to 4 times the interval) and
 * recovers gradually.  The state is per account host, for this backend.
 *
 * Every pause is a WaitLatch on the process latch, so cancel,
 * statement_timeout and termination end it at once.
 *
 * IDENTIFICATION
 *		  src/zd_pacing.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "zendesk_fdw.h"
#include "zd_ratelimit.h"

#define ZD_HOST_KEY_LEN 256
#define ZD_MAX_SLOWDOWN 4.0

typedef struct PaceEntry
{
	char		host[ZD_HOST_KEY_LEN];	/* hash key: the server's base URL */
	TimestampTz next_export;	/* earliest start of the next export request */
	TimestampTz next_any;		/* earliest start of any request */
	TimestampTz last_start;		/* start of the request in flight */
	double		slowdown;		/* >= 1: interval multiplier after 429s */
} PaceEntry;

static HTAB *pace_hash = NULL;

static PaceEntry *
pace_entry(const ZdOptions *options)
{
	char		key[ZD_HOST_KEY_LEN] = {0};
	PaceEntry  *entry;
	bool		found;

	if (pace_hash == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = ZD_HOST_KEY_LEN;
		ctl.entrysize = sizeof(PaceEntry);
		pace_hash = hash_create("zendesk_fdw pacing", 8, &ctl, HASH_ELEM | HASH_STRINGS);
	}
	strlcpy(key, options->base_url, sizeof(key));
	entry = hash_search(pace_hash, key, HASH_ENTER, &found);
	if (!found)
	{
		entry->next_export = 0;
		entry->next_any = 0;
		entry->last_start = 0;
		entry->slowdown = 1.0;
	}
	return entry;
}

/*
 * zd_wait_ms
 *		Sleep ms milliseconds on the latch; interrupts are served at once.
 */
void
zd_wait_ms(long ms, ZdRequestStats *stats)
{
	TimestampTz until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);

	for (;;)
	{
		long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), until);

		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 left, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	if (stats != NULL && ms > 0)
		stats->waited_ms += ms;
}

/*
 * zd_pace_before
 *		Wait until the next request of this kind may start.
 */
void
zd_pace_before(const ZdOptions *options, ZdRequestKind kind, ZdRequestStats *stats)
{
	PaceEntry  *entry = pace_entry(options);
	TimestampTz start = entry->next_any;
	TimestampTz now = GetCurrentTimestamp();

	if (kind == ZD_REQ_EXPORT && entry->next_export > start)
		start = entry->next_export;
	if (start > now)
		zd_wait_ms(TimestampDifferenceMilliseconds(now, start), stats);
	/* the entry may have been evicted by nothing; look it up again anyway */
	entry = pace_entry(options);
	entry->last_start = GetCurrentTimestamp();
}

/*
 * zd_pace_after
 *		Set the earliest start of the next requests from the ceiling, the
 *		account headers of this response (rate, NULL after a transport
 *		failure) and whether it was a 429.
 */
void
zd_pace_after(const ZdOptions *options, ZdRequestKind kind, const ZdRateInfo *rate,
			  bool rate_limited)
{
	PaceEntry  *entry = pace_entry(options);
	double		per_minute = options->export_requests_per_minute;

	if (rate_limited)
		entry->slowdown = Min(entry->slowdown * 1.5, ZD_MAX_SLOWDOWN);
	else if (rate != NULL)
		entry->slowdown = Max(1.0, entry->slowdown * 0.9);

	if (options->max_requests_per_minute > 0)
	{
		per_minute = Min(per_minute, options->max_requests_per_minute);
		entry->next_any = TimestampTzPlusMilliseconds(entry->last_start,
													  (long) (60000.0 / options->max_requests_per_minute));
	}
	if (kind == ZD_REQ_EXPORT)
		entry->next_export = TimestampTzPlusMilliseconds(entry->last_start,
														 (long) (60000.0 * entry->slowdown / per_minute));
	if (rate != NULL && rate->remaining == 0 && rate->reset_seconds >= 0)
	{
		TimestampTz reset = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
														rate->reset_seconds * 1000);

		if (reset > entry->next_any)
			entry->next_any = reset;
	}
}
