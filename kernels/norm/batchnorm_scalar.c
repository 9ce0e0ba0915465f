/* Batch-norm channel-vector loops, scalar path (simd/f32_scalar.h). */
#include "kernels/norm/batchnorm.h"
#include "simd/f32_scalar.h"

#define MCDL_ISA_FN(name) name##_scalar
#include "kernels/norm/batchnorm_body.inc"
