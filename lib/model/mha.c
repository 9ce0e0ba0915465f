/* MultiHeadAttention: Dense-like projections (one GEMM each, kernels (D, H, k) read as
 * (D, H·k) so they write the (B, T, H, k) layout the fused kernel takes), the fused
 * attention core (kernels/attention: flash-style, never forms T x S), and the output
 * projection (H, v, Dout) as one GEMM. Backward: the output GEMMs, the fused backward
 * (recomputes probabilities from the saved log-sum-exp), then each projection's weight,
 * bias and input gradients. Also the tensor-level mcdl_attention(). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/attention/attention.h"
#include "kernels/gemm/gemm.h"
#include "lib/core/alloc.h"
#include "lib/core/error.h"
#include "lib/model/attention_layers.h"
#include "lib/model/core_layers.h"

typedef struct {
    int64_t H, kd, vd, out_dim; /* out_dim 0: the query's last dimension */
    bool use_bias, causal;
    float dropout;
    mcdl_init kinit, binit;
    int64_t dq, dk, dv, dout; /* built input/output feature sizes */
    int w[8];                 /* query k, b, key k, b, value k, b, output k, b (-1: none) */
    int ws_threads;           /* threads the planned scratch is sized for (set once) */
    /* Call layout (the same for every call): explicit inputs (query, value, key,
     * attention_mask), then the implicit Keras masks taken from query, value, key: their
     * input indices, or -1. pend_* is what take_masks found for the call being made. */
    int n_explicit, mq, mv, mk;
    int pend_mq, pend_mv, pend_mk;
    bool layout_set;
} mha_state;

enum { WQ = 0, BQ, WK, BK, WV, BV, WO, BO };

static mcdl_status mha_check(const mcdl_layer *l, const mha_state *st) {
    const char *n = mcdl_layer_name(l);
    if (st->H <= 0)
        return mcdl_error(MCDL_ERR_ARG, "MultiHeadAttention '%s': num_heads must be > 0, got %lld",
                          n, (long long)st->H);
    if (st->kd <= 0)
        return mcdl_error(MCDL_ERR_ARG, "MultiHeadAttention '%s': key_dim must be > 0, got %lld", n,
                          (long long)st->kd);
    if (st->vd < 0 || st->out_dim < 0)
        return mcdl_error(
            MCDL_ERR_ARG,
            "MultiHeadAttention '%s': value_dim and output_shape must be >= 0 (0 = default)", n);
    if (!(st->dropout >= 0.0f && st->dropout < 1.0f))
        return mcdl_error(MCDL_ERR_ARG,
                          "MultiHeadAttention '%s': dropout must be in [0, 1), got %g", n,
                          (double)st->dropout);
    if ((unsigned)st->kinit >= MCDL_INIT_COUNT || (unsigned)st->binit >= MCDL_INIT_COUNT)
        return mcdl_error(MCDL_ERR_ARG, "MultiHeadAttention '%s': unknown initializer id", n);
    return MCDL_OK;
}

static mcdl_status mha_from_config(mcdl_layer *l, const mcdl_config *c) {
    mha_state *st = mcdl_layer_state(l);
    st->use_bias = true;
    st->kinit = MCDL_INIT_GLOROT_UNIFORM;
    st->binit = MCDL_INIT_ZEROS;
    MCDL_TRY(mcdl_cfg_get_int(l, c, "num_heads", &st->H));
    MCDL_TRY(mcdl_cfg_get_int(l, c, "key_dim", &st->kd));
    MCDL_TRY(mcdl_cfg_get_int(l, c, "value_dim", &st->vd));
    MCDL_TRY(mcdl_cfg_get_bool(l, c, "use_bias", &st->use_bias));
    MCDL_TRY(mcdl_cfg_get_float(l, c, "dropout", &st->dropout));
    MCDL_TRY(mcdl_cfg_get_init(l, c, "kernel_initializer", &st->kinit));
    MCDL_TRY(mcdl_cfg_get_init(l, c, "bias_initializer", &st->binit));
    int64_t os[MCDL_MAX_RANK];
    int n = 0;
    MCDL_TRY(
        mcdl_cfg_get_ints(l, c, "output_shape", os, MCDL_MAX_RANK, &n)); /* null, int or [int] */
    if (n > 1)
        return mcdl_error(
            MCDL_ERR_UNSUPPORTED,
            "MultiHeadAttention '%s': output_shape with %d axes is not supported (one axis)",
            mcdl_layer_name(l), n);
    if (n == 1) st->out_dim = os[0];
    if (st->vd == 0) st->vd = st->kd;
    return mha_check(l, st);
}

static void mha_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const mha_state *st = mcdl_layer_state(l);
    mcdl_cfg_put_number(w, "num_heads", (double)st->H);
    mcdl_cfg_put_number(w, "key_dim", (double)st->kd);
    mcdl_cfg_put_number(w, "value_dim", (double)st->vd);
    mcdl_cfg_put_number(w, "dropout", (double)st->dropout);
    mcdl_cfg_put_bool(w, "use_bias", st->use_bias);
    if (st->out_dim)
        mcdl_cfg_put_number(w, "output_shape", (double)st->out_dim);
    else
        mcdl_cfg_put_null(w, "output_shape");
    mcdl_cfg_put_init(w, "kernel_initializer", st->kinit);
    mcdl_cfg_put_init(w, "bias_initializer", st->binit);
}

/* Keras' implicit masks: the query's mask [B, T] and the value's (and a distinct key's)
 * [B, S] combine into the attention mask q_mask[:, :, None] & v_mask[:, None, :]. */
static mcdl_status mha_take_masks(mcdl_layer *l, int call, int n_in, mcdl_node *const *in,
                                  mcdl_node *const *masks, mcdl_node **extra, int *n_extra) {
    (void)call;
    mha_state *st = mcdl_layer_state(l);
    mcdl_node *mq = masks[0], *mv = n_in > 1 ? masks[1] : masks[0];
    mcdl_node *mk = n_in > 2 && in[2] != (n_in > 1 ? in[1] : in[0]) ? masks[2] : NULL;
    int k = 0;
    st->pend_mq = st->pend_mv = st->pend_mk = -1;
    if (mq) {
        st->pend_mq = n_in + k;
        extra[k++] = mq;
    }
    if (mv == mq) {
        st->pend_mv = st->pend_mq; /* self-attention: one mask input serves both */
    } else if (mv) {
        st->pend_mv = n_in + k;
        extra[k++] = mv;
    }
    if (mk) {
        st->pend_mk = n_in + k;
        extra[k++] = mk;
    }
    *n_extra = k;
    return MCDL_OK;
}

static mcdl_status mha_infer(mcdl_layer *l, mcdl_infer_args *a) {
    mha_state *st = mcdl_layer_state(l);
    const char *n = mcdl_layer_name(l);
    /* record (first call) or check (later calls) the explicit/implicit input layout */
    const int e = a->n_explicit;
    const int pq = e < a->n_in ? st->pend_mq : -1, pv = e < a->n_in ? st->pend_mv : -1,
              pk = e < a->n_in ? st->pend_mk : -1;
    st->pend_mq = st->pend_mv = st->pend_mk = -1;
    if (!st->layout_set) {
        st->n_explicit = e, st->mq = pq, st->mv = pv, st->mk = pk;
        st->layout_set = true;
    } else if (st->n_explicit != e || st->mq != pq || st->mv != pv || st->mk != pk) {
        return mcdl_error(
            MCDL_ERR_UNSUPPORTED,
            "MultiHeadAttention '%s': a shared layer's calls must take the same "
            "inputs and Keras masks (call 0: %d inputs, this call: %d)",
            n, st->n_explicit + (st->mq >= 0) + (st->mv >= 0 && st->mv != st->mq) + (st->mk >= 0),
            a->n_in);
    }
    for (int i = e; i < a->n_in; i++) {
        const int64_t want = i == pq ? a->in[0].d[0] : a->in[e > 1 ? 1 : 0].d[0];
        if (a->in[i].rank != 1 || a->in[i].d[0] != want) {
            char sb[128];
            mcdl_shape_keras_str(&a->in[i], sb, sizeof sb);
            return mcdl_error(MCDL_ERR_SHAPE,
                              "MultiHeadAttention '%s': the Keras mask %s from '%s' does not fit "
                              "its input's length %lld",
                              n, sb, a->in_from[i], (long long)want);
        }
    }
    const mcdl_shape *q = &a->in[0], *v = e > 1 ? &a->in[1] : q, *k = e > 2 ? &a->in[2] : v;
    char s1[128], s2[128];
    for (int i = 0; i < (e < 3 ? e : 3); i++)
        if (a->in[i].rank != 2) {
            mcdl_shape_keras_str(&a->in[i], s1, sizeof s1);
            return mcdl_error(MCDL_ERR_SHAPE,
                              "MultiHeadAttention '%s' needs (None, T, D) inputs, got %s from '%s'",
                              n, s1, a->in_from[i]);
        }
    if (k->d[0] != v->d[0]) {
        mcdl_shape_keras_str(v, s1, sizeof s1);
        mcdl_shape_keras_str(k, s2, sizeof s2);
        return mcdl_error(
            MCDL_ERR_SHAPE,
            "MultiHeadAttention '%s': value %s from '%s' and key %s from '%s' differ in length", n,
            s1, a->in_from[1], s2, a->in_from[2]);
    }
    if (e == 4 && (a->in[3].rank != 2 || a->in[3].d[0] != q->d[0] || a->in[3].d[1] != v->d[0])) {
        mcdl_shape_keras_str(&a->in[3], s1, sizeof s1);
        return mcdl_error(MCDL_ERR_SHAPE,
                          "MultiHeadAttention '%s': attention_mask %s from '%s' does not fit query "
                          "length %lld and value "
                          "length %lld (wanted (None, %lld, %lld))",
                          n, s1, a->in_from[3], (long long)q->d[0], (long long)v->d[0],
                          (long long)q->d[0], (long long)v->d[0]);
    }
    const int64_t dq = q->d[1], dk = k->d[1], dv = v->d[1];
    if (a->call == 0) {
        st->dq = dq, st->dk = dk, st->dv = dv;
        st->dout = st->out_dim ? st->out_dim : dq;
        const mcdl_init ki = st->kinit, bi = st->binit;
        const int64_t H = st->H, kd = st->kd, vd = st->vd;
        st->w[WQ] = mcdl_layer_add_weight(l, "query/kernel", 3, (int64_t[]){dq, H, kd}, ki, true);
        st->w[BQ] = st->use_bias
                        ? mcdl_layer_add_weight(l, "query/bias", 2, (int64_t[]){H, kd}, bi, true)
                        : -1;
        st->w[WK] = mcdl_layer_add_weight(l, "key/kernel", 3, (int64_t[]){dk, H, kd}, ki, true);
        st->w[BK] = st->use_bias
                        ? mcdl_layer_add_weight(l, "key/bias", 2, (int64_t[]){H, kd}, bi, true)
                        : -1;
        st->w[WV] = mcdl_layer_add_weight(l, "value/kernel", 3, (int64_t[]){dv, H, vd}, ki, true);
        st->w[BV] = st->use_bias
                        ? mcdl_layer_add_weight(l, "value/bias", 2, (int64_t[]){H, vd}, bi, true)
                        : -1;
        st->w[WO] = mcdl_layer_add_weight(l, "attention_output/kernel", 3,
                                          (int64_t[]){H, vd, st->dout}, ki, true);
        st->w[BO] = st->use_bias ? mcdl_layer_add_weight(l, "attention_output/bias", 1,
                                                         (int64_t[]){st->dout}, bi, true)
                                 : -1;
        for (int i = 0; i < 8; i++)
            if (st->w[i] < 0 && (st->use_bias || i % 2 == 0))
                return mcdl_graph_status(mcdl_layer_graph(l));
    } else if (dq != st->dq || dk != st->dk || dv != st->dv) {
        mcdl_shape_keras_str(q, s1, sizeof s1);
        mcdl_shape_keras_str(v, s2, sizeof s2);
        return mcdl_error(MCDL_ERR_SHAPE,
                          "MultiHeadAttention '%s' was built for feature sizes %lld/%lld/%lld but "
                          "gets query %s and value %s",
                          n, (long long)st->dq, (long long)st->dv, (long long)st->dk, s1, s2);
    }
    a->n_out = 1;
    a->out[0] = *q;
    a->out[0].d[1] = st->dout;
    return MCDL_OK;
}

/* Per-call sizes (floats) of the buffers: projections, output, lse, mask bytes. */
typedef struct {
    int64_t T, S, nq, nk, nv, no, nlse, nmask, proj, ws, grads;
} mha_sizes;

static int64_t mha_r16(int64_t n) { return (n + 15) / 16 * 16; }

static mha_sizes mha_sizes_of(const mha_state *st, int64_t T, int64_t S, int64_t B, int threads) {
    mha_sizes z;
    z.T = T, z.S = S;
    z.nq = mha_r16(B * T * st->H * st->kd);
    z.nk = mha_r16(B * S * st->H * st->kd);
    z.nv = mha_r16(B * S * st->H * st->vd);
    z.no = mha_r16(B * T * st->H * st->vd);
    z.nlse = mha_r16(B * st->H * T);
    z.nmask = mha_r16((B * T * S + 3) / 4);
    z.proj = z.nq + z.nk + z.nv + z.no + z.nlse + z.nmask;
    mcdl_mha_desc d = {
        .batch = B, .tq = T, .tk = S, .heads = st->H, .key_dim = st->kd, .value_dim = st->vd};
    const size_t f = mcdl_f32_mha_fwd_ws_floats(&d, threads),
                 b = mcdl_f32_mha_bwd_ws_floats(&d, threads);
    z.ws = mha_r16((int64_t)(f > b ? f : b));
    z.grads = z.no + z.nq + z.nk + z.nv; /* dO, dQ, dK, dV */
    return z;
}

static void mha_call_lengths(const mcdl_layer *l, int call, int64_t *T, int64_t *S) {
    int64_t sh[MCDL_MAX_RANK];
    mcdl_node_shape(mcdl_layer_call_input(l, call, 0), sh);
    *T = sh[0];
    mcdl_node *v = mcdl_layer_call_input(l, call, 1);
    if (v) mcdl_node_shape(v, sh);
    *S = sh[0];
}

static void mha_workspace(const mcdl_layer *l, int call, int64_t batch, bool training,
                          size_t *saved, size_t *scratch) {
    mha_state *st = mcdl_layer_state(l);
    int64_t T, S;
    mha_call_lengths(l, call, &T, &S);
    /* fixed at the first plan, so every plan's scratch fits every call: a later rise of
     * the thread count is capped there (mha_desc_of) rather than overflowing the arena */
    if (st->ws_threads == 0) st->ws_threads = omp_get_max_threads();
    const mha_sizes z = mha_sizes_of(st, T, S, batch, st->ws_threads);
    *saved = training ? (size_t)z.proj * sizeof(float) : 0;
    *scratch = (size_t)((training ? 0 : z.proj) + z.ws + (training ? z.grads : 0)) * sizeof(float);
}

static void mha_desc_of(const mha_state *st, const mha_sizes *z, int64_t B, const uint8_t *mask,
                        mcdl_mha_desc *d) {
    *d = (mcdl_mha_desc){.batch = B,
                         .tq = z->T,
                         .tk = z->S,
                         .heads = st->H,
                         .key_dim = st->kd,
                         .value_dim = st->vd,
                         .scale = 1.0f / sqrtf((float)st->kd),
                         .mask = mask,
                         .causal = st->causal};
    const int t = omp_get_max_threads();
    d->nthreads = st->ws_threads <= 0 ? 1 : t < st->ws_threads ? t : st->ws_threads;
}

static bool mha_has_mask(const mha_state *st) {
    return st->n_explicit == 4 || st->mq >= 0 || st->mv >= 0 || st->mk >= 0;
}

/* The kernel's byte mask (B, T, S): the explicit attention_mask (nonzero = attend) AND
 * the implicit query mask [b, t] AND the value/key masks [b, s]. */
static void mha_build_mask(const mha_state *st, const mcdl_exec_args *a, int64_t B, int64_t T,
                           int64_t S, uint8_t *mask) {
    const float *am = st->n_explicit == 4 ? a->x[3] : NULL;
    const float *qm = st->mq >= 0 ? a->x[st->mq] : NULL, *vm = st->mv >= 0 ? a->x[st->mv] : NULL,
                *km = st->mk >= 0 ? a->x[st->mk] : NULL;
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++) {
            uint8_t *mr = mask + (b * T + t) * S;
            const bool qok = !qm || qm[b * T + t] != 0.0f;
            for (int64_t s = 0; s < S; s++)
                mr[s] = qok && (!am || am[(b * T + t) * S + s] != 0.0f) &&
                        (!vm || vm[b * S + s] != 0.0f) && (!km || km[b * S + s] != 0.0f);
        }
}

/* x (rows, din) · W (din, n) + b -> y (rows, n) */
static void mha_project(int64_t rows, int64_t din, int64_t n, const float *x, const float *W,
                        const float *b, float *y) {
    const mcdl_gemm_epilogue ep = {.bias = b, .act = MCDL_ACT_NONE};
    mcdl_f32_gemm('N', 'N', rows, n, din, 1.0f, x, din, W, n, 0.0f, y, n, &ep);
}

static mcdl_status mha_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const mha_state *st = mcdl_layer_state(l);
    if (a->training && st->dropout > 0.0f)
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "MultiHeadAttention '%s': dropout %g on attention probabilities is not "
                          "supported in training",
                          mcdl_layer_name(l), (double)st->dropout);
    const int64_t B = a->batch;
    const int e = st->n_explicit;
    const mha_sizes z = mha_sizes_of(
        st, a->x_shape[0].d[0], e > 1 ? a->x_shape[1].d[0] : a->x_shape[0].d[0], B, st->ws_threads);
    float *base = a->training ? a->saved : a->scratch;
    float *Q = base, *K = Q + z.nq, *V = K + z.nk, *O = V + z.nv, *lse = O + z.no;
    uint8_t *mask = mha_has_mask(st) ? (uint8_t *)(lse + z.nlse) : NULL;
    float *ws = (float *)a->scratch + (a->training ? 0 : z.proj);
    const float *xq = a->x[0], *xv = e > 1 ? a->x[1] : xq, *xk = e > 2 ? a->x[2] : xv;
    const int64_t H = st->H, kd = st->kd, vd = st->vd;
#define MHA_W(i) mcdl_layer_weight_data(l, st->w[i])
#define MHA_B(i) (st->w[i] >= 0 ? mcdl_layer_weight_data(l, st->w[i]) : NULL)
    mha_project(B * z.T, st->dq, H * kd, xq, MHA_W(WQ), MHA_B(BQ), Q);
    mha_project(B * z.S, st->dk, H * kd, xk, MHA_W(WK), MHA_B(BK), K);
    mha_project(B * z.S, st->dv, H * vd, xv, MHA_W(WV), MHA_B(BV), V);
    if (mask) mha_build_mask(st, a, B, z.T, z.S, mask);
    mcdl_mha_desc d;
    mha_desc_of(st, &z, B, mask, &d);
    mcdl_f32_mha_fwd(&d, Q, K, V, O, lse, ws);
    mha_project(B * z.T, H * vd, st->dout, O, MHA_W(WO), MHA_B(BO), a->y[0]);
    return MCDL_OK;
}

/* Weight/bias gradients of one projection (dW += xᵀ g, db += colsum g) and its input
 * gradient dx (= g Wᵀ, accumulated when accumulate). */
static void mha_project_bwd(const mcdl_layer *l, const mha_state *st, bool wgrads, int wi, int bi,
                            int64_t rows, int64_t din, int64_t n, const float *x, const float *g,
                            float *dx, bool accumulate) {
    if (wgrads) {
        mcdl_f32_gemm('T', 'N', din, n, rows, 1.0f, x, din, g, n, 1.0f,
                      mcdl_layer_weight_grad(l, st->w[wi]), n, NULL);
        if (st->w[bi] >= 0) {
            float *db = mcdl_layer_weight_grad(l, st->w[bi]);
            for (int64_t r = 0; r < rows; r++)
                for (int64_t c = 0; c < n; c++) db[c] += g[r * n + c];
        }
    }
    if (dx)
        mcdl_f32_gemm('N', 'T', rows, din, n, 1.0f, g, n, mcdl_layer_weight_data(l, st->w[wi]), n,
                      accumulate ? 1.0f : 0.0f, dx, din, NULL);
}

static mcdl_status mha_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const mha_state *st = mcdl_layer_state(l);
    const int64_t B = a->batch;
    const int e = st->n_explicit;
    const mha_sizes z = mha_sizes_of(
        st, a->x_shape[0].d[0], e > 1 ? a->x_shape[1].d[0] : a->x_shape[0].d[0], B, st->ws_threads);
    float *Q = a->saved, *K = Q + z.nq, *V = K + z.nk, *O = V + z.nv, *lse = O + z.no;
    const uint8_t *mask = mha_has_mask(st) ? (const uint8_t *)(lse + z.nlse) : NULL;
    float *ws = a->scratch, *dO = ws + z.ws, *dQ = dO + z.no, *dK = dQ + z.nq, *dV = dK + z.nk;
    const float *xq = a->x[0], *xv = e > 1 ? a->x[1] : xq, *xk = e > 2 ? a->x[2] : xv;
    const int64_t H = st->H, kd = st->kd, vd = st->vd;
    /* output projection: dO = dy Woᵀ, dWo += Oᵀ dy, dbo += colsum(dy) */
    mha_project_bwd(l, st, a->weight_grads, WO, BO, B * z.T, H * vd, st->dout, O, a->dy[0], dO,
                    false);
    mcdl_mha_desc d;
    mha_desc_of(st, &z, B, mask, &d);
    mcdl_f32_mha_bwd(&d, Q, K, V, O, dO, lse, dQ, dK, dV, ws);
    /* input gradients: with one input all three projections read x[0]; with two, key and
     * value read x[1] */
    float *dxq = a->dx[0];
    float *dxv = e > 1 ? a->dx[1] : a->dx[0];
    float *dxk = e > 2 ? a->dx[2] : dxv;
    mha_project_bwd(l, st, a->weight_grads, WQ, BQ, B * z.T, st->dq, H * kd, xq, dQ, dxq, false);
    mha_project_bwd(l, st, a->weight_grads, WV, BV, B * z.S, st->dv, H * vd, xv, dV, dxv, e == 1);
    mha_project_bwd(l, st, a->weight_grads, WK, BK, B * z.S, st->dk, H * kd, xk, dK, dxk, e <= 2);
    /* masks (explicit and implicit) get no gradient */
    for (int i = e == 4 ? 3 : e; i < a->n_in; i++)
        if (a->dx[i])
            memset(a->dx[i], 0, (size_t)(B * mcdl_shape_numel(&a->x_shape[i])) * sizeof(float));
    return MCDL_OK;
#undef MHA_W
#undef MHA_B
}

const mcdl_layer_class mcdl_mha_class = {
    .keeps_mask = true, /* Keras supports_masking: the mask passes through */
    .class_name = "MultiHeadAttention",
    .auto_name = "multi_head_attention",
    .state_size = sizeof(mha_state),
    .min_inputs = 1,
    .max_inputs = 4,
    .from_config = mha_from_config,
    .to_config = mha_to_config,
    .infer = mha_infer,
    .workspace = mha_workspace,
    .forward = mha_forward,
    .backward = mha_backward,
    .take_masks = mha_take_masks,
};

mcdl_layer *mcdl_multi_head_attention_layer(mcdl_graph *g, const mcdl_mha_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    if (!o) {
        mcdl_graph_record(
            g, mcdl_error(MCDL_ERR_ARG,
                          "MultiHeadAttention: options are required (num_heads, key_dim)"));
        return NULL;
    }
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_mha_class, o->name);
    if (!l) return NULL;
    mha_state *st = mcdl_layer_state(l);
    st->H = o->num_heads;
    st->kd = o->key_dim;
    st->vd = o->value_dim ? o->value_dim : o->key_dim;
    st->out_dim = o->output_shape;
    st->use_bias = !o->no_bias;
    st->dropout = o->dropout;
    st->causal = o->use_causal_mask;
    st->kinit = o->kernel_initializer ? o->kernel_initializer : MCDL_INIT_GLOROT_UNIFORM;
    st->binit = o->bias_initializer ? o->bias_initializer : MCDL_INIT_ZEROS;
    const mcdl_status s = mha_check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

mcdl_node *mcdl_multi_head_attention(mcdl_graph *g, mcdl_node *query, mcdl_node *value,
                                     mcdl_node *key, mcdl_node *attention_mask,
                                     const mcdl_mha_opts *o) {
    if (!query) return NULL;
    mcdl_layer *l = mcdl_multi_head_attention_layer(g, o);
    if (attention_mask) { /* the mask is always input 3: fill value and key */
        mcdl_node *v = value ? value : query;
        mcdl_node *in[4] = {query, v, key ? key : v, attention_mask};
        return mcdl_attn_call_n(l, 4, in);
    }
    mcdl_node *in[3] = {query, value, key ? key : value};
    return mcdl_attn_call_n(l, key ? 3 : value ? 2 : 1, in);
}

/* ---- tensor-level attention core ---------------------------------------------------------- */

static void shape_str(const mcdl_tensor *t, char *buf, size_t n) {
    size_t k = (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < mcdl_tensor_rank(t) && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, i ? ", %lld" : "%lld",
                              (long long)mcdl_tensor_dim(t, i));
    if (k < n) snprintf(buf + k, n - k, ")");
}

mcdl_status mcdl_attention(const mcdl_tensor *q, const mcdl_tensor *k, const mcdl_tensor *v,
                           const mcdl_tensor *mask, bool causal, mcdl_tensor *out) {
    if (!q || !k || !v || !out)
        return mcdl_error(MCDL_ERR_ARG, "mcdl_attention: q, k, v and out are required");
    char a[96], b[96];
    const mcdl_tensor *ts[4] = {q, k, v, out};
    for (int i = 0; i < 4; i++)
        if (mcdl_tensor_rank(ts[i]) != 4 || !mcdl_tensor_is_contiguous(ts[i])) {
            shape_str(ts[i], a, sizeof a);
            return mcdl_error(
                MCDL_ERR_SHAPE,
                "mcdl_attention: %s %s must be contiguous (batch, length, heads, dim)",
                (const char *[]){"q", "k", "v", "out"}[i], a);
        }
    const int64_t B = mcdl_tensor_dim(q, 0), T = mcdl_tensor_dim(q, 1), H = mcdl_tensor_dim(q, 2);
    const int64_t dk = mcdl_tensor_dim(q, 3), S = mcdl_tensor_dim(k, 1), dv = mcdl_tensor_dim(v, 3);
    if (dk <= 0 || T <= 0 || S <= 0 || B <= 0 || H <= 0 || dv <= 0) {
        shape_str(q, a, sizeof a);
        shape_str(k, b, sizeof b);
        return mcdl_error(MCDL_ERR_SHAPE,
                          "mcdl_attention: empty axis in q %s / k %s (key_dim must be > 0)", a, b);
    }
    if (mcdl_tensor_dim(k, 0) != B || mcdl_tensor_dim(v, 0) != B || mcdl_tensor_dim(k, 2) != H ||
        mcdl_tensor_dim(v, 2) != H || mcdl_tensor_dim(k, 3) != dk || mcdl_tensor_dim(v, 1) != S) {
        shape_str(q, a, sizeof a);
        shape_str(mcdl_tensor_dim(k, 0) != B || mcdl_tensor_dim(k, 2) != H ||
                          mcdl_tensor_dim(k, 3) != dk
                      ? k
                      : v,
                  b, sizeof b);
        return mcdl_error(
            MCDL_ERR_SHAPE,
            "mcdl_attention: q %s and %s %s disagree (batch, heads, key_dim or key/value length)",
            a,
            mcdl_tensor_dim(k, 0) != B || mcdl_tensor_dim(k, 2) != H || mcdl_tensor_dim(k, 3) != dk
                ? "k"
                : "v",
            b);
    }
    if (mcdl_tensor_dim(out, 0) != B || mcdl_tensor_dim(out, 1) != T ||
        mcdl_tensor_dim(out, 2) != H || mcdl_tensor_dim(out, 3) != dv) {
        shape_str(out, a, sizeof a);
        return mcdl_error(MCDL_ERR_SHAPE, "mcdl_attention: out %s must be (%lld, %lld, %lld, %lld)",
                          a, (long long)B, (long long)T, (long long)H, (long long)dv);
    }
    if (mask && (mcdl_tensor_rank(mask) != 3 || mcdl_tensor_dim(mask, 0) != B ||
                 mcdl_tensor_dim(mask, 1) != T || mcdl_tensor_dim(mask, 2) != S ||
                 !mcdl_tensor_is_contiguous(mask))) {
        shape_str(mask, a, sizeof a);
        return mcdl_error(
            MCDL_ERR_SHAPE,
            "mcdl_attention: mask %s must be (%lld, %lld, %lld) (batch, query length, key length)",
            a, (long long)B, (long long)T, (long long)S);
    }
    mcdl_mha_desc d = {.batch = B,
                       .tq = T,
                       .tk = S,
                       .heads = H,
                       .key_dim = dk,
                       .value_dim = dv,
                       .scale = 1.0f / sqrtf((float)dk),
                       .causal = causal};
    const size_t wsn = mcdl_f32_mha_fwd_ws_floats(&d, omp_get_max_threads());
    float *ws = mcdl_alloc((wsn + (size_t)(B * H * T)) * sizeof(float));
    uint8_t *m8 = mask ? malloc((size_t)(B * T * S)) : NULL;
    if (!ws || (mask && !m8)) {
        mcdl_free(ws);
        free(m8);
        return mcdl_error(MCDL_ERR_NOMEM, "mcdl_attention: no memory for %zu floats of scratch",
                          wsn);
    }
    if (m8) {
        const float *mf = mcdl_tensor_data(mask);
        for (int64_t i = 0; i < B * T * S; i++) m8[i] = mf[i] != 0.0f;
    }
    d.mask = m8;
    mcdl_f32_mha_fwd(&d, mcdl_tensor_data(q), mcdl_tensor_data(k), mcdl_tensor_data(v),
                     mcdl_tensor_data(out), ws + wsn, ws);
    mcdl_free(ws);
    free(m8);
    return MCDL_OK;
}
