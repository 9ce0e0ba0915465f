/* Fused recurrent cell tile kernels, scalar path (simd/f32_scalar.h); body in rnn_body.inc. */
#include "simd/f32_scalar.h"

#define MCDL_ISA_FN(name) name##_scalar
#define RNN_MR 4
/* Reciprocal for the gate activations (exact on the scalar path). */
#define RNN_RCP(d) (1.0f / (d))
#define RNN_WG_MR 4
#include "kernels/rnn/rnn_body.inc"
