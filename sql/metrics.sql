--
-- metrics: ticket_metrics as the metric_sets sideload of the tickets cursor
-- export.  Every row and column equals the simulator's ground truth in both
-- shapes Zendesk may send (a top-level metric_sets array, or a metric_set in
-- each ticket), archived tickets included, and a full read costs exactly the
-- export requests of the tickets.  The test flips switches, so it has a
-- simulator of its own.
--
\set sim_url `bash scripts/regress-sim.sh start metrics --seed 3 --tickets 2500 --export-limit 100000 --account-limit 100000`
SELECT set_config('zd.sim_url', :'sim_url', false) IS NOT NULL AS sim_started;
\i sql/include/ground_truth.sql
\i sql/include/explain.sql

CREATE SERVER zd_met FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '100000');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_met
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA met;
IMPORT FOREIGN SCHEMA zendesk LIMIT TO (tickets, ticket_metrics) FROM SERVER zd_met INTO met;

-- the export's requests since the log was last cleared
CREATE FUNCTION pg_temp.export_requests() RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM jsonb_array_elements(pg_temp.sim('GET', '/_sim/requests')) r
   WHERE r->>'path' = '/api/v2/incremental/tickets/cursor.json' $$;

-- an archived ticket and a deleted one; then past the export's last minute
SELECT pg_temp.sim('POST', '/_sim/tickets/5/archive') IS NOT NULL AS archived;
SELECT pg_temp.sim('DELETE', '/_sim/tickets/6') IS NOT NULL AS deleted;
SELECT (pg_temp.sim('POST', '/_sim/clock', '{"advance": 120}')->>'now') IS NOT NULL AS clock_moved;
SELECT pg_temp.truth_load('truth_metrics', '/_sim/ticket_metrics.jsonl') AS metric_sets;

-- the columns: every key of a metric set, its minute objects jsonb
SELECT k AS key_without_column FROM (SELECT DISTINCT jsonb_object_keys(doc) k FROM truth_metrics) d
 WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = 'met.ticket_metrics'::regclass
                                                   AND a.attname = k);
SELECT * FROM pg_temp.type_mismatches('met.ticket_metrics', 'truth_metrics');

-- what it asks: the tickets export with the sideload
EXPLAIN (costs off) SELECT * FROM met.ticket_metrics;

-- every row once, every column equal (archived ticket 5 in, deleted 6 out),
-- for the export requests of the tickets themselves
SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL AS log_cleared;
SELECT * FROM pg_temp.compare('met.ticket_metrics', 'truth_metrics');
SELECT pg_temp.export_requests() AS metrics_requests;
SELECT count(*) FILTER (WHERE ticket_id = 5) AS archived_in, count(*) FILTER (WHERE ticket_id = 6) AS deleted_in
  FROM scanned;
SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL AS log_cleared;
SELECT count(*) AS tickets FROM met.tickets;
SELECT pg_temp.export_requests() AS tickets_requests;

-- the other shape: a metric_set inside each ticket
SELECT pg_temp.sim('POST', '/_sim/switches', '{"metric_sets_shape": "per_ticket"}')->>'metric_sets_shape' AS shape;
SELECT * FROM pg_temp.compare('met.ticket_metrics', 'truth_metrics');
SELECT pg_temp.sim('POST', '/_sim/switches', '{"metric_sets_shape": "top_level"}')->>'metric_sets_shape' AS shape;

-- ticket_id = n: GET /tickets/n/metrics (an archived ticket too; a deleted
-- one has none); IN (...): show_many with the sideload, in either shape; a
-- join on ticket_id: a lookup per outer row
CREATE FUNCTION pg_temp.requests() RETURNS TABLE (path text, query text, status int)
LANGUAGE sql AS $$
  SELECT r->>'path', r->>'query', (r->>'status')::int
    FROM jsonb_array_elements(pg_temp.sim('GET', '/_sim/requests')) r
   WHERE r->>'path' LIKE '/api/v2/%' ORDER BY (r->>'seq')::bigint $$;
EXPLAIN (costs off) SELECT * FROM met.ticket_metrics WHERE ticket_id = 5;
EXPLAIN (costs off) SELECT * FROM met.ticket_metrics WHERE ticket_id IN (1, 2, 3);
SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL AS log_cleared;
SELECT m.ticket_id, m.raw = t.doc AS as_in_truth
  FROM met.ticket_metrics m JOIN truth_metrics t ON (t.doc->>'ticket_id')::bigint = m.ticket_id
 WHERE m.ticket_id = 5;
SELECT count(*) AS deleted_tickets_metrics FROM met.ticket_metrics WHERE ticket_id = 6;
CREATE TEMP TABLE picked AS
SELECT m.ticket_id, m.raw FROM met.ticket_metrics m WHERE ticket_id IN (1, 2, 3, 6);
SELECT pg_temp.sim('POST', '/_sim/switches', '{"metric_sets_shape": "per_ticket"}')->>'metric_sets_shape' AS shape;
INSERT INTO picked SELECT m.ticket_id, m.raw FROM met.ticket_metrics m WHERE ticket_id IN (1, 2, 3, 6);
SELECT pg_temp.sim('POST', '/_sim/switches', '{"metric_sets_shape": "top_level"}')->>'metric_sets_shape' AS shape;
SELECT s.ticket_id, count(*) AS both_shapes, bool_and(s.raw = t.doc) AS as_in_truth
  FROM picked s JOIN truth_metrics t ON (t.doc->>'ticket_id')::bigint = s.ticket_id
 GROUP BY 1 ORDER BY 1;
SELECT regexp_replace(path, '\d+', 'N', 'g') AS path, regexp_replace(query, '\d+', 'N', 'g') AS query, status
  FROM pg_temp.requests();
CREATE TEMP TABLE wanted (ticket_id bigint);
INSERT INTO wanted VALUES (7), (8);
ANALYZE wanted;
SELECT * FROM pg_temp.explain($$EXPLAIN (costs off)
SELECT w.ticket_id, m.replies FROM wanted w JOIN met.ticket_metrics m ON m.ticket_id = w.ticket_id$$,
                              '^\s*Filter:') AS "QUERY PLAN";
SELECT (SELECT count(*) FROM wanted w JOIN met.ticket_metrics m ON m.ticket_id = w.ticket_id) AS joined;

-- what analysts ask, with no JSON operator but ->>: first reply time by group
SELECT t.group_id IS NOT NULL AS has_group,
       round(avg((m.reply_time_in_minutes->>'calendar')::numeric)) > 0 AS reply_minutes_positive,
       count(*) > 0 AS tickets
  FROM met.ticket_metrics m JOIN met.tickets t ON t.id = m.ticket_id
 GROUP BY 1 ORDER BY 1;

-- a mirror of it is not supported yet, and says so
SELECT status FROM zendesk_fdw.materialize('met.ticket_metrics', 'public.metrics_mirror');

\! bash scripts/regress-sim.sh stop metrics
