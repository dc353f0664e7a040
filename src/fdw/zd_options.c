/*-------------------------------------------------------------------------
 *
 * zd_options.c
 *		  Option handling for zendesk_fdw: validation and lookup.
 *
 * The validator checks each option's name, place (server, user mapping,
 * table, column), privilege and syntax, and the combinations a user mapping
 * needs; it never talks to Zendesk.  The options that decide where
 * credentials go (url, ca_file, proxy) are a superuser's: the event trigger
 * zendesk_fdw_server_options sees what a CREATE or ALTER SERVER changes,
 * which the validator (handed only the resulting list) cannot.  Credentials are accepted on user
 * mappings only.  zd_get_options merges server, user mapping and table
 * options into the ZdOptions a scan uses.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_options.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include <limits.h>

#include "access/reloptions.h"
#include "access/xact.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "commands/event_trigger.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "zendesk_fdw.h"
#include "zd_tokens.h"
#include "client/zd_url.h"

typedef enum ZdOptionKind
{
	ZD_OPT_TEXT,
	ZD_OPT_SUBDOMAIN,
	ZD_OPT_URL,
	ZD_OPT_PROXY,
	ZD_OPT_PATH,
	ZD_OPT_INT,
	ZD_OPT_ID,
	ZD_OPT_BOOL,
	ZD_OPT_RESOURCE,
	ZD_OPT_INCLUDE
} ZdOptionKind;

typedef struct ZdOptionDef
{
	const char *name;
	Oid			catalog;
	ZdOptionKind kind;
	bool		superuser_only;
	int			min;			/* ZD_OPT_INT bounds */
	int			max;
} ZdOptionDef;

static const ZdOptionDef option_defs[] = {
	/* server */
	{"subdomain", ForeignServerRelationId, ZD_OPT_SUBDOMAIN, false, 0, 0},
	{"url", ForeignServerRelationId, ZD_OPT_URL, true, 0, 0},
	{"ca_file", ForeignServerRelationId, ZD_OPT_PATH, true, 0, 0},
	{"timeout", ForeignServerRelationId, ZD_OPT_INT, false, 1, 3600},
	{"connect_timeout", ForeignServerRelationId, ZD_OPT_INT, false, 1, 300},
	{"page_size", ForeignServerRelationId, ZD_OPT_INT, false, 1, 1000},
	{"proxy", ForeignServerRelationId, ZD_OPT_PROXY, true, 0, 0},
	{"export_requests_per_minute", ForeignServerRelationId, ZD_OPT_INT, false, 1, 100000},
	{"max_requests_per_minute", ForeignServerRelationId, ZD_OPT_INT, false, 1, 100000},
	{"max_retries", ForeignServerRelationId, ZD_OPT_INT, false, 0, 100},
	{"max_requests_per_statement", ForeignServerRelationId, ZD_OPT_INT, false, 0, 1000000000},
	/* user mapping: every credential, and only here */
	{"email", UserMappingRelationId, ZD_OPT_TEXT, false, 0, 0},
	{"api_token", UserMappingRelationId, ZD_OPT_TEXT, false, 0, 0},
	{"oauth_client_id", UserMappingRelationId, ZD_OPT_TEXT, false, 0, 0},
	{"oauth_client_secret", UserMappingRelationId, ZD_OPT_TEXT, false, 0, 0},
	{"oauth_scope", UserMappingRelationId, ZD_OPT_TEXT, false, 0, 0},
	{"oauth_token", UserMappingRelationId, ZD_OPT_TEXT, false, 0, 0},
	{"oauth_refresh_token", UserMappingRelationId, ZD_OPT_TEXT, false, 0, 0},
	/* foreign table */
	{"resource", ForeignTableRelationId, ZD_OPT_RESOURCE, false, 0, 0},
	{"include_deleted", ForeignTableRelationId, ZD_OPT_BOOL, false, 0, 0},
	{"include", ForeignTableRelationId, ZD_OPT_INCLUDE, false, 0, 0},
	{"rows", ForeignTableRelationId, ZD_OPT_INT, false, 0, 2000000000},
	/* column: where its value is in the record (at most one of these) */
	{"field", AttributeRelationId, ZD_OPT_TEXT, false, 0, 0},
	{"custom_field_id", AttributeRelationId, ZD_OPT_ID, false, 0, 0},
	{"user_field", AttributeRelationId, ZD_OPT_TEXT, false, 0, 0},
	{"organization_field", AttributeRelationId, ZD_OPT_TEXT, false, 0, 0},
};

#define DEFAULT_TIMEOUT_S 60
#define DEFAULT_CONNECT_TIMEOUT_S 10
#define DEFAULT_PAGE_SIZE 1000
#define DEFAULT_EXPORT_REQUESTS_PER_MINUTE 10	/* Zendesk's default */
#define DEFAULT_MAX_RETRIES 5
#define DEFAULT_MAX_REQUESTS_PER_STATEMENT 100	/* ten minutes of the default
												 * export quota */

static const char *
catalog_noun(Oid catalog)
{
	switch (catalog)
	{
		case ForeignServerRelationId:
			return "foreign server";
		case UserMappingRelationId:
			return "user mapping";
		case ForeignTableRelationId:
			return "foreign table";
		case AttributeRelationId:
			return "foreign table column";
		case ForeignDataWrapperRelationId:
			return "foreign data wrapper";
		default:
			return "object";
	}
}

/*
 * The longest value an option takes, in bytes.  No Zendesk value comes
 * near these; they keep a pasted file or a runaway script out of the
 * catalog, of every request and of every message that names the value.
 */
#define ZD_MAX_URL_LEN 2048
#define ZD_MAX_TEXT_LEN 4096
#define ZD_MAX_WORD_LEN 64		/* numbers, booleans, resource names */

static size_t
max_length(const ZdOptionDef *od)
{
	switch (od->kind)
	{
		case ZD_OPT_SUBDOMAIN:
			return 63;			/* a DNS label */
		case ZD_OPT_URL:
		case ZD_OPT_PROXY:
			return ZD_MAX_URL_LEN;
		case ZD_OPT_PATH:
			return MAXPGPATH - 1;
		case ZD_OPT_TEXT:
			/* the shared slot a rotated refresh token lives in */
			return strcmp(od->name, "oauth_refresh_token") == 0 ?
				ZD_TOKEN_MAX - 1 : ZD_MAX_TEXT_LEN;
		default:
			return ZD_MAX_WORD_LEN;
	}
}

static const ZdOptionDef *
find_option(const char *name)
{
	for (size_t i = 0; i < lengthof(option_defs); i++)
		if (strcmp(option_defs[i].name, name) == 0)
			return &option_defs[i];
	return NULL;
}

static char *
valid_options_for(Oid catalog)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (size_t i = 0; i < lengthof(option_defs); i++)
	{
		if (option_defs[i].catalog != catalog)
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, option_defs[i].name);
	}
	return buf.data;
}

static int
parse_int_option(DefElem *def, const ZdOptionDef *od)
{
	char	   *value = defGetString(def);
	char	   *end;
	long		n;

	/* digits only: strtol alone would take leading blanks and a sign */
	errno = 0;
	n = strtol(value, &end, 10);
	if (!isdigit((unsigned char) value[0]) || errno != 0 || *end != '\0' ||
		n < od->min || n > od->max)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", def->defname, value),
				 errhint("\"%s\" must be an integer from %d to %d.",
						 def->defname, od->min, od->max)));
	return (int) n;
}

static bool
parse_bool_option(DefElem *def)
{
	bool		result;

	if (!parse_bool(defGetString(def), &result))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"",
						def->defname, defGetString(def)),
				 errhint("\"%s\" must be a boolean: true or false.", def->defname)));
	return result;
}

static void
check_subdomain(DefElem *def)
{
	const char *value = defGetString(def);
	size_t		len = strlen(value);
	bool		ok = len > 0 && len <= 63 && value[0] != '-' && value[len - 1] != '-';

	for (size_t i = 0; ok && i < len; i++)
		ok = (value[i] >= 'a' && value[i] <= 'z') ||
			(value[i] >= 'A' && value[i] <= 'Z') ||
			(value[i] >= '0' && value[i] <= '9') || value[i] == '-';
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"subdomain\": \"%s\"", value),
				 errhint("A subdomain is the first label of https://<subdomain>.zendesk.com: letters, digits and hyphens.")));
}

static void
check_url(DefElem *def)
{
	char		err[256];
	bool		plain;

	if (!zd_url_check_base(defGetString(def), &plain, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"url\": \"%s\"", defGetString(def)),
				 errdetail("%s", err),
				 errhint("Give the account's base URL, such as https://acme.zendesk.com, or use the \"subdomain\" option.")));
}

/*
 * What the event trigger zendesk_fdw_server_options approved, for a role
 * that is not a superuser, of the CREATE or ALTER SERVER about to run: the
 * values the superuser-only options (url, ca_file, proxy) may have in the
 * options the statement results in -- the server's own for ALTER, none for
 * CREATE.  The validator that statement calls accepts exactly those and
 * consumes the approval; an approval no validator consumed (ALTER SERVER
 * ... VERSION) can approve nothing but a server keeping those values, and
 * is forgotten at the next trigger and at the end of any (sub)transaction.
 * Without an approval the validator refuses a role that is not a superuser
 * any server options at all: the trigger did not see what the statement
 * changes (it is disabled, session_replication_role is replica, or the
 * database's zendesk_fdw is older than 1.2).
 */
static DefElem *find_def(List *options, const char *name);

static bool server_approved = false;
static char *server_approved_values[lengthof(option_defs)];	/* by option_defs
															 * index: the
															 * superuser_only
															 * ones */

static void
forget_server_approval(void)
{
	server_approved = false;
	for (size_t i = 0; i < lengthof(option_defs); i++)
	{
		if (server_approved_values[i] != NULL)
			pfree(server_approved_values[i]);
		server_approved_values[i] = NULL;
	}
}

/*
 * superuser_only_error
 *		A role that is not a superuser set or changed url, ca_file or proxy.
 */
static void
superuser_only_error(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("only a superuser can set option \"%s\"", name),
			 errdetail("\"%s\" decides where credentials are sent or which certificates are trusted.",
					   name),
			 errhint("A server's \"%s\" can be set or changed only by a superuser; its owner may change the other options.",
					 name)));
}

static void
superuser_only_drop_error(const char *name, const char *servername)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 servername ?
			 errmsg("only a superuser can drop option \"%s\" of server \"%s\"", name, servername) :
			 errmsg("only a superuser can drop option \"%s\"", name),
			 errdetail("\"%s\" decides where credentials are sent or which certificates are trusted.",
					   name),
			 errhint("Ask a superuser to change the server's \"%s\".", name)));
}

/*
 * check_server_approval
 *		The validator's side, for a role that is not a superuser: the
 *		superuser-only options of the resulting list are exactly the
 *		approved ones.
 */
static void
check_server_approval(List *options)
{
	if (!server_approved)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only a superuser can create or alter a Zendesk server here"),
				 errdetail("The event trigger zendesk_fdw_server_options, which lets a server's owner change the options that do not decide where credentials go, did not run for this statement: it is disabled, session_replication_role is replica, or the database's zendesk_fdw is older than 1.2."),
				 errhint("Run ALTER EXTENSION zendesk_fdw UPDATE, or ask a superuser.")));
	for (size_t i = 0; i < lengthof(option_defs); i++)
	{
		const char *name = option_defs[i].name;
		DefElem    *def = find_def(options, name);
		const char *approved = server_approved_values[i];

		if (!option_defs[i].superuser_only)
			continue;
		if (def == NULL && approved != NULL)
			superuser_only_drop_error(name, NULL);
		if (def != NULL && (approved == NULL || strcmp(defGetString(def), approved) != 0))
			superuser_only_error(name);
	}
}

static void
check_one_option(DefElem *def, Oid catalog)
{
	const ZdOptionDef *od = find_option(def->defname);

	if (od == NULL || od->catalog != catalog)
	{
		char	   *valid = valid_options_for(catalog);

		if (od != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("option \"%s\" belongs on a %s, not on a %s",
							def->defname, catalog_noun(od->catalog), catalog_noun(catalog)),
					 od->catalog == UserMappingRelationId ?
					 errdetail("Credentials are accepted only in user mappings.") : 0,
					 errhint("Valid options for a %s: %s.", catalog_noun(catalog),
							 valid[0] ? valid : "none")));
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("invalid option \"%s\"", def->defname),
				 errhint("Valid options for a %s: %s.", catalog_noun(catalog),
						 valid[0] ? valid : "none")));
	}

	if (defGetString(def)[0] == '\0' && od->kind != ZD_OPT_BOOL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"%s\" must not be empty", def->defname)));
	if (strlen(defGetString(def)) > max_length(od))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("value of option \"%s\" is too long", def->defname),
				 errdetail("It is %zu bytes; \"%s\" takes at most %zu.",
						   strlen(defGetString(def)), def->defname, max_length(od))));

	switch (od->kind)
	{
		case ZD_OPT_SUBDOMAIN:
			check_subdomain(def);
			break;
		case ZD_OPT_URL:
			check_url(def);
			break;
		case ZD_OPT_PROXY:
			{
				char		err[256];

				if (!zd_url_check_proxy(defGetString(def), err, sizeof(err)))
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"proxy\": \"%s\"", defGetString(def)),
							 errdetail("%s.", err),
							 errhint("Give the proxy as a URL: http://host:port, https://host:port or socks5h://host:port.")));
			}
			break;
		case ZD_OPT_PATH:
			if (!is_absolute_path(defGetString(def)))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("option \"%s\" must be an absolute path", def->defname)));
			break;
		case ZD_OPT_INT:
			(void) parse_int_option(def, od);
			break;
		case ZD_OPT_ID:
			{
				char	   *end;
				long long	id;

				errno = 0;
				id = strtoll(defGetString(def), &end, 10);
				if (!isdigit((unsigned char) defGetString(def)[0]) || errno != 0 ||
					*end != '\0' || id <= 0)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"%s\": \"%s\"",
									def->defname, defGetString(def)),
							 errhint("\"%s\" is the numeric id of a Zendesk ticket field.", def->defname)));
			}
			break;
		case ZD_OPT_BOOL:
			(void) parse_bool_option(def);
			break;
		case ZD_OPT_RESOURCE:
			if (zd_resource_lookup(defGetString(def)) == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("unknown Zendesk resource \"%s\"", defGetString(def)),
						 errhint("Valid resources: %s.", zd_resource_names())));
			break;
		case ZD_OPT_INCLUDE:
			/* the one sideload that changes records: comment bodies (§3.8) */
			if (strcmp(defGetString(def), "comment_events") != 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for option \"include\": \"%s\"", defGetString(def)),
						 errhint("The only value is \"comment_events\", for resource ticket_events.")));
			break;
		case ZD_OPT_TEXT:
			break;
	}
}

static DefElem *
find_def(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, name) == 0)
			return def;
	}
	return NULL;
}

/*
 * check_credentials
 *		A user mapping holds exactly one complete way to authenticate.
 */
static void
check_credentials(List *options)
{
	bool		has_id = find_def(options, "oauth_client_id") != NULL;
	bool		has_secret = find_def(options, "oauth_client_secret") != NULL;
	bool		has_token = find_def(options, "oauth_token") != NULL;
	bool		has_email = find_def(options, "email") != NULL;
	bool		has_api = find_def(options, "api_token") != NULL;
	int			methods = (has_id || has_secret) + has_token + (has_email || has_api);

	if (methods > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("a user mapping for zendesk_fdw takes one way to authenticate"),
				 errhint("Give either oauth_client_id with oauth_client_secret, or oauth_token, or email with api_token.")));
	if (has_id != has_secret)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("option \"%s\" needs option \"%s\"",
						has_id ? "oauth_client_id" : "oauth_client_secret",
						has_id ? "oauth_client_secret" : "oauth_client_id"),
				 errhint("The client-credentials grant needs the OAuth client's identifier and secret.")));
	if (has_email != has_api)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("option \"%s\" needs option \"%s\"",
						has_email ? "email" : "api_token",
						has_email ? "api_token" : "email"),
				 errhint("API-token authentication needs the agent's email and the token.")));
	if (find_def(options, "oauth_scope") != NULL && !has_id)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("option \"oauth_scope\" applies only to oauth_client_id and oauth_client_secret")));
	/* the refresh-token flow: the client's id and secret, and its refresh token */
	if (find_def(options, "oauth_refresh_token") != NULL && !has_id)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("option \"oauth_refresh_token\" needs options \"oauth_client_id\" and \"oauth_client_secret\""),
				 errhint("A refresh is made by the OAuth client that was granted the refresh token.")));
}

/*
 * zd_validate_options
 *		The body of zendesk_fdw_validator.
 */
void
zd_validate_options(List *options, Oid catalog)
{
	ListCell   *lc;

	foreach(lc, options)
		check_one_option(lfirst_node(DefElem, lc), catalog);
	if (catalog == ForeignServerRelationId && !superuser())
	{
		check_server_approval(options);
		forget_server_approval();
	}

	if (catalog == ForeignServerRelationId &&
		find_def(options, "subdomain") && find_def(options, "url"))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("options \"subdomain\" and \"url\" cannot both be set"),
				 errhint("\"subdomain\" means https://<subdomain>.zendesk.com; \"url\" gives any base URL.")));
	if (catalog == UserMappingRelationId)
		check_credentials(options);
	if (catalog == ForeignTableRelationId && find_def(options, "include") != NULL &&
		find_def(options, "resource") != NULL &&
		strcmp(defGetString(find_def(options, "resource")), "ticket_events") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("option \"include\" applies to resource ticket_events only")));
	if (catalog == AttributeRelationId &&
		(find_def(options, "field") != NULL) + (find_def(options, "custom_field_id") != NULL) +
		(find_def(options, "user_field") != NULL) + (find_def(options, "organization_field") != NULL) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("a column takes at most one of the options field, custom_field_id, user_field and organization_field")));
}

/* Is there a user mapping for this role (InvalidOid: PUBLIC) and server? */
static bool
user_mapping_exists(Oid userid, Oid serverid)
{
	HeapTuple	tp = SearchSysCache2(USERMAPPINGUSERSERVER,
									 ObjectIdGetDatum(userid),
									 ObjectIdGetDatum(serverid));

	if (!HeapTupleIsValid(tp))
		return false;
	ReleaseSysCache(tp);
	return true;
}

/*
 * get_credentials
 *		The credentials of role userid for server (or PUBLIC's).
 */
static void
get_credentials(ZdOptions *opts, ForeignServer *server, Oid userid)
{
	DefElem    *def;
	UserMapping *user;

	if (!user_mapping_exists(userid, server->serverid) &&
		!user_mapping_exists(InvalidOid, server->serverid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role \"%s\" has no user mapping for server \"%s\"",
						GetUserNameFromId(userid, false), server->servername),
				 userid != GetOuterUserId() ?
				 errdetail("The foreign table is read as role \"%s\": the owner of the view that refers to it, of the function that reads it, or of the table ANALYZE counts.",
						   GetUserNameFromId(userid, false)) : 0,
				 errhint("Create one with the role's Zendesk credentials: CREATE USER MAPPING FOR %s SERVER %s OPTIONS (oauth_client_id '...', oauth_client_secret '...').",
						 userid != GetOuterUserId() ?
						 quote_identifier(GetUserNameFromId(userid, false)) : "CURRENT_USER",
						 quote_identifier(server->servername))));
	user = GetUserMapping(userid, server->serverid);

	opts->umid = user->umid;
	if ((def = find_def(user->options, "oauth_client_id")) != NULL)
	{
		DefElem    *refresh = find_def(user->options, "oauth_refresh_token");

		/* with a refresh token: the refresh-token flow (zd_tokens.c) */
		opts->auth_method = refresh ? ZD_AUTH_OAUTH_REFRESH_TOKEN :
			ZD_AUTH_OAUTH_CLIENT_CREDENTIALS;
		if (refresh)
			opts->oauth_refresh_token = pstrdup(defGetString(refresh));
		opts->oauth_client_id = pstrdup(defGetString(def));
		opts->oauth_client_secret = pstrdup(defGetString(find_def(user->options, "oauth_client_secret")));
		def = find_def(user->options, "oauth_scope");
		opts->oauth_scope = pstrdup(def ? defGetString(def) : "read");
	}
	else if ((def = find_def(user->options, "oauth_token")) != NULL)
	{
		opts->auth_method = ZD_AUTH_OAUTH_TOKEN;
		opts->oauth_token = pstrdup(defGetString(def));
	}
	else if ((def = find_def(user->options, "email")) != NULL)
	{
		opts->auth_method = ZD_AUTH_API_TOKEN;
		opts->email = pstrdup(defGetString(def));
		opts->api_token = pstrdup(defGetString(find_def(user->options, "api_token")));
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("user mapping for server \"%s\" has no credentials", server->servername),
				 errhint("Add oauth_client_id and oauth_client_secret (or oauth_token, or email and api_token) to the user mapping.")));
}

/*
 * zd_get_server_options
 *		The options of a server and, when asked, the current user's
 *		credentials for it.
 */
ZdOptions *
zd_get_server_options(Oid serverid, bool with_credentials)
{
	return zd_get_server_options_as(serverid, GetUserId(), with_credentials);
}

/*
 * zd_get_server_options_as
 *		The options of a server and, when asked, role userid's credentials
 *		for it.
 */
ZdOptions *
zd_get_server_options_as(Oid serverid, Oid userid, bool with_credentials)
{
	ForeignServer *server = GetForeignServer(serverid);
	ZdOptions  *opts = palloc0(sizeof(ZdOptions));
	DefElem    *def;
	char		err[256];

	opts->serverid = server->serverid;
	opts->server_name = pstrdup(server->servername);
	opts->timeout_ms = DEFAULT_TIMEOUT_S * 1000;
	opts->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_S * 1000;
	opts->page_size = DEFAULT_PAGE_SIZE;
	opts->export_requests_per_minute = DEFAULT_EXPORT_REQUESTS_PER_MINUTE;
	opts->max_retries = DEFAULT_MAX_RETRIES;
	opts->max_requests_per_statement = DEFAULT_MAX_REQUESTS_PER_STATEMENT;

	if ((def = find_def(server->options, "url")) != NULL)
	{
		opts->base_url = pstrdup(defGetString(def));
		if (!zd_url_check_base(opts->base_url, &opts->plain_http, err, sizeof(err)))
			elog(ERROR, "invalid url option of server \"%s\": %s", server->servername, err);
	}
	else if ((def = find_def(server->options, "subdomain")) != NULL)
		opts->base_url = psprintf("https://%s.zendesk.com", defGetString(def));
	else
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has neither option \"subdomain\" nor option \"url\"",
						server->servername),
				 errhint("Use ALTER SERVER %s OPTIONS (ADD subdomain '<your subdomain>').",
						 quote_identifier(server->servername))));
	if ((def = find_def(server->options, "ca_file")) != NULL)
		opts->ca_file = pstrdup(defGetString(def));
	if ((def = find_def(server->options, "timeout")) != NULL)
		opts->timeout_ms = parse_int_option(def, find_option("timeout")) * 1000;
	if ((def = find_def(server->options, "connect_timeout")) != NULL)
		opts->connect_timeout_ms = parse_int_option(def, find_option("connect_timeout")) * 1000;
	if ((def = find_def(server->options, "page_size")) != NULL)
		opts->page_size = parse_int_option(def, find_option("page_size"));
	if ((def = find_def(server->options, "proxy")) != NULL)
		opts->proxy = pstrdup(defGetString(def));
	if ((def = find_def(server->options, "export_requests_per_minute")) != NULL)
		opts->export_requests_per_minute = parse_int_option(def, find_option("export_requests_per_minute"));
	if ((def = find_def(server->options, "max_requests_per_minute")) != NULL)
		opts->max_requests_per_minute = parse_int_option(def, find_option("max_requests_per_minute"));
	if ((def = find_def(server->options, "max_retries")) != NULL)
		opts->max_retries = parse_int_option(def, find_option("max_retries"));
	if ((def = find_def(server->options, "max_requests_per_statement")) != NULL)
		opts->max_requests_per_statement = parse_int_option(def, find_option("max_requests_per_statement"));

	if (with_credentials)
		get_credentials(opts, server, userid);
	return opts;
}

/*
 * zd_get_options
 *		Merge the options of a foreign table, its server and the current
 *		user's mapping.  Credentials are read only when asked for.
 */
ZdOptions *
zd_get_options(Oid foreigntableid, bool with_credentials)
{
	return zd_get_options_as(foreigntableid, GetUserId(), with_credentials);
}

/*
 * zd_get_options_as
 *		zd_get_options with role userid's mapping: the role a scan is
 *		checked as (a view's owner, as postgres_fdw chooses), or the table's
 *		owner for ANALYZE.
 */
ZdOptions *
zd_get_options_as(Oid foreigntableid, Oid userid, bool with_credentials)
{
	ForeignTable *table = GetForeignTable(foreigntableid);
	ZdOptions  *opts = zd_get_server_options_as(table->serverid, userid, with_credentials);
	DefElem    *def;

	if ((def = find_def(table->options, "resource")) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("foreign table \"%s\" has no option \"resource\"",
						get_rel_name(foreigntableid)),
				 errhint("Valid resources: %s.", zd_resource_names())));
	opts->resource = zd_resource_lookup(defGetString(def));
	if (opts->resource == NULL)
		elog(ERROR, "unknown Zendesk resource \"%s\"", defGetString(def));
	if ((def = find_def(table->options, "include_deleted")) != NULL)
		opts->include_deleted = parse_bool_option(def);
	if ((def = find_def(table->options, "include")) != NULL)
	{
		if (strcmp(opts->resource->name, "ticket_events") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("option \"include\" of foreign table \"%s\" applies to resource ticket_events only",
							get_rel_name(foreigntableid)),
					 errhint("Use ALTER FOREIGN TABLE %s OPTIONS (DROP include).",
							 quote_identifier(get_rel_name(foreigntableid)))));
		opts->include = pstrdup(defGetString(def));
	}
	opts->rows = -1;
	if ((def = find_def(table->options, "rows")) != NULL)
		opts->rows = parse_int_option(def, find_option("rows"));
	return opts;
}

static void
forget_server_check(XactEvent event, void *arg)
{
	/* the values live in TopMemoryContext, as long as an approval may */
	forget_server_approval();
}

static void
forget_server_check_sub(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		forget_server_approval();
}

void
zd_options_init(void)
{
	RegisterXactCallback(forget_server_check, NULL);
	RegisterSubXactCallback(forget_server_check_sub, NULL);
}

/*
 * is_zendesk_wrapper
 *		Does the wrapper validate with this library's zendesk_fdw_validator,
 *		whatever the wrapper, its validator's SQL name or the library's path
 *		are called?
 */
static bool
is_zendesk_wrapper(ForeignDataWrapper *fdw)
{
	FmgrInfo	validator;

	if (!OidIsValid(fdw->fdwvalidator))
		return false;
	fmgr_info(fdw->fdwvalidator, &validator);
	return validator.fn_addr == zendesk_fdw_validator;
}

/*
 * check_server_statement
 *		A role that is not a superuser may neither set, change nor drop a
 *		superuser-only option; it may leave one as it is (and so change the
 *		other options of a server a superuser set up and handed over).
 *		current: the server's options before the statement (NIL for CREATE).
 */
static void
check_server_statement(List *changes, List *current, const char *servername)
{
	ListCell   *lc;

	foreach(lc, changes)
	{
		DefElem    *def = lfirst_node(DefElem, lc);
		const ZdOptionDef *od = find_option(def->defname);
		DefElem    *old = find_def(current, def->defname);

		if (od == NULL || od->catalog != ForeignServerRelationId || !od->superuser_only)
			continue;
		if (def->defaction == DEFELEM_DROP)
			superuser_only_drop_error(def->defname, servername);
		if (old != NULL && def->arg != NULL &&
			strcmp(defGetString(old), defGetString(def)) == 0)
			continue;			/* set to the value it has: no change */
		superuser_only_error(def->defname);
	}
}

/*
 * zendesk_fdw_server_options_guard
 *		The event trigger zendesk_fdw_server_options, at ddl_command_start
 *		of CREATE SERVER and ALTER SERVER.
 */
PG_FUNCTION_INFO_V1(zendesk_fdw_server_options_guard);

Datum
zendesk_fdw_server_options_guard(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	ForeignDataWrapper *fdw = NULL;
	ForeignServer *server = NULL;
	List	   *changes = NIL;
	const char *servername = NULL;
	MemoryContext oldcontext;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("zendesk_fdw_server_options_guard must be called as an event trigger"),
				 errdetail("It checks the options of CREATE SERVER and ALTER SERVER as the event trigger zendesk_fdw_server_options."),
				 errhint("Do not call it directly.")));
	trigdata = (EventTriggerData *) fcinfo->context;
	forget_server_approval();

	if (IsA(trigdata->parsetree, CreateForeignServerStmt))
	{
		CreateForeignServerStmt *stmt = (CreateForeignServerStmt *) trigdata->parsetree;

		fdw = GetForeignDataWrapperByName(stmt->fdwname, true);
		changes = stmt->options;
		servername = stmt->servername;
	}
	else if (IsA(trigdata->parsetree, AlterForeignServerStmt))
	{
		AlterForeignServerStmt *stmt = (AlterForeignServerStmt *) trigdata->parsetree;

		server = GetForeignServerByName(stmt->servername, true);
		if (server == NULL)
			PG_RETURN_VOID();	/* PostgreSQL reports it */
		/* not the owner: PostgreSQL refuses it, and says so */
		if (!has_privs_of_role(GetUserId(), server->owner))
			PG_RETURN_VOID();
		fdw = GetForeignDataWrapper(server->fdwid);
		changes = stmt->options;
		servername = stmt->servername;
	}
	if (fdw == NULL || !is_zendesk_wrapper(fdw) || superuser())
		PG_RETURN_VOID();

	check_server_statement(changes, server ? server->options : NIL, servername);

	/* what this statement's result may hold: the server's own values */
	oldcontext = MemoryContextSwitchTo(TopMemoryContext);
	for (size_t i = 0; i < lengthof(option_defs); i++)
	{
		DefElem    *def = server && option_defs[i].superuser_only ?
			find_def(server->options, option_defs[i].name) : NULL;

		server_approved_values[i] = def ? pstrdup(defGetString(def)) : NULL;
	}
	MemoryContextSwitchTo(oldcontext);
	server_approved = true;
	PG_RETURN_VOID();
}
