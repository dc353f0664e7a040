--
-- sync_review: defects of sync, materialize and sync_reset found by the
-- review of issue 17, each with the case that showed it.  The test injects
-- pages and moves nothing else, but it has a simulator of its own.
--
\set sim_url `bash scripts/regress-sim.sh start sync_review --seed 5 --tickets 120 --export-limit 100000 --account-limit 100000`
\setenv ZD_REV_URL :sim_url
SET client_min_messages = notice;

CREATE SERVER zd_rev FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '100000');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_rev
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA zd_rev;
CREATE FOREIGN TABLE zd_rev.tickets (
  id bigint, subject text, status text, generated_timestamp timestamptz, raw jsonb
) SERVER zd_rev OPTIONS (resource 'tickets');
CREATE FOREIGN TABLE zd_rev.tickets_too (
  id bigint, subject text, status text, generated_timestamp timestamptz, raw jsonb
) SERVER zd_rev OPTIONS (resource 'tickets');
CREATE FOREIGN TABLE zd_rev.organizations (id bigint, name text, updated_at timestamptz, raw jsonb)
  SERVER zd_rev OPTIONS (resource 'organizations');
-- subjects longer than 10 characters do not convert
CREATE FOREIGN TABLE zd_rev.tickets_short (
  id bigint, subject varchar(10), status text, generated_timestamp timestamptz
) SERVER zd_rev OPTIONS (resource 'tickets');
CREATE SCHEMA mirror_rev;
CREATE TABLE mirror_rev.not_zendesk (id bigint);

CALL zendesk_fdw.sync('zd_rev.tickets', 'mirror_rev.tickets');
SELECT count(*) > 0 AS has_tombstones FROM zendesk_fdw.sync_tombstones
 WHERE target = 'mirror_rev.tickets'::regclass;
SELECT count(*) AS tombstones FROM zendesk_fdw.sync_tombstones
 WHERE target = 'mirror_rev.tickets'::regclass \gset

-- defect 1: sync_reset checks the source, the target and the owner as a
-- sync does, before it takes a lock or deletes anything; tombstones stay
-- unless the pair's sync is forgotten
CREATE ROLE regress_zd_review_nobody;
GRANT USAGE ON SCHEMA mirror_rev, zd_rev TO regress_zd_review_nobody;
SET ROLE regress_zd_review_nobody;
CALL zendesk_fdw.sync_reset('pg_class', 'mirror_rev.tickets');
CALL zendesk_fdw.sync_reset('mirror_rev.not_zendesk', 'mirror_rev.tickets');
CALL zendesk_fdw.sync_reset('zd_rev.tickets', 'mirror_rev.tickets');
RESET ROLE;
GRANT SELECT ON zd_rev.tickets, zd_rev.tickets_too TO regress_zd_review_nobody;
SET ROLE regress_zd_review_nobody;
-- no privilege on the target
CALL zendesk_fdw.sync_reset('zd_rev.tickets', 'mirror_rev.tickets');
CALL zendesk_fdw.sync_reset('zd_rev.tickets_too', 'mirror_rev.tickets');
RESET ROLE;
GRANT SELECT, INSERT, UPDATE, DELETE ON mirror_rev.tickets TO regress_zd_review_nobody;
SET ROLE regress_zd_review_nobody;
-- the pair's sync belongs to another role
CALL zendesk_fdw.sync_reset('zd_rev.tickets', 'mirror_rev.tickets');
-- a pair that has no sync: nothing deleted, and it says so
CALL zendesk_fdw.sync_reset('zd_rev.tickets_too', 'mirror_rev.tickets');
RESET ROLE;
SELECT count(*) = :tombstones AS tombstones_kept FROM zendesk_fdw.sync_tombstones
 WHERE target = 'mirror_rev.tickets'::regclass;
-- the owner of a second sync into the same target forgets it: the
-- tombstones stay, the first sync still writes the target
CALL zendesk_fdw.sync('zd_rev.tickets_too', 'mirror_rev.tickets');
CALL zendesk_fdw.sync_reset('zd_rev.tickets_too', 'mirror_rev.tickets');
SELECT count(*) = :tombstones AS tombstones_kept FROM zendesk_fdw.sync_tombstones
 WHERE target = 'mirror_rev.tickets'::regclass;
SELECT source, status FROM zendesk_fdw.sync_state WHERE target = 'mirror_rev.tickets'::regclass;
-- the last sync of the target forgotten: its tombstones go with it
CALL zendesk_fdw.sync_reset('zd_rev.tickets', 'mirror_rev.tickets');
SELECT count(*) AS tombstones_left FROM zendesk_fdw.sync_tombstones
 WHERE target = 'mirror_rev.tickets'::regclass;
DROP OWNED BY regress_zd_review_nobody;
DROP ROLE regress_zd_review_nobody;

-- defect 8: runs of one pair one after the other in one transaction, an
-- atomic resync; but a run inside a run of the same pair is still refused
BEGIN;
CALL zendesk_fdw.sync_reset('zd_rev.tickets', 'mirror_rev.tickets');
SELECT status, pages > 0 AS read_pages FROM zendesk_fdw.materialize('zd_rev.tickets', 'mirror_rev.tickets');
SELECT status, pages FROM zendesk_fdw.materialize('zd_rev.tickets', 'mirror_rev.tickets');
COMMIT;
SELECT status FROM zendesk_fdw.sync_state WHERE target = 'mirror_rev.tickets'::regclass;
CREATE FUNCTION mirror_rev.again() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM zendesk_fdw.materialize('zd_rev.organizations', 'mirror_rev.organizations');
  RETURN NEW;
END $$;
SELECT status FROM zendesk_fdw.materialize('zd_rev.organizations', 'mirror_rev.organizations');
CREATE TRIGGER again AFTER INSERT OR UPDATE ON mirror_rev.organizations
  FOR EACH ROW EXECUTE FUNCTION mirror_rev.again();
BEGIN;
CALL zendesk_fdw.sync_reset('zd_rev.organizations', 'mirror_rev.organizations');
SELECT status, error LIKE 'a sync of "organizations" into mirror_rev.organizations is already running in this session%' AS refused
  FROM zendesk_fdw.materialize('zd_rev.organizations', 'mirror_rev.organizations');
ROLLBACK;
DROP TRIGGER again ON mirror_rev.organizations;

-- defect 7: a start_time within Zendesk's last minute finds nothing to do
SELECT status, pages, error FROM zendesk_fdw.materialize('zd_rev.tickets', 'mirror_rev.recent',
  start_time => clock_timestamp() - interval '10 seconds');
SELECT status, after_cursor IS NULL AS no_cursor, recovery_time IS NULL AS no_recovery_time
  FROM zendesk_fdw.sync_state WHERE target = 'mirror_rev.recent'::regclass;
CALL zendesk_fdw.sync('zd_rev.organizations', 'mirror_rev.orgs_recent',
  start_time => clock_timestamp() - interval '10 seconds');
SELECT status, pages, recovery_time IS NULL AS no_recovery_time
  FROM zendesk_fdw.sync_state WHERE target = 'mirror_rev.orgs_recent'::regclass;
-- in the past by the clock, though after the transaction started
BEGIN;
SELECT pg_sleep(1.5);
SELECT status, pages FROM zendesk_fdw.materialize('zd_rev.tickets', 'mirror_rev.recent2',
  start_time => clock_timestamp() - interval '1 second');
COMMIT;
-- a time in the future is still refused
SELECT status FROM zendesk_fdw.materialize('zd_rev.tickets', 'mirror_rev.recent3',
  start_time => clock_timestamp() + interval '1 hour');

-- defect 5: with quarantine, a deletion needs only the id and the stream
-- time: the deleted version of a ticket whose subject does not convert
-- still removes it (and leaves a tombstone); a version older than the
-- tombstone is skipped, not quarantined
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 200, "body": "{\"tickets\": [{\"id\": 900001, \"subject\": \"short\", \"status\": \"open\", \"generated_timestamp\": 1790000000}], \"after_url\": null, \"after_cursor\": \"MTc5MDAwMDAwMC4wfHw5MDAwMDF8\", \"before_url\": null, \"before_cursor\": null, \"end_of_stream\": true}"}' "$ZD_REV_URL/_sim/faults" >/dev/null
SELECT status, rows_inserted, rows_quarantined
  FROM zendesk_fdw.materialize('zd_rev.tickets_short', 'mirror_rev.short', quarantine => 'mirror_rev.quarantine');
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 200, "body": "{\"tickets\": [{\"id\": 900001, \"subject\": \"a subject far too long\", \"status\": \"deleted\", \"generated_timestamp\": 1790000100}, {\"id\": 900002, \"subject\": \"another subject too long\", \"status\": \"deleted\", \"generated_timestamp\": 1790000100}], \"after_url\": null, \"after_cursor\": \"MTc5MDAwMDEwMC4wfHw5MDAwMDJ8\", \"before_url\": null, \"before_cursor\": null, \"end_of_stream\": true}"}' "$ZD_REV_URL/_sim/faults" >/dev/null
SELECT status, rows_deleted, rows_quarantined
  FROM zendesk_fdw.materialize('zd_rev.tickets_short', 'mirror_rev.short', quarantine => 'mirror_rev.quarantine');
SELECT count(*) AS rows_of_900001 FROM mirror_rev.short WHERE id = 900001;
SELECT id FROM zendesk_fdw.sync_tombstones WHERE target = 'mirror_rev.short'::regclass ORDER BY id;
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 200, "body": "{\"tickets\": [{\"id\": 900001, \"subject\": \"an older version too long\", \"status\": \"open\", \"generated_timestamp\": 1790000050}], \"after_url\": null, \"after_cursor\": \"MTc5MDAwMDEwMC4wfHw5MDAwMDN8\", \"before_url\": null, \"before_cursor\": null, \"end_of_stream\": true}"}' "$ZD_REV_URL/_sim/faults" >/dev/null
SELECT status, rows_inserted, rows_quarantined
  FROM zendesk_fdw.materialize('zd_rev.tickets_short', 'mirror_rev.short', quarantine => 'mirror_rev.quarantine');
SELECT count(*) AS quarantined FROM mirror_rev.quarantine;
-- a live version that does not convert still goes to quarantine
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 200, "body": "{\"tickets\": [{\"id\": 900003, \"subject\": \"a live subject too long\", \"status\": \"open\", \"generated_timestamp\": 1790000200}], \"after_url\": null, \"after_cursor\": \"MTc5MDAwMDIwMC4wfHw5MDAwMDN8\", \"before_url\": null, \"before_cursor\": null, \"end_of_stream\": true}"}' "$ZD_REV_URL/_sim/faults" >/dev/null
SELECT status, rows_inserted, rows_quarantined
  FROM zendesk_fdw.materialize('zd_rev.tickets_short', 'mirror_rev.short', quarantine => 'mirror_rev.quarantine');
SELECT id FROM mirror_rev.quarantine ORDER BY id;

DROP SCHEMA mirror_rev CASCADE;
DROP SCHEMA zd_rev CASCADE;
DROP SERVER zd_rev CASCADE;
\! bash scripts/regress-sim.sh stop sync_review
