--
-- cancel: a request that does not answer ends promptly on statement_timeout
-- (the wait watches the latch, not only libcurl), and the server option
-- timeout bounds a request.
--
\getenv sim_url ZD_SIM_URL
CREATE SERVER zd_slow FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '6000');
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

-- the server's own timeout, without retries: an error
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "delay": 30, "count": 1}' "$ZD_SIM_URL/_sim/faults" >/dev/null
ALTER SERVER zd_slow OPTIONS (ADD timeout '1', ADD max_retries '0');
SELECT clock_timestamp() AS t0 \gset
\set VERBOSITY terse
SELECT count(*) FROM zd.tickets_slow;
\set VERBOSITY default
SELECT clock_timestamp() - :'t0'::timestamptz < interval '2.5 s' AS ended_within_2_5_s;

-- with retries, a request that timed out once is made again and the scan completes
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "delay": 30, "count": 1}' "$ZD_SIM_URL/_sim/faults" >/dev/null
ALTER SERVER zd_slow OPTIONS (SET max_retries '1');
SELECT count(*) > 0 AS rows_read FROM zd.tickets_slow;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/faults" >/dev/null
ALTER SERVER zd_slow OPTIONS (DROP timeout, DROP max_retries);

-- a query cancel and a backend termination from another session, while the
-- request waits (pg_stat_activity shows the wait as Extension, on 17 and
-- later as what it waits for)
CREATE EXTENSION dblink;
CREATE FUNCTION pg_temp.waiting(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  w text;
BEGIN
  FOR i IN 1..200 LOOP
    PERFORM pg_stat_clear_snapshot();
    SELECT wait_event_type INTO w FROM pg_stat_activity WHERE query = q;
    IF w = 'Extension' THEN
      RETURN w;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RETURN coalesce(w, 'not running');
END $$;
-- whether q comes to wait for event: on 17 and later the waits are named
-- (ZendeskRequest, ZendeskPacing, ZendeskTokenRefresh), before every one is
-- "Extension"
CREATE FUNCTION pg_temp.waits_for(q text, event text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  named text := CASE WHEN current_setting('server_version_num')::int >= 170000
                     THEN event ELSE 'Extension' END;
BEGIN
  FOR i IN 1..200 LOOP
    PERFORM pg_stat_clear_snapshot();
    PERFORM FROM pg_stat_activity WHERE query = q AND wait_event = named;
    IF FOUND THEN
      RETURN true;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RETURN false;
END $$;
SELECT dblink_connect('bg', format('dbname=%s host=%s port=%s', current_database(),
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port')));

\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "delay": 30, "count": 1}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT dblink_send_query('bg', 'SELECT count(*) FROM zd.tickets_slow');
SELECT pg_temp.waiting('SELECT count(*) FROM zd.tickets_slow') AS wait_event_type;
SELECT pg_temp.waits_for('SELECT count(*) FROM zd.tickets_slow', 'ZendeskRequest') AS waits_for_zendesk;
SELECT clock_timestamp() AS t0 \gset
SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT count(*) FROM zd.tickets_slow';
\set VERBOSITY terse
SELECT * FROM dblink_get_result('bg') AS t(n bigint);
\set VERBOSITY default
SELECT clock_timestamp() - :'t0'::timestamptz < interval '1.5 s' AS cancelled_within_1_5_s;
SELECT * FROM dblink_get_result('bg') AS t(n bigint);

-- the pause between export requests: at one a minute, the second page waits
CREATE SERVER zd_paced FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '1');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_paced
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE FOREIGN TABLE zd.tickets_paced (id bigint) SERVER zd_paced OPTIONS (resource 'tickets');
SELECT dblink_send_query('bg', 'SELECT count(*) FROM zd.tickets_paced');
SELECT pg_temp.waits_for('SELECT count(*) FROM zd.tickets_paced', 'ZendeskPacing') AS waits_for_pacing;
SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT count(*) FROM zd.tickets_paced';
\set VERBOSITY terse
SELECT * FROM dblink_get_result('bg') AS t(n bigint);
\set VERBOSITY default
SELECT * FROM dblink_get_result('bg') AS t(n bigint);

\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "delay": 30, "count": 1}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT dblink_send_query('bg', 'SELECT count(*) FROM zd.tickets_slow');
SELECT pg_temp.waiting('SELECT count(*) FROM zd.tickets_slow') AS wait_event_type;
SELECT pg_terminate_backend(pid, 1500) AS terminated_within_1_5_s
  FROM pg_stat_activity WHERE query = 'SELECT count(*) FROM zd.tickets_slow';
SELECT dblink_disconnect('bg');
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/faults" >/dev/null
