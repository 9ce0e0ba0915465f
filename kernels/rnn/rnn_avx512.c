/* Fused recurrent cell tile kernels, avx512 path (simd/f32_avx512.h); body in rnn_body.inc. */
#include "simd/f32_avx512.h"

#define MCDL_ISA_FN(name) name##_avx512
#define RNN_MR 6
/* Reciprocal for the gate activations: 14-bit estimate + one Newton step. */
static inline vf rnn_rcp(vf d) {
    vf r = _mm512_rcp14_ps(d);
    return vf_fma(r, vf_fnma(d, r, vf_set1(1.0f)), r);
}
#define RNN_RCP(d) rnn_rcp(d)
#define RNN_WG_MR 6
#include "kernels/rnn/rnn_body.inc"
