/* `mcdl info`: CPU features, the selected kernel path and the vectorised math accuracy
 * table (max error against libm in double over a sweep of inputs). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcdl/mcdl.h"
#include "tools/mcdl/commands.h"

/* Error in units in the last place of the correctly rounded float result. */
static double ulp_error(float got, double want) {
    if (isnan(want)) return isnan(got) ? 0.0 : INFINITY;
    if (isinf(want)) return (float)want == got ? 0.0 : INFINITY;
    float w = (float)want;
    if (isinf(w)) return isinf(got) && signbit(got) == signbit(w) ? 0.0 : INFINITY;
    double ulp = fabs(w) < 0x1p-126 ? 0x1p-149 : (double)nextafterf(fabsf(w), INFINITY) - fabsf(w);
    return fabs((double)got - want) / ulp;
}

typedef mcdl_status (*vfn)(const float *, float *, int64_t);

int mcdl_cmd_info(int argc, char **argv) {
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: mcdl info\n  prints CPU features, the kernel path in use (MCDL_ISA to "
               "force one) and the vectorised math accuracy\n");
        return 0;
    }
    char feats[128];
    mcdl_cpu_features_str(feats, sizeof feats);
    printf("mcdl %s\n", MCDL_VERSION_STRING);
    printf("CPU features : %s\n", feats[0] ? feats : "(none beyond the base ISA)");
    if (mcdl_isa_status() != MCDL_OK) {
        fprintf(stderr, "mcdl: %s\n", mcdl_last_error());
        return 1;
    }
    printf("kernel path  : %s\n", mcdl_active_isa());
    printf("threads      : %d\n", mcdl_get_num_threads());

    const int64_t n = 1 << 20;
    float *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    if (!x || !y) {
        free(x), free(y);
        fprintf(stderr, "mcdl: out of memory\n");
        return 1;
    }
    static const struct {
        const char *name;
        vfn f;
        double (*ref)(double);
        double lo, hi;
    } fns[] = {{"exp", mcdl_vexp, exp, -103.0, 88.7},
               {"log", mcdl_vlog, log, 1e-30, 1e30},
               {"tanh", mcdl_vtanh, tanh, -10.0, 10.0},
               {"sigmoid", mcdl_vsigmoid, NULL, -100.0, 100.0}};
    printf("\nvectorised math on the %s path, %lld inputs each, error vs libm (double):\n",
           mcdl_active_isa(), (long long)n);
    printf("  %-8s %-22s %12s %14s\n", "function", "range", "max ulp", "mean ulp");
    for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
        for (int64_t i = 0; i < n; i++) {
            double t = (double)i / (double)(n - 1);
            x[i] = fns[k].ref == log
                       ? (float)exp(log(fns[k].lo) + t * (log(fns[k].hi) - log(fns[k].lo)))
                       : (float)(fns[k].lo + t * (fns[k].hi - fns[k].lo));
        }
        if (fns[k].f(x, y, n) != MCDL_OK) {
            fprintf(stderr, "mcdl: %s\n", mcdl_last_error());
            free(x), free(y);
            return 1;
        }
        double worst = 0, sum = 0;
        for (int64_t i = 0; i < n; i++) {
            double want = fns[k].ref ? fns[k].ref(x[i]) : 1.0 / (1.0 + exp(-(double)x[i]));
            double e = ulp_error(y[i], want);
            worst = e > worst ? e : worst;
            sum += e;
        }
        char range[40];
        snprintf(range, sizeof range, "[%g, %g]", fns[k].lo, fns[k].hi);
        printf("  %-8s %-22s %12.2f %14.3f\n", fns[k].name, range, worst, sum / (double)n);
    }
    free(x), free(y);
    return 0;
}
