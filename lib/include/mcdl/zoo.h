/* The seed architectures (shared/SEED_MODELS.md) as ready-built models: one builder per
 * name used by `mcdl bench`, experiments/ and tests, with the speed anchor's sample
 * counts and batch sizes (shared/anchors/torch_seed_models.py) and seeded synthetic data
 * of the right shapes.
 *
 *     mcdl_model *m; mcdl_seed_model_info info;
 *     MCDL_TRY(mcdl_seed_model_build("lstm", 42, &m, &info));
 *     mcdl_model_compile(m, &(mcdl_compile_opts){.loss = info.loss});
 */
#ifndef MCDL_ZOO_H
#define MCDL_ZOO_H

#include <stdint.h>

#include "mcdl/model.h"
#include "mcdl/status.h"
#include "mcdl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What the anchor trains a seed model with. */
typedef struct {
    const char *name;
    int64_t n_samples;   /**< samples per epoch in the anchor (1000, 2048, ...) */
    int64_t batch_size;  /**< the anchor's batch size */
    mcdl_loss loss;      /**< Keras' loss for the architecture */
    int64_t num_classes; /**< sparse class targets: classes; 1: 0/1 targets; 0: target = input */
    int64_t vocab;       /**< > 0: the input holds token ids in [0, vocab) */
    int64_t params;      /**< Keras' total parameter count (SEED_MODELS.md) */
} mcdl_seed_model_info;

/** Number of seed models and their names, in the anchor's order (ffnn, simplernn, lstm,
 *  gru, birnn, nested_rnn, cnn, multimodal, mnist_cnn, autoencoder, imdb_lstm,
 *  transformer, resnet). */
int mcdl_seed_model_count(void);
const char *mcdl_seed_model_name(int i);

/** Builds the named architecture (Keras' layers, activations and default initialisers;
 *  weights drawn from seed), not compiled. info (may be NULL) receives the anchor's
 *  settings. An unknown name is MCDL_ERR_ARG listing the known ones. */
mcdl_status mcdl_seed_model_build(const char *name, uint64_t seed, mcdl_model **out,
                                  mcdl_seed_model_info *info);

/** The same with the speed anchor's shapes where they differ from the Keras seed: only the
 *  transformer, whose anchor layer nn.MultiheadAttention(128, 8) has 128 / 8 = 16 per head
 *  (the Keras seed: key_dim 64, 4x the projection and attention work), so the anchor's
 *  variant has MultiHeadAttention(num_heads 8, key_dim 16) and
 *  MCDL_SEED_TRANSFORMER_ANCHOR_PARAMS parameters. `mcdl bench` builds these, so both
 *  sides of tools/seeds-compare do the same work. */
mcdl_status mcdl_seed_model_build_anchor(const char *name, uint64_t seed, mcdl_model **out,
                                         mcdl_seed_model_info *info);
#define MCDL_SEED_TRANSFORMER_ANCHOR_PARAMS 1346433

/** Synthetic data for a built seed model: x[i] (n, input i's shape) uniform in [0, 1)
 *  (token ids uniform in [0, vocab)), y (n, 1) class ids or 0/1 values, or a copy of
 *  x[0] for an autoencoder. x must have room for mcdl_model_num_inputs(m) tensors; the
 *  caller destroys them. */
mcdl_status mcdl_seed_model_synthetic_data(const mcdl_model *m, const mcdl_seed_model_info *info,
                                           int64_t n, uint64_t seed, mcdl_tensor **x,
                                           mcdl_tensor **y);

#ifdef __cplusplus
}
#endif
#endif
