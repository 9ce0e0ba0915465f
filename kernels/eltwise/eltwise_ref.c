/* Activation forward/backward and softmax kernels, ref path (simd/f32_scalar.h). */
#include "kernels/eltwise/eltwise.h"
#include "simd/f32_scalar.h"

#define MCDL_ISA_FN(name) name##_ref
#include "kernels/eltwise/eltwise_body.inc"
