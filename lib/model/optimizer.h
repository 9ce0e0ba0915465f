/* Internal: optimizer updates with Keras 3's rules (keras/src/optimizers), float32 state. */
#ifndef MCDL_LIB_MODEL_OPTIMIZER_H
#define MCDL_LIB_MODEL_OPTIMIZER_H

#include <stdint.h>

#include "mcdl/model.h"

/* Fills Keras' defaults into every zero field (MCDL_ZERO stays a real 0). */
mcdl_optimizer_opts mcdl_optimizer_resolve(const mcdl_optimizer_opts *o);
int mcdl_optimizer_slots(const mcdl_optimizer_opts *o);
const char *mcdl_optimizer_slot_name_of(const mcdl_optimizer_opts *o, int slot);
/* One update of n values; t = iterations + 1; s0/s1 the slots (unused ones NULL). */
void mcdl_optimizer_update(const mcdl_optimizer_opts *o, int64_t t, float *w, const float *g,
                           float *s0, float *s1, int64_t n);

#endif
