/*-------------------------------------------------------------------------
 *
 * zd_json_arena.h
 *		  A bump allocator for the jansson tree of one parsed page.
 *
 * jansson allocates every value of a page with its own malloc and frees it
 * value by value; on 1000-ticket pages glibc's allocator was the largest
 * cost of a scan.  An arena takes jansson's allocations while a page is
 * parsed (zd_json_arena_enter .. zd_json_arena_leave) and gives them all
 * back at once when the page is dropped (zd_json_arena_free): the tree is
 * never json_decref'd.
 *
 * jansson's allocation hooks are process-wide, so they are transparent
 * outside a parse: with no arena entered they are malloc and free.  A tree
 * built in an arena must not be changed or json_decref'd piece by piece
 * after the parse (a value freed then would be handed to free()); it may be
 * referenced from a tree outside the arena while the arena lives.
 *
 * Under AddressSanitizer every allocation is followed by a poisoned red
 * zone and chunks are returned to malloc when the arena is freed; with
 * USE_VALGRIND each arena is a memcheck memory pool.  Both checkers see
 * overruns and uses after the page was dropped as they would with malloc.
 *
 * No PostgreSQL header here.
 *
 * IDENTIFICATION
 *		  src/client/zd_json_arena.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_JSON_ARENA_H
#define ZD_JSON_ARENA_H

typedef struct ZdJsonArena ZdJsonArena;

/*
 * A new, empty arena, or NULL when jansson's allocation hooks are not ours
 * (another library in the process set its own) or memory ran out: the
 * caller then parses with jansson's allocator and frees with json_decref.
 */
extern ZdJsonArena *zd_json_arena_create(void);

/* jansson allocations go to the arena until zd_json_arena_leave. */
extern void zd_json_arena_enter(ZdJsonArena *arena);
extern void zd_json_arena_leave(ZdJsonArena *arena);

/*
 * Everything allocated in the arena is gone; NULL is allowed.  Its chunks
 * are kept for the next page (up to 32 MB in all) until
 * zd_json_arena_release_cache.
 */
extern void zd_json_arena_free(ZdJsonArena *arena);

/* A scan or sync is over: the kept chunks go back to malloc. */
extern void zd_json_arena_release_cache(void);

#endif							/* ZD_JSON_ARENA_H */
