/* Element-wise vectorised math over float arrays (exp, log, tanh, sigmoid), one
 * implementation per ISA plus run-time dispatch. Accuracy: simd/f32_math.inc. */
#ifndef MCDL_KERNELS_VMATH_H
#define MCDL_KERNELS_VMATH_H

#include <stdint.h>

#include "simd/cpu.h"

typedef enum {
    MCDL_VMATH_EXP = 0,
    MCDL_VMATH_LOG,
    MCDL_VMATH_TANH,
    MCDL_VMATH_SIGMOID,
    MCDL_VMATH_COUNT
} mcdl_vmath_op;

/* y[i] = f(x[i]) for i < n; x and y may be the same array. */
typedef void (*mcdl_f32_unary_fn)(const float *x, float *y, int64_t n);

/* The implementation for op on the given path (NULL when the path is not compiled in). */
mcdl_f32_unary_fn mcdl_vmath_fn(mcdl_vmath_op op, mcdl_isa isa);
/* The implementation for op on the active path (mcdl_cpu_active_isa()). */
mcdl_f32_unary_fn mcdl_vmath_active(mcdl_vmath_op op);
const char *mcdl_vmath_name(mcdl_vmath_op op);

/* Per-ISA entry points, instantiated from vmath_body.inc. */
void mcdl_f32_vexp_ref(const float *x, float *y, int64_t n);
void mcdl_f32_vlog_ref(const float *x, float *y, int64_t n);
void mcdl_f32_vtanh_ref(const float *x, float *y, int64_t n);
void mcdl_f32_vsigmoid_ref(const float *x, float *y, int64_t n);
void mcdl_f32_vexp_avx2(const float *x, float *y, int64_t n);
void mcdl_f32_vlog_avx2(const float *x, float *y, int64_t n);
void mcdl_f32_vtanh_avx2(const float *x, float *y, int64_t n);
void mcdl_f32_vsigmoid_avx2(const float *x, float *y, int64_t n);
void mcdl_f32_vexp_avx512(const float *x, float *y, int64_t n);
void mcdl_f32_vlog_avx512(const float *x, float *y, int64_t n);
void mcdl_f32_vtanh_avx512(const float *x, float *y, int64_t n);
void mcdl_f32_vsigmoid_avx512(const float *x, float *y, int64_t n);
void mcdl_f32_vexp_neon(const float *x, float *y, int64_t n);
void mcdl_f32_vlog_neon(const float *x, float *y, int64_t n);
void mcdl_f32_vtanh_neon(const float *x, float *y, int64_t n);
void mcdl_f32_vsigmoid_neon(const float *x, float *y, int64_t n);

#endif
