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
    const float *bias; /* NULL: no bias */
    bool bias_per_row; /* false: bias[n] added to column n; true: bias[m] to row m */
    mcdl_act act;      /* NONE, RELU, SIGMOID, TANH or LEAKY_RELU */
    float act_alpha;   /* leaky relu slope */
} mcdl_gemm_epilogue;

/* The dispatched GEMM (best ISA path available, see mcdl_cpu_active_isa()): packed
 * BLIS-style blocking, unpacked kernels for M <= 16 with op(B) = B, a GEMV for M = 1. */
void mcdl_f32_gemm(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha,
                   const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
                   int64_t ldc, const mcdl_gemm_epilogue *ep);

/* Pre-packed B (weights reused across calls: inference, RNN time steps). The layout is
 * that of the path active when packing (recorded in the buffer, which is used with that
 * path's microkernel later). Usage:
 *     float *pb = malloc(mcdl_f32_gemm_pack_b_size(K, N) * sizeof(float));
 *     mcdl_f32_gemm_pack_b('N', K, N, W, ldw, pb);            // once
 *     mcdl_f32_gemm_packed_b('N', M, N, K, 1, X, ldx, pb, 0, Y, ldy, &ep);  // many times
 * The buffer should be 64-byte aligned for full speed. */
/* Floats needed to hold op(B) (K x N) packed for the active path. */
int64_t mcdl_f32_gemm_pack_b_size(int64_t K, int64_t N);
/* Packs op(B) (transb 'N': K x N with ldb >= N; 'T': N x K with ldb >= K). */
void mcdl_f32_gemm_pack_b(char transb, int64_t K, int64_t N, const float *B, int64_t ldb,
                          float *packed);
/* C = act(alpha * op(A) * B + beta * C + bias) with B pre-packed by mcdl_f32_gemm_pack_b
 * for the same K and N. Same contract as mcdl_f32_gemm otherwise. */
void mcdl_f32_gemm_packed_b(char transa, int64_t M, int64_t N, int64_t K, float alpha,
                            const float *A, int64_t lda, const float *packed_b, float beta,
                            float *C, int64_t ldc, const mcdl_gemm_epilogue *ep);

/* The register tile (MR rows x NR columns) of the active path, for tests of the edges. */
void mcdl_f32_gemm_tile(int *mr, int *nr);

/* Plain-loop reference (float accumulation in k order); the tests' ground truth is a
 * double-accumulating loop in the tests themselves. */
void mcdl_f32_gemm_ref(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha,
                       const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                       float *C, int64_t ldc, const mcdl_gemm_epilogue *ep);

/* Applies the epilogue's bias and activation to an M x N block of C in place. */
void mcdl_f32_gemm_epilogue_ref(int64_t M, int64_t N, float *C, int64_t ldc,
                                const mcdl_gemm_epilogue *ep, int64_t row0, int64_t col0);

#endif
