/* Convolution-family layers: parameter counts and output shapes of the seed models that
 * use them (SEED_MODELS.md), finite-difference gradient checks of every layer (input
 * through a Dense in front, every weight), Keras configs, and the bad-input errors. */
#include <string.h>

#include "check.h"
#include "gradcheck.h"

#define EPS 1e-3f
#define TOL 2e-2

static mcdl_model *wrap(mcdl_graph *g, mcdl_node *x, mcdl_node *y) {
    mcdl_model *m = NULL;
    mcdl_status s = mcdl_model_create(&m, g, 1, &x, 1, &y, "m");
    CHECK(s == MCDL_OK, "model: %s", mcdl_last_error());
    mcdl_graph_destroy(g);
    return m;
}

static void expect_params(mcdl_model *m, const char *what, int64_t total, int64_t nontrain,
                          const int64_t *out_shape, int out_rank) {
    if (!m) return;
    int64_t t, tr, ntr;
    mcdl_model_count_params(m, &t, &tr, &ntr);
    CHECK(t == total && ntr == nontrain, "%s: params %lld (non-trainable %lld), want %lld (%lld)",
          what, (long long)t, (long long)ntr, (long long)total, (long long)nontrain);
    (void)out_shape;
    (void)out_rank;
    mcdl_model_destroy(m);
}

static mcdl_node *flat(mcdl_graph *g, mcdl_node *x) { return mcdl_flatten(g, x, NULL); }
static mcdl_node *dense(mcdl_graph *g, mcdl_node *x, int64_t u, mcdl_activation_id a) {
    return mcdl_dense(g, x, &(mcdl_dense_opts){.units = u, .activation = a});
}
static mcdl_node *conv(mcdl_graph *g, mcdl_node *x, int64_t f, int64_t k, mcdl_padding_mode p,
                       mcdl_activation_id a) {
    return mcdl_conv2d(
        g, x,
        &(mcdl_conv_opts){.filters = f, .kernel_size = {k, k}, .padding = p, .activation = a});
}

static void check_shape(mcdl_node *n, const int64_t *want, int rank, const char *what) {
    int64_t s[MCDL_MAX_RANK];
    const int r = n ? mcdl_node_shape(n, s) : -1;
    int ok = r == rank;
    for (int i = 0; ok && i < rank; i++) ok = s[i] == want[i];
    CHECK(ok, "%s: output shape rank %d (%lld, %lld, %lld)", what, r, (long long)s[0],
          (long long)(r > 1 ? s[1] : 0), (long long)(r > 2 ? s[2] : 0));
}

static void test_seed_models(void) {
    mcdl_graph *g;
    /* cnn: (64, 64, 3) */
    mcdl_graph_create(&g, 1);
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {64, 64, 3}});
    mcdl_node *h = conv(g, x, 32, 3, MCDL_PADDING_VALID, MCDL_RELU);
    h = mcdl_max_pooling2d(g, h, NULL);
    h = mcdl_separable_conv2d(
        g, h,
        &(mcdl_depthwise_opts){.filters = 64, .kernel_size = {3, 3}, .activation = MCDL_RELU});
    h = mcdl_average_pooling2d(g, h, NULL);
    h = mcdl_depthwise_conv2d(
        g, h, &(mcdl_depthwise_opts){.kernel_size = {3, 3}, .activation = MCDL_RELU});
    h = mcdl_max_pooling2d(g, h, NULL);
    check_shape(h, (int64_t[]){6, 6, 64}, 3, "cnn features");
    h = dense(g, flat(g, h), 64, MCDL_RELU);
    h = dense(g, h, 3, MCDL_SOFTMAX);
    expect_params(wrap(g, x, h), "cnn", 151651, 0, NULL, 0);

    /* mnist_cnn: (28, 28, 1) */
    mcdl_graph_create(&g, 2);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {28, 28, 1}});
    h = mcdl_max_pooling2d(g, conv(g, x, 32, 3, MCDL_PADDING_VALID, MCDL_RELU), NULL);
    check_shape(h, (int64_t[]){13, 13, 32}, 3, "mnist features");
    h = dense(g, dense(g, flat(g, h), 128, MCDL_RELU), 10, MCDL_SOFTMAX);
    expect_params(wrap(g, x, h), "mnist_cnn", 693962, 0, NULL, 0);

    /* gan generator: (100) */
    mcdl_graph_create(&g, 3);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {100}});
    h = mcdl_reshape(g, dense(g, x, 6272, MCDL_RELU),
                     &(mcdl_reshape_opts){.target_shape = {7, 7, 128}});
    h = mcdl_conv2d_transpose(g, h,
                              &(mcdl_conv2d_transpose_opts){.filters = 128,
                                                            .kernel_size = {4, 4},
                                                            .strides = {2, 2},
                                                            .padding = MCDL_PADDING_SAME});
    h = mcdl_leaky_relu(g, h, &(mcdl_leaky_relu_opts){.alpha = 0.2f});
    h = mcdl_conv2d_transpose(
        g, h,
        &(mcdl_conv2d_transpose_opts){
            .filters = 64, .kernel_size = {4, 4}, .strides = {2, 2}, .padding = MCDL_PADDING_SAME});
    h = mcdl_leaky_relu(g, h, &(mcdl_leaky_relu_opts){.alpha = 0.2f});
    h = conv(g, h, 1, 7, MCDL_PADDING_SAME, MCDL_TANH);
    check_shape(h, (int64_t[]){28, 28, 1}, 3, "generator output");
    expect_params(wrap(g, x, h), "gan generator", 1030017, 0, NULL, 0);

    /* gan discriminator: (28, 28, 1) */
    mcdl_graph_create(&g, 4);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {28, 28, 1}});
    h = mcdl_leaky_relu(g, conv(g, x, 64, 3, MCDL_PADDING_SAME, MCDL_LINEAR),
                        &(mcdl_leaky_relu_opts){.alpha = 0.2f});
    h = dense(g, flat(g, h), 1, MCDL_SIGMOID);
    expect_params(wrap(g, x, h), "gan discriminator", 50817, 0, NULL, 0);

    /* resnet: (32, 32, 3) */
    mcdl_graph_create(&g, 5);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {32, 32, 3}});
    h = conv(g, x, 64, 3, MCDL_PADDING_SAME, MCDL_RELU);
    for (int b = 0; b < 3; b++) {
        mcdl_node *r = conv(g, h, 64, 3, MCDL_PADDING_SAME, MCDL_LINEAR);
        r = mcdl_activation(g, mcdl_batch_normalization(g, r, NULL),
                            &(mcdl_activation_opts){.activation = MCDL_RELU});
        r = mcdl_batch_normalization(g, conv(g, r, 64, 3, MCDL_PADDING_SAME, MCDL_LINEAR), NULL);
        mcdl_node *in2[2] = {r, h};
        h = mcdl_activation(g, mcdl_add(g, 2, in2, NULL),
                            &(mcdl_activation_opts){.activation = MCDL_RELU});
    }
    h = dense(g, flat(g, h), 10, MCDL_SOFTMAX);
    expect_params(wrap(g, x, h), "resnet", 880266, 768, NULL, 0);

    /* cifar_cnn: (32, 32, 3) */
    mcdl_graph_create(&g, 6);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {32, 32, 3}});
    h = mcdl_max_pooling2d(g, conv(g, x, 32, 3, MCDL_PADDING_VALID, MCDL_RELU), NULL);
    h = mcdl_max_pooling2d(g, conv(g, h, 64, 3, MCDL_PADDING_VALID, MCDL_RELU), NULL);
    h = conv(g, h, 64, 3, MCDL_PADDING_VALID, MCDL_RELU);
    check_shape(h, (int64_t[]){4, 4, 64}, 3, "cifar features");
    h = dense(g, dense(g, flat(g, h), 64, MCDL_RELU), 10, MCDL_SOFTMAX);
    expect_params(wrap(g, x, h), "cifar_cnn", 122570, 0, NULL, 0);
}

/* gradcheck_model restricted to trainable variables of trainable layers: the others keep
 * their values (a frozen BatchNormalization's gamma, beta and moving statistics). */
static double gradcheck_trainable(mcdl_model *m, int64_t batch, uint64_t seed, float eps) {
    float **keep = calloc((size_t)m->n_w + 1, sizeof *keep);
    bool *frozen = calloc((size_t)m->n_w + 1, sizeof *frozen);
    for (int i = 0; i < m->n_w; i++) {
        frozen[i] = !m->w[i]->trainable || !m->w_layer[i]->trainable;
        if (!frozen[i]) continue;
        keep[i] = malloc((size_t)m->w[i]->numel * sizeof(float));
        memcpy(keep[i], m->w[i]->data, (size_t)m->w[i]->numel * sizeof(float));
    }
    /* Run the standard check with the frozen variables' perturbation undone: it perturbs
     * data in place, so swap in a zero-step view by making their numel 0 for the duration. */
    int64_t *numel = calloc((size_t)m->n_w + 1, sizeof *numel);
    for (int i = 0; i < m->n_w; i++) {
        numel[i] = m->w[i]->numel;
        if (frozen[i]) m->w[i]->numel = 0;
    }
    const double err = gradcheck_model(m, batch, seed, eps);
    for (int i = 0; i < m->n_w; i++) {
        m->w[i]->numel = numel[i];
        if (frozen[i]) {
            memcpy(m->w[i]->data, keep[i], (size_t)numel[i] * sizeof(float));
            free(keep[i]);
        }
    }
    free(numel), free(keep), free(frozen);
    return err;
}

/* Input -> Dense(cin) (so the layer's input gradient reaches a weight) -> layer. */
typedef mcdl_node *(*build_fn)(mcdl_graph *g, mcdl_node *x, int variant);

static void gradcheck(const char *what, int rank, const int64_t *shape, int64_t cin, build_fn f,
                      int variant, bool frozen_last) {
    mcdl_graph *g;
    mcdl_graph_create(&g, 11 + (uint64_t)variant);
    mcdl_input_opts io = {0};
    for (int i = 0; i < rank; i++) io.shape[i] = shape[i];
    mcdl_node *x = mcdl_input(g, &io);
    mcdl_node *h = mcdl_dense(g, x, &(mcdl_dense_opts){.units = cin});
    mcdl_node *y = f(g, h, variant);
    if (frozen_last && y) mcdl_layer_set_trainable(mcdl_node_layer(y), false);
    if (!y) {
        CHECK(0, "%s: build failed: %s", what, mcdl_last_error());
        mcdl_graph_destroy(g);
        return;
    }
    mcdl_model *m = wrap(g, x, y);
    if (!m) return;
    /* A frozen layer's variables get no gradient (Keras); hold them fixed in the check. */
    const double err =
        frozen_last ? gradcheck_trainable(m, 3, 29, EPS) : gradcheck_model(m, 3, 29, EPS);
    CHECK(err < TOL, "%s (variant %d): relative error %.3g", what, variant, err);
    mcdl_model_destroy(m);
}

static mcdl_node *b_conv2d(mcdl_graph *g, mcdl_node *x, int v) {
    static const mcdl_conv_opts o[] = {
        {.filters = 4, .kernel_size = {3, 3}}, /* direct */
        {.filters = 5, .kernel_size = {3, 2}, .padding = MCDL_PADDING_SAME, .strides = {2, 1}},
        {.filters = 3, .kernel_size = {2, 2}, .dilation_rate = {2, 2}, .activation = MCDL_TANH},
        {.filters = 6, .kernel_size = {1, 1}}, /* pointwise */
        {.filters = 3,
         .kernel_size = {3, 3},
         .padding = MCDL_PADDING_SAME,
         .activation = MCDL_SOFTMAX},
    };
    return mcdl_conv2d(g, x, &o[v]);
}
static mcdl_node *b_conv2d_wide(mcdl_graph *g, mcdl_node *x, int v) { /* K > 32: im2col + GEMM */
    (void)v;
    return mcdl_conv2d(g, x,
                       &(mcdl_conv_opts){.filters = 5,
                                         .kernel_size = {3, 3},
                                         .padding = MCDL_PADDING_SAME,
                                         .activation = MCDL_SIGMOID});
}
static mcdl_node *b_conv1d(mcdl_graph *g, mcdl_node *x, int v) {
    return mcdl_conv1d(g, x,
                       &(mcdl_conv_opts){.filters = 4,
                                         .kernel_size = {3},
                                         .dilation_rate = {v ? 2 : 1},
                                         .padding = v ? MCDL_PADDING_CAUSAL : MCDL_PADDING_SAME});
}
static mcdl_node *b_deconv(mcdl_graph *g, mcdl_node *x, int v) {
    return mcdl_conv2d_transpose(g, x,
                                 v ? &(mcdl_conv2d_transpose_opts){.filters = 3,
                                                                   .kernel_size = {3, 3},
                                                                   .strides = {2, 2},
                                                                   .has_output_padding = true,
                                                                   .output_padding = {1, 1}}
                                   : &(mcdl_conv2d_transpose_opts){.filters = 4,
                                                                   .kernel_size = {4, 4},
                                                                   .strides = {2, 2},
                                                                   .padding = MCDL_PADDING_SAME,
                                                                   .activation = MCDL_LEAKY_RELU});
}
static mcdl_node *b_dw(mcdl_graph *g, mcdl_node *x, int v) {
    return mcdl_depthwise_conv2d(
        g, x,
        &(mcdl_depthwise_opts){.kernel_size = {3, 3},
                               .depth_multiplier = v ? 2 : 1,
                               .padding = v ? MCDL_PADDING_VALID : MCDL_PADDING_SAME,
                               .activation = v ? MCDL_SIGMOID : MCDL_LINEAR});
}
static mcdl_node *b_sep(mcdl_graph *g, mcdl_node *x, int v) {
    return mcdl_separable_conv2d(g, x,
                                 &(mcdl_depthwise_opts){.filters = 5,
                                                        .kernel_size = {3, 3},
                                                        .depth_multiplier = v ? 2 : 1,
                                                        .activation = v ? MCDL_ELU : MCDL_TANH});
}
static mcdl_node *b_pool(mcdl_graph *g, mcdl_node *x, int v) {
    switch (v) {
    case 0:
        return mcdl_max_pooling2d(g, x, NULL);
    case 1:
        return mcdl_average_pooling2d(g, x,
                                      &(mcdl_pool_opts){.pool_size = {3, 3},
                                                        .strides = {2, 2},
                                                        .padding = MCDL_PADDING_SAME});
    case 2:
        return mcdl_global_max_pooling2d(g, x, NULL);
    case 3:
        return mcdl_global_average_pooling2d(g, x, NULL);
    case 4:
        return mcdl_up_sampling2d(g, x, &(mcdl_up_sampling2d_opts){.size = {2, 3}});
    default:
        return mcdl_zero_padding2d(g, x, &(mcdl_zero_padding2d_opts){.padding = {1, 0, 2, 1}});
    }
}
static mcdl_node *b_pool1d(mcdl_graph *g, mcdl_node *x, int v) {
    switch (v) {
    case 0:
        return mcdl_max_pooling1d(
            g, x, &(mcdl_pool_opts){.pool_size = {3}, .padding = MCDL_PADDING_SAME});
    case 1:
        return mcdl_average_pooling1d(g, x, NULL);
    case 2:
        return mcdl_global_max_pooling1d(g, x, NULL);
    default:
        return mcdl_global_average_pooling1d(g, x, NULL, NULL);
    }
}
static mcdl_node *b_conv3d(mcdl_graph *g, mcdl_node *x, int v) {
    return mcdl_conv3d(g, x,
                       &(mcdl_conv3d_opts){.filters = 3,
                                           .kernel_size = {2, 3, 2},
                                           .strides = {v ? 2 : 1, 1, v ? 2 : 1},
                                           .padding = v ? MCDL_PADDING_SAME : MCDL_PADDING_VALID,
                                           .activation = v ? MCDL_TANH : MCDL_LINEAR});
}
static mcdl_node *b_bn(mcdl_graph *g, mcdl_node *x, int v) {
    (void)v;
    return mcdl_batch_normalization(g, x, NULL);
}

static void test_gradients(void) {
    const int64_t img[3] = {7, 6, 2}, seq[2] = {9, 2};
    for (int v = 0; v < 5; v++) gradcheck("Conv2D", 3, img, 3, b_conv2d, v, false);
    gradcheck("Conv2D im2col", 3, img, 5, b_conv2d_wide, 0, false);
    gradcheck("Conv2D implicit GEMM (8 input channels)", 3, img, 8, b_conv2d_wide, 0, false);
    gradcheck("Conv2DTranspose implicit GEMM (8 input channels)", 3, (int64_t[]){3, 4, 2}, 8,
              b_deconv, 0, false);
    for (int v = 0; v < 2; v++) gradcheck("Conv1D", 2, seq, 3, b_conv1d, v, false);
    for (int v = 0; v < 2; v++)
        gradcheck("Conv2DTranspose", 3, (int64_t[]){3, 4, 2}, 3, b_deconv, v, false);
    for (int v = 0; v < 2; v++) gradcheck("DepthwiseConv2D", 3, img, 3, b_dw, v, false);
    for (int v = 0; v < 2; v++) gradcheck("SeparableConv2D", 3, img, 3, b_sep, v, false);
    for (int v = 0; v < 6; v++) gradcheck("pooling/resize 2-D", 3, img, 3, b_pool, v, false);
    /* a window of 272 > MCDL_MAXPOOL_ARGMAX_MAX_CELLS cells: backward re-reads x */
    gradcheck("GlobalMaxPooling2D over 17x16", 3, (int64_t[]){17, 16, 1}, 2, b_pool, 2, false);
    for (int v = 0; v < 4; v++) gradcheck("pooling 1-D", 2, seq, 3, b_pool1d, v, false);
    for (int v = 0; v < 2; v++)
        gradcheck("Conv3D", 4, (int64_t[]){4, 5, 4, 2}, 3, b_conv3d, v, false);
    gradcheck("BatchNormalization (training)", 3, img, 3, b_bn, 0, false);
    gradcheck("BatchNormalization (frozen: moving statistics)", 3, img, 3, b_bn, 1, true);
}

static void test_bad_inputs(void) {
    mcdl_graph *g;
    mcdl_graph_create(&g, 9);
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {4, 4, 3}});
    mcdl_node *h =
        mcdl_conv2d(g, x, &(mcdl_conv_opts){.filters = 2, .kernel_size = {5, 5}, .name = "big"});
    CHECK(h == NULL && mcdl_graph_status(g) == MCDL_ERR_SHAPE && strstr(mcdl_last_error(), "'big'"),
          "kernel larger than a valid input: %s", mcdl_last_error());
    mcdl_graph_destroy(g);

    mcdl_graph_create(&g, 9);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {4, 4, 3}});
    h = mcdl_conv2d(g, x,
                    &(mcdl_conv_opts){.filters = 0, .kernel_size = {3, 3}, .name = "nofilters"});
    CHECK(h == NULL && mcdl_graph_status(g) == MCDL_ERR_ARG &&
              strstr(mcdl_last_error(), "'nofilters'"),
          "zero filters: %s", mcdl_last_error());
    mcdl_graph_destroy(g);

    mcdl_graph_create(&g, 9);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {4, 4, 3}});
    h = mcdl_conv2d(
        g, x,
        &(mcdl_conv_opts){
            .filters = 2, .kernel_size = {3, 3}, .strides = {-1, 1}, .name = "negstride"});
    CHECK(h == NULL && mcdl_graph_status(g) == MCDL_ERR_ARG &&
              strstr(mcdl_last_error(), "'negstride'"),
          "negative stride: %s", mcdl_last_error());
    mcdl_graph_destroy(g);

    mcdl_graph_create(&g, 9);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {4, 4, 3}});
    h = mcdl_conv2d_transpose(g, x,
                              &(mcdl_conv2d_transpose_opts){.filters = 2,
                                                            .kernel_size = {3, 3},
                                                            .strides = {2, 2},
                                                            .has_output_padding = true,
                                                            .output_padding = {2, 2},
                                                            .name = "deconv"});
    CHECK(h == NULL && mcdl_graph_status(g) == MCDL_ERR_ARG &&
              strstr(mcdl_last_error(), "'deconv'") && strstr(mcdl_last_error(), "output_padding"),
          "output_padding >= stride: %s", mcdl_last_error());
    mcdl_graph_destroy(g);

    /* a shared Conv2D built for 3 channels called on 2 */
    mcdl_graph_create(&g, 9);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {6, 6, 3}});
    mcdl_node *x2 = mcdl_input(g, &(mcdl_input_opts){.shape = {6, 6, 2}});
    mcdl_layer *l = mcdl_conv2d_layer(
        g, &(mcdl_conv_opts){.filters = 2, .kernel_size = {3, 3}, .name = "shared"});
    CHECK(mcdl_call(l, x) != NULL, "first call");
    CHECK(mcdl_call(l, x2) == NULL && mcdl_graph_status(g) == MCDL_ERR_SHAPE &&
              strstr(mcdl_last_error(), "'shared'") &&
              strstr(mcdl_last_error(), "3 input channels"),
          "channel mismatch: %s", mcdl_last_error());
    mcdl_graph_destroy(g);

    /* Keras config: Conv2DTranspose output_padding and a bad padding string */
    mcdl_graph_create(&g, 9);
    const double ks[2] = {3, 3}, st[2] = {2, 2}, op[2] = {1, 1};
    const mcdl_cfg_item items[] = {
        {.key = "filters", .type = MCDL_CFG_NUMBER, .num = 4},
        {.key = "kernel_size", .type = MCDL_CFG_NUMBERS, .n = 2, .nums = ks},
        {.key = "strides", .type = MCDL_CFG_NUMBERS, .n = 2, .nums = st},
        {.key = "output_padding", .type = MCDL_CFG_NUMBERS, .n = 2, .nums = op},
        {.key = "padding", .type = MCDL_CFG_STRING, .str = "valid"},
        {.key = "name", .type = MCDL_CFG_STRING, .str = "up"}};
    mcdl_layer *dl = NULL;
    CHECK_OK(mcdl_layer_from_config(g, "Conv2DTranspose", &(mcdl_config){6, items}, &dl));
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {5, 5, 3}});
    h = dl ? mcdl_call(dl, x) : NULL;
    check_shape(h, (int64_t[]){12, 12, 4}, 3, "Conv2DTranspose from config: (5-1)*2 + 3 + 1");
    const mcdl_cfg_item bad[] = {{.key = "filters", .type = MCDL_CFG_NUMBER, .num = 4},
                                 {.key = "kernel_size", .type = MCDL_CFG_NUMBER, .num = 3},
                                 {.key = "padding", .type = MCDL_CFG_STRING, .str = "full"},
                                 {.key = "name", .type = MCDL_CFG_STRING, .str = "c"}};
    CHECK_STATUS(mcdl_layer_from_config(g, "Conv2D", &(mcdl_config){4, bad}, &dl), MCDL_ERR_ARG);
    mcdl_graph_destroy(g);
}

/* get_config -> from_config makes an equal layer: same output shape and parameter count. */
static void roundtrip(mcdl_layer *l, mcdl_node *x, const char *what) {
    mcdl_graph *g = mcdl_layer_graph(l);
    mcdl_node *y = mcdl_call(l, x);
    const mcdl_config *cfg = NULL;
    CHECK(y && mcdl_layer_get_config(l, &cfg) == MCDL_OK, "%s: call/get_config: %s", what,
          mcdl_last_error());
    if (!y || !cfg) return;
    /* rename: the copy lives in the same graph */
    mcdl_cfg_item items[64];
    int n = 0;
    for (int i = 0; i < cfg->n && n < 64; i++)
        if (strcmp(cfg->items[i].key, "name")) items[n++] = cfg->items[i];
    mcdl_layer *c = NULL;
    const mcdl_status s = mcdl_layer_from_config(g, mcdl_layer_get_class(l)->class_name,
                                                 &(mcdl_config){n, items}, &c);
    CHECK(s == MCDL_OK, "%s: from_config: %s", what, mcdl_last_error());
    if (s != MCDL_OK) return;
    mcdl_node *y2 = mcdl_call(c, x);
    int64_t a[MCDL_MAX_RANK], b[MCDL_MAX_RANK];
    const int ra = mcdl_node_shape(y, a), rb = y2 ? mcdl_node_shape(y2, b) : -1;
    CHECK(ra == rb && !memcmp(a, b, (size_t)ra * sizeof a[0]) &&
              mcdl_layer_count_params(l) == mcdl_layer_count_params(c),
          "%s: round trip changed the layer (%lld vs %lld params)", what,
          (long long)mcdl_layer_count_params(l), (long long)mcdl_layer_count_params(c));
}

static void test_configs(void) {
    mcdl_graph *g;
    mcdl_graph_create(&g, 21);
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {9, 8, 4}});
    mcdl_node *s1 = mcdl_input(g, &(mcdl_input_opts){.shape = {12, 4}});
    mcdl_node *v = mcdl_input(g, &(mcdl_input_opts){.shape = {5, 6, 7, 2}});
    roundtrip(mcdl_conv2d_layer(g, &(mcdl_conv_opts){.filters = 6,
                                                     .kernel_size = {3, 2},
                                                     .strides = {2, 1},
                                                     .padding = MCDL_PADDING_SAME,
                                                     .activation = MCDL_RELU}),
              x, "Conv2D");
    roundtrip(mcdl_conv1d_layer(g, &(mcdl_conv_opts){.filters = 3,
                                                     .kernel_size = {3},
                                                     .dilation_rate = {2},
                                                     .padding = MCDL_PADDING_CAUSAL}),
              s1, "Conv1D");
    roundtrip(mcdl_conv3d_layer(g, &(mcdl_conv3d_opts){.filters = 2, .kernel_size = {2, 3, 3}}), v,
              "Conv3D");
    roundtrip(mcdl_depthwise_conv2d_layer(
                  g, &(mcdl_depthwise_opts){.kernel_size = {3, 3}, .depth_multiplier = 2}),
              x, "DepthwiseConv2D");
    roundtrip(mcdl_separable_conv2d_layer(
                  g, &(mcdl_depthwise_opts){.filters = 5, .kernel_size = {3, 3}, .no_bias = true}),
              x, "SeparableConv2D");
    roundtrip(
        mcdl_conv2d_transpose_layer(g, &(mcdl_conv2d_transpose_opts){.filters = 3,
                                                                     .kernel_size = {3, 3},
                                                                     .strides = {2, 2},
                                                                     .has_output_padding = true,
                                                                     .output_padding = {1, 0}}),
        x, "Conv2DTranspose");
    roundtrip(mcdl_batch_normalization_layer(
                  g, &(mcdl_batch_norm_opts){.momentum = 0.9f, .no_center = true}),
              x, "BatchNormalization");
    mcdl_node *p = mcdl_average_pooling2d(
        g, x, &(mcdl_pool_opts){.pool_size = {3, 2}, .padding = MCDL_PADDING_SAME});
    roundtrip(mcdl_node_layer(p), x, "AveragePooling2D");
    p = mcdl_zero_padding2d(g, x, &(mcdl_zero_padding2d_opts){.padding = {1, 2, 0, 3}});
    roundtrip(mcdl_node_layer(p), x, "ZeroPadding2D");
    p = mcdl_up_sampling2d(g, x, &(mcdl_up_sampling2d_opts){.size = {2, 3}});
    roundtrip(mcdl_node_layer(p), x, "UpSampling2D");
    p = mcdl_global_max_pooling1d(g, s1, NULL);
    roundtrip(mcdl_node_layer(p), s1, "GlobalMaxPooling1D");
    CHECK(mcdl_graph_status(g) == MCDL_OK, "graph: %s", mcdl_last_error());
    mcdl_graph_destroy(g);
}

int main(void) {
    test_configs();
    test_seed_models();
    test_gradients();
    test_bad_inputs();
    return check_finish();
}
