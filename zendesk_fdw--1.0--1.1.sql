/* zendesk_fdw--1.0--1.1.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION zendesk_fdw UPDATE TO '1.1'" to load this file. \quit

-- Schema drift, the additive side: every active custom field of the
-- source's resource as the last run saw it (id, type, key, title, options,
-- and the column that maps it, null for none); a run that finds a field not
-- listed here, or changed options, says so, and add_columns => true gives
-- unmapped fields columns.
ALTER TABLE zendesk_fdw.sync_state ADD COLUMN fields_seen jsonb;

-- add_columns => true: before reading, every active custom field no column
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
