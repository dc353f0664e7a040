/*-------------------------------------------------------------------------
 *
 * zd_parse.h
 *		  Parsing of Zendesk response bodies: export pages, lookups, counts,
 *		  error bodies (OAuth token answers: zd_oauth.c).
 *
 * No PostgreSQL header here.  A parsed page owns its jansson tree, built in
 * an arena of its own (zd_json_arena.h: the tree is read, never changed or
 * freed piece by piece); the caller frees it with zd_page_free on every path
 * (the backend does it from a memory-context reset callback).
 *
 * IDENTIFICATION
 *		  src/client/zd_parse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_PARSE_H
#define ZD_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "zd_fields.h"
#include "zd_json_arena.h"
#include "zd_resources.h"

typedef struct ZdPage
{
	json_t	   *root;			/* owned */
	json_t	   *records;		/* borrowed from root: the result array */
	size_t		nrecords;
	bool		end_of_stream;
	const char *next_url;		/* after_url or next_page; borrowed, may be NULL */
	const char *after_cursor;	/* cursor pages only; borrowed, may be NULL */
	long long	end_time;		/* time pages only, else -1 */
	json_t	   *owned_records;	/* a lookup's one-record array; owned */
	/* list pages (zd_list_page_parse) */
	bool		cursor_paged;	/* has meta: a cursor page */
	bool		has_more;		/* meta.has_more */
	const char *offset_next;	/* next_page of an offset page; borrowed, may be NULL */
	ZdJsonArena *arena;			/* holds root's tree; NULL: root is malloc'd */
} ZdPage;

extern bool zd_page_parse(const char *body, size_t len, const char *result_key,
						  ZdStreamKind kind, ZdPage *page,
						  char *errbuf, size_t errlen);
extern bool zd_list_page_parse(const char *body, size_t len, const char *result_key,
							   ZdPage *page, char *errbuf, size_t errlen);
extern bool zd_lookup_parse(const char *body, size_t len, const char *key,
							bool single, ZdPage *page,
							char *errbuf, size_t errlen);
extern void zd_page_free(ZdPage *page);
extern bool zd_page_take_sideload(ZdPage *page, const char *key, const char *member,
								  char *errbuf, size_t errlen);
extern bool zd_count_parse(const char *body, size_t len, long long *count,
						   char *errbuf, size_t errlen);


extern void zd_error_text(const char *body, size_t len,
						  char *buf, size_t buflen);
extern bool zd_error_is_invalid_token(const char *body, size_t len);
extern bool zd_error_has_code(const char *body, size_t len, const char *code);
extern bool zd_error_is_invalid_cursor(const char *body, size_t len);
extern bool zd_error_is_invalid_list_cursor(const char *body, size_t len);
extern bool zd_error_is_start_time_too_recent(long status, const char *body,
											  size_t len);


#endif							/* ZD_PARSE_H */
