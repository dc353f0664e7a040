/*-------------------------------------------------------------------------
 *
 * zd_resources.c
 *		  The static catalog of Zendesk resources the FDW can read.
 *
 * Default columns follow the key sets of the real objects (sim/README.md
 * §8.1-§8.3, observed in the recorded responses; §3.8 for ticket events),
 * plus "raw", the whole record.  Ids are bigint, times timestamptz, id and
 * string arrays bigint[] and text[], nested objects jsonb.
 *
 * IDENTIFICATION
 *		  src/client/zd_resources.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "zd_resources.h"

static const ZdResourceColumn ticket_columns[] = {
	{"id", "bigint"},
	{"url", "text"},
	{"external_id", "text"},
	{"via", "jsonb"},
	{"created_at", "timestamptz"},
	{"updated_at", "timestamptz"},
	{"type", "text"},
	{"subject", "text"},
	{"raw_subject", "text"},
	{"description", "text"},
	{"priority", "text"},
	{"status", "text"},
	{"recipient", "text"},
	{"requester_id", "bigint"},
	{"submitter_id", "bigint"},
	{"assignee_id", "bigint"},
	{"organization_id", "bigint"},
	{"group_id", "bigint"},
	{"collaborator_ids", "bigint[]"},
	{"follower_ids", "bigint[]"},
	{"email_cc_ids", "bigint[]"},
	{"forum_topic_id", "bigint"},
	{"problem_id", "bigint"},
	{"has_incidents", "boolean"},
	{"is_public", "boolean"},
	{"due_at", "timestamptz"},
	{"tags", "text[]"},
	{"custom_fields", "jsonb"},
	{"satisfaction_rating", "jsonb"},
	{"sharing_agreement_ids", "bigint[]"},
	{"custom_status_id", "bigint"},
	{"fields", "jsonb"},
	{"followup_ids", "bigint[]"},
	{"ticket_form_id", "bigint"},
	{"brand_id", "bigint"},
	{"allow_channelback", "boolean"},
	{"allow_attachments", "boolean"},
	{"from_messaging_channel", "boolean"},
	{"generated_timestamp", "timestamptz"},
	{"encoded_id", "text"},
	{"support_type", "text"},
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResourceColumn user_columns[] = {
	{"id", "bigint"},
	{"url", "text"},
	{"name", "text"},
	{"email", "text"},
	{"created_at", "timestamptz"},
	{"updated_at", "timestamptz"},
	{"time_zone", "text"},
	{"iana_time_zone", "text"},
	{"phone", "text"},
	{"shared_phone_number", "boolean"},
	{"photo", "jsonb"},
	{"locale_id", "bigint"},
	{"locale", "text"},
	{"organization_id", "bigint"},
	{"role", "text"},
	{"verified", "boolean"},
	{"external_id", "text"},
	{"tags", "text[]"},
	{"alias", "text"},
	{"active", "boolean"},
	{"shared", "boolean"},
	{"shared_agent", "boolean"},
	{"last_login_at", "timestamptz"},
	{"two_factor_auth_enabled", "boolean"},
	{"signature", "text"},
	{"details", "text"},
	{"notes", "text"},
	{"role_type", "integer"},
	{"custom_role_id", "bigint"},
	{"moderator", "boolean"},
	{"ticket_restriction", "text"},
	{"only_private_comments", "boolean"},
	{"restricted_agent", "boolean"},
	{"suspended", "boolean"},
	{"default_group_id", "bigint"},
	{"report_csv", "boolean"},
	{"user_fields", "jsonb"},
	{"permanently_deleted", "boolean"}, /* deleted users only (recorded) */
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResourceColumn organization_columns[] = {
	{"id", "bigint"},
	{"url", "text"},
	{"name", "text"},
	{"shared_tickets", "boolean"},
	{"shared_comments", "boolean"},
	{"external_id", "text"},
	{"created_at", "timestamptz"},
	{"updated_at", "timestamptz"},
	{"domain_names", "text[]"},
	{"details", "text"},
	{"notes", "text"},
	{"group_id", "bigint"},
	{"tags", "text[]"},
	{"organization_fields", "jsonb"},
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResourceColumn ticket_event_columns[] = {
	{"id", "bigint"},
	{"ticket_id", "bigint"},
	{"timestamp", "timestamptz"},
	{"created_at", "timestamptz"},
	{"updater_id", "bigint"},
	{"via", "text"},
	{"via_reference_id", "bigint"},
	{"system", "jsonb"},
	{"metadata", "jsonb"},
	{"event_type", "text"},
	{"child_events", "jsonb"},
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResource resources[] = {
	{
		.name = "tickets",
		.export_path = "/api/v2/incremental/tickets/cursor.json",
		.result_key = "tickets",
		.stream = ZD_STREAM_CURSOR,
		.stream_time_key = "generated_timestamp",
		.stream_time_form = ZD_TIME_EPOCH,
		.has_deleted = true,
		.has_support_type_scope = true,
		.custom = ZD_CUSTOM_TICKET,
		.fields_path = "/api/v2/ticket_fields.json",
		.fields_key = "ticket_fields",
		.columns = ticket_columns,
		.lower_bound_keys = {"updated_at", "generated_timestamp"},
		.order_key = "generated_timestamp",
		.lookup_path = "/api/v2/tickets",
		.lookup_key = "ticket",
		.count_path = "/api/v2/tickets/count.json",
	},
	{
		.name = "users",
		.export_path = "/api/v2/incremental/users/cursor.json",
		.result_key = "users",
		.stream = ZD_STREAM_CURSOR,
		.stream_time_key = "updated_at",
		.stream_time_form = ZD_TIME_ISO8601,
		.custom = ZD_CUSTOM_USER,
		.fields_path = "/api/v2/user_fields.json",
		.fields_key = "user_fields",
		.columns = user_columns,
		.lower_bound_keys = {"updated_at"},
		.order_key = "updated_at",
		.lookup_path = "/api/v2/users",
		.lookup_key = "user",
		.count_path = "/api/v2/users/count.json",
	},
	{
		.name = "organizations",
		.export_path = "/api/v2/incremental/organizations.json",
		.result_key = "organizations",
		.stream = ZD_STREAM_TIME,
		.stream_time_key = "updated_at",
		.stream_time_form = ZD_TIME_ISO8601,
		.custom = ZD_CUSTOM_ORGANIZATION,
		.fields_path = "/api/v2/organization_fields.json",
		.fields_key = "organization_fields",
		.columns = organization_columns,
		.lower_bound_keys = {"updated_at"},
		.order_key = "updated_at",
		.lookup_path = "/api/v2/organizations",
		.lookup_key = "organization",
		.count_path = "/api/v2/organizations/count.json",
	},
	{
		.name = "ticket_events",
		.export_path = "/api/v2/incremental/ticket_events.json",
		.result_key = "ticket_events",
		.stream = ZD_STREAM_TIME,
		.stream_time_key = "timestamp",
		.stream_time_form = ZD_TIME_EPOCH,
		.has_support_type_scope = true,
		.custom = ZD_CUSTOM_NONE,
		.columns = ticket_event_columns,
		/* events can arrive late (§3.8): no upper bound, no lookup, no count */
		.lower_bound_keys = {"created_at", "timestamp"},
	},
};

#define NRESOURCES ((int) (sizeof(resources) / sizeof(resources[0])))

/*
 * zd_resource_lookup
 *		The catalog entry of a resource, or NULL when there is none.
 */
const ZdResource *
zd_resource_lookup(const char *name)
{
	for (int i = 0; i < NRESOURCES; i++)
		if (strcmp(resources[i].name, name) == 0)
			return &resources[i];
	return NULL;
}

/*
 * zd_resource_at
 *		The i-th resource (from 0), or NULL past the last one.
 */
const ZdResource *
zd_resource_at(int i)
{
	return (i >= 0 && i < NRESOURCES) ? &resources[i] : NULL;
}

/*
 * zd_resource_names
 *		The valid resource names, comma-separated, for error hints.
 */
const char *
zd_resource_names(void)
{
	static char names[256];

	if (names[0] == '\0')
	{
		for (int i = 0; i < NRESOURCES; i++)
		{
			if (i > 0)
				strcat(names, ", ");
			strcat(names, resources[i].name);
		}
	}
	return names;
}

/*
 * zd_resource_has_key
 *		Is key a top-level key of the resource's records (or "raw")?
 */
bool
zd_resource_has_key(const ZdResource *resource, const char *key)
{
	for (const ZdResourceColumn *c = resource->columns; c->name != NULL; c++)
		if (strcmp(c->name, key) == 0)
			return true;
	return false;
}

/*
 * zd_resource_keys
 *		The resource's keys, comma-separated, for error hints.
 */
const char *
zd_resource_keys(const ZdResource *resource)
{
	static char keys[NRESOURCES][2048];
	char	   *buf = keys[resource - resources];

	if (buf[0] == '\0')
	{
		size_t		len = 0;

		for (const ZdResourceColumn *c = resource->columns; c->name != NULL; c++)
			len += snprintf(buf + len, sizeof(keys[0]) - len, "%s%s",
							c == resource->columns ? "" : ", ", c->name);
	}
	return buf;
}
