"""A Zendesk Support API simulator for zendesk_fdw's demo, tests and benchmarks.

Standard library only.  sim/README.md says what it serves and, in "Zendesk's
behaviour", the behaviour it reproduces and where Zendesk documents it; where
it differs from the real API, it is wrong.

Modules, one job each:
  clock.py       the simulated clock tests can move
  switches.py    one switch per uncertain behaviour (sim/README.md §16)
  records.py     record shapes, their generation and rendering
  streams.py     sorted (ts, id) stream indexes, kept up to date
  account.py     the account: records, hidden facts, mutations, counts
  exports.py     incremental export pagination (time- and cursor-based)
  pagination.py  standard API pagination (CBP, OBP, show_many)
  auth.py        API tokens and OAuth (client credentials, refresh rotation)
  limits.py      rate-limit buckets and window models
  faults.py      fault-injection rules
  routes.py      the API's routes and what each endpoint answers
  control.py     the control API under /_sim/
  server.py      HTTP: the order of checks, headers, gzip, the wire, the log
  __main__.py    the command line
"""
