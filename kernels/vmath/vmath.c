/* Dispatch table for the vectorised math kernels: one row per op, one column per ISA. */
#include "kernels/vmath/vmath.h"

#include <stddef.h>

#include "kernels/isa_table.h"

static const mcdl_f32_unary_fn k_table[MCDL_VMATH_COUNT][MCDL_ISA_COUNT] = {
    [MCDL_VMATH_EXP] = {mcdl_f32_vexp_ref, ARM(mcdl_f32_vexp_neon), X86(mcdl_f32_vexp_avx2),
                        X86(mcdl_f32_vexp_avx512)},
    [MCDL_VMATH_LOG] = {mcdl_f32_vlog_ref, ARM(mcdl_f32_vlog_neon), X86(mcdl_f32_vlog_avx2),
                        X86(mcdl_f32_vlog_avx512)},
    [MCDL_VMATH_TANH] = {mcdl_f32_vtanh_ref, ARM(mcdl_f32_vtanh_neon), X86(mcdl_f32_vtanh_avx2),
                         X86(mcdl_f32_vtanh_avx512)},
    [MCDL_VMATH_SIGMOID] = {mcdl_f32_vsigmoid_ref, ARM(mcdl_f32_vsigmoid_neon),
                            X86(mcdl_f32_vsigmoid_avx2), X86(mcdl_f32_vsigmoid_avx512)},
};

mcdl_f32_unary_fn mcdl_vmath_fn(mcdl_vmath_op op, mcdl_isa isa) {
    if ((unsigned)op >= MCDL_VMATH_COUNT || (unsigned)isa >= MCDL_ISA_COUNT) return NULL;
    return k_table[op][isa];
}

mcdl_f32_unary_fn mcdl_vmath_active(mcdl_vmath_op op) {
    mcdl_f32_unary_fn f = mcdl_vmath_fn(op, mcdl_cpu_active_isa());
    return f ? f : mcdl_vmath_fn(op, MCDL_ISA_REF);
}

const char *mcdl_vmath_name(mcdl_vmath_op op) {
    static const char *const names[MCDL_VMATH_COUNT] = {"exp", "log", "tanh", "sigmoid"};
    return (unsigned)op < MCDL_VMATH_COUNT ? names[op] : "unknown";
}
