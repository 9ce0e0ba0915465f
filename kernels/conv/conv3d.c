/* Conv3D as GEMMs over output depth slices: forward = im2col of slice (n, od) + GEMM with
 * the fused epilogue; backward data = GEMM with the transposed kernel + col2im (images are
 * the parallel unit: slices of one image overlap in dx); backward weights = per-thread
 * partial GEMMs reduced in thread order. Each thread calls the GEMM on its own slice. */
#include <omp.h>
#include <string.h>

#include "kernels/conv/conv3d.h"

static int threads(const mcdl_conv3d_geom *g) {
    return g->nthreads > 0 ? g->nthreads : omp_get_max_threads();
}
static int64_t patch3(const mcdl_conv3d_geom *g) { return g->KD * g->KH * g->KW * g->C; }
static int64_t slice_floats(const mcdl_conv3d_geom *g) { return g->OH * g->OW * patch3(g); }

void mcdl_f32_im2col3d_slice(const mcdl_conv3d_geom *g, const float *x, int64_t n, int64_t od,
                             float *col) {
    const int64_t C = g->C, K = patch3(g);
    const float *xn = x + n * g->D * g->H * g->W * C;
    for (int64_t oh = 0; oh < g->OH; oh++)
        for (int64_t ow = 0; ow < g->OW; ow++) {
            float *dst = col + (oh * g->OW + ow) * K;
            for (int64_t kd = 0; kd < g->KD; kd++) {
                const int64_t id = od * g->SD - g->PF + kd * g->DD;
                for (int64_t kh = 0; kh < g->KH; kh++) {
                    const int64_t ih = oh * g->SH - g->PT + kh * g->DH;
                    for (int64_t kw = 0; kw < g->KW; kw++, dst += C) {
                        const int64_t iw = ow * g->SW - g->PL + kw * g->DW;
                        if (id < 0 || id >= g->D || ih < 0 || ih >= g->H || iw < 0 || iw >= g->W)
                            memset(dst, 0, (size_t)C * sizeof(float));
                        else
                            memcpy(dst, xn + ((id * g->H + ih) * g->W + iw) * C,
                                   (size_t)C * sizeof(float));
                    }
                }
            }
        }
}

void mcdl_f32_col2im3d_slice(const mcdl_conv3d_geom *g, const float *col, int64_t n, int64_t od,
                             float *dx) {
    const int64_t C = g->C, K = patch3(g);
    float *xn = dx + n * g->D * g->H * g->W * C;
    for (int64_t oh = 0; oh < g->OH; oh++)
        for (int64_t ow = 0; ow < g->OW; ow++) {
            const float *src = col + (oh * g->OW + ow) * K;
            for (int64_t kd = 0; kd < g->KD; kd++) {
                const int64_t id = od * g->SD - g->PF + kd * g->DD;
                for (int64_t kh = 0; kh < g->KH; kh++) {
                    const int64_t ih = oh * g->SH - g->PT + kh * g->DH;
                    for (int64_t kw = 0; kw < g->KW; kw++, src += C) {
                        const int64_t iw = ow * g->SW - g->PL + kw * g->DW;
                        if (id < 0 || id >= g->D || ih < 0 || ih >= g->H || iw < 0 || iw >= g->W)
                            continue;
                        float *d = xn + ((id * g->H + ih) * g->W + iw) * C;
                        for (int64_t c = 0; c < C; c++) d[c] += src[c];
                    }
                }
            }
        }
}

size_t mcdl_conv3d_workspace_size(const mcdl_conv3d_geom *g) {
    return (size_t)threads(g) * (size_t)(slice_floats(g) + patch3(g) * g->F + g->F);
}

void mcdl_f32_conv3d_fwd(const mcdl_conv3d_geom *g, const float *x, const float *w,
                         const float *bias, mcdl_act act, float act_alpha, float *y, float *ws) {
    const int nt = threads(g);
    const int64_t K = patch3(g), F = g->F, M = g->OH * g->OW, T = g->N * g->OD;
    const mcdl_gemm_epilogue ep = {.bias = bias, .act = act, .act_alpha = act_alpha};
#pragma omp parallel num_threads(nt)
    {
        const int tid = omp_get_thread_num();
        float *col = ws + (size_t)tid * (size_t)slice_floats(g);
        const int64_t lo = T * tid / nt, hi = T * (tid + 1) / nt;
        for (int64_t t = lo; t < hi; t++) {
            mcdl_f32_im2col3d_slice(g, x, t / g->OD, t % g->OD, col);
            mcdl_f32_gemm('N', 'N', M, F, K, 1.0f, col, K, w, F, 0.0f, y + t * M * F, F, &ep);
        }
    }
}

void mcdl_f32_conv3d_bwd_data(const mcdl_conv3d_geom *g, const float *dz, const float *w, float *dx,
                              float *ws) {
    const int nt = threads(g);
    const int64_t K = patch3(g), F = g->F, M = g->OH * g->OW, img = g->D * g->H * g->W * g->C;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t n = 0; n < g->N; n++) {
        float *col = ws + (size_t)omp_get_thread_num() * (size_t)slice_floats(g);
        memset(dx + n * img, 0, (size_t)img * sizeof(float));
        for (int64_t od = 0; od < g->OD; od++) {
            mcdl_f32_gemm('N', 'T', M, K, F, 1.0f, dz + (n * g->OD + od) * M * F, F, w, F, 0.0f,
                          col, K, NULL);
            mcdl_f32_col2im3d_slice(g, col, n, od, dx);
        }
    }
}

void mcdl_f32_conv3d_bwd_weights(const mcdl_conv3d_geom *g, const float *x, const float *dz,
                                 float *dw, float *dbias, float *ws) {
    const int nt = threads(g);
    const int64_t K = patch3(g), F = g->F, M = g->OH * g->OW, T = g->N * g->OD;
    const size_t partsz = (size_t)(K * F + F);
    float *parts = ws + (size_t)nt * (size_t)slice_floats(g);
#pragma omp parallel num_threads(nt)
    {
        const int tid = omp_get_thread_num();
        float *col = ws + (size_t)tid * (size_t)slice_floats(g),
              *part = parts + (size_t)tid * partsz;
        memset(part, 0, partsz * sizeof(float));
        const int64_t lo = T * tid / nt, hi = T * (tid + 1) / nt;
        for (int64_t t = lo; t < hi; t++) {
            const float *dzt = dz + t * M * F;
            mcdl_f32_im2col3d_slice(g, x, t / g->OD, t % g->OD, col);
            mcdl_f32_gemm('T', 'N', K, F, M, 1.0f, col, K, dzt, F, 1.0f, part, F, NULL);
            for (int64_t r = 0; r < M; r++)
                for (int64_t f = 0; f < F; f++) part[K * F + f] += dzt[r * F + f];
        }
#pragma omp barrier
#pragma omp for schedule(static)
        for (int64_t i = 0; i < K * F + F; i++) {
            float s = parts[i];
            for (int t = 1; t < nt; t++) s += parts[(size_t)t * partsz + (size_t)i];
            if (i < K * F)
                dw[i] = s;
            else if (dbias)
                dbias[i - K * F] = s;
        }
    }
}
