-- The zendesk_fdw demo: run by scripts/demo.sh against the simulator.
-- psql variables: sim_url (HTTPS base URL), sim_ca (its certificate).

CREATE EXTENSION zendesk_fdw;

-- A server is a Zendesk account.  For a real account: OPTIONS (subdomain 'acme').
-- The simulator has a self-signed certificate, so it needs ca_file (superuser only).
-- Zendesk allows 10 export requests a minute (30 with High Volume), and the
-- extension paces itself to that by default; the simulator allows more.
CREATE SERVER zendesk FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', ca_file :'sim_ca', export_requests_per_minute '600');

-- Credentials live only in the user mapping: here an OAuth client (client-credentials grant).
CREATE USER MAPPING FOR CURRENT_USER SERVER zendesk
  OPTIONS (oauth_client_id 'zendesk_fdw_sim', oauth_client_secret 'sim-client-secret');

CREATE SCHEMA zendesk;
CREATE FOREIGN TABLE zendesk.tickets (
  id bigint,
  subject text,
  status text,
  priority text,
  created_at timestamptz,
  updated_at timestamptz,
  generated_timestamp timestamptz,
  tags text[],
  via jsonb,
  raw jsonb
) SERVER zendesk OPTIONS (resource 'tickets');

-- What will it ask Zendesk?  (No request is made to plan or explain.)
EXPLAIN SELECT * FROM zendesk.tickets;

-- Foreign tables are never analysed automatically: ANALYZE asks Zendesk's
-- count endpoint (one standard request), and estimates follow it.
ANALYZE zendesk.tickets;

-- Pushdown: a lower bound on updated_at becomes the export's start_time ...
EXPLAIN SELECT * FROM zendesk.tickets WHERE updated_at > '2026-09-01';
-- ... an id becomes one lookup, never an export ...
EXPLAIN SELECT * FROM zendesk.tickets WHERE id = 42;
-- ... and a join on id looks each id up (or batch them: id = ANY(ARRAY(SELECT ...))).
CREATE TEMP TABLE escalations (ticket_id bigint, escalated_by text);
INSERT INTO escalations VALUES (3, 'ana'), (42, 'bo'), (1234, 'cy');
ANALYZE escalations;
EXPLAIN SELECT e.escalated_by, t.id, t.status
  FROM escalations e JOIN zendesk.tickets t ON t.id = e.ticket_id;
SELECT e.escalated_by, t.id, t.status, t.subject
  FROM escalations e JOIN zendesk.tickets t ON t.id = e.ticket_id ORDER BY t.id;
SELECT id, status FROM zendesk.tickets
 WHERE id = ANY (ARRAY(SELECT ticket_id FROM escalations)) ORDER BY id;

-- EXPLAIN ANALYZE says what was asked of Zendesk.
EXPLAIN (ANALYZE, TIMING OFF)
SELECT count(*) FROM zendesk.tickets WHERE generated_timestamp >= '2026-09-15';

-- Analysts: plain SQL over every live ticket.
SELECT status, count(*) FROM zendesk.tickets GROUP BY status ORDER BY count(*) DESC;

SELECT id, subject, status, updated_at
  FROM zendesk.tickets
 WHERE updated_at >= '2026-09-01'
 ORDER BY updated_at DESC
 LIMIT 5;

SELECT tag, count(*) AS tickets
  FROM zendesk.tickets, unnest(tags) AS tag
 GROUP BY tag ORDER BY tickets DESC, tag LIMIT 5;

SELECT via->>'channel' AS channel, priority, count(*)
  FROM zendesk.tickets
 WHERE priority IN ('high', 'urgent')
 GROUP BY 1, 2 ORDER BY 1, 2;

-- The whole record is there too, as jsonb.
SELECT raw->'via' AS via, raw->'collaborator_ids' AS collaborators
  FROM zendesk.tickets WHERE id = 3;

-- Mirroring: an exact local copy of the account, refreshed incrementally.  sync
-- commits page by page with its checkpoint, so a crash or cancel loses nothing.
CALL zendesk_fdw.sync('zendesk.tickets', 'public.tickets_mirror');
SELECT status, pages, rows_inserted, requests FROM zendesk_fdw.sync_state;

-- Someone works in Zendesk: a new ticket, an update, a deletion (through the
-- simulator's control API; exports leave out the last minute, so its clock
-- moves on two minutes).
\! curl -sf -X POST -d '{"subject": "Demo: the printer is on fire"}' "$ZD_SIM_URL/_sim/tickets" >/dev/null
\! curl -sf -X PATCH -d '{"status": "solved"}' "$ZD_SIM_URL/_sim/tickets/3" >/dev/null
\! curl -sf -X DELETE "$ZD_SIM_URL/_sim/tickets/5" >/dev/null
\! curl -sf -X POST -d '{"advance": 120}' "$ZD_SIM_URL/_sim/clock" >/dev/null

-- The refresh asks only for what changed since the stored cursor: one request.
CALL zendesk_fdw.sync('zendesk.tickets', 'public.tickets_mirror');
SELECT status, pages, rows_inserted, rows_updated, rows_deleted, requests FROM zendesk_fdw.sync_state;

-- The mirror is Zendesk's ground truth (the simulator's), row for row, both ways.
\set truth_cmd 'curl -sf --cacert ' :sim_ca ' ' :sim_url '/_sim/tickets.jsonl'
CREATE TEMP TABLE truth (doc jsonb);
COPY truth FROM PROGRAM :'truth_cmd' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
DELETE FROM truth WHERE doc->>'status' = 'deleted';
SELECT (SELECT count(*) FROM tickets_mirror) AS mirror_rows,
       (SELECT count(*) FROM (SELECT raw FROM tickets_mirror EXCEPT SELECT doc FROM truth) a) AS only_in_mirror,
       (SELECT count(*) FROM (SELECT doc FROM truth EXCEPT SELECT raw FROM tickets_mirror) b) AS only_in_zendesk;
