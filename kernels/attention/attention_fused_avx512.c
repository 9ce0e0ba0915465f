/* Fused multi-head attention forward/backward, avx512 path (simd/f32_avx512.h). */
#include "kernels/attention/attention.h"
#include "simd/f32_avx512.h"

#define MCDL_ISA_FN(name) name##_avx512
#include "kernels/attention/attention_body.inc"
