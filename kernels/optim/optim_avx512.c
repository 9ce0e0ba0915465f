/* Optimizer update kernels, avx512 path (simd/f32_avx512.h). */
#include "kernels/optim/optim.h"
#include "simd/f32_avx512.h"

#define MCDL_ISA_FN(name) name##_avx512
#include "kernels/optim/optim_body.inc"
