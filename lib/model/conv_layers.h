/* Internal: the convolution-family layer classes (registered in registry.c) and helpers
 * shared by their files (lib/model/conv*.c, pooling.c, batchnorm.c, resize.c). */
#ifndef MCDL_LIB_MODEL_CONV_LAYERS_H
#define MCDL_LIB_MODEL_CONV_LAYERS_H

#include "kernels/conv/conv.h"
#include "lib/model/core_layers.h"
#include "mcdl/conv.h"

extern const mcdl_layer_class mcdl_conv1d_class;
extern const mcdl_layer_class mcdl_conv2d_class;
extern const mcdl_layer_class mcdl_conv3d_class;
extern const mcdl_layer_class mcdl_conv2d_transpose_class;
extern const mcdl_layer_class mcdl_depthwise_conv2d_class;
extern const mcdl_layer_class mcdl_separable_conv2d_class;
extern const mcdl_layer_class mcdl_max_pooling1d_class;
extern const mcdl_layer_class mcdl_max_pooling2d_class;
extern const mcdl_layer_class mcdl_average_pooling1d_class;
extern const mcdl_layer_class mcdl_average_pooling2d_class;
extern const mcdl_layer_class mcdl_global_max_pooling1d_class;
extern const mcdl_layer_class mcdl_global_max_pooling2d_class;
extern const mcdl_layer_class mcdl_global_average_pooling2d_class;
extern const mcdl_layer_class mcdl_batch_normalization_class;
extern const mcdl_layer_class mcdl_up_sampling2d_class;
extern const mcdl_layer_class mcdl_zero_padding2d_class;

/* Keras padding string -> mode; MCDL_ERR_ARG naming the layer for anything else (causal
 * only where allow_causal). */
mcdl_status mcdl_conv_padding_parse(const mcdl_layer *l, const char *s, bool allow_causal,
                                    mcdl_padding_mode *out);
const char *mcdl_conv_padding_name(mcdl_padding_mode p);
/* Reads "padding" (and rejects data_format channels_first) from a Keras config. */
mcdl_status mcdl_conv_cfg_common(mcdl_layer *l, const mcdl_config *c, bool allow_causal,
                                 mcdl_padding_mode *pad);
/* Reads an int pair key (a number or a list of 1..2); leaves out unchanged when absent. */
mcdl_status mcdl_conv_cfg_pair(mcdl_layer *l, const mcdl_config *c, const char *key,
                               int64_t out[2]);
/* Team size the layer's kernel workspaces are planned for, and the one to run with now
 * (never more than planned, so a later mcdl_set_num_threads cannot overrun scratch). */
int mcdl_conv_plan_threads(void);
int mcdl_conv_run_threads(void);
/* Run thread count for `work` units (multiply-adds, window reads) with at least
 * min_per_thread of them per thread: a team costs a fork and a barrier (a few µs; a
 * scheduler quantum when the partner thread is descheduled), more than the small
 * forwards of batch-1 inference take on one thread. */
int mcdl_conv_threads_for_work(double work, double min_per_thread);
/* Multiply-adds per thread below which a convolution forward runs on fewer threads. */
#define MCDL_CONV_FWD_MIN_MACS_PER_THREAD 131072.0
/* Window reads per thread below which a pooling forward runs on fewer threads. */
#define MCDL_POOL_FWD_MIN_READS_PER_THREAD 65536.0

#endif
