/*-------------------------------------------------------------------------
 *
 * zd_fields.h
 *		  Custom field definitions (ticket, user and organization fields), as
 *		  zd_parse.c reads them from Zendesk's field lists.
 *
 * Kept apart from zd_parse.h so that files which cannot include jansson
 * (those that include utils/builtins.h) can use them.  No PostgreSQL header.
 *
 * IDENTIFICATION
 *		  src/client/zd_fields.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_FIELDS_H
#define ZD_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A custom field definition (ticket, user or organization field). */
typedef struct ZdFieldDef
{
	long long	id;
	char	   *key;			/* user and organization fields; may be NULL */
	char	   *type;
	char	   *title;
	bool		active;
	bool		system;			/* a system ticket field (subject, status, ...) */
	bool		has_created_at;
	int64_t		created_at;		/* epoch seconds: no record has a value before */
	size_t		noptions;		/* custom_field_options (drop-downs, multiselect) */
	uint64_t	options_hash;	/* FNV-1a of the options' values, in order */
} ZdFieldDef;

typedef struct ZdFieldList
{
	ZdFieldDef *fields;
	size_t		nfields;
	char	   *next_url;		/* the next page of the list, or NULL */
} ZdFieldList;

extern bool zd_fields_parse(const char *body, size_t len, const char *array_key,
							ZdFieldList *list, char *errbuf, size_t errlen);
extern void zd_fields_free(ZdFieldList *list);

#endif							/* ZD_FIELDS_H */
