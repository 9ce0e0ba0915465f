/* Foundation: status sentences, tensors (shape, strides, reshape, copy, bad input),
 * the counter-based RNG (values, determinism under threads), thread and ISA settings. */
#include <omp.h>
#include <string.h>

#include "check.h"
#include "simd/cpu.h"

static void test_tensor(void) {
    mcdl_tensor *t = NULL;
    CHECK_OK(mcdl_tensor_create(&t, 3, (int64_t[]){2, 3, 4}));
    CHECK(mcdl_tensor_numel(t) == 24, "numel");
    CHECK(((uintptr_t)mcdl_tensor_data(t) % 64) == 0, "64-byte alignment");
    CHECK(mcdl_tensor_strides(t)[0] == 12 && mcdl_tensor_strides(t)[2] == 1, "strides");
    CHECK(mcdl_tensor_dim(t, -1) == 4 && mcdl_tensor_dim(t, 3) == -1, "dim");
    CHECK(mcdl_tensor_data(t)[23] == 0.0f, "zero-filled");
    CHECK_OK(mcdl_tensor_set(t, (int64_t[]){1, 2, 3}, 5.0f));
    CHECK(mcdl_tensor_data(t)[23] == 5.0f, "set");
    float v = 0;
    CHECK_STATUS(mcdl_tensor_get(t, (int64_t[]){1, 3, 0}, &v), MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "axis 1") != NULL, "error names the axis: %s",
          mcdl_last_error());
    CHECK_OK(mcdl_tensor_reshape(t, 2, (int64_t[]){-1, 6}));
    CHECK(mcdl_tensor_dim(t, 0) == 4, "inferred dim");
    CHECK_STATUS(mcdl_tensor_reshape(t, 2, (int64_t[]){5, 5}), MCDL_ERR_SHAPE);
    CHECK(strstr(mcdl_last_error(), "(4, 6)") && strstr(mcdl_last_error(), "(5, 5)"),
          "reshape error names both shapes: %s", mcdl_last_error());

    /* strided view: the transpose of a 2x3 matrix */
    float m[6] = {0, 1, 2, 3, 4, 5};
    mcdl_tensor *view = NULL, *dst = NULL;
    CHECK_OK(mcdl_tensor_wrap(&view, m, 2, (int64_t[]){3, 2}, (int64_t[]){1, 3}));
    CHECK(!mcdl_tensor_is_contiguous(view), "view is strided");
    CHECK_OK(mcdl_tensor_create(&dst, 2, (int64_t[]){3, 2}));
    CHECK_OK(mcdl_tensor_copy(dst, view));
    const float want[6] = {0, 3, 1, 4, 2, 5};
    CHECK(memcmp(mcdl_tensor_data(dst), want, sizeof want) == 0, "strided copy");
    CHECK_STATUS(mcdl_tensor_copy(t, view), MCDL_ERR_SHAPE);
    mcdl_tensor_destroy(view);
    mcdl_tensor_destroy(dst);
    mcdl_tensor_destroy(t);
    mcdl_tensor_destroy(NULL);

    mcdl_tensor *bad = (mcdl_tensor *)1;
    CHECK_STATUS(mcdl_tensor_create(&bad, 7, (int64_t[]){1, 1, 1, 1, 1, 1, 1}), MCDL_ERR_ARG);
    CHECK(bad == NULL, "out cleared on error");
    CHECK_STATUS(mcdl_tensor_create(&bad, 2, (int64_t[]){3, -1}), MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "negative") != NULL, "%s", mcdl_last_error());
    CHECK_STATUS(mcdl_tensor_create(&bad, 3, (int64_t[]){INT64_MAX / 2, 4, 4}), MCDL_ERR_NOMEM);
    CHECK_STATUS(mcdl_tensor_create(NULL, 1, (int64_t[]){1}), MCDL_ERR_ARG);
    CHECK_STATUS(mcdl_tensor_wrap(&bad, NULL, 1, (int64_t[]){4}, NULL), MCDL_ERR_ARG);
    CHECK_OK(mcdl_tensor_create(&t, 0, NULL));
    CHECK(mcdl_tensor_numel(t) == 1, "scalar has one element");
    mcdl_tensor_destroy(t);
}

static void test_rng(void) {
    /* Philox4x32-10 known-answer test (Random123 kat_vectors: counter 0, key 0). */
    uint32_t w[4];
    mcdl_philox4x32(0, 0, 0, w);
    CHECK(w[0] == 0x6627e8d5u && w[1] == 0xe169c58du && w[2] == 0xbc57ac4cu && w[3] == 0x9b00dbd8u,
          "philox KAT zero: %08x %08x %08x %08x", w[0], w[1], w[2], w[3]);
    /* Random123 kat: ctr {243f6a88 85a308d3 13198a2e 03707344}, key {a4093822 299f31d0} */
    mcdl_philox4x32(0x299f31d0a4093822ull, 0x0370734413198a2eull, 0x85a308d3243f6a88ull, w);
    CHECK(w[0] == 0xd16cfe09u && w[1] == 0x94fdccebu && w[2] == 0x5001e420u && w[3] == 0x24126ea1u,
          "philox KAT pi: %08x %08x %08x %08x", w[0], w[1], w[2], w[3]);

    enum { N = 200000 };
    static float a[N], b[N];
    omp_set_num_threads(1);
    mcdl_rng_fill_uniform(7, 3, 0, a, N, -2.0f, 2.0f);
    omp_set_num_threads(2);
    mcdl_rng_fill_uniform(7, 3, 0, b, N, -2.0f, 2.0f);
    CHECK(memcmp(a, b, sizeof a) == 0, "uniform identical for 1 and 2 threads");
    double mean = 0, lo = 1e9, hi = -1e9;
    for (int i = 0; i < N; i++) {
        mean += a[i];
        lo = a[i] < lo ? a[i] : lo;
        hi = a[i] > hi ? a[i] : hi;
    }
    mean /= N;
    CHECK_NEAR(mean, 0.0, 0.02);
    CHECK(lo >= -2.0 && hi < 2.0 && lo < -1.99 && hi > 1.99, "range [%g, %g]", lo, hi);
    /* an offset continues the same stream */
    mcdl_rng_fill_uniform(7, 3, 100, b, 10, -2.0f, 2.0f);
    CHECK(memcmp(a + 100, b, 10 * sizeof(float)) == 0, "offset addresses the same elements");
    mcdl_rng_fill_uniform(8, 3, 0, b, 10, -2.0f, 2.0f);
    CHECK(memcmp(a, b, 10 * sizeof(float)) != 0, "another seed differs");

    mcdl_rng_fill_normal(11, 0, 0, a, N, 1.0f, 2.0f);
    double m = 0, v = 0;
    for (int i = 0; i < N; i++) m += a[i];
    m /= N;
    for (int i = 0; i < N; i++) v += (a[i] - m) * (a[i] - m);
    v /= N;
    CHECK_NEAR(m, 1.0, 0.03);
    CHECK_NEAR(sqrt(v), 2.0, 0.03);
    int counts[5] = {0};
    for (int i = 0; i < 50000; i++) counts[mcdl_rng_below(1, 2, (uint64_t)i, 5)]++;
    for (int k = 0; k < 5; k++)
        CHECK(abs(counts[k] - 10000) < 500, "below(5) bucket %d: %d", k, counts[k]);
}

static void test_runtime(void) {
    CHECK_STATUS(mcdl_set_num_threads(0), MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "at least 1") != NULL, "%s", mcdl_last_error());
    CHECK_OK(mcdl_set_num_threads(2));
    CHECK(mcdl_get_num_threads() == 2, "threads set");
    CHECK_STATUS(mcdl_set_isa("sse9"), MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "sse9") != NULL, "%s", mcdl_last_error());
#if defined(__x86_64__)
    CHECK_STATUS(mcdl_set_isa("neon"), MCDL_ERR_UNSUPPORTED);
#else
    CHECK_STATUS(mcdl_set_isa("avx2"), MCDL_ERR_UNSUPPORTED);
#endif
    const char *before = mcdl_active_isa();
    CHECK_OK(mcdl_set_isa("ref"));
    CHECK(strcmp(mcdl_active_isa(), "ref") == 0, "forced ref");
    CHECK_OK(mcdl_set_isa(mcdl_isa_name(mcdl_cpu_best_isa())));
    CHECK(strcmp(mcdl_active_isa(), before) == 0 || getenv("MCDL_ISA"), "restored best path");
    CHECK(strcmp(mcdl_status_name(MCDL_ERR_SHAPE), "MCDL_ERR_SHAPE") == 0, "status names");
    CHECK_STATUS(mcdl_vexp(NULL, NULL, 5), MCDL_ERR_ARG);
    CHECK_STATUS(mcdl_vexp(NULL, NULL, -1), MCDL_ERR_ARG);
    float x[5] = {0, 1, -1, 2, 0.5f}, y[5];
    CHECK_OK(mcdl_vexp(x, y, 5));
    CHECK_NEAR(y[1], exp(1.0), 1e-6);
    CHECK(MCDL_VERSION >= 100, "version macro");
}

int main(void) {
    test_tensor();
    test_rng();
    test_runtime();
    return check_finish();
}
