/*-------------------------------------------------------------------------
 *
 * zd_list.c
 *		  The pagination state machine of Zendesk's standard list endpoints.
 *
 * See zd_list.h.  The machine decides requests only; the caller makes them
 * (zd_http.c), parses each answer with zd_list_page_parse and hands the
 * page to zd_list_advance before it returns the page's records.
 *
 * IDENTIFICATION
 *		  src/client/zd_list.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zd_list.h"
#include "zd_time.h"
#include "zd_url.h"

/*
 * zd_list_begin
 *		Set up a listing of path (from the base URL, with any query of its
 *		own, e.g. "/api/v2/groups.json?exclude_deleted=false"); page_size 0
 *		for an endpoint that takes no pagination.  list->next_url is the
 *		first request.
 */
bool
zd_list_begin(ZdList *list, const char *base_url, const char *path,
			  int page_size, char *errbuf, size_t errlen)
{
	size_t		baselen = strlen(base_url);
	size_t		pathlen = strcspn(path, "?");

	memset(list, 0, sizeof(*list));
	for (const char *c = path; *c; c++)
	{
		if (*c <= ' ' || *c > '~' || path[0] != '/')
		{
			snprintf(errbuf, errlen, "the list path must start with / and hold only visible ASCII");
			return false;
		}
	}
	if (page_size < 0 || page_size > ZD_LIST_MAX_PAGE_SIZE)
	{
		snprintf(errbuf, errlen, "page size %d is outside 1..%d", page_size,
				 ZD_LIST_MAX_PAGE_SIZE);
		return false;
	}
	while (baselen > 0 && base_url[baselen - 1] == '/')
		baselen--;
	snprintf(list->endpoint, sizeof(list->endpoint), "%.*s", (int) pathlen, path);
	list->base_url = strndup(base_url, baselen);
	list->first_url = malloc(baselen + strlen(path) + 32);
	list->pass_ids = zd_idset_create();
	list->returned_ids = zd_idset_create();
	list->first_ids = zd_idset_create();
	if (list->base_url == NULL || list->first_url == NULL ||
		list->pass_ids == NULL || list->returned_ids == NULL || list->first_ids == NULL)
	{
		zd_list_end(list);
		snprintf(errbuf, errlen, "out of memory");
		return false;
	}
	if (page_size > 0)
		sprintf(list->first_url, "%s%s%cpage%%5Bsize%%5D=%d", list->base_url, path,
				path[pathlen] == '?' ? '&' : '?', page_size);
	else
		sprintf(list->first_url, "%s%s", list->base_url, path);
	if (!zd_url_on_base(list->base_url, list->first_url))
	{
		snprintf(errbuf, errlen, "%.200s is not on the server's base URL", list->first_url);
		zd_list_end(list);
		return false;
	}
	list->next_url = strdup(list->first_url);
	if (list->next_url == NULL)
	{
		zd_list_end(list);
		snprintf(errbuf, errlen, "out of memory");
		return false;
	}
	return true;
}

/* the first request with page[after]=cursor, malloc'd */
static char *
after_cursor_url(const ZdList *list, const char *cursor)
{
	char	   *url = malloc(strlen(list->first_url) + 3 * strlen(cursor) + 20);
	char	   *p;

	if (url == NULL)
		return NULL;
	p = url + sprintf(url, "%s%cpage%%5Bafter%%5D=", list->first_url,
					  strchr(list->first_url, '?') ? '&' : '?');
	zd_url_encode(p, cursor);
	return url;
}

/*
 * check_ids
 *		Every record has an integer id, and none repeats within this pass
 *		over the list: a repeat means the listing is not moving forward (or
 *		Zendesk pages by offset underneath), and a listing a mirror deletes
 *		by cannot be trusted then.
 */
static bool
check_ids(ZdList *list, const ZdPage *page, char *errbuf, size_t errlen)
{
	for (size_t i = 0; i < page->nrecords; i++)
	{
		int64_t		id;

		if (!zd_record_id(json_array_get(page->records, i), &id))
		{
			snprintf(errbuf, errlen, "record %zu of page %ld of %s has no integer \"id\"",
					 i, list->pages, list->endpoint);
			return false;
		}
		if (zd_idset_contains(list->pass_ids, id))
		{
			snprintf(errbuf, errlen,
					 "page %ld of %s repeats record %lld of an earlier page of the same listing",
					 list->pages, list->endpoint, (long long) id);
			return false;
		}
		if (!zd_idset_add(list->pass_ids, id))
		{
			snprintf(errbuf, errlen, "out of memory");
			return false;
		}
	}
	return true;
}

static bool
finish(ZdList *list)
{
	free(list->next_url);
	list->next_url = NULL;
	list->finished = true;
	return true;
}

static bool advance_to_next(ZdList *list, const ZdPage *page, const char *requested,
							char *errbuf, size_t errlen);

/*
 * is_first_page_again
 *		Is this answer to a page[after] request the listing's first page
 *		again (a Zendesk ignoring a cursor it no longer takes)?  It holds a
 *		record of the last first page, and does not start with the last
 *		record of the page before (which a page repeating one record does:
 *		that is an error, found by check_ids).
 */
static bool
is_first_page_again(const ZdList *list, const ZdPage *page)
{
	int64_t		id;

	if (page->nrecords == 0 || !zd_record_id(json_array_get(page->records, 0), &id) ||
		(list->have_last_id && id == list->last_id))
		return false;
	for (size_t i = 0; i < page->nrecords; i++)
		if (zd_record_id(json_array_get(page->records, i), &id) &&
			zd_idset_contains(list->first_ids, id))
			return true;
	return false;
}

/* Remember the ids of a first page, for is_first_page_again. */
static bool
note_first_page(ZdList *list, const ZdPage *page)
{
	ZdIdSet    *ids = zd_idset_create();
	int64_t		id;

	if (ids == NULL)
		return false;
	for (size_t i = 0; i < page->nrecords; i++)
		if (zd_record_id(json_array_get(page->records, i), &id) && !zd_idset_add(ids, id))
		{
			zd_idset_destroy(ids);
			return false;
		}
	zd_idset_destroy(list->first_ids);
	list->first_ids = ids;
	return true;
}

/*
 * zd_list_advance
 *		Take in a parsed page: check it, then decide the next request or
 *		the end.
 */
bool
zd_list_advance(ZdList *list, const ZdPage *page, char *errbuf, size_t errlen)
{
	char	   *requested = NULL;
	bool		first = strcmp(list->next_url, list->first_url) == 0;
	bool		ok;

	list->pages++;
	if (!first && is_first_page_again(list, page))
	{
		/* a restart, by Zendesk: the cursor asked with must not come back */
		requested = strdup(list->next_url);
		if (requested == NULL || !zd_list_restart(list, errbuf, errlen))
		{
			if (requested == NULL)
				snprintf(errbuf, errlen, "out of memory");
			free(requested);
			return false;
		}
		first = true;
	}
	ok = check_ids(list, page, errbuf, errlen);
	if (ok && first && !note_first_page(list, page))
	{
		snprintf(errbuf, errlen, "out of memory");
		ok = false;
	}
	if (ok)
	{
		list->have_last_id = page->nrecords > 0 &&
			zd_record_id(json_array_get(page->records, page->nrecords - 1), &list->last_id);
		ok = advance_to_next(list, page, requested, errbuf, errlen);
	}
	free(requested);
	return ok;
}

/*
 * advance_to_next
 *		After a page's ids are checked: the next request, or the end.
 *		requested: the page[after] request Zendesk answered with the first
 *		page, which the next request must not be again (or NULL).
 */
static bool
advance_to_next(ZdList *list, const ZdPage *page, const char *requested,
				char *errbuf, size_t errlen)
{
	char	   *next;

	if (!page->cursor_paged)
	{
		if (page->offset_next != NULL)
		{
			snprintf(errbuf, errlen,
					 "%s answered with offset pagination (next_page), which skips records deleted while a listing pages and stops at page 100; zendesk_fdw lists only by cursor",
					 list->endpoint);
			return false;
		}
		return finish(list);	/* the whole list in one answer */
	}
	if (!page->has_more)
		return finish(list);

	if (page->after_cursor != NULL && list->last_cursor != NULL &&
		strcmp(page->after_cursor, list->last_cursor) == 0)
	{
		snprintf(errbuf, errlen,
				 "the cursor of %s stopped advancing: page %ld has the after_cursor of the page before it",
				 list->endpoint, list->pages);
		return false;
	}
	if (page->next_url != NULL)
	{
		if (!zd_url_on_base(list->base_url, page->next_url))
		{
			snprintf(errbuf, errlen,
					 "the next page of %s is on another host or path than the server's base URL: %.200s",
					 list->endpoint, page->next_url);
			return false;
		}
		next = strdup(page->next_url);
	}
	else if (page->after_cursor != NULL)
		next = after_cursor_url(list, page->after_cursor);
	else
	{
		snprintf(errbuf, errlen,
				 "page %ld of %s has meta.has_more true but neither links.next nor meta.after_cursor",
				 list->pages, list->endpoint);
		return false;
	}
	if (next == NULL)
	{
		snprintf(errbuf, errlen, "out of memory");
		return false;
	}
	if (strcmp(next, list->next_url) == 0)
	{
		free(next);
		snprintf(errbuf, errlen,
				 "the cursor of %s stopped advancing: the next page is the page just read",
				 list->endpoint);
		return false;
	}
	if (requested != NULL && strcmp(next, requested) == 0)
	{
		free(next);
		snprintf(errbuf, errlen,
				 "%s answers its cursor with the first page again: the listing cannot go on",
				 list->endpoint);
		return false;
	}
	if (page->after_cursor != NULL)
	{
		char	   *cursor = strdup(page->after_cursor);

		if (cursor == NULL)
		{
			free(next);
			snprintf(errbuf, errlen, "out of memory");
			return false;
		}
		free(list->last_cursor);
		list->last_cursor = cursor;
	}
	free(list->next_url);
	list->next_url = next;
	return true;
}

/*
 * zd_list_restart
 *		After an expired or invalid cursor (a 400, or the first page served
 *		again for it, which zd_list_advance finds itself): list again from
 *		the first page.  The ids the consumer took stay taken (zd_list_take
 *		skips them).
 */
bool
zd_list_restart(ZdList *list, char *errbuf, size_t errlen)
{
	ZdIdSet    *fresh;
	char	   *first;

	if (list->restarts >= ZD_LIST_MAX_RESTARTS)
	{
		snprintf(errbuf, errlen,
				 "the cursor of %s was refused %d times; the listing was restarted %d times and gives up",
				 list->endpoint, list->restarts + 1, list->restarts);
		return false;
	}
	fresh = zd_idset_create();
	first = strdup(list->first_url);
	if (fresh == NULL || first == NULL)
	{
		zd_idset_destroy(fresh);
		free(first);
		snprintf(errbuf, errlen, "out of memory");
		return false;
	}
	zd_idset_destroy(list->pass_ids);
	list->pass_ids = fresh;
	free(list->next_url);
	list->next_url = first;
	free(list->last_cursor);
	list->last_cursor = NULL;
	list->have_last_id = false;
	list->finished = false;
	list->restarts++;
	return true;
}

/*
 * zd_list_take
 *		The consumer returns record id: 1 if it had not before, 0 if it had
 *		(a restarted listing's repeat, to be skipped), -1 out of memory.
 */
int
zd_list_take(ZdList *list, int64_t id)
{
	if (zd_idset_contains(list->returned_ids, id))
		return 0;
	return zd_idset_add(list->returned_ids, id) ? 1 : -1;
}

void
zd_list_end(ZdList *list)
{
	free(list->base_url);
	free(list->first_url);
	free(list->next_url);
	free(list->last_cursor);
	zd_idset_destroy(list->pass_ids);
	zd_idset_destroy(list->returned_ids);
	zd_idset_destroy(list->first_ids);
	memset(list, 0, sizeof(*list));
}
