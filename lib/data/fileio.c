/* Whole-file reads and crash-safe whole-file writes shared by the .npy/.npz/.mcdl/PNG
 * writers: a reader never sees a half-written file, whatever happens mid-write. */
#include "lib/data/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/error.h"

mcdl_status mcdl_file_read_all(const char *path, void **buf, size_t *n) {
    *buf = NULL;
    *n = 0;
    if (!path) return mcdl_error(MCDL_ERR_ARG, "file path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f) return mcdl_error(MCDL_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return mcdl_error(MCDL_ERR_IO, "'%s' is not a regular file", path);
    }
    size_t size = (size_t)st.st_size;
    unsigned char *p = malloc(size + 1);
    if (!p) {
        fclose(f);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory reading '%s' (%zu bytes)", path, size);
    }
    size_t got = fread(p, 1, size, f);
    int err = ferror(f);
    fclose(f);
    if (got != size || err) {
        free(p);
        return mcdl_error(MCDL_ERR_IO, "reading '%s' failed after %zu of %zu bytes", path, got,
                          size);
    }
    p[size] = 0;
    *buf = p;
    *n = size;
    return MCDL_OK;
}

/* fsync of the directory makes the rename itself durable; failure there is not an error
 * for the caller (some file systems refuse fsync on directories). */
static void sync_parent_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) {
        strcpy(dir, ".");
    } else {
        size_t len = (size_t)(slash - path);
        if (len == 0) len = 1;
        if (len >= sizeof dir) return;
        memcpy(dir, path, len);
        dir[len] = 0;
    }
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

mcdl_status mcdl_file_write_atomic(const char *path, const void *buf, size_t n) {
    if (!path || !*path) return mcdl_error(MCDL_ERR_ARG, "output path is empty");
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) return mcdl_error(MCDL_ERR_NOMEM, "out of memory writing '%s'", path);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp-XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        mcdl_status s = mcdl_error(MCDL_ERR_IO, "cannot create a temporary file beside '%s': %s",
                                   path, strerror(errno));
        free(tmp);
        return s;
    }
    const unsigned char *p = buf;
    size_t left = n;
    const char *fail = NULL;
    int saved = 0;
    /* Test hook for the kill-during-write test (tests/cli/checkpoint_kill.sh): with
     * MCDL_TEST_WRITE_DELAY_MS set, sleep that long with half the bytes written, so a
     * SIGKILL lands mid-write. Costs one getenv per file written. */
    const char *delay = getenv("MCDL_TEST_WRITE_DELAY_MS");
    size_t pause_at = delay && *delay ? n / 2 : (size_t)-1;
    while (left > 0) {
        if (n - left >= pause_at) {
            pause_at = (size_t)-1;
            const long ms = strtol(delay, NULL, 10);
            struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        size_t chunk = left;
        if (pause_at != (size_t)-1 && n - left + chunk > pause_at) chunk = pause_at - (n - left);
        ssize_t w = write(fd, p, chunk ? chunk : left);
        if (w < 0) {
            if (errno == EINTR) continue;
            fail = "write", saved = errno;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (!fail && fchmod(fd, 0644) != 0) fail = "chmod", saved = errno;
    if (!fail && fsync(fd) != 0) fail = "fsync", saved = errno;
    if (close(fd) != 0 && !fail) fail = "close", saved = errno;
    if (!fail && rename(tmp, path) != 0) fail = "rename", saved = errno;
    if (fail) {
        unlink(tmp);
        free(tmp);
        return mcdl_error(MCDL_ERR_IO,
                          "writing '%s' failed (%s: %s); the old file, if any, is "
                          "unchanged",
                          path, fail, strerror(saved));
    }
    free(tmp);
    sync_parent_dir(path);
    return MCDL_OK;
}

mcdl_status mcdl_bytes_append(mcdl_bytes *b, const void *p, size_t n) {
    if (n > SIZE_MAX - b->len) return mcdl_error(MCDL_ERR_NOMEM, "buffer size overflows");
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) {
            if (cap > SIZE_MAX / 2) {
                cap = b->len + n;
                break;
            }
            cap *= 2;
        }
        unsigned char *d = realloc(b->data, cap);
        if (!d)
            return mcdl_error(MCDL_ERR_NOMEM, "out of memory growing a buffer to %zu bytes", cap);
        b->data = d;
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    return MCDL_OK;
}

void mcdl_bytes_free(mcdl_bytes *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
