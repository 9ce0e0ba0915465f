/* Layer normalisation forward/backward, neon path (simd/f32_neon.h). */
#include "kernels/norm/layernorm.h"
#include "simd/f32_neon.h"

#define MCDL_ISA_FN(name) name##_neon
#include "kernels/norm/layernorm_body.inc"
