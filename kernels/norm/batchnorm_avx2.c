/* Batch-norm channel-vector loops, avx2 path (simd/f32_avx2.h). */
#include "kernels/norm/batchnorm.h"
#include "simd/f32_avx2.h"

/* Non-temporal stores for the affine pass's large outputs (see bn_affine); they need
 * 32-byte aligned addresses. */
#define MCDL_BN_STREAM_ALIGN 32
#define MCDL_BN_STREAM_STORE(p, v) _mm256_stream_ps((p), (v))
#define MCDL_BN_STREAM_FENCE() _mm_sfence()

#define MCDL_ISA_FN(name) name##_avx2
#include "kernels/norm/batchnorm_body.inc"
