/* Fused multi-head attention forward/backward, scalar path (simd/f32_scalar.h). */
#include "kernels/attention/attention.h"
#include "simd/f32_scalar.h"

#define MCDL_ISA_FN(name) name##_scalar
#include "kernels/attention/attention_body.inc"
