/* Seed 003 §12 "Hyperparameter tuning": keras_tuner.GridSearch over LSTM units in
 * {16, 32, 48, 64} x optimizer in {adam, rmsprop} for LSTM(units) -> Dense 1 sigmoid on
 * (10, 1) sequences, objective val_accuracy, then the best model evaluated. As the tuner
 * does, each trial scores its best epoch's val_accuracy and keeps that epoch's weights (the
 * first trial reaching the top score wins ties). The seed caps the search at max_trials=6;
 * all 8 points are run here (they are cheap). Data (direction_data.h):
 *   --only sunspots (real): will next year's sunspot number rise; windows in time order,
 *     60% train / 20% validation (the objective) / 20% test, which no trial saw, so the
 *     best model's test accuracy is an unbiased figure where its validation score is not;
 *   --only seed: the seed's random (100, 10, 1) data, 80/20, 5 epochs (chance level).
 * --json PATH writes the grid's largest model (LSTM 64, 16,961 params). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/common.h"
#include "experiments/direction_data.h"

/* Keeps the weights of the epoch with the best val_accuracy (results: loss, accuracy,
 * val_loss, val_accuracy), as the tuner's checkpoint callback does. */
typedef struct {
    double best_acc, best_loss;
    int best_epoch;
    float *w; /* all weights, mcdl_model_weight order */
} best_epoch;

static int64_t weights_numel(const mcdl_model *m) {
    int64_t n = 0;
    for (int i = 0; i < mcdl_model_num_weights(m); i++) {
        mcdl_weight_info w;
        mcdl_model_weight(m, i, &w);
        n += mcdl_tensor_numel(w.value);
    }
    return n;
}

static void copy_weights(mcdl_model *m, float *buf, bool restore) {
    for (int i = 0; i < mcdl_model_num_weights(m); i++) {
        mcdl_weight_info w;
        mcdl_model_weight(m, i, &w);
        size_t n = (size_t)mcdl_tensor_numel(w.value);
        if (restore)
            memcpy(mcdl_tensor_data(w.value), buf, n * sizeof(float));
        else
            memcpy(buf, mcdl_tensor_data(w.value), n * sizeof(float));
        buf += n;
    }
    if (restore) mcdl_model_weights_changed(m);
}

static mcdl_status on_epoch(mcdl_model *m, int epoch, const double *r, int n, void *user) {
    best_epoch *b = user;
    if (n >= 4 && r[3] > b->best_acc) {
        b->best_acc = r[3], b->best_loss = r[2], b->best_epoch = epoch + 1;
        copy_weights(m, b->w, false);
    }
    return MCDL_OK;
}

static const int64_t k_units[4] = {16, 32, 48, 64};
static const mcdl_optimizer_kind k_opts[2] = {MCDL_OPTIMIZER_ADAM, MCDL_OPTIMIZER_RMSPROP};

typedef struct {
    int64_t units, params;
    mcdl_optimizer_kind opt;
    double val_acc, val_loss, test_acc, secs;
    int epoch;
} trial;

static int run(const exp_args *a, const char *set) {
    dir_splits d;
    bool seed = !strcmp(set, "seed");
    if (seed)
        dir_seed_data(100, 0.8, 0.2, &d);
    else if (dir_sunspot_data(0.6, 0.2, &d) != MCDL_OK)
        return exp_missing_data("data/series/sunspots.csv");
    printf("== grid search on %s: %lld train, %lld validation, %lld test windows ==\n", set,
           (long long)d.n[0], (long long)d.n[1], (long long)d.n[2]);
    const int epochs = exp_epochs(a, seed ? 5 : 60, 3);
    trial t[8];
    int nt = 0, best = -1, rc = 0;
    for (int u = 0; u < 4 && rc == 0; u++)
        for (int o = 0; o < 2 && rc == 0; o++) {
            trial *tr = &t[nt];
            *tr = (trial){.units = k_units[u], .opt = k_opts[o], .test_acc = -1};
            char name[96];
            snprintf(name, sizeof name, "grid_%s_lstm%lld_%s", set, (long long)tr->units,
                     mcdl_optimizer_name(tr->opt));
            mcdl_model *m = NULL;
            if (!exp_ok(dir_build_model(tr->units, 9, name, &m), "build")) return 1;
            mcdl_model_count_params(m, &tr->params, NULL, NULL);
            exp_ok(mcdl_model_compile(m, &(mcdl_compile_opts){.optimizer = {.kind = tr->opt},
                                                              .loss = MCDL_LOSS_BINARY_CROSSENTROPY,
                                                              .metrics = MCDL_METRIC_ACCURACY}),
                   "compile");
            best_epoch b = {.best_acc = -1, .w = malloc((size_t)weights_numel(m) * sizeof(float))};
            mcdl_fit_opts fo = {.epochs = epochs,
                                .batch_size = 32,
                                .seed = 1,
                                .validation_x = (const mcdl_tensor *const[]){d.x[1]},
                                .validation_y = (const mcdl_tensor *const[]){d.y[1]},
                                .on_epoch_end = on_epoch,
                                .user = &b};
            rc = exp_fit(a, name, m, 1, &d.x[0], 1, &d.y[0], &fo, &tr->secs);
            if (rc == 0 && b.w) {
                copy_weights(m, b.w, true);
                tr->val_acc = b.best_acc, tr->val_loss = b.best_loss, tr->epoch = b.best_epoch;
                /* the restored weights must reproduce the checkpointed validation score */
                double r[2] = {0, 0};
                if (!exp_ok(mcdl_model_evaluate(m, 1, (const mcdl_tensor *const *)&d.x[1], 1,
                                                (const mcdl_tensor *const *)&d.y[1], NULL, r, 2),
                            "evaluate") ||
                    fabs(r[1] - tr->val_acc) > 1e-9) {
                    printf("FAIL %s: restored weights give val_accuracy %.4f, checkpoint %.4f\n",
                           name, r[1], tr->val_acc);
                    rc = 1;
                }
                mcdl_tensor *p = NULL;
                if (d.n[2] > 0 &&
                    exp_ok(
                        mcdl_model_predict(m, 1, (const mcdl_tensor *const *)&d.x[2], NULL, 1, &p),
                        "predict")) {
                    if (mcdl_tensor_numel(p) != d.n[2]) {
                        printf("FAIL %s: predict gave %lld values for %lld windows\n", name,
                               (long long)mcdl_tensor_numel(p), (long long)d.n[2]);
                        rc = 1;
                    }
                    tr->test_acc =
                        dir_accuracy(mcdl_tensor_data(p), mcdl_tensor_data(d.y[2]), d.n[2]);
                }
                mcdl_tensor_destroy(p);
                if (best < 0 || tr->val_acc > t[best].val_acc) best = nt;
            } else {
                rc = 1;
            }
            free(b.w);
            mcdl_model_destroy(m);
            nt++;
        }
    if (rc == 0) {
        double maj, pers;
        int split = seed ? 1 : 2;
        dir_baselines(d.y[0], d.x[split], d.y[split], &maj, &pers);
        printf("\ngrid search on %s, objective val_accuracy (best epoch of %d):\n", set, epochs);
        printf("| units | optimizer | params | best val_accuracy (epoch) | val_loss there | "
               "test accuracy | fit s | chosen |\n|---:|---|---:|---:|---:|---:|---:|---|\n");
        for (int k = 0; k < nt; k++) {
            printf("| %lld | %s | %lld | %.4f (%d) | %.4f | ", (long long)t[k].units,
                   mcdl_optimizer_name(t[k].opt), (long long)t[k].params, t[k].val_acc, t[k].epoch,
                   t[k].val_loss);
            if (t[k].test_acc >= 0)
                printf("%.4f", t[k].test_acc);
            else
                printf("-");
            printf(" | %.2f | %s |\n", t[k].secs, k == best ? "best" : "");
        }
        printf("grid search on %s: best units=%lld optimizer=%s, val_accuracy %.4f", set,
               (long long)t[best].units, mcdl_optimizer_name(t[best].opt), t[best].val_acc);
        if (t[best].test_acc >= 0) printf(", test accuracy %.4f", t[best].test_acc);
        printf("; on the %s split: majority class %.4f, same-as-last-step %.4f\n",
               seed ? "validation" : "test", maj, pers);
    }
    dir_splits_destroy(&d);
    return rc;
}

int main(int argc, char **argv) {
    exp_args a;
    if (!exp_parse(argc, argv, &a)) return 2;
    if (a.json_path) {
        mcdl_model *m = NULL;
        int rc = 1;
        if (exp_ok(dir_build_model(64, 9, "grid_search_lstm64", &m), "build"))
            exp_maybe_write_json(&a, m, &rc);
        mcdl_model_destroy(m);
        return rc;
    }
    const char *sets[2] = {"sunspots", "seed"};
    int rc = 0;
    for (int k = 0; k < 2; k++) {
        if (a.only && strcmp(a.only, sets[k])) continue;
        int r = run(&a, sets[k]);
        if (r == 77) return 77;
        rc |= r;
    }
    return rc;
}
