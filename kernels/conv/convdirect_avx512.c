/* Direct convolution, depthwise and pooling row kernels, avx512 path (simd/f32_avx512.h). */
#include "kernels/conv/conv.h"
#include "simd/f32_avx512.h"

#define MCDL_ISA_FN(name) name##_avx512
#include "kernels/conv/convdirect_body.inc"
