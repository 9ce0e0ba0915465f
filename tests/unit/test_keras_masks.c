/* Keras' implicit masks: Embedding(mask_zero=True) gives its output a mask (id != 0) that
 * the graph carries on and the masking layers consume without an explicit mask input:
 * GlobalAveragePooling1D (masked mean), MultiHeadAttention (attention mask
 * q_mask[:, :, None] & v_mask[:, None, :], output keeps the query's mask), LSTM (masked
 * steps carry the state). Checked against values computed by hand in double, plus a Keras
 * JSON round trip that leaves the mask to Keras (no NotEqual layer written). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/model/model_internal.h"
#include "mcdl/mcdl.h"

enum { B = 2, T = 5, D = 6, V = 7, H = 2, KD = 3 };
/* sample 0 has two padding steps (one in the middle), sample 1 none but id 0 at the end */
static const float k_ids[B][T] = {{3, 1, 0, 6, 0}, {2, 5, 4, 1, 0}};

static mcdl_model *make(mcdl_graph *g, mcdl_node *in, mcdl_node *out) {
    mcdl_model *m = NULL;
    const mcdl_status s = mcdl_model_create(&m, g, 1, &in, 1, &out, "masks");
    CHECK(s == MCDL_OK, "model: %s", mcdl_last_error());
    mcdl_graph_destroy(g);
    return s == MCDL_OK ? m : NULL;
}

static float *weight(mcdl_model *m, const char *path) {
    for (int i = 0; i < m->n_w; i++)
        if (!strcmp(m->w[i]->path, path)) return m->w[i]->data;
    CHECK(0, "no weight %s", path);
    return NULL;
}

static mcdl_tensor *predict(mcdl_model *m, const float *x, int64_t n, int64_t t) {
    mcdl_tensor *in = NULL, *out = NULL;
    mcdl_tensor_create(&in, 2, (int64_t[]){n, t});
    memcpy(mcdl_tensor_data(in), x, (size_t)(n * t) * sizeof(float));
    CHECK_OK(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){in}, NULL, 1, &out));
    mcdl_tensor_destroy(in);
    return out;
}

/* Embedding(mask_zero) -> GlobalAveragePooling1D: the mean of the non-padding rows. */
static void test_gap_mean(void) {
    mcdl_graph *g;
    mcdl_graph_create(&g, 3);
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {T}});
    mcdl_node *e = mcdl_embedding(
        g, x, &(mcdl_embedding_opts){.input_dim = V, .output_dim = D, .mask_zero = true});
    CHECK(mcdl_node_keras_mask(e) != NULL, "Embedding(mask_zero) output carries a mask");
    mcdl_node *y = mcdl_global_average_pooling1d(g, e, NULL, NULL);
    CHECK(y && mcdl_node_keras_mask(y) == NULL, "pooling consumes the mask");
    CHECK(mcdl_layer_call_num_inputs(mcdl_node_layer(y), 0) == 1,
          "the implicit mask is not an explicit call input");
    mcdl_model *m = make(g, x, y);
    if (!m) return;
    const float *W = weight(m, "embedding/embeddings");
    mcdl_tensor *o = predict(m, &k_ids[0][0], B, T);
    double err = 0;
    for (int b = 0; b < B && o; b++)
        for (int c = 0; c < D; c++) {
            double s = 0;
            int n = 0;
            for (int t = 0; t < T; t++)
                if (k_ids[b][t] != 0) s += W[(int)k_ids[b][t] * D + c], n++;
            err = fmax(err, fabs(mcdl_tensor_data(o)[b * D + c] - s / n));
        }
    CHECK(o && err < 1e-6, "masked mean: max error %.3g", err);
    mcdl_tensor_destroy(o);
    mcdl_model_destroy(m);
}

/* Embedding(mask_zero) -> MultiHeadAttention(self) [-> GlobalAveragePooling1D]: by hand. */
static void mha_by_hand(mcdl_model *m, double *y /* (B, T, D) */) {
    const float *E = weight(m, "embedding/embeddings");
    const float *Wq = weight(m, "multi_head_attention/query/kernel"),
                *bq = weight(m, "multi_head_attention/query/bias"),
                *Wk = weight(m, "multi_head_attention/key/kernel"),
                *bk = weight(m, "multi_head_attention/key/bias"),
                *Wv = weight(m, "multi_head_attention/value/kernel"),
                *bv = weight(m, "multi_head_attention/value/bias"),
                *Wo = weight(m, "multi_head_attention/attention_output/kernel"),
                *bo = weight(m, "multi_head_attention/attention_output/bias");
    for (int b = 0; b < B; b++) {
        double q[T][H][KD], k[T][H][KD], v[T][H][KD], o[T][H][KD];
        for (int t = 0; t < T; t++)
            for (int h = 0; h < H; h++)
                for (int j = 0; j < KD; j++) {
                    const float *x = E + (int)k_ids[b][t] * D;
                    double sq = bq[h * KD + j], sk = bk[h * KD + j], sv = bv[h * KD + j];
                    for (int i = 0; i < D; i++) {
                        sq += x[i] * Wq[(i * H + h) * KD + j];
                        sk += x[i] * Wk[(i * H + h) * KD + j];
                        sv += x[i] * Wv[(i * H + h) * KD + j];
                    }
                    q[t][h][j] = sq, k[t][h][j] = sk, v[t][h][j] = sv;
                }
        for (int t = 0; t < T; t++)
            for (int h = 0; h < H; h++) {
                double p[T], mx = -INFINITY, sum = 0;
                for (int s = 0; s < T; s++) {
                    const bool allowed = k_ids[b][t] != 0 && k_ids[b][s] != 0;
                    double dot = 0;
                    for (int j = 0; j < KD; j++) dot += q[t][h][j] * k[s][h][j];
                    p[s] = allowed ? dot / sqrt((double)KD) : -INFINITY;
                    mx = fmax(mx, p[s]);
                }
                for (int s = 0; s < T; s++) sum += p[s] = isinf(mx) ? 0 : exp(p[s] - mx);
                for (int j = 0; j < KD; j++) {
                    o[t][h][j] = 0;
                    for (int s = 0; s < T; s++) o[t][h][j] += sum > 0 ? p[s] / sum * v[s][h][j] : 0;
                }
            }
        for (int t = 0; t < T; t++)
            for (int c = 0; c < D; c++) {
                double s = bo[c];
                for (int h = 0; h < H; h++)
                    for (int j = 0; j < KD; j++) s += o[t][h][j] * Wo[(h * KD + j) * D + c];
                y[(b * T + t) * D + c] = s;
            }
    }
}

static mcdl_model *mha_model(bool pool, mcdl_node **mha_out) {
    mcdl_graph *g;
    mcdl_graph_create(&g, 5);
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {T}});
    mcdl_node *e = mcdl_embedding(
        g, x, &(mcdl_embedding_opts){.input_dim = V, .output_dim = D, .mask_zero = true});
    mcdl_node *a = mcdl_multi_head_attention(g, e, NULL, NULL, NULL,
                                             &(mcdl_mha_opts){.num_heads = H, .key_dim = KD});
    if (mha_out) *mha_out = a;
    CHECK(a && mcdl_node_keras_mask(a) == mcdl_node_keras_mask(e),
          "MultiHeadAttention keeps the query's mask");
    mcdl_node *y = pool ? mcdl_global_average_pooling1d(g, a, NULL, NULL) : a;
    mcdl_model *m = make(g, x, y);
    if (!m) return NULL;
    /* nonzero biases, so that a masked row's output (= the output bias) is distinguishable */
    const char *bias[] = {"query/bias", "key/bias", "value/bias", "attention_output/bias"};
    for (int i = 0; i < 4; i++) {
        char path[96];
        snprintf(path, sizeof path, "multi_head_attention/%s", bias[i]);
        float *w = weight(m, path);
        for (int j = 0; w && j < (i == 3 ? D : H * KD); j++) w[j] = 0.1f * (float)(j % 5) - 0.2f;
    }
    return m;
}

static void test_mha(void) {
    mcdl_model *m = mha_model(false, NULL);
    if (!m) return;
    double want[B * T * D];
    mha_by_hand(m, want);
    mcdl_tensor *o = predict(m, &k_ids[0][0], B, T);
    double err = 0;
    for (int i = 0; i < B * T * D && o; i++)
        err = fmax(err, fabs(mcdl_tensor_data(o)[i] - want[i]));
    CHECK(o && err < 1e-5, "MHA with implicit masks vs by hand: max error %.3g", err);
    /* a padded query row attends nothing: its output is the output bias alone */
    const float *bo = weight(m, "multi_head_attention/attention_output/bias");
    CHECK(o && mcdl_tensor_data(o)[2 * D + 1] == bo[1], "padded query row = bias (%g vs %g)",
          o ? mcdl_tensor_data(o)[2 * D + 1] : NAN, bo[1]);
    mcdl_tensor_destroy(o);
    mcdl_model_destroy(m);

    /* ... then pooling: the masked mean of the non-padding rows */
    m = mha_model(true, NULL);
    if (!m) return;
    mha_by_hand(m, want);
    o = predict(m, &k_ids[0][0], B, T);
    err = 0;
    for (int b = 0; b < B && o; b++)
        for (int c = 0; c < D; c++) {
            double s = 0;
            int n = 0;
            for (int t = 0; t < T; t++)
                if (k_ids[b][t] != 0) s += want[(b * T + t) * D + c], n++;
            err = fmax(err, fabs(mcdl_tensor_data(o)[b * D + c] - s / n));
        }
    CHECK(o && err < 1e-5, "MHA -> pooling with the propagated mask: max error %.3g", err);

#ifdef MCDL_WITH_FILES
    /* Keras JSON: Embedding keeps mask_zero, no NotEqual layer is written (Keras makes the
     * mask itself), and the model read back masks the same way */
    char *json = NULL;
    CHECK_OK(mcdl_model_to_json(m, &json));
    const char *mz = json ? strstr(json, "\"mask_zero\":") : NULL;
    if (mz) mz += strspn(mz + 12, " \t") + 12;
    CHECK(json && strstr(json, "NotEqual") == NULL && mz && !strncmp(mz, "true", 4),
          "JSON keeps mask_zero and writes no NotEqual layer");
    mcdl_model *m2 = NULL;
    if (json) CHECK_OK(mcdl_model_from_json(json, strlen(json), "masks.json", 5, &m2));
    if (m2) {
        CHECK(m2->n_w == m->n_w, "same weights after the round trip");
        for (int i = 0; i < m->n_w && i < m2->n_w; i++)
            memcpy(m2->w[i]->data, m->w[i]->data, (size_t)m->w[i]->numel * sizeof(float));
        mcdl_tensor *o2 = predict(m2, &k_ids[0][0], B, T);
        CHECK(o && o2 && !memcmp(mcdl_tensor_data(o), mcdl_tensor_data(o2), B * D * sizeof(float)),
              "the JSON model masks the same way");
        mcdl_tensor_destroy(o2);
        mcdl_model_destroy(m2);
    }
    free(json);
#endif
    mcdl_tensor_destroy(o);
    mcdl_model_destroy(m);
}

/* Embedding(mask_zero) -> LSTM over [a, b, 0, c, 0] equals the LSTM over [a, b, c]. */
static void test_lstm(void) {
    mcdl_model *mm[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        mcdl_graph *g;
        mcdl_graph_create(&g, 9);
        mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {i ? 3 : T}});
        mcdl_node *e = mcdl_embedding(
            g, x, &(mcdl_embedding_opts){.input_dim = V, .output_dim = D, .mask_zero = i == 0});
        mcdl_node *y = mcdl_lstm(g, e, &(mcdl_rnn_opts){.units = 4});
        CHECK(y && mcdl_node_keras_mask(y) == NULL, "LSTM without return_sequences drops the mask");
        mm[i] = make(g, x, y);
    }
    if (mm[0] && mm[1]) {
        for (int i = 0; i < mm[0]->n_w; i++)
            memcpy(mm[1]->w[i]->data, mm[0]->w[i]->data,
                   (size_t)mm[0]->w[i]->numel * sizeof(float));
        const float packed[1][3] = {{3, 1, 6}};
        mcdl_tensor *o0 = predict(mm[0], &k_ids[0][0], 1, T), *o1 = predict(mm[1], packed[0], 1, 3);
        double err = 0;
        for (int i = 0; i < 4 && o0 && o1; i++)
            err = fmax(err, fabs(mcdl_tensor_data(o0)[i] - mcdl_tensor_data(o1)[i]));
        CHECK(o0 && o1 && err < 1e-6, "masked LSTM = LSTM over the kept steps: error %.3g", err);
        mcdl_tensor_destroy(o0), mcdl_tensor_destroy(o1);
    }
    mcdl_model_destroy(mm[0]), mcdl_model_destroy(mm[1]);
}

/* The Sequential path (each add calls the layer) carries masks too, and trains. */
static void test_sequential_fit(void) {
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_sequential_create(&m, 21, &(mcdl_input_opts){.shape = {8}}, "masked_seq"));
    if (!m) return;
    mcdl_graph *g = mcdl_model_graph(m);
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_embedding_layer(
               g, &(mcdl_embedding_opts){.input_dim = 12, .output_dim = 8, .mask_zero = true})));
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_multi_head_attention_layer(g, &(mcdl_mha_opts){.num_heads = 2, .key_dim = 4})));
    CHECK_OK(mcdl_sequential_add(m, mcdl_layer_normalization_layer(g, NULL)));
    CHECK_OK(mcdl_sequential_add(m, mcdl_global_average_pooling1d_layer(g, NULL)));
    CHECK_OK(mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 1, .activation = MCDL_SIGMOID})));
    CHECK_OK(mcdl_model_compile(m, &(mcdl_compile_opts){.optimizer = {.learning_rate = 0.02f},
                                                        .loss = MCDL_LOSS_BINARY_CROSSENTROPY}));
    /* label = "contains a 7"; sequences are left-aligned with zero padding of random length */
    const int64_t N = 128, L = 8;
    mcdl_tensor *x, *y;
    mcdl_tensor_create(&x, 2, (int64_t[]){N, L});
    mcdl_tensor_create(&y, 2, (int64_t[]){N, 1});
    float *xs = mcdl_tensor_data(x), *ys = mcdl_tensor_data(y);
    mcdl_rng_fill_uniform(4, 0, 0, xs, N * L, 1, 12);
    for (int64_t n = 0; n < N; n++) {
        const int64_t len = 2 + n % 6;
        for (int64_t t = 0; t < L; t++) xs[n * L + t] = t < len ? (float)(int)xs[n * L + t] : 0;
        if (n % 2) xs[n * L + n / 2 % len] = 7;
        ys[n] = 0;
        for (int64_t t = 0; t < L; t++) ys[n] = xs[n * L + t] == 7 ? 1.0f : ys[n];
    }
    mcdl_history *h = NULL;
    CHECK_OK(mcdl_model_fit(m, 1, (const mcdl_tensor *const[]){x}, 1,
                            (const mcdl_tensor *const[]){y},
                            &(mcdl_fit_opts){.epochs = 15, .batch_size = 16}, &h));
    const double *loss = h ? mcdl_history_values(h, "loss") : NULL;
    CHECK(loss && isfinite(loss[14]) && loss[14] < 0.6 * loss[0], "loss %g -> %g",
          loss ? loss[0] : NAN, loss ? loss[14] : NAN);
    mcdl_history_destroy(h);
    mcdl_tensor_destroy(x), mcdl_tensor_destroy(y);
    mcdl_model_destroy(m);
}

int main(void) {
    test_gap_mean();
    test_mha();
    test_lstm();
    test_sequential_fit();
    return check_finish();
}
