/* Dispatch of the per-ISA direct kernels and the threaded drivers of depthwise convolution
 * and pooling: forward passes and gathers split (image, row) pairs across the team;
 * scatters (pooling backward) split images, whose rows overlap in dx; the depthwise
 * weight gradient keeps one partial per thread, reduced in thread order. */
#include <omp.h>
#include <string.h>

#include "kernels/conv/conv.h"

const mcdl_conv_isa_ops *mcdl_conv_ops_for(mcdl_isa isa) {
    switch (isa) {
    case MCDL_ISA_REF:
        return &mcdl_conv_ops_scalar;
#if defined(__x86_64__)
    case MCDL_ISA_AVX2:
        return &mcdl_conv_ops_avx2;
    case MCDL_ISA_AVX512:
        return &mcdl_conv_ops_avx512;
#elif defined(__aarch64__)
    case MCDL_ISA_NEON:
        return &mcdl_conv_ops_neon;
#endif
    default:
        return NULL;
    }
}

const mcdl_conv_isa_ops *mcdl_conv_ops_active(void) {
    const mcdl_conv_isa_ops *ops = mcdl_conv_ops_for(mcdl_cpu_active_isa());
    return ops ? ops : &mcdl_conv_ops_scalar;
}

void mcdl_f32_dwconv2d_fwd(const mcdl_conv2d_geom *g, const float *x, const float *w,
                           const float *bias, mcdl_act act, float act_alpha, float *y) {
    const mcdl_conv_isa_ops *ops = mcdl_conv_ops_active();
    const int64_t rows = g->N * g->OH;
#pragma omp parallel for num_threads(mcdl_conv_threads(g)) schedule(static)
    for (int64_t r = 0; r < rows; r++)
        ops->dw_fwd_row(g, x, w, bias, act, act_alpha, r / g->OH, r % g->OH, y);
}

void mcdl_f32_dwconv2d_bwd_data(const mcdl_conv2d_geom *g, const float *dz, const float *w,
                                float *dx) {
    if (g->KH * g->KW > MCDL_DW_MAX_TAPS) {
        mcdl_f32_dwconv2d_bwd_data_ref(g, dz, w, dx);
        return;
    }
    const mcdl_conv_isa_ops *ops = mcdl_conv_ops_active();
    const int64_t rows = g->N * g->H;
#pragma omp parallel for num_threads(mcdl_conv_threads(g)) schedule(static)
    for (int64_t r = 0; r < rows; r++) ops->dw_bwd_data_row(g, dz, w, r / g->H, r % g->H, dx);
}

size_t mcdl_dwconv2d_bwd_weights_workspace_size(const mcdl_conv2d_geom *g) {
    return (size_t)mcdl_conv_threads(g) * (size_t)(g->KH * g->KW * g->F + g->F);
}

void mcdl_f32_dwconv2d_bwd_weights(const mcdl_conv2d_geom *g, const float *x, const float *dz,
                                   float *dw, float *dbias, float *ws) {
    const mcdl_conv_isa_ops *ops = mcdl_conv_ops_active();
    const int nt = mcdl_conv_threads(g);
    const int64_t rows = g->N * g->OH, wlen = g->KH * g->KW * g->F;
    const size_t partsz = (size_t)(wlen + g->F);
#pragma omp parallel num_threads(nt)
    {
        const int tid = omp_get_thread_num();
        float *part = ws + (size_t)tid * partsz;
        memset(part, 0, partsz * sizeof(float));
        const int64_t lo = rows * tid / nt, hi = rows * (tid + 1) / nt;
        for (int64_t r = lo; r < hi; r++)
            ops->dw_bwd_weights_row(g, x, dz, r / g->OH, r % g->OH, part,
                                    dbias ? part + wlen : NULL);
#pragma omp barrier
#pragma omp for schedule(static)
        for (int64_t i = 0; i < (int64_t)partsz; i++) {
            if (i >= wlen && !dbias) continue;
            float s = ws[i];
            for (int t = 1; t < nt; t++) s += ws[(size_t)t * partsz + (size_t)i];
            if (i < wlen)
                dw[i] = s;
            else
                dbias[i - wlen] = s;
        }
    }
}

void mcdl_f32_maxpool2d_fwd(const mcdl_conv2d_geom *g, const float *x, float *y) {
    const mcdl_conv_isa_ops *ops = mcdl_conv_ops_active();
    const int64_t rows = g->N * g->OH;
#pragma omp parallel for num_threads(mcdl_conv_threads(g)) schedule(static)
    for (int64_t r = 0; r < rows; r++) ops->maxpool_fwd_row(g, x, r / g->OH, r % g->OH, y);
}

void mcdl_f32_avgpool2d_fwd(const mcdl_conv2d_geom *g, const float *x, float *y) {
    const mcdl_conv_isa_ops *ops = mcdl_conv_ops_active();
    const int64_t rows = g->N * g->OH;
#pragma omp parallel for num_threads(mcdl_conv_threads(g)) schedule(static)
    for (int64_t r = 0; r < rows; r++) ops->avgpool_fwd_row(g, x, r / g->OH, r % g->OH, y);
}

/* Pooling backward scatters into dx. When windows do not overlap vertically (stride >=
 * window) each output row owns the band of input rows [oh*SH - PT, (oh+1)*SH - PT): it
 * zeroes its band right before adding into it (in cache, no separate pass over dx), and
 * (image, row) pairs run in parallel. Otherwise images are the unit. */
typedef void (*pool_bwd_row_fn)(const mcdl_conv2d_geom *g, const void *x, const float *dy,
                                int64_t n, int64_t oh, float *dx);

static void pool_bwd_driver(const mcdl_conv2d_geom *g, const void *x, const float *dy, float *dx,
                            pool_bwd_row_fn row, int is_max) {
    const int64_t rowsz = g->W * g->C, img = g->H * rowsz;
    const int nt = mcdl_conv_threads(g);
    if (g->KH == 2 && g->KW == 2 && g->SH == 2 && g->SW == 2 && g->PT == 0 && g->PL == 0 &&
        2 * g->OH <= g->H && 2 * g->OW <= g->W) {
        const mcdl_conv_isa_ops *ops = mcdl_conv_ops_active();
        const int64_t rows = g->N * g->OH;
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int64_t r = 0; r < rows; r++) {
            const int64_t n = r / g->OH, oh = r % g->OH;
            ops->pool2x2_bwd_row(g, x, dy, n, oh, dx, is_max);
            if (oh == g->OH - 1 && 2 * g->OH < g->H) /* the odd last row, in no window */
                memset(dx + n * img + 2 * g->OH * rowsz, 0,
                       (size_t)((g->H - 2 * g->OH) * rowsz) * sizeof(float));
        }
        return;
    }
    if (g->SH >= g->KH) {
        const int64_t rows = g->N * g->OH;
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int64_t r = 0; r < rows; r++) {
            const int64_t n = r / g->OH, oh = r % g->OH;
            int64_t h0 = oh * g->SH - g->PT, h1 = h0 + g->SH;
            if (oh == 0) h0 = 0;
            if (oh == g->OH - 1) h1 = g->H;
            if (h0 < 0) h0 = 0;
            if (h1 > g->H) h1 = g->H;
            if (h1 > h0)
                memset(dx + n * img + h0 * rowsz, 0, (size_t)((h1 - h0) * rowsz) * sizeof(float));
            row(g, x, dy, n, oh, dx);
        }
        return;
    }
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t n = 0; n < g->N; n++) {
        memset(dx + n * img, 0, (size_t)img * sizeof(float));
        for (int64_t oh = 0; oh < g->OH; oh++) row(g, x, dy, n, oh, dx);
    }
}

static void avg_bwd_row(const mcdl_conv2d_geom *g, const void *x, const float *dy, int64_t n,
                        int64_t oh, float *dx) {
    (void)x;
    mcdl_conv_ops_active()->avgpool_bwd_row(g, dy, n, oh, dx);
}

static void max_bwd_row(const mcdl_conv2d_geom *g, const void *x, const float *dy, int64_t n,
                        int64_t oh, float *dx) {
    mcdl_conv_ops_active()->maxpool_bwd_row(g, x, dy, n, oh, dx);
}

void mcdl_f32_maxpool2d_bwd(const mcdl_conv2d_geom *g, const float *x, const float *dy, float *dx) {
    pool_bwd_driver(g, x, dy, dx, max_bwd_row, 1);
}

void mcdl_f32_avgpool2d_bwd(const mcdl_conv2d_geom *g, const float *dy, float *dx) {
    pool_bwd_driver(g, NULL, dy, dx, avg_bwd_row, 0);
}

void mcdl_f32_maxpool2d_fwd_argmax(const mcdl_conv2d_geom *g, const float *x, float *y,
                                   uint8_t *arg) {
    const mcdl_conv_isa_ops *ops = mcdl_conv_ops_active();
    const int64_t rows = g->N * g->OH;
#pragma omp parallel for num_threads(mcdl_conv_threads(g)) schedule(static)
    for (int64_t r = 0; r < rows; r++)
        ops->maxpool_fwd_argmax_row(g, x, r / g->OH, r % g->OH, y, arg);
}

static void argmax_bwd_row(const mcdl_conv2d_geom *g, const void *arg, const float *dy, int64_t n,
                           int64_t oh, float *dx) {
    mcdl_conv_ops_active()->maxpool_bwd_argmax_row(g, arg, dy, n, oh, dx);
}

void mcdl_f32_maxpool2d_bwd_argmax(const mcdl_conv2d_geom *g, const uint8_t *arg, const float *dy,
                                   float *dx) {
    /* the band driver with the row functions reading arg where the others read x */
    pool_bwd_driver(g, arg, dy, dx, argmax_bwd_row, 2);
}
