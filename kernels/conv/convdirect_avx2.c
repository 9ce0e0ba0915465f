/* Direct convolution, depthwise and pooling row kernels, avx2 path (simd/f32_avx2.h). */
#include "kernels/conv/conv.h"
#include "simd/f32_avx2.h"

#define MCDL_ISA_FN(name) name##_avx2
#include "kernels/conv/convdirect_body.inc"
