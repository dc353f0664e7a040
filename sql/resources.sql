--
-- resources: users, organizations and ticket events, read whole and exact.
-- Every row and every column of a full scan equals the simulator's ground
-- truth, under the switches that change what Zendesk sends (numbers as JSON
-- numbers, the order and size of time-based pages), with NULs, reals and
-- seconds holding more records than a page.  The test mutates the account
-- and flips switches, so it has a simulator of its own.
--
\set sim_url `bash scripts/regress-sim.sh start resources --seed 1 --tickets 1000 --export-limit 100000 --account-limit 100000`
SELECT set_config('zd.sim_url', :'sim_url', false) IS NOT NULL AS sim_started;
\i sql/include/ground_truth.sql

-- (one statement below reads many tables: no quota guard here, see pushdown.sql)
CREATE SERVER zd_res FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '100000', max_requests_per_statement '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_res
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA res;
IMPORT FOREIGN SCHEMA zendesk LIMIT TO (users, organizations, ticket_events)
  FROM SERVER zd_res INTO res;

SELECT pg_temp.truth_load('truth_users', '/_sim/users.jsonl') AS users,
       pg_temp.truth_load('truth_organizations', '/_sim/organizations.jsonl') AS organizations,
       pg_temp.truth_load('truth_ticket_events', '/_sim/ticket_events.jsonl') AS ticket_events;

-- every top-level key the records have is a column
SELECT r.name, k.key AS key_without_column
  FROM (VALUES ('users'), ('organizations'), ('ticket_events')) r(name),
       LATERAL (SELECT DISTINCT jsonb_object_keys(doc) AS key FROM truth_users WHERE r.name = 'users'
                UNION SELECT DISTINCT jsonb_object_keys(doc) FROM truth_organizations WHERE r.name = 'organizations'
                UNION SELECT DISTINCT jsonb_object_keys(doc) FROM truth_ticket_events WHERE r.name = 'ticket_events') k
 WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = ('res.' || r.name)::regclass AND a.attname = k.key)
 ORDER BY 1, 2;

-- the types: as the JSON every record holds asks (no row: all fit) ...
SELECT 'users' AS resource, * FROM pg_temp.type_mismatches('res.users', 'truth_users')
UNION ALL
SELECT 'organizations', * FROM pg_temp.type_mismatches('res.organizations', 'truth_organizations')
UNION ALL
SELECT 'ticket_events', * FROM pg_temp.type_mismatches('res.ticket_events', 'truth_ticket_events');
-- (the check finds a type that does not fit)
CREATE FOREIGN TABLE users_mistyped (id text, created_at text, tags text, photo text, active integer)
  SERVER zd_res OPTIONS (resource 'users');
SELECT * FROM pg_temp.type_mismatches('users_mistyped', 'truth_users');
-- ... and as declared
SELECT c.relname AS resource, format_type(a.atttypid, a.atttypmod) AS type,
       string_agg(a.attname, ', ' ORDER BY a.attnum) AS columns
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'res'::regnamespace AND a.attnum > 0 AND a.attfdwoptions IS NULL
 GROUP BY 1, 2 ORDER BY 1, 2;

-- every row once, every column (custom-field columns and raw included) equal
SELECT 'users' AS resource, * FROM pg_temp.compare('res.users', 'truth_users');
SELECT 'organizations' AS resource, * FROM pg_temp.compare('res.organizations', 'truth_organizations');
SELECT 'ticket_events' AS resource, * FROM pg_temp.compare('res.ticket_events', 'truth_ticket_events');
-- (the comparison finds one value that differs: one row missing, one unexpected)
UPDATE truth_organizations SET doc = jsonb_set(doc, '{organization_fields,employees}', '"1"')
 WHERE doc->>'id' = '6130869157658';
SELECT * FROM pg_temp.compare('res.organizations', 'truth_organizations');

-- what that covers: ids beyond 2^32, custom integers beyond 2^32 kept
-- exact, unicode, JSON nulls as SQL NULLs (never a jsonb 'null')
SELECT count(*) AS users, min(id) > 2^32 AS ids_beyond_2_32,
       max(lifetime_orders) > 2^32 AS field_beyond_2_32,
       count(*) FILTER (WHERE name ~ '[^\x01-\x7f]' OR biographie ~ '[^\x01-\x7f]') > 0 AS unicode,
       count(*) FILTER (WHERE email IS NULL) > 0 AS null_email,
       count(*) FILTER (WHERE photo IS NULL) > 0 AS null_photo,
       count(*) FILTER (WHERE photo = 'null') AS jsonb_nulls
  FROM res.users;
SELECT name, octet_length(name) > length(name) AS multibyte, employees, domain_names
  FROM res.organizations WHERE name LIKE '%株式会社%' ORDER BY id LIMIT 2;
SELECT id, ticket_id, "timestamp", via, child_events->0->>'subject' AS subject
  FROM res.ticket_events ORDER BY id LIMIT 2;

-- numbers Zendesk sends as strings keep their text: "12.50" stays 12.50 in
-- text and numeric columns and a string in raw
CREATE FOREIGN TABLE res.users_as_text (
  id bigint,
  credit_limit_text text OPTIONS (user_field 'credit_limit'),
  credit_limit numeric OPTIONS (user_field 'credit_limit'),
  lifetime_orders_text text OPTIONS (user_field 'lifetime_orders'),
  raw jsonb
) SERVER zd_res OPTIONS (resource 'users');
SELECT count(credit_limit_text) AS values,
       count(*) FILTER (WHERE credit_limit_text = raw->'user_fields'->>'credit_limit'
                          AND jsonb_typeof(raw->'user_fields'->'credit_limit') = 'string') AS same_text,
       count(*) FILTER (WHERE credit_limit::text = credit_limit_text) AS numeric_same_text,
       count(*) FILTER (WHERE credit_limit_text ~ '\.\d0$') > 0 AS trailing_zeros_seen,
       count(*) FILTER (WHERE lifetime_orders_text = raw->'user_fields'->>'lifetime_orders') AS integers_same_text
  FROM res.users_as_text;
SELECT DISTINCT credit_limit_text, credit_limit FROM res.users_as_text
 WHERE credit_limit_text IN ('12.50', '19.99', '0.1') ORDER BY 1;

-- NUL: a user whose notes and a custom field hold \u0000.  The rule: U+FFFD
-- in its place, in text and jsonb alike.  The clock moves past the
-- one-minute rule so the export shows the change.
SELECT pg_temp.sim('PATCH', '/_sim/users/6130869184760',
                   '{"notes": "before\u0000after", "user_fields": {"employee_id": "\u0000x\u0000"}}')
         ->'user'->>'notes' = 'before' || U&'\FFFD' || 'after' AS patched;
SELECT (pg_temp.sim('POST', '/_sim/clock', '{"advance": 120}')->>'now') IS NOT NULL AS clock_moved;
SELECT pg_temp.truth_load('truth_users', '/_sim/users.jsonl') AS users;
SELECT * FROM pg_temp.compare('res.users', 'truth_users');
SELECT notes = 'before' || U&'\FFFD' || 'after' AS notes_ok,
       employee_id = U&'\FFFDx\FFFD' AS field_ok,
       raw->>'notes' = notes AS raw_ok,
       raw->'user_fields'->>'employee_id' = employee_id AS raw_field_ok
  FROM scanned WHERE id = 6130869184760;

-- reals: with integer and decimal fields sent as JSON numbers, reals come
-- back in their shortest round-trip form (19.99, never 19.989999999999998)
SELECT pg_temp.sim('POST', '/_sim/switches', '{"number_values": "number"}')->>'number_values' AS number_values;
CREATE TEMP TABLE reals (id bigint, v text);
INSERT INTO reals VALUES (6130869192679, '19.99'), (6130869200598, '0.30000000000000004'),
  (6130869208517, '1e300'), (6130869216436, '5e-324'), (6130869224355, '-1234567.125');
SELECT id, jsonb_typeof(pg_temp.sim('PATCH', '/_sim/users/' || id,
                                    jsonb_build_object('user_fields', jsonb_build_object('credit_limit', v))::text)
                        #> '{user,user_fields,credit_limit}') AS sent_as
  FROM reals ORDER BY id;
SELECT (pg_temp.sim('POST', '/_sim/clock', '{"advance": 120}')->>'now') IS NOT NULL AS clock_moved;
SELECT pg_temp.truth_load('truth_users', '/_sim/users.jsonl') AS users;
SELECT * FROM pg_temp.compare('res.users', 'truth_users');
SELECT count(*) FILTER (WHERE jsonb_typeof(raw->'user_fields'->'credit_limit') = 'number') AS real_values,
       count(*) FILTER (WHERE jsonb_typeof(raw->'user_fields'->'lifetime_orders') = 'number') AS integer_values
  FROM scanned;
SELECT r.v AS sent, jsonb_typeof(s.raw->'user_fields'->'credit_limit') AS raw_type,
       CASE WHEN length(s.raw->'user_fields'->>'credit_limit') < 30
            THEN s.raw->'user_fields'->>'credit_limit' END AS raw_value,
       (s.raw->'user_fields'->>'credit_limit')::numeric = r.v::numeric AS raw_exact,
       s.credit_limit = r.v::numeric AS numeric_exact
  FROM reals r JOIN scanned s USING (id) ORDER BY id;
SELECT pg_temp.sim('POST', '/_sim/switches', '{"number_values": "string"}')->>'number_values' AS number_values;

-- time-based exports read every record exactly once whatever the order of a
-- second's records (time_order), whether a page grows to its whole last
-- second (time_page_growth) and the page size: 1000 (capped pages, whose
-- last second the next page repeats) and a smaller one.  A page size below
-- the busiest second's count makes pages that one second fills: where pages
-- never grow, Zendesk cannot return that second, and the scan ends in a
-- clear error instead of looping.

CREATE FUNCTION pg_temp.time_matrix(small_pages jsonb)
  RETURNS TABLE (resource text, time_order text, growth text, page_size int, outcome text)
LANGUAGE plpgsql AS $$
DECLARE
  c record;
  detail text;
BEGIN
  FOR resource, time_order, growth, page_size IN
    SELECT r, o, g, p
      FROM unnest(ARRAY['organizations', 'ticket_events']) r,
           unnest(ARRAY['shuffled', 'id']) o,
           unnest(ARRAY['small', 'never', 'always']) g,
           LATERAL (VALUES (1000), ((small_pages->>r)::int)) ps(p)
     ORDER BY 1, 2 DESC, 3 DESC, 4 DESC
  LOOP
    PERFORM pg_temp.sim('POST', '/_sim/switches',
                        jsonb_build_object('time_order', time_order, 'time_page_growth', growth)::text);
    EXECUTE format('ALTER SERVER zd_res OPTIONS (SET page_size %L)', page_size);
    BEGIN
      c := pg_temp.compare(('res.' || resource)::regclass, 'truth_' || resource);
      outcome := CASE WHEN c.scanned = c.expected AND c.distinct_ids = c.expected
                           AND c.missing = 0 AND c.unexpected = 0
                      THEN format('exact: %s rows', c.scanned)
                      ELSE format('WRONG: %s', c) END;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
      outcome := regexp_replace('error: ' || SQLERRM || ': ' || detail, '\d{10}', '<T>', 'g');
    END;
    RETURN NEXT;
  END LOOP;
  PERFORM pg_temp.sim('POST', '/_sim/switches', '{"time_order": "shuffled", "time_page_growth": "small"}');
END $$;

ALTER SERVER zd_res OPTIONS (ADD page_size '1000');
SELECT pg_temp.truth_load('truth_organizations', '/_sim/organizations.jsonl') AS organizations,
       pg_temp.truth_load('truth_ticket_events', '/_sim/ticket_events.jsonl') AS ticket_events;
-- the most records one second holds, in the truth
CREATE FUNCTION pg_temp.busiest_seconds() RETURNS TABLE (resource text, records bigint)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
    SELECT r.name, max(n)
      FROM (SELECT 'organizations' AS name, doc->>'updated_at' AS second, count(*) AS n
              FROM truth_organizations GROUP BY 2
            UNION ALL
            SELECT 'ticket_events', doc->>'timestamp', count(*) FROM truth_ticket_events GROUP BY 2) r(name, second, n)
     GROUP BY 1 ORDER BY 1;
END $$;
SELECT * FROM pg_temp.busiest_seconds();
SELECT * FROM pg_temp.time_matrix('{"organizations": 2, "ticket_events": 400}');

-- a second holding more records than a page of 1000: a burst of 1200 new
-- tickets (1200 creation events in one second), and 10 organizations moved
-- into one second.  A capped page full of one second is asked again with
-- per_page=1, which Zendesk grows to the whole second.
SELECT jsonb_array_length(pg_temp.sim('POST', '/_sim/tickets', '{"count": 1200}')->'tickets') AS burst;
SELECT count(*) AS moved
  FROM (SELECT pg_temp.sim('PATCH', '/_sim/organizations/' || (doc->>'id'),
                           '{"updated_at": "2026-01-15T12:00:00Z"}')
          FROM truth_organizations ORDER BY doc->>'id' LIMIT 10) m;
SELECT (pg_temp.sim('POST', '/_sim/clock', '{"advance": 120}')->>'now') IS NOT NULL AS clock_moved;
SELECT pg_temp.truth_load('truth_organizations', '/_sim/organizations.jsonl') AS organizations,
       pg_temp.truth_load('truth_ticket_events', '/_sim/ticket_events.jsonl') AS ticket_events;
SELECT * FROM pg_temp.busiest_seconds();
SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL AS log_cleared;
SELECT * FROM pg_temp.time_matrix('{"organizations": 5, "ticket_events": 500}');

-- the whole-second request was made: start_time at the busy second, per_page=1
SELECT pg_temp.truth_load('request_log', '/_sim/requests.jsonl') IS NOT NULL AS log_read;
SELECT doc->>'endpoint' AS endpoint,
       count(*) FILTER (WHERE doc->>'query' ~ '(^|&)per_page=1(&|$)') > 0 AS whole_second_asked
  FROM request_log WHERE doc->>'path' LIKE '/api/v2/incremental/%'
 GROUP BY 1 ORDER BY 1;

-- an integer beyond int64, which jansson cannot read, fails the page with an
-- error naming the endpoint and where in the page
SELECT pg_temp.sim('POST', '/_sim/switches', '{"number_values": "number"}')->>'number_values' AS number_values;
SELECT pg_temp.sim('PATCH', '/_sim/users/6130869184760',
                   '{"user_fields": {"lifetime_orders": "99999999999999999999"}}')
         #>> '{user,user_fields,lifetime_orders}' AS sent;
SELECT (pg_temp.sim('POST', '/_sim/clock', '{"advance": 120}')->>'now') IS NOT NULL AS clock_moved;
SELECT count(*) FROM res.users;
SELECT pg_temp.sim('POST', '/_sim/switches', '{"number_values": "string"}')->>'number_values' AS number_values;
-- sent as a string, it is text to a text column, and does not fit bigint
SELECT lifetime_orders_text FROM res.users_as_text WHERE lifetime_orders_text LIKE '9999%';
SELECT id, lifetime_orders FROM res.users;

-- an unknown column is an error with the valid keys
CREATE FOREIGN TABLE res.users_typo (id bigint, emial text) SERVER zd_res OPTIONS (resource 'users');
SELECT * FROM res.users_typo;
CREATE FOREIGN TABLE res.events_typo (id bigint, time timestamptz) SERVER zd_res OPTIONS (resource 'ticket_events');
SELECT * FROM res.events_typo;

\! bash scripts/regress-sim.sh stop resources
