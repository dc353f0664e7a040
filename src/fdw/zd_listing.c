/*-------------------------------------------------------------------------
 *
 * zd_listing.c
 *		  One page of a standard list through the backend's connection.
 *
 * See zd_listing.h.  The machine's state (ZdList) and the page's jansson
 * tree are malloc'd: the caller frees them (zd_list_end, zd_page_free) from
 * a reset callback of its own context, so an error anywhere leaks nothing.
 * A page this file refuses is freed here before the error is raised.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_listing.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "zd_listing.h"
#include "zd_conn.h"
#include "client/zd_time.h"

/*
 * zd_listing_path
 *		The first request's path of the whole list, or of the listing
 *		filtered by filter->key = value (palloc'd).
 */
char *
zd_listing_path(const ZdResource *resource, const ZdListFilter *filter, int64 value)
{
	char		buf[256];

	if (filter == NULL && resource->list_path == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can be read only by %s", resource->name, resource->filters[0].key)));
	if (filter == NULL)
		return pstrdup(resource->list_path);
	if (!zd_resource_list_path(resource, filter, (long long) value, buf, sizeof(buf)))
		elog(ERROR, "zendesk_fdw: no listing of %s by %s", resource->name, filter->key);
	return pstrdup(buf);
}

/*
 * zd_listing_page_size
 *		page[size] of a listing asked with per_page (0: none asked): at most
 *		Zendesk's 100; 0 for a list that takes no pagination.
 */
int
zd_listing_page_size(const ZdResource *resource, int per_page)
{
	if (!resource->list_paged)
		return 0;
	return (per_page > 0 && per_page < ZD_LIST_MAX_PAGE_SIZE) ? per_page : ZD_LIST_MAX_PAGE_SIZE;
}

/*
 * zd_listing_begin
 *		Set up list for the whole list (filter NULL) or a filtered listing;
 *		page_size 0 takes the largest page Zendesk gives.
 */
void
zd_listing_begin(ZdList *list, const ZdOptions *options, const ZdListFilter *filter,
				 int64 value, int page_size)
{
	const ZdResource *resource = options->resource;
	char	   *path = zd_listing_path(resource, filter, value);
	char		err[256];

	if (!zd_list_begin(list, options->base_url, path,
					   zd_listing_page_size(resource, page_size), err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not start the Zendesk listing %s: %s", path, err)));
	pfree(path);
}

/*
 * zd_listing_is_plan_gate
 *		Is this the answer of an account whose plan lacks the resource: 403,
 *		or 404 InvalidEndpoint, from a resource that some plans lack?
 */
bool
zd_listing_is_plan_gate(const ZdResource *resource, const ZdHttpResponse *response)
{
	if (resource->plan_feature == NULL)
		return false;
	return response->status == 403 ||
		(response->status == 404 &&
		 zd_error_has_code(response->body, response->body_len, "InvalidEndpoint"));
}

/*
 * zd_listing_plan_notice
 *		Say that the table reads as empty because the plan lacks it: a 404
 *		InvalidEndpoint says so; a 403 may also be the role of the user
 *		mapping's Zendesk user (SLA policies and schedules are for admins).
 */
void
zd_listing_plan_notice(const ZdOptions *options, const char *path, long status)
{
	if (status == 403)
		ereport(NOTICE,
				(errmsg("Zendesk server \"%s\" refuses %s: the account's plan lacks %s, or its user may not read them",
						options->server_name, options->resource->name,
						options->resource->plan_feature),
				 errdetail("GET %s answered 403: a scan of it reads no row, a mirror of it stays as it is.", path),
				 errhint("If the plan includes them, give the user mapping an admin's credentials.")));
	else
		ereport(NOTICE,
				(errmsg("Zendesk server \"%s\" offers no %s: the account's plan lacks %s",
						options->server_name, options->resource->name,
						options->resource->plan_feature),
				 errdetail("GET %s answered %ld InvalidEndpoint: a scan of it reads no row, a mirror of it stays as it is.",
						   path, status)));
}

static void
refuse_page(ZdPage *page, const ZdOptions *options, const char *err, const char *path)
{
	zd_page_free(page);
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_STRING_FORMAT),
			 errmsg("invalid page from Zendesk server \"%s\"", options->server_name),
			 errdetail("%s (GET %s).", err, path)));
}

/*
 * zd_listing_fetch
 *		Request the list's next page into page (the machine must not be
 *		finished).  On ZD_LISTING_PAGE the page is the caller's to free; on
 *		the other answers the listing is finished with no record.  filtered:
 *		list is a filtered listing, whose 404 means "no such parent".
 */
ZdListingAnswer
zd_listing_fetch(ZdConn *conn, const ZdOptions *options, ZdList *list, bool filtered,
				 ZdPage *page)
{
	static const long accepted[] = {400, 403, 404, 0};
	const ZdResource *resource = options->resource;
	ZdHttpResponse response;
	char		err[512];
	char	   *url;
	const char *path;
	bool		first;
	int			restarts;

	Assert(!list->finished && list->next_url != NULL);
	memset(page, 0, sizeof(*page));
	for (;;)
	{
		first = strcmp(list->next_url, list->first_url) == 0;
		CHECK_FOR_INTERRUPTS();
		url = pstrdup(list->next_url);
		zd_conn_get_accepting(conn, options, &url, ZD_REQ_STANDARD, accepted, &response);
		path = zd_url_path(url);
		if (response.status == 400 && !first &&
			zd_error_is_invalid_list_cursor(response.body, response.body_len))
		{
			if (!zd_list_restart(list, err, sizeof(err)))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_ERROR),
						 errmsg("cannot continue the Zendesk listing of server \"%s\"",
								options->server_name),
						 errdetail("%s (GET %s).", err, path)));
			ereport(DEBUG1,
					(errmsg_internal("zendesk_fdw: %s refused its cursor; listing again from the first page (restart %d)",
									 list->endpoint, list->restarts)));
			pfree(url);
			continue;
		}
		break;
	}
	/*
	 * Only the listing's very first answer tells that the list is not there:
	 * a 403 or 404 after pages were read (also after a restart, which asks
	 * for the first page again) is an error.  A filtered listing's parent is
	 * missing only when Zendesk says RecordNotFound (not a proxy's 404).
	 */
	first = first && list->pages == 0 && list->restarts == 0;
	if (first && zd_listing_is_plan_gate(resource, &response))
	{
		zd_listing_plan_notice(options, path, response.status);
		list->finished = true;
		return ZD_LISTING_NOT_ON_PLAN;
	}
	if (first && response.status == 404 && filtered &&
		zd_error_has_code(response.body, response.body_len, "RecordNotFound"))
	{
		list->finished = true;
		return ZD_LISTING_NO_PARENT;
	}
	if (response.status != 200)
		zd_conn_report_status(conn, options, "GET", url, &response);

	if (!zd_list_page_parse(response.body, response.body_len, resource->result_key,
							page, err, sizeof(err)))
		refuse_page(page, options, err, path);
	for (size_t i = 0; i < page->nrecords; i++)
	{
		int64_t		id;

		if (!zd_record_id(json_array_get(page->records, i), &id))
		{
			snprintf(err, sizeof(err), "element %zu of \"%s\" has no integer \"id\"",
					 i, resource->result_key);
			refuse_page(page, options, err, path);
		}
	}
	restarts = list->restarts;
	if (!zd_list_advance(list, page, err, sizeof(err)))
	{
		zd_page_free(page);
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("cannot continue the Zendesk listing of server \"%s\"",
						options->server_name),
				 errdetail("%s (GET %s).", err, path)));
	}
	if (list->restarts > restarts)
		ereport(DEBUG1,
				(errmsg_internal("zendesk_fdw: %s answered its cursor with the first page; listing again (restart %d)",
								 list->endpoint, list->restarts)));
	return ZD_LISTING_PAGE;
}
