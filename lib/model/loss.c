/* Losses with Keras 3's formulas (keras/src/losses/losses.py, backend nn): probabilities
 * clipped to [1e-7, 1 - 1e-7] (the gradient is zero where the clip is active, as
 * tf.clip_by_value's), from_logits via log-sigmoid / log-softmax, the per-row value a
 * mean over the last axis (binary crossentropy, mse, mae) or a sum (categorical), and the
 * batch value the mean over rows. And the metrics accuracy, mse, mae. */
#include "lib/model/loss.h"

#include <math.h>

#define EPS 1e-7

static double clipd(double p, bool *inside) {
    *inside = p > EPS && p < 1.0 - EPS;
    return p < EPS ? EPS : (p > 1.0 - EPS ? 1.0 - EPS : p);
}

static double log_sigmoid(double x) { return x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x)); }

/* One row of categorical crossentropy; ids >= 0 means sparse target id. */
static double cce_row(const mcdl_loss_desc *d, const float *y, const float *t, int64_t id,
                      float *dy, double scale) {
    const int64_t C = d->cols;
    double loss = 0;
    if (d->from_logits) {
        double mx = y[0];
        for (int64_t c = 1; c < C; c++) mx = y[c] > mx ? y[c] : mx;
        double se = 0;
        for (int64_t c = 0; c < C; c++) se += exp((double)y[c] - mx);
        const double lse = mx + log(se);
        double tsum = 0;
        for (int64_t c = 0; c < C; c++) {
            const double tc = id >= 0 ? (c == id) : t[c];
            tsum += tc;
            loss -= tc * ((double)y[c] - lse);
        }
        if (dy)
            for (int64_t c = 0; c < C; c++) {
                const double tc = id >= 0 ? (c == id) : t[c];
                dy[c] = (float)(scale * (exp((double)y[c] - lse) * tsum - tc));
            }
        return loss;
    }
    double s = 0;
    for (int64_t c = 0; c < C; c++) s += y[c];
    /* g_c = dL/dp_c (zero where clipped); dL/dy_i = (g_i - sum_j g_j p_j) / s */
    double gp = 0;
    for (int64_t c = 0; c < C; c++) {
        const double tc = id >= 0 ? (c == id) : t[c];
        bool in;
        const double pc = clipd((double)y[c] / s, &in);
        loss -= tc * log(pc);
        if (dy) {
            const double g = in ? -tc / pc : 0.0;
            dy[c] = (float)g; /* temporarily g */
            gp += g * ((double)y[c] / s);
        }
    }
    if (dy)
        for (int64_t c = 0; c < C; c++) dy[c] = (float)(scale * ((double)dy[c] - gp) / s);
    return loss;
}

double mcdl_loss_eval(const mcdl_loss_desc *d, const float *y, const float *t, float *dy) {
    const int64_t R = d->rows, C = d->cols;
    double total = 0;
    const double inv_r = 1.0 / (double)R;
    for (int64_t r = 0; r < R; r++) {
        const float *yr = y + r * C;
        float *gr = dy ? dy + r * C : NULL;
        double row = 0;
        switch (d->loss) {
        case MCDL_LOSS_BINARY_CROSSENTROPY: {
            const float *tr = t + r * C;
            for (int64_t c = 0; c < C; c++) {
                const double tc = tr[c], x = yr[c];
                if (d->from_logits) {
                    row -= tc * log_sigmoid(x) + (1 - tc) * log_sigmoid(-x);
                    if (gr) gr[c] = (float)(inv_r / (double)C * (1.0 / (1.0 + exp(-x)) - tc));
                } else {
                    bool in;
                    const double p = clipd(x, &in);
                    row -= tc * log(p) + (1 - tc) * log(1 - p);
                    if (gr)
                        gr[c] = in ? (float)(inv_r / (double)C * (-(tc / p) + (1 - tc) / (1 - p)))
                                   : 0.0f;
                }
            }
            row /= (double)C;
            break;
        }
        case MCDL_LOSS_CATEGORICAL_CROSSENTROPY:
            row = cce_row(d, yr, t + r * C, -1, gr, inv_r);
            break;
        case MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
            row = cce_row(d, yr, NULL, (int64_t)t[r], gr, inv_r);
            break;
        case MCDL_LOSS_MSE: {
            const float *tr = t + r * C;
            for (int64_t c = 0; c < C; c++) {
                const double e = (double)yr[c] - tr[c];
                row += e * e;
                if (gr) gr[c] = (float)(2.0 * e * inv_r / (double)C);
            }
            row /= (double)C;
            break;
        }
        case MCDL_LOSS_MAE: {
            const float *tr = t + r * C;
            for (int64_t c = 0; c < C; c++) {
                const double e = (double)yr[c] - tr[c];
                row += fabs(e);
                if (gr) gr[c] = (float)((e > 0 ? 1.0 : (e < 0 ? -1.0 : 0.0)) * inv_r / (double)C);
            }
            row /= (double)C;
            break;
        }
        default:
            break;
        }
        total += row;
    }
    return total * inv_r;
}

static int64_t argmax(const float *v, int64_t n) {
    int64_t b = 0;
    for (int64_t i = 1; i < n; i++)
        if (v[i] > v[b]) b = i;
    return b;
}

void mcdl_metric_sums(const mcdl_loss_desc *d, mcdl_acc_kind acc, const float *y, const float *t,
                      double *correct, double *sq, double *abs_err) {
    const int64_t R = d->rows, C = d->cols;
    const bool sparse = d->loss == MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    double cor = 0, s2 = 0, s1 = 0;
    for (int64_t r = 0; r < R; r++) {
        const float *yr = y + r * C;
        const float *tr = sparse ? NULL : t + r * C;
        const int64_t id = sparse ? (int64_t)t[r] : -1;
        if (acc == MCDL_ACC_BINARY) {
            double k = 0;
            for (int64_t c = 0; c < C; c++) {
                const double tc = sparse ? (double)(c == id) : tr[c];
                k += ((yr[c] > 0.5f) == (tc > 0.5));
            }
            cor += k / (double)C;
        } else if (acc == MCDL_ACC_SPARSE || sparse) {
            cor += argmax(yr, C) == id;
        } else {
            cor += argmax(yr, C) == argmax(tr, C);
        }
        double e2 = 0, e1 = 0;
        for (int64_t c = 0; c < C; c++) {
            const double tc = sparse ? (double)(c == id) : tr[c];
            const double e = (double)yr[c] - tc;
            e2 += e * e;
            e1 += fabs(e);
        }
        s2 += e2 / (double)C;
        s1 += e1 / (double)C;
    }
    *correct += cor;
    *sq += s2;
    *abs_err += s1;
}
