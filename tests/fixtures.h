/* Paths for file-format tests: the checked-in fixtures (tests/data, or $MCDL_TEST_DATA) and
 * files in the test's own temporary directory g_tmpdir (the test creates it with mkdtemp).
 * Each call returns one of a few rotating buffers, so two paths can be used in one call. */
#ifndef MCDL_TESTS_FIXTURES_H
#define MCDL_TESTS_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>

static char g_tmpdir[256];

static inline const char *fixture(const char *name) {
    static char buf[4][1024];
    static int k;
    const char *dir = getenv("MCDL_TEST_DATA");
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir ? dir : "tests/data", name);
    return buf[k];
}

static inline const char *tmp_path(const char *name) {
    static char buf[2][1024];
    static int k;
    k = (k + 1) % 2;
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_tmpdir, name);
    return buf[k];
}

#endif
