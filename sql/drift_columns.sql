--
-- drift_columns: the additive side of schema drift.  Every active custom
-- field is recorded in sync_state.fields_seen with the column that maps it;
-- a run that meets a new field (or new options) says so; add_columns => true
-- gives a new field a column on the foreign table and on the mirror, and
-- reads again from the field's creation, so that the values set since then
-- reach the mirror.  A simulator of its own: the test moves its clock.
--
\set sim_url `bash scripts/regress-sim.sh start drift_columns --seed 3 --tickets 300 --export-limit 100000 --account-limit 100000`
SELECT set_config('zd.sim_url', :'sim_url', false) IS NOT NULL AS sim_started;
\set ECHO none
\i sql/include/ground_truth.sql
RESET client_min_messages;
\set ECHO all

CREATE SERVER zd_dc FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '100000');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_dc
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA zdc;
CREATE SCHEMA mirror_dc;
IMPORT FOREIGN SCHEMA zendesk LIMIT TO (tickets, users) FROM SERVER zd_dc INTO zdc;

-- export requests since the log was last cleared, by endpoint
CREATE FUNCTION pg_temp.exports() RETURNS TABLE (endpoint text, start_time bigint)
LANGUAGE sql AS $$
  SELECT regexp_replace(r->>'path', '^/api/v2/incremental/([a-z_]+)/.*$', '\1'),
         (regexp_match(r->>'query', 'start_time=(\d+)'))[1]::bigint
    FROM jsonb_array_elements(pg_temp.sim('GET', '/_sim/requests')) r
   WHERE r->>'path' LIKE '/api/v2/incremental/%' $$;
-- the fields a sync saw that no column maps
CREATE FUNCTION pg_temp.unmapped(t regclass) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT f->>'type' || ' ' || (f->>'title')
    FROM zendesk_fdw.sync_state, jsonb_array_elements(fields_seen) f
   WHERE target = t AND f->>'column' IS NULL ORDER BY 1 $$;

-- a field created after the import, before the first sync: no column maps
-- it, on purpose (add_columns leaves it alone: it is not new to the mirror)
SELECT pg_temp.sim('POST', '/_sim/ticket_fields', '{"type": "text", "title": "Left out on purpose"}')
  #>> '{ticket_field,title}' AS field_created;

-- first runs: every active custom field recorded with the column mapping it
SET client_min_messages = warning;
CALL zendesk_fdw.sync('zdc.tickets', 'mirror_dc.tickets');
CALL zendesk_fdw.sync('zdc.tickets', 'mirror_dc.tickets_too');
CALL zendesk_fdw.sync('zdc.users', 'mirror_dc.users');
RESET client_min_messages;
SELECT target, jsonb_array_length(fields_seen) AS fields_seen,
       (SELECT count(*) FROM jsonb_array_elements(fields_seen) f WHERE f->>'column' IS NULL) AS unmapped
  FROM zendesk_fdw.sync_state WHERE target::text LIKE 'mirror_dc.%' ORDER BY 1;

-- at a known instant, a new drop-down field and a new user field; a ticket
-- and a user get values for them at once
SELECT pg_temp.sim('POST', '/_sim/clock', '{"set": 1893456000}')->>'now' IS NOT NULL AS clock_set;
SELECT set_config('zd.esc', f->>'id', false) IS NOT NULL AS field_created, f->>'created_at' AS created_at
  FROM (SELECT pg_temp.sim('POST', '/_sim/ticket_fields',
    '{"type": "tagger", "title": "Escalation level", "custom_field_options": [{"name": "Low", "value": "esc_low"}, {"name": "High", "value": "esc_high"}]}')
    -> 'ticket_field' AS f) s;
SELECT pg_temp.sim('POST', '/_sim/user_fields',
  '{"type": "text", "key": "support_level", "title": "Support level"}') IS NOT NULL AS user_field_created;
SELECT pg_temp.sim('PATCH', '/_sim/tickets/7',
  format('{"custom_fields": [{"id": %s, "value": "esc_high"}]}', current_setting('zd.esc')))
  #>> '{ticket,id}' AS ticket_updated;
SELECT pg_temp.sim('PATCH', '/_sim/users/' || (SELECT min(id) FROM mirror_dc.users),
  '{"user_fields": {"support_level": "gold"}}') IS NOT NULL AS user_updated;
SELECT pg_temp.sim('POST', '/_sim/clock', '{"advance": 120}')->>'now' IS NOT NULL AS clock_advanced;

-- without add_columns: the run says what is new, mirrors what it maps, and
-- records the new field as mapped by no column
\set VERBOSITY default
CALL zendesk_fdw.sync('zdc.tickets', 'mirror_dc.tickets');
SELECT * FROM pg_temp.unmapped('mirror_dc.tickets');
-- a second run has nothing new to say
CALL zendesk_fdw.sync('zdc.tickets', 'mirror_dc.tickets');

-- with add_columns: the column on the foreign table and the mirror, and the
-- run reads again from the field's creation: one export request, from then
SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL AS log_cleared;
CALL zendesk_fdw.sync('zdc.tickets', 'mirror_dc.tickets', add_columns => true);
SELECT endpoint, to_timestamp(start_time) AS start_time FROM pg_temp.exports();
SELECT attname, format_type(atttypid, atttypmod), attfdwoptions = ARRAY['custom_field_id=' || current_setting('zd.esc')] AS maps_the_field
  FROM pg_attribute WHERE attrelid = 'zdc.tickets'::regclass AND attname = 'escalation_level';
SELECT id, escalation_level FROM mirror_dc.tickets WHERE escalation_level IS NOT NULL;
SELECT * FROM pg_temp.unmapped('mirror_dc.tickets');
SELECT count(*) AS left_out_columns FROM pg_attribute
 WHERE attrelid = 'zdc.tickets'::regclass AND attname LIKE 'left_out_on_purpose%';
-- the mirror equals the foreign table, new column included
SELECT count(*) AS differences FROM (
  (SELECT id, escalation_level, generated_timestamp FROM zdc.tickets EXCEPT
   SELECT id, escalation_level, generated_timestamp FROM mirror_dc.tickets)
  UNION ALL
  (SELECT id, escalation_level, generated_timestamp FROM mirror_dc.tickets EXCEPT
   SELECT id, escalation_level, generated_timestamp FROM zdc.tickets)) d;

-- another mirror of the same source now lacks the column: its run stops
-- with a hint, and add_columns adds it there and reads again from the
-- field's creation
CALL zendesk_fdw.sync('zdc.tickets', 'mirror_dc.tickets_too');
CALL zendesk_fdw.sync('zdc.tickets', 'mirror_dc.tickets_too', add_columns => true);
SELECT id, escalation_level FROM mirror_dc.tickets_too WHERE escalation_level IS NOT NULL;

-- user fields map by key; materialize takes add_columns too
SELECT status, rows_updated, error FROM zendesk_fdw.materialize('zdc.users', 'mirror_dc.users', add_columns => true);
SELECT count(*) FILTER (WHERE support_level = 'gold') AS gold, count(*) AS users FROM mirror_dc.users;

-- new options on a field count as an additive change too
SELECT pg_temp.sim('PATCH', '/_sim/ticket_fields/' || current_setting('zd.esc'),
  '{"custom_field_options": [{"name": "Low", "value": "esc_low"}, {"name": "High", "value": "esc_high"}, {"name": "Urgent", "value": "esc_urgent"}]}')
  IS NOT NULL AS options_changed;
CALL zendesk_fdw.sync('zdc.tickets', 'mirror_dc.tickets');

-- a resource without custom fields: add_columns has nothing to do, and no
-- fields request is made
CREATE FOREIGN TABLE zdc.events (id bigint, ticket_id bigint, created_at timestamptz)
  SERVER zd_dc OPTIONS (resource 'ticket_events');
SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL AS log_cleared;
SELECT status, rows_inserted > 0 AS filled
  FROM zendesk_fdw.materialize('zdc.events', 'mirror_dc.events', add_columns => true);
SELECT count(*) AS fields_requests FROM jsonb_array_elements(pg_temp.sim('GET', '/_sim/requests')) r
 WHERE r->>'path' LIKE '%fields%';

-- add_columns needs the foreign table's owner
CREATE ROLE regress_zd_drift_columns;
GRANT USAGE ON SCHEMA zdc, mirror_dc TO regress_zd_drift_columns;
GRANT SELECT ON zdc.tickets TO regress_zd_drift_columns;
GRANT CREATE ON SCHEMA mirror_dc TO regress_zd_drift_columns;
CREATE USER MAPPING FOR regress_zd_drift_columns SERVER zd_dc
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
SET ROLE regress_zd_drift_columns;
SET client_min_messages = warning;
CALL zendesk_fdw.sync('zdc.tickets', 'mirror_dc.theirs');
RESET client_min_messages;
RESET ROLE;
SELECT pg_temp.sim('POST', '/_sim/ticket_fields', '{"type": "text", "title": "Late field"}') IS NOT NULL AS created;
SET ROLE regress_zd_drift_columns;
\set VERBOSITY terse
CALL zendesk_fdw.sync('zdc.tickets', 'mirror_dc.theirs', add_columns => true);
\set VERBOSITY default
RESET ROLE;

SET client_min_messages = warning;
DROP SCHEMA mirror_dc CASCADE;
DROP SERVER zd_dc CASCADE;
DROP SCHEMA zdc;
DROP ROLE regress_zd_drift_columns;
RESET client_min_messages;
\! bash scripts/regress-sim.sh stop drift_columns
