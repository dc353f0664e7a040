--
-- lists: the standard lists as tables -- groups (deleted ones flagged),
-- group and organization memberships, brands, ticket forms, custom
-- statuses, SLA policies, schedules.  Every row and every column of a scan
-- equals the simulator's ground truth, under the switches that change what
-- Zendesk sends; the requests are counted from the simulator's log against
-- the minimum the ground truth implies (a page per 100 records, one answer
-- for an unpaginated list).  The test mutates the account and flips
-- switches, so it has a simulator of its own.
--
\set sim_url `bash scripts/regress-sim.sh start lists --seed 1 --tickets 1000 --export-limit 100000 --account-limit 100000`
SELECT set_config('zd.sim_url', :'sim_url', false) IS NOT NULL AS sim_started;
\i sql/include/ground_truth.sql
\i sql/include/explain.sql

CREATE SERVER zd_lst FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', export_requests_per_minute '100000');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_lst
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE SCHEMA lst;
IMPORT FOREIGN SCHEMA zendesk
  LIMIT TO (groups, group_memberships, organization_memberships, brands, ticket_forms,
            custom_statuses, sla_policies, schedules, tickets)
  FROM SERVER zd_lst INTO lst;

CREATE TEMP TABLE lists (name text PRIMARY KEY, paged boolean);
INSERT INTO lists VALUES ('groups', true), ('group_memberships', true),
  ('organization_memberships', true), ('brands', true), ('ticket_forms', false),
  ('custom_statuses', false), ('sla_policies', false), ('schedules', false);

-- the ground truth of every list
CREATE FUNCTION pg_temp.load_truths() RETURNS TABLE (list text, records bigint)
LANGUAGE plpgsql AS $$
BEGIN
  FOR list IN SELECT name FROM lists ORDER BY name LOOP
    records := pg_temp.truth_load('truth_' || list, '/_sim/' || list || '.jsonl');
    RETURN NEXT;
  END LOOP;
END $$;
-- the simulator's request log since it was last cleared
CREATE FUNCTION pg_temp.requests() RETURNS TABLE (path text, query text, status int)
LANGUAGE sql AS $$
  SELECT r->>'path', r->>'query', (r->>'status')::int
    FROM jsonb_array_elements(pg_temp.sim('GET', '/_sim/requests')) r
   WHERE r->>'path' LIKE '/api/v2/%' ORDER BY (r->>'seq')::bigint $$;
-- compare() of the rows of tbl that pass cond, in the scan and the truth
CREATE FUNCTION pg_temp.compare_where(tbl regclass, cond text, truth text,
                                      OUT scanned bigint, OUT expected bigint,
                                      OUT missing bigint, OUT unexpected bigint)
LANGUAGE plpgsql AS $$
BEGIN
  DROP TABLE IF EXISTS scanned, expected_rows;
  EXECUTE format('CREATE TEMP TABLE scanned AS SELECT * FROM %s WHERE %s', tbl, cond);
  EXECUTE format('CREATE TEMP TABLE expected_rows AS SELECT * FROM (%s) e WHERE %s',
                 pg_temp.expected_sql(tbl, truth), cond);
  SELECT count(*) INTO scanned FROM scanned;
  SELECT count(*) INTO expected FROM expected_rows;
  SELECT count(*) INTO missing FROM (SELECT * FROM expected_rows EXCEPT ALL SELECT * FROM scanned) d;
  SELECT count(*) INTO unexpected FROM (SELECT * FROM scanned EXCEPT ALL SELECT * FROM expected_rows) d;
END $$;
CREATE FUNCTION pg_temp.clear_log() RETURNS boolean LANGUAGE sql AS $$
  SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL $$;
CREATE FUNCTION pg_temp.switch(name text, value text) RETURNS text LANGUAGE sql AS $$
  SELECT pg_temp.sim('POST', '/_sim/switches', jsonb_build_object(name, value)::text)->>name $$;
-- the fewest requests that list n records: a page of 100 each (the last
-- one not full, or has_more false on it), or one answer
CREATE FUNCTION pg_temp.minimum(paged boolean, n bigint) RETURNS bigint LANGUAGE sql AS $$
  SELECT CASE WHEN paged THEN greatest(1, ceil(n / 100.0))::bigint ELSE 1 END $$;

SELECT * FROM pg_temp.load_truths();

-- the columns, as IMPORT FOREIGN SCHEMA makes them from the catalog
SELECT c.relname AS list,
       string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) AS columns
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'lst'::regnamespace AND a.attnum > 0 AND c.relname <> 'tickets'
 GROUP BY 1 ORDER BY 1;

-- every top-level key the records have is a column (no row: none is left out)
CREATE FUNCTION pg_temp.keys_without_column(list text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format(
    'SELECT DISTINCT k FROM %I, jsonb_object_keys(doc) k
      WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                         WHERE a.attrelid = %L::regclass AND a.attname = k)',
    'truth_' || list, 'lst.' || list);
END $$;
SELECT name, k FROM lists, pg_temp.keys_without_column(name) k ORDER BY 1, 2;
-- ... and every column's type fits the JSON the records hold (no row)
SELECT name, t.* FROM lists, LATERAL pg_temp.type_mismatches(('lst.' || name)::regclass, 'truth_' || name) t
 ORDER BY 1, 2;

-- every row once, every column equal; one request a page of 100, or one
SELECT pg_temp.clear_log();
SELECT 'groups' AS list, * FROM pg_temp.compare('lst.groups', 'truth_groups');
SELECT 'group_memberships' AS list, * FROM pg_temp.compare('lst.group_memberships', 'truth_group_memberships');
SELECT 'organization_memberships' AS list, * FROM pg_temp.compare('lst.organization_memberships', 'truth_organization_memberships');
SELECT 'brands' AS list, * FROM pg_temp.compare('lst.brands', 'truth_brands');
SELECT 'ticket_forms' AS list, * FROM pg_temp.compare('lst.ticket_forms', 'truth_ticket_forms');
SELECT 'custom_statuses' AS list, * FROM pg_temp.compare('lst.custom_statuses', 'truth_custom_statuses');
SELECT 'sla_policies' AS list, * FROM pg_temp.compare('lst.sla_policies', 'truth_sla_policies');
SELECT 'schedules' AS list, * FROM pg_temp.compare('lst.schedules', 'truth_schedules');
CREATE FUNCTION pg_temp.count_of(tbl text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM %I', tbl) INTO n;
  RETURN n;
END $$;
CREATE TEMP TABLE truth_counts AS
SELECT l.name, l.paged, pg_temp.count_of('truth_' || l.name) AS records FROM lists l;
SELECT t.name, t.records, count(r.path) AS requests, pg_temp.minimum(t.paged, t.records) AS minimum,
       count(r.path) FILTER (WHERE r.query ~ '(^|&)(page|per_page)=') AS offset_requests,
       count(r.path) FILTER (WHERE t.paged AND r.query ~ 'page%5Bsize%5D=100') AS cursor_requests
  FROM truth_counts t
  LEFT JOIN pg_temp.requests() r
    ON r.path = (SELECT '/api/v2/' || CASE t.name WHEN 'sla_policies' THEN 'slas/policies'
                                                  WHEN 'schedules' THEN 'business_hours/schedules'
                                                  ELSE t.name END || '.json')
 GROUP BY t.name, t.records, t.paged ORDER BY 1;

-- what the values are: ids beyond 2^32, timestamps, jsonb objects, id arrays
SELECT name, deleted, is_public, "default", created_at <= updated_at AS ordered
  FROM lst.groups ORDER BY name COLLATE "C";
SELECT count(*) AS memberships, count(DISTINCT user_id) AS users,
       count(*) FILTER (WHERE "default") AS defaults, min(id) > 2^32 AS ids_beyond_2_32
  FROM lst.group_memberships;
SELECT name, array_length(ticket_form_ids, 1) > 0 AS has_forms, jsonb_typeof(logo) AS logo
  FROM lst.brands ORDER BY name;
SELECT name, position, active, array_length(ticket_field_ids, 1) > 0 AS has_fields
  FROM lst.ticket_forms ORDER BY position;
SELECT status_category, count(*) FROM lst.custom_statuses GROUP BY 1 ORDER BY 1;
SELECT title, jsonb_typeof(filter) AS filter, jsonb_typeof(policy_metrics) AS metrics
  FROM lst.sla_policies ORDER BY position;
SELECT name, time_zone, jsonb_array_length(intervals) AS intervals FROM lst.schedules ORDER BY id;

-- 250 memberships: three pages of 100, 100 and 50, three requests
SELECT jsonb_array_length(pg_temp.sim('POST', '/_sim/group_memberships',
         format('{"count": %s}', 250 - (SELECT count(*) FROM truth_group_memberships)))
         ->'group_memberships') AS added;
SELECT pg_temp.truth_load('truth_group_memberships', '/_sim/group_memberships.jsonl') AS memberships;
SELECT pg_temp.clear_log();
SELECT * FROM pg_temp.compare('lst.group_memberships', 'truth_group_memberships');
SELECT count(*) AS requests, string_agg(DISTINCT path, ', ') AS paths,
       count(*) FILTER (WHERE query LIKE '%page%5Bafter%5D=%') AS with_cursor
  FROM pg_temp.requests();
SELECT * FROM pg_temp.explain($$EXPLAIN (analyze, costs off, timing off, summary off, buffers off)
  SELECT * FROM lst.group_memberships$$) AS "QUERY PLAN";
-- an empty last page after a full one (cbp_last_page=empty): one request more
SELECT pg_temp.switch('cbp_last_page', 'empty');
SELECT jsonb_array_length(pg_temp.sim('POST', '/_sim/group_memberships', '{"count": 50}')
         ->'group_memberships') AS added;
SELECT pg_temp.truth_load('truth_group_memberships', '/_sim/group_memberships.jsonl') AS memberships;
SELECT pg_temp.clear_log();
SELECT * FROM pg_temp.compare('lst.group_memberships', 'truth_group_memberships');
SELECT count(*) AS requests FROM pg_temp.requests();
SELECT pg_temp.switch('cbp_last_page', 'exact');

-- filtered listings: group_id = n and user_id = n ask Zendesk for that
-- group's or user's memberships only, one request each
EXPLAIN (costs off) SELECT * FROM lst.group_memberships WHERE group_id = 360000000001;
SELECT pg_temp.clear_log();
SELECT g.id AS group_id, c.*
  FROM (SELECT DISTINCT (doc->>'group_id')::bigint AS id FROM truth_group_memberships) g,
       LATERAL pg_temp.compare_where('lst.group_memberships', 'group_id = ' || g.id,
                                     'truth_group_memberships') c
 ORDER BY 1;
SELECT count(*) AS requests, count(DISTINCT path) AS listings,
       bool_and(path ~ '^/api/v2/groups/\d+/memberships\.json$') AS all_per_group
  FROM pg_temp.requests();
-- a user's memberships, of both kinds
SELECT (SELECT (doc->>'user_id')::bigint FROM truth_organization_memberships
         GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1) AS two_orgs_user \gset
SELECT (SELECT (doc->>'user_id')::bigint FROM truth_group_memberships
         GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1) AS many_groups_user \gset
SELECT pg_temp.clear_log();
SELECT * FROM pg_temp.compare_where('lst.organization_memberships', 'user_id = ' || :two_orgs_user,
                                    'truth_organization_memberships');
SELECT * FROM pg_temp.compare_where('lst.group_memberships', 'user_id = ' || :many_groups_user,
                                    'truth_group_memberships');
SELECT * FROM pg_temp.compare_where('lst.organization_memberships',
                                    'organization_id = ' || (SELECT doc->>'organization_id' FROM truth_organization_memberships ORDER BY doc->>'id' LIMIT 1),
                                    'truth_organization_memberships');
SELECT regexp_replace(path, '\d+', 'N', 'g') AS path, count(*) FROM pg_temp.requests() GROUP BY 1 ORDER BY 1;
-- a group that does not exist has no membership: 404, no row, no error
SELECT pg_temp.clear_log();
SELECT count(*) FROM lst.group_memberships WHERE group_id = 999;
SELECT path, status FROM pg_temp.requests();
-- ... but a 404 that is not Zendesk's RecordNotFound (a proxy's page) is an error
SELECT (pg_temp.sim('POST', '/_sim/faults',
          '{"path": "/api/v2/groups/360000000003/memberships.json", "kind": "status", "status": 404,
            "body": "<html><body>Not Found</body></html>", "content_type": "text/html", "count": 1}')
        ->>'ok')::boolean AS fault_set;
SELECT count(*) FROM lst.group_memberships WHERE group_id = 360000000003;
-- ids are positive: no request for group_id = 0 (nor for NULL, below)
SELECT pg_temp.clear_log();
SELECT count(*) FROM lst.group_memberships WHERE group_id = 0;
SELECT count(*) AS requests FROM pg_temp.requests();
-- two keys: the first is asked for, the second checked here; two values
-- of one key admit no row
EXPLAIN (costs off) SELECT * FROM lst.group_memberships
 WHERE user_id = :many_groups_user AND group_id = 360000000000;
SELECT count(*) FROM lst.group_memberships WHERE group_id = 360000000000 AND group_id = 360000000001;
-- id = n beats a filter: one lookup
EXPLAIN (costs off) SELECT * FROM lst.group_memberships
 WHERE group_id = 360000000000 AND id = 6131000000017;

-- in joins: one filtered listing per outer row (a parameterized path)
CREATE TEMP TABLE wanted_groups (id bigint);
INSERT INTO wanted_groups VALUES (360000000001), (360000000002);
ANALYZE wanted_groups;
-- (the releases print the join clause either way round: its Filter line is left out)
SELECT * FROM pg_temp.explain($$EXPLAIN (costs off)
SELECT w.id, m.user_id FROM wanted_groups w JOIN lst.group_memberships m ON m.group_id = w.id$$,
                              '^\s*Filter:') AS "QUERY PLAN";
SELECT pg_temp.clear_log();
CREATE TEMP TABLE joined AS
SELECT w.id AS group_id, m.id, m.user_id FROM wanted_groups w JOIN lst.group_memberships m ON m.group_id = w.id;
SELECT (SELECT count(*) FROM joined) AS joined,
       (SELECT count(*) FROM truth_group_memberships
         WHERE (doc->>'group_id')::bigint IN (SELECT id FROM wanted_groups)) AS truth,
       (SELECT count(*) FROM (SELECT id, user_id FROM joined
                              EXCEPT SELECT (doc->>'id')::bigint, (doc->>'user_id')::bigint
                                       FROM truth_group_memberships) d) AS unexpected;
SELECT regexp_replace(path, '\d+', 'N', 'g') AS path, count(*) FROM pg_temp.requests() GROUP BY 1;
-- each scan of a join counts its own requests in EXPLAIN ANALYZE (they share
-- a connection: the outer one's are not the inner one's)
SELECT * FROM pg_temp.explain($$EXPLAIN (analyze, costs off, timing off, summary off, buffers off)
SELECT g.name, m.user_id FROM lst.groups g JOIN lst.group_memberships m ON m.group_id = g.id
 WHERE g.name = 'Tier 2'$$, '^\s*Filter: \(.*group_id') AS "QUERY PLAN";

-- id lookups, where Zendesk has a show endpoint: one GET a brand, one
-- show_many for up to 100 ticket forms; an unknown id is no row
SELECT pg_temp.clear_log();
SELECT id, name FROM lst.brands WHERE id = (SELECT (doc->>'id')::bigint FROM truth_brands ORDER BY doc->>'name' LIMIT 1);
SELECT array_agg((doc->>'id')::bigint ORDER BY doc->>'id') || 1::bigint AS form_ids FROM truth_ticket_forms \gset
SELECT name FROM lst.ticket_forms WHERE id = ANY (:'form_ids') ORDER BY 1;
SELECT count(*) FROM lst.custom_statuses WHERE id = 1;
SELECT regexp_replace(path, '\d+', 'N', 'g') AS path, regexp_replace(query, '\d+', 'N', 'g') AS query, status
  FROM pg_temp.requests();
-- values known only at scan start (a generic plan)
PREPARE forms(bigint[]) AS SELECT * FROM lst.ticket_forms WHERE id = ANY ($1);
PREPARE members(bigint) AS SELECT count(*) FROM lst.group_memberships WHERE group_id = $1;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (costs off) EXECUTE forms('{1,2}');
EXPLAIN (costs off) EXECUTE members(360000000001);
EXECUTE members(360000000001);
SELECT pg_temp.clear_log();
EXECUTE members(NULL);
SELECT count(*) AS requests FROM pg_temp.requests();
RESET plan_cache_mode;
-- many ids of a list whose show endpoint takes one: the listing is cheaper
-- than a request an id, and the planner takes it
SELECT * FROM pg_temp.explain($$EXPLAIN (costs off)
  SELECT * FROM lst.brands WHERE id = ANY (ARRAY(SELECT generate_series(1, 50)::bigint))$$) AS "QUERY PLAN";
EXPLAIN (costs off) SELECT * FROM lst.brands WHERE id = ANY ('{1,2,3,4,5,6,7,8,9,10,11,12}');
EXPLAIN (costs off) SELECT * FROM lst.brands WHERE id = ANY ('{1,2}');
-- groups have no lookup: whether a deleted group can be shown is not
-- settled (switch deleted_group_show), so id = n reads the list
EXPLAIN (costs off) SELECT * FROM lst.groups WHERE id = 360000000001;

-- EXPLAIN: the listing and its estimated standard requests; a LIMIT asks
-- for a page of its size
EXPLAIN SELECT * FROM lst.groups;
EXPLAIN (costs off) SELECT * FROM lst.sla_policies;
EXPLAIN (costs off) SELECT * FROM lst.group_memberships LIMIT 5;
SELECT pg_temp.clear_log();
SELECT count(*) FROM (SELECT * FROM lst.group_memberships LIMIT 5) l;
SELECT query FROM pg_temp.requests();
ALTER FOREIGN TABLE lst.group_memberships OPTIONS (ADD rows '250');
EXPLAIN (costs off) SELECT * FROM lst.group_memberships;
-- a server's page_size under 100 is the listing's page[size], and the
-- estimate follows it
CREATE SERVER zd_lst_small FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_url', page_size '50');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_lst_small
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE FOREIGN TABLE lst.group_memberships_small (id bigint, group_id bigint)
  SERVER zd_lst_small OPTIONS (resource 'group_memberships', rows '250');
EXPLAIN (costs off) SELECT * FROM lst.group_memberships_small;
SELECT pg_temp.clear_log();
SELECT count(*) FROM lst.group_memberships_small;
SELECT count(*) AS requests, count(*) FILTER (WHERE query LIKE '%page%5Bsize%5D=50%') AS of_50
  FROM pg_temp.requests();
-- the quota guard counts standard requests: a listing's, and lookups'
SET zendesk_fdw.max_requests_per_statement = 2;
SELECT count(*) FROM lst.group_memberships;
SELECT count(*) FROM lst.groups;
SELECT count(*) FROM lst.group_memberships WHERE id IN (6131000000017, 6131000000153);
SELECT count(*) FROM lst.group_memberships WHERE id IN (6131000000017, 6131000000153)
UNION ALL
SELECT count(*) FROM lst.group_memberships WHERE id = 6131000000187;
RESET zendesk_fdw.max_requests_per_statement;

-- soft-deleted groups stay listed, flagged; hard-deleted memberships go;
-- creations and updates show at once (a listing reads what is there)
SELECT pg_temp.sim('DELETE', '/_sim/groups/360000000004')->'group'->>'deleted' AS group_deleted;
SELECT pg_temp.sim('DELETE', '/_sim/group_memberships/6131000000017') IS NOT NULL AS membership_deleted;
SELECT pg_temp.sim('POST', '/_sim/groups', '{"name": "Night shift"}')->'group'->>'name' AS group_created;
SELECT pg_temp.sim('PATCH', '/_sim/brands/' || (SELECT doc->>'id' FROM truth_brands ORDER BY doc->>'name' LIMIT 1),
                   '{"name": "Example, renamed"}')->'brand'->>'name' AS brand_renamed;
SELECT * FROM pg_temp.load_truths() WHERE list IN ('groups', 'group_memberships', 'brands');
SELECT 'groups' AS list, * FROM pg_temp.compare('lst.groups', 'truth_groups');
SELECT 'group_memberships' AS list, * FROM pg_temp.compare('lst.group_memberships', 'truth_group_memberships');
SELECT 'brands' AS list, * FROM pg_temp.compare('lst.brands', 'truth_brands');
SELECT name, deleted FROM lst.groups WHERE deleted OR name = 'Night shift' ORDER BY name;
SELECT count(*) AS gone FROM lst.group_memberships WHERE id = 6131000000017;

-- plan-gated lists: 403 or 404 InvalidEndpoint is a NOTICE and no row, for
-- the list and a lookup alike, never an error
SET client_min_messages = notice;
SELECT pg_temp.switch('plan_sla_policies', '403');
SELECT count(*) FROM lst.sla_policies;
SELECT count(*) FROM lst.sla_policies WHERE id = 360000072156;
SELECT pg_temp.switch('plan_sla_policies', '404');
SELECT count(*) FROM lst.sla_policies;
SELECT pg_temp.switch('plan_ticket_forms', '403');
SELECT count(*) FROM lst.ticket_forms WHERE id IN (6130830344474, 6130830346522);
SELECT pg_temp.switch('plan_schedules', '404');
SELECT count(*) FROM lst.schedules;
SET client_min_messages = warning;
SELECT pg_temp.switch('plan_sla_policies', 'available'), pg_temp.switch('plan_ticket_forms', 'available'),
       pg_temp.switch('plan_schedules', 'available');
SELECT 'sla_policies' AS list, * FROM pg_temp.compare('lst.sla_policies', 'truth_sla_policies');
-- the other shape of schedules (with next_page null and count) reads the same
SELECT pg_temp.switch('schedules_shape', 'offset');
SELECT 'schedules' AS list, * FROM pg_temp.compare('lst.schedules', 'truth_schedules');
SELECT pg_temp.switch('schedules_shape', 'bare');

-- a cursor Zendesk refuses half-way (expired: 400 InvalidPaginationParameter)
-- restarts the listing from its first page; what was returned is not
-- returned again, and the rows are exact
SELECT pg_temp.truth_load('truth_group_memberships', '/_sim/group_memberships.jsonl') AS memberships;
SELECT pg_temp.clear_log();
BEGIN;
DECLARE c CURSOR FOR SELECT id FROM lst.group_memberships;
CREATE TEMP TABLE fetched (id bigint);
CREATE FUNCTION pg_temp.fetch_some(n int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  cur refcursor := 'c';
  r record;
  got bigint := 0;
BEGIN
  FOR i IN 1..n LOOP
    FETCH cur INTO r;
    EXIT WHEN NOT FOUND;
    INSERT INTO fetched VALUES (r.id);
    got := got + 1;
  END LOOP;
  RETURN got;
END $$;
SELECT pg_temp.fetch_some(150) AS fetched;
SELECT pg_temp.sim('POST', '/_sim/list_cursors/expire') IS NOT NULL AS cursors_expired;
SELECT pg_temp.fetch_some(1000) AS fetched;
COMMIT;
SELECT count(*) AS fetched, count(DISTINCT id) AS distinct_ids,
       (SELECT count(*) FROM truth_group_memberships) AS truth,
       (SELECT count(*) FROM (SELECT (doc->>'id')::bigint FROM truth_group_memberships EXCEPT SELECT id FROM fetched) d) AS missing
  FROM fetched;
SELECT status, count(*) AS requests, count(*) FILTER (WHERE query LIKE '%page%5Bafter%5D=%') AS with_cursor
  FROM pg_temp.requests() GROUP BY 1 ORDER BY 1;
-- ... and so it does where Zendesk ignores the cursor and serves the first
-- page again (list_invalid_cursor=first_page)
SELECT pg_temp.switch('list_invalid_cursor', 'first_page');
TRUNCATE fetched;
SELECT pg_temp.clear_log();
BEGIN;
DECLARE c CURSOR FOR SELECT id FROM lst.group_memberships;
SELECT pg_temp.fetch_some(150) AS fetched;
SELECT pg_temp.sim('POST', '/_sim/list_cursors/expire') IS NOT NULL AS cursors_expired;
SELECT pg_temp.fetch_some(1000) AS fetched;
COMMIT;
SELECT count(*) AS fetched, count(DISTINCT id) AS distinct_ids,
       (SELECT count(*) FROM (SELECT (doc->>'id')::bigint FROM truth_group_memberships EXCEPT SELECT id FROM fetched) d) AS missing
  FROM fetched;
SELECT count(*) AS requests FROM pg_temp.requests();
SELECT pg_temp.switch('list_invalid_cursor', '400');

-- a listing that does not move forward, repeats a record or sends its next
-- page elsewhere is an error that names the endpoint, never a wrong answer
SELECT pg_temp.switch('list_fault', 'stuck_cursor');
SELECT count(*) FROM lst.group_memberships;
SELECT pg_temp.switch('list_fault', 'repeat_ids');
SELECT count(*) FROM lst.group_memberships;
SELECT pg_temp.switch('list_fault', 'foreign_next');
SELECT count(*) FROM lst.group_memberships;
SELECT pg_temp.switch('list_fault', 'none');

-- a ticket's audits, read ticket by ticket only: ticket_id = n, IN (...), or
-- a join; never account-wide (that list skips records and leaves out
-- archived tickets)
SELECT pg_temp.truth_load('truth_ticket_audits', '/_sim/ticket_audits.jsonl') > 0 AS audits_loaded;
IMPORT FOREIGN SCHEMA zendesk LIMIT TO (ticket_audits) FROM SERVER zd_lst INTO lst;
SELECT * FROM pg_temp.type_mismatches('lst.ticket_audits', 'truth_ticket_audits');
SELECT count(*) FROM lst.ticket_audits;
-- (a listing for each of the account's tickets: the quota guard stops it)
SELECT count(*) FROM lst.ticket_audits a JOIN lst.tickets t ON t.id = a.ticket_id;
EXPLAIN (costs off) SELECT * FROM lst.ticket_audits WHERE ticket_id = 7;
EXPLAIN (costs off) SELECT * FROM lst.ticket_audits WHERE ticket_id IN (7, 8, 9);
SELECT pg_temp.clear_log();
SELECT * FROM pg_temp.compare_where('lst.ticket_audits', 'ticket_id = 7', 'truth_ticket_audits');
SELECT * FROM pg_temp.compare_where('lst.ticket_audits', 'ticket_id IN (7, 8, 9, 10)', 'truth_ticket_audits');
SELECT regexp_replace(path, '\d+', 'N', 'g') AS path, count(*) FROM pg_temp.requests() GROUP BY 1;
-- in a join with tickets: a listing per ticket
CREATE TEMP TABLE some_tickets AS SELECT generate_series(20, 24)::bigint AS id;
ANALYZE some_tickets;
SELECT * FROM pg_temp.explain($$EXPLAIN (costs off)
SELECT s.id, a.id, a.created_at FROM some_tickets s JOIN lst.ticket_audits a ON a.ticket_id = s.id$$,
                              '^\s*Filter:') AS "QUERY PLAN";
SELECT (SELECT count(*) FROM some_tickets s JOIN lst.ticket_audits a ON a.ticket_id = s.id) AS joined,
       (SELECT count(*) FROM truth_ticket_audits WHERE (doc->>'ticket_id')::bigint BETWEEN 20 AND 24) AS truth;
-- an archived ticket's audits come in one answer, not paginated; a deleted
-- ticket has none (Zendesk answers 404)
SELECT pg_temp.sim('POST', '/_sim/tickets/30/archive') IS NOT NULL AS archived;
SELECT pg_temp.sim('DELETE', '/_sim/tickets/31') IS NOT NULL AS deleted;
SELECT pg_temp.truth_load('truth_ticket_audits', '/_sim/ticket_audits.jsonl') > 0 AS audits_loaded;
SELECT pg_temp.clear_log();
SELECT * FROM pg_temp.compare_where('lst.ticket_audits', 'ticket_id = 30', 'truth_ticket_audits');
SELECT count(*) AS deleted_tickets_audits FROM lst.ticket_audits WHERE ticket_id = 31;
SELECT regexp_replace(path, '\d+', 'N', 'g') AS path, status FROM pg_temp.requests();
-- pages of one audit: a ticket's audits over several pages
SELECT jsonb_array_length(pg_temp.sim('PATCH', '/_sim/tickets/40', '{"priority": "high", "comment": "one"}')->'ticket'->'tags') >= 0 AS changed,
       jsonb_array_length(pg_temp.sim('PATCH', '/_sim/tickets/40', '{"priority": "low", "comment": "two"}')->'ticket'->'tags') >= 0 AS changed_again;
SELECT pg_temp.truth_load('truth_ticket_audits', '/_sim/ticket_audits.jsonl') > 0 AS audits_loaded;
CREATE SERVER zd_lst_one FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url :'sim_url', page_size '1');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_lst_one
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE FOREIGN TABLE lst.ticket_audits_one (id bigint, ticket_id bigint, events jsonb, raw jsonb)
  SERVER zd_lst_one OPTIONS (resource 'ticket_audits');
SELECT pg_temp.clear_log();
SELECT * FROM pg_temp.compare_where('lst.ticket_audits_one', 'ticket_id = 40', 'truth_ticket_audits');
SELECT count(*) AS requests, (SELECT count(*) FROM truth_ticket_audits WHERE doc->>'ticket_id' = '40') AS audits
  FROM pg_temp.requests();
SELECT a.events->0->>'type' AS first_event, jsonb_array_length(a.events) > 0 AS has_events
  FROM lst.ticket_audits a WHERE ticket_id = 40 ORDER BY id LIMIT 1;
-- a mirror needs the whole list, which Zendesk does not give for audits
SELECT status FROM zendesk_fdw.materialize('lst.ticket_audits', 'public.audits_mirror');

-- what analysts ask: tickets by group and brand, by name (after the
-- export's last minute, which holds the changes above)
SELECT (pg_temp.sim('POST', '/_sim/clock', '{"advance": 120}')->>'now') IS NOT NULL AS clock_moved;
SELECT pg_temp.truth_load('truth_tickets', '/_sim/tickets.jsonl') AS tickets;
SELECT * FROM pg_temp.load_truths() WHERE list IN ('groups', 'brands');
CREATE TEMP TABLE by_name AS
SELECT g.name AS "group", b.name AS brand, count(*) AS tickets
  FROM lst.tickets t
  JOIN lst.groups g ON g.id = t.group_id
  JOIN lst.brands b ON b.id = t.brand_id
 GROUP BY 1, 2;
SELECT * FROM by_name ORDER BY "group" COLLATE "C", brand COLLATE "C";
CREATE TEMP TABLE by_name_truth AS
SELECT g.doc->>'name' AS "group", b.doc->>'name' AS brand, count(*) AS tickets
  FROM truth_tickets t
  JOIN truth_groups g ON g.doc->>'id' = t.doc->>'group_id'
  JOIN truth_brands b ON b.doc->>'id' = t.doc->>'brand_id'
 WHERE t.doc->>'status' <> 'deleted'
 GROUP BY 1, 2;
SELECT (SELECT count(*) FROM (SELECT * FROM by_name EXCEPT SELECT * FROM by_name_truth) d) AS unexpected,
       (SELECT count(*) FROM (SELECT * FROM by_name_truth EXCEPT SELECT * FROM by_name) d) AS missing;

\! bash scripts/regress-sim.sh stop lists
