/*-------------------------------------------------------------------------
 *
 * zd_pacing.c
 *		  Pacing requests under Zendesk's rate limits, request counters, and
 *		  the interruptible sleep every pause uses.
 *
 * Zendesk allows an account about 10 incremental-export requests a minute
 * (30 with High Volume), shared with every other integration, and publishes
 * no per-export "remaining" header (sim/README.md §10), so export requests
 * are spaced by the configured ceiling: 60 s / export_requests_per_minute,
 * or / max_requests_per_minute when that is lower, plus a margin of 3%.
 * max_requests_per_minute also spaces every other request.  The margin is
 * what keeps a run at the ceiling free of 429s: requests leave on time but
 * reach Zendesk with a little jitter, and with none to spare a window that
 * catches one early arrival holds one request too many (a sliding window
 * always does).  3% of Zendesk's minute is 1.8 s of jitter absorbed.
 *
 * The account-wide headers are read on every response: when none remain,
 * every request waits for the window's reset.  After a 429 the pace slows (up to 4 times the interval) and
 * recovers gradually.
 *
 * A request reserves its start time under a lock before it sleeps, so that
 * backends sharing one account take turns instead of starting together.
 * With the library in shared_preload_libraries the state is one per account
 * host in shared memory, for the whole cluster; otherwise each backend paces
 * alone.  The counters behind the zendesk_fdw.stats view live in the same
 * place, per account host and endpoint.
 *
 * Every pause is a WaitLatch on the process latch, so cancel,
 * statement_timeout and termination end it at once.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_pacing.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/wait_event.h"

#include "zendesk_fdw.h"
#include "client/zd_ratelimit.h"

#define ZD_KEY_LEN 200
#define ZD_MAX_SLOWDOWN 4.0
#define ZD_PACE_MARGIN 1.03		/* intervals 3% longer than the ceiling's */
#define ZD_MAX_ACCOUNTS 64
#define ZD_MAX_ENDPOINTS 256

typedef struct PaceEntry
{
	char		host[ZD_KEY_LEN];	/* the server's base URL; "" when free */
	TimestampTz next_export;	/* earliest start of the next export request */
	TimestampTz next_any;		/* earliest start of any request */
	double		slowdown;		/* >= 1: interval multiplier after 429s */
} PaceEntry;

typedef struct StatsEntry
{
	char		host[ZD_KEY_LEN];	/* "" when free */
	char		endpoint[ZD_KEY_LEN];	/* path without query */
	ZdRequestStats stats;
} StatsEntry;

typedef struct SharedPacing
{
	LWLock	   *lock;
	PaceEntry	accounts[ZD_MAX_ACCOUNTS];
	StatsEntry	endpoints[ZD_MAX_ENDPOINTS];
} SharedPacing;

/* shared with preload, else this backend's own copy */
static SharedPacing *pacing = NULL;
static bool pacing_is_shared = false;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
pacing_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(SharedPacing)));
	RequestNamedLWLockTranche("zendesk_fdw", 1);
}

static void
pacing_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	pacing = ShmemInitStruct("zendesk_fdw pacing", sizeof(SharedPacing), &found);
	if (!found)
	{
		memset(pacing, 0, sizeof(SharedPacing));
		pacing->lock = &(GetNamedLWLockTranche("zendesk_fdw"))->lock;
	}
	LWLockRelease(AddinShmemInitLock);
	pacing_is_shared = true;
}

/*
 * zd_pacing_init
 *		From _PG_init: with the library preloaded, ask for shared memory.
 */
void
zd_pacing_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = pacing_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = pacing_shmem_startup;
}

static void
lock_pacing(void)
{
	if (pacing == NULL)
		pacing = MemoryContextAllocZero(TopMemoryContext, sizeof(SharedPacing));
	if (pacing_is_shared)
		LWLockAcquire(pacing->lock, LW_EXCLUSIVE);
}

static void
unlock_pacing(void)
{
	if (pacing_is_shared)
		LWLockRelease(pacing->lock);
}

/* The account's entry (the lock held); the least recently used one is reused. */
static PaceEntry *
pace_entry(const char *host)
{
	PaceEntry  *oldest = &pacing->accounts[0];

	for (int i = 0; i < ZD_MAX_ACCOUNTS; i++)
	{
		PaceEntry  *e = &pacing->accounts[i];

		if (strncmp(e->host, host, ZD_KEY_LEN - 1) == 0)
			return e;
		if (e->host[0] == '\0' || e->next_any < oldest->next_any)
			oldest = e;
		if (e->host[0] == '\0')
			break;
	}
	memset(oldest, 0, sizeof(PaceEntry));
	strlcpy(oldest->host, host, ZD_KEY_LEN);
	oldest->slowdown = 1.0;
	return oldest;
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
						 left, zd_wait_event(ZD_WAIT_PACING));
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	if (stats != NULL && ms > 0)
		stats->waited_ms += ms;
}

static double
export_interval_ms(const ZdOptions *options)
{
	double		per_minute = options->export_requests_per_minute;

	if (options->max_requests_per_minute > 0)
		per_minute = Min(per_minute, options->max_requests_per_minute);
	return 60000.0 * ZD_PACE_MARGIN / per_minute;
}

/*
 * zd_pace_before
 *		Reserve the start of the next request of this kind and wait for it.
 */
void
zd_pace_before(const ZdOptions *options, ZdRequestKind kind, ZdRequestStats *stats)
{
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz start;
	PaceEntry  *entry;

	lock_pacing();
	entry = pace_entry(options->base_url);
	start = Max(now, entry->next_any);
	if (kind == ZD_REQ_EXPORT)
	{
		start = Max(start, entry->next_export);
		entry->next_export = TimestampTzPlusMilliseconds(start,
														 (long) (export_interval_ms(options) * entry->slowdown));
	}
	if (options->max_requests_per_minute > 0)
		entry->next_any = TimestampTzPlusMilliseconds(start,
													  (long) (60000.0 * ZD_PACE_MARGIN / options->max_requests_per_minute));
	unlock_pacing();

	if (start > now)
		zd_wait_ms(TimestampDifferenceMilliseconds(now, start), stats);
}

/*
 * zd_pace_after
 *		Learn from a response: a 429 slows the pace down; no request left in
 *		the account's window holds every request until its reset.  rate is
 *		NULL after a transport failure.
 */
void
zd_pace_after(const ZdOptions *options, ZdRequestKind kind, const ZdRateInfo *rate,
			  bool rate_limited)
{
	PaceEntry  *entry;

	lock_pacing();
	entry = pace_entry(options->base_url);
	if (rate_limited)
		entry->slowdown = Min(entry->slowdown * 1.5, ZD_MAX_SLOWDOWN);
	else if (rate != NULL)
		entry->slowdown = Max(1.0, entry->slowdown * 0.9);
	if (rate != NULL && rate->remaining == 0 && rate->reset_seconds >= 0)
	{
		TimestampTz reset = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
														rate->reset_seconds * 1000);

		entry->next_any = Max(entry->next_any, reset);
	}
	unlock_pacing();
}

/*
 * zd_stats_add
 *		Add a request's counters to its account and endpoint.
 */
void
zd_stats_add(const ZdOptions *options, const char *path, const ZdRequestStats *delta)
{
	char		endpoint[ZD_KEY_LEN];
	const char *q = strchr(path, '?');
	size_t		len = q ? (size_t) (q - path) : strlen(path);
	StatsEntry *slot = NULL;

	if (len >= sizeof(endpoint))
		len = sizeof(endpoint) - 1;
	memcpy(endpoint, path, len);
	endpoint[len] = '\0';

	lock_pacing();
	for (int i = 0; i < ZD_MAX_ENDPOINTS; i++)
	{
		StatsEntry *e = &pacing->endpoints[i];

		if (e->host[0] == '\0' ||
			(strncmp(e->host, options->base_url, ZD_KEY_LEN - 1) == 0 &&
			 strcmp(e->endpoint, endpoint) == 0))
		{
			slot = e;
			break;
		}
	}
	if (slot != NULL)
	{
		if (slot->host[0] == '\0')
		{
			strlcpy(slot->host, options->base_url, ZD_KEY_LEN);
			strlcpy(slot->endpoint, endpoint, ZD_KEY_LEN);
		}
		slot->stats.requests_export += delta->requests_export;
		slot->stats.requests_standard += delta->requests_standard;
		slot->stats.rate_limited += delta->rate_limited;
		slot->stats.retries += delta->retries;
		slot->stats.bytes += delta->bytes;
		slot->stats.waited_ms += delta->waited_ms;
	}
	unlock_pacing();
}

PG_FUNCTION_INFO_V1(zendesk_fdw_stats);

/*
 * zendesk_fdw_stats
 *		The rows of the zendesk_fdw.stats view.
 */
Datum
zendesk_fdw_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	lock_pacing();
	for (int i = 0; i < ZD_MAX_ENDPOINTS; i++)
	{
		StatsEntry *e = &pacing->endpoints[i];
		Datum		values[9];
		bool		nulls[9] = {0};

		if (e->host[0] == '\0')
			break;
		values[0] = CStringGetTextDatum(e->host);
		values[1] = CStringGetTextDatum(e->endpoint);
		values[2] = Int64GetDatum(e->stats.requests_export + e->stats.requests_standard);
		values[3] = Int64GetDatum(e->stats.requests_export);
		values[4] = Int64GetDatum(e->stats.rate_limited);
		values[5] = Int64GetDatum(e->stats.retries);
		values[6] = Int64GetDatum(e->stats.bytes);
		values[7] = Float8GetDatum(e->stats.waited_ms / 1000.0);
		values[8] = BoolGetDatum(pacing_is_shared);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	unlock_pacing();
	return (Datum) 0;
}
