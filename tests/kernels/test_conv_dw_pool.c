/* Depthwise convolution and max/average pooling on the active ISA path (MCDL_ISA) against
 * the scalar references on edge shapes (channel tails, depth_multiplier > 1, stride >
 * kernel, dilation, 'same' windows with few real cells, global windows), plus
 * central-difference checks of the depthwise and average-pooling gradients and a
 * first-maximum routing check for max pooling. */
#include "conv_testutil.h"

typedef struct {
    int64_t N, H, W, C, M, KH, KW, SH, SW, DH, DW;
    mcdl_padding pad;
} dw_case;

static void check_dw(const dw_case *dc, int nt) {
    mcdl_conv2d_geom g;
    CHECK(ct_geom(&g, dc->N, dc->H, dc->W, dc->C, dc->C * dc->M, dc->KH, dc->KW, dc->SH, dc->SW,
                  dc->DH, dc->DW, dc->pad) == 0,
          "geometry");
    g.nthreads = nt;
    const int64_t nx = g.N * g.H * g.W * g.C, ny = g.N * g.OH * g.OW * g.F, nw = g.KH * g.KW * g.F;
    float *x = ct_rand(nx), *w = ct_rand(nw), *b = ct_rand(g.F), *dz = ct_rand(ny);
    float *y = ct_rand(ny), *yr = ct_zeros(ny), *dx = ct_rand(nx), *dxr = ct_zeros(nx);
    float *dw = ct_rand(nw), *dwr = ct_zeros(nw), *db = ct_rand(g.F), *dbr = ct_zeros(g.F);
    float *ws = ct_zeros((int64_t)mcdl_dwconv2d_bwd_weights_workspace_size(&g));
    char what[160];
    snprintf(what, sizeof what,
             "N%lld %lldx%lldx%lld M%lld k%lldx%lld s%lldx%lld d%lldx%lld pad%d nt%d",
             (long long)g.N, (long long)g.H, (long long)g.W, (long long)g.C, (long long)dc->M,
             (long long)g.KH, (long long)g.KW, (long long)g.SH, (long long)g.SW, (long long)g.DH,
             (long long)g.DW, (int)dc->pad, nt);
    mcdl_f32_dwconv2d_fwd(&g, x, w, b, MCDL_ACT_NONE, 0, y);
    mcdl_f32_dwconv2d_fwd_ref(&g, x, w, b, yr);
    double e = ct_maxerr(y, yr, ny, g.KH * g.KW + 1);
    CHECK(e <= 1.0, "dw fwd %s: %.3g x tol", what, e);
    mcdl_f32_dwconv2d_fwd(&g, x, w, b, MCDL_ACT_RELU, 0, y);
    for (int64_t i = 0; i < ny; i++) yr[i] = yr[i] > 0 ? yr[i] : 0;
    e = ct_maxerr(y, yr, ny, g.KH * g.KW + 1);
    CHECK(e <= 1.0, "dw fwd relu %s: %.3g x tol", what, e);
    mcdl_f32_dwconv2d_bwd_data(&g, dz, w, dx);
    mcdl_f32_dwconv2d_bwd_data_ref(&g, dz, w, dxr);
    e = ct_maxerr(dx, dxr, nx, g.KH * g.KW * dc->M);
    CHECK(e <= 1.0, "dw bwd data %s: %.3g x tol", what, e);
    mcdl_f32_dwconv2d_bwd_weights(&g, x, dz, dw, db, ws);
    mcdl_f32_dwconv2d_bwd_weights_ref(&g, x, dz, dwr, dbr);
    e = ct_maxerr(dw, dwr, nw, g.N * g.OH * g.OW);
    CHECK(e <= 1.0, "dw bwd weights %s: %.3g x tol", what, e);
    e = ct_maxerr(db, dbr, g.F, g.N * g.OH * g.OW);
    CHECK(e <= 1.0, "dw bwd bias %s: %.3g x tol", what, e);
    /* Central differences of L = <dwconv(x, w) + b, dz> along one random direction. */
    const double h = 0.5;
    const int64_t nv = nx > nw ? nx : nw;
    float *v = ct_rand(nv), *p = ct_zeros(nv);
    for (int which = 0; which < 3; which++) {
        const float *base = which == 0 ? x : which == 1 ? w : b;
        const float *grad = which == 0 ? dx : which == 1 ? dw : db;
        const int64_t len = which == 0 ? nx : which == 1 ? nw : g.F;
        double l[2];
        for (int sgn = 0; sgn < 2; sgn++) {
            for (int64_t i = 0; i < len; i++) p[i] = base[i] + (float)(sgn ? -h : h) * v[i];
            mcdl_f32_dwconv2d_fwd(&g, which == 0 ? p : x, which == 1 ? p : w, which == 2 ? p : b,
                                  MCDL_ACT_NONE, 0, y);
            l[sgn] = ct_dot(y, dz, ny);
        }
        double got = (l[0] - l[1]) / (2 * h), want = ct_dot(grad, v, len);
        CHECK(fabs(got - want) <= 1e-4 * (fabs(want) + (double)ny), "dw fd %d %s: %g vs %g", which,
              what, got, want);
    }
    free(v), free(p), free(x), free(w), free(b), free(dz), free(y), free(yr), free(dx), free(dxr);
    free(dw), free(dwr), free(db), free(dbr), free(ws);
}

typedef struct {
    int64_t N, H, W, C, KH, KW, SH, SW;
    mcdl_padding pad;
} pool_case;

static void check_pool(const pool_case *pc, int nt) {
    mcdl_conv2d_geom g;
    CHECK(ct_geom(&g, pc->N, pc->H, pc->W, pc->C, pc->C, pc->KH, pc->KW, pc->SH, pc->SW, 1, 1,
                  pc->pad) == 0,
          "geometry");
    g.nthreads = nt;
    const int64_t nx = g.N * g.H * g.W * g.C, ny = g.N * g.OH * g.OW * g.C;
    float *x = ct_rand(nx), *dy = ct_rand(ny), *y = ct_rand(ny), *yr = ct_zeros(ny);
    float *dx = ct_rand(nx), *dxr = ct_zeros(nx);
    char what[128];
    snprintf(what, sizeof what, "N%lld %lldx%lldx%lld pool%lldx%lld s%lldx%lld pad%d nt%d",
             (long long)g.N, (long long)g.H, (long long)g.W, (long long)g.C, (long long)g.KH,
             (long long)g.KW, (long long)g.SH, (long long)g.SW, (int)pc->pad, nt);
    mcdl_f32_maxpool2d_fwd(&g, x, y);
    mcdl_f32_maxpool2d_fwd_ref(&g, x, yr);
    CHECK(ct_maxerr(y, yr, ny, 1) == 0.0, "maxpool fwd %s", what);
    mcdl_f32_maxpool2d_bwd(&g, x, dy, dx);
    mcdl_f32_maxpool2d_bwd_ref(&g, x, dy, dxr);
    CHECK(ct_maxerr(dx, dxr, nx, g.KH * g.KW) <= 1.0, "maxpool bwd %s", what);
    /* the training form: same output, and the saved argmax routes dy like the reference */
    uint8_t *arg = calloc((size_t)ny, 1);
    mcdl_f32_maxpool2d_fwd_argmax(&g, x, y, arg);
    mcdl_f32_maxpool2d_fwd_ref(&g, x, yr);
    CHECK(ct_maxerr(y, yr, ny, 1) == 0.0, "maxpool fwd argmax %s", what);
    mcdl_f32_maxpool2d_bwd_argmax(&g, arg, dy, dx);
    CHECK(ct_maxerr(dx, dxr, nx, g.KH * g.KW) <= 1.0, "maxpool bwd argmax %s", what);
    free(arg);
    mcdl_f32_avgpool2d_fwd(&g, x, y);
    mcdl_f32_avgpool2d_fwd_ref(&g, x, yr);
    CHECK(ct_maxerr(y, yr, ny, g.KH * g.KW) <= 1.0, "avgpool fwd %s", what);
    mcdl_f32_avgpool2d_bwd(&g, dy, dx);
    mcdl_f32_avgpool2d_bwd_ref(&g, dy, dxr);
    CHECK(ct_maxerr(dx, dxr, nx, g.KH * g.KW) <= 1.0, "avgpool bwd %s", what);
    /* Average pooling is linear: <avgpool(x + hv) - avgpool(x - hv), dy> / 2h = <dx, v>. */
    float *v = ct_rand(nx), *p = ct_zeros(nx);
    double l[2];
    for (int sgn = 0; sgn < 2; sgn++) {
        for (int64_t i = 0; i < nx; i++) p[i] = x[i] + (sgn ? -0.5f : 0.5f) * v[i];
        mcdl_f32_avgpool2d_fwd(&g, p, y);
        l[sgn] = ct_dot(y, dy, ny);
    }
    double got = l[0] - l[1], want = ct_dot(dx, v, nx);
    CHECK(fabs(got - want) <= 1e-4 * (fabs(want) + (double)ny), "avgpool fd %s: %g vs %g", what,
          got, want);
    free(v), free(p), free(x), free(dy), free(y), free(yr), free(dx), free(dxr);
}

int main(void) {
    check_require_isa();
    static const dw_case dws[] = {
        {2, 14, 14, 64, 1, 3, 3, 1, 1, 1, 1, MCDL_PAD_SAME},
        {2, 7, 9, 17, 1, 3, 3, 2, 2, 1, 1, MCDL_PAD_SAME},
        {1, 9, 8, 3, 2, 3, 2, 1, 2, 1, 1, MCDL_PAD_VALID},  /* depth_multiplier 2 */
        {2, 9, 8, 5, 1, 2, 2, 3, 3, 1, 1, MCDL_PAD_VALID},  /* stride > kernel */
        {1, 11, 10, 9, 1, 3, 3, 1, 1, 2, 2, MCDL_PAD_SAME}, /* dilation */
        {1, 1, 13, 20, 3, 1, 3, 1, 1, 1, 1, MCDL_PAD_SAME},
        {2, 3, 3, 1, 1, 5, 5, 1, 1, 1, 1, MCDL_PAD_SAME},    /* kernel > input */
        {2, 6, 21, 20, 1, 3, 3, 1, 1, 1, 1, MCDL_PAD_VALID}, /* 8-wide tiles, channel tail */
    };
    for (size_t i = 0; i < sizeof dws / sizeof dws[0]; i++) {
        check_dw(&dws[i], 1);
        check_dw(&dws[i], 3);
    }
    static const pool_case pcs[] = {
        {2, 8, 8, 5, 2, 2, 2, 2, MCDL_PAD_VALID},
        {2, 7, 9, 17, 2, 2, 2, 2, MCDL_PAD_SAME},  /* odd sizes: windows with real cells < 4 */
        {1, 9, 9, 3, 3, 3, 2, 2, MCDL_PAD_SAME},   /* overlapping windows */
        {1, 10, 7, 4, 2, 3, 4, 4, MCDL_PAD_VALID}, /* stride > window */
        {1, 1, 15, 6, 1, 3, 1, 2, MCDL_PAD_SAME},  /* 1-D */
        {3, 5, 6, 33, 5, 6, 1, 1, MCDL_PAD_VALID}, /* global */
        {1, 6, 6, 8, 3, 3, 1, 1, MCDL_PAD_SAME},
        {1, 5, 7, 9, 2, 2, 1, 1, MCDL_PAD_VALID}, /* 2x2 windows inside, overlapping */
        {2, 6, 4, 19, 2, 2, 2, 2, MCDL_PAD_SAME}, /* 2x2 stride 2 tiling exactly */
        {2, 7, 9, 6, 2, 2, 2, 2, MCDL_PAD_VALID}, /* 2x2 stride 2, odd last row and column */
#if defined(__x86_64__)
        /* dx over 8 MiB: the streaming-store path (not under qemu: too slow there) */
        {2, 256, 257, 32, 2, 2, 2, 2, MCDL_PAD_VALID},
#endif
    };
    for (size_t i = 0; i < sizeof pcs / sizeof pcs[0]; i++) {
        check_pool(&pcs[i], 1);
        check_pool(&pcs[i], 3);
    }
    /* Ties: the first maximum in window order takes the gradient. */
    mcdl_conv2d_geom g;
    CHECK(ct_geom(&g, 1, 2, 2, 1, 1, 2, 2, 2, 2, 1, 1, MCDL_PAD_VALID) == 0, "tie geometry");
    const float xt[4] = {1, 3, 3, 2}, dyt[1] = {5};
    float dxt[4];
    mcdl_f32_maxpool2d_bwd(&g, xt, dyt, dxt);
    CHECK(dxt[0] == 0 && dxt[1] == 5 && dxt[2] == 0 && dxt[3] == 0, "tie routing %g %g %g %g",
          dxt[0], dxt[1], dxt[2], dxt[3]);
    float yt[1];
    uint8_t at[1];
    mcdl_f32_maxpool2d_fwd_argmax(&g, xt, yt, at);
    mcdl_f32_maxpool2d_bwd_argmax(&g, at, dyt, dxt);
    CHECK(at[0] == 1 && dxt[0] == 0 && dxt[1] == 5 && dxt[2] == 0 && dxt[3] == 0,
          "tie routing through argmax %d: %g %g %g %g", at[0], dxt[0], dxt[1], dxt[2], dxt[3]);
    return check_finish();
}
