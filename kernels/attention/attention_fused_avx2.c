/* Fused multi-head attention forward/backward, avx2 path (simd/f32_avx2.h). */
#include "kernels/attention/attention.h"
#include "simd/f32_avx2.h"

#define MCDL_ISA_FN(name) name##_avx2
#include "kernels/attention/attention_body.inc"
