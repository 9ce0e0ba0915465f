/* Shared helpers of the convolution-family tests: deterministic fills, geometry from
 * Keras arguments, comparison with a tolerance scaled by the reduction length, and a
 * central-difference directional derivative in double. */
#ifndef MCDL_TESTS_CONV_TESTUTIL_H
#define MCDL_TESTS_CONV_TESTUTIL_H

#include <float.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "kernels/conv/conv.h"

static uint64_t ct_state_ = 0x9e3779b97f4a7c15ull;

static inline float ct_uniform(void) { /* [-1, 1) */
    ct_state_ = ct_state_ * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((ct_state_ >> 40) * (1.0 / 8388608.0)) - 1.0f;
}

/* 64-byte aligned like mcdl_alloc, so the kernels' aligned-only paths (streaming stores)
 * run in the tests too; the size is rounded up to a multiple of the alignment. */
static inline float *ct_alloc(int64_t n) {
    const size_t bytes = (size_t)(n > 0 ? n : 1) * sizeof(float);
    return aligned_alloc(64, (bytes + 63) / 64 * 64);
}

static inline float *ct_rand(int64_t n) {
    float *p = ct_alloc(n);
    for (int64_t i = 0; i < n; i++) p[i] = ct_uniform();
    return p;
}

static inline float *ct_zeros(int64_t n) {
    float *p = ct_alloc(n);
    memset(p, 0, (size_t)(n > 0 ? n : 1) * sizeof(float));
    return p;
}

/* Convolution / pooling geometry from Keras arguments; returns 0 or -1. */
static inline int ct_geom(mcdl_conv2d_geom *g, int64_t N, int64_t H, int64_t W, int64_t C,
                          int64_t F, int64_t KH, int64_t KW, int64_t SH, int64_t SW, int64_t DH,
                          int64_t DW, mcdl_padding p) {
    memset(g, 0, sizeof *g);
    g->N = N, g->H = H, g->W = W, g->C = C, g->F = F, g->KH = KH, g->KW = KW;
    g->SH = SH, g->SW = SW, g->DH = DH, g->DW = DW;
    if (mcdl_conv_out_len(H, KH, SH, DH, p == MCDL_PAD_CAUSAL ? MCDL_PAD_VALID : p, &g->OH, &g->PT))
        return -1;
    return mcdl_conv_out_len(W, KW, SW, DW, p, &g->OW, &g->PL);
}

/* Largest |a - b| / tol over n values, tol = 4 eps * red + 1e-6 (inputs in [-1, 1], so a
 * reduction of red products has rounding error below red * eps * |terms|). */
static inline double ct_maxerr(const float *a, const float *b, int64_t n, int64_t red) {
    const double tol = 4.0 * FLT_EPSILON * (double)(red > 0 ? red : 1) + 1e-6;
    double worst = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double e = fabs((double)a[i] - (double)b[i]) / tol;
        if (!(e <= worst)) worst = e; /* NaN propagates as a failure */
    }
    return worst;
}

static inline double ct_dot(const float *a, const float *b, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

#endif
