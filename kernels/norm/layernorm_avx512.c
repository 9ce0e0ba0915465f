/* Layer normalisation forward/backward, avx512 path (simd/f32_avx512.h). */
#include "kernels/norm/layernorm.h"
#include "simd/f32_avx512.h"

#define MCDL_ISA_FN(name) name##_avx512
#include "kernels/norm/layernorm_body.inc"
