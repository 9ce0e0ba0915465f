/* .npz archives (np.savez / np.savez_compressed): an ordered list of named tensors, read
 * and written through the zip layer; entry "key.npy" holds the array stored under "key". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "lib/core/error.h"
#include "lib/files/zipio.h"
#include "mcdl/npy.h"

struct mcdl_npz {
    int64_t count, cap;
    char **names;
    mcdl_tensor **tensors;
};

mcdl_status mcdl_npz_create(mcdl_npz **out) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_npz_create: out is NULL");
    *out = calloc(1, sizeof **out);
    if (!*out) return mcdl_error(MCDL_ERR_NOMEM, "out of memory for an npz archive");
    return MCDL_OK;
}

void mcdl_npz_destroy(mcdl_npz *z) {
    if (!z) return;
    for (int64_t i = 0; i < z->count; i++) {
        free(z->names[i]);
        mcdl_tensor_destroy(z->tensors[i]);
    }
    free(z->names);
    free(z->tensors);
    free(z);
}

int64_t mcdl_npz_count(const mcdl_npz *z) { return z ? z->count : 0; }

const char *mcdl_npz_name(const mcdl_npz *z, int64_t i) {
    return z && i >= 0 && i < z->count ? z->names[i] : NULL;
}

static int64_t find_index(const mcdl_npz *z, const char *name) {
    for (int64_t i = 0; z && name && i < z->count; i++)
        if (!strcmp(z->names[i], name)) return i;
    return -1;
}

const mcdl_tensor *mcdl_npz_get(const mcdl_npz *z, const char *name) {
    int64_t i = find_index(z, name);
    return i < 0 ? NULL : z->tensors[i];
}

mcdl_status mcdl_npz_find(const mcdl_npz *z, const char *name, const mcdl_tensor **out) {
    if (!z || !name || !out) return mcdl_error(MCDL_ERR_ARG, "mcdl_npz_find: NULL argument");
    *out = mcdl_npz_get(z, name);
    if (!*out) return mcdl_error(MCDL_ERR_ARG, "the archive has no array named '%s'", name);
    return MCDL_OK;
}

/* Takes ownership of t (and frees it on failure). */
static mcdl_status npz_put(mcdl_npz *z, const char *name, mcdl_tensor *t) {
    int64_t i = find_index(z, name);
    if (i >= 0) {
        mcdl_tensor_destroy(z->tensors[i]);
        z->tensors[i] = t;
        return MCDL_OK;
    }
    if (z->count == z->cap) {
        int64_t cap = z->cap ? z->cap * 2 : 8;
        char **nn = realloc(z->names, (size_t)cap * sizeof *nn);
        if (nn) z->names = nn;
        mcdl_tensor **tt = nn ? realloc(z->tensors, (size_t)cap * sizeof *tt) : NULL;
        if (!nn || !tt) {
            mcdl_tensor_destroy(t);
            return mcdl_error(MCDL_ERR_NOMEM, "out of memory adding '%s' to an npz archive", name);
        }
        z->tensors = tt;
        z->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy) {
        mcdl_tensor_destroy(t);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory adding '%s' to an npz archive", name);
    }
    z->names[z->count] = copy;
    z->tensors[z->count] = t;
    z->count++;
    return MCDL_OK;
}

mcdl_status mcdl_npz_add(mcdl_npz *z, const char *name, const mcdl_tensor *t) {
    if (!z || !name || !t) return mcdl_error(MCDL_ERR_ARG, "mcdl_npz_add: NULL argument");
    if (!*name) return mcdl_error(MCDL_ERR_ARG, "mcdl_npz_add: the array name is empty");
    mcdl_tensor *c;
    MCDL_TRY(mcdl_tensor_create(&c, mcdl_tensor_rank(t), mcdl_tensor_shape(t)));
    mcdl_status s = mcdl_tensor_copy(c, t);
    if (s != MCDL_OK) {
        mcdl_tensor_destroy(c);
        return s;
    }
    return npz_put(z, name, c);
}

static mcdl_status npz_from_zip(zip_t *z, const char *what, size_t archive_size, mcdl_npz *out) {
    zip_int64_t total = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < total; i++) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
            !(st.valid & ZIP_STAT_SIZE))
            return mcdl_error(MCDL_ERR_FORMAT, "'%s': zip entry %lld is unreadable: %s", what,
                              (long long)i, zip_strerror(z));
        size_t nl = strlen(st.name);
        if (nl > 0 && st.name[nl - 1] == '/') continue; /* directory entry */
        if (nl < 5 || strcmp(st.name + nl - 4, ".npy") != 0)
            return mcdl_error(MCDL_ERR_FORMAT,
                              "'%s': entry '%s' is not an .npy array (an .npz holds only "
                              "name.npy entries)",
                              what, st.name);
        if (nl - 4 >= 512)
            return mcdl_error(MCDL_ERR_FORMAT, "'%s': entry name '%s' is too long", what, st.name);
        char key[512], entry_what[1200];
        memcpy(key, st.name, nl - 4);
        key[nl - 4] = 0;
        if (find_index(out, key) >= 0)
            return mcdl_error(MCDL_ERR_FORMAT, "'%s': array '%s' appears twice", what, key);
        snprintf(entry_what, sizeof entry_what, "%s:%s", what, st.name);
        mcdl_tensor *t;
        MCDL_TRY(mcdl_zip_entry_tensor(z, (zip_uint64_t)i, entry_what, archive_size, &t));
        MCDL_TRY(npz_put(out, key, t));
    }
    return MCDL_OK;
}

/* Opens the zip (z from a path or a memory source) and fills a new archive. */
static mcdl_status npz_finish(zip_t *z, const char *what, size_t size, mcdl_npz **out) {
    mcdl_npz *a;
    mcdl_status s = mcdl_npz_create(&a);
    if (s == MCDL_OK) s = npz_from_zip(z, what, size, a);
    zip_discard(z);
    if (s != MCDL_OK) {
        mcdl_npz_destroy(a);
        return s;
    }
    *out = a;
    return MCDL_OK;
}

mcdl_status mcdl_npz_load_mem(const void *buf, size_t n, const char *what, mcdl_npz **out) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_npz_load_mem: out is NULL");
    *out = NULL;
    if (!what) what = "(memory)";
    if (n < 22) /* the end-of-central-directory record alone is 22 bytes */
        return mcdl_error(MCDL_ERR_FORMAT, "'%s' is not a zip archive (%zu bytes, truncated)", what,
                          n);
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(buf, n, 0, &err);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err) : NULL;
    if (!z) {
        mcdl_status s = src ? mcdl_zip_not_a_zip(what, &err)
                            : mcdl_error(MCDL_ERR_NOMEM, "out of memory opening '%s'", what);
        zip_source_free(src);
        zip_error_fini(&err);
        return s;
    }
    zip_error_fini(&err);
    return npz_finish(z, what, n, out);
}

mcdl_status mcdl_npz_load(const char *path, mcdl_npz **out) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_npz_load: out is NULL");
    *out = NULL;
    zip_t *z;
    size_t size;
    MCDL_TRY(mcdl_zip_open_path(path, &z, &size));
    return npz_finish(z, path, size, out);
}

mcdl_status mcdl_npz_save(const mcdl_npz *z, const char *path, bool compressed) {
    if (!z || !path) return mcdl_error(MCDL_ERR_ARG, "mcdl_npz_save: NULL argument");
    mcdl_zip_entry *e = calloc(z->count ? (size_t)z->count : 1, sizeof *e);
    if (!e) return mcdl_error(MCDL_ERR_NOMEM, "out of memory writing '%s'", path);
    mcdl_status s = MCDL_OK;
    for (int64_t made = 0; made < z->count && s == MCDL_OK; made++) {
        size_t nl = strlen(z->names[made]);
        e[made].name = malloc(nl + 5);
        if (!e[made].name) {
            s = mcdl_error(MCDL_ERR_NOMEM, "out of memory writing '%s'", path);
            break;
        }
        memcpy(e[made].name, z->names[made], nl);
        memcpy(e[made].name + nl, ".npy", 5);
        void *buf;
        s = mcdl_npy_save_mem(z->tensors[made], &buf, &e[made].len);
        e[made].data = buf;
    }
    if (s == MCDL_OK) s = mcdl_zip_write(path, e, z->count, compressed);
    mcdl_zip_entries_free(e, z->count); /* calloc'ed: unfilled entries are NULL */
    return s;
}
