/* Plain scalar references for every convolution-family op: direct loops over the Keras
 * definitions, no GEMM, no im2col, no vectors. The tests' ground truth (with double
 * accumulation where sums are long). */
#include <math.h>
#include <string.h>

#include "kernels/conv/conv.h"

/* Input index along an axis for output o and tap k, or -1 in the padding. */
static int64_t in_pos(int64_t o, int64_t k, int64_t s, int64_t pad, int64_t d, int64_t n) {
    int64_t i = o * s - pad + k * d;
    return (i < 0 || i >= n) ? -1 : i;
}

#define XAT(g, t, n, h, w, c) (t)[(((n) * (g)->H + (h)) * (g)->W + (w)) * (g)->C + (c)]
#define YAT(g, t, n, h, w, f) (t)[(((n) * (g)->OH + (h)) * (g)->OW + (w)) * (g)->F + (f)]

void mcdl_f32_conv2d_fwd_ref(const mcdl_conv2d_geom *g, const float *x, const float *w,
                             const float *bias, mcdl_act act, float act_alpha, float *y) {
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t oh = 0; oh < g->OH; oh++)
            for (int64_t ow = 0; ow < g->OW; ow++)
                for (int64_t f = 0; f < g->F; f++) {
                    double acc = bias ? bias[f] : 0.0;
                    for (int64_t kh = 0; kh < g->KH; kh++) {
                        int64_t ih = in_pos(oh, kh, g->SH, g->PT, g->DH, g->H);
                        if (ih < 0) continue;
                        for (int64_t kw = 0; kw < g->KW; kw++) {
                            int64_t iw = in_pos(ow, kw, g->SW, g->PL, g->DW, g->W);
                            if (iw < 0) continue;
                            for (int64_t c = 0; c < g->C; c++)
                                acc += (double)XAT(g, x, n, ih, iw, c) *
                                       w[((kh * g->KW + kw) * g->C + c) * g->F + f];
                        }
                    }
                    YAT(g, y, n, oh, ow, f) = (float)acc;
                }
    const mcdl_gemm_epilogue ep = {.act = act, .act_alpha = act_alpha};
    mcdl_f32_gemm_epilogue_ref(g->N * g->OH * g->OW, g->F, y, g->F, &ep, 0, 0);
}

void mcdl_f32_conv2d_bwd_data_ref(const mcdl_conv2d_geom *g, const float *dz, const float *w,
                                  float *dx) {
    memset(dx, 0, (size_t)(g->N * g->H * g->W * g->C) * sizeof(float));
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t oh = 0; oh < g->OH; oh++)
            for (int64_t ow = 0; ow < g->OW; ow++)
                for (int64_t kh = 0; kh < g->KH; kh++) {
                    int64_t ih = in_pos(oh, kh, g->SH, g->PT, g->DH, g->H);
                    if (ih < 0) continue;
                    for (int64_t kw = 0; kw < g->KW; kw++) {
                        int64_t iw = in_pos(ow, kw, g->SW, g->PL, g->DW, g->W);
                        if (iw < 0) continue;
                        for (int64_t c = 0; c < g->C; c++) {
                            double acc = 0.0;
                            for (int64_t f = 0; f < g->F; f++)
                                acc += (double)YAT(g, dz, n, oh, ow, f) *
                                       w[((kh * g->KW + kw) * g->C + c) * g->F + f];
                            XAT(g, dx, n, ih, iw, c) += (float)acc;
                        }
                    }
                }
}

void mcdl_f32_conv2d_bwd_weights_ref(const mcdl_conv2d_geom *g, const float *x, const float *dz,
                                     float *dw, float *dbias) {
    for (int64_t kh = 0; kh < g->KH; kh++)
        for (int64_t kw = 0; kw < g->KW; kw++)
            for (int64_t c = 0; c < g->C; c++)
                for (int64_t f = 0; f < g->F; f++) {
                    double acc = 0.0;
                    for (int64_t n = 0; n < g->N; n++)
                        for (int64_t oh = 0; oh < g->OH; oh++) {
                            int64_t ih = in_pos(oh, kh, g->SH, g->PT, g->DH, g->H);
                            if (ih < 0) continue;
                            for (int64_t ow = 0; ow < g->OW; ow++) {
                                int64_t iw = in_pos(ow, kw, g->SW, g->PL, g->DW, g->W);
                                if (iw < 0) continue;
                                acc += (double)XAT(g, x, n, ih, iw, c) * YAT(g, dz, n, oh, ow, f);
                            }
                        }
                    dw[((kh * g->KW + kw) * g->C + c) * g->F + f] = (float)acc;
                }
    if (!dbias) return;
    for (int64_t f = 0; f < g->F; f++) {
        double acc = 0.0;
        for (int64_t p = 0; p < g->N * g->OH * g->OW; p++) acc += dz[p * g->F + f];
        dbias[f] = (float)acc;
    }
}

/* Keras' Conv2DTranspose: scatter into the uncropped plane, then crop and add bias. */
void mcdl_f32_deconv2d_fwd_ref(const mcdl_conv2d_geom *g, const float *x, const float *w,
                               const float *bias, float *y) {
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t h = 0; h < g->H; h++)
            for (int64_t v = 0; v < g->W; v++)
                for (int64_t c = 0; c < g->C; c++) XAT(g, y, n, h, v, c) = bias ? bias[c] : 0.0f;
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t i = 0; i < g->OH; i++)
            for (int64_t j = 0; j < g->OW; j++)
                for (int64_t a = 0; a < g->KH; a++)
                    for (int64_t b = 0; b < g->KW; b++) {
                        /* full-plane position i*s + a*d, cropped by PT/PL */
                        int64_t h = i * g->SH + a * g->DH - g->PT,
                                v = j * g->SW + b * g->DW - g->PL;
                        if (h < 0 || h >= g->H || v < 0 || v >= g->W) continue;
                        for (int64_t c = 0; c < g->C; c++) {
                            double acc = 0.0;
                            for (int64_t f = 0; f < g->F; f++)
                                acc += (double)YAT(g, x, n, i, j, f) *
                                       w[((a * g->KW + b) * g->C + c) * g->F + f];
                            XAT(g, y, n, h, v, c) += (float)acc;
                        }
                    }
}

void mcdl_f32_dwconv2d_fwd_ref(const mcdl_conv2d_geom *g, const float *x, const float *w,
                               const float *bias, float *y) {
    const int64_t M = g->F / g->C;
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t oh = 0; oh < g->OH; oh++)
            for (int64_t ow = 0; ow < g->OW; ow++)
                for (int64_t c = 0; c < g->C; c++)
                    for (int64_t m = 0; m < M; m++) {
                        double acc = bias ? bias[c * M + m] : 0.0;
                        for (int64_t kh = 0; kh < g->KH; kh++) {
                            int64_t ih = in_pos(oh, kh, g->SH, g->PT, g->DH, g->H);
                            if (ih < 0) continue;
                            for (int64_t kw = 0; kw < g->KW; kw++) {
                                int64_t iw = in_pos(ow, kw, g->SW, g->PL, g->DW, g->W);
                                if (iw < 0) continue;
                                acc += (double)XAT(g, x, n, ih, iw, c) *
                                       w[((kh * g->KW + kw) * g->C + c) * M + m];
                            }
                        }
                        YAT(g, y, n, oh, ow, c * M + m) = (float)acc;
                    }
}

void mcdl_f32_dwconv2d_bwd_data_ref(const mcdl_conv2d_geom *g, const float *dz, const float *w,
                                    float *dx) {
    const int64_t M = g->F / g->C;
    memset(dx, 0, (size_t)(g->N * g->H * g->W * g->C) * sizeof(float));
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t oh = 0; oh < g->OH; oh++)
            for (int64_t ow = 0; ow < g->OW; ow++)
                for (int64_t kh = 0; kh < g->KH; kh++) {
                    int64_t ih = in_pos(oh, kh, g->SH, g->PT, g->DH, g->H);
                    if (ih < 0) continue;
                    for (int64_t kw = 0; kw < g->KW; kw++) {
                        int64_t iw = in_pos(ow, kw, g->SW, g->PL, g->DW, g->W);
                        if (iw < 0) continue;
                        for (int64_t c = 0; c < g->C; c++)
                            for (int64_t m = 0; m < M; m++)
                                XAT(g, dx, n, ih, iw, c) +=
                                    YAT(g, dz, n, oh, ow, c * M + m) *
                                    w[((kh * g->KW + kw) * g->C + c) * M + m];
                    }
                }
}

void mcdl_f32_dwconv2d_bwd_weights_ref(const mcdl_conv2d_geom *g, const float *x, const float *dz,
                                       float *dw, float *dbias) {
    const int64_t M = g->F / g->C;
    for (int64_t kh = 0; kh < g->KH; kh++)
        for (int64_t kw = 0; kw < g->KW; kw++)
            for (int64_t j = 0; j < g->F; j++) {
                double acc = 0.0;
                for (int64_t n = 0; n < g->N; n++)
                    for (int64_t oh = 0; oh < g->OH; oh++) {
                        int64_t ih = in_pos(oh, kh, g->SH, g->PT, g->DH, g->H);
                        if (ih < 0) continue;
                        for (int64_t ow = 0; ow < g->OW; ow++) {
                            int64_t iw = in_pos(ow, kw, g->SW, g->PL, g->DW, g->W);
                            if (iw < 0) continue;
                            acc += (double)XAT(g, x, n, ih, iw, j / M) * YAT(g, dz, n, oh, ow, j);
                        }
                    }
                dw[(kh * g->KW + kw) * g->F + j] = (float)acc;
            }
    if (!dbias) return;
    for (int64_t j = 0; j < g->F; j++) {
        double acc = 0.0;
        for (int64_t p = 0; p < g->N * g->OH * g->OW; p++) acc += dz[p * g->F + j];
        dbias[j] = (float)acc;
    }
}

/* Pooling: g->F == g->C. Visits the real cells of one window in (kh, kw) order. */
void mcdl_f32_maxpool2d_fwd_ref(const mcdl_conv2d_geom *g, const float *x, float *y) {
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t oh = 0; oh < g->OH; oh++)
            for (int64_t ow = 0; ow < g->OW; ow++)
                for (int64_t c = 0; c < g->C; c++) {
                    float m = -INFINITY;
                    for (int64_t kh = 0; kh < g->KH; kh++) {
                        int64_t ih = in_pos(oh, kh, g->SH, g->PT, 1, g->H);
                        if (ih < 0) continue;
                        for (int64_t kw = 0; kw < g->KW; kw++) {
                            int64_t iw = in_pos(ow, kw, g->SW, g->PL, 1, g->W);
                            if (iw >= 0 && XAT(g, x, n, ih, iw, c) > m) m = XAT(g, x, n, ih, iw, c);
                        }
                    }
                    YAT(g, y, n, oh, ow, c) = m;
                }
}

void mcdl_f32_maxpool2d_bwd_ref(const mcdl_conv2d_geom *g, const float *x, const float *dy,
                                float *dx) {
    memset(dx, 0, (size_t)(g->N * g->H * g->W * g->C) * sizeof(float));
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t oh = 0; oh < g->OH; oh++)
            for (int64_t ow = 0; ow < g->OW; ow++)
                for (int64_t c = 0; c < g->C; c++) {
                    float m = -INFINITY;
                    int64_t bh = -1, bw = -1;
                    for (int64_t kh = 0; kh < g->KH; kh++) {
                        int64_t ih = in_pos(oh, kh, g->SH, g->PT, 1, g->H);
                        if (ih < 0) continue;
                        for (int64_t kw = 0; kw < g->KW; kw++) {
                            int64_t iw = in_pos(ow, kw, g->SW, g->PL, 1, g->W);
                            if (iw >= 0 && (bh < 0 || XAT(g, x, n, ih, iw, c) > m)) {
                                m = XAT(g, x, n, ih, iw, c);
                                bh = ih;
                                bw = iw;
                            }
                        }
                    }
                    if (bh >= 0) XAT(g, dx, n, bh, bw, c) += YAT(g, dy, n, oh, ow, c);
                }
}

static int64_t real_cells(const mcdl_conv2d_geom *g, int64_t oh, int64_t ow) {
    int64_t ch = 0, cw = 0;
    for (int64_t kh = 0; kh < g->KH; kh++) ch += in_pos(oh, kh, g->SH, g->PT, 1, g->H) >= 0;
    for (int64_t kw = 0; kw < g->KW; kw++) cw += in_pos(ow, kw, g->SW, g->PL, 1, g->W) >= 0;
    return ch * cw;
}

void mcdl_f32_avgpool2d_fwd_ref(const mcdl_conv2d_geom *g, const float *x, float *y) {
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t oh = 0; oh < g->OH; oh++)
            for (int64_t ow = 0; ow < g->OW; ow++) {
                const int64_t cnt = real_cells(g, oh, ow);
                for (int64_t c = 0; c < g->C; c++) {
                    double s = 0.0;
                    for (int64_t kh = 0; kh < g->KH; kh++) {
                        int64_t ih = in_pos(oh, kh, g->SH, g->PT, 1, g->H);
                        if (ih < 0) continue;
                        for (int64_t kw = 0; kw < g->KW; kw++) {
                            int64_t iw = in_pos(ow, kw, g->SW, g->PL, 1, g->W);
                            if (iw >= 0) s += XAT(g, x, n, ih, iw, c);
                        }
                    }
                    YAT(g, y, n, oh, ow, c) = cnt ? (float)(s / (double)cnt) : 0.0f;
                }
            }
}

void mcdl_f32_avgpool2d_bwd_ref(const mcdl_conv2d_geom *g, const float *dy, float *dx) {
    memset(dx, 0, (size_t)(g->N * g->H * g->W * g->C) * sizeof(float));
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t oh = 0; oh < g->OH; oh++)
            for (int64_t ow = 0; ow < g->OW; ow++) {
                const int64_t cnt = real_cells(g, oh, ow);
                if (!cnt) continue;
                for (int64_t kh = 0; kh < g->KH; kh++) {
                    int64_t ih = in_pos(oh, kh, g->SH, g->PT, 1, g->H);
                    if (ih < 0) continue;
                    for (int64_t kw = 0; kw < g->KW; kw++) {
                        int64_t iw = in_pos(ow, kw, g->SW, g->PL, 1, g->W);
                        if (iw < 0) continue;
                        for (int64_t c = 0; c < g->C; c++)
                            XAT(g, dx, n, ih, iw, c) += YAT(g, dy, n, oh, ow, c) / (float)cnt;
                    }
                }
            }
}
