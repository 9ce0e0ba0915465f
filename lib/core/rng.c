/* Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11):
 * a keyed bijection of a 128-bit counter, so any element can be drawn independently. */
#include "mcdl/rng.h"

#include <math.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

void mcdl_philox4x32(uint64_t key, uint64_t counter_hi, uint64_t counter_lo, uint32_t out[4]) {
    uint32_t c0 = (uint32_t)counter_lo, c1 = (uint32_t)(counter_lo >> 32);
    uint32_t c2 = (uint32_t)counter_hi, c3 = (uint32_t)(counter_hi >> 32);
    uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0, p1 = (uint64_t)PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n1 = (uint32_t)p1;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1, n3 = (uint32_t)p0;
        c0 = n0, c1 = n1, c2 = n2, c3 = n3;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0, out[1] = c1, out[2] = c2, out[3] = c3;
}

static inline float to_unit(uint32_t w) { return (float)(w >> 8) * (1.0f / 16777216.0f); }

float mcdl_rng_uniform(uint64_t seed, uint64_t stream, uint64_t index) {
    uint32_t w[4];
    mcdl_philox4x32(seed, stream, index, w);
    return to_unit(w[0]);
}

void mcdl_rng_fill_uniform(uint64_t seed, uint64_t stream, uint64_t offset, float *out, int64_t n,
                           float lo, float hi) {
#pragma omp parallel for schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; i++)
        out[i] = lo + (hi - lo) * mcdl_rng_uniform(seed, stream, offset + (uint64_t)i);
}

void mcdl_rng_fill_normal(uint64_t seed, uint64_t stream, uint64_t offset, float *out, int64_t n,
                          float mean, float std) {
#pragma omp parallel for schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; i++) {
        uint32_t w[4];
        mcdl_philox4x32(seed, stream, offset + (uint64_t)i, w);
        /* u1 in (0, 1] so log never sees 0; double keeps the tail accurate. */
        double u1 = ((double)(w[0] >> 8) + 1.0) / 16777216.0;
        double u2 = (double)(w[1] >> 8) / 16777216.0;
        double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
        out[i] = mean + std * (float)z;
    }
}

uint64_t mcdl_rng_below(uint64_t seed, uint64_t stream, uint64_t index, uint64_t bound) {
    uint32_t w[4];
    mcdl_philox4x32(seed, stream, index, w);
    uint64_t r = ((uint64_t)w[0] << 32) | w[1];
    /* 64 random bits reduce the modulo bias below 2^-40 for any bound < 2^24. */
    return bound ? r % bound : 0;
}
