/* Gradient checks (tests/unit/gradcheck.h: central differences in double along one random
 * direction) for every core layer and every activation, inside small models whose first
 * Dense makes each layer's input gradient count, and for every loss (with and without
 * logits) against its analytic gradient. */
#include <string.h>

#include "check.h"
#include "gradcheck.h"
#include "lib/model/loss.h"

#define EPS 1e-3f
#define TOL 2e-2 /* float32 forward, eps 1e-3: central-difference error ~ eps^2 + 1e-7 L / eps */

static mcdl_model *wrap(mcdl_graph *g, int n_in, mcdl_node **in, int n_out, mcdl_node **out) {
    mcdl_model *m = NULL;
    mcdl_status s = mcdl_model_create(&m, g, n_in, in, n_out, out, "gc");
    CHECK(s == MCDL_OK, "model: %s", mcdl_last_error());
    mcdl_graph_destroy(g);
    return m;
}

static void check_model(mcdl_model *m, const char *what, int64_t batch) {
    if (!m) return;
    const double err = gradcheck_model(m, batch, 17, EPS);
    CHECK(err < TOL, "%s: relative error %.3g", what, err);
    mcdl_model_destroy(m);
}

/* Input(rank-3 or rank-2) -> Dense(6) -> [layer under test] -> Dense(3) */
static void test_activations(void) {
    for (int a = 0; a < MCDL_ACTIVATION_COUNT; a++) {
        for (int rank3 = 0; rank3 < 2; rank3++) {
            mcdl_graph *g;
            mcdl_graph_create(&g, 3);
            mcdl_node *x = mcdl_input(g, rank3 ? &(mcdl_input_opts){.shape = {3, 5}}
                                               : &(mcdl_input_opts){.shape = {5}});
            mcdl_node *h = mcdl_dense(g, x, &(mcdl_dense_opts){.units = 6});
            h = mcdl_activation(g, h, &(mcdl_activation_opts){.activation = (mcdl_activation_id)a});
            mcdl_node *y = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 3});
            char what[96];
            snprintf(what, sizeof what, "Activation(%s) rank %d",
                     mcdl_activation_name((mcdl_activation_id)a), rank3 ? 3 : 2);
            check_model(wrap(g, 1, &x, 1, &y), what, 4);
            /* the same activation fused into (or after) a Dense */
            mcdl_graph_create(&g, 4);
            x = mcdl_input(g, &(mcdl_input_opts){.shape = {5}});
            h = mcdl_dense(g, x, &(mcdl_dense_opts){.units = 7});
            h = mcdl_dense(g, h,
                           &(mcdl_dense_opts){.units = 6, .activation = (mcdl_activation_id)a});
            y = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 2});
            snprintf(what, sizeof what, "Dense(activation=%s)",
                     mcdl_activation_name((mcdl_activation_id)a));
            check_model(wrap(g, 1, &x, 1, &y), what, 3);
        }
    }
}

static void test_layers(void) {
    mcdl_graph *g;
    /* LeakyReLU with its default and the seeds' slope */
    mcdl_graph_create(&g, 5);
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {4}});
    mcdl_node *h = mcdl_leaky_relu(g, mcdl_dense(g, x, &(mcdl_dense_opts){.units = 8}), NULL);
    h = mcdl_leaky_relu(g, mcdl_dense(g, h, &(mcdl_dense_opts){.units = 5}),
                        &(mcdl_leaky_relu_opts){.alpha = 0.2f});
    mcdl_node *y = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 2, .no_bias = true});
    check_model(wrap(g, 1, &x, 1, &y), "LeakyReLU", 5);

    /* Dropout in training mode (the mask is fixed for one step) */
    mcdl_graph_create(&g, 6);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {6}});
    h = mcdl_dropout(g, mcdl_dense(g, x, &(mcdl_dense_opts){.units = 10}),
                     &(mcdl_dropout_opts){.rate = 0.4f});
    y = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 3});
    check_model(wrap(g, 1, &x, 1, &y), "Dropout", 4);

    /* Reshape -> Dense on rank 3 -> Flatten */
    mcdl_graph_create(&g, 7);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {12}});
    h = mcdl_dense(g, x, &(mcdl_dense_opts){.units = 12});
    h = mcdl_reshape(g, h, &(mcdl_reshape_opts){.target_shape = {3, -1}});
    h = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 5, .activation = MCDL_TANH});
    h = mcdl_flatten(g, h, NULL);
    y = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 2});
    check_model(wrap(g, 1, &x, 1, &y), "Reshape/Flatten/Dense rank 3", 3);

    /* two inputs, a shared Dense, Add, Concatenate on the last axis and on axis 1 */
    mcdl_graph_create(&g, 8);
    mcdl_node *a = mcdl_input(g, &(mcdl_input_opts){.shape = {2, 4}});
    mcdl_node *b = mcdl_input(g, &(mcdl_input_opts){.shape = {2, 4}});
    mcdl_layer *shared =
        mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 3, .activation = MCDL_SIGMOID});
    mcdl_node *sa = mcdl_call(shared, mcdl_dense(g, a, &(mcdl_dense_opts){.units = 4}));
    mcdl_node *sb = mcdl_call(shared, b);
    mcdl_node *s = mcdl_add(g, 2, (mcdl_node *[]){sa, sb}, NULL);
    mcdl_node *c1 = mcdl_concatenate(g, 2, (mcdl_node *[]){s, sa}, NULL);
    mcdl_node *c2 =
        mcdl_concatenate(g, 2, (mcdl_node *[]){c1, c1}, &(mcdl_concatenate_opts){.axis = 1});
    int64_t shp[MCDL_MAX_RANK];
    CHECK(mcdl_node_shape(c2, shp) == 2 && shp[0] == 4 && shp[1] == 6, "concat axis 1 shape");
    mcdl_node *y1 = mcdl_dense(g, mcdl_flatten(g, c2, NULL), &(mcdl_dense_opts){.units = 2});
    mcdl_node *y2 = mcdl_dense(g, s, &(mcdl_dense_opts){.units = 1});
    check_model(wrap(g, 2, (mcdl_node *[]){a, b}, 2, (mcdl_node *[]){y1, y2}),
                "shared Dense + Add + Concatenate, 2 outputs", 3);
}

/* Loss gradients: mcdl_loss_eval's dy against central differences of the loss itself. */
static void test_losses(void) {
    const mcdl_loss losses[] = {MCDL_LOSS_BINARY_CROSSENTROPY, MCDL_LOSS_CATEGORICAL_CROSSENTROPY,
                                MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, MCDL_LOSS_MSE,
                                MCDL_LOSS_MAE};
    enum { R = 3, C = 4 };
    for (size_t k = 0; k < sizeof losses / sizeof losses[0]; k++)
        for (int logits = 0; logits < 2; logits++) {
            const mcdl_loss L = losses[k];
            if (logits && (L == MCDL_LOSS_MSE || L == MCDL_LOSS_MAE)) continue;
            const bool sparse = L == MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
            mcdl_loss_desc d = {.loss = L, .from_logits = logits, .rows = R, .cols = C};
            float y[R * C], t[R * C], dy[R * C], dir[R * C], yp[R * C];
            mcdl_rng_fill_uniform(21, k, 0, y, R * C, logits ? -2.0f : 0.1f, logits ? 2.0f : 0.9f);
            mcdl_rng_fill_uniform(22, k, 0, t, R * C, 0.0f, 1.0f);
            if (sparse)
                for (int r = 0; r < R; r++) t[r] = (float)(r % C);
            if (L == MCDL_LOSS_CATEGORICAL_CROSSENTROPY)
                for (int r = 0; r < R; r++) {
                    float s = 0;
                    for (int c = 0; c < C; c++) s += t[r * C + c];
                    for (int c = 0; c < C; c++) t[r * C + c] /= s;
                }
            mcdl_rng_fill_uniform(23, k, 0, dir, R * C, -1, 1);
            mcdl_loss_eval(&d, y, t, dy);
            double an = 0;
            for (int i = 0; i < R * C; i++) an += (double)dy[i] * dir[i];
            const float e = 1e-3f;
            for (int i = 0; i < R * C; i++) yp[i] = y[i] + e * dir[i];
            const double lp = mcdl_loss_eval(&d, yp, t, NULL);
            for (int i = 0; i < R * C; i++) yp[i] = y[i] - e * dir[i];
            const double lm = mcdl_loss_eval(&d, yp, t, NULL);
            const double num = (lp - lm) / (2.0 * e);
            CHECK(fabs(num - an) <= 1e-3 * (fabs(an) + 1e-2),
                  "%s from_logits=%d: numeric %.7g analytic %.7g", mcdl_loss_name(L), logits, num,
                  an);
        }
    /* hand values: bce of p=0.8, y=1 is -log(0.8); clipping at 1e-7; mse; sparse cce */
    {
        mcdl_loss_desc d = {.loss = MCDL_LOSS_BINARY_CROSSENTROPY, .rows = 1, .cols = 1};
        CHECK_NEAR(mcdl_loss_eval(&d, (float[]){0.8f}, (float[]){1}, NULL), -log(0.8f), 1e-6);
        CHECK_NEAR(mcdl_loss_eval(&d, (float[]){0.0f}, (float[]){1}, NULL), -log(1e-7), 1e-5);
        d.from_logits = true;
        CHECK_NEAR(mcdl_loss_eval(&d, (float[]){0.0f}, (float[]){1}, NULL), log(2.0), 1e-9);
        mcdl_loss_desc c = {
            .loss = MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, .rows = 2, .cols = 3};
        CHECK_NEAR(mcdl_loss_eval(&c, (float[]){0.2f, 0.3f, 0.5f, 1, 1, 2}, (float[]){2, 0}, NULL),
                   0.5 * (-log(0.5) - log(0.25)), 1e-6);
        mcdl_loss_desc s = {.loss = MCDL_LOSS_MSE, .rows = 2, .cols = 2};
        CHECK_NEAR(mcdl_loss_eval(&s, (float[]){1, 2, 3, 4}, (float[]){0, 0, 0, 0}, NULL),
                   (1 + 4 + 9 + 16) / 4.0, 1e-9);
        mcdl_loss_desc a = {.loss = MCDL_LOSS_MAE, .rows = 1, .cols = 2};
        CHECK_NEAR(mcdl_loss_eval(&a, (float[]){1, -3}, (float[]){0, 0}, NULL), 2.0, 1e-9);
    }
}

/* Inference plans share activation memory by liveness: the arena is smaller than the
 * training plan's node area, and predictions are bitwise equal to those made with the
 * training plan (every activation kept). */
static void test_liveness_plan(void) {
    mcdl_graph *g;
    mcdl_graph_create(&g, 9);
    mcdl_node *a = mcdl_input(g, &(mcdl_input_opts){.shape = {8}});
    mcdl_node *b = mcdl_input(g, &(mcdl_input_opts){.shape = {8}});
    mcdl_node *h = mcdl_dense(g, a, &(mcdl_dense_opts){.units = 16, .activation = MCDL_RELU});
    mcdl_node *skip = h;
    for (int i = 0; i < 6; i++)
        h = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 16, .activation = MCDL_TANH});
    h = mcdl_add(g, 2, (mcdl_node *[]){h, skip}, NULL);
    h = mcdl_concatenate(g, 2, (mcdl_node *[]){h, b}, NULL);
    mcdl_node *y1 = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 3, .activation = MCDL_SOFTMAX});
    mcdl_node *y2 = mcdl_dense(g, skip, &(mcdl_dense_opts){.units = 2});
    mcdl_model *m = wrap(g, 2, (mcdl_node *[]){a, b}, 2, (mcdl_node *[]){y1, y2});
    if (!m) return;
    mcdl_tensor *xa, *xb, *p1[2], *p2[2];
    mcdl_tensor_create(&xa, 2, (int64_t[]){10, 8});
    mcdl_tensor_create(&xb, 2, (int64_t[]){10, 8});
    mcdl_rng_fill_uniform(1, 0, 0, mcdl_tensor_data(xa), 80, -1, 1);
    mcdl_rng_fill_uniform(1, 1, 0, mcdl_tensor_data(xb), 80, -1, 1);
    const mcdl_tensor *const xs[] = {xa, xb};
    CHECK_OK(mcdl_model_predict(m, 2, xs, &(mcdl_predict_opts){.batch_size = 4}, 2, p1));
    size_t act_bytes = 0;
    for (int k = 0; k < m->n_nodes; k++) {
        const size_t end = (size_t)((char *)m->plan.act[k] - (char *)m->plan.arena) +
                           (size_t)(4 * mcdl_shape_numel(&m->nodes[k]->shape)) * sizeof(float);
        if (end > act_bytes) act_bytes = end;
    }
    size_t all = 0;
    for (int k = 0; k < m->n_nodes; k++)
        all += (size_t)(4 * mcdl_shape_numel(&m->nodes[k]->shape)) * sizeof(float);
    CHECK(!m->plan.training && act_bytes * 2 < all,
          "liveness: %zu bytes of activations vs %zu kept", act_bytes, all);
    CHECK_OK(mcdl_plan_ensure(m, 4, true));
    CHECK_OK(mcdl_model_predict(m, 2, xs, &(mcdl_predict_opts){.batch_size = 4}, 2, p2));
    CHECK(m->plan.training, "training plan reused for predict");
    for (int j = 0; j < 2; j++) {
        CHECK(p1[j] && p2[j] &&
                  !memcmp(mcdl_tensor_data(p1[j]), mcdl_tensor_data(p2[j]),
                          (size_t)mcdl_tensor_numel(p1[j]) * sizeof(float)),
              "output %d bitwise equal with both plans", j);
        mcdl_tensor_destroy(p1[j]);
        mcdl_tensor_destroy(p2[j]);
    }
    mcdl_tensor_destroy(xa);
    mcdl_tensor_destroy(xb);
    mcdl_model_destroy(m);
}

int main(void) {
    test_liveness_plan();
    test_activations();
    test_layers();
    test_losses();
    return check_finish();
}
