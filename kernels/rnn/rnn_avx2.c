/* Fused recurrent cell tile kernels, avx2 path (simd/f32_avx2.h); body in rnn_body.inc. */
#include "simd/f32_avx2.h"

#define MCDL_ISA_FN(name) name##_avx2
#define RNN_MR 2
#define RNN_WG_MR 4
#include "kernels/rnn/rnn_body.inc"
