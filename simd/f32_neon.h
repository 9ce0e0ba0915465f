/* f32 vector API, aarch64 NEON flavour: 4 lanes. Same names and semantics as
 * f32_scalar.h, f32_avx2.h and f32_avx512.h; include exactly one per source file.
 * Math accuracy: see f32_math.inc. */
#ifndef MCDL_SIMD_F32_H
#define MCDL_SIMD_F32_H
#define MCDL_SIMD_F32_NEON 1

#include <arm_neon.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define VF_WIDTH 4
typedef float32x4_t vf;
typedef int32x4_t vi;
typedef uint32x4_t vmask;

static inline vf vf_load(const float *p) { return vld1q_f32(p); }
static inline void vf_store(float *p, vf v) { vst1q_f32(p, v); }
/* NEON has no masked load: go through a small stack buffer so nothing past p + n is read. */
static inline vf vf_load_tail(const float *p, int64_t n) {
    float t[4] = {0, 0, 0, 0};
    memcpy(t, p, (size_t)n * sizeof(float));
    return vld1q_f32(t);
}
static inline void vf_store_tail(float *p, vf v, int64_t n) {
    float t[4];
    vst1q_f32(t, v);
    memcpy(p, t, (size_t)n * sizeof(float));
}
static inline vf vf_zero(void) { return vdupq_n_f32(0.0f); }
static inline vf vf_set1(float x) { return vdupq_n_f32(x); }
static inline vf vf_add(vf a, vf b) { return vaddq_f32(a, b); }
static inline vf vf_sub(vf a, vf b) { return vsubq_f32(a, b); }
static inline vf vf_mul(vf a, vf b) { return vmulq_f32(a, b); }
static inline vf vf_div(vf a, vf b) { return vdivq_f32(a, b); }
static inline vf vf_fma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
static inline vf vf_fnma(vf a, vf b, vf c) { return vfmsq_f32(c, a, b); }
/* maxnm/minnm return the number when one operand is NaN, as the x86 paths mostly do. */
static inline vf vf_max(vf a, vf b) { return vmaxnmq_f32(a, b); }
static inline vf vf_min(vf a, vf b) { return vminnmq_f32(a, b); }
static inline vf vf_sqrt(vf a) { return vsqrtq_f32(a); }
static inline vf vf_abs(vf a) { return vabsq_f32(a); }
static inline vf vf_neg(vf a) { return vnegq_f32(a); }
static inline vmask vf_lt(vf a, vf b) { return vcltq_f32(a, b); }
static inline vmask vf_gt(vf a, vf b) { return vcgtq_f32(a, b); }
static inline vmask vf_isnan(vf a) { return vmvnq_u32(vceqq_f32(a, a)); }
static inline vmask vm_or(vmask a, vmask b) { return vorrq_u32(a, b); }
static inline vf vf_select(vmask m, vf a, vf b) { return vbslq_f32(m, a, b); }
static inline float vf_hsum(vf v) { return vaddvq_f32(v); }
static inline float vf_hmax(vf v) { return vmaxvq_f32(v); }
static inline vi vf_round_to_vi(vf a) { return vcvtnq_s32_f32(a); }
static inline vf vi_to_vf(vi a) { return vcvtq_f32_s32(a); }
static inline vf vf_round(vf a) { return vrndnq_f32(a); }
static inline vi vi_set1(int32_t x) { return vdupq_n_s32(x); }
static inline vi vi_add(vi a, vi b) { return vaddq_s32(a, b); }
static inline vi vi_sub(vi a, vi b) { return vsubq_s32(a, b); }
static inline vi vi_and(vi a, vi b) { return vandq_s32(a, b); }
static inline vi vi_or(vi a, vi b) { return vorrq_s32(a, b); }
static inline vi vi_shl23(vi a) { return vshlq_n_s32(a, 23); }
static inline vi vi_srl23(vi a) {
    return vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_s32(a), 23));
}
static inline vf vi_as_vf(vi a) { return vreinterpretq_f32_s32(a); }
static inline vi vf_as_vi(vf a) { return vreinterpretq_s32_f32(a); }

#include "simd/f32_math.inc"

#endif
