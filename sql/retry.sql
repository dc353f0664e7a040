--
-- retry: Zendesk's rate limits and failures.  A 429 waits exactly its
-- Retry-After and goes on; a 503 with Retry-After too; other 5xx are
-- retried with backoff up to max_retries; a 504 on a large page is retried
-- with half the page; bad answers end the statement with Zendesk's words.
--
\getenv sim_url ZD_SIM_URL
\set log_cmd 'curl -sf ' :sim_url '/_sim/requests.jsonl'
CREATE TEMP TABLE log (doc jsonb);
CREATE FUNCTION pg_temp.requests() RETURNS TABLE (n bigint, status int, per_page text, gap numeric)
LANGUAGE sql AS $$
  SELECT row_number() OVER w, (doc->>'status')::int,
         substring(doc->>'query' from 'per_page=([0-9]+)'),
         round(((doc->>'time')::numeric - lag((doc->>'time')::numeric) OVER w), 1)
    FROM log WINDOW w AS (ORDER BY (doc->>'time')::numeric)
$$;

CREATE SERVER zd_retry FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '6000');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_retry
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE FOREIGN TABLE zd.tickets_retry (id bigint) SERVER zd_retry OPTIONS (resource 'tickets');
SELECT count(*) AS expected FROM zd.tickets_retry \gset

-- two 429s with Retry-After: 1: each waits a second, then the scan goes on
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "skip": 1, "count": 2, "status": 429, "body": "{\"error\":\"APIRateLimitExceeded\",\"description\":\"Number of allowed incremental export API requests per minute exceeded\"}", "headers": {"Retry-After": "1"}}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) = :expected AS all_rows FROM zd.tickets_retry;
TRUNCATE log;
COPY log FROM PROGRAM :'log_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
SELECT n, status, gap >= 1.0 AS waited_retry_after FROM pg_temp.requests();

-- a 503 with Retry-After, then a 500 and a 502 retried with backoff
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 503, "body": "", "headers": {"Retry-After": "1"}}' "$ZD_SIM_URL/_sim/faults" >/dev/null
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "skip": 1, "count": 1, "status": 500, "body": "{\"error\":\"InternalError\"}"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "skip": 1, "count": 1, "status": 502, "content_type": "text/html", "body": "<html>Bad gateway</html>"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) = :expected AS all_rows FROM zd.tickets_retry;
TRUNCATE log;
COPY log FROM PROGRAM :'log_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
SELECT n, status, gap >= 0.5 AS waited FROM pg_temp.requests();

-- a 504 on a large page: the page again, half as large
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "skip": 1, "count": 1, "status": 504, "content_type": "text/html", "body": "<html>Gateway Timeout</html>"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) = :expected AS all_rows FROM zd.tickets_retry;
TRUNCATE log;
COPY log FROM PROGRAM :'log_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
SELECT n, status, per_page FROM pg_temp.requests();

-- retries run out: the error says what Zendesk said
ALTER SERVER zd_retry OPTIONS (ADD max_retries '2');
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 3, "status": 500, "body": "{\"error\":\"InternalError\",\"description\":\"Something went wrong\"}"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) FROM zd.tickets_retry;
TRUNCATE log;
COPY log FROM PROGRAM :'log_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
SELECT count(*) AS attempts FROM log;

-- answers that are not retried
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 403, "body": "{\"error\":{\"title\":\"Forbidden\",\"message\":\"You do not have access to this page. Please contact the account owner of this help desk for further help.\"}}"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) FROM zd.tickets_retry;
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 403, "body": "{\"error\":\"Forbidden\",\"description\":\"You are missing the following required scopes: read\"}"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) FROM zd.tickets_retry;
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 404, "body": "{}"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) FROM zd.tickets_retry;
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 422, "body": "{\"error\":\"InvalidValue\",\"description\":\"Too recent start_time. Use a start_time older than 5 minutes\"}"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) FROM zd.tickets_retry;

-- bad bodies with a 200: nothing from the page is returned
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 200, "content_type": "text/html", "body": "<html><body>Maintenance</body></html>"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) FROM zd.tickets_retry;
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 200, "body": "{\"tickets\":[{\"id\":1}],\"after_url\":null"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) FROM zd.tickets_retry;
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 200, "body": "{\"tickets\":[{\"id\":1}],\"after_url\":\"http://127.0.0.2:1/api/v2/incremental/tickets/cursor.json?cursor=x\",\"after_cursor\":\"x\",\"end_of_stream\":false}"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) FROM zd.tickets_retry;
\! curl -sf -X POST -d '{"path": "/api/v2/incremental/tickets/cursor", "count": 1, "status": 200, "body": "{\"tickets\":[{\"id\":\"one\"}],\"after_url\":null,\"after_cursor\":null,\"end_of_stream\":true}"}' "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) FROM zd.tickets_retry;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/faults" >/dev/null
SELECT count(*) = :expected AS all_rows FROM zd.tickets_retry;

-- the counters: per account and endpoint, for this backend (no preload here)
SELECT endpoint, rate_limited, retries, requests = export_requests AS all_exports,
       bytes > 0 AS bytes_counted, seconds_waited >= 2 AS waits_counted, cluster_wide
  FROM zendesk_fdw.stats ORDER BY endpoint;
