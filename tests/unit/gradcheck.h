/* Finite-difference gradient check of a whole model (and so of every layer in it): with a
 * fixed random projection r of the outputs, L = sum(r * y) in double; the analytic
 * directional derivative sum(dL/dw * d) over every weight, for one random direction d, is
 * compared with the central difference (L(w + eps d) - L(w - eps d)) / (2 eps). A layer's
 * input gradient is checked by putting a Dense in front of it (its kernel gradient is built
 * from the layer's dx). Uses the executor directly (lib/model/model_internal.h), in
 * training mode with the Dropout stream held fixed. */
#ifndef MCDL_TESTS_GRADCHECK_H
#define MCDL_TESTS_GRADCHECK_H

#include <stdlib.h>
#include <string.h>

#include "lib/model/model_internal.h"
#include "mcdl/mcdl.h"

static inline double gradcheck_loss_(mcdl_model *m, int64_t batch, float *const *r) {
    if (mcdl_exec_forward(m, batch, true) != MCDL_OK) return NAN;
    double L = 0;
    for (int j = 0; j < m->n_out; j++) {
        const float *y = m->plan.act[mcdl_model_node_index(m, m->out[j])];
        const int64_t n = batch * mcdl_shape_numel(&m->out[j]->shape);
        for (int64_t i = 0; i < n; i++) L += (double)r[j][i] * (double)y[i];
    }
    return L;
}

/* Relative error between the analytic and numeric directional derivatives (returns 1e9 on
 * failure to run). Inputs are filled with U(-1, 1) from seed. */
static inline double gradcheck_model(mcdl_model *m, int64_t batch, uint64_t seed, float eps) {
    if (mcdl_plan_ensure(m, batch, true) != MCDL_OK) return 1e9;
    for (int i = 0; i < m->n_in; i++) {
        float *x = m->plan.act[mcdl_model_node_index(m, m->in[i])];
        mcdl_rng_fill_uniform(seed, 100 + (uint64_t)i, 0, x,
                              batch * mcdl_shape_numel(&m->in[i]->shape), -1, 1);
    }
    float *r[MCDL_MAX_CALL_IO];
    for (int j = 0; j < m->n_out; j++) {
        const int64_t n = batch * mcdl_shape_numel(&m->out[j]->shape);
        r[j] = malloc((size_t)n * sizeof(float));
        mcdl_rng_fill_uniform(seed, 200 + (uint64_t)j, 0, r[j], n, -1, 1);
    }
    gradcheck_loss_(m, batch, r);
    memset(m->plan.written, 0, (size_t)m->n_nodes * sizeof *m->plan.written);
    for (int j = 0; j < m->n_out; j++) {
        const int k = mcdl_model_node_index(m, m->out[j]);
        memcpy(m->plan.grad[k], r[j],
               (size_t)(batch * mcdl_shape_numel(&m->out[j]->shape)) * sizeof(float));
        m->plan.written[k] = true;
    }
    double analytic = 0;
    if (mcdl_exec_backward(m, batch) != MCDL_OK) return 1e9;
    float **dir = calloc((size_t)m->n_w + 1, sizeof *dir);
    float **saved = calloc((size_t)m->n_w + 1, sizeof *saved);
    for (int i = 0; i < m->n_w; i++) {
        const int64_t n = m->w[i]->numel;
        dir[i] = malloc((size_t)n * sizeof(float));
        saved[i] = malloc((size_t)n * sizeof(float));
        mcdl_rng_fill_uniform(seed, 300 + (uint64_t)i, 0, dir[i], n, -1, 1);
        memcpy(saved[i], m->w[i]->data, (size_t)n * sizeof(float));
        for (int64_t e = 0; e < n; e++) analytic += (double)m->w[i]->grad[e] * dir[i][e];
    }
    double Lp, Lm;
    for (int i = 0; i < m->n_w; i++)
        for (int64_t e = 0; e < m->w[i]->numel; e++)
            m->w[i]->data[e] = saved[i][e] + eps * dir[i][e];
    Lp = gradcheck_loss_(m, batch, r);
    for (int i = 0; i < m->n_w; i++)
        for (int64_t e = 0; e < m->w[i]->numel; e++)
            m->w[i]->data[e] = saved[i][e] - eps * dir[i][e];
    Lm = gradcheck_loss_(m, batch, r);
    for (int i = 0; i < m->n_w; i++) {
        memcpy(m->w[i]->data, saved[i], (size_t)m->w[i]->numel * sizeof(float));
        free(dir[i]);
        free(saved[i]);
    }
    free(dir);
    free(saved);
    for (int j = 0; j < m->n_out; j++) free(r[j]);
    const double numeric = (Lp - Lm) / (2.0 * (double)eps);
    double scale = fabs(numeric) > fabs(analytic) ? fabs(numeric) : fabs(analytic);
    if (scale < 1e-3) scale = 1e-3;
    return fabs(numeric - analytic) / scale;
}

#endif
