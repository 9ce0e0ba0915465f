/* The functional graph: symbolic nodes, layer objects called on nodes, layer names,
 * the generic by-class-name constructor (what the Keras JSON loader calls), layer
 * configs, and per-layer weights and trainable flags.
 *
 * Error model of the builders: functions that return a node or layer pointer return NULL
 * on failure and record the first failure in the graph (mcdl_graph_status()); passing a
 * NULL node or layer to a later builder returns NULL again without overwriting that first
 * error. So a chain of builder calls can be checked once, at the end, and
 * mcdl_model_create() refuses a graph that holds an error (returning its status). */
#ifndef MCDL_GRAPH_H
#define MCDL_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcdl/status.h"
#include "mcdl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Owns layers, nodes and weights. Models are views over a graph (several models may share
 *  one graph and so share layers and weights, as Keras models share layer objects). */
typedef struct mcdl_graph mcdl_graph;
/** A symbolic tensor: one output of one call of a layer. Owned by the graph. */
typedef struct mcdl_node mcdl_node;
/** A layer object; calling it on nodes makes new nodes. Calling one layer on several nodes
 *  shares its weights (Keras shared layers). Owned by the graph. */
typedef struct mcdl_layer mcdl_layer;

/** A float option whose zero means "Keras' default" takes MCDL_ZERO to mean a real 0
 *  (e.g. LeakyReLU negative_slope, Adam beta_1). It is negative zero: equal to 0 in
 *  arithmetic, told apart by its sign bit. */
#define MCDL_ZERO (-0.0f)

/** Activations, named as Keras names them. 0 is linear (Keras' default). */
typedef enum {
    MCDL_LINEAR = 0,
    MCDL_RELU,
    MCDL_SIGMOID,
    MCDL_TANH,
    MCDL_LEAKY_RELU, /**< x > 0 ? x : alpha x; the function's alpha defaults to 0.2 */
    MCDL_ELU,        /**< alpha 1 */
    MCDL_SELU,
    MCDL_GELU,  /**< exact erf form (Keras approximate=False) */
    MCDL_SWISH, /**< x sigmoid(x), also "silu" */
    MCDL_SOFTPLUS,
    MCDL_SOFTMAX, /**< over the last axis */
    MCDL_ACTIVATION_COUNT
} mcdl_activation_id;

/** Keras' name ("relu", ...), or "unknown". */
const char *mcdl_activation_name(mcdl_activation_id a);
/** Parses a Keras activation name ("relu", "linear", "silu" = swish, ...). An unknown
 *  name is MCDL_ERR_UNSUPPORTED naming it. */
mcdl_status mcdl_activation_from_name(const char *name, mcdl_activation_id *out);

/** Weight initialisers (keras/src/initializers). 0 = the layer's own default. */
typedef enum {
    MCDL_INIT_DEFAULT = 0,
    MCDL_INIT_ZEROS,
    MCDL_INIT_ONES,
    MCDL_INIT_GLOROT_UNIFORM, /**< U(+-sqrt(6 / (fan_in + fan_out))) */
    MCDL_INIT_GLOROT_NORMAL,  /**< truncated normal, std sqrt(2 / (fan_in + fan_out)) */
    MCDL_INIT_HE_UNIFORM,     /**< U(+-sqrt(6 / fan_in)) */
    MCDL_INIT_HE_NORMAL,      /**< truncated normal, std sqrt(2 / fan_in) */
    MCDL_INIT_LECUN_UNIFORM,  /**< U(+-sqrt(3 / fan_in)) */
    MCDL_INIT_LECUN_NORMAL,   /**< truncated normal, std sqrt(1 / fan_in) */
    MCDL_INIT_ORTHOGONAL,     /**< QR of a normal matrix, q *= sign(diag r), gain 1 */
    MCDL_INIT_RANDOM_UNIFORM, /**< U(-0.05, 0.05) (Embedding's default) */
    MCDL_INIT_RANDOM_NORMAL,  /**< N(0, 0.05) */
    MCDL_INIT_COUNT
} mcdl_init;

/** Keras' snake_case name ("glorot_uniform"). */
const char *mcdl_init_name(mcdl_init i);
/** Accepts the snake_case name or the class name ("GlorotUniform"). */
mcdl_status mcdl_init_from_name(const char *name, mcdl_init *out);

/* ---- graph ---------------------------------------------------------------------------- */

/** New empty graph. seed drives every weight initialiser and every Dropout mask made in
 *  this graph (each weight draws from its own counter stream, so values depend only on the
 *  seed and the order layers were built, never on thread count). */
mcdl_status mcdl_graph_create(mcdl_graph **out, uint64_t seed);
/** Drops the caller's reference. The graph (layers, nodes, weights) is freed when the last
 *  model made from it is destroyed too. NULL is allowed. */
void mcdl_graph_destroy(mcdl_graph *g);
/** MCDL_OK, or the status of the first failed builder call on this graph (its sentence is
 *  returned by mcdl_graph_error()). */
mcdl_status mcdl_graph_status(const mcdl_graph *g);
const char *mcdl_graph_error(const mcdl_graph *g);

int mcdl_graph_num_layers(const mcdl_graph *g);
/** Layers in creation order. */
mcdl_layer *mcdl_graph_layer(const mcdl_graph *g, int i);
/** The layer of that name, or NULL. */
mcdl_layer *mcdl_graph_find_layer(const mcdl_graph *g, const char *name);

/* ---- nodes ---------------------------------------------------------------------------- */

/** Per-sample shape (the batch axis is left out): returns the rank, fills shape. */
int mcdl_node_shape(const mcdl_node *n, int64_t shape[MCDL_MAX_RANK]);
/** The layer whose call made this node, which call of it (Keras node_index) and which of
 *  that call's outputs (Keras tensor_index): exactly Keras' keras_history triple. */
mcdl_layer *mcdl_node_layer(const mcdl_node *n);
int mcdl_node_call_index(const mcdl_node *n);
int mcdl_node_tensor_index(const mcdl_node *n);
/** Keras' implicit mask carried by a node (per sample (T), 1 = keep the step), or NULL.
 *  Embedding(mask_zero=True) makes one (a NotEqual node on its ids); the layers that
 *  support masking pass it on (Dense, Activation, Dropout, LayerNormalization,
 *  BatchNormalization, MultiHeadAttention (the query's), Add when its inputs agree, the
 *  positional encodings, RNNs with return_sequences) and the ones that consume it take it
 *  as an extra call input: MultiHeadAttention (query and value masks), GlobalAveragePooling1D,
 *  SimpleRNN/LSTM/GRU. See docs/attention.md. */
mcdl_node *mcdl_node_keras_mask(const mcdl_node *n);

/* ---- layers: calling, naming, introspection ------------------------------------------- */

/** Calls a one-input layer on x; returns its first output (NULL on error, see the top). */
mcdl_node *mcdl_call(mcdl_layer *l, mcdl_node *x);
/** Calls a layer on n_in nodes (merge layers, attention) and stores up to n_out outputs
 *  (a layer with several outputs, e.g. an RNN with return_state, fills out[0..k)).
 *  Shapes are inferred here: a mismatch is MCDL_ERR_SHAPE naming both layers and shapes.
 *  Also recorded in the graph like the builders. */
mcdl_status mcdl_call_multi(mcdl_layer *l, int n_in, mcdl_node *const *in, int n_out,
                            mcdl_node **out);

/** The layer's name: explicit (.name in its options) or Keras' automatic name: the class
 *  name in snake_case, then _1, _2, ... for later layers of the class in this graph
 *  (dense, dense_1, ...). */
const char *mcdl_layer_name(const mcdl_layer *l);
/** The Keras class name: "Dense", "InputLayer", "Concatenate", ... */
const char *mcdl_layer_class_name(const mcdl_layer *l);
/** Number of times the layer has been called (Keras' inbound nodes). */
int mcdl_layer_num_calls(const mcdl_layer *l);
/** The call's explicit inputs (Keras' call arguments); implicit masks a layer took from
 *  them (mcdl_node_keras_mask) follow at indices >= this count and are not listed here. */
int mcdl_layer_call_num_inputs(const mcdl_layer *l, int call);
mcdl_node *mcdl_layer_call_input(const mcdl_layer *l, int call, int i);
int mcdl_layer_call_num_outputs(const mcdl_layer *l, int call);
/** Output tensor of one call (NULL when out of range). */
mcdl_node *mcdl_layer_output(const mcdl_layer *l, int call, int tensor);

/** Keras' trainable flag (default true). A model captures its trainable weights when it is
 *  compiled, so freezing a layer and compiling a second model over the same graph gives
 *  Keras' GAN pattern (trainable in one model, frozen in the other). */
void mcdl_layer_set_trainable(mcdl_layer *l, bool trainable);
bool mcdl_layer_trainable(const mcdl_layer *l);

/** One weight of a layer (or of a model, mcdl_model_weight). value is a live view of the
 *  weight in Keras' shape, owned by the layer: read it, or write into its data to set the
 *  weight (then call mcdl_model_weights_changed() on each model using it). */
typedef struct {
    const char *path;   /**< Keras 3 variable path: "dense/kernel", "lstm/lstm_cell/bias" */
    const char *name;   /**< the variable's own name: "kernel" */
    mcdl_tensor *value; /**< live view, Keras' shape */
    bool trainable; /**< false for non-trainable variables (BN moving stats) or a frozen layer */
    mcdl_layer *layer;
} mcdl_weight_info;

/** Weights exist once the layer has been called (Keras builds a layer on its first call). */
int mcdl_layer_num_weights(const mcdl_layer *l);
mcdl_status mcdl_layer_weight(const mcdl_layer *l, int i, mcdl_weight_info *info);
/** Parameter count of the layer (summary's Param #). */
int64_t mcdl_layer_count_params(const mcdl_layer *l);

/* ---- generic construction from a Keras config (the JSON loader's entry point) ---------- */

typedef enum {
    MCDL_CFG_NULL = 0, /**< JSON null */
    MCDL_CFG_BOOL,
    MCDL_CFG_NUMBER,  /**< every JSON number (integers are checked to be integral) */
    MCDL_CFG_STRING,  /**< strings; an initializer dict is passed as its class_name */
    MCDL_CFG_NUMBERS, /**< a list of numbers; null entries (None dims) are NAN */
    MCDL_CFG_LAYER,   /**< a nested layer config (Bidirectional/TimeDistributed "layer") */
} mcdl_cfg_type;

typedef struct mcdl_config mcdl_config;

/** One key of a Keras layer config. Fill the member of the item's type; others are ignored. */
typedef struct {
    const char *key;
    mcdl_cfg_type type;
    bool b;
    double num;
    const char *str;
    int n;                     /**< NUMBERS: count */
    const double *nums;        /**< NUMBERS: values */
    const char *class_name;    /**< LAYER: nested layer's class */
    const mcdl_config *config; /**< LAYER: nested layer's config */
} mcdl_cfg_item;

/** A Keras layer config as a flat list of keys. Keys a layer does not know are ignored,
 *  as Keras' own loaders ignore dtype policies, regularizers, constraints, ... */
struct mcdl_config {
    int n;
    const mcdl_cfg_item *items;
};

/** The item with that key, or NULL. */
const mcdl_cfg_item *mcdl_config_find(const mcdl_config *c, const char *key);

/** Creates a layer from its Keras class name ("Dense", "InputLayer", "LeakyReLU", ...) and
 *  config (the "config" object of the layer's JSON entry). A missing key means Keras'
 *  default; "name" gives the layer's name. An "InputLayer" is created already called: its
 *  node is mcdl_layer_output(l, 0, 0) (shape from "batch_shape" or "batch_input_shape",
 *  batch entry first). Errors: an unknown class is MCDL_ERR_UNSUPPORTED naming it; a key of
 *  the wrong type or a bad value is MCDL_ERR_FORMAT naming the layer, key and value. */
mcdl_status mcdl_layer_from_config(mcdl_graph *g, const char *class_name, const mcdl_config *cfg,
                                   mcdl_layer **out);
/** Whether a Keras class name is known to this build. */
bool mcdl_layer_class_known(const char *class_name);

/** The layer's full Keras config (every key Keras writes for it that this library models,
 *  defaults filled in: "name", "trainable", "units", "activation", "kernel_initializer"
 *  (a class name such as "GlorotUniform"), ...). Owned by the layer, valid until the
 *  graph is freed or the layer is reconfigured. Feeding it back to mcdl_layer_from_config
 *  makes an equal layer. */
mcdl_status mcdl_layer_get_config(const mcdl_layer *l, const mcdl_config **out);

#ifdef __cplusplus
}
#endif
#endif
