/* Helpers for the per-ISA dispatch tables every kernel family keeps: X86(f) and ARM(f)
 * name a function only where it is compiled (elsewhere NULL), so one table initialiser
 * {ref, ARM(neon), X86(avx2), X86(avx512)} serves every build. Internal to kernels/. */
#ifndef MCDL_KERNELS_ISA_TABLE_H
#define MCDL_KERNELS_ISA_TABLE_H

#include <stddef.h>

#if defined(__x86_64__)
#define X86(f) f
#define ARM(f) NULL
#elif defined(__aarch64__)
#define X86(f) NULL
#define ARM(f) f
#else
#define X86(f) NULL
#define ARM(f) NULL
#endif

#endif
