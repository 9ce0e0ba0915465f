/* Optimizer update kernels (Keras 3 rules, float32 state), one body (optim_body.inc) per
 * ISA plus an OpenMP dispatcher over fixed 4096-element chunks (element-wise, so any split
 * gives identical bits). w, g and the slots must not overlap.
 *   adam:    m += (g - m) c1; v += (g^2 - v) c2; w -= alpha m / (sqrt(v) + eps)
 *            with c1 = 1 - beta_1, c2 = 1 - beta_2, alpha = lr sqrt(1 - b2^t) / (1 - b1^t)
 *   sgd:     mu == 0: w -= lr g; else m = mu m - lr g; w += m (nesterov: w += mu m - lr g)
 *   rmsprop: v = rho v + (1 - rho) g^2; inc = lr g / sqrt(v + eps);
 *            mu == 0: w -= inc; else mo = mu mo + inc; w -= mo */
#ifndef MCDL_KERNELS_OPTIM_H
#define MCDL_KERNELS_OPTIM_H

#include <stdbool.h>
#include <stdint.h>

#include "simd/cpu.h"

typedef struct {
    float alpha, c1, c2, eps;
} mcdl_adam_params;

typedef void (*mcdl_adam_fn)(const mcdl_adam_params *p, float *w, const float *g, float *m,
                             float *v, int64_t n);
typedef void (*mcdl_sgd_fn)(float lr, float mu, bool nesterov, float *w, const float *g, float *m,
                            int64_t n);
typedef void (*mcdl_rmsprop_fn)(float lr, float rho, float eps, float mu, float *w, const float *g,
                                float *v, float *mo, int64_t n);

void mcdl_f32_adam_update(const mcdl_adam_params *p, float *w, const float *g, float *m, float *v,
                          int64_t n);
void mcdl_f32_sgd_update(float lr, float mu, bool nesterov, float *w, const float *g, float *m,
                         int64_t n);
void mcdl_f32_rmsprop_update(float lr, float rho, float eps, float mu, float *w, const float *g,
                             float *v, float *mo, int64_t n);

#define MCDL_OPTIM_DECL(isa)                                                                       \
    void mcdl_f32_adam_update_##isa(const mcdl_adam_params *p, float *w, const float *g, float *m, \
                                    float *v, int64_t n);                                          \
    void mcdl_f32_sgd_update_##isa(float lr, float mu, bool nesterov, float *w, const float *g,    \
                                   float *m, int64_t n);                                           \
    void mcdl_f32_rmsprop_update_##isa(float lr, float rho, float eps, float mu, float *w,         \
                                       const float *g, float *v, float *mo, int64_t n);
MCDL_OPTIM_DECL(ref)
MCDL_OPTIM_DECL(avx2)
MCDL_OPTIM_DECL(avx512)
MCDL_OPTIM_DECL(neon)
#undef MCDL_OPTIM_DECL

#endif
