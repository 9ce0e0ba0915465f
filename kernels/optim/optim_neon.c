/* Optimizer update kernels, neon path (simd/f32_neon.h). */
#include "kernels/optim/optim.h"
#include "simd/f32_neon.h"

#define MCDL_ISA_FN(name) name##_neon
#include "kernels/optim/optim_body.inc"
