/* Recurrent cells, ISA-independent driver: workspace carving, weight packing, the
 * sequence loop (one OpenMP region for all steps, a barrier per step) and the large
 * weight-gradient GEMMs after backward through time. Tile kernels: rnn_body.inc. */
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "kernels/gemm/gemm.h"
#include "kernels/rnn/rnn_impl.h"

/* Inputs at most this wide are projected inside the step kernel (the seed models have
 * 1 to 8 features); wider inputs go through one GEMM over all T*B rows first. */
#define RNN_FUSED_IN_MAX 16
/* Workspace regions are rounded to this many floats (64 bytes) and sized for the
 * widest pack (16 lanes), so one size serves every ISA path. */
#define RNN_ALIGN 16
#define RNN_MAX_W 16

int64_t mcdl_rnn_gates(mcdl_rnn_cell cell) {
    return cell == MCDL_RNN_LSTM ? 4 : cell == MCDL_RNN_GRU ? 3 : 1;
}

int64_t mcdl_rnn_bias_size(const mcdl_rnn_desc *d) {
    int64_t gu = mcdl_rnn_gates(d->cell) * d->units;
    return d->cell == MCDL_RNN_GRU && d->reset_after ? 2 * gu : gu;
}

bool mcdl_rnn_act_supported(mcdl_act act) {
    return act == MCDL_ACT_NONE || act == MCDL_ACT_RELU || act == MCDL_ACT_SIGMOID ||
           act == MCDL_ACT_TANH || act == MCDL_ACT_LEAKY_RELU || act == MCDL_ACT_ELU ||
           act == MCDL_ACT_SELU || act == MCDL_ACT_SWISH || act == MCDL_ACT_SOFTPLUS;
}

int mcdl_rnn_desc_check(const mcdl_rnn_desc *d, char *msg, size_t n) {
    if ((unsigned)d->cell >= MCDL_RNN_CELL_COUNT) {
        snprintf(msg, n, "unknown recurrent cell %d", (int)d->cell);
        return -1;
    }
    if (d->batch < 1 || d->steps < 1 || d->in < 1 || d->units < 1) {
        snprintf(msg, n,
                 "batch %lld, sequence length %lld, input features %lld and units %lld must "
                 "all be at least 1",
                 (long long)d->batch, (long long)d->steps, (long long)d->in, (long long)d->units);
        return -1;
    }
    if (!mcdl_rnn_act_supported(d->act) || !mcdl_rnn_act_supported(d->rec_act)) {
        snprintf(msg, n,
                 "activation id %d / recurrent activation id %d is not supported in a "
                 "recurrent cell (gelu and softmax are not)",
                 (int)d->act, (int)d->rec_act);
        return -1;
    }
    if (mcdl_rnn_fwd_workspace_size(d) == 0 || mcdl_rnn_bwd_workspace_size(d) == 0) {
        snprintf(msg, n, "workspace size overflows for batch %lld, length %lld, units %lld",
                 (long long)d->batch, (long long)d->steps, (long long)d->units);
        return -1;
    }
    return 0;
}

/* Overflow-checked region sizes in floats; any overflow poisons the total to 0. */
typedef struct {
    size_t total;
    bool bad;
} rnn_sizer;

static size_t rnn_take(rnn_sizer *z, int64_t a, int64_t b, int64_t c) {
    size_t r;
    if (z->bad || a < 0 || b < 0 || c < 0 || __builtin_mul_overflow((size_t)a, (size_t)b, &r) ||
        __builtin_mul_overflow(r, (size_t)c, &r) || r > ((size_t)1 << 58)) {
        z->bad = true;
        return 0;
    }
    r = (r + RNN_ALIGN - 1) / RNN_ALIGN * RNN_ALIGN;
    size_t at = z->total;
    z->total += r;
    return at;
}

typedef struct {
    size_t wp, up, zpre, hprev, cprev, aux, hd, hT, cT, yl;
} rnn_fwd_layout;

typedef struct {
    size_t utp, wtp, xt, dxt, dz, drec, dh, dc, ddir, dyc;
} rnn_bwd_layout;

static int64_t rnn_upad(const mcdl_rnn_desc *d) {
    return (d->units + RNN_MAX_W - 1) / RNN_MAX_W * RNN_MAX_W;
}

static size_t rnn_fwd_plan(const mcdl_rnn_desc *d, rnn_fwd_layout *l) {
    rnn_sizer z = {0, false};
    const int64_t G = mcdl_rnn_gates(d->cell), u = d->units, B = d->batch, T = d->steps;
    const bool lstm = d->cell == MCDL_RNN_LSTM, gru = d->cell == MCDL_RNN_GRU;
    l->wp = rnn_take(&z, rnn_upad(d), d->in <= RNN_FUSED_IN_MAX ? d->in : 0, G);
    l->up = rnn_take(&z, rnn_upad(d), u, G);
    l->zpre = rnn_take(&z, B * T, G, u);
    l->hprev = rnn_take(&z, B * T, u, 1);
    l->cprev = rnn_take(&z, lstm ? B * T : 0, u, 1);
    l->aux = rnn_take(&z, gru ? B * T : 0, u, 1);
    l->hd = rnn_take(&z, d->rec_dropout ? B * T : 0, u, 1);
    l->hT = rnn_take(&z, B, u, 1);
    l->cT = rnn_take(&z, B, u, 1);
    l->yl = rnn_take(&z, B, u, 1);
    return z.bad ? 0 : z.total * sizeof(float);
}

static size_t rnn_bwd_plan(const mcdl_rnn_desc *d, rnn_bwd_layout *l) {
    rnn_sizer z = {0, false};
    const int64_t G = mcdl_rnn_gates(d->cell), u = d->units, B = d->batch, T = d->steps;
    const bool gru_ra = d->cell == MCDL_RNN_GRU && d->reset_after;
    l->utp = rnn_take(&z, rnn_upad(d), G, u);
    l->wtp = rnn_take(&z, (d->in + RNN_MAX_W - 1) / RNN_MAX_W * RNN_MAX_W, G, u);
    l->xt = rnn_take(&z, B * T, d->in, 1);
    l->dxt = rnn_take(&z, B * T, d->in, 1);
    l->dz = rnn_take(&z, B * T, G, u);
    l->drec = rnn_take(&z, gru_ra ? B * T : 0, u, 1);
    l->dh = rnn_take(&z, B, u, 1);
    l->dc = rnn_take(&z, B, u, 1);
    l->ddir = rnn_take(&z, B, u, 1);
    l->dyc = rnn_take(&z, B, u, 1);
    return z.bad ? 0 : z.total * sizeof(float);
}

size_t mcdl_rnn_fwd_workspace_size(const mcdl_rnn_desc *d) {
    rnn_fwd_layout l;
    return rnn_fwd_plan(d, &l);
}

size_t mcdl_rnn_bwd_workspace_size(const mcdl_rnn_desc *d) {
    rnn_bwd_layout l;
    return rnn_bwd_plan(d, &l);
}

static const mcdl_rnn_isa_ops *rnn_ops(mcdl_isa isa) {
    switch (isa) {
#if defined(__x86_64__)
    case MCDL_ISA_AVX512:
        return &mcdl_rnn_ops_avx512;
    case MCDL_ISA_AVX2:
        return &mcdl_rnn_ops_avx2;
#elif defined(__aarch64__)
    case MCDL_ISA_NEON:
        return &mcdl_rnn_ops_neon;
#endif
    default:
        return &mcdl_rnn_ops_scalar;
    }
}

/* dst[blk][k][g][l] = src[k][g*u + blk*W + l], zero past u. */
static void rnn_pack_gate_cols(const float *src, int64_t K, int64_t G, int64_t u, int64_t W,
                               int64_t nblk, float *dst) {
    for (int64_t blk = 0; blk < nblk; blk++) {
        const int64_t j0 = blk * W, nj = u - j0 < W ? u - j0 : W;
        for (int64_t k = 0; k < K; k++)
            for (int64_t g = 0; g < G; g++) {
                float *o = dst + ((blk * K + k) * G + g) * W;
                memcpy(o, src + k * G * u + g * u + j0, (size_t)nj * sizeof(float));
                if (nj < W) memset(o + nj, 0, (size_t)(W - nj) * sizeof(float));
            }
    }
}

/* dst[blk][j][l] = U[blk*W + l][j] for j < G*u, zero rows past u. */
static void rnn_pack_rows_t(const float *U, int64_t u, int64_t Gu, int64_t W, int64_t nblk,
                            float *dst) {
    for (int64_t blk = 0; blk < nblk; blk++)
        for (int64_t j = 0; j < Gu; j++) {
            float *o = dst + (blk * Gu + j) * W;
            for (int64_t l = 0; l < W; l++) {
                int64_t k = blk * W + l;
                o[l] = k < u ? U[k * Gu + j] : 0.0f;
            }
        }
}

/* Pre-packed weights: [wp][up] laid out as in the forward workspace. */
static void rnn_packed_layout(const mcdl_rnn_desc *d, size_t *wp, size_t *up, size_t *bytes) {
    rnn_sizer z = {0, false};
    const int64_t G = mcdl_rnn_gates(d->cell);
    *wp = rnn_take(&z, rnn_upad(d), d->in <= RNN_FUSED_IN_MAX ? d->in : 0, G);
    *up = rnn_take(&z, rnn_upad(d), d->units, G);
    *bytes = z.bad ? 0 : z.total * sizeof(float);
}

size_t mcdl_rnn_packed_size(const mcdl_rnn_desc *d) {
    size_t wp, up, bytes;
    rnn_packed_layout(d, &wp, &up, &bytes);
    return bytes;
}

void mcdl_rnn_pack_isa(mcdl_isa isa, const mcdl_rnn_desc *d, const float *kernel,
                       const float *rkernel, void *packed) {
    const mcdl_rnn_isa_ops *ops = rnn_ops(isa);
    size_t wp, up, bytes;
    rnn_packed_layout(d, &wp, &up, &bytes);
    const int64_t G = mcdl_rnn_gates(d->cell), W = ops->width, nblk = (d->units + W - 1) / W;
    float *p = packed;
    if (d->in <= RNN_FUSED_IN_MAX) rnn_pack_gate_cols(kernel, d->in, G, d->units, W, nblk, p + wp);
    rnn_pack_gate_cols(rkernel, d->units, G, d->units, W, nblk, p + up);
}

void mcdl_rnn_pack(const mcdl_rnn_desc *d, const float *kernel, const float *rkernel,
                   void *packed) {
    mcdl_rnn_pack_isa(mcdl_cpu_active_isa(), d, kernel, rkernel, packed);
}

static void rnn_ctx_init(mcdl_rnn_ctx *c, const mcdl_rnn_isa_ops *ops, const mcdl_rnn_desc *d,
                         const mcdl_rnn_fwd_args *a, float *ws, const rnn_fwd_layout *l) {
    memset(c, 0, sizeof *c);
    c->cell = d->cell;
    c->B = d->batch;
    c->T = d->steps;
    c->in = d->in;
    c->u = d->units;
    c->G = mcdl_rnn_gates(d->cell);
    c->Gu = c->G * c->u;
    c->act = d->act;
    c->rec_act = d->rec_act;
    c->gru_ra = d->cell == MCDL_RNN_GRU && d->reset_after;
    c->gru_rf = d->cell == MCDL_RNN_GRU && !d->reset_after;
    c->go_backwards = d->go_backwards;
    c->keep = !a->inference;
    c->W = ops->width;
    c->nblk = (c->u + c->W - 1) / c->W;
    c->mr = ops->mr;
    c->x = a->x;
    c->bias_in = a->bias;
    c->bias_rec = c->gru_ra && a->bias ? a->bias + c->Gu : NULL;
    c->mask = a->mask;
    c->rmask = d->rec_dropout ? a->rmask : NULL;
    c->wp = ws + l->wp;
    c->up = ws + l->up;
    c->zpre = ws + l->zpre;
    c->hprev = ws + l->hprev;
    c->cprev = ws + l->cprev;
    c->aux = ws + l->aux;
    c->hd = c->rmask ? ws + l->hd : NULL;
    c->hT = ws + l->hT;
    c->cT = ws + l->cT;
    c->yl = ws + l->yl;
    c->y = a->y;
}

/* Static split of the (group of RNN_GB unit blocks, row tile) items over the team, block-major so a
 * thread keeps one block's packed weights in L1 while the batch rows stream past. A barrier per
 * step costs about a microsecond, so a step's products must give each thread at least
 * RNN_MACS_PER_THREAD multiply-adds; wide gates spread over threads even at batch 1. */
#define RNN_MACS_PER_THREAD 32768
static int rnn_threads(const mcdl_rnn_ctx *c) {
    int64_t items = (c->B + c->mr - 1) / c->mr * ((c->nblk + RNN_GB - 1) / RNN_GB);
    int64_t macs = c->B * c->Gu * (c->u + (c->xp ? 0 : c->in));
    int64_t nt = omp_in_parallel() ? 1 : omp_get_max_threads();
    if (nt > macs / RNN_MACS_PER_THREAD) nt = macs / RNN_MACS_PER_THREAD;
    if (nt > items) nt = items;
    return nt < 1 ? 1 : (int)nt;
}

/* The items of thread tid of nth (passed explicitly: the serial path runs outside any
 * region of its own, possibly inside a caller's parallel region). */
#define RNN_FOR_ITEMS(c, tid, nth, body)                                                           \
    do {                                                                                           \
        const int64_t nrt_ = ((c)->B + (c)->mr - 1) / (c)->mr;                                     \
        const int64_t n_ = nrt_ * (((c)->nblk + RNN_GB - 1) / RNN_GB);                             \
        const int64_t lo_ = n_ * (tid) / (nth), hi_ = n_ * ((tid) + 1) / (nth);                    \
        for (int64_t it_ = lo_; it_ < hi_; it_++) {                                                \
            const int64_t blk = it_ / nrt_ * RNN_GB, r0 = it_ % nrt_ * (c)->mr;                    \
            const int64_t nr = (c)->B - r0 < (c)->mr ? (c)->B - r0 : (c)->mr;                      \
            body;                                                                                  \
        }                                                                                          \
    } while (0)

/* Barrier between steps, only when the steps run in a team of their own: one thread runs
 * them with no parallel region at all (libgomp's barrier in a team of one still makes a
 * futex system call per step, which at batch 1 cost as much as the step itself). */
#define RNN_STEP_BARRIER(nth)                                                                      \
    do {                                                                                           \
        if ((nth) > 1) {                                                                           \
            _Pragma("omp barrier")                                                                 \
        }                                                                                          \
    } while (0)

static void rnn_fwd_steps(const mcdl_rnn_ctx *cp, const mcdl_rnn_isa_ops *ops, int tid, int nth) {
    for (int64_t s = 0; s < cp->T; s++) {
        RNN_FOR_ITEMS(cp, tid, nth, ops->fwd(cp, s, r0, nr, blk));
        RNN_STEP_BARRIER(nth);
        if (cp->gru_rf) {
            RNN_FOR_ITEMS(cp, tid, nth, ops->fwd_gru_rf2(cp, s, r0, nr, blk));
            RNN_STEP_BARRIER(nth);
        }
    }
}

static void rnn_bwd_steps(const mcdl_rnn_ctx *cp, const mcdl_rnn_isa_ops *ops, int tid, int nth) {
    const int64_t T = cp->T;
    RNN_FOR_ITEMS(cp, tid, nth, ops->bwd_gates(cp, T - 1, r0, nr, blk));
    RNN_STEP_BARRIER(nth);
    if (cp->gru_rf) {
        RNN_FOR_ITEMS(cp, tid, nth, ops->bwd_gru_rf_mid(cp, T - 1, r0, nr, blk));
        RNN_STEP_BARRIER(nth);
    }
    for (int64_t s = T - 1; s >= 0; s--) {
        /* dh entering step s, then (same tile, no barrier needed) step s-1's gates */
        RNN_FOR_ITEMS(cp, tid, nth, {
            ops->bwd_dh(cp, s, r0, nr, blk);
            if (s > 0) ops->bwd_gates(cp, s - 1, r0, nr, blk);
        });
        RNN_STEP_BARRIER(nth);
        if (cp->gru_rf && s > 0) {
            RNN_FOR_ITEMS(cp, tid, nth, ops->bwd_gru_rf_mid(cp, s - 1, r0, nr, blk));
            RNN_STEP_BARRIER(nth);
        }
    }
}

void mcdl_rnn_fwd_isa(mcdl_isa isa, const mcdl_rnn_desc *d, const mcdl_rnn_fwd_args *a,
                      void *fwd_ws) {
    const mcdl_rnn_isa_ops *ops = rnn_ops(isa);
    rnn_fwd_layout l;
    rnn_fwd_plan(d, &l);
    float *ws = fwd_ws;
    mcdl_rnn_ctx c;
    rnn_ctx_init(&c, ops, d, a, ws, &l);
    const int64_t B = c.B, T = c.T, u = c.u, t0 = mcdl_rnn_time(&c, 0);

    if (a->packed) {
        size_t wp, up, bytes;
        rnn_packed_layout(d, &wp, &up, &bytes);
        c.wp = (const float *)a->packed + wp;
        c.up = (const float *)a->packed + up;
    } else {
        mcdl_rnn_pack_isa(isa, d, a->kernel, a->rkernel, ws + l.wp);
    }
    if (c.in > RNN_FUSED_IN_MAX) {
        /* input projection of every step at once, into the pre-activation buffer the
         * step kernel then overwrites in place (each tile reads its block first) */
        mcdl_gemm_epilogue ep = {.bias = c.bias_in, .bias_per_row = false, .act = MCDL_ACT_NONE};
        for (int64_t b = 0; b < B; b++)
            mcdl_f32_gemm('N', 'N', T, c.Gu, c.in, 1.0f, a->x + b * T * c.in, c.in, a->kernel, c.Gu,
                          0.0f, c.zpre + b * c.Gu, B * c.Gu, &ep);
        c.xp = c.zpre;
    }
    for (int64_t b = 0; b < B; b++) {
        float *h = c.hprev + (t0 * B + b) * u;
        if (a->h0)
            memcpy(h, a->h0 + b * u, (size_t)u * sizeof(float));
        else
            memset(h, 0, (size_t)u * sizeof(float));
        if (c.cell == MCDL_RNN_LSTM) {
            float *cc = c.cprev + (t0 * B + b) * u;
            if (a->c0)
                memcpy(cc, a->c0 + b * u, (size_t)u * sizeof(float));
            else
                memset(cc, 0, (size_t)u * sizeof(float));
        }
        if (c.hd) {
            float *hd = c.hd + (t0 * B + b) * u;
            for (int64_t j = 0; j < u; j++) hd[j] = h[j] * c.rmask[b * u + j];
        }
    }
    memset(c.yl, 0, (size_t)(B * u) * sizeof(float));

    const mcdl_rnn_ctx *cp = &c;
    const int nth = rnn_threads(cp);
    if (nth == 1) {
        rnn_fwd_steps(cp, ops, 0, 1);
    } else {
#pragma omp parallel num_threads(nth)
        rnn_fwd_steps(cp, ops, omp_get_thread_num(), omp_get_num_threads());
    }
    const size_t bu = (size_t)(B * u) * sizeof(float);
    if (a->h_last) memcpy(a->h_last, c.hT, bu);
    if (a->c_last && c.cell == MCDL_RNN_LSTM) memcpy(a->c_last, c.cT, bu);
    if (a->y_last) memcpy(a->y_last, c.yl, bu);
}

/* dst[j] (+)= sum over rows of src[r*ld + j] for j in [j0, j1), rows in order (a
 * row-major sweep so the inner loop vectorises). */
static void rnn_colsum(const float *src, int64_t rows, int64_t j0, int64_t j1, int64_t ld,
                       float *dst, bool acc) {
    if (!acc)
        for (int64_t j = j0; j < j1; j++) dst[j] = 0.0f;
    for (int64_t r = 0; r < rows; r++) {
        const float *row = src + r * ld;
        for (int64_t j = j0; j < j1; j++) dst[j] += row[j];
    }
}

/* Everything backward computes from the stored rows after the time loop: weight
 * gradients (Aᵀ·B with A = inputs or states, B = gate gradients, both row-major over the
 * T·B rows), bias column sums and dx = dZ·Wᵀ. The rows go in blocks of RNN_POST_ROWS, and
 * every product takes its share of a block while the block's gate gradients are still in
 * the cache (one pass over dZ from memory instead of four). Thread tid of nth: static
 * splits of each product's output tiles and of the bias columns; sums stay in row order,
 * so the results do not depend on the thread count. */
#define RNN_POST_ROWS 512
typedef struct {
    const mcdl_rnn_ctx *c;
    const mcdl_rnn_bwd_args *g;
    const float *xt, *wtp;
    float *dxt;
} rnn_post;

static void rnn_bwd_post(const rnn_post *p, const mcdl_rnn_isa_ops *ops, int tid, int nth) {
    const mcdl_rnn_ctx *c = p->c;
    const mcdl_rnn_bwd_args *g = p->g;
    const int64_t BT = c->B * c->T, u = c->u, Gu = c->Gu, in = c->in;
    for (int64_t k0 = 0; k0 < BT; k0 += RNN_POST_ROWS) {
        const int64_t kn = BT - k0 < RNN_POST_ROWS ? BT - k0 : RNN_POST_ROWS;
        const bool acc = k0 > 0 || g->accumulate;
        const float *dz = c->dz + k0 * Gu, *hp = mcdl_rnn_hsrc(c) + k0 * u;
        ops->wgrad(p->xt + k0 * in, in, dz, Gu, g->dkernel, Gu, in, Gu, kn, acc, tid, nth);
        if (p->dxt) ops->dx(dz, Gu, p->wtp, in, p->dxt + k0 * in, kn, tid, nth);
        if (c->cell == MCDL_RNN_GRU) {
            /* z and r columns see h_prev; the candidate column sees h_prev through r
             * (reset_after: drec) or r⊙h_prev (aux) */
            ops->wgrad(hp, u, dz, Gu, g->drkernel, Gu, u, 2 * u, kn, acc, tid, nth);
            if (c->gru_ra)
                ops->wgrad(hp, u, c->drec + k0 * u, u, g->drkernel + 2 * u, Gu, u, u, kn, acc, tid,
                           nth);
            else
                ops->wgrad(c->aux + k0 * u, u, dz + 2 * u, Gu, g->drkernel + 2 * u, Gu, u, u, kn,
                           acc, tid, nth);
        } else {
            ops->wgrad(hp, u, dz, Gu, g->drkernel, Gu, u, Gu, kn, acc, tid, nth);
        }
        if (g->dbias) {
            const int64_t j0 = Gu * tid / nth, j1 = Gu * (tid + 1) / nth;
            rnn_colsum(dz, kn, j0, j1, Gu, g->dbias, acc);
            if (c->gru_ra) {
                const int64_t r0 = 2 * u * tid / nth, r1 = 2 * u * (tid + 1) / nth;
                const int64_t h0 = u * tid / nth, h1 = u * (tid + 1) / nth;
                rnn_colsum(dz, kn, r0, r1, Gu, g->dbias + Gu, acc);
                rnn_colsum(c->drec + k0 * u, kn, h0, h1, u, g->dbias + Gu + 2 * u, acc);
            }
        }
    }
}

static void rnn_load_or_zero(float *dst, const float *src, size_t n) {
    if (src)
        memcpy(dst, src, n * sizeof(float));
    else
        memset(dst, 0, n * sizeof(float));
}

void mcdl_rnn_bwd_isa(mcdl_isa isa, const mcdl_rnn_desc *d, const mcdl_rnn_fwd_args *a,
                      const mcdl_rnn_bwd_args *g, void *fwd_ws, void *bwd_ws) {
    const mcdl_rnn_isa_ops *ops = rnn_ops(isa);
    rnn_fwd_layout l;
    rnn_bwd_layout lb;
    rnn_fwd_plan(d, &l);
    rnn_bwd_plan(d, &lb);
    float *ws = fwd_ws, *wb = bwd_ws;
    mcdl_rnn_ctx c;
    rnn_ctx_init(&c, ops, d, a, ws, &l);
    const int64_t B = c.B, T = c.T, u = c.u, Gu = c.Gu, BT = B * T;
    c.utp = wb + lb.utp;
    c.dz = wb + lb.dz;
    c.drec = c.gru_ra ? wb + lb.drec : NULL;
    c.dh = wb + lb.dh;
    c.dc = wb + lb.dc;
    c.ddir = wb + lb.ddir;
    c.dyc = wb + lb.dyc;
    c.dy = g->dy;
    rnn_pack_rows_t(a->rkernel, u, Gu, c.W, c.nblk, wb + lb.utp);
    const size_t bu = (size_t)(B * u);
    rnn_load_or_zero(c.dh, g->dh_last, bu);
    rnn_load_or_zero(c.dc, c.cell == MCDL_RNN_LSTM ? g->dc_last : NULL, bu);
    rnn_load_or_zero(c.dyc, g->dy_last, bu);

    const mcdl_rnn_ctx *cp = &c;
    const int nth = rnn_threads(cp);
    if (nth == 1) {
        rnn_bwd_steps(cp, ops, 0, 1);
    } else {
#pragma omp parallel num_threads(nth)
        rnn_bwd_steps(cp, ops, omp_get_thread_num(), omp_get_num_threads());
    }
    if (g->dh0) memcpy(g->dh0, c.dh, bu * sizeof(float));
    if (g->dc0 && c.cell == MCDL_RNN_LSTM) memcpy(g->dc0, c.dc, bu * sizeof(float));

    /* the step buffers are time-major (t, b): x comes in batch-major, so its rows are
     * gathered once into that order (and dx scattered back) */
    float *xt = wb + lb.xt;
    const size_t inb = (size_t)c.in * sizeof(float);
    for (int64_t t = 0; t < T; t++)
        for (int64_t b = 0; b < B; b++)
            memcpy(xt + (t * B + b) * c.in, a->x + (b * T + t) * c.in, inb);
    rnn_post p = {.c = &c, .g = g, .xt = xt, .wtp = wb + lb.wtp, .dxt = g->dx ? wb + lb.dxt : NULL};
    if (g->dx) rnn_pack_rows_t(a->kernel, c.in, Gu, c.W, (c.in + c.W - 1) / c.W, wb + lb.wtp);
    /* a thread per 64K multiply-adds of the products, at most one per output tile row */
    int pth = omp_in_parallel() ? 1 : omp_get_max_threads();
    const int64_t post_macs = BT * (c.in + u) * Gu * (g->dx ? 2 : 1);
    if (pth > post_macs / 65536) pth = (int)(post_macs / 65536);
    if (pth <= 1) {
        rnn_bwd_post(&p, ops, 0, 1);
    } else {
#pragma omp parallel num_threads(pth)
        rnn_bwd_post(&p, ops, omp_get_thread_num(), omp_get_num_threads());
    }
    if (g->dx)
        for (int64_t t = 0; t < T; t++)
            for (int64_t b = 0; b < B; b++)
                memcpy(g->dx + (b * T + t) * c.in, p.dxt + (t * B + b) * c.in, inb);
}

void mcdl_rnn_fwd(const mcdl_rnn_desc *d, const mcdl_rnn_fwd_args *a, void *fwd_ws) {
    mcdl_rnn_fwd_isa(mcdl_cpu_active_isa(), d, a, fwd_ws);
}

void mcdl_rnn_bwd(const mcdl_rnn_desc *d, const mcdl_rnn_fwd_args *a, const mcdl_rnn_bwd_args *g,
                  void *fwd_ws, void *bwd_ws) {
    mcdl_rnn_bwd_isa(mcdl_cpu_active_isa(), d, a, g, fwd_ws, bwd_ws);
}
