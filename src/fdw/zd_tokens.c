/*-------------------------------------------------------------------------
 *
 * zd_tokens.c
 *		  OAuth token lifecycles: when to renew an access token, and what
 *		  to tell the user when Zendesk's token endpoint says no.
 *
 * An access token's life is counted from the moment we asked for it, with
 * our own clock only (expires_in is relative: Zendesk's clock never
 * matters), and it is renewed a margin ahead of its end, so that neither
 * skew nor a request in flight meets an expired token.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_tokens.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/indexing.h"
#include "catalog/pg_type.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/wait_event.h"

#include "zd_tokens.h"
#include "client/zd_auth.h"

/* renew an access token this many seconds before it expires ... */
#define ZD_TOKEN_RENEW_MARGIN_S 60
/* ... or, for short-lived tokens, once this fraction of its life is gone */
#define ZD_TOKEN_RENEW_FRACTION 0.5

/*
 * zd_token_renew_at
 *		When to renew a token asked for at asked_at that lives expires_in
 *		seconds ((time_t) -1: never; expires_in < 0: no expiry was sent).
 */
time_t
zd_token_renew_at(time_t asked_at, long expires_in)
{
	if (expires_in < 0)
		return (time_t) -1;
	return asked_at + Max(expires_in - ZD_TOKEN_RENEW_MARGIN_S,
						  (long) (expires_in * ZD_TOKEN_RENEW_FRACTION));
}

/*
 * zd_token_refused
 *		The token endpoint did not answer 200: an error with the fix.  said
 *		is Zendesk's error text (never a secret: the request's are not in
 *		the answer).
 */
void
zd_token_refused(const ZdOptions *options, const ZdHttpResponse *response,
				 const char *said)
{
	const char *server = quote_identifier(options->server_name);

	if (zd_oauth_error_is(response->body, response->body_len, "invalid_client"))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("Zendesk does not accept the OAuth client of the user mapping for server \"%s\"",
						options->server_name),
				 errdetail("HTTP %ld from POST /oauth/tokens: %s", response->status, said),
				 errhint("The client's secret was regenerated, or the client was deleted or is not confidential. In Zendesk Admin Center, Apps and integrations > APIs > OAuth clients, open the client, generate a new secret (shown once) and set it with ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (SET oauth_client_secret '...').",
						 server)));
	if (zd_oauth_error_is(response->body, response->body_len, "invalid_grant"))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("Zendesk refused the OAuth refresh token of the user mapping for server \"%s\"",
						options->server_name),
				 errdetail("HTTP %ld from POST /oauth/tokens: %s", response->status, said),
				 errhint("The refresh token expired (30 days unused by default) or was revoked. Authorize the OAuth client again (authorization-code grant) and set the new refresh token with ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (SET oauth_refresh_token '...').",
						 server)));
	if (zd_oauth_error_is(response->body, response->body_len, "invalid_scope"))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("Zendesk refused the OAuth scope of the user mapping for server \"%s\"",
						options->server_name),
				 errdetail("HTTP %ld from POST /oauth/tokens: %s", response->status, said),
				 errhint("Set oauth_scope to scopes the OAuth client may ask for, such as \"read\".")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			 errmsg("Zendesk refused an OAuth access token to the user mapping for server \"%s\"",
					options->server_name),
			 errdetail("HTTP %ld from POST /oauth/tokens: %s", response->status, said),
			 errhint("Check oauth_client_id and oauth_client_secret: the OAuth client must be confidential, and its secret is shown once, when it is created in Admin Center.")));
}

/*
 * ---------------------------------------------------------------------------
 * The refresh-token flow, rotation-safe.
 *
 * A refresh returns a new access and refresh token and kills the old pair
 * (sim/README.md §1.1), so the pair of a user mapping is held once for the
 * whole cluster, in shared memory (the library must be preloaded), and one
 * backend at a time refreshes it: the others sleep on a condition variable
 * and then take the new access token.  A backend told "invalid_token"
 * refreshes only if the shared token is still the one it used.  The new
 * refresh token is made durable before anyone can use it: a background
 * worker writes it into the user mapping's options through the catalog and
 * commits, whatever becomes of the caller's transaction (it may roll back
 * or be read-only); until that has succeeded no backend refreshes again.
 * A standby never refreshes.
 *
 * A refresh is never cut short by a cancel or statement_timeout: once the
 * POST is out, Zendesk may have rotated the pair, and dropping the answer
 * would lose the only live refresh token.  Interrupts are held from the
 * POST until the new refresh token is committed (the wait is bounded by the
 * server's timeout option, the writer's by its lock_timeout); a pending
 * cancel is served right after.
 *
 * The catalog's token seeds the shared pair, and a token a person sets
 * there replaces it.  Which is which is decided against the catalog as it
 * is now, never against the options a statement read when it began (a
 * statement outlives any number of rotations): the slot keeps the token it
 * knows the catalog to hold (stored, seeded from it or committed by the
 * writer), and the user mapping's current token is looked up before each
 * use.  It is a person's when it is neither stored nor the live token (the
 * writer's commit, seen before stored follows it).  A lookup that may have
 * raced with a writer's commit (stored_version moved meanwhile) decides
 * nothing, and no reseed happens while a refresh is in flight.  The writer
 * commits by compare-and-set: it replaces only the token it knows the
 * catalog holds, so a person's token, or a later writer's, is never
 * overwritten; a person's token then replaces the pair at its next use.
 * ---------------------------------------------------------------------------
 */

#define ZD_TOKEN_SLOTS 64		/* user mappings with a refresh token */
#define ZD_WRITER_ATTEMPTS 3	/* tries of the writer's compare-and-set */

typedef struct TokenSlot
{
	Oid			dbid;			/* key: a user mapping of a database; */
	Oid			umid;			/* InvalidOid: a free slot */
	uint64		generation;		/* bumped by every refresh and reseed */
	uint64		durable_generation; /* whose refresh token is committed */
	char		access[ZD_TOKEN_MAX];	/* "" until the first refresh */
	char		refresh[ZD_TOKEN_MAX];	/* the live refresh token */
	char		stored[ZD_TOKEN_MAX];	/* what the catalog holds, as we know */
	uint64		stored_version; /* bumped whenever stored changes */
	time_t		renew_at;		/* (time_t) -1: never */
	time_t		expires_at;		/* (time_t) -1: not known */
	int			refreshing_pid; /* the backend refreshing, or 0 */
} TokenSlot;

typedef struct TokenStore
{
	LWLock	   *lock;
	ConditionVariable refreshed;
	TokenSlot	slots[ZD_TOKEN_SLOTS];
} TokenStore;

/* What the writer is asked to make durable (BackgroundWorker.bgw_extra). */
typedef struct WriterJob
{
	Oid			dbid;
	Oid			umid;
	int			slot;
	int			lock_timeout_ms;	/* per attempt */
} WriterJob;

static TokenStore *store = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* the generation of the access token this backend last sent, per slot */
static uint64 used_generation[ZD_TOKEN_SLOTS];

/*
 * a generation this backend uses once even when it is due for renewal, per
 * slot: the one it just refreshed to, or the one another backend renewed to
 * after Zendesk rejected ours (a token living a second or two would
 * otherwise be rotated again before anyone could send it)
 */
static uint64 fresh_generation[ZD_TOKEN_SLOTS];

static void
tokens_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(TokenStore)));
	RequestNamedLWLockTranche("zendesk_fdw tokens", 1);
}

static void
tokens_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	store = ShmemInitStruct("zendesk_fdw tokens", sizeof(TokenStore), &found);
	if (!found)
	{
		memset(store, 0, sizeof(TokenStore));
		store->lock = &(GetNamedLWLockTranche("zendesk_fdw tokens"))->lock;
		ConditionVariableInit(&store->refreshed);
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * zd_tokens_init
 *		At library load: the shared token store, when preloaded.
 */
void
zd_tokens_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = tokens_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = tokens_shmem_startup;
}

static void
wipe(char *buf, size_t len)
{
	explicit_bzero(buf, len);
}

static void
token_too_long(const ZdOptions *options)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
			 errmsg("the oauth_refresh_token of the user mapping for server \"%s\" is too long",
					options->server_name),
			 errdetail("A refresh token holds at most %d bytes.", ZD_TOKEN_MAX - 1),
			 errhint("Set the refresh_token Zendesk's token endpoint returned, as it is, with ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (SET oauth_refresh_token '...').",
					 quote_identifier(options->server_name))));
}

/*
 * catalog_token
 *		The user mapping's oauth_refresh_token as the catalog has it now
 *		(invalidations accepted first), into buf; false when it cannot be
 *		known here (no transaction, the mapping or the option is gone).
 */
static bool
catalog_token(const ZdOptions *options, char *buf)
{
	MemoryContext context;
	MemoryContext old;
	HeapTuple	tuple;
	Datum		umoptions;
	bool		isnull;
	bool		found = false;
	ListCell   *lc;

	if (!IsTransactionState())
		return false;
	AcceptInvalidationMessages();
	tuple = SearchSysCache1(USERMAPPINGOID, ObjectIdGetDatum(options->umid));
	if (!HeapTupleIsValid(tuple))
		return false;
	umoptions = SysCacheGetAttr(USERMAPPINGOID, tuple, Anum_pg_user_mapping_umoptions, &isnull);
	context = AllocSetContextCreate(CurrentMemoryContext, "zendesk_fdw catalog token",
									ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(context);
	foreach(lc, isnull ? NIL : untransformRelOptions(umoptions))
	{
		DefElem    *def = lfirst(lc);

		if (strcmp(def->defname, "oauth_refresh_token") == 0)
		{
			found = strlcpy(buf, defGetString(def), ZD_TOKEN_MAX) < ZD_TOKEN_MAX;
			wipe(strVal(def->arg), strlen(strVal(def->arg)));
			if (!found)
				token_too_long(options);
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	ReleaseSysCache(tuple);
	return found;
}

/*
 * stored_version
 *		The stored_version of the options' slot (0: no slot yet), read
 *		before the catalog is.
 */
static uint64
stored_version(const ZdOptions *options)
{
	uint64		version = 0;

	LWLockAcquire(store->lock, LW_SHARED);
	for (int i = 0; i < ZD_TOKEN_SLOTS; i++)
		if (store->slots[i].umid == options->umid && store->slots[i].dbid == MyDatabaseId)
			version = store->slots[i].stored_version;
	LWLockRelease(store->lock);
	return version;
}

/*
 * find_slot
 *		The slot of the options' user mapping, seeded from the catalog's
 *		refresh token, or reseeded when a person set a new one there.
 *		catalog is the mapping's token as the catalog has it now (NULL: not
 *		known), looked up after the slot's stored_version was version.
 *		Caller holds the lock exclusively.
 */
static int
find_slot(const ZdOptions *options, const char *catalog, uint64 version)
{
	int			free_slot = -1;
	TokenSlot  *slot;

	for (int i = 0; i < ZD_TOKEN_SLOTS; i++)
	{
		slot = &store->slots[i];
		if (slot->umid == options->umid && slot->dbid == MyDatabaseId)
		{
			if (catalog != NULL && slot->refreshing_pid == 0 &&
				slot->stored_version == version &&
				strcmp(catalog, slot->stored) != 0 && strcmp(catalog, slot->refresh) != 0)
			{
				/* a person set a new refresh token: it replaces the pair */
				strlcpy(slot->refresh, catalog, ZD_TOKEN_MAX);
				strlcpy(slot->stored, catalog, ZD_TOKEN_MAX);
				slot->stored_version++;
				wipe(slot->access, ZD_TOKEN_MAX);
				slot->generation++;
				slot->durable_generation = slot->generation;
			}
			return i;
		}
		if (slot->umid == InvalidOid && free_slot < 0)
			free_slot = i;
	}
	if (catalog == NULL)
		catalog = options->oauth_refresh_token;
	if (strlen(catalog) >= ZD_TOKEN_MAX)
		token_too_long(options);
	if (free_slot < 0)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("too many user mappings use oauth_refresh_token"),
				 errdetail("The cluster holds the token pairs of at most %d user mappings.",
						   ZD_TOKEN_SLOTS)));
	slot = &store->slots[free_slot];
	memset(slot, 0, sizeof(TokenSlot));
	slot->dbid = MyDatabaseId;
	slot->umid = options->umid;
	strlcpy(slot->refresh, catalog, ZD_TOKEN_MAX);
	strlcpy(slot->stored, catalog, ZD_TOKEN_MAX);
	slot->stored_version = 1;
	slot->generation = slot->durable_generation = 1;
	slot->renew_at = slot->expires_at = (time_t) -1;
	return free_slot;
}

static void
require_store(const ZdOptions *options)
{
	if (store == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("oauth_refresh_token needs zendesk_fdw in shared_preload_libraries"),
				 errdetail("Each refresh invalidates the previous refresh token, so every backend of the cluster must share one token pair for the user mapping for server \"%s\".",
						   options->server_name),
				 errhint("Add zendesk_fdw to shared_preload_libraries and restart the server, or use oauth_client_id and oauth_client_secret alone (client credentials).")));
}

/*
 * make_durable
 *		Have a background worker commit the slot's refresh token into the
 *		user mapping, and wait for it.  Called by the refreshing backend.
 */
static pg_noinline void
make_durable(const ZdOptions *options, int index)
{
	BackgroundWorker worker = {0};
	BackgroundWorkerHandle *handle;
	WriterJob	job = {MyDatabaseId, options->umid, index,
	Max(options->timeout_ms / ZD_WRITER_ATTEMPTS, 1000)};
	uint64		generation;
	pid_t		pid;

	LWLockAcquire(store->lock, LW_SHARED);
	generation = store->slots[index].generation;
	LWLockRelease(store->lock);

	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "zendesk_fdw", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "zd_tokens_writer_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "zendesk_fdw token writer", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "zendesk_fdw token writer", BGW_MAXLEN);
	worker.bgw_notify_pid = MyProcPid;
	memcpy(worker.bgw_extra, &job, sizeof(job));

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start a worker to store the rotated OAuth refresh token of the user mapping for server \"%s\"",
						options->server_name),
				 errhint("Raise max_worker_processes.")));
	if (WaitForBackgroundWorkerStartup(handle, &pid) == BGWH_STARTED)
		(void) WaitForBackgroundWorkerShutdown(handle);

	LWLockAcquire(store->lock, LW_SHARED);
	generation = store->slots[index].durable_generation >= generation;
	LWLockRelease(store->lock);
	if (!generation)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("could not store the rotated OAuth refresh token of the user mapping for server \"%s\"",
						options->server_name),
				 errdetail("The token stays in shared memory and is not used again until it is stored."),
				 errhint("See the server log for the token writer's error.")));
}

/*
 * refresh
 *		Rotate the slot's pair: POST the refresh token, keep the new pair,
 *		make the new refresh token durable.  The slot is marked as being
 *		refreshed by us; the lock is not held.
 */
static pg_noinline void
refresh(const ZdOptions *options, ZdTokenRequest request, void *arg, int index)
{
	TokenSlot  *slot = &store->slots[index];
	char		old[ZD_TOKEN_MAX];
	ZdTokenGrant grant;
	time_t		asked_at;
	bool		durable;

	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot refresh the OAuth token of the user mapping for server \"%s\" on a standby",
						options->server_name),
				 errdetail("A refresh rotates the refresh token, which only the primary can store."),
				 errhint("Query Zendesk from the primary, or use oauth_client_id and oauth_client_secret alone (client credentials) on the standby.")));

	LWLockAcquire(store->lock, LW_SHARED);
	durable = slot->durable_generation == slot->generation;
	LWLockRelease(store->lock);
	/* a token not yet stored (the last writer failed) is never used */
	if (!durable)
		make_durable(options, index);

	LWLockAcquire(store->lock, LW_SHARED);
	strlcpy(old, slot->refresh, sizeof(old));
	LWLockRelease(store->lock);
	asked_at = time(NULL);
	PG_TRY();
	{
		request(arg, old, &grant);
	}
	PG_FINALLY();
	{
		wipe(old, sizeof(old));
	}
	PG_END_TRY();

	if (grant.refresh_token == NULL || strlen(grant.refresh_token) >= ZD_TOKEN_MAX ||
		strlen(grant.access_token) >= ZD_TOKEN_MAX)
	{
		zd_token_grant_free(&grant);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
				 errmsg("invalid OAuth token response from Zendesk server \"%s\"",
						options->server_name),
				 errdetail("The refresh grant's answer has no refresh_token, or a token longer than %d bytes (POST /oauth/tokens).",
						   ZD_TOKEN_MAX - 1)));
	}

	LWLockAcquire(store->lock, LW_EXCLUSIVE);
	strlcpy(slot->refresh, grant.refresh_token, ZD_TOKEN_MAX);
	strlcpy(slot->access, grant.access_token, ZD_TOKEN_MAX);
	slot->renew_at = zd_token_renew_at(asked_at, grant.expires_in);
	slot->expires_at = grant.expires_in >= 0 ? asked_at + grant.expires_in : (time_t) -1;
	slot->generation++;
	LWLockRelease(store->lock);
	zd_token_grant_free(&grant);

	make_durable(options, index);
}

/*
 * refresh_as_owner
 *		refresh(), by the backend that marked the slot as its to refresh,
 *		with interrupts held (see above); the mark is cleared and the
 *		waiters woken however it ends, and a cancel that came meanwhile is
 *		served once the new pair is stored.  Not inlined: gcc's -Wclobbered
 *		misreads a PG_TRY in its caller's loop.
 */
static void
refresh_done(int index)
{
	LWLockAcquire(store->lock, LW_EXCLUSIVE);
	store->slots[index].refreshing_pid = 0;
	LWLockRelease(store->lock);
	ConditionVariableBroadcast(&store->refreshed);
}

static pg_noinline void
refresh_as_owner(const ZdOptions *options, ZdTokenRequest request, void *arg, int index)
{
	PG_TRY();
	{
		HOLD_INTERRUPTS();
		refresh(options, request, arg, index);
		RESUME_INTERRUPTS();
	}
	PG_CATCH();
	{
		/* an ERROR has reset the holdoff count already */
		refresh_done(index);
		PG_RE_THROW();
	}
	PG_END_TRY();
	refresh_done(index);
	CHECK_FOR_INTERRUPTS();
}

/*
 * zd_tokens_authorization
 *		"Bearer <access token>" of the mapping's shared pair (malloc'd),
 *		refreshing it first, through request, when it is due.
 */
char *
zd_tokens_authorization(const ZdOptions *options, ZdTokenRequest request, void *arg)
{
	require_store(options);
	for (;;)
	{
		int			index;
		TokenSlot  *slot;
		char		catalog[ZD_TOKEN_MAX];
		bool		known;
		uint64		version;

		version = stored_version(options);
		known = catalog_token(options, catalog);
		LWLockAcquire(store->lock, LW_EXCLUSIVE);
		index = find_slot(options, known ? catalog : NULL, version);
		wipe(catalog, sizeof(catalog));
		slot = &store->slots[index];
		if (slot->access[0] != '\0' &&
			(slot->renew_at == (time_t) -1 || time(NULL) < slot->renew_at ||
			 slot->generation == fresh_generation[index]))
		{
			char	   *header = zd_auth_bearer(slot->access);

			used_generation[index] = slot->generation;
			fresh_generation[index] = 0;
			LWLockRelease(store->lock);
			if (header == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_OUT_OF_MEMORY),
						 errmsg("out of memory")));
			return header;
		}
		if (slot->refreshing_pid != 0)
		{
			/* another backend is refreshing: wait for its pair */
			LWLockRelease(store->lock);
			ConditionVariablePrepareToSleep(&store->refreshed);
			for (;;)
			{
				bool		busy;

				LWLockAcquire(store->lock, LW_SHARED);
				busy = slot->refreshing_pid != 0;
				LWLockRelease(store->lock);
				if (!busy)
					break;
				ConditionVariableSleep(&store->refreshed, zd_wait_event(ZD_WAIT_TOKEN_REFRESH));
			}
			ConditionVariableCancelSleep();
			continue;
		}
		slot->refreshing_pid = MyProcPid;
		LWLockRelease(store->lock);
		refresh_as_owner(options, request, arg, index);
		LWLockAcquire(store->lock, LW_SHARED);
		fresh_generation[index] = slot->generation;
		LWLockRelease(store->lock);
	}
}

/*
 * zd_tokens_rejected
 *		Zendesk called the access token this backend sent invalid: unless
 *		another backend has refreshed the pair since (its token is then
 *		taken, once, even if due), it is due now.
 */
void
zd_tokens_rejected(const ZdOptions *options)
{
	require_store(options);
	LWLockAcquire(store->lock, LW_EXCLUSIVE);
	for (int i = 0; i < ZD_TOKEN_SLOTS; i++)
	{
		TokenSlot  *slot = &store->slots[i];

		if (slot->umid != options->umid || slot->dbid != MyDatabaseId)
			continue;
		if (slot->generation == used_generation[i])
			slot->renew_at = 0;
		else
			fresh_generation[i] = slot->generation;
	}
	LWLockRelease(store->lock);
}

/*
 * zd_tokens_expires_at
 *		When the mapping's shared access token expires ((time_t) -1: none
 *		yet, or not known).
 */
time_t
zd_tokens_expires_at(const ZdOptions *options)
{
	time_t		result = (time_t) -1;

	if (store == NULL)
		return result;
	LWLockAcquire(store->lock, LW_SHARED);
	for (int i = 0; i < ZD_TOKEN_SLOTS; i++)
		if (store->slots[i].umid == options->umid && store->slots[i].dbid == MyDatabaseId &&
			store->slots[i].access[0] != '\0')
			result = store->slots[i].expires_at;
	LWLockRelease(store->lock);
	return result;
}

/* A user mapping's options with oauth_refresh_token set to token. */
static Datum
options_with_token(Datum umoptions, bool isnull, const char *token)
{
	List	   *options = isnull ? NIL : untransformRelOptions(umoptions);
	ArrayBuildState *astate = NULL;
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = lfirst(lc);

		if (strcmp(def->defname, "oauth_refresh_token") == 0)
			continue;
		astate = accumArrayResult(astate,
								  CStringGetTextDatum(psprintf("%s=%s", def->defname,
															   defGetString(def))),
								  false, TEXTOID, CurrentMemoryContext);
	}
	astate = accumArrayResult(astate,
							  CStringGetTextDatum(psprintf("oauth_refresh_token=%s", token)),
							  false, TEXTOID, CurrentMemoryContext);
	return makeArrayResult(astate, CurrentMemoryContext);
}

PGDLLEXPORT void zd_tokens_writer_main(Datum main_arg);

/* What the writer's compare-and-set did. */
typedef enum WriterOutcome
{
	WRITER_FAILED,				/* an error: the token is not stored */
	WRITER_STORED,				/* the catalog holds the token now */
	WRITER_SUPERSEDED			/* the catalog holds a token set by a person */
} WriterOutcome;

/*
 * write_token
 *		One try of the compare-and-set, in a transaction of its own: the
 *		user mapping gets token if it holds expected (or token already).
 */
static WriterOutcome
write_token(Oid umid, const char *token, const char *expected)
{
	Relation	rel;
	HeapTuple	tuple;
	Datum		umoptions;
	bool		isnull;
	List	   *options;
	ListCell   *lc;
	const char *current = NULL;
	WriterOutcome outcome;

	StartTransactionCommand();
	rel = table_open(UserMappingRelationId, RowExclusiveLock);
	tuple = SearchSysCacheCopy1(USERMAPPINGOID, ObjectIdGetDatum(umid));
	if (!HeapTupleIsValid(tuple))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("user mapping %u no longer exists", umid)));
	umoptions = SysCacheGetAttr(USERMAPPINGOID, tuple, Anum_pg_user_mapping_umoptions, &isnull);
	options = isnull ? NIL : untransformRelOptions(umoptions);
	foreach(lc, options)
	{
		DefElem    *def = lfirst(lc);

		if (strcmp(def->defname, "oauth_refresh_token") == 0)
			current = defGetString(def);
	}
	if (current != NULL && strcmp(current, token) == 0)
		outcome = WRITER_STORED;
	else if (current == NULL || strcmp(current, expected) != 0)
		outcome = WRITER_SUPERSEDED;
	else
	{
		Datum		values[Natts_pg_user_mapping] = {0};
		bool		nulls[Natts_pg_user_mapping] = {0};
		bool		replace[Natts_pg_user_mapping] = {0};
		HeapTuple	newtuple;

		values[Anum_pg_user_mapping_umoptions - 1] = options_with_token(umoptions, isnull, token);
		replace[Anum_pg_user_mapping_umoptions - 1] = true;
		newtuple = heap_modify_tuple(tuple, RelationGetDescr(rel), values, nulls, replace);
		CatalogTupleUpdate(rel, &newtuple->t_self, newtuple);
		outcome = WRITER_STORED;
	}
	table_close(rel, RowExclusiveLock);
	CommitTransactionCommand();
	return outcome;
}

/*
 * zd_tokens_writer_main
 *		The token writer: commit the slot's live refresh token into the
 *		user mapping's options, through the catalog, by compare-and-set
 *		against the token the slot knows the catalog to hold.  A concurrent
 *		change of the mapping (an error, or a lock held past lock_timeout)
 *		is tried again, a few times; a person's token is never overwritten.
 */
void
zd_tokens_writer_main(Datum main_arg)
{
	WriterJob	job;
	TokenSlot  *slot;
	char		token[ZD_TOKEN_MAX];
	char		expected[ZD_TOKEN_MAX];
	char		lock_timeout[32];
	uint64		generation;
	volatile WriterOutcome outcome = WRITER_FAILED;
	MemoryContext context;

	memcpy(&job, MyBgworkerEntry->bgw_extra, sizeof(job));
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(job.dbid, InvalidOid, 0);
	snprintf(lock_timeout, sizeof(lock_timeout), "%d", job.lock_timeout_ms);
	SetConfigOption("lock_timeout", lock_timeout, PGC_SUSET, PGC_S_OVERRIDE);
	context = CurrentMemoryContext;

	slot = &store->slots[job.slot];
	LWLockAcquire(store->lock, LW_SHARED);
	if (slot->umid != job.umid || slot->dbid != job.dbid)
	{
		LWLockRelease(store->lock);
		proc_exit(0);
	}
	strlcpy(token, slot->refresh, sizeof(token));
	strlcpy(expected, slot->stored, sizeof(expected));
	generation = slot->generation;
	LWLockRelease(store->lock);

	for (int attempt = 1; attempt <= ZD_WRITER_ATTEMPTS && outcome == WRITER_FAILED; attempt++)
	{
		PG_TRY();
		{
			outcome = write_token(job.umid, token, expected);
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(context);
			EmitErrorReport();
			FlushErrorState();
			AbortCurrentTransaction();
		}
		PG_END_TRY();
	}
	wipe(expected, sizeof(expected));

	LWLockAcquire(store->lock, LW_EXCLUSIVE);
	if (slot->umid == job.umid && slot->dbid == job.dbid && outcome != WRITER_FAILED)
	{
		if (outcome == WRITER_STORED && strcmp(slot->stored, token) != 0)
		{
			strlcpy(slot->stored, token, ZD_TOKEN_MAX);
			slot->stored_version++;
		}
		/* superseded: nothing to store; the person's token is taken at its next use */
		slot->durable_generation = Max(slot->durable_generation, generation);
	}
	LWLockRelease(store->lock);
	wipe(token, sizeof(token));
	if (outcome == WRITER_FAILED)
		ereport(WARNING,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("could not store the rotated OAuth refresh token of user mapping %u",
						job.umid),
				 errdetail("%d attempts failed; the token stays in shared memory.",
						   ZD_WRITER_ATTEMPTS),
				 errhint("The errors above say why; a backend that refreshes next tries to store it again first.")));
	proc_exit(0);
}
