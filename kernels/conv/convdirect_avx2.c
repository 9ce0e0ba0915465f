/* Direct convolution, depthwise and pooling row kernels, avx2 path (simd/f32_avx2.h). */
#include "kernels/conv/conv.h"
#include "simd/f32_avx2.h"

/* Non-temporal stores for pooling outputs that are written whole and not read back by the
 * same pass (see pool_stream in convdirect_pool.inc); need 32-byte aligned addresses. */
#define MCDL_CONV_STREAM_ALIGN 32
#define MCDL_CONV_STREAM_STORE(p, v) _mm256_stream_ps((p), (v))
#define MCDL_CONV_STREAM_FENCE() _mm_sfence()

/* Max-pooling argmax bytes <-> float lanes holding small integers (whole vectors only;
 * the body's portable helpers take the tails). */
#define MCDL_CONV_IDX8_STORE_FULL(p, v)                                                            \
    do {                                                                                           \
        const __m256i i32_ = _mm256_cvttps_epi32(v);                                               \
        const __m128i i16_ =                                                                       \
            _mm_packs_epi32(_mm256_castsi256_si128(i32_), _mm256_extracti128_si256(i32_, 1));      \
        _mm_storel_epi64((__m128i *)(void *)(p), _mm_packus_epi16(i16_, i16_));                    \
    } while (0)
#define MCDL_CONV_IDX8_LOAD_FULL(p)                                                                \
    _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(p))))

#define MCDL_ISA_FN(name) name##_avx2
#include "kernels/conv/convdirect_body.inc"
