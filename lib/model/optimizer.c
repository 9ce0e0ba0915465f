/* Adam, SGD (momentum, nesterov) and RMSprop exactly as Keras 3 writes them (the
 * element-wise loops are kernels/optim, vectorised per ISA)
 * (KERAS_SEMANTICS.md "Optimizers"), in float32 like Keras' variables:
 *   Adam:    m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
 *            a = lr sqrt(1 - b2^t) / (1 - b1^t); w -= a m / (sqrt(v) + eps)
 *   SGD:     m = mu m - lr g; w += m   (nesterov: w += mu m - lr g); plain: w -= lr g
 *   RMSprop: v = rho v + (1 - rho) g^2; inc = lr g / sqrt(v + eps);
 *            momentum: mo = mu mo + inc, w -= mo; else w -= inc. */
#include "lib/model/optimizer.h"

#include <math.h>

#include "kernels/optim/optim.h"
#include "lib/model/core_layers.h"

mcdl_optimizer_opts mcdl_optimizer_resolve(const mcdl_optimizer_opts *o) {
    mcdl_optimizer_opts r = *o;
    switch (o->kind) {
    case MCDL_OPTIMIZER_ADAM:
        r.learning_rate = mcdl_opt_float(o->learning_rate, 0.001f);
        r.beta_1 = mcdl_opt_float(o->beta_1, 0.9f);
        r.beta_2 = mcdl_opt_float(o->beta_2, 0.999f);
        r.epsilon = mcdl_opt_float(o->epsilon, 1e-7f);
        break;
    case MCDL_OPTIMIZER_SGD:
        r.learning_rate = mcdl_opt_float(o->learning_rate, 0.01f);
        r.momentum = mcdl_opt_float(o->momentum, 0.0f);
        break;
    case MCDL_OPTIMIZER_RMSPROP:
        r.learning_rate = mcdl_opt_float(o->learning_rate, 0.001f);
        r.rho = mcdl_opt_float(o->rho, 0.9f);
        r.momentum = mcdl_opt_float(o->momentum, 0.0f);
        r.epsilon = mcdl_opt_float(o->epsilon, 1e-7f);
        break;
    }
    return r;
}

int mcdl_optimizer_slots(const mcdl_optimizer_opts *o) {
    switch (o->kind) {
    case MCDL_OPTIMIZER_ADAM:
        return 2;
    case MCDL_OPTIMIZER_SGD:
        return o->momentum != 0.0f ? 1 : 0;
    case MCDL_OPTIMIZER_RMSPROP:
        return o->momentum != 0.0f ? 2 : 1;
    }
    return 0;
}

const char *mcdl_optimizer_slot_name_of(const mcdl_optimizer_opts *o, int slot) {
    switch (o->kind) {
    case MCDL_OPTIMIZER_ADAM:
        return slot == 0 ? "m" : "v";
    case MCDL_OPTIMIZER_SGD:
        return "momentum";
    case MCDL_OPTIMIZER_RMSPROP:
        return slot == 0 ? "velocity" : "momentum";
    }
    return "";
}

void mcdl_optimizer_update(const mcdl_optimizer_opts *o, int64_t t, float *w, const float *g,
                           float *s0, float *s1, int64_t n) {
    const float lr = o->learning_rate;
    switch (o->kind) {
    case MCDL_OPTIMIZER_ADAM: {
        /* the bias corrections in float32, as Keras computes them */
        const float b1p = powf(o->beta_1, (float)t), b2p = powf(o->beta_2, (float)t);
        const mcdl_adam_params p = {.alpha = lr * sqrtf(1.0f - b2p) / (1.0f - b1p),
                                    .c1 = 1.0f - o->beta_1,
                                    .c2 = 1.0f - o->beta_2,
                                    .eps = o->epsilon};
        mcdl_f32_adam_update(&p, w, g, s0, s1, n);
        break;
    }
    case MCDL_OPTIMIZER_SGD:
        mcdl_f32_sgd_update(lr, o->momentum, o->nesterov, w, g, s0, n);
        break;
    case MCDL_OPTIMIZER_RMSPROP:
        mcdl_f32_rmsprop_update(lr, o->rho, o->epsilon, o->momentum, w, g, s0, s1, n);
        break;
    }
}
