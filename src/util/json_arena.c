/*
 * Bump arena for jansson (see json_arena.h).  Chunks grow geometrically
 * from 64 KiB; allocations are 16-byte aligned.
 */
#include "util/json_arena.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/xalloc.h"

struct json_arena_chunk {
    struct json_arena_chunk *next;
    size_t size, used;       /* bytes of data[] */
    _Alignas(16) unsigned char data[];
};

static __thread struct json_arena *current;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

static bool owned(const struct json_arena *a, const void *p)
{
    for (const struct json_arena_chunk *c = a->chunks; c; c = c->next)
        if ((const unsigned char *)p >= c->data && (const unsigned char *)p < c->data + c->size)
            return true;
    return false;
}

void *json_arena_alloc(struct json_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct json_arena_chunk *c = a->chunks;
    if (!c || c->size - c->used < n) {
        size_t size = c ? c->size * 2 : 64 * 1024;
        while (size < n)
            size *= 2;
        c = xmalloc(sizeof(*c) + size);
        c->size = size;
        c->used = 0;
        c->next = a->chunks;
        a->chunks = c;
        a->total += size;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

static void *arena_malloc(size_t n)
{
    struct json_arena *a = current;
    return a ? json_arena_alloc(a, n) : malloc(n);
}

static void arena_free(void *p)
{
    if (!p)
        return;
    if (current && owned(current, p))
        return;
    free(p);
}

static void install(void)
{
    json_set_alloc_funcs(arena_malloc, arena_free);
}

void json_arena_install(void)
{
    pthread_once(&installed, install);
}

void json_arena_use(struct json_arena *a)
{
    current = a;
}

void json_arena_release(struct json_arena *a)
{
    struct json_arena_chunk *c = a->chunks;
    while (c) {
        struct json_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->chunks = NULL;
    a->total = 0;
}

void json_arena_adopt(struct json_arena *a, struct json_arena *from)
{
    struct json_arena_chunk **tail = &a->chunks;

    while (*tail)
        tail = &(*tail)->next; /* behind a's chunks: a keeps allocating from its newest */
    *tail = from->chunks;
    a->total += from->total;
    from->chunks = NULL;
    from->total = 0;
}
