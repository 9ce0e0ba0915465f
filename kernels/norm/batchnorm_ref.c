/* Plain scalar batch-norm references in double: the textbook formulas, no folding. */
#include <math.h>

#include "kernels/norm/batchnorm.h"

void mcdl_f32_bnorm_fwd_train_ref(const mcdl_bnorm_desc *d, const float *x, const float *gamma,
                                  const float *beta, float *y, float *mean, float *invstd,
                                  float *moving_mean, float *moving_var) {
    const int64_t R = d->rows, C = d->C;
    for (int64_t c = 0; c < C; c++) {
        double m = 0, v = 0;
        for (int64_t r = 0; r < R; r++) m += x[r * C + c];
        m /= (double)R;
        for (int64_t r = 0; r < R; r++) v += (x[r * C + c] - m) * (x[r * C + c] - m);
        v /= (double)R;
        const double is = 1.0 / sqrt(v + d->eps);
        for (int64_t r = 0; r < R; r++)
            y[r * C + c] = (float)((x[r * C + c] - m) * is * (gamma ? gamma[c] : 1.0) +
                                   (beta ? beta[c] : 0.0));
        mean[c] = (float)m;
        invstd[c] = (float)is;
        if (moving_mean)
            moving_mean[c] =
                (float)(moving_mean[c] * (double)d->momentum + m * (1.0 - d->momentum));
        if (moving_var)
            moving_var[c] = (float)(moving_var[c] * (double)d->momentum + v * (1.0 - d->momentum));
    }
}

void mcdl_f32_bnorm_fwd_infer_ref(const mcdl_bnorm_desc *d, const float *x, const float *gamma,
                                  const float *beta, const float *moving_mean,
                                  const float *moving_var, float *y) {
    for (int64_t r = 0; r < d->rows; r++)
        for (int64_t c = 0; c < d->C; c++)
            y[r * d->C + c] =
                (float)((x[r * d->C + c] - (double)moving_mean[c]) /
                            sqrt((double)moving_var[c] + d->eps) * (gamma ? gamma[c] : 1.0) +
                        (beta ? beta[c] : 0.0));
}

void mcdl_f32_bnorm_bwd_train_ref(const mcdl_bnorm_desc *d, const float *x, const float *dy,
                                  const float *gamma, const float *mean, const float *invstd,
                                  float *dx, float *dgamma, float *dbeta) {
    const int64_t R = d->rows, C = d->C;
    for (int64_t c = 0; c < C; c++) {
        double db = 0, dg = 0;
        for (int64_t r = 0; r < R; r++) {
            db += dy[r * C + c];
            dg += dy[r * C + c] * (x[r * C + c] - (double)mean[c]) * invstd[c];
        }
        const double gm = gamma ? gamma[c] : 1.0;
        for (int64_t r = 0; r < R; r++) {
            const double xh = (x[r * C + c] - (double)mean[c]) * invstd[c];
            dx[r * C + c] =
                (float)(gm * invstd[c] * (dy[r * C + c] - db / (double)R - xh * dg / (double)R));
        }
        if (dgamma) dgamma[c] = (float)dg;
        if (dbeta) dbeta[c] = (float)db;
    }
}
