/* The table of layer classes known by Keras class name: what mcdl_layer_from_config (the
 * Keras JSON loader) and mcdl_layer_class_known look up. Each family adds its classes
 * in its own block, so merges of different families touch different lines. */
#include <stddef.h>
#include <string.h>

#include "lib/model/attention_layers.h"
#include "lib/model/core_layers.h"
#include "lib/model/conv_layers.h"
#include "lib/model/layer.h"
#include "lib/model/rnn_layers.h"

static const mcdl_layer_class *const k_classes[] = {
    /* core family (lib/model/core_layers.h) */
    &mcdl_input_layer_class,
    &mcdl_dense_class,
    &mcdl_activation_class,
    &mcdl_leaky_relu_class,
    &mcdl_dropout_class,
    &mcdl_flatten_class,
    &mcdl_reshape_class,
    &mcdl_concatenate_class,
    &mcdl_add_class,

    /* conv family (lib/model/conv_layers.h) */
    &mcdl_conv1d_class,
    &mcdl_conv2d_class,
    &mcdl_conv3d_class,
    &mcdl_conv2d_transpose_class,
    &mcdl_depthwise_conv2d_class,
    &mcdl_separable_conv2d_class,
    &mcdl_max_pooling1d_class,
    &mcdl_max_pooling2d_class,
    &mcdl_average_pooling1d_class,
    &mcdl_average_pooling2d_class,
    &mcdl_global_max_pooling1d_class,
    &mcdl_global_max_pooling2d_class,
    &mcdl_global_average_pooling2d_class,
    &mcdl_up_sampling2d_class,
    &mcdl_zero_padding2d_class,

    /* rnn family (lib/model/rnn_layers.h) */
    &mcdl_simple_rnn_class,
    &mcdl_lstm_class,
    &mcdl_gru_class,
    &mcdl_bidirectional_class,
    &mcdl_time_distributed_class,

    /* attention / embedding family */
    &mcdl_embedding_class,
    &mcdl_not_equal_class,
    &mcdl_sine_position_encoding_class,
    &mcdl_position_embedding_class,
    &mcdl_mha_class,
    &mcdl_gap1d_class,

    /* normalisation family */
    &mcdl_batch_normalization_class,
    &mcdl_layer_norm_class,

    NULL,
};

const mcdl_layer_class *mcdl_layer_class_find(const char *class_name) {
    if (!class_name) return NULL;
    for (size_t i = 0; k_classes[i]; i++)
        if (!strcmp(k_classes[i]->class_name, class_name)) return k_classes[i];
    return NULL;
}

bool mcdl_layer_class_known(const char *class_name) {
    return mcdl_layer_class_find(class_name) != NULL;
}
