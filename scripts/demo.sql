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
  group_id bigint,
  brand_id bigint,
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

-- What tickets point at is a table too: groups (teams, deleted ones
-- flagged), their memberships, brands, forms, statuses, SLA policies and
-- schedules, read whole from Zendesk's standard lists (a request a page of
-- 100).  Tickets by team and brand, by name:
IMPORT FOREIGN SCHEMA zendesk LIMIT TO (groups, group_memberships, brands)
  FROM SERVER zendesk INTO zendesk;
SELECT g.name AS team, b.name AS brand, count(*) AS tickets,
       count(*) FILTER (WHERE t.status IN ('new', 'open')) AS unsolved
  FROM zendesk.tickets t
  JOIN zendesk.groups g ON g.id = t.group_id
  JOIN zendesk.brands b ON b.id = t.brand_id
 GROUP BY 1, 2 ORDER BY 1, 2;
-- ... and who is in a team: group_id = n asks for that group's memberships only.
EXPLAIN SELECT user_id FROM zendesk.group_memberships WHERE group_id = 360000000001;
SELECT g.name AS team, count(m.user_id) AS members
  FROM zendesk.groups g LEFT JOIN zendesk.group_memberships m ON m.group_id = g.id
 WHERE NOT g.deleted GROUP BY 1 ORDER BY 1;

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

-- Schema drift: an admin adds a ticket field in Zendesk and an agent fills it
-- in.  The next refresh says so (the mirror keeps what its columns map);
-- add_columns => true gives the new field a column on the foreign table and
-- the mirror, and reads again from the field's creation so the value arrives.
\! fid=$(curl -sf -X POST -d '{"type": "tagger", "title": "Escalation level", "custom_field_options": [{"name": "Low", "value": "esc_low"}, {"name": "High", "value": "esc_high"}]}' "$ZD_SIM_URL/_sim/ticket_fields" | python3 -c 'import json, sys; print(json.load(sys.stdin)["ticket_field"]["id"])') && curl -sf -X PATCH -d "{\"custom_fields\": [{\"id\": $fid, \"value\": \"esc_high\"}]}" "$ZD_SIM_URL/_sim/tickets/3" >/dev/null
\! curl -sf -X POST -d '{"advance": 120}' "$ZD_SIM_URL/_sim/clock" >/dev/null
CALL zendesk_fdw.sync('zendesk.tickets', 'public.tickets_mirror');
CALL zendesk_fdw.sync('zendesk.tickets', 'public.tickets_mirror', add_columns => true);
SELECT id, subject, escalation_level FROM tickets_mirror WHERE escalation_level IS NOT NULL;

-- A long first sync shows its progress: a NOTICE every 5 seconds, with the
-- share done and the time left at the account's export rate.  Here a second
-- server paces itself to 30 export requests a minute, 500 tickets a page.
CREATE SERVER zendesk_paced FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', ca_file :'sim_ca', export_requests_per_minute '30', page_size '500');
CREATE USER MAPPING FOR CURRENT_USER SERVER zendesk_paced
  OPTIONS (oauth_client_id 'zendesk_fdw_sim', oauth_client_secret 'sim-client-secret');
CREATE FOREIGN TABLE zendesk.tickets_paced (id bigint, status text, generated_timestamp timestamptz)
  SERVER zendesk_paced OPTIONS (resource 'tickets');
CALL zendesk_fdw.sync('zendesk.tickets_paced', 'public.tickets_paced_mirror');

-- Scheduled refreshes: pg_cron runs a single-statement CALL (the job's owner
-- needs the user mapping; cron.database_name names this database).  pg_cron
-- 1.4 counts whole minutes, so the demo waits for the next one.
CREATE EXTENSION pg_cron;
SELECT cron.schedule('zendesk-tickets', '* * * * *',
  $$CALL zendesk_fdw.sync('zendesk.tickets', 'public.tickets_mirror')$$) AS jobid \gset
\! curl -sf -X POST -d '{"subject": "Demo: sent while the job waits"}' "$ZD_SIM_URL/_sim/tickets" >/dev/null
\! curl -sf -X POST -d '{"advance": 120}' "$ZD_SIM_URL/_sim/clock" >/dev/null
DO $$
BEGIN
  FOR i IN 1..90 LOOP
    EXIT WHEN EXISTS (SELECT FROM cron.job_run_details WHERE status IN ('succeeded', 'failed'));
    PERFORM pg_sleep(1);
  END LOOP;
END $$;
SELECT jobid, status, return_message FROM cron.job_run_details ORDER BY runid;
SELECT status, rows_inserted, requests, finished_at > now() - interval '2 minutes' AS just_now
  FROM zendesk_fdw.sync_state WHERE target = 'public.tickets_mirror'::regclass;
SELECT count(*) AS demo_tickets_in_mirror FROM tickets_mirror WHERE subject LIKE 'Demo:%';
SELECT cron.unschedule('zendesk-tickets');
