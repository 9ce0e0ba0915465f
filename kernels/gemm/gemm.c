/* GEMM dispatch: picks the implementation for the active ISA path. */
#include "kernels/gemm/gemm.h"

#include "simd/cpu.h"

void mcdl_f32_gemm(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha,
                   const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
                   int64_t ldc, const mcdl_gemm_epilogue *ep) {
    /* Only the reference exists so far; the blocked per-ISA driver replaces this. */
    mcdl_f32_gemm_ref(transa, transb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, ep);
}
