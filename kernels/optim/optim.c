/* Dispatch for the optimizer kernels and the OpenMP split over fixed 4096-element chunks. */
#include "kernels/optim/optim.h"

#include <stddef.h>

#include "kernels/isa_table.h"

#define CHUNK 4096

static const mcdl_adam_fn k_adam[MCDL_ISA_COUNT] = {
    mcdl_f32_adam_update_ref, ARM(mcdl_f32_adam_update_neon), X86(mcdl_f32_adam_update_avx2),
    X86(mcdl_f32_adam_update_avx512)};
static const mcdl_sgd_fn k_sgd[MCDL_ISA_COUNT] = {
    mcdl_f32_sgd_update_ref, ARM(mcdl_f32_sgd_update_neon), X86(mcdl_f32_sgd_update_avx2),
    X86(mcdl_f32_sgd_update_avx512)};
static const mcdl_rmsprop_fn k_rms[MCDL_ISA_COUNT] = {
    mcdl_f32_rmsprop_update_ref, ARM(mcdl_f32_rmsprop_update_neon),
    X86(mcdl_f32_rmsprop_update_avx2), X86(mcdl_f32_rmsprop_update_avx512)};

static mcdl_isa active(void) {
    mcdl_isa isa = mcdl_cpu_active_isa();
    return k_adam[isa] ? isa : MCDL_ISA_REF;
}

void mcdl_f32_adam_update(const mcdl_adam_params *p, float *w, const float *g, float *m, float *v,
                          int64_t n) {
    const mcdl_adam_fn f = k_adam[active()];
    const int64_t nc = (n + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(static) if (nc > 1)
    for (int64_t c = 0; c < nc; c++) {
        const int64_t b = c * CHUNK, len = n - b < CHUNK ? n - b : CHUNK;
        f(p, w + b, g + b, m + b, v + b, len);
    }
}

void mcdl_f32_sgd_update(float lr, float mu, bool nesterov, float *w, const float *g, float *m,
                         int64_t n) {
    const mcdl_sgd_fn f = k_sgd[active()];
    const int64_t nc = (n + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(static) if (nc > 1)
    for (int64_t c = 0; c < nc; c++) {
        const int64_t b = c * CHUNK, len = n - b < CHUNK ? n - b : CHUNK;
        f(lr, mu, nesterov, w + b, g + b, m ? m + b : NULL, len);
    }
}

void mcdl_f32_rmsprop_update(float lr, float rho, float eps, float mu, float *w, const float *g,
                             float *v, float *mo, int64_t n) {
    const mcdl_rmsprop_fn f = k_rms[active()];
    const int64_t nc = (n + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(static) if (nc > 1)
    for (int64_t c = 0; c < nc; c++) {
        const int64_t b = c * CHUNK, len = n - b < CHUNK ? n - b : CHUNK;
        f(lr, rho, eps, mu, w + b, g + b, v + b, mo ? mo + b : NULL, len);
    }
}
