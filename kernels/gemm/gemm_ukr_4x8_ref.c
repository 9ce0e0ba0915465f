/* Scalar reference GEMM microkernels: 4 x 8 tile of float accumulators through the same
 * body and the same blocked driver as the SIMD paths (simd/f32_scalar.h, one lane), so the
 * MCDL_ISA=ref run tests the driver, packing and epilogue on every machine. */
#include "simd/f32_scalar.h"

#define MCDL_GEMM_MR 4
#define MCDL_GEMM_NV 8
#define MCDL_GEMM_GEMV_V 8
#define MCDL_GEMM_MC 64
#define MCDL_GEMM_KC 256
#define MCDL_GEMM_NC 1024
#define MCDL_GEMM_ISA MCDL_ISA_REF
#define MCDL_GEMM_CFG mcdl_gemm_cfg_ref
#define MCDL_GEMM_FN(x) mcdl_f32_gemm_##x##_4x8_ref
#include "kernels/gemm/gemm_ukr_body.inc"
