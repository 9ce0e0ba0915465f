/* Plain reference of the recurrent cells, written directly from the Keras formulas
 * (keras/src/layers/rnn/{simple_rnn,lstm,gru}.py and the backend rnn loop with masks),
 * evaluated in double. The ground truth of tests/kernels/test_rnn*.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/rnn/rnn.h"

static double ref_act(mcdl_act a, double x) {
    switch (a) {
    case MCDL_ACT_TANH:
        return tanh(x);
    case MCDL_ACT_SIGMOID:
        return 1.0 / (1.0 + exp(-x));
    case MCDL_ACT_RELU:
        return x > 0 ? x : 0.0;
    case MCDL_ACT_LEAKY_RELU:
        return x > 0 ? x : 0.2 * x;
    case MCDL_ACT_ELU:
        return x > 0 ? x : exp(x) - 1.0;
    case MCDL_ACT_SELU:
        return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (exp(x) - 1.0));
    case MCDL_ACT_SWISH:
        return x / (1.0 + exp(-x));
    case MCDL_ACT_SOFTPLUS:
        return log1p(exp(-fabs(x))) + (x > 0 ? x : 0.0);
    default:
        return x;
    }
}

int mcdl_rnn_fwd_ref(const mcdl_rnn_desc *d, const mcdl_rnn_fwd_args *a) {
    const int64_t B = d->batch, T = d->steps, in = d->in, u = d->units;
    const int64_t G = mcdl_rnn_gates(d->cell), Gu = G * u;
    const bool gru_ra = d->cell == MCDL_RNN_GRU && d->reset_after;
    double *h = calloc((size_t)(B * u), sizeof *h), *c = calloc((size_t)(B * u), sizeof *c);
    double *yo = calloc((size_t)(B * u), sizeof *yo);
    double *xz = calloc((size_t)Gu, sizeof *xz), *hz = calloc((size_t)Gu, sizeof *hz);
    double *hn = calloc((size_t)u, sizeof *hn), *cn = calloc((size_t)u, sizeof *cn);
    if (!h || !c || !yo || !xz || !hz || !hn || !cn) {
        free(h), free(c), free(yo), free(xz), free(hz), free(hn), free(cn);
        return -1;
    }
    for (int64_t i = 0; i < B * u; i++) {
        h[i] = a->h0 ? a->h0[i] : 0.0;
        c[i] = a->c0 ? a->c0[i] : 0.0;
    }
    for (int64_t s = 0; s < T; s++) {
        const int64_t t = d->go_backwards ? T - 1 - s : s;
        for (int64_t b = 0; b < B; b++) {
            const float *xt = a->x + (b * T + t) * in;
            double *hb = h + b * u, *cb = c + b * u;
            /* recurrent dropout: the recurrent products see hd = h ⊙ rmask */
            const float *rm = a->rmask && d->rec_dropout ? a->rmask + b * u : NULL;
            /* xz = x·W + b_in; hz = hd·U (+ b_rec for GRU reset_after) */
            for (int64_t j = 0; j < Gu; j++) {
                double sx = a->bias ? a->bias[j] : 0.0,
                       sh = gru_ra && a->bias ? a->bias[Gu + j] : 0.0;
                for (int64_t k = 0; k < in; k++) sx += (double)xt[k] * a->kernel[k * Gu + j];
                for (int64_t k = 0; k < u; k++)
                    sh += hb[k] * (rm ? rm[k] : 1.0) * a->rkernel[k * Gu + j];
                xz[j] = sx;
                hz[j] = sh;
            }
            for (int64_t j = 0; j < u; j++) {
                switch (d->cell) {
                case MCDL_RNN_SIMPLE:
                    hn[j] = ref_act(d->act, xz[j] + hz[j]);
                    break;
                case MCDL_RNN_LSTM: {
                    double ig = ref_act(d->rec_act, xz[j] + hz[j]);
                    double fg = ref_act(d->rec_act, xz[u + j] + hz[u + j]);
                    double cg = ref_act(d->act, xz[2 * u + j] + hz[2 * u + j]);
                    double og = ref_act(d->rec_act, xz[3 * u + j] + hz[3 * u + j]);
                    cn[j] = fg * cb[j] + ig * cg;
                    hn[j] = og * ref_act(d->act, cn[j]);
                    break;
                }
                default: {
                    double z = ref_act(d->rec_act, xz[j] + hz[j]);
                    double r = ref_act(d->rec_act, xz[u + j] + hz[u + j]);
                    double hh;
                    if (gru_ra) {
                        hh = ref_act(d->act, xz[2 * u + j] + r * hz[2 * u + j]);
                    } else {
                        /* (r ⊙ h_prev)·U_h needs every r of the row: r of unit k */
                        double sr = 0.0;
                        for (int64_t k = 0; k < u; k++) {
                            double rk = ref_act(d->rec_act, xz[u + k] + hz[u + k]);
                            sr += rk * hb[k] * (rm ? rm[k] : 1.0) * a->rkernel[k * Gu + 2 * u + j];
                        }
                        hh = ref_act(d->act, xz[2 * u + j] + sr);
                    }
                    hn[j] = z * hb[j] + (1.0 - z) * hh;
                    break;
                }
                }
            }
            const bool masked = a->mask && !a->mask[b * T + t];
            for (int64_t j = 0; j < u; j++) {
                if (!masked) {
                    hb[j] = hn[j];
                    if (d->cell == MCDL_RNN_LSTM) cb[j] = cn[j];
                    yo[b * u + j] = hn[j];
                }
                if (a->y) a->y[(b * T + s) * u + j] = (float)yo[b * u + j];
            }
        }
    }
    for (int64_t i = 0; i < B * u; i++) {
        if (a->h_last) a->h_last[i] = (float)h[i];
        if (a->c_last && d->cell == MCDL_RNN_LSTM) a->c_last[i] = (float)c[i];
        if (a->y_last) a->y_last[i] = (float)yo[i];
    }
    free(h), free(c), free(yo), free(xz), free(hz), free(hn), free(cn);
    return 0;
}
