--
-- sync_lists: mirrors of the standard lists (groups, memberships, SLA
-- policies), read whole every run.  Each run makes the mirror equal to the
-- simulator's ground truth: what is listed is upserted, what is no longer
-- listed is removed (or flagged), and only once the listing reached its end.
-- A listing that fails deletes nothing; a plan that lacks the list changes
-- nothing and is no error.  The test mutates the lists and flips switches,
-- so it has a simulator of its own.
--
\set sim_url `bash scripts/regress-sim.sh start sync_lists --seed 1 --tickets 300 --export-limit 100000 --account-limit 100000`
SELECT set_config('zd.sim_url', :'sim_url', false) IS NOT NULL AS sim_started;
\i sql/include/ground_truth.sql
-- (run alone, or after the test extension created it)
CREATE EXTENSION IF NOT EXISTS zendesk_fdw;
SET client_min_messages = notice;

-- the foreign tables as IMPORT FOREIGN SCHEMA makes them, and the mirrors
CREATE SCHEMA lists;
CREATE SCHEMA mirror_lists;
CREATE SERVER zd_lists FOREIGN DATA WRAPPER zendesk_fdw OPTIONS (url :'sim_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_lists
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
IMPORT FOREIGN SCHEMA zendesk LIMIT TO (groups, group_memberships, sla_policies)
  FROM SERVER zd_lists INTO lists;

-- the requests the simulator answered on paths starting with prefix, since
-- its log was last cleared
CREATE FUNCTION pg_temp.requests(prefix text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  PERFORM pg_temp.truth_load('request_log', '/_sim/requests.jsonl');
  SELECT count(*) INTO n FROM request_log WHERE doc->>'path' LIKE prefix || '%';
  RETURN n;
END $$;

-- what sync_state says of the last run into a target
CREATE FUNCTION pg_temp.run(tgt text) RETURNS TABLE (
  status text, pages bigint, rows_listed bigint, rows_inserted bigint, rows_updated bigint,
  rows_deleted bigint, requests bigint, no_position boolean, note text, error text)
LANGUAGE sql AS $$
  SELECT status, pages, rows_listed, rows_inserted, rows_updated, rows_deleted, requests,
         start_time IS NULL AND after_cursor IS NULL AND recovery_time IS NULL
           AND checkpoint_at IS NULL, note, error
    FROM zendesk_fdw.sync_state WHERE target = tgt::regclass $$;

-- the memberships of the flag mirror that are still listed, as the mirror's
-- columns without unlisted_at
CREATE FUNCTION pg_temp.listed_view() RETURNS void
LANGUAGE sql AS $$
  CREATE OR REPLACE VIEW mirror_lists.gm_flag_listed AS
    SELECT id, url, user_id, group_id, "default", created_at, updated_at, raw
      FROM mirror_lists.gm_flag WHERE unlisted_at IS NULL $$;

-- 1. groups, the deleted one included (its "deleted" flag), every column
CALL zendesk_fdw.sync('lists.groups', 'mirror_lists.groups');
SELECT pg_temp.truth_load('truth_groups', '/_sim/groups.jsonl') AS groups;
SELECT * FROM pg_temp.compare('mirror_lists.groups', 'truth_groups');
SELECT count(*) FILTER (WHERE deleted) AS deleted_groups, count(*) AS groups
  FROM mirror_lists.groups;
SELECT * FROM pg_temp.run('mirror_lists.groups');
-- a second run over an unchanged list rewrites nothing
CALL zendesk_fdw.sync('lists.groups', 'mirror_lists.groups');
SELECT * FROM pg_temp.run('mirror_lists.groups');
-- a list has no start_time
CALL zendesk_fdw.sync('lists.groups', 'mirror_lists.groups', start_time => '2026-01-01');

-- 2. memberships over 3 pages: agents to put in groups, then memberships up
-- to 280
SELECT count(pg_temp.sim('POST', '/_sim/users',
                         format('{"name": "Agent %s", "email": "agent%s@example.org", "role": "agent"}', i, i)))
       AS agents_added
  FROM generate_series(1, 40) i;
SELECT pg_temp.truth_load('truth_gm', '/_sim/group_memberships.jsonl') AS generated \gset
SELECT jsonb_array_length(pg_temp.sim('POST', '/_sim/group_memberships',
                                      format('{"count": %s}', 280 - :generated))->'group_memberships')
       AS memberships_added;
SELECT pg_temp.truth_load('truth_gm', '/_sim/group_memberships.jsonl') AS memberships;
SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL AS log_cleared;
CALL zendesk_fdw.sync('lists.group_memberships', 'mirror_lists.gm');
SELECT * FROM pg_temp.compare('mirror_lists.gm', 'truth_gm');
-- one standard request a page of 100, as the truth's count implies, and
-- nothing else asked of Zendesk
SELECT pg_temp.requests('/api/v2/group_memberships') AS list_requests,
       pg_temp.requests('/api/v2/') AS api_requests,
       (SELECT ceil(count(*) / 100.0) FROM truth_gm) AS pages_implied;
SELECT * FROM pg_temp.run('mirror_lists.gm');
SELECT s.requests = pg_temp.requests('/api/v2/') AS state_counts_the_log,
       s.rows_listed = (SELECT count(*) FROM truth_gm) AS state_counts_the_truth
  FROM zendesk_fdw.sync_state s WHERE target = 'mirror_lists.gm'::regclass;
-- the same list into a mirror with delete mode flag
CALL zendesk_fdw.sync('lists.group_memberships', 'mirror_lists.gm_flag', delete_mode => 'flag');
SELECT pg_temp.listed_view();
SELECT * FROM pg_temp.compare('mirror_lists.gm_flag_listed', 'truth_gm');
SELECT count(*) FILTER (WHERE unlisted_at IS NOT NULL) AS flagged FROM mirror_lists.gm_flag;

-- 3. between runs: 3 memberships created, 1 updated, 2 deleted (hard)
SELECT (array_agg((doc->>'id')::bigint ORDER BY (doc->>'id')::bigint))[10] AS gm_update,
       (array_agg((doc->>'id')::bigint ORDER BY (doc->>'id')::bigint))[20] AS gm_del1,
       (array_agg((doc->>'id')::bigint ORDER BY (doc->>'id')::bigint))[150] AS gm_del2
  FROM truth_gm WHERE doc->>'default' = 'false' \gset
SELECT jsonb_array_length(pg_temp.sim('POST', '/_sim/group_memberships', '{"count": 3}')->'group_memberships') AS created;
SELECT pg_temp.sim('PATCH', '/_sim/group_memberships/' || :gm_update, '{"default": true}')->'group_membership'->'default' AS updated;
SELECT pg_temp.sim('DELETE', '/_sim/group_memberships/' || :gm_del1) IS NOT NULL AS deleted,
       pg_temp.sim('DELETE', '/_sim/group_memberships/' || :gm_del2) IS NOT NULL AS deleted;
SELECT pg_temp.truth_load('truth_gm', '/_sim/group_memberships.jsonl') AS memberships;
CALL zendesk_fdw.sync('lists.group_memberships', 'mirror_lists.gm');
SELECT * FROM pg_temp.compare('mirror_lists.gm', 'truth_gm');
SELECT * FROM pg_temp.run('mirror_lists.gm');
SELECT count(*) AS deleted_ids_left FROM mirror_lists.gm WHERE id IN (:gm_del1, :gm_del2);
-- flag: the deleted ones stay, flagged; the rest equals the truth
CALL zendesk_fdw.sync('lists.group_memberships', 'mirror_lists.gm_flag');
SELECT * FROM pg_temp.compare('mirror_lists.gm_flag_listed', 'truth_gm');
SELECT array_agg(id ORDER BY id) = ARRAY[:gm_del1, :gm_del2]::bigint[] AS flagged_are_the_deleted,
       bool_and(unlisted_at IS NOT NULL) AS flagged
  FROM mirror_lists.gm_flag WHERE unlisted_at IS NOT NULL;
SELECT * FROM pg_temp.run('mirror_lists.gm_flag');
-- the delete mode stays what the first run chose
CALL zendesk_fdw.sync('lists.group_memberships', 'mirror_lists.gm', delete_mode => 'flag');
-- flag mode needs the column unlisted_at in a table it adopts
CREATE TABLE mirror_lists.gm_adopted (LIKE mirror_lists.gm INCLUDING ALL);
CALL zendesk_fdw.sync('lists.group_memberships', 'mirror_lists.gm_adopted', delete_mode => 'flag');

-- 4. a group soft-deleted: it stays listed, flagged "deleted", and its
-- memberships go
SELECT count(*) AS memberships_of_group FROM truth_gm WHERE doc->>'group_id' = '360000000002' \gset
SELECT pg_temp.sim('DELETE', '/_sim/groups/360000000002')->'group'->'deleted' AS group_deleted;
SELECT pg_temp.truth_load('truth_groups', '/_sim/groups.jsonl') AS groups,
       pg_temp.truth_load('truth_gm', '/_sim/group_memberships.jsonl') AS memberships;
CALL zendesk_fdw.sync('lists.groups', 'mirror_lists.groups');
SELECT * FROM pg_temp.compare('mirror_lists.groups', 'truth_groups');
SELECT deleted FROM mirror_lists.groups WHERE id = 360000000002;
SELECT * FROM pg_temp.run('mirror_lists.groups');
CALL zendesk_fdw.sync('lists.group_memberships', 'mirror_lists.gm');
SELECT * FROM pg_temp.compare('mirror_lists.gm', 'truth_gm');
SELECT rows_deleted = :memberships_of_group AS the_groups_memberships_removed
  FROM pg_temp.run('mirror_lists.gm');
CALL zendesk_fdw.sync('lists.group_memberships', 'mirror_lists.gm_flag');
SELECT * FROM pg_temp.compare('mirror_lists.gm_flag_listed', 'truth_gm');
SELECT count(*) = :memberships_of_group + 2 AS flagged FROM mirror_lists.gm_flag
 WHERE unlisted_at IS NOT NULL;

-- 5. flag: a row listed again loses its flag.  One run is served a single
-- page holding one membership: every other row is flagged; the next run
-- lists them all again.
SELECT pg_temp.sim('POST', '/_sim/faults',
  json_build_object('path', '/api/v2/group_memberships', 'count', 1, 'status', 200,
    'body', json_build_object('group_memberships', json_build_array(
              (SELECT doc FROM truth_gm ORDER BY (doc->>'id')::bigint LIMIT 1)),
            'meta', json_build_object('has_more', false, 'after_cursor', NULL, 'before_cursor', NULL),
            'links', json_build_object('next', NULL, 'prev', NULL))::text)::text)->'ok' AS fault;
CALL zendesk_fdw.sync('lists.group_memberships', 'mirror_lists.gm_flag');
SELECT count(*) FILTER (WHERE unlisted_at IS NULL) AS listed,
       count(*) FILTER (WHERE unlisted_at IS NOT NULL) = (SELECT count(*) - 1 FROM truth_gm) + :memberships_of_group + 2
         AS others_flagged
  FROM mirror_lists.gm_flag;
CALL zendesk_fdw.sync('lists.group_memberships', 'mirror_lists.gm_flag');
SELECT * FROM pg_temp.compare('mirror_lists.gm_flag_listed', 'truth_gm');
SELECT count(*) = :memberships_of_group + 2 AS flagged FROM mirror_lists.gm_flag
 WHERE unlisted_at IS NOT NULL;

-- 6. a listing that fails at its third page deletes nothing: a membership
-- deleted and one created (the last id: on page 3) since the last run, the
-- mirror is as it was; the next run is exact
SELECT count(*) AS memberships FROM truth_gm;
SELECT (array_agg((doc->>'id')::bigint ORDER BY (doc->>'id')::bigint))[5] AS gm_del3
  FROM truth_gm \gset
SELECT pg_temp.sim('DELETE', '/_sim/group_memberships/' || :gm_del3) IS NOT NULL AS deleted;
SELECT jsonb_array_length(pg_temp.sim('POST', '/_sim/group_memberships', '{"count": 1}')->'group_memberships') AS created;
CREATE TEMP TABLE gm_before AS SELECT * FROM mirror_lists.gm;
SELECT pg_temp.sim('POST', '/_sim/faults',
  '{"path": "/api/v2/group_memberships", "nth": 3, "kind": "truncate"}')->'ok' AS fault;
-- (the error's detail names the byte the page was cut at: not shown)
\set VERBOSITY terse
CALL zendesk_fdw.sync('lists.group_memberships', 'mirror_lists.gm');
\set VERBOSITY default
SELECT (SELECT count(*) FROM (SELECT * FROM gm_before EXCEPT ALL SELECT * FROM mirror_lists.gm) d) AS lost,
       (SELECT count(*) FROM (SELECT * FROM mirror_lists.gm EXCEPT ALL SELECT * FROM gm_before) d) AS gained;
SELECT status, pages, rows_deleted, error ~ '^invalid page from Zendesk server "zd_lists"' AS error_recorded
  FROM pg_temp.run('mirror_lists.gm');
-- materialize: the same, returned in its summary
SELECT pg_temp.sim('POST', '/_sim/faults',
  '{"path": "/api/v2/group_memberships", "nth": 3, "kind": "truncate"}')->'ok' AS fault;
SELECT status, pages, rows_deleted, old_recovery_time, new_recovery_time,
       error ~ '^invalid page' AS failed_page
  FROM zendesk_fdw.materialize('lists.group_memberships', 'mirror_lists.gm');
SELECT (SELECT count(*) FROM (SELECT * FROM gm_before EXCEPT ALL SELECT * FROM mirror_lists.gm) d) AS lost,
       (SELECT count(*) FROM (SELECT * FROM mirror_lists.gm EXCEPT ALL SELECT * FROM gm_before) d) AS gained;
SELECT pg_temp.truth_load('truth_gm', '/_sim/group_memberships.jsonl') AS memberships;
SELECT status, pages, rows_inserted, rows_updated, rows_deleted, old_recovery_time, new_recovery_time, error
  FROM zendesk_fdw.materialize('lists.group_memberships', 'mirror_lists.gm');
SELECT * FROM pg_temp.compare('mirror_lists.gm', 'truth_gm');
SELECT * FROM pg_temp.run('mirror_lists.gm');

-- 7. a cursor Zendesk refuses (the second page's) restarts the listing from
-- its first page; the records taken before are not taken twice and the
-- run is exact: a membership deleted and one created since the last run
SELECT (array_agg((doc->>'id')::bigint ORDER BY (doc->>'id')::bigint))[7] AS gm_del4
  FROM truth_gm \gset
SELECT pg_temp.sim('DELETE', '/_sim/group_memberships/' || :gm_del4) IS NOT NULL AS deleted;
SELECT jsonb_array_length(pg_temp.sim('POST', '/_sim/group_memberships', '{"count": 1}')->'group_memberships') AS created;
SELECT pg_temp.truth_load('truth_gm', '/_sim/group_memberships.jsonl') AS memberships;
SELECT pg_temp.sim('DELETE', '/_sim/requests') IS NOT NULL AS log_cleared;
SELECT pg_temp.sim('POST', '/_sim/faults',
  '{"path": "/api/v2/group_memberships", "nth": 2, "kind": "invalid_cursor"}')->'ok' AS fault;
CALL zendesk_fdw.sync('lists.group_memberships', 'mirror_lists.gm');
SELECT * FROM pg_temp.compare('mirror_lists.gm', 'truth_gm');
SELECT * FROM pg_temp.run('mirror_lists.gm');
-- the pages the truth implies, the refused request and the first page again
SELECT pg_temp.requests('/api/v2/group_memberships') AS list_requests,
       (SELECT ceil(count(*) / 100.0) + 2 FROM truth_gm) AS implied;

-- 8. SLA policies, then a plan that lacks them (403, then 404
-- InvalidEndpoint): the run is done, changes nothing, and says why
CALL zendesk_fdw.sync('lists.sla_policies', 'mirror_lists.sla');
SELECT pg_temp.truth_load('truth_sla', '/_sim/sla_policies.jsonl') AS sla_policies;
SELECT * FROM pg_temp.compare('mirror_lists.sla', 'truth_sla');
CREATE TEMP TABLE sla_before AS SELECT * FROM mirror_lists.sla;
SELECT pg_temp.sim('POST', '/_sim/switches', '{"plan_sla_policies": "403"}') IS NOT NULL AS plan_403;
CALL zendesk_fdw.sync('lists.sla_policies', 'mirror_lists.sla');
SELECT (SELECT count(*) FROM (SELECT * FROM sla_before EXCEPT ALL SELECT * FROM mirror_lists.sla) d) AS lost,
       (SELECT count(*) FROM (SELECT * FROM mirror_lists.sla EXCEPT ALL SELECT * FROM sla_before) d) AS gained;
SELECT * FROM pg_temp.run('mirror_lists.sla');
SELECT pg_temp.sim('POST', '/_sim/switches', '{"plan_sla_policies": "404"}') IS NOT NULL AS plan_404;
SELECT status, pages, rows_inserted, rows_updated, rows_deleted, requests, error
  FROM zendesk_fdw.materialize('lists.sla_policies', 'mirror_lists.sla');
SELECT (SELECT count(*) FROM (SELECT * FROM sla_before EXCEPT ALL SELECT * FROM mirror_lists.sla) d) AS lost,
       (SELECT count(*) FROM (SELECT * FROM mirror_lists.sla EXCEPT ALL SELECT * FROM sla_before) d) AS gained;
SELECT * FROM pg_temp.run('mirror_lists.sla');
SELECT pg_temp.sim('POST', '/_sim/switches', '{"plan_sla_policies": "available"}') IS NOT NULL AS plan_back;
CALL zendesk_fdw.sync('lists.sla_policies', 'mirror_lists.sla');
SELECT * FROM pg_temp.run('mirror_lists.sla');

-- 9. a list's mirror is that list's alone: another source into it would have
-- its rows deleted by every run, so the run is refused
CREATE FOREIGN TABLE lists.sla_policies_too (id bigint, title text, updated_at timestamptz)
  SERVER zd_lists OPTIONS (resource 'sla_policies');
CALL zendesk_fdw.sync('lists.sla_policies_too', 'mirror_lists.sla');
SELECT count(*) AS sla_rows,
       (SELECT count(*) FROM zendesk_fdw.sync_state WHERE source = 'lists.sla_policies_too'::regclass) AS refused_state
  FROM mirror_lists.sla;
CALL zendesk_fdw.sync('lists.sla_policies', 'mirror_lists.sla');
SELECT * FROM pg_temp.run('mirror_lists.sla');

-- no tombstone for a list: the listing is the truth
SELECT count(*) AS tombstones FROM zendesk_fdw.sync_tombstones t JOIN pg_class c ON c.oid = t.target
 WHERE c.relnamespace = 'mirror_lists'::regnamespace;

\! bash scripts/regress-sim.sh stop sync_lists
