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

-- Who the current user's credentials for a server belong to: one request,
-- GET /api/v2/users/me.json.  authenticated is false for a 401 and for
-- Zendesk's 200 "Anonymous user"; incremental exports need is_admin.  No
-- credential is returned.
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
