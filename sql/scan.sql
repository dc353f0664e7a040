--
-- scan: a full scan of tickets pages through the cursor export, one page in
-- memory at a time, and returns exactly the simulator's ground truth.
--
\getenv sim_url ZD_SIM_URL
\set ECHO none
\i sql/include/explain.sql
\set ECHO all
\set truth_cmd 'curl -sf ' :sim_url '/_sim/tickets.jsonl'
\set log_cmd 'curl -sf ' :sim_url '/_sim/requests.jsonl'

CREATE SERVER zd FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '6000');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA zd;
CREATE FOREIGN TABLE zd.tickets (
  id bigint,
  subject text,
  status text,
  created_at timestamptz,
  updated_at timestamptz,
  tags text[],
  raw jsonb
) SERVER zd OPTIONS (resource 'tickets');

-- the Zendesk call is shown, and no request is made to plan or explain
EXPLAIN (COSTS OFF) SELECT * FROM zd.tickets;

SELECT id, subject, status, created_at, tags FROM zd.tickets ORDER BY id LIMIT 5;

-- ground truth from the simulator, and its request log
CREATE TEMP TABLE truth (doc jsonb);
COPY truth FROM PROGRAM :'truth_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
CREATE TEMP TABLE log (doc jsonb);
CREATE TEMP VIEW expected AS
  SELECT (doc->>'id')::bigint AS id, doc->>'subject' AS subject, doc->>'status' AS status,
         (doc->>'created_at')::timestamptz AS created_at,
         (doc->>'updated_at')::timestamptz AS updated_at,
         ARRAY(SELECT jsonb_array_elements_text(doc->'tags')) AS tags, doc AS raw
    FROM truth;

\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
CREATE TEMP TABLE scanned AS SELECT * FROM zd.tickets;
COPY log FROM PROGRAM :'log_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');

-- every live ticket, once; deleted ones hidden (include_deleted is false)
SELECT (SELECT count(*) FROM scanned) AS scanned,
       (SELECT count(DISTINCT id) FROM scanned) AS distinct_ids,
       (SELECT count(*) FROM expected WHERE status <> 'deleted') AS expected;
SELECT count(*) AS differences FROM (
  (SELECT * FROM scanned EXCEPT SELECT * FROM expected WHERE status <> 'deleted')
  UNION ALL
  (SELECT * FROM expected WHERE status <> 'deleted' EXCEPT SELECT * FROM scanned)
) d;

-- requests: one export request per page of 1000 (and, the table having no
-- statistics, one count request for the quota guard), on one kept-alive
-- connection, gzip asked, and exclude_deleted sent with every page
-- (Zendesk's after_url drops it)
DELETE FROM log WHERE doc->>'path' = '/api/v2/tickets/count.json' RETURNING doc->>'path' AS count_request;
SELECT count(*) AS requests,
       (SELECT ceil(count(*) / 1000.0) FROM expected WHERE status <> 'deleted') AS minimum,
       count(DISTINCT doc->>'connection') AS connections,
       bool_and(doc->>'accept_encoding' LIKE '%gzip%') AS gzip,
       bool_and(doc->>'query' LIKE '%exclude_deleted=true%') AS exclude_deleted,
       bool_and(doc->>'status' = '200') AS all_ok
  FROM log;

-- EXPLAIN ANALYZE says what the scan asked of Zendesk
SELECT * FROM pg_temp.explain($$EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM zd.tickets$$) AS "QUERY PLAN";

-- a smaller page size: more requests, the same rows
ALTER SERVER zd OPTIONS (ADD page_size '300');
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT count(*) AS scanned,
       (SELECT count(*) FROM expected WHERE status <> 'deleted') AS expected
  FROM zd.tickets;
TRUNCATE log;
COPY log FROM PROGRAM :'log_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
SELECT count(*) AS requests,
       (SELECT ceil(count(*) / 300.0) FROM expected WHERE status <> 'deleted') AS minimum,
       bool_and(doc->>'query' LIKE '%per_page=300%') AS per_page_kept
  FROM log WHERE doc->>'path' LIKE '/api/v2/incremental/%';
ALTER SERVER zd OPTIONS (DROP page_size);

-- include_deleted: the deleted tickets too, with status 'deleted'
CREATE FOREIGN TABLE zd.all_tickets (id bigint, status text, raw jsonb)
  SERVER zd OPTIONS (resource 'tickets', include_deleted 'true');
EXPLAIN (COSTS OFF) SELECT * FROM zd.all_tickets;
SELECT status = 'deleted' AS deleted, count(*) FROM zd.all_tickets GROUP BY 1 ORDER BY 1;
SELECT count(*) AS differences FROM (
  (SELECT id, status, raw FROM zd.all_tickets EXCEPT SELECT id, status, raw FROM expected)
  UNION ALL
  (SELECT id, status, raw FROM expected EXCEPT SELECT id, status, raw FROM zd.all_tickets)
) d;

-- columns named by the field option; jsonb, bigint[] and epoch-to-timestamptz
CREATE FOREIGN TABLE zd.tickets_renamed (
  ticket_id bigint OPTIONS (field 'id'),
  generated timestamptz OPTIONS (field 'generated_timestamp'),
  via jsonb,
  collaborator_ids bigint[]
) SERVER zd OPTIONS (resource 'tickets');
SELECT r.ticket_id, r.generated = to_timestamp((e.raw->>'generated_timestamp')::bigint) AS same_time,
       r.via = e.raw->'via' AS same_via,
       r.collaborator_ids = ARRAY(SELECT jsonb_array_elements_text(e.raw->'collaborator_ids'))::bigint[] AS same_ids
  FROM zd.tickets_renamed r JOIN expected e ON e.id = r.ticket_id
 ORDER BY r.ticket_id LIMIT 3;

-- a correlated subquery on id: one lookup per outer row, never an export
EXPLAIN (COSTS OFF)
SELECT v.n, c.found FROM (VALUES (3), (4)) v(n),
       LATERAL (SELECT count(*) AS found FROM zd.tickets t WHERE t.id = v.n) c;
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/requests" >/dev/null
SELECT v.n, c.found FROM (VALUES (3), (4)) v(n),
       LATERAL (SELECT count(*) AS found FROM zd.tickets t WHERE t.id = v.n) c;
TRUNCATE log;
COPY log FROM PROGRAM :'log_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
SELECT doc->>'path' AS path, doc->>'status' AS status FROM log ORDER BY (doc->>'seq')::int;
