/* Direct convolution, depthwise and pooling row kernels, avx2 path (simd/f32_avx2.h). */
#include "kernels/conv/conv.h"
#include "simd/f32_avx2.h"

/* Non-temporal stores for pooling outputs that are written whole and not read back by the
 * same pass (see pool_stream in convdirect_pool.inc); need 32-byte aligned addresses. */
#define MCDL_CONV_STREAM_ALIGN 32
#define MCDL_CONV_STREAM_STORE(p, v) _mm256_stream_ps((p), (v))
#define MCDL_CONV_STREAM_FENCE() _mm_sfence()

#define MCDL_ISA_FN(name) name##_avx2
#include "kernels/conv/convdirect_body.inc"
