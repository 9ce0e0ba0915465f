/* Recurrent layers: SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed. Keras keyword
 * arguments are option fields, zero meaning Keras' default:
 *
 *     mcdl_node *h = mcdl_lstm(g, x, &(mcdl_rnn_opts){.units = 64, .return_sequences = true});
 *     mcdl_node *y = mcdl_bidirectional(g, h, &(mcdl_bidirectional_opts){
 *         .cell = MCDL_CELL_LSTM, .layer = {.units = 32}, .merge_mode = MCDL_MERGE_SUM});
 *
 * Inputs are (batch, steps, features). initial_state: call the layer object with extra
 * inputs, mcdl_call_multi(l, 3, (mcdl_node *[]){x, h0, c0}, ...) for an LSTM ([h0] for
 * SimpleRNN and GRU). return_state adds outputs [h] (SimpleRNN, GRU) or [h, c] (LSTM)
 * after the output, as Keras does. Weights use Keras 3 paths: lstm/lstm_cell/kernel,
 * recurrent_kernel, bias; bidirectional/forward_lstm/lstm_cell/kernel, ...;
 * time_distributed/dense/kernel. */
#ifndef MCDL_RNN_LAYERS_H
#define MCDL_RNN_LAYERS_H

#include <stdbool.h>
#include <stdint.h>

#include "mcdl/graph.h"
#include "mcdl/layers.h"

#ifdef __cplusplus
extern "C" {
#endif

/** SimpleRNN / LSTM / GRU options. */
typedef struct {
    int64_t units;                           /**< required, > 0 */
    mcdl_activation_id activation;           /**< 0 = tanh (Keras default) */
    mcdl_activation_id recurrent_activation; /**< 0 = sigmoid (LSTM, GRU) */
    bool linear_activation;                  /**< activation=None/"linear" (0 means tanh) */
    bool linear_recurrent_activation;        /**< recurrent_activation="linear" */
    bool no_bias;                            /**< use_bias=False */
    bool return_sequences, return_state, go_backwards;
    bool no_unit_forget_bias; /**< LSTM unit_forget_bias=False */
    bool no_reset_after;      /**< GRU reset_after=False */
    /** Input dropout rate in training, [0, 1): one (batch, features) mask per call, the
     *  same at every step, kept values scaled by 1/(1 - rate) (Keras). */
    float dropout;
    /** Recurrent dropout rate in training, [0, 1): one (batch, units) mask per call applied
     *  to h_prev where it enters the recurrent product, the same at every step and shared
     *  by the gates (tf.keras 2's default implementation=2; Keras 3 draws one mask per
     *  gate instead); the carried state is not masked. Ignored in inference. */
    float recurrent_dropout;
    /** The call's LAST input is a (steps) mask per sample, nonzero = real step, e.g.
     *  mcdl_embedding_mask(ids) for Keras' Embedding(mask_zero=True): a masked step keeps
     *  the state and repeats the previous output. (The graph has no implicit masks.) */
    bool mask_input;
    mcdl_init kernel_initializer;    /**< default glorot_uniform */
    mcdl_init recurrent_initializer; /**< default orthogonal */
    mcdl_init bias_initializer;      /**< default zeros */
    const char *name;
} mcdl_rnn_opts;

mcdl_layer *mcdl_simple_rnn_layer(mcdl_graph *g, const mcdl_rnn_opts *o);
mcdl_node *mcdl_simple_rnn(mcdl_graph *g, mcdl_node *x, const mcdl_rnn_opts *o);
mcdl_layer *mcdl_lstm_layer(mcdl_graph *g, const mcdl_rnn_opts *o);
mcdl_node *mcdl_lstm(mcdl_graph *g, mcdl_node *x, const mcdl_rnn_opts *o);
mcdl_layer *mcdl_gru_layer(mcdl_graph *g, const mcdl_rnn_opts *o);
mcdl_node *mcdl_gru(mcdl_graph *g, mcdl_node *x, const mcdl_rnn_opts *o);

typedef enum { MCDL_CELL_SIMPLE_RNN = 0, MCDL_CELL_LSTM, MCDL_CELL_GRU } mcdl_cell_kind;
typedef enum {
    MCDL_MERGE_CONCAT = 0, /**< Keras default */
    MCDL_MERGE_SUM,
    MCDL_MERGE_AVE,
    MCDL_MERGE_MUL,
    MCDL_MERGE_NONE, /**< two outputs: forward, backward */
} mcdl_merge_mode;

/** Bidirectional(layer, merge_mode="concat"): a forward copy and a go_backwards copy of
 *  the recurrent layer described by (cell, layer); with return_sequences the backward
 *  output is flipped back so step t lines up with step t. layer.name names the wrapped
 *  layer (default the cell's automatic name: simple_rnn, lstm, gru); the copies are
 *  forward_<name> and backward_<name>. return_state: outputs, then the forward states,
 *  then the backward states. */
typedef struct {
    mcdl_cell_kind cell;
    mcdl_rnn_opts layer;
    mcdl_merge_mode merge_mode;
    const char *name;
} mcdl_bidirectional_opts;
mcdl_layer *mcdl_bidirectional_layer(mcdl_graph *g, const mcdl_bidirectional_opts *o);
mcdl_node *mcdl_bidirectional(mcdl_graph *g, mcdl_node *x, const mcdl_bidirectional_opts *o);
/** Bidirectional around an existing (not yet called) layer object, as Keras'
 *  Bidirectional(layer): it must be SimpleRNN, LSTM or GRU, else MCDL_ERR_ARG naming it. */
mcdl_layer *mcdl_bidirectional_wrap(mcdl_graph *g, mcdl_layer *inner, mcdl_merge_mode merge_mode,
                                    const char *name);

/** TimeDistributed(Dense(...)): the Dense applied to every step of (steps, features). */
typedef struct {
    mcdl_dense_opts dense;
    const char *name;
} mcdl_time_distributed_opts;
mcdl_layer *mcdl_time_distributed_layer(mcdl_graph *g, const mcdl_time_distributed_opts *o);
mcdl_node *mcdl_time_distributed(mcdl_graph *g, mcdl_node *x, const mcdl_time_distributed_opts *o);

#ifdef __cplusplus
}
#endif
#endif
