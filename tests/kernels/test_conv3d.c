/* Conv3D kernels (im2col per depth slice + GEMM) on the active ISA path against the scalar
 * references: valid/same, strides, dilation, odd sizes, 1 and 3 threads; central
 * differences for the input, kernel and bias gradients. */
#include "conv_testutil.h"
#include "kernels/conv/conv3d.h"

static void check3(int64_t N, int64_t D, int64_t H, int64_t W, int64_t C, int64_t F, int64_t k,
                   int64_t s, int64_t d, mcdl_padding p, int nt) {
    mcdl_conv3d_geom g = {.N = N,
                          .D = D,
                          .H = H,
                          .W = W,
                          .C = C,
                          .F = F,
                          .KD = k,
                          .KH = k,
                          .KW = k,
                          .SD = s,
                          .SH = s,
                          .SW = s,
                          .DD = d,
                          .DH = d,
                          .DW = d,
                          .nthreads = nt};
    CHECK(mcdl_conv_out_len(D, k, s, d, p, &g.OD, &g.PF) == 0 &&
              mcdl_conv_out_len(H, k, s, d, p, &g.OH, &g.PT) == 0 &&
              mcdl_conv_out_len(W, k, s, d, p, &g.OW, &g.PL) == 0,
          "geometry");
    const int64_t nx = N * D * H * W * C, ny = N * g.OD * g.OH * g.OW * F, nw = k * k * k * C * F;
    float *x = ct_rand(nx), *w = ct_rand(nw), *b = ct_rand(F), *dz = ct_rand(ny);
    float *y = ct_zeros(ny), *yr = ct_zeros(ny), *dx = ct_zeros(nx), *dxr = ct_zeros(nx);
    float *dw = ct_zeros(nw), *dwr = ct_zeros(nw), *db = ct_zeros(F), *dbr = ct_zeros(F);
    float *ws = ct_zeros((int64_t)mcdl_conv3d_workspace_size(&g));
    char what[96];
    snprintf(what, sizeof what, "N%lld %lldx%lldx%lldx%lld F%lld k%lld s%lld d%lld pad%d nt%d",
             (long long)N, (long long)D, (long long)H, (long long)W, (long long)C, (long long)F,
             (long long)k, (long long)s, (long long)d, (int)p, nt);
    const int64_t K = k * k * k * C, pos = N * g.OD * g.OH * g.OW;
    mcdl_f32_conv3d_fwd(&g, x, w, b, MCDL_ACT_NONE, 0, y, ws);
    mcdl_f32_conv3d_fwd_ref(&g, x, w, b, yr);
    CHECK(ct_maxerr(y, yr, ny, K + 1) <= 1.0, "conv3d fwd %s", what);
    mcdl_f32_conv3d_bwd_data(&g, dz, w, dx, ws);
    mcdl_f32_conv3d_bwd_data_ref(&g, dz, w, dxr);
    CHECK(ct_maxerr(dx, dxr, nx, k * k * k * F) <= 1.0, "conv3d bwd data %s", what);
    mcdl_f32_conv3d_bwd_weights(&g, x, dz, dw, db, ws);
    mcdl_f32_conv3d_bwd_weights_ref(&g, x, dz, dwr, dbr);
    CHECK(ct_maxerr(dw, dwr, nw, 2 * pos) <= 1.0 && ct_maxerr(db, dbr, F, 2 * pos) <= 1.0,
          "conv3d bwd weights %s", what);
    /* L = <conv3d(x, w) + b, dz> is linear: central differences along one direction */
    const int64_t nv = nx > nw ? nx : nw;
    float *v = ct_rand(nv), *q = ct_zeros(nv);
    for (int which = 0; which < 3; which++) {
        const float *base = which == 0 ? x : which == 1 ? w : b;
        const float *grad = which == 0 ? dx : which == 1 ? dw : db;
        const int64_t len = which == 0 ? nx : which == 1 ? nw : F;
        double l[2];
        for (int sg = 0; sg < 2; sg++) {
            for (int64_t i = 0; i < len; i++) q[i] = base[i] + (sg ? -0.5f : 0.5f) * v[i];
            mcdl_f32_conv3d_fwd(&g, which == 0 ? q : x, which == 1 ? q : w, which == 2 ? q : b,
                                MCDL_ACT_NONE, 0, y, ws);
            l[sg] = ct_dot(y, dz, ny);
        }
        const double got = l[0] - l[1], want = ct_dot(grad, v, len);
        CHECK(fabs(got - want) <= 1e-4 * (fabs(want) + (double)ny), "conv3d fd %d %s: %g vs %g",
              which, what, got, want);
    }
    free(v), free(q), free(x), free(w), free(b), free(dz), free(y), free(yr), free(dx), free(dxr);
    free(dw), free(dwr), free(db), free(dbr), free(ws);
}

int main(void) {
    check_require_isa();
    for (int nt = 1; nt <= 3; nt += 2) {
        check3(2, 5, 6, 7, 3, 4, 3, 1, 1, MCDL_PAD_SAME, nt);
        check3(1, 6, 5, 5, 2, 5, 2, 2, 1, MCDL_PAD_VALID, nt);
        check3(2, 7, 7, 6, 2, 3, 3, 3, 1, MCDL_PAD_SAME, nt);  /* stride = kernel, odd sizes */
        check3(1, 7, 6, 7, 2, 3, 2, 1, 2, MCDL_PAD_VALID, nt); /* dilation */
    }
    return check_finish();
}
