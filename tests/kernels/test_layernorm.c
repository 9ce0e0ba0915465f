/* Layer normalisation (active ISA path) against the two-pass double reference on widths
 * around the vector lengths, with and without gamma/beta, on data whose mean is far
 * larger than its spread (where naive one-pass sums cancel); a central-difference
 * (double) check of the backward. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "kernels/norm/layernorm.h"

static uint64_t rng_state = 0x243f6a8885a308d3ull;
static double urand(void) { /* splitmix64 -> [-1, 1) */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-52 - 1.0;
}

static double max_diff(const float *a, const float *b, int64_t n) {
    double m = 0.0;
    for (int64_t i = 0; i < n; i++)
        m = fabs((double)a[i] - b[i]) > m ? fabs((double)a[i] - b[i]) : m;
    return m;
}

static void compare(int64_t rows, int64_t n, double offset, int affine) {
    const int64_t tot = rows * n;
    float *x = malloc((size_t)tot * 4), *dy = malloc((size_t)tot * 4), *y = malloc((size_t)tot * 4);
    float *yr = malloc((size_t)tot * 4), *dx = malloc((size_t)tot * 4),
          *dxr = malloc((size_t)tot * 4);
    float *gam = malloc((size_t)n * 4), *bet = malloc((size_t)n * 4),
          *st = malloc((size_t)rows * 16);
    float *dg = malloc((size_t)n * 16);
    CHECK(x && dy && y && yr && dx && dxr && gam && bet && st && dg, "allocation");
    if (!(x && dy && y && yr && dx && dxr && gam && bet && st && dg)) exit(check_finish());
    for (int64_t i = 0; i < tot; i++) {
        x[i] = (float)(offset + urand());
        dy[i] = (float)urand();
    }
    for (int64_t i = 0; i < n; i++) {
        gam[i] = (float)(1.0 + 0.5 * urand());
        bet[i] = (float)urand();
    }
    const float *g = affine ? gam : NULL, *b = affine ? bet : NULL;
    float *mean = st, *rstd = st + rows, *mr = st + 2 * rows, *rr = st + 3 * rows;
    float *dgam = dg, *dbet = dg + n, *dgr = dg + 2 * n, *dbr = dg + 3 * n;
    mcdl_f32_layernorm_fwd(rows, n, x, g, b, 1e-3f, y, mean, rstd);
    mcdl_f32_layernorm_fwd_ref(rows, n, x, g, b, 1e-3f, yr, mr, rr);
    /* |y| <= ~3 (uniform data); the input itself is only known to ulp(offset), which the
     * normalisation magnifies by rstd */
    /* float sums over n terms: ~sqrt(n) ulps typical */
    const double tol = 4e-6 + 6e-7 * sqrt((double)n) + 2.0 * 0x1p-23 * offset * rr[0];
    CHECK(max_diff(y, yr, tot) <= tol, "fwd rows %lld n %lld offset %g: |y - ref| %.3g > %.3g",
          (long long)rows, (long long)n, offset, max_diff(y, yr, tot), tol);
    CHECK(max_diff(mean, mr, rows) <= 1e-6 * (1.0 + offset), "mean n %lld: %.3g", (long long)n,
          max_diff(mean, mr, rows));
    float *part = malloc((size_t)mcdl_f32_layernorm_bwd_ws_floats(rows, n) * sizeof(float));
    mcdl_f32_layernorm_bwd(rows, n, x, dy, g, mean, rstd, dx, affine ? dgam : NULL,
                           affine ? dbet : NULL, part);
    free(part);
    mcdl_f32_layernorm_bwd_ref(rows, n, x, dy, g, mr, rr, dxr, dgr, dbr);
    CHECK(max_diff(dx, dxr, tot) <= tol * 4,
          "bwd rows %lld n %lld offset %g: |dx - ref| %.3g > %.3g", (long long)rows, (long long)n,
          offset, max_diff(dx, dxr, tot), tol * 4);
    if (affine) {
        const double tg = 1e-5 * rows + tol * rows;
        CHECK(max_diff(dgam, dgr, n) <= tg && max_diff(dbet, dbr, n) <= tg,
              "dgamma/dbeta n %lld: %.3g %.3g > %.3g", (long long)n, max_diff(dgam, dgr, n),
              max_diff(dbet, dbr, n), tg);
    }
    free(x), free(dy), free(y), free(yr), free(dx), free(dxr), free(gam), free(bet), free(st),
        free(dg);
}

/* L = sum(w ⊙ LN(x)) in double, for the finite-difference check. */
static double loss_d(int64_t rows, int64_t n, const double *x, const double *g, const double *b,
                     const float *w) {
    double L = 0.0;
    for (int64_t r = 0; r < rows; r++) {
        double mu = 0.0, var = 0.0;
        for (int64_t i = 0; i < n; i++) mu += x[r * n + i];
        mu /= n;
        for (int64_t i = 0; i < n; i++) var += (x[r * n + i] - mu) * (x[r * n + i] - mu);
        const double rs = 1.0 / sqrt(var / n + 1e-3);
        for (int64_t i = 0; i < n; i++)
            L += w[r * n + i] * ((x[r * n + i] - mu) * rs * g[i] + b[i]);
    }
    return L;
}

static void grad_check(int64_t rows, int64_t n) {
    const int64_t tot = rows * n, np = tot + 2 * n;
    float *p = malloc((size_t)np * 4), *w = malloc((size_t)tot * 4), *y = malloc((size_t)tot * 4);
    float *gr = malloc((size_t)np * 4), *st = malloc((size_t)rows * 8);
    double *xd = malloc((size_t)np * 2 * sizeof(double));
    CHECK(p && w && y && gr && st && xd, "allocation");
    if (!(p && w && y && gr && st && xd)) exit(check_finish());
    for (int64_t i = 0; i < np; i++)
        p[i] = (float)(i >= tot && i < tot + n ? 1.0 + 0.5 * urand() : urand());
    for (int64_t i = 0; i < tot; i++) w[i] = (float)urand();
    float *x = p, *g = p + tot, *b = g + n;
    mcdl_f32_layernorm_fwd(rows, n, x, g, b, 1e-3f, y, st, st + rows);
    float *part = malloc((size_t)mcdl_f32_layernorm_bwd_ws_floats(rows, n) * sizeof(float));
    mcdl_f32_layernorm_bwd(rows, n, x, w, g, st, st + rows, gr, gr + tot, gr + tot + n, part);
    free(part);
    double *u = xd + np, analytic = 0.0, L[2];
    for (int64_t i = 0; i < np; i++) {
        u[i] = urand();
        analytic += gr[i] * u[i];
    }
    const double eps = 1e-4;
    for (int s = 0; s < 2; s++) {
        for (int64_t i = 0; i < np; i++) xd[i] = p[i] + (s ? -eps : eps) * u[i];
        L[s] = loss_d(rows, n, xd, xd + tot, xd + tot + n, w);
    }
    const double fd = (L[0] - L[1]) / (2 * eps);
    CHECK(fabs(fd - analytic) <= 2e-5 * (1.0 + fabs(fd)),
          "grad check %lldx%lld: fd %.9g, analytic %.9g", (long long)rows, (long long)n, fd,
          analytic);
    free(p), free(w), free(y), free(gr), free(st), free(xd);
}

int main(void) {
    check_require_isa();
    printf("ISA path: %s\n", mcdl_isa_name(mcdl_cpu_active_isa()));
    static const int64_t widths[] = {1, 3, 7, 8, 16, 17, 100, 128, 257};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++)
        for (int affine = 0; affine < 2; affine++) {
            compare(5, widths[i], 0.0, affine);
            compare(3, widths[i], 1000.0, affine);
        }
    compare(300, 128, 0.0, 1); /* enough elements for the threaded path */
    grad_check(4, 7);
    grad_check(3, 37);
    return check_finish();
}
