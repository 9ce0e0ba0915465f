/* Acceptance on real data: Fisher's Iris from the shipped CSV (experiments/data/iris.csv,
 * loaded by mcdl_data_iris), a fixed 70/30 split, seed 002's Dense 64-64-3 with Adam and
 * sparse categorical crossentropy: test accuracy must reach 0.93 (the seed reports 0.98). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "mcdl/mcdl.h"

int main(void) {
    char root[1024];
    const char *data = getenv("MCDL_TEST_DATA");
    snprintf(root, sizeof root, "%s/../..", data ? data : "tests/data");
    if (chdir(root) != 0) {
        printf("cannot enter the repository root %s\n", root);
        return 1;
    }
    mcdl_tensor *x = NULL, *y = NULL;
    CHECK_OK(mcdl_data_iris(&x, &y));
    if (!x || !y) return check_finish();
    /* Fixed permutation (LCG Fisher-Yates), first 105 rows train, last 45 test. */
    int idx[150];
    for (int i = 0; i < 150; i++) idx[i] = i;
    unsigned long long s = 12345;
    for (int i = 149; i > 0; i--) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        int j = (int)((s >> 33) % (unsigned)(i + 1)), t = idx[i];
        idx[i] = idx[j], idx[j] = t;
    }
    mcdl_tensor *xtr, *ytr, *xte, *yte;
    CHECK_OK(mcdl_tensor_create(&xtr, 2, (int64_t[]){105, 4}));
    CHECK_OK(mcdl_tensor_create(&ytr, 1, (int64_t[]){105}));
    CHECK_OK(mcdl_tensor_create(&xte, 2, (int64_t[]){45, 4}));
    CHECK_OK(mcdl_tensor_create(&yte, 1, (int64_t[]){45}));
    for (int k = 0; k < 150; k++) {
        bool train = k < 105;
        int row = train ? k : k - 105;
        memcpy(mcdl_tensor_data(train ? xtr : xte) + row * 4, mcdl_tensor_data(x) + idx[k] * 4,
               4 * sizeof(float));
        mcdl_tensor_data(train ? ytr : yte)[row] = mcdl_tensor_data(y)[idx[k]];
    }
    mcdl_graph *g;
    CHECK_OK(mcdl_graph_create(&g, 1));
    mcdl_node *in = mcdl_input(g, &(mcdl_input_opts){.shape = {4}});
    mcdl_node *h = mcdl_dense(g, in, &(mcdl_dense_opts){.units = 64, .activation = MCDL_RELU});
    h = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 64, .activation = MCDL_RELU});
    mcdl_node *out = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 3, .activation = MCDL_SOFTMAX});
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_model_create(&m, g, 1, &in, 1, &out, "iris"));
    mcdl_graph_destroy(g);
    if (m) {
        int64_t params = 0;
        mcdl_model_count_params(m, &params, NULL, NULL);
        CHECK(params == 4675, "iris model has %lld params, Keras 4,675", (long long)params);
        CHECK_OK(mcdl_model_compile(
            m, &(mcdl_compile_opts){.loss = MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                    .metrics = MCDL_METRIC_ACCURACY}));
        CHECK_OK(mcdl_model_fit(
            m, 1, (const mcdl_tensor *const[]){xtr}, 1, (const mcdl_tensor *const[]){ytr},
            &(mcdl_fit_opts){.epochs = 100, .batch_size = 16, .seed = 1}, NULL));
        double r[2] = {0, 0};
        CHECK_OK(mcdl_model_evaluate(m, 1, (const mcdl_tensor *const[]){xte}, 1,
                                     (const mcdl_tensor *const[]){yte}, NULL, r, 2));
        printf("iris: test loss %.4f, test accuracy %.4f (45 held-out flowers)\n", r[0], r[1]);
        CHECK(r[1] >= 0.93, "test accuracy %.4f < 0.93", r[1]);
    }
    mcdl_model_destroy(m);
    mcdl_tensor_destroy(x), mcdl_tensor_destroy(y);
    mcdl_tensor_destroy(xtr), mcdl_tensor_destroy(ytr);
    mcdl_tensor_destroy(xte), mcdl_tensor_destroy(yte);
    return check_finish();
}
