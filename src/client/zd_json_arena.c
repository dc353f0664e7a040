/*-------------------------------------------------------------------------
 *
 * zd_json_arena.c
 *		  A bump allocator for the jansson tree of one parsed page.
 *
 * jansson's hooks are installed when an arena is created and jansson still
 * uses malloc and free (another library's hooks are left alone, and no
 * arena is made).  Outside a parse the hooks are malloc and free.  Inside
 * one, allocations are carved from 256 kB chunks
 * (a request larger than an eighth of a chunk gets a chunk of its own) and
 * frees do nothing: jansson frees, while it parses, only what it allocated
 * during that parse (buffers it outgrew), and that memory goes back with
 * the arena.  Freed arenas keep up to 128 ordinary chunks (a 1000-ticket
 * page's tree takes about 75) for the next page, so a scan does not ask
 * malloc for its page memory again and again; the backend gives them back
 * when its scan or sync ends.
 *
 * IDENTIFICATION
 *		  src/client/zd_json_arena.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "zd_json_arena.h"

#if defined(__SANITIZE_ADDRESS__)
#define ZD_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZD_ARENA_ASAN 1
#endif
#endif

#ifdef ZD_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#endif
#ifdef USE_VALGRIND
#include <valgrind/memcheck.h>
#endif

/*
 * Under a memory checker each allocation is followed by a red zone; a chunk
 * is inaccessible until handed out, and again once its arena is freed.
 */
#if defined(ZD_ARENA_ASAN) || defined(USE_VALGRIND)
#define REDZONE			16
#else
#define REDZONE			0
#endif

#define CHUNK_SIZE		(256 * 1024)
#define CACHED_CHUNKS_MAX 128
#define LARGE_REQUEST	(CHUNK_SIZE / 8)
#define ALIGNMENT		8			/* jansson's types hold pointers, size_t,
									 * long long and double */

typedef struct Chunk
{
	struct Chunk *next;
	size_t		size;			/* usable bytes after the header */
} Chunk;

#define CHUNK_DATA(c)	((char *) (c) + sizeof(Chunk))

struct ZdJsonArena
{
	Chunk	   *chunks;			/* every chunk of the arena */
	char	   *next;			/* free space of the current chunk */
	char	   *end;
};

static ZdJsonArena *entered_arena;
static Chunk *cached_chunks;
static int	ncached_chunks;

static void
make_inaccessible(Chunk *chunk)
{
#ifdef ZD_ARENA_ASAN
	ASAN_POISON_MEMORY_REGION(CHUNK_DATA(chunk), chunk->size);
#endif
#ifdef USE_VALGRIND
	VALGRIND_MAKE_MEM_NOACCESS(CHUNK_DATA(chunk), chunk->size);
#endif
}

static void *
chunk_data_new(ZdJsonArena *arena, size_t size)
{
	Chunk	   *chunk;

	if (size == CHUNK_SIZE && cached_chunks != NULL)
	{
		chunk = cached_chunks;
		cached_chunks = chunk->next;
		ncached_chunks--;
	}
	else
	{
		if (size > SIZE_MAX - sizeof(Chunk))
			return NULL;
		chunk = malloc(sizeof(Chunk) + size);
		if (chunk == NULL)
			return NULL;
		chunk->size = size;
		make_inaccessible(chunk);
	}
	chunk->next = arena->chunks;
	arena->chunks = chunk;
	return CHUNK_DATA(chunk);
}

static void *
arena_alloc(ZdJsonArena *arena, size_t size)
{
	size_t		need;
	char	   *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	need = ((size + ALIGNMENT - 1) & ~(size_t) (ALIGNMENT - 1)) + REDZONE;
	if (need <= (size_t) (arena->end - arena->next))
	{
		p = arena->next;
		arena->next += need;
	}
	else if (need > LARGE_REQUEST)
	{
		/* a chunk of its own; the current chunk stays current */
		p = chunk_data_new(arena, need);
		if (p == NULL)
			return NULL;
	}
	else
	{
		p = chunk_data_new(arena, CHUNK_SIZE);
		if (p == NULL)
			return NULL;
		arena->next = p + need;
		arena->end = p + CHUNK_SIZE;
	}
#ifdef ZD_ARENA_ASAN
	ASAN_UNPOISON_MEMORY_REGION(p, size);
#endif
#ifdef USE_VALGRIND
	VALGRIND_MEMPOOL_ALLOC(arena, p, size);
#endif
	return p;
}

static void *
hook_malloc(size_t size)
{
	if (entered_arena == NULL)
		return malloc(size);
	return arena_alloc(entered_arena, size);
}

static void
hook_free(void *ptr)
{
	if (entered_arena == NULL)
	{
		free(ptr);
		return;
	}
	/* given back with the arena */
#ifdef USE_VALGRIND
	if (ptr != NULL)
		VALGRIND_MEMPOOL_FREE(entered_arena, ptr);
#endif
}

ZdJsonArena *
zd_json_arena_create(void)
{
	json_malloc_t malloc_fn;
	json_free_t free_fn;
	ZdJsonArena *arena;

	json_get_alloc_funcs(&malloc_fn, &free_fn);
	if (malloc_fn == malloc && free_fn == free)
		json_set_alloc_funcs(hook_malloc, hook_free);
	else if (malloc_fn != hook_malloc || free_fn != hook_free)
		return NULL;

	arena = calloc(1, sizeof(ZdJsonArena));
	if (arena == NULL)
		return NULL;
#ifdef USE_VALGRIND
	VALGRIND_CREATE_MEMPOOL(arena, 0, 0);
#endif
	return arena;
}

void
zd_json_arena_enter(ZdJsonArena *arena)
{
	entered_arena = arena;
}

void
zd_json_arena_leave(ZdJsonArena *arena)
{
	if (entered_arena == arena)
		entered_arena = NULL;
}

void
zd_json_arena_free(ZdJsonArena *arena)
{
	Chunk	   *chunk;

	if (arena == NULL)
		return;
	zd_json_arena_leave(arena);
#ifdef USE_VALGRIND
	VALGRIND_DESTROY_MEMPOOL(arena);
#endif
	chunk = arena->chunks;
	while (chunk != NULL)
	{
		Chunk	   *next = chunk->next;

		if (chunk->size == CHUNK_SIZE && ncached_chunks < CACHED_CHUNKS_MAX)
		{
			make_inaccessible(chunk);
			chunk->next = cached_chunks;
			cached_chunks = chunk;
			ncached_chunks++;
		}
		else
			free(chunk);
		chunk = next;
	}
	free(arena);
}

void
zd_json_arena_release_cache(void)
{
	while (cached_chunks != NULL)
	{
		Chunk	   *next = cached_chunks->next;

		free(cached_chunks);
		cached_chunks = next;
	}
	ncached_chunks = 0;
}
