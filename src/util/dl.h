/*
 * Shared libraries loaded on first use (dlopen) instead of linked: libcurl
 * (sync/client.c), libhs (pattern/regex_hs_load.c), libmicrohttpd
 * (taxii/http.c) and GnuTLS (cli/tls.c).  Resolving a linked library and
 * its dependencies costs every process start, and most commands never use
 * these; each user keeps a table of function pointers, filled once per
 * process (pthread_once) by dl_bind, then read-only.
 */
#ifndef CONCORD_UTIL_DL_H
#define CONCORD_UTIL_DL_H

#include <stddef.h>

/* One symbol: its name and the offset of its pointer in the caller's table. */
struct dl_sym {
    const char *name;
    size_t at;
};

/* A dl_sym for field f of table type T, symbol prefix ## f. */
#define DL_SYM(T, prefix, f) {prefix #f, offsetof(T, f)}

/*
 * dlopen soname (RTLD_NOW | RTLD_LOCAL; it stays loaded for the life of
 * the process) and store the address of each of syms[0..n) into table at
 * its offset (a function, or for a data symbol the variable's address).
 * Returns 0, or -1 with why (why_len bytes) saying what failed: "cannot
 * load SONAME: reason" or "cannot load SONAME: no symbol 'name'"; the
 * table is then left zeroed.
 */
int dl_bind(const char *soname, const struct dl_sym *syms, size_t n, void *table, size_t table_len,
            char *why, size_t why_len);

#endif
