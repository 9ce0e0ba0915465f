/* Internal: the machine's measured limits (FMA throughput, read bandwidth) for
 * tools/peak and the scaling experiments. Each probe runs short trials and keeps the
 * best, because on a shared machine interference only ever makes a trial slower. */
#ifndef MCDL_LIB_PERF_PEAK_H
#define MCDL_LIB_PERF_PEAK_H

#include <stddef.h>

#include "mcdl/status.h"

/** GFLOPS of single-precision FMA on the path isa ("ref", "avx2", "avx512", "neon") with
 *  threads OpenMP threads, each running independent FMA chains; best of trials spread over
 *  about seconds. With one thread, *gflops_cpu (if not NULL) gets the same work divided by
 *  the thread's CPU time instead of wall time: the rate while on a core, which a loaded
 *  machine does not disturb (with more threads it is set to *gflops: threads sharing a core
 *  would each look full-speed). An unknown or unsupported path, threads < 1 or
 *  seconds <= 0 is an error. */
mcdl_status mcdl_perf_fma_gflops(const char *isa, int threads, double seconds, double *gflops,
                                 double *gflops_cpu);

/** Read bandwidth in GB/s (1e9 bytes) with threads threads, each summing its own buffer of
 *  bytes bytes (first touched by that thread) over and over with isa's vector loads; best
 *  of trials over about seconds. bytes is rounded down to a multiple of 512 (at least 512). */
mcdl_status mcdl_perf_read_gbps(const char *isa, int threads, size_t bytes, double seconds,
                                double *gbps);

#endif
