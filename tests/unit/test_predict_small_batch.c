/* Small-batch predict: Dense layers whose kernel is split by columns across threads at
 * batch 1-4 (lib/model/dense.c, dense_split_threads) give the same values as a scalar
 * reference and as a large-batch predict (one GEMM), at 1 and 2 threads, for column
 * counts that are and are not multiples of the 16-column split unit, with a softmax
 * (not fused in the GEMM) and a sigmoid (fused) head. Also the input check's fast path:
 * -Inf and NaN anywhere are named, the largest finite floats and denormals pass. And a
 * Conv2D planned on 2 threads then run on 1 (mcdl_set_num_threads after the plan, or the
 * small-work rule): one thread takes fewer, longer im2col chunks, so its workspace is
 * larger (242x34x4 input, 1 filter: 227 rows on one thread, 2 x 57 on two); the plan
 * must hold it (ASan in tools/check sees an overrun here). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { IN = 600, H = 250, OUT = 530, N = 5 };

static const float *weight(const mcdl_model *m, int i) {
    mcdl_weight_info info;
    CHECK_OK(mcdl_model_weight(m, i, &info));
    return mcdl_tensor_data(info.value);
}

/* y = act(x W + b), act: 0 relu, 1 sigmoid, 2 softmax; double accumulation. */
static void dense_ref(const float *x, const float *W, const float *b, int K, int n, int act,
                      float *y) {
    double s = 0, mx = -INFINITY;
    double *z = malloc(sizeof(double) * (size_t)n);
    for (int j = 0; j < n; j++) {
        double acc = b[j];
        for (int k = 0; k < K; k++) acc += (double)x[k] * W[(size_t)k * (size_t)n + (size_t)j];
        z[j] = act == 0 ? (acc > 0 ? acc : 0) : act == 1 ? 1 / (1 + exp(-acc)) : acc;
        if (z[j] > mx) mx = z[j];
    }
    if (act == 2) {
        for (int j = 0; j < n; j++) s += exp(z[j] - mx);
        for (int j = 0; j < n; j++) z[j] = exp(z[j] - mx) / s;
    }
    for (int j = 0; j < n; j++) y[j] = (float)z[j];
    free(z);
}

static void run(mcdl_activation_id head, int head_act) {
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_sequential_create(&m, 11, &(mcdl_input_opts){.shape = {IN}}, "split"));
    if (!m) return;
    mcdl_graph *g = mcdl_model_graph(m);
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = H, .activation = MCDL_RELU})));
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = OUT, .activation = head})));
    mcdl_tensor *x = NULL;
    CHECK_OK(mcdl_tensor_create(&x, 2, (int64_t[]){N, IN}));
    float *xd = mcdl_tensor_data(x);
    for (int i = 0; i < N * IN; i++) xd[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
    mcdl_tensor *full = NULL;
    CHECK_OK(mcdl_model_predict(m, 1, (const mcdl_tensor *const *)&x,
                                &(mcdl_predict_opts){.batch_size = N}, 1, &full));
    float *h = malloc(sizeof(float) * H), *want = malloc(sizeof(float) * OUT);
    for (int threads = 1; threads <= 2; threads++) {
        CHECK_OK(mcdl_set_num_threads(threads));
        for (int bs = 1; bs <= 4; bs += 3) {
            mcdl_tensor *y = NULL;
            CHECK_OK(mcdl_model_predict(m, 1, (const mcdl_tensor *const *)&x,
                                        &(mcdl_predict_opts){.batch_size = bs}, 1, &y));
            if (!y || !full) continue;
            const float *yd = mcdl_tensor_data(y), *fd = mcdl_tensor_data(full);
            double worst_ref = 0, worst_full = 0;
            for (int r = 0; r < N; r++) {
                dense_ref(xd + r * IN, weight(m, 0), weight(m, 1), IN, H, 0, h);
                dense_ref(h, weight(m, 2), weight(m, 3), H, OUT, head_act, want);
                for (int j = 0; j < OUT; j++) {
                    const double e = fabs(yd[r * OUT + j] - want[j]);
                    const double f = fabs(yd[r * OUT + j] - fd[r * OUT + j]);
                    if (e > worst_ref) worst_ref = e;
                    if (f > worst_full) worst_full = f;
                }
            }
            /* |x| <= 1, glorot weights |w| <= sqrt(6/(IN+H)): float sums of IN and H terms
             * stay within ~1e-5 of the double reference; outputs are in [0, 1]. */
            CHECK(worst_ref < 2e-5, "head %d threads %d batch %d: max error vs reference %g",
                  head_act, threads, bs, worst_ref);
            CHECK(worst_full < 2e-5, "head %d threads %d batch %d: max diff vs batch %d: %g",
                  head_act, threads, bs, N, worst_full);
            mcdl_tensor_destroy(y);
        }
    }
    free(h);
    free(want);
    mcdl_tensor_destroy(full);
    mcdl_tensor_destroy(x);
    mcdl_model_destroy(m);
}

static void finite_check(void) {
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_sequential_create(&m, 3, &(mcdl_input_opts){.shape = {37}}, "finite"));
    if (!m) return;
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_dense_layer(mcdl_model_graph(m), &(mcdl_dense_opts){.units = 2})));
    mcdl_tensor *x = NULL, *y = NULL;
    CHECK_OK(mcdl_tensor_create(&x, 2, (int64_t[]){3, 37}));
    float *d = mcdl_tensor_data(x);
    for (int i = 0; i < 3 * 37; i++) d[i] = i % 2 ? 3.4028235e38f : -1.0e-45f;
    CHECK_OK(mcdl_model_predict(m, 1, (const mcdl_tensor *const *)&x, NULL, 1, &y));
    mcdl_tensor_destroy(y);
    y = NULL;
    const float bad[2] = {-INFINITY, NAN};
    const char *name[2] = {"Inf", "NaN"};
    for (int k = 0; k < 2; k++) {
        d[2 * 37 + 36] = bad[k];
        CHECK_STATUS(mcdl_model_predict(m, 1, (const mcdl_tensor *const *)&x, NULL, 1, &y),
                     MCDL_ERR_NUMERIC);
        CHECK(strstr(mcdl_last_error(), name[k]) && strstr(mcdl_last_error(), "(2, 36)"),
              "sentence: %s", mcdl_last_error());
        CHECK(y == NULL, "no output on error");
    }
    mcdl_tensor_destroy(x);
    mcdl_model_destroy(m);
}

static void conv_fewer_threads(void) {
    enum { H = 242, W = 34, C = 4, OH = H - 2, OW = W - 2 };
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_sequential_create(&m, 5, &(mcdl_input_opts){.shape = {H, W, C}}, "conv1"));
    if (!m) return;
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_conv2d_layer(mcdl_model_graph(m),
                             &(mcdl_conv_opts){.filters = 1, .kernel_size = {3, 3}})));
    mcdl_tensor *x = NULL;
    CHECK_OK(mcdl_tensor_create(&x, 4, (int64_t[]){1, H, W, C}));
    float *xd = mcdl_tensor_data(x);
    for (int i = 0; i < H * W * C; i++) xd[i] = (float)((i * 29) % 97) / 48.0f - 1.0f;
    const float *k = weight(m, 0), *b = weight(m, 1);
    for (int threads = 2; threads >= 1; threads--) {
        CHECK_OK(mcdl_set_num_threads(threads));
        mcdl_tensor *y = NULL;
        CHECK_OK(mcdl_model_predict(m, 1, (const mcdl_tensor *const *)&x, NULL, 1, &y));
        if (!y) continue;
        const float *yd = mcdl_tensor_data(y);
        double worst = 0;
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++) {
                double acc = b[0];
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++)
                        for (int c = 0; c < C; c++)
                            acc += (double)xd[((oh + i) * W + ow + j) * C + c] *
                                   k[(i * 3 + j) * C + c];
                const double e = fabs(yd[oh * OW + ow] - acc);
                if (e > worst) worst = e;
            }
        /* 36 products of |x| <= 1 and |w| <= sqrt(6/(36+9)) in float: ~1e-6 */
        CHECK(worst < 1e-5, "conv on %d thread(s) after a 2-thread plan: max error %g", threads,
              worst);
        mcdl_tensor_destroy(y);
    }
    mcdl_tensor_destroy(x);
    mcdl_model_destroy(m);
}

int main(void) {
    conv_fewer_threads();
    finite_check();
    run(MCDL_SIGMOID, 1);
    run(MCDL_SOFTMAX, 2);
    return check_finish();
}
