--
-- drift: the custom fields a sync's source maps are fingerprinted (id, type,
-- key, active); a change to any of them stops the next run before any page,
-- naming the field, with the checkpoint where it was -- and a change made
-- while a run goes on stops it before the commit of the next page checked
-- (one fields request per thousand records).
--
\getenv sim_url ZD_SIM_URL
\set fields_url :sim_url '/_sim/ticket_fields'
CREATE SERVER zd_drift FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '6000', page_size '200');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_drift
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA zdd;
CREATE SCHEMA mirror_drift;
CREATE TEMP TABLE answer (doc jsonb);

-- a field of our own for each attribute, mapped by a table of its own
CREATE FUNCTION new_field(title text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE fid bigint;
BEGIN
  TRUNCATE answer;
  EXECUTE format('COPY answer FROM PROGRAM %L WITH (FORMAT csv, QUOTE E''\x01'', DELIMITER E''\x02'')',
    format('curl -sf -X POST -d %s %s',
           quote_literal(json_build_object('type', 'text', 'title', title,
                                           'key', lower(replace(title, ' ', '_')))::text),
           current_setting('zd.fields_url')));
  SELECT (doc->'ticket_field'->>'id')::bigint INTO fid FROM answer;
  RETURN fid;
END $$;
-- change the field a table maps: method, path after the field's URL, body
CREATE FUNCTION change_field(t regclass, method text, suffix text, body jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE fid text;
BEGIN
  SELECT substring(array_to_string(attfdwoptions, ',') FROM 'custom_field_id=(\d+)') INTO fid
    FROM pg_attribute WHERE attrelid = t AND attname = 'drift';
  EXECUTE format('COPY (SELECT 1) TO PROGRAM %L',
    format('curl -sf -X %s %s %s/%s%s >/dev/null', method,
           CASE WHEN body IS NULL THEN '' ELSE '-d ' || quote_literal(body::text) END,
           current_setting('zd.fields_url'), fid, suffix));
END $$;
SELECT set_config('zd.fields_url', :'fields_url', false) IS NOT NULL AS ok;
CREATE FUNCTION mapped_table(name text, fid bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE FOREIGN TABLE zdd.%I (id bigint, generated_timestamp timestamptz, '
                 'drift text OPTIONS (custom_field_id %L)) SERVER zd_drift '
                 'OPTIONS (resource %L)', name, fid::text, 'tickets');
END $$;
-- the run's outcome, and whether its checkpoint stayed put
CREATE TEMP TABLE before (target regclass, after_cursor text);
CREATE FUNCTION outcome(t regclass) RETURNS TABLE (status text, checkpoint_kept boolean, error text)
LANGUAGE sql AS $$
  SELECT s.status, s.after_cursor IS NOT DISTINCT FROM b.after_cursor,
         regexp_replace(s.error, '\d{6,}', 'N', 'g')
    FROM zendesk_fdw.sync_state s JOIN before b USING (target) WHERE s.target = t $$;

SET client_min_messages = warning;
SELECT mapped_table('active', new_field('Drift active')) , mapped_table('type', new_field('Drift type')),
       mapped_table('key', new_field('Drift key')), mapped_table('gone', new_field('Drift gone'));
CALL zendesk_fdw.sync('zdd.active', 'mirror_drift.active');
CALL zendesk_fdw.sync('zdd.type', 'mirror_drift.type');
CALL zendesk_fdw.sync('zdd.key', 'mirror_drift.key');
CALL zendesk_fdw.sync('zdd.gone', 'mirror_drift.gone');
RESET client_min_messages;
INSERT INTO before SELECT target, after_cursor FROM zendesk_fdw.sync_state
 WHERE target::text LIKE 'mirror_drift.%';
SELECT target, regexp_replace(fields_fingerprint, '\d{6,}', 'N', 'g') AS fingerprint
  FROM zendesk_fdw.sync_state WHERE target::text LIKE 'mirror_drift.%' ORDER BY 1;

-- each attribute changed in Zendesk: the next run stops before any page
SELECT change_field('zdd.active', 'POST', '/deactivate', NULL);
SELECT change_field('zdd.type', 'PATCH', '', '{"type": "integer"}');
SELECT change_field('zdd.key', 'PATCH', '', '{"key": "drift_key_renamed"}');
SELECT change_field('zdd.gone', 'DELETE', '', NULL);
\set VERBOSITY terse
CALL zendesk_fdw.sync('zdd.active', 'mirror_drift.active');
CALL zendesk_fdw.sync('zdd.type', 'mirror_drift.type');
CALL zendesk_fdw.sync('zdd.key', 'mirror_drift.key');
CALL zendesk_fdw.sync('zdd.gone', 'mirror_drift.gone');
\set VERBOSITY default
SELECT t AS target, o.* FROM unnest(ARRAY['mirror_drift.active', 'mirror_drift.type',
  'mirror_drift.key', 'mirror_drift.gone']::regclass[]) t, outcome(t) o;
-- a change made while a run goes on: a trigger on the mirror changes the
-- field when the run writes its 250th row (page 2 of 200); the fields are
-- checked again before page 5 commits (1000 records), so the run stops there
-- with pages 1-4 committed and the checkpoint after page 4
SET client_min_messages = warning;
SELECT mapped_table('midrun', new_field('Drift midrun'));
RESET client_min_messages;
CREATE TABLE mirror_drift.midrun (id bigint PRIMARY KEY, generated_timestamp timestamptz, drift text);
CREATE SEQUENCE rows_written;
CREATE FUNCTION change_at_250() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF nextval('rows_written') = 250 THEN
    PERFORM change_field('zdd.midrun', 'PATCH', '', '{"type": "decimal"}');
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER change_at_250 BEFORE INSERT ON mirror_drift.midrun
  FOR EACH ROW EXECUTE FUNCTION change_at_250();
\set VERBOSITY terse
CALL zendesk_fdw.sync('zdd.midrun', 'mirror_drift.midrun');
\set VERBOSITY default
SELECT status, pages, (SELECT count(*) FROM mirror_drift.midrun) AS rows_kept,
       regexp_replace(error, '\d{6,}', 'N', 'g') AS error
  FROM zendesk_fdw.sync_state WHERE target = 'mirror_drift.midrun'::regclass;

-- resync takes the fields as they are now
SET client_min_messages = warning;
DROP TRIGGER change_at_250 ON mirror_drift.midrun;
CALL zendesk_fdw.resync('zdd.type', 'mirror_drift.type');
RESET client_min_messages;
SELECT status, regexp_replace(fields_fingerprint, '\d{6,}', 'N', 'g') AS fingerprint
  FROM zendesk_fdw.sync_state WHERE target = 'mirror_drift.type'::regclass;

-- a first run whose source maps a field Zendesk does not have stops before
-- anything is written (the column would stay NULL for good)
CREATE FOREIGN TABLE zdd.nonexistent (id bigint, generated_timestamp timestamptz,
  ghost text OPTIONS (custom_field_id '999999')) SERVER zd_drift OPTIONS (resource 'tickets');
CALL zendesk_fdw.sync('zdd.nonexistent', 'mirror_drift.nonexistent');
SELECT count(*) AS state_rows FROM zendesk_fdw.sync_state WHERE source = 'zdd.nonexistent'::regclass;

SET client_min_messages = warning;
DROP SCHEMA mirror_drift CASCADE;
DROP SERVER zd_drift CASCADE;
DROP SCHEMA zdd CASCADE;
RESET client_min_messages;
