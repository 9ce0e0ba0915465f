/* Peak probes (FMA throughput, read bandwidth), avx512 path (simd/f32_avx512.h). */
#include "kernels/peak/peak.h"
#include "simd/f32_avx512.h"

#define MCDL_ISA_FN(name) name##_avx512
#define PEAK_FMA(a, b, c) vf_fma(a, b, c)
#include "kernels/peak/peak_body.inc"
