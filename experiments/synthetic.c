/* Seed 000 on synthetic data with the seeds' shapes (seeded RNG): ffnn, simplernn, lstm,
 * gru, birnn, nested_rnn, cnn, multimodal from mcdl/zoo.h. Each is fitted with a 20%
 * training accuracy from predict; --json DIR writes every model's Keras JSON into DIR. */
#include <stdio.h>
#include <string.h>

#include "experiments/common.h"

static const char *const names[] = {"ffnn",  "simplernn",  "lstm", "gru",
                                    "birnn", "nested_rnn", "cnn",  "multimodal"};

int main(int argc, char **argv) {
    exp_args a;
    if (!exp_parse(argc, argv, &a)) return 2;
    int rc = 0;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        if (a.only && strcmp(a.only, names[k])) continue;
        mcdl_model *m = NULL;
        mcdl_seed_model_info info;
        if (!exp_ok(mcdl_seed_model_build(names[k], 42, &m, &info), names[k])) return 1;
        if (a.json_path) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s.json", a.json_path, names[k]);
            rc |= !exp_ok(mcdl_model_save_json(m, path), path);
            mcdl_model_destroy(m);
            continue;
        }
        /* smoke: few samples, so a few epochs visibly lower the loss even on random labels */
        bool big = !strcmp(names[k], "cnn") || !strcmp(names[k], "multimodal");
        int64_t n = a.smoke ? 64 : big ? 500 : info.n_samples;
        mcdl_tensor *x[2] = {NULL, NULL}, *y = NULL;
        exp_ok(mcdl_seed_model_synthetic_data(m, &info, n, 7, x, &y), "data");
        exp_ok(mcdl_model_compile(m, &(mcdl_compile_opts){.loss = info.loss}), "compile");
        mcdl_fit_opts fo = {.epochs = exp_epochs(&a, big ? 3 : 10, 4),
                            .batch_size = a.smoke ? 16 : info.batch_size,
                            /* no validation: see forecast.c */
                            .seed = 1};
        double secs = 0;
        int n_in = mcdl_model_num_inputs(m);
        rc |= exp_fit(&a, names[k], m, n_in, x, 1, &y, &fo, &secs);
        /* train accuracy from predict (evaluate of recurrent models: see forecast.c) */
        mcdl_tensor *p = NULL;
        if (exp_ok(mcdl_model_predict(m, n_in, (const mcdl_tensor *const *)x,
                                      &(mcdl_predict_opts){.batch_size = 1}, 1, &p),
                   "predict")) {
            int64_t nc = mcdl_tensor_numel(p) / n, hits = 0;
            for (int64_t i = 0; i < n; i++) {
                const float *row = mcdl_tensor_data(p) + i * nc;
                int64_t best = 0;
                for (int64_t j = 1; j < nc; j++)
                    if (row[j] > row[best]) best = j;
                if (nc == 1) best = row[0] > 0.5f;
                hits += best == (int64_t)mcdl_tensor_data(y)[i];
            }
            printf("%s: %lld samples, train accuracy %.4f (random labels: chance %.2f), %.2f s\n",
                   names[k], (long long)n, (double)hits / (double)n,
                   info.num_classes == 1 ? 0.5 : 1.0 / (double)info.num_classes, secs);
        }
        mcdl_tensor_destroy(p);
        for (int i = 0; i < 2; i++) mcdl_tensor_destroy(x[i]);
        mcdl_tensor_destroy(y);
        mcdl_model_destroy(m);
    }
    return rc;
}
