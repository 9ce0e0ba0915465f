/* Direct convolution, depthwise and pooling row kernels, neon path (simd/f32_neon.h). */
#include "kernels/conv/conv.h"
#include "simd/f32_neon.h"

#define MCDL_ISA_FN(name) name##_neon
#include "kernels/conv/convdirect_body.inc"
