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

/*
 * The standard lists (sim/README.md §12.1: the key sets of the recorded
 * objects and of Zendesk's reference pages).
 */
static const ZdResourceColumn group_columns[] = {
	{"id", "bigint"},
	{"url", "text"},
	{"name", "text"},
	{"description", "text"},
	{"default", "boolean"},
	{"deleted", "boolean"},
	{"is_public", "boolean"},
	{"created_at", "timestamptz"},
	{"updated_at", "timestamptz"},
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResourceColumn group_membership_columns[] = {
	{"id", "bigint"},
	{"url", "text"},
	{"user_id", "bigint"},
	{"group_id", "bigint"},
	{"default", "boolean"},
	{"created_at", "timestamptz"},
	{"updated_at", "timestamptz"},
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResourceColumn ticket_metric_columns[] = {
	{"id", "bigint"},
	{"ticket_id", "bigint"},
	{"url", "text"},
	{"group_stations", "integer"},
	{"assignee_stations", "integer"},
	{"reopens", "integer"},
	{"replies", "integer"},
	{"assignee_updated_at", "timestamptz"},
	{"requester_updated_at", "timestamptz"},
	{"status_updated_at", "timestamptz"},
	{"custom_status_updated_at", "timestamptz"},
	{"initially_assigned_at", "timestamptz"},
	{"assigned_at", "timestamptz"},
	{"solved_at", "timestamptz"},
	{"latest_comment_added_at", "timestamptz"},
	{"reply_time_in_minutes", "jsonb"},
	{"first_resolution_time_in_minutes", "jsonb"},
	{"full_resolution_time_in_minutes", "jsonb"},
	{"agent_wait_time_in_minutes", "jsonb"},
	{"requester_wait_time_in_minutes", "jsonb"},
	{"on_hold_time_in_minutes", "jsonb"},
	{"created_at", "timestamptz"},
	{"updated_at", "timestamptz"},
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResourceColumn ticket_audit_columns[] = {
	{"id", "bigint"},
	{"ticket_id", "bigint"},
	{"created_at", "timestamptz"},
	{"author_id", "bigint"},
	{"via", "jsonb"},
	{"metadata", "jsonb"},
	{"events", "jsonb"},
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResourceColumn organization_membership_columns[] = {
	{"id", "bigint"},
	{"url", "text"},
	{"user_id", "bigint"},
	{"organization_id", "bigint"},
	{"default", "boolean"},
	{"view_tickets", "boolean"},
	{"organization_name", "text"},
	{"created_at", "timestamptz"},
	{"updated_at", "timestamptz"},
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResourceColumn brand_columns[] = {
	{"id", "bigint"},
	{"url", "text"},
	{"name", "text"},
	{"brand_url", "text"},
	{"subdomain", "text"},
	{"host_mapping", "text"},
	{"has_help_center", "boolean"},
	{"help_center_state", "text"},
	{"active", "boolean"},
	{"default", "boolean"},
	{"is_deleted", "boolean"},
	{"logo", "jsonb"},
	{"ticket_form_ids", "bigint[]"},
	{"signature_template", "text"},
	{"created_at", "timestamptz"},
	{"updated_at", "timestamptz"},
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResourceColumn ticket_form_columns[] = {
	{"id", "bigint"},
	{"url", "text"},
	{"name", "text"},
	{"raw_name", "text"},
	{"display_name", "text"},
	{"raw_display_name", "text"},
	{"end_user_visible", "boolean"},
	{"position", "integer"},
	{"ticket_field_ids", "bigint[]"},
	{"active", "boolean"},
	{"default", "boolean"},
	{"in_all_brands", "boolean"},
	{"restricted_brand_ids", "bigint[]"},
	{"end_user_conditions", "jsonb"},
	{"agent_conditions", "jsonb"},
	{"created_at", "timestamptz"},
	{"updated_at", "timestamptz"},
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResourceColumn custom_status_columns[] = {
	{"id", "bigint"},
	{"url", "text"},
	{"status_category", "text"},
	{"agent_label", "text"},
	{"raw_agent_label", "text"},
	{"end_user_label", "text"},
	{"raw_end_user_label", "text"},
	{"description", "text"},
	{"raw_description", "text"},
	{"end_user_description", "text"},
	{"raw_end_user_description", "text"},
	{"active", "boolean"},
	{"default", "boolean"},
	{"created_at", "timestamptz"},
	{"updated_at", "timestamptz"},
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResourceColumn sla_policy_columns[] = {
	{"id", "bigint"},
	{"url", "text"},
	{"title", "text"},
	{"description", "text"},
	{"position", "integer"},
	{"filter", "jsonb"},
	{"policy_metrics", "jsonb"},
	{"created_at", "timestamptz"},
	{"updated_at", "timestamptz"},
	{"raw", "jsonb"},
	{NULL, NULL}
};

static const ZdResourceColumn schedule_columns[] = {
	{"id", "bigint"},
	{"url", "text"},
	{"name", "text"},
	{"time_zone", "text"},
	{"intervals", "jsonb"},
	{"created_at", "timestamptz"},
	{"updated_at", "timestamptz"},
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
		.lookup_batch = 100,
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
		.lookup_batch = 100,
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
		.lookup_batch = 100,
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
	/*
	 * A ticket's metrics, as the metric_sets sideload of the tickets cursor
	 * export: a full read costs the export requests of the tickets and
	 * holds archived tickets, which GET /ticket_metrics leaves out (and it
	 * is ordered by creation, so it cannot be read incrementally).  Each
	 * record is returned once: a ticket seen twice in a long scan is
	 * skipped by its metric set's id.
	 */
	{
		.name = "ticket_metrics",
		.export_path = "/api/v2/incremental/tickets/cursor.json",
		.result_key = "tickets",
		.stream = ZD_STREAM_CURSOR,
		.stream_time_key = "generated_timestamp",
		.stream_time_form = ZD_TIME_EPOCH,
		.has_deleted = true,
		.has_support_type_scope = true,
		.columns = ticket_metric_columns,
		.count_path = "/api/v2/tickets/count.json",
		/* ticket_id = n: GET /tickets/n/metrics; IN: show_many with the sideload */
		.lookup_path = "/api/v2/tickets",
		.lookup_key = "ticket_metric",
		.lookup_batch = 100,
		.lookup_id_key = "ticket_id",
		.lookup_one_suffix = "/metrics",
		.lookup_many_query = "&include=metric_sets",
		.sideload_include = "metric_sets",
		.sideload_key = "metric_sets",
		.sideload_member = "metric_set",
	},
	/*
	 * The standard lists: read whole on every scan (a listing is the only
	 * way Zendesk tells what a list holds, and that something left it).
	 * Their stream time is updated_at, which a mirror keeps the newest
	 * version by.
	 */
	{
		.name = "groups",
		.result_key = "groups",
		.stream = ZD_STREAM_LIST,
		.stream_time_key = "updated_at",
		.stream_time_form = ZD_TIME_ISO8601,
		.columns = group_columns,
		/* deleted groups too, flagged "deleted" (sim/README.md §12.3) */
		.list_path = "/api/v2/groups.json?exclude_deleted=false",
		.list_paged = true,

		/*
		 * No id lookup: whether the show endpoint still finds a deleted
		 * group the listing shows is not documented (switch
		 * deleted_group_show), and an account's groups are a page or two.
		 */
		.typical_rows = 20,
	},
	{
		.name = "group_memberships",
		.result_key = "group_memberships",
		.stream = ZD_STREAM_LIST,
		.stream_time_key = "updated_at",
		.stream_time_form = ZD_TIME_ISO8601,
		.columns = group_membership_columns,
		.lookup_path = "/api/v2/group_memberships",
		.lookup_key = "group_membership",
		.lookup_batch = 1,
		.list_path = "/api/v2/group_memberships.json",
		.list_paged = true,
		.filters = {{"group_id", "/api/v2/groups/%lld/memberships.json"},
					{"user_id", "/api/v2/users/%lld/group_memberships.json"}},
		.typical_rows = 200,
	},
	{
		.name = "organization_memberships",
		.result_key = "organization_memberships",
		.stream = ZD_STREAM_LIST,
		.stream_time_key = "updated_at",
		.stream_time_form = ZD_TIME_ISO8601,
		.columns = organization_membership_columns,
		.lookup_path = "/api/v2/organization_memberships",
		.lookup_key = "organization_membership",
		.lookup_batch = 1,
		.list_path = "/api/v2/organization_memberships.json",
		.list_paged = true,
		.filters = {{"organization_id", "/api/v2/organizations/%lld/organization_memberships.json"},
					{"user_id", "/api/v2/users/%lld/organization_memberships.json"}},
		.typical_rows = 1000,
	},
	{
		.name = "brands",
		.result_key = "brands",
		.stream = ZD_STREAM_LIST,
		.stream_time_key = "updated_at",
		.stream_time_form = ZD_TIME_ISO8601,
		.columns = brand_columns,
		.lookup_path = "/api/v2/brands",
		.lookup_key = "brand",
		.lookup_batch = 1,
		.list_path = "/api/v2/brands.json",
		.list_paged = true,
		.typical_rows = 3,
	},
	{
		.name = "ticket_forms",
		.result_key = "ticket_forms",
		.stream = ZD_STREAM_LIST,
		.stream_time_key = "updated_at",
		.stream_time_form = ZD_TIME_ISO8601,
		.columns = ticket_form_columns,
		.lookup_path = "/api/v2/ticket_forms",
		.lookup_key = "ticket_form",
		.lookup_batch = 100,	/* ticket_forms/show_many */
		.list_path = "/api/v2/ticket_forms.json",
		.plan_feature = "ticket forms (Enterprise plans, or the add-on)",
		.typical_rows = 10,
	},
	{
		.name = "custom_statuses",
		.result_key = "custom_statuses",
		.stream = ZD_STREAM_LIST,
		.stream_time_key = "updated_at",
		.stream_time_form = ZD_TIME_ISO8601,
		.columns = custom_status_columns,
		.lookup_path = "/api/v2/custom_statuses",
		.lookup_key = "custom_status",
		.lookup_batch = 1,
		.list_path = "/api/v2/custom_statuses.json",
		.typical_rows = 10,
	},
	{
		.name = "sla_policies",
		.result_key = "sla_policies",
		.stream = ZD_STREAM_LIST,
		.stream_time_key = "updated_at",
		.stream_time_form = ZD_TIME_ISO8601,
		.columns = sla_policy_columns,
		.lookup_path = "/api/v2/slas/policies",
		.lookup_key = "sla_policy",
		.lookup_batch = 1,
		.list_path = "/api/v2/slas/policies.json",
		.plan_feature = "SLA policies (Professional plans and above)",
		.typical_rows = 10,
	},
	{
		.name = "schedules",
		.result_key = "schedules",
		.stream = ZD_STREAM_LIST,
		.stream_time_key = "updated_at",
		.stream_time_form = ZD_TIME_ISO8601,
		.columns = schedule_columns,
		.lookup_path = "/api/v2/business_hours/schedules",
		.lookup_key = "schedule",
		.lookup_batch = 1,
		.list_path = "/api/v2/business_hours/schedules.json",
		.plan_feature = "business-hours schedules (not on the lowest plans)",
		.typical_rows = 3,
	},
	/*
	 * A ticket's audits, read ticket by ticket only (ticket_id = n, IN, a
	 * join): the account-wide /ticket_audits skips records when followed
	 * and leaves out archived tickets, Zendesk says, so it has no list_path.
	 * The per-ticket list serves archived tickets (in one answer).
	 */
	{
		.name = "ticket_audits",
		.result_key = "audits",
		.stream = ZD_STREAM_LIST,
		.stream_time_key = "created_at",
		.stream_time_form = ZD_TIME_ISO8601,
		.columns = ticket_audit_columns,
		.list_paged = true,
		.filters = {{"ticket_id", "/api/v2/tickets/%lld/audits.json"}},
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
	static char names[512];

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

/*
 * zd_resource_filter
 *		The filtered listing "key = n" of a standard list, or NULL.
 */
const ZdListFilter *
zd_resource_filter(const ZdResource *resource, const char *key)
{
	for (size_t i = 0; i < sizeof(resource->filters) / sizeof(resource->filters[0]); i++)
		if (resource->filters[i].key != NULL && strcmp(resource->filters[i].key, key) == 0)
			return &resource->filters[i];
	return NULL;
}

/*
 * zd_resource_list_path
 *		The path a listing of a standard list starts with: the whole list,
 *		or with filter the listing "filter->key = value".  False when buf is
 *		too small or the resource is not a list.
 */
bool
zd_resource_list_path(const ZdResource *resource, const ZdListFilter *filter,
					  long long value, char *buf, size_t len)
{
	int			n;

	if (resource->stream != ZD_STREAM_LIST)
		return false;
	if (filter == NULL)
		n = snprintf(buf, len, "%s", resource->list_path);
	else
		n = snprintf(buf, len, filter->path_format, value);
	return n >= 0 && (size_t) n < len;
}
