/* Internal to kernels/rnn: the per-call context shared by the ISA-independent driver
 * (rnn.c) and the per-ISA tile kernels (rnn_body.inc), and the per-ISA entry table.
 *
 * Packed weights (built once per call by the driver, width W = the ISA's VF_WIDTH,
 * nblk = ceil(u / W) unit blocks, zero padded to W):
 *   wp  [nblk][in][G][W]  = kernel[k][g*u + blk*W + l]      (fused input projection)
 *   up  [nblk][u][G][W]   = rkernel[k][g*u + blk*W + l]     (forward recurrent product)
 *   utp [nblk][G*u][W]    = rkernel[blk*W + l][j]           (backward dh_prev = dA·Uᵀ)
 * The step buffers (zpre, hprev, cprev, aux, dz, drec) are time-major (T, B, ·): row b
 * at time t is (t*B + b) * ld, so one step's rows are contiguous (few pages touched per
 * step). x, y, dy and mask keep the caller's batch-major (B, T, ·) layout. */
#ifndef MCDL_KERNELS_RNN_IMPL_H
#define MCDL_KERNELS_RNN_IMPL_H

#include "kernels/rnn/rnn.h"

typedef struct {
    mcdl_rnn_cell cell;
    int64_t B, T, in, u, G, Gu;
    mcdl_act act, rec_act;
    bool gru_ra, gru_rf; /* GRU reset_after true / false */
    bool go_backwards;
    bool keep;           /* store the gates for backward */
    int64_t W, nblk, mr; /* pack width, unit blocks, rows per tile */
    /* forward inputs */
    const float *x;        /* (B, T, in) */
    const float *xp;       /* (B, T, Gu) input projection incl. input bias, or NULL: fused */
    const float *wp, *up;  /* packed */
    const float *bias_in;  /* (Gu) padded per gate as given, or NULL */
    const float *bias_rec; /* GRU reset_after recurrent bias (3u), or NULL */
    const uint8_t *mask;
    const float *rmask; /* (B, u) recurrent dropout scale, or NULL */
    /* forward state (workspace) */
    float *zpre;         /* (T, B, Gu) gates as act_keep stores them (activated; swish: input) */
    float *hprev;        /* (B, T, u) h entering time t */
    float *cprev;        /* (B, T, u) LSTM c entering time t */
    float *aux;          /* (T, B, u) GRU: ra hd·U_h + b_rec,h; rf r⊙hd */
    float *hd;           /* (T, B, u) h_prev ⊙ rmask with recurrent dropout, else NULL */
    float *hT, *cT, *yl; /* (B, u) final h, final c, last output */
    float *y;            /* user's (B, T, u) or NULL */
    /* backward */
    const float *utp;
    const float *dy;
    float *dz;                   /* (B, T, Gu) gate pre-activation gradients */
    float *drec;                 /* (B, T, u) GRU ra: gradient of h·U_h + b_rec,h */
    float *dh, *dc, *ddir, *dyc; /* (B, u) running gradients */
    float *dh0;                  /* final dh_prev of step 0 goes here (B, u) */
} mcdl_rnn_ctx;

static inline int64_t mcdl_rnn_time(const mcdl_rnn_ctx *c, int64_t s) {
    return c->go_backwards ? c->T - 1 - s : s;
}

/* The rows the recurrent product reads: h_prev, or h_prev ⊙ rmask with recurrent dropout. */
static inline const float *mcdl_rnn_hsrc(const mcdl_rnn_ctx *c) { return c->hd ? c->hd : c->hprev; }

/* Unit blocks per work item: a SimpleRNN forward tile and the backward dh product
 * cover this many blocks at once so each broadcast feeds several FMAs (RNN_MR x RNN_GB
 * accumulators must fit the register file with RNN_GB weight vectors). */
#define RNN_GB 4

/* One work item: rows [r0, r0 + nr) (nr <= mr) and unit blocks [blk, blk + RNN_GB)
 * (fewer at the end), at step s. */
typedef void (*mcdl_rnn_item_fn)(const mcdl_rnn_ctx *c, int64_t s, int64_t r0, int64_t nr,
                                 int64_t blk);

typedef struct {
    int width, mr;
    mcdl_rnn_item_fn fwd;            /* full step (GRU rf: phase 1, z and r) */
    mcdl_rnn_item_fn fwd_gru_rf2;    /* GRU rf phase 2: candidate and update */
    mcdl_rnn_item_fn bwd_gates;      /* gate gradients of step s (GRU rf: dz, dhh) */
    mcdl_rnn_item_fn bwd_gru_rf_mid; /* GRU rf: d(r⊙h) = dhh·U_hᵀ, dr */
    mcdl_rnn_item_fn bwd_dh;         /* dh entering step s: ddir + dA_s·Uᵀ */
    /* Thread tid of nth's share of C (M x N) = Aᵀ·B (+ C with accumulate) over K rows (the
     * weight gradients): a static split of C's tiles */
    void (*wgrad)(const float *A, int64_t lda, const float *B, int64_t ldb, float *C, int64_t ldc,
                  int64_t M, int64_t N, int64_t K, bool accumulate, int tid, int nth);
    /* Thread tid of nth's share of dx = dz·Wᵀ over rows rows, wtp = packed Wᵀ
     * [blk][G*u][W] */
    void (*dx)(const float *dz, int64_t Gu, const float *wtp, int64_t in, float *dx, int64_t rows,
               int tid, int nth);
} mcdl_rnn_isa_ops;

extern const mcdl_rnn_isa_ops mcdl_rnn_ops_scalar, mcdl_rnn_ops_avx2, mcdl_rnn_ops_avx512,
    mcdl_rnn_ops_neon;

#endif
