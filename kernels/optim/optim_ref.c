/* Optimizer update kernels, ref path (simd/f32_scalar.h). */
#include "kernels/optim/optim.h"
#include "simd/f32_scalar.h"

#define MCDL_ISA_FN(name) name##_ref
#include "kernels/optim/optim_body.inc"
