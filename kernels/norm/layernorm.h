/* Layer normalisation over the last axis (Keras LayerNormalization, axis -1), forward
 * and backward, one implementation per ISA plus a scalar double reference.
 *
 * Contract: x, y, dy, dx are (rows, n) row-major; gamma, beta (n) or NULL (= 1, 0:
 * Keras scale=False / center=False); mean, rstd (rows) are written by the forward and
 * read by the backward. y = (x - mean) * rstd * gamma + beta, rstd = 1/sqrt(var + eps),
 * var biased. Statistics are one pass over shifted sums (shift = the row's first
 * element), which keeps sum((x-K)^2) - sum(x-K)^2/n well conditioned when |mean| >> std.
 * dgamma/dbeta (n, may be NULL) are overwritten, not accumulated; they are summed from
 * per-64-row partials (scratch ws) in a fixed order, so results do not depend on the
 * thread count. Rows are split over OpenMP threads statically. */
#ifndef MCDL_KERNELS_LAYERNORM_H
#define MCDL_KERNELS_LAYERNORM_H

#include <stdint.h>

#include "simd/cpu.h"

typedef void (*mcdl_layernorm_fwd_fn)(int64_t rows, int64_t n, const float *x, const float *gamma,
                                      const float *beta, float eps, float *y, float *mean,
                                      float *rstd);
typedef void (*mcdl_layernorm_bwd_fn)(int64_t rows, int64_t n, const float *x, const float *dy,
                                      const float *gamma, const float *mean, const float *rstd,
                                      float *dx, float *dgamma, float *dbeta, float *ws);

/* Rows per dgamma/dbeta partial in the backward. */
#define MCDL_LN_BWD_CHUNK 64
/* Scratch (floats) the backward needs for dgamma/dbeta partials: 2·n per chunk of
 * MCDL_LN_BWD_CHUNK rows; ws may be NULL when dgamma and dbeta are both NULL. */
static inline int64_t mcdl_f32_layernorm_bwd_ws_floats(int64_t rows, int64_t n) {
    return (rows + MCDL_LN_BWD_CHUNK - 1) / MCDL_LN_BWD_CHUNK * 2 * n;
}

mcdl_layernorm_fwd_fn mcdl_layernorm_fwd_fn_for(mcdl_isa isa);
mcdl_layernorm_bwd_fn mcdl_layernorm_bwd_fn_for(mcdl_isa isa);
/* The active path (mcdl_cpu_active_isa()). */
void mcdl_f32_layernorm_fwd(int64_t rows, int64_t n, const float *x, const float *gamma,
                            const float *beta, float eps, float *y, float *mean, float *rstd);
void mcdl_f32_layernorm_bwd(int64_t rows, int64_t n, const float *x, const float *dy,
                            const float *gamma, const float *mean, const float *rstd, float *dx,
                            float *dgamma, float *dbeta, float *ws);

/* Two-pass double reference (layernorm_ref.c). */
void mcdl_f32_layernorm_fwd_ref(int64_t rows, int64_t n, const float *x, const float *gamma,
                                const float *beta, float eps, float *y, float *mean, float *rstd);
void mcdl_f32_layernorm_bwd_ref(int64_t rows, int64_t n, const float *x, const float *dy,
                                const float *gamma, const float *mean, const float *rstd, float *dx,
                                float *dgamma, float *dbeta);

/* Per-ISA instantiations of layernorm_body.inc (ISA "ref" runs the _scalar one). */
void mcdl_f32_layernorm_fwd_scalar(int64_t rows, int64_t n, const float *x, const float *gamma,
                                   const float *beta, float eps, float *y, float *mean,
                                   float *rstd);
void mcdl_f32_layernorm_bwd_scalar(int64_t rows, int64_t n, const float *x, const float *dy,
                                   const float *gamma, const float *mean, const float *rstd,
                                   float *dx, float *dgamma, float *dbeta, float *ws);
void mcdl_f32_layernorm_fwd_avx2(int64_t rows, int64_t n, const float *x, const float *gamma,
                                 const float *beta, float eps, float *y, float *mean, float *rstd);
void mcdl_f32_layernorm_bwd_avx2(int64_t rows, int64_t n, const float *x, const float *dy,
                                 const float *gamma, const float *mean, const float *rstd,
                                 float *dx, float *dgamma, float *dbeta, float *ws);
void mcdl_f32_layernorm_fwd_avx512(int64_t rows, int64_t n, const float *x, const float *gamma,
                                   const float *beta, float eps, float *y, float *mean,
                                   float *rstd);
void mcdl_f32_layernorm_bwd_avx512(int64_t rows, int64_t n, const float *x, const float *dy,
                                   const float *gamma, const float *mean, const float *rstd,
                                   float *dx, float *dgamma, float *dbeta, float *ws);
void mcdl_f32_layernorm_fwd_neon(int64_t rows, int64_t n, const float *x, const float *gamma,
                                 const float *beta, float eps, float *y, float *mean, float *rstd);
void mcdl_f32_layernorm_bwd_neon(int64_t rows, int64_t n, const float *x, const float *dy,
                                 const float *gamma, const float *mean, const float *rstd,
                                 float *dx, float *dgamma, float *dbeta, float *ws);

#endif
