/* Seed 003 §5: the NumPy two-layer network on XOR (2 inputs -> 4 sigmoid -> 1 sigmoid,
 * weights moved by plain full-batch gradient descent on d = output - y, i.e. sigmoid +
 * binary crossentropy), built as Keras Dense layers and trained with SGD on the 4 points.
 * Prints the 4 predictions as the seed does (x1 x2 rounded output) and succeeds only when
 * all 4 are right. The 4 points are also the "validation" data: XOR has no other. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "experiments/common.h"

/* Prints a line every `every` epochs, as the seed prints every 100 (5,000 lines of
 * per-epoch output would bury the result). */
typedef struct {
    int every, epochs;
    double first, last;
} progress;

static mcdl_status on_epoch(mcdl_model *m, int epoch, const double *r, int n, void *user) {
    (void)m;
    progress *p = user;
    if (epoch == 0) p->first = r[0];
    p->last = r[0];
    if ((epoch + 1) % p->every == 0 || epoch == 0) {
        printf("Epoch %d/%d - loss: %.4f", epoch + 1, p->epochs, r[0]);
        if (n >= 4)
            printf(" - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f", r[1], r[2], r[3]);
        printf("\n");
    }
    return MCDL_OK;
}

static void write_history(const exp_args *a, const mcdl_history *h) {
    char path[1024];
    snprintf(path, sizeof path, "%s/xor_history.csv", a->out);
    FILE *f = fopen(path, "w");
    if (!f) return;
    int nk = mcdl_history_num_keys(h), ne = mcdl_history_num_epochs(h);
    fprintf(f, "epoch");
    for (int k = 0; k < nk; k++) fprintf(f, ",%s", mcdl_history_key(h, k));
    fprintf(f, "\n");
    for (int e = 0; e < ne; e++) {
        fprintf(f, "%d", e + 1);
        for (int k = 0; k < nk; k++)
            fprintf(f, ",%.6g", mcdl_history_values(h, mcdl_history_key(h, k))[e]);
        fprintf(f, "\n");
    }
    fclose(f);
    printf("history: %s\n", path);
}

int main(int argc, char **argv) {
    exp_args a;
    if (!exp_parse(argc, argv, &a)) return 2;
    mcdl_model *m = NULL;
    if (!exp_ok(mcdl_sequential_create(&m, 3, &(mcdl_input_opts){.shape = {2}}, "xor"), "build"))
        return 1;
    mcdl_graph *g = mcdl_model_graph(m);
    mcdl_sequential_add(
        m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 4, .activation = MCDL_SIGMOID}));
    if (!exp_ok(
            mcdl_sequential_add(
                m, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 1, .activation = MCDL_SIGMOID})),
            "build"))
        return 1;
    int rc = 0;
    if (exp_maybe_write_json(&a, m, &rc)) return rc;
    printf("== xor ==\n");
    if (!exp_ok(mcdl_model_summary(m, stdout), "summary")) return 1;

    mcdl_tensor *x = NULL, *y = NULL;
    mcdl_tensor_create(&x, 2, (int64_t[]){4, 2});
    mcdl_tensor_create(&y, 2, (int64_t[]){4, 1});
    const float xv[8] = {0, 0, 0, 1, 1, 0, 1, 1}, yv[4] = {0, 1, 1, 0};
    memcpy(mcdl_tensor_data(x), xv, sizeof xv);
    memcpy(mcdl_tensor_data(y), yv, sizeof yv);

    /* The seed's settings: learning rate 0.1, one full-batch step per epoch, 5,000 epochs.
     * Keras' glorot_uniform start (the seed uses N(0, 0.01)) reaches all 4 points with it
     * for every graph seed tried (1-8). */
    const float lr = 0.1f;
    exp_ok(mcdl_model_compile(m, &(mcdl_compile_opts){.optimizer = {.kind = MCDL_OPTIMIZER_SGD,
                                                                    .learning_rate = lr},
                                                      .loss = MCDL_LOSS_BINARY_CROSSENTROPY,
                                                      .metrics = MCDL_METRIC_ACCURACY}),
           "compile");
    int epochs = exp_epochs(&a, 5000, 5000);
    progress pr = {.every = epochs >= 1000 ? epochs / 10 : 1, .epochs = epochs};
    mcdl_fit_opts fo = {.epochs = epochs,
                        .batch_size = 4,
                        .no_shuffle = true,
                        .verbose = 0,
                        .validation_x = (const mcdl_tensor *const[]){x},
                        .validation_y = (const mcdl_tensor *const[]){y},
                        .on_epoch_end = on_epoch,
                        .user = &pr};
    mcdl_history *h = NULL;
    double t0 = exp_now();
    if (!exp_ok(mcdl_model_fit(m, 1, (const mcdl_tensor *const[]){x}, 1,
                               (const mcdl_tensor *const[]){y}, &fo, &h),
                "fit"))
        return 1;
    double secs = exp_now() - t0;
    write_history(&a, h);
    mcdl_history_destroy(h);

    double r[2] = {0, 0};
    exp_ok(mcdl_model_evaluate(m, 1, (const mcdl_tensor *const[]){x}, 1,
                               (const mcdl_tensor *const[]){y}, NULL, r, 2),
           "evaluate");
    mcdl_tensor *p = NULL;
    if (!exp_ok(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){x}, NULL, 1, &p), "predict"))
        return 1;
    if (mcdl_tensor_rank(p) != 2 || mcdl_tensor_dim(p, 0) != 4 || mcdl_tensor_dim(p, 1) != 1) {
        printf("FAIL xor: predict shape is not (4, 1)\n");
        return 1;
    }
    printf("Predictions (x1 x2 -> output, rounded):\n");
    int right = 0;
    for (int i = 0; i < 4; i++) {
        float o = mcdl_tensor_data(p)[i];
        int bit = o > 0.5f;
        right += bit == (int)yv[i];
        printf("  %g %g -> %.4f  %d  (want %d)\n", xv[2 * i], xv[2 * i + 1], o, bit, (int)yv[i]);
    }
    printf("xor: %d/4 right, loss %.4f -> %.4f, evaluate loss %.4f accuracy %.2f, SGD lr %g, "
           "%d epochs in %.2f s\n",
           right, pr.first, pr.last, r[0], r[1], lr, epochs, secs);
    if (right != 4 || !isfinite(pr.last) || !(pr.last < pr.first)) {
        printf("FAIL xor: want 4/4 right and a finite, decreasing loss\n");
        rc = 1;
    }
    mcdl_tensor_destroy(p), mcdl_tensor_destroy(x), mcdl_tensor_destroy(y);
    mcdl_model_destroy(m);
    return rc;
}
