/* Models in files: architectures as Keras JSON (what model.to_json() writes, Keras 3 and
 * tf.keras 2 forms), weights as .npz keyed by Keras 3 variable paths, and whole models
 * (architecture + weights + optimizer state) as one .mcdl zip file.
 *
 *     mcdl_model *m;
 *     if (mcdl_model_load_json("ffnn.json", 42, &m) != MCDL_OK ||        // architecture
 *         mcdl_model_load_weights_npz(m, "ffnn_weights.npz") != MCDL_OK) {  // Keras' weights
 *         fprintf(stderr, "%s\n", mcdl_last_error());
 *         return 1;
 *     }
 *     ... fit ...
 *     mcdl_model_save(m, "ffnn.mcdl");                                    // everything
 *
 * A Keras user exports weights that load here as they are with
 *     np.savez("w.npz", **{v.path: v.numpy() for v in model.weights})
 * Needs a build with MCDL_WITH_FILES (cJSON, libzip). */
#ifndef MCDL_FILES_H
#define MCDL_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcdl/model.h"
#include "mcdl/npy.h"
#include "mcdl/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Keras JSON ----------------------------------------------------------------------- */

/** Builds a model from Keras JSON text: class_name "Sequential" or "Functional"/"Model",
 *  layers with class_name + config, inbound_nodes in the Keras 3 form ({"args": [...],
 *  "kwargs": {...}} with __keras_tensor__ entries) or the tf.keras 2 form
 *  ([[["name", node, tensor, {kwargs}], ...]]), input_layers/output_layers as one
 *  [name, node, tensor] or a list of them, InputLayer batch_shape or batch_input_shape.
 *  Keys the library does not need are ignored. seed initialises the weights. `what` names
 *  the source in error sentences.
 *  Errors: MCDL_ERR_FORMAT (not JSON, a missing or mistyped key, a reference to a layer
 *  that is not in the model, a node index that does not exist, a cycle in inbound_nodes),
 *  MCDL_ERR_UNSUPPORTED (a layer class this build lacks, named), MCDL_ERR_SHAPE (layers
 *  that do not fit together, both named). */
mcdl_status mcdl_model_from_json(const char *json, size_t len, const char *what, uint64_t seed,
                                 mcdl_model **out);
/** The same from a file. */
mcdl_status mcdl_model_load_json(const char *path, uint64_t seed, mcdl_model **out);
/** The model's architecture as Keras 3 JSON (model.to_json()), in a new malloc'ed string. */
mcdl_status mcdl_model_to_json(const mcdl_model *m, char **json);
/** Writes mcdl_model_to_json's text to path, atomically. */
mcdl_status mcdl_model_save_json(const mcdl_model *m, const char *path);

/* ---- weights as .npz ------------------------------------------------------------------ */

/** Sets every weight of the model from the archive, keyed by Keras 3 variable paths
 *  ("dense/kernel", "lstm/lstm_cell/kernel"; the path without the cell sublayer,
 *  "lstm/kernel", is accepted too, and so is a key with the model's name in front,
 *  "sequential/dense/kernel", as Keras 3 scopes layers built inside a model), in Keras'
 *  shapes. All keys are checked before any
 *  weight changes: a model weight missing from the archive, an archive key that names no
 *  weight, or a shape mismatch is MCDL_ERR_SHAPE (missing/extra: MCDL_ERR_ARG) naming the
 *  key and both shapes, and leaves the model unchanged. */
mcdl_status mcdl_model_set_weights_npz(mcdl_model *m, const mcdl_npz *z);
mcdl_status mcdl_model_load_weights_npz(mcdl_model *m, const char *path);
/** All weights in a new archive keyed by Keras 3 variable paths (model.weights order). */
mcdl_status mcdl_model_get_weights_npz(const mcdl_model *m, mcdl_npz **out);
/** Writes the weights as .npz (stored entries, as np.savez), atomically. */
mcdl_status mcdl_model_save_weights_npz(const mcdl_model *m, const char *path);

/* ---- whole models as .mcdl ------------------------------------------------------------ */

/** Saves the model as one zip: mcdl.json (format name and version), config.json (Keras
 *  JSON), weights/<path>.npy for every weight, and when compiled compile.json (optimizer,
 *  loss, metrics, iterations) and optimizer/<slot>/<path>.npy for every slot. Written to a
 *  temporary file and renamed: a crash never leaves a half file. */
mcdl_status mcdl_model_save(const mcdl_model *m, const char *path);
/** Loads a .mcdl file: the architecture, every weight (sizes and shapes verified against the
 *  architecture), and, when it was saved compiled, the compile options and optimizer state,
 *  so training continues where it stopped. predict after save -> load is bitwise identical.
 *  Errors: MCDL_ERR_IO, MCDL_ERR_FORMAT naming the file and the entry (bad zip or CRC, a
 *  missing or extra entry, a shape that differs from the architecture's, a format version
 *  newer than this library reads). */
mcdl_status mcdl_model_load(const char *path, mcdl_model **out);

/** Opens a model from either kind of file, chosen by content (a zip is .mcdl, otherwise
 *  Keras JSON; seed initialises the weights of a JSON architecture). */
mcdl_status mcdl_model_open(const char *path, uint64_t seed, mcdl_model **out);

/* ---- checkpoints ------------------------------------------------------------------------ */

/** Checkpoints during fit: set fit opts on_epoch_end = mcdl_checkpoint_epoch and
 *  user = &opts. After every `every` epochs and after the last epoch (epochs), the model
 *  (weights, optimizer slots and iterations) is written to DIR/ckpt-EEEEEE.mcdl, EEEEEE the
 *  number of epochs done, atomically (temp file, fsync, rename, fsync of DIR): a crash or
 *  kill leaves the previous checkpoint intact. Then only the newest `keep` are kept. */
typedef struct {
    const char *dir; /**< created when missing (one level) */
    int every;       /**< 0 means 1 */
    int keep;        /**< 0 keeps all */
    int epochs;      /**< the fit's epochs: the last one is always saved */
} mcdl_checkpoint_opts;

/** An mcdl_fit_opts.on_epoch_end callback; user is a const mcdl_checkpoint_opts *. */
mcdl_status mcdl_checkpoint_epoch(mcdl_model *m, int epoch, const double *results, int n_results,
                                  void *user);
/** Writes DIR/ckpt-EEEEEE.mcdl for `epochs_done` epochs and prunes to the newest keep. */
mcdl_status mcdl_checkpoint_save(const mcdl_model *m, const char *dir, int epochs_done, int keep);
/** Loads the newest checkpoint in dir that loads cleanly (a damaged newer one is skipped
 *  with a note on stderr); *epochs_done receives its epoch count. MCDL_ERR_IO naming dir
 *  when there is none. The model is compiled with its saved optimizer state, ready for
 *  fit with initial_epoch = *epochs_done. */
mcdl_status mcdl_checkpoint_load_latest(const char *dir, mcdl_model **out, int *epochs_done);

#ifdef __cplusplus
}
#endif
#endif
