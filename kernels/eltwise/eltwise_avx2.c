/* Activation forward/backward and softmax kernels, avx2 path (simd/f32_avx2.h). */
#include "kernels/eltwise/eltwise.h"
#include "simd/f32_avx2.h"

#define MCDL_ISA_FN(name) name##_avx2
#include "kernels/eltwise/eltwise_body.inc"
