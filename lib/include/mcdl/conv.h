/* Convolution-family layers: Conv1D, Conv2D, Conv3D, DepthwiseConv2D, SeparableConv2D,
 * Conv2DTranspose, Max/AveragePooling1D/2D, GlobalMax/AveragePooling1D/2D,
 * BatchNormalization, UpSampling2D, ZeroPadding2D. channels_last only (NHWC, NTC), Keras
 * weight shapes and variable names (conv2d/kernel, depthwise_conv2d/kernel,
 * separable_conv2d/depthwise_kernel + pointwise_kernel, batch_normalization/gamma, beta,
 * moving_mean, moving_variance). Zero fields mean Keras' defaults:
 *
 *     mcdl_node *h = mcdl_conv2d(g, x, &(mcdl_conv_opts){.filters = 32, .kernel_size = {3, 3},
 *                                                         .activation = MCDL_RELU});
 *     h = mcdl_max_pooling2d(g, h, &(mcdl_pool_opts){.pool_size = {2, 2}});
 *
 * Sizes follow Keras: 'valid' floor((n - d(k-1) - 1)/s) + 1, 'same' ceil(n/s) with the odd
 * padding row/column at the bottom/right, 'causal' (Conv1D) left-pads d(k-1). A kernel
 * larger than a 'valid' input, a size or stride <= 0, a channel count that does not match
 * built weights, or a Conv2DTranspose output_padding >= stride is an error naming the
 * layer (MCDL_ERR_SHAPE or MCDL_ERR_ARG). */
#ifndef MCDL_CONV_H
#define MCDL_CONV_H

#include <stdbool.h>
#include <stdint.h>

#include "mcdl/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MCDL_PADDING_VALID = 0, /**< Keras default */
    MCDL_PADDING_SAME,
    MCDL_PADDING_CAUSAL /**< Conv1D only */
} mcdl_padding_mode;

/** Conv1D / Conv2D(filters, kernel_size, strides=1, padding='valid', dilation_rate=1,
 *  activation=None, use_bias=True). Kernel (k, Cin, F) / (kh, kw, Cin, F) glorot_uniform,
 *  bias (F) zeros. Pairs are (rows, columns); {k, 0} means {k, k} for Conv2D; Conv1D uses
 *  index 0 only. Strides and dilation > 1 together are rejected, as in Keras. */
typedef struct {
    int64_t filters;        /**< required, > 0 */
    int64_t kernel_size[2]; /**< required */
    int64_t strides[2];     /**< 0: 1 */
    mcdl_padding_mode padding;
    int64_t dilation_rate[2]; /**< 0: 1 */
    mcdl_activation_id activation;
    float alpha; /**< leaky relu slope; 0 means 0.2 */
    bool no_bias;
    mcdl_init kernel_initializer; /**< default glorot_uniform */
    mcdl_init bias_initializer;   /**< default zeros */
    const char *name;
} mcdl_conv_opts;
mcdl_layer *mcdl_conv1d_layer(mcdl_graph *g, const mcdl_conv_opts *o);
mcdl_node *mcdl_conv1d(mcdl_graph *g, mcdl_node *x, const mcdl_conv_opts *o);
mcdl_layer *mcdl_conv2d_layer(mcdl_graph *g, const mcdl_conv_opts *o);
mcdl_node *mcdl_conv2d(mcdl_graph *g, mcdl_node *x, const mcdl_conv_opts *o);

/** Conv3D(filters, kernel_size, strides=1, padding='valid', dilation_rate=1): input
 *  (depth, rows, cols, channels), kernel (kd, kh, kw, Cin, F), bias (F). {k, 0, 0} means
 *  {k, k, k}. */
typedef struct {
    int64_t filters;
    int64_t kernel_size[3];
    int64_t strides[3];
    mcdl_padding_mode padding; /**< valid or same */
    int64_t dilation_rate[3];
    mcdl_activation_id activation;
    float alpha;
    bool no_bias;
    mcdl_init kernel_initializer;
    mcdl_init bias_initializer;
    const char *name;
} mcdl_conv3d_opts;
mcdl_layer *mcdl_conv3d_layer(mcdl_graph *g, const mcdl_conv3d_opts *o);
mcdl_node *mcdl_conv3d(mcdl_graph *g, mcdl_node *x, const mcdl_conv3d_opts *o);

/** Conv2DTranspose(filters, kernel_size, strides, padding, output_padding=None,
 *  dilation_rate): kernel (kh, kw, F, Cin). Output 'same' n*s, 'valid' n*s + max(k - s, 0);
 *  with output_padding op: (n-1)s + k - 2*pad + op (pad = k//2 for 'same'). */
typedef struct {
    int64_t filters;
    int64_t kernel_size[2];
    int64_t strides[2];
    mcdl_padding_mode padding;
    bool has_output_padding;   /**< false: None */
    int64_t output_padding[2]; /**< each < stride */
    int64_t dilation_rate[2];
    mcdl_activation_id activation;
    float alpha;
    bool no_bias;
    mcdl_init kernel_initializer;
    mcdl_init bias_initializer;
    const char *name;
} mcdl_conv2d_transpose_opts;
mcdl_layer *mcdl_conv2d_transpose_layer(mcdl_graph *g, const mcdl_conv2d_transpose_opts *o);
mcdl_node *mcdl_conv2d_transpose(mcdl_graph *g, mcdl_node *x, const mcdl_conv2d_transpose_opts *o);

/** DepthwiseConv2D(kernel_size, strides, padding, depth_multiplier=1): kernel
 *  (kh, kw, C, M), bias (C*M), output channel c*M + m.
 *  SeparableConv2D(filters, ...): depthwise_kernel (kh, kw, C, M), pointwise_kernel
 *  (1, 1, C*M, F), bias (F); no depthwise bias. filters is ignored by DepthwiseConv2D. */
typedef struct {
    int64_t filters; /**< SeparableConv2D only */
    int64_t kernel_size[2];
    int64_t strides[2];
    mcdl_padding_mode padding;
    int64_t depth_multiplier; /**< 0: 1 */
    int64_t dilation_rate[2];
    mcdl_activation_id activation;
    float alpha;
    bool no_bias;
    mcdl_init depthwise_initializer; /**< default glorot_uniform */
    mcdl_init pointwise_initializer; /**< SeparableConv2D; default glorot_uniform */
    mcdl_init bias_initializer;
    const char *name;
} mcdl_depthwise_opts;
mcdl_layer *mcdl_depthwise_conv2d_layer(mcdl_graph *g, const mcdl_depthwise_opts *o);
mcdl_node *mcdl_depthwise_conv2d(mcdl_graph *g, mcdl_node *x, const mcdl_depthwise_opts *o);
mcdl_layer *mcdl_separable_conv2d_layer(mcdl_graph *g, const mcdl_depthwise_opts *o);
mcdl_node *mcdl_separable_conv2d(mcdl_graph *g, mcdl_node *x, const mcdl_depthwise_opts *o);

/** Max/AveragePooling1D/2D(pool_size=2, strides=None (= pool_size), padding='valid').
 *  Average 'same' divides by the count of real cells. The 1-D forms use index 0. */
typedef struct {
    int64_t pool_size[2]; /**< 0: 2 */
    int64_t strides[2];   /**< 0: pool_size */
    mcdl_padding_mode padding;
    const char *name;
} mcdl_pool_opts;
mcdl_node *mcdl_max_pooling1d(mcdl_graph *g, mcdl_node *x, const mcdl_pool_opts *o);
mcdl_node *mcdl_max_pooling2d(mcdl_graph *g, mcdl_node *x, const mcdl_pool_opts *o);
mcdl_node *mcdl_average_pooling1d(mcdl_graph *g, mcdl_node *x, const mcdl_pool_opts *o);
mcdl_node *mcdl_average_pooling2d(mcdl_graph *g, mcdl_node *x, const mcdl_pool_opts *o);

/** GlobalMaxPooling1D/2D, GlobalAveragePooling2D: (T, C) or (H, W, C) -> (C)
 *  (keepdims=False). GlobalAveragePooling1D, which takes a mask, is in attention.h. */
typedef struct {
    const char *name;
} mcdl_global_pool_opts;
mcdl_node *mcdl_global_max_pooling1d(mcdl_graph *g, mcdl_node *x, const mcdl_global_pool_opts *o);
mcdl_node *mcdl_global_max_pooling2d(mcdl_graph *g, mcdl_node *x, const mcdl_global_pool_opts *o);
mcdl_node *mcdl_global_average_pooling2d(mcdl_graph *g, mcdl_node *x,
                                         const mcdl_global_pool_opts *o);

/** BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True):
 *  weights gamma, beta (trainable), moving_mean, moving_variance (non-trainable), in
 *  Keras' order; params 4C. Training mode (batch statistics, moving update) only when
 *  training AND the layer is trainable; otherwise the moving statistics. */
typedef struct {
    float momentum; /**< 0: 0.99 */
    float epsilon;  /**< 0: 1e-3 */
    bool no_center; /**< center=False: no beta */
    bool no_scale;  /**< scale=False: no gamma */
    const char *name;
} mcdl_batch_norm_opts;
mcdl_layer *mcdl_batch_normalization_layer(mcdl_graph *g, const mcdl_batch_norm_opts *o);
mcdl_node *mcdl_batch_normalization(mcdl_graph *g, mcdl_node *x, const mcdl_batch_norm_opts *o);

/** UpSampling2D(size=(2, 2), interpolation='nearest'). */
typedef struct {
    int64_t size[2]; /**< 0: 2 */
    const char *name;
} mcdl_up_sampling2d_opts;
mcdl_node *mcdl_up_sampling2d(mcdl_graph *g, mcdl_node *x, const mcdl_up_sampling2d_opts *o);

/** ZeroPadding2D(padding=((top, bottom), (left, right))); all zero means Keras' 1. */
typedef struct {
    int64_t padding[4]; /**< top, bottom, left, right */
    const char *name;
} mcdl_zero_padding2d_opts;
mcdl_node *mcdl_zero_padding2d(mcdl_graph *g, mcdl_node *x, const mcdl_zero_padding2d_opts *o);

#ifdef __cplusplus
}
#endif

#endif
