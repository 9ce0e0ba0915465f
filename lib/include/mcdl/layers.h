/* Core layers: Input, Dense, Activation, LeakyReLU, Dropout, Flatten, Reshape,
 * Concatenate, Add. Each Keras keyword argument is a field of an options struct; a zero
 * field means Keras' default, so designated initialisers read like the Keras call:
 *
 *     mcdl_node *h = mcdl_dense(g, x, &(mcdl_dense_opts){.units = 64, .activation = MCDL_RELU});
 *
 * Options pointers may be NULL where every field has a default. Every layer has two forms:
 * mcdl_<layer>_layer(g, opts) makes a layer object to call (and share) with mcdl_call,
 * and mcdl_<layer>(g, x, opts) makes one and calls it on x. Both follow the graph's
 * error model (NULL on failure, first error kept in the graph; see mcdl/graph.h). */
#ifndef MCDL_LAYERS_H
#define MCDL_LAYERS_H

#include <stdbool.h>
#include <stdint.h>

#include "mcdl/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/** keras.Input(shape). The shape is per sample (no batch axis) and every dimension must be
 *  known (> 0). rank 0 means: count the leading non-zero entries of shape, so
 *  `.shape = {28, 28, 1}` is rank 3. */
typedef struct {
    int64_t shape[MCDL_MAX_RANK];
    int rank;
    const char *name; /**< default input_layer, input_layer_1, ... */
} mcdl_input_opts;
mcdl_node *mcdl_input(mcdl_graph *g, const mcdl_input_opts *o);

/** Dense(units): y = act(x . kernel + bias) on the last axis of an input of any rank.
 *  kernel (in, units) glorot_uniform, bias (units) zeros. */
typedef struct {
    int64_t units;                 /**< required, > 0 */
    mcdl_activation_id activation; /**< default linear */
    float alpha;  /**< slope for MCDL_LEAKY_RELU; 0 means 0.2 (Keras' function default) */
    bool no_bias; /**< Keras use_bias=False */
    mcdl_init kernel_initializer; /**< default glorot_uniform */
    mcdl_init bias_initializer;   /**< default zeros */
    const char *name;
} mcdl_dense_opts;
mcdl_layer *mcdl_dense_layer(mcdl_graph *g, const mcdl_dense_opts *o);
mcdl_node *mcdl_dense(mcdl_graph *g, mcdl_node *x, const mcdl_dense_opts *o);

/** Activation(activation): element-wise, softmax over the last axis. */
typedef struct {
    mcdl_activation_id activation; /**< default linear */
    float alpha;                   /**< MCDL_LEAKY_RELU slope; 0 means 0.2 */
    const char *name;
} mcdl_activation_opts;
mcdl_layer *mcdl_activation_layer(mcdl_graph *g, const mcdl_activation_opts *o);
mcdl_node *mcdl_activation(mcdl_graph *g, mcdl_node *x, const mcdl_activation_opts *o);

/** LeakyReLU(negative_slope=0.3). alpha is the old Keras 2 name of the same slope (the
 *  seeds write alpha=0.2); when both are set they must agree. MCDL_ZERO gives slope 0. */
typedef struct {
    float negative_slope;
    float alpha;
    const char *name;
} mcdl_leaky_relu_opts;
mcdl_layer *mcdl_leaky_relu_layer(mcdl_graph *g, const mcdl_leaky_relu_opts *o);
mcdl_node *mcdl_leaky_relu(mcdl_graph *g, mcdl_node *x, const mcdl_leaky_relu_opts *o);

/** Dropout(rate): in training, each unit is zeroed with probability rate and kept units are
 *  scaled by 1/(1 - rate) (inverted dropout); identity at inference. The mask is drawn from
 *  a Philox counter stream keyed by (seed, layer, call, training step, element), so it is
 *  the same for any thread count. rate in [0, 1). */
typedef struct {
    float rate;
    uint64_t seed; /**< 0: derived from the graph's seed */
    const char *name;
} mcdl_dropout_opts;
mcdl_layer *mcdl_dropout_layer(mcdl_graph *g, const mcdl_dropout_opts *o);
mcdl_node *mcdl_dropout(mcdl_graph *g, mcdl_node *x, const mcdl_dropout_opts *o);

/** Flatten(): row-major reshape of the per-sample axes to one axis. */
typedef struct {
    const char *name;
} mcdl_flatten_opts;
mcdl_layer *mcdl_flatten_layer(mcdl_graph *g, const mcdl_flatten_opts *o);
mcdl_node *mcdl_flatten(mcdl_graph *g, mcdl_node *x, const mcdl_flatten_opts *o);

/** Reshape(target_shape): per-sample shape; one entry may be -1 (inferred). rank 0 means:
 *  count the leading non-zero entries of target_shape. */
typedef struct {
    int64_t target_shape[MCDL_MAX_RANK];
    int rank;
    const char *name;
} mcdl_reshape_opts;
mcdl_layer *mcdl_reshape_layer(mcdl_graph *g, const mcdl_reshape_opts *o);
mcdl_node *mcdl_reshape(mcdl_graph *g, mcdl_node *x, const mcdl_reshape_opts *o);

/** Concatenate(axis=-1). axis counts the batch axis as Keras does (axis 1 is the first
 *  per-sample axis, -1 the last); 0 means the default -1. All other axes must agree. */
typedef struct {
    int axis;
    const char *name;
} mcdl_concatenate_opts;
mcdl_layer *mcdl_concatenate_layer(mcdl_graph *g, const mcdl_concatenate_opts *o);
mcdl_node *mcdl_concatenate(mcdl_graph *g, int n, mcdl_node *const *xs,
                            const mcdl_concatenate_opts *o);

/** Add(): element-wise sum of two or more inputs of one shape. */
typedef struct {
    const char *name;
} mcdl_add_opts;
mcdl_layer *mcdl_add_layer(mcdl_graph *g, const mcdl_add_opts *o);
mcdl_node *mcdl_add(mcdl_graph *g, int n, mcdl_node *const *xs, const mcdl_add_opts *o);

#ifdef __cplusplus
}
#endif
#endif
