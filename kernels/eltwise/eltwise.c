/* Dispatch for the element-wise kernels, and the OpenMP split: arrays are cut into fixed
 * 4096-element chunks (rows for softmax), so results never depend on the thread count. */
#include "kernels/eltwise/eltwise.h"

#include <stddef.h>

#include "kernels/isa_table.h"

#define CHUNK 4096

static const mcdl_act_fwd_fn k_fwd[MCDL_ISA_COUNT] = {
    mcdl_f32_act_fwd_ref, ARM(mcdl_f32_act_fwd_neon), X86(mcdl_f32_act_fwd_avx2),
    X86(mcdl_f32_act_fwd_avx512)};
static const mcdl_act_bwd_fn k_bwd[MCDL_ISA_COUNT] = {
    mcdl_f32_act_bwd_ref, ARM(mcdl_f32_act_bwd_neon), X86(mcdl_f32_act_bwd_avx2),
    X86(mcdl_f32_act_bwd_avx512)};
static const mcdl_softmax_fwd_fn k_smf[MCDL_ISA_COUNT] = {
    mcdl_f32_softmax_fwd_ref, ARM(mcdl_f32_softmax_fwd_neon), X86(mcdl_f32_softmax_fwd_avx2),
    X86(mcdl_f32_softmax_fwd_avx512)};
static const mcdl_softmax_bwd_fn k_smb[MCDL_ISA_COUNT] = {
    mcdl_f32_softmax_bwd_ref, ARM(mcdl_f32_softmax_bwd_neon), X86(mcdl_f32_softmax_bwd_avx2),
    X86(mcdl_f32_softmax_bwd_avx512)};

mcdl_act_fwd_fn mcdl_act_fwd_fn_for(mcdl_isa isa) {
    return (unsigned)isa < MCDL_ISA_COUNT ? k_fwd[isa] : NULL;
}
mcdl_act_bwd_fn mcdl_act_bwd_fn_for(mcdl_isa isa) {
    return (unsigned)isa < MCDL_ISA_COUNT ? k_bwd[isa] : NULL;
}
mcdl_softmax_fwd_fn mcdl_softmax_fwd_fn_for(mcdl_isa isa) {
    return (unsigned)isa < MCDL_ISA_COUNT ? k_smf[isa] : NULL;
}
mcdl_softmax_bwd_fn mcdl_softmax_bwd_fn_for(mcdl_isa isa) {
    return (unsigned)isa < MCDL_ISA_COUNT ? k_smb[isa] : NULL;
}

bool mcdl_act_bwd_needs_x(mcdl_act act, float alpha) {
    switch (act) {
    case MCDL_ACT_GELU:
    case MCDL_ACT_SWISH:
    case MCDL_ACT_SOFTPLUS:
        return true;
    case MCDL_ACT_LEAKY_RELU:
        return !(alpha > 0.0f); /* sign of y tells x's sign only then */
    default:
        return false;
    }
}

static mcdl_isa active(void) {
    mcdl_isa isa = mcdl_cpu_active_isa();
    return k_fwd[isa] ? isa : MCDL_ISA_REF;
}

void mcdl_f32_act_fwd(mcdl_act act, float alpha, const float *x, float *y, int64_t n) {
    const mcdl_act_fwd_fn f = k_fwd[active()];
    const int64_t nchunks = (n + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(static) if (nchunks > 1)
    for (int64_t c = 0; c < nchunks; c++) {
        const int64_t b = c * CHUNK, len = n - b < CHUNK ? n - b : CHUNK;
        f(act, alpha, x + b, y + b, len);
    }
}

void mcdl_f32_act_bwd(mcdl_act act, float alpha, const float *x, const float *y, const float *dy,
                      float *dx, int64_t n) {
    const mcdl_act_bwd_fn f = k_bwd[active()];
    const int64_t nchunks = (n + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(static) if (nchunks > 1)
    for (int64_t c = 0; c < nchunks; c++) {
        const int64_t b = c * CHUNK, len = n - b < CHUNK ? n - b : CHUNK;
        f(act, alpha, x ? x + b : NULL, y + b, dy + b, dx + b, len);
    }
}

void mcdl_f32_softmax_fwd(const float *x, float *y, int64_t rows, int64_t cols) {
    const mcdl_softmax_fwd_fn f = k_smf[active()];
#pragma omp parallel for schedule(static) if (rows * cols > CHUNK)
    for (int64_t r = 0; r < rows; r++) f(x + r * cols, y + r * cols, 1, cols);
}

void mcdl_f32_softmax_bwd(const float *y, const float *dy, float *dx, int64_t rows, int64_t cols) {
    const mcdl_softmax_bwd_fn f = k_smb[active()];
#pragma omp parallel for schedule(static) if (rows * cols > CHUNK)
    for (int64_t r = 0; r < rows; r++) f(y + r * cols, dy + r * cols, dx + r * cols, 1, cols);
}
