/* Seed 002 §Iris: Dense 64 relu -> Dense 64 relu -> Dense 3 softmax on Fisher's Iris (the
 * shipped CSV), a fixed 70/30 split, Adam + sparse categorical crossentropy, 100 epochs of
 * batch 16; reports test accuracy beside the seed's 0.98 and the majority-class baseline. */
#include <stdio.h>
#include <string.h>

#include "experiments/common.h"

int main(int argc, char **argv) {
    exp_args a;
    if (!exp_parse(argc, argv, &a)) return 2;
    mcdl_tensor *x = NULL, *y = NULL;
    if (mcdl_data_iris(&x, &y) != MCDL_OK) return exp_missing_data("experiments/data/iris.csv");
    /* fixed permutation (LCG Fisher-Yates): first 105 rows train, last 45 test */
    int idx[150];
    for (int i = 0; i < 150; i++) idx[i] = i;
    unsigned long long s = 12345;
    for (int i = 149; i > 0; i--) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        int j = (int)((s >> 33) % (unsigned)(i + 1)), t = idx[i];
        idx[i] = idx[j], idx[j] = t;
    }
    mcdl_tensor *xtr, *ytr, *xte, *yte;
    mcdl_tensor_create(&xtr, 2, (int64_t[]){105, 4}), mcdl_tensor_create(&ytr, 1, (int64_t[]){105});
    mcdl_tensor_create(&xte, 2, (int64_t[]){45, 4}), mcdl_tensor_create(&yte, 1, (int64_t[]){45});
    int count[3] = {0, 0, 0};
    for (int k = 0; k < 150; k++) {
        bool train = k < 105;
        int row = train ? k : k - 105;
        memcpy(mcdl_tensor_data(train ? xtr : xte) + row * 4, mcdl_tensor_data(x) + idx[k] * 4,
               4 * sizeof(float));
        float c = mcdl_tensor_data(y)[idx[k]];
        mcdl_tensor_data(train ? ytr : yte)[row] = c;
        if (!train) count[(int)c]++;
    }
    mcdl_model *m = NULL;
    mcdl_sequential_create(&m, 1, &(mcdl_input_opts){.shape = {4}}, "iris");
    mcdl_graph *g = mcdl_model_graph(m);
    mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 64, .activation = MCDL_RELU}));
    mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 64, .activation = MCDL_RELU}));
    if (!exp_ok(
            mcdl_sequential_add(
                m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 3, .activation = MCDL_SOFTMAX})),
            "build"))
        return 1;
    int rc = 0;
    if (exp_maybe_write_json(&a, m, &rc)) return rc;
    exp_ok(mcdl_model_compile(
               m, &(mcdl_compile_opts){.loss = MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                       .metrics = MCDL_METRIC_ACCURACY}),
           "compile");
    double secs = 0;
    mcdl_fit_opts fo = {.epochs = exp_epochs(&a, 100, 5),
                        .batch_size = 16,
                        .seed = 1,
                        .validation_x = (const mcdl_tensor *const[]){xte},
                        .validation_y = (const mcdl_tensor *const[]){yte}};
    rc = exp_fit(&a, "iris", m, 1, &xtr, 1, &ytr, &fo, &secs);
    double r[2] = {0, 0};
    if (rc == 0 && exp_ok(mcdl_model_evaluate(m, 1, (const mcdl_tensor *const[]){xte}, 1,
                                              (const mcdl_tensor *const[]){yte}, NULL, r, 2),
                          "evaluate")) {
        int maj =
            count[0] > count[1] ? (count[0] > count[2] ? 0 : 2) : (count[1] > count[2] ? 1 : 2);
        printf("iris: test accuracy %.4f (seed 0.98), test loss %.4f, majority class %.4f, "
               "train %.2f s\n",
               r[1], r[0], count[maj] / 45.0, secs);
    }
    mcdl_model_destroy(m);
    mcdl_tensor_destroy(x), mcdl_tensor_destroy(y), mcdl_tensor_destroy(xtr);
    mcdl_tensor_destroy(ytr), mcdl_tensor_destroy(xte), mcdl_tensor_destroy(yte);
    return rc;
}
