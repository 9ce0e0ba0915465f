/* Element-wise activation kernels, forward and backward, and the row softmax: one body
 * (eltwise_body.inc) instantiated per ISA, plus a dispatcher that splits long arrays over
 * OpenMP threads in fixed chunks (element-wise, so any split gives identical bits).
 *
 * Formulas (Keras 3, keras/src/activations/activations.py):
 *   relu max(x, 0); sigmoid; tanh; leaky_relu x > 0 ? x : alpha x;
 *   elu x > 0 ? x : alpha (e^x - 1) with alpha 1; selu scale * elu_alpha(x) with
 *   alpha 1.67326324, scale 1.05070098; gelu 0.5 x (1 + erf(x / sqrt 2)) (erf by
 *   Abramowitz-Stegun 7.1.26, |error| <= 1.5e-7); swish x sigmoid(x); softplus
 *   max(x, 0) + log1p(e^-|x|); softmax over the last axis with the row maximum subtracted.
 * Backward: dx = dy * f'(x). For relu, sigmoid, tanh, leaky_relu (alpha > 0), elu and selu
 * the derivative is computed from y alone, so x may be NULL for them (mcdl_act_bwd_needs_x). */
#ifndef MCDL_KERNELS_ELTWISE_H
#define MCDL_KERNELS_ELTWISE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/eltwise/act.h"
#include "simd/cpu.h"

#define MCDL_SELU_ALPHA 1.6732632423543772f
#define MCDL_SELU_SCALE 1.0507009873554805f

typedef void (*mcdl_act_fwd_fn)(mcdl_act act, float alpha, const float *x, float *y, int64_t n);
typedef void (*mcdl_act_bwd_fn)(mcdl_act act, float alpha, const float *x, const float *y,
                                const float *dy, float *dx, int64_t n);
typedef void (*mcdl_softmax_fwd_fn)(const float *x, float *y, int64_t rows, int64_t cols);
typedef void (*mcdl_softmax_bwd_fn)(const float *y, const float *dy, float *dx, int64_t rows,
                                    int64_t cols);

/* Whether the backward of act needs the forward input x (else y suffices). */
bool mcdl_act_bwd_needs_x(mcdl_act act, float alpha);

/* Dispatched, OpenMP-parallel entry points (act must not be MCDL_ACT_SOFTMAX; y may equal x,
 * dx may equal dy). */
void mcdl_f32_act_fwd(mcdl_act act, float alpha, const float *x, float *y, int64_t n);
void mcdl_f32_act_bwd(mcdl_act act, float alpha, const float *x, const float *y, const float *dy,
                      float *dx, int64_t n);
void mcdl_f32_softmax_fwd(const float *x, float *y, int64_t rows, int64_t cols);
void mcdl_f32_softmax_bwd(const float *y, const float *dy, float *dx, int64_t rows, int64_t cols);

/* One path's kernels (NULL when not compiled in), for tests comparing paths. */
mcdl_act_fwd_fn mcdl_act_fwd_fn_for(mcdl_isa isa);
mcdl_act_bwd_fn mcdl_act_bwd_fn_for(mcdl_isa isa);
mcdl_softmax_fwd_fn mcdl_softmax_fwd_fn_for(mcdl_isa isa);
mcdl_softmax_bwd_fn mcdl_softmax_bwd_fn_for(mcdl_isa isa);

#define MCDL_ELTWISE_DECL(isa)                                                                     \
    void mcdl_f32_act_fwd_##isa(mcdl_act act, float alpha, const float *x, float *y, int64_t n);   \
    void mcdl_f32_act_bwd_##isa(mcdl_act act, float alpha, const float *x, const float *y,         \
                                const float *dy, float *dx, int64_t n);                            \
    void mcdl_f32_softmax_fwd_##isa(const float *x, float *y, int64_t rows, int64_t cols);         \
    void mcdl_f32_softmax_bwd_##isa(const float *y, const float *dy, float *dx, int64_t rows,      \
                                    int64_t cols);
MCDL_ELTWISE_DECL(ref)
MCDL_ELTWISE_DECL(avx2)
MCDL_ELTWISE_DECL(avx512)
MCDL_ELTWISE_DECL(neon)
#undef MCDL_ELTWISE_DECL

#endif
