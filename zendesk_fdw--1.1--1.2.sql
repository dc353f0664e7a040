/* zendesk_fdw--1.1--1.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION zendesk_fdw UPDATE TO '1.2'" to load this file. \quit

-- The options that decide where a server's credentials are sent (url,
-- ca_file, proxy) are a superuser's to set, change and drop.  The validator
-- sees only the list of options a CREATE or ALTER SERVER results in, so a
-- server's owner could DROP url and ADD subdomain: this trigger sees what the
-- statement changes.  A role that is not a superuser may change the other
-- options of a server whose url a superuser set.
CREATE FUNCTION zendesk_fdw.server_options_guard()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'zendesk_fdw_server_options_guard'
LANGUAGE C;

REVOKE ALL ON FUNCTION zendesk_fdw.server_options_guard() FROM PUBLIC;

CREATE EVENT TRIGGER zendesk_fdw_server_options ON ddl_command_start
  WHEN TAG IN ('CREATE SERVER', 'ALTER SERVER')
  EXECUTE FUNCTION zendesk_fdw.server_options_guard();

-- The mirrors of the standard lists (groups, memberships, ...) read the
-- whole list every run: the records it listed, and a note when the run had
-- nothing to read (the account's plan lacks the list).  NULL for exports.
ALTER TABLE zendesk_fdw.sync_state
  ADD COLUMN rows_listed bigint,
  ADD COLUMN note text;
