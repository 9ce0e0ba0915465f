/* Conv2D and Conv2DTranspose kernels on the active ISA path (MCDL_ISA) against the scalar
 * references on edge shapes (odd sizes, stride > kernel, dilation, 'same'/'valid'/
 * causal, pointwise, tiny K, several tiles, 1 and 3 threads), Keras size formulas, and
 * central-difference checks of the backward kernels. */
#include "conv_testutil.h"

typedef struct {
    int64_t N, H, W, C, F, KH, KW, SH, SW, DH, DW;
    mcdl_padding pad;
} conv_case;

static const conv_case k_cases[] = {
    {2, 7, 9, 3, 5, 3, 3, 1, 1, 1, 1, MCDL_PAD_SAME},    /* K = 27: direct path */
    {2, 7, 9, 5, 6, 3, 3, 1, 1, 1, 1, MCDL_PAD_SAME},    /* im2col path */
    {1, 10, 11, 4, 7, 3, 2, 2, 3, 1, 1, MCDL_PAD_VALID}, /* anisotropic stride */
    {2, 9, 8, 3, 4, 2, 2, 3, 3, 1, 1, MCDL_PAD_VALID},   /* stride > kernel */
    {2, 9, 8, 6, 4, 2, 2, 3, 3, 1, 1, MCDL_PAD_SAME},
    {1, 12, 13, 6, 5, 3, 3, 1, 2, 2, 2, MCDL_PAD_SAME},  /* dilation */
    {3, 5, 6, 8, 9, 1, 1, 1, 1, 1, 1, MCDL_PAD_VALID},   /* pointwise GEMM */
    {2, 6, 7, 8, 5, 1, 1, 2, 2, 1, 1, MCDL_PAD_SAME},    /* strided 1x1 */
    {1, 1, 17, 4, 6, 1, 5, 1, 1, 1, 2, MCDL_PAD_CAUSAL}, /* Conv1D causal */
    {2, 1, 19, 9, 3, 1, 4, 1, 2, 1, 1, MCDL_PAD_SAME},   /* Conv1D same, even k */
    {2, 4, 4, 2, 3, 5, 5, 1, 1, 1, 1, MCDL_PAD_SAME},    /* kernel > input */
    {1, 5, 5, 2, 37, 2, 2, 1, 1, 1, 1, MCDL_PAD_VALID},  /* direct, F tails */
    {1, 5, 5, 1, 70, 3, 3, 2, 1, 1, 1, MCDL_PAD_SAME},   /* 3x3x1 as mnist */
    {1, 33, 35, 7, 17, 3, 3, 1, 1, 1, 1, MCDL_PAD_SAME}, /* several row tiles */
    {1, 90, 90, 16, 2, 3, 3, 1, 1, 1, 1, MCDL_PAD_SAME}, /* big-GEMM chunks of rows */
};

static void check_conv(const conv_case *cc, int nthreads, mcdl_act act) {
    mcdl_conv2d_geom g;
    CHECK(ct_geom(&g, cc->N, cc->H, cc->W, cc->C, cc->F, cc->KH, cc->KW, cc->SH, cc->SW, cc->DH,
                  cc->DW, cc->pad) == 0,
          "geometry");
    g.nthreads = nthreads;
    const int64_t nx = g.N * g.H * g.W * g.C, ny = g.N * g.OH * g.OW * g.F;
    const int64_t K = g.KH * g.KW * g.C, nw = K * g.F;
    float *x = ct_rand(nx), *w = ct_rand(nw), *b = ct_rand(g.F), *dz = ct_rand(ny);
    float *y = ct_rand(ny), *yr = ct_zeros(ny), *dx = ct_rand(nx), *dxr = ct_zeros(nx);
    float *dw = ct_rand(nw), *dwr = ct_zeros(nw), *db = ct_rand(g.F), *dbr = ct_zeros(g.F);
    size_t wsn = mcdl_conv2d_fwd_workspace_size(&g);
    size_t a = mcdl_conv2d_bwd_data_workspace_size(&g),
           c = mcdl_conv2d_bwd_weights_workspace_size(&g);
    wsn = wsn > a ? wsn : a;
    wsn = wsn > c ? wsn : c;
    float *ws = ct_zeros((int64_t)wsn);

    mcdl_f32_conv2d_fwd(&g, x, w, b, act, 0.1f, y, ws);
    mcdl_f32_conv2d_fwd_ref(&g, x, w, b, act, 0.1f, yr);
    const char *sh =
        "N%lld H%lld W%lld C%lld F%lld k%lldx%lld s%lldx%lld d%lldx%lld pad%d nt%d act%d";
#define ARGS                                                                                       \
    (long long)g.N, (long long)g.H, (long long)g.W, (long long)g.C, (long long)g.F,                \
        (long long)g.KH, (long long)g.KW, (long long)g.SH, (long long)g.SW, (long long)g.DH,       \
        (long long)g.DW, (int)cc->pad, nthreads, (int)act
    char what[256];
    snprintf(what, sizeof what, sh, ARGS);
    double e = ct_maxerr(y, yr, ny, K + 1);
    CHECK(e <= 1.0, "conv fwd %s: error %.3g x tol", what, e);

    mcdl_f32_conv2d_bwd_data(&g, dz, w, dx, ws);
    mcdl_f32_conv2d_bwd_data_ref(&g, dz, w, dxr);
    e = ct_maxerr(dx, dxr, nx, g.KH * g.KW * g.F);
    CHECK(e <= 1.0, "conv bwd data %s: error %.3g x tol", what, e);

    mcdl_f32_conv2d_bwd_weights(&g, x, dz, dw, db, ws);
    mcdl_f32_conv2d_bwd_weights_ref(&g, x, dz, dwr, dbr);
    e = ct_maxerr(dw, dwr, nw, g.N * g.OH * g.OW);
    CHECK(e <= 1.0, "conv bwd weights %s: error %.3g x tol", what, e);
    e = ct_maxerr(db, dbr, g.F, g.N * g.OH * g.OW);
    CHECK(e <= 1.0, "conv bwd bias %s: error %.3g x tol", what, e);

    if (act == MCDL_ACT_NONE && nthreads == 1) {
        /* Directional derivatives of L = <conv(x, w) + b, dz>: linear, so a central
         * difference with a large step is exact up to rounding. */
        float *v = ct_rand(nx > nw ? nx : nw), *xp = ct_zeros(nx), *wp = ct_zeros(nw);
        float *bp = ct_zeros(g.F), *yp = ct_zeros(ny);
        const double h = 0.5;
        double lp, lm;
        for (int64_t i = 0; i < nx; i++) xp[i] = x[i] + (float)h * v[i];
        mcdl_f32_conv2d_fwd(&g, xp, w, b, act, 0, yp, ws);
        lp = ct_dot(yp, dz, ny);
        for (int64_t i = 0; i < nx; i++) xp[i] = x[i] - (float)h * v[i];
        mcdl_f32_conv2d_fwd(&g, xp, w, b, act, 0, yp, ws);
        lm = ct_dot(yp, dz, ny);
        double want = ct_dot(dx, v, nx), got = (lp - lm) / (2 * h);
        CHECK(fabs(got - want) <= 1e-4 * (fabs(want) + (double)ny), "fd input %s: %g vs %g", what,
              got, want);
        for (int64_t i = 0; i < nw; i++) wp[i] = w[i] + (float)h * v[i];
        mcdl_f32_conv2d_fwd(&g, x, wp, b, act, 0, yp, ws);
        lp = ct_dot(yp, dz, ny);
        for (int64_t i = 0; i < nw; i++) wp[i] = w[i] - (float)h * v[i];
        mcdl_f32_conv2d_fwd(&g, x, wp, b, act, 0, yp, ws);
        lm = ct_dot(yp, dz, ny);
        want = ct_dot(dw, v, nw), got = (lp - lm) / (2 * h);
        CHECK(fabs(got - want) <= 1e-4 * (fabs(want) + (double)ny), "fd kernel %s: %g vs %g", what,
              got, want);
        for (int64_t i = 0; i < g.F; i++) bp[i] = b[i] + (float)h * v[i];
        mcdl_f32_conv2d_fwd(&g, x, w, bp, act, 0, yp, ws);
        lp = ct_dot(yp, dz, ny);
        for (int64_t i = 0; i < g.F; i++) bp[i] = b[i] - (float)h * v[i];
        mcdl_f32_conv2d_fwd(&g, x, w, bp, act, 0, yp, ws);
        lm = ct_dot(yp, dz, ny);
        want = ct_dot(db, v, g.F), got = (lp - lm) / (2 * h);
        CHECK(fabs(got - want) <= 1e-4 * (fabs(want) + (double)ny), "fd bias %s: %g vs %g", what,
              got, want);
        free(v), free(xp), free(wp), free(bp), free(yp);
    }
#undef ARGS
    free(x), free(w), free(b), free(dz), free(y), free(yr), free(dx), free(dxr);
    free(dw), free(dwr), free(db), free(dbr), free(ws);
}

typedef struct {
    int64_t N, H, W, Cin, F, K, S, D, op;
    mcdl_padding pad;
} deconv_case;

/* Transposed convolutions: y (N, OH', OW', F) from x (N, H, W, Cin); in the geometry the
 * image side is the output. */
static void check_deconv(const deconv_case *dc, int nthreads) {
    mcdl_conv2d_geom g = {0};
    int64_t oh, ow, ch, cw;
    CHECK(mcdl_deconv_out_len(dc->H, dc->K, dc->S, dc->D, dc->pad, dc->op, &oh, &ch) == 0 &&
              mcdl_deconv_out_len(dc->W, dc->K, dc->S, dc->D, dc->pad, dc->op, &ow, &cw) == 0,
          "deconv sizes");
    g.N = dc->N, g.H = oh, g.W = ow, g.C = dc->F, g.OH = dc->H, g.OW = dc->W, g.F = dc->Cin;
    g.KH = g.KW = dc->K, g.SH = g.SW = dc->S, g.DH = g.DW = dc->D, g.PT = ch, g.PL = cw;
    g.nthreads = nthreads;
    const int64_t nx = g.N * g.OH * g.OW * g.F, ny = g.N * g.H * g.W * g.C;
    const int64_t nw = g.KH * g.KW * g.C * g.F;
    float *x = ct_rand(nx), *w = ct_rand(nw), *b = ct_rand(g.C), *dz = ct_rand(ny);
    float *y = ct_rand(ny), *yr = ct_zeros(ny), *dx = ct_zeros(nx), *dxr = ct_zeros(nx);
    float *dw = ct_zeros(nw), *dwr = ct_zeros(nw), *db = ct_zeros(g.C);
    size_t wsn = mcdl_deconv2d_fwd_workspace_size(&g),
           a = mcdl_deconv2d_bwd_data_workspace_size(&g);
    size_t c = mcdl_deconv2d_bwd_weights_workspace_size(&g);
    wsn = wsn > a ? wsn : a;
    wsn = wsn > c ? wsn : c;
    float *ws = ct_zeros((int64_t)wsn);
    char what[160];
    snprintf(what, sizeof what, "N%lld %lldx%lldx%lld->F%lld k%lld s%lld d%lld op%lld pad%d nt%d",
             (long long)dc->N, (long long)dc->H, (long long)dc->W, (long long)dc->Cin,
             (long long)dc->F, (long long)dc->K, (long long)dc->S, (long long)dc->D,
             (long long)dc->op, (int)dc->pad, nthreads);

    mcdl_f32_deconv2d_fwd(&g, x, w, b, MCDL_ACT_NONE, 0, y, ws);
    mcdl_f32_deconv2d_fwd_ref(&g, x, w, b, yr);
    double e = ct_maxerr(y, yr, ny, g.KH * g.KW * g.F + 1);
    CHECK(e <= 1.0, "deconv fwd %s: error %.3g x tol", what, e);
    /* Backward data of the transpose is the convolution itself. */
    mcdl_f32_deconv2d_bwd_data(&g, dz, w, dx, ws);
    mcdl_f32_conv2d_fwd_ref(&g, dz, w, NULL, MCDL_ACT_NONE, 0, dxr);
    e = ct_maxerr(dx, dxr, nx, g.KH * g.KW * g.C);
    CHECK(e <= 1.0, "deconv bwd data %s: error %.3g x tol", what, e);
    mcdl_f32_deconv2d_bwd_weights(&g, x, dz, dw, db, ws);
    mcdl_f32_conv2d_bwd_weights_ref(&g, dz, x, dwr, NULL);
    e = ct_maxerr(dw, dwr, nw, g.N * g.OH * g.OW);
    CHECK(e <= 1.0, "deconv bwd weights %s: error %.3g x tol", what, e);
    /* Bias and input gradients against central differences of L = <deconv(x), dz>. */
    const double h = 0.5;
    float *v = ct_rand(nx), *xp = ct_zeros(nx), *bp = ct_zeros(g.C);
    for (int64_t i = 0; i < nx; i++) xp[i] = x[i] + (float)h * v[i];
    mcdl_f32_deconv2d_fwd(&g, xp, w, b, MCDL_ACT_NONE, 0, y, ws);
    double lp = ct_dot(y, dz, ny);
    for (int64_t i = 0; i < nx; i++) xp[i] = x[i] - (float)h * v[i];
    mcdl_f32_deconv2d_fwd(&g, xp, w, b, MCDL_ACT_NONE, 0, y, ws);
    double lm = ct_dot(y, dz, ny), want = ct_dot(dx, v, nx), got = (lp - lm) / (2 * h);
    CHECK(fabs(got - want) <= 1e-4 * (fabs(want) + (double)ny), "deconv fd input %s: %g vs %g",
          what, got, want);
    for (int64_t i = 0; i < g.C; i++) bp[i] = b[i] + (float)h * v[i];
    mcdl_f32_deconv2d_fwd(&g, x, w, bp, MCDL_ACT_NONE, 0, y, ws);
    lp = ct_dot(y, dz, ny);
    for (int64_t i = 0; i < g.C; i++) bp[i] = b[i] - (float)h * v[i];
    mcdl_f32_deconv2d_fwd(&g, x, w, bp, MCDL_ACT_NONE, 0, y, ws);
    lm = ct_dot(y, dz, ny), want = ct_dot(db, v, g.C), got = (lp - lm) / (2 * h);
    CHECK(fabs(got - want) <= 1e-4 * (fabs(want) + (double)ny), "deconv fd bias %s: %g vs %g", what,
          got, want);
    free(v), free(xp), free(bp);
    free(x), free(w), free(b), free(dz), free(y), free(yr), free(dx), free(dxr);
    free(dw), free(dwr), free(db), free(ws);
}

static void check_sizes(void) {
    int64_t o, p;
    CHECK(mcdl_conv_out_len(5, 3, 2, 1, MCDL_PAD_SAME, &o, &p) == 0 && o == 3 && p == 1,
          "same 5/3/2");
    CHECK(mcdl_conv_out_len(6, 3, 2, 1, MCDL_PAD_SAME, &o, &p) == 0 && o == 3 && p == 0,
          "same 6/3/2");
    CHECK(mcdl_conv_out_len(28, 3, 1, 1, MCDL_PAD_VALID, &o, &p) == 0 && o == 26 && p == 0,
          "valid");
    CHECK(mcdl_conv_out_len(10, 3, 1, 2, MCDL_PAD_VALID, &o, &p) == 0 && o == 6, "dilated valid");
    CHECK(mcdl_conv_out_len(10, 3, 1, 2, MCDL_PAD_CAUSAL, &o, &p) == 0 && o == 10 && p == 4,
          "causal");
    CHECK(mcdl_conv_out_len(2, 3, 1, 1, MCDL_PAD_VALID, &o, &p) == -1, "kernel larger than input");
    CHECK(mcdl_conv_out_len(5, 3, 0, 1, MCDL_PAD_SAME, &o, &p) == -1, "stride 0");
    CHECK(mcdl_conv_out_len(0, 3, 1, 1, MCDL_PAD_SAME, &o, &p) == -1, "size 0");
    CHECK(mcdl_deconv_out_len(7, 4, 2, 1, MCDL_PAD_SAME, -1, &o, &p) == 0 && o == 14 && p == 1,
          "gan deconv");
    CHECK(mcdl_deconv_out_len(7, 4, 2, 1, MCDL_PAD_VALID, -1, &o, &p) == 0 && o == 16 && p == 0,
          "valid deconv");
    CHECK(mcdl_deconv_out_len(3, 3, 2, 1, MCDL_PAD_VALID, 1, &o, &p) == 0 && o == 8,
          "output_padding");
    CHECK(mcdl_deconv_out_len(4, 2, 3, 1, MCDL_PAD_VALID, -1, &o, &p) == 0 && o == 12,
          "stride > k");
    CHECK(mcdl_deconv_out_len(5, 3, 2, 1, MCDL_PAD_SAME, 1, &o, &p) == 0 && o == 10 && p == 0,
          "same op 1: TF pads (4*2+3-10)//2 = 0 before");
    CHECK(mcdl_deconv_out_len(3, 3, 2, 1, MCDL_PAD_VALID, 2, &o, &p) == -1,
          "output_padding >= stride");
}

int main(void) {
    check_require_isa();
    check_sizes();
    const int n = (int)(sizeof k_cases / sizeof k_cases[0]);
    for (int i = 0; i < n; i++) {
        check_conv(&k_cases[i], 1, MCDL_ACT_NONE);
        check_conv(&k_cases[i], 3, i % 2 ? MCDL_ACT_RELU : MCDL_ACT_NONE);
    }
    check_conv(&k_cases[0], 2, MCDL_ACT_SIGMOID);
    check_conv(&k_cases[1], 2, MCDL_ACT_LEAKY_RELU);
    check_conv(&k_cases[11], 2, MCDL_ACT_TANH);
    static const deconv_case dcs[] = {
        {2, 7, 7, 5, 4, 4, 2, 1, -1, MCDL_PAD_SAME},  /* gan generator shape, small */
        {1, 5, 6, 3, 2, 3, 2, 1, 1, MCDL_PAD_VALID},  /* output_padding */
        {2, 4, 3, 2, 3, 2, 3, 1, -1, MCDL_PAD_VALID}, /* stride > kernel */
        {1, 5, 5, 3, 3, 3, 2, 1, 1, MCDL_PAD_SAME},   /* same + output_padding */
        {1, 4, 5, 2, 3, 3, 1, 2, -1, MCDL_PAD_SAME},  /* dilation */
        {2, 6, 6, 8, 6, 3, 1, 1, -1, MCDL_PAD_VALID},
    };
    for (size_t i = 0; i < sizeof dcs / sizeof dcs[0]; i++) {
        check_deconv(&dcs[i], 1);
        check_deconv(&dcs[i], 3);
    }
    return check_finish();
}
