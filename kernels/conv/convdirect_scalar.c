/* Direct convolution, depthwise and pooling row kernels, scalar path (simd/f32_scalar.h). */
#include "kernels/conv/conv.h"
#include "simd/f32_scalar.h"

#define MCDL_ISA_FN(name) name##_scalar
#include "kernels/conv/convdirect_body.inc"
