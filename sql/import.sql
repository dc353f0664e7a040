--
-- import: IMPORT FOREIGN SCHEMA creates the four tables, with one typed
-- column per custom ticket, user and organization field, named from the
-- field's title (lower-case slug, "_<id>" on collision or when the title
-- gives no slug, at most 63 bytes) and keeping the field's id or key as its
-- option; the imported tables read exactly the simulator's ground truth.
-- The test adds fields to the account, so it has a simulator of its own.
--
\set sim_url `bash scripts/regress-sim.sh start import --seed 1 --tickets 300 --export-limit 100000 --account-limit 100000`
SELECT set_config('zd.sim_url', :'sim_url', false) IS NOT NULL AS sim_started;
\i sql/include/ground_truth.sql

CREATE SERVER zd_imp FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '100000');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_imp
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');

-- fields whose titles test the naming rule, besides the account's own (a
-- title collision "Region"/"region", an accented title, an inactive field)
CREATE TEMP TABLE added (kind text, spec text);
INSERT INTO added VALUES
  ('ticket_fields', '{"type": "text", "title": ""}'),
  ('ticket_fields', '{"type": "integer", "title": "配送"}'),
  ('ticket_fields', '{"type": "text", "title": "Status"}'),
  ('ticket_fields', '{"type": "checkbox", "title": "Raw"}'),
  ('ticket_fields', '{"type": "decimal", "title": "An extraordinarily long field title that certainly goes beyond sixty-three bytes"}'),
  ('ticket_fields', '{"type": "date", "title": "An extraordinarily long field title that certainly goes beyond sixty-three bytes, too"}'),
  ('ticket_fields', '{"type": "multiselect", "title": "  Café -- Crème Brûlée!  "}'),
  ('user_fields', '{"type": "text", "key": "nickname", "title": ""}'),
  ('user_fields', '{"type": "integer", "key": "old_score", "title": "Old score", "active": false}'),
  ('organization_fields', '{"type": "text", "key": "org_name", "title": "Name"}'),
  ('organization_fields', '{"type": "decimal", "key": "revenue", "title": "Revenue (€)"}');
SELECT kind, f->>'id' AS id, f->>'type' AS type, f->>'title' AS title, f->>'active' AS active
  FROM added, LATERAL (SELECT pg_temp.sim('POST', '/_sim/' || kind, spec) AS answer) a,
       LATERAL (SELECT a.answer->(left(kind, -1)) AS f) x
 ORDER BY kind, (f->>'id')::bigint;

-- values for some of them, visible to the export once the clock has moved
CREATE TEMP TABLE fields AS
  SELECT 'tickets' AS resource, doc FROM pg_temp.sim('GET', '/_sim/ticket_fields') a, jsonb_array_elements(a) doc
  UNION ALL
  SELECT 'users', doc FROM pg_temp.sim('GET', '/_sim/user_fields') a, jsonb_array_elements(a) doc
  UNION ALL
  SELECT 'organizations', doc FROM pg_temp.sim('GET', '/_sim/organization_fields') a, jsonb_array_elements(a) doc;
SELECT pg_temp.truth_load('truth_tickets', '/_sim/tickets.jsonl') AS tickets;
SELECT count(*) AS patched FROM (
  SELECT pg_temp.sim('PATCH', '/_sim/tickets/' || t, (SELECT jsonb_build_object('custom_fields', jsonb_object_agg(doc->>'id',
           CASE doc->>'type' WHEN 'decimal' THEN to_jsonb(t || '.50') WHEN 'date' THEN '"2026-02-28"'
                             WHEN 'multiselect' THEN '["opt_one", "opt_two"]' WHEN 'checkbox' THEN 'true'
                             WHEN 'integer' THEN to_jsonb((2^40 + t::bigint)::bigint::text) ELSE to_jsonb('value ' || t) END))::text
         FROM fields WHERE resource = 'tickets' AND (doc->>'created_at') > '2026'))
    FROM (SELECT doc->>'id' AS t FROM truth_tickets WHERE doc->>'status' IN ('new', 'open', 'pending')
           ORDER BY (doc->>'id')::bigint LIMIT 5) o) p;
SELECT (pg_temp.sim('POST', '/_sim/clock', '{"advance": 120}')->>'now') IS NOT NULL AS clock_moved;

CREATE SCHEMA imp;
SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL AS log_cleared;
IMPORT FOREIGN SCHEMA zendesk FROM SERVER zd_imp INTO imp;
SELECT c.relname, ftoptions FROM pg_foreign_table f JOIN pg_class c ON c.oid = f.ftrelid
 WHERE c.relnamespace = 'imp'::regnamespace ORDER BY 1;
-- three standard requests, one per field list; no export request
SELECT pg_temp.truth_load('request_log', '/_sim/requests.jsonl') AS requests;
SELECT doc->>'path' AS path, doc->>'status' AS status FROM request_log ORDER BY doc->>'seq';

-- the custom-field columns, next to the field definitions they come from
CREATE TEMP VIEW custom_columns AS
  SELECT c.relname::text AS resource, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
         o.option_name, o.option_value
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid,
         LATERAL pg_options_to_table(a.attfdwoptions) o
   WHERE c.relnamespace = 'imp'::regnamespace AND a.attnum > 0;
SELECT f.resource, f.doc->>'type' AS type, f.doc->>'title' AS title, c.attname AS column_name,
       octet_length(c.attname) AS bytes, c.type AS column_type, c.option_name, c.option_value
  FROM fields f
  JOIN custom_columns c ON c.resource = f.resource
   AND c.option_value = CASE f.resource WHEN 'tickets' THEN f.doc->>'id' ELSE f.doc->>'key' END
 ORDER BY f.resource, c.attnum;

-- every active custom field has a column, of the type issue 4 names; no
-- system field, no inactive field
CREATE TEMP TABLE type_rule (zendesk_type text, sql_type text);
INSERT INTO type_rule VALUES
  ('text', 'text'), ('textarea', 'text'), ('regexp', 'text'), ('tagger', 'text'),
  ('dropdown', 'text'), ('partialcreditcard', 'text'), ('multiselect', 'text[]'),
  ('checkbox', 'boolean'), ('integer', 'bigint'), ('decimal', 'numeric'), ('date', 'date'),
  ('lookup', 'bigint');
SELECT f.resource, f.doc->>'type' AS zendesk_type, (f.doc->>'active')::boolean AS active,
       count(c.attname) AS columns, bool_and(c.type = r.sql_type) AS type_ok
  FROM fields f
  LEFT JOIN type_rule r ON r.zendesk_type = f.doc->>'type'
  LEFT JOIN custom_columns c ON c.resource = f.resource
   AND c.option_value = CASE f.resource WHEN 'tickets' THEN f.doc->>'id' ELSE f.doc->>'key' END
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

-- the imported tables read the ground truth exactly: default and custom
-- columns, live tickets only (the table has no include_deleted)
SELECT pg_temp.truth_load('truth_tickets', '/_sim/tickets.jsonl') AS tickets,
       pg_temp.truth_load('truth_users', '/_sim/users.jsonl') AS users,
       pg_temp.truth_load('truth_organizations', '/_sim/organizations.jsonl') AS organizations,
       pg_temp.truth_load('truth_ticket_events', '/_sim/ticket_events.jsonl') AS ticket_events;
SELECT 'tickets' AS resource, * FROM pg_temp.compare('imp.tickets', 'truth_tickets', 'doc->>''status'' <> ''deleted''');
SELECT count(*) FILTER (WHERE seats > 2^32) > 0 AS beyond_2_32, count(products) > 0 AS multiselect,
       count(escalated) FILTER (WHERE escalated) > 0 AS checked, count(renewal_date) > 0 AS dates,
       count(refund_amount) FILTER (WHERE refund_amount::text LIKE '%.50') > 0 AS decimals_kept
  FROM scanned;
-- the added fields' values, as the patched tickets hold them
SELECT id, _360011759834, status_360011759854, raw_360011759874,
       an_extraordinarily_long_field_title_that_certainly_goes_beyond AS decimal,
       an_extraordinarily_long_field_title_that_certainly_360011759914 AS date, cafe_creme_brulee
  FROM scanned WHERE cafe_creme_brulee IS NOT NULL ORDER BY id;
SELECT 'users' AS resource, * FROM pg_temp.compare('imp.users', 'truth_users');
SELECT 'organizations' AS resource, * FROM pg_temp.compare('imp.organizations', 'truth_organizations');
SELECT 'ticket_events' AS resource, * FROM pg_temp.compare('imp.ticket_events', 'truth_ticket_events');

-- the same with integer and decimal fields sent as JSON numbers
SELECT pg_temp.sim('POST', '/_sim/switches', '{"number_values": "number"}')->>'number_values' AS number_values;
SELECT pg_temp.truth_load('truth_tickets', '/_sim/tickets.jsonl') AS tickets,
       pg_temp.truth_load('truth_users', '/_sim/users.jsonl') AS users,
       pg_temp.truth_load('truth_organizations', '/_sim/organizations.jsonl') AS organizations;
SELECT 'tickets' AS resource, * FROM pg_temp.compare('imp.tickets', 'truth_tickets', 'doc->>''status'' <> ''deleted''');
SELECT 'users' AS resource, * FROM pg_temp.compare('imp.users', 'truth_users');
SELECT 'organizations' AS resource, * FROM pg_temp.compare('imp.organizations', 'truth_organizations');
SELECT pg_temp.sim('POST', '/_sim/switches', '{"number_values": "string"}')->>'number_values' AS number_values;

-- a field renamed in Zendesk: the column keeps its id, and its values
SELECT pg_temp.sim('PATCH', '/_sim/ticket_fields/360011747994', '{"title": "Order #"}')
         #>> '{ticket_field,title}' AS renamed;
SELECT pg_temp.truth_load('truth_tickets', '/_sim/tickets.jsonl') AS tickets;
SELECT 'tickets' AS resource, * FROM pg_temp.compare('imp.tickets', 'truth_tickets', 'doc->>''status'' <> ''deleted''');
SELECT count(order_number) AS order_numbers FROM scanned;

-- LIMIT TO and EXCEPT, and field lists fetched only for the tables imported
CREATE SCHEMA imp_limit;
SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL AS log_cleared;
IMPORT FOREIGN SCHEMA zendesk LIMIT TO (users, no_such_table) FROM SERVER zd_imp INTO imp_limit;
SELECT relname FROM pg_class WHERE relnamespace = 'imp_limit'::regnamespace ORDER BY 1;
SELECT pg_temp.truth_load('request_log', '/_sim/requests.jsonl') AS requests;
SELECT doc->>'path' AS path FROM request_log ORDER BY doc->>'seq';
CREATE SCHEMA imp_except;
IMPORT FOREIGN SCHEMA zendesk EXCEPT (tickets, ticket_events) FROM SERVER zd_imp INTO imp_except;
SELECT relname FROM pg_class WHERE relnamespace = 'imp_except'::regnamespace ORDER BY 1;
CREATE SCHEMA imp_events;
SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL AS log_cleared;
IMPORT FOREIGN SCHEMA zendesk LIMIT TO (ticket_events) FROM SERVER zd_imp INTO imp_events;
SELECT relname FROM pg_class WHERE relnamespace = 'imp_events'::regnamespace ORDER BY 1;
SELECT count(*) AS requests FROM pg_temp.sim('GET', '/_sim/requests') a, jsonb_array_elements(a);

-- options: every field, active or not; include_deleted for tickets
CREATE SCHEMA imp_all;
IMPORT FOREIGN SCHEMA zendesk LIMIT TO (tickets, users) FROM SERVER zd_imp INTO imp_all
  OPTIONS (fields 'all', include_deleted 'true');
SELECT c.relname, c2.attname, c2.type, c2.option_value
  FROM pg_class c JOIN LATERAL (
         SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, o.option_value
           FROM pg_attribute a, pg_options_to_table(a.attfdwoptions) o
          WHERE a.attrelid = c.oid) c2 ON true
 WHERE c.relnamespace = 'imp_all'::regnamespace
   AND c2.option_value IN (SELECT CASE resource WHEN 'tickets' THEN doc->>'id' ELSE doc->>'key' END
                             FROM fields WHERE doc->>'active' = 'false')
 ORDER BY 1, 2;
SELECT ftoptions FROM pg_foreign_table WHERE ftrelid = 'imp_all.tickets'::regclass;
SELECT count(*) FILTER (WHERE status = 'deleted') AS deleted,
       count(*) = (SELECT count(*) FROM truth_tickets) AS all_tickets,
       count(legacy_code) AS legacy_values
  FROM imp_all.tickets;
CREATE SCHEMA imp_bad;
IMPORT FOREIGN SCHEMA zendesk FROM SERVER zd_imp INTO imp_bad OPTIONS (fields 'inactive');
IMPORT FOREIGN SCHEMA zendesk FROM SERVER zd_imp INTO imp_bad OPTIONS (custom_fields 'all');

-- a value that does not fit its column: an error naming the record, the
-- column and the value, never a silent NULL
ALTER FOREIGN TABLE imp.users ALTER COLUMN employee_id TYPE bigint;
SELECT id, employee_id FROM imp.users;
ALTER FOREIGN TABLE imp.users ALTER COLUMN employee_id TYPE text;
ALTER FOREIGN TABLE imp.tickets ALTER COLUMN seats TYPE integer;
SELECT id, seats FROM imp.tickets;
ALTER FOREIGN TABLE imp.tickets ALTER COLUMN seats TYPE bigint;
ALTER FOREIGN TABLE imp.organizations ALTER COLUMN owner TYPE boolean;
SELECT id, owner FROM imp.organizations;
ALTER FOREIGN TABLE imp.organizations ALTER COLUMN owner TYPE bigint;
CREATE FOREIGN TABLE imp.object_as_bigint (id bigint, via bigint) SERVER zd_imp OPTIONS (resource 'tickets');
SELECT * FROM imp.object_as_bigint;
CREATE FOREIGN TABLE imp.array_as_boolean (id bigint, tags boolean) SERVER zd_imp OPTIONS (resource 'tickets');
SELECT * FROM imp.array_as_boolean;
CREATE FOREIGN TABLE imp.text_as_time (id bigint, subject timestamptz) SERVER zd_imp OPTIONS (resource 'tickets');
SELECT * FROM imp.text_as_time;

-- an unknown column is an error with the valid keys; a custom-field option
-- of another resource too
CREATE FOREIGN TABLE imp.org_typo (id bigint, nmae text) SERVER zd_imp OPTIONS (resource 'organizations');
SELECT * FROM imp.org_typo;
CREATE FOREIGN TABLE imp.wrong_option (id bigint, tier text OPTIONS (organization_field 'tier'))
  SERVER zd_imp OPTIONS (resource 'users');
SELECT * FROM imp.wrong_option;

\! bash scripts/regress-sim.sh stop import
