/* Layer normalisation forward/backward, scalar path (simd/f32_scalar.h). */
#include "kernels/norm/layernorm.h"
#include "simd/f32_scalar.h"

#define MCDL_ISA_FN(name) name##_scalar
#include "kernels/norm/layernorm_body.inc"
