--
-- bad_input: every door the other tests leave, each with a clear error
-- that loses nothing.  Already tested elsewhere, and not repeated here:
-- unknown options on servers, user mappings and columns, options on the
-- wrong level, credentials outside user mappings, bad subdomains and urls,
-- page_size out of range, incomplete or mixed credentials, unknown
-- resources, unknown column names (options.sql); IMPORT FOREIGN SCHEMA
-- options, values that do not fit their column, custom-field options of
-- another resource (import.sql); hostile target and quarantine names,
-- targets and sources of every wrong kind (privileges.sql); HTTP errors,
-- 429s, 5xx, 504 and bad pages in a scan (retry.sql, tests/scenarios);
-- an unconvertible record and an invalid cursor in a sync (sync.sql).
--

-- options too long: refused without printing the value
SELECT 'https://' || repeat('a', 100000) || '.zendesk.com' AS long_url \gset
CREATE SERVER bad_s FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url :'long_url');
CREATE SERVER bad_s FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain :'long_url');
CREATE SERVER bad_s FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme', ca_file :'long_url');
CREATE SERVER bad_s FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme', page_size :'long_url');
CREATE SERVER bad_s FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme');
CREATE USER MAPPING FOR CURRENT_USER SERVER bad_s OPTIONS (email 'a@example.com', api_token :'long_url');
-- a refresh token lives in a shared slot of 1023 bytes: the limit is said
-- when it is set, not at the first refresh
CREATE USER MAPPING FOR CURRENT_USER SERVER bad_s
  OPTIONS (oauth_client_id 'id', oauth_client_secret 's', oauth_refresh_token :'long_url');
SELECT repeat('r', 1024) AS long_token \gset
CREATE USER MAPPING FOR CURRENT_USER SERVER bad_s
  OPTIONS (oauth_client_id 'id', oauth_client_secret 's', oauth_refresh_token :'long_token');
CREATE FOREIGN TABLE bad_t (id bigint, x text OPTIONS (field :'long_url'))
  SERVER bad_s OPTIONS (resource 'tickets');
SELECT count(*) AS servers_created FROM pg_foreign_server WHERE srvname = 'bad_s';

-- numbers: negative, out of range, not numbers, not integers
ALTER SERVER bad_s OPTIONS (ADD page_size '-1');
ALTER SERVER bad_s OPTIONS (ADD timeout '3601');
ALTER SERVER bad_s OPTIONS (ADD connect_timeout '1.5');
ALTER SERVER bad_s OPTIONS (ADD max_retries '-1');
ALTER SERVER bad_s OPTIONS (ADD max_retries '101');
ALTER SERVER bad_s OPTIONS (ADD export_requests_per_minute '0');
ALTER SERVER bad_s OPTIONS (ADD max_requests_per_minute 'ten');
ALTER SERVER bad_s OPTIONS (ADD max_requests_per_statement '1000000001');
ALTER SERVER bad_s OPTIONS (ADD page_size '10abc');
ALTER SERVER bad_s OPTIONS (ADD page_size 'true');
ALTER SERVER bad_s OPTIONS (ADD page_size '99999999999999999999');
ALTER SERVER bad_s OPTIONS (ADD page_size '');
ALTER SERVER bad_s OPTIONS (ADD max_retries '0', ADD max_requests_per_statement '0');
-- proxies: a URL with a host, and nothing else
ALTER SERVER bad_s OPTIONS (ADD proxy 'http://');
ALTER SERVER bad_s OPTIONS (ADD proxy 'proxy.example.com:3128');
ALTER SERVER bad_s OPTIONS (ADD proxy 'ftp://proxy.example.com:21');
ALTER SERVER bad_s OPTIONS (ADD proxy 'http://proxy.example.com:3128/path?x=1');
ALTER SERVER bad_s OPTIONS (ADD proxy 'socks5h://127.0.0.1:1080');
SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'bad_s';

-- booleans, ids and enumerations
CREATE FOREIGN TABLE bad_t (id bigint) SERVER bad_s OPTIONS (resource 'tickets', include_deleted '2');
CREATE FOREIGN TABLE bad_t (id bigint) SERVER bad_s OPTIONS (resource 'tickets', include_deleted '');
CREATE FOREIGN TABLE bad_t (id bigint) SERVER bad_s OPTIONS (resource 'tickets', rows '-1');
CREATE FOREIGN TABLE bad_t (id bigint) SERVER bad_s OPTIONS (resource 'ticket_events', include 'comments');
CREATE FOREIGN TABLE bad_t (id bigint) SERVER bad_s OPTIONS (resource 'tickets', include 'comment_events');
CREATE FOREIGN TABLE bad_t (id bigint) SERVER bad_s OPTIONS (resource 'TICKETS');
CREATE FOREIGN TABLE bad_t (id bigint, x text OPTIONS (custom_field_id '0')) SERVER bad_s OPTIONS (resource 'tickets');
CREATE FOREIGN TABLE bad_t (id bigint, x text OPTIONS (custom_field_id '-360001')) SERVER bad_s OPTIONS (resource 'tickets');
CREATE FOREIGN TABLE bad_t (id bigint, x text OPTIONS (custom_field_id '1.5')) SERVER bad_s OPTIONS (resource 'tickets');
CREATE FOREIGN TABLE bad_t (id bigint, x text OPTIONS (custom_field_id '99999999999999999999')) SERVER bad_s OPTIONS (resource 'tickets');
CREATE FOREIGN TABLE bad_t (id bigint, x text OPTIONS (field '')) SERVER bad_s OPTIONS (resource 'tickets');

-- unknown options at the levels options.sql leaves, with the valid ones
CREATE FOREIGN TABLE bad_t (id bigint) SERVER bad_s OPTIONS (resouce 'tickets');
ALTER FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (ADD url 'https://acme.zendesk.com');
CREATE SCHEMA bad_import;
IMPORT FOREIGN SCHEMA zendesk FROM SERVER bad_s INTO bad_import OPTIONS (include_deleted 'maybe');

-- an option twice, or altered where it is not
CREATE SERVER bad_twice FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'a', subdomain 'b');
ALTER SERVER bad_s OPTIONS (ADD subdomain 'other');
ALTER SERVER bad_s OPTIONS (SET page_size '10');
ALTER SERVER bad_s OPTIONS (DROP timeout);
CREATE USER MAPPING FOR CURRENT_USER SERVER bad_s OPTIONS (oauth_token 'a', oauth_token 'b');

-- a custom-field option where the resource has no custom fields, and a
-- source without the columns a sync needs
CREATE USER MAPPING FOR CURRENT_USER SERVER bad_s OPTIONS (oauth_token 'unused');
CREATE FOREIGN TABLE bad_users (id bigint, x text OPTIONS (custom_field_id '360001'))
  SERVER bad_s OPTIONS (resource 'users');
EXPLAIN (COSTS OFF) SELECT * FROM bad_users;
CREATE FOREIGN TABLE bad_events (id bigint, x text OPTIONS (custom_field_id '360001'))
  SERVER bad_s OPTIONS (resource 'ticket_events');
EXPLAIN (COSTS OFF) SELECT * FROM bad_events;
CREATE FOREIGN TABLE bad_text_id (id text, generated_timestamp timestamptz) SERVER bad_s OPTIONS (resource 'tickets');
SELECT status FROM zendesk_fdw.materialize('bad_text_id', 'bad_mirror');
CREATE FOREIGN TABLE bad_no_time (id bigint, subject text) SERVER bad_s OPTIONS (resource 'tickets');
SELECT status FROM zendesk_fdw.materialize('bad_no_time', 'bad_mirror');
CREATE FOREIGN TABLE bad_no_resource (id bigint) SERVER bad_s;
SELECT status FROM zendesk_fdw.materialize('bad_no_resource', 'bad_mirror');

-- sync arguments
CREATE FOREIGN TABLE bad_tickets (id bigint, generated_timestamp timestamptz) SERVER bad_s OPTIONS (resource 'tickets');
SELECT status FROM zendesk_fdw.materialize(NULL, 'bad_mirror');
SELECT status FROM zendesk_fdw.materialize('bad_tickets', NULL);
CALL zendesk_fdw.sync(NULL, NULL);
CALL zendesk_fdw.sync_reset('bad_tickets', NULL);
SELECT status FROM zendesk_fdw.materialize(0, 'bad_mirror');
SELECT status FROM zendesk_fdw.materialize(4294967295, 'bad_mirror');
SELECT status FROM zendesk_fdw.materialize('no_such_table', 'bad_mirror');
SELECT status FROM zendesk_fdw.materialize('bad_tickets', 'bad_mirror', delete_mode => 'purge');
SELECT status FROM zendesk_fdw.materialize('bad_tickets', 'bad_mirror', delete_mode => 'REMOVE');
SELECT status FROM zendesk_fdw.materialize('bad_tickets', 'bad_mirror', delete_mode => '');
SELECT status FROM zendesk_fdw.materialize('bad_tickets', 'bad_mirror', start_time => '1969-12-31 23:59:59+00');
SELECT status FROM zendesk_fdw.materialize('bad_tickets', 'bad_mirror', start_time => '-infinity');
SELECT status FROM zendesk_fdw.materialize('bad_tickets', 'bad_mirror', start_time => 'infinity');
SELECT status FROM zendesk_fdw.materialize('bad_tickets', 'bad_mirror', start_time => now() + interval '1 day');
CALL zendesk_fdw.sync('bad_tickets', 'bad_mirror', start_time => 'infinity');
CALL zendesk_fdw.resync('bad_tickets', 'bad_mirror', delete_mode => 'purge');
CREATE TABLE bad_plain (id bigint PRIMARY KEY, generated_timestamp timestamptz);
CREATE VIEW bad_view AS SELECT * FROM bad_plain;
CREATE FOREIGN DATA WRAPPER bad_other_fdw;
CREATE SERVER bad_other FOREIGN DATA WRAPPER bad_other_fdw;
CREATE FOREIGN TABLE bad_other_table (id bigint, generated_timestamp timestamptz) SERVER bad_other;
SELECT status FROM zendesk_fdw.materialize('bad_plain', 'bad_mirror');
SELECT status FROM zendesk_fdw.materialize('bad_view', 'bad_mirror');
SELECT status FROM zendesk_fdw.materialize('bad_other_table', 'bad_mirror');
CALL zendesk_fdw.sync_reset('bad_tickets', 'no_such_table');
-- none of them wrote anything
SELECT count(*) AS state_rows, to_regclass('bad_mirror') AS mirror
  FROM zendesk_fdw.sync_state WHERE source::text LIKE 'bad%';

-- check_connection: a server that is not there, or not Zendesk's
SELECT server FROM zendesk_fdw.check_connection(NULL);
SELECT server FROM zendesk_fdw.check_connection('');
SELECT server FROM zendesk_fdw.check_connection('bad_other');
SELECT server FROM zendesk_fdw.check_connection(repeat('s', 100));

SET client_min_messages = warning;
DROP SCHEMA bad_import;
DROP SERVER bad_s CASCADE;
DROP SERVER bad_other CASCADE;
DROP FOREIGN DATA WRAPPER bad_other_fdw;
DROP VIEW bad_view;
DROP TABLE bad_plain;
RESET client_min_messages;

-- Simulator faults no other test injects end to end (tests/sim checks
-- that the simulator makes them): a ghost page (empty, its position
-- moved), a position that stops moving, and the account-wide 429 in plain
-- text.  A private simulator, so the faults reach no other test.
\set url `bash scripts/regress-sim.sh start bad_input --seed 1 --tickets 300 --export-limit 100000 --account-limit 100000`
\setenv ZD_BAD_URL :url
\set truth_cmd 'curl -sf ' :url '/_sim/tickets.jsonl'
CREATE TEMP TABLE truth (doc jsonb);
COPY truth FROM PROGRAM :'truth_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
CREATE SERVER bad_sim FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'url', page_size '100', export_requests_per_minute '6000');
CREATE USER MAPPING FOR CURRENT_USER SERVER bad_sim
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA bad_sim;
CREATE FOREIGN TABLE bad_sim.tickets (id bigint, subject text, generated_timestamp timestamptz, raw jsonb)
  SERVER bad_sim OPTIONS (resource 'tickets');
CREATE FUNCTION pg_temp.mirror_vs_truth(target regclass,
  OUT mirror_rows bigint, OUT only_in_mirror bigint, OUT only_in_zendesk bigint)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT (SELECT count(*) FROM %1$s),
    (SELECT count(*) FROM (SELECT raw FROM %1$s EXCEPT SELECT doc FROM truth WHERE doc->>''status'' <> ''deleted'') a),
    (SELECT count(*) FROM (SELECT doc FROM truth WHERE doc->>''status'' <> ''deleted'' EXCEPT SELECT raw FROM %1$s) b)',
    target) INTO mirror_rows, only_in_mirror, only_in_zendesk;
END $$;

-- a ghost page in the middle of a scan: followed, nothing lost
\! curl -sf -X POST -d '{"endpoint": "export_tickets_cursor", "query": "cursor=", "kind": "ghost_page", "nth": 1}' "$ZD_BAD_URL/_sim/faults" >/dev/null
SELECT count(*) = (SELECT count(*) FROM truth WHERE doc->>'status' <> 'deleted') AS every_live_ticket,
       count(DISTINCT id) = count(*) AS once_each
  FROM bad_sim.tickets;

-- the account-wide 429 in plain text: waited for, then the scan goes on
\! curl -sf -X POST -d '{"endpoint": "export_tickets_cursor", "kind": "account_rate_limit", "retry_after": 1, "nth": 2}' "$ZD_BAD_URL/_sim/faults" >/dev/null
SELECT count(*) = (SELECT count(*) FROM truth WHERE doc->>'status' <> 'deleted') AS every_live_ticket
  FROM bad_sim.tickets;

-- a position that stops moving in the middle of a sync: an error, not a
-- loop; the pages before it stay, with their checkpoint; the next run
-- resumes from it and the mirror is exact
\! curl -sf -X POST -d '{"endpoint": "export_tickets_cursor", "query": "cursor=", "kind": "stall", "nth": 1}' "$ZD_BAD_URL/_sim/faults" >/dev/null
\set VERBOSITY terse
CALL zendesk_fdw.sync('bad_sim.tickets', 'bad_sim.mirror');
\set VERBOSITY default
SELECT status, pages, after_cursor IS NOT NULL AS has_checkpoint, error ~ 'stopped advancing' AS says_why
  FROM zendesk_fdw.sync_state WHERE target = 'bad_sim.mirror'::regclass;
SELECT mirror_rows > 0 AS pages_kept, only_in_mirror FROM pg_temp.mirror_vs_truth('bad_sim.mirror');
SET client_min_messages = warning;
CALL zendesk_fdw.sync('bad_sim.tickets', 'bad_sim.mirror');
RESET client_min_messages;
SELECT status FROM zendesk_fdw.sync_state WHERE target = 'bad_sim.mirror'::regclass;
SELECT mirror_rows = (SELECT count(*) FROM truth WHERE doc->>'status' <> 'deleted') AS every_live_ticket,
       only_in_mirror, only_in_zendesk
  FROM pg_temp.mirror_vs_truth('bad_sim.mirror');

\! bash scripts/regress-sim.sh stop bad_input
SET client_min_messages = warning;
DROP SCHEMA bad_sim CASCADE;
DROP SERVER bad_sim CASCADE;
