/* GEMM kernels on the active ISA path (MCDL_ISA) against a double-accumulating reference:
 * all four transpose combinations over a sampled cross product of M, N, K in
 * {1, 2, 3, MR-1, MR, MR+1, 2NR+3, 127, 128, 129, 500}, leading dimensions above the
 * minimum, alpha in {1, 0.5}, beta in {0 (with NaN in C), 1, -0.7}, every epilogue; the
 * pre-packed B entry points; K = 0; bitwise determinism across runs, thread counts and
 * calls from inside a parallel region.
 *
 * Error bound, per element, before the activation:
 *   |got - ref| <= 1e-5 * sqrt(K) * (|alpha| * sum_k |a_ik b_kj| + |beta c_ij|)
 *                  + 1e-6 * (|alpha ab + beta c| + |bias|)
 * (float accumulation typically errs by sqrt(K) * 6e-8 of the absolute sum; the second
 * term covers the roundings of alpha, beta and the bias add). Every activation used is
 * 1-Lipschitz, so the bound carries through it, plus 2e-6 * |ref| for the activation's
 * own error (<= 3 ulp, simd/f32_math.inc). */
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "kernels/gemm/gemm.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static float frand(void) {
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return (float)((double)(rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}
static uint32_t hash3(uint32_t a, uint32_t b, uint32_t c) {
    uint32_t h =
        a * 0x9E3779B1u ^ (b + 0x7F4A7C15u) * 0x85EBCA77u ^ (c + 0x165667B1u) * 0xC2B2AE3Du;
    h ^= h >> 15, h *= 0x2C1B3C6Du, h ^= h >> 12;
    return h;
}

static double act_d(double v, const mcdl_gemm_epilogue *ep) {
    switch (ep ? ep->act : MCDL_ACT_NONE) {
    case MCDL_ACT_RELU:
        return v > 0 ? v : 0;
    case MCDL_ACT_SIGMOID:
        return 1.0 / (1.0 + exp(-v));
    case MCDL_ACT_TANH:
        return tanh(v);
    case MCDL_ACT_LEAKY_RELU:
        return v > 0 ? v : ep->act_alpha * v;
    default:
        return v;
    }
}

typedef struct {
    int ta, tb;
    int64_t M, N, K, lda, ldb, ldc;
    float alpha, beta;
    const float *A, *B, *C0;
    const mcdl_gemm_epilogue *ep;
} problem;

/* Compares got (M x ldc) with the double reference; also checks C's padding columns. */
static int check_result(const problem *p, const float *got, const char *what) {
    int bad = 0;
    for (int64_t i = 0; i < p->M && bad < 3; i++) {
        for (int64_t j = 0; j < p->ldc && bad < 3; j++) {
            const float g = got[i * p->ldc + j];
            if (j >= p->N) {
                if (memcmp(&g, &p->C0[i * p->ldc + j], sizeof g) != 0) {
                    bad++;
                    fprintf(stderr, "%s: padding C[%lld][%lld] was written\n", what, (long long)i,
                            (long long)j);
                }
                continue;
            }
            double acc = 0, mag = 0;
            for (int64_t k = 0; k < p->K; k++) {
                const double a = p->ta ? p->A[k * p->lda + i] : p->A[i * p->lda + k];
                const double b = p->tb ? p->B[j * p->ldb + k] : p->B[k * p->ldb + j];
                acc += a * b, mag += fabs(a * b);
            }
            double v = p->alpha * acc,
                   c = p->beta != 0 ? p->beta * (double)p->C0[i * p->ldc + j] : 0;
            double bound = 1e-5 * sqrt((double)p->K) * (fabs(p->alpha) * mag + fabs(c));
            v += c;
            double bias = 0;
            if (p->ep && p->ep->bias) bias = p->ep->bias_per_row ? p->ep->bias[i] : p->ep->bias[j];
            bound += 1e-6 * (fabs(v) + fabs(bias));
            const double ref = act_d(v + bias, p->ep);
            bound += 2e-6 * fabs(ref) + 1e-30;
            if (!(fabs(g - ref) <= bound)) {
                bad++;
                fprintf(
                    stderr,
                    "%s: %c%c M=%lld N=%lld K=%lld alpha=%g beta=%g act=%d C[%lld][%lld] = %.9g, "
                    "want %.9g (bound %.3g)\n",
                    what, p->ta ? 'T' : 'N', p->tb ? 'T' : 'N', (long long)p->M, (long long)p->N,
                    (long long)p->K, p->alpha, p->beta, p->ep ? (int)p->ep->act : 0, (long long)i,
                    (long long)j, g, ref, bound);
            }
        }
    }
    return bad == 0;
}

/* Random operands for one problem; C's padding holds a sentinel, C holds NaN if beta = 0. */
static void fill(problem *p, float **A, float **B, float **C0, float **bias) {
    const int64_t arows = p->ta ? p->K : p->M, brows = p->tb ? p->N : p->K;
    *A = malloc(sizeof(float) * (size_t)(arows * p->lda + 1));
    *B = malloc(sizeof(float) * (size_t)(brows * p->ldb + 1));
    *C0 = malloc(sizeof(float) * (size_t)(p->M * p->ldc + 1));
    *bias = malloc(sizeof(float) * (size_t)(p->M > p->N ? p->M : p->N));
    for (int64_t i = 0; i < arows * p->lda; i++) (*A)[i] = frand();
    for (int64_t i = 0; i < brows * p->ldb; i++) (*B)[i] = frand();
    for (int64_t i = 0; i < p->M * p->ldc; i++)
        (*C0)[i] = (i % p->ldc) >= p->N ? 12345.0f : p->beta == 0 ? NAN : frand();
    for (int64_t i = 0; i < (p->M > p->N ? p->M : p->N); i++) (*bias)[i] = frand();
    p->A = *A, p->B = *B, p->C0 = *C0;
}

static const mcdl_gemm_epilogue *pick_epilogue(uint32_t h, const float *bias,
                                               mcdl_gemm_epilogue *ep) {
    static const struct {
        int bias, per_row;
        mcdl_act act;
    } kinds[] = {{0, 0, MCDL_ACT_NONE}, {1, 0, MCDL_ACT_RELU},       {1, 1, MCDL_ACT_SIGMOID},
                 {0, 0, MCDL_ACT_TANH}, {1, 0, MCDL_ACT_LEAKY_RELU}, {1, 1, MCDL_ACT_NONE}};
    const unsigned e = h % 7;
    if (e == 6) return NULL;
    *ep = (mcdl_gemm_epilogue){.bias = kinds[e].bias ? bias : NULL,
                               .bias_per_row = kinds[e].per_row,
                               .act = kinds[e].act,
                               .act_alpha = 0.1f};
    return ep;
}

typedef void (*gemm_fn)(char, char, int64_t, int64_t, int64_t, float, const float *, int64_t,
                        const float *, int64_t, float, float *, int64_t,
                        const mcdl_gemm_epilogue *);
static gemm_fn under_test = mcdl_f32_gemm;

static int run_case(int64_t M, int64_t N, int64_t K, uint32_t h) {
    problem p = {.ta = h & 1, .tb = (h >> 1) & 1, .M = M, .N = N, .K = K};
    p.lda = (p.ta ? M : K) + (h >> 2) % 3;
    p.ldb = (p.tb ? K : N) + (h >> 4) % 4;
    p.ldc = N + (h >> 6) % 3;
    p.alpha = (h >> 8) & 1 ? 0.5f : 1.0f;
    p.beta = ((h >> 9) % 3 == 0) ? 0.0f : ((h >> 9) % 3 == 1) ? 1.0f : -0.7f;
    float *A, *B, *C0, *bias;
    fill(&p, &A, &B, &C0, &bias);
    mcdl_gemm_epilogue ep;
    p.ep = pick_epilogue(h >> 11, bias, &ep);
    float *C = malloc(sizeof(float) * (size_t)(M * p.ldc + 1));
    memcpy(C, C0, sizeof(float) * (size_t)(M * p.ldc));
    under_test(p.ta ? 'T' : 'N', p.tb ? 'T' : 'n', M, N, K, p.alpha, A, p.lda, B, p.ldb, p.beta, C,
               p.ldc, p.ep);
    int ok =
        check_result(&p, C, under_test == mcdl_f32_gemm ? "mcdl_f32_gemm" : "mcdl_f32_gemm_ref");
    /* The same product through pre-packed B, on every fourth case. */
    if (h % 4 == 0 && under_test == mcdl_f32_gemm) {
        float *pb = malloc(sizeof(float) * (size_t)mcdl_f32_gemm_pack_b_size(K, N));
        mcdl_f32_gemm_pack_b(p.tb ? 't' : 'N', K, N, B, p.ldb, pb);
        memcpy(C, C0, sizeof(float) * (size_t)(M * p.ldc));
        mcdl_f32_gemm_packed_b(p.ta ? 'T' : 'N', M, N, K, p.alpha, A, p.lda, pb, p.beta, C, p.ldc,
                               p.ep);
        ok &= check_result(&p, C, "mcdl_f32_gemm_packed_b");
        free(pb);
    }
    free(A), free(B), free(C0), free(C), free(bias);
    return ok;
}

/* Bitwise determinism: two runs with 2 threads, 1 vs 2 threads, and one call per thread
 * from inside a parallel region (which must run single-threaded) all agree exactly. */
static void check_determinism(int64_t M, int64_t N, int64_t K, char ta, char tb) {
    const int64_t lda = ta == 'T' ? M : K, ldb = tb == 'T' ? K : N;
    float *A = malloc(sizeof(float) * (size_t)(M * K)),
          *B = malloc(sizeof(float) * (size_t)(K * N));
    float *C[4];
    for (int64_t i = 0; i < M * K; i++) A[i] = frand();
    for (int64_t i = 0; i < K * N; i++) B[i] = frand();
    for (int r = 0; r < 4; r++) C[r] = malloc(sizeof(float) * (size_t)(M * N));
    const mcdl_gemm_epilogue ep = {.act = MCDL_ACT_TANH};
    const int saved = omp_get_max_threads();
    omp_set_num_threads(2);
    mcdl_f32_gemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C[0], N, &ep);
    mcdl_f32_gemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C[1], N, &ep);
    omp_set_num_threads(1);
    mcdl_f32_gemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C[2], N, &ep);
    omp_set_num_threads(saved);
    int inner_ok = 1;
#pragma omp parallel num_threads(2) reduction(&& : inner_ok)
    {
        float *Ct = malloc(sizeof(float) * (size_t)(M * N));
        mcdl_f32_gemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, Ct, N, &ep);
        inner_ok = memcmp(Ct, C[0], sizeof(float) * (size_t)(M * N)) == 0;
        free(Ct);
    }
    const size_t bytes = sizeof(float) * (size_t)(M * N);
    CHECK(memcmp(C[0], C[1], bytes) == 0, "%c%c %lldx%lldx%lld: two 2-thread runs differ", ta, tb,
          (long long)M, (long long)N, (long long)K);
    CHECK(memcmp(C[0], C[2], bytes) == 0, "%c%c %lldx%lldx%lld: 1 and 2 threads differ", ta, tb,
          (long long)M, (long long)N, (long long)K);
    CHECK(inner_ok, "%c%c %lldx%lldx%lld: calls inside a parallel region differ", ta, tb,
          (long long)M, (long long)N, (long long)K);
    free(A), free(B);
    for (int r = 0; r < 4; r++) free(C[r]);
}

/* K = 0 and alpha = 0: C = act(beta C + bias) without touching A or B (NULL here). */
static void check_empty_k(void) {
    float C[6] = {1, -2, 3, NAN, 5, -6};
    const float bias[3] = {0.5f, -0.5f, 1.0f};
    const mcdl_gemm_epilogue ep = {.bias = bias, .act = MCDL_ACT_RELU};
    mcdl_f32_gemm('N', 'N', 2, 3, 0, 1.0f, NULL, 1, NULL, 3, 2.0f, C, 3, &ep);
    const float want[6] = {2.5f, 0.0f, 7.0f, NAN, 9.5f, 0.0f};
    for (int i = 0; i < 6; i++)
        if (i != 3) CHECK_NEAR(C[i], want[i], 0);
    CHECK(isnan(C[3]) || C[3] == 0.0f, "NaN * beta through relu gave %g", C[3]);
    float D[2] = {NAN, NAN};
    mcdl_f32_gemm('N', 'N', 1, 2, 0, 1.0f, NULL, 1, NULL, 2, 0.0f, D, 2, NULL);
    CHECK(D[0] == 0.0f && D[1] == 0.0f, "beta = 0, K = 0 must clear C (got %g %g)", D[0], D[1]);
    float A[2] = {NAN, 1}, B[2] = {1, NAN}, E[1] = {3};
    mcdl_f32_gemm('N', 'N', 1, 1, 2, 0.0f, A, 2, B, 1, 1.0f, E, 1, NULL);
    CHECK(E[0] == 3.0f, "alpha = 0 must not read A or B (got %g)", E[0]);
}

int main(void) {
    check_require_isa();
    int mr, nr;
    mcdl_f32_gemm_tile(&mr, &nr);
    const int64_t sizes[] = {1, 2, 3, mr - 1, mr, mr + 1, 2 * nr + 3, 127, 128, 129, 500};
    const int ns = (int)(sizeof sizes / sizeof sizes[0]);
#if defined(__aarch64__)
    const uint32_t big_every = 48, small_every = 3; /* qemu runs ~20x slower */
    const int qemu = 1;
#else
    const uint32_t big_every = 6, small_every = 1;
    const int qemu = 0;
#endif
    int cases = 0, failed = 0;
    for (int a = 0; a < ns; a++)
        for (int b = 0; b < ns; b++)
            for (int c = 0; c < ns; c++) {
                const int64_t M = sizes[a], N = sizes[b], K = sizes[c];
                const uint32_t h = hash3((uint32_t)a, (uint32_t)b, (uint32_t)c);
                const double work = (double)M * (double)N * (double)K;
                if (work > 65536 && (h % big_every != 0 || work > 2e7)) continue;
                if (work <= 65536 && (h >> 16) % small_every != 0) continue;
                cases++;
                if (!run_case(M, N, K, h)) failed++;
            }
    CHECK(failed == 0, "%d of %d shapes failed", failed, cases);
    printf("%d shapes checked (MR=%d NR=%d)\n", cases, mr, nr);
    /* Every transpose combination again with several K blocks, once with N above the
     * unpacked-A limit (A packed) and below it (A read in place), with M above and below
     * the unpacked-B limit. K = 700 natively crosses the AVX-512 KC of 512. */
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1); /* the path limits apply per thread block */
    for (uint32_t t = 0; t < 4; t++) {
        CHECK(run_case(65 + 12 * !qemu, 513 + 87 * !qemu, 300 + 400 * !qemu, t * 2731u + 4),
              "combo %u, packed A and B", t);
        CHECK(run_case(37, 513, 300 + 400 * !qemu, t * 2731u + 4), "combo %u, packed A, B in place",
              t);
        CHECK(run_case(67, 70, 300 + 300 * !qemu, t * 2731u + 4), "combo %u, unpacked A", t);
    }
    omp_set_num_threads(threads);
    /* Row strides of 4 KiB (lda = 1024, pads 0) are packed whatever N is. */
    CHECK(run_case(20, 40, 1024, 0u), "lda = 1024, NN");
    CHECK(run_case(1024, 40, 20, 1u), "lda = 1024, TN");
    /* The plain-loop reference itself. */
    under_test = mcdl_f32_gemm_ref;
    for (uint32_t t = 0; t < 16; t++)
        CHECK(run_case(sizes[t % ns], sizes[(t * 5 + 3) % ns], sizes[(t * 7 + 1) % 8], t * 977u),
              "reference case %u", t);
    under_test = mcdl_f32_gemm;
    check_empty_k();
    check_determinism(qemu ? 100 : 300, 200, 130, 'N', 'N');
    check_determinism(1, 300, 77, 'N', 'N');
    check_determinism(1, 200, 5000, 'N', 'N');
    CHECK(run_case(1, 200, 5000, 8u), "GEMV split along K");
    CHECK(run_case(1, 37, 2100, (9u << 11) | 1u), "GEMV split along K, transposed A, epilogue");
    /* Few rows with op(B) = B^T (dot-product kernels, nothing packed): every M up to the
     * limit (all register-block remainders), N across the 16-column blocks and the 8-row
     * B groups, K across vector tails; both op(A), pads, alpha, beta, every epilogue. */
    {
        const int64_t ns_nt[] = {1, 5, 8, 17, 37}, ks_nt[] = {1, 3, 16, 33, 300};
        int nt_failed = 0, nt_cases = 0;
        for (int64_t M = 1; M <= 16; M++)
            for (int b = 0; b < 5; b++)
                for (int c = 0; c < 5; c++) {
                    const uint32_t h = hash3((uint32_t)M, (uint32_t)b, (uint32_t)c + 99u);
                    if (qemu && h % 4 != 0) continue;
                    nt_cases++;
                    if (!run_case(M, ns_nt[b], ks_nt[c], (h & ~3u) | 2u | (h >> 20 & 1u)))
                        nt_failed++;
                }
        CHECK(nt_failed == 0, "%d of %d small-M op(B) = B^T shapes failed", nt_failed, nt_cases);
    }
    CHECK(run_case(1, 128, 5408 - 4000 * qemu, (5u << 11) | 2u), "GEMV, op(B) = B^T");
    check_determinism(1, 600, 1000, 'N', 'T');
    check_determinism(7, 300, 600, 'T', 'T');
    check_determinism(12, 257, 300, 'T', 'N');
    check_determinism(40, 512, 64, 'N', 'T');
    return check_finish();
}
