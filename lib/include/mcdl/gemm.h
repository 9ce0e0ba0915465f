/* Single-precision matrix multiply with oneDNN's dnnl_sgemm signature and semantics
 * (row-major), so the two can be swapped in any harness. */
#ifndef MCDL_GEMM_H
#define MCDL_GEMM_H

#include <stdint.h>

#include "mcdl/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** C = alpha * op(A) * op(B) + beta * C, all row-major; op(X) = X for 'N'/'n', X^T for
 *  'T'/'t'. op(A) is M x K (A stored M x K with lda >= K for 'N', K x M with lda >= M for
 *  'T'), op(B) is K x N (K x N with ldb >= N, or N x K with ldb >= K), C is M x N with
 *  ldc >= N. beta == 0 ignores C's old contents (even NaN); alpha == 0 or K == 0 leaves
 *  beta * C without reading A or B. Runs on mcdl_get_num_threads() threads (one when
 *  called inside an OpenMP parallel region); results are bitwise reproducible.
 *
 *  Errors (nothing is written to C): MCDL_ERR_ARG for a trans character other than
 *  N/T/n/t, a negative size, a leading dimension below its minimum, or a NULL matrix
 *  whose size is not zero; MCDL_ERR_UNSUPPORTED when MCDL_ISA asked for a missing path.
 *
 *      float A[2 * 3] = {1, 2, 3, 4, 5, 6}, B[3 * 2] = {1, 0, 0, 1, 1, 1}, C[2 * 2];
 *      mcdl_sgemm('N', 'N', 2, 2, 3, 1.0f, A, 3, B, 2, 0.0f, C, 2);  // C = {4, 5, 10, 11}
 */
mcdl_status mcdl_sgemm(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha,
                       const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                       float *C, int64_t ldc);

#ifdef __cplusplus
}
#endif
#endif
