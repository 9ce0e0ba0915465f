/* Packing op(A) into MR-row panels and op(B) into NR-column panels (k-major, zero-padded),
 * the layouts the microkernels stream with unit stride. Plain C: the compiler vectorises
 * the contiguous copies; the transposing cases read one stream per row. */
#include <string.h>

#include "kernels/gemm/gemm_internal.h"

void mcdl_gemm_pack_a(int ta, int64_t m, int64_t k, const float *A, int64_t lda, int mr,
                      float *dst) {
    for (int64_t p0 = 0; p0 < m; p0 += mr) {
        const int64_t mm = m - p0 < mr ? m - p0 : mr;
        float *restrict d = dst + p0 * k;
        if (ta) {
            /* op(A) = A^T: row i of op(A) is column i of A, so k-major panels are copies. */
            for (int64_t kk = 0; kk < k; kk++) {
                const float *restrict s = A + kk * lda + p0;
                for (int64_t i = 0; i < mm; i++) d[kk * mr + i] = s[i];
                for (int64_t i = mm; i < mr; i++) d[kk * mr + i] = 0.0f;
            }
        } else if (mm == mr && mr == 8) {
            /* The common case spelled out, so each row is one sequential read stream. */
            const float *s0 = A + p0 * lda, *s1 = s0 + lda, *s2 = s1 + lda, *s3 = s2 + lda;
            const float *s4 = s3 + lda, *s5 = s4 + lda, *s6 = s5 + lda, *s7 = s6 + lda;
            for (int64_t kk = 0; kk < k; kk++) {
                float *restrict o = d + kk * 8;
                o[0] = s0[kk], o[1] = s1[kk], o[2] = s2[kk], o[3] = s3[kk];
                o[4] = s4[kk], o[5] = s5[kk], o[6] = s6[kk], o[7] = s7[kk];
            }
        } else {
            for (int64_t i = 0; i < mm; i++) {
                const float *restrict s = A + (p0 + i) * lda;
                for (int64_t kk = 0; kk < k; kk++) d[kk * mr + i] = s[kk];
            }
            for (int64_t i = mm; i < mr; i++)
                for (int64_t kk = 0; kk < k; kk++) d[kk * mr + i] = 0.0f;
        }
    }
}

void mcdl_gemm_pack_b(int tb, int64_t k, int64_t n, const float *B, int64_t ldb, int nr,
                      float *dst) {
    for (int64_t p0 = 0; p0 < n; p0 += nr) {
        const int64_t nn = n - p0 < nr ? n - p0 : nr;
        float *restrict d = dst + p0 * k;
        if (!tb) {
            for (int64_t kk = 0; kk < k; kk++) {
                memcpy(d + kk * nr, B + kk * ldb + p0, (size_t)nn * sizeof(float));
                for (int64_t j = nn; j < nr; j++) d[kk * nr + j] = 0.0f;
            }
        } else {
            /* op(B) = B^T: column j of op(B) is row j of B. */
            for (int64_t j = 0; j < nn; j++) {
                const float *restrict s = B + (p0 + j) * ldb;
                for (int64_t kk = 0; kk < k; kk++) d[kk * nr + j] = s[kk];
            }
            for (int64_t j = nn; j < nr; j++)
                for (int64_t kk = 0; kk < k; kk++) d[kk * nr + j] = 0.0f;
        }
    }
}
