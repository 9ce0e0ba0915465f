/* Dispatch table for the peak probes: one entry per ISA, NULL where not compiled in. */
#include "kernels/peak/peak.h"

#include <stddef.h>

#include "kernels/isa_table.h"

static const mcdl_peak_fma_fn k_fma[MCDL_ISA_COUNT] = {
    mcdl_peak_fma_ref, ARM(mcdl_peak_fma_neon), X86(mcdl_peak_fma_avx2), X86(mcdl_peak_fma_avx512)};
static const mcdl_peak_read_fn k_read[MCDL_ISA_COUNT] = {
    mcdl_peak_read_ref, ARM(mcdl_peak_read_neon), X86(mcdl_peak_read_avx2),
    X86(mcdl_peak_read_avx512)};

mcdl_peak_fma_fn mcdl_peak_fma_fn_for(mcdl_isa isa) {
    return (unsigned)isa < MCDL_ISA_COUNT ? k_fma[isa] : NULL;
}

mcdl_peak_read_fn mcdl_peak_read_fn_for(mcdl_isa isa) {
    return (unsigned)isa < MCDL_ISA_COUNT ? k_read[isa] : NULL;
}

int mcdl_peak_lanes(mcdl_isa isa) {
    static const int lanes[MCDL_ISA_COUNT] = {1, 4, 8, 16};
    return (unsigned)isa < MCDL_ISA_COUNT ? lanes[isa] : 0;
}
