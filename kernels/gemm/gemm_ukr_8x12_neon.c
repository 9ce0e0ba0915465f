/* NEON GEMM microkernels: 8 x 12 register tile (24 of the 32 q registers accumulate,
 * 3 B vectors and a broadcast A element per k step), the usual Cortex-A/Neoverse shape.
 * Blocks: KC = 256 (B micro-panel 12 KiB in L1), MC = 96, NC = 1536. */
#include "simd/f32_neon.h"

#define MCDL_GEMM_MR 8
#define MCDL_GEMM_NV 3
#define MCDL_GEMM_GEMV_V 24
#define MCDL_GEMM_MC 96
#define MCDL_GEMM_KC 256
#define MCDL_GEMM_NC 1536
#define MCDL_GEMM_ISA MCDL_ISA_NEON
#define MCDL_GEMM_CFG mcdl_gemm_cfg_neon
#define MCDL_GEMM_FN(x) mcdl_f32_gemm_##x##_8x12_neon
#include "kernels/gemm/gemm_ukr_body.inc"
