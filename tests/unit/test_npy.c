/* .npy reader/writer: every dtype and format version of the fixtures (tests/data, written by
 * tests/data/make_fixtures.py exactly as numpy.lib.format does), every damaged file, every
 * truncation of a good file, atomic writes and bitwise round trips. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fixtures.h"
#include "mcdl/npy.h"

static bool shape_is(const mcdl_tensor *t, int rank, const int64_t *shape) {
    if (mcdl_tensor_rank(t) != rank) return false;
    for (int i = 0; i < rank; i++)
        if (mcdl_tensor_shape(t)[i] != shape[i]) return false;
    return true;
}

static void check_values(const char *name, int rank, const int64_t *shape, const float *want,
                         int64_t n) {
    mcdl_tensor *t = NULL;
    CHECK_OK(mcdl_npy_load(fixture(name), &t));
    if (!t) return;
    CHECK(shape_is(t, rank, shape), "%s: wrong shape", name);
    CHECK(mcdl_tensor_numel(t) == n, "%s: %lld elements, want %lld", name,
          (long long)mcdl_tensor_numel(t), (long long)n);
    for (int64_t i = 0; i < n && i < mcdl_tensor_numel(t); i++)
        CHECK(mcdl_tensor_data(t)[i] == want[i], "%s[%lld] = %.9g, want %.9g", name, (long long)i,
              mcdl_tensor_data(t)[i], want[i]);
    mcdl_tensor_destroy(t);
}

static void test_good_files(void) {
    check_values("f4_2x3.npy", 2, (int64_t[]){2, 3}, (float[]){0.5f, -1.25f, 3, 1e-3f, 7, -8}, 6);
    check_values("f8_3.npy", 1, (int64_t[]){3}, (float[]){(float)(1.0 / 3.0), -2.5f, 1e10f}, 3);
    check_values("i4_4.npy", 1, (int64_t[]){4}, (float[]){0, 1, -2, 16777216.0f}, 4);
    check_values("i8_2x2.npy", 2, (int64_t[]){2, 2}, (float[]){0, 9, 3, -4}, 4);
    check_values("u1_5.npy", 1, (int64_t[]){5}, (float[]){0, 1, 2, 254, 255}, 5);
    check_values("b1_3.npy", 1, (int64_t[]){3}, (float[]){1, 0, 1}, 3);
    check_values("f4_be_2.npy", 1, (int64_t[]){2}, (float[]){1.5f, -2.0f}, 2);
    check_values("f4_scalar.npy", 0, NULL, (float[]){42.0f}, 1);
    check_values("f4_empty_0x3.npy", 2, (int64_t[]){0, 3}, NULL, 0);
    check_values("f4_v2.npy", 1, (int64_t[]){2}, (float[]){1.0f, 2.0f}, 2);
    check_values("f4_v3.npy", 1, (int64_t[]){2}, (float[]){3.0f, 4.0f}, 2);
}

/* Loads a damaged fixture and checks the status and that the sentence names the file and
 * contains the expected words. */
static void check_bad(const char *name, mcdl_status want, const char *words) {
    mcdl_tensor *t = (mcdl_tensor *)1;
    mcdl_status s = mcdl_npy_load(fixture(name), &t);
    CHECK(s == want, "%s: got %s, want %s (%s)", name, mcdl_status_name(s), mcdl_status_name(want),
          mcdl_last_error());
    CHECK(t == NULL, "%s: output not cleared on failure", name);
    CHECK(strstr(mcdl_last_error(), name) != NULL, "%s: sentence does not name the file: %s", name,
          mcdl_last_error());
    CHECK(strstr(mcdl_last_error(), words) != NULL, "%s: sentence lacks '%s': %s", name, words,
          mcdl_last_error());
}

static void test_bad_files(void) {
    check_bad("bad_magic.npy", MCDL_ERR_FORMAT, "bad magic");
    check_bad("bad_trunc_header.npy", MCDL_ERR_FORMAT, "truncated");
    check_bad("bad_trunc_data.npy", MCDL_ERR_FORMAT, "truncated: shape (2, 3) needs 24 data bytes");
    check_bad("bad_size_mismatch.npy", MCDL_ERR_FORMAT, "does not match");
    check_bad("bad_fortran.npy", MCDL_ERR_FORMAT, "Fortran-ordered arrays are not supported");
    check_bad("bad_object.npy", MCDL_ERR_FORMAT, "object arrays are not supported");
    check_bad("bad_structured.npy", MCDL_ERR_UNSUPPORTED, "structured");
    check_bad("bad_i8_big.npy", MCDL_ERR_FORMAT, "16777217 at index (1, 1)");
    check_bad("bad_shape_overflow.npy", MCDL_ERR_FORMAT, "overflows");
    check_bad("bad_rank7.npy", MCDL_ERR_UNSUPPORTED, "rank 7");
    check_bad("bad_version.npy", MCDL_ERR_FORMAT, "version 4.0");
    check_bad("bad_header_syntax.npy", MCDL_ERR_FORMAT, "shape");
    check_bad("bad_dtype_str.npy", MCDL_ERR_UNSUPPORTED, "'<U3'");
    check_bad("bad_empty.npy", MCDL_ERR_FORMAT, "not an .npy file");
    check_bad("no_such_file.npy", MCDL_ERR_IO, "cannot open");
}

/* Every strict prefix of a good file must be rejected as a format error, never crash. */
static void test_every_truncation(void) {
    const char *names[] = {"f4_2x3.npy", "f4_v2.npy", "i8_2x2.npy", "f4_scalar.npy"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        FILE *f = fopen(fixture(names[k]), "rb");
        CHECK(f != NULL, "open %s", names[k]);
        if (!f) continue;
        unsigned char buf[512];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        int failures_ok = 0;
        for (size_t len = 0; len < n; len++) {
            mcdl_tensor *t = NULL;
            mcdl_status s = mcdl_npy_load_mem(buf, len, names[k], &t);
            failures_ok += s == MCDL_ERR_FORMAT && t == NULL;
        }
        CHECK(failures_ok == (int)n, "%s: only %d of %zu prefixes were rejected", names[k],
              failures_ok, n);
    }
}

/* The same through files (mcdl_npy_load streams the header and then the data straight into
 * the tensor, a different code path from the in-memory parser). */
static void test_every_file_truncation(void) {
    const char *names[] = {"f4_2x3.npy", "f4_v3.npy", "f8_3.npy"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        FILE *f = fopen(fixture(names[k]), "rb");
        unsigned char buf[512];
        size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f) fclose(f);
        int rejected = 0;
        for (size_t len = 0; len < n; len++) {
            FILE *g = fopen(tmp_path("prefix.npy"), "wb");
            if (g) fwrite(buf, 1, len, g), fclose(g);
            mcdl_tensor *t = NULL;
            mcdl_status s = mcdl_npy_load(tmp_path("prefix.npy"), &t);
            rejected += s == MCDL_ERR_FORMAT && t == NULL;
            mcdl_tensor_destroy(t);
        }
        CHECK(rejected == (int)n, "%s: only %d of %zu file prefixes were rejected", names[k],
              rejected, n);
    }
    unlink(tmp_path("prefix.npy"));
}

/* Single-byte damage anywhere in the header must give OK or a clean error (no crash and,
 * under the sanitizer preset, no out-of-bounds read). */
static void test_header_byte_flips(void) {
    FILE *f = fopen(fixture("f4_2x3.npy"), "rb");
    unsigned char buf[256];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    int clean = 0, total = 0;
    for (size_t pos = 0; pos < 64; pos++) {
        for (int bit = 0; bit < 8; bit++) {
            unsigned char copy[256];
            memcpy(copy, buf, n);
            copy[pos] ^= (unsigned char)(1u << bit);
            mcdl_tensor *t = NULL;
            mcdl_status s = mcdl_npy_load_mem(copy, n, "flip", &t);
            total++;
            clean += (s == MCDL_OK) == (t != NULL);
            mcdl_tensor_destroy(t);
        }
    }
    CHECK(clean == total, "%d of %d flips left an inconsistent result", total - clean, total);
}

static void fill_pattern(mcdl_tensor *t) {
    float *d = mcdl_tensor_data(t);
    for (int64_t i = 0; i < mcdl_tensor_numel(t); i++) d[i] = (float)((i * 37) % 101) / 7.0f - 5.0f;
}

static bool bitwise_equal(const mcdl_tensor *a, const mcdl_tensor *b) {
    if (mcdl_tensor_rank(a) != mcdl_tensor_rank(b) || mcdl_tensor_numel(a) != mcdl_tensor_numel(b))
        return false;
    for (int i = 0; i < mcdl_tensor_rank(a); i++)
        if (mcdl_tensor_shape(a)[i] != mcdl_tensor_shape(b)[i]) return false;
    return memcmp(mcdl_tensor_data(a), mcdl_tensor_data(b),
                  (size_t)mcdl_tensor_numel(a) * sizeof(float)) == 0;
}

static void test_round_trip(void) {
    static const int64_t shapes[][4] = {{2, 3, 4, 0}, {7, 0, 0, 0}, {1, 1, 1, 1}};
    static const int ranks[] = {3, 1, 4};
    for (int k = 0; k < 3; k++) {
        mcdl_tensor *t = NULL, *back = NULL;
        CHECK_OK(mcdl_tensor_create(&t, ranks[k], shapes[k]));
        fill_pattern(t);
        CHECK_OK(mcdl_npy_save(tmp_path("rt.npy"), t));
        CHECK_OK(mcdl_npy_load(tmp_path("rt.npy"), &back));
        CHECK(back && bitwise_equal(t, back), "round trip %d differs", k);
        mcdl_tensor_destroy(back);
        mcdl_tensor_destroy(t);
    }
    /* The header is numpy's, byte for byte, and the data starts on a 64-byte boundary. */
    mcdl_tensor *t;
    CHECK_OK(mcdl_tensor_create(&t, 1, (int64_t[]){3}));
    void *buf = NULL;
    size_t n = 0;
    CHECK_OK(mcdl_npy_save_mem(t, &buf, &n));
    const char *want = "\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fortran_order': False, "
                       "'shape': (3,), }";
    CHECK(n == 128 + 12, "size %zu, want 140", n);
    CHECK(buf && memcmp(buf, want, strlen(want) + 2) == 0, "header text differs from numpy's");
    CHECK(buf && ((char *)buf)[127] == '\n', "header does not end with a newline at byte 127");
    free(buf);
    mcdl_tensor_destroy(t);
    /* A strided view is written in logical (C) order. */
    float base[6] = {1, 2, 3, 4, 5, 6};
    mcdl_tensor *tr, *back = NULL;
    CHECK_OK(mcdl_tensor_wrap(&tr, base, 2, (int64_t[]){3, 2}, (int64_t[]){1, 3}));
    CHECK_OK(mcdl_npy_save(tmp_path("tr.npy"), tr));
    CHECK_OK(mcdl_npy_load(tmp_path("tr.npy"), &back));
    const float want_tr[6] = {1, 4, 2, 5, 3, 6};
    CHECK(back && memcmp(mcdl_tensor_data(back), want_tr, sizeof want_tr) == 0,
          "transposed view saved out of order");
    mcdl_tensor_destroy(back);
    mcdl_tensor_destroy(tr);
}

static int count_temp_files(void) {
    DIR *d = opendir(g_tmpdir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp-")) n++;
    if (d) closedir(d);
    return n;
}

static void test_atomic_write(void) {
    mcdl_tensor *a, *b, *back = NULL;
    CHECK_OK(mcdl_tensor_create(&a, 1, (int64_t[]){4}));
    CHECK_OK(mcdl_tensor_create(&b, 2, (int64_t[]){2, 2}));
    fill_pattern(b);
    CHECK_OK(mcdl_npy_save(tmp_path("atomic.npy"), a));
    CHECK_OK(mcdl_npy_save(tmp_path("atomic.npy"), b)); /* replaces the old file whole */
    CHECK_OK(mcdl_npy_load(tmp_path("atomic.npy"), &back));
    CHECK(back && bitwise_equal(back, b), "overwrite did not replace the file");
    mcdl_tensor_destroy(back);
    CHECK_STATUS(mcdl_npy_save(tmp_path("no/such/dir/x.npy"), a), MCDL_ERR_IO);
    CHECK(strstr(mcdl_last_error(), "no/such/dir/x.npy") != NULL, "sentence: %s",
          mcdl_last_error());
    /* A directory cannot be replaced by rename: the write fails and leaves no temp file. */
    mkdir(tmp_path("adir"), 0755);
    CHECK_STATUS(mcdl_npy_save(tmp_path("adir"), a), MCDL_ERR_IO);
    CHECK(count_temp_files() == 0, "a temporary file was left behind");
    rmdir(tmp_path("adir"));
    mcdl_tensor_destroy(a);
    mcdl_tensor_destroy(b);
}

static void cleanup_tmpdir(void) {
    DIR *d = opendir(g_tmpdir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", g_tmpdir, e->d_name);
        unlink(p);
    }
    if (d) closedir(d);
    rmdir(g_tmpdir);
}

int main(void) {
    snprintf(g_tmpdir, sizeof g_tmpdir, "/tmp/mcdl_test_npy_XXXXXX");
    if (!mkdtemp(g_tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_good_files();
    test_bad_files();
    test_every_truncation();
    test_every_file_truncation();
    test_header_byte_flips();
    test_round_trip();
    test_atomic_write();
    cleanup_tmpdir();
    return check_finish();
}
