/* Builders for the seed architectures (mcdl/zoo.h): Keras' layers and shapes from
 * shared/SEED_MODELS.md, with the speed anchor's sample counts and batch sizes. */
#include <string.h>

#include "lib/core/error.h"
#include "mcdl/attention.h"
#include "mcdl/conv.h"
#include "mcdl/model.h"
#include "mcdl/rng.h"
#include "mcdl/rnn.h"
#include "mcdl/zoo.h"

typedef mcdl_node *(*body_fn)(mcdl_graph *g, mcdl_node **in);

#define RELU_DENSE(x, u)                                                                           \
    mcdl_dense(g, (x), &(mcdl_dense_opts){.units = (u), .activation = MCDL_RELU})
#define SOFTMAX_DENSE(x, u)                                                                        \
    mcdl_dense(g, (x), &(mcdl_dense_opts){.units = (u), .activation = MCDL_SOFTMAX})

static mcdl_node *rnn_head(mcdl_graph *g, mcdl_node *h) {
    return SOFTMAX_DENSE(RELU_DENSE(h, 16), 3);
}

static mcdl_node *ffnn(mcdl_graph *g, mcdl_node **in) {
    mcdl_node *h = RELU_DENSE(RELU_DENSE(in[0], 64), 32);
    return mcdl_dense(g, h, &(mcdl_dense_opts){.units = 1, .activation = MCDL_SIGMOID});
}
static mcdl_node *simplernn(mcdl_graph *g, mcdl_node **in) {
    return rnn_head(g, mcdl_simple_rnn(g, in[0], &(mcdl_rnn_opts){.units = 64}));
}
static mcdl_node *lstm(mcdl_graph *g, mcdl_node **in) {
    return rnn_head(g, mcdl_lstm(g, in[0], &(mcdl_rnn_opts){.units = 64}));
}
static mcdl_node *gru(mcdl_graph *g, mcdl_node **in) {
    return rnn_head(g, mcdl_gru(g, in[0], &(mcdl_rnn_opts){.units = 64}));
}
static mcdl_node *birnn(mcdl_graph *g, mcdl_node **in) {
    mcdl_bidirectional_opts o = {.cell = MCDL_CELL_SIMPLE_RNN, .layer = {.units = 64}};
    return rnn_head(g, mcdl_bidirectional(g, in[0], &o));
}
static mcdl_node *nested_rnn(mcdl_graph *g, mcdl_node **in) {
    mcdl_node *h =
        mcdl_simple_rnn(g, in[0], &(mcdl_rnn_opts){.units = 64, .return_sequences = true});
    return rnn_head(g, mcdl_simple_rnn(g, h, &(mcdl_rnn_opts){.units = 32}));
}
static mcdl_node *cnn(mcdl_graph *g, mcdl_node **in) {
    mcdl_node *h = mcdl_conv2d(
        g, in[0], &(mcdl_conv_opts){.filters = 32, .kernel_size = {3, 3}, .activation = MCDL_RELU});
    h = mcdl_max_pooling2d(g, h, NULL);
    h = mcdl_separable_conv2d(
        g, h,
        &(mcdl_depthwise_opts){.filters = 64, .kernel_size = {3, 3}, .activation = MCDL_RELU});
    h = mcdl_average_pooling2d(g, h, NULL);
    h = mcdl_depthwise_conv2d(
        g, h, &(mcdl_depthwise_opts){.kernel_size = {3, 3}, .activation = MCDL_RELU});
    h = mcdl_max_pooling2d(g, h, NULL);
    h = mcdl_flatten(g, h, NULL);
    return SOFTMAX_DENSE(RELU_DENSE(h, 64), 3);
}
static mcdl_node *multimodal(mcdl_graph *g, mcdl_node **in) {
    mcdl_node *a = RELU_DENSE(mcdl_simple_rnn(g, in[0], &(mcdl_rnn_opts){.units = 64}), 32);
    mcdl_node *b = mcdl_conv2d(
        g, in[1], &(mcdl_conv_opts){.filters = 32, .kernel_size = {3, 3}, .activation = MCDL_RELU});
    b = RELU_DENSE(mcdl_flatten(g, mcdl_max_pooling2d(g, b, NULL), NULL), 32);
    mcdl_node *ab[2] = {a, b};
    mcdl_node *h = mcdl_concatenate(g, 2, ab, NULL);
    return SOFTMAX_DENSE(RELU_DENSE(h, 32), 3);
}
static mcdl_node *mnist_cnn(mcdl_graph *g, mcdl_node **in) {
    mcdl_node *h = mcdl_conv2d(
        g, in[0], &(mcdl_conv_opts){.filters = 32, .kernel_size = {3, 3}, .activation = MCDL_RELU});
    h = mcdl_flatten(g, mcdl_max_pooling2d(g, h, NULL), NULL);
    return SOFTMAX_DENSE(RELU_DENSE(h, 128), 10);
}
static mcdl_node *autoencoder(mcdl_graph *g, mcdl_node **in) {
    mcdl_node *h = in[0];
    static const int64_t units[] = {128, 64, 32, 64, 128};
    for (int i = 0; i < 5; i++) h = RELU_DENSE(h, units[i]);
    return mcdl_dense(g, h, &(mcdl_dense_opts){.units = 784, .activation = MCDL_SIGMOID});
}
static mcdl_node *imdb_lstm(mcdl_graph *g, mcdl_node **in) {
    mcdl_node *h = mcdl_lstm(g, in[0], &(mcdl_rnn_opts){.units = 50});
    return mcdl_dense(g, h, &(mcdl_dense_opts){.units = 1, .activation = MCDL_SIGMOID});
}
static mcdl_node *transformer_heads(mcdl_graph *g, mcdl_node **in, int64_t key_dim) {
    mcdl_node *e =
        mcdl_embedding(g, in[0], &(mcdl_embedding_opts){.input_dim = 10000, .output_dim = 128});
    mcdl_node *a = mcdl_multi_head_attention(g, e, e, NULL, NULL,
                                             &(mcdl_mha_opts){.num_heads = 8, .key_dim = key_dim});
    mcdl_node *h = mcdl_layer_normalization(g, a, NULL);
    h = mcdl_global_average_pooling1d(g, h, NULL, NULL);
    return mcdl_dense(g, h, &(mcdl_dense_opts){.units = 1, .activation = MCDL_SIGMOID});
}
/* Keras seed: key_dim 64 per head. */
static mcdl_node *transformer(mcdl_graph *g, mcdl_node **in) {
    return transformer_heads(g, in, 64);
}
/* The anchor's nn.MultiheadAttention(128, 8): 128 / 8 = 16 per head. */
static mcdl_node *transformer_anchor(mcdl_graph *g, mcdl_node **in) {
    return transformer_heads(g, in, 16);
}
static mcdl_node *conv_same(mcdl_graph *g, mcdl_node *x, mcdl_activation_id act) {
    return mcdl_conv2d(
        g, x,
        &(mcdl_conv_opts){
            .filters = 64, .kernel_size = {3, 3}, .padding = MCDL_PADDING_SAME, .activation = act});
}
static mcdl_node *resnet(mcdl_graph *g, mcdl_node **in) {
    mcdl_node *h = conv_same(g, in[0], MCDL_RELU);
    for (int b = 0; b < 3; b++) {
        mcdl_node *y = mcdl_batch_normalization(g, conv_same(g, h, MCDL_LINEAR), NULL);
        y = mcdl_activation(g, y, &(mcdl_activation_opts){.activation = MCDL_RELU});
        y = mcdl_batch_normalization(g, conv_same(g, y, MCDL_LINEAR), NULL);
        mcdl_node *sum[2] = {y, h};
        h = mcdl_activation(g, mcdl_add(g, 2, sum, NULL),
                            &(mcdl_activation_opts){.activation = MCDL_RELU});
    }
    return SOFTMAX_DENSE(mcdl_flatten(g, h, NULL), 10);
}

#define SPARSE MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY
#define BCE MCDL_LOSS_BINARY_CROSSENTROPY
static const struct {
    mcdl_seed_model_info info;
    body_fn body;
    int n_in;
    int64_t shape[2][3];
} seeds[] = {
    {{"ffnn", 1000, 32, BCE, 1, 0, 3457}, ffnn, 1, {{20}}},
    {{"simplernn", 1000, 32, SPARSE, 3, 0, 5763}, simplernn, 1, {{10, 8}}},
    {{"lstm", 1000, 32, SPARSE, 3, 0, 19779}, lstm, 1, {{10, 8}}},
    {{"gru", 1000, 32, SPARSE, 3, 0, 15299}, gru, 1, {{10, 8}}},
    {{"birnn", 1000, 32, SPARSE, 3, 0, 11459}, birnn, 1, {{10, 8}}},
    {{"nested_rnn", 1000, 32, SPARSE, 3, 0, 8355}, nested_rnn, 1, {{10, 8}}},
    {{"cnn", 1000, 32, SPARSE, 3, 0, 151651}, cnn, 1, {{64, 64, 3}}},
    {{"multimodal", 1000, 32, SPARSE, 3, 0, 993923}, multimodal, 2, {{10, 8}, {64, 64, 3}}},
    {{"mnist_cnn", 2048, 32, SPARSE, 10, 0, 693962}, mnist_cnn, 1, {{28, 28, 1}}},
    {{"autoencoder", 4096, 256, MCDL_LOSS_MSE, 0, 0, 222384}, autoencoder, 1, {{784}}},
    {{"imdb_lstm", 1024, 64, BCE, 1, 0, 10451}, imdb_lstm, 1, {{100, 1}}},
    {{"transformer", 512, 64, BCE, 1, 10000, 1544193}, transformer, 1, {{100}}},
    {{"resnet", 256, 64, SPARSE, 10, 0, 880266}, resnet, 1, {{32, 32, 3}}},
};
enum { N_SEEDS = (int)(sizeof seeds / sizeof seeds[0]) };

int mcdl_seed_model_count(void) { return N_SEEDS; }

const char *mcdl_seed_model_name(int i) {
    return i >= 0 && i < N_SEEDS ? seeds[i].info.name : NULL;
}

static mcdl_status build(const char *name, uint64_t seed, bool anchor, mcdl_model **out,
                         mcdl_seed_model_info *info) {
    if (!out || !name) return mcdl_error(MCDL_ERR_ARG, "mcdl_seed_model_build: NULL argument");
    *out = NULL;
    int k = 0;
    while (k < N_SEEDS && strcmp(seeds[k].info.name, name)) k++;
    if (k == N_SEEDS)
        return mcdl_error(MCDL_ERR_ARG,
                          "unknown seed model '%s' (known: ffnn, simplernn, lstm, gru, birnn, "
                          "nested_rnn, cnn, multimodal, mnist_cnn, autoencoder, imdb_lstm, "
                          "transformer, resnet)",
                          name);
    mcdl_graph *g;
    MCDL_TRY(mcdl_graph_create(&g, seed));
    mcdl_node *in[2];
    for (int i = 0; i < seeds[k].n_in; i++) {
        mcdl_input_opts io = {.rank = 0};
        memcpy(io.shape, seeds[k].shape[i], sizeof seeds[k].shape[i]);
        in[i] = mcdl_input(g, &io);
    }
    const bool anchor_mha = anchor && seeds[k].body == transformer;
    mcdl_node *y = (anchor_mha ? transformer_anchor : seeds[k].body)(g, in);
    mcdl_status s = mcdl_model_create(out, g, seeds[k].n_in, in, 1, &y, name);
    mcdl_graph_destroy(g);
    if (s == MCDL_OK && info) {
        *info = seeds[k].info;
        if (anchor_mha) info->params = MCDL_SEED_TRANSFORMER_ANCHOR_PARAMS;
    }
    return s;
}

mcdl_status mcdl_seed_model_build(const char *name, uint64_t seed, mcdl_model **out,
                                  mcdl_seed_model_info *info) {
    return build(name, seed, false, out, info);
}

mcdl_status mcdl_seed_model_build_anchor(const char *name, uint64_t seed, mcdl_model **out,
                                         mcdl_seed_model_info *info) {
    return build(name, seed, true, out, info);
}

mcdl_status mcdl_seed_model_synthetic_data(const mcdl_model *m, const mcdl_seed_model_info *info,
                                           int64_t n, uint64_t seed, mcdl_tensor **x,
                                           mcdl_tensor **y) {
    if (!m || !info || !x || !y || n <= 0)
        return mcdl_error(MCDL_ERR_ARG, "mcdl_seed_model_synthetic_data: bad argument (n %lld)",
                          (long long)n);
    int n_in = mcdl_model_num_inputs(m);
    for (int i = 0; i < n_in; i++) x[i] = NULL;
    *y = NULL;
    mcdl_status s = MCDL_OK;
    for (int i = 0; i < n_in && s == MCDL_OK; i++) {
        int64_t shape[MCDL_MAX_RANK + 1];
        shape[0] = n;
        int r = mcdl_node_shape(mcdl_model_input(m, i), shape + 1);
        s = mcdl_tensor_create(&x[i], r + 1, shape);
        if (s != MCDL_OK) break;
        float *d = mcdl_tensor_data(x[i]);
        int64_t numel = mcdl_tensor_numel(x[i]);
        if (info->vocab > 0)
            for (int64_t j = 0; j < numel; j++)
                d[j] = (float)mcdl_rng_below(seed, 100 + (uint64_t)i, (uint64_t)j,
                                             (uint64_t)info->vocab);
        else
            mcdl_rng_fill_uniform(seed, 100 + (uint64_t)i, 0, d, numel, 0.0f, 1.0f);
    }
    if (s == MCDL_OK && info->num_classes == 0) {
        s = mcdl_tensor_create(y, mcdl_tensor_rank(x[0]), mcdl_tensor_shape(x[0]));
        if (s == MCDL_OK) s = mcdl_tensor_copy(*y, x[0]);
    } else if (s == MCDL_OK) {
        s = mcdl_tensor_create(y, 2, (int64_t[]){n, 1});
        float *d = s == MCDL_OK ? mcdl_tensor_data(*y) : NULL;
        uint64_t k = info->num_classes == 1 ? 2 : (uint64_t)info->num_classes;
        for (int64_t j = 0; d && j < n; j++) d[j] = (float)mcdl_rng_below(seed, 99, (uint64_t)j, k);
    }
    if (s != MCDL_OK) {
        for (int i = 0; i < n_in; i++) mcdl_tensor_destroy(x[i]), x[i] = NULL;
        mcdl_tensor_destroy(*y), *y = NULL;
    }
    return s;
}
