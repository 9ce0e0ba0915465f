/* Fused attention (active ISA path) against the plain double reference for
 * T, S in {1, 7, 64, 100, 257, 1024}, key_dim in {16, 64, 80}, with and without a mask
 * (including fully masked rows) and the causal option, forward and backward; plus a
 * central-difference (double) check of the fused backward. */
#include <stdint.h>
#include <string.h>

#include <omp.h>

#include "check.h"
#include "kernels/attention/attention.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static double urand(void) { /* splitmix64 -> [-1, 1) */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-52 - 1.0;
}
static float *rand_array(int64_t n, double amp) {
    float *p = malloc((size_t)n * sizeof *p);
    for (int64_t i = 0; p && i < n; i++) p[i] = (float)(amp * urand());
    return p;
}
static float *fused_ws(size_t floats) {
    size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    return aligned_alloc(64, bytes ? bytes : 64);
}
static double max_abs(const float *a, int64_t n) {
    double m = 0.0;
    for (int64_t i = 0; i < n; i++) m = fabs(a[i]) > m ? fabs(a[i]) : m;
    return m;
}
static double max_diff(const float *a, const float *b, int64_t n) {
    double m = 0.0;
    for (int64_t i = 0; i < n; i++)
        m = fabs((double)a[i] - b[i]) > m ? fabs((double)a[i] - b[i]) : m;
    return m;
}

/* A random mask (70% allowed) whose second query row of batch 0 is fully masked. */
static uint8_t *make_mask(int64_t B, int64_t T, int64_t S) {
    uint8_t *m = malloc((size_t)(B * T * S));
    for (int64_t i = 0; m && i < B * T * S; i++) m[i] = urand() < 0.4;
    if (m && T > 1) memset(m + S, 0, (size_t)S);
    return m;
}

static void run_case(int64_t B, int64_t H, int64_t T, int64_t S, int64_t dk, int64_t dv,
                     int use_mask, int causal) {
    mcdl_mha_desc d = {.batch = B,
                       .tq = T,
                       .tk = S,
                       .heads = H,
                       .key_dim = dk,
                       .value_dim = dv,
                       .scale = 1.0f / sqrtf((float)dk),
                       .causal = causal};
    uint8_t *mask = use_mask ? make_mask(B, T, S) : NULL;
    d.mask = mask;
    const int64_t nq = B * T * H * dk, nk = B * S * H * dk, nv = B * S * H * dv,
                  no = B * T * H * dv;
    /* q scaled so logits spread over several units: the softmax is far from uniform */
    float *q = rand_array(nq, 2.0), *k = rand_array(nk, 2.0), *v = rand_array(nv, 1.0);
    float *g = rand_array(no, 1.0);
    float *o = malloc((size_t)no * 4), *o_ref = malloc((size_t)no * 4);
    float *lse = malloc((size_t)(B * H * T) * 4), *lse_ref = malloc((size_t)(B * H * T) * 4);
    float *dq = malloc((size_t)nq * 4), *dk_ = malloc((size_t)nk * 4),
          *dv_ = malloc((size_t)nv * 4);
    float *dq_r = malloc((size_t)nq * 4), *dk_r = malloc((size_t)nk * 4),
          *dv_r = malloc((size_t)nv * 4);
    const int nthr = omp_get_max_threads();
    float *wsf = fused_ws(mcdl_f32_mha_fwd_ws_floats(&d, nthr));
    float *wsb = fused_ws(mcdl_f32_mha_bwd_ws_floats(&d, nthr));
    CHECK(q && k && v && g && o && o_ref && lse && lse_ref && dq && dk_ && dv_ && dq_r && dk_r &&
              dv_r && wsf && wsb && (mask || !use_mask),
          "allocation");
    if (!(q && k && v && g && o && o_ref && lse && lse_ref && dq && dk_ && dv_ && dq_r && dk_r &&
          dv_r && wsf && wsb && (mask || !use_mask)))
        exit(check_finish());

    mcdl_f32_mha_fwd(&d, q, k, v, o, lse, wsf);
    CHECK(mcdl_f32_mha_fwd_ref(&d, q, k, v, o_ref, lse_ref) == 0, "reference allocation");
    /* o is a convex combination of |v| <= 1: float error ~ 1e-7 per term, the sum of the
     * weights and exp each add a few ulps; lse carries |logit| ~ up to 4*sqrt(dk)/sqrt(dk) */
    const double tol_o = 2e-6 * (1.0 + log2((double)S));
    CHECK(max_diff(o, o_ref, no) <= tol_o,
          "fwd b%lldh%lldt%llds%lldd%lld mask%d causal%d: |o - ref| %.3g > %.3g", (long long)B,
          (long long)H, (long long)T, (long long)S, (long long)dk, use_mask, causal,
          max_diff(o, o_ref, no), tol_o);
    double lerr = 0.0;
    for (int64_t i = 0; i < B * H * T; i++) {
        const double e = fabs((double)lse[i] - lse_ref[i]) / (1.0 + fabs(lse_ref[i]));
        lerr = e > lerr ? e : lerr;
    }
    CHECK(lerr <= 1e-5, "fwd t%lld s%lld: lse relative error %.3g", (long long)T, (long long)S,
          lerr);
    if (use_mask && T > 1) { /* fully masked row: zero output, empty-row lse */
        double z = 0.0;
        for (int64_t h = 0; h < H; h++) z += max_abs(o + (1 * H + h) * dv, dv);
        CHECK(z == 0.0 && lse[1] == MCDL_MHA_BIG, "fully masked row: max|o| %g, lse %g", z, lse[1]);
    }

    mcdl_f32_mha_bwd(&d, q, k, v, o, g, lse, dq, dk_, dv_, wsb);
    CHECK(mcdl_f32_mha_bwd_ref(&d, q, k, v, g, dq_r, dk_r, dv_r) == 0, "reference allocation");
    /* gradients sum up to max(T, S) terms: tolerance relative to the largest entry */
    const double rel = 2e-5 * (1.0 + log2((double)(T > S ? T : S)));
    const struct {
        const char *name;
        const float *a, *b;
        int64_t n;
    } gr[] = {{"dq", dq, dq_r, nq}, {"dk", dk_, dk_r, nk}, {"dv", dv_, dv_r, nv}};
    for (int i = 0; i < 3; i++) {
        const double tol = rel * (1.0 + max_abs(gr[i].b, gr[i].n));
        CHECK(max_diff(gr[i].a, gr[i].b, gr[i].n) <= tol,
              "bwd %s b%lldh%lldt%llds%lldd%lld mask%d causal%d: |diff| %.3g > %.3g", gr[i].name,
              (long long)B, (long long)H, (long long)T, (long long)S, (long long)dk, use_mask,
              causal, max_diff(gr[i].a, gr[i].b, gr[i].n), tol);
    }
    free(mask), free(q), free(k), free(v), free(g), free(o), free(o_ref), free(lse), free(lse_ref);
    free(dq), free(dk_), free(dv_), free(dq_r), free(dk_r), free(dv_r), free(wsf), free(wsb);
}

/* Double attention loss L = sum(w ⊙ O) straight from the definition, for the
 * finite-difference check. */
static double loss_d(const mcdl_mha_desc *d, const double *q, const double *k, const double *v,
                     const float *w) {
    const int64_t B = d->batch, T = d->tq, S = d->tk, H = d->heads, dk = d->key_dim,
                  dv = d->value_dim;
    double L = 0.0, p[64];
    for (int64_t b = 0; b < B; b++)
        for (int64_t h = 0; h < H; h++)
            for (int64_t t = 0; t < T; t++) {
                double mx = -INFINITY, sum = 0.0;
                for (int64_t s = 0; s < S; s++) {
                    const int ok =
                        (!d->causal || s <= t) && (!d->mask || d->mask[(b * T + t) * S + s]);
                    p[s] = -INFINITY;
                    if (!ok) continue;
                    double a = 0.0;
                    for (int64_t x = 0; x < dk; x++)
                        a += q[((b * T + t) * H + h) * dk + x] * k[((b * S + s) * H + h) * dk + x];
                    p[s] = a * d->scale;
                    mx = p[s] > mx ? p[s] : mx;
                }
                for (int64_t s = 0; s < S; s++)
                    sum += p[s] = p[s] == -INFINITY ? 0.0 : exp(p[s] - mx);
                if (sum == 0.0) continue;
                for (int64_t c = 0; c < dv; c++) {
                    double oc = 0.0;
                    for (int64_t s = 0; s < S; s++)
                        oc += p[s] / sum * v[((b * S + s) * H + h) * dv + c];
                    L += w[((b * T + t) * H + h) * dv + c] * oc;
                }
            }
    return L;
}

static void grad_check(int use_mask, int causal) {
    const int64_t B = 2, H = 2, T = 9, S = 11, dk = 16, dv = 8;
    mcdl_mha_desc d = {.batch = B,
                       .tq = T,
                       .tk = S,
                       .heads = H,
                       .key_dim = dk,
                       .value_dim = dv,
                       .scale = 0.25f,
                       .causal = causal};
    uint8_t *mask = use_mask ? make_mask(B, T, S) : NULL;
    d.mask = mask;
    const int64_t nq = B * T * H * dk, nk = B * S * H * dk, nv = B * S * H * dv,
                  no = B * T * H * dv;
    float *q = rand_array(nq, 2.0), *k = rand_array(nk, 2.0), *v = rand_array(nv, 1.0);
    float *w = rand_array(no, 1.0), *o = malloc((size_t)no * 4),
          *lse = malloc((size_t)(B * H * T) * 4);
    float *dq = malloc((size_t)nq * 4), *dk_ = malloc((size_t)nk * 4),
          *dv_ = malloc((size_t)nv * 4);
    double *x = malloc((size_t)(nq + nk + nv) * 2 * sizeof(double));
    float *wsf = fused_ws(mcdl_f32_mha_fwd_ws_floats(&d, omp_get_max_threads()));
    float *wsb = fused_ws(mcdl_f32_mha_bwd_ws_floats(&d, omp_get_max_threads()));
    CHECK(q && k && v && w && o && lse && dq && dk_ && dv_ && x && wsf && wsb, "allocation");
    if (!(q && k && v && w && o && lse && dq && dk_ && dv_ && x && wsf && wsb))
        exit(check_finish());
    mcdl_f32_mha_fwd(&d, q, k, v, o, lse, wsf);
    mcdl_f32_mha_bwd(&d, q, k, v, o, w, lse, dq, dk_, dv_, wsb);
    /* one random direction u over (q, k, v): <grad, u> against (L(x+eps u) - L(x-eps u)) / 2eps */
    const int64_t n = nq + nk + nv;
    double *u = x + n, analytic = 0.0;
    const float *src[3] = {q, k, v};
    const float *grad[3] = {dq, dk_, dv_};
    const int64_t len[3] = {nq, nk, nv};
    for (int64_t part = 0, off = 0; part < 3; off += len[part], part++)
        for (int64_t i = 0; i < len[part]; i++) {
            u[off + i] = urand();
            analytic += (double)grad[part][i] * u[off + i];
        }
    double L[2];
    const double eps = 1e-4;
    for (int sgn = 0; sgn < 2; sgn++) {
        for (int64_t part = 0, off = 0; part < 3; off += len[part], part++)
            for (int64_t i = 0; i < len[part]; i++)
                x[off + i] = src[part][i] + (sgn ? -eps : eps) * u[off + i];
        L[sgn] = loss_d(&d, x, x + nq, x + nq + nk, w);
    }
    const double fd = (L[0] - L[1]) / (2 * eps);
    CHECK(fabs(fd - analytic) <= 2e-5 * (1.0 + fabs(fd)),
          "grad check mask%d causal%d: finite difference %.9g, fused backward %.9g", use_mask,
          causal, fd, analytic);
    free(mask), free(q), free(k), free(v), free(w), free(o), free(lse), free(dq), free(dk_),
        free(dv_);
    free(x), free(wsf), free(wsb);
}

/* Each (batch, head) is computed whole by one thread, so the results do not depend on the
 * thread count: 1 and 3 threads give the same bits. */
static void thread_independence(void) {
    const int64_t B = 2, H = 3, T = 70, S = 150, dk = 16, dv = 16;
    mcdl_mha_desc d = {.batch = B,
                       .tq = T,
                       .tk = S,
                       .heads = H,
                       .key_dim = dk,
                       .value_dim = dv,
                       .scale = 0.25f,
                       .causal = 1};
    const int64_t nq = B * T * H * dk, nk = B * S * H * dk, no = B * T * H * dv;
    float *q = rand_array(nq, 2.0), *k = rand_array(nk, 2.0), *v = rand_array(nk, 1.0),
          *g = rand_array(no, 1.0);
    float *out[2][5];
    float *ws = fused_ws(mcdl_f32_mha_bwd_ws_floats(&d, 3) + mcdl_f32_mha_fwd_ws_floats(&d, 3));
    for (int r = 0; r < 2; r++) {
        d.nthreads = r ? 3 : 1;
        for (int i = 0; i < 5; i++)
            out[r][i] = malloc((size_t)(i == 1 ? B * H * T : nk) * sizeof(float));
        mcdl_f32_mha_fwd(&d, q, k, v, out[r][0], out[r][1], ws);
        mcdl_f32_mha_bwd(&d, q, k, v, out[r][0], g, out[r][1], out[r][2], out[r][3], out[r][4], ws);
    }
    const int64_t len[5] = {no, B * H * T, nq, nk, nk};
    for (int i = 0; i < 5; i++)
        CHECK(!memcmp(out[0][i], out[1][i], (size_t)len[i] * sizeof(float)),
              "output %d differs between 1 and 3 threads", i);
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < 5; i++) free(out[r][i]);
    free(q), free(k), free(v), free(g), free(ws);
}

int main(void) {
    check_require_isa();
#if defined(__aarch64__)
    const int qemu = 1; /* the aarch64 build runs under qemu-user: every path ~20x slower */
#else
    const int qemu = 0;
#endif
    printf("ISA path: %s\n", mcdl_isa_name(mcdl_cpu_active_isa()));
    static const int64_t small[][6] = {
        /* B, H, T, S, dk, dv */
        {2, 2, 1, 1, 16, 16},    {1, 2, 7, 7, 16, 16},    {2, 1, 1, 7, 64, 64},
        {1, 2, 64, 64, 64, 64},  {1, 2, 7, 100, 80, 80},  {2, 2, 100, 100, 64, 64},
        {1, 1, 100, 7, 80, 16},  {1, 1, 257, 64, 16, 80}, {1, 1, 7, 257, 16, 16},
        {1, 1, 40, 150, 16, 16},
    };
    static const int64_t big[][6] = {
        {1, 1, 257, 257, 80, 80},
        {1, 2, 1, 1024, 64, 64},
        {1, 1, 1024, 100, 16, 16},
        {1, 1, 1024, 1024, 16, 16},
    };
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
        for (int variant = 0; variant < 4; variant++) {
            /* under qemu only shapes up to 7000 scores (several query blocks and key tiles
             * still) */
            if (qemu && small[i][2] * small[i][3] > 7000) continue;
            run_case(small[i][0], small[i][1], small[i][2], small[i][3], small[i][4], small[i][5],
                     variant & 1, variant >> 1);
        }
    if (!qemu)
        for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
            run_case(big[i][0], big[i][1], big[i][2], big[i][3], big[i][4], big[i][5], 0, 0);
            run_case(big[i][0], big[i][1], big[i][2], big[i][3], big[i][4], big[i][5], 1, 1);
        }
    for (int variant = 0; variant < 4; variant++) grad_check(variant & 1, variant >> 1);
    thread_independence();
    return check_finish();
}
