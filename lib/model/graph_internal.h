/* Internal: the graph's data structures, shared by graph.c, model.c, the executor and
 * summary. Layer families use lib/model/layer.h only. */
#ifndef MCDL_LIB_MODEL_GRAPH_INTERNAL_H
#define MCDL_LIB_MODEL_GRAPH_INTERNAL_H

#include "lib/model/layer.h"

struct mcdl_node {
    mcdl_layer *layer;
    int call, tensor;
    mcdl_shape shape;
    int id; /* creation index in the graph */
};

typedef struct {
    int n_in, n_out;
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

struct mcdl_cfg_writer {
    mcdl_cfg_item *items;
    int n, cap;
    void **owned; /* strings and arrays the items point to */
    int n_owned, cap_owned;
    bool failed;
};

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
