/* oneDNN (2.x C API) vanilla RNN / LSTM / LBR-GRU driver shared by the cross-check test
 * and bench/mcdl_bench_rnn.cc (compiles as C11 and C++17). The caller fills plain user
 * buffers in Keras-friendly layouts; oneDNN's own weight layouts are reached by
 * reorders done once in onednn_rnn_prepare (outside any timing).
 *
 * Layouts (oneDNN logical dims, physical tags):
 *   x  (N, T, I) "ntc", y (N, T, D*O or O) "ntc", h0/hT/c0/cT (D, N, O) "ldnc",
 *   wl (D, I, G, O) and wi (D, O, G, O) "ldigo" = Keras kernel / recurrent_kernel
 *   (Keras' (in, G*u) row-major IS (I, G, O)), bias (D, Gb, O) "ldgo".
 * Gate orders match Keras: LSTM i, f, c~, o; GRU u(=z), r, o(=h~). LBR-GRU's bias has
 * Gb = 4 rows: b_u, b_r (input + recurrent biases summed), b_o (input candidate bias),
 * b_u' (recurrent candidate bias) = Keras GRU reset_after=True. */
#ifndef MCDL_TESTS_ONEDNN_RNN_H
#define MCDL_TESTS_ONEDNN_RNN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oneapi/dnnl/dnnl.h"

enum { ONEDNN_RNN_VANILLA = 0, ONEDNN_RNN_LSTM = 1, ONEDNN_RNN_LBR_GRU = 2 };

typedef struct {
    int cell;
    dnnl_rnn_direction_t dir;
    int64_t T, N, I, O, D, G, Gb, Oy;
    bool backward;
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    dnnl_primitive_desc_t fpd, bpd;
    dnnl_primitive_t fp, bp;
    dnnl_memory_desc_t md_x, md_y, md_it, md_wl, md_wi, md_b;
    /* user buffers (plain layouts above) */
    float *x, *wl, *wi, *b, *h0, *c0, *y, *hT, *cT;
    float *dy, *dhT, *dcT, *dx, *dh0, *dc0, *dwl, *dwi, *db;
    /* memories */
    dnnl_memory_t m_x, m_h0, m_c0, m_y, m_hT, m_cT, m_b, m_ws;
    dnnl_memory_t m_wl_f, m_wi_f, m_wl_b, m_wi_b; /* weights in the primitives' layouts */
    dnnl_memory_t m_dy, m_dhT, m_dcT, m_dx, m_dh0, m_dc0, m_dwl, m_dwi, m_db;
} onednn_rnn;

#define ONEDNN_OK(call)                                                                            \
    do {                                                                                           \
        if ((call) != dnnl_success) return -1;                                                     \
    } while (0)

static inline float *onednn_rnn_buf_(int64_t n) {
    return (float *)calloc((size_t)(n > 0 ? n : 1), sizeof(float));
}

static inline int onednn_rnn_mem_(onednn_rnn *r, dnnl_memory_t *m, const dnnl_memory_desc_t *md,
                                  void *p) {
    ONEDNN_OK(dnnl_memory_create(m, md, r->eng, p));
    return 0;
}

/* Reorders src (user layout) into a new memory of layout md; returns 0 on success. */
static inline int onednn_rnn_reorder_(onednn_rnn *r, const dnnl_memory_desc_t *from, void *src,
                                      const dnnl_memory_desc_t *to, dnnl_memory_t *out, void *dst) {
    dnnl_memory_t a;
    ONEDNN_OK(dnnl_memory_create(&a, from, r->eng, src));
    if (*out == NULL)
        ONEDNN_OK(dnnl_memory_create(out, to, r->eng, dst ? dst : DNNL_MEMORY_ALLOCATE));
    dnnl_primitive_desc_t rpd;
    dnnl_primitive_t rp;
    ONEDNN_OK(dnnl_reorder_primitive_desc_create(&rpd, from, r->eng, to, r->eng, NULL));
    ONEDNN_OK(dnnl_primitive_create(&rp, rpd));
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, a}, {DNNL_ARG_TO, *out}};
    ONEDNN_OK(dnnl_primitive_execute(rp, r->strm, 2, args));
    ONEDNN_OK(dnnl_stream_wait(r->strm));
    dnnl_primitive_destroy(rp);
    dnnl_primitive_desc_destroy(rpd);
    dnnl_memory_destroy(a);
    return 0;
}

static inline int onednn_rnn_desc_(onednn_rnn *r, dnnl_rnn_desc_t *d, dnnl_prop_kind_t prop,
                                   const dnnl_memory_desc_t *wl, const dnnl_memory_desc_t *wi,
                                   const dnnl_memory_desc_t *dwl, const dnnl_memory_desc_t *dwi) {
    const dnnl_memory_desc_t *c = r->cell == ONEDNN_RNN_LSTM ? &r->md_it : NULL;
    if (prop != dnnl_backward) {
        if (r->cell == ONEDNN_RNN_VANILLA)
            return dnnl_vanilla_rnn_forward_desc_init(d, prop, dnnl_eltwise_tanh, r->dir, &r->md_x,
                                                      &r->md_it, wl, wi, &r->md_b, &r->md_y,
                                                      &r->md_it, 0, 0.0f, 0.0f) == dnnl_success
                       ? 0
                       : -1;
        if (r->cell == ONEDNN_RNN_LSTM)
            return dnnl_lstm_forward_desc_init(d, prop, r->dir, &r->md_x, &r->md_it, c, wl, wi,
                                               &r->md_b, &r->md_y, &r->md_it, c, 0) == dnnl_success
                       ? 0
                       : -1;
        return dnnl_lbr_gru_forward_desc_init(d, prop, r->dir, &r->md_x, &r->md_it, wl, wi,
                                              &r->md_b, &r->md_y, &r->md_it, 0) == dnnl_success
                   ? 0
                   : -1;
    }
    if (r->cell == ONEDNN_RNN_VANILLA)
        return dnnl_vanilla_rnn_backward_desc_init(
                   d, prop, dnnl_eltwise_tanh, r->dir, &r->md_x, &r->md_it, wl, wi, &r->md_b,
                   &r->md_y, &r->md_it, &r->md_x, &r->md_it, dwl, dwi, &r->md_b, &r->md_y,
                   &r->md_it, 0, 0.0f, 0.0f) == dnnl_success
                   ? 0
                   : -1;
    if (r->cell == ONEDNN_RNN_LSTM)
        return dnnl_lstm_backward_desc_init(d, prop, r->dir, &r->md_x, &r->md_it, c, wl, wi,
                                            &r->md_b, &r->md_y, &r->md_it, c, &r->md_x, &r->md_it,
                                            c, dwl, dwi, &r->md_b, &r->md_y, &r->md_it, c,
                                            0) == dnnl_success
                   ? 0
                   : -1;
    return dnnl_lbr_gru_backward_desc_init(d, prop, r->dir, &r->md_x, &r->md_it, wl, wi, &r->md_b,
                                           &r->md_y, &r->md_it, &r->md_x, &r->md_it, dwl, dwi,
                                           &r->md_b, &r->md_y, &r->md_it, 0) == dnnl_success
               ? 0
               : -1;
}

/* Creates the primitives and user buffers. backward=false: forward_inference only. */
static inline int onednn_rnn_init(onednn_rnn *r, int cell, dnnl_rnn_direction_t dir, int64_t T,
                                  int64_t N, int64_t I, int64_t O, bool backward) {
    memset(r, 0, sizeof *r);
    r->cell = cell;
    r->dir = dir;
    r->T = T, r->N = N, r->I = I, r->O = O;
    r->D = (dir == dnnl_bidirectional_concat || dir == dnnl_bidirectional_sum) ? 2 : 1;
    r->G = cell == ONEDNN_RNN_LSTM ? 4 : cell == ONEDNN_RNN_LBR_GRU ? 3 : 1;
    r->Gb = cell == ONEDNN_RNN_LBR_GRU ? 4 : r->G;
    r->Oy = dir == dnnl_bidirectional_concat ? 2 * O : O;
    r->backward = backward;
    ONEDNN_OK(dnnl_engine_create(&r->eng, dnnl_cpu, 0));
    ONEDNN_OK(dnnl_stream_create(&r->strm, r->eng, dnnl_stream_default_flags));
    dnnl_dims_t dx = {T, N, I}, dy = {T, N, r->Oy}, dit = {1, r->D, N, O};
    dnnl_dims_t dwl = {1, r->D, I, r->G, O}, dwi = {1, r->D, O, r->G, O}, db = {1, r->D, r->Gb, O};
    ONEDNN_OK(dnnl_memory_desc_init_by_tag(&r->md_x, 3, dx, dnnl_f32, dnnl_ntc));
    ONEDNN_OK(dnnl_memory_desc_init_by_tag(&r->md_y, 3, dy, dnnl_f32, dnnl_ntc));
    ONEDNN_OK(dnnl_memory_desc_init_by_tag(&r->md_it, 4, dit, dnnl_f32, dnnl_ldnc));
    ONEDNN_OK(dnnl_memory_desc_init_by_tag(&r->md_wl, 5, dwl, dnnl_f32, dnnl_ldigo));
    ONEDNN_OK(dnnl_memory_desc_init_by_tag(&r->md_wi, 5, dwi, dnnl_f32, dnnl_ldigo));
    ONEDNN_OK(dnnl_memory_desc_init_by_tag(&r->md_b, 4, db, dnnl_f32, dnnl_ldgo));
    dnnl_memory_desc_t any_wl, any_wi;
    ONEDNN_OK(dnnl_memory_desc_init_by_tag(&any_wl, 5, dwl, dnnl_f32, dnnl_format_tag_any));
    ONEDNN_OK(dnnl_memory_desc_init_by_tag(&any_wi, 5, dwi, dnnl_f32, dnnl_format_tag_any));
    dnnl_rnn_desc_t fd, bd;
    if (onednn_rnn_desc_(r, &fd, backward ? dnnl_forward_training : dnnl_forward_inference, &any_wl,
                         &any_wi, NULL, NULL))
        return -1;
    ONEDNN_OK(dnnl_primitive_desc_create(&r->fpd, &fd, NULL, r->eng, NULL));
    ONEDNN_OK(dnnl_primitive_create(&r->fp, r->fpd));
    if (backward) {
        if (onednn_rnn_desc_(r, &bd, dnnl_backward, &any_wl, &any_wi, &r->md_wl, &r->md_wi))
            return -1;
        ONEDNN_OK(dnnl_primitive_desc_create(&r->bpd, &bd, NULL, r->eng, r->fpd));
        ONEDNN_OK(dnnl_primitive_create(&r->bp, r->bpd));
    }
    const int64_t nit = r->D * N * O;
    r->x = onednn_rnn_buf_(T * N * I), r->y = onednn_rnn_buf_(T * N * r->Oy);
    r->wl = onednn_rnn_buf_(r->D * I * r->G * O), r->wi = onednn_rnn_buf_(r->D * O * r->G * O);
    r->b = onednn_rnn_buf_(r->D * r->Gb * O);
    r->h0 = onednn_rnn_buf_(nit), r->c0 = onednn_rnn_buf_(nit);
    r->hT = onednn_rnn_buf_(nit), r->cT = onednn_rnn_buf_(nit);
    if (onednn_rnn_mem_(r, &r->m_x, &r->md_x, r->x) ||
        onednn_rnn_mem_(r, &r->m_y, &r->md_y, r->y) ||
        onednn_rnn_mem_(r, &r->m_h0, &r->md_it, r->h0) ||
        onednn_rnn_mem_(r, &r->m_c0, &r->md_it, r->c0) ||
        onednn_rnn_mem_(r, &r->m_hT, &r->md_it, r->hT) ||
        onednn_rnn_mem_(r, &r->m_cT, &r->md_it, r->cT) ||
        onednn_rnn_mem_(r, &r->m_b, &r->md_b, r->b))
        return -1;
    if (backward) {
        const dnnl_memory_desc_t *ws =
            dnnl_primitive_desc_query_md(r->fpd, dnnl_query_workspace_md, 0);
        ONEDNN_OK(dnnl_memory_create(&r->m_ws, ws, r->eng, DNNL_MEMORY_ALLOCATE));
        r->dy = onednn_rnn_buf_(T * N * r->Oy), r->dx = onednn_rnn_buf_(T * N * I);
        r->dhT = onednn_rnn_buf_(nit), r->dcT = onednn_rnn_buf_(nit);
        r->dh0 = onednn_rnn_buf_(nit), r->dc0 = onednn_rnn_buf_(nit);
        r->dwl = onednn_rnn_buf_(r->D * I * r->G * O),
        r->dwi = onednn_rnn_buf_(r->D * O * r->G * O);
        r->db = onednn_rnn_buf_(r->D * r->Gb * O);
        if (onednn_rnn_mem_(r, &r->m_dy, &r->md_y, r->dy) ||
            onednn_rnn_mem_(r, &r->m_dx, &r->md_x, r->dx) ||
            onednn_rnn_mem_(r, &r->m_dhT, &r->md_it, r->dhT) ||
            onednn_rnn_mem_(r, &r->m_dcT, &r->md_it, r->dcT) ||
            onednn_rnn_mem_(r, &r->m_dh0, &r->md_it, r->dh0) ||
            onednn_rnn_mem_(r, &r->m_dc0, &r->md_it, r->dc0) ||
            onednn_rnn_mem_(r, &r->m_dwl, &r->md_wl, r->dwl) ||
            onednn_rnn_mem_(r, &r->m_dwi, &r->md_wi, r->dwi) ||
            onednn_rnn_mem_(r, &r->m_db, &r->md_b, r->db))
            return -1;
    }
    return 0;
}

/* Reorders the user weights into each primitive's chosen layout (once). */
static inline int onednn_rnn_prepare(onednn_rnn *r) {
    if (onednn_rnn_reorder_(r, &r->md_wl, r->wl,
                            dnnl_primitive_desc_query_md(r->fpd, dnnl_query_weights_md, 0),
                            &r->m_wl_f, NULL) ||
        onednn_rnn_reorder_(r, &r->md_wi, r->wi,
                            dnnl_primitive_desc_query_md(r->fpd, dnnl_query_weights_md, 1),
                            &r->m_wi_f, NULL))
        return -1;
    if (r->backward &&
        (onednn_rnn_reorder_(r, &r->md_wl, r->wl,
                             dnnl_primitive_desc_query_md(r->bpd, dnnl_query_weights_md, 0),
                             &r->m_wl_b, NULL) ||
         onednn_rnn_reorder_(r, &r->md_wi, r->wi,
                             dnnl_primitive_desc_query_md(r->bpd, dnnl_query_weights_md, 1),
                             &r->m_wi_b, NULL)))
        return -1;
    return 0;
}

static inline int onednn_rnn_fwd(onednn_rnn *r) {
    dnnl_exec_arg_t a[12];
    int n = 0;
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_SRC_LAYER, r->m_x};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_SRC_ITER, r->m_h0};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS_LAYER, r->m_wl_f};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS_ITER, r->m_wi_f};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, r->m_b};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DST_LAYER, r->m_y};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DST_ITER, r->m_hT};
    if (r->cell == ONEDNN_RNN_LSTM) {
        a[n++] = (dnnl_exec_arg_t){DNNL_ARG_SRC_ITER_C, r->m_c0};
        a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DST_ITER_C, r->m_cT};
    }
    if (r->backward) a[n++] = (dnnl_exec_arg_t){DNNL_ARG_WORKSPACE, r->m_ws};
    ONEDNN_OK(dnnl_primitive_execute(r->fp, r->strm, n, a));
    ONEDNN_OK(dnnl_stream_wait(r->strm));
    return 0;
}

/* Backward of the last onednn_rnn_fwd (which must have been a training forward). The
 * diff weights and bias are accumulated by oneDNN, so they are zeroed first. */
static inline int onednn_rnn_bwd(onednn_rnn *r) {
    memset(r->dwl, 0, (size_t)(r->D * r->I * r->G * r->O) * sizeof(float));
    memset(r->dwi, 0, (size_t)(r->D * r->O * r->G * r->O) * sizeof(float));
    memset(r->db, 0, (size_t)(r->D * r->Gb * r->O) * sizeof(float));
    dnnl_exec_arg_t a[24];
    int n = 0;
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_SRC_LAYER, r->m_x};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_SRC_ITER, r->m_h0};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS_LAYER, r->m_wl_b};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS_ITER, r->m_wi_b};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, r->m_b};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DST_LAYER, r->m_y};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DST_ITER, r->m_hT};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_WORKSPACE, r->m_ws};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_SRC_LAYER, r->m_dx};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_SRC_ITER, r->m_dh0};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_WEIGHTS_LAYER, r->m_dwl};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_WEIGHTS_ITER, r->m_dwi};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_BIAS, r->m_db};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_DST_LAYER, r->m_dy};
    a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_DST_ITER, r->m_dhT};
    if (r->cell == ONEDNN_RNN_LSTM) {
        a[n++] = (dnnl_exec_arg_t){DNNL_ARG_SRC_ITER_C, r->m_c0};
        a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DST_ITER_C, r->m_cT};
        a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_SRC_ITER_C, r->m_dc0};
        a[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_DST_ITER_C, r->m_dcT};
    }
    ONEDNN_OK(dnnl_primitive_execute(r->bp, r->strm, n, a));
    ONEDNN_OK(dnnl_stream_wait(r->strm));
    return 0;
}

static inline void onednn_rnn_destroy(onednn_rnn *r) {
    dnnl_memory_t *ms[] = {&r->m_x,   &r->m_h0,  &r->m_c0,   &r->m_y,    &r->m_hT,   &r->m_cT,
                           &r->m_b,   &r->m_ws,  &r->m_wl_f, &r->m_wi_f, &r->m_wl_b, &r->m_wi_b,
                           &r->m_dy,  &r->m_dhT, &r->m_dcT,  &r->m_dx,   &r->m_dh0,  &r->m_dc0,
                           &r->m_dwl, &r->m_dwi, &r->m_db};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
        if (*ms[i]) dnnl_memory_destroy(*ms[i]);
    if (r->fp) dnnl_primitive_destroy(r->fp);
    if (r->bp) dnnl_primitive_destroy(r->bp);
    if (r->fpd) dnnl_primitive_desc_destroy(r->fpd);
    if (r->bpd) dnnl_primitive_desc_destroy(r->bpd);
    if (r->strm) dnnl_stream_destroy(r->strm);
    if (r->eng) dnnl_engine_destroy(r->eng);
    float *bufs[] = {r->x,  r->wl,  r->wi,  r->b,  r->h0,  r->c0,  r->y,   r->hT,  r->cT,
                     r->dy, r->dhT, r->dcT, r->dx, r->dh0, r->dc0, r->dwl, r->dwi, r->db};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    memset(r, 0, sizeof *r);
}

#endif
