/* Internal: .npy parsing from any byte stream (a file, a zip entry), so large arrays go from
 * the source straight into the tensor without an intermediate copy. */
#ifndef MCDL_LIB_DATA_NPY_STREAM_H
#define MCDL_LIB_DATA_NPY_STREAM_H

#include <stddef.h>

#include "mcdl/status.h"
#include "mcdl/tensor.h"

/* Reads exactly n bytes into dst or returns an error sentence naming `what`. */
typedef mcdl_status (*mcdl_npy_read_fn)(void *ctx, void *dst, size_t n, const char *what);

/* Parses an .npy image of total bytes read through rd; every check of mcdl_npy_load_mem
 * applies (total plays the role of the buffer size). */
mcdl_status mcdl_npy_load_stream(mcdl_npy_read_fn rd, void *ctx, size_t total, const char *what,
                                 mcdl_tensor **out);

#endif
