/* Nested layer configs (Bidirectional's and TimeDistributed's wrapped "layer"): the config
 * item written by mcdl_cfg_put_layer, Keras 3's JSON form, and save -> load -> predict
 * bitwise identical for the birnn and timedistributed seed models via .mcdl and via Keras
 * JSON + weights .npz; TimeDistributed over Conv2D, MaxPooling2D and Flatten (time folded
 * into the batch): shapes, params, weight paths, gradient check, round trip. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gradcheck.h"
#include "mcdl/mcdl.h"

#ifndef MCDL_WITH_FILES
int main(void) {
    printf("skipped: built without MCDL_WITH_FILES (cJSON, libzip)\n");
    return 77;
}
#else

static char g_dir[] = "/tmp/mcdl_test_nested_config_XXXXXX";

static const char *tmp(const char *name) {
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_dir, name);
    return buf[k];
}

static int64_t total_params(const mcdl_model *m) {
    int64_t t = -1;
    mcdl_model_count_params(m, &t, NULL, NULL);
    return t;
}

static mcdl_node *dense(mcdl_graph *g, mcdl_node *x, int64_t units, mcdl_activation_id act) {
    return mcdl_dense(g, x, &(mcdl_dense_opts){.units = units, .activation = act});
}

/* birnn: Bidirectional(SimpleRNN 64) -> Dense 16 relu -> Dense 3 softmax on (10, 8). */
static mcdl_model *make_birnn(uint64_t seed) {
    mcdl_graph *g = NULL;
    if (mcdl_graph_create(&g, seed) != MCDL_OK) return NULL;
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {10, 8}});
    mcdl_node *h = mcdl_bidirectional(
        g, x, &(mcdl_bidirectional_opts){.cell = MCDL_CELL_SIMPLE_RNN, .layer = {.units = 64}});
    mcdl_node *y = dense(g, dense(g, h, 16, MCDL_RELU), 3, MCDL_SOFTMAX);
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_model_create(&m, g, 1, &x, 1, &y, "birnn"));
    mcdl_graph_destroy(g);
    return m;
}

/* timedistributed: TimeDistributed(Dense 16 relu) -> LSTM 32 -> Dense 1 on (10, 8). */
static mcdl_model *make_timedistributed(uint64_t seed) {
    mcdl_graph *g = NULL;
    if (mcdl_graph_create(&g, seed) != MCDL_OK) return NULL;
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {10, 8}});
    mcdl_node *h = mcdl_time_distributed(
        g, x, &(mcdl_time_distributed_opts){.dense = {.units = 16, .activation = MCDL_RELU}});
    h = mcdl_lstm(g, h, &(mcdl_rnn_opts){.units = 32});
    mcdl_node *y = dense(g, h, 1, MCDL_LINEAR);
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_model_create(&m, g, 1, &x, 1, &y, "timedistributed"));
    mcdl_graph_destroy(g);
    return m;
}

static mcdl_tensor *predict(mcdl_model *m, const mcdl_tensor *x) {
    mcdl_tensor *y = NULL;
    CHECK_OK(mcdl_model_predict(m, 1, &x, &(mcdl_predict_opts){.batch_size = 4}, 1, &y));
    return y;
}

static bool same_bits(const mcdl_tensor *a, const mcdl_tensor *b) {
    return a && b && mcdl_tensor_numel(a) == mcdl_tensor_numel(b) &&
           !memcmp(mcdl_tensor_data(a), mcdl_tensor_data(b), (size_t)mcdl_tensor_numel(a) * 4);
}

/* The nested item as mcdl_layer_get_config gives it. */
static const mcdl_cfg_item *nested(const mcdl_model *m, int layer, const char *key) {
    const mcdl_config *cfg = NULL;
    CHECK_OK(mcdl_layer_get_config(mcdl_model_layer(m, layer), &cfg));
    const mcdl_cfg_item *it = cfg ? mcdl_config_find(cfg, key) : NULL;
    CHECK(it && it->type == MCDL_CFG_LAYER && it->class_name && it->config,
          "layer %d: no nested '%s'", layer, key);
    return it && it->type == MCDL_CFG_LAYER && it->config ? it : NULL;
}

static void expect_string(const mcdl_config *c, const char *key, const char *want) {
    const mcdl_cfg_item *it = mcdl_config_find(c, key);
    CHECK(it && it->type == MCDL_CFG_STRING && !strcmp(it->str, want), "'%s' is '%s', want '%s'",
          key, it && it->type == MCDL_CFG_STRING ? it->str : "?", want);
}

static void expect_bool(const mcdl_config *c, const char *key, bool want) {
    const mcdl_cfg_item *it = mcdl_config_find(c, key);
    CHECK(it && it->type == MCDL_CFG_BOOL && it->b == want, "'%s' is not %d", key, (int)want);
}

static void test_configs(void) {
    mcdl_model *m = make_birnn(1);
    if (m) {
        const mcdl_cfg_item *f = nested(m, 1, "layer"), *b = nested(m, 1, "backward_layer");
        if (f && b) {
            CHECK(!strcmp(f->class_name, "SimpleRNN") && !strcmp(b->class_name, "SimpleRNN"),
                  "wrapped classes %s %s", f->class_name, b->class_name);
            expect_string(f->config, "name", "forward_simple_rnn");
            expect_string(b->config, "name", "backward_simple_rnn");
            expect_bool(f->config, "go_backwards", false);
            expect_bool(b->config, "go_backwards", true);
            const mcdl_cfg_item *u = mcdl_config_find(f->config, "units");
            CHECK(u && u->type == MCDL_CFG_NUMBER && u->num == 64, "forward units");
        }
        /* Asking twice rebuilds the config in place: the nested views stay consistent. */
        f = nested(m, 1, "layer");
        if (f) expect_string(f->config, "name", "forward_simple_rnn");
    }
    mcdl_model_destroy(m);

    m = make_timedistributed(1);
    if (m) {
        const mcdl_cfg_item *d = nested(m, 1, "layer");
        if (d) {
            CHECK(!strcmp(d->class_name, "Dense"), "wrapped class %s", d->class_name);
            expect_string(d->config, "name", "dense");
            expect_string(d->config, "activation", "relu");
            const mcdl_cfg_item *u = mcdl_config_find(d->config, "units");
            CHECK(u && u->type == MCDL_CFG_NUMBER && u->num == 16, "Dense units");
        }
    }
    mcdl_model_destroy(m);
}

/* to_json -> from_json (another seed) + weights .npz, and save -> load as .mcdl: same
 * params, same weight paths, predictions bitwise identical, to_json a fixed point. */
static void round_trip(mcdl_model *(*make)(uint64_t), const char *what, int64_t params,
                       const char *weight0, const char *json_words) {
    mcdl_model *a = make(7), *b = NULL, *c = NULL;
    if (!a) return;
    CHECK(total_params(a) == params, "%s: %lld params", what, (long long)total_params(a));
    mcdl_tensor *x = NULL;
    CHECK_OK(mcdl_tensor_create(&x, 3, (int64_t[]){5, 10, 8}));
    if (!x) goto out;
    mcdl_rng_fill_uniform(11, 0, 0, mcdl_tensor_data(x), 5 * 10 * 8, -1.0f, 1.0f);
    mcdl_tensor *ya = predict(a, x), *yb = NULL, *yc = NULL;

    char *j1 = NULL, *j2 = NULL;
    CHECK_OK(mcdl_model_to_json(a, &j1));
    CHECK(j1 && strstr(j1, json_words), "%s: JSON lacks %s", what, json_words);
    CHECK_OK(mcdl_model_from_json(j1, j1 ? strlen(j1) : 0, what, 99, &b));
    if (b) {
        CHECK(total_params(b) == params, "%s: %lld params from JSON", what,
              (long long)total_params(b));
        mcdl_weight_info w;
        CHECK_OK(mcdl_model_weight(b, 0, &w));
        CHECK(!strcmp(w.path, weight0), "%s: first weight %s, want %s", what, w.path, weight0);
        yb = predict(b, x);
        CHECK(yb && !same_bits(ya, yb), "%s: another seed predicts the same", what);
        mcdl_tensor_destroy(yb);
        CHECK_OK(mcdl_model_save_weights_npz(a, tmp("w.npz")));
        CHECK_OK(mcdl_model_load_weights_npz(b, tmp("w.npz")));
        yb = predict(b, x);
        CHECK(same_bits(ya, yb), "%s: JSON + npz predictions differ", what);
        CHECK_OK(mcdl_model_to_json(b, &j2));
        CHECK(j1 && j2 && !strcmp(j1, j2), "%s: to_json is not a fixed point", what);
    }
    /* the same through files: mcdl_model_save_json -> mcdl_model_load_json (what
     * `mcdl summary` reads) + the weights .npz */
    mcdl_model *d = NULL;
    CHECK_OK(mcdl_model_save_json(a, tmp("m.json")));
    CHECK_OK(mcdl_model_load_json(tmp("m.json"), 5, &d));
    if (d) {
        CHECK(total_params(d) == params, "%s: %lld params from the JSON file", what,
              (long long)total_params(d));
        CHECK_OK(mcdl_model_load_weights_npz(d, tmp("w.npz")));
        mcdl_tensor *yd = predict(d, x);
        CHECK(same_bits(ya, yd), "%s: JSON file + npz predictions differ", what);
        mcdl_tensor_destroy(yd);
        mcdl_model_destroy(d);
    }

    CHECK_OK(mcdl_model_save(a, tmp("m.mcdl")));
    CHECK_OK(mcdl_model_load(tmp("m.mcdl"), &c));
    if (c) {
        CHECK(total_params(c) == params, "%s: %lld params from .mcdl", what,
              (long long)total_params(c));
        yc = predict(c, x);
        CHECK(same_bits(ya, yc), "%s: .mcdl predictions differ", what);
    }
    free(j1);
    free(j2);
    mcdl_tensor_destroy(ya);
    mcdl_tensor_destroy(yb);
    mcdl_tensor_destroy(yc);
out:
    mcdl_tensor_destroy(x);
    mcdl_model_destroy(a);
    mcdl_model_destroy(b);
    mcdl_model_destroy(c);
}

#define BIDIR_JSON(backward_class)                                                                 \
    "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["                 \
    "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 10, 8]}},"              \
    "{\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bidirectional\", "               \
    "\"merge_mode\": \"sum\", \"layer\": {\"class_name\": \"GRU\", \"config\": {\"name\": "        \
    "\"forward_gru\", \"units\": 4}}, \"backward_layer\": {\"class_name\": \"" backward_class      \
    "\", \"config\": {\"name\": \"backward_gru\", \"units\": 4, \"go_backwards\": true}}}}]}}"

/* Keras 3's own form: the forward_ prefix is stripped (weights keep Keras' paths); a
 * backward_layer of another class is refused. */
static void test_keras3_bidirectional(void) {
    const char *ok = BIDIR_JSON("GRU"), *mixed = BIDIR_JSON("LSTM");
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_model_from_json(ok, strlen(ok), "bidir.json", 1, &m));
    if (m) {
        mcdl_weight_info w;
        CHECK_OK(mcdl_model_weight(m, 0, &w));
        CHECK(!strcmp(w.path, "bidirectional/forward_gru/gru_cell/kernel"), "path %s", w.path);
        /* GRU reset_after: 2 x (3*4*(8+4) + 2*3*4) */
        CHECK(total_params(m) == 336, "bidir GRU params %lld", (long long)total_params(m));
    }
    mcdl_model_destroy(m);
    m = NULL;
    CHECK(mcdl_model_from_json(mixed, strlen(mixed), "bidir.json", 1, &m) != MCDL_OK && !m,
          "a mixed backward_layer was accepted");
    CHECK(strstr(mcdl_last_error(), "backward_layer"), "error: %s", mcdl_last_error());
}

#define TD(inner_class, inner_cfg)                                                                 \
    "{\"class_name\": \"TimeDistributed\", \"config\": {\"layer\": {\"class_name\": "              \
    "\"" inner_class "\", \"config\": " inner_cfg "}}}"
#define TD_STACK(pool)                                                                             \
    "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"td\", \"layers\": ["                \
    "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4, 6, 6, 2]}}," TD(     \
        "Dense",                                                                                   \
        "{\"name\": \"dense\", \"units\": 2}") "," TD("Conv2D",                                    \
                                                      "{\"name\": \"conv2d\", \"filters\": 3, "    \
                                                      "\"kernel_size\": [3, 3], \"activation\": "  \
                                                      "\"tanh\"}") "," TD(pool,                    \
                                                                          "{\"name\": \"pool\", "  \
                                                                          "\"pool_size\": [2, "    \
                                                                          "2]}") "," TD("Flatten", \
                                                                                        "{\"name"  \
                                                                                        "\": "     \
                                                                                        "\"flatte" \
                                                                                        "n\"}") "]}}"

/* TimeDistributed over per-sample layers other than Dense, from Keras JSON. */
static void test_time_distributed_any(const char *json, const char *what, bool gradients) {
    mcdl_model *m = NULL, *b = NULL;
    CHECK_OK(mcdl_model_from_json(json, strlen(json), what, 3, &m));
    if (!m) return;
    /* Dense 2*2+2; Conv2D 3*3*2*3+3 */
    CHECK(total_params(m) == 63, "%s: %lld params", what, (long long)total_params(m));
    int64_t shape[MCDL_MAX_RANK];
    const int r = mcdl_node_shape(mcdl_model_output(m, 0), shape);
    CHECK(r == 2 && shape[0] == 4 && shape[1] == 12, "TimeDistributed(Flatten) shape rank %d", r);
    const mcdl_node *c = mcdl_layer_output(mcdl_model_layer(m, 2), 0, 0);
    const int rc = c ? mcdl_node_shape(c, shape) : -1;
    CHECK(rc == 4 && shape[0] == 4 && shape[1] == 4 && shape[2] == 4 && shape[3] == 3,
          "TimeDistributed(Conv2D) shape");
    mcdl_weight_info w;
    CHECK_OK(mcdl_model_weight(m, 2, &w));
    CHECK(!strcmp(w.path, "time_distributed_1/conv2d/kernel"), "conv kernel path %s", w.path);
    /* max pooling has kinks a finite difference can cross (seen at eps 1e-3 for some
     * seeds); average pooling is smooth, so the gradient check runs on that stack */
    if (gradients) {
        const double err = gradcheck_model(m, 3, 23, 1e-3f);
        CHECK(err < 2e-2, "%s: gradient check relative error %.3g", what, err);
    }

    mcdl_tensor *x = NULL, *y = NULL;
    CHECK_OK(mcdl_tensor_create(&x, 5, (int64_t[]){2, 4, 6, 6, 2}));
    if (x) {
        mcdl_rng_fill_uniform(9, 0, 0, mcdl_tensor_data(x), 2 * 4 * 72, -1.0f, 1.0f);
        y = predict(m, x);
    }
    char *j1 = NULL;
    CHECK_OK(mcdl_model_to_json(m, &j1));
    CHECK_OK(mcdl_model_from_json(j1, j1 ? strlen(j1) : 0, "td round trip", 8, &b));
    if (b && y) {
        CHECK_OK(mcdl_model_save_weights_npz(m, tmp("td.npz")));
        CHECK_OK(mcdl_model_load_weights_npz(b, tmp("td.npz")));
        mcdl_tensor *y2 = predict(b, x);
        CHECK(same_bits(y, y2), "%s: JSON + npz predictions differ", what);
        mcdl_tensor_destroy(y2);
    }
    free(j1);
    mcdl_tensor_destroy(x);
    mcdl_tensor_destroy(y);
    mcdl_model_destroy(b);
    mcdl_model_destroy(m);
    unlink(tmp("td.npz"));
}

/* TimeDistributed(Conv2D) on (batch, steps, h, w, c) equals Conv2D on the
 * (batch * steps, h, w, c) view with the same weights; and wrapping what cannot act per
 * sample is refused with the class named. */
static void test_time_distributed_conv_equals_conv(void) {
    static const char json[] =
        "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
        "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 3, 7, 5, 2]}}," TD(
            "Conv2D", "{\"name\": \"conv2d\", \"filters\": 4, \"kernel_size\": [3, 2], "
                      "\"padding\": \"same\", \"activation\": \"relu\"}") "]}}";
    mcdl_model *a = NULL, *b = NULL;
    CHECK_OK(mcdl_model_from_json(json, strlen(json), "td conv", 5, &a));
    mcdl_graph *g = NULL;
    CHECK_OK(mcdl_graph_create(&g, 6));
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {7, 5, 2}});
    mcdl_node *y = mcdl_conv2d(g, x,
                               &(mcdl_conv_opts){.filters = 4,
                                                 .kernel_size = {3, 2},
                                                 .padding = MCDL_PADDING_SAME,
                                                 .activation = MCDL_RELU});
    CHECK_OK(mcdl_model_create(&b, g, 1, &x, 1, &y, "conv"));
    mcdl_graph_destroy(g);
    mcdl_tensor *xa = NULL, *xb = NULL, *ya = NULL, *yb = NULL;
    if (!a || !b) goto out;
    CHECK(mcdl_model_num_weights(a) == 2 && mcdl_model_num_weights(b) == 2, "weight counts");
    for (int i = 0; i < 2; i++) {
        mcdl_weight_info wa, wb;
        CHECK_OK(mcdl_model_weight(a, i, &wa));
        CHECK_OK(mcdl_model_weight(b, i, &wb));
        CHECK(mcdl_tensor_numel(wa.value) == mcdl_tensor_numel(wb.value), "weight %d size", i);
        memcpy(mcdl_tensor_data(wb.value), mcdl_tensor_data(wa.value),
               (size_t)mcdl_tensor_numel(wa.value) * sizeof(float));
    }
    mcdl_model_weights_changed(b);
    CHECK_OK(mcdl_tensor_create(&xa, 5, (int64_t[]){2, 3, 7, 5, 2}));
    CHECK_OK(mcdl_tensor_create(&xb, 4, (int64_t[]){6, 7, 5, 2}));
    if (!xa || !xb) goto out;
    mcdl_rng_fill_uniform(4, 0, 0, mcdl_tensor_data(xa), 2 * 3 * 70, -1.0f, 1.0f);
    memcpy(mcdl_tensor_data(xb), mcdl_tensor_data(xa), 2 * 3 * 70 * sizeof(float));
    ya = predict(a, xa);
    yb = predict(b, xb);
    CHECK(ya && yb && mcdl_tensor_rank(ya) == 5 && mcdl_tensor_dim(ya, 4) == 4,
          "TimeDistributed(Conv2D) output shape");
    if (ya && yb) {
        int far = 0;
        const float *pa = mcdl_tensor_data(ya), *pb = mcdl_tensor_data(yb);
        for (int64_t i = 0; i < mcdl_tensor_numel(yb); i++) far += fabsf(pa[i] - pb[i]) > 1e-6f;
        CHECK(mcdl_tensor_numel(ya) == mcdl_tensor_numel(yb) && far == 0,
              "TimeDistributed(Conv2D) differs from Conv2D per step at %d values", far);
    }
out:
    mcdl_tensor_destroy(xa);
    mcdl_tensor_destroy(xb);
    mcdl_tensor_destroy(ya);
    mcdl_tensor_destroy(yb);
    mcdl_model_destroy(a);
    mcdl_model_destroy(b);

    const char *bad[][2] = {{"TimeDistributed", "{\"name\": \"td\"}"},
                            {"InputLayer", "{\"name\": \"x\"}"},
                            {"NoSuchLayer", "{\"name\": \"n\"}"}};
    for (int k = 0; k < 3; k++) {
        mcdl_graph *gg = NULL;
        CHECK_OK(mcdl_graph_create(&gg, 1));
        const mcdl_cfg_item inner[] = {{.key = "name", .type = MCDL_CFG_STRING, .str = "w"}};
        const mcdl_config ic = {1, inner};
        const mcdl_cfg_item top[] = {
            {.key = "layer", .type = MCDL_CFG_LAYER, .class_name = bad[k][0], .config = &ic}};
        mcdl_layer *l = NULL;
        const mcdl_status s =
            mcdl_layer_from_config(gg, "TimeDistributed", &(mcdl_config){1, top}, &l);
        CHECK(s != MCDL_OK && strstr(mcdl_last_error(), bad[k][0]), "TimeDistributed(%s): %s %s",
              bad[k][0], mcdl_status_name(s), mcdl_last_error());
        mcdl_graph_destroy(gg);
    }
}

int main(void) {
    if (!mkdtemp(g_dir)) {
        printf("cannot create a temporary directory\n");
        return 1;
    }
    test_configs();
    round_trip(make_birnn, "birnn", 11459,
               "bidirectional/forward_simple_rnn/simple_rnn_cell/kernel",
               "\"backward_simple_rnn\"");
    round_trip(make_timedistributed, "timedistributed", 6449, "time_distributed/dense/kernel",
               "\"layer\":");
    test_keras3_bidirectional();
    if (mcdl_layer_class_known("Conv2D") && mcdl_layer_class_known("AveragePooling2D") &&
        mcdl_layer_class_known("MaxPooling2D")) {
        test_time_distributed_any(TD_STACK("AveragePooling2D"), "TimeDistributed avg stack", true);
        test_time_distributed_any(TD_STACK("MaxPooling2D"), "TimeDistributed max stack", false);
        test_time_distributed_conv_equals_conv();
    } else {
        printf("Conv2D/pooling not in this build: TimeDistributed(Conv2D) skipped\n");
    }
    unlink(tmp("w.npz"));
    unlink(tmp("m.mcdl"));
    rmdir(g_dir);
    return check_finish();
}
#endif
