/* Vectorised exp/log/tanh/sigmoid over arrays, avx512 path (simd/f32_avx512.h). */
#include "kernels/vmath/vmath.h"
#include "simd/f32_avx512.h"

#define MCDL_ISA_FN(name) name##_avx512
#include "kernels/vmath/vmath_body.inc"
