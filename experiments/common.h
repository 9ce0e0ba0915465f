/* Shared plumbing of the experiment programs: command-line flags (--smoke, --out,
 * --epochs, --json, --only), fit with Keras-style epoch lines, CSV history, gnuplot loss curves,
 * the smoke-mode check (finite, decreasing loss) and the missing-data exit (77). */
#ifndef MCDL_EXPERIMENTS_COMMON_H
#define MCDL_EXPERIMENTS_COMMON_H

#include <stdbool.h>

#include "mcdl/mcdl.h"

typedef struct {
    bool smoke;            /**< tiny epochs for CTest */
    const char *out;       /**< output directory (created), default "out/experiments" */
    int epochs;            /**< 0: the program's own default */
    const char *json_path; /**< --json PATH: write the model's Keras JSON and exit */
    const char *only;      /**< --only NAME: programs with several models run just that one */
} exp_args;

/** Parses the flags; returns false (after printing usage) on a bad flag. */
bool exp_parse(int argc, char **argv, exp_args *a);

/** Epochs to use: --epochs, else smoke_epochs in smoke mode, else full_epochs. */
int exp_epochs(const exp_args *a, int full_epochs, int smoke_epochs);

/** Writes m's Keras JSON to a->json_path when --json was given; returns true if it did
 *  (the program then exits with the returned *rc). */
bool exp_maybe_write_json(const exp_args *a, const mcdl_model *m, int *rc);

/** Prints the summary, fits (one line per epoch), writes <out>/<name>_history.csv and a
 *  gnuplot PNG <out>/<name>_loss.png (when gnuplot is installed). In smoke mode, checks
 *  the loss is finite and the last epoch's is below the first's. Returns 0 on success. */
int exp_fit(const exp_args *a, const char *name, mcdl_model *m, int n_x, mcdl_tensor *const *x,
            int n_y, mcdl_tensor *const *y, const mcdl_fit_opts *fo, double *seconds);

/** For a missing data set: prints the command that fetches it; returns 77 (CTest skip). */
int exp_missing_data(const char *what);

/** Rows [r0, r1) of t as a new tensor (copy). */
mcdl_tensor *exp_rows(const mcdl_tensor *t, int64_t r0, int64_t r1);

/** Checks a status: prints mcdl_last_error() with the context and returns false on error. */
bool exp_ok(mcdl_status s, const char *what);

double exp_now(void);

#endif
