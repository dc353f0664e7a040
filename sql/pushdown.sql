--
-- pushdown: every row of the README's pushdown table ("What a query asks Zendesk") and every safety rule,
-- each checked three ways: the plan (EXPLAIN VERBOSE), the rows (against the
-- simulator's ground truth) and the requests (against the minimum computed
-- from the ground truth, from the simulator's request log).
--
\getenv sim_url ZD_SIM_URL
\set ECHO none
\i sql/include/explain.sql
\set ECHO all
\set log_cmd 'curl -sf ' :sim_url '/_sim/requests.jsonl'
\set truth_cmd 'curl -sf ' :sim_url '/_sim/tickets.jsonl'
\set orgs_cmd 'curl -sf ' :sim_url '/_sim/organizations.jsonl'
\set users_cmd 'curl -sf ' :sim_url '/_sim/users.jsonl'
\set events_cmd 'curl -sf ' :sim_url '/_sim/ticket_events.jsonl'

CREATE SERVER zd_push FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '6000', page_size '300');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_push
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA zdp;
CREATE FOREIGN TABLE zdp.tickets (
  id bigint, subject text, status text, updated_at timestamptz,
  generated_timestamp timestamptz, raw jsonb
) SERVER zd_push OPTIONS (resource 'tickets');
CREATE FOREIGN TABLE zdp.all_tickets (id bigint, status text, generated_timestamp timestamptz)
  SERVER zd_push OPTIONS (resource 'tickets', include_deleted 'true');
CREATE FOREIGN TABLE zdp.users (id bigint, name text, updated_at timestamptz)
  SERVER zd_push OPTIONS (resource 'users');
CREATE FOREIGN TABLE zdp.organizations (id bigint, name text, updated_at timestamptz)
  SERVER zd_push OPTIONS (resource 'organizations');
CREATE FOREIGN TABLE zdp.ticket_events (id bigint, ticket_id bigint, created_at timestamptz,
  "timestamp" timestamptz)
  SERVER zd_push OPTIONS (resource 'ticket_events');

-- ground truth, and the request log, cleared before and read after each query
CREATE TEMP TABLE truth (doc jsonb);
COPY truth FROM PROGRAM :'truth_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
CREATE TEMP VIEW live AS
  SELECT (doc->>'id')::bigint AS id, doc->>'status' AS status,
         (doc->>'updated_at')::timestamptz AS updated_at,
         to_timestamp((doc->>'generated_timestamp')::bigint) AS generated_timestamp
    FROM truth WHERE doc->>'status' <> 'deleted';
CREATE TEMP TABLE log (doc jsonb);
\set read_log 'TRUNCATE log; COPY log FROM PROGRAM ' :'log_cmd' ' WITH (FORMAT csv, QUOTE E''\\x01'', DELIMITER E''\\x02'');'
-- requests by endpoint since the log was last cleared
CREATE TEMP VIEW requests AS
  SELECT count(*) FILTER (WHERE doc->>'path' LIKE '/api/v2/incremental/%') AS export,
         count(*) FILTER (WHERE doc->>'path' NOT LIKE '/api/v2/incremental/%') AS standard
    FROM log;
-- export requests a cursor export of n records needs, per_page p a page
CREATE FUNCTION minimum(n bigint, p int) RETURNS bigint LANGUAGE sql
  AS $$ SELECT n / p + 1 $$;

-- lower bound on updated_at: start_time = the bound, one request per page of
-- the records from there on (the stream is by generated_timestamp, never
-- earlier than updated_at)
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM zdp.tickets WHERE updated_at > '2026-09-01';
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
CREATE TEMP TABLE got AS SELECT id, status FROM zdp.tickets WHERE updated_at > '2026-09-01';
:read_log
SELECT (SELECT count(*) FROM got) AS rows,
       (SELECT count(*) FROM live WHERE updated_at > '2026-09-01') AS expected,
       (SELECT count(*) FROM (SELECT id, status FROM got
                              EXCEPT SELECT id, status FROM live WHERE updated_at > '2026-09-01') d)
         AS differences;
SELECT export, standard,
       minimum((SELECT count(*) FROM live
                 WHERE generated_timestamp >= '2026-09-01'), 300) AS minimum,
       (SELECT doc->>'query' LIKE 'start_time=' || extract(epoch FROM '2026-09-01'::timestamptz)::bigint || '&%'
          FROM log WHERE doc->>'path' LIKE '/api/v2/incremental/%') AS from_the_bound
  FROM requests;
DROP TABLE got;

-- lower bound on generated_timestamp, written the other way round
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM zdp.tickets WHERE '2026-09-15' <= generated_timestamp;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) AS rows,
       (SELECT count(*) FROM live WHERE generated_timestamp >= '2026-09-15') AS expected
  FROM zdp.tickets WHERE '2026-09-15' <= generated_timestamp;
:read_log
SELECT export, minimum((SELECT count(*) FROM live WHERE generated_timestamp >= '2026-09-15'), 300)
  AS minimum FROM requests;

-- upper bound on the stream's own order (generated_timestamp): the export
-- stops at the page that passes it
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM zdp.tickets WHERE generated_timestamp < '2026-03-01';
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) AS rows,
       (SELECT count(*) FROM live WHERE generated_timestamp < '2026-03-01') AS expected
  FROM zdp.tickets WHERE generated_timestamp < '2026-03-01';
:read_log
-- the page holding the first record past the bound is the last one read
SELECT export,
       (SELECT count(*) FROM live WHERE generated_timestamp < '2026-03-01') / 300 + 1 AS minimum
  FROM requests;

-- safety: an upper bound on ticket updated_at never ends the stream (it can
-- lag generated_timestamp): the whole export is read
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM zdp.tickets WHERE updated_at < '2026-03-01';
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) AS rows,
       (SELECT count(*) FROM live WHERE updated_at < '2026-03-01') AS expected
  FROM zdp.tickets WHERE updated_at < '2026-03-01';
:read_log
SELECT export, minimum((SELECT count(*) FROM live), 300) AS minimum FROM requests;

-- both bounds: start_time and an early stop
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM zdp.tickets
   WHERE generated_timestamp >= '2026-04-01' AND generated_timestamp <= '2026-05-01';
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) AS rows,
       (SELECT count(*) FROM live
         WHERE generated_timestamp BETWEEN '2026-04-01' AND '2026-05-01') AS expected
  FROM zdp.tickets WHERE generated_timestamp >= '2026-04-01' AND generated_timestamp <= '2026-05-01';
:read_log
SELECT export,
       (SELECT count(*) FROM live
         WHERE generated_timestamp BETWEEN '2026-04-01' AND '2026-05-01') / 300 + 1 AS minimum
  FROM requests;

-- an upper bound before the lower one: no request at all
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) FROM zdp.tickets
 WHERE generated_timestamp > '2026-05-01' AND generated_timestamp < '2026-04-01';
:read_log
SELECT export, standard FROM requests;

-- a lower bound within Zendesk's last minute (here: in the future) has
-- nothing to read yet: Zendesk refuses the start_time, and the scan returns no
-- row instead of an error, whichever refusal the account gives (§3.7)
\! curl -sf -X POST -d '{"too_recent": "422"}' "$ZD_SIM_URL/_sim/switches" >/dev/null
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) FROM zdp.tickets WHERE updated_at > now() + interval '1 day';
\! curl -sf -X POST -d '{"too_recent": "400"}' "$ZD_SIM_URL/_sim/switches" >/dev/null
SELECT count(*) FROM zdp.tickets WHERE updated_at > now() + interval '1 day';
\! curl -sf -X POST -d '{"too_recent": "empty"}' "$ZD_SIM_URL/_sim/switches" >/dev/null
SELECT count(*) FROM zdp.tickets WHERE updated_at > now() + interval '1 day';
\! curl -sf -X POST -d '{"too_recent": "422"}' "$ZD_SIM_URL/_sim/switches" >/dev/null
:read_log
SELECT doc->>'status' AS status, doc->>'path' AS path FROM log
 WHERE doc->>'path' LIKE '/api/v2/incremental/%' ORDER BY (doc->>'seq')::int;

-- users (cursor) and organizations (time-based): lower and upper bounds on
-- updated_at, their stream's order
CREATE TEMP TABLE user_truth (doc jsonb);
COPY user_truth FROM PROGRAM :'users_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM zdp.users WHERE updated_at >= '2026-03-01' AND updated_at < '2026-06-01';
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) AS rows,
       (SELECT count(*) FROM user_truth
         WHERE (doc->>'updated_at')::timestamptz >= '2026-03-01'
           AND (doc->>'updated_at')::timestamptz < '2026-06-01') AS expected
  FROM zdp.users WHERE updated_at >= '2026-03-01' AND updated_at < '2026-06-01';
:read_log
SELECT export,
       (SELECT count(*) FROM user_truth
         WHERE (doc->>'updated_at')::timestamptz BETWEEN '2026-03-01' AND '2026-06-01') / 300 + 1
         AS at_most
  FROM requests;

CREATE TEMP TABLE org_truth (doc jsonb);
COPY org_truth FROM PROGRAM :'orgs_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM zdp.organizations WHERE updated_at > '2026-02-01' AND updated_at <= '2026-04-01';
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) AS rows,
       (SELECT count(*) FROM org_truth
         WHERE (doc->>'updated_at')::timestamptz > '2026-02-01'
           AND (doc->>'updated_at')::timestamptz <= '2026-04-01') AS expected
  FROM zdp.organizations WHERE updated_at > '2026-02-01' AND updated_at <= '2026-04-01';
:read_log
SELECT export <= 2 AS stopped_early,
       (SELECT doc->>'query' LIKE 'start_time=' || extract(epoch FROM '2026-02-01'::timestamptz)::bigint || '&%'
          FROM log WHERE doc->>'path' LIKE '/api/v2/incremental/%'
         ORDER BY (doc->>'seq')::int LIMIT 1) AS from_the_bound
  FROM requests;

-- ticket events: a lower bound on created_at or timestamp gives start_time;
-- an upper bound never ends the stream (events can arrive late)
EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM zdp.ticket_events WHERE created_at >= '2026-06-01' AND "timestamp" < '2026-06-02';
CREATE TEMP TABLE event_truth (doc jsonb);
COPY event_truth FROM PROGRAM :'events_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) AS rows,
       (SELECT count(*) FROM event_truth
         WHERE to_timestamp((doc->>'timestamp')::bigint) >= '2026-06-01'
           AND to_timestamp((doc->>'timestamp')::bigint) < '2026-06-02') AS expected
  FROM zdp.ticket_events WHERE created_at >= '2026-06-01' AND "timestamp" < '2026-06-02';
:read_log
-- every event from the lower bound on is read: past the upper bound, to the end
SELECT (SELECT doc->>'query' FROM log ORDER BY (doc->>'seq')::int LIMIT 1) AS first_request,
       export >= (SELECT count(*) FROM event_truth
                   WHERE to_timestamp((doc->>'timestamp')::bigint) >= '2026-06-01') / 300 + 1
         AS read_to_the_end,
       (SELECT count(*) FROM event_truth
         WHERE to_timestamp((doc->>'timestamp')::bigint) >= '2026-06-01') > 600 AS more_than_two_pages
  FROM requests;

-- id = n: one GET, never an export; a missing id (404) and a deleted ticket
-- (the export would hide it) give no row; export-only columns are NULL
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM zdp.tickets WHERE id = 42;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT t.id, t.status = l.status AS same_status, t.updated_at = l.updated_at AS same_time,
       t.generated_timestamp, t.raw->>'id' AS raw_id
  FROM zdp.tickets t JOIN live l USING (id) WHERE t.id = 42;
:read_log
SELECT export, standard, (SELECT doc->>'path' FROM log WHERE doc->>'path' LIKE '/api/v2/tickets/%') AS path
  FROM requests;
SELECT min((doc->>'id')::bigint) AS deleted_id FROM truth WHERE doc->>'status' = 'deleted' \gset
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) AS rows FROM zdp.tickets WHERE id = :deleted_id;
SELECT count(*) AS rows FROM zdp.tickets WHERE id = 987654321;
:read_log
SELECT export, standard FROM requests;

-- id IN / = ANY: show_many in batches of 100, the export's row set
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM zdp.tickets WHERE id IN (1, 2, 3, 987654321);
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
CREATE TEMP TABLE wanted AS
  SELECT id FROM generate_series(1, 150) id UNION SELECT :deleted_id;
SELECT count(*) AS rows,
       (SELECT count(*) FROM live WHERE id IN (SELECT id FROM wanted)) AS expected
  FROM zdp.tickets WHERE id = ANY (ARRAY(SELECT id FROM wanted));
:read_log
SELECT export, standard,
       (SELECT count(*) FROM log WHERE doc->>'path' LIKE '%show_many%') AS show_many
  FROM requests;
-- the same query answered by the export returns the same rows
SELECT count(*) AS differences FROM (
  (SELECT id, status FROM zdp.tickets WHERE id = ANY (ARRAY(SELECT id FROM wanted))
   EXCEPT SELECT id, status FROM zdp.tickets WHERE id + 0 = ANY (ARRAY(SELECT id FROM wanted)))
  UNION ALL
  (SELECT id, status FROM zdp.tickets WHERE id + 0 = ANY (ARRAY(SELECT id FROM wanted))
   EXCEPT SELECT id, status FROM zdp.tickets WHERE id = ANY (ARRAY(SELECT id FROM wanted)))
) d;
-- contradictory ids, a NULL list: no request
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) FROM zdp.tickets WHERE id = 1 AND id = ANY ('{2,3}');
SELECT count(*) FROM zdp.tickets WHERE id = ANY (ARRAY(SELECT id FROM wanted WHERE false));
PREPARE by_ids(bigint[]) AS SELECT count(*) FROM zdp.tickets WHERE id = ANY ($1);
EXECUTE by_ids(NULL);
:read_log
SELECT export, standard FROM requests;

-- safety: a table with include_deleted cannot be answered by lookups (they
-- hide deleted tickets): the export answers
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM zdp.all_tickets WHERE id = 42;

-- run-time values: a generic plan evaluates its parameter at each execution
SET plan_cache_mode = force_generic_plan;
PREPARE since(timestamptz) AS SELECT count(*) FROM zdp.tickets WHERE generated_timestamp >= $1;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE since('2026-09-01');
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
EXECUTE since('2026-09-01');
EXECUTE since('2026-09-20');
:read_log
SELECT array_agg(substring(doc->>'query' FROM 'start_time=(\d+)')::bigint ORDER BY (doc->>'seq')::int)
         FILTER (WHERE doc->>'query' LIKE 'start_time=%') =
       ARRAY[extract(epoch FROM '2026-09-01'::timestamptz)::bigint,
             extract(epoch FROM '2026-09-20'::timestamptz)::bigint] AS each_execution_its_own
  FROM log;
-- a NULL parameter: no request
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
EXECUTE since(NULL);
:read_log
SELECT export, standard FROM requests;
PREPARE one(bigint) AS SELECT id FROM zdp.tickets WHERE id = $1;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE one(7);
EXECUTE one(7);
-- now() in a generic plan is evaluated when the scan starts, not at plan
-- time: two executions of the one cached plan, two seconds apart, ask for
-- start_times two seconds apart, between the times the statements ran
PREPARE recent AS SELECT count(*) FROM zdp.tickets WHERE updated_at > now() - interval '400 days';
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE recent;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT floor(extract(epoch FROM now() - interval '400 days'))::bigint AS before_first \gset
CREATE TEMP TABLE recent_count AS EXECUTE recent;
SELECT pg_sleep(2);
CREATE TEMP TABLE recent_count_2 AS EXECUTE recent;
SELECT ceil(extract(epoch FROM now() - interval '400 days'))::bigint AS after_second \gset
:read_log
SELECT bool_and(count = (SELECT count(*) FROM live WHERE updated_at > now() - interval '400 days'))
         AS exact
  FROM (SELECT count FROM recent_count UNION ALL SELECT count FROM recent_count_2) c;
SELECT s[1] >= :before_first AND s[2] <= :after_second AS within_the_statements,
       s[2] - s[1] >= 2 AS evaluated_at_each_start
  FROM (SELECT array_agg(substring(doc->>'query' FROM 'start_time=(\d+)')::bigint
                         ORDER BY (doc->>'seq')::int) AS s
          FROM log WHERE doc->>'query' LIKE 'start_time=%') q;
RESET plan_cache_mode;

-- an InitPlan bound, as in the DBA's incremental INSERT ... SELECT
CREATE TEMP TABLE mirror AS SELECT * FROM live WHERE generated_timestamp < '2026-09-10';
SELECT * FROM pg_temp.explain($$EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM zdp.tickets
   WHERE generated_timestamp >= (SELECT max(generated_timestamp) FROM mirror)$$) AS "QUERY PLAN";
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) AS rows,
       (SELECT count(*) FROM live
         WHERE generated_timestamp >= (SELECT max(generated_timestamp) FROM mirror)) AS expected
  FROM zdp.tickets WHERE generated_timestamp >= (SELECT max(generated_timestamp) FROM mirror);
:read_log
SELECT export, minimum((SELECT count(*) FROM live
                         WHERE generated_timestamp >= (SELECT max(generated_timestamp) FROM mirror)), 300)
         AS minimum
  FROM requests;
-- an empty mirror: the InitPlan is NULL, so no request
TRUNCATE mirror;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) FROM zdp.tickets WHERE generated_timestamp >= (SELECT max(generated_timestamp) FROM mirror);
:read_log
SELECT export, standard FROM requests;
-- COALESCE to -infinity reads everything (the README's DBA recipe)
SELECT * FROM pg_temp.explain($$EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id FROM zdp.tickets
   WHERE generated_timestamp >= COALESCE((SELECT max(generated_timestamp) FROM mirror), '-infinity')$$)
  AS "QUERY PLAN";

-- LIMIT: one page of the limit's size on a cursor export
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM zdp.tickets LIMIT 5;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) FROM (SELECT id FROM zdp.tickets LIMIT 5) s;
:read_log
SELECT export, (SELECT doc->>'query' LIKE '%per_page=5&%' FROM log
                 WHERE doc->>'path' LIKE '/api/v2/incremental/%') AS per_page_5
  FROM requests;
-- not with a filter, ORDER BY, or on a time-based export
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM zdp.tickets WHERE status = 'open' LIMIT 5;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM zdp.tickets ORDER BY id LIMIT 5;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM zdp.organizations LIMIT 5;

-- joins: id = outer.col is one lookup per outer row
CREATE TEMP TABLE picks (ticket_id bigint);
INSERT INTO picks VALUES (5), (6), (7);
ANALYZE picks;
-- (the Filter's operands come in either order, by release)
SELECT * FROM pg_temp.explain($$EXPLAIN (VERBOSE, COSTS OFF)
  SELECT p.ticket_id, t.status FROM picks p JOIN zdp.tickets t ON t.id = p.ticket_id$$, 'Filter:')
  AS "QUERY PLAN";
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT p.ticket_id, t.status = l.status AS same_status
  FROM picks p JOIN zdp.tickets t ON t.id = p.ticket_id JOIN live l ON l.id = t.id ORDER BY 1;
:read_log
SELECT export, standard FROM requests;
-- batching a join's ids through show_many
SELECT * FROM pg_temp.explain($$EXPLAIN (VERBOSE, COSTS OFF)
  SELECT id, status FROM zdp.tickets WHERE id = ANY (ARRAY(SELECT ticket_id FROM picks))$$)
  AS "QUERY PLAN";
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT id FROM zdp.tickets WHERE id = ANY (ARRAY(SELECT ticket_id FROM picks)) ORDER BY id;
:read_log
SELECT export, standard FROM requests;

-- a rescan with unchanged values replays what was read: one export for a
-- nested loop that reads the inner side three times, and for a correlated
-- subquery whose outer value is not part of the request
-- (a small work_mem makes the cache spill to disk, as a large export's would)
SET enable_hashjoin = off; SET enable_mergejoin = off; SET enable_material = off;
SET work_mem = '64kB';
CREATE TEMP TABLE statuses (status text);
INSERT INTO statuses VALUES ('open'), ('pending'), ('solved');
EXPLAIN (COSTS OFF)
  SELECT s.status, count(t.id) FROM statuses s LEFT JOIN zdp.tickets t ON t.status = s.status GROUP BY 1;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT s.status, count(t.id) = (SELECT count(*) FROM live l WHERE l.status = s.status) AS exact
  FROM statuses s LEFT JOIN zdp.tickets t ON t.status = s.status GROUP BY 1 ORDER BY 1;
:read_log
SELECT export, minimum((SELECT count(*) FROM live), 300) AS one_export FROM requests;
RESET enable_hashjoin; RESET enable_mergejoin; RESET enable_material;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT s.status, (SELECT count(*) FROM zdp.tickets t WHERE t.status = s.status) =
                 (SELECT count(*) FROM live l WHERE l.status = s.status) AS exact
  FROM statuses s ORDER BY 1;
:read_log
SELECT export, minimum((SELECT count(*) FROM live), 300) AS one_export FROM requests;
RESET work_mem;

-- the quota guard: a statement needing more export requests than allowed
-- fails before its first export request (a count request is allowed)
SET zendesk_fdw.max_requests_per_statement = 3;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) FROM zdp.tickets;
:read_log
SELECT export, standard FROM requests;
-- a correlated subquery: each rescan with new values is charged
CREATE TEMP TABLE cutoffs (since timestamptz);
INSERT INTO cutoffs VALUES ('2026-09-28'), ('2026-09-29'), ('2026-09-30'), ('2026-09-30 12:00');
ALTER FOREIGN TABLE zdp.tickets OPTIONS (ADD rows '2500');
SELECT c.since, (SELECT count(*) FROM zdp.tickets t WHERE t.generated_timestamp >= c.since)
  FROM cutoffs c ORDER BY 1;
SET zendesk_fdw.max_requests_per_statement = 0;
SELECT c.since, (SELECT count(*) FROM zdp.tickets t WHERE t.generated_timestamp >= c.since) =
                (SELECT count(*) FROM live l WHERE l.generated_timestamp >= c.since) AS exact
  FROM cutoffs c ORDER BY 1;
RESET zendesk_fdw.max_requests_per_statement;
ALTER FOREIGN TABLE zdp.tickets OPTIONS (DROP rows);

-- statistics: ANALYZE asks the count endpoint (one standard request); the
-- planner's estimates follow it
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
ANALYZE zdp.tickets;
:read_log
SELECT export, standard FROM requests;
SELECT reltuples = (SELECT count(*) FROM live) AS reltuples_is_the_count
  FROM pg_class WHERE oid = 'zdp.tickets'::regclass;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM zdp.tickets;
-- ticket events have no count endpoint
ANALYZE zdp.ticket_events;

DROP SERVER zd_push CASCADE;
DROP SCHEMA zdp;
