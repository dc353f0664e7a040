/*-------------------------------------------------------------------------
 *
 * zd_compat.c
 *		  The functions of zd_compat.h: the wait events.
 *
 * Since PostgreSQL 17 an extension can name its wait events, and
 * pg_stat_activity then says what a backend waits for: ZendeskRequest (a
 * request to Zendesk), ZendeskPacing (a pause between requests: pacing,
 * Retry-After, backoff), ZendeskTokenRefresh (another backend refreshing the
 * token this one needs).  Each is registered the first time this backend
 * waits for it; before 17 every wait is the one "Extension" event.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_compat.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/wait_event.h"

#include "zd_compat.h"

#ifdef ZD_CUSTOM_WAIT_EVENTS
static const char *const wait_event_names[ZD_WAIT_EVENTS] = {
	[ZD_WAIT_REQUEST] = "ZendeskRequest",
	[ZD_WAIT_PACING] = "ZendeskPacing",
	[ZD_WAIT_TOKEN_REFRESH] = "ZendeskTokenRefresh"
};

static uint32 wait_events[ZD_WAIT_EVENTS];
#endif

/*
 * zd_wait_event
 *		The wait_event_info to report while waiting for event.
 */
uint32
zd_wait_event(ZdWaitEvent event)
{
#ifdef ZD_CUSTOM_WAIT_EVENTS
	if (wait_events[event] == 0)
		wait_events[event] = WaitEventExtensionNew(wait_event_names[event]);
	return wait_events[event];
#else
	return PG_WAIT_EXTENSION;
#endif
}
