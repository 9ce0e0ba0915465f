/* Activation forward/backward and softmax kernels on the active ISA path (MCDL_ISA) against
 * double-precision formulas, on lengths around the vector width (tails) and values across
 * the ranges where each function changes regime. */
#include <string.h>

#include "check.h"
#include "kernels/eltwise/eltwise.h"

static double sig(double x) { return 1.0 / (1.0 + exp(-x)); }

static double f_ref(mcdl_act a, double alpha, double x) {
    switch (a) {
    case MCDL_ACT_RELU:
        return x > 0 ? x : 0;
    case MCDL_ACT_SIGMOID:
        return sig(x);
    case MCDL_ACT_TANH:
        return tanh(x);
    case MCDL_ACT_LEAKY_RELU:
        return x > 0 ? x : alpha * x;
    case MCDL_ACT_ELU:
        return x > 0 ? x : expm1(x);
    case MCDL_ACT_SELU:
        return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * expm1(x));
    case MCDL_ACT_GELU:
        return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    case MCDL_ACT_SWISH:
        return x * sig(x);
    case MCDL_ACT_SOFTPLUS:
        return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
    default:
        return x;
    }
}

static double d_ref(mcdl_act a, double alpha, double x) {
    switch (a) {
    case MCDL_ACT_RELU:
        return x > 0 ? 1 : 0;
    case MCDL_ACT_SIGMOID:
        return sig(x) * (1 - sig(x));
    case MCDL_ACT_TANH:
        return 1 - tanh(x) * tanh(x);
    case MCDL_ACT_LEAKY_RELU:
        return x > 0 ? 1 : alpha;
    case MCDL_ACT_ELU:
        return x > 0 ? 1 : exp(x);
    case MCDL_ACT_SELU:
        return 1.0507009873554805 * (x > 0 ? 1 : 1.6732632423543772 * exp(x));
    case MCDL_ACT_GELU:
        return 0.5 * (1 + erf(x / sqrt(2.0))) + x * exp(-0.5 * x * x) * 0.39894228040143268;
    case MCDL_ACT_SWISH:
        return sig(x) + x * sig(x) * (1 - sig(x));
    case MCDL_ACT_SOFTPLUS:
        return sig(x);
    default:
        return 1;
    }
}

/* Largest |got - want| / (|want| + 1). */
static double max_rel_err(const float *got, const double *want, int n) {
    double worst = 0;
    for (int i = 0; i < n; i++) {
        const double e = fabs(got[i] - want[i]) / (fabs(want[i]) + 1.0);
        if (e > worst) worst = e;
    }
    return worst;
}

enum { NMAX = 67 };
static const float alpha = 0.3f;

static void test_activations(void) {
    float x[NMAX + 1], y[NMAX + 1], dy[NMAX + 1], dx[NMAX + 1];
    for (int a = MCDL_ACT_RELU; a < MCDL_ACT_SOFTMAX; a++) {
        double worst = 0, worst_d = 0;
        for (int n = 0; n <= NMAX; n += (n < 20 ? 1 : 7)) {
            for (int i = 0; i < n; i++)
                x[i] = -12.0f + 24.0f * (float)i / (float)(n > 1 ? n - 1 : 1) + 0.013f * (float)a;
            mcdl_rng_fill_uniform(5, (uint64_t)a, 0, dy, n, -1, 1);
            x[n] = y[n] = dx[n] = 1234.5f; /* sentinel: past the end is never written */
            mcdl_f32_act_fwd((mcdl_act)a, alpha, x, y, n);
            const bool nx = mcdl_act_bwd_needs_x((mcdl_act)a, alpha);
            mcdl_f32_act_bwd((mcdl_act)a, alpha, nx ? x : NULL, y, dy, dx, n);
            CHECK(y[n] == 1234.5f && dx[n] == 1234.5f, "act %d n %d wrote past the end", a, n);
            double want[NMAX + 1], want_d[NMAX + 1];
            for (int i = 0; i < n; i++) {
                want[i] = f_ref((mcdl_act)a, alpha, x[i]);
                want_d[i] = dy[i] * d_ref((mcdl_act)a, alpha, x[i]);
            }
            const double e = max_rel_err(y, want, n), ed = max_rel_err(dx, want_d, n);
            worst = e > worst ? e : worst;
            worst_d = ed > worst_d ? ed : worst_d;
        }
        /* float math within a few ulp; gelu's erf approximation has |error| <= 1.5e-7 */
        CHECK(worst < 2e-6, "act %d forward max relative error %.3g", a, worst);
        CHECK(worst_d < 2e-5, "act %d backward max relative error %.3g", a, worst_d);
    }
}

static void test_softmax(void) {
    /* softmax rows of several widths: rows sum to 1, match double, backward y (dy - <y, dy>) */
    for (int cols = 1; cols <= 37; cols += 3) {
        const int rows = 3;
        float xs[3 * 37], ys[3 * 37], gs[3 * 37], ds[3 * 37];
        mcdl_rng_fill_uniform(9, (uint64_t)cols, 0, xs, rows * cols, -30, 30);
        mcdl_rng_fill_uniform(10, (uint64_t)cols, 0, gs, rows * cols, -1, 1);
        mcdl_f32_softmax_fwd(xs, ys, rows, cols);
        mcdl_f32_softmax_bwd(ys, gs, ds, rows, cols);
        for (int r = 0; r < rows; r++) {
            double mx = -INFINITY, s = 0, dot = 0;
            for (int c = 0; c < cols; c++)
                if (xs[r * cols + c] > mx) mx = xs[r * cols + c];
            for (int c = 0; c < cols; c++) s += exp(xs[r * cols + c] - mx);
            for (int c = 0; c < cols; c++) dot += exp(xs[r * cols + c] - mx) / s * gs[r * cols + c];
            for (int c = 0; c < cols; c++) {
                const double p = exp(xs[r * cols + c] - mx) / s;
                CHECK(fabs(ys[r * cols + c] - p) <= 1e-6 * p + 1e-7, "softmax cols %d: %g vs %g",
                      cols, ys[r * cols + c], p);
                CHECK(fabs(ds[r * cols + c] - p * (gs[r * cols + c] - dot)) <= 2e-6,
                      "softmax bwd cols %d", cols);
            }
        }
    }
}

static void test_vs_ref(void) {
    /* the active path agrees with the scalar reference */
    float x[NMAX], y[NMAX];
    mcdl_act_fwd_fn ref = mcdl_act_fwd_fn_for(MCDL_ISA_REF);
    float yr[NMAX];
    for (int i = 0; i < NMAX; i++) x[i] = (float)i * 0.37f - 11.0f;
    for (int a = MCDL_ACT_RELU; a < MCDL_ACT_SOFTMAX; a++) {
        mcdl_f32_act_fwd((mcdl_act)a, alpha, x, y, NMAX);
        ref((mcdl_act)a, alpha, x, yr, NMAX);
        double worst = 0;
        for (int i = 0; i < NMAX; i++)
            worst = fmax(worst, fabs(y[i] - yr[i]) / (fabs(yr[i]) + 1.0));
        CHECK(worst < 2e-6, "act %d path vs ref %.3g", a, worst);
    }
}

int main(void) {
    check_require_isa();
    printf("ISA path: %s\n", mcdl_isa_name(mcdl_cpu_active_isa()));
    test_activations();
    test_softmax();
    test_vs_ref();
    return check_finish();
}
