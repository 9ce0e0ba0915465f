/* Optimizer kernels on the active ISA path against the Keras formulas in double, over
 * lengths around the vector width (masked tails) and two steps (non-zero state). */
#include <string.h>

#include "check.h"
#include "kernels/optim/optim.h"

enum { NMAX = 45 };

static void init(float *w, float *g, float *s0, float *s1, int n, uint64_t k) {
    mcdl_rng_fill_uniform(1, k, 0, w, n, -1, 1);
    mcdl_rng_fill_uniform(2, k, 0, g, n, -1, 1);
    memset(s0, 0, (size_t)n * sizeof *s0);
    memset(s1, 0, (size_t)n * sizeof *s1);
}

int main(void) {
    check_require_isa();
    printf("ISA path: %s\n", mcdl_isa_name(mcdl_cpu_active_isa()));
    float w[NMAX + 1], g[NMAX + 1], s0[NMAX + 1], s1[NMAX + 1];
    for (int n = 0; n <= NMAX; n += (n < 20 ? 1 : 5)) {
        for (int kind = 0; kind < 5; kind++) {
            init(w, g, s0, s1, n, (uint64_t)(n * 8 + kind));
            w[n] = s0[n] = s1[n] = 777.0f; /* past the end: never written */
            double W[NMAX], S0[NMAX] = {0}, S1[NMAX] = {0};
            for (int i = 0; i < n; i++) W[i] = w[i];
            for (int t = 1; t <= 2; t++) {
                if (kind == 0) {
                    const double b1 = 0.9, b2 = 0.999, lr = 1e-3;
                    const float alpha = (float)(lr * sqrt(1 - pow(b2, t)) / (1 - pow(b1, t)));
                    const mcdl_adam_params p = {alpha, 0.1f, 0.001f, 1e-7f};
                    mcdl_f32_adam_update(&p, w, g, s0, s1, n);
                    for (int i = 0; i < n; i++) {
                        S0[i] += (g[i] - S0[i]) * 0.1;
                        S1[i] += ((double)g[i] * g[i] - S1[i]) * 0.001;
                        W[i] -= alpha * S0[i] / (sqrt(S1[i]) + 1e-7);
                    }
                } else if (kind <= 2) { /* sgd momentum, nesterov */
                    mcdl_f32_sgd_update(0.1f, 0.9f, kind == 2, w, g, s0, n);
                    for (int i = 0; i < n; i++) {
                        S0[i] = 0.9 * S0[i] - 0.1 * g[i];
                        W[i] += kind == 2 ? 0.9 * S0[i] - 0.1 * g[i] : S0[i];
                    }
                } else { /* rmsprop, with and without momentum */
                    const double mu = kind == 4 ? 0.5 : 0.0;
                    mcdl_f32_rmsprop_update(1e-2f, 0.9f, 1e-7f, (float)mu, w, g, s0,
                                            kind == 4 ? s1 : NULL, n);
                    for (int i = 0; i < n; i++) {
                        S0[i] = 0.9 * S0[i] + 0.1 * (double)g[i] * g[i];
                        const double inc = 1e-2 * g[i] / sqrt(S0[i] + 1e-7);
                        if (mu != 0) {
                            S1[i] = mu * S1[i] + inc;
                            W[i] -= S1[i];
                        } else {
                            W[i] -= inc;
                        }
                    }
                }
            }
            double worst = 0;
            for (int i = 0; i < n; i++) {
                const double e = fabs(w[i] - W[i]);
                if (e > worst) worst = e;
            }
            CHECK(worst < 2e-6, "kind %d n %d: max |w - formula| %.3g", kind, n, worst);
            CHECK(w[n] == 777.0f && s0[n] == 777.0f && s1[n] == 777.0f,
                  "kind %d n %d wrote past the end", kind, n);
        }
    }
    return check_finish();
}
