/* Plain scalar Conv3D references: direct loops over the Keras definition (double
 * accumulation for the forward and data gradient). */
#include <string.h>

#include "kernels/conv/conv3d.h"

static int64_t at3(const mcdl_conv3d_geom *g, int64_t od, int64_t oh, int64_t ow, int64_t kd,
                   int64_t kh, int64_t kw) {
    const int64_t id = od * g->SD - g->PF + kd * g->DD, ih = oh * g->SH - g->PT + kh * g->DH;
    const int64_t iw = ow * g->SW - g->PL + kw * g->DW;
    if (id < 0 || id >= g->D || ih < 0 || ih >= g->H || iw < 0 || iw >= g->W) return -1;
    return (id * g->H + ih) * g->W + iw;
}

void mcdl_f32_conv3d_fwd_ref(const mcdl_conv3d_geom *g, const float *x, const float *w,
                             const float *bias, float *y) {
    const int64_t C = g->C, F = g->F, in_img = g->D * g->H * g->W * C;
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t od = 0; od < g->OD; od++)
            for (int64_t oh = 0; oh < g->OH; oh++)
                for (int64_t ow = 0; ow < g->OW; ow++)
                    for (int64_t f = 0; f < F; f++) {
                        double a = bias ? bias[f] : 0.0;
                        for (int64_t kd = 0; kd < g->KD; kd++)
                            for (int64_t kh = 0; kh < g->KH; kh++)
                                for (int64_t kw = 0; kw < g->KW; kw++) {
                                    const int64_t p = at3(g, od, oh, ow, kd, kh, kw);
                                    if (p < 0) continue;
                                    for (int64_t c = 0; c < C; c++)
                                        a += (double)x[n * in_img + p * C + c] *
                                             w[(((kd * g->KH + kh) * g->KW + kw) * C + c) * F + f];
                                }
                        y[(((n * g->OD + od) * g->OH + oh) * g->OW + ow) * F + f] = (float)a;
                    }
}

void mcdl_f32_conv3d_bwd_data_ref(const mcdl_conv3d_geom *g, const float *dz, const float *w,
                                  float *dx) {
    const int64_t C = g->C, F = g->F, in_img = g->D * g->H * g->W * C;
    memset(dx, 0, (size_t)(g->N * in_img) * sizeof(float));
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t od = 0; od < g->OD; od++)
            for (int64_t oh = 0; oh < g->OH; oh++)
                for (int64_t ow = 0; ow < g->OW; ow++) {
                    const float *d = dz + (((n * g->OD + od) * g->OH + oh) * g->OW + ow) * F;
                    for (int64_t kd = 0; kd < g->KD; kd++)
                        for (int64_t kh = 0; kh < g->KH; kh++)
                            for (int64_t kw = 0; kw < g->KW; kw++) {
                                const int64_t p = at3(g, od, oh, ow, kd, kh, kw);
                                if (p < 0) continue;
                                for (int64_t c = 0; c < C; c++) {
                                    double a = 0;
                                    for (int64_t f = 0; f < F; f++)
                                        a += (double)d[f] *
                                             w[(((kd * g->KH + kh) * g->KW + kw) * C + c) * F + f];
                                    dx[n * in_img + p * C + c] += (float)a;
                                }
                            }
                }
}

void mcdl_f32_conv3d_bwd_weights_ref(const mcdl_conv3d_geom *g, const float *x, const float *dz,
                                     float *dw, float *dbias) {
    const int64_t C = g->C, F = g->F, in_img = g->D * g->H * g->W * C;
    const int64_t nw = g->KD * g->KH * g->KW * C * F;
    for (int64_t i = 0; i < nw; i++) dw[i] = 0.0f;
    for (int64_t f = 0; f < F && dbias; f++) dbias[f] = 0.0f;
    for (int64_t n = 0; n < g->N; n++)
        for (int64_t od = 0; od < g->OD; od++)
            for (int64_t oh = 0; oh < g->OH; oh++)
                for (int64_t ow = 0; ow < g->OW; ow++) {
                    const float *d = dz + (((n * g->OD + od) * g->OH + oh) * g->OW + ow) * F;
                    if (dbias)
                        for (int64_t f = 0; f < F; f++) dbias[f] += d[f];
                    for (int64_t kd = 0; kd < g->KD; kd++)
                        for (int64_t kh = 0; kh < g->KH; kh++)
                            for (int64_t kw = 0; kw < g->KW; kw++) {
                                const int64_t p = at3(g, od, oh, ow, kd, kh, kw);
                                if (p < 0) continue;
                                for (int64_t c = 0; c < C; c++)
                                    for (int64_t f = 0; f < F; f++)
                                        dw[(((kd * g->KH + kh) * g->KW + kw) * C + c) * F + f] +=
                                            x[n * in_img + p * C + c] * d[f];
                            }
                }
}
