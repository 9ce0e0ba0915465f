/* Fused recurrent cell tile kernels, avx512 path (simd/f32_avx512.h); body in rnn_body.inc. */
#include "simd/f32_avx512.h"

#define MCDL_ISA_FN(name) name##_avx512
#define RNN_MR 6
#define RNN_WG_MR 6
#include "kernels/rnn/rnn_body.inc"
