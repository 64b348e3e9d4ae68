/*
 * Temporary directories for unit tests (header only: CMake links a unit
 * test with the core library and cmocka alone).  tmpdir_make creates a
 * fresh directory under /tmp with mkdtemp; tmpdir_remove deletes it and
 * everything in it (SQLite's -wal and -shm files included).
 */
#ifndef CONCORD_TESTS_LIB_TMPDIR_H
#define CONCORD_TESTS_LIB_TMPDIR_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Make /tmp/<prefix>XXXXXX into out; returns 0, -1 on failure. */
static inline int tmpdir_make(char out[PATH_MAX], const char *prefix)
{
    snprintf(out, PATH_MAX, "/tmp/%sXXXXXX", prefix);
    return mkdtemp(out) ? 0 : -1;
}

/* Remove dir and its contents (recursively, links not followed); 0 or -1. */
static inline int tmpdir_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int r = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[PATH_MAX];
        struct stat st;
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path)) {
            r = -1;
            continue;
        }
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            r |= tmpdir_remove(path);
        else
            r |= remove(path);
    }
    closedir(d);
    return r | rmdir(dir);
}

/* dir + "/" + name into out; returns 0, -1 when it does not fit. */
static inline int tmpdir_path(char out[PATH_MAX], const char *dir, const char *name)
{
    size_t d = strlen(dir), n = strlen(name);
    if (d + 1 + n >= PATH_MAX)
        return -1;
    memcpy(out, dir, d);
    out[d] = '/';
    memcpy(out + d + 1, name, n + 1);
    return 0;
}

#endif
