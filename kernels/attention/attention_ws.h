/* Per-thread scratch layout of the fused attention kernels, shared by the size query
 * (attention.c) and the ISA bodies so both always agree. Every piece starts on a
 * 16-float (64-byte) boundary. */
#ifndef MCDL_KERNELS_ATTENTION_WS_H
#define MCDL_KERNELS_ATTENTION_WS_H

#include "kernels/attention/attention.h"

static inline int64_t mcdl_mha_round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

/* Head dimensions are padded to 16 floats (the widest vector) inside the scratch, so
 * the vector loops never need tails. */
typedef struct {
    int64_t dkp, dvp, spad;
    /* forward pieces */
    int64_t f_kt, f_vp, f_st, f_oacc, f_m, f_l, f_a, f_total;
    /* backward pieces */
    int64_t b_kt, b_vt, b_kp, b_dka, b_dva, b_qa, b_doa, b_dqa, b_st, b_dpt, b_d, b_lse, b_total;
} mcdl_mha_layout;

static inline mcdl_mha_layout mcdl_mha_layout_of(const mcdl_mha_desc *d) {
    mcdl_mha_layout L;
    const int64_t br = MCDL_MHA_BR, bc = MCDL_MHA_BC;
    L.dkp = mcdl_mha_round_up(d->key_dim, 16);
    L.dvp = mcdl_mha_round_up(d->value_dim, 16);
    L.spad = mcdl_mha_round_up(d->tk > 0 ? d->tk : 1, bc);
    const int64_t tpad = mcdl_mha_round_up(d->tq > 0 ? d->tq : 1, br);
    int64_t off = 0;
#define MCDL_MHA_PIECE(field, n)                                                                   \
    do {                                                                                           \
        L.field = off;                                                                             \
        off += mcdl_mha_round_up((n), 16);                                                         \
    } while (0)
    MCDL_MHA_PIECE(f_kt, L.spad * d->key_dim);
    MCDL_MHA_PIECE(f_vp, L.spad * L.dvp);
    MCDL_MHA_PIECE(f_st, br * bc);
    MCDL_MHA_PIECE(f_oacc, br * L.dvp);
    MCDL_MHA_PIECE(f_m, br);
    MCDL_MHA_PIECE(f_l, br * 16); /* per-row lane partial sums (one vector per row) */
    MCDL_MHA_PIECE(f_a, br);
    L.f_total = off;
    off = 0;
    MCDL_MHA_PIECE(b_kt, L.spad * d->key_dim);
    MCDL_MHA_PIECE(b_vt, L.spad * d->value_dim);
    MCDL_MHA_PIECE(b_kp, L.spad * L.dkp);
    MCDL_MHA_PIECE(b_dka, L.spad * L.dkp);
    MCDL_MHA_PIECE(b_dva, L.spad * L.dvp);
    MCDL_MHA_PIECE(b_qa, tpad * L.dkp);
    MCDL_MHA_PIECE(b_doa, tpad * L.dvp);
    MCDL_MHA_PIECE(b_dqa, tpad * L.dkp);
    MCDL_MHA_PIECE(b_st, br * bc);
    MCDL_MHA_PIECE(b_dpt, br * bc);
    MCDL_MHA_PIECE(b_d, tpad);
    MCDL_MHA_PIECE(b_lse, tpad);
    L.b_total = off;
#undef MCDL_MHA_PIECE
    return L;
}

#endif
