/* Peak probes, portable scalar path: the multiply-add is a separate multiply and add,
 * because fmaf() without hardware FMA flags is a library call and would time the call. */
#include "kernels/peak/peak.h"
#include "simd/f32_scalar.h"

#define MCDL_ISA_FN(name) name##_ref
#define PEAK_FMA(a, b, c) ((a) * (b) + (c))
#include "kernels/peak/peak_body.inc"
