-- one cell of privileges_matrix.sql: run right after the call under test,
-- with :cell and :expect set; records what the call gave (00000 or its
-- SQLSTATE) next to what the cell expects, then returns to the superuser
\if :ERROR
\set got :LAST_ERROR_SQLSTATE
\else
\set got 00000
\endif
RESET ROLE;
INSERT INTO pg_temp.matrix (cell, expected, got) VALUES (:'cell', :'expect', :'got');
