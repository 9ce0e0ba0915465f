/* Two-pass layer normalisation in double: the reference the vector paths are tested
 * against. */
#include <math.h>

#include "kernels/norm/layernorm.h"

void mcdl_f32_layernorm_fwd_ref(int64_t rows, int64_t n, const float *x, const float *gamma,
                                const float *beta, float eps, float *y, float *mean, float *rstd) {
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        double mu = 0.0, var = 0.0;
        for (int64_t i = 0; i < n; i++) mu += xr[i];
        mu /= (double)n;
        for (int64_t i = 0; i < n; i++) var += (xr[i] - mu) * (xr[i] - mu);
        var /= (double)n;
        const double rs = 1.0 / sqrt(var + eps);
        for (int64_t i = 0; i < n; i++) {
            double v = (xr[i] - mu) * rs;
            if (gamma) v *= gamma[i];
            if (beta) v += beta[i];
            y[r * n + i] = (float)v;
        }
        mean[r] = (float)mu;
        rstd[r] = (float)rs;
    }
}

void mcdl_f32_layernorm_bwd_ref(int64_t rows, int64_t n, const float *x, const float *dy,
                                const float *gamma, const float *mean, const float *rstd, float *dx,
                                float *dgamma, float *dbeta) {
    for (int64_t i = 0; i < n; i++) {
        if (dgamma) dgamma[i] = 0.0f;
        if (dbeta) dbeta[i] = 0.0f;
    }
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n, *gr = dy + r * n;
        double sg = 0.0, sgx = 0.0;
        for (int64_t i = 0; i < n; i++) {
            const double xh = ((double)xr[i] - mean[r]) * rstd[r];
            const double g = (double)gr[i] * (gamma ? gamma[i] : 1.0f);
            sg += g;
            sgx += g * xh;
            if (dgamma) dgamma[i] += (float)(gr[i] * xh);
            if (dbeta) dbeta[i] += gr[i];
        }
        for (int64_t i = 0; i < n; i++) {
            const double xh = ((double)xr[i] - mean[r]) * rstd[r];
            const double g = (double)gr[i] * (gamma ? gamma[i] : 1.0f);
            dx[r * n + i] = (float)(rstd[r] * (g - sg / n - xh * sgx / n));
        }
    }
}
