--
-- ground_truth: helpers for tests that compare foreign tables with the
-- simulator's ground truth (included with \i by resources.sql and import.sql;
-- the simulator's URL is in the setting zd.sim_url).
--
--   sim(method, path, body)   the control API; returns its JSON answer
--   truth_load(name, path)    GET <sim>/<path> (JSON lines) into temp table
--                             <name>(doc jsonb), with the NUL rule applied
--   expected_sql(tbl, truth)  what each column of tbl must hold, derived from
--                             the column's type and options and the truth
--   compare(tbl, truth, ...)  one scan of tbl, compared row by row with it
--   type_mismatches(tbl, truth)  columns whose type does not fit the JSON the
--                             truth holds for them
--

-- (the tables it drops and recreates would be NOTICEs)
SET client_min_messages = warning;

-- a shell word: 'text' with every ' as '\''
CREATE FUNCTION pg_temp.shell_quote(s text) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT '''' || replace(s, '''', '''\''''') || '''' $$;

-- The truth's JSON text as jsonb.  Neither text nor jsonb can hold NUL: the
-- extension's rule is U+FFFD in its place, in text and jsonb alike, so the
-- truth gets the same (an escaped backslash before "u0000" is left alone).
CREATE FUNCTION pg_temp.nul_rule(doc text) RETURNS jsonb
  LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(doc, '(?<!\\)((?:\\\\)*)\\u0000', '\1\\ufffd', 'g')::jsonb $$;

-- body is text: jsonb cannot hold the \u0000 some bodies carry
CREATE TEMP TABLE sim_answer (line text);
CREATE FUNCTION pg_temp.sim(method text, path text, body text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  answer text;
BEGIN
  TRUNCATE sim_answer;
  EXECUTE format('COPY sim_answer FROM PROGRAM %L WITH (FORMAT csv, QUOTE E''\x01'', DELIMITER E''\x02'')',
                 'curl -sS --fail-with-body -X ' || method
                 || ' -H ''Content-Type: application/json'' '
                 || pg_temp.shell_quote(current_setting('zd.sim_url') || path)
                 || CASE WHEN body IS NULL THEN '' ELSE ' --data-binary ' || pg_temp.shell_quote(body) END);
  SELECT string_agg(line, E'\n') INTO answer FROM sim_answer;
  RETURN pg_temp.nul_rule(answer);
END $$;

-- The ground truth, as JSON lines, with the NUL rule.
CREATE FUNCTION pg_temp.truth_load(name text, path text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  EXECUTE format('DROP TABLE IF EXISTS %I, %I', name, name || '_lines');
  EXECUTE format('CREATE TEMP TABLE %I (line text)', name || '_lines');
  EXECUTE format('COPY %I FROM PROGRAM %L WITH (FORMAT csv, QUOTE E''\x01'', DELIMITER E''\x02'')',
                 name || '_lines',
                 'curl -sf ' || pg_temp.shell_quote(current_setting('zd.sim_url') || path));
  EXECUTE format('CREATE TEMP TABLE %I AS SELECT pg_temp.nul_rule(line) AS doc FROM %I',
                 name, name || '_lines');
  EXECUTE format('SELECT count(*) FROM %I', name) INTO n;
  RETURN n;
END $$;

-- The JSON value (jsonb expression over "doc") a column is filled from.
CREATE FUNCTION pg_temp.column_source(tbl regclass, attnum int2) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN o.custom_field_id IS NOT NULL THEN
      format('(SELECT e->''value'' FROM jsonb_array_elements(doc->''custom_fields'') e WHERE e->>''id'' = %L)',
             o.custom_field_id)
    WHEN o.user_field IS NOT NULL THEN format('(doc->''user_fields''->%L)', o.user_field)
    WHEN o.organization_field IS NOT NULL THEN format('(doc->''organization_fields''->%L)', o.organization_field)
    WHEN o.field IS NOT NULL THEN format('(doc->%L)', o.field)
    WHEN a.attname = 'raw' THEN 'doc'
    ELSE format('(doc->%L)', a.attname)
  END
  FROM pg_attribute a,
       LATERAL (SELECT max(option_value) FILTER (WHERE option_name = 'custom_field_id') AS custom_field_id,
                       max(option_value) FILTER (WHERE option_name = 'user_field') AS user_field,
                       max(option_value) FILTER (WHERE option_name = 'organization_field') AS organization_field,
                       max(option_value) FILTER (WHERE option_name = 'field') AS field
                  FROM pg_options_to_table(a.attfdwoptions)) o
 WHERE a.attrelid = tbl AND a.attnum = column_source.attnum
$$;

-- SELECT <what each column must hold> FROM truth, from the column's type:
-- JSON null is SQL NULL; jsonb is the value itself; timestamptz reads ISO
-- 8601 or epoch seconds; arrays their elements; other types the value's text.
CREATE FUNCTION pg_temp.expected_sql(tbl regclass, truth text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT 'SELECT ' || string_agg(
           CASE
             WHEN t.typ IN ('jsonb', 'json') THEN format('NULLIF(%s, ''null'')::%s', s.src, t.typ)
             WHEN t.typ = 'timestamp with time zone' THEN
               format('CASE jsonb_typeof(%1$s) WHEN ''number'' THEN to_timestamp((%1$s)::text::numeric)'
                      ' WHEN ''string'' THEN (%1$s #>> ''{}'')::timestamptz END', s.src)
             WHEN t.elem <> 0 THEN
               format('CASE WHEN jsonb_typeof(%1$s) = ''array'' THEN ARRAY(SELECT jsonb_array_elements_text(%1$s))::%2$s END',
                      s.src, t.typ)
             ELSE format('(%s #>> ''{}'')::%s', s.src, t.typ)
           END || ' AS ' || quote_ident(a.attname), ', ' ORDER BY a.attnum)
         || ' FROM ' || quote_ident(truth)
    FROM pg_attribute a
    CROSS JOIN LATERAL (SELECT format_type(a.atttypid, a.atttypmod) AS typ,
                               (SELECT typelem FROM pg_type WHERE oid = a.atttypid) AS elem) t
    CROSS JOIN LATERAL (SELECT pg_temp.column_source(tbl, a.attnum) AS src) s
   WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- One scan of tbl (into temp table "scanned"), compared with the truth rows
-- that pass filter: every row once, every column equal.
CREATE FUNCTION pg_temp.compare(tbl regclass, truth text, filter text DEFAULT 'true',
                                OUT scanned bigint, OUT distinct_ids bigint, OUT expected bigint,
                                OUT missing bigint, OUT unexpected bigint)
LANGUAGE plpgsql AS $$
BEGIN
  DROP TABLE IF EXISTS scanned, expected_rows;
  EXECUTE format('CREATE TEMP TABLE scanned AS SELECT * FROM %s', tbl);
  EXECUTE format('CREATE TEMP TABLE expected_rows AS %s WHERE %s', pg_temp.expected_sql(tbl, truth), filter);
  SELECT count(*), count(DISTINCT id) INTO scanned, distinct_ids FROM scanned;
  SELECT count(*) INTO expected FROM expected_rows;
  SELECT count(*) INTO missing FROM (SELECT * FROM expected_rows EXCEPT ALL SELECT * FROM scanned) d;
  SELECT count(*) INTO unexpected FROM (SELECT * FROM scanned EXCEPT ALL SELECT * FROM expected_rows) d;
END $$;

-- Columns whose type does not fit what the truth holds for their key: JSON
-- objects and arrays of them want jsonb, other arrays an array type
-- (bigint[] for numbers, text[] for strings), booleans boolean, integers
-- bigint or integer (timestamptz for epoch keys named *timestamp), other
-- numbers numeric, ISO 8601 strings timestamptz, other strings text.
CREATE FUNCTION pg_temp.type_mismatches(tbl regclass, truth text)
  RETURNS TABLE (column_name name, column_type text, json_types text, wanted text)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format($q$
    WITH v AS (
      SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS typ, j.value
        FROM pg_attribute a
        JOIN %1$I t ON true
        CROSS JOIN LATERAL (SELECT t.doc->a.attname AS value) j
       WHERE a.attrelid = %2$s AND a.attnum > 0 AND NOT a.attisdropped AND a.attfdwoptions IS NULL
         AND a.attname <> 'raw' AND jsonb_typeof(j.value) <> 'null'),
    k AS (
      SELECT attname, typ, string_agg(DISTINCT jsonb_typeof(value), ',') AS json_types,
             CASE
               WHEN bool_or(jsonb_typeof(value) = 'object') THEN 'jsonb'
               WHEN bool_or(jsonb_typeof(value) = 'array') THEN
                 CASE WHEN bool_or(EXISTS (SELECT 1 FROM jsonb_array_elements(
                                              CASE jsonb_typeof(value) WHEN 'array' THEN value ELSE '[]' END) e
                                            WHERE jsonb_typeof(e) IN ('object', 'array'))) THEN 'jsonb'
                      WHEN bool_or(EXISTS (SELECT 1 FROM jsonb_array_elements(
                                              CASE jsonb_typeof(value) WHEN 'array' THEN value ELSE '[]' END) e
                                            WHERE jsonb_typeof(e) <> 'number')) THEN 'text[]'
                      WHEN bool_or(jsonb_typeof(value) = 'array' AND value <> '[]') THEN 'bigint[]'
                      ELSE 'an array' END
               WHEN bool_and(jsonb_typeof(value) = 'boolean') THEN 'boolean'
               WHEN bool_and(jsonb_typeof(value) = 'number') AND attname ~ 'timestamp$' THEN 'timestamp with time zone'
               WHEN bool_and(jsonb_typeof(value) = 'number' AND value::text ~ '^-?[0-9]+$') THEN 'bigint'
               WHEN bool_and(jsonb_typeof(value) = 'number') THEN 'numeric'
               WHEN bool_and(jsonb_typeof(value) = 'string'
                             AND value #>> '{}' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$') THEN 'timestamp with time zone'
               ELSE 'text'
             END AS wanted
        FROM v GROUP BY attname, typ)
    SELECT attname, typ, json_types, wanted FROM k
     WHERE NOT (typ = wanted OR (wanted = 'bigint' AND typ = 'integer')
                OR (wanted = 'an array' AND typ LIKE '%%[]'))
     ORDER BY 1$q$, truth, tbl::oid);
END $$;

