--
-- upgrade: ALTER EXTENSION zendesk_fdw UPDATE from 1.0 (frozen when the sync
-- core landed) keeps sync_state and the mirrors working: install 1.0, sync,
-- change Zendesk, update, sync again from the checkpoint.  Then the updated
-- extension's objects are compared with those of a fresh install of the
-- current version: both paths must give the same catalog.
--
\set sim_url `bash scripts/regress-sim.sh start upgrade --seed 4 --tickets 500 --export-limit 100000 --account-limit 100000`
SELECT set_config('zd.sim_url', :'sim_url', false) IS NOT NULL AS sim_started;
\set ECHO none
\i sql/include/ground_truth.sql
RESET client_min_messages;
\set ECHO all

-- the extension's objects and their definitions, grants, policies and
-- configuration tables
CREATE FUNCTION pg_temp.extension_catalog() RETURNS TABLE (object text, definition text)
LANGUAGE sql AS $$
  WITH members AS (
    SELECT classid, objid FROM pg_depend
     WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
       AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'zendesk_fdw')
       AND classid <> 'pg_type'::regclass)  -- 17 lists the row types of tables and views too
  SELECT pg_describe_object(classid, objid, 0),
         CASE classid
           WHEN 'pg_proc'::regclass THEN
             (SELECT pg_get_function_arguments(p.oid) || ' -> ' || coalesce(pg_get_function_result(p.oid), 'procedure')
                     || ' ' || p.prosrc || ' acl ' || coalesce(p.proacl::text, 'default')
                FROM pg_proc p WHERE p.oid = objid)
           WHEN 'pg_class'::regclass THEN
             (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                                || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                                || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''),
                                ', ' ORDER BY a.attnum)
                FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               WHERE a.attrelid = objid AND a.attnum > 0 AND NOT a.attisdropped)
             || (SELECT ' acl ' || coalesce(c.relacl::text, 'default') || ' rls ' || c.relrowsecurity
                  FROM pg_class c WHERE c.oid = objid)
             || coalesce((SELECT ' constraints ' || string_agg(pg_get_constraintdef(k.oid), '; ' ORDER BY conname)
                            FROM pg_constraint k WHERE k.conrelid = objid), '')
             || coalesce((SELECT ' policies ' || string_agg(p.polname || ' ' || pg_get_expr(p.polqual, p.polrelid), '; ' ORDER BY polname)
                            FROM pg_policy p WHERE p.polrelid = objid), '')
           WHEN 'pg_namespace'::regclass THEN
             (SELECT coalesce(n.nspacl::text, 'default') FROM pg_namespace n WHERE n.oid = objid)
         END
    FROM members
  UNION ALL
  SELECT 'configuration tables', array_to_string(extconfig::regclass[], ', ') || ' ' || array_to_string(extcondition, ', ')
    FROM pg_extension WHERE extname = 'zendesk_fdw'
$$;

-- version 1.0, as it was frozen
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS zendesk_fdw CASCADE;
RESET client_min_messages;
CREATE EXTENSION zendesk_fdw VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'zendesk_fdw';
CREATE SERVER zd_up FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '100000');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_up
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA zdu;
CREATE SCHEMA mirror_up;
IMPORT FOREIGN SCHEMA zendesk LIMIT TO (tickets) FROM SERVER zd_up INTO zdu;
CALL zendesk_fdw.sync('zdu.tickets', 'mirror_up.tickets');
SELECT * FROM zendesk_fdw.materialize('zdu.tickets', 'mirror_up.tickets_flagged', delete_mode => 'flag')
  \gset m_
SELECT :'m_status' AS status, :m_rows_inserted AS rows_inserted;
SELECT target, status, fields_fingerprint IS NOT NULL AS has_fingerprint, after_cursor IS NOT NULL AS has_cursor
  FROM zendesk_fdw.sync_state ORDER BY 1;

-- Zendesk changes while the extension is updated
SELECT pg_temp.sim('PATCH', '/_sim/tickets/11', '{"subject": "changed before the update"}') #>> '{ticket,id}' AS updated;
SELECT pg_temp.sim('DELETE', '/_sim/tickets/12') #>> '{ticket,id}' AS deleted;
SELECT pg_temp.sim('POST', '/_sim/clock', '{"advance": 120}') IS NOT NULL AS clock_advanced;

ALTER EXTENSION zendesk_fdw UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'zendesk_fdw';
-- the checkpoints are where they were; the next runs resume from them
SELECT target, status, fields_seen IS NULL AS fields_seen_not_yet FROM zendesk_fdw.sync_state ORDER BY 1;
SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL AS log_cleared;
CALL zendesk_fdw.sync('zdu.tickets', 'mirror_up.tickets');
SELECT status, rows_updated, rows_deleted FROM zendesk_fdw.materialize('zdu.tickets', 'mirror_up.tickets_flagged');
SELECT count(*) AS export_requests
  FROM jsonb_array_elements(pg_temp.sim('GET', '/_sim/requests')) r
 WHERE r->>'path' LIKE '/api/v2/incremental/%';
SELECT id, subject, status FROM mirror_up.tickets WHERE id IN (11, 12) ORDER BY id;
SELECT id, subject, status FROM mirror_up.tickets_flagged WHERE id IN (11, 12) ORDER BY id;
-- both mirrors equal the ground truth (the flagged one keeps deleted tickets)
SET client_min_messages = warning;
SELECT pg_temp.truth_load('truth', '/_sim/tickets.jsonl') > 0 AS truth_loaded;
RESET client_min_messages;
SELECT count(*) AS differences FROM (
  (SELECT id, generated_timestamp FROM mirror_up.tickets
   EXCEPT SELECT (doc->>'id')::bigint, to_timestamp((doc->>'generated_timestamp')::bigint) FROM truth
    WHERE doc->>'status' <> 'deleted')
  UNION ALL
  (SELECT (doc->>'id')::bigint, to_timestamp((doc->>'generated_timestamp')::bigint) FROM truth
    WHERE doc->>'status' <> 'deleted' EXCEPT SELECT id, generated_timestamp FROM mirror_up.tickets)
  UNION ALL
  (SELECT id, generated_timestamp FROM mirror_up.tickets_flagged
   EXCEPT SELECT (doc->>'id')::bigint, to_timestamp((doc->>'generated_timestamp')::bigint) FROM truth)
  UNION ALL
  (SELECT (doc->>'id')::bigint, to_timestamp((doc->>'generated_timestamp')::bigint) FROM truth
   EXCEPT SELECT id, generated_timestamp FROM mirror_up.tickets_flagged)) d;
-- what 1.1 adds works on the updated extension
SELECT target, jsonb_array_length(fields_seen) > 0 AS fields_seen FROM zendesk_fdw.sync_state ORDER BY 1;
SELECT pg_temp.sim('POST', '/_sim/ticket_fields', '{"type": "checkbox", "title": "After the update"}') IS NOT NULL AS created;
CALL zendesk_fdw.sync('zdu.tickets', 'mirror_up.tickets', add_columns => true);

-- the updated extension has exactly the objects of a fresh install
CREATE TABLE updated_catalog AS SELECT * FROM pg_temp.extension_catalog();
SET client_min_messages = warning;
DROP SCHEMA mirror_up CASCADE;
DROP SERVER zd_up CASCADE;
DROP SCHEMA zdu;
DROP EXTENSION zendesk_fdw CASCADE;
RESET client_min_messages;
CREATE EXTENSION zendesk_fdw;
SELECT 'only after the update' AS side, * FROM (TABLE updated_catalog EXCEPT SELECT * FROM pg_temp.extension_catalog()) a
UNION ALL
SELECT 'only in a fresh install', * FROM (SELECT * FROM pg_temp.extension_catalog() EXCEPT TABLE updated_catalog) b;
SELECT count(*) AS objects_compared FROM updated_catalog;
DROP TABLE updated_catalog;
\! bash scripts/regress-sim.sh stop upgrade
