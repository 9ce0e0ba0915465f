/* Internal GEMM plumbing shared by the blocked driver (gemm_driver.c), the packing
 * routines (gemm_pack.c) and the per-ISA microkernel files (gemm_ukr_*.c). */
#ifndef MCDL_KERNELS_GEMM_INTERNAL_H
#define MCDL_KERNELS_GEMM_INTERNAL_H

#include <stdint.h>

#include "kernels/gemm/gemm.h"
#include "simd/cpu.h"

/* What a microkernel does with its finished tile: C = act(alpha * acc + beta * C + bias).
 * beta == 0 means C is not read. bias (absolute row/column indexing, NULL for none) and
 * act are only set on the last K block; earlier K blocks pass beta = 1 on re-entry. */
typedef struct {
    float alpha, beta;
    const float *bias;
    int bias_per_row;
    int act; /* mcdl_act; MCDL_ACT_NONE for none */
    float act_alpha;
} mcdl_gemm_ukr_args;

/* Packed microkernel: a is an MR x k panel stored k-major (a[kk * MR + i]), b a k x NR
 * panel (b[kk * NR + j]), both zero-padded; writes rows [0, m) and columns [0, n) of the
 * tile at c. row0/col0 locate the tile in the whole C (for the bias). */
typedef void (*mcdl_gemm_ukr_fn)(int64_t k, const float *a, const float *b, float *c, int64_t ldc,
                                 int64_t m, int64_t n, const mcdl_gemm_ukr_args *p, int64_t row0,
                                 int64_t col0);

/* Unpacked microkernel for exactly m rows (one function per m in [1, MR]): A element
 * (i, kk) at a[i * a_rs + kk * a_cs], B row-major (b[kk * ldb + j]), n <= NR columns. */
typedef void (*mcdl_gemm_ukr_direct_fn)(int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
                                        const float *b, int64_t ldb, float *c, int64_t ldc,
                                        int64_t n, const mcdl_gemm_ukr_args *p, int64_t row0,
                                        int64_t col0);

/* One row of C (M = 1) with B row-major: c[j] for j in [0, n), A element kk at a[kk * a_cs]. */
typedef void (*mcdl_gemm_gemv_fn)(int64_t k, int64_t n, const float *a, int64_t a_cs,
                                  const float *b, int64_t ldb, float *c,
                                  const mcdl_gemm_ukr_args *p, int64_t row0, int64_t col0);

/* Rows [0, m) of C (m <= 16) with op(B) = B^T: c[i][j] = dot(row i of A, row j of B) for
 * j in [0, n); A rows contiguous (k floats at stride lda), B rows at stride ldb. */
typedef void (*mcdl_gemm_nt_small_fn)(int64_t m, int64_t k, int64_t n, const float *a, int64_t lda,
                                      const float *b, int64_t ldb, float *c, int64_t ldc,
                                      const mcdl_gemm_ukr_args *p, int64_t row0, int64_t col0);

/* Tiny-K kernel (one function per K in [1, 16]): rows [0, m) with m a multiple of MR,
 * exactly NR columns, A element (i, kk) at a[i * a_rs + kk * a_cs], B row-major, no packing. */
typedef void (*mcdl_gemm_smallk_fn)(int64_t m, const float *a, int64_t a_rs, int64_t a_cs,
                                    const float *b, int64_t ldb, float *c, int64_t ldc, int64_t n,
                                    const mcdl_gemm_ukr_args *p, int64_t row0, int64_t col0);

#define MCDL_GEMM_SMALLK_MAX 16

/* The per-ISA kernel table with its block sizes (chosen from the cache sizes the file's
 * comment states): MC x KC of A fits L2, KC x NR of B fits L1, KC x NC of B fits L3. */
typedef struct {
    mcdl_isa isa;
    int mr, nr;
    int64_t mc, kc, nc;
    mcdl_gemm_ukr_fn ukr;
    mcdl_gemm_ukr_direct_fn direct[16]; /* index m - 1, m <= mr */
    mcdl_gemm_gemv_fn gemv;
    mcdl_gemm_nt_small_fn nt_small;
    mcdl_gemm_smallk_fn smallk[MCDL_GEMM_SMALLK_MAX]; /* index K - 1 */
} mcdl_gemm_cfg;

extern const mcdl_gemm_cfg mcdl_gemm_cfg_ref;
#if defined(__x86_64__)
extern const mcdl_gemm_cfg mcdl_gemm_cfg_avx2;
extern const mcdl_gemm_cfg mcdl_gemm_cfg_avx512;
#endif
#if defined(__aarch64__)
extern const mcdl_gemm_cfg mcdl_gemm_cfg_neon;
#endif

/* The table for a path (the reference table when this build lacks the path). */
const mcdl_gemm_cfg *mcdl_gemm_cfg_for(mcdl_isa isa);

/* Packs rows [0, m) x columns [0, k) of op(A) (A at its top-left) into ceil(m / mr)
 * panels of mr x k, k-major, rows past m zeroed. */
void mcdl_gemm_pack_a(int ta, int64_t m, int64_t k, const float *A, int64_t lda, int mr,
                      float *dst);
/* Packs rows [0, k) x columns [0, n) of op(B) into ceil(n / nr) panels of k x nr,
 * columns past n zeroed. */
void mcdl_gemm_pack_b(int tb, int64_t k, int64_t n, const float *B, int64_t ldb, int nr,
                      float *dst);

#endif
