/* Fused multi-head attention core (flash-attention style), forward and backward, one
 * implementation per ISA plus a plain reference that materialises the scores.
 *
 * Contract (all row-major, float32):
 *   q   (B, T, H, dk)   projected queries, exactly what a Dense-like projection with
 *   k   (B, S, H, dk)   kernel (D, H, dk) writes; heads are interleaved, so one head's
 *   v   (B, S, H, dv)   rows are strided by H*dk (H*dv) floats.
 *   o   (B, T, H, dv)   o[b,t,h,:] = sum_s P[b,h,t,s] v[b,s,h,:]
 *   lse (B, H, T)       per-row log-sum-exp of the scaled logits (saved for backward);
 *                       +MCDL_MHA_BIG for a row with no allowed key.
 *   P = softmax_s(scale * q·k) over the allowed keys: mask[b,t,s] != 0 (when a mask is
 *   given) and s <= t (when causal). Keras semantics: masked logits count as -inf-like
 *   (Keras adds -1e9) and a fully masked row has P = 0, hence o = 0 and zero gradients.
 *
 * The fused kernels never form the T x S matrix: per (batch, head) they pack K and V
 * once (O(S·d) scratch), then stream MCDL_MHA_BR query rows against MCDL_MHA_BC-key
 * tiles with an online softmax. The backward recomputes each tile from lse (no stored
 * probabilities). Work is split over batch × heads with a static OpenMP schedule, so
 * results are bitwise reproducible for a given thread count. */
#ifndef MCDL_KERNELS_ATTENTION_H
#define MCDL_KERNELS_ATTENTION_H

#include <stddef.h>
#include <stdint.h>

#include "simd/cpu.h"

enum { MCDL_MHA_BR = 32, MCDL_MHA_BC = 128 };
/* Stands in for -inf (masked logit) and +inf (lse of an empty row): finite, so that
 * exp(MCDL_MHA_NEG - m) is exactly 0 without inf - inf = NaN. */
#define MCDL_MHA_NEG (-1e30f)
#define MCDL_MHA_BIG (1e30f)

typedef struct {
    int64_t batch, tq, tk, heads, key_dim, value_dim;
    float scale;         /* multiplies q·k; Keras uses 1/sqrt(key_dim) */
    const uint8_t *mask; /* NULL, or (batch, tq, tk): nonzero where attention is allowed */
    int causal;          /* also require s <= t (Keras use_causal_mask) */
    int nthreads;        /* OpenMP threads of the fused kernels; 0 = omp_get_max_threads() */
} mcdl_mha_desc;

typedef void (*mcdl_mha_fwd_fn)(const mcdl_mha_desc *d, const float *q, const float *k,
                                const float *v, float *o, float *lse, float *ws);
/* dq, dk, dv are overwritten. o and lse are the forward's outputs. */
typedef void (*mcdl_mha_bwd_fn)(const mcdl_mha_desc *d, const float *q, const float *k,
                                const float *v, const float *o, const float *dout, const float *lse,
                                float *dq, float *dk, float *dv, float *ws);

/* Scratch (in floats) the fused kernels need for nthreads OpenMP threads; ws must hold
 * that many floats (64-byte aligned gives aligned tiles), with nthreads >= the threads
 * the call uses (d->nthreads, or omp_get_max_threads() when that is 0). O(S·(dk + dv))
 * per thread. */
size_t mcdl_f32_mha_fwd_ws_floats(const mcdl_mha_desc *d, int nthreads);
size_t mcdl_f32_mha_bwd_ws_floats(const mcdl_mha_desc *d, int nthreads);

/* The fused implementation for a path (NULL when not compiled in) and on the active path. */
mcdl_mha_fwd_fn mcdl_mha_fwd_fn_for(mcdl_isa isa);
mcdl_mha_bwd_fn mcdl_mha_bwd_fn_for(mcdl_isa isa);
void mcdl_f32_mha_fwd(const mcdl_mha_desc *d, const float *q, const float *k, const float *v,
                      float *o, float *lse, float *ws);
void mcdl_f32_mha_bwd(const mcdl_mha_desc *d, const float *q, const float *k, const float *v,
                      const float *o, const float *dout, const float *lse, float *dq, float *dk,
                      float *dv, float *ws);

/* Plain references (attention_ref.c): materialise the T x S scores of one head in double.
 * lse may be NULL. Return 0, or -1 when scratch cannot be allocated. */
int mcdl_f32_mha_fwd_ref(const mcdl_mha_desc *d, const float *q, const float *k, const float *v,
                         float *o, float *lse);
int mcdl_f32_mha_bwd_ref(const mcdl_mha_desc *d, const float *q, const float *k, const float *v,
                         const float *dout, float *dq, float *dk, float *dv);

/* Per-ISA fused instantiations of attention_body.inc (ISA "ref" runs the _scalar one). */
void mcdl_f32_mha_fwd_fused_scalar(const mcdl_mha_desc *d, const float *q, const float *k,
                                   const float *v, float *o, float *lse, float *ws);
void mcdl_f32_mha_bwd_fused_scalar(const mcdl_mha_desc *d, const float *q, const float *k,
                                   const float *v, const float *o, const float *dout,
                                   const float *lse, float *dq, float *dk, float *dv, float *ws);
void mcdl_f32_mha_fwd_fused_avx2(const mcdl_mha_desc *d, const float *q, const float *k,
                                 const float *v, float *o, float *lse, float *ws);
void mcdl_f32_mha_bwd_fused_avx2(const mcdl_mha_desc *d, const float *q, const float *k,
                                 const float *v, const float *o, const float *dout,
                                 const float *lse, float *dq, float *dk, float *dv, float *ws);
void mcdl_f32_mha_fwd_fused_avx512(const mcdl_mha_desc *d, const float *q, const float *k,
                                   const float *v, float *o, float *lse, float *ws);
void mcdl_f32_mha_bwd_fused_avx512(const mcdl_mha_desc *d, const float *q, const float *k,
                                   const float *v, const float *o, const float *dout,
                                   const float *lse, float *dq, float *dk, float *dv, float *ws);
void mcdl_f32_mha_fwd_fused_neon(const mcdl_mha_desc *d, const float *q, const float *k,
                                 const float *v, float *o, float *lse, float *ws);
void mcdl_f32_mha_bwd_fused_neon(const mcdl_mha_desc *d, const float *q, const float *k,
                                 const float *v, const float *o, const float *dout,
                                 const float *lse, float *dq, float *dk, float *dv, float *ws);

#endif
