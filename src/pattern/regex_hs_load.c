/*
 * Vectorscan (libhs) loaded on first use.  regex_vectorscan.c and
 * regex_literal.c call the hs_* functions of <hs/hs.h> as usual; libhs is
 * not linked, and this file defines those functions (the few the index
 * uses), each calling libhs's own through the table `hs`, which is filled
 * by dlopen on the first call (libhs_load, once per process).
 *
 * Why: libhs and the libstdc++ it needs cost about 2 ms of relocations
 * and constructors at every process start (perf stat, LD_DEBUG=statistics),
 * more than the rest of a short command; only the bulk index (serve,
 * match) compiles regexes.  sync/client.c does the same for libcurl.
 *
 * When libhs cannot be loaded, the compile functions fail with
 * HS_COMPILER_ERROR and a compile error naming the reason (expression -1:
 * the whole set), which the back ends report or answer by leaving the
 * expressions to PCRE2; the other functions fail with HS_INVALID (they
 * are only reached with a database, so after a successful load).
 */
#include <hs/hs.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"
#include "util/dl.h"

#ifndef LIBHS_SONAME
#define LIBHS_SONAME "libhs.so.5"
#endif

/* libhs's functions; field f is the symbol hs_<f>, with the prototype of hs.h. */
struct libhs_api {
    __typeof__(&hs_expression_info) expression_info;
    __typeof__(&hs_compile_multi) compile_multi;
    __typeof__(&hs_compile_lit_multi) compile_lit_multi;
    __typeof__(&hs_free_compile_error) free_compile_error;
    __typeof__(&hs_alloc_scratch) alloc_scratch;
    __typeof__(&hs_clone_scratch) clone_scratch;
    __typeof__(&hs_free_scratch) free_scratch;
    __typeof__(&hs_free_database) free_database;
    __typeof__(&hs_scan) scan;
    __typeof__(&hs_database_size) database_size;
    __typeof__(&hs_scratch_size) scratch_size;
};

#define LIBHS_SYM(f) DL_SYM(struct libhs_api, "hs_", f)

static const struct dl_sym libhs_syms[] = {
    LIBHS_SYM(expression_info),    LIBHS_SYM(compile_multi), LIBHS_SYM(compile_lit_multi),
    LIBHS_SYM(free_compile_error), LIBHS_SYM(alloc_scratch), LIBHS_SYM(clone_scratch),
    LIBHS_SYM(free_scratch),       LIBHS_SYM(free_database), LIBHS_SYM(scan),
    LIBHS_SYM(database_size),      LIBHS_SYM(scratch_size),
};

/*
 * Process-wide, written only inside libhs_load (under pthread_once), then
 * read-only, as libcurl's table in sync/client.c: a shared library is
 * loaded once per process whatever the caller.
 */
static struct libhs_api hs;
static char libhs_failed[256]; /* "cannot load ...: why"; "" once loaded */
static hs_compile_error_t libhs_error = {libhs_failed, -1};
static pthread_once_t libhs_once = PTHREAD_ONCE_INIT;

static void libhs_load(void)
{
    dl_bind(LIBHS_SONAME, libhs_syms, sizeof(libhs_syms) / sizeof(libhs_syms[0]), &hs, sizeof(hs),
            libhs_failed, sizeof(libhs_failed));
}

/* True when libhs is usable (loading it on first call). */
static bool libhs_ready(void)
{
    pthread_once(&libhs_once, libhs_load);
    return !libhs_failed[0];
}

/* The compile functions' answer when libhs is missing. */
static hs_error_t libhs_compile_failed(hs_compile_error_t **error)
{
    *error = &libhs_error;
    return HS_COMPILER_ERROR;
}

hs_error_t HS_CDECL hs_expression_info(const char *expression, unsigned int flags,
                                       hs_expr_info_t **info, hs_compile_error_t **error)
{
    if (!libhs_ready())
        return libhs_compile_failed(error);
    return hs.expression_info(expression, flags, info, error);
}

hs_error_t HS_CDECL hs_compile_multi(const char *const *expressions, const unsigned int *flags,
                                     const unsigned int *ids, unsigned int elements,
                                     unsigned int mode, const hs_platform_info_t *platform,
                                     hs_database_t **db, hs_compile_error_t **error)
{
    if (!libhs_ready())
        return libhs_compile_failed(error);
    return hs.compile_multi(expressions, flags, ids, elements, mode, platform, db, error);
}

hs_error_t HS_CDECL hs_compile_lit_multi(const char *const *expressions, const unsigned int *flags,
                                         const unsigned int *ids, const size_t *lens,
                                         unsigned int elements, unsigned int mode,
                                         const hs_platform_info_t *platform, hs_database_t **db,
                                         hs_compile_error_t **error)
{
    if (!libhs_ready())
        return libhs_compile_failed(error);
    return hs.compile_lit_multi(expressions, flags, ids, lens, elements, mode, platform, db, error);
}

hs_error_t HS_CDECL hs_free_compile_error(hs_compile_error_t *error)
{
    if (!error || error == &libhs_error)
        return HS_SUCCESS;
    return libhs_ready() ? hs.free_compile_error(error) : HS_INVALID;
}

hs_error_t HS_CDECL hs_alloc_scratch(const hs_database_t *db, hs_scratch_t **scratch)
{
    return libhs_ready() ? hs.alloc_scratch(db, scratch) : HS_INVALID;
}

hs_error_t HS_CDECL hs_clone_scratch(const hs_scratch_t *src, hs_scratch_t **dest)
{
    return libhs_ready() ? hs.clone_scratch(src, dest) : HS_INVALID;
}

hs_error_t HS_CDECL hs_free_scratch(hs_scratch_t *scratch)
{
    if (!scratch)
        return HS_SUCCESS;
    return libhs_ready() ? hs.free_scratch(scratch) : HS_INVALID;
}

hs_error_t HS_CDECL hs_free_database(hs_database_t *db)
{
    if (!db)
        return HS_SUCCESS;
    return libhs_ready() ? hs.free_database(db) : HS_INVALID;
}

hs_error_t HS_CDECL hs_scan(const hs_database_t *db, const char *data, unsigned int length,
                            unsigned int flags, hs_scratch_t *scratch, match_event_handler onEvent,
                            void *context)
{
    if (!libhs_ready())
        return HS_INVALID;
    return hs.scan(db, data, length, flags, scratch, onEvent, context);
}

hs_error_t HS_CDECL hs_database_size(const hs_database_t *database, size_t *database_size)
{
    return libhs_ready() ? hs.database_size(database, database_size) : HS_INVALID;
}

hs_error_t HS_CDECL hs_scratch_size(const hs_scratch_t *scratch, size_t *scratch_size)
{
    return libhs_ready() ? hs.scratch_size(scratch, scratch_size) : HS_INVALID;
}
