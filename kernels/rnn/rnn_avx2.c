/* Fused recurrent cell tile kernels, avx2 path (simd/f32_avx2.h); body in rnn_body.inc. */
#include "simd/f32_avx2.h"

#define MCDL_ISA_FN(name) name##_avx2
#define RNN_MR 2
/* Reciprocal for the gate activations: 12-bit estimate + one Newton step. */
static inline vf rnn_rcp(vf d) {
    vf r = _mm256_rcp_ps(d);
    return vf_fma(r, vf_fnma(d, r, vf_set1(1.0f)), r);
}
#define RNN_RCP(d) rnn_rcp(d)
#define RNN_WG_MR 4
#include "kernels/rnn/rnn_body.inc"
