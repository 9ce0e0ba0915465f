/* Threads, ISA selection and the public vectorised-math entry points. */
#include "mcdl/runtime.h"

#include <omp.h>

#include "kernels/vmath/vmath.h"
#include "lib/core/error.h"
#include "simd/cpu.h"

mcdl_status mcdl_set_num_threads(int n) {
    if (n < 1) return mcdl_error(MCDL_ERR_ARG, "thread count must be at least 1 (got %d)", n);
    omp_set_num_threads(n);
    return MCDL_OK;
}

int mcdl_get_num_threads(void) { return omp_get_max_threads(); }

const char *mcdl_active_isa(void) { return mcdl_isa_name(mcdl_cpu_active_isa()); }

mcdl_status mcdl_set_isa(const char *name) {
    mcdl_isa isa;
    if (mcdl_isa_parse(name, &isa) != 0)
        return mcdl_error(MCDL_ERR_ARG, "unknown ISA path '%s' (use ref, avx2, avx512 or neon)",
                          name ? name : "(null)");
    if (mcdl_cpu_force_isa(isa) != 0) {
        char have[96];
        mcdl_cpu_features_string(have, sizeof have);
        return mcdl_error(MCDL_ERR_UNSUPPORTED, "this CPU cannot run the %s path (features: %s)",
                          name, have[0] ? have : "none");
    }
    return MCDL_OK;
}

mcdl_status mcdl_isa_status(void) { return mcdl_check_isa(); }

void mcdl_cpu_features_str(char *buf, size_t n) { mcdl_cpu_features_string(buf, n); }

static mcdl_status run_vmath(mcdl_vmath_op op, const float *x, float *y, int64_t n) {
    MCDL_TRY(mcdl_check_isa());
    if (n < 0)
        return mcdl_error(MCDL_ERR_ARG, "mcdl_v%s: n is negative (%lld)", mcdl_vmath_name(op),
                          (long long)n);
    if (n > 0 && (!x || !y))
        return mcdl_error(MCDL_ERR_ARG, "mcdl_v%s: NULL array", mcdl_vmath_name(op));
    mcdl_f32_unary_fn f = mcdl_vmath_active(op);
    const int64_t chunk = 16384;
#pragma omp parallel for schedule(static) if (n > 4 * chunk)
    for (int64_t i = 0; i < n; i += chunk) f(x + i, y + i, n - i < chunk ? n - i : chunk);
    return MCDL_OK;
}

mcdl_status mcdl_vexp(const float *x, float *y, int64_t n) {
    return run_vmath(MCDL_VMATH_EXP, x, y, n);
}
mcdl_status mcdl_vlog(const float *x, float *y, int64_t n) {
    return run_vmath(MCDL_VMATH_LOG, x, y, n);
}
mcdl_status mcdl_vtanh(const float *x, float *y, int64_t n) {
    return run_vmath(MCDL_VMATH_TANH, x, y, n);
}
mcdl_status mcdl_vsigmoid(const float *x, float *y, int64_t n) {
    return run_vmath(MCDL_VMATH_SIGMOID, x, y, n);
}
