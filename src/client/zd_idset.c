/*-------------------------------------------------------------------------
 *
 * zd_idset.c
 *		  A compact set of 64-bit record ids.
 *
 * Layout: one array.  Its front is a sequence of sorted runs, the oldest and
 * largest first; its back is an unsorted tail of at most TAIL_MAX ids.  When
 * the tail is full it is sorted into a run, and the last two runs are merged
 * while the newer is at least as large as the one before it, so run sizes
 * fall geometrically and there are O(log n) of them.  A merge needs a
 * scratch copy of the older run; it is freed at once.
 *
 * IDENTIFICATION
 *		  src/client/zd_idset.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "zd_idset.h"

#define TAIL_MAX 1024
#define MAX_RUNS 64

struct ZdIdSet
{
	int64_t    *ids;
	size_t		count;
	size_t		capacity;
	size_t		sorted;			/* ids[0..sorted) are runs; the rest the tail */
	int			nruns;
	size_t		run_start[MAX_RUNS];
};

static int
cmp_id(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a;
	int64_t		y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

ZdIdSet *
zd_idset_create(void)
{
	return calloc(1, sizeof(ZdIdSet));
}

void
zd_idset_destroy(ZdIdSet *set)
{
	if (set == NULL)
		return;
	free(set->ids);
	free(set);
}

/* Merge the last two runs; false when the scratch copy cannot be had. */
static bool
merge_last_two(ZdIdSet *set)
{
	size_t		a = set->run_start[set->nruns - 2];
	size_t		b = set->run_start[set->nruns - 1];
	size_t		end = set->sorted;
	size_t		na = b - a;
	int64_t    *left = malloc(na * sizeof(int64_t));
	size_t		i = 0,
				j = b,
				o = a;

	if (left == NULL)
		return false;
	memcpy(left, set->ids + a, na * sizeof(int64_t));
	while (i < na && j < end)
		set->ids[o++] = (left[i] <= set->ids[j]) ? left[i++] : set->ids[j++];
	while (i < na)
		set->ids[o++] = left[i++];
	/* the rest of the right run is already in place */
	free(left);
	set->nruns--;
	return true;
}

/* Sort the tail into a run and restore the run-size invariant. */
static bool
seal_tail(ZdIdSet *set)
{
	if (set->sorted == set->count)
		return true;
	qsort(set->ids + set->sorted, set->count - set->sorted, sizeof(int64_t), cmp_id);
	set->run_start[set->nruns++] = set->sorted;
	set->sorted = set->count;
	while (set->nruns >= 2)
	{
		size_t		newer = set->sorted - set->run_start[set->nruns - 1];
		size_t		older = set->run_start[set->nruns - 1] - set->run_start[set->nruns - 2];

		if (newer < older && set->nruns < MAX_RUNS)
			break;
		if (!merge_last_two(set))
			return false;
	}
	return true;
}

/*
 * zd_idset_add
 *		Add an id (duplicates are harmless); false when out of memory.
 */
bool
zd_idset_add(ZdIdSet *set, int64_t id)
{
	if (set->count == set->capacity)
	{
		size_t		capacity = set->capacity ? set->capacity + set->capacity / 2 : 4096;
		int64_t    *grown = realloc(set->ids, capacity * sizeof(int64_t));

		if (grown == NULL)
			return false;
		set->ids = grown;
		set->capacity = capacity;
	}
	set->ids[set->count++] = id;
	if (set->count - set->sorted >= TAIL_MAX)
		return seal_tail(set);
	return true;
}

/*
 * zd_idset_contains
 *		Has this id been added?
 */
bool
zd_idset_contains(const ZdIdSet *set, int64_t id)
{
	for (size_t i = set->sorted; i < set->count; i++)
		if (set->ids[i] == id)
			return true;
	for (int r = 0; r < set->nruns; r++)
	{
		size_t		start = set->run_start[r];
		size_t		end = (r + 1 < set->nruns) ? set->run_start[r + 1] : set->sorted;

		if (bsearch(&id, set->ids + start, end - start, sizeof(int64_t), cmp_id) != NULL)
			return true;
	}
	return false;
}

size_t
zd_idset_count(const ZdIdSet *set)
{
	return set->count;
}

size_t
zd_idset_bytes(const ZdIdSet *set)
{
	return sizeof(ZdIdSet) + set->capacity * sizeof(int64_t);
}
