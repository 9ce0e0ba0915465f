/* Data for the seed 003 LSTM(32) -> Dense 1 sigmoid programs (ensemble.c, grid_search.c),
 * whose seed draws X ~ U(0,1) of shape (100, 10, 1) and random 0/1 labels. Two sets:
 *  - "seed": that random data (seeded Philox), which no model can beat chance on;
 *  - "sunspots": a real binary task of the same shape: from 10 consecutive yearly sunspot
 *    numbers (statsmodels' sunspots, 1700-2008, tools/fetch-data), does the next year's
 *    number rise? Windows are split in time order into contiguous blocks (consecutive
 *    windows share 9 years, so a random split would put near-copies of test windows into
 *    training; blocks leak only at their edges), and MinMax-scaled with
 *    the training block's minimum and maximum. */
#ifndef MCDL_EXPERIMENTS_DIRECTION_DATA_H
#define MCDL_EXPERIMENTS_DIRECTION_DATA_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "experiments/common.h"

enum { DIR_WINDOW = 10 };

/** Up to three contiguous splits (train, validation, test) of one data set. */
typedef struct {
    mcdl_tensor *x[3], *y[3]; /* x (n, 10, 1), y (n, 1) in {0, 1}; NULL for an empty split */
    int64_t n[3];
} dir_splits;

static inline void dir_splits_destroy(dir_splits *d) {
    for (int k = 0; k < 3; k++) mcdl_tensor_destroy(d->x[k]), mcdl_tensor_destroy(d->y[k]);
}

/* Splits n windows (x rows of 10, y labels) into blocks of the given fractions (the test
 * block takes the rest). */
static inline void dir_split(const float *x, const float *y, int64_t n, double f_train,
                             double f_val, dir_splits *d) {
    int64_t n0 = (int64_t)(f_train * (double)n), n1 = (int64_t)(f_val * (double)n);
    int64_t cut[4] = {0, n0, n0 + n1, n};
    memset(d, 0, sizeof *d);
    for (int k = 0; k < 3; k++) {
        d->n[k] = cut[k + 1] - cut[k];
        if (d->n[k] == 0) continue;
        mcdl_tensor_create(&d->x[k], 3, (int64_t[]){d->n[k], DIR_WINDOW, 1});
        mcdl_tensor_create(&d->y[k], 2, (int64_t[]){d->n[k], 1});
        memcpy(mcdl_tensor_data(d->x[k]), x + cut[k] * DIR_WINDOW,
               (size_t)(d->n[k] * DIR_WINDOW) * sizeof(float));
        memcpy(mcdl_tensor_data(d->y[k]), y + cut[k], (size_t)d->n[k] * sizeof(float));
    }
}

/** The seed's random data: n windows U(0, 1), labels 0/1 with probability 1/2 each. */
static inline void dir_seed_data(int64_t n, double f_train, double f_val, dir_splits *d) {
    static float x[1000 * DIR_WINDOW], y[1000];
    if (n > 1000) n = 1000;
    mcdl_rng_fill_uniform(42, 0, 0, x, n * DIR_WINDOW, 0, 1);
    for (int64_t i = 0; i < n; i++) y[i] = (float)mcdl_rng_below(42, 1, (uint64_t)i, 2);
    dir_split(x, y, n, f_train, f_val, d);
}

/** The sunspot direction task (see the top); returns the status of loading the series. */
static inline mcdl_status dir_sunspot_data(double f_train, double f_val, dir_splits *d) {
    mcdl_tensor *s = NULL;
    mcdl_status st = mcdl_data_series("sunspots", &s);
    if (st != MCDL_OK) return st;
    const float *v = mcdl_tensor_data(s);
    int64_t t = mcdl_tensor_numel(s), n = t - DIR_WINDOW;
    static float x[4096 * DIR_WINDOW], y[4096];
    if (n > 4096) n = 4096;
    /* scale with the training block's range: its windows cover years [0, n_train + 9] */
    int64_t last = (int64_t)(f_train * (double)n) + DIR_WINDOW - 1;
    float lo = v[0], hi = v[0];
    for (int64_t i = 0; i <= last && i < t; i++) lo = fminf(lo, v[i]), hi = fmaxf(hi, v[i]);
    for (int64_t i = 0; i < n; i++) {
        for (int j = 0; j < DIR_WINDOW; j++) x[i * DIR_WINDOW + j] = (v[i + j] - lo) / (hi - lo);
        y[i] = v[i + DIR_WINDOW] > v[i + DIR_WINDOW - 1] ? 1.0f : 0.0f;
    }
    dir_split(x, y, n, f_train, f_val, d);
    mcdl_tensor_destroy(s);
    return MCDL_OK;
}

/** Accuracy of thresholding p at 0.5 against the 0/1 labels y (n values each). */
static inline double dir_accuracy(const float *p, const float *y, int64_t n) {
    int64_t hits = 0;
    for (int64_t i = 0; i < n; i++) hits += (p[i] > 0.5f) == (y[i] > 0.5f);
    return (double)hits / (double)n;
}

/** Baselines on a split: the majority class of `train_y` applied to y, and "the next step
 *  goes the way the last one went" (from the unscaled order of x's last two values). */
static inline void dir_baselines(const mcdl_tensor *train_y, const mcdl_tensor *x,
                                 const mcdl_tensor *y, double *majority, double *persistence) {
    int64_t ntr = mcdl_tensor_numel(train_y), n = mcdl_tensor_numel(y), ones = 0, hm = 0, hp = 0;
    for (int64_t i = 0; i < ntr; i++) ones += mcdl_tensor_data(train_y)[i] > 0.5f;
    int maj = 2 * ones >= ntr;
    for (int64_t i = 0; i < n; i++) {
        const float *w = mcdl_tensor_data(x) + i * DIR_WINDOW;
        int label = mcdl_tensor_data(y)[i] > 0.5f;
        hm += label == maj;
        hp += label == (w[DIR_WINDOW - 1] > w[DIR_WINDOW - 2]);
    }
    *majority = (double)hm / (double)n;
    *persistence = (double)hp / (double)n;
}

/** The seed's model: LSTM(units) on (10, 1) -> Dense 1 sigmoid (4,385 params at 32 units). */
static inline mcdl_status dir_build_model(int64_t units, uint64_t seed, const char *name,
                                          mcdl_model **m) {
    mcdl_status s =
        mcdl_sequential_create(m, seed, &(mcdl_input_opts){.shape = {DIR_WINDOW, 1}}, name);
    if (s != MCDL_OK) return s;
    mcdl_graph *g = mcdl_model_graph(*m);
    mcdl_sequential_add(*m, mcdl_lstm_layer(g, &(mcdl_rnn_opts){.units = units}));
    return mcdl_sequential_add(
        *m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 1, .activation = MCDL_SIGMOID}));
}

#endif
