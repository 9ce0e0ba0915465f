/* Adam, SGD (momentum, nesterov) and RMSprop exactly as Keras 3 writes them
 * (KERAS_SEMANTICS.md "Optimizers"), in float32 like Keras' variables:
 *   Adam:    m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
 *            a = lr sqrt(1 - b2^t) / (1 - b1^t); w -= a m / (sqrt(v) + eps)
 *   SGD:     m = mu m - lr g; w += m   (nesterov: w += mu m - lr g); plain: w -= lr g
 *   RMSprop: v = rho v + (1 - rho) g^2; inc = lr g / sqrt(v + eps);
 *            momentum: mo = mu mo + inc, w -= mo; else w -= inc. */
#include "lib/model/optimizer.h"

#include <math.h>

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
        const float b1 = o->beta_1, b2 = o->beta_2, eps = o->epsilon;
        const float b1p = powf(b1, (float)t), b2p = powf(b2, (float)t);
        const float alpha = lr * sqrtf(1.0f - b2p) / (1.0f - b1p);
        for (int64_t i = 0; i < n; i++) {
            s0[i] += (g[i] - s0[i]) * (1.0f - b1);
            s1[i] += (g[i] * g[i] - s1[i]) * (1.0f - b2);
            w[i] -= alpha * s0[i] / (sqrtf(s1[i]) + eps);
        }
        break;
    }
    case MCDL_OPTIMIZER_SGD: {
        const float mu = o->momentum;
        if (mu == 0.0f) {
            for (int64_t i = 0; i < n; i++) w[i] -= lr * g[i];
        } else if (o->nesterov) {
            for (int64_t i = 0; i < n; i++) {
                s0[i] = mu * s0[i] - lr * g[i];
                w[i] += mu * s0[i] - lr * g[i];
            }
        } else {
            for (int64_t i = 0; i < n; i++) {
                s0[i] = mu * s0[i] - lr * g[i];
                w[i] += s0[i];
            }
        }
        break;
    }
    case MCDL_OPTIMIZER_RMSPROP: {
        const float rho = o->rho, eps = o->epsilon, mu = o->momentum;
        for (int64_t i = 0; i < n; i++) {
            s0[i] = rho * s0[i] + (1.0f - rho) * g[i] * g[i];
            const float inc = lr * g[i] / sqrtf(s0[i] + eps);
            if (mu != 0.0f) {
                s1[i] = mu * s1[i] + inc;
                w[i] -= s1[i];
            } else {
                w[i] -= inc;
            }
        }
        break;
    }
    }
}
