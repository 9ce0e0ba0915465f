/* Keras output sizes, team sizes, and the im2col / col2im gathers shared by the GEMM
 * convolutions (NHWC; a column row holds one output pixel's (kh, kw, c) patch). */
#include <omp.h>
#include <string.h>

#include "kernels/conv/conv.h"

int mcdl_conv_out_len(int64_t n, int64_t k, int64_t s, int64_t d, mcdl_padding p, int64_t *out,
                      int64_t *pad_before) {
    if (n < 1 || k < 1 || s < 1 || d < 1) return -1;
    const int64_t keff = d * (k - 1) + 1;
    int64_t o, pb;
    switch (p) {
    case MCDL_PAD_VALID:
        if (n < keff) return -1;
        o = (n - keff) / s + 1;
        pb = 0;
        break;
    case MCDL_PAD_SAME: {
        o = (n + s - 1) / s;
        int64_t total = (o - 1) * s + keff - n;
        pb = total > 0 ? total / 2 : 0;
        break;
    }
    case MCDL_PAD_CAUSAL:
        pb = keff - 1;
        o = (n - 1) / s + 1;
        break;
    default:
        return -1;
    }
    *out = o;
    *pad_before = pb;
    return 0;
}

int mcdl_deconv_out_len(int64_t n, int64_t k, int64_t s, int64_t d, mcdl_padding p,
                        int64_t output_padding, int64_t *out, int64_t *crop) {
    if (n < 1 || k < 1 || s < 1 || d < 1 || output_padding >= s) return -1;
    if (p != MCDL_PAD_VALID && p != MCDL_PAD_SAME) return -1;
    const int64_t keff = d * (k - 1) + 1;
    int64_t o;
    if (output_padding < 0) {
        o = p == MCDL_PAD_SAME ? n * s : n * s + (keff > s ? keff - s : 0);
    } else {
        int64_t pad = p == MCDL_PAD_SAME ? keff / 2 : 0;
        o = (n - 1) * s + keff - 2 * pad + output_padding;
    }
    if (o < 1) return -1;
    /* TF computes the crop as the 'same' padding of the forward convolution from o to n. */
    int64_t total = (n - 1) * s + keff - o;
    *crop = (p == MCDL_PAD_SAME && total > 0) ? total / 2 : 0;
    *out = o;
    return 0;
}

int mcdl_conv_threads(const mcdl_conv2d_geom *g) {
    return g->nthreads > 0 ? g->nthreads : omp_get_max_threads();
}

/* Gather and scatter are written out separately so each inner step stays a plain memcpy
 * (one per kernel row when the patch row is dense and inside the image) or add. */
void mcdl_f32_im2col_rows(const mcdl_conv2d_geom *g, const float *x, int64_t n, int64_t oh0,
                          int64_t oh1, float *col) {
    const int64_t C = g->C, KW = g->KW, K = g->KH * KW * C;
    const float *xn = x + n * g->H * g->W * C;
    for (int64_t oh = oh0; oh < oh1; oh++) {
        for (int64_t ow = 0; ow < g->OW; ow++) {
            float *dst = col + ((oh - oh0) * g->OW + ow) * K;
            const int64_t iw0 = ow * g->SW - g->PL;
            const int contiguous = g->DW == 1 && iw0 >= 0 && iw0 + KW <= g->W;
            for (int64_t kh = 0; kh < g->KH; kh++, dst += KW * C) {
                const int64_t ih = oh * g->SH - g->PT + kh * g->DH;
                if (ih < 0 || ih >= g->H) {
                    memset(dst, 0, (size_t)(KW * C) * sizeof(float));
                    continue;
                }
                const float *row = xn + ih * g->W * C;
                if (contiguous) {
                    memcpy(dst, row + iw0 * C, (size_t)(KW * C) * sizeof(float));
                    continue;
                }
                for (int64_t kw = 0; kw < KW; kw++) {
                    const int64_t iw = iw0 + kw * g->DW;
                    if (iw < 0 || iw >= g->W)
                        memset(dst + kw * C, 0, (size_t)C * sizeof(float));
                    else
                        memcpy(dst + kw * C, row + iw * C, (size_t)C * sizeof(float));
                }
            }
        }
    }
}

void mcdl_f32_col2im_rows(const mcdl_conv2d_geom *g, const float *col, int64_t n, int64_t oh0,
                          int64_t oh1, float *dx) {
    const int64_t C = g->C, KW = g->KW, K = g->KH * KW * C;
    float *xn = dx + n * g->H * g->W * C;
    for (int64_t oh = oh0; oh < oh1; oh++) {
        for (int64_t ow = 0; ow < g->OW; ow++) {
            const float *src = col + ((oh - oh0) * g->OW + ow) * K;
            const int64_t iw0 = ow * g->SW - g->PL;
            for (int64_t kh = 0; kh < g->KH; kh++, src += KW * C) {
                const int64_t ih = oh * g->SH - g->PT + kh * g->DH;
                if (ih < 0 || ih >= g->H) continue;
                float *row = xn + ih * g->W * C;
                for (int64_t kw = 0; kw < KW; kw++) {
                    const int64_t iw = iw0 + kw * g->DW;
                    if (iw < 0 || iw >= g->W) continue;
                    float *d = row + iw * C;
                    const float *s = src + kw * C;
                    for (int64_t c = 0; c < C; c++) d[c] += s[c];
                }
            }
        }
    }
}
