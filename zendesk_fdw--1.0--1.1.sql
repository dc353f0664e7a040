/* zendesk_fdw--1.0--1.1.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION zendesk_fdw UPDATE TO '1.1'" to load this file. \quit

-- Schema drift, the additive side: every active custom field of the
-- source's resource as the last run saw it (id, type, key, title, options,
-- the column that maps it, null for none, and "new" for an unmapped field
-- that came after the first run); a run that finds a field not listed here,
-- or changed options, says so, and add_columns => true gives new fields
-- columns.
ALTER TABLE zendesk_fdw.sync_state ADD COLUMN fields_seen jsonb;

-- add_columns => true: before reading, every new custom field no column
-- maps gets a column on the foreign table and on the mirror (named and typed
-- as IMPORT FOREIGN SCHEMA would), and the run reads again from the oldest
-- new field's creation, so the mirror holds its values.  The procedures and
-- the function are replaced, not overloaded: a call naming only the old
-- arguments must keep resolving to exactly one of them.
DROP PROCEDURE zendesk_fdw.sync(regclass, text, timestamptz, text, text);
CREATE PROCEDURE zendesk_fdw.sync(source regclass, target text,
    start_time timestamptz DEFAULT NULL, delete_mode text DEFAULT NULL,
    quarantine text DEFAULT NULL, add_columns boolean DEFAULT false)
AS 'MODULE_PATHNAME', 'zendesk_fdw_sync'
LANGUAGE C;

DROP PROCEDURE zendesk_fdw.resync(regclass, text, timestamptz, text, text);
CREATE PROCEDURE zendesk_fdw.resync(source regclass, target text,
    start_time timestamptz DEFAULT NULL, delete_mode text DEFAULT NULL,
    quarantine text DEFAULT NULL, add_columns boolean DEFAULT false)
AS 'MODULE_PATHNAME', 'zendesk_fdw_resync'
LANGUAGE C;

DROP FUNCTION zendesk_fdw.materialize(regclass, text, timestamptz, text, text);
CREATE FUNCTION zendesk_fdw.materialize(source regclass, target text,
    start_time timestamptz DEFAULT NULL, delete_mode text DEFAULT NULL,
    quarantine text DEFAULT NULL, add_columns boolean DEFAULT false,
    OUT status text, OUT pages bigint, OUT rows_inserted bigint,
    OUT rows_updated bigint, OUT rows_deleted bigint, OUT rows_quarantined bigint,
    OUT requests bigint,
    OUT rate_limited bigint, OUT retries bigint, OUT seconds_waited double precision,
    OUT old_recovery_time timestamptz, OUT new_recovery_time timestamptz,
    OUT error text)
RETURNS record
AS 'MODULE_PATHNAME', 'zendesk_fdw_materialize'
LANGUAGE C VOLATILE;

-- Privileges, decided and spelled out, so that default privileges of the
-- role that installs the extension cannot change them (sql/privileges.sql
-- checks each).  Like postgres_fdw's functions, and unlike pg_cron (whose
-- jobs run later, in a worker, hence its schema closed to PUBLIC), the
-- functions run now, as the caller, and check what matters themselves: the
-- caller's own user mapping, USAGE on the server (check_connection), SELECT
-- on the source, the privileges a sync needs on an existing target and
-- quarantine table (CREATE on the schema for a new one), and that a sync
-- already recorded belongs to the caller.  So PUBLIC may execute them; a
-- DBA who wants fewer people mirroring revokes EXECUTE and grants it to a
-- role.  The checkpoint and tombstone tables are written only by the
-- extension, as their owner; PUBLIC may read them, row-level security
-- showing each role the rows of its own syncs.  stats holds no credential
-- and nothing beyond what pg_foreign_server shows every role: the servers'
-- base URLs, with request counts.  The event trigger's function is for the
-- event trigger only; the wrapper's handler and validator keep PostgreSQL's
-- defaults, as postgres_fdw's do.
GRANT EXECUTE ON FUNCTION zendesk_fdw.materialize(regclass, text, timestamptz, text, text, boolean),
    zendesk_fdw.check_connection(name), zendesk_fdw.request_stats() TO PUBLIC;
GRANT EXECUTE ON PROCEDURE zendesk_fdw.sync(regclass, text, timestamptz, text, text, boolean),
    zendesk_fdw.resync(regclass, text, timestamptz, text, text, boolean),
    zendesk_fdw.sync_reset(regclass, text) TO PUBLIC;
REVOKE ALL ON zendesk_fdw.sync_state, zendesk_fdw.sync_tombstones FROM PUBLIC;
GRANT SELECT ON zendesk_fdw.sync_state, zendesk_fdw.sync_tombstones, zendesk_fdw.stats TO PUBLIC;
REVOKE ALL ON FUNCTION zendesk_fdw.sync_state_dropped() FROM PUBLIC;
