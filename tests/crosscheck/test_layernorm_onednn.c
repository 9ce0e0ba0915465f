/* Layer normalisation (active ISA path) against oneDNN 2.6
 * dnnl_layer_normalization_forward/backward with scale and shift, epsilon 1e-3. */
#include <oneapi/dnnl/dnnl.h>
#include <stdint.h>

#include "check.h"
#include "kernels/norm/layernorm.h"

static uint64_t rng_state = 0xa4093822299f31d0ull;
static double urand(void) {
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

static dnnl_memory_t wrap(dnnl_engine_t eng, const dnnl_memory_desc_t *md, const void *p) {
    dnnl_memory_t m = NULL;
    dnnl_memory_create(&m, md, eng, (void *)p);
    return m;
}

static void run(dnnl_engine_t eng, dnnl_stream_t strm, int64_t rows, int64_t n) {
    const float eps = 1e-3f;
    const int64_t tot = rows * n;
    float *buf = malloc((size_t)(6 * tot + 8 * n + 6 * rows) * sizeof(float));
    CHECK(buf != NULL, "allocation");
    if (!buf) return;
    float *x = buf, *dy = x + tot, *y = dy + tot, *y_d = y + tot, *dx = y_d + tot, *dx_d = dx + tot;
    float *gam = dx_d + tot, *bet = gam + n, *dg = bet + n, *db = dg + n, *dg_d = db + n,
          *db_d = dg_d + n;
    float *mean = db_d + n, *rstd = mean + rows, *mean_d = rstd + rows, *var_d = mean_d + rows;
    for (int64_t i = 0; i < tot; i++) x[i] = (float)(3.0 + 2.0 * urand()), dy[i] = (float)urand();
    for (int64_t i = 0; i < n; i++) gam[i] = (float)(1.0 + 0.5 * urand()), bet[i] = (float)urand();

    dnnl_memory_desc_t md_x, md_s, md_w;
    dnnl_dims_t dx_dims = {rows, n}, ds_dims = {rows}, dw_dims = {n};
    dnnl_memory_desc_init_by_tag(&md_x, 2, dx_dims, dnnl_f32, dnnl_ab);
    dnnl_memory_desc_init_by_tag(&md_s, 1, ds_dims, dnnl_f32, dnnl_a);
    dnnl_memory_desc_init_by_tag(&md_w, 1, dw_dims, dnnl_f32, dnnl_a);
    const unsigned flags = dnnl_use_scale | dnnl_use_shift;
    dnnl_layer_normalization_desc_t fd, bd;
    dnnl_primitive_desc_t fpd = NULL, bpd = NULL;
    dnnl_primitive_t fp = NULL, bp = NULL;
    int ok = dnnl_layer_normalization_forward_desc_init(&fd, dnnl_forward_training, &md_x, &md_s,
                                                        eps, flags) == dnnl_success &&
             dnnl_primitive_desc_create(&fpd, &fd, NULL, eng, NULL) == dnnl_success &&
             dnnl_primitive_create(&fp, fpd) == dnnl_success &&
             dnnl_layer_normalization_backward_desc_init(&bd, dnnl_backward, &md_x, &md_x, &md_s,
                                                         eps, flags) == dnnl_success &&
             dnnl_primitive_desc_create(&bpd, &bd, NULL, eng, fpd) == dnnl_success &&
             dnnl_primitive_create(&bp, bpd) == dnnl_success;
    CHECK(ok, "oneDNN layer normalisation primitives for %lldx%lld", (long long)rows, (long long)n);
    if (ok) {
        dnnl_exec_arg_t fa[] = {{DNNL_ARG_SRC, wrap(eng, &md_x, x)},
                                {DNNL_ARG_DST, wrap(eng, &md_x, y_d)},
                                {DNNL_ARG_SCALE, wrap(eng, &md_w, gam)},
                                {DNNL_ARG_SHIFT, wrap(eng, &md_w, bet)},
                                {DNNL_ARG_MEAN, wrap(eng, &md_s, mean_d)},
                                {DNNL_ARG_VARIANCE, wrap(eng, &md_s, var_d)}};
        CHECK(dnnl_primitive_execute(fp, strm, 6, fa) == dnnl_success, "oneDNN forward");
        dnnl_stream_wait(strm);
        dnnl_exec_arg_t ba[] = {{DNNL_ARG_SRC, wrap(eng, &md_x, x)},
                                {DNNL_ARG_DIFF_DST, wrap(eng, &md_x, dy)},
                                {DNNL_ARG_SCALE, wrap(eng, &md_w, gam)},
                                {DNNL_ARG_SHIFT, wrap(eng, &md_w, bet)}, /* required in 2.6 */
                                {DNNL_ARG_MEAN, wrap(eng, &md_s, mean_d)},
                                {DNNL_ARG_VARIANCE, wrap(eng, &md_s, var_d)},
                                {DNNL_ARG_DIFF_SRC, wrap(eng, &md_x, dx_d)},
                                {DNNL_ARG_DIFF_SCALE, wrap(eng, &md_w, dg_d)},
                                {DNNL_ARG_DIFF_SHIFT, wrap(eng, &md_w, db_d)}};
        CHECK(dnnl_primitive_execute(bp, strm, 9, ba) == dnnl_success, "oneDNN backward");
        dnnl_stream_wait(strm);
        for (size_t i = 0; i < sizeof fa / sizeof fa[0]; i++) dnnl_memory_destroy(fa[i].memory);
        for (size_t i = 0; i < sizeof ba / sizeof ba[0]; i++) dnnl_memory_destroy(ba[i].memory);

        mcdl_f32_layernorm_fwd(rows, n, x, gam, bet, eps, y, mean, rstd);
        float *part = malloc((size_t)mcdl_f32_layernorm_bwd_ws_floats(rows, n) * sizeof(float));
        mcdl_f32_layernorm_bwd(rows, n, x, dy, gam, mean, rstd, dx, dg, db, part);
        free(part);
        double stat = 0.0;
        for (int64_t r = 0; r < rows; r++) {
            const double e = fabs(1.0 / ((double)rstd[r] * rstd[r]) - eps - var_d[r]);
            stat = e > stat ? e : stat;
        }
        /* float sums over n terms; gamma/beta sums over rows */
        const double tol = 4e-6 + 6e-7 * sqrt((double)n);
        CHECK(max_diff(y, y_d, tot) <= tol, "y %lldx%lld: %.3g > %.3g", (long long)rows,
              (long long)n, max_diff(y, y_d, tot), tol);
        CHECK(max_diff(mean, mean_d, rows) <= 1e-5 && stat <= 1e-4, "mean %.3g, variance %.3g",
              max_diff(mean, mean_d, rows), stat);
        CHECK(max_diff(dx, dx_d, tot) <= 4 * tol, "dx %lldx%lld: %.3g > %.3g", (long long)rows,
              (long long)n, max_diff(dx, dx_d, tot), 4 * tol);
        const double tg = tol * (double)rows;
        CHECK(max_diff(dg, dg_d, n) <= tg && max_diff(db, db_d, n) <= tg,
              "dgamma %.3g dbeta %.3g > %.3g", max_diff(dg, dg_d, n), max_diff(db, db_d, n), tg);
    }
    if (fp) dnnl_primitive_destroy(fp);
    if (bp) dnnl_primitive_destroy(bp);
    if (fpd) dnnl_primitive_desc_destroy(fpd);
    if (bpd) dnnl_primitive_desc_destroy(bpd);
    free(buf);
}

int main(void) {
    check_require_isa();
    printf("ISA path: %s\n", mcdl_isa_name(mcdl_cpu_active_isa()));
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0) == dnnl_success, "engine");
    CHECK(dnnl_stream_create(&strm, eng, dnnl_stream_default_flags) == dnnl_success, "stream");
    static const int64_t shapes[][2] = {{1, 1},     {3, 7},   {5, 16},   {4, 17},
                                        {100, 128}, {7, 257}, {640, 128}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        run(eng, strm, shapes[i][0], shapes[i][1]);
    dnnl_stream_destroy(strm);
    dnnl_engine_destroy(eng);
    return check_finish();
}
