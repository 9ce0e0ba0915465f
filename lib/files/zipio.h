/* Internal: a zip archive as a list of named byte blobs (libzip), read with every CRC and
 * size checked, written in memory and then atomically to disk. Used by .npz and .mcdl. */
#ifndef MCDL_LIB_FILES_ZIPIO_H
#define MCDL_LIB_FILES_ZIPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcdl/status.h"

typedef struct {
    char *name;
    unsigned char *data; /* one spare NUL byte after len, so text entries are strings */
    size_t len;
} mcdl_zip_entry;

/* Reads every file entry of the archive image (directory entries are skipped). `what`
 * names the archive in error sentences. Free with mcdl_zip_entries_free. */
mcdl_status mcdl_zip_read_mem(const void *buf, size_t n, const char *what, mcdl_zip_entry **out,
                              int64_t *count);
mcdl_status mcdl_zip_read(const char *path, mcdl_zip_entry **out, int64_t *count);
void mcdl_zip_entries_free(mcdl_zip_entry *e, int64_t count);

/* Builds an archive of the entries (stored or deflate) and writes it atomically to path. */
mcdl_status mcdl_zip_write(const char *path, const mcdl_zip_entry *e, int64_t count,
                           bool compressed);

#endif
