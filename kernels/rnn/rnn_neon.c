/* Fused recurrent cell tile kernels, neon path (simd/f32_neon.h); body in rnn_body.inc. */
#include "simd/f32_neon.h"

#define MCDL_ISA_FN(name) name##_neon
#define RNN_MR 6
/* Reciprocal for the gate activations: 8-bit estimate + two Newton steps. */
static inline vf rnn_rcp(vf d) {
    vf r = vrecpeq_f32(d);
    r = vmulq_f32(r, vrecpsq_f32(d, r));
    return vmulq_f32(r, vrecpsq_f32(d, r));
}
#define RNN_RCP(d) rnn_rcp(d)
#define RNN_WG_MR 4
#include "kernels/rnn/rnn_body.inc"
