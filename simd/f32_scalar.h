/* f32 vector API, portable scalar flavour: 1 lane. Same names and semantics as the
 * AVX2, AVX-512 and NEON headers, so generic kernel bodies compile everywhere and the
 * reference path runs the very same math algorithms. Math accuracy: see f32_math.inc. */
#ifndef MCDL_SIMD_F32_H
#define MCDL_SIMD_F32_H
#define MCDL_SIMD_F32_SCALAR 1

#include <math.h>
#include <stdint.h>
#include <string.h>

#define VF_WIDTH 1
typedef float vf;
typedef int32_t vi;
typedef int vmask;

static inline vf vf_load(const float *p) { return *p; }
static inline void vf_store(float *p, vf v) { *p = v; }
static inline vf vf_load_tail(const float *p, int64_t n) { return n > 0 ? *p : 0.0f; }
static inline void vf_store_tail(float *p, vf v, int64_t n) {
    if (n > 0) *p = v;
}
static inline vf vf_zero(void) { return 0.0f; }
static inline vf vf_set1(float x) { return x; }
static inline vf vf_add(vf a, vf b) { return a + b; }
static inline vf vf_sub(vf a, vf b) { return a - b; }
static inline vf vf_mul(vf a, vf b) { return a * b; }
static inline vf vf_div(vf a, vf b) { return a / b; }
static inline vf vf_fma(vf a, vf b, vf c) { return fmaf(a, b, c); }
static inline vf vf_fnma(vf a, vf b, vf c) { return fmaf(-a, b, c); }
static inline vf vf_max(vf a, vf b) { return a > b ? a : b; }
static inline vf vf_min(vf a, vf b) { return a < b ? a : b; }
static inline vf vf_sqrt(vf a) { return sqrtf(a); }
static inline vf vf_abs(vf a) { return fabsf(a); }
static inline vf vf_neg(vf a) { return -a; }
static inline vmask vf_lt(vf a, vf b) { return a < b; }
static inline vmask vf_gt(vf a, vf b) { return a > b; }
static inline vmask vf_isnan(vf a) { return a != a; }
static inline vmask vm_or(vmask a, vmask b) { return a || b; }
static inline vf vf_select(vmask m, vf a, vf b) { return m ? a : b; }
static inline float vf_hsum(vf v) { return v; }
static inline float vf_hmax(vf v) { return v; }
static inline vi vf_round_to_vi(vf a) { return (vi)nearbyintf(a); }
static inline vf vi_to_vf(vi a) { return (vf)a; }
static inline vf vf_round(vf a) { return nearbyintf(a); }
static inline vi vi_set1(int32_t x) { return x; }
static inline vi vi_add(vi a, vi b) { return (vi)((uint32_t)a + (uint32_t)b); }
static inline vi vi_sub(vi a, vi b) { return (vi)((uint32_t)a - (uint32_t)b); }
static inline vi vi_and(vi a, vi b) { return a & b; }
static inline vi vi_or(vi a, vi b) { return a | b; }
static inline vi vi_shl23(vi a) { return (vi)((uint32_t)a << 23); }
static inline vi vi_srl23(vi a) { return (vi)((uint32_t)a >> 23); }
static inline vf vi_as_vf(vi a) {
    float f;
    memcpy(&f, &a, sizeof f);
    return f;
}
static inline vi vf_as_vi(vf a) {
    vi i;
    memcpy(&i, &a, sizeof i);
    return i;
}

#include "simd/f32_math.inc"

#endif
