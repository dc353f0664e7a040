# zendesk_fdw -- foreign data wrapper for the Zendesk Support API (PGXS build)

MODULE_big = zendesk_fdw

# The code is in three layers, each depending only on the ones before it
# (src/README.md):
#   src/client  the Zendesk client: HTTP, URLs, credentials, pagination state
#               machines, page parsing -- no PostgreSQL header, so it builds
#               into the unit tests and fuzzers too (src/client/client.mk)
#   src/fdw     the foreign-data-wrapper side: options, connections, pacing,
#               tokens, planning, scans, conversion, IMPORT
#   src/sync    the mirrors: sync runs, their state, targets, schema drift
include src/client/client.mk
CLIENT_OBJS = $(addprefix src/client/,$(ZD_CLIENT_SRCS:.c=.o))
FDW_OBJS = $(addprefix src/fdw/,zd_compat.o zd_options.o zd_conn.o zd_pacing.o zd_tokens.o zd_check.o \
	zd_columns.o zd_convert.o zd_plan.o zd_guard.o zd_listing.o zd_scan.o zd_import.o)
SYNC_OBJS = $(addprefix src/sync/,zd_sync.o zd_sync_api.o zd_sync_fields.o zd_sync_state.o \
	zd_sync_target.o)
OBJS = zendesk_fdw.o $(FDW_OBJS) $(SYNC_OBJS) $(CLIENT_OBJS)

EXTENSION = zendesk_fdw
DATA = zendesk_fdw--1.0.sql zendesk_fdw--1.0--1.1.sql zendesk_fdw--1.1--1.2.sql
PGFILEDESC = "zendesk_fdw - foreign data wrapper for the Zendesk Support API"

REGRESS = extension options scan convert pushdown auth https cancel retry resources lists metrics import sync sync_review sync_lists events drift drift_columns connection privileges privileges_matrix bad_input upgrade
REGRESS_OPTS = --encoding=UTF8 --no-locale

PG_CPPFLAGS = -I$(srcdir)/src $(ZD_CLIENT_CFLAGS)
SHLIB_LINK = $(ZD_CLIENT_LIBS)
# CI adds -Werror through ZD_WERROR=1 (scripts/setup.sh does).
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter $(if $(ZD_WERROR),-Werror)

# No JIT bitcode: it needs clang at install time and buys nothing here.
override with_llvm := no

EXTRA_CLEAN = tests/client/build

PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object depends on every header: the headers are few and small
$(OBJS): $(wildcard $(srcdir)/src/*/*.h)
