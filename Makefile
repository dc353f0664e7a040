# zendesk_fdw -- foreign data wrapper for the Zendesk Support API (PGXS build)

MODULE_big = zendesk_fdw

# The Zendesk client: no PostgreSQL header in these, so they build into the
# unit tests and fuzzers too.
CLIENT_OBJS = src/zd_http.o src/zd_parse.o src/zd_json_arena.o src/zd_export.o src/zd_auth.o src/zd_url.o \
	src/zd_idset.o src/zd_time.o src/zd_ratelimit.o \
	src/zd_resources.o src/zd_lookup.o src/zd_oauth.o
# The PostgreSQL side.
OBJS = zendesk_fdw.o src/zd_options.o src/zd_conn.o src/zd_pacing.o src/zd_columns.o \
	src/zd_plan.o src/zd_guard.o \
	src/zd_import.o \
	src/zd_convert.o src/zd_scan.o \
	src/zd_tokens.o src/zd_check.o \
	src/zd_sync.o src/zd_sync_api.o src/zd_sync_fields.o src/zd_sync_state.o src/zd_sync_target.o \
	$(CLIENT_OBJS)

EXTENSION = zendesk_fdw
DATA = zendesk_fdw--1.0.sql zendesk_fdw--1.0--1.1.sql
PGFILEDESC = "zendesk_fdw - foreign data wrapper for the Zendesk Support API"

REGRESS = extension options scan convert pushdown auth https cancel retry resources import sync events drift drift_columns connection privileges bad_input upgrade
REGRESS_OPTS = --encoding=UTF8 --no-locale

PKG_CONFIG ?= pkg-config
PG_CPPFLAGS = -I$(srcdir)/src $(shell $(PKG_CONFIG) --cflags libcurl jansson)
SHLIB_LINK = $(shell $(PKG_CONFIG) --libs libcurl jansson)
# CI adds -Werror through ZD_WERROR=1 (scripts/setup.sh does).
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter $(if $(ZD_WERROR),-Werror)

# No JIT bitcode: it needs clang at install time and buys nothing here.
override with_llvm := no

EXTRA_CLEAN = tests/client/build

PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object depends on every header: the headers are few and small
$(OBJS): $(wildcard $(srcdir)/src/*.h)
