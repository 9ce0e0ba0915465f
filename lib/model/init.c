/* Weight initialisers with Keras' formulas (keras/src/initializers): variance scaling
 * (glorot/he/lecun, uniform or truncated normal), orthogonal via QR, constants, and the
 * random uniform/normal defaults. Every draw comes from the Philox counter stream
 * (seed, stream), so values do not depend on the thread count. */
#include <math.h>
#include <stdlib.h>

#include "lib/core/error.h"
#include "lib/model/layer.h"
#include "mcdl/rng.h"

/* Keras compute_fans: scalar 1/1, vector n/n, matrix in/out, else receptive field. */
static void fans(int rank, const int64_t *shape, double *fan_in, double *fan_out) {
    if (rank < 1) {
        *fan_in = *fan_out = 1;
    } else if (rank == 1) {
        *fan_in = *fan_out = (double)shape[0];
    } else {
        double rf = 1;
        for (int i = 0; i < rank - 2; i++) rf *= (double)shape[i];
        *fan_in = (double)shape[rank - 2] * rf;
        *fan_out = (double)shape[rank - 1] * rf;
    }
}

/* Truncated normal at +-2 std by resampling on later counters of the same stream. */
static void fill_truncated_normal(float *w, int64_t n, double std, uint64_t seed, uint64_t stream) {
    for (int64_t i = 0; i < n; i++) {
        float z = 0.0f;
        for (int64_t k = 0; k < 64; k++) {
            mcdl_rng_fill_normal(seed, stream, (uint64_t)(i + k * n), &z, 1, 0.0f, 1.0f);
            if (fabsf(z) <= 2.0f) break;
        }
        w[i] = (float)(z * std);
    }
}

/* Orthogonal (Keras): rows = prod(shape[:-1]), cols = shape[-1]; QR of a normal
 * (max, min) matrix, q *= sign(diag r) (Gram-Schmidt with re-orthogonalisation in double
 * gives the positive-diagonal QR directly); transposed when rows < cols. */
static mcdl_status fill_orthogonal(float *w, int rank, const int64_t *shape, uint64_t seed,
                                   uint64_t stream) {
    int64_t rows = 1, cols = rank > 0 ? shape[rank - 1] : 1;
    for (int i = 0; i < rank - 1; i++) rows *= shape[i];
    const int64_t m = rows > cols ? rows : cols, k = rows > cols ? cols : rows;
    float *a = malloc((size_t)(m * k) * sizeof *a);
    double *q = malloc((size_t)(m * k) * sizeof *q);
    if (!a || !q) {
        free(a);
        free(q);
        return mcdl_error(MCDL_ERR_NOMEM,
                          "out of memory for an orthogonal initialiser (%lld x %lld)", (long long)m,
                          (long long)k);
    }
    mcdl_rng_fill_normal(seed, stream, 0, a, m * k, 0.0f, 1.0f);
    /* column j of the (m, k) matrix a is a[i * k + j] */
    for (int64_t j = 0; j < k; j++) {
        for (int64_t i = 0; i < m; i++) q[i * k + j] = a[i * k + j];
        for (int pass = 0; pass < 2; pass++)
            for (int64_t p = 0; p < j; p++) {
                double dot = 0;
                for (int64_t i = 0; i < m; i++) dot += q[i * k + p] * q[i * k + j];
                for (int64_t i = 0; i < m; i++) q[i * k + j] -= dot * q[i * k + p];
            }
        double nrm = 0;
        for (int64_t i = 0; i < m; i++) nrm += q[i * k + j] * q[i * k + j];
        nrm = sqrt(nrm);
        for (int64_t i = 0; i < m; i++) q[i * k + j] = nrm > 0 ? q[i * k + j] / nrm : 0;
    }
    if (rows >= cols) {
        for (int64_t i = 0; i < m * k; i++) w[i] = (float)q[i];
    } else { /* (rows, cols) = q^T */
        for (int64_t r = 0; r < rows; r++)
            for (int64_t c = 0; c < cols; c++) w[r * cols + c] = (float)q[c * k + r];
    }
    free(a);
    free(q);
    return MCDL_OK;
}

mcdl_status mcdl_init_fill(mcdl_init init, float *w, int rank, const int64_t *shape, uint64_t seed,
                           uint64_t stream) {
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= shape[i];
    double fi, fo;
    fans(rank, shape, &fi, &fo);
    /* the truncated normal's std is divided by .8796..., the std of N(0,1) cut at +-2 */
    const double tn = 0.87962566103423978;
    switch (init) {
    case MCDL_INIT_DEFAULT:
    case MCDL_INIT_GLOROT_UNIFORM: {
        float lim = (float)sqrt(6.0 / (fi + fo));
        mcdl_rng_fill_uniform(seed, stream, 0, w, n, -lim, lim);
        return MCDL_OK;
    }
    case MCDL_INIT_HE_UNIFORM: {
        float lim = (float)sqrt(6.0 / fi);
        mcdl_rng_fill_uniform(seed, stream, 0, w, n, -lim, lim);
        return MCDL_OK;
    }
    case MCDL_INIT_LECUN_UNIFORM: {
        float lim = (float)sqrt(3.0 / fi);
        mcdl_rng_fill_uniform(seed, stream, 0, w, n, -lim, lim);
        return MCDL_OK;
    }
    case MCDL_INIT_GLOROT_NORMAL:
        fill_truncated_normal(w, n, sqrt(2.0 / (fi + fo)) / tn, seed, stream);
        return MCDL_OK;
    case MCDL_INIT_HE_NORMAL:
        fill_truncated_normal(w, n, sqrt(2.0 / fi) / tn, seed, stream);
        return MCDL_OK;
    case MCDL_INIT_LECUN_NORMAL:
        fill_truncated_normal(w, n, sqrt(1.0 / fi) / tn, seed, stream);
        return MCDL_OK;
    case MCDL_INIT_ZEROS:
        for (int64_t i = 0; i < n; i++) w[i] = 0.0f;
        return MCDL_OK;
    case MCDL_INIT_ONES:
        for (int64_t i = 0; i < n; i++) w[i] = 1.0f;
        return MCDL_OK;
    case MCDL_INIT_ORTHOGONAL:
        return fill_orthogonal(w, rank, shape, seed, stream);
    case MCDL_INIT_RANDOM_UNIFORM:
        mcdl_rng_fill_uniform(seed, stream, 0, w, n, -0.05f, 0.05f);
        return MCDL_OK;
    case MCDL_INIT_RANDOM_NORMAL:
        mcdl_rng_fill_normal(seed, stream, 0, w, n, 0.0f, 0.05f);
        return MCDL_OK;
    case MCDL_INIT_COUNT:
        break;
    }
    return mcdl_error(MCDL_ERR_ARG, "unknown initialiser id %d", (int)init);
}
