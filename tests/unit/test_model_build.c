/* Model building: seed parameter counts (SEED_MODELS.md), automatic names, summary text,
 * a functional model with two inputs, a shared Dense, Concatenate and Add, config round
 * trip through mcdl_layer_from_config, and builder errors (shape mismatch naming both
 * layers, unknown class, duplicate names). */
#include <string.h>

#include "check.h"

static mcdl_model *dense_stack(const char *name, int64_t in, const int64_t *units,
                               const mcdl_activation_id *acts, int n) {
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_sequential_create(&m, 1, &(mcdl_input_opts){.shape = {in}}, name));
    if (!m) return NULL;
    mcdl_graph *g = mcdl_model_graph(m);
    for (int i = 0; i < n; i++)
        CHECK_OK(mcdl_sequential_add(
            m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = units[i], .activation = acts[i]})));
    return m;
}

static void summary_text(const mcdl_model *m, char *buf, size_t n) {
    FILE *f = tmpfile();
    CHECK(f != NULL, "tmpfile");
    if (!f) return;
    CHECK_OK(mcdl_model_summary(m, f));
    rewind(f);
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = '\0';
    fclose(f);
}

static void test_seed_counts(void) {
    int64_t total, tr, ntr;
    mcdl_model *ffnn = dense_stack("ffnn", 20, (int64_t[]){64, 32, 1},
                                   (mcdl_activation_id[]){MCDL_RELU, MCDL_RELU, MCDL_SIGMOID}, 3);
    mcdl_model_count_params(ffnn, &total, &tr, &ntr);
    CHECK(total == 3457 && tr == 3457 && ntr == 0, "ffnn params %lld", (long long)total);
    char txt[8192];
    summary_text(ffnn, txt, sizeof txt);
    CHECK(strstr(txt, "Total params: 3,457 (13.50 KB)") != NULL, "summary:\n%s", txt);
    CHECK(strstr(txt, "Non-trainable params: 0 (0.00 B)") != NULL, "summary:\n%s", txt);
    CHECK(strstr(txt, " dense_2 (Dense)             (None, 1)                 33") != NULL,
          "summary row:\n%s", txt);
    CHECK(!strcmp(mcdl_layer_name(mcdl_model_layer(ffnn, 1)), "dense"), "auto name %s",
          mcdl_layer_name(mcdl_model_layer(ffnn, 1)));
    mcdl_weight_info wi;
    CHECK_OK(mcdl_model_find_weight(ffnn, "dense_1/kernel", NULL, &wi));
    CHECK(mcdl_tensor_dim(wi.value, 0) == 64 && mcdl_tensor_dim(wi.value, 1) == 32, "kernel shape");
    CHECK_STATUS(mcdl_model_find_weight(ffnn, "dense_9/kernel", NULL, &wi), MCDL_ERR_ARG);
    CHECK(mcdl_model_num_weights(ffnn) == 6, "weights %d", mcdl_model_num_weights(ffnn));
    mcdl_model_destroy(ffnn);

    mcdl_model *iris = dense_stack("iris", 4, (int64_t[]){64, 64, 3},
                                   (mcdl_activation_id[]){MCDL_RELU, MCDL_RELU, MCDL_SOFTMAX}, 3);
    mcdl_model_count_params(iris, &total, NULL, NULL);
    CHECK(total == 4675, "iris params %lld", (long long)total);
    mcdl_model_destroy(iris);

    mcdl_model *ae = dense_stack(
        "autoencoder", 784, (int64_t[]){128, 64, 32, 64, 128, 784},
        (mcdl_activation_id[]){MCDL_RELU, MCDL_RELU, MCDL_RELU, MCDL_RELU, MCDL_RELU, MCDL_SIGMOID},
        6);
    mcdl_model_count_params(ae, &total, NULL, NULL);
    CHECK(total == 222384, "autoencoder params %lld", (long long)total);
    mcdl_model_destroy(ae);
}

/* Two inputs (16), a shared Dense(8, tanh) on each, Add, Concatenate with input 1, Dense 2:
 * 16*8 + 8 + (8 + 16)*2 + 2 = 186 params (the shared_dense_tfkeras2 example). */
static void test_functional_shared(void) {
    mcdl_graph *g;
    CHECK_OK(mcdl_graph_create(&g, 7));
    mcdl_node *a = mcdl_input(g, &(mcdl_input_opts){.shape = {16}});
    mcdl_node *b = mcdl_input(g, &(mcdl_input_opts){.shape = {16}});
    mcdl_layer *shared = mcdl_dense_layer(
        g, &(mcdl_dense_opts){.units = 8, .activation = MCDL_TANH, .name = "shared"});
    mcdl_node *sa = mcdl_call(shared, a), *sb = mcdl_call(shared, b);
    mcdl_node *s = mcdl_add(g, 2, (mcdl_node *[]){sa, sb}, NULL);
    mcdl_node *c = mcdl_concatenate(g, 2, (mcdl_node *[]){s, a}, NULL);
    mcdl_node *y =
        mcdl_dense(g, c, &(mcdl_dense_opts){.units = 2, .activation = MCDL_SOFTMAX, .name = "out"});
    int64_t shp[MCDL_MAX_RANK];
    CHECK(mcdl_node_shape(c, shp) == 1 && shp[0] == 24, "concat shape");
    CHECK(mcdl_node_call_index(sb) == 1 && mcdl_node_layer(sb) == shared, "second call index");
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_model_create(&m, g, 2, (mcdl_node *[]){a, b}, 1, &y, "model"));
    mcdl_graph_destroy(g);
    int64_t total;
    mcdl_model_count_params(m, &total, NULL, NULL);
    CHECK(total == 186, "shared model params %lld", (long long)total);
    CHECK(!strcmp(mcdl_layer_name(mcdl_model_layer(m, 0)), "input_layer") &&
              !strcmp(mcdl_layer_name(mcdl_model_layer(m, 1)), "input_layer_1"),
          "input names");
    char txt[16384];
    summary_text(m, txt, sizeof txt);
    CHECK(strstr(txt, "Connected to") && strstr(txt, "input_layer_1[0][0]") &&
              strstr(txt, "shared[1][0]"),
          "functional summary:\n%s", txt);
    CHECK(strstr(txt, "Total params: 186 (744.00 B)") != NULL, "summary:\n%s", txt);
    /* predict runs and rows sum to 1 (softmax) */
    mcdl_tensor *xa, *xb, *out[1];
    mcdl_tensor_create(&xa, 2, (int64_t[]){5, 16});
    mcdl_tensor_create(&xb, 2, (int64_t[]){5, 16});
    mcdl_rng_fill_uniform(3, 0, 0, mcdl_tensor_data(xa), 80, -1, 1);
    mcdl_rng_fill_uniform(3, 1, 0, mcdl_tensor_data(xb), 80, -1, 1);
    CHECK_OK(mcdl_model_predict(m, 2, (const mcdl_tensor *const[]){xa, xb}, NULL, 1, out));
    if (out[0]) {
        for (int r = 0; r < 5; r++)
            CHECK_NEAR(mcdl_tensor_data(out[0])[2 * r] + mcdl_tensor_data(out[0])[2 * r + 1], 1.0,
                       1e-6);
        mcdl_tensor_destroy(out[0]);
    }
    /* wrong input count and shape */
    CHECK_STATUS(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){xa}, NULL, 1, out),
                 MCDL_ERR_ARG);
    mcdl_tensor *bad;
    mcdl_tensor_create(&bad, 2, (int64_t[]){5, 15});
    CHECK_STATUS(mcdl_model_predict(m, 2, (const mcdl_tensor *const[]){xa, bad}, NULL, 1, out),
                 MCDL_ERR_SHAPE);
    CHECK(strstr(mcdl_last_error(), "(5, 15)") && strstr(mcdl_last_error(), "input_layer_1"),
          "msg: %s", mcdl_last_error());
    mcdl_tensor_destroy(bad);
    mcdl_tensor_destroy(xa);
    mcdl_tensor_destroy(xb);
    mcdl_model_destroy(m);
}

static void test_builder_errors(void) {
    mcdl_graph *g;
    CHECK_OK(mcdl_graph_create(&g, 1));
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {4}});
    mcdl_node *h = mcdl_dense(g, x, &(mcdl_dense_opts){.units = 3});
    mcdl_node *z = mcdl_input(g, &(mcdl_input_opts){.shape = {5}});
    mcdl_node *bad = mcdl_add(g, 2, (mcdl_node *[]){h, z}, NULL);
    CHECK(bad == NULL, "Add of (3) and (5) must fail");
    CHECK(mcdl_graph_status(g) == MCDL_ERR_SHAPE, "status %s",
          mcdl_status_name(mcdl_graph_status(g)));
    CHECK(strstr(mcdl_graph_error(g), "'dense'") &&
              strstr(mcdl_graph_error(g), "'input_layer_1'") &&
              strstr(mcdl_graph_error(g), "(None, 3)") && strstr(mcdl_graph_error(g), "(None, 5)"),
          "error names both layers and shapes: %s", mcdl_graph_error(g));
    /* later builders return NULL, model creation reports the first error */
    CHECK(mcdl_dense(g, h, &(mcdl_dense_opts){.units = 2}) == NULL, "sticky error");
    mcdl_model *m = NULL;
    CHECK_STATUS(mcdl_model_create(&m, g, 1, &x, 1, &h, NULL), MCDL_ERR_SHAPE);
    mcdl_graph_destroy(g);

    CHECK_OK(mcdl_graph_create(&g, 1));
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {4}});
    CHECK(mcdl_dense(g, x, &(mcdl_dense_opts){.units = 0}) == NULL &&
              mcdl_graph_status(g) == MCDL_ERR_ARG,
          "units 0");
    mcdl_graph_destroy(g);

    CHECK_OK(mcdl_graph_create(&g, 1));
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {4}, .name = "a"});
    CHECK(mcdl_dense(g, x, &(mcdl_dense_opts){.units = 2, .name = "a"}) == NULL, "duplicate name");
    mcdl_graph_destroy(g);

    /* shared Dense called on an incompatible input */
    CHECK_OK(mcdl_graph_create(&g, 1));
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {4}});
    z = mcdl_input(g, &(mcdl_input_opts){.shape = {6}});
    mcdl_layer *l = mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 2});
    CHECK(mcdl_call(l, x) != NULL, "first call");
    CHECK(mcdl_call(l, z) == NULL && mcdl_graph_status(g) == MCDL_ERR_SHAPE, "shared mismatch: %s",
          mcdl_graph_error(g));
    mcdl_graph_destroy(g);

    /* an output depending on an input that is not a model input */
    CHECK_OK(mcdl_graph_create(&g, 1));
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {4}});
    z = mcdl_input(g, &(mcdl_input_opts){.shape = {4}});
    mcdl_node *s = mcdl_add(g, 2, (mcdl_node *[]){x, z}, NULL);
    CHECK_STATUS(mcdl_model_create(&m, g, 1, &x, 1, &s, NULL), MCDL_ERR_ARG);
    mcdl_graph_destroy(g);
}

static void test_from_config(void) {
    mcdl_graph *g;
    CHECK_OK(mcdl_graph_create(&g, 1));
    mcdl_layer *in = NULL, *d = NULL, *lk = NULL, *r = NULL;
    const double bs[] = {NAN, 20};
    mcdl_cfg_item in_items[] = {
        {.key = "batch_input_shape", .type = MCDL_CFG_NUMBERS, .n = 2, .nums = bs},
        {.key = "name", .type = MCDL_CFG_STRING, .str = "input_1"}};
    CHECK_OK(mcdl_layer_from_config(g, "InputLayer", &(mcdl_config){2, in_items}, &in));
    mcdl_cfg_item d_items[] = {
        {.key = "units", .type = MCDL_CFG_NUMBER, .num = 64},
        {.key = "activation", .type = MCDL_CFG_STRING, .str = "relu"},
        {.key = "kernel_initializer", .type = MCDL_CFG_STRING, .str = "GlorotUniform"},
        {.key = "kernel_regularizer", .type = MCDL_CFG_NULL},
        {.key = "name", .type = MCDL_CFG_STRING, .str = "dense"}};
    CHECK_OK(mcdl_layer_from_config(g, "Dense", &(mcdl_config){5, d_items}, &d));
    mcdl_cfg_item l_items[] = {{.key = "alpha", .type = MCDL_CFG_NUMBER, .num = 0.2}};
    CHECK_OK(mcdl_layer_from_config(g, "LeakyReLU", &(mcdl_config){1, l_items}, &lk));
    const double ts[] = {8, 8};
    mcdl_cfg_item r_items[] = {
        {.key = "target_shape", .type = MCDL_CFG_NUMBERS, .n = 2, .nums = ts}};
    CHECK_OK(mcdl_layer_from_config(g, "Reshape", &(mcdl_config){1, r_items}, &r));
    mcdl_node *y = mcdl_call(r, mcdl_call(lk, mcdl_call(d, mcdl_layer_output(in, 0, 0))));
    CHECK(y != NULL, "calls: %s", mcdl_graph_error(g));
    int64_t shp[MCDL_MAX_RANK];
    CHECK(mcdl_node_shape(y, shp) == 2 && shp[0] == 8 && shp[1] == 8, "reshape (8, 8)");
    const mcdl_config *c;
    CHECK_OK(mcdl_layer_get_config(lk, &c));
    const mcdl_cfg_item *ns = mcdl_config_find(c, "negative_slope");
    CHECK(ns && ns->type == MCDL_CFG_NUMBER && fabs(ns->num - 0.2) < 1e-7,
          "negative_slope written");
    CHECK_OK(mcdl_layer_get_config(d, &c));
    const mcdl_cfg_item *u = mcdl_config_find(c, "units");
    const mcdl_cfg_item *ki = mcdl_config_find(c, "kernel_initializer");
    CHECK(u && u->num == 64 && ki && !strcmp(ki->str, "GlorotUniform"), "dense config");
    mcdl_layer *bad = NULL;
    CHECK_STATUS(mcdl_layer_from_config(g, "Conv9D", &(mcdl_config){0, NULL}, &bad),
                 MCDL_ERR_UNSUPPORTED);
    CHECK(strstr(mcdl_last_error(), "Conv9D") != NULL, "names the class: %s", mcdl_last_error());
    mcdl_cfg_item wrong[] = {{.key = "units", .type = MCDL_CFG_STRING, .str = "many"}};
    CHECK_STATUS(mcdl_layer_from_config(g, "Dense", &(mcdl_config){1, wrong}, &bad),
                 MCDL_ERR_FORMAT);
    mcdl_graph_destroy(g);
}

int main(void) {
    test_seed_counts();
    test_functional_shared();
    test_builder_errors();
    test_from_config();
    return check_finish();
}
