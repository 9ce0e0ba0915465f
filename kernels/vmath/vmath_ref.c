/* Vectorised exp/log/tanh/sigmoid over arrays, ref path (simd/f32_scalar.h). */
#include "kernels/vmath/vmath.h"
#include "simd/f32_scalar.h"

#define MCDL_ISA_FN(name) name##_ref
#include "kernels/vmath/vmath_body.inc"
