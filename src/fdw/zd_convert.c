/*-------------------------------------------------------------------------
 *
 * zd_convert.c
 *		  JSON records to PostgreSQL datums.
 *
 * This is the one file that sees both a jansson tree and PostgreSQL types.
 * A column is filled from the record key of its name (or of its "field"
 * option); a jsonb column named "raw" holds the whole record.  Values keep
 * their exact text:
 *
 *	- JSON reals are written back in the shortest form that reads back as
 *	  the same double (jansson parsed 19.99 into a double; "%.17g" would print
 *	  19.989999999999998), so numeric and jsonb see 19.99;
 *	- integers go through as integers (jansson reads 64-bit integers);
 *	- strings are converted from UTF-8 to the database encoding;
 *	- the NUL character (\u0000), which neither text nor jsonb can hold, is
 *	  replaced by U+FFFD REPLACEMENT CHARACTER, in text and in jsonb alike;
 *	- an epoch integer (generated_timestamp) fills a timestamptz column.
 *
 * A jsonb value (raw, or a jsonb column) is built from the jansson tree
 * directly, with pushJsonbValue, not by writing the JSON text and parsing it
 * again with jsonb_in; it is the same jsonb, byte for byte: the same strings
 * (the rules above, checked as valid in the server encoding), numbers
 * through numeric_in of the text above (integers through int64_to_numeric,
 * which gives the same numeric), keys sorted and unique by pushJsonbValue.
 *
 * A value that does not fit its column is an error naming the record id and
 * the column (an error context callback), never a silent NULL.  A scan's
 * converter fills only the columns its query reads (the others stay NULL
 * and are never looked at); the sync's fills them all.
 *
 * utils/builtins.h must not be included here: see zd_convert.h.
 *
 * IDENTIFICATION
 *		  src/fdw/zd_convert.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "zd_convert.h"
#include "client/zd_resources.h"

struct ZdConverter
{
	int			ncolumns;	/* live columns */
	ZdColumn   *columns;
	int			natts;
	StringInfoData buf;
	FmgrInfo	numeric_in;		/* for the reals of jsonb values */
	/* for the error context */
	ZdColumn   *current;
	json_t	   *record;
};

static void append_json(StringInfo buf, json_t *value);

/*
 * zd_converter_create
 *		A converter for the records of one scan of rel: every column.
 */
ZdConverter *
zd_converter_create(Relation rel, const ZdResource *resource)
{
	ZdConverter *conv = palloc0(sizeof(ZdConverter));

	conv->columns = zd_columns_plan(rel, resource, &conv->ncolumns);
	conv->natts = RelationGetDescr(rel)->natts;
	initStringInfo(&conv->buf);
	fmgr_info(F_NUMERIC_IN, &conv->numeric_in);
	return conv;
}

/*
 * zd_converter_create_projected
 *		A converter that fills only the columns of attnums (an integer List)
 *		and leaves the others NULL: what a query reads.
 */
ZdConverter *
zd_converter_create_projected(Relation rel, const ZdResource *resource, List *attnums)
{
	ZdConverter *conv = zd_converter_create(rel, resource);
	int			kept = 0;

	for (int c = 0; c < conv->ncolumns; c++)
		if (list_member_int(attnums, conv->columns[c].index + 1))
			conv->columns[kept++] = conv->columns[c];
	conv->ncolumns = kept;
	return conv;
}

/* Shortest "%.*g" that reads back as the same double. */
static void
append_real(StringInfo buf, double d)
{
	char		text[64];

	for (int precision = 1; precision <= DBL_DECIMAL_DIG; precision++)
	{
		snprintf(text, sizeof(text), "%.*g", precision, d);
		if (strtod(text, NULL) == d)
			break;
	}
	appendStringInfoString(buf, text);
}

/* A UTF-8 string with NULs replaced by U+FFFD, as-is otherwise. */
static void
append_string_bytes(StringInfo buf, const char *s, size_t len)
{
	const char *start = s;

	for (size_t i = 0; i < len; i++)
	{
		if (s[i] == '\0')
		{
			appendBinaryStringInfo(buf, start, (s + i) - start);
			appendStringInfoString(buf, "\xEF\xBF\xBD");
			start = s + i + 1;
		}
	}
	appendBinaryStringInfo(buf, start, (s + len) - start);
}

static void
append_json_string(StringInfo buf, const char *s, size_t len)
{
	const char *start = s;

	appendStringInfoChar(buf, '"');
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		appendBinaryStringInfo(buf, start, (s + i) - start);
		start = s + i + 1;
		switch (c)
		{
			case '"':
				appendStringInfoString(buf, "\\\"");
				break;
			case '\\':
				appendStringInfoString(buf, "\\\\");
				break;
			case '\n':
				appendStringInfoString(buf, "\\n");
				break;
			case '\r':
				appendStringInfoString(buf, "\\r");
				break;
			case '\t':
				appendStringInfoString(buf, "\\t");
				break;
			case '\0':
				appendStringInfoString(buf, "\\ufffd");
				break;
			default:
				appendStringInfo(buf, "\\u%04x", c);
		}
	}
	appendBinaryStringInfo(buf, start, (s + len) - start);
	appendStringInfoChar(buf, '"');
}

/* The exact JSON text of a value (UTF-8). */
static void
append_json(StringInfo buf, json_t *value)
{
	switch (json_typeof(value))
	{
		case JSON_OBJECT:
			{
				const char *key;
				json_t	   *member;
				bool		first = true;

				appendStringInfoChar(buf, '{');
				json_object_foreach(value, key, member)
				{
					if (!first)
						appendStringInfoChar(buf, ',');
					first = false;
					append_json_string(buf, key, strlen(key));
					appendStringInfoChar(buf, ':');
					append_json(buf, member);
				}
				appendStringInfoChar(buf, '}');
			}
			break;
		case JSON_ARRAY:
			appendStringInfoChar(buf, '[');
			for (size_t i = 0; i < json_array_size(value); i++)
			{
				if (i > 0)
					appendStringInfoChar(buf, ',');
				append_json(buf, json_array_get(value, i));
			}
			appendStringInfoChar(buf, ']');
			break;
		case JSON_STRING:
			append_json_string(buf, json_string_value(value), json_string_length(value));
			break;
		case JSON_INTEGER:
			appendStringInfo(buf, "%lld", (long long) json_integer_value(value));
			break;
		case JSON_REAL:
			append_real(buf, json_real_value(value));
			break;
		case JSON_TRUE:
			appendStringInfoString(buf, "true");
			break;
		case JSON_FALSE:
			appendStringInfoString(buf, "false");
			break;
		case JSON_NULL:
			appendStringInfoString(buf, "null");
			break;
	}
}

static const char *
json_kind_name(json_t *value)
{
	switch (json_typeof(value))
	{
		case JSON_OBJECT:
			return "an object";
		case JSON_ARRAY:
			return "an array";
		case JSON_STRING:
			return "a string";
		case JSON_INTEGER:
		case JSON_REAL:
			return "a number";
		case JSON_TRUE:
		case JSON_FALSE:
			return "a boolean";
		case JSON_NULL:
			return "null";
	}
	return "a value";
}

/* The value as JSON text, cut to about 200 bytes, for error messages. */
static char *
value_excerpt(json_t *value)
{
	StringInfoData buf;
	int			len;

	initStringInfo(&buf);
	append_json(&buf, value);
	len = pg_encoding_mbcliplen(PG_UTF8, buf.data, buf.len, 200);
	if (len < buf.len)
	{
		buf.data[len] = '\0';
		return psprintf("%s...", pg_any_to_server(buf.data, len, PG_UTF8));
	}
	return pg_any_to_server(buf.data, buf.len, PG_UTF8);
}

static void
report_mismatch(json_t *value, const char *type_name)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("Zendesk value is %s, which does not fit type %s",
					json_kind_name(value), type_name),
			 errdetail("The value is %s.", value_excerpt(value)),
			 errhint("Declare the column as jsonb, or as text to keep its JSON text.")));
}

/* UTF-8 text in buf, in the server encoding, NUL-terminated. */
static char *
buf_in_server_encoding(StringInfo buf)
{
	return pg_any_to_server(buf->data, buf->len, PG_UTF8);
}

/*
 * scalar_text
 *		The text a scalar JSON value gives to a type input function.
 */
static char *
scalar_text(ZdConverter *conv, json_t *value, const char *type_name,
			bool allow_document)
{
	StringInfo	buf = &conv->buf;

	resetStringInfo(buf);
	switch (json_typeof(value))
	{
		case JSON_STRING:
			append_string_bytes(buf, json_string_value(value), json_string_length(value));
			break;
		case JSON_INTEGER:
			appendStringInfo(buf, "%lld", (long long) json_integer_value(value));
			break;
		case JSON_REAL:
			append_real(buf, json_real_value(value));
			break;
		case JSON_TRUE:
			appendStringInfoString(buf, "true");
			break;
		case JSON_FALSE:
			appendStringInfoString(buf, "false");
			break;
		case JSON_OBJECT:
		case JSON_ARRAY:
			if (!allow_document)
				report_mismatch(value, type_name);
			append_json(buf, value);
			break;
		case JSON_NULL:
			elog(ERROR, "unexpected JSON null");
	}
	return buf_in_server_encoding(buf);
}

/*
 * jsonb_string
 *		A jsonb string of UTF-8 bytes, as jsonb_in would make it of the same
 *		string escaped: NULs as U+FFFD, in the server encoding, checked as
 *		valid there.  Points into s when no byte has to change.
 */
static void
jsonb_string(ZdConverter *conv, JsonbValue *v, const char *s, size_t len)
{
	char	   *text;

	if (memchr(s, '\0', len) != NULL)
	{
		resetStringInfo(&conv->buf);
		append_string_bytes(&conv->buf, s, len);
		s = pnstrdup(conv->buf.data, conv->buf.len);
		len = conv->buf.len;
	}
	text = pg_any_to_server(s, len, PG_UTF8);
	if (text != s)
		len = strlen(text);
	if (len > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Zendesk string of %zu bytes is too long for jsonb", len),
				 errdetail("A jsonb string holds at most %d bytes.", JENTRY_OFFLENMASK)));
	v->type = jbvString;
	v->val.string.val = text;
	v->val.string.len = (int) len;
}

/* A scalar JSON value as a jsonb scalar. */
static void
jsonb_scalar(ZdConverter *conv, json_t *value, JsonbValue *v)
{
	switch (json_typeof(value))
	{
		case JSON_STRING:
			jsonb_string(conv, v, json_string_value(value), json_string_length(value));
			break;
		case JSON_INTEGER:
			v->type = jbvNumeric;
			v->val.numeric = int64_to_numeric(json_integer_value(value));
			break;
		case JSON_REAL:
			resetStringInfo(&conv->buf);
			append_real(&conv->buf, json_real_value(value));
			v->type = jbvNumeric;
			v->val.numeric = DatumGetNumeric(InputFunctionCall(&conv->numeric_in,
															   conv->buf.data,
															   NUMERICOID, -1));
			break;
		case JSON_TRUE:
		case JSON_FALSE:
			v->type = jbvBool;
			v->val.boolean = json_is_true(value);
			break;
		case JSON_NULL:
			v->type = jbvNull;
			break;
		case JSON_OBJECT:
		case JSON_ARRAY:
			elog(ERROR, "unexpected JSON container");
	}
}

/*
 * push_jsonb
 *		Push value into the jsonb being built: a container whole, a scalar as
 *		token (WJB_VALUE in an object, WJB_ELEM in an array).
 */
static JsonbValue *
push_jsonb(ZdConverter *conv, JsonbParseState **state, JsonbIteratorToken token,
		   json_t *value)
{
	JsonbValue	v;

	check_stack_depth();
	switch (json_typeof(value))
	{
		case JSON_OBJECT:
			{
				const char *key;
				json_t	   *member;

				pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
				json_object_foreach(value, key, member)
				{
					jsonb_string(conv, &v, key, strlen(key));
					pushJsonbValue(state, WJB_KEY, &v);
					push_jsonb(conv, state, WJB_VALUE, member);
				}
				return pushJsonbValue(state, WJB_END_OBJECT, NULL);
			}
		case JSON_ARRAY:
			pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
			for (size_t i = 0; i < json_array_size(value); i++)
				push_jsonb(conv, state, WJB_ELEM, json_array_get(value, i));
			return pushJsonbValue(state, WJB_END_ARRAY, NULL);
		default:
			jsonb_scalar(conv, value, &v);
			return pushJsonbValue(state, token, &v);
	}
}

/* The jsonb of a JSON value; a scalar alone is jsonb's one-element raw scalar array. */
static Datum
to_jsonb(ZdConverter *conv, json_t *value)
{
	JsonbParseState *state = NULL;
	JsonbValue *result;

	if (json_is_object(value) || json_is_array(value))
		result = push_jsonb(conv, &state, WJB_VALUE, value);
	else
	{
		JsonbValue	array;

		array.type = jbvArray;
		array.val.array.rawScalar = true;
		array.val.array.nElems = 1;
		pushJsonbValue(&state, WJB_BEGIN_ARRAY, &array);
		push_jsonb(conv, &state, WJB_ELEM, value);
		result = pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	}
	return JsonbPGetDatum(JsonbValueToJsonb(result));
}

static Datum
convert_array(ZdConverter *conv, ZdColumn *col, json_t *value)
{
	size_t		n;
	Datum	   *elems;
	bool	   *elemnulls;
	int			dims[1];
	int			lbs[1] = {1};

	if (!json_is_array(value))
		report_mismatch(value, col->type_name);
	n = json_array_size(value);
	elems = palloc(sizeof(Datum) * (n > 0 ? n : 1));
	elemnulls = palloc(sizeof(bool) * (n > 0 ? n : 1));
	for (size_t i = 0; i < n; i++)
	{
		json_t	   *elem = json_array_get(value, i);

		elemnulls[i] = json_is_null(elem);
		if (elemnulls[i])
		{
			elems[i] = (Datum) 0;
			continue;
		}
		elems[i] = InputFunctionCall(&col->elem_input,
									 scalar_text(conv, elem, col->type_name,
												 col->elem_is_document),
									 col->elem_ioparam, -1);
	}
	dims[0] = (int) n;
	if (n == 0)
		return PointerGetDatum(construct_empty_array(col->elemtype));
	return PointerGetDatum(construct_md_array(elems, elemnulls, 1, dims, lbs,
											  col->elemtype, col->elemlen,
											  col->elembyval, col->elemalign));
}

static Datum
convert_value(ZdConverter *conv, ZdColumn *col, json_t *value)
{
	switch (col->kind)
	{
		case ZD_COL_RAW:
		case ZD_COL_DOCUMENT:
			if (col->typid == JSONBOID)
				return to_jsonb(conv, value);
			resetStringInfo(&conv->buf);
			append_json(&conv->buf, value);
			return InputFunctionCall(&col->input, buf_in_server_encoding(&conv->buf),
									 col->ioparam, col->typmod);
		case ZD_COL_TIMESTAMPTZ:
			if (json_is_integer(value))
			{
				json_int_t	epoch = json_integer_value(value);
				const json_int_t shift =
					(json_int_t) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
				TimestampTz ts;

				if (epoch < MIN_TIMESTAMP / USECS_PER_SEC + shift ||
					epoch > END_TIMESTAMP / USECS_PER_SEC + shift)
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("epoch %lld is out of range for type timestamp with time zone",
									(long long) epoch)));
				ts = (TimestampTz) ((epoch - shift) * USECS_PER_SEC);
				return TimestampTzGetDatum(ts);
			}
			return InputFunctionCall(&col->input,
									 scalar_text(conv, value, col->type_name, false),
									 col->ioparam, col->typmod);
		case ZD_COL_ARRAY:
			return convert_array(conv, col, value);
		case ZD_COL_SCALAR:
			return InputFunctionCall(&col->input,
									 scalar_text(conv, value, col->type_name,
												 col->typid == TEXTOID),
									 col->ioparam, col->typmod);
	}
	return (Datum) 0;
}

/* The JSON value a column takes from the record, or NULL. */
static json_t *
column_value(ZdColumn *col, json_t *record)
{
	switch (col->source)
	{
		case ZD_SRC_RECORD:
			return record;
		case ZD_SRC_KEY:
			return json_object_get(record, col->key);
		case ZD_SRC_TICKET_FIELD:
			{
				json_t	   *fields = json_object_get(record, "custom_fields");

				for (size_t i = 0; i < json_array_size(fields); i++)
				{
					json_t	   *field = json_array_get(fields, i);
					json_t	   *id = json_object_get(field, "id");

					if (json_is_integer(id) && json_integer_value(id) == col->field_id)
						return json_object_get(field, "value");
				}
				return NULL;
			}
		case ZD_SRC_USER_FIELD:
			return json_object_get(json_object_get(record, "user_fields"), col->key);
		case ZD_SRC_ORGANIZATION_FIELD:
			return json_object_get(json_object_get(record, "organization_fields"), col->key);
	}
	return NULL;
}

static char *
source_text(ZdColumn *col)
{
	switch (col->source)
	{
		case ZD_SRC_RECORD:
			return "the whole record";
		case ZD_SRC_KEY:
			return psprintf("key \"%s\"", col->key);
		case ZD_SRC_TICKET_FIELD:
			return psprintf("custom field %lld", (long long) col->field_id);
		case ZD_SRC_USER_FIELD:
			return psprintf("user field \"%s\"", col->key);
		case ZD_SRC_ORGANIZATION_FIELD:
			return psprintf("organization field \"%s\"", col->key);
	}
	return "";
}

static void
conversion_error_callback(void *arg)
{
	ZdConverter *conv = arg;
	json_t	   *id = json_object_get(conv->record, "id");

	if (conv->current == NULL)
		return;
	if (json_is_integer(id))
		errcontext("column \"%s\" of Zendesk record id %lld (%s)",
				   conv->current->name, (long long) json_integer_value(id),
				   source_text(conv->current));
	else
		errcontext("column \"%s\" of a Zendesk record without an id (%s)",
				   conv->current->name, source_text(conv->current));
}

/*
 * zd_convert_record
 *		Fill values/nulls (natts long) from one record, in the current
 *		memory context.
 */
void
zd_convert_record(ZdConverter *conv, json_t *record, Datum *values, bool *nulls)
{
	ErrorContextCallback errcallback;

	for (int i = 0; i < conv->natts; i++)
	{
		values[i] = (Datum) 0;
		nulls[i] = true;
	}

	conv->record = record;
	conv->current = NULL;
	errcallback.callback = conversion_error_callback;
	errcallback.arg = conv;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	for (int c = 0; c < conv->ncolumns; c++)
	{
		ZdColumn   *col = &conv->columns[c];
		json_t	   *value = column_value(col, record);

		if (value == NULL || json_is_null(value))
			continue;
		conv->current = col;
		values[col->index] = convert_value(conv, col, value);
		nulls[col->index] = false;
	}

	error_context_stack = errcallback.previous;
}
