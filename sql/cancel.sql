--
-- cancel: a request that does not answer ends promptly on statement_timeout
-- (the wait watches the latch, not only libcurl), and the server option
-- timeout bounds a request.
--
\getenv sim_url ZD_SIM_URL
CREATE SERVER zd_slow FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url :'sim_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_slow
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE FOREIGN TABLE zd.tickets_slow (id bigint) SERVER zd_slow OPTIONS (resource 'tickets');

-- the next export request waits 30 s before answering
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "delay": 30, "count": 1}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT clock_timestamp() AS t0 \gset
SET statement_timeout = '1s';
SELECT count(*) FROM zd.tickets_slow;
RESET statement_timeout;
SELECT clock_timestamp() - :'t0'::timestamptz < interval '1.5 s' AS ended_within_1_5_s;

-- the connection is usable right after
SELECT count(*) > 0 AS rows_read FROM zd.tickets_slow;

-- the server's own timeout
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "delay": 30, "count": 1}' "$ZD_SIM_URL/_sim/faults" >/dev/null
ALTER SERVER zd_slow OPTIONS (ADD timeout '1');
SELECT clock_timestamp() AS t0 \gset
\set VERBOSITY terse
SELECT count(*) FROM zd.tickets_slow;
\set VERBOSITY default
SELECT clock_timestamp() - :'t0'::timestamptz < interval '2.5 s' AS ended_within_2_5_s;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) > 0 AS rows_read FROM zd.tickets_slow;
