--
-- privileges: who may do what, checked as two roles without superuser,
-- regress_zd_alice and regress_zd_bob.
--
-- The grants, as zendesk_fdw--1.0--1.1.sql decides them (compare
-- postgres_fdw, whose functions PUBLIC may call and which act on the
-- caller's own connections, and pg_cron, whose schema PUBLIC cannot use
-- because a job runs later, in a worker): PUBLIC may execute sync,
-- materialize, resync, sync_reset, check_connection and request_stats,
-- because each runs now, as the caller, and checks what matters itself
-- (the caller's own user mapping, SELECT on the source, the privileges a
-- sync needs on its target and quarantine table, that a recorded sync is
-- the caller's); PUBLIC may read sync_state, sync_tombstones (row-level
-- security: the rows of one's own syncs) and stats (no credential, only
-- the base URLs every role reads in pg_foreign_server), and write none of
-- them; the event trigger's function is the event trigger's only.
-- Elsewhere: a scan without a user mapping (auth.sql), check_connection
-- without USAGE on the server or without a mapping (connection.sql),
-- running or resetting another role's sync (sync.sql), url and ca_file
-- when creating a server (options.sql).
--
\getenv sim_url ZD_SIM_URL
CREATE ROLE regress_zd_alice;
CREATE ROLE regress_zd_bob;
GRANT USAGE ON FOREIGN DATA WRAPPER zendesk_fdw TO regress_zd_alice, regress_zd_bob;

-- the grants, as decided: what others than the owner may do (the owner's
-- privileges vary by release: 17 added MAINTAIN)
SELECT c.relname, c.relrowsecurity,
       (SELECT string_agg(CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END
                          || ' ' || g.privilege_type, ', ' ORDER BY g.grantee, g.privilege_type)
          FROM aclexplode(c.relacl) g WHERE g.grantee <> c.relowner) AS granted
  FROM pg_class c WHERE c.relnamespace = 'zendesk_fdw'::regnamespace AND c.relkind IN ('r', 'v')
 ORDER BY 1;
SELECT p.oid::regprocedure AS function, p.proacl
  FROM pg_proc p WHERE p.pronamespace = 'zendesk_fdw'::regnamespace ORDER BY 1;
SELECT privilege, has_table_privilege('regress_zd_alice', 'zendesk_fdw.sync_state', privilege) AS sync_state,
       has_table_privilege('regress_zd_alice', 'zendesk_fdw.sync_tombstones', privilege) AS sync_tombstones,
       has_table_privilege('regress_zd_alice', 'zendesk_fdw.stats', privilege) AS stats
  FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) privilege;

-- options that decide where credentials go are for superusers, however
-- given; and no other level takes them
SET ROLE regress_zd_alice;
CREATE SERVER priv_proxy FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme', proxy 'http://127.0.0.1:3128');
CREATE SERVER priv_own FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme');
ALTER SERVER priv_own OPTIONS (DROP subdomain, ADD url 'https://collector.example.com');
ALTER SERVER priv_own OPTIONS (ADD ca_file '/tmp/collector.pem');
ALTER SERVER priv_own OPTIONS (ADD proxy 'http://127.0.0.1:3128');
CREATE USER MAPPING FOR CURRENT_USER SERVER priv_own OPTIONS (url 'https://collector.example.com');
CREATE FOREIGN TABLE priv_t (id bigint) SERVER priv_own OPTIONS (resource 'tickets', proxy 'http://127.0.0.1:3128');
CREATE FOREIGN TABLE priv_t (id bigint OPTIONS (ca_file '/tmp/collector.pem'))
  SERVER priv_own OPTIONS (resource 'tickets');
RESET ROLE;
-- once a superuser has set url, its owner may change the other options but
-- neither change nor drop url (DROP url, ADD subdomain would send the
-- mappings' credentials to another account), nor ca_file or proxy
ALTER SERVER priv_own OPTIONS (DROP subdomain, ADD url 'https://acme.zendesk.com');
SET ROLE regress_zd_alice;
ALTER SERVER priv_own OPTIONS (DROP url, ADD subdomain 'collector');
ALTER SERVER priv_own OPTIONS (DROP url);
ALTER SERVER priv_own OPTIONS (SET url 'https://collector.example.com');
ALTER SERVER priv_own OPTIONS (ADD page_size '100');
ALTER SERVER priv_own OPTIONS (SET page_size '200', SET url 'https://acme.zendesk.com');
RESET ROLE;
ALTER SERVER priv_own OPTIONS (ADD ca_file '/etc/ssl/certs/ca-certificates.crt');
SET ROLE regress_zd_alice;
ALTER SERVER priv_own OPTIONS (DROP ca_file);
ALTER SERVER priv_own OPTIONS (SET ca_file '/tmp/collector.pem');
ALTER SERVER priv_own OPTIONS (ADD timeout '30');
RESET ROLE;
-- where the event trigger does not run (disabled, or session_replication_role
-- replica), the validator cannot see what a statement changes and refuses a
-- role that is not a superuser any server options (each in a transaction of
-- its own that the refusal rolls back, trigger state included)
BEGIN;
ALTER EVENT TRIGGER zendesk_fdw_server_options DISABLE;
SET LOCAL ROLE regress_zd_alice;
ALTER SERVER priv_own OPTIONS (DROP url, ADD subdomain 'collector');
ROLLBACK;
BEGIN;
ALTER EVENT TRIGGER zendesk_fdw_server_options DISABLE;
SET LOCAL ROLE regress_zd_alice;
ALTER SERVER priv_own OPTIONS (SET timeout '40');
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
SET LOCAL ROLE regress_zd_alice;
ALTER SERVER priv_own OPTIONS (DROP url, ADD subdomain 'collector');
ROLLBACK;
-- an approval no validator used (ALTER SERVER ... VERSION calls none)
-- approves nothing but the server's own url for a later statement
BEGIN;
SET LOCAL ROLE regress_zd_alice;
ALTER SERVER priv_own VERSION '2';
RESET ROLE;
SET LOCAL session_replication_role = replica;
SET LOCAL ROLE regress_zd_alice;
ALTER SERVER priv_own OPTIONS (SET url 'https://collector.example.com');
ROLLBACK;
-- a role that does not own the server: PostgreSQL's own refusal
SET ROLE regress_zd_bob;
ALTER SERVER priv_own OPTIONS (DROP url);
RESET ROLE;
-- a second wrapper with the same validator, however its library is spelled
CREATE FUNCTION pg_temp.alias_validator(text[], oid) RETURNS void
  AS 'zendesk_fdw', 'zendesk_fdw_validator' LANGUAGE C STRICT;
CREATE FOREIGN DATA WRAPPER zd_alias HANDLER zendesk_fdw.zendesk_fdw_handler
  VALIDATOR pg_temp.alias_validator;
CREATE SERVER priv_alias FOREIGN DATA WRAPPER zd_alias OPTIONS (url 'https://acme.zendesk.com');
ALTER SERVER priv_alias OWNER TO regress_zd_alice;
SET ROLE regress_zd_alice;
ALTER SERVER priv_alias OPTIONS (DROP url, ADD subdomain 'collector');
ALTER SERVER priv_alias OPTIONS (ADD timeout '5');
RESET ROLE;
SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'priv_alias';
DROP SERVER priv_alias;
DROP FOREIGN DATA WRAPPER zd_alias;
SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'priv_own';
-- a proxy's password would be on show to every role in pg_foreign_server
CREATE SERVER priv_proxy FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (subdomain 'acme', proxy 'http://user:password@127.0.0.1:3128');
SET ROLE regress_zd_alice;
SELECT srvname, srvoptions FROM pg_foreign_server WHERE srvname = 'priv_own';
RESET ROLE;
DROP SERVER priv_own;

-- the server, the sources and a schema the two roles mirror into
CREATE SERVER zd_priv FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '6000');
GRANT USAGE ON FOREIGN SERVER zd_priv TO regress_zd_alice, regress_zd_bob;
CREATE SCHEMA priv;
CREATE FOREIGN TABLE priv.organizations (id bigint, name text, updated_at timestamptz, raw jsonb)
  SERVER zd_priv OPTIONS (resource 'organizations');
CREATE FOREIGN TABLE priv.tickets (id bigint, subject text, tags text[], generated_timestamp timestamptz)
  SERVER zd_priv OPTIONS (resource 'tickets');
CREATE SCHEMA priv_mirror;
GRANT USAGE ON SCHEMA priv TO regress_zd_alice, regress_zd_bob;
GRANT SELECT ON ALL TABLES IN SCHEMA priv TO regress_zd_alice, regress_zd_bob;
GRANT USAGE, CREATE ON SCHEMA priv_mirror TO regress_zd_alice, regress_zd_bob;
CREATE SCHEMA priv_bob AUTHORIZATION regress_zd_bob;

-- a role without a user mapping: a clear error, and nothing written
SET ROLE regress_zd_alice;
CALL zendesk_fdw.sync('priv.organizations', 'priv_mirror.alice_orgs');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.alice_orgs');
CALL zendesk_fdw.resync('priv.organizations', 'priv_mirror.alice_orgs');
RESET ROLE;
SELECT to_regclass('priv_mirror.alice_orgs') AS target_created,
       (SELECT count(*) FROM zendesk_fdw.sync_state WHERE source = 'priv.organizations'::regclass) AS state_rows;

-- each role its own credentials: alice an API token, bob an OAuth client
CREATE USER MAPPING FOR regress_zd_alice SERVER zd_priv
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE USER MAPPING FOR regress_zd_bob SERVER zd_priv
  OPTIONS (oauth_client_id 'zendesk_fdw_sim', oauth_client_secret 'sim-client-secret');

-- bob mirrors the organizations, and the tickets with a quarantine (one
-- record of the page cannot be converted)
SET ROLE regress_zd_bob;
SELECT status, rows_inserted > 0 AS filled FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.bob_orgs');
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 200, "body": "{\"tickets\": [{\"id\": 900001, \"subject\": \"fine\", \"tags\": [\"a\"], \"generated_timestamp\": 1790000000}, {\"id\": 900002, \"subject\": \"unconvertible\", \"tags\": {\"not\": \"an array\"}, \"generated_timestamp\": 1790000001}], \"after_url\": null, \"after_cursor\": \"MTc5MDAwMDAwMS4wfHw5MDAwMDJ8\", \"before_url\": null, \"before_cursor\": null, \"end_of_stream\": true}"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT status, rows_inserted, rows_quarantined
  FROM zendesk_fdw.materialize('priv.tickets', 'priv_mirror.bob_tickets', quarantine => 'priv_mirror.bob_quarantine');
SELECT email, method FROM zendesk_fdw.check_connection('zd_priv');
RESET ROLE;

-- alice sees her credentials and not bob's, in every catalog view
SET ROLE regress_zd_alice;
SELECT usename, umoptions IS NOT NULL AS options_visible FROM pg_user_mappings
 WHERE srvname = 'zd_priv' ORDER BY 1;
SELECT authorization_identifier, option_name, option_value IS NOT NULL AS value_visible
  FROM information_schema.user_mapping_options WHERE foreign_server_name = 'zd_priv' ORDER BY 1, 2;
SELECT count(*) FROM pg_user_mapping;
-- ... nor bob's syncs, nor his quarantined records
SELECT count(*) AS visible_rows FROM zendesk_fdw.sync_state;
SELECT count(*) AS visible_tombstones FROM zendesk_fdw.sync_tombstones;
SELECT count(*) FROM priv_mirror.bob_quarantine;
-- check_connection answers with her own credentials
SELECT email, method FROM zendesk_fdw.check_connection('zd_priv');
-- stats has rows, and no credential in them
SELECT count(*) > 0 AS has_rows,
       count(*) FILTER (WHERE s::text ~ 'sim-api-token|sim-client-secret|zendesk_fdw_sim|admin@example') AS with_credentials
  FROM zendesk_fdw.stats s;
-- she writes neither table directly
UPDATE zendesk_fdw.sync_state SET status = 'done';
DELETE FROM zendesk_fdw.sync_state;
INSERT INTO zendesk_fdw.sync_state (source, target, owner, resource, delete_mode, status)
  VALUES ('priv.organizations', 'priv_mirror.bob_orgs', 'regress_zd_alice', 'organizations', 'remove', 'done');
TRUNCATE zendesk_fdw.sync_state;
DELETE FROM zendesk_fdw.sync_tombstones;
INSERT INTO zendesk_fdw.sync_tombstones VALUES ('priv_mirror.bob_orgs', 1, 'infinity');
-- ... nor through the functions (resync: the run and reset are in sync.sql)
CALL zendesk_fdw.resync('priv.organizations', 'priv_mirror.bob_orgs');
-- she cannot claim the sync of a table she may not write: refused before
-- any checkpoint row is written, so its owner can still mirror into it
SET ROLE regress_zd_bob;
CREATE TABLE priv_mirror.bob_unsynced (id bigint PRIMARY KEY, name text, updated_at timestamptz, raw jsonb);
GRANT SELECT ON priv_mirror.bob_unsynced TO regress_zd_alice;
SET ROLE regress_zd_alice;
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.bob_unsynced');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.alice_orgs',
                                           quarantine => 'priv_mirror.bob_quarantine');
SET ROLE regress_zd_bob;
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.bob_unsynced');
SELECT source, target, owner, status FROM zendesk_fdw.sync_state ORDER BY target::text;
RESET ROLE;

-- a failed run records the error for its owner only, and no credential in it
ALTER USER MAPPING FOR regress_zd_bob SERVER zd_priv OPTIONS (SET oauth_client_secret 'not-the-secret');
SET ROLE regress_zd_bob;
SELECT authenticated FROM zendesk_fdw.check_connection('zd_priv');
CALL zendesk_fdw.sync('priv.organizations', 'priv_mirror.bob_orgs');
SELECT status, error !~ 'not-the-secret' AS secret_not_in_error FROM zendesk_fdw.sync_state
 WHERE target = 'priv_mirror.bob_orgs'::regclass;
SET ROLE regress_zd_alice;
SELECT count(*) AS visible_rows FROM zendesk_fdw.sync_state;
RESET ROLE;
ALTER USER MAPPING FOR regress_zd_bob SERVER zd_priv OPTIONS (SET oauth_client_secret 'sim-client-secret');

-- a view reads Zendesk with its owner's user mapping, as PostgreSQL checks
-- the view's relations as its owner and postgres_fdw picks the mapping:
-- carol's own mapping is an agent's (no incremental exports, a 403);
-- alice's view, her SECURITY DEFINER function and the ANALYZE of her table
-- use alice's admin mapping; a security_invoker view and the table itself,
-- carol's
CREATE ROLE regress_zd_carol;
CREATE USER MAPPING FOR regress_zd_carol SERVER zd_priv
  OPTIONS (email 'agent@example.com', api_token 'sim-agent-token');
GRANT USAGE ON SCHEMA priv, priv_mirror TO regress_zd_carol;
GRANT CREATE ON SCHEMA priv_mirror TO regress_zd_carol;
SET ROLE regress_zd_alice;
CREATE VIEW priv_mirror.alice_view AS SELECT id, subject FROM priv.tickets;
CREATE VIEW priv_mirror.alice_invoker WITH (security_invoker) AS SELECT id, subject FROM priv.tickets;
CREATE FUNCTION priv_mirror.alice_count(n int) RETURNS bigint
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
  AS $$ SELECT count(*) FROM (SELECT id FROM priv.tickets LIMIT n) s $$;
CREATE FOREIGN TABLE priv_mirror.alice_tickets (id bigint) SERVER zd_priv OPTIONS (resource 'tickets');
GRANT SELECT ON priv_mirror.alice_view, priv_mirror.alice_invoker TO regress_zd_carol;
RESET ROLE;
GRANT SELECT ON priv.tickets TO regress_zd_carol;
SET ROLE regress_zd_carol;
SELECT count(*) AS through_the_view FROM (SELECT id FROM priv_mirror.alice_view LIMIT 3) s;
SELECT priv_mirror.alice_count(3) AS through_the_function;
\set VERBOSITY terse
SELECT count(*) FROM (SELECT id FROM priv_mirror.alice_invoker LIMIT 3) s;
SELECT count(*) FROM (SELECT id FROM priv.tickets LIMIT 3) s;
\set VERBOSITY default
RESET ROLE;
-- a role with no mapping at all, through the view and directly
DROP USER MAPPING FOR regress_zd_carol SERVER zd_priv;
SET ROLE regress_zd_carol;
SELECT count(*) AS through_the_view FROM (SELECT id FROM priv_mirror.alice_view LIMIT 3) s;
SELECT count(*) FROM (SELECT id FROM priv_mirror.alice_invoker LIMIT 3) s;
RESET ROLE;
-- a view whose owner has no mapping: the error names that owner
SET ROLE regress_zd_carol;
CREATE VIEW priv_mirror.carol_view AS SELECT id FROM priv.tickets;
GRANT SELECT ON priv_mirror.carol_view TO regress_zd_alice;
SET ROLE regress_zd_alice;
SELECT count(*) FROM (SELECT id FROM priv_mirror.carol_view LIMIT 3) s;
RESET ROLE;
-- the view as a prepared statement keeps its owner's mapping
SET ROLE regress_zd_carol;
PREPARE via_view AS SELECT count(*) FROM (SELECT id FROM priv_mirror.alice_view LIMIT 2) s;
EXECUTE via_view;
EXECUTE via_view;
DEALLOCATE via_view;
RESET ROLE;
-- ANALYZE by a superuser, who has no mapping: PostgreSQL analyzes as the
-- table's owner, so the owner's mapping
ANALYZE priv_mirror.alice_tickets;
SELECT reltuples > 0 AS counted FROM pg_class WHERE oid = 'priv_mirror.alice_tickets'::regclass;
REVOKE SELECT ON priv.tickets FROM regress_zd_carol;
REVOKE USAGE ON SCHEMA priv, priv_mirror FROM regress_zd_carol;
SET client_min_messages = warning;
DROP OWNED BY regress_zd_carol;
RESET client_min_messages;
DROP ROLE regress_zd_carol;

-- hostile target and quarantine names: never SQL, each a clear error
CREATE TABLE priv_mirror.victim (x int);
CREATE VIEW priv_mirror.a_view AS SELECT 1 AS id;
CREATE MATERIALIZED VIEW priv_mirror.a_matview AS SELECT 1::bigint AS id;
CREATE SEQUENCE priv_mirror.a_sequence;
CREATE INDEX an_index ON priv_mirror.victim (x);
CREATE TYPE priv_mirror.a_type AS (id bigint);
CREATE TABLE priv_mirror.a_partitioned (id bigint PRIMARY KEY, name text, updated_at timestamptz, raw jsonb)
  PARTITION BY RANGE (id);
CREATE UNLOGGED TABLE priv_mirror.an_unlogged (id bigint PRIMARY KEY, name text, updated_at timestamptz, raw jsonb);
GRANT ALL ON ALL TABLES IN SCHEMA priv_mirror TO regress_zd_alice;
SET ROLE regress_zd_alice;
CREATE FOREIGN TABLE pg_temp.organizations (id bigint, name text, updated_at timestamptz)
  SERVER zd_priv OPTIONS (resource 'organizations');
CREATE TEMP TABLE a_temp (id bigint PRIMARY KEY, name text, updated_at timestamptz, raw jsonb);
\set VERBOSITY terse
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.x; DROP TABLE priv_mirror.victim');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.x''); DROP TABLE priv_mirror.victim; --');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', '');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', '"priv_mirror.unterminated');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'a.b.c.d');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'other_db.priv_mirror.t');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_bob.t');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'no_such_schema.t');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'zendesk_fdw.t');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'pg_catalog.pg_class');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'zendesk_fdw.sync_state');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.' || repeat('x', 64));
SELECT status FROM zendesk_fdw.materialize('priv.organizations', repeat('long ', 20000));
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.a_view');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.a_matview');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.a_sequence');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.a_type');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.an_index');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv.organizations');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.a_partitioned');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.an_unlogged');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'a_temp');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'pg_temp.new_table');
SELECT status FROM zendesk_fdw.materialize('pg_temp.organizations', 'priv_mirror.from_temp');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.q_orgs', quarantine => 'x; DROP TABLE priv_mirror.victim');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.q_orgs', quarantine => 'priv_mirror.q_orgs');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.q_orgs', quarantine => 'priv_mirror.a_view');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.q_orgs', quarantine => 'priv_mirror.victim');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.q_orgs', quarantine => 'priv.organizations');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.q_orgs', quarantine => 'priv_bob.quarantine');
SELECT status FROM zendesk_fdw.materialize('priv.organizations', 'priv_mirror.q_orgs', quarantine => repeat('q', 100));
CALL zendesk_fdw.sync_reset('priv.organizations', 'priv_mirror.x; DROP TABLE priv_mirror.victim');
\set VERBOSITY default
-- a name with quotes, and a column of the source named like SQL: quoted
RESET ROLE;
CREATE FOREIGN TABLE priv."organizations; DROP TABLE priv_mirror.victim; --" (
  id bigint, "name); DROP TABLE priv_mirror.victim; --" text OPTIONS (field 'name'), updated_at timestamptz)
  SERVER zd_priv OPTIONS (resource 'organizations');
GRANT SELECT ON priv."organizations; DROP TABLE priv_mirror.victim; --" TO regress_zd_alice;
SET ROLE regress_zd_alice;
SELECT status, rows_inserted > 0 AS filled FROM zendesk_fdw.materialize('priv."organizations; DROP TABLE priv_mirror.victim; --"',
                                                          'priv_mirror."it''s ""quoted""; DROP TABLE priv_mirror.victim"');
SELECT count(*) = count("name); DROP TABLE priv_mirror.victim; --") AS all_named
  FROM priv_mirror."it's ""quoted""; DROP TABLE priv_mirror.victim";
RESET ROLE;
SELECT to_regclass('priv_mirror.victim') IS NOT NULL AS victim_still_there;
-- nothing was recorded for the refused names
SELECT source, target, owner FROM zendesk_fdw.sync_state
 WHERE owner IN ('regress_zd_alice'::regrole, 'regress_zd_bob'::regrole) ORDER BY target::text;

SET ROLE regress_zd_alice;
DROP TABLE a_temp;
DROP FOREIGN TABLE pg_temp.organizations;
RESET ROLE;
SET client_min_messages = warning;
DROP SCHEMA priv, priv_mirror, priv_bob CASCADE;
DROP SERVER zd_priv CASCADE;
RESET client_min_messages;
SELECT count(*) AS state_rows_left FROM zendesk_fdw.sync_state
 WHERE owner IN ('regress_zd_alice'::regrole, 'regress_zd_bob'::regrole);
REVOKE USAGE ON FOREIGN DATA WRAPPER zendesk_fdw FROM regress_zd_alice, regress_zd_bob;
DROP ROLE regress_zd_alice, regress_zd_bob;
