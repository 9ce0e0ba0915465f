/* Conv2D and Conv2DTranspose. Forward and backward data run the implicit GEMM of
 * conv_igemm.c wherever it fits (no im2col buffer at all); tiny K = KH*KW*C (e.g. 3x3x1)
 * goes to the per-ISA direct kernels, where a GEMM would spend its time packing; 1x1
 * backward data is one GEMM. The fallback (few channels, > 64 taps, large strides) is
 * forward = im2col of a chunk + GEMM with the fused bias/activation epilogue; backward data
 * = GEMM with the transposed kernel + col2im. Backward weights: the per-ISA tile of
 * convdirect_wgrad.inc reads x and dZ in place (no im2col: resnet's 3x3 64 -> 64 went from
 * 17.7 to 12.6 ms, 0.77 -> 0.94 of oneDNN, on the Intel Xeon), accumulated per thread and
 * reduced in thread order (1x1: one GEMM, tiny K: the direct kernels).
 *
 * Threading: one OpenMP team per pass; each thread takes a static share of chunks and calls
 * the GEMM from inside the parallel region (it then runs on that thread), so there is one
 * fork/join per pass. A chunk is a group of whole images, or output rows of one image when
 * an image's column matrix exceeds the per-thread budget; either way its output pixels are
 * consecutive rows of the (N*OH*OW, F) matrix, so each GEMM has a large M and packs the
 * kernel once per chunk. The pointwise path calls the GEMM once with M = N*H*W and lets it
 * thread itself. (Measured on the seed layers: per-thread chunks and one GEMM over all
 * chunks cost the same single-threaded; under a loaded machine the per-thread form avoids
 * a fork/join per chunk.) */
#include <omp.h>
#include <string.h>

#include "kernels/conv/conv.h"

/* Column buffer per thread in floats (1 MiB: about one core's L2). */
#define CONV_CHUNK_BUDGET (256 * 1024)

static int is_pointwise(const mcdl_conv2d_geom *g) {
    return g->KH == 1 && g->KW == 1 && g->SH == 1 && g->SW == 1 && g->PT == 0 && g->PL == 0 &&
           g->OH == g->H && g->OW == g->W;
}

static int64_t patch_len(const mcdl_conv2d_geom *g) { return g->KH * g->KW * g->C; }

/* A static contiguous share [*lo, *hi) of count items for thread tid of nt. */
static void share(int64_t count, int tid, int nt, int64_t *lo, int64_t *hi) {
    *lo = count * tid / nt;
    *hi = count * (tid + 1) / nt;
}

typedef struct {
    int64_t imgs, rows; /* images per chunk (only when rows == OH), output rows per chunk */
    int64_t nimg, nrow; /* image groups, row chunks per image */
} conv_chunks;

/* split_rows: row chunks of one image may go to different threads (not for backward data,
 * whose rows overlap in dx). The chunk count is raised to >= nt (2 nt for rows) where the
 * shape allows, so the static split stays balanced. */
static conv_chunks chunking(const mcdl_conv2d_geom *g, int nt, int split_rows) {
    const int64_t per_row = g->OW * patch_len(g);
    conv_chunks c = {1, CONV_CHUNK_BUDGET / per_row, 0, 0};
    if (c.rows < 1) c.rows = 1;
    if (c.rows >= g->OH) {
        c.rows = g->OH;
        c.imgs = CONV_CHUNK_BUDGET / (g->OH * per_row);
        if (c.imgs < 1) c.imgs = 1;
        if (c.imgs > g->N) c.imgs = g->N;
        while (c.imgs > 1 && (g->N + c.imgs - 1) / c.imgs < nt) c.imgs = (c.imgs + 1) / 2;
    }
    if (c.imgs == 1)
        while (split_rows && c.rows > 1 && g->N * ((g->OH + c.rows - 1) / c.rows) < 2 * (int64_t)nt)
            c.rows = (c.rows + 1) / 2;
    c.nimg = (g->N + c.imgs - 1) / c.imgs;
    c.nrow = (g->OH + c.rows - 1) / c.rows;
    return c;
}

static size_t chunk_floats(const conv_chunks *c, const mcdl_conv2d_geom *g) {
    return (size_t)(c->imgs * c->rows * g->OW * patch_len(g));
}

/* Bounds of chunk t: images [*n0, *n1), rows [*oh0, *oh1). */
static void chunk_at(const conv_chunks *c, const mcdl_conv2d_geom *g, int64_t t, int64_t *n0,
                     int64_t *n1, int64_t *oh0, int64_t *oh1) {
    *n0 = (t / c->nrow) * c->imgs;
    *n1 = *n0 + c->imgs < g->N ? *n0 + c->imgs : g->N;
    *oh0 = (t % c->nrow) * c->rows;
    *oh1 = *oh0 + c->rows < g->OH ? *oh0 + c->rows : g->OH;
}

static void im2col_chunk(const mcdl_conv2d_geom *g, const float *x, int64_t n0, int64_t n1,
                         int64_t oh0, int64_t oh1, float *col) {
    const int64_t per_img = (oh1 - oh0) * g->OW * patch_len(g);
    for (int64_t n = n0; n < n1; n++)
        mcdl_f32_im2col_rows(g, x, n, oh0, oh1, col + (n - n0) * per_img);
}

/* Forward and backward data try, in order: the tiny-K direct kernels, the implicit GEMM
 * (conv_igemm.c), a single GEMM (1x1), im2col + GEMM. */
static int use_igemm(const mcdl_conv2d_geom *g, int bwd) {
    /* 1x1 backward data stays one GEMM: its packed A beat the row-pointer tile there
     * (sep pointwise 29x29x32 -> 64: 1.05 vs 1.23 ms), while forward is 10 % faster */
    return (patch_len(g) > MCDL_CONV_DIRECT_MAX_K || (is_pointwise(g) && !bwd)) &&
           mcdl_conv2d_igemm_fits(g, bwd);
}

size_t mcdl_conv2d_fwd_workspace_size(const mcdl_conv2d_geom *g) {
    if (use_igemm(g, 0)) return mcdl_conv2d_igemm_workspace_size(g, 0);
    if (is_pointwise(g) || patch_len(g) <= MCDL_CONV_DIRECT_MAX_K) return 0;
    const int nt = mcdl_conv_threads(g);
    const conv_chunks c = chunking(g, nt, 1);
    return (size_t)nt * chunk_floats(&c, g);
}

size_t mcdl_conv2d_bwd_data_workspace_size(const mcdl_conv2d_geom *g) {
    if (use_igemm(g, 1)) return mcdl_conv2d_igemm_workspace_size(g, 1);
    if (is_pointwise(g) || patch_len(g) <= MCDL_CONV_DIRECT_MAX_K) return 0;
    const int nt = mcdl_conv_threads(g);
    const conv_chunks c = chunking(g, nt, 0);
    return (size_t)nt * chunk_floats(&c, g);
}

size_t mcdl_conv2d_bwd_weights_workspace_size(const mcdl_conv2d_geom *g) {
    const int nt = mcdl_conv_threads(g);
    const size_t part = (size_t)(patch_len(g) * g->F + g->F);
    if (is_pointwise(g)) return (size_t)nt * (size_t)g->F;
    return (size_t)nt * part;
}

void mcdl_f32_conv2d_fwd(const mcdl_conv2d_geom *g, const float *x, const float *w,
                         const float *bias, mcdl_act act, float act_alpha, float *y, float *ws) {
    const int64_t K = patch_len(g), F = g->F;
    const mcdl_gemm_epilogue ep = {.bias = bias, .act = act, .act_alpha = act_alpha};
    if (use_igemm(g, 0)) {
        mcdl_f32_conv2d_igemm_fwd(g, x, w, bias, act, act_alpha, y, ws);
        return;
    }
    if (is_pointwise(g)) {
        mcdl_f32_gemm('N', 'N', g->N * g->H * g->W, F, K, 1.0f, x, K, w, F, 0.0f, y, F, &ep);
        return;
    }
    const int nt = mcdl_conv_threads(g);
    const conv_chunks c = chunking(g, nt, 1);
    const int64_t T = c.nimg * c.nrow;
    if (K <= MCDL_CONV_DIRECT_MAX_K) {
        const mcdl_conv_isa_ops *ops = mcdl_conv_ops_active();
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int64_t t = 0; t < T; t++) {
            int64_t n0, n1, oh0, oh1;
            chunk_at(&c, g, t, &n0, &n1, &oh0, &oh1);
            for (int64_t n = n0; n < n1; n++)
                ops->conv2d_direct_rows(g, x, w, bias, act, act_alpha, n, oh0, oh1, y);
        }
        return;
    }
    const size_t csz = chunk_floats(&c, g);
#pragma omp parallel num_threads(nt)
    {
        const int tid = omp_get_thread_num();
        float *col = ws + (size_t)tid * csz;
        int64_t lo, hi;
        share(T, tid, nt, &lo, &hi);
        for (int64_t t = lo; t < hi; t++) {
            int64_t n0, n1, oh0, oh1;
            chunk_at(&c, g, t, &n0, &n1, &oh0, &oh1);
            im2col_chunk(g, x, n0, n1, oh0, oh1, col);
            mcdl_f32_gemm('N', 'N', (n1 - n0) * (oh1 - oh0) * g->OW, F, K, 1.0f, col, K, w, F, 0.0f,
                          y + (n0 * g->OH + oh0) * g->OW * F, F, &ep);
        }
    }
}

void mcdl_f32_conv2d_bwd_data(const mcdl_conv2d_geom *g, const float *dz, const float *w, float *dx,
                              float *ws) {
    const int64_t K = patch_len(g), F = g->F, img = g->H * g->W * g->C;
    if (use_igemm(g, 1)) {
        mcdl_f32_conv2d_igemm_bwd_data(g, dz, w, NULL, MCDL_ACT_NONE, 0.0f, dx, ws);
        return;
    }
    if (is_pointwise(g)) {
        mcdl_f32_gemm('N', 'T', g->N * g->H * g->W, K, F, 1.0f, dz, F, w, F, 0.0f, dx, K, NULL);
        return;
    }
    const int nt = mcdl_conv_threads(g);
    if (K <= MCDL_CONV_DIRECT_MAX_K) {
        const mcdl_conv_isa_ops *ops = mcdl_conv_ops_active();
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int64_t n = 0; n < g->N; n++) {
            memset(dx + n * img, 0, (size_t)img * sizeof(float));
            ops->conv2d_direct_bwd_data_rows(g, dz, w, n, 0, g->OH, dx);
        }
        return;
    }
    /* Chunks of one image overlap in dx, so a thread owns whole image groups. */
    const conv_chunks c = chunking(g, nt, 0);
    const size_t csz = chunk_floats(&c, g);
#pragma omp parallel num_threads(nt)
    {
        const int tid = omp_get_thread_num();
        float *col = ws + (size_t)tid * csz;
        int64_t lo, hi;
        share(c.nimg, tid, nt, &lo, &hi);
        for (int64_t t = lo * c.nrow; t < hi * c.nrow; t++) {
            int64_t n0, n1, oh0, oh1;
            chunk_at(&c, g, t, &n0, &n1, &oh0, &oh1);
            const int64_t per_img = (oh1 - oh0) * g->OW * K;
            mcdl_f32_gemm('N', 'T', (n1 - n0) * (oh1 - oh0) * g->OW, K, F, 1.0f,
                          dz + (n0 * g->OH + oh0) * g->OW * F, F, w, F, 0.0f, col, K, NULL);
            for (int64_t n = n0; n < n1; n++) {
                if (oh0 == 0) memset(dx + n * img, 0, (size_t)img * sizeof(float));
                mcdl_f32_col2im_rows(g, col + (n - n0) * per_img, n, oh0, oh1, dx);
            }
        }
    }
}

/* Column sums of rows [lo, hi) of an F-wide matrix into acc (accumulating). */
static void add_rows(const float *m, int64_t lo, int64_t hi, int64_t F, float *acc) {
    for (int64_t r = lo; r < hi; r++)
        for (int64_t f = 0; f < F; f++) acc[f] += m[r * F + f];
}

/* dst[i] = sum over threads of parts[t * stride + i], in thread order (deterministic). */
static void reduce_parts(const float *parts, size_t stride, int nt, int64_t len, float *dst) {
#pragma omp parallel for num_threads(nt) schedule(static) if (len > 4096)
    for (int64_t i = 0; i < len; i++) {
        float s = parts[i];
        for (int t = 1; t < nt; t++) s += parts[(size_t)t * stride + (size_t)i];
        dst[i] = s;
    }
}

void mcdl_f32_conv2d_bwd_weights(const mcdl_conv2d_geom *g, const float *x, const float *dz,
                                 float *dw, float *dbias, float *ws) {
    const int64_t K = patch_len(g), F = g->F;
    const int nt = mcdl_conv_threads(g);
    if (is_pointwise(g)) {
        const int64_t rows = g->N * g->H * g->W;
        mcdl_f32_gemm('T', 'N', K, F, rows, 1.0f, x, K, dz, F, 0.0f, dw, F, NULL);
        if (!dbias) return;
#pragma omp parallel num_threads(nt)
        {
            const int tid = omp_get_thread_num();
            int64_t lo, hi;
            share(rows, tid, nt, &lo, &hi);
            float *part = ws + (size_t)tid * (size_t)F;
            memset(part, 0, (size_t)F * sizeof(float));
            add_rows(dz, lo, hi, F, part);
        }
        reduce_parts(ws, (size_t)F, nt, F, dbias);
        return;
    }
    const int direct = K <= MCDL_CONV_DIRECT_MAX_K;
    /* chunks of rows as sized for im2col: they also keep a chunk's x and dz rows in L2
     * while every tap's tiles pass over them */
    const conv_chunks c = chunking(g, nt, 1);
    const int64_t T = c.nimg * c.nrow;
    const size_t partsz = (size_t)(K * F + F);
    float *parts = ws;
    const mcdl_conv_isa_ops *ops = mcdl_conv_ops_active();
#pragma omp parallel num_threads(nt)
    {
        const int tid = omp_get_thread_num();
        float *part = parts + (size_t)tid * partsz;
        memset(part, 0, partsz * sizeof(float));
        int64_t lo, hi;
        share(T, tid, nt, &lo, &hi);
        for (int64_t t = lo; t < hi; t++) {
            int64_t n0, n1, oh0, oh1;
            chunk_at(&c, g, t, &n0, &n1, &oh0, &oh1);
            if (direct) {
                for (int64_t n = n0; n < n1; n++)
                    ops->conv2d_direct_bwd_weights_rows(g, x, dz, n, oh0, oh1, part,
                                                        dbias ? part + K * F : NULL);
                continue;
            }
            for (int64_t n = n0; n < n1; n++) {
                ops->conv2d_wgrad_rows(g, x, dz, n, oh0, oh1, part);
                if (dbias)
                    add_rows(dz + (n * g->OH + oh0) * g->OW * F, 0, (oh1 - oh0) * g->OW, F,
                             part + K * F);
            }
        }
    }
    reduce_parts(parts, partsz, nt, K * F, dw);
    if (dbias) reduce_parts(parts + K * F, partsz, nt, F, dbias);
}

/* ---- Conv2DTranspose: the adjoint of the convolution with the same geometry. ---- */

size_t mcdl_deconv2d_fwd_workspace_size(const mcdl_conv2d_geom *g) {
    return mcdl_conv2d_bwd_data_workspace_size(g);
}

size_t mcdl_deconv2d_bwd_data_workspace_size(const mcdl_conv2d_geom *g) {
    return mcdl_conv2d_fwd_workspace_size(g);
}

size_t mcdl_deconv2d_bwd_weights_workspace_size(const mcdl_conv2d_geom *g) {
    size_t a = mcdl_conv2d_bwd_weights_workspace_size(g);
    size_t b = (size_t)mcdl_conv_threads(g) * (size_t)g->C;
    return a > b ? a : b;
}

void mcdl_f32_deconv2d_fwd(const mcdl_conv2d_geom *g, const float *x, const float *w,
                           const float *bias, mcdl_act act, float act_alpha, float *y, float *ws) {
    if (use_igemm(g, 1)) {
        mcdl_f32_conv2d_igemm_bwd_data(g, x, w, bias, act, act_alpha, y, ws);
        return;
    }
    mcdl_f32_conv2d_bwd_data(g, x, w, y, ws);
    if (!bias && act == MCDL_ACT_NONE) return;
    const mcdl_gemm_epilogue ep = {.bias = bias, .act = act, .act_alpha = act_alpha};
    const int64_t rows = g->N * g->H * g->W, blk = 256;
#pragma omp parallel for num_threads(mcdl_conv_threads(g)) schedule(static)
    for (int64_t r0 = 0; r0 < rows; r0 += blk) {
        const int64_t m = r0 + blk < rows ? blk : rows - r0;
        mcdl_f32_gemm_epilogue_ref(m, g->C, y + r0 * g->C, g->C, &ep, 0, 0);
    }
}

void mcdl_f32_deconv2d_bwd_data(const mcdl_conv2d_geom *g, const float *dz, const float *w,
                                float *dx, float *ws) {
    mcdl_f32_conv2d_fwd(g, dz, w, NULL, MCDL_ACT_NONE, 0.0f, dx, ws);
}

void mcdl_f32_deconv2d_bwd_weights(const mcdl_conv2d_geom *g, const float *x, const float *dz,
                                   float *dw, float *dbias, float *ws) {
    /* dW[k, f] = sum_p col(dz)[p, k] x[p, f]: the convolution's weight gradient with the
     * image side played by dz. */
    mcdl_f32_conv2d_bwd_weights(g, dz, x, dw, NULL, ws);
    if (!dbias) return;
    const int nt = mcdl_conv_threads(g);
    const int64_t rows = g->N * g->H * g->W, C = g->C;
#pragma omp parallel num_threads(nt)
    {
        const int tid = omp_get_thread_num();
        int64_t lo, hi;
        share(rows, tid, nt, &lo, &hi);
        float *part = ws + (size_t)tid * (size_t)C;
        memset(part, 0, (size_t)C * sizeof(float));
        add_rows(dz, lo, hi, C, part);
    }
    reduce_parts(ws, (size_t)C, nt, C, dbias);
}
