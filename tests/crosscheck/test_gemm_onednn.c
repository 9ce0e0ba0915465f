/* mcdl_sgemm against oneDNN's dnnl_sgemm (same row-major signature) on random shapes,
 * transposes, leading dimensions, alpha and beta, on the active ISA path. Bound per
 * element: 1e-5 * sqrt(K) * (|alpha| sum_k |a_ik b_kj| + |beta c_ij|) + 1e-6 |c| (both
 * libraries err by about sqrt(K) * 6e-8 of the absolute sum). */
#include <dnnl.h>
#include <stdint.h>
#include <string.h>

#include "check.h"

static uint64_t state = 88172645463325252ull;
static uint64_t next(void) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return state;
}
static float frand(void) { return (float)((double)(next() >> 11) / 9007199254740992.0 * 2 - 1); }

int main(void) {
    check_require_isa();
#if defined(__aarch64__)
    const int cases = 12;
#else
    const int cases = 60;
#endif
    int failed = 0;
    for (int t = 0; t < cases; t++) {
        const int64_t M = 1 + (int64_t)(next() % (t % 3 == 0 ? 8 : 300));
        const int64_t N = 1 + (int64_t)(next() % 300), K = 1 + (int64_t)(next() % 400);
        const char ta = next() & 1 ? 'T' : 'N', tb = next() & 1 ? 'T' : 'N';
        const int64_t lda = (ta == 'T' ? M : K) + (int64_t)(next() % 3);
        const int64_t ldb = (tb == 'T' ? K : N) + (int64_t)(next() % 3);
        const int64_t ldc = N + (int64_t)(next() % 3);
        const float alpha = t % 4 == 1 ? 0.5f : 1.0f;
        const float beta = t % 3 == 0 ? 0.0f : t % 3 == 1 ? 1.0f : -0.7f;
        const int64_t na = (ta == 'T' ? K : M) * lda, nb = (tb == 'T' ? N : K) * ldb;
        float *A = malloc(sizeof(float) * (size_t)na), *B = malloc(sizeof(float) * (size_t)nb);
        float *C1 = malloc(sizeof(float) * (size_t)(M * ldc)),
              *C2 = malloc(sizeof(float) * (size_t)(M * ldc));
        for (int64_t i = 0; i < na; i++) A[i] = frand();
        for (int64_t i = 0; i < nb; i++) B[i] = frand();
        for (int64_t i = 0; i < M * ldc; i++) C1[i] = C2[i] = frand();
        CHECK_OK(mcdl_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C1, ldc));
        CHECK(dnnl_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C2, ldc) == dnnl_success,
              "dnnl_sgemm failed");
        int bad = 0;
        for (int64_t i = 0; i < M && bad < 3; i++)
            for (int64_t j = 0; j < N && bad < 3; j++) {
                double mag = 0;
                for (int64_t k = 0; k < K; k++) {
                    const double a = ta == 'T' ? A[k * lda + i] : A[i * lda + k];
                    const double b = tb == 'T' ? B[j * ldb + k] : B[k * ldb + j];
                    mag += fabs(a * b);
                }
                const double bound =
                    1e-5 * sqrt((double)K) * (fabs(alpha) * mag + fabs(beta)) /* |c| <= 1 */ +
                    1e-6 * fabs(C2[i * ldc + j]);
                if (!(fabs(C1[i * ldc + j] - C2[i * ldc + j]) <= bound)) {
                    bad++;
                    fprintf(stderr,
                            "%c%c M=%lld N=%lld K=%lld: C[%lld][%lld] mcdl %.9g, oneDNN %.9g\n", ta,
                            tb, (long long)M, (long long)N, (long long)K, (long long)i,
                            (long long)j, C1[i * ldc + j], C2[i * ldc + j]);
                }
            }
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = N; j < ldc; j++)
                if (C1[i * ldc + j] != C2[i * ldc + j]) bad++;
        if (bad) failed++;
        free(A), free(B), free(C1), free(C2);
    }
    CHECK(failed == 0, "%d of %d random shapes disagree with dnnl_sgemm", failed, cases);
    return check_finish();
}
