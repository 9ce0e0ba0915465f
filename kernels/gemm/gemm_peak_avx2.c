/* FMA throughput probe, avx2 (see gemm_peak.h). */
#include "kernels/gemm/gemm_peak.h"
#include "simd/f32_avx2.h"

float mcdl_f32_fma_peak_avx2(int64_t iters) {
    vf acc[12];
    const vf x = vf_set1(0.9999999f), y = vf_set1(1e-7f);
#pragma GCC unroll 16
    for (int i = 0; i < 12; i++) acc[i] = vf_set1((float)i);
    for (int64_t it = 0; it < iters; it++) {
#pragma GCC unroll 16
        for (int i = 0; i < 12; i++) acc[i] = vf_fma(acc[i], x, y);
    }
    vf s = vf_zero();
#pragma GCC unroll 16
    for (int i = 0; i < 12; i++) s = vf_add(s, acc[i]);
    return vf_hsum(s);
}
