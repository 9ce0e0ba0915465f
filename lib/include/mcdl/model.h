/* Models: a view of a graph from input nodes to output nodes (functional), or a Sequential
 * builder; compile (optimizer, loss, metrics) -> fit / evaluate / predict /
 * train_on_batch; summary; weights by Keras variable path; optimizer state.
 *
 * Data: every array is an mcdl_tensor whose axis 0 is the sample axis. Inputs and targets
 * are float32; integer class ids (sparse_categorical_crossentropy) are stored as exact
 * floats, shape (N) or (N, 1). */
#ifndef MCDL_MODEL_H
#define MCDL_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mcdl/graph.h"
#include "mcdl/layers.h"
#include "mcdl/status.h"
#include "mcdl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mcdl_model mcdl_model;
typedef struct mcdl_history mcdl_history;

/* ---- construction --------------------------------------------------------------------- */

/** keras.Model(inputs, outputs, name). Every output must depend only on the given inputs
 *  (else MCDL_ERR_ARG naming the unreachable input layer); a graph holding a builder error
 *  returns that error. The model keeps a reference to the graph (mcdl_graph_destroy may be
 *  called right after). name NULL gives "functional". */
mcdl_status mcdl_model_create(mcdl_model **out, mcdl_graph *g, int n_in, mcdl_node *const *inputs,
                              int n_out, mcdl_node *const *outputs, const char *name);
/** keras.Sequential([Input(shape), ...]): a new graph with one input; add layers with
 *  mcdl_sequential_add. name NULL gives "sequential". */
mcdl_status mcdl_sequential_create(mcdl_model **out, uint64_t seed, const mcdl_input_opts *input,
                                   const char *name);
/** Calls l on the model's current output and makes the result the new output. l must have
 *  been made on mcdl_model_graph(m). Not allowed after compile (MCDL_ERR_STATE). */
mcdl_status mcdl_sequential_add(mcdl_model *m, mcdl_layer *l);
void mcdl_model_destroy(mcdl_model *m);

mcdl_graph *mcdl_model_graph(const mcdl_model *m);
const char *mcdl_model_name(const mcdl_model *m);
/** The seed of the model's graph (weight initialisation, Dropout streams); saved in .mcdl. */
uint64_t mcdl_model_graph_seed(const mcdl_model *m);
bool mcdl_model_is_sequential(const mcdl_model *m);
int mcdl_model_num_inputs(const mcdl_model *m);
int mcdl_model_num_outputs(const mcdl_model *m);
mcdl_node *mcdl_model_input(const mcdl_model *m, int i);
mcdl_node *mcdl_model_output(const mcdl_model *m, int i);
/** Layers the model uses, in Keras' order (topological, input layers first). */
int mcdl_model_num_layers(const mcdl_model *m);
mcdl_layer *mcdl_model_layer(const mcdl_model *m, int i);

/* ---- weights -------------------------------------------------------------------------- */

/** The model's weights in Keras' model.weights order (layer by layer, each layer's
 *  variables in creation order), keyed by Keras 3 variable paths ("dense/kernel"). */
int mcdl_model_num_weights(const mcdl_model *m);
mcdl_status mcdl_model_weight(const mcdl_model *m, int i, mcdl_weight_info *info);
/** Finds a weight by path; also accepts the path without a recurrent cell sublayer
 *  ("lstm/kernel" for "lstm/lstm_cell/kernel"). Not found: MCDL_ERR_ARG naming it.
 *  *index (may be NULL) receives its position in mcdl_model_weight order. */
mcdl_status mcdl_model_find_weight(const mcdl_model *m, const char *path, int *index,
                                   mcdl_weight_info *info);
/** Tells the model that weight values were written through a view (it refreshes any
 *  pre-packed copies). */
void mcdl_model_weights_changed(mcdl_model *m);
/** Total, trainable and non-trainable parameter counts (any pointer may be NULL). */
void mcdl_model_count_params(const mcdl_model *m, int64_t *total, int64_t *trainable,
                             int64_t *non_trainable);

/* ---- compile -------------------------------------------------------------------------- */

typedef enum {
    MCDL_OPTIMIZER_ADAM = 0, /**< the seeds' choice, Keras default settings */
    MCDL_OPTIMIZER_SGD,
    MCDL_OPTIMIZER_RMSPROP,
} mcdl_optimizer_kind;

/** Optimizer settings; 0 = Keras' default for that optimizer (MCDL_ZERO for a real 0).
 *  Adam: learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7.
 *  SGD: learning_rate 0.01, momentum 0, nesterov false.
 *  RMSprop: learning_rate 0.001, rho 0.9, momentum 0, epsilon 1e-7.
 *  Update rules: KERAS_SEMANTICS.md "Optimizers" (Keras 3, state starts at zero). */
typedef struct {
    mcdl_optimizer_kind kind;
    float learning_rate;
    float beta_1, beta_2;
    float epsilon;
    float rho;
    float momentum;
    bool nesterov;
} mcdl_optimizer_opts;

typedef enum {
    MCDL_LOSS_NONE = 0, /**< no default: compile without a loss is MCDL_ERR_ARG */
    MCDL_LOSS_BINARY_CROSSENTROPY,
    MCDL_LOSS_CATEGORICAL_CROSSENTROPY,
    MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
    MCDL_LOSS_MSE,
    MCDL_LOSS_MAE,
    MCDL_LOSS_COUNT
} mcdl_loss;

/** Metric flags (OR them). Names in history/evaluate: "accuracy", "mse", "mae". accuracy
 *  resolves as Keras does: binary (threshold 0.5) when the output's last dim is 1, sparse
 *  categorical with sparse_categorical_crossentropy, categorical otherwise. */
enum { MCDL_METRIC_ACCURACY = 1u << 0, MCDL_METRIC_MSE = 1u << 1, MCDL_METRIC_MAE = 1u << 2 };

typedef struct {
    mcdl_optimizer_opts optimizer;
    mcdl_loss loss;   /**< required */
    bool from_logits; /**< crossentropies only, as Keras */
    unsigned metrics; /**< MCDL_METRIC_* flags */
} mcdl_compile_opts;

/** "binary_crossentropy", ... (Keras' names); parse accepts them and "mean_squared_error",
 *  "mean_absolute_error". Unknown: MCDL_ERR_UNSUPPORTED naming it. */
const char *mcdl_loss_name(mcdl_loss l);
mcdl_status mcdl_loss_from_name(const char *name, mcdl_loss *out);
mcdl_status mcdl_optimizer_from_name(const char *name, mcdl_optimizer_kind *out);
const char *mcdl_optimizer_name(mcdl_optimizer_kind k);

/** Prepares training: fixes the loss (applied to every output, summed), the metrics and
 *  the set of trainable weights (frozen layers now stay frozen for this model), and
 *  creates the optimizer state (zeros, iterations 0). Compiling again resets the state. */
mcdl_status mcdl_model_compile(mcdl_model *m, const mcdl_compile_opts *o);
bool mcdl_model_is_compiled(const mcdl_model *m);
/** The options given to compile, defaults resolved (MCDL_ERR_STATE before compile). */
mcdl_status mcdl_model_compile_opts(const mcdl_model *m, mcdl_compile_opts *out);

/* ---- training and inference ----------------------------------------------------------- */

typedef struct {
    int epochs;             /**< 0 means 1 */
    int64_t batch_size;     /**< 0 means 32; the last partial batch is kept */
    float validation_split; /**< the LAST fraction of the samples, taken before shuffling */
    /** Validation data (overrides validation_split): one tensor per input / output. */
    const mcdl_tensor *const *validation_x;
    const mcdl_tensor *const *validation_y;
    bool no_shuffle; /**< Keras shuffle=False (a new permutation each epoch otherwise) */
    uint64_t seed;   /**< shuffling seed; Dropout uses the graph's seed */
    int verbose;     /**< 0 silent; 1 Keras' progress bar on a terminal, else one line
                          per epoch; 2 one line per epoch. Written to stdout. */
    /** false (default): a NaN/Inf loss or gradient stops fit with MCDL_ERR_NUMERIC naming
     *  the layer, weight, epoch and batch, before the bad step touches the weights.
     *  true: train on regardless (Keras' behaviour without TerminateOnNaN). */
    bool continue_on_nonfinite;
    /** Epochs already done (Keras initial_epoch): training runs epochs initial_epoch ..
     *  epochs-1, and the shuffles of the skipped epochs are replayed so a resumed run sees
     *  the same batches as an uninterrupted one. History holds the epochs run. */
    int initial_epoch;
    /** Called after each epoch (0-based epoch, that epoch's results as history records
     *  them: loss, metrics, then val_ values when there is validation data). A non-OK
     *  return stops fit with that status. Used for checkpoints (mcdl_checkpoint_epoch). */
    mcdl_status (*on_epoch_end)(mcdl_model *m, int epoch, const double *results, int n_results,
                                void *user);
    void *user;
    /** Cap on the planned activation arena in bytes (0: MCDL_MAX_MEMORY from the
     *  environment, else mcdl_set_max_memory, else none). */
    int64_t max_memory;
} mcdl_fit_opts;

/** Keras fit. x: one tensor per model input, y: one per output, equal sample counts.
 *  *history (may be NULL) receives "loss", each metric, and "val_loss", "val_<metric>"
 *  when there is validation data, one value per epoch. Errors: before compile
 *  MCDL_ERR_STATE; wrong tensor count or per-sample shape MCDL_ERR_SHAPE naming the input
 *  and both shapes; differing sample counts or no samples MCDL_ERR_ARG; a NaN or Inf in x
 *  or y MCDL_ERR_NUMERIC naming the tensor and the first bad index; labels that do not fit
 *  the loss (a class id out of range, a target shape unlike the output) MCDL_ERR_SHAPE or
 *  MCDL_ERR_ARG naming them. */
mcdl_status mcdl_model_fit(mcdl_model *m, int n_x, const mcdl_tensor *const *x, int n_y,
                           const mcdl_tensor *const *y, const mcdl_fit_opts *o,
                           mcdl_history **history);

typedef struct {
    int64_t batch_size; /**< 0 means 32 */
    int verbose;        /**< 0 silent, 1 or 2: one line with the results */
} mcdl_eval_opts;

/** Number of values evaluate and train_on_batch report: the loss, then each metric. */
int mcdl_model_num_results(const mcdl_model *m);
/** "loss", then "accuracy", "mse", "mae" in that order for the compiled flags. */
const char *mcdl_model_result_name(const mcdl_model *m, int i);

/** Keras evaluate: results[0] the mean loss, then the metrics (n_results >= the number of
 *  results, see mcdl_model_num_results). Same data errors as fit. */
mcdl_status mcdl_model_evaluate(mcdl_model *m, int n_x, const mcdl_tensor *const *x, int n_y,
                                const mcdl_tensor *const *y, const mcdl_eval_opts *o,
                                double *results, int n_results);
/** One optimizer step on the given batch; results as evaluate, computed before the update. */
mcdl_status mcdl_model_train_on_batch(mcdl_model *m, int n_x, const mcdl_tensor *const *x, int n_y,
                                      const mcdl_tensor *const *y, double *results, int n_results);

typedef struct {
    int64_t batch_size; /**< 0 means 32 */
} mcdl_predict_opts;

/** Keras predict (inference mode, batched): out[i] receives a new tensor (N, output i's
 *  shape...) that the caller destroys. Needs no compile. */
mcdl_status mcdl_model_predict(mcdl_model *m, int n_x, const mcdl_tensor *const *x,
                               const mcdl_predict_opts *o, int n_out, mcdl_tensor **out);

/* ---- history -------------------------------------------------------------------------- */

int mcdl_history_num_epochs(const mcdl_history *h);
int mcdl_history_num_keys(const mcdl_history *h);
/** "loss", "accuracy", ..., "val_loss", "val_accuracy", ... */
const char *mcdl_history_key(const mcdl_history *h, int i);
/** The per-epoch values of a key (num_epochs entries), or NULL when absent. */
const double *mcdl_history_values(const mcdl_history *h, const char *key);
void mcdl_history_destroy(mcdl_history *h);

/* ---- summary -------------------------------------------------------------------------- */

/** Keras' model.summary() table: Layer (type), Output Shape, Param #, and Connected to for
 *  functional models; then "Total params: 3,457 (13.50 KB)", "Trainable params: ...",
 *  "Non-trainable params: ..." (bytes at 4 per float32 parameter). */
mcdl_status mcdl_model_summary(const mcdl_model *m, FILE *f);

/* ---- optimizer state (for save/load) -------------------------------------------------- */

/** Steps taken so far (Keras optimizer.iterations). MCDL_ERR_STATE before compile. */
mcdl_status mcdl_model_optimizer_iterations(const mcdl_model *m, int64_t *iterations);
mcdl_status mcdl_model_set_optimizer_iterations(mcdl_model *m, int64_t iterations);
/** Slots per trainable weight: Adam 2 ("m", "v"); SGD 1 ("momentum") with momentum, else 0;
 *  RMSprop 1 ("velocity"), 2 with momentum ("velocity", "momentum"). */
int mcdl_model_optimizer_num_slots(const mcdl_model *m);
const char *mcdl_model_optimizer_slot_name(const mcdl_model *m, int slot);
/** Live view of one slot of weight i (mcdl_model_weight order; the weight's shape).
 *  A weight that is not trained by this model has no slots: MCDL_ERR_ARG. */
mcdl_status mcdl_model_optimizer_slot(const mcdl_model *m, int weight, int slot,
                                      mcdl_tensor **view);

#ifdef __cplusplus
}
#endif
#endif
