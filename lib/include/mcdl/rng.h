/* Counter-based random numbers (Philox4x32-10): element i of a stream depends only on
 * (seed, stream, i), so results are identical for any thread count or partition. */
#ifndef MCDL_RNG_H
#define MCDL_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Four 32-bit random words for (key, counter): Philox4x32 with 10 rounds. */
void mcdl_philox4x32(uint64_t key, uint64_t counter_hi, uint64_t counter_lo, uint32_t out[4]);
/** Uniform float in [0, 1) for element index of (seed, stream); 24 random bits. */
float mcdl_rng_uniform(uint64_t seed, uint64_t stream, uint64_t index);
/** out[i] = lo + (hi - lo) * U(seed, stream, offset + i), parallel and deterministic. */
void mcdl_rng_fill_uniform(uint64_t seed, uint64_t stream, uint64_t offset, float *out, int64_t n,
                           float lo, float hi);
/** out[i] = mean + std * N(0,1) (Box-Muller on the element's own counter). */
void mcdl_rng_fill_normal(uint64_t seed, uint64_t stream, uint64_t offset, float *out, int64_t n,
                          float mean, float std);
/** A uniform integer in [0, bound) for element index (bound > 0), e.g. for shuffling. */
uint64_t mcdl_rng_below(uint64_t seed, uint64_t stream, uint64_t index, uint64_t bound);

#ifdef __cplusplus
}
#endif
#endif
