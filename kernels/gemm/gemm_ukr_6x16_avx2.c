/* AVX2+FMA GEMM microkernels: 6 x 16 register tile (12 ymm accumulators + 2 B vectors +
 * 1 broadcast = 15 of the 16 ymm registers), the classic BLIS Haswell shape: two FMA
 * pipes with 4-5 cycle latency need at least 8-10 independent accumulators.
 * Blocks: KC = 256 (B micro-panel 16 KiB in L1), MC = 120 (A block 120 KiB in L2),
 * NC = 1024 (B block 1 MiB: the loop order re-reads it for every A micro-panel, so it
 * should sit in L2; on an Intel Xeon with a slow mesh L3, 2048^3 took 234 ms at NC 2048,
 * 197 ms at 1024, 188 ms at 512, medians of 3, MCDL_ISA=avx2). */
#include "simd/f32_avx2.h"

#define MCDL_GEMM_MR 6
#define MCDL_GEMM_NV 2
#define MCDL_GEMM_GEMV_V 12
#define MCDL_GEMM_MC 120
#define MCDL_GEMM_KC 256
#define MCDL_GEMM_NC 1024
#define MCDL_GEMM_ISA MCDL_ISA_AVX2
#define MCDL_GEMM_CFG mcdl_gemm_cfg_avx2
#define MCDL_GEMM_FN(x) mcdl_f32_gemm_##x##_6x16_avx2
#include "kernels/gemm/gemm_ukr_body.inc"
