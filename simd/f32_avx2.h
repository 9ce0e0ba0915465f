/* f32 vector API, AVX2 + FMA flavour: 8 lanes. Same names and semantics as
 * f32_scalar.h, f32_avx512.h and f32_neon.h; include exactly one per source file
 * (compiled with -mavx2 -mfma, see CMakeLists.txt). Math accuracy: see f32_math.inc. */
#ifndef MCDL_SIMD_F32_H
#define MCDL_SIMD_F32_H
#define MCDL_SIMD_F32_AVX2 1

#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#define VF_WIDTH 8
typedef __m256 vf;
typedef __m256i vi;
typedef __m256 vmask;

static inline vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline __m256i vf_tail_mask_(int64_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
/* Loads lanes [0, n) (n < VF_WIDTH); the rest are zero and memory past p + n is not read. */
static inline vf vf_load_tail(const float *p, int64_t n) {
    return _mm256_maskload_ps(p, vf_tail_mask_(n));
}
/* Stores lanes [0, n) only. */
static inline void vf_store_tail(float *p, vf v, int64_t n) {
    _mm256_maskstore_ps(p, vf_tail_mask_(n), v);
}
static inline vf vf_zero(void) { return _mm256_setzero_ps(); }
static inline vf vf_set1(float x) { return _mm256_set1_ps(x); }
static inline vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm256_div_ps(a, b); }
/* a * b + c, one rounding */
static inline vf vf_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
/* c - a * b, one rounding */
static inline vf vf_fnma(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
/* max/min: when one operand is NaN the other is returned (x86 semantics differ from
 * fmaxf only for NaN; kernels that care use vf_isnan + vf_select). */
static inline vf vf_max(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm256_min_ps(a, b); }
static inline vf vf_sqrt(vf a) { return _mm256_sqrt_ps(a); }
static inline vf vf_abs(vf a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
static inline vf vf_neg(vf a) { return _mm256_xor_ps(_mm256_set1_ps(-0.0f), a); }
static inline vmask vf_lt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline vmask vf_gt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
static inline vmask vf_isnan(vf a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
static inline vmask vm_or(vmask a, vmask b) { return _mm256_or_ps(a, b); }
/* m ? a : b per lane */
static inline vf vf_select(vmask m, vf a, vf b) { return _mm256_blendv_ps(b, a, m); }
static inline float vf_hsum(vf v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
static inline float vf_hmax(vf v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
/* Integer lanes, used by the math functions for exponent arithmetic. */
static inline vi vf_round_to_vi(vf a) { return _mm256_cvtps_epi32(a); } /* nearest-even */
static inline vf vi_to_vf(vi a) { return _mm256_cvtepi32_ps(a); }
static inline vf vf_round(vf a) {
    return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
static inline vi vi_set1(int32_t x) { return _mm256_set1_epi32(x); }
static inline vi vi_add(vi a, vi b) { return _mm256_add_epi32(a, b); }
static inline vi vi_sub(vi a, vi b) { return _mm256_sub_epi32(a, b); }
static inline vi vi_and(vi a, vi b) { return _mm256_and_si256(a, b); }
static inline vi vi_or(vi a, vi b) { return _mm256_or_si256(a, b); }
static inline vi vi_shl23(vi a) { return _mm256_slli_epi32(a, 23); }
static inline vi vi_srl23(vi a) { return _mm256_srli_epi32(a, 23); }
static inline vf vi_as_vf(vi a) { return _mm256_castsi256_ps(a); }
static inline vi vf_as_vi(vf a) { return _mm256_castps_si256(a); }

#include "simd/f32_math.inc"

#endif
