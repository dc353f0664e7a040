/*-------------------------------------------------------------------------
 *
 * zd_time.c
 *		  Zendesk's times: ISO 8601 record times, epoch stream times and the
 *		  HTTP Date header.
 *
 * Zendesk writes record times as "2023-09-18T15:57:42Z" (UTC, seconds;
 * sim/README.md §0); an offset or fractional seconds are accepted too.
 * Stream times are the key the export orders by (generated_timestamp,
 * updated_at, timestamp; see the resource catalog).
 *
 * IDENTIFICATION
 *		  src/client/zd_time.c
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "zd_time.h"

/* days from 1970-01-01 to y-m-d (proleptic Gregorian) */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	int64_t		yoe;
	int64_t		doy;
	int64_t		doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return days[m - 1] + (m == 2 && leap);
}

static bool
digits(const char **p, int n, int *value)
{
	*value = 0;
	for (int i = 0; i < n; i++)
	{
		if (!isdigit((unsigned char) (*p)[i]))
			return false;
		*value = *value * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return true;
}

/*
 * zd_time_parse_iso8601
 *		"YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)" to epoch seconds.
 */
bool
zd_time_parse_iso8601(const char *text, int64_t *epoch)
{
	const char *p = text;
	int			y,
				mo,
				d,
				h,
				mi,
				s;
	int			offset = 0;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
		!digits(&p, 2, &d) || (*p != 'T' && *p != ' ') || !(p++, digits(&p, 2, &h)) ||
		*p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' || !digits(&p, 2, &s))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60)
		return false;
	if (*p == '.')
	{
		p++;
		if (!isdigit((unsigned char) *p))
			return false;
		while (isdigit((unsigned char) *p))
			p++;
	}
	if (*p == 'Z')
		p++;
	else if (*p == '+' || *p == '-')
	{
		int			sign = (*p == '-') ? -1 : 1;
		int			oh,
					om;

		p++;
		if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om))
			return false;
		offset = sign * (oh * 3600 + om * 60);
	}
	else
		return false;
	if (*p != '\0')
		return false;
	*epoch = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
	return true;
}

/*
 * zd_time_parse_http_date
 *		An HTTP Date header ("Mon, 23 Nov 2026 19:40:44 GMT") to epoch seconds.
 */
bool
zd_time_parse_http_date(const char *text, int64_t *epoch)
{
	time_t		t = curl_getdate(text, NULL);

	if (t == (time_t) -1)
		return false;
	*epoch = (int64_t) t;
	return true;
}

/*
 * zd_record_stream_time
 *		The record's position in its export stream.
 */
bool
zd_record_stream_time(const ZdResource *resource, json_t *record, int64_t *epoch)
{
	json_t	   *value = json_object_get(record, resource->stream_time_key);

	if (resource->stream_time_form == ZD_TIME_EPOCH)
	{
		if (!json_is_integer(value))
			return false;
		*epoch = json_integer_value(value);
		return true;
	}
	return json_is_string(value) && zd_time_parse_iso8601(json_string_value(value), epoch);
}

/*
 * zd_record_id
 *		The record's "id".
 */
bool
zd_record_id(json_t *record, int64_t *id)
{
	json_t	   *value = json_object_get(record, "id");

	if (!json_is_integer(value))
		return false;
	*id = json_integer_value(value);
	return true;
}
