/* Zip archives through libzip, in memory: reading checks the central directory
 * (ZIP_CHECKCONS), each entry's declared size against what inflates, and each CRC (libzip
 * reports a mismatch when an entry is read to its end); writing builds the archive in a
 * memory source and hands the bytes to the atomic file writer. */
#include "lib/files/zipio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "lib/core/error.h"
#include "lib/data/fileio.h"
#include "lib/data/npy_stream.h"

static mcdl_status read_entry(zip_t *z, zip_uint64_t i, const char *what, size_t archive_len,
                              mcdl_zip_entry *e);

/* Reads exactly n bytes of a zip entry (a short read is damage: the entry's declared size
 * is what the .npy parser was told). */
typedef struct {
    zip_file_t *f;
    const char *entry;
} entry_reader;

static mcdl_status entry_read(void *ctx, void *dst, size_t n, const char *what) {
    entry_reader *r = ctx;
    size_t got = 0;
    while (got < n) {
        zip_int64_t k = zip_fread(r->f, (unsigned char *)dst + got, (zip_uint64_t)(n - got));
        if (k < 0)
            return mcdl_error(MCDL_ERR_FORMAT, "'%s' is corrupt: %s", what,
                              zip_file_strerror(r->f));
        if (k == 0)
            return mcdl_error(MCDL_ERR_FORMAT, "'%s' is truncated (%zu of %zu bytes)", what, got,
                              n);
        got += (size_t)k;
    }
    return MCDL_OK;
}

/* Streams one entry into a tensor, then reads past its end so libzip checks the CRC. */
mcdl_status mcdl_zip_entry_tensor(zip_t *z, zip_uint64_t i, const char *what, size_t archive_size,
                                  mcdl_tensor **out) {
    *out = NULL;
    zip_stat_t stat_buf;
    zip_stat_init(&stat_buf);
    const zip_stat_t *st = &stat_buf;
    if (zip_stat_index(z, i, 0, &stat_buf) != 0 || !(st->valid & ZIP_STAT_SIZE))
        return mcdl_error(MCDL_ERR_FORMAT, "'%s' is unreadable: %s", what, zip_strerror(z));
    if (!mcdl_zip_plausible_size(st->size, archive_size))
        return mcdl_error(MCDL_ERR_FORMAT,
                          "'%s' claims %llu bytes, impossible for a %zu-byte archive", what,
                          (unsigned long long)st->size, archive_size);
    zip_file_t *f = zip_fopen_index(z, i, 0);
    if (!f) return mcdl_error(MCDL_ERR_FORMAT, "'%s' cannot be opened: %s", what, zip_strerror(z));
    entry_reader r = {f, st->name};
    mcdl_status s = mcdl_npy_load_stream(entry_read, &r, (size_t)st->size, what, out);
    if (s == MCDL_OK) {
        unsigned char extra;
        zip_int64_t k = zip_fread(f, &extra, 1);
        if (k != 0) {
            s = k < 0
                    ? mcdl_error(MCDL_ERR_FORMAT, "'%s' is corrupt: %s", what, zip_file_strerror(f))
                    : mcdl_error(MCDL_ERR_FORMAT, "'%s' holds more than its declared %llu bytes",
                                 what, (unsigned long long)st->size);
            mcdl_tensor_destroy(*out);
            *out = NULL;
        }
    }
    zip_fclose(f);
    return s;
}

/* An entry's declared size above this cannot come from this archive (deflate expands at
 * most ~1032:1), so a corrupt header never triggers a giant allocation. */
bool mcdl_zip_plausible_size(uint64_t declared, size_t archive) {
    return declared <= (uint64_t)archive * 1100u + 4096u;
}

mcdl_status mcdl_zip_not_a_zip(const char *what, zip_error_t *err) {
    return mcdl_error(
        MCDL_ERR_FORMAT,
        "'%s' is not a readable zip archive (truncated, damaged or another kind of file): %s", what,
        zip_error_strerror(err));
}

mcdl_status mcdl_zip_open_path(const char *path, zip_t **out, size_t *size) {
    *out = NULL;
    if (!path) return mcdl_error(MCDL_ERR_ARG, "zip archive path is NULL");
    struct stat st;
    if (stat(path, &st) != 0)
        return mcdl_error(MCDL_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) return mcdl_error(MCDL_ERR_IO, "'%s' is not a regular file", path);
    if (st.st_size < 22) /* the end-of-central-directory record alone is 22 bytes */
        return mcdl_error(MCDL_ERR_FORMAT, "'%s' is not a zip archive (%lld bytes, truncated)",
                          path, (long long)st.st_size);
    int code = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!z) {
        zip_error_t err;
        zip_error_init_with_code(&err, code);
        mcdl_status s =
            code == ZIP_ER_OPEN || code == ZIP_ER_READ
                ? mcdl_error(MCDL_ERR_IO, "cannot read '%s': %s", path, zip_error_strerror(&err))
                : mcdl_zip_not_a_zip(path, &err);
        zip_error_fini(&err);
        return s;
    }
    *out = z;
    *size = (size_t)st.st_size;
    return MCDL_OK;
}

mcdl_status mcdl_zip_entry_bytes(zip_t *z, zip_uint64_t i, const char *what, size_t archive_size,
                                 mcdl_zip_entry *e) {
    memset(e, 0, sizeof *e);
    mcdl_status s = read_entry(z, i, what, archive_size, e);
    if (s != MCDL_OK) {
        free(e->name);
        free(e->data);
        memset(e, 0, sizeof *e);
    }
    return s;
}

void mcdl_zip_entries_free(mcdl_zip_entry *e, int64_t count) {
    if (!e) return;
    for (int64_t i = 0; i < count; i++) {
        free(e[i].name);
        free(e[i].data);
    }
    free(e);
}

static mcdl_status read_entry(zip_t *z, zip_uint64_t i, const char *what, size_t archive_len,
                              mcdl_zip_entry *e) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE))
        return mcdl_error(MCDL_ERR_FORMAT, "'%s': zip entry %llu is unreadable: %s", what,
                          (unsigned long long)i, zip_strerror(z));
    e->name = strdup(st.name);
    if (!e->name) return mcdl_error(MCDL_ERR_NOMEM, "out of memory reading '%s'", what);
    if (!mcdl_zip_plausible_size(st.size, archive_len))
        return mcdl_error(MCDL_ERR_FORMAT,
                          "'%s': entry '%s' claims %llu bytes, impossible for a %zu-byte archive",
                          what, st.name, (unsigned long long)st.size, archive_len);
    size_t len = (size_t)st.size;
    e->data = malloc(len + 1);
    if (!e->data)
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory for entry '%s' of '%s' (%zu bytes)",
                          st.name, what, len);
    zip_file_t *f = zip_fopen_index(z, i, 0);
    if (!f)
        return mcdl_error(MCDL_ERR_FORMAT, "'%s': cannot open entry '%s': %s", what, st.name,
                          zip_strerror(z));
    size_t got = 0;
    mcdl_status s = MCDL_OK;
    for (;;) {
        /* Read to the end (one byte past the declared size) so libzip checks the CRC. */
        unsigned char extra;
        unsigned char *dst = got < len ? e->data + got : &extra;
        zip_uint64_t want = got < len ? (zip_uint64_t)(len - got) : 1;
        zip_int64_t r = zip_fread(f, dst, want);
        if (r < 0) {
            s = mcdl_error(MCDL_ERR_FORMAT, "'%s': entry '%s' is corrupt: %s", what, st.name,
                           zip_file_strerror(f));
            break;
        }
        if (r == 0) break;
        if (got >= len) {
            s = mcdl_error(MCDL_ERR_FORMAT,
                           "'%s': entry '%s' holds more data than its declared %zu bytes", what,
                           st.name, len);
            break;
        }
        got += (size_t)r;
    }
    zip_fclose(f);
    if (s == MCDL_OK && got != len)
        s = mcdl_error(MCDL_ERR_FORMAT, "'%s': entry '%s' is truncated (%zu of %zu bytes)", what,
                       st.name, got, len);
    if (s == MCDL_OK) e->data[len] = 0, e->len = len;
    return s;
}

mcdl_status mcdl_zip_read_mem(const void *buf, size_t n, const char *what, mcdl_zip_entry **out,
                              int64_t *count) {
    *out = NULL;
    *count = 0;
    if (!what) what = "(memory)";
    if (n < 22) /* the end-of-central-directory record alone is 22 bytes */
        return mcdl_error(MCDL_ERR_FORMAT, "'%s' is not a zip archive (%zu bytes, truncated)", what,
                          n);
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(buf, n, 0, &err);
    if (!src) {
        zip_error_fini(&err);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory opening '%s'", what);
    }
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!z) {
        mcdl_status s = mcdl_error(
            MCDL_ERR_FORMAT,
            "'%s' is not a readable zip archive (truncated, damaged or another kind of file): %s",
            what, zip_error_strerror(&err));
        zip_source_free(src);
        zip_error_fini(&err);
        return s;
    }
    zip_error_fini(&err);
    zip_int64_t total = zip_get_num_entries(z, 0);
    mcdl_zip_entry *e = calloc(total > 0 ? (size_t)total : 1, sizeof *e);
    if (!e) {
        zip_discard(z);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory reading '%s'", what);
    }
    int64_t kept = 0;
    mcdl_status s = MCDL_OK;
    for (zip_int64_t i = 0; i < total && s == MCDL_OK; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        size_t nl = name ? strlen(name) : 0;
        if (name && nl > 0 && name[nl - 1] == '/') continue; /* directory entry */
        s = read_entry(z, (zip_uint64_t)i, what, n, &e[kept]);
        kept++;
    }
    zip_discard(z);
    if (s != MCDL_OK) {
        mcdl_zip_entries_free(e, kept);
        return s;
    }
    *out = e;
    *count = kept;
    return MCDL_OK;
}

mcdl_status mcdl_zip_read(const char *path, mcdl_zip_entry **out, int64_t *count) {
    *out = NULL;
    *count = 0;
    void *buf;
    size_t n;
    MCDL_TRY(mcdl_file_read_all(path, &buf, &n));
    mcdl_status s = mcdl_zip_read_mem(buf, n, path, out, count);
    free(buf);
    return s;
}

static mcdl_status zip_fail(const char *path, const char *why) {
    return mcdl_error(MCDL_ERR_IO, "building the zip archive for '%s' failed: %s", path, why);
}

mcdl_status mcdl_zip_write(const char *path, const mcdl_zip_entry *e, int64_t count,
                           bool compressed) {
    if (count == 0) {
        /* libzip writes nothing for an archive without entries; NumPy writes this record. */
        static const unsigned char empty_zip[22] = {0x50, 0x4b, 0x05, 0x06};
        return mcdl_file_write_atomic(path, empty_zip, sizeof empty_zip);
    }
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &err);
    if (!mem) {
        zip_error_fini(&err);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory building '%s'", path);
    }
    zip_source_keep(mem); /* survives zip_close, which fills it */
    zip_t *z = zip_open_from_source(mem, ZIP_TRUNCATE, &err);
    zip_error_fini(&err);
    if (!z) {
        zip_source_free(mem);
        return zip_fail(path, "cannot start an archive");
    }
    for (int64_t i = 0; i < count; i++) {
        zip_source_t *zs = zip_source_buffer(z, e[i].data, e[i].len, 0);
        zip_int64_t idx =
            zs ? zip_file_add(z, e[i].name, zs, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) : -1;
        if (idx < 0) {
            if (zs) zip_source_free(zs);
            mcdl_status s = zip_fail(path, zip_strerror(z));
            zip_discard(z);
            zip_source_free(mem);
            return s;
        }
        /* A fixed time stamp keeps equal contents byte-identical between saves. */
        zip_file_set_mtime(z, (zip_uint64_t)idx, (time_t)315532800 + 43200, 0);
        /* Deflate level 1: on MNIST x_train (25 MB) 17x faster than zlib's default level 6
         * (0.33 s vs 5.6 s) for an 18% larger file (2.49 vs 2.11 MB); float weights barely
         * compress at any level. Any deflate level reads back everywhere. */
        zip_set_file_compression(z, (zip_uint64_t)idx, compressed ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                                 1);
    }
    if (zip_close(z) != 0) {
        mcdl_status s = zip_fail(path, zip_strerror(z));
        zip_discard(z);
        zip_source_free(mem);
        return s;
    }
    zip_stat_t st;
    zip_stat_init(&st);
    unsigned char *bytes = NULL;
    mcdl_status s = MCDL_OK;
    if (zip_source_open(mem) != 0 || zip_source_stat(mem, &st) != 0 ||
        !(st.valid & ZIP_STAT_SIZE)) {
        s = zip_fail(path, "cannot read the finished archive back");
    } else {
        bytes = malloc(st.size ? (size_t)st.size : 1);
        if (!bytes)
            s = mcdl_error(MCDL_ERR_NOMEM, "out of memory finishing '%s'", path);
        else if (zip_source_read(mem, bytes, st.size) != (zip_int64_t)st.size)
            s = zip_fail(path, "short read of the finished archive");
        zip_source_close(mem);
    }
    zip_source_free(mem);
    if (s == MCDL_OK) s = mcdl_file_write_atomic(path, bytes, (size_t)st.size);
    free(bytes);
    return s;
}
