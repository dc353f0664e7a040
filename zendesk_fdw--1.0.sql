/* zendesk_fdw--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION zendesk_fdw" to load this file. \quit

CREATE FUNCTION @extschema@.zendesk_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FUNCTION @extschema@.zendesk_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER zendesk_fdw
  HANDLER @extschema@.zendesk_fdw_handler
  VALIDATOR @extschema@.zendesk_fdw_validator;

COMMENT ON FOREIGN DATA WRAPPER zendesk_fdw IS 'Zendesk Support API';
