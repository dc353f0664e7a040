"""A Zendesk Support API simulator for zendesk_fdw's demo, tests and benchmarks.

Standard library only.  See shared/zendesk-api.md for the behaviour it
reproduces; where it differs from the real API, it is wrong.
"""
