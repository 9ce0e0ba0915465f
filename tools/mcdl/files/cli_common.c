/* Option parsing and loading shared by the file-based sub-commands of mcdl. */
#include "tools/mcdl/files/cli_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage_error(const char *usage, const char *fmt, const char *arg) {
    fprintf(stderr, "mcdl: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return CLI_USAGE;
}

static bool parse_int(const char *s, int64_t lo, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo) return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v != v) return false;
    *out = v;
    return true;
}

static bool parse_metrics(const char *s, unsigned *out) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (!strcmp(tok, "accuracy") || !strcmp(tok, "acc"))
            *out |= MCDL_METRIC_ACCURACY;
        else if (!strcmp(tok, "mse") || !strcmp(tok, "mean_squared_error"))
            *out |= MCDL_METRIC_MSE;
        else if (!strcmp(tok, "mae") || !strcmp(tok, "mean_absolute_error"))
            *out |= MCDL_METRIC_MAE;
        else
            return false;
    }
    return true;
}

int cli_parse(int argc, char **argv, unsigned allowed, const char *usage, cli_opts *o) {
    memset(o, 0, sizeof *o);
    o->epochs = 1;
    o->batch_size = 32;
    o->lr = -1;
    static const struct {
        const char *name;
        unsigned flag;
    } k_opts[] = {{"--x", CLI_X},
                  {"--y", CLI_Y},
                  {"--out", CLI_OUT},
                  {"--loss", CLI_LOSS},
                  {"--optimizer", CLI_OPTIMIZER},
                  {"--lr", CLI_LR},
                  {"--epochs", CLI_EPOCHS},
                  {"--batch-size", CLI_BATCH},
                  {"--validation-split", CLI_VSPLIT},
                  {"--metrics", CLI_METRICS},
                  {"--seed", CLI_SEED},
                  {"--threads", CLI_THREADS},
                  {"--weights", CLI_WEIGHTS},
                  {"--save", CLI_SAVE},
                  {"--checkpoint", CLI_CHECKPOINT},
                  {"--every", CLI_CHECKPOINT},
                  {"--keep", CLI_CHECKPOINT},
                  {"--resume", CLI_CHECKPOINT},
                  {"--max-memory", CLI_MAX_MEMORY}};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("%s", usage);
            return -1;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (o->model) return usage_error(usage, "unexpected argument '%s'", a);
            o->model = a;
            continue;
        }
        unsigned flag = 0;
        for (size_t k = 0; k < sizeof k_opts / sizeof *k_opts; k++)
            if (!strcmp(a, k_opts[k].name)) flag = k_opts[k].flag;
        if (!flag || !(allowed & flag)) return usage_error(usage, "unknown option '%s'", a);
        if (i + 1 >= argc) return usage_error(usage, "option '%s' needs a value", a);
        const char *v = argv[++i];
        switch (flag) {
        case CLI_X:
        case CLI_Y:
        case CLI_OUT: {
            const char **list = flag == CLI_X ? o->x : flag == CLI_Y ? o->y : o->out;
            int *n = flag == CLI_X ? &o->n_x : flag == CLI_Y ? &o->n_y : &o->n_out;
            if (*n == CLI_MAX_ARRAYS)
                return usage_error(usage, "too many '%s' options (8 at most)", a);
            list[(*n)++] = v;
            break;
        }
        case CLI_LOSS:
            o->loss = v;
            break;
        case CLI_OPTIMIZER:
            o->optimizer = v;
            break;
        case CLI_WEIGHTS:
            o->weights = v;
            break;
        case CLI_SAVE:
            o->save = v;
            break;
        case CLI_CHECKPOINT:
            if (!strcmp(a, "--checkpoint")) {
                o->checkpoint = v;
            } else if (!strcmp(a, "--resume")) {
                o->resume = v;
            } else {
                int64_t *dst = !strcmp(a, "--every") ? &o->every : &o->keep;
                if (!parse_int(v, 1, dst) || *dst > 1000000)
                    return usage_error(usage,
                                       "--every and --keep need a positive integer, got '%s'", v);
            }
            break;
        case CLI_MAX_MEMORY:
            if (mcdl_parse_bytes(v, &o->max_memory) != MCDL_OK || o->max_memory == 0)
                return usage_error(usage,
                                   "--max-memory needs a size in bytes or with K, M, G (512M, "
                                   "2G), got '%s'",
                                   v);
            break;
        case CLI_LR:
            if (!parse_double(v, &o->lr) || o->lr <= 0)
                return usage_error(usage, "--lr needs a positive number, got '%s'", v);
            break;
        case CLI_VSPLIT:
            if (!parse_double(v, &o->validation_split) || o->validation_split < 0 ||
                o->validation_split >= 1)
                return usage_error(usage, "--validation-split needs a number in [0, 1), got '%s'",
                                   v);
            break;
        case CLI_EPOCHS:
            if (!parse_int(v, 1, &o->epochs) || o->epochs > 1000000)
                return usage_error(usage, "--epochs needs a positive integer, got '%s'", v);
            break;
        case CLI_BATCH:
            if (!parse_int(v, 1, &o->batch_size))
                return usage_error(usage, "--batch-size needs a positive integer, got '%s'", v);
            break;
        case CLI_SEED:
            if (!parse_int(v, 0, &o->seed))
                return usage_error(usage, "--seed needs a non-negative integer, got '%s'", v);
            break;
        case CLI_THREADS:
            if (!parse_int(v, 1, &o->threads) || o->threads > 4096)
                return usage_error(usage, "--threads needs a positive integer, got '%s'", v);
            break;
        case CLI_METRICS:
            if (!parse_metrics(v, &o->metrics))
                return usage_error(usage,
                                   "--metrics takes accuracy, mse, mae (comma-separated), "
                                   "got '%s'",
                                   v);
            o->have_metrics = true;
            break;
        }
    }
    if (!o->model && !o->resume) return usage_error(usage, "%s", "a model file is required");
    return 0;
}

int cli_fail(void) {
    fprintf(stderr, "mcdl: %s\n", mcdl_last_error());
    return CLI_ERROR;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

mcdl_status cli_apply_runtime(const cli_opts *o) {
    if (o->threads > 0) {
        mcdl_status s = mcdl_set_num_threads((int)o->threads);
        if (s != MCDL_OK) return s;
    }
    if (o->max_memory > 0) return mcdl_set_max_memory(o->max_memory);
    const char *env = getenv("MCDL_MAX_MEMORY");
    int64_t v;
    if (env && *env) return mcdl_parse_bytes(env, &v); /* report a bad MCDL_MAX_MEMORY */
    return MCDL_OK;
}

mcdl_status cli_open_model(const cli_opts *o, mcdl_model **m) {
    *m = NULL;
    mcdl_status rs = cli_apply_runtime(o);
    if (rs != MCDL_OK) return rs;
    mcdl_status s = mcdl_model_open(o->model, (uint64_t)o->seed, m);
    if (s != MCDL_OK || !o->weights) return s;
    if (ends_with(o->weights, ".mcdl")) {
        /* The weights of another saved model of the same architecture. */
        mcdl_model *src = NULL;
        mcdl_npz *z = NULL;
        s = mcdl_model_load(o->weights, &src);
        if (s == MCDL_OK) s = mcdl_model_get_weights_npz(src, &z);
        if (s == MCDL_OK) s = mcdl_model_set_weights_npz(*m, z);
        mcdl_npz_destroy(z);
        mcdl_model_destroy(src);
    } else {
        s = mcdl_model_load_weights_npz(*m, o->weights);
    }
    if (s != MCDL_OK) {
        mcdl_model_destroy(*m);
        *m = NULL;
    }
    return s;
}

mcdl_status cli_load_arrays(const char *const *paths, int n, mcdl_tensor **out) {
    for (int i = 0; i < n; i++) out[i] = NULL;
    for (int i = 0; i < n; i++) {
        mcdl_status s = mcdl_npy_load(paths[i], &out[i]);
        if (s != MCDL_OK) {
            cli_free_arrays(out, i);
            return s;
        }
    }
    return MCDL_OK;
}

void cli_free_arrays(mcdl_tensor **t, int n) {
    for (int i = 0; i < n; i++) {
        mcdl_tensor_destroy(t[i]);
        t[i] = NULL;
    }
}

mcdl_status cli_compile(mcdl_model *m, const cli_opts *o, bool *needs_loss_usage) {
    *needs_loss_usage = false;
    mcdl_compile_opts c;
    memset(&c, 0, sizeof c);
    if (!o->loss) {
        if (!mcdl_model_is_compiled(m)) {
            *needs_loss_usage = true;
            return MCDL_ERR_ARG;
        }
        /* A saved, compiled model keeps its loss, optimizer state and metrics unless the
         * command line changes the optimizer or metrics. */
        if (!o->optimizer && o->lr < 0 && !o->have_metrics) return MCDL_OK;
        mcdl_status s = mcdl_model_compile_opts(m, &c);
        if (s != MCDL_OK) return s;
        if (o->optimizer || o->lr >= 0) memset(&c.optimizer, 0, sizeof c.optimizer);
    } else {
        mcdl_status s = mcdl_loss_from_name(o->loss, &c.loss);
        if (s != MCDL_OK) return s;
    }
    if (o->optimizer) {
        mcdl_status s = mcdl_optimizer_from_name(o->optimizer, &c.optimizer.kind);
        if (s != MCDL_OK) return s;
    }
    if (o->lr > 0) c.optimizer.learning_rate = (float)o->lr;
    if (o->have_metrics) c.metrics = o->metrics;
    return mcdl_model_compile(m, &c);
}
