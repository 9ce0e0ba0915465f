/* Attention and text layers: Embedding, MultiHeadAttention, LayerNormalization,
 * GlobalAveragePooling1D, positional encodings (sinusoidal, learned), a TransformerEncoder
 * block, and the attention core on tensors. The seeds' transformer:
 *
 *     mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {100}});   // token ids
 *     mcdl_node *h = mcdl_embedding(g, x, &(mcdl_embedding_opts){.input_dim = 10000,
 *                                                                 .output_dim = 128});
 *     h = mcdl_multi_head_attention(g, h, NULL, NULL, NULL,               // self-attention
 *                                   &(mcdl_mha_opts){.num_heads = 8, .key_dim = 64});
 *     h = mcdl_layer_normalization(g, h, NULL);
 *     h = mcdl_global_average_pooling1d(g, h, NULL, NULL);
 *     mcdl_node *y = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 1, .activation = MCDL_SIGMOID});
 *
 * Masks: Embedding(mask_zero=True) gives its output Keras' implicit mask (id != 0,
 * mcdl_node_keras_mask), which the masking layers pass on and MultiHeadAttention
 * (q_mask[:, :, None] & v_mask[:, None, :]), GlobalAveragePooling1D (masked mean) and the
 * RNNs consume without an explicit input. Explicit masks work too: MultiHeadAttention
 * takes an attention_mask node (T, S) per sample and GlobalAveragePooling1D a mask node
 * (T); nonzero = keep. mcdl_embedding_mask() makes the (T) mask as a node. */
#ifndef MCDL_ATTENTION_H
#define MCDL_ATTENTION_H

#include <stdbool.h>
#include <stdint.h>

#include "mcdl/graph.h"
#include "mcdl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Embedding(input_dim, output_dim): (T) token ids -> (T, output_dim). Ids are float
 *  values truncated toward zero (Keras casts to int); an id < 0, >= input_dim or not
 *  finite is MCDL_ERR_ARG naming the first bad index. embeddings (input_dim, output_dim)
 *  uniform(-0.05, 0.05). Backward adds dy rows into the used rows only. */
typedef struct {
    int64_t input_dim;  /**< required, > 0 */
    int64_t output_dim; /**< required, > 0 */
    bool mask_zero;     /**< the output carries the mask id != 0 (mcdl_node_keras_mask) */
    mcdl_init embeddings_initializer; /**< default random_uniform(-0.05, 0.05) */
    const char *name;
} mcdl_embedding_opts;
mcdl_layer *mcdl_embedding_layer(mcdl_graph *g, const mcdl_embedding_opts *o);
mcdl_node *mcdl_embedding(mcdl_graph *g, mcdl_node *ids, const mcdl_embedding_opts *o);
/** (T) ids -> (T) mask, 1 where id != 0 (Keras' Embedding(mask_zero=True) mask). Class
 *  "NotEqual" in summaries; no weights. */
mcdl_node *mcdl_embedding_mask(mcdl_graph *g, mcdl_node *ids, const char *name);

/** MultiHeadAttention(num_heads, key_dim): called with (query, value[, key]); key
 *  defaults to value, and a call with only a query is self-attention (a documented
 *  deviation: Keras requires value). Weights as Keras: query/kernel (Dq, H, k),
 *  query/bias (H, k), key/..., value/kernel (Dv, H, v), value/bias (H, v),
 *  attention_output/kernel (H, v, Dout), attention_output/bias (Dout). Logits are
 *  scaled by 1/sqrt(key_dim); the attention mask (T, S) per sample is true where
 *  attention is allowed, a fully masked query row gives zero attention output. */
typedef struct {
    int64_t num_heads;            /**< required, > 0 */
    int64_t key_dim;              /**< required, > 0 */
    int64_t value_dim;            /**< 0: key_dim */
    int64_t output_shape;         /**< 0: the query's last dimension */
    bool no_bias;                 /**< Keras use_bias=False */
    float dropout;                /**< probability dropout; only 0 is supported in training */
    bool use_causal_mask;         /**< query t attends keys s <= t */
    mcdl_init kernel_initializer; /**< default glorot_uniform */
    mcdl_init bias_initializer;   /**< default zeros */
    const char *name;
} mcdl_mha_opts;
mcdl_layer *mcdl_multi_head_attention_layer(mcdl_graph *g, const mcdl_mha_opts *o);
/** value, key and attention_mask may be NULL. Inputs of the call, in order: query,
 *  value, key, mask (the ones given). */
mcdl_node *mcdl_multi_head_attention(mcdl_graph *g, mcdl_node *query, mcdl_node *value,
                                     mcdl_node *key, mcdl_node *attention_mask,
                                     const mcdl_mha_opts *o);

/** LayerNormalization(axis=-1, epsilon=1e-3, center, scale): gamma (D) ones, beta (D)
 *  zeros; biased variance. */
typedef struct {
    float epsilon;  /**< 0: 1e-3 */
    bool no_center; /**< Keras center=False (no beta) */
    bool no_scale;  /**< Keras scale=False (no gamma) */
    const char *name;
} mcdl_layer_norm_opts;
mcdl_layer *mcdl_layer_normalization_layer(mcdl_graph *g, const mcdl_layer_norm_opts *o);
mcdl_node *mcdl_layer_normalization(mcdl_graph *g, mcdl_node *x, const mcdl_layer_norm_opts *o);

/** GlobalAveragePooling1D: (T, D) -> (D), the mean over T; with a mask (T) the mean over
 *  the kept steps (a sample with none kept gives 0; Keras gives NaN). */
typedef struct {
    const char *name;
} mcdl_gap1d_opts;
mcdl_layer *mcdl_global_average_pooling1d_layer(mcdl_graph *g, const mcdl_gap1d_opts *o);
mcdl_node *mcdl_global_average_pooling1d(mcdl_graph *g, mcdl_node *x, mcdl_node *mask,
                                         const mcdl_gap1d_opts *o);

/** Positional encodings of a (T, D) input, returned alone (add them with mcdl_add), as
 *  keras_hub does. learned = false: SinePositionEncoding(max_wavelength=10000),
 *  pe[t, 2i] = sin(t / w^(2i/D)), pe[t, 2i+1] = cos(...). learned = true:
 *  PositionEmbedding(sequence_length), weight embeddings (sequence_length, D)
 *  glorot_uniform, the first T rows. */
typedef struct {
    bool learned;
    int64_t sequence_length; /**< learned: required, >= T */
    float max_wavelength;    /**< sinusoidal: 0 means 10000 */
    const char *name;
} mcdl_positional_encoding_opts;
mcdl_layer *mcdl_positional_encoding_layer(mcdl_graph *g, const mcdl_positional_encoding_opts *o);
mcdl_node *mcdl_positional_encoding(mcdl_graph *g, mcdl_node *x,
                                    const mcdl_positional_encoding_opts *o);

/** A post-norm Transformer encoder block built from the layers above (keras_hub's
 *  TransformerEncoder with normalize_first=False): h = LayerNorm(x + MHA(x, x)),
 *  y = LayerNorm(h + Dense(D)(Dense(intermediate_dim, relu)(h))). Key dim = D / num_heads
 *  when key_dim is 0. Returns y, NULL on failure (error in the graph). */
typedef struct {
    int64_t intermediate_dim; /**< required, > 0 */
    int64_t num_heads;        /**< required, > 0 */
    int64_t key_dim;          /**< 0: D / num_heads */
    float layer_norm_epsilon; /**< 0: 1e-5 (keras_hub's default) */
    bool use_causal_mask;
    const char *name; /**< prefix of the sublayer names; NULL: automatic names */
} mcdl_transformer_encoder_opts;
mcdl_node *mcdl_transformer_encoder(mcdl_graph *g, mcdl_node *x, mcdl_node *attention_mask,
                                    const mcdl_transformer_encoder_opts *o);

/** The attention core on tensors: q (B, T, H, dk), k (B, S, H, dk), v (B, S, H, dv) ->
 *  out (B, T, H, dv), softmax(q·kᵀ/sqrt(dk)) v per head, with an optional mask (B, T, S)
 *  (nonzero = allowed) and causal option. All contiguous. Shapes that do not fit (batch,
 *  heads, key_dim, sequence lengths, mask) are MCDL_ERR_SHAPE naming both shapes. */
mcdl_status mcdl_attention(const mcdl_tensor *q, const mcdl_tensor *k, const mcdl_tensor *v,
                           const mcdl_tensor *mask, bool causal, mcdl_tensor *out);

#ifdef __cplusplus
}
#endif
#endif
