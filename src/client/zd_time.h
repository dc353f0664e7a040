/*-------------------------------------------------------------------------
 *
 * zd_time.h
 *		  Zendesk's times: ISO 8601 record times, epoch stream times and the
 *		  HTTP Date header (Zendesk's clock).
 *
 * No PostgreSQL header.
 *
 * IDENTIFICATION
 *		  src/client/zd_time.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_TIME_H
#define ZD_TIME_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "zd_resources.h"

extern bool zd_time_parse_iso8601(const char *text, int64_t *epoch);
extern bool zd_time_parse_http_date(const char *text, int64_t *epoch);
extern bool zd_record_stream_time(const ZdResource *resource, json_t *record,
								  int64_t *epoch);
extern bool zd_record_id(json_t *record, int64_t *id);

#endif							/* ZD_TIME_H */
