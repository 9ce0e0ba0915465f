/* Optimizer updates against Keras 3's formulas (KERAS_SEMANTICS.md) on a hand-worked
 * 3-step example: one weight w0 = 1 in Dense(1, no bias, kernel ones) with x = 1, y = 0 and
 * mse, so each step's gradient is g = 2 w. The expected trajectories are written out here
 * in double from the formulas; also the optimizer-state views (slots, iterations). */
#include <string.h>

#include "check.h"

static mcdl_model *one_weight(void) {
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_sequential_create(&m, 1, &(mcdl_input_opts){.shape = {1}}, NULL));
    CHECK_OK(mcdl_sequential_add(
        m,
        mcdl_dense_layer(mcdl_model_graph(m),
                         &(mcdl_dense_opts){
                             .units = 1, .no_bias = true, .kernel_initializer = MCDL_INIT_ONES})));
    return m;
}

static float weight(const mcdl_model *m) {
    mcdl_weight_info wi;
    mcdl_model_weight(m, 0, &wi);
    return mcdl_tensor_data(wi.value)[0];
}

/* Runs 3 steps and compares w after each with want[0..2]. */
static void run3(const char *name, const mcdl_optimizer_opts *o, const double *want) {
    mcdl_model *m = one_weight();
    CHECK_OK(mcdl_model_compile(m, &(mcdl_compile_opts){.optimizer = *o, .loss = MCDL_LOSS_MSE}));
    mcdl_tensor *x, *y;
    mcdl_tensor_create(&x, 2, (int64_t[]){1, 1});
    mcdl_tensor_create(&y, 2, (int64_t[]){1, 1});
    mcdl_tensor_data(x)[0] = 1.0f;
    for (int s = 0; s < 3; s++) {
        double loss;
        CHECK_OK(mcdl_model_train_on_batch(m, 1, (const mcdl_tensor *const[]){x}, 1,
                                           (const mcdl_tensor *const[]){y}, &loss, 1));
        CHECK(fabs(weight(m) - want[s]) <= 2e-6 * fabs(want[s]) + 1e-7,
              "%s step %d: w = %.9g, Keras formula %.9g", name, s + 1, weight(m), want[s]);
    }
    int64_t it;
    CHECK_OK(mcdl_model_optimizer_iterations(m, &it));
    CHECK(it == 3, "%s iterations %lld", name, (long long)it);
    mcdl_tensor_destroy(x);
    mcdl_tensor_destroy(y);
    mcdl_model_destroy(m);
}

static void copy_weights(const mcdl_model *m, float *dst) {
    for (int i = 0, o = 0; i < mcdl_model_num_weights(m); i++) {
        mcdl_weight_info wi;
        mcdl_model_weight(m, i, &wi);
        memcpy(dst + o, mcdl_tensor_data(wi.value),
               (size_t)mcdl_tensor_numel(wi.value) * sizeof(float));
        o += (int)mcdl_tensor_numel(wi.value);
    }
}

/* The GAN seed's pattern: the discriminator's layers are trained by the discriminator model
 * (compiled while trainable) and frozen in the combined model (compiled after freezing), and
 * each model keeps the trainable set it was compiled with. */
static void test_gan_freeze(void) {
    mcdl_graph *g;
    CHECK_OK(mcdl_graph_create(&g, 12));
    mcdl_node *z = mcdl_input(g, &(mcdl_input_opts){.shape = {4}});
    mcdl_node *fake =
        mcdl_dense(g, mcdl_dense(g, z, &(mcdl_dense_opts){.units = 8, .activation = MCDL_RELU}),
                   &(mcdl_dense_opts){.units = 3});
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {3}});
    mcdl_layer *d1 = mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 4, .activation = MCDL_TANH});
    mcdl_layer *d2 =
        mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 1, .activation = MCDL_SIGMOID});
    mcdl_node *d_real = mcdl_call(d2, mcdl_call(d1, x));
    mcdl_node *d_fake = mcdl_call(d2, mcdl_call(d1, fake));
    mcdl_model *disc = NULL, *gan = NULL;
    CHECK_OK(mcdl_model_create(&disc, g, 1, &x, 1, &d_real, "discriminator"));
    CHECK_OK(mcdl_model_create(&gan, g, 1, &z, 1, &d_fake, "gan"));
    mcdl_graph_destroy(g);
    if (!disc || !gan) return;
    const mcdl_compile_opts co = {
        .optimizer = {.kind = MCDL_OPTIMIZER_ADAM, .learning_rate = 0.01f},
        .loss = MCDL_LOSS_BINARY_CROSSENTROPY};
    CHECK_OK(mcdl_model_compile(disc, &co));
    mcdl_layer_set_trainable(d1, false);
    mcdl_layer_set_trainable(d2, false);
    CHECK_OK(mcdl_model_compile(gan, &co));
    int64_t tr;
    mcdl_model_count_params(gan, NULL, &tr, NULL);
    CHECK(tr == 4 * 8 + 8 + 8 * 3 + 3, "combined model trains only the generator: %lld",
          (long long)tr);
    mcdl_tensor *xs, *zs, *ones;
    mcdl_tensor_create(&xs, 2, (int64_t[]){6, 3});
    mcdl_tensor_create(&zs, 2, (int64_t[]){6, 4});
    mcdl_tensor_create(&ones, 2, (int64_t[]){6, 1});
    mcdl_rng_fill_uniform(1, 0, 0, mcdl_tensor_data(xs), 18, -1, 1);
    mcdl_rng_fill_uniform(1, 1, 0, mcdl_tensor_data(zs), 24, -1, 1);
    mcdl_tensor_fill(ones, 1.0f);
    float before[64], after[64];
    copy_weights(disc, before);
    CHECK_OK(mcdl_model_train_on_batch(disc, 1, (const mcdl_tensor *const[]){xs}, 1,
                                       (const mcdl_tensor *const[]){ones}, NULL, 0));
    copy_weights(disc, after);
    CHECK(memcmp(before, after, (size_t)(4 * 3 + 4 + 4 + 1) * sizeof(float)) != 0,
          "the discriminator model still trains its (now frozen) layers");
    float gb[128], ga[128];
    copy_weights(gan, gb);
    CHECK_OK(mcdl_model_train_on_batch(gan, 1, (const mcdl_tensor *const[]){zs}, 1,
                                       (const mcdl_tensor *const[]){ones}, NULL, 0));
    copy_weights(gan, ga);
    const int n_gen = 4 * 8 + 8 + 8 * 3 + 3, n_disc = 4 * 3 + 4 + 4 + 1;
    CHECK(memcmp(gb, ga, (size_t)n_gen * sizeof(float)) != 0,
          "the generator trains in the combined model");
    CHECK(!memcmp(gb + n_gen, ga + n_gen, (size_t)n_disc * sizeof(float)),
          "the discriminator stays frozen in the combined model");
    mcdl_tensor_destroy(xs);
    mcdl_tensor_destroy(zs);
    mcdl_tensor_destroy(ones);
    mcdl_model_destroy(disc);
    mcdl_model_destroy(gan);
}

int main(void) {
    test_gan_freeze();
    double w, want[3];
    /* Adam defaults: lr 1e-3, b1 .9, b2 .999, eps 1e-7 */
    {
        double m = 0, v = 0;
        w = 1;
        for (int t = 1; t <= 3; t++) {
            const double g = 2 * w;
            m += (g - m) * (1 - 0.9);
            v += (g * g - v) * (1 - 0.999);
            const double a = 1e-3 * sqrt(1 - pow(0.999, t)) / (1 - pow(0.9, t));
            w -= a * m / (sqrt(v) + 1e-7);
            want[t - 1] = w;
        }
        run3("adam", &(mcdl_optimizer_opts){.kind = MCDL_OPTIMIZER_ADAM}, want);
    }
    /* Adam(0.0002, beta_1 0.5): the GAN seed's settings */
    {
        double m = 0, v = 0;
        w = 1;
        for (int t = 1; t <= 3; t++) {
            const double g = 2 * w;
            m += (g - m) * (1 - 0.5);
            v += (g * g - v) * (1 - 0.999);
            const double a = 2e-4 * sqrt(1 - pow(0.999, t)) / (1 - pow(0.5, t));
            w -= a * m / (sqrt(v) + 1e-7);
            want[t - 1] = w;
        }
        run3("adam(2e-4, 0.5)",
             &(mcdl_optimizer_opts){
                 .kind = MCDL_OPTIMIZER_ADAM, .learning_rate = 2e-4f, .beta_1 = 0.5f},
             want);
    }
    /* SGD defaults: w -= 0.01 g */
    w = 1;
    for (int t = 0; t < 3; t++) want[t] = (w -= 0.01 * 2 * w);
    run3("sgd", &(mcdl_optimizer_opts){.kind = MCDL_OPTIMIZER_SGD}, want);
    /* SGD momentum 0.9: m = 0.9 m - lr g; w += m */
    {
        double m = 0;
        w = 1;
        for (int t = 0; t < 3; t++) {
            m = 0.9 * m - 0.1 * 2 * w;
            want[t] = (w += m);
        }
        run3("sgd momentum",
             &(mcdl_optimizer_opts){
                 .kind = MCDL_OPTIMIZER_SGD, .learning_rate = 0.1f, .momentum = 0.9f},
             want);
    }
    /* nesterov: m = 0.9 m - lr g; w += 0.9 m - lr g */
    {
        double m = 0;
        w = 1;
        for (int t = 0; t < 3; t++) {
            const double g = 2 * w;
            m = 0.9 * m - 0.1 * g;
            want[t] = (w += 0.9 * m - 0.1 * g);
        }
        run3("sgd nesterov",
             &(mcdl_optimizer_opts){.kind = MCDL_OPTIMIZER_SGD,
                                    .learning_rate = 0.1f,
                                    .momentum = 0.9f,
                                    .nesterov = true},
             want);
    }
    /* RMSprop defaults: v = .9 v + .1 g^2; w -= lr g / sqrt(v + eps) */
    {
        double v = 0;
        w = 1;
        for (int t = 0; t < 3; t++) {
            const double g = 2 * w;
            v = 0.9 * v + 0.1 * g * g;
            want[t] = (w -= 1e-3 * g / sqrt(v + 1e-7));
        }
        run3("rmsprop", &(mcdl_optimizer_opts){.kind = MCDL_OPTIMIZER_RMSPROP}, want);
    }
    /* RMSprop momentum 0.5: mo = .5 mo + inc; w -= mo */
    {
        double v = 0, mo = 0;
        w = 1;
        for (int t = 0; t < 3; t++) {
            const double g = 2 * w;
            v = 0.9 * v + 0.1 * g * g;
            mo = 0.5 * mo + 1e-2 * g / sqrt(v + 1e-7);
            want[t] = (w -= mo);
        }
        run3("rmsprop momentum",
             &(mcdl_optimizer_opts){
                 .kind = MCDL_OPTIMIZER_RMSPROP, .learning_rate = 1e-2f, .momentum = 0.5f},
             want);
    }
    /* optimizer state views: Adam has m and v of the weight's shape */
    mcdl_model *m = one_weight();
    mcdl_tensor *view = NULL;
    CHECK_STATUS(mcdl_model_optimizer_slot(m, 0, 0, &view), MCDL_ERR_STATE);
    CHECK_OK(mcdl_model_compile(m, &(mcdl_compile_opts){.loss = MCDL_LOSS_MSE}));
    CHECK(mcdl_model_optimizer_num_slots(m) == 2 &&
              !strcmp(mcdl_model_optimizer_slot_name(m, 1), "v"),
          "adam slots");
    CHECK_OK(mcdl_model_optimizer_slot(m, 0, 1, &view));
    CHECK(view && mcdl_tensor_rank(view) == 2 && mcdl_tensor_dim(view, 0) == 1, "slot view shape");
    CHECK_STATUS(mcdl_model_optimizer_slot(m, 0, 2, &view), MCDL_ERR_ARG);
    CHECK_OK(mcdl_model_set_optimizer_iterations(m, 41));
    int64_t it;
    CHECK_OK(mcdl_model_optimizer_iterations(m, &it));
    CHECK(it == 41, "iterations set");
    /* a frozen layer has no slots and does not move */
    mcdl_layer_set_trainable(mcdl_model_layer(m, 1), false);
    CHECK_OK(mcdl_model_compile(m, &(mcdl_compile_opts){.loss = MCDL_LOSS_MSE}));
    CHECK_STATUS(mcdl_model_optimizer_slot(m, 0, 0, &view), MCDL_ERR_ARG);
    int64_t tot, tr, ntr;
    mcdl_model_count_params(m, &tot, &tr, &ntr);
    CHECK(tot == 1 && tr == 0 && ntr == 1, "frozen counts");
    mcdl_tensor *x, *y;
    mcdl_tensor_create(&x, 2, (int64_t[]){1, 1});
    mcdl_tensor_create(&y, 2, (int64_t[]){1, 1});
    mcdl_tensor_data(x)[0] = 1;
    CHECK_OK(mcdl_model_train_on_batch(m, 1, (const mcdl_tensor *const[]){x}, 1,
                                       (const mcdl_tensor *const[]){y}, NULL, 0));
    CHECK(weight(m) == 1.0f, "frozen weight unchanged");
    mcdl_tensor_destroy(x);
    mcdl_tensor_destroy(y);
    mcdl_model_destroy(m);
    return check_finish();
}
