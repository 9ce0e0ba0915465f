/* Seed 003 §12 "Model ensembling": three LSTM(32) -> Dense 1 sigmoid models (4,385 params
 * each), trained apart (Adam, binary crossentropy), their predicted probabilities averaged,
 * accuracy of the average at 0.5. Run on two data sets (direction_data.h):
 *   --only sunspots (default full run, real data): 10 yearly sunspot numbers -> does the
 *     next year rise; first 80% of the windows in time order train, last 20% test;
 *   --only seed: the seed's own random (100, 10, 1) inputs and random labels, 80/20, 5 epochs
 *     (a reproduction of the seed: chance level is all there is to find).
 * Each member is fitted with the test block as validation data (the seed evaluates on
 * X_val); reports each member, the ensemble, the majority class and the "same direction
 * as the last step" baseline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/common.h"
#include "experiments/direction_data.h"

enum { MEMBERS = 3 };

static int run(const exp_args *a, const char *set) {
    dir_splits d;
    bool seed = !strcmp(set, "seed");
    if (seed)
        dir_seed_data(100, 0.8, 0.0, &d);
    else if (dir_sunspot_data(0.8, 0.0, &d) != MCDL_OK)
        return exp_missing_data("data/series/sunspots.csv");
    mcdl_tensor *xtr = d.x[0], *ytr = d.y[0], *xte = d.x[2], *yte = d.y[2];
    int64_t nte = d.n[2];
    printf("== ensemble on %s: %lld training windows, %lld test windows ==\n", set,
           (long long)d.n[0], (long long)nte);
    int epochs = exp_epochs(a, seed ? 5 : 60, 4);
    float *avg = calloc((size_t)nte, sizeof(float));
    double acc[MEMBERS], secs_total = 0;
    int rc = 0;
    for (int k = 0; k < MEMBERS && rc == 0; k++) {
        char name[64];
        snprintf(name, sizeof name, "ensemble_%s_member%d", set, k + 1);
        mcdl_model *m = NULL;
        if (!exp_ok(dir_build_model(32, (uint64_t)(100 + k), name, &m), "build")) return 1;
        exp_ok(mcdl_model_compile(m, &(mcdl_compile_opts){.loss = MCDL_LOSS_BINARY_CROSSENTROPY,
                                                          .metrics = MCDL_METRIC_ACCURACY}),
               "compile");
        mcdl_fit_opts fo = {.epochs = epochs,
                            .batch_size = 32,
                            .seed = (uint64_t)(k + 1),
                            .validation_x = (const mcdl_tensor *const[]){xte},
                            .validation_y = (const mcdl_tensor *const[]){yte}};
        double secs = 0;
        rc = exp_fit(a, name, m, 1, &xtr, 1, &ytr, &fo, &secs);
        secs_total += secs;
        mcdl_tensor *p = NULL;
        if (rc == 0 &&
            exp_ok(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){xte}, NULL, 1, &p),
                   "predict")) {
            if (mcdl_tensor_numel(p) != nte || mcdl_tensor_dim(p, 0) != nte) {
                printf("FAIL %s: predict gave %lld values for %lld windows\n", name,
                       (long long)mcdl_tensor_numel(p), (long long)nte);
                rc = 1;
            } else {
                acc[k] = dir_accuracy(mcdl_tensor_data(p), mcdl_tensor_data(yte), nte);
                for (int64_t i = 0; i < nte; i++) avg[i] += mcdl_tensor_data(p)[i] / MEMBERS;
                printf("%s: test accuracy %.4f\n", name, acc[k]);
            }
        } else {
            rc = 1;
        }
        mcdl_tensor_destroy(p);
        mcdl_model_destroy(m);
    }
    if (rc == 0) {
        double ens = dir_accuracy(avg, mcdl_tensor_data(yte), nte), maj, pers;
        dir_baselines(ytr, xte, yte, &maj, &pers);
        printf("ensemble on %s: members %.4f %.4f %.4f, averaged %.4f on %lld test windows; "
               "majority class %.4f, same-as-last-step %.4f; %d epochs each, %.1f s in all\n",
               set, acc[0], acc[1], acc[2], ens, (long long)nte, maj, pers, epochs, secs_total);
    }
    free(avg);
    dir_splits_destroy(&d);
    return rc;
}

int main(int argc, char **argv) {
    exp_args a;
    if (!exp_parse(argc, argv, &a)) return 2;
    if (a.json_path) { /* one member: the three share the architecture */
        mcdl_model *m = NULL;
        int rc = 1;
        if (exp_ok(dir_build_model(32, 100, "ensemble_member", &m), "build"))
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
