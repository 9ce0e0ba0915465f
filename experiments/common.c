/* Shared plumbing of the experiment programs (see common.h). */
#define _POSIX_C_SOURCE 200809L
#include "experiments/common.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

double exp_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

bool exp_ok(mcdl_status s, const char *what) {
    if (s == MCDL_OK) return true;
    fprintf(stderr, "error: %s: %s\n", what, mcdl_last_error());
    return false;
}

bool exp_parse(int argc, char **argv, exp_args *a) {
    *a = (exp_args){.out = "out/experiments"};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--smoke")) {
            a->smoke = true;
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            a->out = argv[++i];
        } else if (!strcmp(argv[i], "--epochs") && i + 1 < argc) {
            a->epochs = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            a->only = argv[++i];
        } else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
            a->json_path = argv[++i];
        } else {
            fprintf(
                stderr,
                "usage: %s [--smoke] [--epochs N] [--out DIR] [--json MODEL.json] [--only NAME]\n",
                argv[0]);
            return false;
        }
    }
    char path[1024];
    snprintf(path, sizeof path, "%s", a->out);
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(path, 0777);
            *p = '/';
        }
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "cannot create %s: %s\n", path, strerror(errno));
        return false;
    }
    return true;
}

int exp_epochs(const exp_args *a, int full_epochs, int smoke_epochs) {
    return a->epochs > 0 ? a->epochs : a->smoke ? smoke_epochs : full_epochs;
}

bool exp_maybe_write_json(const exp_args *a, const mcdl_model *m, int *rc) {
    if (!a->json_path) return false;
    *rc = exp_ok(mcdl_model_save_json(m, a->json_path), a->json_path) ? 0 : 1;
    if (*rc == 0) printf("wrote %s\n", a->json_path);
    return true;
}

int exp_missing_data(const char *what) {
    printf("skipped: %s is missing (%s); run tools/fetch-data to prepare it\n", what,
           mcdl_last_error());
    return 77;
}

mcdl_tensor *exp_rows(const mcdl_tensor *t, int64_t r0, int64_t r1) {
    int64_t shape[MCDL_MAX_RANK];
    int r = mcdl_tensor_rank(t);
    memcpy(shape, mcdl_tensor_shape(t), (size_t)r * sizeof *shape);
    int64_t row = mcdl_tensor_numel(t) / shape[0];
    shape[0] = r1 - r0;
    mcdl_tensor *o = NULL;
    if (mcdl_tensor_create(&o, r, shape) != MCDL_OK) return NULL;
    memcpy(mcdl_tensor_data(o), mcdl_tensor_data(t) + r0 * row, (size_t)(shape[0] * row) * 4);
    return o;
}

static void write_history(const exp_args *a, const char *name, const mcdl_history *h) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s_history.csv", a->out, name);
    FILE *f = fopen(path, "w");
    if (!f) return;
    int nk = mcdl_history_num_keys(h), ne = mcdl_history_num_epochs(h);
    fprintf(f, "epoch");
    for (int k = 0; k < nk; k++) fprintf(f, ",%s", mcdl_history_key(h, k));
    fprintf(f, "\n");
    for (int e = 0; e < ne; e++) {
        fprintf(f, "%d", e + 1);
        for (int k = 0; k < nk; k++)
            fprintf(f, ",%.6g", mcdl_history_values(h, mcdl_history_key(h, k))[e]);
        fprintf(f, "\n");
    }
    fclose(f);
    printf("history: %s\n", path);
    if (a->smoke || system("command -v gnuplot >/dev/null 2>&1") != 0) return;
    bool val = mcdl_history_values(h, "val_loss") != NULL;
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "gnuplot -e \"set terminal png noenhanced size 640,400; "
             "set output '%s/%s_loss.png'; set datafile separator ','; "
             "set key autotitle columnhead; set xlabel 'epoch'; set title '%s'; "
             "plot '%s' using 1:2 with linespoints title 'loss'%s\"",
             a->out, name, name, path,
             val ? ", '' using 1:'val_loss' with linespoints title 'val_loss'" : "");
    if (system(cmd) == 0) printf("plot: %s/%s_loss.png\n", a->out, name);
}

int exp_fit(const exp_args *a, const char *name, mcdl_model *m, int n_x, mcdl_tensor *const *x,
            int n_y, mcdl_tensor *const *y, const mcdl_fit_opts *fo, double *seconds) {
    printf("== %s ==\n", name);
    if (!exp_ok(mcdl_model_summary(m, stdout), "summary")) return 1;
    mcdl_history *h = NULL;
    mcdl_fit_opts o = *fo;
    if (o.verbose == 0) o.verbose = 2;
    double t0 = exp_now();
    if (!exp_ok(mcdl_model_fit(m, n_x, (const mcdl_tensor *const *)x, n_y,
                               (const mcdl_tensor *const *)y, &o, &h),
                name))
        return 1;
    if (seconds) *seconds = exp_now() - t0;
    write_history(a, name, h);
    const double *loss = mcdl_history_values(h, "loss");
    int ne = mcdl_history_num_epochs(h), rc = 0;
    for (int e = 0; e < ne; e++)
        if (!isfinite(loss[e])) {
            printf("FAIL %s: loss at epoch %d is %g\n", name, e + 1, loss[e]);
            rc = 1;
        }
    if (a->smoke && ne > 1 && !(loss[ne - 1] < loss[0])) {
        printf("FAIL %s: loss did not decrease (%g -> %g)\n", name, loss[0], loss[ne - 1]);
        rc = 1;
    }
    mcdl_history_destroy(h);
    return rc;
}
