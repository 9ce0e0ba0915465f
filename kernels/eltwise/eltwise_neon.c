/* Activation forward/backward and softmax kernels, neon path (simd/f32_neon.h). */
#include "kernels/eltwise/eltwise.h"
#include "simd/f32_neon.h"

#define MCDL_ISA_FN(name) name##_neon
#include "kernels/eltwise/eltwise_body.inc"
