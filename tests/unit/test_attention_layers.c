/* Attention and text layers: parameter counts (the seeds' transformer 1,544,193, its MHA
 * 263,808), MultiHeadAttention against projections + the plain attention reference,
 * finite-difference gradient checks of every layer (tests/unit/gradcheck.h), Embedding's
 * sparse backward, the tensor-level attention core, and the bad inputs users meet
 * (key_dim 0, token ids out of range, a mask of the wrong shape, mismatched batches). */
#include <string.h>

#include "check.h"
#include "gradcheck.h"
#include "kernels/attention/attention.h"

#define EPS 1e-3f
#define TOL 2e-3 /* float32 forward, eps 1e-3: measured errors are 1e-6..2e-4 */

static mcdl_model *wrap(mcdl_graph *g, int n_in, mcdl_node **in, int n_out, mcdl_node **out) {
    mcdl_model *m = NULL;
    mcdl_status s = mcdl_model_create(&m, g, n_in, in, n_out, out, "t");
    CHECK(s == MCDL_OK, "model: %s", mcdl_last_error());
    mcdl_graph_destroy(g);
    return s == MCDL_OK ? m : NULL;
}

static void check_grad(mcdl_model *m, const char *what, int64_t batch) {
    if (!m) return;
    const double err = gradcheck_model(m, batch, 23, EPS);
    CHECK(err < TOL, "%s: relative error %.3g", what, err);
    mcdl_model_destroy(m);
}

static void test_params(void) {
    mcdl_graph *g;
    mcdl_graph_create(&g, 1);
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {100}});
    mcdl_node *h =
        mcdl_embedding(g, x, &(mcdl_embedding_opts){.input_dim = 10000, .output_dim = 128});
    mcdl_layer *mha =
        mcdl_multi_head_attention_layer(g, &(mcdl_mha_opts){.num_heads = 8, .key_dim = 64});
    h = mcdl_call(mha, h);
    h = mcdl_layer_normalization(g, h, NULL);
    h = mcdl_global_average_pooling1d(g, h, NULL, NULL);
    mcdl_node *y = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 1, .activation = MCDL_SIGMOID});
    CHECK_OK(mcdl_graph_status(g));
    CHECK(mcdl_layer_count_params(mha) == 263808, "MHA params %lld",
          (long long)mcdl_layer_count_params(mha));
    mcdl_weight_info wi;
    CHECK_OK(mcdl_layer_weight(mha, 0, &wi));
    CHECK(!strcmp(wi.path, "multi_head_attention/query/kernel") &&
              mcdl_tensor_rank(wi.value) == 3 && mcdl_tensor_dim(wi.value, 0) == 128 &&
              mcdl_tensor_dim(wi.value, 1) == 8 && mcdl_tensor_dim(wi.value, 2) == 64,
          "first MHA weight %s", wi.path);
    CHECK_OK(mcdl_layer_weight(mha, 6, &wi));
    CHECK(!strcmp(wi.path, "multi_head_attention/attention_output/kernel"), "weight 6 %s", wi.path);
    mcdl_model *m = wrap(g, 1, &x, 1, &y);
    int64_t total = 0;
    if (m) mcdl_model_count_params(m, &total, NULL, NULL);
    CHECK(total == 1544193, "transformer seed params %lld, want 1,544,193", (long long)total);
    /* the embedding init is uniform(-0.05, 0.05) */
    int idx = -1;
    if (m && mcdl_model_find_weight(m, "embedding/embeddings", &idx, &wi) == MCDL_OK) {
        const float *e = mcdl_tensor_data(wi.value);
        float lo = 1, hi = -1;
        for (int64_t i = 0; i < mcdl_tensor_numel(wi.value); i++)
            lo = e[i] < lo ? e[i] : lo, hi = e[i] > hi ? e[i] : hi;
        CHECK(lo >= -0.05f && hi <= 0.05f && hi - lo > 0.09f, "embedding init range [%g, %g]", lo,
              hi);
    }
    mcdl_model_destroy(m);
}

/* MHA(query, value) against x·W + b projections and the double attention reference. */
static void test_mha_values(void) {
    const int64_t B = 2, T = 5, S = 7, Dq = 6, Dv = 3, H = 2, kd = 4, vd = 3, Do = 5;
    mcdl_graph *g;
    mcdl_graph_create(&g, 9);
    mcdl_node *xq = mcdl_input(g, &(mcdl_input_opts){.shape = {T, Dq}});
    mcdl_node *xv = mcdl_input(g, &(mcdl_input_opts){.shape = {S, Dv}});
    mcdl_node *y = mcdl_multi_head_attention(
        g, xq, xv, NULL, NULL,
        &(mcdl_mha_opts){.num_heads = H, .key_dim = kd, .value_dim = vd, .output_shape = Do});
    mcdl_model *m = wrap(g, 2, (mcdl_node *[]){xq, xv}, 1, &y);
    if (!m) return;
    float *w[8];
    for (int i = 0; i < 8; i++) {
        mcdl_weight_info wi;
        CHECK_OK(mcdl_model_weight(m, i, &wi));
        w[i] = mcdl_tensor_data(wi.value);
        if (i % 2) /* non-zero biases */
            mcdl_rng_fill_uniform(5, (uint64_t)i, 0, w[i], mcdl_tensor_numel(wi.value), -0.5f,
                                  0.5f);
    }
    mcdl_model_weights_changed(m);
    mcdl_tensor *tq, *tv, *out = NULL;
    mcdl_tensor_create(&tq, 3, (int64_t[]){B, T, Dq});
    mcdl_tensor_create(&tv, 3, (int64_t[]){B, S, Dv});
    mcdl_rng_fill_uniform(6, 0, 0, mcdl_tensor_data(tq), B * T * Dq, -1, 1);
    mcdl_rng_fill_uniform(6, 1, 0, mcdl_tensor_data(tv), B * S * Dv, -1, 1);
    CHECK_OK(mcdl_model_predict(m, 2, (const mcdl_tensor *const[]){tq, tv}, NULL, 1, &out));
    float q[2 * 5 * 2 * 4], k[2 * 7 * 2 * 4], v[2 * 7 * 2 * 3], o[2 * 5 * 2 * 3];
    const float *x1 = mcdl_tensor_data(tq), *x2 = mcdl_tensor_data(tv);
    for (int64_t r = 0; r < B * T; r++)
        for (int64_t c = 0; c < H * kd; c++) {
            double a = w[1][c];
            for (int64_t i = 0; i < Dq; i++) a += (double)x1[r * Dq + i] * w[0][i * H * kd + c];
            q[r * H * kd + c] = (float)a;
        }
    for (int64_t r = 0; r < B * S; r++) {
        for (int64_t c = 0; c < H * kd; c++) {
            double a = w[3][c];
            for (int64_t i = 0; i < Dv; i++) a += (double)x2[r * Dv + i] * w[2][i * H * kd + c];
            k[r * H * kd + c] = (float)a;
        }
        for (int64_t c = 0; c < H * vd; c++) {
            double a = w[5][c];
            for (int64_t i = 0; i < Dv; i++) a += (double)x2[r * Dv + i] * w[4][i * H * vd + c];
            v[r * H * vd + c] = (float)a;
        }
    }
    mcdl_mha_desc d = {
        .batch = B, .tq = T, .tk = S, .heads = H, .key_dim = kd, .value_dim = vd, .scale = 0.5f};
    CHECK(mcdl_f32_mha_fwd_ref(&d, q, k, v, o, NULL) == 0, "reference");
    double err = 0;
    for (int64_t r = 0; out && r < B * T; r++)
        for (int64_t c = 0; c < Do; c++) {
            double a = w[7][c];
            for (int64_t i = 0; i < H * vd; i++) a += (double)o[r * H * vd + i] * w[6][i * Do + c];
            const double e = fabs(a - mcdl_tensor_data(out)[r * Do + c]);
            err = e > err ? e : err;
        }
    CHECK(out && err < 1e-5, "MHA output vs reference: max error %.3g", err);
    mcdl_tensor_destroy(tq), mcdl_tensor_destroy(tv), mcdl_tensor_destroy(out);
    mcdl_model_destroy(m);
}

static void test_gradients(void) {
    mcdl_graph *g;
    /* self-attention (one input), causal, with bias */
    for (int causal = 0; causal < 2; causal++) {
        mcdl_graph_create(&g, 3);
        mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {6, 5}});
        mcdl_node *h = mcdl_dense(g, x, &(mcdl_dense_opts){.units = 8});
        h = mcdl_multi_head_attention(
            g, h, NULL, NULL, NULL,
            &(mcdl_mha_opts){.num_heads = 2, .key_dim = 4, .use_causal_mask = causal});
        mcdl_node *y = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 3});
        check_grad(wrap(g, 1, &x, 1, &y), causal ? "MHA self causal" : "MHA self", 3);
    }
    /* query, value, key from different layers, no bias, value_dim and output_shape set */
    mcdl_graph_create(&g, 4);
    mcdl_node *a = mcdl_input(g, &(mcdl_input_opts){.shape = {4, 3}});
    mcdl_node *b = mcdl_input(g, &(mcdl_input_opts){.shape = {7, 5}});
    mcdl_node *qa = mcdl_dense(g, a, &(mcdl_dense_opts){.units = 6});
    mcdl_node *vb = mcdl_dense(g, b, &(mcdl_dense_opts){.units = 4});
    mcdl_node *kb = mcdl_dense(g, b, &(mcdl_dense_opts){.units = 3});
    mcdl_node *y = mcdl_multi_head_attention(
        g, qa, vb, kb, NULL,
        &(mcdl_mha_opts){
            .num_heads = 3, .key_dim = 2, .value_dim = 5, .output_shape = 4, .no_bias = true});
    check_grad(wrap(g, 2, (mcdl_node *[]){a, b}, 1, &y), "MHA query/value/key", 2);
    /* mha(x, x): the same node as query and value */
    mcdl_graph_create(&g, 5);
    a = mcdl_input(g, &(mcdl_input_opts){.shape = {5, 4}});
    qa = mcdl_dense(g, a, &(mcdl_dense_opts){.units = 6});
    y = mcdl_multi_head_attention(g, qa, qa, NULL, NULL,
                                  &(mcdl_mha_opts){.num_heads = 2, .key_dim = 3});
    check_grad(wrap(g, 1, &a, 1, &y), "MHA(x, x)", 2);
    /* an explicit attention mask input (5, 5): gradcheck fills it with U(-1,1), nonzero */
    mcdl_graph_create(&g, 6);
    a = mcdl_input(g, &(mcdl_input_opts){.shape = {5, 4}});
    b = mcdl_input(g, &(mcdl_input_opts){.shape = {5, 5}});
    qa = mcdl_dense(g, a, &(mcdl_dense_opts){.units = 6});
    y = mcdl_multi_head_attention(g, qa, NULL, NULL, b,
                                  &(mcdl_mha_opts){.num_heads = 2, .key_dim = 3});
    check_grad(wrap(g, 2, (mcdl_node *[]){a, b}, 1, &y), "MHA with attention_mask", 2);
    /* LayerNormalization with and without center/scale */
    for (int v = 0; v < 3; v++) {
        mcdl_graph_create(&g, 7);
        a = mcdl_input(g, &(mcdl_input_opts){.shape = {3, 5}});
        qa = mcdl_dense(g, a, &(mcdl_dense_opts){.units = 9});
        qa = mcdl_layer_normalization(
            g, qa, &(mcdl_layer_norm_opts){.no_center = v == 1, .no_scale = v == 2});
        y = mcdl_dense(g, qa, &(mcdl_dense_opts){.units = 2});
        check_grad(wrap(g, 1, &a, 1, &y), "LayerNormalization", 3);
    }
    /* GlobalAveragePooling1D, plain and with a mask input */
    for (int masked = 0; masked < 2; masked++) {
        mcdl_graph_create(&g, 8);
        a = mcdl_input(g, &(mcdl_input_opts){.shape = {6, 3}});
        b = mcdl_input(g, &(mcdl_input_opts){.shape = {6}});
        qa = mcdl_dense(g, a, &(mcdl_dense_opts){.units = 4});
        qa = mcdl_global_average_pooling1d(g, qa, masked ? b : NULL, NULL);
        y = mcdl_dense(g, qa, &(mcdl_dense_opts){.units = 2});
        check_grad(masked ? wrap(g, 2, (mcdl_node *[]){a, b}, 1, &y) : wrap(g, 1, &a, 1, &y),
                   "GlobalAveragePooling1D", 3);
    }
    /* positional encodings added to a projection */
    for (int learned = 0; learned < 2; learned++) {
        mcdl_graph_create(&g, 9);
        a = mcdl_input(g, &(mcdl_input_opts){.shape = {5, 3}});
        qa = mcdl_dense(g, a, &(mcdl_dense_opts){.units = 6});
        mcdl_node *pe = mcdl_positional_encoding(
            g, qa, &(mcdl_positional_encoding_opts){.learned = learned, .sequence_length = 8});
        qa = mcdl_add(g, 2, (mcdl_node *[]){qa, pe}, NULL);
        y = mcdl_dense(g, qa, &(mcdl_dense_opts){.units = 2});
        check_grad(wrap(g, 1, &a, 1, &y), learned ? "PositionEmbedding" : "SinePositionEncoding",
                   2);
    }
    /* TransformerEncoder block */
    mcdl_graph_create(&g, 10);
    a = mcdl_input(g, &(mcdl_input_opts){.shape = {5, 3}});
    qa = mcdl_dense(g, a, &(mcdl_dense_opts){.units = 8});
    qa = mcdl_transformer_encoder(
        g, qa, NULL, &(mcdl_transformer_encoder_opts){.intermediate_dim = 12, .num_heads = 2});
    y = mcdl_dense(g, qa, &(mcdl_dense_opts){.units = 2});
    check_grad(wrap(g, 1, &a, 1, &y), "TransformerEncoder", 2);
}

/* Embedding: forward gathers rows, backward adds dy rows into the used rows only. */
static void test_embedding(void) {
    mcdl_graph *g;
    mcdl_graph_create(&g, 11);
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {4}});
    mcdl_node *y = mcdl_embedding(g, x, &(mcdl_embedding_opts){.input_dim = 6, .output_dim = 3});
    mcdl_model *m = wrap(g, 1, &x, 1, &y);
    if (!m) return;
    const float ids[2][4] = {{0, 5, 2, 5}, {2.9f, 1, 0, 3}}; /* 2.9 -> 2, as Keras' int cast */
    CHECK_OK(mcdl_plan_ensure(m, 2, true));
    memcpy(m->plan.act[mcdl_model_node_index(m, m->in[0])], ids, sizeof ids);
    CHECK_OK(mcdl_exec_forward(m, 2, true));
    const float *W = m->w[0]->data, *out = m->plan.act[mcdl_model_node_index(m, m->out[0])];
    CHECK(!memcmp(out + 3, W + 15, 3 * sizeof(float)) &&
              !memcmp(out + 12, W + 6, 3 * sizeof(float)),
          "embedding rows gathered");
    const int ko = mcdl_model_node_index(m, m->out[0]);
    memset(m->plan.written, 0, (size_t)m->n_nodes * sizeof *m->plan.written);
    for (int i = 0; i < 24; i++) m->plan.grad[ko][i] = (float)(i + 1);
    m->plan.written[ko] = true;
    CHECK_OK(mcdl_exec_backward(m, 2));
    const float *dW = m->w[0]->grad;
    /* row 5 gets positions 1 and 3 of sample 0: (4,5,6) + (10,11,12); row 4 nothing */
    CHECK(dW[15] == 14 && dW[16] == 16 && dW[17] == 18, "dW row 5 = %g %g %g", dW[15], dW[16],
          dW[17]);
    CHECK(dW[12] == 0 && dW[13] == 0 && dW[14] == 0, "unused row 4 has gradient %g", dW[12]);
    CHECK(dW[6] == 7 + 13 && dW[7] == 8 + 14, "dW row 2 = %g %g", dW[6], dW[7]);
    /* bad ids: out of range and negative, through predict */
    mcdl_tensor *t, *o = NULL;
    mcdl_tensor_create(&t, 2, (int64_t[]){2, 4});
    const float bad[8] = {0, 1, 2, 3, 4, 5, 6, 1};
    memcpy(mcdl_tensor_data(t), bad, sizeof bad);
    CHECK_STATUS(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){t}, NULL, 1, &o),
                 MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "token id 6 at index 6") != NULL, "message: %s",
          mcdl_last_error());
    mcdl_tensor_data(t)[6] = 1;
    mcdl_tensor_data(t)[2] = -1;
    CHECK_STATUS(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){t}, NULL, 1, &o),
                 MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "token id -1 at index 2") != NULL, "message: %s",
          mcdl_last_error());
    mcdl_tensor_destroy(t);
    mcdl_model_destroy(m);
}

static void test_bad_inputs(void) {
    mcdl_graph *g;
    mcdl_graph_create(&g, 12);
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {5, 4}});
    CHECK(mcdl_multi_head_attention(g, x, NULL, NULL, NULL,
                                    &(mcdl_mha_opts){.num_heads = 2, .key_dim = 0}) == NULL,
          "key_dim 0 accepted");
    CHECK_STATUS(mcdl_graph_status(g), MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "key_dim must be > 0") != NULL, "message: %s",
          mcdl_last_error());
    mcdl_graph_destroy(g);

    mcdl_graph_create(&g, 13);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {5, 4}});
    mcdl_node *mask = mcdl_input(g, &(mcdl_input_opts){.shape = {5, 6}});
    CHECK(mcdl_multi_head_attention(g, x, NULL, NULL, mask,
                                    &(mcdl_mha_opts){.num_heads = 2, .key_dim = 3}) == NULL,
          "mask (5, 6) for a length-5 self-attention accepted");
    CHECK_STATUS(mcdl_graph_status(g), MCDL_ERR_SHAPE);
    CHECK(strstr(mcdl_last_error(), "attention_mask (None, 5, 6)") != NULL, "message: %s",
          mcdl_last_error());
    mcdl_graph_destroy(g);

    mcdl_graph_create(&g, 14);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {5, 4}});
    mcdl_node *v = mcdl_input(g, &(mcdl_input_opts){.shape = {6, 4}});
    mcdl_node *k = mcdl_input(g, &(mcdl_input_opts){.shape = {7, 4}});
    CHECK(mcdl_multi_head_attention(g, x, v, k, NULL,
                                    &(mcdl_mha_opts){.num_heads = 1, .key_dim = 2}) == NULL,
          "value/key length mismatch accepted");
    CHECK_STATUS(mcdl_graph_status(g), MCDL_ERR_SHAPE);
    mcdl_graph_destroy(g);

    /* the tensor-level core: batch mismatch, key_dim mismatch, bad mask; then values */
    mcdl_tensor *q, *kk, *vv, *o, *m, *kb;
    mcdl_tensor_create(&q, 4, (int64_t[]){2, 3, 2, 4});
    mcdl_tensor_create(&kk, 4, (int64_t[]){2, 5, 2, 4});
    mcdl_tensor_create(&kb, 4, (int64_t[]){3, 5, 2, 4});
    mcdl_tensor_create(&vv, 4, (int64_t[]){2, 5, 2, 3});
    mcdl_tensor_create(&o, 4, (int64_t[]){2, 3, 2, 3});
    mcdl_tensor_create(&m, 3, (int64_t[]){2, 3, 4});
    CHECK_STATUS(mcdl_attention(q, kb, vv, NULL, false, o), MCDL_ERR_SHAPE);
    CHECK(strstr(mcdl_last_error(), "q (2, 3, 2, 4) and k (3, 5, 2, 4)") != NULL, "message: %s",
          mcdl_last_error());
    CHECK_STATUS(mcdl_attention(q, kk, vv, m, false, o), MCDL_ERR_SHAPE);
    CHECK(strstr(mcdl_last_error(), "mask (2, 3, 4) must be (2, 3, 5)") != NULL, "message: %s",
          mcdl_last_error());
    mcdl_rng_fill_uniform(1, 0, 0, mcdl_tensor_data(q), 48, -1, 1);
    mcdl_rng_fill_uniform(1, 1, 0, mcdl_tensor_data(kk), 80, -1, 1);
    mcdl_rng_fill_uniform(1, 2, 0, mcdl_tensor_data(vv), 60, -1, 1);
    CHECK_OK(mcdl_attention(q, kk, vv, NULL, true, o));
    float ref[36];
    mcdl_mha_desc d = {.batch = 2,
                       .tq = 3,
                       .tk = 5,
                       .heads = 2,
                       .key_dim = 4,
                       .value_dim = 3,
                       .scale = 0.5f,
                       .causal = 1};
    mcdl_f32_mha_fwd_ref(&d, mcdl_tensor_data(q), mcdl_tensor_data(kk), mcdl_tensor_data(vv), ref,
                         NULL);
    double err = 0;
    for (int i = 0; i < 36; i++) err = fmax(err, fabs(ref[i] - mcdl_tensor_data(o)[i]));
    CHECK(err < 1e-5, "mcdl_attention vs reference: %.3g", err);
    mcdl_tensor_destroy(q), mcdl_tensor_destroy(kk), mcdl_tensor_destroy(kb),
        mcdl_tensor_destroy(vv);
    mcdl_tensor_destroy(o), mcdl_tensor_destroy(m);
}

/* The seed transformer's shape, small, as a Sequential (one-input MHA = self-attention):
 * it learns whether token 7 occurs in a sequence. */
static void test_sequential_training(void) {
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_sequential_create(&m, 21, &(mcdl_input_opts){.shape = {12}}, "tiny_transformer"));
    if (!m) return;
    mcdl_graph *g = mcdl_model_graph(m);
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_embedding_layer(g, &(mcdl_embedding_opts){.input_dim = 20, .output_dim = 16})));
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_multi_head_attention_layer(g, &(mcdl_mha_opts){.num_heads = 2, .key_dim = 8})));
    CHECK_OK(mcdl_sequential_add(m, mcdl_layer_normalization_layer(g, NULL)));
    CHECK_OK(mcdl_sequential_add(m, mcdl_global_average_pooling1d_layer(g, NULL)));
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 1, .activation = MCDL_SIGMOID})));
    CHECK_OK(mcdl_model_compile(m, &(mcdl_compile_opts){.optimizer = {.learning_rate = 0.01f},
                                                        .loss = MCDL_LOSS_BINARY_CROSSENTROPY}));
    const int64_t N = 256, T = 12;
    mcdl_tensor *x, *y;
    mcdl_tensor_create(&x, 2, (int64_t[]){N, T});
    mcdl_tensor_create(&y, 2, (int64_t[]){N, 1});
    float *xs = mcdl_tensor_data(x), *ys = mcdl_tensor_data(y);
    mcdl_rng_fill_uniform(3, 0, 0, xs, N * T, 0, 20);
    for (int64_t n = 0; n < N; n++) {
        for (int64_t t = 0; t < T; t++) xs[n * T + t] = (float)(int)xs[n * T + t];
        if (n % 2) xs[n * T + (n / 2) % T] = 7; /* half the samples certainly contain a 7 */
        ys[n] = 0;
        for (int64_t t = 0; t < T; t++) ys[n] = xs[n * T + t] == 7 ? 1.0f : ys[n];
    }
    mcdl_history *h = NULL;
    CHECK_OK(mcdl_model_fit(m, 1, (const mcdl_tensor *const[]){x}, 1,
                            (const mcdl_tensor *const[]){y},
                            &(mcdl_fit_opts){.epochs = 20, .batch_size = 32}, &h));
    const double *loss = h ? mcdl_history_values(h, "loss") : NULL;
    CHECK(loss && isfinite(loss[19]) && loss[19] < 0.5 * loss[0], "loss %g -> %g",
          loss ? loss[0] : NAN, loss ? loss[19] : NAN);
    mcdl_history_destroy(h);
    mcdl_tensor_destroy(x), mcdl_tensor_destroy(y);
    mcdl_model_destroy(m);
}

int main(void) {
    test_params();
    test_mha_values();
    test_gradients();
    test_embedding();
    test_bad_inputs();
    test_sequential_training();
    return check_finish();
}
