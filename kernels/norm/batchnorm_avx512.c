/* Batch-norm channel-vector loops, avx512 path (simd/f32_avx512.h). */
#include "kernels/norm/batchnorm.h"
#include "simd/f32_avx512.h"

/* Non-temporal stores for the affine pass's large outputs (see bn_affine); they need
 * 64-byte aligned addresses. */
#define MCDL_BN_STREAM_ALIGN 64
#define MCDL_BN_STREAM_STORE(p, v) _mm512_stream_ps((p), (v))
#define MCDL_BN_STREAM_FENCE() _mm_sfence()

#define MCDL_ISA_FN(name) name##_avx512
#include "kernels/norm/batchnorm_body.inc"
