/* Fused recurrent cells (SimpleRNN, LSTM, GRU reset_after true/false), forward and
 * backward through time, with Keras weight layouts.
 *
 * Contract (all entry points):
 * - x is (B, T, in) batch-major as Keras feeds it; kernel (in, G*u), recurrent_kernel
 *   (u, G*u), row-major, gate blocks along the G*u axis in Keras order:
 *   SimpleRNN G = 1; LSTM G = 4 (i, f, c, o); GRU G = 3 (z, r, h).
 * - bias: (G*u), or for GRU reset_after (2, 3u) = input row then recurrent row; NULL
 *   means use_bias=False.
 * - Step s (0 <= s < T) reads time index t(s) = go_backwards ? T-1-s : s. Outputs y are
 *   written in processing order (Keras' go_backwards semantics): y[:, s] is step s.
 * - mask (B, T) indexed by time, nonzero = real step. A masked step keeps the previous
 *   state(s) and repeats the previous output (zeros before the first real step), as
 *   Keras' backend rnn does.
 * - Forward: per step, one fused tile kernel computes the recurrent product h·U for a
 *   block of batch rows and one vector-wide block of units for every gate at once
 *   (accumulators stay in registers), adds the input projection (fused for small `in`,
 *   or one mcdl_f32_gemm over all T*B rows beforehand for wide inputs), and applies the
 *   gate maths and state update in the same registers. All steps run inside ONE OpenMP
 *   parallel region with a barrier per step; work items are (row tile, unit block)
 *   pairs split statically, so batch 1 still spreads over threads when u is wide and
 *   results are bitwise reproducible for a fixed thread count.
 * - Backward: per step, gate gradients and dh_prev = dA·Uᵀ are fused per (row tile,
 *   unit block) with one barrier per step (two more for GRU reset_after=False); the
 *   weight gradients are large Aᵀ·B products over all T*B rows at the end (a K-blocked
 *   register-tiled kernel of this directory: both operands are row-major over the T*B
 *   rows, the one case where a dedicated tile beats packing for a general GEMM), and
 *   dx = dZ·Wᵀ one pass over all rows.
 * - Recurrent dropout (rmask): the forward also stores hd = h_prev ⊙ rmask per step, the
 *   operand of the recurrent product, of the GRU candidate's r ⊙ h and of the recurrent
 *   weight gradient; dh_prev gets rmask ⊙ (dA·Uᵀ) besides its direct terms.
 * - Workspaces: the caller provides them (sizes from the *_workspace_size functions, in
 *   bytes, 64-byte aligned); nothing is allocated here. The forward workspace keeps
 *   what the backward needs, so a training step passes the same fwd workspace to
 *   mcdl_rnn_bwd unchanged.
 * - Arguments are NOT validated here beyond mcdl_rnn_desc_check: lib/ does that. */
#ifndef MCDL_KERNELS_RNN_H
#define MCDL_KERNELS_RNN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/eltwise/act.h"
#include "simd/cpu.h"

typedef enum {
    MCDL_RNN_SIMPLE = 0,
    MCDL_RNN_LSTM,
    MCDL_RNN_GRU,
    MCDL_RNN_CELL_COUNT
} mcdl_rnn_cell;

typedef struct {
    mcdl_rnn_cell cell;
    int64_t batch, steps, in, units;
    mcdl_act act;     /* candidate / output activation (Keras `activation`, tanh default) */
    mcdl_act rec_act; /* gate activation (Keras `recurrent_activation`, sigmoid default) */
    bool reset_after; /* GRU only */
    bool go_backwards;
    bool rec_dropout; /* the workspace holds the dropped-out states: fwd args may pass rmask */
} mcdl_rnn_desc;

typedef struct {
    const float *x;       /* (B, T, in) */
    const float *kernel;  /* (in, G*u) */
    const float *rkernel; /* (u, G*u) */
    const float *bias;    /* (G*u), GRU reset_after (2, 3u), or NULL */
    const float *h0;      /* (B, u) or NULL = zeros */
    const float *c0;      /* LSTM (B, u) or NULL = zeros */
    const uint8_t *mask;  /* (B, T) or NULL = every step real */
    const float *rmask;   /* (B, u) recurrent dropout: h_prev * rmask (0 or 1/(1-rate)) is
                             what enters the recurrent product at every step (one mask per
                             sequence, shared by the gates), the state itself is not
                             scaled; NULL = none. Needs desc.rec_dropout, and the same
                             rmask again for the backward of this forward */
    float *y;             /* (B, T, u) outputs in processing order, or NULL */
    float *y_last;        /* (B, u) last output (return_sequences=False), or NULL */
    float *h_last;        /* (B, u) final h state, or NULL */
    float *c_last;        /* LSTM (B, u) final c state, or NULL */
    bool inference;       /* true: no backward follows, so the gates are not
                             stored (the workspace is still the forward one) */
    const void *packed;   /* weights from mcdl_rnn_pack (same ISA path), or NULL: packed
                             into the workspace on every call */
} mcdl_rnn_fwd_args;

typedef struct {
    const float *dy;      /* (B, T, u) gradient of y, or NULL */
    const float *dy_last; /* (B, u) gradient of y_last, or NULL */
    const float *dh_last; /* (B, u) gradient of the final h state, or NULL */
    const float *dc_last; /* LSTM (B, u) gradient of the final c state, or NULL */
    float *dx;            /* (B, T, in) written, or NULL */
    float *dkernel;       /* (in, G*u) written, or added to with accumulate */
    float *drkernel;      /* (u, G*u) likewise */
    float *dbias;         /* bias shape, likewise; NULL when there is no bias */
    float *dh0;           /* (B, u) or NULL */
    float *dc0;           /* LSTM (B, u) or NULL */
    bool accumulate;      /* dkernel, drkernel, dbias += instead of = (shared layers) */
} mcdl_rnn_bwd_args;

/* Gates along the weight's second axis: 1, 4 or 3. */
int64_t mcdl_rnn_gates(mcdl_rnn_cell cell);
/* Number of bias floats: G*u, 6u for GRU reset_after. */
int64_t mcdl_rnn_bias_size(const mcdl_rnn_desc *d);
/* Whether the fused kernels implement this activation (every element-wise Keras
 * activation in mcdl_act except gelu and softmax). */
bool mcdl_rnn_act_supported(mcdl_act act);
/* 0 when the descriptor is usable, else -1 and a sentence in msg (size n). */
int mcdl_rnn_desc_check(const mcdl_rnn_desc *d, char *msg, size_t n);

/* Workspace bytes (0 on overflow). The forward workspace must stay untouched between
 * a forward and the backward that uses it. */
size_t mcdl_rnn_fwd_workspace_size(const mcdl_rnn_desc *d);
size_t mcdl_rnn_bwd_workspace_size(const mcdl_rnn_desc *d);

/* Pre-packed weights for inference: bytes needed (every ISA path), and packing for the
 * active path (mcdl_rnn_pack) or a given one. Valid while the weights do not change. */
size_t mcdl_rnn_packed_size(const mcdl_rnn_desc *d);
void mcdl_rnn_pack(const mcdl_rnn_desc *d, const float *kernel, const float *rkernel, void *packed);
void mcdl_rnn_pack_isa(mcdl_isa isa, const mcdl_rnn_desc *d, const float *kernel,
                       const float *rkernel, void *packed);

/* Dispatched (active ISA) forward and backward. ws must be 64-byte aligned. */
void mcdl_rnn_fwd(const mcdl_rnn_desc *d, const mcdl_rnn_fwd_args *a, void *fwd_ws);
void mcdl_rnn_bwd(const mcdl_rnn_desc *d, const mcdl_rnn_fwd_args *a, const mcdl_rnn_bwd_args *g,
                  void *fwd_ws, void *bwd_ws);
/* Same, on an explicit ISA path (tests); falls back to ref when isa is not compiled in. */
void mcdl_rnn_fwd_isa(mcdl_isa isa, const mcdl_rnn_desc *d, const mcdl_rnn_fwd_args *a,
                      void *fwd_ws);
void mcdl_rnn_bwd_isa(mcdl_isa isa, const mcdl_rnn_desc *d, const mcdl_rnn_fwd_args *a,
                      const mcdl_rnn_bwd_args *g, void *fwd_ws, void *bwd_ws);

/* Plain forward reference written from the Keras formulas, computing in double (test
 * ground truth, not a hot path: allocates its own scratch). Returns 0, or -1 when out
 * of memory. Gradients are checked against finite differences of this function. */
int mcdl_rnn_fwd_ref(const mcdl_rnn_desc *d, const mcdl_rnn_fwd_args *a);

#endif
