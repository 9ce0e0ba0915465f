/* Robustness of the training API: numeric guards (a NaN/Inf loss or gradient stops fit
 * naming layer, epoch and batch; continue_on_nonfinite trains on), the activation memory
 * cap (MCDL_ERR_NOMEM with both figures), API misuse (fit before compile, thread count < 1,
 * a destroyed handle in debug builds), and checkpoint + resume equal to an uninterrupted
 * fit bit for bit (Adam + Dropout + shuffling). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "mcdl/mcdl.h"

static mcdl_tensor *tensor2(int64_t n, int64_t d) {
    mcdl_tensor *t = NULL;
    mcdl_tensor_create(&t, 2, (int64_t[]){n, d});
    return t;
}

/* Dense 8 -> Dropout -> Dense 1 on 4 features; deterministic data. */
static mcdl_model *small_model(bool dropout) {
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_sequential_create(&m, 11, &(mcdl_input_opts){.shape = {4}}, "small"));
    mcdl_graph *g = mcdl_model_graph(m);
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 8, .activation = MCDL_RELU})));
    if (dropout)
        CHECK_OK(
            mcdl_sequential_add(m, mcdl_dropout_layer(g, &(mcdl_dropout_opts){.rate = 0.25f})));
    CHECK_OK(mcdl_sequential_add(m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 1})));
    return m;
}

static void data(mcdl_tensor **x, mcdl_tensor **y, int64_t n) {
    *x = tensor2(n, 4);
    *y = tensor2(n, 1);
    float *xv = mcdl_tensor_data(*x), *yv = mcdl_tensor_data(*y);
    for (int64_t i = 0; i < n; i++) {
        float s = 0;
        for (int j = 0; j < 4; j++) {
            xv[i * 4 + j] = (float)sin((double)(i * 4 + j) * 0.7);
            s += xv[i * 4 + j] * (float)(j + 1);
        }
        yv[i] = s;
    }
}

static mcdl_status fit(mcdl_model *m, mcdl_tensor *x, mcdl_tensor *y, const mcdl_fit_opts *o) {
    return mcdl_model_fit(m, 1, (const mcdl_tensor *const[]){x}, 1, (const mcdl_tensor *const[]){y},
                          o, NULL);
}

static void test_nonfinite_guard(void) {
    mcdl_tensor *x, *y;
    data(&x, &y, 64);
    mcdl_model *m = small_model(false);
    /* SGD with a huge learning rate: the first step blows the weights up, a later loss or
     * gradient overflows float. */
    const mcdl_compile_opts c = {.optimizer = {.kind = MCDL_OPTIMIZER_SGD, .learning_rate = 1e18f},
                                 .loss = MCDL_LOSS_MSE};
    CHECK_OK(mcdl_model_compile(m, &c));
    mcdl_status s = fit(m, x, y, &(mcdl_fit_opts){.epochs = 3, .batch_size = 8, .seed = 1});
    CHECK_STATUS(s, MCDL_ERR_NUMERIC);
    const char *e = mcdl_last_error();
    CHECK(strstr(e, "epoch 1, batch ") && (strstr(e, "the loss became") || strstr(e, "layer '")),
          "guard sentence names the step: %s", e);
    /* The step that went bad did not reach the weights: they are all finite. */
    for (int i = 0; i < mcdl_model_num_weights(m); i++) {
        mcdl_weight_info wi;
        CHECK_OK(mcdl_model_weight(m, i, &wi));
        const float *d = mcdl_tensor_data(wi.value);
        int64_t n = mcdl_tensor_numel(wi.value), bad = 0;
        for (int64_t k = 0; k < n; k++) bad += !isfinite(d[k]);
        CHECK(bad == 0, "weight %s has %lld non-finite values after the guard", wi.path,
              (long long)bad);
    }
    /* continue_on_nonfinite: fit runs to the end. */
    CHECK_OK(mcdl_model_compile(m, &c));
    CHECK_OK(fit(m, x, y,
                 &(mcdl_fit_opts){.epochs = 2, .batch_size = 8, .continue_on_nonfinite = true}));
    mcdl_model_destroy(m);
    /* A NaN in the data is reported with its index before training. */
    mcdl_tensor_data(x)[4 * 5 + 2] = NAN;
    m = small_model(false);
    CHECK_OK(mcdl_model_compile(m, &(mcdl_compile_opts){.loss = MCDL_LOSS_MSE}));
    CHECK_STATUS(fit(m, x, y, NULL), MCDL_ERR_NUMERIC);
    CHECK(strstr(mcdl_last_error(), "NaN") && strstr(mcdl_last_error(), "5, 2"),
          "NaN input sentence: %s", mcdl_last_error());
    mcdl_model_destroy(m);
    mcdl_tensor_destroy(x);
    mcdl_tensor_destroy(y);
}

static void test_memory_cap(void) {
    mcdl_tensor *x, *y;
    data(&x, &y, 64);
    mcdl_model *m = small_model(false);
    CHECK_OK(mcdl_model_compile(m, &(mcdl_compile_opts){.loss = MCDL_LOSS_MSE}));
    CHECK_STATUS(fit(m, x, y, &(mcdl_fit_opts){.batch_size = 64, .max_memory = 1024}),
                 MCDL_ERR_NOMEM);
    CHECK(strstr(mcdl_last_error(), "exceeds the cap of 1.0 KiB") &&
              strstr(mcdl_last_error(), "batch size 64"),
          "cap sentence: %s", mcdl_last_error());
    CHECK_OK(mcdl_set_max_memory(2048));
    CHECK_STATUS(fit(m, x, y, &(mcdl_fit_opts){.batch_size = 64}), MCDL_ERR_NOMEM);
    CHECK(strstr(mcdl_last_error(), "cap of 2.0 KiB"), "global cap: %s", mcdl_last_error());
    CHECK_OK(mcdl_set_max_memory(0));
    CHECK_OK(fit(m, x, y, &(mcdl_fit_opts){.batch_size = 64}));
    CHECK_STATUS(mcdl_set_max_memory(-1), MCDL_ERR_ARG);
    int64_t b = 0;
    CHECK_OK(mcdl_parse_bytes("1.5G", &b));
    CHECK(b == 1610612736, "1.5G = %lld", (long long)b);
    CHECK_STATUS(mcdl_parse_bytes("12Q", &b), MCDL_ERR_ARG);
    mcdl_model_destroy(m);
    mcdl_tensor_destroy(x);
    mcdl_tensor_destroy(y);
}

static void test_misuse(void) {
    mcdl_tensor *x, *y;
    data(&x, &y, 16);
    mcdl_model *m = small_model(false);
    CHECK_STATUS(fit(m, x, y, NULL), MCDL_ERR_STATE);
    CHECK(strstr(mcdl_last_error(), "must be compiled first"), "%s", mcdl_last_error());
    CHECK_STATUS(mcdl_set_num_threads(0), MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "at least 1"), "%s", mcdl_last_error());
    CHECK_STATUS(fit(NULL, x, y, NULL), MCDL_ERR_ARG);
    CHECK_OK(mcdl_model_compile(m, &(mcdl_compile_opts){.loss = MCDL_LOSS_MSE}));
    CHECK_STATUS(fit(m, x, y, &(mcdl_fit_opts){.epochs = 2, .initial_epoch = 3}), MCDL_ERR_ARG);
    mcdl_model_destroy(m);
#ifndef NDEBUG
    /* Debug builds keep a destroyed model's husk: using it is a clear error, and a second
     * destroy is harmless. */
    CHECK_STATUS(fit(m, x, y, NULL), MCDL_ERR_STATE);
    CHECK(strstr(mcdl_last_error(), "already destroyed"), "%s", mcdl_last_error());
    mcdl_tensor *out[1];
    CHECK_STATUS(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){x}, NULL, 1, out),
                 MCDL_ERR_STATE);
    mcdl_model_destroy(m);
#endif
    mcdl_tensor_destroy(x);
    mcdl_tensor_destroy(y);
}

#ifdef MCDL_WITH_FILES
/* All weights of a model, concatenated, for a bitwise comparison. */
static float *weights_of(const mcdl_model *m, int64_t *n) {
    *n = 0;
    for (int i = 0; i < mcdl_model_num_weights(m); i++) {
        mcdl_weight_info wi;
        mcdl_model_weight(m, i, &wi);
        *n += mcdl_tensor_numel(wi.value);
    }
    float *v = malloc((size_t)*n * sizeof *v), *p = v;
    for (int i = 0; v && i < mcdl_model_num_weights(m); i++) {
        mcdl_weight_info wi;
        mcdl_model_weight(m, i, &wi);
        memcpy(p, mcdl_tensor_data(wi.value), (size_t)mcdl_tensor_numel(wi.value) * sizeof *p);
        p += mcdl_tensor_numel(wi.value);
    }
    return v;
}

static void test_checkpoint_resume(void) {
    char dir[] = "/tmp/mcdl_ckpt_XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    mcdl_tensor *x, *y;
    data(&x, &y, 50);
    const mcdl_compile_opts c = {.optimizer = {.kind = MCDL_OPTIMIZER_ADAM}, .loss = MCDL_LOSS_MSE};
    /* Uninterrupted: 5 epochs. */
    mcdl_model *a = small_model(true);
    CHECK_OK(mcdl_model_compile(a, &c));
    CHECK_OK(fit(a, x, y, &(mcdl_fit_opts){.epochs = 5, .batch_size = 8, .seed = 9}));
    /* Interrupted: 3 of 5 epochs with checkpoints every 2 (so at 2 and the run's end, 3),
     * keeping 1, then resume from the newest. */
    mcdl_model *b = small_model(true);
    CHECK_OK(mcdl_model_compile(b, &c));
    const mcdl_checkpoint_opts ck = {.dir = dir, .every = 2, .keep = 1, .epochs = 3};
    CHECK_OK(fit(b, x, y,
                 &(mcdl_fit_opts){.epochs = 3,
                                  .batch_size = 8,
                                  .seed = 9,
                                  .on_epoch_end = mcdl_checkpoint_epoch,
                                  .user = (void *)&ck}));
    mcdl_model_destroy(b);
    char p2[256], p3[256];
    snprintf(p2, sizeof p2, "%s/ckpt-000002.mcdl", dir);
    snprintf(p3, sizeof p3, "%s/ckpt-000003.mcdl", dir);
    CHECK(access(p2, F_OK) != 0 && access(p3, F_OK) == 0, "keep 1 leaves only ckpt-000003");
    mcdl_model *r = NULL;
    int done = -1;
    CHECK_OK(mcdl_checkpoint_load_latest(dir, &r, &done));
    CHECK(done == 3, "resumed after epoch %d", done);
    if (r) {
        CHECK_OK(
            fit(r, x, y,
                &(mcdl_fit_opts){.epochs = 5, .initial_epoch = done, .batch_size = 8, .seed = 9}));
        int64_t na, nr;
        float *wa = weights_of(a, &na), *wr = weights_of(r, &nr);
        CHECK(na == nr && wa && wr && memcmp(wa, wr, (size_t)na * sizeof *wa) == 0,
              "resumed weights equal the uninterrupted run bitwise");
        free(wa);
        free(wr);
        mcdl_model_destroy(r);
    }
    unlink(p3);
    rmdir(dir);
    CHECK_STATUS(mcdl_checkpoint_load_latest(dir, &r, &done), MCDL_ERR_IO);
    mcdl_model_destroy(a);
    mcdl_tensor_destroy(x);
    mcdl_tensor_destroy(y);
}
#endif

int main(void) {
    test_nonfinite_guard();
    test_memory_cap();
    test_misuse();
#ifdef MCDL_WITH_FILES
    test_checkpoint_resume();
#endif
    return check_finish();
}
