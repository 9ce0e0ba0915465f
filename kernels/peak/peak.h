/* Machine-peak probes: an FMA throughput loop and a streaming read loop per ISA, used by
 * tools/peak (through lib/perf/peak.h) to measure what the core and the memory system can
 * deliver. They compute nothing useful; their results only keep the compiler honest. */
#ifndef MCDL_KERNELS_PEAK_H
#define MCDL_KERNELS_PEAK_H

#include <stdint.h>

#include "simd/cpu.h"

/* Independent FMA chains per loop iteration. Zen 4 issues one 512-bit (two 256-bit) FMA per
 * cycle with 4-cycle latency, Intel server cores two 512-bit FMAs with 4-cycle latency, so
 * latency x throughput is at most 8 vectors in flight; 12 leaves headroom and still fits
 * the 16 ymm registers of AVX2 together with the two constants. */
#define MCDL_PEAK_FMA_CHAINS 12

/* Runs iters x MCDL_PEAK_FMA_CHAINS dependent-free vector FMAs (acc = acc * a + b) and
 * returns the sum of the accumulators (kept so the loop is not removed). Floating-point
 * operations performed: 2 * iters * MCDL_PEAK_FMA_CHAINS * lanes. */
typedef float (*mcdl_peak_fma_fn)(int64_t iters);
/* Sums n floats of buf (n a multiple of 8 * lanes; buf 64-byte aligned) reps times with
 * 8 independent vector accumulators and returns the total: one read stream. */
typedef float (*mcdl_peak_read_fn)(const float *buf, int64_t n, int64_t reps);

/* The implementations for isa (NULL when that path is not compiled in). */
mcdl_peak_fma_fn mcdl_peak_fma_fn_for(mcdl_isa isa);
mcdl_peak_read_fn mcdl_peak_read_fn_for(mcdl_isa isa);
/* Vector lanes (floats) of one register on isa: 1, 4, 8 or 16. */
int mcdl_peak_lanes(mcdl_isa isa);

float mcdl_peak_fma_ref(int64_t iters);
float mcdl_peak_fma_avx2(int64_t iters);
float mcdl_peak_fma_avx512(int64_t iters);
float mcdl_peak_fma_neon(int64_t iters);
float mcdl_peak_read_ref(const float *buf, int64_t n, int64_t reps);
float mcdl_peak_read_avx2(const float *buf, int64_t n, int64_t reps);
float mcdl_peak_read_avx512(const float *buf, int64_t n, int64_t reps);
float mcdl_peak_read_neon(const float *buf, int64_t n, int64_t reps);

#endif
