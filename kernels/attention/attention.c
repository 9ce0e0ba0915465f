/* Dispatch and scratch sizing for the fused attention kernels. */
#include "kernels/attention/attention.h"

#include "kernels/attention/attention_ws.h"

#include "kernels/isa_table.h"

static const mcdl_mha_fwd_fn k_fwd[MCDL_ISA_COUNT] = {
    mcdl_f32_mha_fwd_fused_scalar, ARM(mcdl_f32_mha_fwd_fused_neon),
    X86(mcdl_f32_mha_fwd_fused_avx2), X86(mcdl_f32_mha_fwd_fused_avx512)};
static const mcdl_mha_bwd_fn k_bwd[MCDL_ISA_COUNT] = {
    mcdl_f32_mha_bwd_fused_scalar, ARM(mcdl_f32_mha_bwd_fused_neon),
    X86(mcdl_f32_mha_bwd_fused_avx2), X86(mcdl_f32_mha_bwd_fused_avx512)};

size_t mcdl_f32_mha_fwd_ws_floats(const mcdl_mha_desc *d, int nthreads) {
    return (size_t)mcdl_mha_layout_of(d).f_total * (size_t)(nthreads > 0 ? nthreads : 1);
}

size_t mcdl_f32_mha_bwd_ws_floats(const mcdl_mha_desc *d, int nthreads) {
    return (size_t)mcdl_mha_layout_of(d).b_total * (size_t)(nthreads > 0 ? nthreads : 1);
}

mcdl_mha_fwd_fn mcdl_mha_fwd_fn_for(mcdl_isa isa) {
    return (unsigned)isa < MCDL_ISA_COUNT ? k_fwd[isa] : NULL;
}

mcdl_mha_bwd_fn mcdl_mha_bwd_fn_for(mcdl_isa isa) {
    return (unsigned)isa < MCDL_ISA_COUNT ? k_bwd[isa] : NULL;
}

void mcdl_f32_mha_fwd(const mcdl_mha_desc *d, const float *q, const float *k, const float *v,
                      float *o, float *lse, float *ws) {
    mcdl_mha_fwd_fn f = mcdl_mha_fwd_fn_for(mcdl_cpu_active_isa());
    (f ? f : k_fwd[MCDL_ISA_REF])(d, q, k, v, o, lse, ws);
}

void mcdl_f32_mha_bwd(const mcdl_mha_desc *d, const float *q, const float *k, const float *v,
                      const float *o, const float *dout, const float *lse, float *dq, float *dk,
                      float *dv, float *ws) {
    mcdl_mha_bwd_fn f = mcdl_mha_bwd_fn_for(mcdl_cpu_active_isa());
    (f ? f : k_bwd[MCDL_ISA_REF])(d, q, k, v, o, dout, lse, dq, dk, dv, ws);
}
