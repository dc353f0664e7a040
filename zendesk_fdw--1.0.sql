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
