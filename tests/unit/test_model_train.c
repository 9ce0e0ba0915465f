/* Training end to end: XOR (seed 003 section 5) to 4/4 with SGD, a deterministic 3-class
 * Gaussian set with the Iris seed's Dense 64-64-3 + Adam, history and validation split,
 * bitwise determinism of fit, train_on_batch, and the bad-input errors of fit, evaluate and
 * predict. */
#define _POSIX_C_SOURCE 200809L /* dup, dup2: capture the progress lines */
#include <string.h>
#include <unistd.h>

#include "check.h"

static mcdl_tensor *tensor2(int64_t n, int64_t d, const float *v) {
    mcdl_tensor *t = NULL;
    mcdl_tensor_create(&t, 2, (int64_t[]){n, d});
    if (t && v) memcpy(mcdl_tensor_data(t), v, (size_t)(n * d) * sizeof(float));
    return t;
}

static void test_xor(void) {
    const float xv[] = {0, 0, 0, 1, 1, 0, 1, 1}, yv[] = {0, 1, 1, 0};
    mcdl_tensor *x = tensor2(4, 2, xv), *y = tensor2(4, 1, yv);
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_sequential_create(&m, 3, &(mcdl_input_opts){.shape = {2}}, "xor"));
    mcdl_graph *g = mcdl_model_graph(m);
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 4, .activation = MCDL_TANH})));
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 1, .activation = MCDL_SIGMOID})));
    CHECK_OK(mcdl_model_compile(
        m, &(mcdl_compile_opts){
               .optimizer = {.kind = MCDL_OPTIMIZER_SGD, .learning_rate = 0.5f, .momentum = 0.9f},
               .loss = MCDL_LOSS_BINARY_CROSSENTROPY,
               .metrics = MCDL_METRIC_ACCURACY}));
    mcdl_history *h = NULL;
    CHECK_OK(mcdl_model_fit(m, 1, (const mcdl_tensor *const[]){x}, 1,
                            (const mcdl_tensor *const[]){y},
                            &(mcdl_fit_opts){.epochs = 400, .batch_size = 4}, &h));
    double r[2];
    CHECK_OK(mcdl_model_evaluate(m, 1, (const mcdl_tensor *const[]){x}, 1,
                                 (const mcdl_tensor *const[]){y}, NULL, r, 2));
    CHECK(r[1] == 1.0, "XOR accuracy %g (loss %g)", r[1], r[0]);
    const double *acc = mcdl_history_values(h, "accuracy");
    CHECK(acc && mcdl_history_num_epochs(h) == 400 && acc[399] == 1.0, "history accuracy");
    CHECK(mcdl_history_values(h, "val_loss") == NULL, "no validation keys without validation");
    mcdl_tensor *p[1];
    CHECK_OK(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){x}, NULL, 1, p));
    if (p[0]) {
        for (int i = 0; i < 4; i++)
            CHECK((mcdl_tensor_data(p[0])[i] > 0.5f) == (yv[i] > 0.5f), "xor %d", i);
        mcdl_tensor_destroy(p[0]);
    }
    mcdl_history_destroy(h);
    mcdl_model_destroy(m);
    mcdl_tensor_destroy(x);
    mcdl_tensor_destroy(y);
}

/* 3 Gaussian blobs in 4-D (Iris-sized: 150 samples), class id labels. */
static void blobs(mcdl_tensor **x, mcdl_tensor **y, int64_t n, uint64_t seed) {
    *x = tensor2(n, 4, NULL);
    *y = tensor2(n, 1, NULL);
    float *xd = mcdl_tensor_data(*x), *yd = mcdl_tensor_data(*y);
    mcdl_rng_fill_normal(seed, 0, 0, xd, n * 4, 0.0f, 0.6f);
    static const float centers[3][4] = {{0, 0, 0, 0}, {2, 1, 0, -1}, {-1, 2, 1, 1}};
    for (int64_t i = 0; i < n; i++) {
        const int c = (int)(mcdl_rng_below(seed, 1, (uint64_t)i, 3));
        yd[i] = (float)c;
        for (int k = 0; k < 4; k++) xd[i * 4 + k] += centers[c][k];
    }
}

static mcdl_model *iris_model(uint64_t seed) {
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_sequential_create(&m, seed, &(mcdl_input_opts){.shape = {4}}, "iris"));
    mcdl_graph *g = mcdl_model_graph(m);
    mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 64, .activation = MCDL_RELU}));
    mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 64, .activation = MCDL_RELU}));
    mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 3, .activation = MCDL_SOFTMAX}));
    CHECK_OK(mcdl_model_compile(
        m, &(mcdl_compile_opts){.loss = MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                .metrics = MCDL_METRIC_ACCURACY}));
    return m;
}

static void test_blobs_and_determinism(void) {
    mcdl_tensor *x, *y, *xt, *yt;
    blobs(&x, &y, 105, 11);
    blobs(&xt, &yt, 45, 12);
    mcdl_model *a = iris_model(5), *b = iris_model(5);
    mcdl_history *ha = NULL, *hb = NULL;
    const mcdl_fit_opts fo = {.epochs = 30, .batch_size = 16, .validation_split = 0.2f, .seed = 9};
    CHECK_OK(mcdl_model_fit(a, 1, (const mcdl_tensor *const[]){x}, 1,
                            (const mcdl_tensor *const[]){y}, &fo, &ha));
    CHECK_OK(mcdl_model_fit(b, 1, (const mcdl_tensor *const[]){x}, 1,
                            (const mcdl_tensor *const[]){y}, &fo, &hb));
    double r[2];
    CHECK_OK(mcdl_model_evaluate(a, 1, (const mcdl_tensor *const[]){xt}, 1,
                                 (const mcdl_tensor *const[]){yt}, NULL, r, 2));
    CHECK(r[1] >= 0.93, "3-class test accuracy %g >= 0.93 (loss %g)", r[1], r[0]);
    const double *vl = mcdl_history_values(ha, "val_loss"),
                 *va = mcdl_history_values(ha, "val_accuracy");
    CHECK(vl && va && mcdl_history_num_keys(ha) == 4, "val_* keys present");
    if (vl) CHECK(vl[29] < vl[0], "val_loss falls %g -> %g", vl[0], vl[29]);
    /* the same seed and thread count give bitwise identical weights and histories */
    bool same = true;
    for (int i = 0; i < mcdl_model_num_weights(a); i++) {
        mcdl_weight_info wa, wb;
        mcdl_model_weight(a, i, &wa);
        mcdl_model_weight(b, i, &wb);
        same &= !memcmp(mcdl_tensor_data(wa.value), mcdl_tensor_data(wb.value),
                        (size_t)mcdl_tensor_numel(wa.value) * sizeof(float));
    }
    CHECK(same, "two identical fits give bitwise identical weights");
    CHECK(!memcmp(mcdl_history_values(ha, "loss"), mcdl_history_values(hb, "loss"),
                  30 * sizeof(double)),
          "identical loss histories");
    int64_t it = 0;
    CHECK_OK(mcdl_model_optimizer_iterations(a, &it));
    CHECK(it == 30 * 6, "iterations %lld (84 training samples / 16 = 6 steps per epoch)",
          (long long)it);
    /* validation_split takes the last N - floor(N (1 - 0.2)): 10 samples, batch 1 -> 8 steps */
    mcdl_tensor *x10, *y10;
    blobs(&x10, &y10, 10, 13);
    mcdl_model *c = iris_model(6);
    CHECK_OK(mcdl_model_fit(c, 1, (const mcdl_tensor *const[]){x10}, 1,
                            (const mcdl_tensor *const[]){y10},
                            &(mcdl_fit_opts){.batch_size = 1, .validation_split = 0.2f}, NULL));
    CHECK_OK(mcdl_model_optimizer_iterations(c, &it));
    CHECK(it == 8, "validation_split 0.2 of 10 samples trains on 8, took %lld steps",
          (long long)it);
    mcdl_model_destroy(c);
    mcdl_tensor_destroy(x10);
    mcdl_tensor_destroy(y10);
    mcdl_history_destroy(ha);
    mcdl_history_destroy(hb);
    mcdl_model_destroy(a);
    mcdl_model_destroy(b);
    mcdl_tensor_destroy(x);
    mcdl_tensor_destroy(y);
    mcdl_tensor_destroy(xt);
    mcdl_tensor_destroy(yt);
}

static void test_errors(void) {
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_sequential_create(&m, 1, &(mcdl_input_opts){.shape = {3}}, NULL));
    mcdl_graph *g = mcdl_model_graph(m);
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 2, .activation = MCDL_SOFTMAX})));
    mcdl_tensor *x = tensor2(4, 3, (const float[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3});
    mcdl_tensor *y = tensor2(4, 1, (const float[]){0, 1, 1, 0});
    const mcdl_tensor *const xs[] = {x}, *const ys[] = {y};
    CHECK_STATUS(mcdl_model_fit(m, 1, xs, 1, ys, NULL, NULL), MCDL_ERR_STATE);
    CHECK(strstr(mcdl_last_error(), "compile") != NULL, "fit before compile: %s",
          mcdl_last_error());
    CHECK_STATUS(mcdl_model_compile(m, &(mcdl_compile_opts){0}), MCDL_ERR_ARG);
    CHECK_OK(mcdl_model_compile(
        m, &(mcdl_compile_opts){.loss = MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY}));
    CHECK_OK(mcdl_model_fit(m, 1, xs, 1, ys, NULL, NULL));
    /* wrong counts */
    CHECK_STATUS(mcdl_model_fit(m, 2, (const mcdl_tensor *const[]){x, x}, 1, ys, NULL, NULL),
                 MCDL_ERR_ARG);
    CHECK_STATUS(mcdl_model_fit(m, 1, xs, 2, (const mcdl_tensor *const[]){y, y}, NULL, NULL),
                 MCDL_ERR_ARG);
    /* wrong per-sample shape */
    mcdl_tensor *x4 = tensor2(4, 4, NULL);
    CHECK_STATUS(mcdl_model_fit(m, 1, (const mcdl_tensor *const[]){x4}, 1, ys, NULL, NULL),
                 MCDL_ERR_SHAPE);
    CHECK(strstr(mcdl_last_error(), "(4, 4)") && strstr(mcdl_last_error(), "(None, 3)"), "msg: %s",
          mcdl_last_error());
    /* label/sample count mismatch, class id out of range, labels of the wrong width */
    mcdl_tensor *y3 = tensor2(3, 1, (const float[]){0, 1, 1});
    CHECK_STATUS(mcdl_model_fit(m, 1, xs, 1, (const mcdl_tensor *const[]){y3}, NULL, NULL),
                 MCDL_ERR_ARG);
    mcdl_tensor *ybad = tensor2(4, 1, (const float[]){0, 1, 2, 0});
    CHECK_STATUS(mcdl_model_fit(m, 1, xs, 1, (const mcdl_tensor *const[]){ybad}, NULL, NULL),
                 MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "entry 2") != NULL, "msg: %s", mcdl_last_error());
    mcdl_tensor *ywide = tensor2(4, 2, NULL);
    CHECK_STATUS(mcdl_model_fit(m, 1, xs, 1, (const mcdl_tensor *const[]){ywide}, NULL, NULL),
                 MCDL_ERR_SHAPE);
    /* NaN reported with its index */
    mcdl_tensor *xn = tensor2(4, 3, (const float[]){1, 2, 3, 4, 5, 6, 7, NAN, 9, 1, 2, 3});
    CHECK_STATUS(mcdl_model_fit(m, 1, (const mcdl_tensor *const[]){xn}, 1, ys, NULL, NULL),
                 MCDL_ERR_NUMERIC);
    CHECK(strstr(mcdl_last_error(), "NaN") && strstr(mcdl_last_error(), "(2, 1)"), "msg: %s",
          mcdl_last_error());
    mcdl_tensor *xi = tensor2(4, 3, (const float[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 1, INFINITY, 3});
    CHECK_STATUS(
        mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){xi}, NULL, 1, (mcdl_tensor *[1]){0}),
        MCDL_ERR_NUMERIC);
    /* empty data */
    mcdl_tensor *x0 = tensor2(0, 3, NULL), *y0 = tensor2(0, 1, NULL);
    CHECK_STATUS(mcdl_model_fit(m, 1, (const mcdl_tensor *const[]){x0}, 1,
                                (const mcdl_tensor *const[]){y0}, NULL, NULL),
                 MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "no samples") != NULL, "msg: %s", mcdl_last_error());
    /* bad options */
    CHECK_STATUS(mcdl_model_fit(m, 1, xs, 1, ys, &(mcdl_fit_opts){.validation_split = 1.5f}, NULL),
                 MCDL_ERR_ARG);
    CHECK_STATUS(mcdl_model_evaluate(m, 1, xs, 1, ys, NULL, (double[1]){0}, 0), MCDL_ERR_ARG);
    /* train_on_batch returns the pre-update loss: equal to evaluate on the same batch */
    double before[1], tob[1];
    CHECK_OK(mcdl_model_evaluate(m, 1, xs, 1, ys, NULL, before, 1));
    CHECK_OK(mcdl_model_train_on_batch(m, 1, xs, 1, ys, tob, 1));
    CHECK_NEAR(tob[0], before[0], 1e-6);
    mcdl_tensor *ts[] = {x4, y3, ybad, ywide, xn, xi, x0, y0, x, y};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) mcdl_tensor_destroy(ts[i]);
    mcdl_model_destroy(m);
}

/* Off a terminal, verbose 1 prints one Keras-style line per epoch (with val_* when there
 * is validation data); verbose 0 prints nothing. */
static void test_progress_lines(void) {
    mcdl_tensor *x, *y;
    blobs(&x, &y, 40, 3);
    mcdl_model *m = iris_model(2);
    char buf[4096] = {0};
    for (int verbose = 0; verbose <= 1; verbose++) {
        fflush(stdout);
        FILE *f = tmpfile();
        const int saved = dup(fileno(stdout));
        dup2(fileno(f), fileno(stdout));
        CHECK_OK(mcdl_model_fit(
            m, 1, (const mcdl_tensor *const[]){x}, 1, (const mcdl_tensor *const[]){y},
            &(mcdl_fit_opts){
                .epochs = 2, .batch_size = 8, .validation_split = 0.25f, .verbose = verbose},
            NULL));
        fflush(stdout);
        dup2(saved, fileno(stdout));
        close(saved);
        rewind(f);
        const size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        if (verbose == 0) CHECK(n == 0, "verbose 0 printed: %s", buf);
    }
    /* 30 training samples / 8 = 4 steps */
    CHECK(strstr(buf, "Epoch 1/2 - 4/4 - ") && strstr(buf, "Epoch 2/2 - 4/4 - "), "lines:\n%s",
          buf);
    CHECK(strstr(buf, "step - loss: ") && strstr(buf, " - accuracy: ") &&
              strstr(buf, " - val_loss: ") && strstr(buf, " - val_accuracy: "),
          "fields:\n%s", buf);
    mcdl_model_destroy(m);
    mcdl_tensor_destroy(x);
    mcdl_tensor_destroy(y);
}

int main(void) {
    test_progress_lines();
    test_xor();
    test_blobs_and_determinism();
    test_errors();
    return check_finish();
}
