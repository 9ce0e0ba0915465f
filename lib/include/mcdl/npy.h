/* NumPy .npy arrays and .npz archives of named arrays, read and written as mcdl tensors.
 *
 *     mcdl_tensor *x;
 *     if (mcdl_npy_load("x_train.npy", &x) != MCDL_OK) {    // np.save(...) output
 *         fprintf(stderr, "%s\n", mcdl_last_error());       // names the file and the damage
 *         return 1;
 *     }
 *     mcdl_npz *w;                                          // np.savez / savez_compressed
 *     if (mcdl_npz_load("weights.npz", &w) == MCDL_OK) {
 *         const mcdl_tensor *k;
 *         if (mcdl_npz_find(w, "dense/kernel", &k) == MCDL_OK) { ... }
 *         mcdl_npz_destroy(w);
 *     }
 *
 * Reading accepts format versions 1.0, 2.0 and 3.0, C order only, and the dtypes float32
 * and float64 (converted to float32), int8/16/32/64, uint8/16/32/64 and bool (converted
 * to float; an integer whose magnitude exceeds 2^24 cannot be a float exactly and is an
 * error naming its index). Fortran-ordered, object, string and structured arrays are
 * rejected with MCDL_ERR_FORMAT / MCDL_ERR_UNSUPPORTED and a sentence naming the file.
 * Every read is checked: magic, header length, header syntax, the shape's byte count
 * against the bytes present (with overflow checks), zip CRCs.
 *
 * Writing produces float32 ('<f4') version 1.0 files, as np.save does for a float32 array.
 * Files are written to a temporary file in the same directory, flushed to disk (fsync) and
 * renamed over the target, so a crash never leaves a half-written file.
 *
 * The .npz functions need a build with MCDL_WITH_FILES (libzip); .npy is always there. */
#ifndef MCDL_NPY_H
#define MCDL_NPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcdl/status.h"
#include "mcdl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Reads an .npy file into a new tensor (*out; free with mcdl_tensor_destroy).
 *  Errors: MCDL_ERR_IO (cannot open/read), MCDL_ERR_FORMAT (bad magic, truncated, bad header,
 *  Fortran order, object dtype, size mismatch), MCDL_ERR_UNSUPPORTED (rank > 6, a dtype
 *  mcdl cannot hold). */
mcdl_status mcdl_npy_load(const char *path, mcdl_tensor **out);
/** Writes t (any strides) as a float32 .npy file, atomically. */
mcdl_status mcdl_npy_save(const char *path, const mcdl_tensor *t);
/** Parses an .npy image held in memory; `what` names it in error sentences (e.g.
 *  "w.npz:dense/kernel.npy"). */
mcdl_status mcdl_npy_load_mem(const void *buf, size_t n, const char *what, mcdl_tensor **out);
/** Serialises t as an .npy image into a new malloc'ed buffer (*buf, free with free()). */
mcdl_status mcdl_npy_save_mem(const mcdl_tensor *t, void **buf, size_t *n);

/** An ordered collection of named tensors: the contents of an .npz archive. */
typedef struct mcdl_npz mcdl_npz;

/** Reads an .npz archive (np.savez stored entries or np.savez_compressed deflate entries).
 *  Entry "name.npy" becomes key "name" (keys may contain '/', as Keras variable paths do).
 *  Errors: MCDL_ERR_IO, MCDL_ERR_FORMAT (not a zip, CRC mismatch, entry not an .npy, a bad
 *  .npy entry — the sentence names archive and entry). */
mcdl_status mcdl_npz_load(const char *path, mcdl_npz **out);
/** Same, from an archive image in memory; `what` names it in error sentences. */
mcdl_status mcdl_npz_load_mem(const void *buf, size_t n, const char *what, mcdl_npz **out);
/** Number of arrays. */
int64_t mcdl_npz_count(const mcdl_npz *z);
/** Key of the i-th array (archive order), NULL when i is out of range. */
const char *mcdl_npz_name(const mcdl_npz *z, int64_t i);
/** The array stored under name, or NULL; owned by the archive. */
const mcdl_tensor *mcdl_npz_get(const mcdl_npz *z, const char *name);
/** Like mcdl_npz_get, but a missing key is MCDL_ERR_ARG with a sentence naming it. */
mcdl_status mcdl_npz_find(const mcdl_npz *z, const char *name, const mcdl_tensor **out);
/** A new empty archive, to fill with mcdl_npz_add and write with mcdl_npz_save. */
mcdl_status mcdl_npz_create(mcdl_npz **out);
/** Adds a copy of t under name (replacing an existing entry of that name). */
mcdl_status mcdl_npz_add(mcdl_npz *z, const char *name, const mcdl_tensor *t);
/** Writes the archive atomically; compressed selects deflate (np.savez_compressed) over
 *  stored entries (np.savez). */
mcdl_status mcdl_npz_save(const mcdl_npz *z, const char *path, bool compressed);
/** Frees the archive and its tensors. NULL is allowed. */
void mcdl_npz_destroy(mcdl_npz *z);

#ifdef __cplusplus
}
#endif
#endif
