/* mcdl_sgemm: the public GEMM, validating every argument before the kernel runs. */
#include "mcdl/gemm.h"

#include <stddef.h>

#include "kernels/gemm/gemm.h"
#include "lib/core/error.h"

static int trans_ok(char t) { return t == 'N' || t == 'n' || t == 'T' || t == 't'; }
static int is_t(char t) { return t == 'T' || t == 't'; }

mcdl_status mcdl_sgemm(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha,
                       const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                       float *C, int64_t ldc) {
    MCDL_TRY(mcdl_check_isa());
    if (!trans_ok(transa))
        return mcdl_error(MCDL_ERR_ARG, "mcdl_sgemm: transa must be 'N' or 'T' (got 0x%02x)",
                          (unsigned)(unsigned char)transa);
    if (!trans_ok(transb))
        return mcdl_error(MCDL_ERR_ARG, "mcdl_sgemm: transb must be 'N' or 'T' (got 0x%02x)",
                          (unsigned)(unsigned char)transb);
    if (M < 0 || N < 0 || K < 0)
        return mcdl_error(MCDL_ERR_ARG,
                          "mcdl_sgemm: sizes must not be negative (M=%lld N=%lld K=%lld)",
                          (long long)M, (long long)N, (long long)K);
    /* Leading dimensions: the row length of each stored matrix, and at least 1. */
    const int64_t min_lda = is_t(transa) ? M : K, min_ldb = is_t(transb) ? K : N;
    if (lda < (min_lda > 1 ? min_lda : 1))
        return mcdl_error(
            MCDL_ERR_ARG,
            "mcdl_sgemm: lda=%lld is below %lld (A is %lld x %lld stored, transa '%c')",
            (long long)lda, (long long)(min_lda > 1 ? min_lda : 1),
            (long long)(is_t(transa) ? K : M), (long long)min_lda, transa);
    if (ldb < (min_ldb > 1 ? min_ldb : 1))
        return mcdl_error(
            MCDL_ERR_ARG,
            "mcdl_sgemm: ldb=%lld is below %lld (B is %lld x %lld stored, transb '%c')",
            (long long)ldb, (long long)(min_ldb > 1 ? min_ldb : 1),
            (long long)(is_t(transb) ? N : K), (long long)min_ldb, transb);
    if (ldc < (N > 1 ? N : 1))
        return mcdl_error(MCDL_ERR_ARG, "mcdl_sgemm: ldc=%lld is below N=%lld (C is %lld x %lld)",
                          (long long)ldc, (long long)(N > 1 ? N : 1), (long long)M, (long long)N);
    if (M > 0 && N > 0 && !C)
        return mcdl_error(MCDL_ERR_ARG, "mcdl_sgemm: C is NULL but C is %lld x %lld", (long long)M,
                          (long long)N);
    const int64_t uses_ab = M > 0 && N > 0 && K > 0 && alpha != 0.0f;
    if (M > 0 && K > 0 && !A && uses_ab)
        return mcdl_error(MCDL_ERR_ARG, "mcdl_sgemm: A is NULL but op(A) is %lld x %lld",
                          (long long)M, (long long)K);
    if (K > 0 && N > 0 && !B && uses_ab)
        return mcdl_error(MCDL_ERR_ARG, "mcdl_sgemm: B is NULL but op(B) is %lld x %lld",
                          (long long)K, (long long)N);
    mcdl_f32_gemm(transa, transb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, NULL);
    return MCDL_OK;
}
