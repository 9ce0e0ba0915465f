/* The BLIS-style GEMM driver: five loops (jc over NC, pc over KC with B packed, ic over
 * MC with A packed, ir over MR, jr over NR) around the per-ISA microkernel, the unpacked
 * small-M and GEMV paths, the pre-packed B entry points, and the OpenMP partition.
 *
 * Threads: one static partition of C into contiguous row (or column) ranges aligned to
 * the tile, one range per thread; each range runs the serial blocked algorithm with its
 * own packing buffers. Every C element is computed by the same sequence of operations
 * whatever the range it lands in, so results do not depend on the thread count. */
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/gemm/gemm_internal.h"

/* Small-M products run unpacked up to this many rows (packing B would cost as much as
 * the product); larger ones go through the packed path. */
#define GEMM_DIRECT_MAX_M 16
/* Packed B with unpacked A up to this many columns per thread block. */
#define GEMM_DIRECT_A_MAX_N 512
/* Row-major B read in place (not packed) up to this many rows per thread block. */
#define GEMM_DIRECT_B_MAX_M 64
/* GEMV (M = 1) with K at least this long is split along K in chunks of GEMM_GEMV_CHUNK
 * (at most GEMM_GEMV_MAX_CHUNKS of them). */
#define GEMM_GEMV_KSPLIT_MIN_K 2048
#define GEMM_GEMV_CHUNK 1024
#define GEMM_GEMV_MAX_CHUNKS 64
/* Below this many multiply-adds per thread a parallel region (fork, barrier, and on a
 * busy machine a descheduled partner) costs more than the thread saves: the seed
 * models' Dense layers (32x64x20 ...) run faster on one thread. */
#define GEMM_MIN_WORK_PER_THREAD 262144.0
/* One row of C (GEMV) is bound by streaming B, not by the FMAs: a second thread brings a
 * second core's L2 and its share of the L3 bandwidth, and with half of B per thread a B of
 * up to 1 MiB stays in the two L2s across calls (1x1024x256: 10.5 -> ~6 us on 2 threads). */
#define GEMM_GEMV_MIN_WORK_PER_THREAD 131072.0
/* Pre-packed B: a header of this many floats (64 bytes, keeps the panels aligned). */
#define GEMM_PACKED_HDR 16
#define GEMM_PACKED_MAGIC 0x4d434447 /* "GDCM" */

const mcdl_gemm_cfg *mcdl_gemm_cfg_for(mcdl_isa isa) {
    switch (isa) {
#if defined(__x86_64__)
    case MCDL_ISA_AVX512:
        return &mcdl_gemm_cfg_avx512;
    case MCDL_ISA_AVX2:
        return &mcdl_gemm_cfg_avx2;
#endif
#if defined(__aarch64__)
    case MCDL_ISA_NEON:
        return &mcdl_gemm_cfg_neon;
#endif
    default:
        return &mcdl_gemm_cfg_ref;
    }
}

void mcdl_f32_gemm_tile(int *mr, int *nr) {
    const mcdl_gemm_cfg *cfg = mcdl_gemm_cfg_for(mcdl_cpu_active_isa());
    *mr = cfg->mr;
    *nr = cfg->nr;
}

/* Per-thread packing buffers, grown on demand and kept: the GEMM is called thousands of
 * times per training step and must not allocate (and page-fault) each time. A pthread
 * key destructor frees them when a thread (e.g. an OpenMP worker) exits. */
typedef struct {
    float *buf[2];
    size_t cap[2];
} gemm_tls;

static pthread_key_t g_tls_key;
static pthread_once_t g_tls_once = PTHREAD_ONCE_INIT;
static _Thread_local gemm_tls *tls_bufs;

static void gemm_tls_free(void *p) {
    gemm_tls *t = p;
    free(t->buf[0]);
    free(t->buf[1]);
    free(t);
}

static void gemm_tls_key_init(void) { pthread_key_create(&g_tls_key, gemm_tls_free); }

static float *gemm_buffer(int which, size_t nfloats) {
    if (!tls_bufs) {
        pthread_once(&g_tls_once, gemm_tls_key_init);
        tls_bufs = calloc(1, sizeof *tls_bufs);
        if (!tls_bufs) return NULL;
        pthread_setspecific(g_tls_key, tls_bufs);
    }
    gemm_tls *t = tls_bufs;
    if (t->cap[which] < nfloats) {
        free(t->buf[which]);
        t->buf[which] = NULL;
        t->cap[which] = 0;
        void *p = NULL;
        if (posix_memalign(&p, 64, nfloats * sizeof(float)) != 0) return NULL;
        t->buf[which] = p;
        t->cap[which] = nfloats;
    }
    return t->buf[which];
}

typedef struct {
    const mcdl_gemm_cfg *cfg;
    int ta, tb;
    int64_t M, N, K;
    float alpha, beta;
    const float *A, *B;
    int64_t lda, ldb, ldc;
    const float *bpre; /* pre-packed B panels (header skipped) or NULL */
    int64_t npad;      /* columns of the pre-packed B, rounded up to NR */
    float *C;
    const mcdl_gemm_epilogue *ep;
} gemm_problem;

static const float *a_at(const gemm_problem *g, int64_t i, int64_t k) {
    return g->ta ? g->A + k * g->lda + i : g->A + i * g->lda + k;
}
static const float *b_at(const gemm_problem *g, int64_t k, int64_t j) {
    return g->tb ? g->B + j * g->ldb + k : g->B + k * g->ldb + j;
}

static mcdl_gemm_ukr_args ukr_args(const gemm_problem *g, float beta, int last_k) {
    mcdl_gemm_ukr_args p = {.alpha = g->alpha, .beta = beta, .act = MCDL_ACT_NONE};
    if (last_k && g->ep) {
        p.bias = g->ep->bias;
        p.bias_per_row = g->ep->bias_per_row;
        p.act = g->ep->act;
        p.act_alpha = g->ep->act_alpha;
    }
    return p;
}

/* When no packing buffer can be had, the block is still computed (plain loops). */
static void gemm_block_fallback(const gemm_problem *g, int64_t r0, int64_t r1, int64_t c0,
                                int64_t c1) {
    mcdl_gemm_epilogue ep;
    if (g->ep) {
        ep = *g->ep;
        if (ep.bias) ep.bias += ep.bias_per_row ? r0 : c0;
    }
    mcdl_f32_gemm_ref(g->ta ? 'T' : 'N', g->tb ? 'T' : 'N', r1 - r0, c1 - c0, g->K, g->alpha,
                      a_at(g, r0, 0), g->lda, b_at(g, 0, c0), g->ldb, g->beta,
                      g->C + r0 * g->ldc + c0, g->ldc, g->ep ? &ep : NULL);
}

/* Rows [r0, r1) x columns [c0, c1) of C through the packed five-loop path. c0 is a
 * multiple of NR when B is pre-packed. */
static void gemm_block_packed(const gemm_problem *g, int64_t r0, int64_t r1, int64_t c0,
                              int64_t c1) {
    const mcdl_gemm_cfg *cfg = g->cfg;
    const int mr = cfg->mr, nr = cfg->nr;
    const int64_t K = g->K;
    const int64_t kc_max = K < cfg->kc ? K : cfg->kc;
    const int64_t nc_max = cfg->nc / nr * nr;
    const int64_t m_all = r1 - r0, n_all = c1 - c0;
    int64_t mc_max = m_all < cfg->mc ? (m_all + mr - 1) / mr * mr : cfg->mc;
    const int64_t ncb = n_all < nc_max ? (n_all + nr - 1) / nr * nr : nc_max;
    float *abuf = gemm_buffer(0, (size_t)(mc_max * kc_max));
    float *bbuf = g->bpre ? NULL : gemm_buffer(1, (size_t)(ncb * kc_max));
    if (!g->bpre && (!abuf || !bbuf)) {
        gemm_block_fallback(g, r0, r1, c0, c1);
        return;
    }
    /* Pre-packed B has no plain copy to fall back on: one A panel on the stack will do
     * (MR x KC is at most 8 x 512 on every path). */
    float apanel[8 * 512];
    if (!abuf) {
        abuf = apanel;
        mc_max = mr;
    }
    /* Unpacked A: when few column tiles share each A panel, packing A costs more than
     * it saves (conv im2col with 32-64 output channels). A row stride of a multiple of
     * 2 KiB puts the MR rows into one or two L1 sets, so such A is always packed. */
    const int direct_a = n_all <= GEMM_DIRECT_A_MAX_N && (g->lda * 4) % 2048 != 0;
    const int64_t a_rs = g->ta ? 1 : g->lda, a_cs = g->ta ? g->lda : 1;
    /* Unpacked B: with few row tiles, packing B costs about as much as using it (same
     * 4 KiB caveat for its rows). */
    const int direct_b =
        !g->tb && !g->bpre && m_all <= GEMM_DIRECT_B_MAX_M && (g->ldb * 4) % 4096 != 0;
    for (int64_t jc = c0; jc < c1; jc += nc_max) {
        const int64_t nc = c1 - jc < nc_max ? c1 - jc : nc_max;
        for (int64_t pc = 0; pc < K; pc += kc_max) {
            const int64_t kc = K - pc < kc_max ? K - pc : kc_max;
            const float *bp;
            if (direct_b) {
                bp = NULL;
            } else if (g->bpre) {
                bp = g->bpre + pc * g->npad + jc * kc;
            } else {
                mcdl_gemm_pack_b(g->tb, kc, nc, b_at(g, pc, jc), g->ldb, nr, bbuf);
                bp = bbuf;
            }
            const mcdl_gemm_ukr_args p = ukr_args(g, pc == 0 ? g->beta : 1.0f, pc + kc == K);
            for (int64_t ic = r0; ic < r1; ic += mc_max) {
                const int64_t mc = r1 - ic < mc_max ? r1 - ic : mc_max;
                if (!direct_a) mcdl_gemm_pack_a(g->ta, mc, kc, a_at(g, ic, pc), g->lda, mr, abuf);
                /* ir outside jr: the A micro-panel (MR x KC, 16 KiB) stays in L1 while the
                 * kernel walks the packed B block as one sequential stream and C's rows
                 * left to right (measured against jr outside: 1024^3 +2 %, 2048^3 +6-9 %). */
                for (int64_t ir = 0; ir < mc; ir += mr) {
                    const int64_t m = mc - ir < mr ? mc - ir : mr;
                    for (int64_t jr = 0; jr < nc; jr += nr) {
                        const int64_t n = nc - jr < nr ? nc - jr : nr;
                        if (direct_a || direct_b) {
                            cfg->direct[m - 1](kc, direct_a ? a_at(g, ic + ir, pc) : abuf + ir * kc,
                                               direct_a ? a_rs : 1, direct_a ? a_cs : mr,
                                               direct_b ? b_at(g, pc, jc + jr) : bp + jr * kc,
                                               direct_b ? g->ldb : nr,
                                               g->C + (ic + ir) * g->ldc + jc + jr, g->ldc, n, &p,
                                               ic + ir, jc + jr);
                            continue;
                        }
                        cfg->ukr(kc, abuf + ir * kc, bp + jr * kc,
                                 g->C + (ic + ir) * g->ldc + jc + jr, g->ldc, m, n, &p, ic + ir,
                                 jc + jr);
                    }
                }
            }
        }
    }
}

/* Rows [r0, r1) x columns [c0, c1) without packing (op(B) = B row-major, few rows). */
static void gemm_block_direct(const gemm_problem *g, int64_t r0, int64_t r1, int64_t c0,
                              int64_t c1) {
    const mcdl_gemm_cfg *cfg = g->cfg;
    const mcdl_gemm_ukr_args p = ukr_args(g, g->beta, 1);
    const int64_t a_rs = g->ta ? 1 : g->lda, a_cs = g->ta ? g->lda : 1;
    if (r1 - r0 == 1) {
        cfg->gemv(g->K, c1 - c0, a_at(g, r0, 0), a_cs, g->B + c0, g->ldb, g->C + r0 * g->ldc + c0,
                  &p, r0, c0);
        return;
    }
    for (int64_t i = r0; i < r1; i += cfg->mr) {
        const int64_t m = r1 - i < cfg->mr ? r1 - i : cfg->mr;
        for (int64_t j = c0; j < c1; j += cfg->nr) {
            const int64_t n = c1 - j < cfg->nr ? c1 - j : cfg->nr;
            cfg->direct[m - 1](g->K, a_at(g, i, 0), a_rs, a_cs, g->B + j, g->ldb,
                               g->C + i * g->ldc + j, g->ldc, n, &p, i, j);
        }
    }
}

/* Rows [r0, r1) x columns [c0, c1) for few rows (M <= GEMM_DIRECT_MAX_M) with op(B) =
 * B^T: dot products of op(A)'s rows with rows of B, read in place. A transposed op(A)
 * (its rows strided by lda) is copied into the thread's A buffer first, so the kernel
 * reads both operands with unit stride. */
static void gemm_block_nt_small(const gemm_problem *g, int64_t r0, int64_t r1, int64_t c0,
                                int64_t c1) {
    const float *a = a_at(g, r0, 0);
    int64_t lda = g->lda;
    if (g->ta) {
        const int64_t m = r1 - r0;
        float *abuf = gemm_buffer(0, (size_t)(m * g->K));
        if (!abuf) {
            gemm_block_fallback(g, r0, r1, c0, c1);
            return;
        }
        for (int64_t k = 0; k < g->K; k++)
            for (int64_t i = 0; i < m; i++) abuf[i * g->K + k] = a[k * g->lda + i];
        a = abuf;
        lda = g->K;
    }
    const mcdl_gemm_ukr_args p = ukr_args(g, g->beta, 1);
    g->cfg->nt_small(r1 - r0, g->K, c1 - c0, a, lda, b_at(g, 0, c0), g->ldb,
                     g->C + r0 * g->ldc + c0, g->ldc, &p, r0, c0);
}

/* Rows [r0, r1) x columns [c0, c1) for K <= MCDL_GEMM_SMALLK_MAX with op(B) = B: nothing
 * packed. Column strips of NR outer (the K x NR strip of B stays in L1), full MR x NR
 * tiles through the K-specialised kernel, the rest through the exact-row kernels. */
static void gemm_block_smallk(const gemm_problem *g, int64_t r0, int64_t r1, int64_t c0,
                              int64_t c1) {
    const mcdl_gemm_cfg *cfg = g->cfg;
    const mcdl_gemm_ukr_args p = ukr_args(g, g->beta, 1);
    const int64_t a_rs = g->ta ? 1 : g->lda, a_cs = g->ta ? g->lda : 1;
    const int64_t mfull = (r1 - r0) / cfg->mr * cfg->mr;
    for (int64_t j = c0; j < c1; j += cfg->nr) {
        const int64_t n = c1 - j < cfg->nr ? c1 - j : cfg->nr;
        if (mfull > 0 && n == cfg->nr)
            cfg->smallk[g->K - 1](mfull, a_at(g, r0, 0), a_rs, a_cs, g->B + j, g->ldb,
                                  g->C + r0 * g->ldc + j, g->ldc, n, &p, r0, j);
        /* Rows not covered by the kernel (all of them in a narrow last strip). */
        const int64_t rs = n == cfg->nr ? mfull : 0;
        for (int64_t i = r0 + rs; i < r1; i += cfg->mr) {
            const int64_t m = r1 - i < cfg->mr ? r1 - i : cfg->mr;
            cfg->direct[m - 1](g->K, a_at(g, i, 0), a_rs, a_cs, g->B + j, g->ldb,
                               g->C + i * g->ldc + j, g->ldc, n, &p, i, j);
        }
    }
}

/* C = beta * C then the epilogue: the K = 0 or alpha = 0 product. */
static void gemm_scale_only(const gemm_problem *g) {
    for (int64_t i = 0; i < g->M; i++) {
        float *c = g->C + i * g->ldc;
        if (g->beta == 0.0f)
            memset(c, 0, (size_t)g->N * sizeof(float));
        else if (g->beta != 1.0f)
            for (int64_t j = 0; j < g->N; j++) c[j] *= g->beta;
    }
    mcdl_f32_gemm_epilogue_ref(g->M, g->N, g->C, g->ldc, g->ep, 0, 0);
}

/* M = 1 with a long K: K is cut into fixed chunks (independent of the thread count, so
 * results are too), each chunk's partial row is computed by a GEMV with alpha 1 and
 * beta 0, and the partial rows are summed in chunk order by one more GEMV (a = ones),
 * which also applies alpha, beta and the epilogue. Threads take whole chunks, so each
 * streams a contiguous slab of B. Returns 0 when no scratch could be had. */
static int gemm_gemv_ksplit(const gemm_problem *g, int nt) {
    static const float ones[GEMM_GEMV_MAX_CHUNKS] = {
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    int64_t chunk = GEMM_GEMV_CHUNK;
    if ((g->K + chunk - 1) / chunk > GEMM_GEMV_MAX_CHUNKS)
        chunk = (g->K + GEMM_GEMV_MAX_CHUNKS - 1) / GEMM_GEMV_MAX_CHUNKS;
    const int64_t nch = (g->K + chunk - 1) / chunk, N = g->N;
    float *part = NULL;
    if (posix_memalign((void **)&part, 64, sizeof(float) * (size_t)(nch * N)) != 0) return 0;
    const int64_t a_cs = g->ta ? g->lda : 1;
    const mcdl_gemm_ukr_args plain = {.alpha = 1.0f, .beta = 0.0f, .act = MCDL_ACT_NONE};
    if (nt > nch) nt = (int)nch;
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (int64_t c = 0; c < nch; c++) {
        const int64_t k0 = c * chunk, kc = g->K - k0 < chunk ? g->K - k0 : chunk;
        g->cfg->gemv(kc, N, g->A + k0 * a_cs, a_cs, g->B + k0 * g->ldb, g->ldb, part + c * N,
                     &plain, 0, 0);
    }
    const mcdl_gemm_ukr_args p = ukr_args(g, g->beta, 1);
    g->cfg->gemv(nch, N, ones, 1, part, N, g->C, &p, 0, 0);
    free(part);
    return 1;
}

static void gemm_run(const gemm_problem *g) {
    if (g->M <= 0 || g->N <= 0) return;
    if (g->K <= 0 || g->alpha == 0.0f) {
        gemm_scale_only(g);
        return;
    }
    const mcdl_gemm_cfg *cfg = g->cfg;
    const int direct = !g->tb && !g->bpre && g->M <= GEMM_DIRECT_MAX_M;
    /* Few rows with op(B) = B^T: dot products over B's rows, nothing packed. */
    const int nt_small = g->tb && !g->bpre && g->M <= GEMM_DIRECT_MAX_M;
    const int smallk = !direct && !g->tb && !g->bpre && g->K <= MCDL_GEMM_SMALLK_MAX;
    /* Each thread packs the whole of the operand along the dimension not split, so split
     * the longer dimension (the shorter operand gets packed twice); small-M products
     * always split columns. */
    const int64_t units_m = (g->M + cfg->mr - 1) / cfg->mr;
    const int64_t units_n = (g->N + cfg->nr - 1) / cfg->nr;
    const int split_m = !direct && !nt_small && g->M >= g->N && units_m >= 2;
    const int64_t units = split_m ? units_m : units_n;
    int nt = omp_in_parallel() ? 1 : omp_get_max_threads();
    const double work = (double)g->M * (double)g->N * (double)g->K;
    const double min_work = g->M == 1 ? GEMM_GEMV_MIN_WORK_PER_THREAD : GEMM_MIN_WORK_PER_THREAD;
    if (nt > work / min_work) nt = (int)(work / min_work);
    if (nt > units) nt = (int)units;
    if (nt < 1) nt = 1;
    void (*block)(const gemm_problem *, int64_t, int64_t, int64_t, int64_t) =
        direct     ? gemm_block_direct
        : nt_small ? gemm_block_nt_small
        : smallk   ? gemm_block_smallk
                   : gemm_block_packed;
    if (direct && g->M == 1 && g->K >= GEMM_GEMV_KSPLIT_MIN_K) {
        int nt_k = omp_in_parallel() ? 1 : omp_get_max_threads();
        if (nt_k > work / min_work) nt_k = (int)(work / min_work);
        if (gemm_gemv_ksplit(g, nt_k < 1 ? 1 : nt_k)) return;
    }
    if (nt == 1) {
        block(g, 0, g->M, 0, g->N);
        return;
    }
#pragma omp parallel num_threads(nt)
    {
        const int64_t t = omp_get_thread_num(), n = omp_get_num_threads();
        const int64_t u0 = units * t / n, u1 = units * (t + 1) / n;
        if (split_m) {
            const int64_t r0 = u0 * cfg->mr, r1 = u1 * cfg->mr < g->M ? u1 * cfg->mr : g->M;
            if (r0 < r1) block(g, r0, r1, 0, g->N);
        } else {
            const int64_t c0 = u0 * cfg->nr, c1 = u1 * cfg->nr < g->N ? u1 * cfg->nr : g->N;
            if (c0 < c1) block(g, 0, g->M, c0, c1);
        }
    }
}

void mcdl_f32_gemm(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha,
                   const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
                   int64_t ldc, const mcdl_gemm_epilogue *ep) {
    const gemm_problem g = {.cfg = mcdl_gemm_cfg_for(mcdl_cpu_active_isa()),
                            .ta = transa == 'T' || transa == 't',
                            .tb = transb == 'T' || transb == 't',
                            .M = M,
                            .N = N,
                            .K = K,
                            .alpha = alpha,
                            .beta = beta,
                            .A = A,
                            .B = B,
                            .lda = lda,
                            .ldb = ldb,
                            .ldc = ldc,
                            .C = C,
                            .ep = ep};
    gemm_run(&g);
}

/* ---- pre-packed B ---- */

static int64_t packed_npad(const mcdl_gemm_cfg *cfg, int64_t N) {
    return (N + cfg->nr - 1) / cfg->nr * cfg->nr;
}

int64_t mcdl_f32_gemm_pack_b_size(int64_t K, int64_t N) {
    const mcdl_gemm_cfg *cfg = mcdl_gemm_cfg_for(mcdl_cpu_active_isa());
    return GEMM_PACKED_HDR + K * packed_npad(cfg, N);
}

void mcdl_f32_gemm_pack_b(char transb, int64_t K, int64_t N, const float *B, int64_t ldb,
                          float *packed) {
    const mcdl_gemm_cfg *cfg = mcdl_gemm_cfg_for(mcdl_cpu_active_isa());
    const int tb = transb == 'T' || transb == 't';
    const int32_t hdr[4] = {GEMM_PACKED_MAGIC, (int32_t)cfg->isa, (int32_t)K, (int32_t)N};
    memset(packed, 0, GEMM_PACKED_HDR * sizeof(float));
    memcpy(packed, hdr, sizeof hdr);
    const int64_t npad = packed_npad(cfg, N);
    for (int64_t pc = 0; pc < K; pc += cfg->kc) {
        const int64_t kc = K - pc < cfg->kc ? K - pc : cfg->kc;
        mcdl_gemm_pack_b(tb, kc, N, tb ? B + pc : B + pc * ldb, ldb, cfg->nr,
                         packed + GEMM_PACKED_HDR + pc * npad);
    }
}

void mcdl_f32_gemm_packed_b(char transa, int64_t M, int64_t N, int64_t K, float alpha,
                            const float *A, int64_t lda, const float *packed_b, float beta,
                            float *C, int64_t ldc, const mcdl_gemm_epilogue *ep) {
    int32_t hdr[4];
    memcpy(hdr, packed_b, sizeof hdr);
    /* The panels were laid out for the path that packed them, whatever is active now. */
    const mcdl_gemm_cfg *cfg = mcdl_gemm_cfg_for((mcdl_isa)hdr[1]);
    const gemm_problem g = {.cfg = cfg,
                            .ta = transa == 'T' || transa == 't',
                            .tb = 0,
                            .M = M,
                            .N = N,
                            .K = K,
                            .alpha = alpha,
                            .beta = beta,
                            .A = A,
                            .lda = lda,
                            .ldc = ldc,
                            .C = C,
                            .ep = ep,
                            .bpre = packed_b + GEMM_PACKED_HDR,
                            .npad = packed_npad(cfg, N)};
    gemm_run(&g);
}
