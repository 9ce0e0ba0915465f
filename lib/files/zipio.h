/* Internal: a zip archive as a list of named byte blobs (libzip), read with every CRC and
 * size checked, written in memory and then atomically to disk. Used by .npz and .mcdl. */
#ifndef MCDL_LIB_FILES_ZIPIO_H
#define MCDL_LIB_FILES_ZIPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zip.h>

#include "mcdl/status.h"
#include "mcdl/tensor.h"

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

/* Opens an archive file for streaming reads (central directory checked); *size is the file's
 * size. A missing file is MCDL_ERR_IO, anything that is not a zip MCDL_ERR_FORMAT. */
mcdl_status mcdl_zip_open_path(const char *path, zip_t **z, size_t *size);
/* The sentence for an archive libzip cannot open. */
mcdl_status mcdl_zip_not_a_zip(const char *what, zip_error_t *err);
/* Whether an entry's declared size can come from an archive of that size. */
bool mcdl_zip_plausible_size(uint64_t declared, size_t archive);
/* Streams entry i (an .npy image) straight into a new tensor and reads past its end, so the
 * CRC is checked. `what` names the entry in error sentences. */
mcdl_status mcdl_zip_entry_tensor(zip_t *z, zip_uint64_t i, const char *what, size_t archive_size,
                                  mcdl_tensor **out);
/* Reads entry i whole into e (name, data with a spare NUL, len); free e's members. */
mcdl_status mcdl_zip_entry_bytes(zip_t *z, zip_uint64_t i, const char *what, size_t archive_size,
                                 mcdl_zip_entry *e);

/* Builds an archive of the entries (stored or deflate) and writes it atomically to path. */
mcdl_status mcdl_zip_write(const char *path, const mcdl_zip_entry *e, int64_t count,
                           bool compressed);

#endif
