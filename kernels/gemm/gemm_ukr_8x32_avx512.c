/* AVX-512 GEMM microkernels: 8 x 32 register tile (16 zmm accumulators, 2 B vectors and a
 * broadcast A element per k step). Zen 4 runs one 512-bit FMA per cycle with 4-cycle
 * latency, so 16 independent accumulators keep the FMA pipe full while 10 loads per
 * 16 FMAs stay under the two load ports; 8 rows divide the common batch sizes (32, 256).
 * Blocks: KC = 512 (A micro-panel 16 KiB in L1, B micro-panel 64 KiB from L2), MC = 64
 * (A block 128 KiB), NC = 512 (B block 1 MiB, in L2). Measured on Zen 4 against KC/MC =
 * 256/128, 384/96, 384/128, 512/128, 768/64, 1024/32: the longer K block halves the passes
 * over C and wins 7-12 % on 1024^3 and 2048^3 (256/128 was slowest); 1024/32 was about as
 * fast but needs a 32 KiB A micro-panel. NC: on Zen 4 (fast L3) 512, 1024 and 2048 were
 * alike; on an Intel Xeon (Emerald Rapids, 2 MiB L2, mesh L3 at ~30 GB/s per core) the
 * ir-outside-jr loop re-reads the whole B block for every A micro-panel, so it must stay
 * in L2: 1024^3 13.7 -> 10.0 ms, 2048^3 137 -> 79 ms with NC 2048 -> 512 (256 and 384
 * were 4-6 % slower than 512, 1024 like 2048; medians of 3). */
#include "simd/f32_avx512.h"

#define MCDL_GEMM_MR 8
#define MCDL_GEMM_NV 2
#define MCDL_GEMM_GEMV_V 16
#define MCDL_GEMM_MC 64
#define MCDL_GEMM_KC 512
#define MCDL_GEMM_NC 512
#define MCDL_GEMM_ISA MCDL_ISA_AVX512
#define MCDL_GEMM_CFG mcdl_gemm_cfg_avx512
#define MCDL_GEMM_FN(x) mcdl_f32_gemm_##x##_8x32_avx512
#include "kernels/gemm/gemm_ukr_body.inc"
