/* Seed 003 §10-11 forecasting on two real series from Debian's python3-statsmodels
 * (tools/fetch-data): Mauna Loa weekly CO2 (ppm) and yearly sunspot activity, one step
 * ahead, last 20% of the windows held out, against the naive last-value forecast.
 *   lstm_forecast:         LSTM 64 -> Dense 32 -> Dense 1, window 20 x 1 feature (19,009)
 *   stacked_lstm_forecast: LSTM 64 (sequences) -> LSTM 64 -> Dense 32 -> Dense 1,
 *                          window 30 x 3 features (52,545)
 * Adam + MSE, batch 32, no shuffling, the last 20% of the training windows for validation
 * (the seed's settings), 100 epochs, keeping the weights of the best validation epoch.
 * What makes the LSTM beat the naive forecast: it predicts the CHANGE from the last value
 * (the naive forecast is "change 0"), and it sees the window relative to its last value, so
 * CO2's trend, which leaves the training range in the held-out years, never takes the
 * inputs out of the scaled range. Scales come from the training part only:
 *   feature 0: (v[t-k] - v[t]) / R,  R = max |v[t-k] - v[t]| over the training windows
 *   feature 1: (v[t-k] - v[t-k-1]) / S, S = std of the training one-step changes
 *   feature 2: MinMax(v[t-k]) on the training values (stacked model only)
 *   target:    (v[t+1] - v[t]) / S
 * Reports MSE, RMSE, MAE, R² and MAPE in the series' units for both models and naive. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/common.h"

typedef struct {
    const char *name;
    int window, features;
} model_kind;
static const model_kind kinds[2] = {{"lstm_forecast", 20, 1}, {"stacked_lstm_forecast", 30, 3}};

#define TRY(call)                                                                                  \
    do {                                                                                           \
        mcdl_status st_ = (call);                                                                  \
        if (st_ != MCDL_OK) return st_;                                                            \
    } while (0)

static mcdl_status build(const model_kind *k, mcdl_model **m) {
    TRY(mcdl_sequential_create(m, 1, &(mcdl_input_opts){.shape = {k->window, k->features}},
                               k->name));
    mcdl_graph *g = mcdl_model_graph(*m);
    bool stacked = k->features == 3;
    if (stacked)
        TRY(mcdl_sequential_add(
            *m, mcdl_lstm_layer(g, &(mcdl_rnn_opts){.units = 64, .return_sequences = true})));
    TRY(mcdl_sequential_add(*m, mcdl_lstm_layer(g, &(mcdl_rnn_opts){.units = 64})));
    TRY(mcdl_sequential_add(*m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 32})));
    return mcdl_sequential_add(*m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 1}));
}

static void metrics(const char *who, const float *pred, const float *truth, int64_t n,
                    double *rmse) {
    double se = 0, ae = 0, ape = 0, mean = 0, var = 0;
    int64_t nz = 0;
    for (int64_t i = 0; i < n; i++) mean += truth[i];
    mean /= (double)n;
    for (int64_t i = 0; i < n; i++) {
        double e = (double)pred[i] - truth[i];
        se += e * e, ae += fabs(e);
        if (truth[i] != 0) ape += fabs(e / truth[i]), nz++; /* MAPE skips zero truths */
        var += (truth[i] - mean) * (truth[i] - mean);
    }
    *rmse = sqrt(se / (double)n);
    printf("  %-22s MSE %10.4f  RMSE %8.4f  MAE %8.4f  R2 %.4f  MAPE %.3f%%\n", who, se / (double)n,
           *rmse, ae / (double)n, 1.0 - se / var, nz ? 100.0 * ape / (double)nz : 0.0);
}

/* All weights of m into (save) or out of (restore) buf: the best epoch's snapshot. */
static bool snapshot(mcdl_model *m, float **buf, bool save) {
    int64_t total = 0;
    mcdl_weight_info w;
    for (int i = 0; i < mcdl_model_num_weights(m); i++)
        if (mcdl_model_weight(m, i, &w) == MCDL_OK) total += mcdl_tensor_numel(w.value);
    if (!*buf && !(*buf = malloc((size_t)total * sizeof **buf))) return false;
    int64_t off = 0;
    for (int i = 0; i < mcdl_model_num_weights(m); i++) {
        if (mcdl_model_weight(m, i, &w) != MCDL_OK) return false;
        size_t bytes = (size_t)mcdl_tensor_numel(w.value) * sizeof **buf;
        if (save)
            memcpy(*buf + off, mcdl_tensor_data(w.value), bytes);
        else
            memcpy(mcdl_tensor_data(w.value), *buf + off, bytes);
        off += mcdl_tensor_numel(w.value);
    }
    if (!save) mcdl_model_weights_changed(m);
    return true;
}

/* Mean squared error of m's predictions on x against y (scaled units). */
static bool predict_mse(mcdl_model *m, mcdl_tensor *x, const mcdl_tensor *y, double *mse) {
    mcdl_tensor *p = NULL;
    if (!exp_ok(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){x},
                                   &(mcdl_predict_opts){.batch_size = 32}, 1, &p),
                "predict"))
        return false;
    int64_t n = mcdl_tensor_dim(y, 0);
    double se = 0;
    for (int64_t i = 0; i < n; i++) {
        double e = (double)mcdl_tensor_data(p)[i] - mcdl_tensor_data(y)[i];
        se += e * e;
    }
    mcdl_tensor_destroy(p);
    *mse = se / (double)n;
    return true;
}

static void write_curves(const exp_args *a, const char *name, const double *loss, const double *val,
                         int epochs) {
    char path[1024], cmd[4096];
    snprintf(path, sizeof path, "%s/%s_history.csv", a->out, name);
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "epoch,loss,val_loss\n");
    for (int e = 0; e < epochs; e++) fprintf(f, "%d,%.6g,%.6g\n", e + 1, loss[e], val[e]);
    fclose(f);
    printf("history: %s\n", path);
    if (a->smoke || system("command -v gnuplot >/dev/null 2>&1") != 0) return;
    snprintf(cmd, sizeof cmd,
             "gnuplot -e \"set terminal png noenhanced size 640,400; set output '%s/%s_loss.png'; "
             "set datafile separator ','; set key autotitle columnhead; set xlabel 'epoch'; "
             "set logscale y; set title '%s (scaled MSE)'; plot '%s' using 1:2 with lines, '' "
             "using 1:3 with lines\"",
             a->out, name, name, path);
    if (system(cmd) == 0) printf("plot: %s/%s_loss.png\n", a->out, name);
}

/* Keras fit(validation_split=0.2, shuffle=False) with restore-best-weights early stopping:
 * one epoch at a time on x[0, n_fit), the validation MSE on x[n_fit, n_train), and the
 * weights of the epoch with the lowest validation MSE restored at the end. */
static int fit_best(const exp_args *a, const char *name, mcdl_model *m, mcdl_tensor *x,
                    mcdl_tensor *y, int64_t n_fit, int64_t n_train, int epochs, int *best_epoch,
                    double *secs) {
    printf("== %s ==\n", name);
    if (!exp_ok(mcdl_model_summary(m, stdout), "summary")) return 1;
    mcdl_tensor *xf = exp_rows(x, 0, n_fit), *yf = exp_rows(y, 0, n_fit);
    mcdl_tensor *xv = exp_rows(x, n_fit, n_train), *yv = exp_rows(y, n_fit, n_train);
    double *loss = calloc((size_t)epochs * 2, sizeof *loss), *val = loss + epochs;
    double best = 1e300, t0 = exp_now();
    float *saved = NULL;
    int rc = xf && yf && xv && yv && loss ? 0 : 1;
    for (int e = 0; rc == 0 && e < epochs; e++) {
        mcdl_history *h = NULL;
        mcdl_fit_opts fo = {
            .epochs = e + 1, .initial_epoch = e, .batch_size = 32, .no_shuffle = true, .seed = 1};
        if (!exp_ok(mcdl_model_fit(m, 1, (const mcdl_tensor *const[]){xf}, 1,
                                   (const mcdl_tensor *const[]){yf}, &fo, &h),
                    name) ||
            !predict_mse(m, xv, yv, &val[e])) {
            rc = 1;
            break;
        }
        loss[e] = mcdl_history_values(h, "loss")[0];
        mcdl_history_destroy(h);
        printf("Epoch %d/%d - %.1fs - loss: %.4f - val_loss: %.4f%s\n", e + 1, epochs,
               exp_now() - t0, loss[e], val[e], val[e] < best ? " (best)" : "");
        if (!isfinite(loss[e])) {
            printf("FAIL %s: loss at epoch %d is %g\n", name, e + 1, loss[e]);
            rc = 1;
        }
        if (val[e] < best) {
            best = val[e], *best_epoch = e + 1;
            if (!snapshot(m, &saved, true)) rc = 1;
        }
    }
    *secs = exp_now() - t0;
    if (rc == 0) {
        write_curves(a, name, loss, val, epochs);
        if (!snapshot(m, &saved, false)) rc = 1;
        if (a->smoke && epochs > 1 && !(loss[epochs - 1] < loss[0])) {
            printf("FAIL %s: loss did not decrease (%g -> %g)\n", name, loss[0], loss[epochs - 1]);
            rc = 1;
        }
    }
    free(saved), free(loss);
    mcdl_tensor_destroy(xf), mcdl_tensor_destroy(yf), mcdl_tensor_destroy(xv),
        mcdl_tensor_destroy(yv);
    return rc;
}

/* Trains one model kind on one series; prints its and the naive forecast's test metrics.
 * Returns 0, or 1 on a failure. */
static int run(const exp_args *a, const char *series, const model_kind *k, int epochs) {
    mcdl_tensor *s = NULL;
    if (mcdl_data_series(series, &s) != MCDL_OK) return exp_missing_data("data/series/*.csv");
    const float *v = mcdl_tensor_data(s);
    int64_t T = mcdl_tensor_dim(s, 0), W = k->window, F = k->features;
    if (a->smoke && T > 400) T = 400;
    /* window i covers v[i .. i+W-1]; its last value is v[i+W-1], its target v[i+W] */
    int64_t n = T - W, n_train = n * 8 / 10, n_test = n - n_train;
    int64_t last_train = n_train + W - 1; /* the last value a training target uses */
    double R = 0, S = 0, mean_d = 0, lo = v[0], hi = v[0];
    for (int64_t i = 1; i <= last_train; i++) mean_d += v[i] - v[i - 1];
    mean_d /= (double)last_train;
    for (int64_t i = 1; i <= last_train; i++)
        S += (v[i] - v[i - 1] - mean_d) * (v[i] - v[i - 1] - mean_d);
    S = sqrt(S / (double)last_train);
    for (int64_t i = 0; i < n_train; i++)
        for (int64_t t = 0; t < W; t++) R = fmax(R, fabs(v[i + t] - v[i + W - 1]));
    for (int64_t i = 0; i < last_train; i++) lo = fmin(lo, v[i]), hi = fmax(hi, v[i]);
    mcdl_tensor *x = NULL, *y = NULL;
    mcdl_tensor_create(&x, 3, (int64_t[]){n, W, F});
    mcdl_tensor_create(&y, 2, (int64_t[]){n, 1});
    for (int64_t i = 0; i < n; i++) {
        float *row = mcdl_tensor_data(x) + i * W * F;
        double last = v[i + W - 1];
        for (int64_t t = 0; t < W; t++) {
            int64_t j = i + t;
            row[t * F] = (float)((v[j] - last) / R);
            if (F == 3) {
                row[t * F + 1] = j > 0 ? (float)((v[j] - v[j - 1]) / S) : 0.0f;
                row[t * F + 2] = (float)((v[j] - lo) / (hi - lo));
            }
        }
        mcdl_tensor_data(y)[i] = (float)((v[i + W] - last) / S);
    }
    mcdl_tensor *xte = exp_rows(x, n_train, n);
    mcdl_model *m = NULL;
    char name[96];
    snprintf(name, sizeof name, "forecast_%s_%s", series, k->features == 3 ? "stacked" : "lstm");
    int rc = 1, best_epoch = 0;
    int64_t n_fit = n_train * 8 / 10;
    double secs = 0, r_model = 0, r_naive = 0;
    mcdl_tensor *p = NULL;
    if (exp_ok(build(k, &m), "build") &&
        exp_ok(mcdl_model_compile(m, &(mcdl_compile_opts){.loss = MCDL_LOSS_MSE}), "compile"))
        rc = fit_best(a, name, m, x, y, n_fit, n_train, epochs, &best_epoch, &secs);
    if (rc == 0 && exp_ok(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){xte},
                                             &(mcdl_predict_opts){.batch_size = 32}, 1, &p),
                          "predict")) {
        float *pred = malloc((size_t)n_test * 3 * sizeof *pred);
        float *naive = pred + n_test, *truth = naive + n_test;
        for (int64_t i = 0; pred && i < n_test; i++) {
            double last = v[n_train + i + W - 1];
            pred[i] = (float)(last + S * mcdl_tensor_data(p)[i]);
            naive[i] = (float)last;
            truth[i] = v[n_train + i + W];
        }
        if (pred) {
            printf("%s: %s, %lld fit + %lld validation / %lld test windows of %lld x %lld, "
                   "best of %d epochs: %d, train %.1f s\n",
                   name, series, (long long)n_fit, (long long)(n_train - n_fit), (long long)n_test,
                   (long long)W, (long long)F, epochs, best_epoch, secs);
            metrics(k->name, pred, truth, n_test, &r_model);
            metrics("naive (last value)", naive, truth, n_test, &r_naive);
            printf("%s: RMSE %.4f vs naive %.4f (%s)\n", name, r_model, r_naive,
                   r_model < r_naive ? "beats naive" : "does NOT beat naive");
        }
        free(pred);
        rc = pred ? 0 : 1;
    }
    mcdl_tensor_destroy(p), mcdl_tensor_destroy(s), mcdl_tensor_destroy(x), mcdl_tensor_destroy(y),
        mcdl_tensor_destroy(xte);
    mcdl_model_destroy(m);
    return rc;
}

int main(int argc, char **argv) {
    exp_args a;
    if (!exp_parse(argc, argv, &a)) return 2;
    if (a.json_path) { /* --json writes the model named by --only (default lstm_forecast) */
        const model_kind *k = &kinds[a.only && !strcmp(a.only, kinds[1].name) ? 1 : 0];
        mcdl_model *m = NULL;
        int rc = 1;
        if (exp_ok(build(k, &m), "build")) exp_maybe_write_json(&a, m, &rc);
        mcdl_model_destroy(m);
        return rc;
    }
    static const char *const series[2] = {"co2", "sunspots"};
    int rc = 0, epochs = exp_epochs(&a, 100, 3);
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < 2; k++) {
            if (a.only && strcmp(a.only, series[s]) && strcmp(a.only, kinds[k].name)) continue;
            int r = run(&a, series[s], &kinds[k], epochs);
            if (r == 77) return 77;
            rc |= r;
        }
    return rc;
}
