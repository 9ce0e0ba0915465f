/* Peak probes (FMA throughput, read bandwidth), avx2 path (simd/f32_avx2.h). */
#include "kernels/peak/peak.h"
#include "simd/f32_avx2.h"

#define MCDL_ISA_FN(name) name##_avx2
#define PEAK_FMA(a, b, c) vf_fma(a, b, c)
#include "kernels/peak/peak_body.inc"
