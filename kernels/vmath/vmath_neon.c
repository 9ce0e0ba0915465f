/* Vectorised exp/log/tanh/sigmoid over arrays, neon path (simd/f32_neon.h). */
#include "kernels/vmath/vmath.h"
#include "simd/f32_neon.h"

#define MCDL_ISA_FN(name) name##_neon
#include "kernels/vmath/vmath_body.inc"
