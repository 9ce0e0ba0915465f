/* Vectorised exp/log/tanh/sigmoid over arrays, avx2 path (simd/f32_avx2.h). */
#include "kernels/vmath/vmath.h"
#include "simd/f32_avx2.h"

#define MCDL_ISA_FN(name) name##_avx2
#include "kernels/vmath/vmath_body.inc"
