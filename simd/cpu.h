/* CPU feature detection and the run-time ISA choice shared by every kernel dispatcher. */
#ifndef MCDL_SIMD_CPU_H
#define MCDL_SIMD_CPU_H

#include <stddef.h>

/* Ordered by preference on their architecture: dispatch tables try the highest first. */
typedef enum {
    MCDL_ISA_REF = 0,    /* portable scalar C, every kernel has one */
    MCDL_ISA_NEON = 1,   /* aarch64 Advanced SIMD, 4 lanes */
    MCDL_ISA_AVX2 = 2,   /* x86-64 AVX2 + FMA, 8 lanes */
    MCDL_ISA_AVX512 = 3, /* x86-64 AVX-512F, 16 lanes */
    MCDL_ISA_COUNT = 4
} mcdl_isa;

enum {
    MCDL_CPU_AVX2 = 1u << 0,
    MCDL_CPU_FMA = 1u << 1,
    MCDL_CPU_AVX512F = 1u << 2,
    MCDL_CPU_NEON = 1u << 3,
    MCDL_CPU_F16C = 1u << 4,
};

/* Feature bits of this CPU (cpuid + xgetbv on x86, compile-time on aarch64). */
unsigned mcdl_cpu_features(void);
/* Whether this CPU (and OS, for the register state) can run the given path. */
int mcdl_cpu_isa_supported(mcdl_isa isa);
/* The best path this CPU supports. */
mcdl_isa mcdl_cpu_best_isa(void);
/* The path kernels use now: MCDL_ISA from the environment (read once), or one forced by
 * mcdl_cpu_force_isa(), else the best. A forced path the CPU lacks is never used: the
 * best is used instead and mcdl_cpu_isa_error() reports the request. */
mcdl_isa mcdl_cpu_active_isa(void);
/* NULL when the ISA request is fine, else a sentence saying what was asked and why it
 * cannot be honoured. */
const char *mcdl_cpu_isa_error(void);
/* Force a path (tests, benches). Returns 0, or -1 when the CPU lacks it (nothing changes). */
int mcdl_cpu_force_isa(mcdl_isa isa);
/* "ref", "neon", "avx2", "avx512". */
const char *mcdl_isa_name(mcdl_isa isa);
/* Parses an ISA name; returns 0 on success, -1 for an unknown name. */
int mcdl_isa_parse(const char *name, mcdl_isa *out);
/* Comma-separated feature names of this CPU, e.g. "avx2,fma,f16c,avx512f". */
void mcdl_cpu_features_string(char *buf, size_t n);

#endif
