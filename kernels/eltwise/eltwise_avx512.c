/* Activation forward/backward and softmax kernels, avx512 path (simd/f32_avx512.h). */
#include "kernels/eltwise/eltwise.h"
#include "simd/f32_avx512.h"

#define MCDL_ISA_FN(name) name##_avx512
#include "kernels/eltwise/eltwise_body.inc"
