--
-- convert: what a scan converts, and how.  Only the columns a query reads
-- (its output and the quals checked on its rows) are converted from the
-- records; the others are never looked at, so a value that does not fit a
-- column the query does not read cannot fail it.  The raw column is built
-- from the parsed record directly, and equals, byte for byte, the jsonb of
-- the record's text.  The test changes a user, so it has a simulator of its
-- own.
--
\set sim_url `bash scripts/regress-sim.sh start convert --seed 1 --tickets 100 --export-limit 100000 --account-limit 100000`
SELECT set_config('zd.sim_url', :'sim_url', false) IS NOT NULL AS sim_started;
\i sql/include/ground_truth.sql

CREATE SERVER zd_conv FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '100000', max_requests_per_statement '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_conv
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA conv;
-- employee_id is a text field: user 6130869176841 holds "東京 31", which
-- does not fit bigint
CREATE FOREIGN TABLE conv.users (
  id bigint,
  name text,
  employee_id bigint OPTIONS (user_field 'employee_id'),
  raw jsonb
) SERVER zd_conv OPTIONS (resource 'users');

-- queries that do not read employee_id do not convert it
SELECT count(*) FROM conv.users;
SELECT id, name FROM conv.users ORDER BY id;
SELECT raw->'user_fields'->>'employee_id' AS employee_id_text
  FROM conv.users WHERE id = 6130869176841;
SELECT tableoid::regclass AS tbl, count(*) FROM conv.users GROUP BY 1;
SELECT count(*) FROM conv.users WHERE name LIKE 'Sim %';
-- a lookup per outer row (a parameterized scan)
SELECT v.id, (SELECT name FROM conv.users u WHERE u.id = v.id) AS name
  FROM (VALUES (6130869176841), (6130869184760)) v(id);
-- a correlated subquery read twice: the second pass replays the first's rows
SELECT n, (SELECT count(name) FROM conv.users WHERE n > 0) AS names
  FROM generate_series(1, 2) n;

-- queries that read it fail with the error naming the record and the
-- column: selected, in a qual, in a whole-row reference
SELECT id, employee_id FROM conv.users;
SELECT id FROM conv.users WHERE employee_id IS NOT NULL;
SELECT u FROM conv.users u WHERE id = 6130869176841;
SELECT count(*) FROM conv.users u WHERE u IS NOT NULL;
SELECT v.id, (SELECT employee_id FROM conv.users u WHERE u.id = v.id) AS employee_id
  FROM (VALUES (6130869184760), (6130869176841)) v(id);

-- raw: the jsonb of the record's text, byte for byte, for values that are
-- hard to get right: 64-bit integers at both ends, reals (shortest
-- round-trip form), huge and tiny exponents, escapes, control characters,
-- characters beyond the BMP written as surrogate pairs, NUL (U+FFFD in its
-- place, the stated rule), empty and deeply nested arrays and objects, keys
-- that sort differently by length and by bytes, an empty key
SELECT pg_temp.sim('PATCH', '/_sim/users/6130869184760', $$
  {"notes": "tab\there \"quoted\" back\\slash \/ \b\f\r\n \u0001\u001f\u007f nul\u0000end",
   "user_fields": {
     "languages": [9223372036854775807, -9223372036854775808, 0, -1, 42,
                   19.99, 0.1, -0.5, 0.30000000000000004, 1e300, 5e-324, 1.5e-10,
                   -1234567.125, 2.5E+20, 1.7976931348623157e308,
                   "ünïcødé ✓ \u00e9 \ud834\udd1e \ud83d\ude00 \u2028", "", " ",
                   [], {}, [[1, [2, [3, {"a": [null, true, false, [[[]]]]}]]]],
                   {"zz": 1, "a": 2, "": 3, "é": 4, "aa": {"b": [1.25, "x"]}, "B": null}],
     "bio": "line one\nline two\u0000\u0000"}}$$)->'user'->>'id' AS patched;
SELECT (pg_temp.sim('POST', '/_sim/clock', '{"advance": 120}')->>'now') IS NOT NULL AS clock_moved;
SELECT pg_temp.truth_load('truth_users', '/_sim/users.jsonl') AS users;
SELECT count(*) AS users,
       count(*) FILTER (WHERE u.raw::text = t.doc::text) AS same_text,
       count(*) FILTER (WHERE pg_column_size(u.raw) = pg_column_size(t.doc)) AS same_size,
       count(*) FILTER (WHERE u.raw = t.doc) AS equal
  FROM conv.users u
  JOIN (SELECT pg_temp.nul_rule(line) AS doc FROM truth_users_lines) t
    ON (t.doc->>'id')::bigint = u.id;
SELECT e.ord, e.value AS raw_value, e.value::text = t.value::text AS same_text
  FROM conv.users u
  CROSS JOIN LATERAL jsonb_array_elements(u.raw->'user_fields'->'languages') WITH ORDINALITY e(value, ord)
  JOIN truth_users tu ON (tu.doc->>'id')::bigint = u.id
  CROSS JOIN LATERAL (SELECT tu.doc->'user_fields'->'languages'->(e.ord::int - 1) AS value) t
 WHERE u.id = 6130869184760
 ORDER BY e.ord;
-- jsonb columns of one key are built the same way, scalars too (jsonb's
-- one-element raw scalar array).  (Sizes are compared for raw only: a small
-- jsonb's varlena header may be packed on its way through a join.)
CREATE FOREIGN TABLE conv.users_doc (
  id bigint,
  id_doc jsonb OPTIONS (field 'id'),
  name_doc jsonb OPTIONS (field 'name'),
  notes_doc jsonb OPTIONS (field 'notes'),
  active_doc jsonb OPTIONS (field 'active'),
  fields_doc jsonb OPTIONS (field 'user_fields')
) SERVER zd_conv OPTIONS (resource 'users');
SELECT count(*) AS users,
       count(*) FILTER (WHERE u.id_doc = t.doc->'id' AND u.id_doc::text = (t.doc->'id')::text) AS same_id,
       count(*) FILTER (WHERE u.name_doc = t.doc->'name' AND u.name_doc::text = (t.doc->'name')::text) AS same_name,
       count(*) FILTER (WHERE u.notes_doc IS NOT DISTINCT FROM NULLIF(t.doc->'notes', 'null')) AS same_notes,
       count(*) FILTER (WHERE u.active_doc = t.doc->'active' AND u.active_doc::text = (t.doc->'active')::text) AS same_active,
       count(*) FILTER (WHERE u.fields_doc = t.doc->'user_fields'
                          AND u.fields_doc::text = (t.doc->'user_fields')::text) AS same_fields
  FROM conv.users_doc u
  JOIN (SELECT pg_temp.nul_rule(line) AS doc FROM truth_users_lines) t
    ON (t.doc->>'id')::bigint = u.id;
SELECT jsonb_typeof(id_doc) AS id_type, jsonb_typeof(name_doc) AS name_type,
       jsonb_typeof(active_doc) AS active_type
  FROM conv.users_doc WHERE id = 6130869184760;
SELECT raw->>'notes' = E'tab\there "quoted" back\\slash / \b\f\r\n \u0001\u001f\u007f nul' || U&'\FFFD' || 'end'
         AS notes_ok,
       raw->'user_fields'->>'bio' = E'line one\nline two' || U&'\FFFD\FFFD' AS bio_ok
  FROM conv.users WHERE id = 6130869184760;
-- a JSON real keeps its value, not its text: 2.50 is the double 2.5
SELECT pg_temp.sim('PATCH', '/_sim/users/6130869184760',
                   '{"user_fields": {"languages": [2.50, 1.0, 1E2]}}')->'user'->>'id' AS patched;
SELECT (pg_temp.sim('POST', '/_sim/clock', '{"advance": 120}')->>'now') IS NOT NULL AS clock_moved;
SELECT raw->'user_fields'->'languages' AS languages FROM conv.users WHERE id = 6130869184760;

\! bash scripts/regress-sim.sh stop convert
