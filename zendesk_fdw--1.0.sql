/* zendesk_fdw--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION zendesk_fdw" to load this file. \quit

-- The extension's own objects live in a schema that belongs to it, so that
-- DROP EXTENSION takes it away (the control file pins the extension itself
-- to pg_catalog, as pg_cron does, so it cannot be relocated).
CREATE SCHEMA zendesk_fdw;

CREATE FUNCTION zendesk_fdw.zendesk_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FUNCTION zendesk_fdw.zendesk_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER zendesk_fdw
  HANDLER zendesk_fdw.zendesk_fdw_handler
  VALIDATOR zendesk_fdw.zendesk_fdw_validator;

COMMENT ON FOREIGN DATA WRAPPER zendesk_fdw IS 'Zendesk Support API';

-- Requests made to Zendesk, per account and endpoint: for the whole cluster
-- when the library is in shared_preload_libraries (cluster_wide), else for
-- the current backend.  No credential is kept here.
CREATE FUNCTION zendesk_fdw.request_stats(
    OUT account text, OUT endpoint text, OUT requests bigint,
    OUT export_requests bigint, OUT rate_limited bigint, OUT retries bigint,
    OUT bytes bigint, OUT seconds_waited double precision, OUT cluster_wide boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'zendesk_fdw_stats'
LANGUAGE C STRICT VOLATILE;

CREATE VIEW zendesk_fdw.stats AS SELECT * FROM zendesk_fdw.request_stats();
GRANT USAGE ON SCHEMA zendesk_fdw TO PUBLIC;
GRANT SELECT ON zendesk_fdw.stats TO PUBLIC;

-- Mirroring: zendesk_fdw.sync (a procedure that commits every page with its
-- checkpoint) and zendesk_fdw.materialize (the same work in the caller's
-- transaction) copy a Zendesk foreign table into an ordinary table.  With
-- quarantine => 'a table name', a record that cannot be converted goes
-- there (created on first use) and the run goes on; without, it stops the
-- run with its id and value.

-- One row per (source, target): the checkpoint, written in the same
-- transaction as the rows it covers.  Names are regclass, so a dump and
-- restore re-resolves them; the extension writes the rows on the caller's
-- behalf, and row-level security shows each role only the syncs it owns.
CREATE TABLE zendesk_fdw.sync_state (
    source regclass NOT NULL,
    target regclass NOT NULL,
    owner regrole NOT NULL,
    resource text NOT NULL,
    delete_mode text NOT NULL CHECK (delete_mode IN ('remove', 'flag')),
    start_time timestamptz,              -- the first run's start, for resyncs
    after_cursor text,                   -- cursor exports: where to resume
    recovery_time timestamptz,           -- stream time of the last page in the target
    target_relfilenode oid,              -- a truncated target gets a new one
    fields_fingerprint text,             -- the mapped custom fields, as last seen
    status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    pid integer,
    error text,
    started_at timestamptz,
    checkpoint_at timestamptz,
    finished_at timestamptz,
    pages bigint NOT NULL DEFAULT 0,
    rows_inserted bigint NOT NULL DEFAULT 0,
    rows_updated bigint NOT NULL DEFAULT 0,
    rows_deleted bigint NOT NULL DEFAULT 0,
    rows_quarantined bigint NOT NULL DEFAULT 0,
    requests bigint NOT NULL DEFAULT 0,
    rate_limited bigint NOT NULL DEFAULT 0,
    retries bigint NOT NULL DEFAULT 0,
    seconds_waited double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (source, target)
);
COMMENT ON TABLE zendesk_fdw.sync_state IS
  'zendesk_fdw mirrors: checkpoint, progress and last status of each (source, target)';

-- Ids removed from a mirror (delete mode "remove"), with the stream time of
-- their deletion, so that an older version on a stale page cannot bring a
-- row back.
CREATE TABLE zendesk_fdw.sync_tombstones (
    target regclass NOT NULL,
    id bigint NOT NULL,
    stream_time timestamptz NOT NULL,
    PRIMARY KEY (target, id)
);

SELECT pg_catalog.pg_extension_config_dump('zendesk_fdw.sync_state', '');
SELECT pg_catalog.pg_extension_config_dump('zendesk_fdw.sync_tombstones', '');

ALTER TABLE zendesk_fdw.sync_state ENABLE ROW LEVEL SECURITY;
CREATE POLICY sync_state_owner ON zendesk_fdw.sync_state
  USING (pg_catalog.pg_has_role(owner, 'USAGE'));
GRANT SELECT ON zendesk_fdw.sync_state TO PUBLIC;

ALTER TABLE zendesk_fdw.sync_tombstones ENABLE ROW LEVEL SECURITY;
CREATE POLICY sync_tombstones_owner ON zendesk_fdw.sync_tombstones
  USING (EXISTS (SELECT 1 FROM zendesk_fdw.sync_state s
                  WHERE s.target = sync_tombstones.target
                    AND pg_catalog.pg_has_role(s.owner, 'USAGE')));
GRANT SELECT ON zendesk_fdw.sync_tombstones TO PUBLIC;

CREATE PROCEDURE zendesk_fdw.sync(source regclass, target text,
    start_time timestamptz DEFAULT NULL, delete_mode text DEFAULT NULL,
    quarantine text DEFAULT NULL)
AS 'MODULE_PATHNAME', 'zendesk_fdw_sync'
LANGUAGE C;

CREATE FUNCTION zendesk_fdw.materialize(source regclass, target text,
    start_time timestamptz DEFAULT NULL, delete_mode text DEFAULT NULL,
    quarantine text DEFAULT NULL,
    OUT status text, OUT pages bigint, OUT rows_inserted bigint,
    OUT rows_updated bigint, OUT rows_deleted bigint, OUT rows_quarantined bigint,
    OUT requests bigint,
    OUT rate_limited bigint, OUT retries bigint, OUT seconds_waited double precision,
    OUT old_recovery_time timestamptz, OUT new_recovery_time timestamptz,
    OUT error text)
RETURNS record
AS 'MODULE_PATHNAME', 'zendesk_fdw_materialize'
LANGUAGE C VOLATILE;

-- Forget the checkpoint (and tombstones): the next run starts again from
-- its start_time, upserting over the rows the target holds.
CREATE PROCEDURE zendesk_fdw.sync_reset(source regclass, target text)
AS 'MODULE_PATHNAME', 'zendesk_fdw_sync_reset'
LANGUAGE C;

-- sync_reset, then sync.
CREATE PROCEDURE zendesk_fdw.resync(source regclass, target text,
    start_time timestamptz DEFAULT NULL, delete_mode text DEFAULT NULL,
    quarantine text DEFAULT NULL)
AS 'MODULE_PATHNAME', 'zendesk_fdw_resync'
LANGUAGE C;

-- Rows of dropped sources and targets go with them, never left as bare OIDs.
CREATE FUNCTION zendesk_fdw.sync_state_dropped() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  DELETE FROM zendesk_fdw.sync_state s
   USING pg_catalog.pg_event_trigger_dropped_objects() d
   WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
     AND (s.source = d.objid OR s.target = d.objid);
  DELETE FROM zendesk_fdw.sync_tombstones t
   USING pg_catalog.pg_event_trigger_dropped_objects() d
   WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
     AND t.target = d.objid;
END
$$;
REVOKE ALL ON FUNCTION zendesk_fdw.sync_state_dropped() FROM PUBLIC;
CREATE EVENT TRIGGER zendesk_fdw_sync_state_dropped ON sql_drop
  EXECUTE FUNCTION zendesk_fdw.sync_state_dropped();

-- Who the current user's credentials for a server belong to: one request,
-- GET /api/v2/users/me.json.  authenticated is false for a 401 and for
-- Zendesk's 200 "Anonymous user", null for a 403 (a missing scope);
-- incremental exports need is_admin.  No credential is returned.
CREATE FUNCTION zendesk_fdw.check_connection(
    server name,
    OUT server text, OUT method text, OUT authenticated boolean,
    OUT user_id bigint, OUT user_name text, OUT email text, OUT role text,
    OUT is_admin boolean, OUT token_expires_at timestamptz,
    OUT rate_limit bigint, OUT rate_limit_remaining bigint, OUT rate_limit_reset bigint,
    OUT detail text)
RETURNS record
AS 'MODULE_PATHNAME', 'zendesk_fdw_check_connection'
LANGUAGE C STRICT VOLATILE;
