/*-------------------------------------------------------------------------
 *
 * fuzz_common.h
 *		  Helpers shared by the libFuzzer targets of the Zendesk client.
 *
 * FUZZ_CHECK is the targets' assertion: a property of the code under test
 * that fails aborts the run with a message, and libFuzzer keeps the input,
 * the same as for a memory error.
 *
 * IDENTIFICATION
 *		  tests/fuzz/fuzz_common.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "fuzz property failed at %s:%d: %s\n", \
					__FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

/* A malloc'd NUL-terminated copy of data[0..len-1] (stops at a NUL in it). */
static inline char *
fuzz_cstring(const uint8_t *data, size_t len)
{
	char	   *s = malloc(len + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

/*
 * fuzz_next_part
 *		Splits input at sep: sets *part and *partlen to the text before the next
 *		sep (or the end) and advances *data and *len past it.  False when nothing
 *		is left.
 */
static inline int
fuzz_next_part(const uint8_t **data, size_t *len, char sep,
			   const uint8_t **part, size_t *partlen)
{
	const uint8_t *end;

	if (*data == NULL)
		return 0;
	*part = *data;
	end = memchr(*data, sep, *len);
	if (end == NULL)
	{
		*partlen = *len;
		*data = NULL;
		*len = 0;
	}
	else
	{
		*partlen = (size_t) (end - *data);
		*len -= *partlen + 1;
		*data = end + 1;
	}
	return 1;
}

/* Is s[0..len-1] valid UTF-8 (RFC 3629: no overlongs, surrogates, > U+10FFFF)? */
static inline int
fuzz_valid_utf8(const unsigned char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		size_t		n;
		uint32_t	cp;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		else if ((c & 0xe0) == 0xc0)
			n = 1, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			n = 2, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			n = 3, cp = c & 0x07;
		else
			return 0;
		if (i + n >= len)
			return 0;
		for (size_t k = 1; k <= n; k++)
		{
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
			cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

#endif							/* FUZZ_COMMON_H */
