/* Convolution-family kernels on NHWC float32 tensors with Keras weight layouts:
 * im2col/col2im, Conv2D (im2col + the fused GEMM, direct 1x1 and tiny-K paths), the
 * transposed convolution (GEMM + col2im scatter), direct depthwise convolution, max and
 * average pooling. 1-D ops are the 2-D ones with H = 1 and KH = 1.
 *
 * Contract (every entry point):
 * - Shapes come in one mcdl_conv2d_geom. The "image" side (H, W, C) is the input of a
 *   convolution and the output of a transposed one; the "GEMM" side (OH, OW, F) is the
 *   other. Output position oh reads input row oh*SH - PT + kh*DH; rows outside [0, H) are
 *   zero padding. The padding after the image is implied by OH/OW.
 * - Arguments are NOT validated (lib/ does that); mcdl_conv_out_len/mcdl_deconv_out_len
 *   compute Keras' sizes and reject impossible ones.
 * - No allocation: an op that needs scratch memory has a *_workspace_size (in floats) and
 *   takes a workspace pointer of at least that many floats, 64-byte aligned preferred.
 * - Threads: OpenMP teams of geom.nthreads (0 = omp_get_max_threads() at call time; the
 *   workspace must be sized with the same value). Partitions are static, so results are
 *   bitwise reproducible for a fixed thread count.
 * - Backward kernels take dZ, the gradient with respect to the pre-activation output:
 *   lib/ applies the activation's derivative first. Weight gradients are overwritten. */
#ifndef MCDL_KERNELS_CONV_H
#define MCDL_KERNELS_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/gemm/gemm.h"
#include "simd/cpu.h"

/* Conv2D with K = KH*KW*C at or below this runs the direct per-ISA kernels (no GEMM). */
#define MCDL_CONV_DIRECT_MAX_K 32
/* Depthwise kernels with more taps than this take the scalar reference for backward data. */
#define MCDL_DW_MAX_TAPS 256

typedef enum { MCDL_PAD_VALID = 0, MCDL_PAD_SAME, MCDL_PAD_CAUSAL } mcdl_padding;

typedef struct {
    int64_t N;
    int64_t H, W, C;   /* image side */
    int64_t OH, OW, F; /* GEMM side; F = C * depth_multiplier for depthwise, C for pooling */
    int64_t KH, KW;    /* kernel / pool window */
    int64_t SH, SW;    /* strides >= 1 */
    int64_t DH, DW;    /* dilations >= 1 (Keras convention: 1 = dense) */
    int64_t PT, PL;    /* zero rows / columns before the image */
    int nthreads;      /* 0: omp_get_max_threads() */
} mcdl_conv2d_geom;

/* Keras output length and padding-before of a convolution or pooling along one axis:
 * valid floor((n - d(k-1) - 1)/s) + 1; same ceil(n/s) with before = P//2; causal (1-D)
 * left-pads d(k-1). Returns 0, or -1 when a size is < 1 or the output would be empty. */
int mcdl_conv_out_len(int64_t n, int64_t k, int64_t s, int64_t d, mcdl_padding p, int64_t *out,
                      int64_t *pad_before);
/* Keras Conv2DTranspose output length and the crop (= PT/PL of the equivalent geometry):
 * output_padding < 0 means None. Returns -1 for bad sizes or output_padding >= s. */
int mcdl_deconv_out_len(int64_t n, int64_t k, int64_t s, int64_t d, mcdl_padding p,
                        int64_t output_padding, int64_t *out, int64_t *crop);
/* The team size the kernels use for g. */
int mcdl_conv_threads(const mcdl_conv2d_geom *g);

/* im2col of output rows [oh0, oh1) of image n: col is (oh1-oh0)*OW x KH*KW*C, column
 * index (kh*KW + kw)*C + c (the row order of a Keras (kh, kw, Cin, F) kernel). */
void mcdl_f32_im2col_rows(const mcdl_conv2d_geom *g, const float *x, int64_t n, int64_t oh0,
                          int64_t oh1, float *col);
/* Adds col (same layout) back into image n of dx (the adjoint of im2col). */
void mcdl_f32_col2im_rows(const mcdl_conv2d_geom *g, const float *col, int64_t n, int64_t oh0,
                          int64_t oh1, float *dx);

/* ---- Conv2D: x (N,H,W,C), w (KH,KW,C,F), bias (F) or NULL, y (N,OH,OW,F). ---- */
size_t mcdl_conv2d_fwd_workspace_size(const mcdl_conv2d_geom *g);
size_t mcdl_conv2d_bwd_data_workspace_size(const mcdl_conv2d_geom *g);
size_t mcdl_conv2d_bwd_weights_workspace_size(const mcdl_conv2d_geom *g);
/* y = act(conv(x, w) + bias), act/alpha as in the GEMM epilogue. */
void mcdl_f32_conv2d_fwd(const mcdl_conv2d_geom *g, const float *x, const float *w,
                         const float *bias, mcdl_act act, float act_alpha, float *y, float *ws);
/* dx = conv^T(dz, w) (overwritten). */
void mcdl_f32_conv2d_bwd_data(const mcdl_conv2d_geom *g, const float *dz, const float *w, float *dx,
                              float *ws);
/* dw = sum over positions of x-patches^T dz; dbias = column sums of dz (NULL: skipped). */
void mcdl_f32_conv2d_bwd_weights(const mcdl_conv2d_geom *g, const float *x, const float *dz,
                                 float *dw, float *dbias, float *ws);

/* Implicit-GEMM paths (conv_igemm.c), chosen by the Conv2D/Conv2DTranspose entry points
 * when mcdl_conv2d_igemm_fits (bwd = 0: forward, 1: backward data): at most 64 taps, a
 * reduction (C forward, F backward) of at least 8, strides <= 8 backward. The backward one
 * overwrites dx with act(conv^T(dz, w) + bias) (bias per input channel, NULL: none). */
int mcdl_conv2d_igemm_fits(const mcdl_conv2d_geom *g, int bwd);
size_t mcdl_conv2d_igemm_workspace_size(const mcdl_conv2d_geom *g, int bwd);
void mcdl_f32_conv2d_igemm_fwd(const mcdl_conv2d_geom *g, const float *x, const float *w,
                               const float *bias, mcdl_act act, float act_alpha, float *y,
                               float *ws);
void mcdl_f32_conv2d_igemm_bwd_data(const mcdl_conv2d_geom *g, const float *dz, const float *w,
                                    const float *bias, mcdl_act act, float act_alpha, float *dx,
                                    float *ws);

/* ---- Conv2DTranspose: x (N,OH,OW,F) -> y (N,H,W,C), w (KH,KW,C,F) = Keras (kh,kw,filters,
 * Cin) with C = filters, F = Cin; the geometry is that of the convolution it transposes
 * (PT/PL = crop). Forward = bwd_data of that convolution + bias + act. ---- */
size_t mcdl_deconv2d_fwd_workspace_size(const mcdl_conv2d_geom *g);
size_t mcdl_deconv2d_bwd_data_workspace_size(const mcdl_conv2d_geom *g);
size_t mcdl_deconv2d_bwd_weights_workspace_size(const mcdl_conv2d_geom *g);
void mcdl_f32_deconv2d_fwd(const mcdl_conv2d_geom *g, const float *x, const float *w,
                           const float *bias, mcdl_act act, float act_alpha, float *y, float *ws);
/* dx (N,OH,OW,F) from dz (N,H,W,C). */
void mcdl_f32_deconv2d_bwd_data(const mcdl_conv2d_geom *g, const float *dz, const float *w,
                                float *dx, float *ws);
/* dw (KH,KW,C,F) and dbias (C) from x (N,OH,OW,F) and dz (N,H,W,C). */
void mcdl_f32_deconv2d_bwd_weights(const mcdl_conv2d_geom *g, const float *x, const float *dz,
                                   float *dw, float *dbias, float *ws);

/* ---- Depthwise: x (N,H,W,C), w (KH,KW,C,M), bias (C*M) or NULL, y (N,OH,OW,C*M) with
 * output channel c*M + m; F = C*M. Direct loops, no im2col. ---- */
size_t mcdl_dwconv2d_bwd_weights_workspace_size(const mcdl_conv2d_geom *g);
void mcdl_f32_dwconv2d_fwd(const mcdl_conv2d_geom *g, const float *x, const float *w,
                           const float *bias, mcdl_act act, float act_alpha, float *y);
void mcdl_f32_dwconv2d_bwd_data(const mcdl_conv2d_geom *g, const float *dz, const float *w,
                                float *dx);
void mcdl_f32_dwconv2d_bwd_weights(const mcdl_conv2d_geom *g, const float *x, const float *dz,
                                   float *dw, float *dbias, float *ws);

/* ---- Pooling: x (N,H,W,C), y (N,OH,OW,C), window KH x KW (dilations must be 1).
 * Padded cells are ignored: max over real cells, average divided by the count of real
 * cells (Keras 'same'). Global pooling = window H x W, valid. Max backward routes the
 * gradient to the first maximum in window order (kh, then kw), as TF and oneDNN do. ---- */
void mcdl_f32_maxpool2d_fwd(const mcdl_conv2d_geom *g, const float *x, float *y);
void mcdl_f32_maxpool2d_bwd(const mcdl_conv2d_geom *g, const float *x, const float *dy, float *dx);
/* Training forms: the forward also writes, per output element, the window-local index
 * (kh*KW + kw, one byte) of the first maximum, and the backward routes dy with it instead
 * of re-reading x (one byte per output instead of a window of x). Windows of at most
 * MCDL_MAXPOOL_ARGMAX_MAX_CELLS cells only; larger ones use mcdl_f32_maxpool2d_bwd. */
#define MCDL_MAXPOOL_ARGMAX_MAX_CELLS 256
void mcdl_f32_maxpool2d_fwd_argmax(const mcdl_conv2d_geom *g, const float *x, float *y,
                                   uint8_t *arg);
void mcdl_f32_maxpool2d_bwd_argmax(const mcdl_conv2d_geom *g, const uint8_t *arg, const float *dy,
                                   float *dx);
void mcdl_f32_avgpool2d_fwd(const mcdl_conv2d_geom *g, const float *x, float *y);
void mcdl_f32_avgpool2d_bwd(const mcdl_conv2d_geom *g, const float *dy, float *dx);

/* ---- Plain scalar references (tests' ground truth; direct loops, no GEMM). ---- */
void mcdl_f32_conv2d_fwd_ref(const mcdl_conv2d_geom *g, const float *x, const float *w,
                             const float *bias, mcdl_act act, float act_alpha, float *y);
void mcdl_f32_conv2d_bwd_data_ref(const mcdl_conv2d_geom *g, const float *dz, const float *w,
                                  float *dx);
void mcdl_f32_conv2d_bwd_weights_ref(const mcdl_conv2d_geom *g, const float *x, const float *dz,
                                     float *dw, float *dbias);
/* Keras' description: scatter full[i*s + a] += x[i] K[a], crop at PT/PL, add bias. */
void mcdl_f32_deconv2d_fwd_ref(const mcdl_conv2d_geom *g, const float *x, const float *w,
                               const float *bias, float *y);
void mcdl_f32_dwconv2d_fwd_ref(const mcdl_conv2d_geom *g, const float *x, const float *w,
                               const float *bias, float *y);
void mcdl_f32_dwconv2d_bwd_data_ref(const mcdl_conv2d_geom *g, const float *dz, const float *w,
                                    float *dx);
void mcdl_f32_dwconv2d_bwd_weights_ref(const mcdl_conv2d_geom *g, const float *x, const float *dz,
                                       float *dw, float *dbias);
void mcdl_f32_maxpool2d_fwd_ref(const mcdl_conv2d_geom *g, const float *x, float *y);
void mcdl_f32_maxpool2d_bwd_ref(const mcdl_conv2d_geom *g, const float *x, const float *dy,
                                float *dx);
void mcdl_f32_avgpool2d_fwd_ref(const mcdl_conv2d_geom *g, const float *x, float *y);
void mcdl_f32_avgpool2d_bwd_ref(const mcdl_conv2d_geom *g, const float *dy, float *dx);

/* ---- Per-ISA direct kernels (convdirect_body.inc), chosen by mcdl_conv_isa_ops(). ---- */
typedef struct {
    /* Conv2D with tiny K = KH*KW*C: y row block [oh0, oh1) of image n, bias/act fused. */
    void (*conv2d_direct_rows)(const mcdl_conv2d_geom *g, const float *x, const float *w,
                               const float *bias, mcdl_act act, float act_alpha, int64_t n,
                               int64_t oh0, int64_t oh1, float *y);
    /* Tiny-K Conv2D backward: adds into image n of dx; accumulates into dw (K x F) and
     * dbias (F, NULL: skipped) from output rows [oh0, oh1) of image n. */
    void (*conv2d_direct_bwd_data_rows)(const mcdl_conv2d_geom *g, const float *dz, const float *w,
                                        int64_t n, int64_t oh0, int64_t oh1, float *dx);
    void (*conv2d_direct_bwd_weights_rows)(const mcdl_conv2d_geom *g, const float *x,
                                           const float *dz, int64_t n, int64_t oh0, int64_t oh1,
                                           float *dw, float *dbias);
    /* Conv2D backward weights for any K (convdirect_wgrad.inc): accumulates into dw
     * (KH, KW, C, F) from output rows [oh0, oh1) of image n, reading x and dz in place. */
    void (*conv2d_wgrad_rows)(const mcdl_conv2d_geom *g, const float *x, const float *dz, int64_t n,
                              int64_t oh0, int64_t oh1, float *dw);
    void (*dw_fwd_row)(const mcdl_conv2d_geom *g, const float *x, const float *w, const float *bias,
                       mcdl_act act, float act_alpha, int64_t n, int64_t oh, float *y);
    void (*dw_bwd_data_row)(const mcdl_conv2d_geom *g, const float *dz, const float *w, int64_t n,
                            int64_t ih, float *dx);
    /* Accumulates into dw (KH*KW*C*M) and dbias (C*M) from output row oh of image n. */
    void (*dw_bwd_weights_row)(const mcdl_conv2d_geom *g, const float *x, const float *dz,
                               int64_t n, int64_t oh, float *dw, float *dbias);
    void (*maxpool_fwd_row)(const mcdl_conv2d_geom *g, const float *x, int64_t n, int64_t oh,
                            float *y);
    /* Adds the gradient of output row oh of image n into dx. */
    void (*maxpool_bwd_row)(const mcdl_conv2d_geom *g, const float *x, const float *dy, int64_t n,
                            int64_t oh, float *dx);
    void (*avgpool_fwd_row)(const mcdl_conv2d_geom *g, const float *x, int64_t n, int64_t oh,
                            float *y);
    void (*avgpool_bwd_row)(const mcdl_conv2d_geom *g, const float *dy, int64_t n, int64_t oh,
                            float *dx);
    /* Max pooling with the window-local argmax (see mcdl_f32_maxpool2d_fwd_argmax). */
    void (*maxpool_fwd_argmax_row)(const mcdl_conv2d_geom *g, const float *x, int64_t n, int64_t oh,
                                   float *y, uint8_t *arg);
    void (*maxpool_bwd_argmax_row)(const mcdl_conv2d_geom *g, const uint8_t *arg, const float *dy,
                                   int64_t n, int64_t oh, float *dx);
    /* 2x2 stride-2 unpadded windows: stores (not adds) the gradient of output row oh of image
     * n into its two input rows; mode 0 average, 1 max (x = the input), 2 max with x = the
     * argmax array of mcdl_f32_maxpool2d_fwd_argmax. */
    void (*pool2x2_bwd_row)(const mcdl_conv2d_geom *g, const void *x, const float *dy, int64_t n,
                            int64_t oh, float *dx, int is_max);
    /* Implicit-GEMM tile (convdirect_igemm.inc): igemm_rows pixels x igemm_cols channels;
     * a holds ntap * igemm_rows input-row pointers (K floats each), b ntap packed
     * K x igemm_cols weight slabs; rows p < np are stored to yrow[p][0, nf). */
    void (*igemm_tile)(int64_t ntap, int64_t K, const float *const *a, const float *const *b,
                       const float *bias, mcdl_act act, float act_alpha, int64_t np,
                       float *const *yrow, int64_t nf);
    int igemm_rows, igemm_cols;
    /* The same with twice the rows and half the columns, for narrow outputs. */
    void (*igemm_tile_narrow)(int64_t ntap, int64_t K, const float *const *a, const float *const *b,
                              const float *bias, mcdl_act act, float act_alpha, int64_t np,
                              float *const *yrow, int64_t nf);
    int igemm_rows_narrow, igemm_cols_narrow;
} mcdl_conv_isa_ops;

/* The table for a path (NULL when not compiled in) and for the active path. */
const mcdl_conv_isa_ops *mcdl_conv_ops_for(mcdl_isa isa);
const mcdl_conv_isa_ops *mcdl_conv_ops_active(void);
extern const mcdl_conv_isa_ops mcdl_conv_ops_scalar, mcdl_conv_ops_avx2, mcdl_conv_ops_avx512,
    mcdl_conv_ops_neon;

#endif
