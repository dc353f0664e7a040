--
-- sync: zendesk_fdw.sync and materialize mirror Zendesk exactly.  After
-- every run the mirror is compared with the simulator's ground truth, both
-- ways, on the whole record (raw); the requests are read from the
-- simulator's log.
--
\getenv sim_url ZD_SIM_URL
SELECT set_config('zd.sim_url', :'sim_url', false) IS NOT NULL AS sim_url_set;
\setenv ZD_DB :DBNAME

CREATE TEMP TABLE truth (doc jsonb);
CREATE TEMP TABLE log (doc jsonb);
CREATE FUNCTION pg_temp.load(tab regclass, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('TRUNCATE %s', tab);
  EXECUTE format('COPY %s FROM PROGRAM %L WITH (FORMAT csv, QUOTE E''\x01'', DELIMITER E''\x02'')',
                 tab, 'curl -sf ' || current_setting('zd.sim_url') || '/_sim/' || what);
END $$;
-- the mirror against the ground truth: rows, and rows on one side only
CREATE FUNCTION pg_temp.compare(target regclass, resource text, keep_deleted bool DEFAULT false)
RETURNS TABLE (mirror_rows bigint, only_in_mirror bigint, only_in_zendesk bigint)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_temp.load('truth', resource || '.jsonl');
  IF NOT keep_deleted THEN
    DELETE FROM truth WHERE doc->>'status' = 'deleted';
  END IF;
  RETURN QUERY EXECUTE format(
    'SELECT (SELECT count(*) FROM %1$s),
            (SELECT count(*) FROM (SELECT raw FROM %1$s EXCEPT SELECT doc FROM truth) a),
            (SELECT count(*) FROM (SELECT doc FROM truth EXCEPT SELECT raw FROM %1$s) b)', target);
END $$;
-- the export requests since the log was cleared
CREATE FUNCTION pg_temp.requests(endpoint text)
RETURNS TABLE (n bigint, by_ text, status int) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_temp.load('log', 'requests.jsonl');
  RETURN QUERY SELECT row_number() OVER (ORDER BY (doc->>'seq')::int),
                      substring(doc->>'query' from '^(cursor|start_time)='),
                      (doc->>'status')::int
                 FROM log WHERE doc->>'path' LIKE '/api/v2/incremental/' || endpoint || '%';
END $$;
CREATE FUNCTION pg_temp.state(target regclass)
RETURNS TABLE (status text, pages bigint, inserted bigint, updated bigint, deleted bigint,
               has_cursor bool, has_recovery_time bool, error text)
LANGUAGE sql AS $$
  SELECT status, pages, rows_inserted, rows_updated, rows_deleted, after_cursor IS NOT NULL,
         recovery_time IS NOT NULL, error
    FROM zendesk_fdw.sync_state WHERE target = $1
$$;

CREATE SERVER zd_sync FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '6000');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_sync
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA zd_sync;
CREATE FOREIGN TABLE zd_sync.tickets (
  id bigint, subject text, status text, updated_at timestamptz,
  generated_timestamp timestamptz, tags text[], custom_fields jsonb, raw jsonb
) SERVER zd_sync OPTIONS (resource 'tickets');
CREATE FOREIGN TABLE zd_sync.users (id bigint, name text, updated_at timestamptz, raw jsonb)
  SERVER zd_sync OPTIONS (resource 'users');
CREATE FOREIGN TABLE zd_sync.organizations (id bigint, name text, updated_at timestamptz, raw jsonb)
  SERVER zd_sync OPTIONS (resource 'organizations');
CREATE FOREIGN TABLE zd_sync.ticket_events (id bigint, ticket_id bigint, "timestamp" timestamptz, raw jsonb)
  SERVER zd_sync OPTIONS (resource 'ticket_events');
CREATE SCHEMA mirror;

-- first sync: the target is created (same columns, primary key id), and
-- holds every ticket but the deleted ones; requests: the minimum
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
CALL zendesk_fdw.sync('zd_sync.tickets', 'mirror.tickets');
SELECT * FROM pg_temp.compare('mirror.tickets', 'tickets');
SELECT * FROM pg_temp.state('mirror.tickets');
\d mirror.tickets
SELECT (SELECT count(*) FROM pg_temp.requests('tickets')) AS requests,
       ceil((SELECT count(*) FROM truth) / 1000.0) AS minimum;
-- the typed columns agree with the record
SELECT count(*) AS columns_disagreeing FROM mirror.tickets
 WHERE subject IS DISTINCT FROM raw->>'subject' OR status IS DISTINCT FROM raw->>'status'
    OR generated_timestamp <> to_timestamp((raw->>'generated_timestamp')::bigint);

-- a refresh with nothing new: one request, from the stored cursor; the
-- checkpoint stays
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT after_cursor AS cursor_before FROM zendesk_fdw.sync_state WHERE target = 'mirror.tickets'::regclass \gset
CALL zendesk_fdw.sync('zd_sync.tickets', 'mirror.tickets');
SELECT * FROM pg_temp.requests('tickets');
SELECT after_cursor = :'cursor_before' AS cursor_kept FROM zendesk_fdw.sync_state
 WHERE target = 'mirror.tickets'::regclass;

-- creates, updates, deletes and a restore in Zendesk; the refresh applies
-- them (three new, a restored one inserted, two updated, two removed) in
-- one request, and the mirror is the ground truth again
\! curl -sf -X POST -d '{"subject": "Printer on fire", "count": 3}' "$ZD_SIM_URL/_sim/tickets" >/dev/null
\! curl -sf -X PATCH -d '{"subject": "Renamed", "status": "solved"}' "$ZD_SIM_URL/_sim/tickets/10" >/dev/null
\! curl -sf -X PATCH -d '{"priority": "urgent", "comment": "on it"}' "$ZD_SIM_URL/_sim/tickets/11" >/dev/null
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/tickets/12" >/dev/null
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/tickets/13" >/dev/null
SELECT FROM pg_temp.load('truth', 'tickets.jsonl');
SELECT min((doc->>'id')::bigint) AS restored_id FROM truth
 WHERE doc->>'status' = 'deleted' AND doc->>'subject' <> 'SCRUBBED' AND (doc->>'id')::bigint NOT IN (12, 13) \gset
\setenv ZD_RESTORED_ID :restored_id
\! curl -sf -X POST "$ZD_SIM_URL/_sim/tickets/$ZD_RESTORED_ID/restore" >/dev/null
\! curl -sf -X POST -d '{"advance": 120}' "$ZD_SIM_URL/_sim/clock" >/dev/null
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
CALL zendesk_fdw.sync('zd_sync.tickets', 'mirror.tickets');
SELECT * FROM pg_temp.compare('mirror.tickets', 'tickets');
SELECT * FROM pg_temp.state('mirror.tickets');
SELECT * FROM pg_temp.requests('tickets');
SELECT id, stream_time IS NOT NULL AS has_time FROM zendesk_fdw.sync_tombstones
 WHERE target = 'mirror.tickets'::regclass AND id IN (12, 13, :restored_id) ORDER BY id;
SELECT subject, status FROM mirror.tickets WHERE id = 10;

-- a repeated run of the same pages (a reset checkpoint) neither duplicates
-- nor regresses a row: equal versions are rewritten in place
CALL zendesk_fdw.sync_reset('zd_sync.tickets', 'mirror.tickets');
SELECT count(*) AS state_rows FROM zendesk_fdw.sync_state WHERE target = 'mirror.tickets'::regclass;
-- a pair that never synced: nothing to forget, and it says so
CALL zendesk_fdw.sync_reset('zd_sync.users', 'mirror.tickets');
SELECT status, rows_inserted, rows_deleted, error FROM zendesk_fdw.materialize('zd_sync.tickets', 'mirror.tickets');
SELECT * FROM pg_temp.compare('mirror.tickets', 'tickets');

-- delete mode flag: deleted tickets stay, with status 'deleted'
SELECT status, rows_inserted, rows_updated, rows_deleted, error
  FROM zendesk_fdw.materialize('zd_sync.tickets', 'mirror.tickets_flagged', delete_mode => 'flag');
SELECT * FROM pg_temp.compare('mirror.tickets_flagged', 'tickets', keep_deleted => true);
CALL zendesk_fdw.sync('zd_sync.tickets', 'mirror.tickets_flagged', delete_mode => 'remove');

-- an atomic CALL cannot commit: it fails at once, naming materialize
BEGIN;
CALL zendesk_fdw.sync('zd_sync.tickets', 'mirror.tickets');
ROLLBACK;
CREATE PROCEDURE pg_temp.sync_with_set() LANGUAGE plpgsql SET work_mem = '8MB'
  AS $$ BEGIN CALL zendesk_fdw.sync('zd_sync.tickets', 'mirror.tickets'); END $$;
-- (its CONTEXT names the session's temporary schema, whose number varies)
\set SHOW_CONTEXT never
CALL pg_temp.sync_with_set();
\set SHOW_CONTEXT errors

-- the cursor Zendesk rejects as invalid: the export starts again from the
-- recovery time, and the mirror is exact
\! curl -sf -X PATCH -d '{"subject": "Changed before the cursor expired"}' "$ZD_SIM_URL/_sim/tickets/20" >/dev/null
\! curl -sf -X POST -d '{"advance": 120}' "$ZD_SIM_URL/_sim/clock" >/dev/null
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "query": "cursor=", "kind": "invalid_cursor", "count": 1}' "$ZD_SIM_URL/_sim/faults" >/dev/null
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SET client_min_messages = warning;  -- how many records share the restart second varies
CALL zendesk_fdw.sync('zd_sync.tickets', 'mirror.tickets');
RESET client_min_messages;
SELECT * FROM pg_temp.requests('tickets');
SELECT status, inserted, updated >= 1 AS updated, deleted, error FROM pg_temp.state('mirror.tickets');
SELECT * FROM pg_temp.compare('mirror.tickets', 'tickets');
SELECT subject FROM mirror.tickets WHERE id = 20;

-- a sync cancelled mid-run (statement_timeout while Zendesk holds the
-- second page) keeps the page it committed, records the error, and the
-- next run resumes from the stored cursor
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "skip": 1, "delay": 5, "count": 1}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SET statement_timeout = '2s';
CALL zendesk_fdw.sync('zd_sync.tickets', 'mirror.tickets_cancelled');
RESET statement_timeout;
SELECT * FROM pg_temp.state('mirror.tickets_cancelled');
SELECT count(*) AS rows_kept FROM mirror.tickets_cancelled;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
CALL zendesk_fdw.sync('zd_sync.tickets', 'mirror.tickets_cancelled');
SELECT * FROM pg_temp.requests('tickets') WHERE n = 1;
SELECT * FROM pg_temp.compare('mirror.tickets_cancelled', 'tickets');

-- one run per (source, target): a second one fails at once, naming the
-- backend that runs the first
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/users/cursor", "delay": 4, "count": 1}' "$ZD_SIM_URL/_sim/faults" >/dev/null
\! psql -X -q -d "$ZD_DB" -c "CALL zendesk_fdw.sync('zd_sync.users', 'mirror.users')" >/dev/null 2>&1 &
DO $$ BEGIN
  FOR i IN 1..200 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 31332 AND granted);
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
\set VERBOSITY terse
CALL zendesk_fdw.sync('zd_sync.users', 'mirror.users');
\set VERBOSITY default
DO $$
DECLARE
  detail text;
  holder int;
BEGIN
  SELECT pid INTO holder FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 31332 AND granted;
  PERFORM zendesk_fdw.materialize('zd_sync.users', 'mirror.users');
  RAISE NOTICE 'the second run went through';
EXCEPTION WHEN lock_not_available THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RAISE NOTICE 'second run refused, naming the running backend: %',
    detail = format('Backend PID %s runs it.', holder);
END $$;
DO $$ BEGIN
  FOR i IN 1..400 LOOP
    EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 31332);
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT * FROM pg_temp.compare('mirror.users', 'users');

-- organizations (a time-based export) and ticket events (appended by id)
SELECT status, error FROM zendesk_fdw.materialize('zd_sync.organizations', 'mirror.organizations');
SELECT * FROM pg_temp.compare('mirror.organizations', 'organizations');
\! curl -sf -X PATCH -d '{"name": "Renamed organization"}' "$ZD_SIM_URL/_sim/organizations/3" >/dev/null
\! curl -sf -X POST -d '{"advance": 120}' "$ZD_SIM_URL/_sim/clock" >/dev/null
CALL zendesk_fdw.sync('zd_sync.organizations', 'mirror.organizations');
SELECT * FROM pg_temp.compare('mirror.organizations', 'organizations');
CALL zendesk_fdw.sync('zd_sync.ticket_events', 'mirror.ticket_events');
SELECT * FROM pg_temp.compare('mirror.ticket_events', 'ticket_events');
CALL zendesk_fdw.sync('zd_sync.ticket_events', 'mirror.ticket_events');
SELECT * FROM pg_temp.compare('mirror.ticket_events', 'ticket_events');

-- a truncated target is noticed and mirrored again from the start
TRUNCATE mirror.tickets;
CALL zendesk_fdw.sync('zd_sync.tickets', 'mirror.tickets');
SELECT * FROM pg_temp.compare('mirror.tickets', 'tickets');

-- a tombstone newer than the version a page brings keeps the id out (a
-- stale page cannot bring a removed row back); a newer version clears it
DELETE FROM mirror.tickets WHERE id = 30;
CALL zendesk_fdw.sync_reset('zd_sync.tickets', 'mirror.tickets');
INSERT INTO zendesk_fdw.sync_tombstones VALUES ('mirror.tickets', 30, 'infinity');
SELECT status, rows_inserted FROM zendesk_fdw.materialize('zd_sync.tickets', 'mirror.tickets');
SELECT count(*) AS brought_back FROM mirror.tickets WHERE id = 30;
UPDATE zendesk_fdw.sync_tombstones SET stream_time = '2000-01-01' WHERE id = 30;
\! curl -sf -X PATCH -d '{"subject": "Back again"}' "$ZD_SIM_URL/_sim/tickets/30" >/dev/null
\! curl -sf -X POST -d '{"advance": 120}' "$ZD_SIM_URL/_sim/clock" >/dev/null
CALL zendesk_fdw.sync('zd_sync.tickets', 'mirror.tickets');
SELECT subject FROM mirror.tickets WHERE id = 30;
SELECT count(*) AS tombstone_left FROM zendesk_fdw.sync_tombstones WHERE id = 30;
SELECT * FROM pg_temp.compare('mirror.tickets', 'tickets');

-- an unqualified target is the table the search path finds, not a new one
-- in the first schema of the path
CREATE SCHEMA first_in_path;
SET search_path = first_in_path, mirror, public;
SET client_min_messages = warning;
CALL zendesk_fdw.sync('zd_sync.organizations', 'organizations');
RESET client_min_messages;
RESET search_path;
SELECT count(*) AS tables_in_first_in_path FROM pg_tables WHERE schemaname = 'first_in_path';
SELECT status FROM zendesk_fdw.sync_state WHERE target = 'mirror.organizations'::regclass;

-- materialize holds the run's lock until its transaction ends: a sync from
-- another session cannot start on a checkpoint not yet committed
BEGIN;
SELECT status FROM zendesk_fdw.materialize('zd_sync.organizations', 'mirror.organizations');
\! psql -X -q -d "$ZD_DB" -c "CALL zendesk_fdw.sync('zd_sync.organizations', 'mirror.organizations')" 2>&1 | sed -n 1p
COMMIT;
\! psql -X -q -d "$ZD_DB" -c "CALL zendesk_fdw.sync('zd_sync.organizations', 'mirror.organizations')" >/dev/null 2>&1 && echo "after the commit, it runs"

-- the custom fields a source maps are fingerprinted at the first run; one
-- deactivated in Zendesk since stops the next run, naming it, before any
-- page; resync takes the fields as they are now
CREATE FOREIGN TABLE zd_sync.tickets_fields (id bigint, generated_timestamp timestamptz,
  order_number text OPTIONS (custom_field_id '360011747994'),
  seats bigint OPTIONS (custom_field_id '360011748014'), raw jsonb)
  SERVER zd_sync OPTIONS (resource 'tickets');
SET client_min_messages = warning;
CALL zendesk_fdw.sync('zd_sync.tickets_fields', 'mirror.tickets_fields');
RESET client_min_messages;
SELECT fields_fingerprint FROM zendesk_fdw.sync_state WHERE target = 'mirror.tickets_fields'::regclass;
SELECT count(*) FILTER (WHERE seats IS NOT NULL) > 0 AS seats_filled FROM mirror.tickets_fields;
\! curl -sf -X POST "$ZD_SIM_URL/_sim/ticket_fields/360011748014/deactivate" >/dev/null
SELECT after_cursor AS cursor_before FROM zendesk_fdw.sync_state WHERE target = 'mirror.tickets_fields'::regclass \gset
CALL zendesk_fdw.sync('zd_sync.tickets_fields', 'mirror.tickets_fields');
SELECT status, after_cursor = :'cursor_before' AS checkpoint_kept FROM zendesk_fdw.sync_state
 WHERE target = 'mirror.tickets_fields'::regclass;
SET client_min_messages = warning;
CALL zendesk_fdw.resync('zd_sync.tickets_fields', 'mirror.tickets_fields');
RESET client_min_messages;
SELECT status, fields_fingerprint FROM zendesk_fdw.sync_state WHERE target = 'mirror.tickets_fields'::regclass;

-- adopting a table: compatible ones are, others are refused with the reason
CREATE TABLE mirror.adopted (id bigint PRIMARY KEY, subject text, status text,
  updated_at timestamptz, generated_timestamp timestamptz, tags text[], custom_fields jsonb,
  raw jsonb, note text DEFAULT 'mine');
SELECT status, rows_inserted > 0 AS filled FROM zendesk_fdw.materialize('zd_sync.tickets', 'mirror.adopted');
SELECT count(*) FILTER (WHERE note = 'mine') = count(*) AS extra_column_kept FROM mirror.adopted;
CREATE TABLE mirror.wrong (id bigint, subject int);
SELECT status FROM zendesk_fdw.materialize('zd_sync.tickets', 'mirror.wrong');
SELECT status FROM zendesk_fdw.materialize('mirror.wrong', 'mirror.other');

-- a record that cannot be converted stops the run with its id and column,
-- and its page is not applied; with quarantine it goes to the quarantine
-- table and the run goes on
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 200, "body": "{\"tickets\": [{\"id\": 900001, \"subject\": \"fine\", \"status\": \"open\", \"tags\": [\"a\"], \"generated_timestamp\": 1790000000, \"updated_at\": \"2026-09-21T14:13:20Z\"}, {\"id\": 900002, \"subject\": \"unconvertible\", \"status\": \"open\", \"tags\": {\"not\": \"an array\"}, \"generated_timestamp\": 1790000001, \"updated_at\": \"2026-09-21T14:13:21Z\"}], \"after_url\": null, \"after_cursor\": \"MTc5MDAwMDAwMS4wfHw5MDAwMDJ8\", \"before_url\": null, \"before_cursor\": null, \"end_of_stream\": true}"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT status, rows_inserted, error FROM zendesk_fdw.materialize('zd_sync.tickets', 'mirror.tickets_strict');
SELECT count(*) AS rows_applied FROM mirror.tickets_strict;
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 200, "body": "{\"tickets\": [{\"id\": 900001, \"subject\": \"fine\", \"status\": \"open\", \"tags\": [\"a\"], \"generated_timestamp\": 1790000000, \"updated_at\": \"2026-09-21T14:13:20Z\"}, {\"id\": 900002, \"subject\": \"unconvertible\", \"status\": \"open\", \"tags\": {\"not\": \"an array\"}, \"generated_timestamp\": 1790000001, \"updated_at\": \"2026-09-21T14:13:21Z\"}], \"after_url\": null, \"after_cursor\": \"MTc5MDAwMDAwMS4wfHw5MDAwMDJ8\", \"before_url\": null, \"before_cursor\": null, \"end_of_stream\": true}"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT status, rows_inserted, rows_quarantined, error
  FROM zendesk_fdw.materialize('zd_sync.tickets', 'mirror.tickets_strict', quarantine => 'mirror.quarantined');
SELECT id, subject FROM mirror.tickets_strict;
SELECT source, id, stream_time = to_timestamp(1790000001) AS stream_time, error, record->'tags' AS tags
  FROM mirror.quarantined;

-- names are quoted everywhere: a target name is a name, never SQL
CREATE TABLE mirror.victim (x int);
SELECT status FROM zendesk_fdw.materialize('zd_sync.organizations', 'mirror."o; DROP TABLE mirror.victim; --"');
SELECT to_regclass('mirror.victim') IS NOT NULL AS victim_still_there;
SELECT * FROM pg_temp.compare('mirror."o; DROP TABLE mirror.victim; --"', 'organizations');

-- a role without superuser runs a sync of its own: it needs SELECT on the
-- source, a user mapping and a schema to create the target in; the
-- checkpoint row is its own, and it sees no other
CREATE USER MAPPING FOR regress_zd_user SERVER zd_sync
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
GRANT USAGE ON SCHEMA zd_sync, mirror TO regress_zd_user;
GRANT SELECT ON zd_sync.organizations TO regress_zd_user;
CREATE SCHEMA mirror_user AUTHORIZATION regress_zd_user;
SET ROLE regress_zd_user;
CALL zendesk_fdw.sync('zd_sync.organizations', 'mirror_user.organizations');
SELECT source, target, owner, status FROM zendesk_fdw.sync_state;
SELECT status, error FROM zendesk_fdw.materialize('zd_sync.organizations', 'mirror.organizations');
RESET ROLE;
SELECT * FROM pg_temp.compare('mirror_user.organizations', 'organizations');

-- rows belong to the role that owns the sync: another role sees none and
-- cannot run or reset them
CREATE ROLE zd_sync_other;
GRANT USAGE ON SCHEMA zd_sync, mirror TO zd_sync_other;
GRANT SELECT ON zd_sync.tickets TO zd_sync_other;
GRANT ALL ON mirror.tickets TO zd_sync_other;
SET ROLE zd_sync_other;
SELECT count(*) AS visible_rows FROM zendesk_fdw.sync_state;
SELECT count(*) AS visible_tombstones FROM zendesk_fdw.sync_tombstones;
CALL zendesk_fdw.sync_reset('zd_sync.tickets', 'mirror.tickets');
DELETE FROM zendesk_fdw.sync_state;
RESET ROLE;
DROP OWNED BY zd_sync_other;
DROP ROLE zd_sync_other;

-- dump and restore: the checkpoints come back, names re-resolved
\! createdb zd_sync_restored && pg_dump "$ZD_DB" | psql -X -q -v ON_ERROR_STOP=1 -d zd_sync_restored >/dev/null 2>&1 && echo restored
\! psql -X -A -t -d zd_sync_restored -c "SELECT source, target, status, after_cursor IS NOT NULL FROM zendesk_fdw.sync_state ORDER BY target::text"
SELECT source, target, status, after_cursor IS NOT NULL FROM zendesk_fdw.sync_state ORDER BY target::text;
\! psql -X -A -t -d zd_sync_restored -c "SELECT count(*) FROM zendesk_fdw.sync_tombstones"
SELECT count(*) FROM zendesk_fdw.sync_tombstones;
\! dropdb zd_sync_restored

-- dropping a target or a source removes its rows
SELECT count(*) AS rows_before FROM zendesk_fdw.sync_state;
DROP TABLE mirror.tickets_flagged;
DROP FOREIGN TABLE zd_sync.ticket_events;
SELECT count(*) AS rows_after FROM zendesk_fdw.sync_state;
SELECT count(*) AS bare_oids FROM zendesk_fdw.sync_state
 WHERE source::text ~ '^[0-9]+$' OR target::text ~ '^[0-9]+$';
