/*-------------------------------------------------------------------------
 *
 * fuzz_error.c
 *		  libFuzzer target: error bodies and OAuth token responses.
 *
 * The input is one response body.  zd_error_text must always give one
 * printable line that fits the buffer, at every buffer size the callers use
 * and the small ones they might, and one that is valid UTF-8 whenever the
 * body is (it ends up in an SQL error's detail).  zd_token_grant_parse must give a
 * non-empty token or a reason.
 *
 * IDENTIFICATION
 *		  tests/fuzz/fuzz_error.c
 *
 *-------------------------------------------------------------------------
 */
#include "fuzz_common.h"

#include "zd_oauth.h"
#include "zd_parse.h"

static void
check_error_text(const char *body, size_t size, size_t buflen, int body_utf8)
{
	char	   *buf = malloc(buflen);
	size_t		len;

	memset(buf, 'x', buflen);
	zd_error_text(body, size, buf, buflen);
	len = strnlen(buf, buflen);
	FUZZ_CHECK(len < buflen, "no NUL within the %zu-byte buffer", buflen);
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK((unsigned char) buf[i] >= 0x20 && buf[i] != 0x7f,
				   "control byte 0x%02x at %zu of \"%s\"", (unsigned char) buf[i], i, buf);
	if (body_utf8)
		FUZZ_CHECK(fuzz_valid_utf8((const unsigned char *) buf, len),
				   "a UTF-8 body gave a line that is not UTF-8: \"%s\" (buffer %zu)",
				   buf, buflen);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t buflens[] = {1, 2, 7, 64, 512, 4096};
	const char *body = (const char *) data;
	int			body_utf8 = fuzz_valid_utf8(data, size);
	ZdTokenGrant grant;
	char		err[256];

	for (size_t i = 0; i < sizeof(buflens) / sizeof(buflens[0]); i++)
		check_error_text(body, size, buflens[i], body_utf8);
	(void) zd_error_is_invalid_token(body, size);

	err[0] = '\0';
	if (zd_token_grant_parse(body, size, &grant, err, sizeof(err)))
	{
		FUZZ_CHECK(grant.access_token != NULL && grant.access_token[0] != '\0',
				   "an empty access token");
		zd_token_grant_free(&grant);
	}
	else
	{
		FUZZ_CHECK(grant.access_token == NULL && grant.refresh_token == NULL,
				   "a refused token response left a token");
		FUZZ_CHECK(err[0] != '\0', "a token response was refused without a reason");
	}
	return 0;
}
