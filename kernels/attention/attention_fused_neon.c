/* Fused multi-head attention forward/backward, neon path (simd/f32_neon.h). */
#include "kernels/attention/attention.h"
#include "simd/f32_neon.h"

#define MCDL_ISA_FN(name) name##_neon
#include "kernels/attention/attention_body.inc"
