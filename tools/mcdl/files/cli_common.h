/* Shared pieces of the file-based sub-commands (summary, train, evaluate, predict,
 * export-weights): option parsing with exit code 2 on bad usage, model and array loading
 * with mcdl_last_error() on stderr and exit code 1. */
#ifndef MCDL_TOOLS_MCDL_FILES_CLI_COMMON_H
#define MCDL_TOOLS_MCDL_FILES_CLI_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "mcdl/mcdl.h"

#define CLI_MAX_ARRAYS 8
#define CLI_USAGE 2
#define CLI_ERROR 1

/* Options shared by the commands; each command accepts the subset its usage lists. */
typedef struct {
    const char *model;
    const char *x[CLI_MAX_ARRAYS], *y[CLI_MAX_ARRAYS], *out[CLI_MAX_ARRAYS];
    int n_x, n_y, n_out;
    const char *loss, *optimizer, *weights, *save;
    unsigned metrics;
    bool have_metrics;
    double lr, validation_split;
    int64_t epochs, batch_size, seed, threads;
    const char *checkpoint, *resume; /* train: checkpoint directory, resume directory */
    int64_t every, keep, max_memory;
} cli_opts;

/* Which options a command takes, as a set of flags. */
enum {
    CLI_X = 1 << 0,
    CLI_Y = 1 << 1,
    CLI_OUT = 1 << 2,
    CLI_LOSS = 1 << 3,
    CLI_OPTIMIZER = 1 << 4,
    CLI_LR = 1 << 5,
    CLI_EPOCHS = 1 << 6,
    CLI_BATCH = 1 << 7,
    CLI_VSPLIT = 1 << 8,
    CLI_METRICS = 1 << 9,
    CLI_SEED = 1 << 10,
    CLI_THREADS = 1 << 11,
    CLI_WEIGHTS = 1 << 12,
    CLI_SAVE = 1 << 13,
    CLI_CHECKPOINT = 1 << 14, /* --checkpoint DIR --every N --keep K --resume DIR */
    CLI_MAX_MEMORY = 1 << 15,
};

/* Parses argv[1..] (argv[0] is the command name): the first non-option argument is the
 * model path. Prints the problem and the usage to stderr and returns CLI_USAGE on bad
 * usage, 0 on success; -1 means --help was printed (exit 0). */
int cli_parse(int argc, char **argv, unsigned allowed, const char *usage, cli_opts *o);

/* Prints "mcdl: <sentence>" and returns CLI_ERROR. */
int cli_fail(void);

/* Applies --threads and --max-memory (process-wide settings). */
mcdl_status cli_apply_runtime(const cli_opts *o);

/* Opens MODEL (.mcdl or Keras JSON, chosen by content), applies --threads, and loads
 * --weights (.npz by Keras variable paths, or the weights of another .mcdl). */
mcdl_status cli_open_model(const cli_opts *o, mcdl_model **m);

/* Loads the named .npy files into tensors (destroy with cli_free_arrays). */
mcdl_status cli_load_arrays(const char *const *paths, int n, mcdl_tensor **out);
void cli_free_arrays(mcdl_tensor **t, int n);

/* Compiles with --loss/--optimizer/--lr/--metrics; when --loss is absent, an already
 * compiled model (.mcdl saved after training) keeps its settings. needs_loss_usage is set
 * when the loss is missing altogether (a usage error). */
mcdl_status cli_compile(mcdl_model *m, const cli_opts *o, bool *needs_loss_usage);

#endif
