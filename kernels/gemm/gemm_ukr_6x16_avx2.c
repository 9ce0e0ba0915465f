/* AVX2+FMA GEMM microkernels: 6 x 16 register tile (12 ymm accumulators + 2 B vectors +
 * 1 broadcast = 15 of the 16 ymm registers), the classic BLIS Haswell shape: two FMA
 * pipes with 4-5 cycle latency need at least 8-10 independent accumulators.
 * Blocks: KC = 256 (B micro-panel 16 KiB in L1), MC = 120 (A block 120 KiB in L2),
 * NC = 2048 (B block 2 MiB in L3). */
#include "simd/f32_avx2.h"

#define MCDL_GEMM_MR 6
#define MCDL_GEMM_NV 2
#define MCDL_GEMM_GEMV_V 12
#define MCDL_GEMM_MC 120
#define MCDL_GEMM_KC 256
#define MCDL_GEMM_NC 2048
#define MCDL_GEMM_ISA MCDL_ISA_AVX2
#define MCDL_GEMM_CFG mcdl_gemm_cfg_avx2
#define MCDL_GEMM_FN(x) mcdl_f32_gemm_##x##_6x16_avx2
#include "kernels/gemm/gemm_ukr_body.inc"
