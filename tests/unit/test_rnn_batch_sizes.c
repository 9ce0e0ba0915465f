/* Recurrent layers run at batch sizes other than the one the plan was made for: fit with
 * validation data and metrics (inference-mode forwards on the training plan), evaluate
 * with a ragged last batch, predict with a batch larger than the training batch, and
 * predictions that must not depend on the batch size used (every row is computed alone).
 * Covers SimpleRNN, LSTM, GRU (both reset_after), Bidirectional in every merge mode,
 * return_sequences, return_state, go_backwards, masks and TimeDistributed. Under ASan
 * (tools/check) a workspace sized for the wrong batch is a heap overflow here. */
#include <math.h>
#include <string.h>

#include "check.h"

typedef mcdl_node *(*layer_fn)(mcdl_graph *g, mcdl_node *x);

enum { T = 12, F = 3 };

/* Model: x (T, F) -> layer -> [Flatten when it returns sequences] -> Dense(1). */
static mcdl_model *make(layer_fn layer, const char *what) {
    mcdl_graph *g = NULL;
    CHECK_OK(mcdl_graph_create(&g, 5));
    if (!g) return NULL;
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {T, F}});
    mcdl_node *h = layer(g, x);
    int64_t shape[MCDL_MAX_RANK];
    if (h && mcdl_node_shape(h, shape) == 2) h = mcdl_flatten(g, h, NULL);
    mcdl_node *y = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 1});
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_model_create(&m, g, 1, &x, 1, &y, what));
    mcdl_graph_destroy(g);
    return m;
}

static mcdl_tensor *tensor(int rank, const int64_t *shape, uint64_t seed) {
    mcdl_tensor *t = NULL;
    CHECK_OK(mcdl_tensor_create(&t, rank, shape));
    if (t) mcdl_rng_fill_uniform(seed, 0, 0, mcdl_tensor_data(t), mcdl_tensor_numel(t), -1, 1);
    return t;
}

static mcdl_tensor *predict(mcdl_model *m, const mcdl_tensor *x, int64_t bs) {
    mcdl_tensor *p = NULL;
    CHECK_OK(mcdl_model_predict(m, 1, &x, &(mcdl_predict_opts){.batch_size = bs}, 1, &p));
    return p;
}

/* Largest |a - b| relative to max(1, |a|). */
static double max_rel(const mcdl_tensor *a, const mcdl_tensor *b) {
    if (!a || !b || mcdl_tensor_numel(a) != mcdl_tensor_numel(b)) return INFINITY;
    double e = 0;
    for (int64_t i = 0; i < mcdl_tensor_numel(a); i++) {
        double x = mcdl_tensor_data(a)[i], y = mcdl_tensor_data(b)[i];
        double d = fabs(x - y) / fmax(1.0, fabs(x));
        if (!(d <= e)) e = d;
    }
    return e;
}

static void run(layer_fn layer, const char *what) {
    mcdl_model *m = make(layer, what);
    if (!m) return;
    CHECK_OK(mcdl_model_compile(
        m, &(mcdl_compile_opts){.loss = MCDL_LOSS_MSE, .metrics = MCDL_METRIC_MAE}));
    mcdl_tensor *X = tensor(3, (int64_t[]){40, T, F}, 1), *Y = tensor(2, (int64_t[]){40, 1}, 2);
    mcdl_tensor *VX = tensor(3, (int64_t[]){38, T, F}, 3), *VY = tensor(2, (int64_t[]){38, 1}, 4);
    mcdl_tensor *BX = tensor(3, (int64_t[]){50, T, F}, 5);
    mcdl_history *hist = NULL;
    /* validation set larger than the batch, with a ragged last batch (38 = 32 + 6) */
    CHECK_OK(mcdl_model_fit(m, 1, (const mcdl_tensor *const[]){X}, 1,
                            (const mcdl_tensor *const[]){Y},
                            &(mcdl_fit_opts){.epochs = 2,
                                             .batch_size = 32,
                                             .validation_x = (const mcdl_tensor *const[]){VX},
                                             .validation_y = (const mcdl_tensor *const[]){VY}},
                            &hist));
    const double *vl = hist ? mcdl_history_values(hist, "val_loss") : NULL;
    const double *vm = hist ? mcdl_history_values(hist, "val_mae") : NULL;
    CHECK(vl && vm && isfinite(vl[1]) && vl[1] > 0 && isfinite(vm[1]), "%s: val_loss %g", what,
          vl ? vl[1] : -1.0);
    /* evaluate: a batch larger than the training one, then a ragged one */
    double r1[2] = {0, 0}, r2[2] = {0, 0};
    CHECK_OK(mcdl_model_evaluate(m, 1, (const mcdl_tensor *const[]){VX}, 1,
                                 (const mcdl_tensor *const[]){VY},
                                 &(mcdl_eval_opts){.batch_size = 38}, r1, 2));
    CHECK_OK(mcdl_model_evaluate(m, 1, (const mcdl_tensor *const[]){VX}, 1,
                                 (const mcdl_tensor *const[]){VY},
                                 &(mcdl_eval_opts){.batch_size = 16}, r2, 2));
    CHECK(isfinite(r1[0]) && r1[0] > 0, "%s: evaluate loss %g", what, r1[0]);
    CHECK_NEAR(r1[0], r2[0], 1e-5 * fmax(1.0, r1[0]));
    CHECK_NEAR(r1[1], r2[1], 1e-5 * fmax(1.0, r1[1]));
    /* predict: batch 1, the training batch, a ragged batch and one larger than training */
    mcdl_tensor *p1 = predict(m, BX, 1), *p32 = predict(m, BX, 32), *p7 = predict(m, BX, 7);
    mcdl_tensor *pbig = predict(m, BX, 50);
    CHECK(pbig && mcdl_tensor_dim(pbig, 0) == 50, "%s: predict rows", what);
    double e = fmax(fmax(max_rel(p1, p32), max_rel(p1, p7)), max_rel(p1, pbig));
    CHECK(e <= 2e-5, "%s: predictions depend on the batch size (%.3g)", what, e);
    /* training again after the large inference plans: the plan grows back */
    CHECK_OK(mcdl_model_fit(m, 1, (const mcdl_tensor *const[]){BX}, 1,
                            (const mcdl_tensor *const[]){pbig},
                            &(mcdl_fit_opts){.epochs = 1, .batch_size = 48}, NULL));
    mcdl_tensor *q = predict(m, X, 40);
    CHECK(q && isfinite(mcdl_tensor_data(q)[39]), "%s: predict after refit", what);
    mcdl_tensor_destroy(q);
    mcdl_tensor_destroy(p1);
    mcdl_tensor_destroy(p32);
    mcdl_tensor_destroy(p7);
    mcdl_tensor_destroy(pbig);
    mcdl_history_destroy(hist);
    mcdl_tensor_destroy(X);
    mcdl_tensor_destroy(Y);
    mcdl_tensor_destroy(VX);
    mcdl_tensor_destroy(VY);
    mcdl_tensor_destroy(BX);
    mcdl_model_destroy(m);
}

static mcdl_node *lstm64(mcdl_graph *g, mcdl_node *x) {
    return mcdl_lstm(g, x, &(mcdl_rnn_opts){.units = 64});
}
static mcdl_node *lstm_seq(mcdl_graph *g, mcdl_node *x) {
    return mcdl_lstm(g, x, &(mcdl_rnn_opts){.units = 17, .return_sequences = true});
}
static mcdl_node *gru(mcdl_graph *g, mcdl_node *x) {
    return mcdl_gru(g, x, &(mcdl_rnn_opts){.units = 33, .go_backwards = true});
}
static mcdl_node *gru_rf_seq(mcdl_graph *g, mcdl_node *x) {
    return mcdl_gru(g, x,
                    &(mcdl_rnn_opts){.units = 9, .no_reset_after = true, .return_sequences = true});
}
static mcdl_node *simple(mcdl_graph *g, mcdl_node *x) {
    return mcdl_simple_rnn(g, x, &(mcdl_rnn_opts){.units = 50, .dropout = 0.25f});
}
static mcdl_node *lstm_rec_dropout(mcdl_graph *g, mcdl_node *x) {
    return mcdl_lstm(g, x,
                     &(mcdl_rnn_opts){.units = 20, .dropout = 0.2f, .recurrent_dropout = 0.3f});
}
static mcdl_node *bi_gru_rec_dropout(mcdl_graph *g, mcdl_node *x) {
    return mcdl_bidirectional(
        g, x,
        &(mcdl_bidirectional_opts){
            .cell = MCDL_CELL_GRU,
            .layer = {.units = 10, .dropout = 0.25f, .recurrent_dropout = 0.4f}});
}
static mcdl_node *simple_seq(mcdl_graph *g, mcdl_node *x) {
    return mcdl_simple_rnn(g, x, &(mcdl_rnn_opts){.units = 70, .return_sequences = true});
}
static mcdl_node *stacked(mcdl_graph *g, mcdl_node *x) {
    mcdl_node *h = mcdl_lstm(g, x, &(mcdl_rnn_opts){.units = 16, .return_sequences = true});
    return mcdl_gru(g, h, &(mcdl_rnn_opts){.units = 8});
}
static mcdl_node *state_out(mcdl_graph *g, mcdl_node *x) {
    mcdl_layer *l = mcdl_lstm_layer(g, &(mcdl_rnn_opts){.units = 12, .return_state = true});
    mcdl_node *o[3] = {NULL, NULL, NULL};
    if (mcdl_call_multi(l, 1, &x, 3, o) != MCDL_OK) return NULL;
    return mcdl_add(g, 2, (mcdl_node *[]){o[0], o[2]}, NULL);
}
static mcdl_node *bi_concat(mcdl_graph *g, mcdl_node *x) {
    return mcdl_bidirectional(
        g, x, &(mcdl_bidirectional_opts){.cell = MCDL_CELL_LSTM, .layer = {.units = 20}});
}
static mcdl_node *bi_sum_seq(mcdl_graph *g, mcdl_node *x) {
    return mcdl_bidirectional(
        g, x,
        &(mcdl_bidirectional_opts){.cell = MCDL_CELL_GRU,
                                   .layer = {.units = 18, .return_sequences = true},
                                   .merge_mode = MCDL_MERGE_SUM});
}
static mcdl_node *bi_mul(mcdl_graph *g, mcdl_node *x) {
    return mcdl_bidirectional(g, x,
                              &(mcdl_bidirectional_opts){.cell = MCDL_CELL_SIMPLE_RNN,
                                                         .layer = {.units = 24},
                                                         .merge_mode = MCDL_MERGE_MUL});
}
static mcdl_node *td_lstm(mcdl_graph *g, mcdl_node *x) {
    mcdl_node *h =
        mcdl_time_distributed(g, x, &(mcdl_time_distributed_opts){.dense = {.units = 16}});
    return mcdl_lstm(g, h, &(mcdl_rnn_opts){.units = 32});
}

int main(void) {
    run(lstm64, "lstm64");
    run(lstm_seq, "lstm_seq");
    run(gru, "gru_backwards");
    run(gru_rf_seq, "gru_reset_before_seq");
    run(simple, "simple_rnn_dropout");
    run(lstm_rec_dropout, "lstm_recurrent_dropout");
    run(bi_gru_rec_dropout, "bidirectional_gru_recurrent_dropout");
    run(simple_seq, "simple_rnn_seq");
    run(stacked, "stacked");
    run(state_out, "lstm_return_state");
    run(bi_concat, "bidirectional_concat");
    run(bi_sum_seq, "bidirectional_sum_seq");
    run(bi_mul, "bidirectional_mul");
    run(td_lstm, "time_distributed_lstm");
    return check_finish();
}
