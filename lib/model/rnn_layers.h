/* Internal: the recurrent layer family (rnn_layers.c, bidirectional.c,
 * time_distributed.c). One recurrent direction is described by mcdl_rnn_cfg, shared by
 * SimpleRNN/LSTM/GRU and by both copies inside Bidirectional. */
#ifndef MCDL_LIB_MODEL_RNN_LAYERS_H
#define MCDL_LIB_MODEL_RNN_LAYERS_H

#include "kernels/rnn/rnn.h"
#include "lib/model/layer.h"
#include "mcdl/rnn.h"

extern const mcdl_layer_class mcdl_simple_rnn_class;
extern const mcdl_layer_class mcdl_lstm_class;
extern const mcdl_layer_class mcdl_gru_class;
extern const mcdl_layer_class mcdl_bidirectional_class;
extern const mcdl_layer_class mcdl_time_distributed_class;

typedef struct {
    mcdl_rnn_cell cell;
    int64_t units, in_dim;
    mcdl_activation_id act, rec_act;
    bool use_bias, return_sequences, return_state, go_backwards, unit_forget_bias, reset_after;
    float dropout, recurrent_dropout;
    bool mask_input;    /* last call input is a (steps) mask */
    bool mask_implicit; /* ... taken from the input's Keras mask (mcdl_node_keras_mask) */
    mcdl_init kinit, rinit, binit;
    int wk, wr, wb; /* weight indices; wb = -1 without bias */
} mcdl_rnn_cfg;

/* Keras' defaults for a cell. */
void mcdl_rnn_cfg_defaults(mcdl_rnn_cfg *c, mcdl_rnn_cell cell);
void mcdl_rnn_cfg_from_opts(mcdl_rnn_cfg *c, mcdl_rnn_cell cell, const mcdl_rnn_opts *o);
/* Reads the Keras config keys of SimpleRNN/LSTM/GRU (errors name layer l). */
mcdl_status mcdl_rnn_cfg_read(const mcdl_layer *l, mcdl_rnn_cfg *c, const mcdl_config *cfg);
void mcdl_rnn_cfg_write(const mcdl_rnn_cfg *c, mcdl_cfg_writer *w);
mcdl_status mcdl_rnn_cfg_check(const mcdl_layer *l, const mcdl_rnn_cfg *c);
/* Declares kernel, recurrent_kernel, bias under prefix ("lstm_cell",
 * "forward_lstm/lstm_cell") for inputs of in_dim features. */
mcdl_status mcdl_rnn_cfg_build(mcdl_layer *l, mcdl_rnn_cfg *c, const char *prefix, int64_t in_dim);
/* The kernel descriptor; training with recurrent_dropout > 0 asks for the dropped-out
 * state buffer in the workspace. */
mcdl_rnn_desc mcdl_rnn_cfg_desc(const mcdl_rnn_cfg *c, int64_t batch, int64_t steps, bool training);

/* Dropout in training (Keras' RNN semantics): one (batch, features) input mask and one
 * (batch, units) recurrent mask per call, the same at every step, inverted scaling. The
 * masks come from the call's random triple; salt (0, 1: Bidirectional's directions)
 * keeps directions apart. Sizes are 0 when the rate is 0 or not training. */
size_t mcdl_rnn_xdrop_bytes(const mcdl_rnn_cfg *c, int64_t batch, int64_t steps, bool training);
size_t mcdl_rnn_rmask_bytes(const mcdl_rnn_cfg *c, int64_t batch, bool training);
/* xd = x ⊙ input mask, (batch, steps, in_dim). */
void mcdl_rnn_drop_inputs(const mcdl_rnn_cfg *c, const mcdl_exec_args *a, int salt, const float *x,
                          float *xd);
/* dx (+)= dxd ⊙ input mask (the same mask as mcdl_rnn_drop_inputs). */
void mcdl_rnn_drop_inputs_grad(const mcdl_rnn_cfg *c, const mcdl_exec_args *a, int salt,
                               const float *dxd, float *dx, bool accumulate);
/* rm = the recurrent mask, (batch, units) of 0 or 1/(1 - recurrent_dropout). */
void mcdl_rnn_rec_mask(const mcdl_rnn_cfg *c, const mcdl_exec_args *a, int salt, float *rm);
/* Forward args with the layer's weights (x, states and outputs are the caller's). */
mcdl_rnn_fwd_args mcdl_rnn_cfg_fwd_args(const mcdl_layer *l, const mcdl_rnn_cfg *c, const float *x);
/* "simple_rnn_cell", "lstm_cell", "gru_cell" and "simple_rnn", "lstm", "gru". */
const char *mcdl_rnn_cell_sublayer(mcdl_rnn_cell cell);
const char *mcdl_rnn_auto_name(mcdl_rnn_cell cell);
/* Number of state tensors: 2 for LSTM, else 1. */
int mcdl_rnn_num_states(mcdl_rnn_cell cell);
/* Bytes rounded to the arena's 64-byte alignment. */
static inline size_t mcdl_rnn_round64(size_t n) { return (n + 63) / 64 * 64; }

#endif
