/* Batch normalisation over the last axis of a (rows, C) view of an NHWC tensor (Keras
 * axis -1): training uses the batch mean and biased variance and updates the moving
 * statistics (moving = moving*momentum + batch*(1 - momentum)); inference uses the folded
 * per-channel scale gamma/sqrt(var + eps) and shift beta - mean*scale.
 *
 * Contract: arguments are not validated (lib/ does that); no allocation, the workspace
 * holds mcdl_bnorm_workspace_size() floats; OpenMP team of d->nthreads (0 = max), static
 * row partition with per-thread partial sums reduced in thread order (deterministic for a
 * fixed team). Mean and variance take one pass over x: per-block statistics merged with
 * Chan et al.'s pairwise update (stable for large means). */
#ifndef MCDL_KERNELS_BATCHNORM_H
#define MCDL_KERNELS_BATCHNORM_H

#include <stddef.h>
#include <stdint.h>

#include "simd/cpu.h"

typedef struct {
    int64_t rows, C; /* rows = N*H*W (or N*T, or N) */
    float eps;       /* Keras default 1e-3 */
    float momentum;  /* Keras default 0.99 */
    int nthreads;    /* 0: omp_get_max_threads() */
} mcdl_bnorm_desc;

size_t mcdl_bnorm_workspace_size(const mcdl_bnorm_desc *d);

/* Training forward: y, the batch mean and 1/sqrt(var + eps) (saved for backward), and the
 * moving statistics updated in place (either may be NULL to skip the update). */
void mcdl_f32_bnorm_fwd_train(const mcdl_bnorm_desc *d, const float *x, const float *gamma,
                              const float *beta, float *y, float *mean, float *invstd,
                              float *moving_mean, float *moving_var, float *ws);
/* Inference forward with the moving statistics. */
void mcdl_f32_bnorm_fwd_infer(const mcdl_bnorm_desc *d, const float *x, const float *gamma,
                              const float *beta, const float *moving_mean, const float *moving_var,
                              float *y, float *ws);
/* Training backward: dx, dgamma, dbeta from the saved mean and invstd. */
void mcdl_f32_bnorm_bwd_train(const mcdl_bnorm_desc *d, const float *x, const float *dy,
                              const float *gamma, const float *mean, const float *invstd, float *dx,
                              float *dgamma, float *dbeta, float *ws);
/* Inference-mode backward (frozen statistics): dx = dy*scale. */
void mcdl_f32_bnorm_bwd_infer(const mcdl_bnorm_desc *d, const float *x, const float *dy,
                              const float *gamma, const float *moving_mean, const float *moving_var,
                              float *dx, float *dgamma, float *dbeta, float *ws);

/* Plain scalar references (double accumulation). */
void mcdl_f32_bnorm_fwd_train_ref(const mcdl_bnorm_desc *d, const float *x, const float *gamma,
                                  const float *beta, float *y, float *mean, float *invstd,
                                  float *moving_mean, float *moving_var);
void mcdl_f32_bnorm_fwd_infer_ref(const mcdl_bnorm_desc *d, const float *x, const float *gamma,
                                  const float *beta, const float *moving_mean,
                                  const float *moving_var, float *y);
void mcdl_f32_bnorm_bwd_train_ref(const mcdl_bnorm_desc *d, const float *x, const float *dy,
                                  const float *gamma, const float *mean, const float *invstd,
                                  float *dx, float *dgamma, float *dbeta);

/* Per-ISA channel-vector loops over rows [lo, hi) (batchnorm_body.inc). */
typedef struct {
    /* mean[c] and m2[c] = sum (x[r, c] - mean[c])^2 over rows [lo, hi) (lo < hi) */
    void (*meanvar)(const float *x, int64_t lo, int64_t hi, int64_t C, float *mean, float *m2);
    /* acc[c] += sum dy[r, c];  acc[C + c] += sum dy[r, c] (x[r, c] - m[c]) */
    void (*colsum_dy_dev)(const float *dy, const float *x, const float *m, int64_t lo, int64_t hi,
                          int64_t C, float *acc);
    /* y[r, c] = a[c] u[r, c] + b[c] v[r, c] + s[c]  (v, b may be NULL) */
    void (*affine)(const float *u, const float *a, const float *v, const float *b, const float *s,
                   int64_t lo, int64_t hi, int64_t C, float *y);
} mcdl_bnorm_isa_ops;

extern const mcdl_bnorm_isa_ops mcdl_bnorm_ops_scalar, mcdl_bnorm_ops_avx2, mcdl_bnorm_ops_avx512,
    mcdl_bnorm_ops_neon;
const mcdl_bnorm_isa_ops *mcdl_bnorm_ops_for(mcdl_isa isa);

#endif
