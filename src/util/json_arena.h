/*
 * A bump arena for jansson's allocations while one request's document is
 * parsed: parsing a 1,000-object envelope makes ~50,000 small allocations,
 * and malloc/free were a third of jansson's cost (perf, bench_ingest).
 *
 * jansson's allocator is process-wide, so json_arena_install() routes it
 * through functions that use the calling thread's current arena when one
 * is active and malloc/free otherwise; a pointer is only ever freed by
 * whoever allocated it (free of an arena pointer is a no-op, of anything
 * else is free()).  Values parsed inside an arena must not outlive it and
 * need no json_decref: json_arena_release drops them all at once.
 */
#ifndef CONCORD_UTIL_JSON_ARENA_H
#define CONCORD_UTIL_JSON_ARENA_H

#include <stddef.h>

struct json_arena_chunk;

struct json_arena {
    struct json_arena_chunk *chunks; /* newest first */
    size_t total;                    /* bytes held */
};

/* Route jansson's allocator through the arena functions (idempotent, thread-safe). */
void json_arena_install(void);
/* Make a (borrowed) arena current for this thread; NULL ends the scope. */
void json_arena_use(struct json_arena *a);
/*
 * Move every chunk of from into a (neither current on another thread), so
 * values parsed in from on another thread count as a's: freeing them while
 * a is current is a no-op, and json_arena_release(a) drops them.  from is
 * left empty.
 */
void json_arena_adopt(struct json_arena *a, struct json_arena *from);
/*
 * n bytes from arena a (16-byte aligned, never NULL; xmalloc aborts on
 * OOM) that stay where they are until a is released: also a plain bump
 * allocator for data that lives and dies with a document.
 */
void *json_arena_alloc(struct json_arena *a, size_t n);
/* Free all memory of an arena that is not current. */
void json_arena_release(struct json_arena *a);

#endif
