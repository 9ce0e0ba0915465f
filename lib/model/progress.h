/* Internal: fit's progress output: Keras' per-epoch bar on a terminal, one line per epoch
 * otherwise (or with verbose 2), nothing with verbose 0. */
#ifndef MCDL_LIB_MODEL_PROGRESS_H
#define MCDL_LIB_MODEL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "mcdl/model.h"

typedef struct {
    const mcdl_model *m;
    int verbose, epochs, epoch;
    int64_t steps;
    bool bar;
    double t0, t_last_draw;
} mcdl_progress;

void mcdl_progress_init(mcdl_progress *p, const mcdl_model *m, int verbose, int epochs,
                        int64_t steps);
void mcdl_progress_epoch_begin(mcdl_progress *p, int epoch);
void mcdl_progress_step(mcdl_progress *p, int64_t step, const double *results);
void mcdl_progress_epoch_end(mcdl_progress *p, const double *results, const double *val_results);
void mcdl_progress_eval_line(const mcdl_model *m, const double *results);

#endif
