/*-------------------------------------------------------------------------
 *
 * zd_resources.c
 *		  The static catalog of Zendesk resources the FDW can read.
 *
 * IDENTIFICATION
 *		  src/zd_resources.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "zd_resources.h"

static const ZdResource resources[] = {
	{
		.name = "tickets",
		.export_path = "/api/v2/incremental/tickets/cursor.json",
		.result_key = "tickets",
		.stream = ZD_STREAM_CURSOR,
		.has_deleted = true,
		.has_support_type_scope = true,
	},
};

/*
 * zd_resource_lookup
 *		The catalog entry of a resource, or NULL when there is none.
 */
const ZdResource *
zd_resource_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		if (strcmp(resources[i].name, name) == 0)
			return &resources[i];
	return NULL;
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
		for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		{
			if (i > 0)
				strcat(names, ", ");
			strcat(names, resources[i].name);
		}
	}
	return names;
}
