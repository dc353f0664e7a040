/*-------------------------------------------------------------------------
 *
 * zd_url.h
 *		  Checks on the URLs the client talks to.
 *
 * Decides which base URLs are acceptable (https anywhere, plain http to
 * loopback hosts only), which proxy URLs are, and whether a URL Zendesk
 * hands back stays on the configured base.  No PostgreSQL header.
 *
 * IDENTIFICATION
 *		  src/client/zd_url.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_URL_H
#define ZD_URL_H

#include <stdbool.h>
#include <stddef.h>

extern bool zd_url_check_base(const char *url, bool *plain_http,
							  char *errbuf, size_t errlen);
extern bool zd_url_check_proxy(const char *url, char *errbuf, size_t errlen);
extern bool zd_url_on_base(const char *base_url, const char *url);
extern int	zd_url_per_page(const char *url);
extern char *zd_url_with_per_page(const char *url, int per_page);
extern size_t zd_url_encode(char *out, const char *value);

#endif							/* ZD_URL_H */
