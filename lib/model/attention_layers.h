/* Internal: the attention / embedding / normalisation layer classes (registered in
 * registry.c) and what their files share. */
#ifndef MCDL_LIB_MODEL_ATTENTION_LAYERS_H
#define MCDL_LIB_MODEL_ATTENTION_LAYERS_H

#include "lib/model/layer.h"
#include "mcdl/attention.h"

extern const mcdl_layer_class mcdl_embedding_class;
extern const mcdl_layer_class mcdl_not_equal_class;
extern const mcdl_layer_class mcdl_sine_position_encoding_class;
extern const mcdl_layer_class mcdl_position_embedding_class;
extern const mcdl_layer_class mcdl_mha_class;
extern const mcdl_layer_class mcdl_layer_norm_class;
extern const mcdl_layer_class mcdl_gap1d_class;

/* Calls l on n inputs with one output (NULL after recording any error). */
mcdl_node *mcdl_attn_call_n(mcdl_layer *l, int n, mcdl_node *const *xs);

#endif
