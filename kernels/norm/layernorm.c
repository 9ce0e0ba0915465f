/* Dispatch table for the layer normalisation kernels. */
#include "kernels/norm/layernorm.h"

#include <stddef.h>

#include "kernels/isa_table.h"

static const mcdl_layernorm_fwd_fn k_fwd[MCDL_ISA_COUNT] = {
    mcdl_f32_layernorm_fwd_scalar, ARM(mcdl_f32_layernorm_fwd_neon),
    X86(mcdl_f32_layernorm_fwd_avx2), X86(mcdl_f32_layernorm_fwd_avx512)};
static const mcdl_layernorm_bwd_fn k_bwd[MCDL_ISA_COUNT] = {
    mcdl_f32_layernorm_bwd_scalar, ARM(mcdl_f32_layernorm_bwd_neon),
    X86(mcdl_f32_layernorm_bwd_avx2), X86(mcdl_f32_layernorm_bwd_avx512)};

mcdl_layernorm_fwd_fn mcdl_layernorm_fwd_fn_for(mcdl_isa isa) {
    return (unsigned)isa < MCDL_ISA_COUNT ? k_fwd[isa] : NULL;
}

mcdl_layernorm_bwd_fn mcdl_layernorm_bwd_fn_for(mcdl_isa isa) {
    return (unsigned)isa < MCDL_ISA_COUNT ? k_bwd[isa] : NULL;
}

void mcdl_f32_layernorm_fwd(int64_t rows, int64_t n, const float *x, const float *gamma,
                            const float *beta, float eps, float *y, float *mean, float *rstd) {
    mcdl_layernorm_fwd_fn f = mcdl_layernorm_fwd_fn_for(mcdl_cpu_active_isa());
    (f ? f : k_fwd[MCDL_ISA_REF])(rows, n, x, gamma, beta, eps, y, mean, rstd);
}

void mcdl_f32_layernorm_bwd(int64_t rows, int64_t n, const float *x, const float *dy,
                            const float *gamma, const float *mean, const float *rstd, float *dx,
                            float *dgamma, float *dbeta, float *ws) {
    mcdl_layernorm_bwd_fn f = mcdl_layernorm_bwd_fn_for(mcdl_cpu_active_isa());
    (f ? f : k_bwd[MCDL_ISA_REF])(rows, n, x, dy, gamma, mean, rstd, dx, dgamma, dbeta, ws);
}
