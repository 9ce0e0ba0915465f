/* Internal: losses and metrics on one batch of one output (KERAS_SEMANTICS.md "Losses"). */
#ifndef MCDL_LIB_MODEL_LOSS_H
#define MCDL_LIB_MODEL_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#include "mcdl/model.h"

/* Batch geometry: rows = samples x positions (all axes but the last), cols = last axis.
 * Targets are rows x cols, or rows x 1 class ids for the sparse loss. */
typedef struct {
    mcdl_loss loss;
    bool from_logits;
    int64_t rows, cols;
} mcdl_loss_desc;

/* Mean loss over the rows (Keras' sum_over_batch_size); when dy is not NULL it receives the
 * gradient of that mean w.r.t. y. Computed in double per row. */
double mcdl_loss_eval(const mcdl_loss_desc *d, const float *y, const float *t, float *dy);

typedef enum { MCDL_ACC_BINARY, MCDL_ACC_CATEGORICAL, MCDL_ACC_SPARSE } mcdl_acc_kind;

/* Sums over the rows of the batch (divide by rows later): correct predictions,
 * mean-over-last-axis squared and absolute errors (sparse targets are one-hot expanded). */
void mcdl_metric_sums(const mcdl_loss_desc *d, mcdl_acc_kind acc, const float *y, const float *t,
                      double *correct, double *sq, double *abs_err);

#endif
