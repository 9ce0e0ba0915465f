/* Peak probes (FMA throughput, read bandwidth), neon path (simd/f32_neon.h). */
#include "kernels/peak/peak.h"
#include "simd/f32_neon.h"

#define MCDL_ISA_FN(name) name##_neon
#define PEAK_FMA(a, b, c) vf_fma(a, b, c)
#include "kernels/peak/peak_body.inc"
