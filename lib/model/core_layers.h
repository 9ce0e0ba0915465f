/* Internal: the core layer classes (registered in registry.c) and helpers shared by
 * their files: activation dispatch over the eltwise kernels, and the builder prologue. */
#ifndef MCDL_LIB_MODEL_CORE_LAYERS_H
#define MCDL_LIB_MODEL_CORE_LAYERS_H

#include "kernels/eltwise/eltwise.h"
#include "lib/model/layer.h"

extern const mcdl_layer_class mcdl_input_layer_class;
extern const mcdl_layer_class mcdl_dense_class;
extern const mcdl_layer_class mcdl_activation_class;
extern const mcdl_layer_class mcdl_leaky_relu_class;
extern const mcdl_layer_class mcdl_dropout_class;
extern const mcdl_layer_class mcdl_flatten_class;
extern const mcdl_layer_class mcdl_reshape_class;
extern const mcdl_layer_class mcdl_concatenate_class;
extern const mcdl_layer_class mcdl_add_class;

/* The public activation ids are the kernel ids (same order, checked in activation.c). */
static inline mcdl_act mcdl_act_of(mcdl_activation_id a) { return (mcdl_act)a; }

/* y = f(x) over rows x cols (softmax per row); y may equal x. */
void mcdl_apply_act_fwd(mcdl_activation_id a, float alpha, const float *x, float *y, int64_t rows,
                        int64_t cols);
/* dx = dy * f'(x); x may be NULL when mcdl_act_bwd_needs_x says so; dx may equal dy. */
void mcdl_apply_act_bwd(mcdl_activation_id a, float alpha, const float *x, const float *y,
                        const float *dy, float *dx, int64_t rows, int64_t cols);
bool mcdl_act_needs_x(mcdl_activation_id a, float alpha);

/* A float option: 0 means the default, MCDL_ZERO (negative zero) a real 0. */
float mcdl_opt_float(float v, float dflt);

/* The common builder tail: make the layer object (NULL after recording any error). */
mcdl_node *mcdl_build_and_call(mcdl_layer *l, mcdl_node *x);

#endif
