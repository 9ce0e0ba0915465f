/* Internal: the graph's data structures, shared by graph.c, model.c, the executor and
 * summary. Layer families use lib/model/layer.h only. */
#ifndef MCDL_LIB_MODEL_GRAPH_INTERNAL_H
#define MCDL_LIB_MODEL_GRAPH_INTERNAL_H

#include "lib/model/layer.h"

struct mcdl_node {
    mcdl_layer *layer;
    int call, tensor;
    mcdl_shape shape;
    int id;          /* creation index in the graph */
    mcdl_node *mask; /* Keras' implicit mask, see mcdl_node_keras_mask */
};

typedef struct {
    int n_in, n_out;
    int n_explicit; /* in[0..n_explicit) were given by the caller; the rest are masks */
    mcdl_node *in[MCDL_MAX_CALL_IO];
    mcdl_node *out[MCDL_MAX_CALL_IO];
} mcdl_layer_call;

typedef struct {
    char *path, *name;
    int rank;
    int64_t shape[MCDL_MAX_RANK];
    int64_t numel;
    float *data, *grad;
    mcdl_tensor *view;
    bool trainable;
} mcdl_weight;

/* A nested layer config under one item of its parent writer (mcdl_cfg_put_layer). */
typedef struct mcdl_cfg_sub mcdl_cfg_sub;

struct mcdl_cfg_writer {
    mcdl_cfg_item *items;
    int n, cap;
    void **owned; /* strings and arrays the items point to */
    int n_owned, cap_owned;
    mcdl_cfg_sub **subs; /* nested layer configs, each owned here */
    int n_subs, cap_subs;
    bool failed;
};

struct mcdl_cfg_sub {
    int item; /* index of the MCDL_CFG_LAYER item in the parent */
    mcdl_cfg_writer w;
    mcdl_config view;
};

/* Empties a writer (frees what it owns, nested configs included); it stays usable. */
void mcdl_cfg_writer_clear(mcdl_cfg_writer *w);
/* Frees everything a writer holds. */
void mcdl_cfg_writer_free(mcdl_cfg_writer *w);
/* Points every nested layer item at its finished sub-config (after the last put);
 * false when any writer in the tree failed. */
bool mcdl_cfg_writer_finish(mcdl_cfg_writer *w);

struct mcdl_layer {
    mcdl_graph *graph;
    const mcdl_layer_class *cls;
    char *name;
    void *state;
    bool trainable;
    int id;
    mcdl_layer_call *calls;
    int n_calls, cap_calls;
    mcdl_weight *weights;
    int n_weights, cap_weights;
    mcdl_cfg_writer cfg;
    mcdl_config cfg_view;
};

struct mcdl_graph {
    int refs;
    uint64_t seed;
    uint64_t next_stream; /* initialiser streams handed out in build order */
    mcdl_layer **layers;
    int n_layers, cap_layers;
    mcdl_node **nodes;
    int n_nodes, cap_nodes;
    mcdl_status err;
    char errmsg[512];
};

void mcdl_graph_retain(mcdl_graph *g);

#endif
