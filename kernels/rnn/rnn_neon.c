/* Fused recurrent cell tile kernels, neon path (simd/f32_neon.h); body in rnn_body.inc. */
#include "simd/f32_neon.h"

#define MCDL_ISA_FN(name) name##_neon
#define RNN_MR 6
#define RNN_WG_MR 4
#include "kernels/rnn/rnn_body.inc"
