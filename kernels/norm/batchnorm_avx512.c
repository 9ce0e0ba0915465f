/* Batch-norm channel-vector loops, avx512 path (simd/f32_avx512.h). */
#include "kernels/norm/batchnorm.h"
#include "simd/f32_avx512.h"

#define MCDL_ISA_FN(name) name##_avx512
#include "kernels/norm/batchnorm_body.inc"
