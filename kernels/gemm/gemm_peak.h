/* FMA throughput probes: the denominator of "% of peak" in the GEMM benchmarks. Each runs
 * iters rounds of independent vector FMA chains held in registers (16 zmm for AVX-512,
 * 12 ymm for AVX2: more than FMA latency x FMA pipes on current x86 cores), so it measures
 * issue throughput, and returns a value depending on every chain so nothing is optimised
 * away. Flops per call: iters * chains * lanes * 2. */
#ifndef MCDL_KERNELS_GEMM_PEAK_H
#define MCDL_KERNELS_GEMM_PEAK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__x86_64__)
float mcdl_f32_fma_peak_avx512(int64_t iters); /* 16 chains x 16 lanes */
float mcdl_f32_fma_peak_avx2(int64_t iters);   /* 12 chains x 8 lanes */
#endif

#ifdef __cplusplus
}
#endif
#endif
