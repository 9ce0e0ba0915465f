/* mcdl: many-core deep learning in C11. Umbrella header: include this one.
 *
 * Worked example (the library so far: runtime, tensors, random numbers):
 *
 *     #include <mcdl/mcdl.h>
 *     #include <stdio.h>
 *
 *     int main(void) {
 *         if (mcdl_isa_status() != MCDL_OK) {            // MCDL_ISA asked for a missing path
 *             fprintf(stderr, "%s\n", mcdl_last_error());
 *             return 1;
 *         }
 *         printf("kernels: %s, threads: %d\n", mcdl_active_isa(), mcdl_get_num_threads());
 *         mcdl_tensor *t;
 *         if (mcdl_tensor_create(&t, 2, (int64_t[]){4, 8}) != MCDL_OK) return 1;
 *         mcdl_rng_fill_uniform(42, 0, 0, mcdl_tensor_data(t), 32, -1.0f, 1.0f);
 *         mcdl_vtanh(mcdl_tensor_data(t), mcdl_tensor_data(t), 32);
 *         mcdl_tensor_destroy(t);
 *         return 0;
 *     }
 *
 * Every fallible call returns mcdl_status; on failure mcdl_last_error() names what was
 * wrong. The library never exits or aborts on bad input. */
#ifndef MCDL_MCDL_H
#define MCDL_MCDL_H

#include "mcdl/version.h"
#include "mcdl/status.h"
#include "mcdl/runtime.h"
#include "mcdl/tensor.h"
#include "mcdl/rng.h"
#include "mcdl/npy.h"
#include "mcdl/data.h"

#endif
