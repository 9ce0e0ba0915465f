/* .npz archives: np.savez (stored) and np.savez_compressed (deflate) fixtures, keys with '/'
 * (Keras variable paths), every damage (CRC, truncation, not a zip, foreign or damaged
 * entries), missing keys, and bitwise round trips of both kinds of archive. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fixtures.h"
#include "mcdl/npy.h"

#ifndef MCDL_WITH_FILES
int main(void) {
    printf("skipped: built without MCDL_WITH_FILES (libzip)\n");
    return 77;
}
#else

static void check_weights_archive(const char *name) {
    mcdl_npz *z = NULL;
    CHECK_OK(mcdl_npz_load(fixture(name), &z));
    if (!z) return;
    CHECK(mcdl_npz_count(z) == 3, "%s: %lld arrays, want 3", name, (long long)mcdl_npz_count(z));
    CHECK(mcdl_npz_name(z, 0) && !strcmp(mcdl_npz_name(z, 0), "dense/kernel"), "%s: first key",
          name);
    CHECK(mcdl_npz_name(z, 3) == NULL, "%s: key past the end", name);
    const mcdl_tensor *k = NULL, *b = NULL, *l = NULL;
    CHECK_OK(mcdl_npz_find(z, "dense/kernel", &k));
    CHECK_OK(mcdl_npz_find(z, "dense/bias", &b));
    CHECK_OK(mcdl_npz_find(z, "labels", &l));
    if (k && b && l) {
        CHECK(mcdl_tensor_rank(k) == 2 && mcdl_tensor_dim(k, 0) == 3 && mcdl_tensor_dim(k, 1) == 2,
              "%s: kernel shape", name);
        for (int i = 0; i < 6; i++)
            CHECK(mcdl_tensor_data(k)[i] == (float)(i + 1), "%s: kernel[%d]", name, i);
        CHECK(mcdl_tensor_data(b)[0] == 0.5f && mcdl_tensor_data(b)[1] == -0.5f, "%s: bias", name);
        CHECK(mcdl_tensor_data(l)[0] == 2 && mcdl_tensor_data(l)[1] == 0 &&
                  mcdl_tensor_data(l)[2] == 1,
              "%s: int64 labels", name);
    }
    const mcdl_tensor *none = (const mcdl_tensor *)1;
    CHECK_STATUS(mcdl_npz_find(z, "dense_1/kernel", &none), MCDL_ERR_ARG);
    CHECK(none == NULL && strstr(mcdl_last_error(), "'dense_1/kernel'"), "missing key sentence: %s",
          mcdl_last_error());
    CHECK(mcdl_npz_get(z, "nope") == NULL, "get of a missing key");
    mcdl_npz_destroy(z);
}

static void check_bad(const char *name, const char *words) {
    mcdl_npz *z = (mcdl_npz *)1;
    mcdl_status s = mcdl_npz_load(fixture(name), &z);
    CHECK(s == MCDL_ERR_FORMAT, "%s: got %s (%s)", name, mcdl_status_name(s), mcdl_last_error());
    CHECK(z == NULL, "%s: output not cleared", name);
    CHECK(strstr(mcdl_last_error(), name) != NULL, "%s: sentence does not name the file: %s", name,
          mcdl_last_error());
    CHECK(strstr(mcdl_last_error(), words) != NULL, "%s: sentence lacks '%s': %s", name, words,
          mcdl_last_error());
}

static void test_damage(void) {
    check_bad("bad_crc.npz", "CRC");
    check_bad("bad_crc.npz", "dense/kernel.npy");
    check_bad("bad_truncated.npz", "zip");
    check_bad("bad_notzip.npz", "not a readable zip archive");
    check_bad("bad_non_npy_entry.npz", "'readme.txt' is not an .npy array");
    check_bad("bad_entry_damaged.npz", "x.npy' is truncated");
    check_bad("bad_entry_fortran.npz", "Fortran-ordered arrays are not supported");
    check_bad("bad_empty.npy", "not a zip archive");
    mcdl_npz *z = NULL;
    CHECK_STATUS(mcdl_npz_load(fixture("missing.npz"), &z), MCDL_ERR_IO);
    CHECK_OK(mcdl_npz_load(fixture("empty.npz"), &z));
    CHECK(z && mcdl_npz_count(z) == 0, "empty archive");
    mcdl_npz_destroy(z);
}

/* Every prefix of a good archive is rejected cleanly. */
static void test_every_truncation(void) {
    FILE *f = fopen(fixture("weights_deflate.npz"), "rb");
    unsigned char buf[4096];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    CHECK(n > 100 && n < sizeof buf, "fixture size %zu", n);
    int rejected = 0;
    for (size_t len = 0; len < n; len++) {
        mcdl_npz *z = NULL;
        mcdl_status s = mcdl_npz_load_mem(buf, len, "prefix", &z);
        rejected += s == MCDL_ERR_FORMAT && z == NULL;
        mcdl_npz_destroy(z);
    }
    CHECK(rejected == (int)n, "only %d of %zu prefixes rejected", rejected, n);
    mcdl_npz *z = NULL;
    CHECK_OK(mcdl_npz_load_mem(buf, n, "whole", &z));
    mcdl_npz_destroy(z);
}

static void test_round_trip(bool compressed) {
    mcdl_npz *z = NULL, *back = NULL;
    CHECK_OK(mcdl_npz_create(&z));
    mcdl_tensor *a, *b;
    CHECK_OK(mcdl_tensor_create(&a, 3, (int64_t[]){4, 5, 6}));
    CHECK_OK(mcdl_tensor_create(&b, 1, (int64_t[]){1000})); /* zeros: compresses well */
    for (int i = 0; i < 120; i++) mcdl_tensor_data(a)[i] = (float)i * 0.37f - 11.0f;
    CHECK_OK(mcdl_npz_add(z, "lstm/lstm_cell/kernel", a));
    CHECK_OK(mcdl_npz_add(z, "zeros", b));
    CHECK_OK(mcdl_npz_add(z, "lstm/lstm_cell/kernel", a)); /* replaces, does not duplicate */
    mcdl_tensor_data(a)[0] = 999.0f;                       /* the archive holds a copy */
    CHECK(mcdl_npz_count(z) == 2, "count %lld after replace", (long long)mcdl_npz_count(z));
    const char *path = tmp_path(compressed ? "c.npz" : "s.npz");
    CHECK_OK(mcdl_npz_save(z, path, compressed));
    CHECK_OK(mcdl_npz_load(path, &back));
    if (back) {
        CHECK(mcdl_npz_count(back) == 2, "loaded count");
        for (int64_t i = 0; i < 2; i++) {
            const mcdl_tensor *x = mcdl_npz_get(z, mcdl_npz_name(z, i));
            const mcdl_tensor *y = mcdl_npz_get(back, mcdl_npz_name(z, i));
            CHECK(y && mcdl_tensor_numel(x) == mcdl_tensor_numel(y) &&
                      mcdl_tensor_rank(x) == mcdl_tensor_rank(y) &&
                      !memcmp(mcdl_tensor_data(x), mcdl_tensor_data(y),
                              (size_t)mcdl_tensor_numel(x) * 4),
                  "array %s differs after the round trip", mcdl_npz_name(z, i));
        }
        CHECK(mcdl_tensor_data(mcdl_npz_get(back, "lstm/lstm_cell/kernel"))[0] == -11.0f,
              "the copy was changed through the caller's tensor");
    }
    FILE *f = fopen(path, "rb");
    long size = 0;
    if (f) fseek(f, 0, SEEK_END), size = ftell(f), fclose(f);
    if (compressed)
        CHECK(size < 1500, "compressed archive is %ld bytes", size);
    else
        CHECK(size > 4000 + 480, "stored archive is %ld bytes", size);
    /* Saving the same contents again gives the same bytes (fixed time stamps). */
    CHECK_OK(mcdl_npz_save(z, tmp_path("again.npz"), compressed));
    FILE *f1 = fopen(path, "rb"), *f2 = fopen(tmp_path("again.npz"), "rb");
    bool same = f1 && f2;
    while (same) {
        int c1 = fgetc(f1), c2 = fgetc(f2);
        if (c1 != c2) same = false;
        if (c1 == EOF || c2 == EOF) break;
    }
    if (f1) fclose(f1);
    if (f2) fclose(f2);
    CHECK(same, "two saves of the same archive differ");
    unlink(tmp_path("again.npz"));
    unlink(path);
    mcdl_npz_destroy(back);
    mcdl_npz_destroy(z);
    mcdl_tensor_destroy(a);
    mcdl_tensor_destroy(b);
}

static void test_empty_save(void) {
    mcdl_npz *z = NULL, *back = NULL;
    CHECK_OK(mcdl_npz_create(&z));
    CHECK_OK(mcdl_npz_save(z, tmp_path("e.npz"), false));
    CHECK_OK(mcdl_npz_load(tmp_path("e.npz"), &back));
    CHECK(back && mcdl_npz_count(back) == 0, "empty archive round trip");
    unlink(tmp_path("e.npz"));
    mcdl_npz_destroy(back);
    mcdl_npz_destroy(z);
    CHECK_STATUS(mcdl_npz_add(NULL, "x", NULL), MCDL_ERR_ARG);
}

int main(void) {
    snprintf(g_tmpdir, sizeof g_tmpdir, "/tmp/mcdl_test_npz_XXXXXX");
    if (!mkdtemp(g_tmpdir)) return 1;
    check_weights_archive("weights_stored.npz");
    check_weights_archive("weights_deflate.npz");
    test_damage();
    test_every_truncation();
    test_round_trip(false);
    test_round_trip(true);
    test_empty_save();
    rmdir(g_tmpdir);
    return check_finish();
}
#endif
