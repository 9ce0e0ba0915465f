/* Batch-norm channel-vector loops, neon path (simd/f32_neon.h). */
#include "kernels/norm/batchnorm.h"
#include "simd/f32_neon.h"

#define MCDL_ISA_FN(name) name##_neon
#include "kernels/norm/batchnorm_body.inc"
