/* AVX-512 GEMM microkernels: 8 x 32 register tile (16 zmm accumulators, 2 B vectors and a
 * broadcast A element per k step). Zen 4 runs one 512-bit FMA per cycle with 4-cycle
 * latency, so 16 independent accumulators keep the FMA pipe full while 10 loads per
 * 16 FMAs stay under the two load ports; 8 rows divide the common batch sizes (32, 256).
 * Blocks: KC = 256 (B micro-panel 32 KiB streams through L1, A micro-panel 8 KiB stays),
 * MC = 128 (A block 128 KiB in the 1 MiB L2), NC = 2048 (B block 2 MiB in L3). */
#include "simd/f32_avx512.h"

#define MCDL_GEMM_MR 8
#define MCDL_GEMM_NV 2
#define MCDL_GEMM_GEMV_V 16
#define MCDL_GEMM_MC 128
#define MCDL_GEMM_KC 256
#define MCDL_GEMM_NC 2048
#define MCDL_GEMM_ISA MCDL_ISA_AVX512
#define MCDL_GEMM_CFG mcdl_gemm_cfg_avx512
#define MCDL_GEMM_FN(x) mcdl_f32_gemm_##x##_8x32_avx512
#include "kernels/gemm/gemm_ukr_body.inc"
