/*
 * bench/parse_rate.c -- jansson's bare parse rate: json_loadb and
 * json_decref of export pages already in memory, in a loop, on one core.
 * It bounds what any jansson-based scan can do (no HTTP, no conversion).
 * Parsed with JSON_ALLOW_NUL, as the extension parses export pages.
 *
 *   parse_rate SECONDS PAGE.json...
 *
 * Prints "<records/s> <MB/s> <records per pass> <passes>"; a record is an
 * element of the page's "tickets" array.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
		fseek(f, 0, SEEK_SET) != 0)
	{
		perror(path);
		exit(1);
	}
	buf = malloc(n);
	if (buf == NULL || fread(buf, 1, n, f) != (size_t) n)
	{
		perror(path);
		exit(1);
	}
	fclose(f);
	*len = n;
	return buf;
}

int
main(int argc, char **argv)
{
	int			npages = argc - 2;
	char	  **bufs;
	size_t	   *lens;
	size_t		bytes = 0,
				records = 0;
	long		passes = 0;
	double		seconds,
				started,
				elapsed;

	if (npages < 1)
	{
		fprintf(stderr, "usage: parse_rate SECONDS PAGE.json...\n");
		return 2;
	}
	seconds = atof(argv[1]);
	bufs = malloc(npages * sizeof(char *));
	lens = malloc(npages * sizeof(size_t));
	for (int i = 0; i < npages; i++)
	{
		json_error_t err;
		json_t	   *page;

		bufs[i] = slurp(argv[i + 2], &lens[i]);
		bytes += lens[i];
		page = json_loadb(bufs[i], lens[i], JSON_ALLOW_NUL, &err);
		if (page == NULL || !json_is_array(json_object_get(page, "tickets")))
		{
			fprintf(stderr, "%s: not an export page: %s\n", argv[i + 2], err.text);
			return 1;
		}
		records += json_array_size(json_object_get(page, "tickets"));
		json_decref(page);
	}

	started = now();
	do
	{
		for (int i = 0; i < npages; i++)
		{
			json_error_t err;
			json_t	   *page = json_loadb(bufs[i], lens[i], JSON_ALLOW_NUL, &err);

			if (page == NULL)
			{
				fprintf(stderr, "parse failed: %s\n", err.text);
				return 1;
			}
			json_decref(page);
		}
		passes++;
		elapsed = now() - started;
	} while (elapsed < seconds);

	printf("%.0f %.1f %zu %ld\n", records * passes / elapsed,
		   bytes * passes / elapsed / 1e6, records, passes);
	return 0;
}
