/* Cross-check of the convolution-family kernels against oneDNN 2.6 (C API) on a grid of
 * N, H, W, C, F, kernel, stride, dilation and padding: convolution, depthwise (groups),
 * deconvolution forward / backward data / backward weights, max and average pooling
 * (avg_exclude_padding = Keras 'same'), batch normalisation training forward/backward.
 * Keras weight layouts are described to oneDNN by strides (no copies); oneDNN's padding
 * is explicit and its dilation 0-based. Tolerances scale with the reduction length. */
#include <dnnl.h>

#include "kernels/conv_testutil.h"
#include "kernels/norm/batchnorm.h"

static dnnl_engine_t eng;
static dnnl_stream_t strm;

#define DN(call)                                                                                   \
    do {                                                                                           \
        dnnl_status_t s_ = (call);                                                                 \
        if (s_ != dnnl_success) {                                                                  \
            fprintf(stderr, "%s:%d: %s -> %d\n", __FILE__, __LINE__, #call, (int)s_);              \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static dnnl_memory_desc_t md_nhwc(int64_t n, int64_t c, int64_t h, int64_t w) {
    dnnl_memory_desc_t md;
    dnnl_dims_t d = {n, c, h, w};
    DN(dnnl_memory_desc_init_by_tag(&md, 4, d, dnnl_f32, dnnl_nhwc));
    return md;
}

static dnnl_memory_desc_t md_strided(int nd, const int64_t *dims, const int64_t *strides) {
    dnnl_memory_desc_t md;
    dnnl_dims_t d, s;
    for (int i = 0; i < nd; i++) d[i] = dims[i], s[i] = strides[i];
    DN(dnnl_memory_desc_init_by_strides(&md, nd, d, dnnl_f32, s));
    return md;
}

static dnnl_memory_desc_t md_1d(int64_t n) {
    dnnl_memory_desc_t md;
    dnnl_dims_t d = {n};
    DN(dnnl_memory_desc_init_by_tag(&md, 1, d, dnnl_f32, dnnl_a));
    return md;
}

/* Runs one primitive from an op descriptor with (arg, desc, pointer) triples. */
typedef struct {
    int arg;
    dnnl_memory_desc_t md;
    void *ptr;
} dn_arg;

static dnnl_primitive_desc_t run(const void *op, const_dnnl_primitive_desc_t hint, int nargs,
                                 const dn_arg *a, int keep_pd) {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t p;
    DN(dnnl_primitive_desc_create(&pd, op, NULL, eng, hint));
    DN(dnnl_primitive_create(&p, pd));
    dnnl_exec_arg_t args[12];
    dnnl_memory_t mems[12];
    for (int i = 0; i < nargs; i++) {
        DN(dnnl_memory_create(&mems[i], &a[i].md, eng, a[i].ptr));
        args[i].arg = a[i].arg, args[i].memory = mems[i];
    }
    DN(dnnl_primitive_execute(p, strm, nargs, args));
    DN(dnnl_stream_wait(strm));
    for (int i = 0; i < nargs; i++) dnnl_memory_destroy(mems[i]);
    dnnl_primitive_destroy(p);
    if (keep_pd) return pd;
    dnnl_primitive_desc_destroy(pd);
    return NULL;
}

static void pads(const mcdl_conv2d_geom *g, dnnl_dims_t st, dnnl_dims_t dil, dnnl_dims_t pl,
                 dnnl_dims_t pr) {
    st[0] = g->SH, st[1] = g->SW, dil[0] = g->DH - 1, dil[1] = g->DW - 1;
    pl[0] = g->PT, pl[1] = g->PL;
    int64_t r0 = (g->OH - 1) * g->SH + g->DH * (g->KH - 1) + 1 - g->H - g->PT;
    int64_t r1 = (g->OW - 1) * g->SW + g->DW * (g->KW - 1) + 1 - g->W - g->PL;
    pr[0] = r0 > 0 ? r0 : 0, pr[1] = r1 > 0 ? r1 : 0;
}

static float *ws_for(size_t n) { return ct_zeros((int64_t)n); }

/* groups == 0: Conv2D; groups == C: depthwise with M = F / C. */
static void xcheck_conv(const mcdl_conv2d_geom *g, int depthwise, const char *what) {
    const int64_t nx = g->N * g->H * g->W * g->C, ny = g->N * g->OH * g->OW * g->F;
    const int64_t nw = g->KH * g->KW * (depthwise ? 1 : g->C) * g->F, M = g->F / g->C;
    float *x = ct_rand(nx), *w = ct_rand(nw), *b = ct_rand(g->F), *dz = ct_rand(ny);
    float *y = ct_zeros(ny), *yo = ct_zeros(ny), *dx = ct_zeros(nx), *dxo = ct_zeros(nx);
    float *dw = ct_zeros(nw), *dwo = ct_zeros(nw), *db = ct_zeros(g->F), *dbo = ct_zeros(g->F);
    dnnl_dims_t st, dil, pl, pr;
    pads(g, st, dil, pl, pr);
    dnnl_memory_desc_t src = md_nhwc(g->N, g->C, g->H, g->W),
                       dst = md_nhwc(g->N, g->F, g->OH, g->OW);
    dnnl_memory_desc_t bias = md_1d(g->F), wei;
    if (depthwise) {
        const int64_t dims[5] = {g->C, M, 1, g->KH, g->KW};
        const int64_t str[5] = {M, 1, 1, g->KW * g->F, g->F};
        wei = md_strided(5, dims, str);
    } else {
        const int64_t dims[4] = {g->F, g->C, g->KH, g->KW};
        const int64_t str[4] = {1, g->F, g->KW * g->C * g->F, g->C * g->F};
        wei = md_strided(4, dims, str);
    }
    dnnl_convolution_desc_t cd;
    DN(dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_training,
                                                  dnnl_convolution_direct, &src, &wei, &bias, &dst,
                                                  st, dil, pl, pr));
    dn_arg fa[] = {{DNNL_ARG_SRC, src, x},
                   {DNNL_ARG_WEIGHTS, wei, w},
                   {DNNL_ARG_BIAS, bias, b},
                   {DNNL_ARG_DST, dst, yo}};
    dnnl_primitive_desc_t fpd = run(&cd, NULL, 4, fa, 1);
    DN(dnnl_dilated_convolution_backward_data_desc_init(&cd, dnnl_convolution_direct, &src, &wei,
                                                        &dst, st, dil, pl, pr));
    dn_arg da[] = {
        {DNNL_ARG_DIFF_SRC, src, dxo}, {DNNL_ARG_WEIGHTS, wei, w}, {DNNL_ARG_DIFF_DST, dst, dz}};
    run(&cd, fpd, 3, da, 0);
    DN(dnnl_dilated_convolution_backward_weights_desc_init(&cd, dnnl_convolution_direct, &src, &wei,
                                                           &bias, &dst, st, dil, pl, pr));
    dn_arg wa[] = {{DNNL_ARG_SRC, src, x},
                   {DNNL_ARG_DIFF_WEIGHTS, wei, dwo},
                   {DNNL_ARG_DIFF_BIAS, bias, dbo},
                   {DNNL_ARG_DIFF_DST, dst, dz}};
    run(&cd, fpd, 4, wa, 0);
    dnnl_primitive_desc_destroy(fpd);

    const int64_t kred = g->KH * g->KW * (depthwise ? 1 : g->C), pos = g->N * g->OH * g->OW;
    if (depthwise) {
        float *ws = ws_for(mcdl_dwconv2d_bwd_weights_workspace_size(g));
        mcdl_f32_dwconv2d_fwd(g, x, w, b, MCDL_ACT_NONE, 0, y);
        mcdl_f32_dwconv2d_bwd_data(g, dz, w, dx);
        mcdl_f32_dwconv2d_bwd_weights(g, x, dz, dw, db, ws);
        free(ws);
    } else {
        size_t a = mcdl_conv2d_fwd_workspace_size(g), bb = mcdl_conv2d_bwd_data_workspace_size(g);
        size_t c = mcdl_conv2d_bwd_weights_workspace_size(g);
        float *ws = ws_for(a > bb ? (a > c ? a : c) : (bb > c ? bb : c));
        mcdl_f32_conv2d_fwd(g, x, w, b, MCDL_ACT_NONE, 0, y, ws);
        mcdl_f32_conv2d_bwd_data(g, dz, w, dx, ws);
        mcdl_f32_conv2d_bwd_weights(g, x, dz, dw, db, ws);
        free(ws);
    }
    double e;
    CHECK((e = ct_maxerr(y, yo, ny, kred + 1)) <= 1.0, "%s fwd: %.3g x tol", what, e);
    CHECK((e = ct_maxerr(dx, dxo, nx, g->KH * g->KW * (depthwise ? M : g->F))) <= 1.0,
          "%s bwd data: %.3g x tol", what, e);
    CHECK((e = ct_maxerr(dw, dwo, nw, pos)) <= 1.0, "%s bwd weights: %.3g x tol", what, e);
    CHECK((e = ct_maxerr(db, dbo, g->F, pos)) <= 1.0, "%s bwd bias: %.3g x tol", what, e);
    free(x), free(w), free(b), free(dz), free(y), free(yo), free(dx), free(dxo);
    free(dw), free(dwo), free(db), free(dbo);
}

/* Transposed convolution: oneDNN src = our x (N, OH, OW, F = Cin), dst = (N, H, W, C). */
static void xcheck_deconv(const mcdl_conv2d_geom *g, const char *what) {
    const int64_t nx = g->N * g->OH * g->OW * g->F, ny = g->N * g->H * g->W * g->C;
    const int64_t nw = g->KH * g->KW * g->C * g->F;
    float *x = ct_rand(nx), *w = ct_rand(nw), *b = ct_rand(g->C), *dz = ct_rand(ny);
    float *y = ct_zeros(ny), *yo = ct_zeros(ny), *dx = ct_zeros(nx), *dxo = ct_zeros(nx);
    float *dw = ct_zeros(nw), *dwo = ct_zeros(nw), *db = ct_zeros(g->C), *dbo = ct_zeros(g->C);
    dnnl_dims_t st, dil, pl, pr;
    pads(g, st, dil, pl, pr);
    dnnl_memory_desc_t src = md_nhwc(g->N, g->F, g->OH, g->OW),
                       dst = md_nhwc(g->N, g->C, g->H, g->W);
    dnnl_memory_desc_t bias = md_1d(g->C);
    /* Keras (kh, kw, filters = OC, Cin = IC) */
    const int64_t dims[4] = {g->C, g->F, g->KH, g->KW};
    const int64_t str[4] = {g->F, 1, g->KW * g->C * g->F, g->C * g->F};
    dnnl_memory_desc_t wei = md_strided(4, dims, str);
    dnnl_deconvolution_desc_t dd;
    DN(dnnl_dilated_deconvolution_forward_desc_init(&dd, dnnl_forward_training,
                                                    dnnl_deconvolution_direct, &src, &wei, &bias,
                                                    &dst, st, dil, pl, pr));
    dn_arg fa[] = {{DNNL_ARG_SRC, src, x},
                   {DNNL_ARG_WEIGHTS, wei, w},
                   {DNNL_ARG_BIAS, bias, b},
                   {DNNL_ARG_DST, dst, yo}};
    dnnl_primitive_desc_t fpd = run(&dd, NULL, 4, fa, 1);
    DN(dnnl_dilated_deconvolution_backward_data_desc_init(&dd, dnnl_deconvolution_direct, &src,
                                                          &wei, &dst, st, dil, pl, pr));
    dn_arg da[] = {
        {DNNL_ARG_DIFF_SRC, src, dxo}, {DNNL_ARG_WEIGHTS, wei, w}, {DNNL_ARG_DIFF_DST, dst, dz}};
    run(&dd, fpd, 3, da, 0);
    DN(dnnl_dilated_deconvolution_backward_weights_desc_init(&dd, dnnl_deconvolution_direct, &src,
                                                             &wei, &bias, &dst, st, dil, pl, pr));
    dn_arg wa[] = {{DNNL_ARG_SRC, src, x},
                   {DNNL_ARG_DIFF_WEIGHTS, wei, dwo},
                   {DNNL_ARG_DIFF_BIAS, bias, dbo},
                   {DNNL_ARG_DIFF_DST, dst, dz}};
    run(&dd, fpd, 4, wa, 0);
    dnnl_primitive_desc_destroy(fpd);
    size_t a = mcdl_deconv2d_fwd_workspace_size(g), bb = mcdl_deconv2d_bwd_data_workspace_size(g);
    size_t c = mcdl_deconv2d_bwd_weights_workspace_size(g);
    float *ws = ws_for(a > bb ? (a > c ? a : c) : (bb > c ? bb : c));
    mcdl_f32_deconv2d_fwd(g, x, w, b, MCDL_ACT_NONE, 0, y, ws);
    mcdl_f32_deconv2d_bwd_data(g, dz, w, dx, ws);
    mcdl_f32_deconv2d_bwd_weights(g, x, dz, dw, db, ws);
    double e;
    CHECK((e = ct_maxerr(y, yo, ny, g->KH * g->KW * g->F + 1)) <= 1.0, "%s fwd: %.3g x tol", what,
          e);
    CHECK((e = ct_maxerr(dx, dxo, nx, g->KH * g->KW * g->C)) <= 1.0, "%s bwd data: %.3g", what, e);
    CHECK((e = ct_maxerr(dw, dwo, nw, g->N * g->OH * g->OW)) <= 1.0, "%s bwd w: %.3g", what, e);
    CHECK((e = ct_maxerr(db, dbo, g->C, ny / g->C)) <= 1.0, "%s bwd bias: %.3g", what, e);
    free(ws), free(x), free(w), free(b), free(dz), free(y), free(yo), free(dx), free(dxo);
    free(dw), free(dwo), free(db), free(dbo);
}

static void xcheck_pool(const mcdl_conv2d_geom *g, int avg, const char *what) {
    const int64_t nx = g->N * g->H * g->W * g->C, ny = g->N * g->OH * g->OW * g->C;
    float *x = ct_rand(nx), *dy = ct_rand(ny), *y = ct_zeros(ny), *yo = ct_zeros(ny);
    float *dx = ct_zeros(nx), *dxo = ct_zeros(nx);
    dnnl_dims_t st, dil, pl, pr, k = {g->KH, g->KW};
    pads(g, st, dil, pl, pr);
    dnnl_memory_desc_t src = md_nhwc(g->N, g->C, g->H, g->W),
                       dst = md_nhwc(g->N, g->C, g->OH, g->OW);
    const dnnl_alg_kind_t alg = avg ? dnnl_pooling_avg_exclude_padding : dnnl_pooling_max;
    dnnl_pooling_v2_desc_t pdsc;
    DN(dnnl_pooling_v2_forward_desc_init(&pdsc, dnnl_forward_training, alg, &src, &dst, st, k, dil,
                                         pl, pr));
    dnnl_primitive_desc_t fpd;
    DN(dnnl_primitive_desc_create(&fpd, &pdsc, NULL, eng, NULL));
    const dnnl_memory_desc_t *wmd = dnnl_primitive_desc_query_md(fpd, dnnl_query_workspace_md, 0);
    dnnl_memory_desc_t wsmd = *wmd;
    void *wsbuf = calloc(dnnl_memory_desc_get_size(&wsmd) + 64, 1);
    dnnl_primitive_desc_destroy(fpd);
    dn_arg fa[] = {
        {DNNL_ARG_SRC, src, x}, {DNNL_ARG_DST, dst, yo}, {DNNL_ARG_WORKSPACE, wsmd, wsbuf}};
    fpd = run(&pdsc, NULL, avg ? 2 : 3, fa, 1);
    DN(dnnl_pooling_v2_backward_desc_init(&pdsc, alg, &src, &dst, st, k, dil, pl, pr));
    dn_arg ba[] = {{DNNL_ARG_DIFF_SRC, src, dxo},
                   {DNNL_ARG_DIFF_DST, dst, dy},
                   {DNNL_ARG_WORKSPACE, wsmd, wsbuf}};
    run(&pdsc, fpd, avg ? 2 : 3, ba, 0);
    dnnl_primitive_desc_destroy(fpd);
    if (avg) {
        mcdl_f32_avgpool2d_fwd(g, x, y);
        mcdl_f32_avgpool2d_bwd(g, dy, dx);
    } else {
        mcdl_f32_maxpool2d_fwd(g, x, y);
        mcdl_f32_maxpool2d_bwd(g, x, dy, dx);
    }
    double e;
    CHECK((e = ct_maxerr(y, yo, ny, g->KH * g->KW)) <= 1.0, "%s fwd: %.3g x tol", what, e);
    CHECK((e = ct_maxerr(dx, dxo, nx, g->KH * g->KW)) <= 1.0, "%s bwd: %.3g x tol", what, e);
    free(wsbuf), free(x), free(dy), free(y), free(yo), free(dx), free(dxo);
}

static void xcheck_bn(int64_t N, int64_t H, int64_t W, int64_t C) {
    const int64_t n = N * H * W * C;
    mcdl_bnorm_desc d = {.rows = N * H * W, .C = C, .eps = 1e-3f, .momentum = 0.99f};
    float *x = ct_rand(n), *dy = ct_rand(n), *y = ct_zeros(n), *yo = ct_zeros(n);
    float *dx = ct_zeros(n), *dxo = ct_zeros(n), *g = ct_rand(C), *b = ct_rand(C);
    float *mean = ct_zeros(C), *istd = ct_zeros(C), *mo = ct_zeros(C), *vo = ct_zeros(C);
    float *dg = ct_zeros(C), *db = ct_zeros(C), *dgo = ct_zeros(C), *dbo = ct_zeros(C);
    float *ws = ws_for(mcdl_bnorm_workspace_size(&d));
    dnnl_memory_desc_t data = md_nhwc(N, C, H, W), cm = md_1d(C);
    const unsigned flags = dnnl_use_scale | dnnl_use_shift;
    dnnl_batch_normalization_desc_t bd;
    DN(dnnl_batch_normalization_forward_desc_init(&bd, dnnl_forward_training, &data, 1e-3f, flags));
    dn_arg fa[] = {{DNNL_ARG_SRC, data, x}, {DNNL_ARG_DST, data, yo}, {DNNL_ARG_SCALE, cm, g},
                   {DNNL_ARG_SHIFT, cm, b}, {DNNL_ARG_MEAN, cm, mo},  {DNNL_ARG_VARIANCE, cm, vo}};
    dnnl_primitive_desc_t fpd = run(&bd, NULL, 6, fa, 1);
    DN(dnnl_batch_normalization_backward_desc_init(&bd, dnnl_backward, &data, &data, 1e-3f, flags));
    dn_arg ba[] = {{DNNL_ARG_SRC, data, x},        {DNNL_ARG_DIFF_DST, data, dy},
                   {DNNL_ARG_SCALE, cm, g},        {DNNL_ARG_MEAN, cm, mo},
                   {DNNL_ARG_VARIANCE, cm, vo},    {DNNL_ARG_DIFF_SRC, data, dxo},
                   {DNNL_ARG_DIFF_SCALE, cm, dgo}, {DNNL_ARG_DIFF_SHIFT, cm, dbo},
                   {DNNL_ARG_SHIFT, cm, b}};
    run(&bd, fpd, 9, ba, 0);
    dnnl_primitive_desc_destroy(fpd);
    mcdl_f32_bnorm_fwd_train(&d, x, g, b, y, mean, istd, NULL, NULL, ws);
    mcdl_f32_bnorm_bwd_train(&d, x, dy, g, mean, istd, dx, dg, db, ws);
    char what[64];
    snprintf(what, sizeof what, "bnorm %lldx%lldx%lldx%lld", (long long)N, (long long)H,
             (long long)W, (long long)C);
    const int64_t R = N * H * W;
    double e;
    CHECK((e = ct_maxerr(y, yo, n, 4 * R)) <= 1.0, "%s fwd: %.3g x tol", what, e);
    CHECK((e = ct_maxerr(mean, mo, C, R)) <= 1.0, "%s mean: %.3g x tol", what, e);
    CHECK((e = ct_maxerr(dx, dxo, n, 8 * R)) <= 1.0, "%s bwd: %.3g x tol", what, e);
    CHECK((e = ct_maxerr(dg, dgo, C, 4 * R)) <= 1.0 && ct_maxerr(db, dbo, C, R) <= 1.0,
          "%s dgamma/dbeta", what);
    free(ws), free(x), free(dy), free(y), free(yo), free(dx), free(dxo), free(g), free(b);
    free(mean), free(istd), free(mo), free(vo), free(dg), free(db), free(dgo), free(dbo);
}

int main(void) {
    check_require_isa();
    DN(dnnl_engine_create(&eng, dnnl_cpu, 0));
    DN(dnnl_stream_create(&strm, eng, dnnl_stream_default_flags));
    static const int64_t Ns[] = {1, 3};
    static const int64_t HWs[][2] = {{7, 7}, {9, 6}, {12, 13}};
    static const int64_t CFs[][2] = {{1, 8}, {3, 16}, {16, 24}, {13, 7}};
    static const int64_t Ks[] = {1, 2, 3, 5};
    static const int64_t Ss[] = {1, 2, 3};
    int count = 0;
    char what[160];
    for (size_t a = 0; a < 2; a++)
        for (size_t b = 0; b < 3; b++)
            for (size_t c = 0; c < 4; c++)
                for (size_t k = 0; k < 4; k++)
                    for (size_t s = 0; s < 3; s++) {
                        /* walk the grid sparsely but cover every value of every axis */
                        if ((a + b + c + k + s) % 3) continue;
                        const int64_t d = (k + s) % 4 == 1 && Ks[k] > 1 ? 2 : 1;
                        const mcdl_padding p = (c + s) % 2 ? MCDL_PAD_VALID : MCDL_PAD_SAME;
                        mcdl_conv2d_geom g;
                        if (ct_geom(&g, Ns[a], HWs[b][0], HWs[b][1], CFs[c][0], CFs[c][1], Ks[k],
                                    Ks[k], Ss[s], Ss[s], d, d, p))
                            continue;
                        snprintf(what, sizeof what,
                                 "conv N%lld %lldx%lldx%lld F%lld k%lld s%lld d%lld %s",
                                 (long long)g.N, (long long)g.H, (long long)g.W, (long long)g.C,
                                 (long long)g.F, (long long)g.KH, (long long)g.SH, (long long)d,
                                 p ? "same" : "valid");
                        xcheck_conv(&g, 0, what);
                        g.F = g.C * (1 + (int64_t)(s % 2));
                        what[0] = 'D';
                        xcheck_conv(&g, 1, what);
                        /* the transposed convolution of the same geometry */
                        g.F = CFs[c][1];
                        what[0] = 'T';
                        xcheck_deconv(&g, what);
                        if (d == 1) {
                            g.F = g.C;
                            what[0] = 'P';
                            xcheck_pool(&g, 0, what);
                            xcheck_pool(&g, 1, what);
                        }
                        count++;
                    }
    CHECK(count >= 30, "grid visited %d geometries", count);
    /* Seed shapes at batch 2 */
    mcdl_conv2d_geom g;
    ct_geom(&g, 2, 14, 14, 64, 64, 3, 3, 1, 1, 1, 1, MCDL_PAD_SAME);
    xcheck_conv(&g, 1, "seed depthwise 14x14x64");
    ct_geom(&g, 2, 28, 28, 1, 32, 3, 3, 1, 1, 1, 1, MCDL_PAD_VALID);
    xcheck_conv(&g, 0, "seed mnist conv");
    ct_geom(&g, 2, 14, 14, 64, 128, 4, 4, 2, 2, 1, 1, MCDL_PAD_SAME);
    xcheck_deconv(&g, "seed gan deconv 7x7x128->14x14x64"); /* image side is the output */
    xcheck_bn(2, 5, 7, 13);
    xcheck_bn(4, 8, 8, 64);
    xcheck_bn(3, 1, 1, 33);
    dnnl_stream_destroy(strm);
    dnnl_engine_destroy(eng);
    return check_finish();
}
