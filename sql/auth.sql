--
-- auth: OAuth client credentials (the way in for new Zendesk users) and API
-- tokens; tokens renewed after Zendesk calls them invalid; credentials never
-- in a message.
--
\getenv sim_url ZD_SIM_URL
\set log_cmd 'curl -sf ' :sim_url '/_sim/requests.jsonl'
CREATE TEMP TABLE log (doc jsonb);

CREATE SERVER zd_oauth FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '6000');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_oauth
  OPTIONS (oauth_client_id 'zendesk_fdw_sim', oauth_client_secret 'sim-client-secret');
CREATE FOREIGN TABLE zd.tickets_oauth (id bigint, status text)
  SERVER zd_oauth OPTIONS (resource 'tickets');

-- one token for two scans
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) > 0 AS rows_read FROM zd.tickets_oauth;
SELECT count(*) > 0 AS rows_read FROM zd.tickets_oauth;
COPY log FROM PROGRAM :'log_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
SELECT doc->>'method' AS method, doc->>'path' AS path, doc->>'status' AS status,
       doc->>'auth' AS auth, count(*)
  FROM log GROUP BY 1, 2, 3, 4 ORDER BY 1 DESC, 2, 3;

-- Zendesk revokes the token: one 401 invalid_token, a new token, the scan goes on
\! curl -sf -X POST "$ZD_SIM_URL/_sim/revoke_tokens" >/dev/null
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) > 0 AS rows_read FROM zd.tickets_oauth;
TRUNCATE log;
COPY log FROM PROGRAM :'log_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
SELECT doc->>'method' AS method, doc->>'path' AS path, doc->>'status' AS status, count(*)
  FROM log GROUP BY 1, 2, 3 ORDER BY min((doc->>'time')::float8);

-- a wrong client secret: the cached token is dropped with the old mapping
ALTER USER MAPPING FOR CURRENT_USER SERVER zd_oauth
  OPTIONS (SET oauth_client_secret 'not-the-secret');
SELECT count(*) FROM zd.tickets_oauth;
ALTER USER MAPPING FOR CURRENT_USER SERVER zd_oauth
  OPTIONS (SET oauth_client_secret 'sim-client-secret');
SELECT count(*) > 0 AS rows_read FROM zd.tickets_oauth;

-- a static OAuth token that Zendesk does not know
ALTER USER MAPPING FOR CURRENT_USER SERVER zd_oauth
  OPTIONS (DROP oauth_client_id, DROP oauth_client_secret, ADD oauth_token 'no-such-token');
SELECT count(*) FROM zd.tickets_oauth;

-- API tokens: right and wrong
ALTER USER MAPPING FOR CURRENT_USER SERVER zd_oauth
  OPTIONS (DROP oauth_token, ADD email 'admin@example.com', ADD api_token 'sim-api-token');
SELECT count(*) > 0 AS rows_read FROM zd.tickets_oauth;
ALTER USER MAPPING FOR CURRENT_USER SERVER zd_oauth OPTIONS (SET api_token 'wrong-token');
SELECT count(*) FROM zd.tickets_oauth;

-- a role without a user mapping
SET ROLE regress_zd_user;
SELECT count(*) FROM zd.tickets_oauth;
RESET ROLE;
GRANT USAGE ON SCHEMA zd TO regress_zd_user;
GRANT SELECT ON zd.tickets_oauth TO regress_zd_user;
SET ROLE regress_zd_user;
SELECT count(*) FROM zd.tickets_oauth;
RESET ROLE;
