/* Conv3D on NDHWC float32 tensors with the Keras kernel (kd, kh, kw, Cin, F): im2col over
 * one output depth slice at a time + the fused GEMM. Same contract as conv.h (no argument
 * checks, workspace in floats, OpenMP team of nthreads, dZ = pre-activation gradient,
 * weight gradients overwritten). */
#ifndef MCDL_KERNELS_CONV3D_H
#define MCDL_KERNELS_CONV3D_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/gemm/gemm.h"

typedef struct {
    int64_t N;
    int64_t D, H, W, C;    /* input */
    int64_t OD, OH, OW, F; /* output */
    int64_t KD, KH, KW, SD, SH, SW, DD, DH, DW;
    int64_t PF, PT, PL; /* zero planes / rows / columns before the input */
    int nthreads;       /* 0: omp_get_max_threads() */
} mcdl_conv3d_geom;

/* One output slice od of image n as a column matrix: OH*OW rows of KD*KH*KW*C. */
void mcdl_f32_im2col3d_slice(const mcdl_conv3d_geom *g, const float *x, int64_t n, int64_t od,
                             float *col);
/* Adds such a column matrix back into image n of dx. */
void mcdl_f32_col2im3d_slice(const mcdl_conv3d_geom *g, const float *col, int64_t n, int64_t od,
                             float *dx);

size_t mcdl_conv3d_workspace_size(const mcdl_conv3d_geom *g); /* any of the three passes */
void mcdl_f32_conv3d_fwd(const mcdl_conv3d_geom *g, const float *x, const float *w,
                         const float *bias, mcdl_act act, float act_alpha, float *y, float *ws);
void mcdl_f32_conv3d_bwd_data(const mcdl_conv3d_geom *g, const float *dz, const float *w, float *dx,
                              float *ws);
void mcdl_f32_conv3d_bwd_weights(const mcdl_conv3d_geom *g, const float *x, const float *dz,
                                 float *dw, float *dbias, float *ws);

/* Scalar references (direct loops, double accumulation). */
void mcdl_f32_conv3d_fwd_ref(const mcdl_conv3d_geom *g, const float *x, const float *w,
                             const float *bias, float *y);
void mcdl_f32_conv3d_bwd_data_ref(const mcdl_conv3d_geom *g, const float *dz, const float *w,
                                  float *dx);
void mcdl_f32_conv3d_bwd_weights_ref(const mcdl_conv3d_geom *g, const float *x, const float *dz,
                                     float *dw, float *dbias);

#endif
