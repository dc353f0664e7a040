--
-- options: every option is checked where it is given, with a hint listing
-- the valid ones; credentials belong in user mappings only.
--

-- servers
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (host 'x');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (api_token 'secret');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme.evil.com');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain '-acme');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain '');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url 'http://acme.zendesk.com');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url 'http://127.0.0.1.evil.com');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url 'ftp://127.0.0.1/');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url 'https://user:pw@acme.zendesk.com');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url 'https://acme.zendesk.com/?x=1');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url 'not a url');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme', url 'https://acme.zendesk.com');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme', page_size '0');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme', page_size '1001');
-- digits only, as the hint says: no blanks, no sign
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme', page_size ' 500');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme', page_size '+500');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme', page_size '500 ');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme', timeout 'soon');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme', ca_file 'relative.pem');

CREATE SERVER opt_ok FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (subdomain 'acme', page_size '500', timeout '30', connect_timeout '5');
CREATE SERVER opt_loopback FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url 'http://127.0.0.1:9/');
CREATE SERVER opt_localhost FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url 'http://localhost:9');
ALTER SERVER opt_ok OPTIONS (SET page_size '2000');
ALTER SERVER opt_ok OPTIONS (ADD url 'https://acme.zendesk.com');

-- user mappings
CREATE USER MAPPING FOR CURRENT_USER SERVER opt_ok OPTIONS (password 'x');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt_ok OPTIONS (resource 'tickets');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt_ok OPTIONS (oauth_client_id 'id');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt_ok OPTIONS (oauth_client_secret 's');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt_ok OPTIONS (email 'a@example.com');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt_ok OPTIONS (oauth_token 't', email 'a@example.com', api_token 'x');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt_ok OPTIONS (oauth_token 't', oauth_scope 'read');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt_ok
  OPTIONS (oauth_client_id 'id', oauth_client_secret 's', oauth_scope 'read');
ALTER USER MAPPING FOR CURRENT_USER SERVER opt_ok OPTIONS (DROP oauth_client_secret);

-- foreign tables and columns
CREATE FOREIGN TABLE opt_t1 (id bigint) SERVER opt_ok OPTIONS (resource 'tickets', subdomain 'x');
CREATE FOREIGN TABLE opt_t1 (id bigint) SERVER opt_ok OPTIONS (resource 'macros');
CREATE FOREIGN TABLE opt_t1 (id bigint) SERVER opt_ok OPTIONS (resource 'tickets', include_deleted 'maybe');
CREATE FOREIGN TABLE opt_t1 (id bigint OPTIONS (json_key 'id')) SERVER opt_ok OPTIONS (resource 'tickets');
CREATE FOREIGN TABLE opt_t1 (ticket_id bigint OPTIONS (field 'id')) SERVER opt_ok
  OPTIONS (resource 'tickets', include_deleted 'true');
CREATE FOREIGN TABLE opt_t2 (id bigint) SERVER opt_ok;
SELECT * FROM opt_t2;
\d+ opt_t1

-- columns: a key the resource does not have is an error when planned
CREATE FOREIGN TABLE opt_t4 (id bigint, subjetc text) SERVER opt_ok OPTIONS (resource 'tickets');
EXPLAIN (COSTS OFF) SELECT * FROM opt_t4;
ALTER FOREIGN TABLE opt_t4 ALTER COLUMN subjetc OPTIONS (ADD field 'subject');
EXPLAIN (COSTS OFF) SELECT * FROM opt_t4;
ALTER FOREIGN TABLE opt_t4 ADD COLUMN plan text OPTIONS (custom_field_id '360001');
ALTER FOREIGN TABLE opt_t4 ADD COLUMN plan_bad text OPTIONS (custom_field_id 'abc');
ALTER FOREIGN TABLE opt_t4 ADD COLUMN plan_bad text OPTIONS (custom_field_id ' 360001');
ALTER FOREIGN TABLE opt_t4 ADD COLUMN plan2 text OPTIONS (custom_field_id '1', field 'x');
ALTER FOREIGN TABLE opt_t4 ADD COLUMN tier text OPTIONS (user_field 'tier');
EXPLAIN (COSTS OFF) SELECT * FROM opt_t4;
ALTER FOREIGN TABLE opt_t4 DROP COLUMN tier;
ALTER FOREIGN TABLE opt_t4 ADD COLUMN raw text;
EXPLAIN (COSTS OFF) SELECT * FROM opt_t4;
ALTER FOREIGN TABLE opt_t4 DROP COLUMN raw;
CREATE FOREIGN TABLE opt_users (id bigint, tier text OPTIONS (user_field 'tier'), raw jsonb)
  SERVER opt_ok OPTIONS (resource 'users');
CREATE FOREIGN TABLE opt_orgs (id bigint, region text OPTIONS (organization_field 'region'))
  SERVER opt_ok OPTIONS (resource 'organizations');
CREATE FOREIGN TABLE opt_events (id bigint, ticket_id bigint, "timestamp" timestamptz, child_events jsonb)
  SERVER opt_ok OPTIONS (resource 'ticket_events');
EXPLAIN (COSTS OFF) SELECT * FROM opt_t4;
EXPLAIN (COSTS OFF) SELECT * FROM opt_users;
EXPLAIN (COSTS OFF) SELECT * FROM opt_orgs;
EXPLAIN (COSTS OFF) SELECT * FROM opt_events;

-- a server without subdomain or url cannot be read
CREATE SERVER opt_empty FOREIGN DATA WRAPPER zendesk_fdw;
CREATE FOREIGN TABLE opt_t3 (id bigint) SERVER opt_empty OPTIONS (resource 'tickets');
SELECT * FROM opt_t3;

-- options that decide where credentials go are for superusers only
SET ROLE regress_zd_user;
CREATE SERVER opt_user FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url 'https://acme.zendesk.com');
CREATE SERVER opt_user FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme', ca_file '/etc/ssl/certs/ca-certificates.crt');
CREATE SERVER opt_user FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (subdomain 'acme');
DROP SERVER opt_user;
RESET ROLE;

DROP SERVER opt_ok, opt_loopback, opt_localhost, opt_empty CASCADE;
