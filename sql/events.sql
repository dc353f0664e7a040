--
-- events: ticket events with comment bodies (include 'comment_events'),
-- checked against the simulator's ground truth, and mirrored by sync.
--
\getenv sim_url ZD_SIM_URL
\set truth_cmd 'curl -sf ' :sim_url '/_sim/ticket_events.jsonl?include=comment_events'
CREATE SERVER zd_ev FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '6000', max_requests_per_statement '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_ev
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA zde;
CREATE FOREIGN TABLE zde.events (id bigint, ticket_id bigint, created_at timestamptz,
  event_type text, child_events jsonb)
  SERVER zd_ev OPTIONS (resource 'ticket_events', include 'comment_events');
CREATE FOREIGN TABLE zde.events_plain (id bigint, child_events jsonb)
  SERVER zd_ev OPTIONS (resource 'ticket_events');

-- the option is checked: one value, one resource
CREATE FOREIGN TABLE zde.bad (id bigint)
  SERVER zd_ev OPTIONS (resource 'ticket_events', include 'users');
CREATE FOREIGN TABLE zde.wrong_resource (id bigint)
  SERVER zd_ev OPTIONS (resource 'tickets', include 'comment_events');
-- ALTER is checked the same way
CREATE FOREIGN TABLE zde.wrong_resource (id bigint)
  SERVER zd_ev OPTIONS (resource 'ticket_events', include 'comment_events');
ALTER FOREIGN TABLE zde.wrong_resource OPTIONS (SET resource 'tickets');
SELECT count(*) FROM zde.wrong_resource;
DROP FOREIGN TABLE zde.wrong_resource;

EXPLAIN (COSTS OFF) SELECT * FROM zde.events WHERE created_at >= '2026-09-01';

CREATE TEMP TABLE truth (doc jsonb);
COPY truth FROM PROGRAM :'truth_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');

-- every event once, with the comment bodies Zendesk sends under include
CREATE TEMP TABLE got AS SELECT * FROM zde.events WHERE created_at >= '2026-09-01';
SELECT (SELECT count(*) FROM got) AS rows,
       (SELECT count(*) FROM truth WHERE (doc->>'created_at')::timestamptz >= '2026-09-01') AS expected,
       (SELECT count(*) FROM got g JOIN truth t ON (t.doc->>'id')::bigint = g.id
         WHERE g.child_events IS DISTINCT FROM t.doc->'child_events') AS differences;
SELECT count(*) > 0 AS comments_with_bodies
  FROM got, jsonb_array_elements(child_events) c
 WHERE c->>'event_type' = 'Comment' AND c ? 'body';
-- without the option, comment events say only that a comment is there
SELECT count(*) FILTER (WHERE c ? 'body') AS bodies,
       count(*) FILTER (WHERE c ? 'comment_present') > 0 AS comment_present
  FROM zde.events_plain, jsonb_array_elements(child_events) c
 WHERE c->>'event_type' = 'Comment';

-- a mirror of the events keeps the bodies (appended by event id)
CREATE SCHEMA mirror_ev;
CALL zendesk_fdw.sync('zde.events', 'mirror_ev.events', start_time => '2026-09-01');
SELECT count(*) AS differences FROM (
  (SELECT id, child_events FROM mirror_ev.events EXCEPT SELECT id, child_events FROM got)
  UNION ALL
  (SELECT id, child_events FROM got EXCEPT SELECT id, child_events FROM mirror_ev.events)
) d;

DROP SCHEMA mirror_ev CASCADE;
DROP SERVER zd_ev CASCADE;
DROP SCHEMA zde;
