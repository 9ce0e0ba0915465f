/* Internal: the layer interface. A layer family is a const mcdl_layer_class (a function
 * table) plus a private state struct; the graph, the executor, summary, weights and the
 * JSON loader only ever go through this table. How to add a family: docs/LAYERS.md. */
#ifndef MCDL_LIB_MODEL_LAYER_H
#define MCDL_LIB_MODEL_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcdl/graph.h"
#include "mcdl/layers.h"

#define MCDL_MAX_CALL_IO 8 /* inputs or outputs of one layer call */

/* A per-sample shape (the batch axis is not included). */
typedef struct {
    int rank;
    int64_t d[MCDL_MAX_RANK];
} mcdl_shape;

int64_t mcdl_shape_numel(const mcdl_shape *s);
bool mcdl_shape_equal(const mcdl_shape *a, const mcdl_shape *b);
/* "(None, 10, 8)": Keras' way of printing a shape with its batch axis. */
void mcdl_shape_keras_str(const mcdl_shape *s, char *buf, size_t n);

/* Shape inference for one call. The layer reads in[] and writes n_out and out[]. On the
 * first call (call == 0) it also builds itself: declares its weights with
 * mcdl_layer_add_weight. A later call (shared layer) must check that its inputs fit the
 * weights already built. in_from[i] names the layer that produced input i, for errors
 * ("layer 'dense_1' (Dense) cannot take (None, 3, 4) from 'reshape': ..."). */
typedef struct {
    int call;
    int n_in;
    const mcdl_shape *in;
    const char *const *in_from;
    int n_explicit; /* inputs the caller gave; in[n_explicit..n_in) are implicit masks the
                     * class's take_masks asked for */
    int n_out;      /* set by the layer; starts at 1 with out[0] = in[0] */
    mcdl_shape out[MCDL_MAX_CALL_IO];
} mcdl_infer_args;

/* One execution of one call of a layer on a batch. Buffers are dense row-major
 * (batch, per-sample shape...), 64-byte aligned, planned once per (model, batch size) in
 * the model's arena: a layer never allocates in forward or backward. */
typedef struct {
    int call;
    int64_t batch; /* samples in this batch; <= the planned batch size */
    bool training; /* fit / train_on_batch: true; evaluate / predict: false */
    int n_in;
    const float *const *x; /* inputs, x_shape[i] per sample */
    const mcdl_shape *x_shape;
    int n_out;
    float *const *y; /* outputs; forward writes them, backward may read them */
    const mcdl_shape *y_shape;
    /* Backward only (NULL in forward). dy[j]: gradient of the loss w.r.t. y[j], read-only.
     * dx[i]: gradient w.r.t. x[i], to be OVERWRITTEN (the executor sums over consumers);
     * dx[i] == NULL when input i needs no gradient (a model input). Weight gradients are
     * ACCUMULATED (+=) into mcdl_layer_weight_grad(): the executor zeros them once per step,
     * so a shared layer's calls add up. */
    const float *const *dy;
    float *const *dx;
    /* Bytes asked for by the class's workspace(): saved is this call's own memory, kept
     * from forward to backward of the same step (masks, pre-activations); scratch is
     * shared by all layers and valid only during this forward or backward. */
    void *saved;
    void *scratch;
    /* Random numbers: use mcdl_rng_*(rng_seed, rng_stream, rng_offset + element, ...).
     * The triple is unique per (graph seed, layer, call, training step). */
    uint64_t rng_seed, rng_stream, rng_offset;
    /* Backward only: whether this model trains any of the layer's weights (false for a layer
     * that was frozen when the model was compiled). Weight gradients may be skipped when
     * false; use this, not mcdl_layer_trainable(), which may have changed since compile. */
    bool weight_grads;
} mcdl_exec_args;

typedef struct mcdl_cfg_writer mcdl_cfg_writer;

typedef struct mcdl_layer_class {
    const char *class_name; /* Keras class, "Dense"; the JSON loader looks it up */
    const char *auto_name;  /* base of automatic names, "dense" -> dense, dense_1, ... */
    size_t state_size;      /* bytes of private state, zeroed, at mcdl_layer_state() */
    int min_inputs, max_inputs;
    /* Fill the state from a Keras config (missing keys = Keras' defaults). The typed
     * constructor (mcdl_dense_layer) fills the state itself and does not call this. */
    mcdl_status (*from_config)(mcdl_layer *l, const mcdl_config *cfg);
    /* Append the class's config keys (the core adds "name" and "trainable"). */
    void (*to_config)(const mcdl_layer *l, mcdl_cfg_writer *w);
    mcdl_status (*infer)(mcdl_layer *l, mcdl_infer_args *a);
    /* Optional (NULL = none): bytes per call for a given batch size. */
    void (*workspace)(const mcdl_layer *l, int call, int64_t batch, bool training,
                      size_t *saved_bytes, size_t *scratch_bytes);
    mcdl_status (*forward)(mcdl_layer *l, const mcdl_exec_args *a);
    /* NULL: the layer cannot be trained through (fit fails with MCDL_ERR_UNSUPPORTED). */
    mcdl_status (*backward)(mcdl_layer *l, const mcdl_exec_args *a);
    /* Optional: free whatever the state points to (the state itself is freed by the core). */
    void (*destroy)(mcdl_layer *l);
    /* Keras' implicit masks (mcdl_node_keras_mask), all optional. take_masks: called before
     * infer when an input carries a mask (masks[i], NULL where none); writes the mask
     * nodes the layer consumes to extra[] (at most MCDL_MAX_CALL_IO - n_in), which become
     * the call's inputs after the explicit ones, and their count to *n_extra. */
    mcdl_status (*take_masks)(mcdl_layer *l, int call, int n_in, mcdl_node *const *in,
                              mcdl_node *const *masks, mcdl_node **extra, int *n_extra);
    /* output_mask: the mask of output 0 (NULL: none), called once the call is recorded,
     * so it may call other layers (Embedding makes its NotEqual node here). Without it,
     * keeps_mask = true passes input 0's mask on when output 0 keeps its steps. */
    mcdl_node *(*output_mask)(mcdl_layer *l, int call, int n_in, mcdl_node *const *in,
                              mcdl_node *const *masks);
    bool keeps_mask;
} mcdl_layer_class;

/* ---- for layer implementations -------------------------------------------------------- */

/* Creates a layer of class cls in g, named name (NULL: automatic). Records failures in the
 * graph. The typed constructors use it, then fill mcdl_layer_state(). */
mcdl_layer *mcdl_layer_new(mcdl_graph *g, const mcdl_layer_class *cls, const char *name);
/* Calls a layer with no inputs once (InputLayer and other source layers) and returns its
 * node; NULL after recording the error. */
mcdl_node *mcdl_layer_call_source(mcdl_layer *l);
/* Records the current error sentence (mcdl_last_error) as g's first error if it has none;
 * returns s. Builders call it so a chain of calls can be checked once. */
mcdl_status mcdl_graph_record(mcdl_graph *g, mcdl_status s);
void *mcdl_layer_state(const mcdl_layer *l);
const mcdl_layer_class *mcdl_layer_get_class(const mcdl_layer *l);
mcdl_graph *mcdl_layer_graph(const mcdl_layer *l);

/* Declares a weight during the first infer. subpath is the variable's path below the
 * layer ("kernel", "lstm_cell/recurrent_kernel"); the full Keras path is
 * "<layer name>/<subpath>". shape is Keras' shape. The initialiser runs now, drawing from
 * the graph's seed and a stream unique to this weight; fans follow Keras (the last axis is
 * fan_out, the one before it fan_in, times the product of the others). A layer with a
 * custom init (LSTM unit_forget_bias) overwrites mcdl_layer_weight_data afterwards.
 * Returns the weight index (0, 1, ... in declaration order) or -1 after recording the
 * error. */
int mcdl_layer_add_weight(mcdl_layer *l, const char *subpath, int rank, const int64_t *shape,
                          mcdl_init init, bool trainable);
float *mcdl_layer_weight_data(const mcdl_layer *l, int i);
float *mcdl_layer_weight_grad(const mcdl_layer *l, int i);

/* Fills an array by an initialiser (exposed for layers with custom schemes and tests). */
mcdl_status mcdl_init_fill(mcdl_init init, float *w, int rank, const int64_t *shape, uint64_t seed,
                           uint64_t stream);

/* ---- config reading (from_config) and writing (to_config) ----------------------------- */

/* Each getter leaves *out unchanged when the key is absent or null, and returns
 * MCDL_ERR_FORMAT naming the layer and key when the value has the wrong type. */
mcdl_status mcdl_cfg_get_int(const mcdl_layer *l, const mcdl_config *c, const char *key,
                             int64_t *out);
mcdl_status mcdl_cfg_get_float(const mcdl_layer *l, const mcdl_config *c, const char *key,
                               float *out);
mcdl_status mcdl_cfg_get_bool(const mcdl_layer *l, const mcdl_config *c, const char *key,
                              bool *out);
mcdl_status mcdl_cfg_get_string(const mcdl_layer *l, const mcdl_config *c, const char *key,
                                const char **out);
/* A list of ints (or a single number, as Keras accepts kernel_size=3); *n receives the
 * count; at most max entries. None entries are -1. */
mcdl_status mcdl_cfg_get_ints(const mcdl_layer *l, const mcdl_config *c, const char *key,
                              int64_t *out, int max, int *n);
mcdl_status mcdl_cfg_get_activation(const mcdl_layer *l, const mcdl_config *c, const char *key,
                                    mcdl_activation_id *out);
mcdl_status mcdl_cfg_get_init(const mcdl_layer *l, const mcdl_config *c, const char *key,
                              mcdl_init *out);

void mcdl_cfg_put_number(mcdl_cfg_writer *w, const char *key, double v);
void mcdl_cfg_put_bool(mcdl_cfg_writer *w, const char *key, bool v);
void mcdl_cfg_put_string(mcdl_cfg_writer *w, const char *key, const char *v);
void mcdl_cfg_put_null(mcdl_cfg_writer *w, const char *key);
void mcdl_cfg_put_numbers(mcdl_cfg_writer *w, const char *key, int n, const double *v);
/* An initialiser as its Keras class name ("GlorotUniform"). */
void mcdl_cfg_put_init(mcdl_cfg_writer *w, const char *key, mcdl_init i);
/* A nested layer config (Keras' {"class_name": ..., "config": {...}} under key, as
 * Bidirectional's and TimeDistributed's "layer"): returns the writer of the nested config;
 * the caller puts its keys there ("name" included). Owned by w. On out of memory w is
 * marked failed and the result is NULL; every put accepts a NULL writer and does nothing. */
mcdl_cfg_writer *mcdl_cfg_put_layer(mcdl_cfg_writer *w, const char *key, const char *class_name);

/* ---- wrapper layers (TimeDistributed) ------------------------------------------------- */

/* An inner layer of class_name configured from cfg that is not in the graph: its name is
 * "<outer>/<cfg name>", so the weights it declares get Keras' paths
 * (time_distributed/dense/kernel). Errors name outer and the class. */
mcdl_status mcdl_layer_inner_create(mcdl_layer *outer, const char *class_name,
                                    const mcdl_config *cfg, mcdl_layer **out);
/* The inner layer's shape inference for call a->call of outer, on per-sample shapes the
 * caller puts in a (in, n_in, in_from; n_out = 1, out[0] = in[0]). Records the call so the
 * inner's workspace() can read its shapes; on call 0 the inner's weights become outer's
 * (outer must declare none of its own; the inner uses them through its own indices). */
mcdl_status mcdl_layer_inner_infer(mcdl_layer *outer, mcdl_layer *inner, mcdl_infer_args *a);
/* Frees an inner layer (from outer's destroy); the weights stay with outer. */
void mcdl_layer_inner_free(mcdl_layer *inner);

/* ---- the class registry (lib/model/registry.c) ---------------------------------------- */

const mcdl_layer_class *mcdl_layer_class_find(const char *class_name);

#endif
