/* Batch-norm drivers: per-thread partial channel statistics over a static row split,
 * merged in thread order, then a folded per-channel affine pass (training forward, inference
 * forward and both backward passes are all "sums, then dx = a*u + b*v + s"). */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "kernels/norm/batchnorm.h"

const mcdl_bnorm_isa_ops *mcdl_bnorm_ops_for(mcdl_isa isa) {
    switch (isa) {
    case MCDL_ISA_REF:
        return &mcdl_bnorm_ops_scalar;
#if defined(__x86_64__)
    case MCDL_ISA_AVX2:
        return &mcdl_bnorm_ops_avx2;
    case MCDL_ISA_AVX512:
        return &mcdl_bnorm_ops_avx512;
#elif defined(__aarch64__)
    case MCDL_ISA_NEON:
        return &mcdl_bnorm_ops_neon;
#endif
    default:
        return NULL;
    }
}

static const mcdl_bnorm_isa_ops *active(void) {
    const mcdl_bnorm_isa_ops *o = mcdl_bnorm_ops_for(mcdl_cpu_active_isa());
    return o ? o : &mcdl_bnorm_ops_scalar;
}

static int threads(const mcdl_bnorm_desc *d) {
    int nt = d->nthreads > 0 ? d->nthreads : omp_get_max_threads();
    /* Small problems do not pay for a team. */
    if (d->rows * d->C < 16384) nt = 1;
    return nt;
}

size_t mcdl_bnorm_workspace_size(const mcdl_bnorm_desc *d) {
    int nt = d->nthreads > 0 ? d->nthreads : omp_get_max_threads();
    return (size_t)(nt + 1) * (size_t)(2 * d->C) + (size_t)(4 * d->C);
}

/* Batch mean and biased variance: per-thread (mean, m2) over a static row split, merged in
 * thread order with the same pairwise update as the kernel's blocks. ws holds nt * 2C. */
static void meanvar_pass(const mcdl_bnorm_desc *d, const float *x, float *mean, float *var,
                         float *ws) {
    const mcdl_bnorm_isa_ops *ops = active();
    const int nt = threads(d);
    const int64_t C = d->C;
#pragma omp parallel num_threads(nt)
    {
        const int tid = omp_get_thread_num();
        const int64_t lo = d->rows * tid / nt, hi = d->rows * (tid + 1) / nt;
        float *part = ws + (size_t)tid * (size_t)(2 * C);
        if (hi > lo) ops->meanvar(x, lo, hi, C, part, part + C);
    }
    for (int64_t c = 0; c < C; c++) {
        double na = 0, m = 0, m2 = 0;
        for (int t = 0; t < nt; t++) {
            const double nb = (double)(d->rows * (t + 1) / nt - d->rows * t / nt);
            if (nb == 0) continue;
            const float *part = ws + (size_t)t * (size_t)(2 * C);
            const double delta = part[c] - m, n = na + nb;
            m += delta * nb / n;
            m2 += part[C + c] + delta * delta * na * nb / n;
            na = n;
        }
        mean[c] = (float)m;
        var[c] = (float)(m2 / (double)d->rows);
    }
}

/* Per-channel sums of dy and dy*(x - m), reduced into out (2C) in thread order. */
static void dy_dev_pass(const mcdl_bnorm_desc *d, const float *x, const float *dy, const float *m,
                        float *out, float *ws) {
    const mcdl_bnorm_isa_ops *ops = active();
    const int nt = threads(d);
    const int64_t C = d->C;
#pragma omp parallel num_threads(nt)
    {
        const int tid = omp_get_thread_num();
        float *part = ws + (size_t)tid * (size_t)(2 * C);
        memset(part, 0, (size_t)(2 * C) * sizeof(float));
        const int64_t lo = d->rows * tid / nt, hi = d->rows * (tid + 1) / nt;
        ops->colsum_dy_dev(dy, x, m, lo, hi, C, part);
    }
    for (int64_t c = 0; c < 2 * C; c++) {
        float s = ws[c];
        for (int t = 1; t < nt; t++) s += ws[(size_t)t * (size_t)(2 * C) + (size_t)c];
        out[c] = s;
    }
}

static void affine_pass(const mcdl_bnorm_desc *d, const float *u, const float *a, const float *v,
                        const float *b, const float *s, float *y) {
    const mcdl_bnorm_isa_ops *ops = active();
    const int nt = threads(d);
#pragma omp parallel num_threads(nt)
    {
        const int tid = omp_get_thread_num();
        const int64_t lo = d->rows * tid / nt, hi = d->rows * (tid + 1) / nt;
        ops->affine(u, a, v, b, s, lo, hi, d->C, y);
    }
}

void mcdl_f32_bnorm_fwd_train(const mcdl_bnorm_desc *d, const float *x, const float *gamma,
                              const float *beta, float *y, float *mean, float *invstd,
                              float *moving_mean, float *moving_var, float *ws) {
    const int64_t C = d->C;
    const int nt = d->nthreads > 0 ? d->nthreads : omp_get_max_threads();
    float *tmp = ws + (size_t)(nt + 1) * (size_t)(2 * C), *scale = tmp, *shift = tmp + C;
    meanvar_pass(d, x, mean, invstd, ws);
    for (int64_t c = 0; c < C; c++) {
        const float var = invstd[c];
        if (moving_mean)
            moving_mean[c] = moving_mean[c] * d->momentum + mean[c] * (1 - d->momentum);
        if (moving_var) moving_var[c] = moving_var[c] * d->momentum + var * (1 - d->momentum);
        invstd[c] = 1.0f / sqrtf(var + d->eps);
        scale[c] = gamma ? gamma[c] * invstd[c] : invstd[c];
        shift[c] = (beta ? beta[c] : 0.0f) - mean[c] * scale[c];
    }
    affine_pass(d, x, scale, NULL, NULL, shift, y);
}

void mcdl_f32_bnorm_fwd_infer(const mcdl_bnorm_desc *d, const float *x, const float *gamma,
                              const float *beta, const float *moving_mean, const float *moving_var,
                              float *y, float *ws) {
    const int64_t C = d->C;
    float *scale = ws, *shift = ws + C;
    for (int64_t c = 0; c < C; c++) {
        scale[c] = (gamma ? gamma[c] : 1.0f) / sqrtf(moving_var[c] + d->eps);
        shift[c] = (beta ? beta[c] : 0.0f) - moving_mean[c] * scale[c];
    }
    affine_pass(d, x, scale, NULL, NULL, shift, y);
}

/* dx = g*istd*(dy - dbeta/R - xhat*dgamma/R), xhat = (x - mean)*istd, written as
 * a*dy + b*x + s per channel. */
void mcdl_f32_bnorm_bwd_train(const mcdl_bnorm_desc *d, const float *x, const float *dy,
                              const float *gamma, const float *mean, const float *invstd, float *dx,
                              float *dgamma, float *dbeta, float *ws) {
    const int64_t C = d->C;
    const int nt = d->nthreads > 0 ? d->nthreads : omp_get_max_threads();
    float *sums = ws + (size_t)nt * (size_t)(2 * C),
          *coef = ws + (size_t)(nt + 1) * (size_t)(2 * C);
    dy_dev_pass(d, x, dy, mean, sums, ws);
    float *a = coef, *b = coef + C, *s = coef + 2 * C;
    const float inv_rows = 1.0f / (float)d->rows;
    for (int64_t c = 0; c < C; c++) {
        const float db = sums[c], dg = sums[C + c] * invstd[c];
        if (dbeta) dbeta[c] = db;
        if (dgamma) dgamma[c] = dg;
        a[c] = (gamma ? gamma[c] : 1.0f) * invstd[c];
        b[c] = -a[c] * invstd[c] * dg * inv_rows;
        s[c] = -a[c] * db * inv_rows - b[c] * mean[c];
    }
    affine_pass(d, dy, a, x, b, s, dx);
}

void mcdl_f32_bnorm_bwd_infer(const mcdl_bnorm_desc *d, const float *x, const float *dy,
                              const float *gamma, const float *moving_mean, const float *moving_var,
                              float *dx, float *dgamma, float *dbeta, float *ws) {
    const int64_t C = d->C;
    const int nt = d->nthreads > 0 ? d->nthreads : omp_get_max_threads();
    float *sums = ws + (size_t)nt * (size_t)(2 * C),
          *coef = ws + (size_t)(nt + 1) * (size_t)(2 * C);
    dy_dev_pass(d, x, dy, moving_mean, sums, ws);
    float *a = coef, *zero = coef + C;
    for (int64_t c = 0; c < C; c++) {
        const float istd = 1.0f / sqrtf(moving_var[c] + d->eps);
        if (dbeta) dbeta[c] = sums[c];
        if (dgamma) dgamma[c] = sums[C + c] * istd;
        a[c] = (gamma ? gamma[c] : 1.0f) * istd;
        zero[c] = 0.0f;
    }
    affine_pass(d, dy, a, NULL, NULL, zero, dx);
}
