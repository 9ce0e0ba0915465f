/* Batch normalisation on the active ISA path (MCDL_ISA) against the double references:
 * odd row counts and channel tails, 1 and 3 threads, the moving-statistics update, the
 * inference fold, and central-difference checks of dx, dgamma, dbeta in both modes. */
#include "conv_testutil.h"
#include "kernels/norm/batchnorm.h"

static double loss(const mcdl_bnorm_desc *d, int train, const float *x, const float *g,
                   const float *b, const float *mm, const float *mv, const float *r, float *y,
                   float *ws) {
    float mean[80], istd[80];
    if (train)
        mcdl_f32_bnorm_fwd_train(d, x, g, b, y, mean, istd, NULL, NULL, ws);
    else
        mcdl_f32_bnorm_fwd_infer(d, x, g, b, mm, mv, y, ws);
    return ct_dot(y, r, d->rows * d->C);
}

static void check_bn(int64_t rows, int64_t C, int nt) {
    mcdl_bnorm_desc d = {.rows = rows, .C = C, .eps = 1e-3f, .momentum = 0.99f, .nthreads = nt};
    const int64_t n = rows * C;
    float *x = ct_rand(n), *dy = ct_rand(n), *y = ct_zeros(n), *yr = ct_zeros(n);
    float *dx = ct_zeros(n), *dxr = ct_zeros(n), *g = ct_rand(C), *b = ct_rand(C);
    for (int64_t i = 0; i < n; i++) x[i] = 3.0f * x[i] + 0.5f; /* mean away from 0 */
    float mean[80], istd[80], meanr[80], istdr[80], mm[80], mv[80], mmr[80], mvr[80];
    float dg[80], dgr[80], db[80], dbr[80];
    for (int64_t c = 0; c < C; c++)
        mm[c] = mmr[c] = 0.1f * (float)c, mv[c] = mvr[c] = 1.0f + 0.01f * (float)c;
    float *ws = ct_zeros((int64_t)mcdl_bnorm_workspace_size(&d));
    char what[64];
    snprintf(what, sizeof what, "rows %lld C %lld nt %d", (long long)rows, (long long)C, nt);

    mcdl_f32_bnorm_fwd_train(&d, x, g, b, y, mean, istd, mm, mv, ws);
    mcdl_f32_bnorm_fwd_train_ref(&d, x, g, b, yr, meanr, istdr, mmr, mvr);
    CHECK(ct_maxerr(y, yr, n, rows) <= 1.0, "bn train fwd %s", what);
    CHECK(ct_maxerr(mean, meanr, C, rows) <= 1.0, "bn mean %s", what);
    CHECK(ct_maxerr(mm, mmr, C, rows) <= 1.0 && ct_maxerr(mv, mvr, C, rows) <= 1.0,
          "bn moving update %s", what);
    mcdl_f32_bnorm_bwd_train(&d, x, dy, g, mean, istd, dx, dg, db, ws);
    mcdl_f32_bnorm_bwd_train_ref(&d, x, dy, g, meanr, istdr, dxr, dgr, dbr);
    CHECK(ct_maxerr(dx, dxr, n, 4 * rows) <= 1.0, "bn train bwd dx %s", what);
    CHECK(ct_maxerr(dg, dgr, C, 4 * rows) <= 1.0 && ct_maxerr(db, dbr, C, rows) <= 1.0,
          "bn train bwd dgamma/dbeta %s", what);
    mcdl_f32_bnorm_fwd_infer(&d, x, g, b, mm, mv, y, ws);
    mcdl_f32_bnorm_fwd_infer_ref(&d, x, g, b, mm, mv, yr);
    CHECK(ct_maxerr(y, yr, n, 4) <= 1.0, "bn infer fwd %s", what);

    /* Central differences in float with h = 1e-2 (truncation O(h^2)), along one direction
     * per argument, both modes. */
    const double h = 1e-2;
    float *v = ct_rand(n), *p = ct_zeros(n);
    for (int train = 0; train < 2; train++) {
        if (train)
            mcdl_f32_bnorm_bwd_train(&d, x, dy, g, mean, istd, dx, dg, db, ws);
        else
            mcdl_f32_bnorm_bwd_infer(&d, x, dy, g, mm, mv, dx, dg, db, ws);
        for (int which = 0; which < 3; which++) {
            const float *base = which == 0 ? x : which == 1 ? g : b;
            const float *grad = which == 0 ? dx : which == 1 ? dg : db;
            const int64_t len = which == 0 ? n : C;
            double l[2];
            for (int sgn = 0; sgn < 2; sgn++) {
                for (int64_t i = 0; i < len; i++) p[i] = base[i] + (float)(sgn ? -h : h) * v[i];
                l[sgn] = loss(&d, train, which == 0 ? p : x, which == 1 ? p : g, which == 2 ? p : b,
                              mm, mv, dy, y, ws);
            }
            const double got = (l[0] - l[1]) / (2 * h), want = ct_dot(grad, v, len);
            CHECK(fabs(got - want) <= 2e-3 * (fabs(want) + sqrt((double)n)),
                  "bn fd train=%d arg %d %s: %g vs %g", train, which, what, got, want);
        }
    }
    free(v), free(p), free(x), free(dy), free(y), free(yr), free(dx), free(dxr), free(g), free(b),
        free(ws);
}

int main(void) {
    check_require_isa();
    static const int64_t shapes[][2] = {
        {1, 1},
        {7, 3},
        {50, 17},
        {33, 64},
        {200, 9},
        {1000, 80},
#if defined(__x86_64__)
        {16400, 64}, /* over 4 MiB: the streaming affine pass (too slow under qemu) */
#endif
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        check_bn(shapes[i][0], shapes[i][1], 1);
        check_bn(shapes[i][0], shapes[i][1], 3);
    }
    return check_finish();
}
