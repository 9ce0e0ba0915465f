/* mcdl_tensor: a float32 array of rank <= 6 with shape and strides, 64-byte aligned. */
#ifndef MCDL_TENSOR_H
#define MCDL_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcdl/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MCDL_MAX_RANK 6

/** Opaque tensor handle. Elements are float32 (integer labels and token ids are stored
 *  as exact floats; ids up to 2^24 are exact). Strides are in elements, row-major by
 *  default. */
typedef struct mcdl_tensor mcdl_tensor;

/** New zero-filled contiguous tensor. rank 0 is a scalar (one element).
 *  Errors: rank outside [0, 6], a negative dimension, or an element count that overflows. */
mcdl_status mcdl_tensor_create(mcdl_tensor **out, int rank, const int64_t *shape);
/** A tensor that views caller-owned memory (not freed by destroy). strides NULL means
 *  row-major contiguous. */
mcdl_status mcdl_tensor_wrap(mcdl_tensor **out, float *data, int rank, const int64_t *shape,
                             const int64_t *strides);
/** Frees the tensor (and its data if it owns it). NULL is allowed. */
void mcdl_tensor_destroy(mcdl_tensor *t);

float *mcdl_tensor_data(const mcdl_tensor *t);
int mcdl_tensor_rank(const mcdl_tensor *t);
/** Size of an axis; negative axes count from the end (-1 is the last). -1 if out of range. */
int64_t mcdl_tensor_dim(const mcdl_tensor *t, int axis);
const int64_t *mcdl_tensor_shape(const mcdl_tensor *t);
const int64_t *mcdl_tensor_strides(const mcdl_tensor *t);
int64_t mcdl_tensor_numel(const mcdl_tensor *t);
bool mcdl_tensor_is_contiguous(const mcdl_tensor *t);

/** Element at a multi-index (rank entries); out-of-range indices give MCDL_ERR_ARG. */
mcdl_status mcdl_tensor_get(const mcdl_tensor *t, const int64_t *index, float *value);
mcdl_status mcdl_tensor_set(mcdl_tensor *t, const int64_t *index, float value);
/** New shape with the same element count; the tensor must be contiguous. One dimension
 *  may be -1 (inferred), as in NumPy. */
mcdl_status mcdl_tensor_reshape(mcdl_tensor *t, int rank, const int64_t *shape);
/** Copies src into dst element by element (any strides); shapes must be equal. */
mcdl_status mcdl_tensor_copy(mcdl_tensor *dst, const mcdl_tensor *src);
/** Sets every element to value. */
mcdl_status mcdl_tensor_fill(mcdl_tensor *t, float value);
/** Writes "(2, 3, 4)" into buf. */
void mcdl_shape_str(char *buf, size_t n, int rank, const int64_t *shape);

#ifdef __cplusplus
}
#endif
#endif
