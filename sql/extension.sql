--
-- extension: CREATE EXTENSION makes the handler, the validator, the foreign
-- data wrapper and the schema zendesk_fdw; DROP EXTENSION takes them away.
--
CREATE EXTENSION zendesk_fdw;

SELECT e.extversion AS version, e.extrelocatable
  FROM pg_extension e
 WHERE e.extname = 'zendesk_fdw';

SELECT fdwname, fdwhandler::regproc, fdwvalidator::regproc
  FROM pg_foreign_data_wrapper WHERE fdwname = 'zendesk_fdw';

SELECT pg_describe_object(classid, objid, objsubid) AS member
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'zendesk_fdw')
   AND classid <> 'pg_type'::regclass  -- 17 lists the row types of tables and views too
 ORDER BY 1;

DROP EXTENSION zendesk_fdw;
SELECT count(*) AS schemas_left FROM pg_namespace WHERE nspname = 'zendesk_fdw';

CREATE EXTENSION zendesk_fdw;

-- a role without superuser, for the privilege tests of later files
CREATE ROLE regress_zd_user;
GRANT USAGE ON FOREIGN DATA WRAPPER zendesk_fdw TO regress_zd_user;
