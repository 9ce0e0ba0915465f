/* Regression: fit's validation pass and evaluate/predict after fit run inference-mode
 * forwards on the training plan; layers whose inference scratch exceeds their training
 * scratch (the recurrent cells) used to write past the arena (ASan heap overflow). */
#include "check.h"

static void run(mcdl_node *(*layer)(mcdl_graph *, mcdl_node *), const char *what) {
    mcdl_graph *g = NULL;
    CHECK_OK(mcdl_graph_create(&g, 3));
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {20, 1}});
    mcdl_node *h = layer(g, x);
    mcdl_node *y = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 1});
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_model_create(&m, g, 1, &x, 1, &y, what));
    mcdl_graph_destroy(g);
    if (!m) return;
    CHECK_OK(mcdl_model_compile(
        m, &(mcdl_compile_opts){.loss = MCDL_LOSS_MSE, .metrics = MCDL_METRIC_MAE}));
    mcdl_tensor *X = NULL, *Y = NULL, *P = NULL;
    CHECK_OK(mcdl_tensor_create(&X, 3, (int64_t[]){64, 20, 1}));
    CHECK_OK(mcdl_tensor_create(&Y, 2, (int64_t[]){64, 1}));
    mcdl_rng_fill_uniform(1, 0, 0, mcdl_tensor_data(X), 64 * 20, 0.0f, 1.0f);
    mcdl_rng_fill_uniform(2, 0, 0, mcdl_tensor_data(Y), 64, 0.0f, 1.0f);
    mcdl_history *hist = NULL;
    CHECK_OK(mcdl_model_fit(
        m, 1, (const mcdl_tensor *const[]){X}, 1, (const mcdl_tensor *const[]){Y},
        &(mcdl_fit_opts){.epochs = 2, .batch_size = 32, .validation_split = 0.5f}, &hist));
    const double *vl = hist ? mcdl_history_values(hist, "val_loss") : NULL;
    CHECK(vl && isfinite(vl[1]), "%s: val_loss is finite", what);
    double res[2] = {0, 0};
    CHECK_OK(mcdl_model_evaluate(m, 1, (const mcdl_tensor *const[]){X}, 1,
                                 (const mcdl_tensor *const[]){Y},
                                 &(mcdl_eval_opts){.batch_size = 16}, res, 2));
    CHECK(isfinite(res[0]) && res[0] > 0, "%s: evaluate loss %g", what, res[0]);
    CHECK_OK(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){X},
                                &(mcdl_predict_opts){.batch_size = 16}, 1, &P));
    CHECK(P && mcdl_tensor_dim(P, 0) == 64, "%s: predict rows", what);
    mcdl_tensor_destroy(P);
    mcdl_history_destroy(hist);
    mcdl_tensor_destroy(X);
    mcdl_tensor_destroy(Y);
    mcdl_model_destroy(m);
}

static mcdl_node *lstm(mcdl_graph *g, mcdl_node *x) {
    return mcdl_lstm(g, x, &(mcdl_rnn_opts){.units = 64});
}
static mcdl_node *gru(mcdl_graph *g, mcdl_node *x) {
    return mcdl_gru(g, x, &(mcdl_rnn_opts){.units = 32});
}
static mcdl_node *rnn(mcdl_graph *g, mcdl_node *x) {
    return mcdl_simple_rnn(g, x, &(mcdl_rnn_opts){.units = 16});
}

int main(void) {
    run(lstm, "lstm");
    run(gru, "gru");
    run(rnn, "simple_rnn");
    return check_finish();
}
