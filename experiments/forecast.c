/* Seed 003 §10-11: LSTM 64 -> Dense 32 relu -> Dense 1 forecasting a real series (Mauna Loa
 * CO2 from Debian's python3-statsmodels, tools/fetch-data) one step ahead from a sliding
 * window of 20 MinMax-scaled values (scaler fitted on the training part only), last 20%
 * held out; reports MSE, RMSE, MAE, R² and MAPE in ppm against the naive last-value
 * forecast. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "experiments/common.h"

enum { WINDOW = 20 };

static void metrics(const char *who, const float *pred, const float *truth, int64_t n) {
    double se = 0, ae = 0, ape = 0, mean = 0, var = 0;
    for (int64_t i = 0; i < n; i++) mean += truth[i];
    mean /= (double)n;
    for (int64_t i = 0; i < n; i++) {
        double e = (double)pred[i] - truth[i];
        se += e * e, ae += fabs(e), ape += fabs(e / truth[i]);
        var += (truth[i] - mean) * (truth[i] - mean);
    }
    printf("%-14s MSE %.4f  RMSE %.4f  MAE %.4f  R2 %.4f  MAPE %.3f%%\n", who, se / (double)n,
           sqrt(se / (double)n), ae / (double)n, 1.0 - se / var, 100.0 * ape / (double)n);
}

int main(int argc, char **argv) {
    exp_args a;
    if (!exp_parse(argc, argv, &a)) return 2;
    mcdl_model *m = NULL;
    mcdl_sequential_create(&m, 3, &(mcdl_input_opts){.shape = {WINDOW, 1}}, "lstm_forecast");
    mcdl_graph *g = mcdl_model_graph(m);
    mcdl_sequential_add(m, mcdl_lstm_layer(g, &(mcdl_rnn_opts){.units = 64}));
    mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 32, .activation = MCDL_RELU}));
    if (!exp_ok(mcdl_sequential_add(m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 1})),
                "build"))
        return 1;
    int rc = 0;
    if (exp_maybe_write_json(&a, m, &rc)) return rc;
    mcdl_tensor *series = NULL;
    if (mcdl_data_series("co2", &series) != MCDL_OK) return exp_missing_data("data/series/co2.csv");
    int64_t T = mcdl_tensor_dim(series, 0);
    if (a.smoke && T > 400) T = 400;
    const float *v = mcdl_tensor_data(series);
    int64_t n = T - WINDOW, n_train = n * 8 / 10, n_test = n - n_train;
    /* MinMax on the values the training windows and targets see */
    float lo = v[0], hi = v[0];
    for (int64_t i = 0; i < n_train + WINDOW; i++) lo = fminf(lo, v[i]), hi = fmaxf(hi, v[i]);
    mcdl_tensor *x, *y;
    mcdl_tensor_create(&x, 3, (int64_t[]){n, WINDOW, 1}),
        mcdl_tensor_create(&y, 2, (int64_t[]){n, 1});
    for (int64_t i = 0; i < n; i++) {
        for (int t = 0; t < WINDOW; t++)
            mcdl_tensor_data(x)[i * WINDOW + t] = (v[i + t] - lo) / (hi - lo);
        mcdl_tensor_data(y)[i] = (v[i + WINDOW] - lo) / (hi - lo);
    }
    mcdl_tensor *xtr = exp_rows(x, 0, n_train), *ytr = exp_rows(y, 0, n_train);
    mcdl_tensor *xte = exp_rows(x, n_train, n), *yte = exp_rows(y, n_train, n);
    exp_ok(mcdl_model_compile(m, &(mcdl_compile_opts){.loss = MCDL_LOSS_MSE}), "compile");
    /* no validation_x: evaluating an LSTM model inside fit overflows the layer's inference
     * workspace on this branch (docs/seeds.md "Known problems"); test metrics come from
     * predict below */
    mcdl_fit_opts fo = {.epochs = exp_epochs(&a, 30, 3), .batch_size = 32, .seed = 1};
    double secs = 0;
    rc = exp_fit(&a, "forecast_co2", m, 1, &xtr, 1, &ytr, &fo, &secs);
    mcdl_tensor *p = NULL;
    if (rc == 0 && exp_ok(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){xte},
                                             &(mcdl_predict_opts){.batch_size = 1}, 1, &p),
                          "predict")) {
        float pred[8192], naive[8192], truth[8192];
        int64_t k = n_test < 8192 ? n_test : 8192;
        for (int64_t i = 0; i < k; i++) {
            pred[i] = lo + (hi - lo) * mcdl_tensor_data(p)[i];
            naive[i] = v[n_train + i + WINDOW - 1];
            truth[i] = v[n_train + i + WINDOW];
        }
        printf("co2 (ppm), %lld train windows, %lld test windows, window %d, train %.1f s\n",
               (long long)n_train, (long long)k, WINDOW, secs);
        metrics("lstm_forecast", pred, truth, k);
        metrics("naive (last)", naive, truth, k);
    }
    mcdl_tensor_destroy(p), mcdl_tensor_destroy(series), mcdl_tensor_destroy(x),
        mcdl_tensor_destroy(y);
    mcdl_tensor_destroy(xtr), mcdl_tensor_destroy(ytr), mcdl_tensor_destroy(xte),
        mcdl_tensor_destroy(yte);
    mcdl_model_destroy(m);
    return rc;
}
