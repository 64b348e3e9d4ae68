/*
 * Hash tables of the bulk indicator index: one per value kind, built once
 * by pat_index_build and read-only afterwards (any number of threads may
 * look up at once).
 *
 * Open addressing with linear probing; a key may occur several times (two
 * indicators on one domain), so a lookup walks the probe run to the first
 * empty slot and reports every equal key.  Tables are sized at build time
 * for a load factor between 3/8 and 3/4 and never grow or delete.
 *
 * Strings live in one pool addressed by 32-bit offsets, each distinct
 * string once (an insert reuses the pool copy of an equal key it meets on
 * its probe run).  A slot is 16 bytes: low 32 bits of the hash (compared
 * first, so most mismatches never touch the pool), offset, length and ref.
 * Addresses are keyed by their text too: the evaluator compares them as
 * strings (eval_cmp.c), and the readers write them in one normal form.
 */
#include "pattern/index_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/xalloc.h"

int idx_pool_add(struct idx_pool *pool, const char *s, size_t len, uint32_t *off,
                 struct error *err)
{
    if (len > IDX_POOL_MAX - pool->len)
        return error_set(err, ERR_TOO_LARGE, "index string pool over 4 GiB");
    if (pool->len + len + 1 > pool->cap) {
        size_t cap = pool->cap ? pool->cap : 4096;
        while (cap < pool->len + len + 1)
            cap *= 2;
        pool->p = xrealloc(pool->p, cap);
        pool->cap = cap;
    }
    *off = (uint32_t)pool->len;
    if (len)
        memcpy(pool->p + pool->len, s, len);
    pool->p[pool->len + len] = '\0';
    pool->len += len + 1; /* NUL-terminated: regexes are handed to C APIs */
    return 0;
}

void idx_pool_release(struct idx_pool *pool)
{
    free(pool->p);
    memset(pool, 0, sizeof(*pool));
}

static inline uint64_t load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t load_tail(const char *p, size_t n)
{
    uint64_t v = 0;
    memcpy(&v, p, n);
    return v;
}

/* 64x64 -> 128 multiply folded to 64 bits: every input bit reaches many output bits. */
static inline uint64_t fold_mul(uint64_t a, uint64_t b)
{
    unsigned __int128 r = (unsigned __int128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

#define K0 0x9e3779b97f4a7c15ull
#define K1 0xc2b2ae3d27d4eb4full
#define K2 0x165667b19e3779f9ull

uint64_t idx_hash_bytes(const char *s, size_t len)
{
    uint64_t h = K0 ^ (len * K1);
    size_t i = 0;
    for (; i + 16 <= len; i += 16)
        h = fold_mul(load64(s + i) ^ K1, load64(s + i + 8) ^ h);
    if (len - i >= 8) {
        h = fold_mul(load64(s + i) ^ K2, h ^ K0);
        i += 8;
    }
    if (len > i)
        h = fold_mul(load_tail(s + i, len - i) ^ K1, h ^ K2);
    return fold_mul(h ^ K2, (uint64_t)len ^ K0);
}

static size_t table_slots(size_t n)
{
    size_t slots = 16;
    while (slots * 3 < n * 4)
        slots *= 2;
    return slots;
}

#define HUGE_PAGE (2u << 20)

/*
 * Memory for a large read-mostly array: 2 MiB aligned and marked for
 * transparent huge pages, since lookups touch it at random and TLB misses
 * cost as much as the cache misses (notably in virtual machines).
 */
void *idx_big_alloc(size_t bytes)
{
    void *p = NULL;
    if (bytes < HUGE_PAGE)
        return xmalloc(bytes);
    size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    if (posix_memalign(&p, HUGE_PAGE, rounded) != 0)
        return xmalloc(bytes);
    (void)madvise(p, rounded, MADV_HUGEPAGE); /* advice only: fine if refused */
    return p;
}

void idx_strtab_init(struct idx_strtab *t, size_t n)
{
    size_t slots = table_slots(n);
    t->slots = idx_big_alloc(slots * sizeof(*t->slots));
    for (size_t i = 0; i < slots; i++)
        t->slots[i].ref = IDX_REF_EMPTY;
    t->mask = slots - 1;
    t->n = 0;
}

int idx_strtab_insert(struct idx_strtab *t, struct idx_pool *pool, const char *s, size_t len,
                      uint32_t ref, struct error *err)
{
    uint64_t h = idx_hash_bytes(s, len);
    size_t i = (size_t)h & t->mask;
    uint32_t off = UINT32_MAX;
    while (t->slots[i].ref != IDX_REF_EMPTY) {
        const struct idx_strslot *e = &t->slots[i];
        if (off == UINT32_MAX && e->hash == (uint32_t)h && e->len == len &&
            memcmp(pool->p + e->off, s, len) == 0)
            off = e->off;
        i = (i + 1) & t->mask;
    }
    if (off == UINT32_MAX) {
        int rc = idx_pool_add(pool, s, len, &off, err);
        if (rc)
            return rc;
    }
    t->slots[i] = (struct idx_strslot){(uint32_t)h, off, (uint32_t)len, ref};
    t->n++;
    return 0;
}

static inline size_t report(uint32_t ref, enum pat_vrole role, idx_ref_fn *fn, void *ctx)
{
    if (!idx_role_ok(IDX_REF_ROLE(ref), role))
        return 0;
    if (fn)
        fn(ctx, ref);
    return 1;
}

void idx_strtab_prefetch(const struct idx_strtab *t, uint64_t h)
{
    if (t->n)
        __builtin_prefetch(&t->slots[(size_t)h & t->mask]);
}

size_t idx_strtab_find(const struct idx_strtab *t, const char *pool, const char *s, size_t len,
                       enum pat_vrole role, idx_ref_fn *fn, void *ctx)
{
    if (!t->n)
        return 0;
    return idx_strtab_find_h(t, pool, s, len, idx_hash_bytes(s, len), role, fn, ctx);
}

size_t idx_strtab_find_h(const struct idx_strtab *t, const char *pool, const char *s, size_t len,
                         uint64_t h, enum pat_vrole role, idx_ref_fn *fn, void *ctx)
{
    if (!t->n)
        return 0;
    size_t found = 0;
    for (size_t i = (size_t)h & t->mask; t->slots[i].ref != IDX_REF_EMPTY; i = (i + 1) & t->mask) {
        const struct idx_strslot *e = &t->slots[i];
        if (e->hash == (uint32_t)h && e->len == len && memcmp(pool + e->off, s, len) == 0)
            found += report(e->ref, role, fn, ctx);
    }
    return found;
}

void idx_strtab_release(struct idx_strtab *t)
{
    free(t->slots);
    memset(t, 0, sizeof(*t));
}
