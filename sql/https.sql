--
-- https: TLS is verified; the simulator's self-signed certificate is trusted
-- only through the superuser-only ca_file option.
--
\getenv sim_https ZD_SIM_HTTPS_URL
\getenv sim_ca ZD_SIM_CA

CREATE SERVER zd_tls FOREIGN DATA WRAPPER zendesk_fdw
  OPTIONS (url :'sim_https', export_requests_per_minute '6000');
CREATE USER MAPPING FOR CURRENT_USER SERVER zd_tls
  OPTIONS (email 'admin@example.com', api_token 'sim-api-token');
CREATE FOREIGN TABLE zd.tickets_tls (id bigint) SERVER zd_tls OPTIONS (resource 'tickets');

-- without ca_file the certificate is not trusted
\set VERBOSITY terse
SELECT count(*) FROM zd.tickets_tls;
\set VERBOSITY default

ALTER SERVER zd_tls OPTIONS (ADD ca_file :'sim_ca');
SELECT count(*) = (SELECT count(*) FROM zd.tickets) AS same_rows_as_http FROM zd.tickets_tls;

-- a ca_file that does not exist
ALTER SERVER zd_tls OPTIONS (SET ca_file '/nonexistent/ca.pem');
\set VERBOSITY terse
SELECT count(*) FROM zd.tickets_tls;
\set VERBOSITY default

-- plain http is refused to anything but loopback, even for a superuser
ALTER SERVER zd_tls OPTIONS (DROP ca_file, SET url 'http://example.com');
