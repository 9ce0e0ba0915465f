/* Plain attention reference: per (batch, head) the full T x S score matrix in double,
 * softmax over the allowed keys, then P·V; the backward forms P, dP and dS likewise.
 * Keras masking: disallowed keys get probability 0, a row with none allowed is all 0. */
#include <math.h>
#include <stdlib.h>

#include "kernels/attention/attention.h"

static int mha_ref_allowed(const mcdl_mha_desc *d, int64_t b, int64_t t, int64_t s) {
    if (d->causal && s > t) return 0;
    return !d->mask || d->mask[(b * d->tq + t) * d->tk + s] != 0;
}

/* P (T x S, double) for one (b, h); returns per-row lse in lse_row (+BIG when empty). */
static void mha_ref_probs(const mcdl_mha_desc *d, int64_t b, int64_t h, const float *q,
                          const float *k, double *p, double *lse_row) {
    const int64_t T = d->tq, S = d->tk, H = d->heads, dk = d->key_dim;
    for (int64_t t = 0; t < T; t++) {
        double *pr = p + t * S, mx = -INFINITY;
        const float *qr = q + ((b * T + t) * H + h) * dk;
        for (int64_t s = 0; s < S; s++) {
            if (!mha_ref_allowed(d, b, t, s)) continue;
            const float *kr = k + ((b * S + s) * H + h) * dk;
            double acc = 0.0;
            for (int64_t x = 0; x < dk; x++) acc += (double)qr[x] * kr[x];
            pr[s] = acc * d->scale;
            if (pr[s] > mx) mx = pr[s];
        }
        double sum = 0.0;
        for (int64_t s = 0; s < S; s++) {
            pr[s] = mha_ref_allowed(d, b, t, s) ? exp(pr[s] - mx) : 0.0;
            sum += pr[s];
        }
        for (int64_t s = 0; s < S; s++) pr[s] = sum > 0.0 ? pr[s] / sum : 0.0;
        lse_row[t] = sum > 0.0 ? mx + log(sum) : (double)MCDL_MHA_BIG;
    }
}

int mcdl_f32_mha_fwd_ref(const mcdl_mha_desc *d, const float *q, const float *k, const float *v,
                         float *o, float *lse) {
    const int64_t B = d->batch, T = d->tq, S = d->tk, H = d->heads, dv = d->value_dim;
    double *p = malloc((size_t)(T * S + T) * sizeof(double));
    if (!p) return -1;
    double *lr = p + T * S;
    for (int64_t b = 0; b < B; b++)
        for (int64_t h = 0; h < H; h++) {
            mha_ref_probs(d, b, h, q, k, p, lr);
            for (int64_t t = 0; t < T; t++) {
                float *orow = o + ((b * T + t) * H + h) * dv;
                for (int64_t c = 0; c < dv; c++) {
                    double acc = 0.0;
                    for (int64_t s = 0; s < S; s++)
                        acc += p[t * S + s] * v[((b * S + s) * H + h) * dv + c];
                    orow[c] = (float)acc;
                }
                if (lse) lse[(b * H + h) * T + t] = (float)lr[t];
            }
        }
    free(p);
    return 0;
}

int mcdl_f32_mha_bwd_ref(const mcdl_mha_desc *d, const float *q, const float *k, const float *v,
                         const float *dout, float *dq, float *dk, float *dv) {
    const int64_t B = d->batch, T = d->tq, S = d->tk, H = d->heads;
    const int64_t kd = d->key_dim, vd = d->value_dim;
    double *p = malloc((size_t)(2 * T * S + T) * sizeof(double));
    double *acc = calloc((size_t)((T + S) * kd + S * vd), sizeof(double));
    if (!p || !acc) {
        free(p);
        free(acc);
        return -1;
    }
    double *ds = p + T * S, *lr = ds + T * S;
    for (int64_t b = 0; b < B; b++)
        for (int64_t h = 0; h < H; h++) {
            double *aq = acc, *ak = aq + T * kd, *av = ak + S * kd;
            for (int64_t i = 0; i < (T + S) * kd + S * vd; i++) acc[i] = 0.0;
            mha_ref_probs(d, b, h, q, k, p, lr);
            for (int64_t t = 0; t < T; t++) {
                const float *g = dout + ((b * T + t) * H + h) * vd;
                double dsum = 0.0;
                for (int64_t s = 0; s < S; s++) {
                    const float *vr = v + ((b * S + s) * H + h) * vd;
                    double dp = 0.0;
                    for (int64_t c = 0; c < vd; c++) dp += (double)g[c] * vr[c];
                    ds[t * S + s] = dp;
                    dsum += p[t * S + s] * dp;
                    for (int64_t c = 0; c < vd; c++) av[s * vd + c] += p[t * S + s] * g[c];
                }
                for (int64_t s = 0; s < S; s++)
                    ds[t * S + s] = p[t * S + s] * (ds[t * S + s] - dsum) * d->scale;
            }
            for (int64_t t = 0; t < T; t++)
                for (int64_t s = 0; s < S; s++) {
                    const double g = ds[t * S + s];
                    if (g == 0.0) continue;
                    const float *qr = q + ((b * T + t) * H + h) * kd;
                    const float *kr = k + ((b * S + s) * H + h) * kd;
                    for (int64_t x = 0; x < kd; x++) {
                        aq[t * kd + x] += g * kr[x];
                        ak[s * kd + x] += g * qr[x];
                    }
                }
            for (int64_t t = 0; t < T; t++)
                for (int64_t x = 0; x < kd; x++)
                    dq[((b * T + t) * H + h) * kd + x] = (float)aq[t * kd + x];
            for (int64_t s = 0; s < S; s++) {
                for (int64_t x = 0; x < kd; x++)
                    dk[((b * S + s) * H + h) * kd + x] = (float)ak[s * kd + x];
                for (int64_t c = 0; c < vd; c++)
                    dv[((b * S + s) * H + h) * vd + c] = (float)av[s * vd + c];
            }
        }
    free(p);
    free(acc);
    return 0;
}
