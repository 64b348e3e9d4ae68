/*
 * The fuzz targets' property check: on violation, name the condition and
 * abort() so that libFuzzer reports a crash with the input.  Not an
 * assert: it stays on in every build.
 */
#ifndef CONCORD_FUZZ_CHECK_H
#define CONCORD_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
