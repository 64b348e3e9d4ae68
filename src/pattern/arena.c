/*
 * The bump arena behind a parsed pattern.  A parsed tree is many small
 * nodes and strings with one lifetime (the struct pattern), so they are
 * carved from large chunks and released together (git mem-pool.h).
 *
 * Invariants: every block handed out is zeroed and aligned to
 * PAT_ARENA_ALIGN; a request larger than a chunk gets a chunk of its own,
 * so no request fails short of OOM (which xmalloc turns into abort).
 */
#include "pattern/pattern_int.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"
#include "util/xalloc.h"

#define PAT_ARENA_CHUNK 4096
#define PAT_ARENA_ALIGN (alignof(max_align_t))

struct pat_chunk {
    struct pat_chunk *next;
    size_t size; /* usable bytes in data */
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

struct pat_arena {
    struct pat_chunk *head; /* current chunk first */
    size_t total;           /* bytes handed out */
};

struct pat_arena *pat_arena_new(void)
{
    return xcalloc(1, sizeof(struct pat_arena));
}

void pat_arena_free(struct pat_arena *a)
{
    struct pat_chunk *c, *next;

    if (!a)
        return;
    for (c = a->head; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

static struct pat_chunk *chunk_new(size_t size)
{
    struct pat_chunk *c = xmalloc(sizeof(*c) + size);

    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

void *pat_arena_alloc(struct pat_arena *a, size_t n)
{
    struct pat_chunk *c = a->head;
    size_t need = (n + PAT_ARENA_ALIGN - 1) & ~(PAT_ARENA_ALIGN - 1);
    void *p;

    if (need == 0)
        need = PAT_ARENA_ALIGN;
    if (need > PAT_ARENA_CHUNK / 4) {
        /* big block: own chunk, linked behind the current one */
        c = chunk_new(need);
        c->used = need;
        if (a->head) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            a->head = c;
        }
        a->total += need;
        memset(c->data, 0, need);
        return c->data;
    }
    if (!c || c->size - c->used < need) {
        c = chunk_new(PAT_ARENA_CHUNK);
        c->next = a->head;
        a->head = c;
    }
    p = c->data + c->used;
    c->used += need;
    a->total += need;
    memset(p, 0, need);
    return p;
}

char *pat_arena_strndup(struct pat_arena *a, const char *s, size_t n)
{
    char *d = pat_arena_alloc(a, n + 1);

    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *pat_arena_strdup(struct pat_arena *a, const char *s)
{
    return pat_arena_strndup(a, s, strlen(s));
}

size_t pat_arena_used(const struct pat_arena *a)
{
    return a->total;
}
