/* `mcdl bench`: training throughput and batch-1 inference latency of the seed models
 * (mcdl/zoo.h), with the same names, shapes, sample counts, batch sizes and JSON keys as
 * shared/anchors/torch_seed_models.py, so the two can be compared line by line. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcdl/mcdl.h"
#include "tools/mcdl/commands.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static bool in_list(const char *list, const char *name) {
    if (!list || !*list) return true;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, name, n)) return true;
        if (!e) break;
        p = e + 1;
    }
    return false;
}

static void print_error(bool json, const char *name, const char *msg) {
    if (json) {
        printf("{\"model\": \"%s\", \"error\": \"", name);
        for (const char *c = msg; *c; c++) {
            if (*c == '"' || *c == '\\') putchar('\\');
            putchar(*c == '\n' ? ' ' : *c);
        }
        printf("\"}\n");
    } else {
        printf("%-12s error: %s\n", name, msg);
    }
    fflush(stdout);
}

/* Trains whole epochs (after one warm-up epoch) until `seconds` have passed, then times
 * predict on one sample. */
static mcdl_status bench_one(const char *name, double seconds, double *train_sps,
                             double *infer_us) {
    mcdl_model *m = NULL;
    mcdl_seed_model_info info;
    mcdl_tensor *x[2] = {NULL, NULL}, *y = NULL, *x1[2] = {NULL, NULL}, *out = NULL;
    mcdl_status s = mcdl_seed_model_build_anchor(name, 1, &m, &info);
    if (s == MCDL_OK)
        s = mcdl_model_compile(m, &(mcdl_compile_opts){.loss = info.loss,
                                                       .optimizer = {.kind = MCDL_OPTIMIZER_ADAM,
                                                                     .learning_rate = 1e-3f,
                                                                     .epsilon = 1e-7f}});
    if (s == MCDL_OK) s = mcdl_seed_model_synthetic_data(m, &info, info.n_samples, 7, x, &y);
    int n_in = m ? mcdl_model_num_inputs(m) : 0;
    /* the anchor walks the samples in order: no shuffling here either */
    mcdl_fit_opts fo = {.epochs = 1, .batch_size = info.batch_size, .no_shuffle = true};
    if (s == MCDL_OK)
        s = mcdl_model_fit(m, n_in, (const mcdl_tensor *const *)x, 1,
                           (const mcdl_tensor *const *)&y, &fo, NULL);
    int reps = 0;
    double t0 = now_s(), t = t0;
    while (s == MCDL_OK && (reps == 0 || t - t0 < seconds)) {
        s = mcdl_model_fit(m, n_in, (const mcdl_tensor *const *)x, 1,
                           (const mcdl_tensor *const *)&y, &fo, NULL);
        reps++;
        t = now_s();
    }
    if (s == MCDL_OK) *train_sps = (double)reps * (double)info.n_samples / (t - t0);
    /* batch-1 inference: the first sample of each input */
    for (int i = 0; i < n_in && s == MCDL_OK; i++) {
        int64_t shape[MCDL_MAX_RANK];
        int r = mcdl_tensor_rank(x[i]);
        memcpy(shape, mcdl_tensor_shape(x[i]), (size_t)r * sizeof *shape);
        shape[0] = 1;
        s = mcdl_tensor_wrap(&x1[i], mcdl_tensor_data(x[i]), r, shape, NULL);
    }
    mcdl_predict_opts po = {.batch_size = 1};
    for (int k = 0; k < 5 && s == MCDL_OK; k++) {
        s = mcdl_model_predict(m, n_in, (const mcdl_tensor *const *)x1, &po, 1, &out);
        mcdl_tensor_destroy(out), out = NULL;
    }
    int calls = 0;
    t0 = now_s(), t = t0;
    double budget = seconds / 3 < 1.0 ? seconds / 3 : 1.0;
    while (s == MCDL_OK && (calls == 0 || t - t0 < budget)) {
        s = mcdl_model_predict(m, n_in, (const mcdl_tensor *const *)x1, &po, 1, &out);
        mcdl_tensor_destroy(out), out = NULL;
        calls++;
        t = now_s();
    }
    if (s == MCDL_OK) *infer_us = (t - t0) / calls * 1e6;
    for (int i = 0; i < 2; i++) mcdl_tensor_destroy(x[i]), mcdl_tensor_destroy(x1[i]);
    mcdl_tensor_destroy(y);
    mcdl_model_destroy(m);
    return s;
}

int mcdl_cmd_bench(int argc, char **argv) {
    bool json = false;
    const char *only = NULL;
    double seconds = 3.0;
    int threads = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            threads = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
            seconds = atof(argv[++i]);
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: mcdl bench [--json] [--only a,b] [--threads N] [--seconds S]\n"
                   "  trains each seed model on synthetic data with the PyTorch anchor's shapes,\n"
                   "  sample counts and batch sizes (Adam 1e-3, eps 1e-7): samples/s over whole\n"
                   "  epochs after one warm-up epoch (repeated for S seconds, default 3), then\n"
                   "  the mean latency of predict on one sample. --json: one JSON object a line\n"
                   "  {\"model\", \"train_samples_per_s\", \"infer_b1_us\"}.\n"
                   "  models:");
            for (int k = 0; k < mcdl_seed_model_count(); k++)
                printf(" %s", mcdl_seed_model_name(k));
            printf("\n");
            return 0;
        } else {
            fprintf(stderr, "mcdl bench: unknown or incomplete option '%s' (see --help)\n",
                    argv[i]);
            return 2;
        }
    }
    if (seconds <= 0 || threads < 0) {
        fprintf(stderr, "mcdl bench: --seconds must be > 0 and --threads >= 1\n");
        return 2;
    }
    if (only)
        for (const char *p = only; *p;) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            bool known = len == 0;
            for (int k = 0; k < mcdl_seed_model_count() && !known; k++)
                known = strlen(mcdl_seed_model_name(k)) == len &&
                        !strncmp(p, mcdl_seed_model_name(k), len);
            if (!known) {
                fprintf(stderr, "mcdl bench: unknown model '%.*s' in --only (see --help)\n",
                        (int)len, p);
                return 2;
            }
            if (!e) break;
            p = e + 1;
        }
    if (threads > 0 && mcdl_set_num_threads(threads) != MCDL_OK) {
        fprintf(stderr, "mcdl bench: %s\n", mcdl_last_error());
        return 2;
    }
    if (!json)
        printf("%-12s %22s %14s   (%d threads, %s path)\n", "model", "train samples/s",
               "infer b1 us", mcdl_get_num_threads(), mcdl_active_isa());
    int failed = 0;
    for (int k = 0; k < mcdl_seed_model_count(); k++) {
        const char *name = mcdl_seed_model_name(k);
        if (!in_list(only, name)) continue;
        double sps = 0, us = 0;
        if (bench_one(name, seconds, &sps, &us) != MCDL_OK) {
            print_error(json, name, mcdl_last_error());
            failed++;
            continue;
        }
        if (json)
            printf("{\"model\": \"%s\", \"train_samples_per_s\": %.1f, \"infer_b1_us\": %.1f}\n",
                   name, sps, us);
        else
            printf("%-12s %22.1f %14.1f\n", name, sps, us);
        fflush(stdout);
    }
    return failed ? 1 : 0;
}
