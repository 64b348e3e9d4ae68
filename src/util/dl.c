/*
 * dl_bind (util/dl.h): one dlopen and the symbols a caller needs, for the
 * libraries Concord loads on first use.
 */
#include "util/dl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

int dl_bind(const char *soname, const struct dl_sym *syms, size_t n, void *table, size_t table_len,
            char *why, size_t why_len)
{
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *e = dlerror();
        snprintf(why, why_len, "cannot load %s: %s", soname, e ? e : "dlopen failed");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        void *p = dlsym(lib, syms[i].name);
        if (!p) {
            snprintf(why, why_len, "cannot load %s: no symbol '%s'", soname, syms[i].name);
            memset(table, 0, table_len);
            return -1;
        }
        /* POSIX guarantees that a void * can hold a function pointer */
        memcpy((char *)table + syms[i].at, &p, sizeof(p));
    }
    return 0;
}
