/* Weights as .npz (Keras variable paths: round trip, missing/extra keys, shape mismatch,
 * model unchanged after a failure) and whole models as .mcdl (save -> load -> predict
 * bitwise identical, optimizer state kept, every damage of the container rejected). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "mcdl/mcdl.h"

#ifndef MCDL_WITH_FILES
int main(void) {
    printf("skipped: built without MCDL_WITH_FILES (cJSON, libzip)\n");
    return 77;
}
#else
#include "lib/files/zipio.h"

static char g_dir[] = "/tmp/mcdl_test_model_files_XXXXXX";

static const char *tmp(const char *name) {
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_dir, name);
    return buf[k];
}

static const char *ffnn_json(void) {
    static char buf[1024];
    const char *dir = getenv("MCDL_TEST_DATA");
    snprintf(buf, sizeof buf, "%s/keras_json/ffnn_keras3_sequential.json",
             dir ? dir : "tests/data");
    return buf;
}

static mcdl_tensor *make_x(int64_t n) {
    mcdl_tensor *x = NULL;
    if (mcdl_tensor_create(&x, 2, (int64_t[]){n, 20}) != MCDL_OK) return NULL;
    mcdl_rng_fill_uniform(5, 0, 0, mcdl_tensor_data(x), n * 20, -1.0f, 1.0f);
    return x;
}

static mcdl_tensor *predict(mcdl_model *m, const mcdl_tensor *x) {
    mcdl_tensor *y = NULL;
    mcdl_status s = mcdl_model_predict(m, 1, &x, NULL, 1, &y);
    CHECK(s == MCDL_OK, "predict: %s", mcdl_last_error());
    return y;
}

static bool same_bits(const mcdl_tensor *a, const mcdl_tensor *b) {
    return a && b && mcdl_tensor_numel(a) == mcdl_tensor_numel(b) &&
           !memcmp(mcdl_tensor_data(a), mcdl_tensor_data(b), (size_t)mcdl_tensor_numel(a) * 4);
}

static void test_weights_npz(void) {
    mcdl_model *a = NULL, *b = NULL;
    CHECK_OK(mcdl_model_load_json(ffnn_json(), 1, &a));
    CHECK_OK(mcdl_model_load_json(ffnn_json(), 2, &b)); /* other seed: other weights */
    if (!a || !b) goto out;
    mcdl_tensor *x = make_x(9), *ya = predict(a, x), *yb = predict(b, x);
    CHECK(!same_bits(ya, yb), "different seeds gave identical models");
    CHECK_OK(mcdl_model_save_weights_npz(a, tmp("w.npz")));
    CHECK_OK(mcdl_model_load_weights_npz(b, tmp("w.npz")));
    mcdl_tensor *yb2 = predict(b, x);
    CHECK(same_bits(ya, yb2), "weights moved through .npz change the predictions");

    /* Keys scoped by the model's name, as Keras 3 writes layers built inside a model. */
    mcdl_model *c = NULL;
    mcdl_npz *scoped = NULL;
    CHECK_OK(mcdl_model_load_json(ffnn_json(), 3, &c));
    CHECK_OK(mcdl_npz_create(&scoped));
    for (int i = 0; c && i < mcdl_model_num_weights(a); i++) {
        mcdl_weight_info w;
        char key[256];
        CHECK_OK(mcdl_model_weight(a, i, &w));
        snprintf(key, sizeof key, "%s/%s", mcdl_model_name(a), w.path);
        CHECK_OK(mcdl_npz_add(scoped, key, w.value));
    }
    if (c) {
        CHECK_OK(mcdl_model_set_weights_npz(c, scoped));
        mcdl_tensor *yc = predict(c, x);
        CHECK(same_bits(ya, yc), "model-scoped keys (sequential/dense/kernel) loaded wrongly");
        mcdl_tensor_destroy(yc);
    }
    mcdl_npz_destroy(scoped);
    mcdl_model_destroy(c);

    /* Damaged archives: model b must stay as it is. */
    mcdl_npz *z = NULL;
    CHECK_OK(mcdl_model_get_weights_npz(a, &z));
    mcdl_tensor *extra;
    CHECK_OK(mcdl_tensor_create(&extra, 1, (int64_t[]){4}));
    CHECK_OK(mcdl_npz_add(z, "ghost/kernel", extra));
    CHECK_STATUS(mcdl_model_set_weights_npz(b, z), MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "'ghost/kernel' of shape (4,)"), "extra key: %s",
          mcdl_last_error());
    mcdl_npz_destroy(z);
    z = NULL;
    CHECK_OK(mcdl_npz_create(&z));
    for (int i = 0; i < mcdl_model_num_weights(a); i++) {
        mcdl_weight_info w;
        CHECK_OK(mcdl_model_weight(a, i, &w));
        if (strcmp(w.path, "dense_1/bias") != 0) CHECK_OK(mcdl_npz_add(z, w.path, w.value));
    }
    CHECK_STATUS(mcdl_model_set_weights_npz(b, z), MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "'dense_1/bias' of shape (32,) is missing"), "missing: %s",
          mcdl_last_error());
    mcdl_tensor *wrong;
    CHECK_OK(mcdl_tensor_create(&wrong, 1, (int64_t[]){31}));
    CHECK_OK(mcdl_npz_add(z, "dense_1/bias", wrong));
    CHECK_STATUS(mcdl_model_set_weights_npz(b, z), MCDL_ERR_SHAPE);
    CHECK(strstr(mcdl_last_error(), "'dense_1/bias' has shape (31,)") &&
              strstr(mcdl_last_error(), "(32,)"),
          "shape mismatch: %s", mcdl_last_error());
    mcdl_tensor *yb3 = predict(b, x);
    CHECK(same_bits(yb2, yb3), "a rejected weights file changed the model");
    CHECK_STATUS(mcdl_model_load_weights_npz(b, tmp("missing.npz")), MCDL_ERR_IO);
    mcdl_npz_destroy(z);
    mcdl_tensor_destroy(extra), mcdl_tensor_destroy(wrong);
    mcdl_tensor_destroy(x), mcdl_tensor_destroy(ya), mcdl_tensor_destroy(yb);
    mcdl_tensor_destroy(yb2), mcdl_tensor_destroy(yb3);
out:
    mcdl_model_destroy(a);
    mcdl_model_destroy(b);
    unlink(tmp("w.npz"));
}

static void train_steps(mcdl_model *m, int steps) {
    mcdl_tensor *x = make_x(16), *y;
    CHECK_OK(mcdl_tensor_create(&y, 2, (int64_t[]){16, 1}));
    for (int i = 0; i < 16; i++) mcdl_tensor_data(y)[i] = (float)(i % 2);
    for (int k = 0; k < steps; k++) {
        double r[4];
        CHECK_OK(mcdl_model_train_on_batch(m, 1, (const mcdl_tensor *const[]){x}, 1,
                                           (const mcdl_tensor *const[]){y}, r, 4));
    }
    mcdl_tensor_destroy(x);
    mcdl_tensor_destroy(y);
}

static void test_mcdl_round_trip(void) {
    mcdl_model *a = NULL, *b = NULL, *c = NULL;
    CHECK_OK(mcdl_model_load_json(ffnn_json(), 11, &a));
    if (!a) return;
    CHECK_OK(mcdl_model_compile(a, &(mcdl_compile_opts){.loss = MCDL_LOSS_BINARY_CROSSENTROPY,
                                                        .metrics = MCDL_METRIC_ACCURACY}));
    train_steps(a, 3);
    CHECK_OK(mcdl_model_save(a, tmp("a.mcdl")));
    CHECK_OK(mcdl_model_load(tmp("a.mcdl"), &b));
    if (!b) goto out;
    mcdl_tensor *x = make_x(33), *ya = predict(a, x), *yb = predict(b, x);
    CHECK(same_bits(ya, yb), "save -> load -> predict is not bitwise identical");
    int64_t ia = -1, ib = -2;
    CHECK_OK(mcdl_model_optimizer_iterations(a, &ia));
    CHECK_OK(mcdl_model_optimizer_iterations(b, &ib));
    CHECK(ia == 3 && ib == 3, "iterations %lld / %lld", (long long)ia, (long long)ib);
    /* Training on from the loaded state equals training on the original. */
    train_steps(a, 2);
    train_steps(b, 2);
    mcdl_tensor *ya2 = predict(a, x), *yb2 = predict(b, x);
    CHECK(same_bits(ya2, yb2), "optimizer state was not restored exactly");
    /* A model saved uncompiled loads uncompiled. */
    CHECK_OK(mcdl_model_load_json(ffnn_json(), 4, &c));
    CHECK_OK(mcdl_model_save(c, tmp("c.mcdl")));
    mcdl_model_destroy(c);
    c = NULL;
    CHECK_OK(mcdl_model_open(tmp("c.mcdl"), 0, &c));
    CHECK(c && !mcdl_model_is_compiled(c), "uncompiled model came back compiled");
    mcdl_tensor_destroy(x), mcdl_tensor_destroy(ya), mcdl_tensor_destroy(yb);
    mcdl_tensor_destroy(ya2), mcdl_tensor_destroy(yb2);
out:
    mcdl_model_destroy(a), mcdl_model_destroy(b), mcdl_model_destroy(c);
    unlink(tmp("c.mcdl"));
}

/* Rewrites a.mcdl with one entry replaced (data NULL: removed) or added. */
static void write_variant_n(const char *out, const char *entry, const void *data, size_t len) {
    mcdl_zip_entry *e = NULL;
    int64_t n = 0;
    CHECK_OK(mcdl_zip_read(tmp("a.mcdl"), &e, &n));
    mcdl_zip_entry *v = calloc((size_t)n + 1, sizeof *v);
    int64_t k = 0;
    bool replaced = false;
    for (int64_t i = 0; i < n; i++) {
        if (!strcmp(e[i].name, entry)) {
            replaced = true;
            if (!data) continue;
            v[k++] = (mcdl_zip_entry){e[i].name, (unsigned char *)data, len};
        } else {
            v[k++] = e[i];
        }
    }
    if (!replaced) v[k++] = (mcdl_zip_entry){(char *)entry, (unsigned char *)data, len};
    CHECK_OK(mcdl_zip_write(out, v, k, false));
    free(v);
    mcdl_zip_entries_free(e, n);
}

static void write_variant(const char *out, const char *entry, const char *text) {
    write_variant_n(out, entry, text, text ? strlen(text) : 0);
}

static void expect_load_error(const char *file, const char *words) {
    mcdl_model *m = (mcdl_model *)1;
    mcdl_status s = mcdl_model_load(file, &m);
    CHECK(s == MCDL_ERR_FORMAT && m == NULL, "%s: %s (%s)", words, mcdl_status_name(s),
          mcdl_last_error());
    CHECK(strstr(mcdl_last_error(), words) != NULL, "sentence lacks '%s': %s", words,
          mcdl_last_error());
    if (s == MCDL_OK) mcdl_model_destroy(m);
}

static void test_mcdl_damage(void) {
    write_variant(tmp("v.mcdl"), "weights/dense_1/bias.npy", NULL);
    expect_load_error(tmp("v.mcdl"), "lacks entry 'weights/dense_1/bias.npy' (shape (32,))");
    write_variant(tmp("v.mcdl"), "weights/extra/kernel.npy", "x");
    expect_load_error(tmp("v.mcdl"), "'weights/extra/kernel.npy' belongs to no weight");
    write_variant(tmp("v.mcdl"), "mcdl.json", "{\"format\": \"mcdl\", \"format_version\": 99}");
    expect_load_error(tmp("v.mcdl"), "format version 99");
    write_variant(tmp("v.mcdl"), "mcdl.json", NULL);
    expect_load_error(tmp("v.mcdl"), "not an mcdl model file");
    write_variant(tmp("v.mcdl"), "config.json", "{\"class_name\": ");
    expect_load_error(tmp("v.mcdl"), "config.json");
    write_variant(tmp("v.mcdl"), "weights/dense/bias.npy", "not an npy");
    expect_load_error(tmp("v.mcdl"), "weights/dense/bias.npy");
    mcdl_tensor *three;
    void *npy = NULL;
    size_t len = 0;
    CHECK_OK(mcdl_tensor_create(&three, 1, (int64_t[]){3}));
    CHECK_OK(mcdl_npy_save_mem(three, &npy, &len));
    write_variant_n(tmp("v.mcdl"), "weights/dense/bias.npy", npy, len);
    expect_load_error(
        tmp("v.mcdl"),
        "entry 'weights/dense/bias.npy' has shape (3,) but the architecture needs (64,)");
    write_variant_n(tmp("v.mcdl"), "optimizer/m/dense/bias.npy", npy, len);
    expect_load_error(tmp("v.mcdl"), "optimizer/m/dense/bias.npy' has shape (3,)");
    free(npy);
    mcdl_tensor_destroy(three);
    /* Every 97th prefix of the file: rejected, never a crash. */
    FILE *f = fopen(tmp("a.mcdl"), "rb");
    static unsigned char buf[1 << 16];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    CHECK(n > 1000 && n < sizeof buf, "a.mcdl is %zu bytes", n);
    int rejected = 0, total = 0;
    for (size_t len = 0; len < n; len += 97) {
        FILE *g = fopen(tmp("p.mcdl"), "wb");
        if (g) fwrite(buf, 1, len, g), fclose(g);
        mcdl_model *m = NULL;
        mcdl_status s = mcdl_model_load(tmp("p.mcdl"), &m);
        rejected += s == MCDL_ERR_FORMAT && !m;
        total++;
        mcdl_model_destroy(m);
    }
    CHECK(rejected == total, "%d of %d truncated files loaded", total - rejected, total);
    unlink(tmp("p.mcdl"));
    unlink(tmp("v.mcdl"));
}

/* Recurrent weights exported without the cell sublayer ("lstm/kernel", older exports) load
 * like "lstm/lstm_cell/kernel". Runs once the rnn family is in the build. */
static void test_cellless_paths(void) {
    if (!mcdl_layer_class_known("LSTM")) {
        printf("LSTM not in this build: the cell-less weight path case is skipped\n");
        return;
    }
    const char *json =
        "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
        "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 10, 1]}},"
        "{\"class_name\": \"LSTM\", \"config\": {\"name\": \"lstm\", \"units\": 4}},"
        "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 1}}]}}";
    mcdl_model *a = NULL, *b = NULL;
    CHECK_OK(mcdl_model_from_json(json, strlen(json), "lstm.json", 1, &a));
    CHECK_OK(mcdl_model_from_json(json, strlen(json), "lstm.json", 2, &b));
    mcdl_npz *z = NULL;
    CHECK_OK(mcdl_npz_create(&z));
    int stripped = 0;
    for (int i = 0; a && i < mcdl_model_num_weights(a); i++) {
        mcdl_weight_info w;
        CHECK_OK(mcdl_model_weight(a, i, &w));
        char key[256];
        const char *cell = strstr(w.path, "_cell/");
        const char *slash = strchr(w.path, '/');
        if (cell && slash && slash < cell) {
            snprintf(key, sizeof key, "%.*s%s", (int)(slash - w.path + 1), w.path, cell + 6);
            stripped++;
        } else {
            snprintf(key, sizeof key, "%s", w.path);
        }
        CHECK_OK(mcdl_npz_add(z, key, w.value));
    }
    CHECK(stripped == 3, "%d recurrent weights had a cell sublayer, want 3", stripped);
    if (a && b) {
        CHECK_OK(mcdl_model_set_weights_npz(b, z));
        mcdl_tensor *x = NULL, *ya = NULL, *yb = NULL;
        CHECK_OK(mcdl_tensor_create(&x, 3, (int64_t[]){3, 10, 1}));
        mcdl_rng_fill_uniform(9, 0, 0, mcdl_tensor_data(x), 30, -1.0f, 1.0f);
        CHECK_OK(mcdl_model_predict(a, 1, (const mcdl_tensor *const[]){x}, NULL, 1, &ya));
        CHECK_OK(mcdl_model_predict(b, 1, (const mcdl_tensor *const[]){x}, NULL, 1, &yb));
        CHECK(same_bits(ya, yb), "cell-less keys did not set the LSTM weights");
        mcdl_tensor_destroy(x), mcdl_tensor_destroy(ya), mcdl_tensor_destroy(yb);
    }
    mcdl_npz_destroy(z);
    mcdl_model_destroy(a);
    mcdl_model_destroy(b);
}

int main(void) {
    if (!mkdtemp(g_dir)) return 1;
    test_cellless_paths();
    test_weights_npz();
    test_mcdl_round_trip();
    test_mcdl_damage();
    unlink(tmp("a.mcdl"));
    rmdir(g_dir);
    return check_finish();
}
#endif
