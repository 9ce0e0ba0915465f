/* Vectorised exp/log/tanh/sigmoid on the active ISA path (MCDL_ISA) against libm in
 * double: a dense sweep over float bit patterns (every sign and exponent, denormals,
 * +-inf, NaN payloads) plus hand-picked edge values. The bounds are those stated in
 * simd/f32_math.inc. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "kernels/vmath/vmath.h"

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static double sigmoid_d(double x) {
    return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}

/* ulps of the rounded result; denormal results are judged by absolute error in units of
 * the smallest denormal (2^-149), where a relative bound means nothing. */
static double err_ulp(float got, double want) {
    if (isnan(want)) return isnan(got) ? 0.0 : INFINITY;
    float w = (float)want;
    if (isinf(w) || isinf(got)) return (w == got) ? 0.0 : INFINITY;
    if (isnan(got)) return INFINITY;
    double ulp =
        fabs(want) < 0x1p-126 ? 0x1p-149 : (double)nextafterf(fabsf(w), INFINITY) - fabsf(w);
    return fabs((double)got - want) / ulp;
}

int main(void) {
    check_require_isa();
    static const struct {
        mcdl_vmath_op op;
        double (*ref)(double);
        double bound_ulp;
    } cases[] = {{MCDL_VMATH_EXP, exp, 2.0},
                 {MCDL_VMATH_LOG, log, 2.0},
                 {MCDL_VMATH_TANH, tanh, 3.0},
                 {MCDL_VMATH_SIGMOID, sigmoid_d, 3.0}};
    static const float specials[] = {
        0.0f,     -0.0f,     INFINITY,   -INFINITY, NAN,           -NAN,           1.0f,
        -1.0f,    0x1p-149f, -0x1p-149f, 0x1p-126f, 3.4028235e38f, -3.4028235e38f, 88.72283f,
        88.7229f, 89.0f,     -87.3f,     -103.97f,  -103.98f,      -104.0f,        -150.0f,
        0.625f,   -0.625f,   0.6249999f, 9.0f,      -9.0f,         20.0f,          -20.0f,
        1e-8f,    -1e-8f,    0.5f,       2.0f,      1e30f,         1e-30f};
    const uint32_t step = 4099; /* prime: visits every exponent and many mantissas */
    const int64_t nsweep = (int64_t)(0xffffffffu / step) + 1;
    const int64_t nspec = (int64_t)(sizeof specials / sizeof specials[0]);
    const int64_t n = nsweep + nspec;
    float *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    CHECK(x && y, "allocation");
    if (!x || !y) return check_finish();
    for (int64_t i = 0; i < nsweep; i++) x[i] = from_bits((uint32_t)(i * (int64_t)step));
    memcpy(x + nsweep, specials, sizeof specials);

    printf("ISA path: %s\n", mcdl_isa_name(mcdl_cpu_active_isa()));
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mcdl_f32_unary_fn f = mcdl_vmath_active(cases[k].op);
        /* odd offsets and lengths exercise the masked tails */
        for (int64_t off = 0; off < n; off += 4097) {
            int64_t len = n - off < 4097 ? n - off : 4097;
            f(x + off, y + off, len);
        }
        double worst = 0;
        int64_t worst_i = -1;
        for (int64_t i = 0; i < n; i++) {
            double want = cases[k].ref(x[i]);
            double e = err_ulp(y[i], want);
            if (e > worst) worst = e, worst_i = i;
        }
        const char *name = mcdl_vmath_name(cases[k].op);
        printf("%-8s max error %.3f ulp over %lld inputs", name, worst, (long long)n);
        if (worst_i >= 0) printf(" (at x = %.9g)", x[worst_i]);
        printf("\n");
        CHECK(worst <= cases[k].bound_ulp, "%s: %.3f ulp at x = %.9g (got %.9g, want %.9g)", name,
              worst, x[worst_i], y[worst_i], cases[k].ref(x[worst_i]));
        /* in place, and a length shorter than one vector */
        float small[3] = {0.1f, -0.2f, 0.3f};
        f(small, small, 3);
        CHECK(err_ulp(small[2], cases[k].ref(0.3)) <= cases[k].bound_ulp, "%s in place", name);
    }
    free(x);
    free(y);
    return check_finish();
}
