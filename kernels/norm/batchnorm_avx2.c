/* Batch-norm channel-vector loops, avx2 path (simd/f32_avx2.h). */
#include "kernels/norm/batchnorm.h"
#include "simd/f32_avx2.h"

#define MCDL_ISA_FN(name) name##_avx2
#include "kernels/norm/batchnorm_body.inc"
