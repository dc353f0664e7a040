# src/client/client.mk -- the Zendesk client's sources, for every build of them.
#
# The extension (../../Makefile), the client's unit tests (tests/client) and
# its fuzz targets (tests/fuzz) all include this file, so the list is kept in
# one place.  The client includes no PostgreSQL header: it builds with the
# flags below and nothing else (tests/layout/check.sh proves it).

ZD_CLIENT_SRCS = zd_http.c zd_parse.c zd_json_arena.c zd_export.c zd_auth.c zd_url.c \
	zd_idset.c zd_time.c zd_ratelimit.c zd_resources.c zd_lookup.c zd_oauth.c zd_list.c

PKG_CONFIG ?= pkg-config
ZD_CLIENT_CFLAGS = $(shell $(PKG_CONFIG) --cflags libcurl jansson)
ZD_CLIENT_LIBS = $(shell $(PKG_CONFIG) --libs libcurl jansson)
