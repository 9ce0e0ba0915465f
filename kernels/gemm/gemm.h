/* Single-precision GEMM kernels: C = act(alpha * op(A) * op(B) + beta * C + bias),
 * row-major, op = identity ('N') or transpose ('T').
 *
 * Contract (all entry points):
 * - A is M x K after op (stored M x K with lda >= K for 'N', K x M with lda >= M for 'T'),
 *   B is K x N after op (K x N, ldb >= N for 'N'; N x K, ldb >= K for 'T'), C is M x N
 *   with ldc >= N. Arguments are NOT validated here: lib/ (mcdl_sgemm) does that.
 * - beta == 0 means C is write-only (old contents, even NaN, are ignored).
 * - The epilogue (bias per column or per row, then the activation) is applied after
 *   alpha and beta. ep == NULL means no bias and no activation.
 * - Threads: runs an OpenMP team of omp_get_max_threads() unless called from inside a
 *   parallel region, where it runs on the calling thread only. Partitions are static,
 *   so results are bitwise reproducible for a fixed thread count. */
#ifndef MCDL_KERNELS_GEMM_H
#define MCDL_KERNELS_GEMM_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/eltwise/act.h"

typedef struct {
    const float *bias;  /* NULL: no bias */
    bool bias_per_row;  /* false: bias[n] added to column n; true: bias[m] to row m */
    mcdl_act act;       /* NONE, RELU, SIGMOID, TANH or LEAKY_RELU */
    float act_alpha;    /* leaky relu slope */
} mcdl_gemm_epilogue;

/* The dispatched GEMM (best ISA path available, see mcdl_cpu_active_isa()). */
void mcdl_f32_gemm(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha,
                   const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
                   int64_t ldc, const mcdl_gemm_epilogue *ep);

/* Plain-loop reference (float accumulation in k order); the tests' ground truth is a
 * double-accumulating loop in the tests themselves. */
void mcdl_f32_gemm_ref(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha,
                       const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                       float *C, int64_t ldc, const mcdl_gemm_epilogue *ep);

/* Applies the epilogue's bias and activation to an M x N block of C in place. */
void mcdl_f32_gemm_epilogue_ref(int64_t M, int64_t N, float *C, int64_t ldc,
                                const mcdl_gemm_epilogue *ep, int64_t row0, int64_t col0);

#endif
