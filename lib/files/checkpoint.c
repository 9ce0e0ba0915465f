/* Training checkpoints: DIR/ckpt-EEEEEE.mcdl written atomically after every N epochs and at
 * the end of fit (through the .mcdl writer, which goes temp file -> fsync -> rename -> fsync
 * of the directory), pruned to the newest K, and the newest loadable one found for resume.
 * The epoch count is the file name; the Dropout stream position follows the optimizer's
 * iterations and the shuffle order is replayed from the seed (fit's initial_epoch). */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/error.h"
#include "mcdl/files.h"

#define CKPT_MAX_FILES 4096

static bool ckpt_epoch_of(const char *name, int *epoch) {
    int e = 0, len = 0;
    if (sscanf(name, "ckpt-%6d.mcdl%n", &e, &len) != 1 || name[len] != '\0' || strlen(name) != 16 ||
        e < 0)
        return false;
    *epoch = e;
    return true;
}

static int cmp_int_desc(const void *a, const void *b) {
    const int x = *(const int *)a, y = *(const int *)b;
    return (x < y) - (x > y);
}

/* Epoch counts of the checkpoints in dir, newest first; *n receives the count. clean_tmp
 * removes temp files left by a killed writer. */
static mcdl_status ckpt_list(const char *dir, int *epochs, int cap, int *n, bool clean_tmp) {
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return mcdl_error(MCDL_ERR_IO, "cannot open checkpoint directory '%s': %s", dir,
                          strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL && *n < cap) {
        int ep;
        if (ckpt_epoch_of(e->d_name, &ep)) {
            epochs[(*n)++] = ep;
        } else if (clean_tmp && !strncmp(e->d_name, "ckpt-", 5) &&
                   strstr(e->d_name, ".mcdl.tmp-")) {
            /* The temp file of a writer that was killed mid-write: never renamed, never
             * a checkpoint. (One training run writes to a directory at a time.) */
            char p[4096];
            if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) < (int)sizeof p) unlink(p);
        }
    }
    closedir(d);
    qsort(epochs, (size_t)*n, sizeof *epochs, cmp_int_desc);
    return MCDL_OK;
}

mcdl_status mcdl_checkpoint_save(const mcdl_model *m, const char *dir, int epochs_done, int keep) {
    if (!m || !dir || !*dir || epochs_done < 0 || epochs_done > 999999 || keep < 0)
        return mcdl_error(MCDL_ERR_ARG,
                          "mcdl_checkpoint_save: bad argument (dir '%s', epoch %d, "
                          "keep %d)",
                          dir ? dir : "(null)", epochs_done, keep);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return mcdl_error(MCDL_ERR_IO, "cannot create checkpoint directory '%s': %s", dir,
                          strerror(errno));
    char path[4096];
    if (snprintf(path, sizeof path, "%s/ckpt-%06d.mcdl", dir, epochs_done) >= (int)sizeof path)
        return mcdl_error(MCDL_ERR_ARG, "checkpoint directory path '%s' is too long", dir);
    MCDL_TRY(mcdl_model_save(m, path));
    int epochs[CKPT_MAX_FILES];
    int n = 0;
    MCDL_TRY(ckpt_list(dir, epochs, CKPT_MAX_FILES, &n, true));
    for (int i = keep ? keep : n; i < n; i++) {
        snprintf(path, sizeof path, "%s/ckpt-%06d.mcdl", dir, epochs[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            return mcdl_error(MCDL_ERR_IO, "cannot remove old checkpoint '%s': %s", path,
                              strerror(errno));
    }
    return MCDL_OK;
}

mcdl_status mcdl_checkpoint_epoch(mcdl_model *m, int epoch, const double *results, int n_results,
                                  void *user) {
    (void)results;
    (void)n_results;
    const mcdl_checkpoint_opts *o = user;
    if (!o || !o->dir)
        return mcdl_error(MCDL_ERR_ARG, "mcdl_checkpoint_epoch: user is not a "
                                        "mcdl_checkpoint_opts with a dir");
    const int every = o->every > 0 ? o->every : 1, done = epoch + 1;
    if (done % every != 0 && done != o->epochs) return MCDL_OK;
    return mcdl_checkpoint_save(m, o->dir, done, o->keep);
}

mcdl_status mcdl_checkpoint_load_latest(const char *dir, mcdl_model **out, int *epochs_done) {
    if (!dir || !out || !epochs_done)
        return mcdl_error(MCDL_ERR_ARG, "mcdl_checkpoint_load_latest: NULL argument");
    *out = NULL;
    int epochs[CKPT_MAX_FILES];
    int n = 0;
    MCDL_TRY(ckpt_list(dir, epochs, CKPT_MAX_FILES, &n, false));
    char path[4096];
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/ckpt-%06d.mcdl", dir, epochs[i]);
        if (mcdl_model_load(path, out) == MCDL_OK) {
            *epochs_done = epochs[i];
            return MCDL_OK;
        }
        fprintf(stderr, "mcdl: skipping checkpoint '%s': %s\n", path, mcdl_last_error());
    }
    return mcdl_error(MCDL_ERR_IO, "no loadable checkpoint (ckpt-EEEEEE.mcdl) in '%s'", dir);
}
