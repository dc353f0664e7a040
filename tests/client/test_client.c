/*-------------------------------------------------------------------------
 *
 * test_client.c
 *		  Unit tests of the PostgreSQL-free Zendesk client: page parsing,
 *		  the export state machine, URL checks, credentials, and the
 *		  non-blocking HTTP client against the simulator.
 *
 * Each test prints "ok <name>" or "not ok <name>: <why>"; the exit status
 * is the number of failures.  The HTTP tests need ZD_SIM_URL (the
 * simulator, as scripts/test.sh starts it) and are reported as failures
 * without it.  Built with -DZD_POSITIVE_CONTROL, one test also makes a
 * deliberate memory error, which valgrind and AddressSanitizer must report:
 * that is how the suite shows its memory checkers work.
 *
 * IDENTIFICATION
 *		  tests/client/test_client.c
 *
 *-------------------------------------------------------------------------
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <limits.h>

#include <curl/curl.h>

#include "zd_auth.h"
#include "zd_export.h"
#include "zd_http.h"
#include "zd_idset.h"
#include "zd_list.h"
#include "zd_lookup.h"
#include "zd_oauth.h"
#include "zd_parse.h"
#include "zd_ratelimit.h"
#include "zd_resources.h"
#include "zd_time.h"
#include "zd_url.h"

static int	failures = 0;
static const char *current_test;
static bool current_failed;

static void
check(bool cond, const char *fmt,...)
{
	va_list		ap;

	if (cond || current_failed)
		return;
	current_failed = true;
	failures++;
	printf("not ok %s: ", current_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define RUN(fn) \
	do { \
		current_test = #fn; current_failed = false; \
		fn(); \
		if (!current_failed) printf("ok %s\n", #fn); \
	} while (0)

static const char *const CURSOR_PAGE =
"{\"tickets\":[{\"id\":1,\"subject\":\"a\"},{\"id\":2,\"subject\":\"b\\u0000c\"}],"
"\"after_url\":\"https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=MTAuMHx8MnY%3D&per_page=2\","
"\"before_url\":null,\"after_cursor\":\"MTAuMHx8MnY=\",\"before_cursor\":null,\"end_of_stream\":false}";

static void
test_parse_cursor_page(void)
{
	ZdPage		page;
	char		err[256];
	bool		ok = zd_page_parse(CURSOR_PAGE, strlen(CURSOR_PAGE), "tickets",
								   ZD_STREAM_CURSOR, &page, err, sizeof(err));

	check(ok, "parse failed: %s", err);
	if (!ok)
		return;
	check(page.nrecords == 2, "nrecords %zu", page.nrecords);
	check(!page.end_of_stream, "end_of_stream");
	check(page.after_cursor && strcmp(page.after_cursor, "MTAuMHx8MnY=") == 0, "cursor");
	check(page.next_url && strstr(page.next_url, "cursor=") != NULL, "next url");
	/* JSON_ALLOW_NUL: the \u0000 string is kept whole */
	check(json_string_length(json_object_get(json_array_get(page.records, 1), "subject")) == 3,
		  "NUL string length");
	zd_page_free(&page);
}

/*
 * A page's tree is built in an arena of its own; jansson stays usable with
 * malloc and free outside a parse (its trees and json_dumps's text), also
 * while a page's arena is alive; a big page takes many chunks and a string
 * larger than a chunk's share, arenas are independent, and a page parsed
 * into the chunks earlier pages left is whole.
 */
static void
test_page_arena(void)
{
	ZdPage		page,
				other;
	char		err[256];
	json_t	   *own = json_pack("{s:s}", "k", "v");
	char	   *text;
	size_t		big_len = 200 * 1024;
	char	   *big = malloc(big_len + 4096);
	size_t		n;

	check(zd_page_parse(CURSOR_PAGE, strlen(CURSOR_PAGE), "tickets", ZD_STREAM_CURSOR,
						&page, err, sizeof(err)), "parse: %s", err);
	check(page.arena != NULL, "the tree is in an arena");
	/* a tree outside the arena may hold a record of the page while it lives */
	json_object_set(own, "record", json_array_get(page.records, 0));
	text = json_dumps(own, JSON_COMPACT | JSON_SORT_KEYS);
	check(text && strcmp(text, "{\"k\":\"v\",\"record\":{\"id\":1,\"subject\":\"a\"}}") == 0,
		  "dumps: %s", text);
	free(text);
	json_decref(own);

	/* thousands of records and a 200 kB string: many chunks, one of its own */
	n = (size_t) snprintf(big, 64, "{\"tickets\":[");
	for (int i = 0; i < 3000; i++)
		n += (size_t) snprintf(big + n, 64, "%s{\"id\":%d,\"tags\":[\"t%d\"]}", i ? "," : "", i, i);
	big = realloc(big, n + big_len + 256);
	n += (size_t) snprintf(big + n, 64, ",{\"id\":-1,\"description\":\"");
	memset(big + n, 'x', big_len);
	n += big_len;
	n += (size_t) snprintf(big + n, 128, "\"}],\"after_cursor\":null,\"end_of_stream\":true}");
	check(zd_page_parse(big, n, "tickets", ZD_STREAM_CURSOR, &other, err, sizeof(err)),
		  "big page: %s", err);
	check(other.nrecords == 3001 && other.arena != NULL && other.arena != page.arena,
		  "big page: %zu records", other.nrecords);
	check(json_integer_value(json_object_get(json_array_get(other.records, 2999), "id")) == 2999 &&
		  json_string_length(json_object_get(json_array_get(other.records, 3000), "description")) == big_len,
		  "big page values");
	/* the first page is untouched by the second */
	check(strcmp(page.after_cursor, "MTAuMHx8MnY=") == 0, "first page intact");
	zd_page_free(&other);
	zd_page_free(&page);

	/* again, from the chunks the freed arenas kept, then given back */
	check(zd_page_parse(big, n, "tickets", ZD_STREAM_CURSOR, &other, err, sizeof(err)) &&
		  other.nrecords == 3001 &&
		  json_integer_value(json_object_get(json_array_get(other.records, 1234), "id")) == 1234,
		  "big page again: %s", err);
	zd_page_free(&other);
	zd_json_arena_release_cache();
	free(big);

	/* a failed parse leaves nothing behind (valgrind and LeakSanitizer) */
	check(!zd_page_parse("{\"tickets\":[{\"id\":1}", strlen("{\"tickets\":[{\"id\":1}"), "tickets", ZD_STREAM_CURSOR,
						 &page, err, sizeof(err)) && page.arena == NULL, "truncated page refused");
}

static void
test_parse_time_page(void)
{
	const char *body = "{\"organizations\":[],\"count\":0,\"end_of_stream\":true,"
		"\"next_page\":\"https://acme.zendesk.com/api/v2/incremental/organizations.json?start_time=5\",\"end_time\":5}";
	ZdPage		page;
	char		err[256];
	bool		ok = zd_page_parse(body, strlen(body), "organizations", ZD_STREAM_TIME,
								   &page, err, sizeof(err));

	check(ok, "parse failed: %s", err);
	if (!ok)
		return;
	check(page.end_of_stream && page.end_time == 5 && page.nrecords == 0, "fields");
	zd_page_free(&page);
}

static void
expect_parse_error(const char *body, const char *needle)
{
	ZdPage		page;
	char		err[256] = "";
	bool		ok = zd_page_parse(body, strlen(body), "tickets", ZD_STREAM_CURSOR,
								   &page, err, sizeof(err));

	check(!ok, "accepted: %s", body);
	check(strstr(err, needle) != NULL, "error \"%s\" lacks \"%s\"", err, needle);
	check(page.root == NULL, "tree left behind");
}

static void
test_parse_bad_pages(void)
{
	expect_parse_error("", "invalid JSON");
	expect_parse_error("{\"tickets\":[", "invalid JSON");
	expect_parse_error("<html><body>Maintenance</body></html>", "invalid JSON");
	expect_parse_error("[]", "not a JSON object");
	expect_parse_error("{\"end_of_stream\":true}", "no \"tickets\" array");
	expect_parse_error("{\"tickets\":{},\"end_of_stream\":true}", "no \"tickets\" array");
	expect_parse_error("{\"tickets\":[1],\"end_of_stream\":true}", "is not an object");
	expect_parse_error("{\"tickets\":[]}", "end_of_stream");
	expect_parse_error("{\"tickets\":[],\"end_of_stream\":\"false\"}", "end_of_stream");
	expect_parse_error("{\"tickets\":[],\"end_of_stream\":false,\"after_url\":7}", "after_url");
	/* an integer beyond int64 */
	expect_parse_error("{\"tickets\":[{\"id\":99999999999999999999}],\"end_of_stream\":true}",
					   "invalid JSON");
}

static void
test_error_text(void)
{
	char		buf[256];
	const char *plain = "Number of allowed API requests per minute exceeded";

	zd_error_text("{\"error\":\"Couldn't authenticate you\"}", 37, buf, sizeof(buf));
	check(strcmp(buf, "Couldn't authenticate you") == 0, "401: %s", buf);
	zd_error_text("{\"error\":\"RecordNotFound\",\"description\":\"Not found\"}", 52, buf, sizeof(buf));
	check(strcmp(buf, "RecordNotFound: Not found") == 0, "404: %s", buf);
	{
		const char *b = "{\"error\":{\"title\":\"Forbidden\",\"message\":\"You do not have access\"}}";

		zd_error_text(b, strlen(b), buf, sizeof(buf));
		check(strcmp(buf, "Forbidden: You do not have access") == 0, "403 nested: %s", buf);
	}
	{
		const char *b = "{\"errors\":[{\"code\":\"StartTimeTooRecent\",\"title\":\"start_time must be more than 60 seconds ago\"}]}";

		zd_error_text(b, strlen(b), buf, sizeof(buf));
		check(strcmp(buf, "StartTimeTooRecent: start_time must be more than 60 seconds ago") == 0,
			  "errors[]: %s", buf);
	}
	zd_error_text(plain, strlen(plain), buf, sizeof(buf));
	check(strcmp(buf, plain) == 0, "plain text: %s", buf);
	zd_error_text("  <!DOCTYPE html><p>x</p>", 25, buf, sizeof(buf));
	check(strncmp(buf, "an HTML page", 12) == 0, "html: %s", buf);
	zd_error_text("line one\nline two", 17, buf, sizeof(buf));
	check(strcmp(buf, "line one") == 0, "first line: %s", buf);
	zd_error_text("", 0, buf, sizeof(buf));
	check(strcmp(buf, "an empty body") == 0, "empty: %s", buf);
	{
		const char *b = "{\"error\":\"invalid_token\",\"error_description\":\"expired\"}";

		check(zd_error_is_invalid_token(b, strlen(b)), "invalid_token");
		check(!zd_error_is_invalid_token("{\"error\":\"Couldn't authenticate you\"}", 37),
			  "not invalid_token");
		b = "{\"error\":\"InvalidCursor\",\"description\":\"cursor is invalid or expired\"}";
		check(zd_error_is_invalid_cursor(b, strlen(b)), "InvalidCursor, legacy shape");
		b = "{\"errors\":[{\"code\":\"InvalidCursor\",\"status\":\"400\",\"title\":\"cursor is invalid or expired\"}]}";
		check(zd_error_is_invalid_cursor(b, strlen(b)), "InvalidCursor, errors shape");
		b = "{\"error\":\"InvalidValue\",\"description\":\"Too recent start_time\"}";
		check(!zd_error_is_invalid_cursor(b, strlen(b)), "not InvalidCursor");
		check(!zd_error_is_invalid_cursor("<html>", 6), "HTML is not InvalidCursor");
		check(zd_error_is_start_time_too_recent(422, b, strlen(b)), "too recent, 422");
		b = "{\"errors\":[{\"code\":\"StartTimeTooRecent\",\"title\":\"start_time must be more than 60 seconds ago\"}]}";
		check(zd_error_is_start_time_too_recent(400, b, strlen(b)), "too recent, 400");
		check(!zd_error_is_start_time_too_recent(500, b, strlen(b)), "a 500 is not too recent");
		b = "{\"errors\":[{\"code\":\"InvalidPaginationParameter\",\"title\":\"Invalid pagination parameter\"}]}";
		check(zd_error_is_invalid_list_cursor(b, strlen(b)) && !zd_error_is_invalid_cursor(b, strlen(b)),
			  "a list's invalid cursor is not an export's");
		b = "{\"error\":\"InvalidEndpoint\",\"description\":\"Not found\"}";
		check(zd_error_has_code(b, strlen(b), "InvalidEndpoint") &&
			  !zd_error_has_code(b, strlen(b), "RecordNotFound") &&
			  !zd_error_is_invalid_list_cursor(b, strlen(b)), "InvalidEndpoint");
		b = "{\"error\":{\"title\":\"Forbidden\",\"message\":\"You do not have access\"}}";
		check(!zd_error_has_code(b, strlen(b), "Forbidden"), "an error object has no code");
		b = "{\"error\":\"InvalidCursor\"}";
		check(!zd_error_is_start_time_too_recent(422, b, strlen(b)), "InvalidCursor is not too recent");
		check(!zd_error_is_start_time_too_recent(422, "start_tim", 9), "a cut word is not too recent");
	}
}

static void
test_token_parse(void)
{
	ZdTokenGrant grant;
	char		err[256];
	const char *good = "{\"access_token\":\"abc\",\"token_type\":\"bearer\",\"expires_in\":1800}";
	const char *bad = "{\"token_type\":\"bearer\"}";

	check(zd_token_grant_parse(good, strlen(good), &grant, err, sizeof(err)), "good: %s", err);
	check(grant.access_token && strcmp(grant.access_token, "abc") == 0 &&
		  grant.expires_in == 1800 && grant.refresh_token == NULL, "values");
	zd_token_grant_free(&grant);
	check(!zd_token_grant_parse(bad, strlen(bad), &grant, err, sizeof(err)), "bad accepted");
	check(grant.access_token == NULL, "token set on failure");
}

static void
test_auth_headers(void)
{
	char	   *basic = zd_auth_basic("jdoe@example.com", "6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv");
	char	   *bearer = zd_auth_bearer("tok");
	char	   *body = zd_oauth_client_credentials_body("id\"x", "s", "read");

	/* base64("jdoe@example.com/token:6wiI...") */
	check(strcmp(basic, "Basic amRvZUBleGFtcGxlLmNvbS90b2tlbjo2d2lJQldiR2tCTW8xbVJETXVWd2t3MUVQc05rZVVqOTVQSXoyYWt2") == 0,
		  "basic: %s", basic);
	check(strcmp(bearer, "Bearer tok") == 0, "bearer: %s", bearer);
	check(strstr(body, "\"grant_type\":\"client_credentials\"") != NULL &&
		  strstr(body, "\"client_id\":\"id\\\"x\"") != NULL, "body: %s", body);
	zd_secret_free(basic);
	zd_secret_free(bearer);
	free(body);
}

/* a string literal and its length */
#define LIT(s) (s), strlen(s)

/* zd_oauth: the refresh grant, token answers, OAuth errors, users/me */
static void
test_oauth(void)
{
	char		err[256];
	char		said[640];
	ZdTokenGrant grant;
	ZdMe		me;
	char	   *body = zd_oauth_refresh_body("cid", "csecret", "rt\"1");
	const char *rotated = "{\"access_token\":\"a1\",\"token_type\":\"bearer\",\"expires_in\":1800,"
		"\"refresh_token\":\"r2\",\"refresh_token_expires_in\":2592000}";
	const char *anonymous = "{\"user\":{\"name\":\"Anonymous user\"}}";
	const char *agent = "{\"user\":{\"id\":9007199254740993,\"name\":\"Ann\",\"email\":\"a@x\",\"role\":\"agent\"}}";
	const char *invalid_grant = "{\"error\":\"invalid_grant\",\"error_description\":\"revoked\"}";

	check(strstr(body, "\"grant_type\":\"refresh_token\"") != NULL &&
		  strstr(body, "\"refresh_token\":\"rt\\\"1\"") != NULL, "refresh body: %s", body);
	zd_secret_free(body);

	check(zd_token_grant_parse(rotated, strlen(rotated), &grant, err, sizeof(err)) &&
		  strcmp(grant.access_token, "a1") == 0 && strcmp(grant.refresh_token, "r2") == 0 &&
		  grant.expires_in == 1800, "rotated pair");
	zd_token_grant_free(&grant);
	check(zd_token_grant_parse(LIT("{\"access_token\":\"a\"}"), &grant, err, sizeof(err)) &&
		  grant.refresh_token == NULL && grant.expires_in == -1, "client-credentials answer");
	zd_token_grant_free(&grant);
	check(!zd_token_grant_parse(LIT("{\"access_token\":\"a\",\"refresh_token\":7}"), &grant,
								err, sizeof(err)) && grant.access_token == NULL &&
		  strstr(err, "refresh_token") != NULL, "refresh_token not a string: %s", err);
	check(!zd_token_grant_parse(LIT("{\"access_token\":\"a\",\"expires_in\":\"soon\"}"), &grant,
								err, sizeof(err)), "expires_in not an integer");
	check(!zd_token_grant_parse(LIT("<html>"), &grant, err, sizeof(err)), "not JSON");

	check(zd_oauth_error_is(invalid_grant, strlen(invalid_grant), "invalid_grant") &&
		  !zd_oauth_error_is(invalid_grant, strlen(invalid_grant), "invalid_client") &&
		  !zd_oauth_error_is(LIT("Number of allowed API requests"), "invalid_grant"),
		  "oauth error codes");

	check(zd_me_parse(anonymous, strlen(anonymous), &me, err, sizeof(err)) &&
		  !me.authenticated && strcmp(me.name, "Anonymous user") == 0 && me.role == NULL,
		  "anonymous user is not authenticated");
	zd_me_free(&me);
	check(zd_me_parse(agent, strlen(agent), &me, err, sizeof(err)) && me.authenticated &&
		  me.id == 9007199254740993LL && strcmp(me.role, "agent") == 0 &&
		  strcmp(me.email, "a@x") == 0, "agent");
	zd_me_free(&me);
	check(zd_me_parse(LIT("{\"user\":{\"id\":null,\"name\":\"x\"}}"), &me, err, sizeof(err)) &&
		  !me.authenticated, "null id");
	zd_me_free(&me);
	check(!zd_me_parse(LIT("{}"), &me, err, sizeof(err)), "no user");
	zd_me_refusal(401, LIT("{\"error\":\"Couldn't authenticate you\"}"), said, sizeof(said));
	check(strstr(said, "HTTP 401") != NULL && strstr(said, "Couldn't authenticate you") != NULL,
		  "refusal: %s", said);
}

static void
test_url_checks(void)
{
	char		err[256];
	bool		plain;

	check(zd_url_check_base("https://acme.zendesk.com", &plain, err, sizeof(err)) && !plain, "https");
	check(zd_url_check_base("http://127.0.0.1:8080", &plain, err, sizeof(err)) && plain, "loopback");
	check(zd_url_check_base("http://[::1]:8080/", &plain, err, sizeof(err)), "ipv6 loopback");
	check(!zd_url_check_base("http://10.0.0.1", &plain, err, sizeof(err)), "http private");
	check(!zd_url_check_base("http://127.0.0.1.evil.com", &plain, err, sizeof(err)), "lookalike");
	check(!zd_url_check_base("file:///etc/passwd", &plain, err, sizeof(err)), "file");

	check(zd_url_check_proxy("http://proxy.example.com:3128", err, sizeof(err)), "proxy http");
	check(zd_url_check_proxy("socks5h://127.0.0.1:1080/", err, sizeof(err)), "proxy socks5h");
	check(!zd_url_check_proxy("http://", err, sizeof(err)), "proxy without host");
	check(!zd_url_check_proxy("http://user:pw@proxy:3128", err, sizeof(err)), "proxy with user info");
	check(!zd_url_check_proxy("ftp://proxy:21", err, sizeof(err)), "proxy scheme");
	check(!zd_url_check_proxy("http://proxy:3128/path?x=1", err, sizeof(err)), "proxy path");

	check(zd_url_on_base("https://acme.zendesk.com",
						 "https://acme.zendesk.com/api/v2/x?y=1"), "same host");
	check(zd_url_on_base("https://acme.zendesk.com",
						 "https://ACME.zendesk.com:443/api/v2/x"), "case and default port");
	check(!zd_url_on_base("https://acme.zendesk.com",
						  "https://evil.com/api/v2/x"), "other host");
	check(!zd_url_on_base("https://acme.zendesk.com",
						  "http://acme.zendesk.com/api/v2/x"), "downgrade");
	check(!zd_url_on_base("https://acme.zendesk.com",
						  "https://acme.zendesk.com:8443/api/v2/x"), "other port");
	check(!zd_url_on_base("https://acme.zendesk.com",
						  "https://acme.zendesk.com@evil.com/api/v2/x"), "userinfo trick");
	check(zd_url_on_base("http://127.0.0.1:9/zd", "http://127.0.0.1:9/zd/api"), "path prefix");
	check(!zd_url_on_base("http://127.0.0.1:9/zd", "http://127.0.0.1:9/zdx/api"), "path lookalike");
}

static void
make_page(ZdPage *page, const char *body)
{
	char		err[256];

	if (!zd_page_parse(body, strlen(body), "tickets", ZD_STREAM_CURSOR, page, err, sizeof(err)))
	{
		check(false, "fixture page: %s", err);
		memset(page, 0, sizeof(*page));
	}
}

/* The metric_sets sideload in either shape, and a page with neither. */
static void
test_sideload(void)
{
	ZdPage		page;
	char		err[256];

	make_page(&page, "{\"tickets\":[{\"id\":1},{\"id\":2}],\"metric_sets\":[{\"id\":71,\"ticket_id\":1},{\"id\":72,\"ticket_id\":2}],"
			  "\"after_url\":null,\"after_cursor\":null,\"end_of_stream\":true}");
	check(zd_page_take_sideload(&page, "metric_sets", "metric_set", err, sizeof(err)) &&
		  page.nrecords == 2 &&
		  json_integer_value(json_object_get(json_array_get(page.records, 1), "id")) == 72,
		  "top-level sideload: %s", err);
	zd_page_free(&page);
	make_page(&page, "{\"tickets\":[{\"id\":1,\"metric_set\":{\"id\":71}},{\"id\":2,\"metric_set\":{\"id\":72}}],"
			  "\"after_url\":null,\"after_cursor\":null,\"end_of_stream\":true}");
	check(zd_page_take_sideload(&page, "metric_sets", "metric_set", err, sizeof(err)) &&
		  page.nrecords == 2 && page.owned_records == page.records &&
		  json_integer_value(json_object_get(json_array_get(page.records, 0), "id")) == 71,
		  "per-record sideload: %s", err);
	zd_page_free(&page);
	make_page(&page, "{\"tickets\":[{\"id\":1,\"metric_set\":{\"id\":71}},{\"id\":2}],"
			  "\"after_url\":null,\"after_cursor\":null,\"end_of_stream\":true}");
	check(!zd_page_take_sideload(&page, "metric_sets", "metric_set", err, sizeof(err)) &&
		  strstr(err, "record 1 no \"metric_set\"") != NULL && page.nrecords == 2,
		  "a record without its sideload: %s", err);
	zd_page_free(&page);
	make_page(&page, "{\"tickets\":[{\"id\":1}],\"metric_sets\":{},"
			  "\"after_url\":null,\"after_cursor\":null,\"end_of_stream\":true}");
	check(!zd_page_take_sideload(&page, "metric_sets", "metric_set", err, sizeof(err)) &&
		  strstr(err, "is not an array") != NULL, "a sideload that is no array: %s", err);
	zd_page_free(&page);
	make_page(&page, "{\"tickets\":[],\"after_url\":null,\"after_cursor\":null,\"end_of_stream\":true}");
	check(zd_page_take_sideload(&page, "metric_sets", "metric_set", err, sizeof(err)) &&
		  page.nrecords == 0, "an empty page: %s", err);
	zd_page_free(&page);
}

static void
test_export_machine(void)
{
	const ZdResource *tickets = zd_resource_lookup("tickets");
	ZdExportParams params = {.start_time = 0, .per_page = 2, .include_deleted = false};
	ZdExport	ex;
	ZdPage		page;
	char		err[256];

	check(tickets != NULL, "tickets resource");
	check(zd_export_begin(&ex, "https://acme.zendesk.com/", tickets, &params, err, sizeof(err)),
		  "begin: %s", err);
	check(strcmp(ex.next_url, "https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json"
				 "?start_time=0&per_page=2&exclude_deleted=true&support_type_scope=all") == 0,
		  "first url: %s", ex.next_url);

	/* the followed URL keeps its query and gets the sticky parameters */
	make_page(&page, CURSOR_PAGE);
	check(zd_export_advance(&ex, &page, err, sizeof(err)), "advance: %s", err);
	check(strcmp(ex.next_url, "https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json"
				 "?cursor=MTAuMHx8MnY%3D&per_page=2&exclude_deleted=true&support_type_scope=all") == 0,
		  "next url: %s", ex.next_url);
	check(strcmp(ex.last_cursor, "MTAuMHx8MnY=") == 0, "cursor kept");

	/* the same URL again: the position stopped advancing */
	check(!zd_export_advance(&ex, &page, err, sizeof(err)) &&
		  strstr(err, "stopped advancing") != NULL, "stall: %s", err);
	zd_page_free(&page);

	/* another host */
	make_page(&page, "{\"tickets\":[],\"after_url\":\"https://evil.example/api/v2/x?cursor=a\","
			  "\"after_cursor\":\"a\",\"end_of_stream\":false}");
	check(!zd_export_advance(&ex, &page, err, sizeof(err)) &&
		  strstr(err, "another host") != NULL, "off base: %s", err);
	zd_page_free(&page);

	/* no next URL but not the end */
	make_page(&page, "{\"tickets\":[],\"after_url\":null,\"after_cursor\":null,\"end_of_stream\":false}");
	check(!zd_export_advance(&ex, &page, err, sizeof(err)), "missing next url accepted");
	zd_page_free(&page);

	/* the end: a non-null after_url on the last page is not followed */
	make_page(&page, "{\"tickets\":[{\"id\":3}],\"after_url\":\"https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=Yg%3D%3D\","
			  "\"after_cursor\":\"Yg==\",\"end_of_stream\":true}");
	check(zd_export_advance(&ex, &page, err, sizeof(err)), "end: %s", err);
	check(ex.finished && ex.next_url == NULL, "finished");
	check(strcmp(ex.last_cursor, "Yg==") == 0, "last cursor");
	zd_page_free(&page);
	zd_export_end(&ex);

	/* include_deleted: no exclude_deleted parameter */
	params.include_deleted = true;
	check(zd_export_begin(&ex, "http://127.0.0.1:1", tickets, &params, err, sizeof(err)), "begin");
	check(strstr(ex.next_url, "exclude_deleted") == NULL, "include_deleted: %s", ex.next_url);
	zd_export_end(&ex);

	/* resuming from a stored cursor: percent-encoded, with the sticky parameters */
	check(zd_export_begin_at_cursor(&ex, "https://acme.zendesk.com/", tickets, &params,
									"MTAuMHx8Mi+8fA==", err, sizeof(err)), "resume: %s", err);
	check(strcmp(ex.next_url, "https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json"
				 "?cursor=MTAuMHx8Mi%2B8fA%3D%3D&per_page=2&support_type_scope=all") == 0,
		  "resume url: %s", ex.next_url);
	check(strcmp(ex.last_cursor, "MTAuMHx8Mi+8fA==") == 0, "resume keeps the cursor");
	make_page(&page, "{\"tickets\":[],\"after_url\":null,\"after_cursor\":null,\"end_of_stream\":true}");
	check(zd_export_advance(&ex, &page, err, sizeof(err)) && ex.finished, "empty resume: %s", err);
	check(strcmp(ex.last_cursor, "MTAuMHx8Mi+8fA==") == 0, "an empty page keeps the stored cursor");
	zd_page_free(&page);
	zd_export_end(&ex);

	/* a time-based export takes no cursor */
	check(!zd_export_begin_at_cursor(&ex, "http://127.0.0.1:1", zd_resource_lookup("organizations"),
									 &params, "Yg==", err, sizeof(err)) &&
		  strstr(err, "time-based") != NULL, "cursor on a time export: %s", err);

	/* a standard list has no export, and says so (not "out of memory") */
	check(!zd_export_begin(&ex, "http://127.0.0.1:1", zd_resource_lookup("groups"),
						   &params, err, sizeof(err)) &&
		  strstr(err, "groups has no incremental export") != NULL, "export of a list: %s", err);
	check(ex.next_url == NULL && ex.base_url == NULL, "a refused export holds nothing");
}

static void
make_time_page(ZdPage *page, const char *body)
{
	char		err[256];

	if (!zd_page_parse(body, strlen(body), "organizations", ZD_STREAM_TIME, page, err, sizeof(err)))
	{
		check(false, "fixture page: %s", err);
		memset(page, 0, sizeof(*page));
	}
}

static void
make_list_page(ZdPage *page, const char *body)
{
	char		err[256];

	if (!zd_list_page_parse(body, strlen(body), "groups", page, err, sizeof(err)))
	{
		check(false, "fixture list page: %s", err);
		memset(page, 0, sizeof(*page));
	}
}

/* one page through the machine: parsed, advanced, freed */
static bool
list_step(ZdList *list, const char *body, char *err, size_t errlen)
{
	ZdPage		page;
	bool		ok;

	make_list_page(&page, body);
	ok = zd_list_advance(list, &page, err, errlen);
	zd_page_free(&page);
	return ok;
}

static void
test_list_page_parse(void)
{
	ZdPage		page;
	char		err[256];

	make_list_page(&page, "{\"groups\":[{\"id\":1},{\"id\":2}],\"meta\":{\"has_more\":true,"
				   "\"after_cursor\":\"eyJvIjoiaWQifQ==\",\"before_cursor\":null},"
				   "\"links\":{\"prev\":null,\"next\":\"https://acme.zendesk.com/api/v2/groups.json?page%5Bafter%5D=eyJvIjoiaWQifQ%3D%3D&page%5Bsize%5D=2\"}}");
	check(page.cursor_paged && page.has_more && !page.end_of_stream, "cursor page flags");
	check(page.nrecords == 2, "records: %zu", page.nrecords);
	check(page.after_cursor && strcmp(page.after_cursor, "eyJvIjoiaWQifQ==") == 0, "after_cursor");
	check(page.next_url && strstr(page.next_url, "page%5Bafter%5D") != NULL, "links.next");
	zd_page_free(&page);

	/* an unpaginated list, with the null next_page and count of some endpoints */
	make_list_page(&page, "{\"groups\":[{\"id\":7}],\"next_page\":null,\"previous_page\":null,\"count\":1}");
	check(!page.cursor_paged && page.end_of_stream && page.offset_next == NULL, "whole list");
	zd_page_free(&page);

	/* malformed: each refused with a reason, nothing left to free */
	{
		static const char *const bad[] = {
			"{\"groups\":[],\"meta\":{\"after_cursor\":null}}",
			"{\"groups\":[],\"meta\":{\"has_more\":\"yes\"}}",
			"{\"groups\":[],\"meta\":[1]}",
			"{\"groups\":[],\"meta\":{\"has_more\":true,\"after_cursor\":5}}",
			"{\"groups\":[],\"meta\":{\"has_more\":true},\"links\":{\"next\":7}}",
			"{\"groups\":[],\"meta\":{\"has_more\":true},\"links\":\"x\"}",
			"{\"groups\":[],\"next_page\":3}",
			"{\"groups\":{\"id\":1}}",
			"{\"groups\":[1,2]}",
			"{\"brands\":[]}",
			"[{\"id\":1}]",
			"{\"groups\":[",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		{
			err[0] = '\0';
			check(!zd_list_page_parse(bad[i], strlen(bad[i]), "groups", &page, err, sizeof(err)) &&
				  err[0] != '\0', "bad list page %zu accepted: %s", i, bad[i]);
		}
	}
}

static void
test_list_machine(void)
{
	ZdList		list;
	char		err[256];

	/* the first request: page[size] joins the path's own query */
	check(zd_list_begin(&list, "https://acme.zendesk.com/", "/api/v2/groups.json?exclude_deleted=false",
						2, err, sizeof(err)), "begin: %s", err);
	check(strcmp(list.next_url, "https://acme.zendesk.com/api/v2/groups.json?exclude_deleted=false&page%5Bsize%5D=2") == 0,
		  "first url: %s", list.next_url);
	check(strcmp(list.endpoint, "/api/v2/groups.json") == 0, "endpoint: %s", list.endpoint);

	/* links.next on the base is followed as given */
	check(list_step(&list, "{\"groups\":[{\"id\":1},{\"id\":2}],\"meta\":{\"has_more\":true,\"after_cursor\":\"YQ==\"},"
					"\"links\":{\"next\":\"https://acme.zendesk.com/api/v2/groups.json?page%5Bafter%5D=YQ%3D%3D&page%5Bsize%5D=2\"}}",
					err, sizeof(err)), "page 1: %s", err);
	check(strcmp(list.next_url, "https://acme.zendesk.com/api/v2/groups.json?page%5Bafter%5D=YQ%3D%3D&page%5Bsize%5D=2") == 0,
		  "next: %s", list.next_url);
	/* no links.next: the cursor, percent-encoded, on the first request */
	check(list_step(&list, "{\"groups\":[{\"id\":3}],\"meta\":{\"has_more\":true,\"after_cursor\":\"Yi8r\"}}",
					err, sizeof(err)), "page 2: %s", err);
	check(strcmp(list.next_url, "https://acme.zendesk.com/api/v2/groups.json?exclude_deleted=false&page%5Bsize%5D=2&page%5Bafter%5D=Yi8r") == 0,
		  "from the cursor: %s", list.next_url);
	/* the same cursor again: refused, naming the endpoint */
	check(!list_step(&list, "{\"groups\":[{\"id\":4}],\"meta\":{\"has_more\":true,\"after_cursor\":\"Yi8r\"}}",
					 err, sizeof(err)) && strstr(err, "stopped advancing") && strstr(err, "/api/v2/groups.json"),
		  "stalled cursor: %s", err);
	zd_list_end(&list);

	/* has_more false ends the listing, whatever links.next says */
	check(zd_list_begin(&list, "https://acme.zendesk.com", "/api/v2/groups.json", 100, err, sizeof(err)), "begin");
	check(list_step(&list, "{\"groups\":[{\"id\":1}],\"meta\":{\"has_more\":false,\"after_cursor\":\"YQ==\"},"
					"\"links\":{\"next\":\"https://acme.zendesk.com/api/v2/groups.json?page%5Bafter%5D=YQ%3D%3D\"}}",
					err, sizeof(err)), "last page: %s", err);
	check(list.finished && list.next_url == NULL && list.pages == 1, "finished after one page");
	zd_list_end(&list);

	/* a page repeating an id of an earlier page of the same pass */
	check(zd_list_begin(&list, "https://acme.zendesk.com", "/api/v2/groups.json", 2, err, sizeof(err)), "begin");
	check(list_step(&list, "{\"groups\":[{\"id\":1},{\"id\":2}],\"meta\":{\"has_more\":true,\"after_cursor\":\"YQ==\"}}",
					err, sizeof(err)), "page 1");
	check(!list_step(&list, "{\"groups\":[{\"id\":2},{\"id\":3}],\"meta\":{\"has_more\":true,\"after_cursor\":\"Yg==\"}}",
					 err, sizeof(err)) && strstr(err, "repeats record 2"), "repeated id: %s", err);
	zd_list_end(&list);

	/* links.next to another host, a record without an id, no way to the next page */
	check(zd_list_begin(&list, "https://acme.zendesk.com", "/api/v2/brands.json", 2, err, sizeof(err)), "begin");
	check(!list_step(&list, "{\"groups\":[],\"meta\":{\"has_more\":true,\"after_cursor\":\"YQ==\"},"
					 "\"links\":{\"next\":\"https://collector.example.com/api/v2/brands.json?page%5Bafter%5D=YQ\"}}",
					 err, sizeof(err)) && strstr(err, "another host"), "off base: %s", err);
	check(!list_step(&list, "{\"groups\":[{\"name\":\"x\"}],\"meta\":{\"has_more\":false}}",
					 err, sizeof(err)) && strstr(err, "no integer \"id\""), "no id: %s", err);
	check(!list_step(&list, "{\"groups\":[],\"meta\":{\"has_more\":true,\"after_cursor\":null}}",
					 err, sizeof(err)) && strstr(err, "neither links.next"), "no next: %s", err);
	zd_list_end(&list);

	/* offset pagination is never followed; an unpaginated list is one request */
	check(zd_list_begin(&list, "https://acme.zendesk.com", "/api/v2/slas/policies.json", 0, err, sizeof(err)), "begin");
	check(strcmp(list.next_url, "https://acme.zendesk.com/api/v2/slas/policies.json") == 0, "no page[size]: %s", list.next_url);
	check(!list_step(&list, "{\"groups\":[{\"id\":1}],\"next_page\":\"https://acme.zendesk.com/api/v2/slas/policies.json?page=2\",\"count\":150}",
					 err, sizeof(err)) && strstr(err, "offset pagination"), "offsets: %s", err);
	zd_list_end(&list);
	check(zd_list_begin(&list, "https://acme.zendesk.com", "/api/v2/slas/policies.json", 0, err, sizeof(err)), "begin");
	check(list_step(&list, "{\"groups\":[{\"id\":1},{\"id\":2}],\"next_page\":null,\"count\":2}", err, sizeof(err)) &&
		  list.finished, "whole list: %s", err);
	zd_list_end(&list);

	/* a path that is not one: refused before any request */
	check(!zd_list_begin(&list, "https://acme.zendesk.com", "/api/v2/gro ups.json", 2, err, sizeof(err)) &&
		  !zd_list_begin(&list, "https://acme.zendesk.com", "api/v2/groups.json", 2, err, sizeof(err)) &&
		  !zd_list_begin(&list, "https://acme.zendesk.com/api", "/../v2/groups.json", 2, err, sizeof(err)),
		  "a bad path accepted");
	/* a page size Zendesk would refuse */
	check(!zd_list_begin(&list, "https://acme.zendesk.com", "/api/v2/groups.json", 101, err, sizeof(err)),
		  "page size 101 accepted");
}

static void
test_list_restart(void)
{
	ZdList		list;
	char		err[256];

	check(zd_list_begin(&list, "https://acme.zendesk.com", "/api/v2/group_memberships.json", 2, err, sizeof(err)), "begin");
	check(list_step(&list, "{\"groups\":[{\"id\":1},{\"id\":2}],\"meta\":{\"has_more\":true,\"after_cursor\":\"YQ==\"}}",
					err, sizeof(err)), "page 1");
	check(zd_list_take(&list, 1) == 1 && zd_list_take(&list, 2) == 1, "taken");
	/* the cursor expired: from the first page again, the same ids allowed */
	check(zd_list_restart(&list, err, sizeof(err)), "restart: %s", err);
	check(strcmp(list.next_url, list.first_url) == 0 && list.last_cursor == NULL && !list.finished,
		  "restarted at %s", list.next_url);
	check(list_step(&list, "{\"groups\":[{\"id\":1},{\"id\":3}],\"meta\":{\"has_more\":false}}",
					err, sizeof(err)), "page 1 again: %s", err);
	/* the consumer skips what it returned before the restart */
	check(zd_list_take(&list, 1) == 0 && zd_list_take(&list, 3) == 1, "skip the taken, take the new");
	/* at most ZD_LIST_MAX_RESTARTS */
	for (int i = 1; i < ZD_LIST_MAX_RESTARTS; i++)
		check(zd_list_restart(&list, err, sizeof(err)), "restart %d: %s", i + 1, err);
	check(!zd_list_restart(&list, err, sizeof(err)) && strstr(err, "gives up") &&
		  strstr(err, "/api/v2/group_memberships.json"), "too many restarts: %s", err);
	zd_list_end(&list);

	/*
	 * A Zendesk that ignores a cursor it no longer takes serves the first
	 * page again (sim switch list_invalid_cursor=first_page): a restart, not
	 * a page repeating ids; and the consumer skips what it took.
	 */
#define P(ids, more, cursor) "{\"groups\":[" ids "],\"meta\":{\"has_more\":" more ",\"after_cursor\":\"" cursor "\"}}"
	check(zd_list_begin(&list, "https://acme.zendesk.com", "/api/v2/group_memberships.json", 2, err, sizeof(err)), "begin");
	check(list_step(&list, P("{\"id\":1},{\"id\":2}", "true", "YQ=="), err, sizeof(err)), "page 1");
	check(list_step(&list, P("{\"id\":3},{\"id\":4}", "true", "Yg=="), err, sizeof(err)), "page 2");
	for (int64_t id = 1; id <= 4; id++)
		check(zd_list_take(&list, id) == 1, "taken %lld", (long long) id);
	/* page 3's cursor is ignored; record 1 was deleted meanwhile */
	check(list_step(&list, P("{\"id\":2},{\"id\":3}", "true", "Yw=="), err, sizeof(err)),
		  "the first page again, without its first record: %s", err);
	check(list.restarts == 1 && strstr(list.next_url, "page%5Bafter%5D=Yw%3D%3D") != NULL,
		  "restarted once, on to %s", list.next_url);
	check(zd_list_take(&list, 2) == 0 && zd_list_take(&list, 3) == 0, "the repeats are skipped");
	check(list_step(&list, P("{\"id\":4},{\"id\":5}", "true", "ZA=="), err, sizeof(err)), "page 2 again: %s", err);
	/* the cursor of page 3 is ignored again: the new first page is known */
	check(list_step(&list, P("{\"id\":2},{\"id\":3}", "true", "Yw=="), err, sizeof(err)) &&
		  list.restarts == 2, "a second restart: %s", err);
	check(list_step(&list, P("{\"id\":4},{\"id\":5}", "true", "ZA=="), err, sizeof(err)), "page 2: %s", err);
	check(list_step(&list, P("{\"id\":6}", "false", "ZQ=="), err, sizeof(err)) && list.finished, "page 3: %s", err);
	zd_list_end(&list);
	/* a cursor answered with the first page each time is an error, not a loop */
	check(zd_list_begin(&list, "https://acme.zendesk.com", "/api/v2/group_memberships.json", 2, err, sizeof(err)), "begin");
	check(list_step(&list, P("{\"id\":1},{\"id\":2}", "true", "YQ=="), err, sizeof(err)), "page 1");
	check(!list_step(&list, P("{\"id\":1},{\"id\":2}", "true", "YQ=="), err, sizeof(err)) &&
		  strstr(err, "answers its cursor with the first page again"), "ignored cursor: %s", err);
	zd_list_end(&list);
	/* pages of one: a page repeating the one before is a repeat, not a restart */
	check(zd_list_begin(&list, "https://acme.zendesk.com", "/api/v2/group_memberships.json", 1, err, sizeof(err)), "begin");
	check(list_step(&list, P("{\"id\":1}", "true", "YQ=="), err, sizeof(err)), "page 1");
	check(!list_step(&list, P("{\"id\":1}", "true", "Yg=="), err, sizeof(err)) &&
		  strstr(err, "repeats record 1") && list.restarts == 0, "repeat of one: %s", err);
	zd_list_end(&list);
#undef P
	/* ... but a later page that repeats an id of this pass is an error */
	check(zd_list_begin(&list, "https://acme.zendesk.com", "/api/v2/group_memberships.json", 2, err, sizeof(err)), "begin");
	check(list_step(&list, "{\"groups\":[{\"id\":1},{\"id\":2}],\"meta\":{\"has_more\":true,\"after_cursor\":\"YQ==\"}}",
					err, sizeof(err)), "page 1");
	check(!list_step(&list, "{\"groups\":[{\"id\":2},{\"id\":3}],\"meta\":{\"has_more\":true,\"after_cursor\":\"Yg==\"}}",
					 err, sizeof(err)) && strstr(err, "repeats record 2"), "repeat: %s", err);
	zd_list_end(&list);
}

static void
test_time_export_machine(void)
{
	const ZdResource *orgs = zd_resource_lookup("organizations");
	ZdExportParams params = {.start_time = 100, .per_page = 2};
	ZdExport	ex;
	ZdPage		page;
	char		err[256];

	check(zd_export_begin(&ex, "http://127.0.0.1:9", orgs, &params, err, sizeof(err)), "begin");
	check(strcmp(ex.next_url, "http://127.0.0.1:9/api/v2/incremental/organizations.json"
				 "?start_time=100&per_page=2") == 0, "first: %s", ex.next_url);

	/* a full page ending at 150: the next request starts at 150 (repeats it) */
	make_time_page(&page, "{\"organizations\":[{\"id\":1},{\"id\":2}],\"count\":2,"
				   "\"end_of_stream\":false,\"next_page\":\"http://evil.example/x\",\"end_time\":150}");
	check(zd_export_advance(&ex, &page, err, sizeof(err)), "advance: %s", err);
	check(ex.page_start_time == 100 && ex.next_start_time == 150, "times %lld %lld",
		  ex.page_start_time, ex.next_start_time);
	check(strstr(ex.next_url, "http://127.0.0.1:9/") == ex.next_url &&
		  strstr(ex.next_url, "start_time=150&per_page=2") != NULL, "next: %s", ex.next_url);
	zd_page_free(&page);

	/* a full page that does not advance: one second holds a page; ask it whole */
	make_time_page(&page, "{\"organizations\":[{\"id\":3},{\"id\":4}],\"count\":2,"
				   "\"end_of_stream\":false,\"next_page\":null,\"end_time\":150}");
	check(zd_export_advance(&ex, &page, err, sizeof(err)), "whole second: %s", err);
	check(ex.whole_second && strstr(ex.next_url, "start_time=150&per_page=1") != NULL,
		  "whole-second url: %s", ex.next_url);
	zd_page_free(&page);

	/* Zendesk did not grow the page: a clear error, not a loop */
	make_time_page(&page, "{\"organizations\":[{\"id\":3}],\"count\":1,"
				   "\"end_of_stream\":false,\"next_page\":null,\"end_time\":150}");
	check(!zd_export_advance(&ex, &page, err, sizeof(err)) &&
		  strstr(err, "holds more records than a page") != NULL, "stuck second: %s", err);
	zd_page_free(&page);
	zd_export_end(&ex);

	/* the whole second came back: per_page goes back to normal */
	check(zd_export_begin(&ex, "http://127.0.0.1:9", orgs, &params, err, sizeof(err)), "begin");
	make_time_page(&page, "{\"organizations\":[{\"id\":3},{\"id\":4}],\"count\":2,"
				   "\"end_of_stream\":false,\"next_page\":null,\"end_time\":100}");
	check(zd_export_advance(&ex, &page, err, sizeof(err)), "whole second: %s", err);
	zd_page_free(&page);
	make_time_page(&page, "{\"organizations\":[{\"id\":3},{\"id\":4},{\"id\":5}],\"count\":3,"
				   "\"end_of_stream\":false,\"next_page\":null,\"end_time\":101}");
	check(zd_export_advance(&ex, &page, err, sizeof(err)), "after: %s", err);
	check(!ex.whole_second && strstr(ex.next_url, "start_time=101&per_page=2") != NULL,
		  "back to per_page: %s", ex.next_url);
	zd_page_free(&page);

	/* an empty page that does not advance */
	make_time_page(&page, "{\"organizations\":[],\"count\":0,"
				   "\"end_of_stream\":false,\"next_page\":null,\"end_time\":101}");
	check(!zd_export_advance(&ex, &page, err, sizeof(err)) &&
		  strstr(err, "stopped advancing") != NULL, "empty stall: %s", err);
	zd_page_free(&page);

	/* going backwards */
	make_time_page(&page, "{\"organizations\":[],\"count\":0,"
				   "\"end_of_stream\":false,\"next_page\":null,\"end_time\":5}");
	check(!zd_export_advance(&ex, &page, err, sizeof(err)), "backwards accepted");
	zd_page_free(&page);

	/* end of stream with a non-null next_page */
	make_time_page(&page, "{\"organizations\":[{\"id\":9}],\"count\":1,\"end_of_stream\":true,"
				   "\"next_page\":\"http://127.0.0.1:9/api/v2/incremental/organizations.json?start_time=101\",\"end_time\":101}");
	check(zd_export_advance(&ex, &page, err, sizeof(err)) && ex.finished, "end: %s", err);
	zd_page_free(&page);
	zd_export_end(&ex);

	/* ticket events carry include and support_type_scope on every page */
	params.include = "comment_events";
	check(zd_export_begin(&ex, "http://127.0.0.1:9", zd_resource_lookup("ticket_events"),
						  &params, err, sizeof(err)), "begin");
	check(strcmp(ex.next_url, "http://127.0.0.1:9/api/v2/incremental/ticket_events.json"
				 "?start_time=100&per_page=2&support_type_scope=all&include=comment_events") == 0,
		  "events: %s", ex.next_url);
	zd_export_end(&ex);
}

static void
test_idset(void)
{
	ZdIdSet    *set = zd_idset_create();
	unsigned	x = 12345;
	int			n = 200000;
	bool		ok = true;

	/* pseudo-random ids, with ids beyond 2^32 */
	for (int i = 0; i < n && ok; i++)
	{
		x = x * 1103515245 + 12345;
		ok = zd_idset_add(set, (int64_t) (x % 1000000) * 4294967311LL);
	}
	check(ok, "add failed");
	check(zd_idset_count(set) == (size_t) n, "count %zu", zd_idset_count(set));
	x = 12345;
	for (int i = 0; i < n && ok; i++)
	{
		x = x * 1103515245 + 12345;
		ok = zd_idset_contains(set, (int64_t) (x % 1000000) * 4294967311LL);
	}
	check(ok, "an added id is missing");
	check(!zd_idset_contains(set, 7) && !zd_idset_contains(set, -1), "false positive");
	check(zd_idset_bytes(set) < (size_t) n * 8 * 2, "%zu bytes for %d ids", zd_idset_bytes(set), n);
	zd_idset_destroy(set);
}

static void
test_times(void)
{
	int64_t		t = -1;

	check(zd_time_parse_iso8601("2023-09-18T15:57:42Z", &t) && t == 1695052662, "iso %lld", (long long) t);
	check(zd_time_parse_iso8601("1970-01-01T00:00:00Z", &t) && t == 0, "epoch");
	check(zd_time_parse_iso8601("2024-02-29T23:59:59+01:00", &t) && t == 1709247599, "offset %lld", (long long) t);
	check(zd_time_parse_iso8601("2023-09-18T15:57:42.123Z", &t) && t == 1695052662, "fraction");
	check(!zd_time_parse_iso8601("2023-09-18", &t), "date only accepted");
	check(!zd_time_parse_iso8601("2023-13-18T15:57:42Z", &t), "month 13 accepted");
	check(!zd_time_parse_iso8601("2023-09-18T15:57:42Zjunk", &t), "trailing junk accepted");
	check(zd_time_parse_http_date("Mon, 23 Nov 2026 19:40:44 GMT", &t) && t == 1795462844,
		  "http date %lld", (long long) t);
	check(!zd_time_parse_http_date("yesterday-ish", &t), "bad http date accepted");
}

/*
 * What the fuzzers found (tests/fuzz/regressions holds the inputs): a day
 * past its month's end read as the next month, a far Retry-After date
 * overflowing the milliseconds, a base URL that does not parse freeing
 * pointers never set, an error line cut inside a UTF-8 character.
 */
static void
test_fuzz_findings(void)
{
	int64_t		t = -1;
	long		ms = -1;
	char		buf[8];

	check(!zd_time_parse_iso8601("2023-09-31T15:57:42Z", &t), "30 days hath September");
	check(!zd_time_parse_iso8601("2023-02-29T00:00:00Z", &t), "29 February 2023");
	check(!zd_time_parse_iso8601("1900-02-29T00:00:00Z", &t), "29 February 1900");
	check(zd_time_parse_iso8601("2000-02-29T00:00:00Z", &t) && t == 951782400,
		  "29 February 2000: %lld", (long long) t);
	check(zd_time_parse_iso8601("2023-12-31T23:59:59Z", &t) && t == 1704067199,
		  "31 December: %lld", (long long) t);

	check(zd_parse_retry_after(",1Nov+05:30369822324", 1795462844, &ms) &&
		  ms == LONG_MAX / 1000 * 1000, "far date: %ld ms", ms);
	check(zd_parse_retry_after("Mon, 23 Nov 2026 19:41:44 GMT", 1795462844, &ms) &&
		  ms == 60000, "a minute ahead: %ld ms", ms);

	check(!zd_url_on_base("", "https://acme.zendesk.com/api/v2/x"), "empty base");
	check(!zd_url_on_base("not a url", "also not"), "neither parses");

	/* "abééé" is 8 bytes: 7 of room end inside the third "é" */
	zd_error_text("ab\xc3\xa9\xc3\xa9\xc3\xa9", 8, buf, sizeof(buf));
	check(strcmp(buf, "ab\xc3\xa9\xc3\xa9") == 0, "cut UTF-8: \"%s\"", buf);
	{
		const char *b = "{\"error\":\"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\"}";

		zd_error_text(b, strlen(b), buf, 5);
	}
	check(strcmp(buf, "\xe2\x82\xac") == 0, "cut euro signs: \"%s\"", buf);
}

/* ---- HTTP against the simulator ------------------------------------ */

/* A blocking driver of the non-blocking client, with poll(). */
static ZdHttpError
run_request(ZdHttp *http, const ZdHttpRequest *request, ZdHttpResponse *response)
{
	ZdHttpError err = zd_http_start(http, request);
	ZdHttpWait	wait;

	if (err != ZD_HTTP_OK)
		return err;
	while (!zd_http_poll(http, &wait))
	{
		struct pollfd fds[ZD_HTTP_MAX_SOCKETS];
		int			n;

		for (int i = 0; i < wait.nsockets; i++)
		{
			fds[i].fd = wait.sockets[i].fd;
			fds[i].events = (wait.sockets[i].want_read ? POLLIN : 0) |
				(wait.sockets[i].want_write ? POLLOUT : 0);
			fds[i].revents = 0;
		}
		n = poll(fds, wait.nsockets, wait.timeout_ms < 0 ? 1000 : (int) wait.timeout_ms);
		if (n == 0)
			zd_http_timer_expired(http);
		for (int i = 0; i < wait.nsockets && n > 0; i++)
			if (fds[i].revents)
				zd_http_socket_ready(http, fds[i].fd,
									 (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0,
									 (fds[i].revents & POLLOUT) != 0);
	}
	return zd_http_result(http, response);
}

static const char *
sim_url(void)
{
	const char *url = getenv("ZD_SIM_URL");

	check(url != NULL, "ZD_SIM_URL is not set (run through tests/client/run.sh)");
	return url;
}

static ZdHttpRequest
sim_request(char *url, const char *path, char *auth)
{
	ZdHttpRequest request = {0};

	snprintf(url, 512, "%s%s", sim_url() ? sim_url() : "http://127.0.0.1:1", path);
	request.method = "GET";
	request.url = url;
	request.authorization = auth;
	request.allow_plain_http = true;
	request.connect_timeout_ms = 5000;
	request.timeout_ms = 20000;
	return request;
}

static void
test_http_export_pages(void)
{
	ZdHttp	   *http = zd_http_create();
	char	   *auth = zd_auth_basic("admin@example.com", "sim-api-token");
	char		url[512];
	ZdHttpRequest request = sim_request(url, "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=100", auth);
	ZdHttpResponse response;
	ZdHttpError err;
	int			connections = 0;

	for (int i = 0; i < 3 && !current_failed; i++)
	{
		ZdPage		page;
		char		perr[256];

		err = run_request(http, &request, &response);
		check(err == ZD_HTTP_OK, "request %d: %s", i, zd_http_error_message(http));
		if (err != ZD_HTTP_OK)
			break;
		connections += zd_http_connection_count(http);
		check(response.status == 200, "status %ld", response.status);
		check(zd_http_header(http, "content-type") != NULL &&
			  strstr(zd_http_header(http, "Content-Type"), "application/json") != NULL,
			  "content type");
		check(zd_http_header(http, "Content-Encoding") != NULL &&
			  strcmp(zd_http_header(http, "content-encoding"), "gzip") == 0,
			  "gzip was not used");
		check(response.wire_bytes > 0 && (size_t) response.wire_bytes < response.body_len,
			  "wire bytes %ld vs body %zu: not compressed?", response.wire_bytes, response.body_len);
		check(zd_http_header(http, "Date") != NULL, "no Date header");
		check(zd_page_parse(response.body, response.body_len, "tickets", ZD_STREAM_CURSOR,
							&page, perr, sizeof(perr)), "page: %s", perr);
		if (!current_failed)
		{
			check(page.nrecords == 100, "records %zu", page.nrecords);
			zd_page_free(&page);
		}
	}
	check(connections == 1, "%d connections for 3 requests: keep-alive failed", connections);
	zd_secret_free(auth);
	zd_http_destroy(http);
}

static void
test_http_errors(void)
{
	ZdHttp	   *http = zd_http_create();
	char		url[512];
	ZdHttpRequest request = sim_request(url, "/api/v2/incremental/tickets/cursor.json?start_time=0", NULL);
	ZdHttpResponse response;
	ZdHttpError err;

	/* no credentials: Zendesk's 401 body */
	err = run_request(http, &request, &response);
	check(err == ZD_HTTP_OK && response.status == 401, "401: err %d status %ld", err, response.status);
	check(strstr(response.body, "Couldn't authenticate you") != NULL, "401 body: %s", response.body);

	/* body cap */
	{
		char	   *auth = zd_auth_basic("admin@example.com", "sim-api-token");

		request.authorization = auth;
		request.max_body_bytes = 1000;
		err = run_request(http, &request, &response);
		check(err == ZD_HTTP_ERR_TOO_LARGE, "cap: err %d", err);
		request.max_body_bytes = 0;
		request.authorization = NULL;
		zd_secret_free(auth);
	}

	/* plain http refused unless allowed */
	request.allow_plain_http = false;
	err = run_request(http, &request, &response);
	check(err == ZD_HTTP_ERR_URL, "plain http: err %d (%s)", err, zd_http_error_message(http));
	request.allow_plain_http = true;

	/* nothing listens on port 1 */
	request.url = "http://127.0.0.1:1/api/v2/x";
	err = run_request(http, &request, &response);
	check(err == ZD_HTTP_ERR_CONNECT, "connect: err %d (%s)", err, zd_http_error_message(http));

	/* an aborted transfer leaves the handle usable */
	request.url = url;
	check(zd_http_start(http, &request) == ZD_HTTP_OK, "start");
	zd_http_abort(http);
	err = run_request(http, &request, &response);
	check(err == ZD_HTTP_OK && response.status == 401, "after abort: err %d", err);
	zd_http_destroy(http);
}

static void
test_http_post_token(void)
{
	ZdHttp	   *http = zd_http_create();
	char		url[512];
	ZdHttpRequest request = sim_request(url, "/oauth/tokens", NULL);
	char	   *body = zd_oauth_client_credentials_body("zendesk_fdw_sim", "sim-client-secret", "read");
	ZdHttpResponse response;
	ZdTokenGrant grant;
	char		err[256];

	request.method = "POST";
	request.body = body;
	request.content_type = "application/json";
	check(run_request(http, &request, &response) == ZD_HTTP_OK, "post: %s", zd_http_error_message(http));
	check(response.status == 200, "status %ld: %s", response.status, response.body);
	check(zd_token_grant_parse(response.body, response.body_len, &grant, err, sizeof(err)),
		  "token: %s", err);
	check(grant.expires_in > 300, "expires_in %ld", grant.expires_in);
	zd_token_grant_free(&grant);
	free(body);
	zd_http_destroy(http);
}

/* Lookup requests: one GET, show_many in batches, and their answers. */
static void
test_lookups(void)
{
	const ZdResource *tickets = zd_resource_lookup("tickets");
	int64_t		ids[101];
	char	   *path;
	ZdPage		page;
	char		err[256];
	long long	count;
	static const char one[] = "{\"ticket\":{\"id\":42,\"status\":\"open\"}}";
	static const char many[] = "{\"tickets\":[{\"id\":1},{\"id\":3}],\"next_page\":null,\"count\":2}";
	static const char not_objects[] = "{\"tickets\":[1]}";
	static const char counted[] = "{\"count\":{\"value\":2386,\"refreshed_at\":\"2026-10-01T00:00:00Z\"}}";
	static const char bare[] = "{\"count\":2386}";

	for (int i = 0; i < 101; i++)
		ids[i] = 1000000000000LL + i;
	path = zd_lookup_path(tickets, ids, 1);
	check(path && strcmp(path, "/api/v2/tickets/1000000000000.json") == 0, "one: %s", path);
	free(path);
	path = zd_lookup_path(tickets, ids, 3);
	check(path && strcmp(path, "/api/v2/tickets/show_many.json?ids=1000000000000,1000000000001,1000000000002") == 0,
		  "many: %s", path);
	free(path);
	path = zd_lookup_path(tickets, ids, 100);
	check(path && strlen(path) == strlen("/api/v2/tickets/show_many.json?ids=") + 100 * 13 + 99,
		  "100 ids: %zu bytes", path ? strlen(path) : 0);
	free(path);
	check(zd_lookup_path(tickets, ids, 101) == NULL, "101 ids are two requests");
	{
		/* a ticket's metrics: its own endpoint, or show_many with the sideload */
		const ZdResource *metrics = zd_resource_lookup("ticket_metrics");

		path = zd_lookup_path(metrics, ids, 1);
		check(path && strcmp(path, "/api/v2/tickets/1000000000000/metrics.json") == 0,
			  "one ticket's metrics: %s", path);
		free(path);
		path = zd_lookup_path(metrics, ids, 2);
		check(path && strcmp(path, "/api/v2/tickets/show_many.json?ids=1000000000000,1000000000001&include=metric_sets") == 0,
			  "many tickets' metrics: %s", path);
		free(path);
		path = zd_lookup_path(metrics, ids, 100);
		check(path && strlen(path) == strlen("/api/v2/tickets/show_many.json?ids=&include=metric_sets") +
			  100 * 13 + 99, "100 tickets' metrics: %zu bytes", path ? strlen(path) : 0);
		free(path);
	}
	check(zd_lookup_path(zd_resource_lookup("ticket_events"), ids, 1) == NULL,
		  "ticket events have no lookup");
	check(zd_lookup_requests(tickets, 0) == 0 && zd_lookup_requests(tickets, 100) == 1 &&
		  zd_lookup_requests(tickets, 101) == 2, "requests per ids");
	{
		const ZdResource *brands = zd_resource_lookup("brands");
		const ZdResource *forms = zd_resource_lookup("ticket_forms");

		/* brands have a show endpoint only: one id a request */
		path = zd_lookup_path(brands, ids, 1);
		check(path && strcmp(path, "/api/v2/brands/1000000000000.json") == 0, "brand: %s", path);
		free(path);
		check(zd_lookup_path(brands, ids, 2) == NULL, "no show_many for brands");
		check(zd_lookup_requests(brands, 3) == 3, "a brand a request");
		path = zd_lookup_path(forms, ids, 2);
		check(path && strcmp(path, "/api/v2/ticket_forms/show_many.json?ids=1000000000000,1000000000001") == 0,
			  "forms: %s", path);
		free(path);
		check(zd_lookup_path(zd_resource_lookup("groups"), ids, 1) == NULL,
			  "groups are never looked up by id");
	}

	check(zd_lookup_parse(one, strlen(one), "ticket", true, &page, err, sizeof(err)), "one: %s", err);
	check(page.nrecords == 1 && page.end_of_stream, "one record");
	zd_page_free(&page);
	check(zd_lookup_parse(many, strlen(many), "tickets", false, &page, err, sizeof(err)), "many: %s", err);
	check(page.nrecords == 2, "two records");
	zd_page_free(&page);
	check(!zd_lookup_parse(many, strlen(many), "ticket", true, &page, err, sizeof(err)) &&
		  strstr(err, "no \"ticket\" object") != NULL, "wrong shape: %s", err);
	check(!zd_lookup_parse(not_objects, strlen(not_objects), "tickets", false, &page, err, sizeof(err)),
		  "a non-object record is refused");
	check(!zd_lookup_parse("<html>", 6, "tickets", false, &page, err, sizeof(err)), "html refused");

	check(zd_count_parse(counted, strlen(counted), &count, err, sizeof(err)) && count == 2386,
		  "count: %s", err);
	check(!zd_count_parse(bare, strlen(bare), &count, err, sizeof(err)), "bare count refused");
}

/* POST a JSON body to the simulator's control API; true on 200. */
static bool
sim_control(const char *path, const char *json)
{
	ZdHttp	   *http = zd_http_create();
	char		url[512];
	ZdHttpRequest request = sim_request(url, path, NULL);
	ZdHttpResponse response;
	bool		ok;

	request.method = "POST";
	request.body = json;
	ok = run_request(http, &request, &response) == ZD_HTTP_OK && response.status == 200;
	zd_http_destroy(http);
	return ok;
}

static double
seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Only http and https are spoken, whatever the URL says. */
static void
test_http_protocols(void)
{
	static const char *const urls[] = {
		"file:///etc/passwd", "ftp://127.0.0.1:1/x", "gopher://127.0.0.1:1/x",
		"dict://127.0.0.1:1/x", "ldap://127.0.0.1:1/x", "telnet://127.0.0.1:1", NULL
	};
	ZdHttp	   *http = zd_http_create();
	char		url[512];
	ZdHttpRequest request = sim_request(url, "/api/v2/users/me.json", NULL);
	ZdHttpResponse response;

	for (int i = 0; urls[i] != NULL; i++)
	{
		ZdHttpError err;

		request.url = urls[i];
		err = run_request(http, &request, &response);
		check(err == ZD_HTTP_ERR_URL, "%s: err %d (%s)", urls[i], err, zd_http_error_message(http));
	}
	zd_http_destroy(http);
}

/*
 * A response that sends nothing ends at the stall timeout, long before the
 * total timeout; one that trickles but keeps moving is not cut by it; the
 * total timeout bounds the trickle.
 */
static void
test_http_stall_timeout(void)
{
	ZdHttp	   *http = zd_http_create();
	char		url[512];
	ZdHttpRequest request = sim_request(url, "/api/v2/users/me.json", NULL);
	ZdHttpResponse response;
	ZdHttpError err;
	struct timespec start;
	double		took;

	request.timeout_ms = 20000;
	request.stall_timeout_ms = 1000;

	check(sim_control("/_sim/faults", "{\"path\": \"/api/v2/users/me\", \"kind\": \"hang\", \"hold\": 10, \"count\": 1}"),
		  "could not add the hang fault");
	clock_gettime(CLOCK_MONOTONIC, &start);
	err = run_request(http, &request, &response);
	took = seconds_since(&start);
	check(err == ZD_HTTP_ERR_TIMEOUT, "hang: err %d (%s)", err, zd_http_error_message(http));
	check(strstr(zd_http_error_message(http), "too slow") != NULL, "hang: message %s",
		  zd_http_error_message(http));
	check(took >= 0.9 && took < 4.0, "hang: ended after %.2f s", took);

	check(sim_control("/_sim/faults", "{\"path\": \"/api/v2/users/me\", \"kind\": \"drip\", \"drip_bytes\": 32, \"drip_interval\": 0.3, \"count\": 1}"),
		  "could not add the drip fault");
	clock_gettime(CLOCK_MONOTONIC, &start);
	err = run_request(http, &request, &response);
	took = seconds_since(&start);
	check(err == ZD_HTTP_OK && response.status == 200, "drip: err %d (%s)", err,
		  zd_http_error_message(http));
	check(took > 1.5, "drip: took only %.2f s, so it did not test the stall timeout", took);

	request.timeout_ms = 1000;
	check(sim_control("/_sim/faults", "{\"path\": \"/api/v2/users/me\", \"kind\": \"drip\", \"drip_bytes\": 32, \"drip_interval\": 0.3, \"count\": 1}"),
		  "could not add the drip fault");
	err = run_request(http, &request, &response);
	check(err == ZD_HTTP_ERR_TIMEOUT && strstr(zd_http_error_message(http), "timed out") != NULL,
		  "total: err %d (%s)", err, zd_http_error_message(http));
	zd_http_destroy(http);
}

/* A listening socket on loopback; returns its fd, the port in *port. */
static int
listen_loopback(int *port)
{
	int			fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in addr = {0};
	socklen_t	len = sizeof(addr);

	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *) &addr, sizeof(addr)) != 0 ||
		listen(fd, 8) != 0 || getsockname(fd, (struct sockaddr *) &addr, &len) != 0)
	{
		check(false, "cannot listen on loopback");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(addr.sin_port);
	return fd;
}

/* Connections waiting on a listening socket (accepted and closed). */
static int
accept_all(int fd)
{
	int			n = 0;
	int			c;

	while ((c = accept(fd, NULL, NULL)) >= 0)
	{
		close(c);
		n++;
	}
	return n;
}

/*
 * The environment's proxy variables are never used; the proxy the caller
 * names is, even when no_proxy would exempt the host.
 */
static void
test_http_proxies(void)
{
	static const char *const vars[] = {
		"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", NULL
	};
	ZdHttp	   *http = zd_http_create();
	char		url[512];
	char		proxy[64];
	ZdHttpRequest request = sim_request(url, "/api/v2/users/me.json", NULL);
	ZdHttpResponse response;
	ZdHttpError err;
	int			port;
	int			fd = listen_loopback(&port);

	if (fd < 0)
		return;
	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", port);
	for (int i = 0; vars[i] != NULL; i++)
		setenv(vars[i], proxy, 1);

	err = run_request(http, &request, &response);
	check(err == ZD_HTTP_OK && response.status == 200, "direct: err %d (%s)", err,
		  zd_http_error_message(http));
	check(accept_all(fd) == 0, "the environment's proxy was used");

	setenv("no_proxy", "*", 1);
	setenv("NO_PROXY", "*", 1);
	request.proxy = proxy;
	request.timeout_ms = 500;
	err = run_request(http, &request, &response);
	check(err != ZD_HTTP_OK, "through the silent proxy: no error");
	check(accept_all(fd) == 1, "the named proxy was not used");

	for (int i = 0; vars[i] != NULL; i++)
		unsetenv(vars[i]);
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	close(fd);
	zd_http_destroy(http);
}

#ifdef ZD_POSITIVE_CONTROL
/* A deliberate heap overflow and leak: the memory checkers must report it. */
static void
test_positive_control(void)
{
	ZdPage		page;
	char		err[256];
	char	   *copy;

	if (zd_page_parse(CURSOR_PAGE, strlen(CURSOR_PAGE), "tickets", ZD_STREAM_CURSOR,
					  &page, err, sizeof(err)))
	{
		const char *cursor = page.after_cursor;

		copy = malloc(strlen(cursor));	/* one byte short */
		strcpy(copy, cursor);
		page.root = NULL;		/* and the tree is leaked */
		page.arena = NULL;
		zd_page_free(&page);
		printf("# positive control ran (%c)\n", copy[0]);
	}
}
#endif

#ifdef ZD_POSITIVE_CONTROL_ARENA
/*
 * A deliberate overrun inside a page's arena: a byte written past the end of
 * a string of the tree (jansson's lexer allocates the quoted length plus
 * one, so 8 bytes past the string is past the allocation).  The arena's red
 * zones must make it as visible as a malloc overrun.
 */
static void
test_positive_control_arena(void)
{
	ZdPage		page;
	char		err[256];

	if (zd_page_parse(CURSOR_PAGE, strlen(CURSOR_PAGE), "tickets", ZD_STREAM_CURSOR,
					  &page, err, sizeof(err)))
	{
		char	   *cursor = (char *) page.after_cursor;

		cursor[strlen(cursor) + 8] = 'x';
		printf("# arena positive control ran (%c)\n", cursor[0]);
		zd_page_free(&page);
	}
}
#endif

#ifdef ZD_POSITIVE_CONTROL_UB
/* Deliberate undefined behaviour: UBSan must report it. */
static void
test_positive_control_ub(void)
{
	int64_t		epoch;
	volatile int shift = 64;

	check(zd_time_parse_iso8601("2026-12-06T00:00:00Z", &epoch), "a time parses");
	/* a shift by the width of the type, on a value from the client's own code */
	printf("# UB control ran (%lld)\n", (long long) (epoch << shift));
}
#endif

int
main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	RUN(test_parse_cursor_page);
	RUN(test_page_arena);
	RUN(test_parse_time_page);
	RUN(test_parse_bad_pages);
	RUN(test_sideload);
	RUN(test_list_page_parse);
	RUN(test_list_machine);
	RUN(test_list_restart);
	RUN(test_error_text);
	RUN(test_token_parse);
	RUN(test_auth_headers);
	RUN(test_oauth);
	RUN(test_url_checks);
	RUN(test_export_machine);
	RUN(test_time_export_machine);
	RUN(test_idset);
	RUN(test_times);
	RUN(test_fuzz_findings);
	RUN(test_http_export_pages);
	RUN(test_http_errors);
	RUN(test_http_post_token);
	RUN(test_lookups);
	RUN(test_http_protocols);
	RUN(test_http_stall_timeout);
	RUN(test_http_proxies);
#ifdef ZD_POSITIVE_CONTROL
	RUN(test_positive_control);
#endif
#ifdef ZD_POSITIVE_CONTROL_ARENA
	RUN(test_positive_control_arena);
#endif
#ifdef ZD_POSITIVE_CONTROL_UB
	RUN(test_positive_control_ub);
#endif
	curl_global_cleanup();
	return failures;
}
