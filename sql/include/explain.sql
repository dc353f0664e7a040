--
-- explain: EXPLAIN's lines as PostgreSQL 15 prints them, for the plans later
-- releases print differently (included with \i by scan.sql and pushdown.sql):
--
--   explain(statement, drop)  the lines of EXPLAIN statement, less those that
--                             match the regular expression drop; in 15's
--                             notation where 17 and 18 differ: an InitPlan's
--                             value "$0", not "(InitPlan 1).col1", its node
--                             "InitPlan 1 (returns $0)" (17), actual rows
--                             without decimals (18)
--
-- SELECT * FROM pg_temp.explain(...) AS "QUERY PLAN" looks like EXPLAIN.
--
CREATE FUNCTION pg_temp.explain(statement text, drop text DEFAULT NULL) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  FOR line IN EXECUTE statement LOOP
    CONTINUE WHEN line ~ drop;
    line := replace(line, '(InitPlan 1).col1', '$0');
    line := regexp_replace(line, '^(\s*InitPlan 1)$', '\1 (returns $0)');
    line := regexp_replace(line, '(actual rows=\d+)\.00 ', '\1 ', 'g');
    RETURN NEXT line;
  END LOOP;
END $$;
