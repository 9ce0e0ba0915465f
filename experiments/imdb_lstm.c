/* Seed 002 §RNN (IMDB): LSTM 50 tanh on (100, 1) -> Dense 1 sigmoid (10,451 params), Adam +
 * binary crossentropy, batch 64, 3 epochs. The seed feeds each word id as ONE number per
 * step (no Embedding); IMDB cannot be fetched here, so the same binary text task as
 * transformer.c stands in: fortunes topics computers vs people (tools/fetch-data), fixed
 * seeded 80/20 split, training vocabulary of 9,998 words + pad + OOV, padded to 100. The
 * ids are divided by the vocabulary size (raw ids up to 10,000 saturate the gates from the
 * first step). Seed: 0.85 on IMDB; the bar here is the majority class. */
#include <stdio.h>

#include "experiments/common.h"
#include "experiments/datasets.h"

static const char *const topics[2] = {"computers", "people"};

static void scale_ids(mcdl_tensor *x, float vocab) {
    float *v = mcdl_tensor_data(x);
    for (int64_t i = 0; i < mcdl_tensor_numel(x); i++) v[i] /= vocab;
    mcdl_tensor_reshape(x, 3, (int64_t[]){mcdl_tensor_dim(x, 0), 100, 1});
}

int main(int argc, char **argv) {
    exp_args a;
    if (!exp_parse(argc, argv, &a)) return 2;
    mcdl_model *m = NULL;
    mcdl_seed_model_info info;
    if (!exp_ok(mcdl_seed_model_build("imdb_lstm", 1, &m, &info), "build")) return 1;
    int rc = 0;
    if (exp_maybe_write_json(&a, m, &rc)) return rc;
    exp_text_split d;
    if (exp_text_load_fortunes(topics, 2, 10000, 100, 0.2, 42, &d) != MCDL_OK) {
        mcdl_model_destroy(m);
        return exp_missing_data("data/fortunes/{computers,people}.txt");
    }
    exp_text_describe(&d, topics);
    if (a.smoke) exp_text_trim(&d, 256, 128);
    scale_ids(d.x_train, 10000.0f), scale_ids(d.x_test, 10000.0f);
    exp_ok(mcdl_model_compile(
               m, &(mcdl_compile_opts){.loss = info.loss, .metrics = MCDL_METRIC_ACCURACY}),
           "compile");
    mcdl_fit_opts fo = {.epochs = exp_epochs(&a, 3, 3),
                        .batch_size = 64,
                        .seed = 1,
                        .validation_x = (const mcdl_tensor *const[]){d.x_test},
                        .validation_y = (const mcdl_tensor *const[]){d.y_test}};
    double secs = 0;
    rc = exp_fit(&a, "imdb_lstm", m, 1, &d.x_train, 1, &d.y_train, &fo, &secs);
    mcdl_tensor *p = NULL;
    if (rc == 0 && exp_ok(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){d.x_test},
                                             &(mcdl_predict_opts){.batch_size = 64}, 1, &p),
                          "predict"))
        printf("imdb_lstm: test accuracy %.4f on %lld held-out quotes (%s vs %s), majority "
               "class %.4f (seed 0.85 on IMDB), train %.1f s\n",
               exp_binary_accuracy(p, d.y_test), (long long)d.n_test, topics[0], topics[1],
               exp_text_majority_accuracy(&d), secs);
    mcdl_tensor_destroy(p);
    exp_text_split_destroy(&d);
    mcdl_model_destroy(m);
    return rc;
}
