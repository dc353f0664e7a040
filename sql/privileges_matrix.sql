--
-- privileges_matrix: every function and procedure of the extension, called
-- by the owner of the objects it is given (regress_zd_m_owner), by a role
-- granted what it needs on them (regress_zd_m_granted: USAGE on the server,
-- a user mapping, SELECT on the source) and by a role with nothing
-- (regress_zd_m_none), on its own objects and on another role's.  Each cell
-- states what it expects: 00000, or the SQLSTATE of the refusal.  The last
-- query lists any cell that gave something else; it must list none.
--
\getenv sim_url ZD_SIM_URL
CREATE ROLE regress_zd_m_owner;
CREATE ROLE regress_zd_m_granted;
CREATE ROLE regress_zd_m_none;
CREATE TEMP TABLE matrix (n serial, cell text, expected text, got text);
GRANT ALL ON matrix, matrix_n_seq TO PUBLIC;
CREATE SERVER zd_m FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '6000');
GRANT USAGE ON FOREIGN SERVER zd_m TO regress_zd_m_owner, regress_zd_m_granted;
CREATE USER MAPPING FOR regress_zd_m_owner SERVER zd_m
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE USER MAPPING FOR regress_zd_m_granted SERVER zd_m
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA m_owner AUTHORIZATION regress_zd_m_owner;
CREATE SCHEMA m_granted AUTHORIZATION regress_zd_m_granted;
CREATE SCHEMA m_none AUTHORIZATION regress_zd_m_none;
CREATE SCHEMA m_pub AUTHORIZATION regress_zd_m_owner;
GRANT USAGE ON SCHEMA m_pub TO PUBLIC;
SET ROLE regress_zd_m_owner;
CREATE FOREIGN TABLE m_owner.orgs (id bigint, name text, updated_at timestamptz)
  SERVER zd_m OPTIONS (resource 'organizations');
GRANT USAGE ON SCHEMA m_owner TO regress_zd_m_granted;
GRANT SELECT ON m_owner.orgs TO regress_zd_m_granted;
CREATE TABLE m_owner.shared (id bigint PRIMARY KEY, name text, updated_at timestamptz);
GRANT ALL ON m_owner.shared TO regress_zd_m_granted;
SET ROLE regress_zd_m_granted;
CREATE FOREIGN TABLE m_granted.orgs (id bigint, name text, updated_at timestamptz)
  SERVER zd_m OPTIONS (resource 'organizations');
RESET ROLE;
SET client_min_messages = warning;
\set VERBOSITY sqlstate

-- check_connection(server): USAGE on the server and one's own mapping
\set cell 'check_connection: owner' \set expect 00000
SET ROLE regress_zd_m_owner; SELECT authenticated FROM zendesk_fdw.check_connection('zd_m');
\i sql/include/cell.sql
\set cell 'check_connection: granted, its own mapping' \set expect 00000
SET ROLE regress_zd_m_granted; SELECT authenticated FROM zendesk_fdw.check_connection('zd_m');
\i sql/include/cell.sql
\set cell 'check_connection: none (no USAGE)' \set expect 42501
SET ROLE regress_zd_m_none; SELECT authenticated FROM zendesk_fdw.check_connection('zd_m');
\i sql/include/cell.sql

-- request_stats() and the stats view: every role, no credential in them
\set cell 'request_stats: none' \set expect 00000
SET ROLE regress_zd_m_none; SELECT count(*) >= 0 AS ok FROM zendesk_fdw.request_stats();
\i sql/include/cell.sql
\set cell 'stats view: none' \set expect 00000
SET ROLE regress_zd_m_none; SELECT count(*) >= 0 AS ok FROM zendesk_fdw.stats;
\i sql/include/cell.sql

-- sync(source, target): SELECT on a zendesk_fdw source; on the target the
-- privileges a sync needs (or CREATE on its schema); a recorded sync only
-- by its owner
\set cell 'sync: owner, own source, own new target' \set expect 00000
SET ROLE regress_zd_m_owner; CALL zendesk_fdw.sync('m_owner.orgs', 'm_owner.mirror');
\i sql/include/cell.sql
\set cell 'sync: owner, into the table it shares' \set expect 00000
SET ROLE regress_zd_m_owner; CALL zendesk_fdw.sync('m_owner.orgs', 'm_owner.shared');
\i sql/include/cell.sql
\set cell 'sync: owner, into a schema every role may use' \set expect 00000
SET ROLE regress_zd_m_owner; CALL zendesk_fdw.sync('m_owner.orgs', 'm_pub.mirror');
\i sql/include/cell.sql
\set cell 'sync: granted, another''s source, own new target' \set expect 00000
SET ROLE regress_zd_m_granted; CALL zendesk_fdw.sync('m_owner.orgs', 'm_granted.from_owner');
\i sql/include/cell.sql
\set cell 'sync: granted, another''s target it may only read' \set expect 42501
SET ROLE regress_zd_m_owner; GRANT SELECT ON m_owner.mirror TO regress_zd_m_granted;
SET ROLE regress_zd_m_granted; CALL zendesk_fdw.sync('m_owner.orgs', 'm_owner.mirror');
\i sql/include/cell.sql
\set cell 'sync: granted, another''s target it may write, another''s sync' \set expect 42501
SET ROLE regress_zd_m_granted; CALL zendesk_fdw.sync('m_owner.orgs', 'm_owner.shared');
\i sql/include/cell.sql
\set cell 'sync: owner, another''s source not granted' \set expect 42501
SET ROLE regress_zd_m_owner; CALL zendesk_fdw.sync('m_granted.orgs', 'm_owner.from_granted');
\i sql/include/cell.sql
\set cell 'sync: none, another''s source' \set expect 42501
SET ROLE regress_zd_m_none; CALL zendesk_fdw.sync('m_owner.orgs', 'm_none.t');
\i sql/include/cell.sql
\set cell 'sync: none, a catalog as the source' \set expect 42809
SET ROLE regress_zd_m_none; CALL zendesk_fdw.sync('pg_class', 'm_none.t');
\i sql/include/cell.sql
\set cell 'sync: none, a table of its own as the source' \set expect 42809
SET ROLE regress_zd_m_none; CREATE TABLE m_none.plain (id bigint PRIMARY KEY); CALL zendesk_fdw.sync('m_none.plain', 'm_none.t');
\i sql/include/cell.sql

-- materialize(source, target): the same checks, in the caller's transaction
\set cell 'materialize: owner, own source, own target' \set expect 00000
SET ROLE regress_zd_m_owner; SELECT status FROM zendesk_fdw.materialize('m_owner.orgs', 'm_owner.mirror');
\i sql/include/cell.sql
\set cell 'materialize: granted, another''s source, own target' \set expect 00000
SET ROLE regress_zd_m_granted; SELECT status FROM zendesk_fdw.materialize('m_owner.orgs', 'm_granted.from_owner');
\i sql/include/cell.sql
\set cell 'materialize: granted, another''s target it may only read' \set expect 42501
SET ROLE regress_zd_m_granted; SELECT status FROM zendesk_fdw.materialize('m_owner.orgs', 'm_owner.mirror');
\i sql/include/cell.sql
\set cell 'materialize: granted, another''s sync' \set expect 42501
SET ROLE regress_zd_m_granted; SELECT status FROM zendesk_fdw.materialize('m_owner.orgs', 'm_owner.shared');
\i sql/include/cell.sql
\set cell 'materialize: owner, another''s source not granted' \set expect 42501
SET ROLE regress_zd_m_owner; SELECT status FROM zendesk_fdw.materialize('m_granted.orgs', 'm_owner.from_granted');
\i sql/include/cell.sql
\set cell 'materialize: none, another''s source' \set expect 42501
SET ROLE regress_zd_m_none; SELECT status FROM zendesk_fdw.materialize('m_owner.orgs', 'm_none.t');
\i sql/include/cell.sql
\set cell 'materialize: none, a catalog as the source' \set expect 42809
SET ROLE regress_zd_m_none; SELECT status FROM zendesk_fdw.materialize('pg_class', 'm_none.t');
\i sql/include/cell.sql

-- resync(source, target): a reset and a full run, with both sets of checks
\set cell 'resync: owner, own pair' \set expect 00000
SET ROLE regress_zd_m_owner; CALL zendesk_fdw.resync('m_owner.orgs', 'm_owner.mirror');
\i sql/include/cell.sql
\set cell 'resync: granted, own pair' \set expect 00000
SET ROLE regress_zd_m_granted; CALL zendesk_fdw.resync('m_owner.orgs', 'm_granted.from_owner');
\i sql/include/cell.sql
\set cell 'resync: granted, another''s target it may only read' \set expect 42501
SET ROLE regress_zd_m_granted; CALL zendesk_fdw.resync('m_owner.orgs', 'm_owner.mirror');
\i sql/include/cell.sql
\set cell 'resync: granted, another''s sync' \set expect 42501
SET ROLE regress_zd_m_granted; CALL zendesk_fdw.resync('m_owner.orgs', 'm_owner.shared');
\i sql/include/cell.sql
\set cell 'resync: none, another''s pair' \set expect 42501
SET ROLE regress_zd_m_none; CALL zendesk_fdw.resync('m_owner.orgs', 'm_owner.mirror');
\i sql/include/cell.sql
\set cell 'resync: none, a catalog as the source' \set expect 42809
SET ROLE regress_zd_m_none; CALL zendesk_fdw.resync('pg_class', 'm_owner.mirror');
\i sql/include/cell.sql

-- sync_reset(source, target): the checks of a sync, and the pair's owner
\set cell 'sync_reset: granted, another''s target it may only read' \set expect 42501
SET ROLE regress_zd_m_granted; CALL zendesk_fdw.sync_reset('m_owner.orgs', 'm_owner.mirror');
\i sql/include/cell.sql
\set cell 'sync_reset: granted, another''s sync' \set expect 42501
SET ROLE regress_zd_m_granted; CALL zendesk_fdw.sync_reset('m_owner.orgs', 'm_owner.shared');
\i sql/include/cell.sql
\set cell 'sync_reset: none, another''s pair' \set expect 42501
SET ROLE regress_zd_m_none; CALL zendesk_fdw.sync_reset('m_owner.orgs', 'm_owner.mirror');
\i sql/include/cell.sql
\set cell 'sync_reset: none, another''s pair in a schema it may use' \set expect 42501
SET ROLE regress_zd_m_none; CALL zendesk_fdw.sync_reset('m_owner.orgs', 'm_pub.mirror');
\i sql/include/cell.sql
\set cell 'sync_reset: none, a catalog as the source' \set expect 42809
SET ROLE regress_zd_m_none; CALL zendesk_fdw.sync_reset('pg_class', 'm_pub.mirror');
\i sql/include/cell.sql
\set cell 'sync_reset: none, a table of its own as the source' \set expect 42809
SET ROLE regress_zd_m_none; CALL zendesk_fdw.sync_reset('m_none.plain', 'm_pub.mirror');
\i sql/include/cell.sql
\set cell 'sync_reset: granted, own pair' \set expect 00000
SET ROLE regress_zd_m_granted; CALL zendesk_fdw.sync_reset('m_owner.orgs', 'm_granted.from_owner');
\i sql/include/cell.sql
\set cell 'sync_reset: owner, own pair' \set expect 00000
SET ROLE regress_zd_m_owner; CALL zendesk_fdw.sync_reset('m_owner.orgs', 'm_owner.mirror');
\i sql/include/cell.sql

-- the event triggers' functions: the event triggers' only
\set cell 'sync_state_dropped: owner' \set expect 42501
SET ROLE regress_zd_m_owner; SELECT zendesk_fdw.sync_state_dropped();
\i sql/include/cell.sql
\set cell 'sync_state_dropped: a superuser, not as an event trigger' \set expect 0A000
SELECT zendesk_fdw.sync_state_dropped();
\i sql/include/cell.sql
\set cell 'server_options_guard: owner' \set expect 42501
SET ROLE regress_zd_m_owner; SELECT zendesk_fdw.server_options_guard();
\i sql/include/cell.sql
\set cell 'server_options_guard: a superuser, not as an event trigger' \set expect 39P01
SELECT zendesk_fdw.server_options_guard();
\i sql/include/cell.sql

-- the wrapper's validator: PUBLIC's, as every validator; it reads nothing
-- and changes nothing.  Server options from a role that is not a superuser
-- it takes only as the event trigger approved them for a statement
\set cell 'zendesk_fdw_validator: none, a user mapping''s options' \set expect 00000
SET ROLE regress_zd_m_none; SELECT zendesk_fdw.zendesk_fdw_validator(ARRAY['oauth_token=x'], 'pg_user_mapping'::regclass);
\i sql/include/cell.sql
\set cell 'zendesk_fdw_validator: none, server options outside a statement' \set expect 42501
SET ROLE regress_zd_m_none; SELECT zendesk_fdw.zendesk_fdw_validator(ARRAY['subdomain=acme'], 'pg_foreign_server'::regclass);
\i sql/include/cell.sql
\set cell 'zendesk_fdw_validator: none, a superuser-only option' \set expect 42501
SET ROLE regress_zd_m_none; SELECT zendesk_fdw.zendesk_fdw_validator(ARRAY['url=https://collector.example.com'], 'pg_foreign_server'::regclass);
\i sql/include/cell.sql

-- the tables: read by every role (their own rows), written by none
\set cell 'sync_state: none reads' \set expect 00000
SET ROLE regress_zd_m_none; SELECT count(*) AS own_rows FROM zendesk_fdw.sync_state;
\i sql/include/cell.sql
\set cell 'sync_state: granted writes' \set expect 42501
SET ROLE regress_zd_m_granted; UPDATE zendesk_fdw.sync_state SET status = 'done';
\i sql/include/cell.sql
\set cell 'sync_tombstones: owner writes' \set expect 42501
SET ROLE regress_zd_m_owner; DELETE FROM zendesk_fdw.sync_tombstones;
\i sql/include/cell.sql

\set VERBOSITY default
RESET client_min_messages;
-- the matrix, and the cells that gave what they did not expect (none)
SELECT n, cell, expected, got FROM matrix ORDER BY n;
SELECT n, cell, expected, got FROM matrix WHERE got IS DISTINCT FROM expected ORDER BY n;
-- what the refused calls left: the owner's syncs as they were
SELECT source::text, target::text, owner::text, status FROM zendesk_fdw.sync_state
 WHERE owner IN ('regress_zd_m_owner'::regrole, 'regress_zd_m_granted'::regrole)
 ORDER BY 2;
SET client_min_messages = warning;
DROP SCHEMA m_owner, m_granted, m_none, m_pub CASCADE;
DROP SERVER zd_m CASCADE;
RESET client_min_messages;
DROP ROLE regress_zd_m_owner, regress_zd_m_granted, regress_zd_m_none;
