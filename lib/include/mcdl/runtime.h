/* Run-time settings and machine information: threads, the selected ISA path, CPU
 * features, and the vectorised math functions as array operations. */
#ifndef MCDL_RUNTIME_H
#define MCDL_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "mcdl/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Threads used by every parallel kernel from now on (OpenMP). n < 1 is MCDL_ERR_ARG.
 *  OMP_NUM_THREADS sets the initial value. */
mcdl_status mcdl_set_num_threads(int n);
int mcdl_get_num_threads(void);

/** Process-wide cap, in bytes, on the activation arena a model plans for a batch (0: no
 *  cap). A plan over the cap is refused before allocating, with MCDL_ERR_NOMEM and both
 *  figures ("planned 3.2 GiB ... exceeds the cap of 1.0 GiB"). Until set, the environment
 *  variable MCDL_MAX_MEMORY (bytes, or with a K/M/G suffix: 512M, 2G) gives it; a fit's
 *  own max_memory overrides it. Negative: MCDL_ERR_ARG. */
mcdl_status mcdl_set_max_memory(int64_t bytes);
int64_t mcdl_get_max_memory(void);
/** Parses "1073741824", "512K", "64M", "2G" (binary units) into bytes; MCDL_ERR_ARG
 *  naming the text when it is not such a size. */
mcdl_status mcdl_parse_bytes(const char *text, int64_t *bytes);

/** The kernel path in use: "avx512", "avx2", "neon" or "ref". */
const char *mcdl_active_isa(void);
/** Selects a path by name ("ref", "avx2", "avx512", "neon"), as MCDL_ISA does.
 *  An unknown name or a path this CPU lacks is an error and changes nothing. */
mcdl_status mcdl_set_isa(const char *name);
/** MCDL_OK, or MCDL_ERR_UNSUPPORTED with a sentence when MCDL_ISA asked for a path this CPU
 *  cannot run (every kernel-running call then returns that error). */
mcdl_status mcdl_isa_status(void);
/** Comma-separated CPU features found, e.g. "avx2,fma,f16c,avx512f". */
void mcdl_cpu_features_str(char *buf, size_t n);

/** Vectorised element-wise math on the active path; y may equal x.
 *  Accuracy against libm: exp <= 2 ulp, log <= 2 ulp, tanh <= 3 ulp, sigmoid <= 3 ulp. */
mcdl_status mcdl_vexp(const float *x, float *y, int64_t n);
mcdl_status mcdl_vlog(const float *x, float *y, int64_t n);
mcdl_status mcdl_vtanh(const float *x, float *y, int64_t n);
mcdl_status mcdl_vsigmoid(const float *x, float *y, int64_t n);

#ifdef __cplusplus
}
#endif
#endif
