/* Direct convolution, depthwise and pooling row kernels, avx512 path (simd/f32_avx512.h). */
#include "kernels/conv/conv.h"
#include "simd/f32_avx512.h"

/* Non-temporal stores for pooling outputs that are written whole and not read back by the
 * same pass (see pool_stream in convdirect_pool.inc); need 64-byte aligned addresses. */
#define MCDL_CONV_STREAM_ALIGN 64
#define MCDL_CONV_STREAM_STORE(p, v) _mm512_stream_ps((p), (v))
#define MCDL_CONV_STREAM_FENCE() _mm_sfence()

/* Max-pooling argmax bytes <-> float lanes holding small integers (whole vectors). */
#define MCDL_CONV_IDX8_STORE_FULL(p, v)                                                            \
    _mm_storeu_si128((__m128i *)(void *)(p), _mm512_cvtepi32_epi8(_mm512_cvttps_epi32(v)))
#define MCDL_CONV_IDX8_LOAD_FULL(p)                                                                \
    _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p))))

#define MCDL_ISA_FN(name) name##_avx512
#include "kernels/conv/convdirect_body.inc"
