/*-------------------------------------------------------------------------
 *
 * zd_guard.c
 *		  The quota guard: a statement may use at most so many export requests.
 *
 * An account's export quota is small (about 10 requests a minute) and
 * shared with every other integration, so a statement whose scans would
 * together need more than max_requests_per_statement export requests (the
 * server option, or the GUC zendesk_fdw.max_requests_per_statement for the
 * session) fails before it makes its first one.  Each scan, and each rescan
 * that asks Zendesk again, is charged its estimate; the charges of one
 * statement add up.
 *
 * Standard requests -- the listings of the standard lists (groups,
 * memberships, ...) and lookups by id -- add up on a tally of their own
 * against the same limit: they share the account's per-minute limit, not
 * the export quota.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_guard.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "zendesk_fdw.h"

/* -1: each server's max_requests_per_statement; 0: no limit */
static int	max_requests_per_statement_guc = -1;

/* The statement being charged, and its charges so far. */
static LocalTransactionId charged_lxid = InvalidLocalTransactionId;
static TimestampTz charged_statement = 0;
static double charged_requests = 0;
static double charged_standard = 0;

void
zd_guard_init(void)
{
	DefineCustomIntVariable("zendesk_fdw.max_requests_per_statement",
							"Most Zendesk export requests (and, apart, standard requests) one statement may make.",
							"-1 uses each server's max_requests_per_statement option; 0 allows any number.",
							&max_requests_per_statement_guc,
							-1, -1, INT_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
}

/*
 * zd_guard_limit
 *		The limit in force for a server: the GUC if set, else the option.
 */
int
zd_guard_limit(const ZdOptions *options)
{
	return max_requests_per_statement_guc >= 0 ?
		max_requests_per_statement_guc : options->max_requests_per_statement;
}

/*
 * zd_guard_charge
 *		Charge a scan's estimated export requests (standard requests, when
 *		standard: a listing's or lookups') to the current statement; an error, before any of them is
 *		made, when that goes over the limit.
 */
void
zd_guard_charge(const ZdOptions *options, double requests, const char *table,
				bool standard)
{
	int			limit = zd_guard_limit(options);
	double		total;
	int			per_minute = options->export_requests_per_minute;

	if (ZD_MY_LXID != charged_lxid ||
		GetCurrentStatementStartTimestamp() != charged_statement)
	{
		charged_lxid = ZD_MY_LXID;
		charged_statement = GetCurrentStatementStartTimestamp();
		charged_requests = 0;
		charged_standard = 0;
	}
	if (standard)
	{
		total = charged_standard + ceil(requests);
		if (limit > 0 && total > limit)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("this statement would make about %.0f Zendesk standard requests, more than max_requests_per_statement (%d)",
							total, limit),
					 errdetail("Reading \"%s\" needs about %.0f standard requests, which count against the account's per-minute limit that other integrations share.",
							   table, ceil(requests)),
					 errhint("Narrow the query (fewer ids, or on memberships a filter such as WHERE group_id = ...), or allow it with SET zendesk_fdw.max_requests_per_statement = %.0f (0 allows any number), or raise the option max_requests_per_statement of server %s.",
							 total, quote_identifier(options->server_name))));
		charged_standard = total;
		return;
	}
	total = charged_requests + ceil(requests);
	if (limit > 0 && total > limit)
	{
		if (options->max_requests_per_minute > 0)
			per_minute = Min(per_minute, options->max_requests_per_minute);
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("this statement would make about %.0f Zendesk export requests, more than max_requests_per_statement (%d)",
						total, limit),
				 errdetail("Reading \"%s\" needs about %.0f export requests: at %d a minute, %.0f minute(s) of the account's export quota, which other integrations share.",
						   table, ceil(requests), per_minute, ceil(total / per_minute)),
				 errhint("Narrow the query (e.g. WHERE updated_at > ...), or allow it with SET zendesk_fdw.max_requests_per_statement = %.0f (0 allows any number), or raise the option max_requests_per_statement of server %s.",
						 total, quote_identifier(options->server_name))));
	}
	charged_requests = total;
}
