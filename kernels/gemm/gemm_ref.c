/* Reference GEMM: plain loops, the scalar path and the baseline for the optimised ones. */
#include <math.h>
#include <omp.h>

#include "kernels/gemm/gemm.h"

static float act_apply(float v, const mcdl_gemm_epilogue *ep) {
    switch (ep->act) {
    case MCDL_ACT_RELU:
        return v > 0.0f ? v : 0.0f;
    case MCDL_ACT_SIGMOID:
        return 1.0f / (1.0f + expf(-v));
    case MCDL_ACT_TANH:
        return tanhf(v);
    case MCDL_ACT_LEAKY_RELU:
        return v > 0.0f ? v : ep->act_alpha * v;
    default:
        return v;
    }
}

void mcdl_f32_gemm_epilogue_ref(int64_t M, int64_t N, float *C, int64_t ldc,
                                const mcdl_gemm_epilogue *ep, int64_t row0, int64_t col0) {
    if (!ep || (!ep->bias && ep->act == MCDL_ACT_NONE)) return;
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) {
            float v = C[i * ldc + j];
            if (ep->bias) v += ep->bias_per_row ? ep->bias[row0 + i] : ep->bias[col0 + j];
            C[i * ldc + j] = act_apply(v, ep);
        }
    }
}

void mcdl_f32_gemm_ref(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha,
                       const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                       float *C, int64_t ldc, const mcdl_gemm_epilogue *ep) {
    const int ta = transa == 'T' || transa == 't', tb = transb == 'T' || transb == 't';
#pragma omp parallel for schedule(static) if (M * N * K > 32768 && !omp_in_parallel())
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) {
            float acc = 0.0f;
            for (int64_t k = 0; k < K; k++) {
                float a = ta ? A[k * lda + i] : A[i * lda + k];
                float b = tb ? B[j * ldb + k] : B[k * ldb + j];
                acc += a * b;
            }
            float c = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
            C[i * ldc + j] = alpha * acc + c;
        }
    }
    mcdl_f32_gemm_epilogue_ref(M, N, C, ldc, ep, 0, 0);
}
