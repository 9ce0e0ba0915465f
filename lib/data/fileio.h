/* Internal: whole-file reads and atomic whole-file writes (temp file + fsync + rename). */
#ifndef MCDL_LIB_DATA_FILEIO_H
#define MCDL_LIB_DATA_FILEIO_H

#include <stddef.h>

#include "mcdl/status.h"

/* Reads the whole file into a new malloc'ed buffer (one spare NUL byte after the data, so
 * text parsers may treat it as a string). MCDL_ERR_IO names the file and the OS reason. */
mcdl_status mcdl_file_read_all(const char *path, void **buf, size_t *n);

/* Writes n bytes to path so that readers see the old file or the whole new one: a temporary
 * file in the same directory, fsync, rename over path, fsync of the directory. */
mcdl_status mcdl_file_write_atomic(const char *path, const void *buf, size_t n);

/* Growable byte buffer for serialisers. */
typedef struct {
    unsigned char *data;
    size_t len, cap;
} mcdl_bytes;

/* Appends n bytes; MCDL_ERR_NOMEM on failure (buffer unchanged). */
mcdl_status mcdl_bytes_append(mcdl_bytes *b, const void *p, size_t n);
void mcdl_bytes_free(mcdl_bytes *b);

#endif
