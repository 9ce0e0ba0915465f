/* Optimizer update kernels, avx2 path (simd/f32_avx2.h). */
#include "kernels/optim/optim.h"
#include "simd/f32_avx2.h"

#define MCDL_ISA_FN(name) name##_avx2
#include "kernels/optim/optim_body.inc"
