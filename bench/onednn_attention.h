/* The attention core composed from oneDNN 2.6 primitives (C API), shared by the
 * cross-check test (C) and the benchmark (C++): forward = matmul(Q, Kᵀ) with the scale as
 * output scale → softmax (axis S) → matmul(P, V); backward = matmul(Pᵀ, dO) → dV,
 * matmul(dO, Vᵀ) → dP, softmax backward(dP, P) → dS, matmul(dS, K)·scale → dQ,
 * matmul(dSᵀ, Q)·scale → dK. It materialises the (B, H, T, S) scores, probabilities and
 * their gradients: exactly the memory the fused kernel avoids.
 *
 * Layout: heads_major = 0 reads/writes mcdl's (B, T, H, d) directly through strided
 * memory descriptors; heads_major = 1 uses dense (B, H, T, d), oneDNN's best case.
 * A boolean mask is applied between the primitives on the host, the Keras way: masked
 * logits += -1e9 before the softmax, probabilities *= mask after it. Header-only and
 * valid C and C++. */
#ifndef MCDL_BENCH_ONEDNN_ATTENTION_H
#define MCDL_BENCH_ONEDNN_ATTENTION_H

#include <oneapi/dnnl/dnnl.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    int64_t B, T, S, H, dk, dv;
    float scale;
    int heads_major;
    const uint8_t *mask; /* NULL or (B, T, S) */
    int causal;
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    dnnl_primitive_t qk, sm, pv, dv_mm, dp_mm, sm_bwd, dq_mm, dk_mm;
    dnnl_memory_desc_t md_q, md_kt, md_s, md_v, md_o, md_pt, md_do, md_dv, md_vt, md_k, md_dq,
        md_dst, md_qw, md_dk;
    float *scores, *probs, *dprobs, *dscores; /* (B, H, T, S) each */
} mcdl_onednn_mha;

/* strides of a (B, H, rows, cols) logical view of a tensor stored (B, rows, H, cols) or
 * (B, H, rows, cols); transposed swaps the last two logical dims. */
static inline void mcdl_onednn_mha_md(dnnl_memory_desc_t *md, int64_t B, int64_t H, int64_t rows,
                                      int64_t cols, int heads_major, int transposed) {
    dnnl_dims_t dims, strides;
    dims[0] = B;
    dims[1] = H;
    if (heads_major) {
        strides[0] = H * rows * cols;
        strides[1] = rows * cols;
        strides[2] = cols;
        strides[3] = 1;
    } else {
        strides[0] = rows * H * cols;
        strides[1] = cols;
        strides[2] = H * cols;
        strides[3] = 1;
    }
    if (transposed) {
        dims[2] = cols;
        dims[3] = rows;
        const dnnl_dim_t t = strides[2];
        strides[2] = strides[3];
        strides[3] = t;
    } else {
        dims[2] = rows;
        dims[3] = cols;
    }
    dnnl_memory_desc_init_by_strides(md, 4, dims, dnnl_f32, strides);
}

static inline int mcdl_onednn_mm(dnnl_engine_t eng, const dnnl_memory_desc_t *a,
                                 const dnnl_memory_desc_t *b, const dnnl_memory_desc_t *c,
                                 float scale, dnnl_primitive_t *out) {
    dnnl_matmul_desc_t d;
    dnnl_primitive_attr_t attr;
    dnnl_primitive_desc_t pd;
    if (dnnl_matmul_desc_init(&d, a, b, NULL, c) != dnnl_success) return -1;
    dnnl_primitive_attr_create(&attr);
    if (scale != 1.0f) dnnl_primitive_attr_set_output_scales(attr, 1, 0, &scale);
    const dnnl_status_t st = dnnl_primitive_desc_create(&pd, &d, attr, eng, NULL);
    dnnl_primitive_attr_destroy(attr);
    if (st != dnnl_success) return -1;
    const dnnl_status_t st2 = dnnl_primitive_create(out, pd);
    dnnl_primitive_desc_destroy(pd);
    return st2 == dnnl_success ? 0 : -1;
}

static inline int mcdl_onednn_mha_init(mcdl_onednn_mha *m, int64_t B, int64_t T, int64_t S,
                                       int64_t H, int64_t dk, int64_t dv, float scale,
                                       int heads_major, int with_backward) {
    const size_t ns = (size_t)(B * H * T * S);
    m->B = B, m->T = T, m->S = S, m->H = H, m->dk = dk, m->dv = dv, m->scale = scale;
    m->heads_major = heads_major;
    m->mask = NULL;
    m->causal = 0;
    m->eng = NULL;
    m->strm = NULL;
    m->qk = m->sm = m->pv = m->dv_mm = m->dp_mm = m->sm_bwd = m->dq_mm = m->dk_mm = NULL;
    m->scores = (float *)malloc(ns * sizeof(float));
    m->probs = (float *)malloc(ns * sizeof(float));
    m->dprobs = with_backward ? (float *)malloc(ns * sizeof(float)) : NULL;
    m->dscores = with_backward ? (float *)malloc(ns * sizeof(float)) : NULL;
    if (!m->scores || !m->probs || (with_backward && (!m->dprobs || !m->dscores))) return -1;
    if (dnnl_engine_create(&m->eng, dnnl_cpu, 0) != dnnl_success) return -1;
    if (dnnl_stream_create(&m->strm, m->eng, dnnl_stream_default_flags) != dnnl_success) return -1;
    mcdl_onednn_mha_md(&m->md_q, B, H, T, dk, heads_major, 0);
    mcdl_onednn_mha_md(&m->md_kt, B, H, S, dk, heads_major, 1);
    mcdl_onednn_mha_md(&m->md_s, B, H, T, S, 1, 0);
    mcdl_onednn_mha_md(&m->md_v, B, H, S, dv, heads_major, 0);
    mcdl_onednn_mha_md(&m->md_o, B, H, T, dv, heads_major, 0);
    if (mcdl_onednn_mm(m->eng, &m->md_q, &m->md_kt, &m->md_s, scale, &m->qk)) return -1;
    if (mcdl_onednn_mm(m->eng, &m->md_s, &m->md_v, &m->md_o, 1.0f, &m->pv)) return -1;
    dnnl_softmax_desc_t sd;
    dnnl_primitive_desc_t pd, fwd_pd;
    dnnl_softmax_forward_desc_init(&sd, dnnl_forward_training, &m->md_s, 3);
    if (dnnl_primitive_desc_create(&fwd_pd, &sd, NULL, m->eng, NULL) != dnnl_success) return -1;
    if (dnnl_primitive_create(&m->sm, fwd_pd) != dnnl_success) return -1;
    if (with_backward) {
        mcdl_onednn_mha_md(&m->md_pt, B, H, T, S, 1, 1);
        m->md_do = m->md_o;
        mcdl_onednn_mha_md(&m->md_dv, B, H, S, dv, heads_major, 0);
        mcdl_onednn_mha_md(&m->md_vt, B, H, S, dv, heads_major, 1);
        mcdl_onednn_mha_md(&m->md_k, B, H, S, dk, heads_major, 0);
        mcdl_onednn_mha_md(&m->md_dq, B, H, T, dk, heads_major, 0);
        m->md_dst = m->md_pt;
        m->md_qw = m->md_q;
        m->md_dk = m->md_k;
        if (mcdl_onednn_mm(m->eng, &m->md_pt, &m->md_do, &m->md_dv, 1.0f, &m->dv_mm)) return -1;
        if (mcdl_onednn_mm(m->eng, &m->md_do, &m->md_vt, &m->md_s, 1.0f, &m->dp_mm)) return -1;
        if (mcdl_onednn_mm(m->eng, &m->md_s, &m->md_k, &m->md_dq, scale, &m->dq_mm)) return -1;
        if (mcdl_onednn_mm(m->eng, &m->md_pt, &m->md_q, &m->md_dk, scale, &m->dk_mm)) return -1;
        dnnl_softmax_backward_desc_init(&sd, &m->md_s, &m->md_s, 3);
        if (dnnl_primitive_desc_create(&pd, &sd, NULL, m->eng, fwd_pd) != dnnl_success) return -1;
        if (dnnl_primitive_create(&m->sm_bwd, pd) != dnnl_success) return -1;
        dnnl_primitive_desc_destroy(pd);
    }
    dnnl_primitive_desc_destroy(fwd_pd);
    return 0;
}

static inline dnnl_memory_t mcdl_onednn_wrap(const mcdl_onednn_mha *m, const dnnl_memory_desc_t *md,
                                             const void *p) {
    dnnl_memory_t mem = NULL;
    dnnl_memory_create(&mem, md, m->eng, (void *)p);
    return mem;
}

static inline int mcdl_onednn_run(const mcdl_onednn_mha *m, dnnl_primitive_t p, int n,
                                  const int *args, dnnl_memory_t *mems) {
    dnnl_exec_arg_t a[4];
    for (int i = 0; i < n; i++) {
        a[i].arg = args[i];
        a[i].memory = mems[i];
    }
    const dnnl_status_t st = dnnl_primitive_execute(p, m->strm, n, a);
    for (int i = 0; i < n; i++) dnnl_memory_destroy(mems[i]);
    return st == dnnl_success ? 0 : -1;
}

/* Keras masking on the host: -1e9 on disallowed logits (before softmax) or zero the
 * disallowed probabilities (after). */
static inline void mcdl_onednn_mha_apply_mask(const mcdl_onednn_mha *m, float *x, int after) {
    if (!m->mask && !m->causal) return;
    for (int64_t b = 0; b < m->B; b++)
        for (int64_t h = 0; h < m->H; h++)
            for (int64_t t = 0; t < m->T; t++)
                for (int64_t s = 0; s < m->S; s++) {
                    const int ok =
                        (!m->causal || s <= t) && (!m->mask || m->mask[(b * m->T + t) * m->S + s]);
                    float *e = x + ((b * m->H + h) * m->T + t) * m->S + s;
                    if (!ok) *e = after ? 0.0f : *e - 1e9f;
                }
}

static inline int mcdl_onednn_mha_fwd(const mcdl_onednn_mha *m, const float *q, const float *k,
                                      const float *v, float *o) {
    int rc = 0;
    {
        int args[3] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
        dnnl_memory_t mem[3] = {mcdl_onednn_wrap(m, &m->md_q, q), mcdl_onednn_wrap(m, &m->md_kt, k),
                                mcdl_onednn_wrap(m, &m->md_s, m->scores)};
        rc |= mcdl_onednn_run(m, m->qk, 3, args, mem);
    }
    mcdl_onednn_mha_apply_mask(m, m->scores, 0);
    {
        int args[2] = {DNNL_ARG_SRC, DNNL_ARG_DST};
        dnnl_memory_t mem[2] = {mcdl_onednn_wrap(m, &m->md_s, m->scores),
                                mcdl_onednn_wrap(m, &m->md_s, m->probs)};
        rc |= mcdl_onednn_run(m, m->sm, 2, args, mem);
    }
    mcdl_onednn_mha_apply_mask(m, m->probs, 1);
    {
        int args[3] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
        dnnl_memory_t mem[3] = {mcdl_onednn_wrap(m, &m->md_s, m->probs),
                                mcdl_onednn_wrap(m, &m->md_v, v), mcdl_onednn_wrap(m, &m->md_o, o)};
        rc |= mcdl_onednn_run(m, m->pv, 3, args, mem);
    }
    dnnl_stream_wait(m->strm);
    return rc;
}

/* Needs the probabilities of the last mcdl_onednn_mha_fwd on the same inputs. */
static inline int mcdl_onednn_mha_bwd(const mcdl_onednn_mha *m, const float *q, const float *k,
                                      const float *v, const float *dout, float *dq, float *dk,
                                      float *dv) {
    int rc = 0;
    int a3[3] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
    {
        dnnl_memory_t mem[3] = {mcdl_onednn_wrap(m, &m->md_pt, m->probs),
                                mcdl_onednn_wrap(m, &m->md_do, dout),
                                mcdl_onednn_wrap(m, &m->md_dv, dv)};
        rc |= mcdl_onednn_run(m, m->dv_mm, 3, a3, mem);
    }
    {
        dnnl_memory_t mem[3] = {mcdl_onednn_wrap(m, &m->md_do, dout),
                                mcdl_onednn_wrap(m, &m->md_vt, v),
                                mcdl_onednn_wrap(m, &m->md_s, m->dprobs)};
        rc |= mcdl_onednn_run(m, m->dp_mm, 3, a3, mem);
    }
    {
        int args[3] = {DNNL_ARG_DST, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC};
        dnnl_memory_t mem[3] = {mcdl_onednn_wrap(m, &m->md_s, m->probs),
                                mcdl_onednn_wrap(m, &m->md_s, m->dprobs),
                                mcdl_onednn_wrap(m, &m->md_s, m->dscores)};
        rc |= mcdl_onednn_run(m, m->sm_bwd, 3, args, mem);
    }
    mcdl_onednn_mha_apply_mask(m, m->dscores, 1);
    {
        dnnl_memory_t mem[3] = {mcdl_onednn_wrap(m, &m->md_s, m->dscores),
                                mcdl_onednn_wrap(m, &m->md_k, k),
                                mcdl_onednn_wrap(m, &m->md_dq, dq)};
        rc |= mcdl_onednn_run(m, m->dq_mm, 3, a3, mem);
    }
    {
        dnnl_memory_t mem[3] = {mcdl_onednn_wrap(m, &m->md_pt, m->dscores),
                                mcdl_onednn_wrap(m, &m->md_qw, q),
                                mcdl_onednn_wrap(m, &m->md_dk, dk)};
        rc |= mcdl_onednn_run(m, m->dk_mm, 3, a3, mem);
    }
    dnnl_stream_wait(m->strm);
    return rc;
}

static inline void mcdl_onednn_mha_destroy(mcdl_onednn_mha *m) {
    dnnl_primitive_t ps[8] = {m->qk,    m->sm,     m->pv,    m->dv_mm,
                              m->dp_mm, m->sm_bwd, m->dq_mm, m->dk_mm};
    for (int i = 0; i < 8; i++)
        if (ps[i]) dnnl_primitive_destroy(ps[i]);
    if (m->strm) dnnl_stream_destroy(m->strm);
    if (m->eng) dnnl_engine_destroy(m->eng);
    free(m->scores);
    free(m->probs);
    free(m->dprobs);
    free(m->dscores);
}

#endif
