/* Attention core (fused, active ISA path) against a oneDNN 2.6 composition (matmul +
 * softmax primitives, bench/onednn_attention.h) reading mcdl's (B, T, H, d) layout
 * through strided descriptors; forward and backward, with and without mask and causal. */
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include "bench/onednn_attention.h"
#include "check.h"
#include "kernels/attention/attention.h"

static uint64_t rng_state = 0x13198a2e03707344ull;
static double urand(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-52 - 1.0;
}
static float *rnd(int64_t n) {
    float *p = malloc((size_t)n * sizeof *p);
    for (int64_t i = 0; p && i < n; i++) p[i] = (float)(2.0 * urand());
    return p;
}
static double rel_diff(const float *a, const float *b, int64_t n) {
    double m = 0.0, mx = 0.0;
    for (int64_t i = 0; i < n; i++) {
        m = fabs((double)a[i] - b[i]) > m ? fabs((double)a[i] - b[i]) : m;
        mx = fabs(b[i]) > mx ? fabs(b[i]) : mx;
    }
    return m / (1.0 + mx);
}

static void run(int64_t B, int64_t H, int64_t T, int64_t S, int64_t dk, int use_mask, int causal) {
    const int64_t dv = dk, nq = B * T * H * dk, nk = B * S * H * dk, no = B * T * H * dv;
    const float scale = 1.0f / sqrtf((float)dk);
    uint8_t *mask = use_mask ? malloc((size_t)(B * T * S)) : NULL;
    for (int64_t i = 0; mask && i < B * T * S; i++) mask[i] = urand() < 0.4;
    if (mask && T > 1) memset(mask + S, 0, (size_t)S); /* a fully masked row */
    mcdl_mha_desc d = {.batch = B,
                       .tq = T,
                       .tk = S,
                       .heads = H,
                       .key_dim = dk,
                       .value_dim = dv,
                       .scale = scale,
                       .mask = mask,
                       .causal = causal};
    float *q = rnd(nq), *k = rnd(nk), *v = rnd(nk), *g = rnd(no);
    float *buf = malloc((size_t)(2 * (no + nq + 2 * nk) + B * H * T) * sizeof(float));
    float *ws = aligned_alloc(64, (mcdl_f32_mha_bwd_ws_floats(&d, omp_get_max_threads()) +
                                   mcdl_f32_mha_fwd_ws_floats(&d, omp_get_max_threads()) + 16) /
                                      16 * 64);
    mcdl_onednn_mha m;
    const int init = mcdl_onednn_mha_init(&m, B, T, S, H, dk, dv, scale, 0, 1);
    CHECK(init == 0, "oneDNN composition could not be created for t%lld s%lld", (long long)T,
          (long long)S);
    CHECK(q && k && v && g && buf && ws && (mask || !use_mask), "allocation");
    if (init || !(q && k && v && g && buf && ws)) exit(check_finish());
    m.mask = mask;
    m.causal = causal;
    float *o = buf, *o_d = o + no, *dq = o_d + no, *dq_d = dq + nq, *dk_ = dq_d + nq;
    float *dk_d = dk_ + nk, *dv_ = dk_d + nk, *dv_d = dv_ + nk, *lse = dv_d + nk;
    mcdl_f32_mha_fwd(&d, q, k, v, o, lse, ws);
    CHECK(mcdl_onednn_mha_fwd(&m, q, k, v, o_d) == 0, "oneDNN forward failed");
    const double tol = 3e-6 * (1.0 + log2((double)S));
    CHECK(rel_diff(o, o_d, no) <= tol,
          "fwd t%lld s%lld d%lld mask%d causal%d: rel diff %.3g > %.3g", (long long)T, (long long)S,
          (long long)dk, use_mask, causal, rel_diff(o, o_d, no), tol);
    mcdl_f32_mha_bwd(&d, q, k, v, o, g, lse, dq, dk_, dv_, ws);
    CHECK(mcdl_onednn_mha_bwd(&m, q, k, v, g, dq_d, dk_d, dv_d) == 0, "oneDNN backward failed");
    const double tb = 3e-5 * (1.0 + log2((double)(T > S ? T : S)));
    CHECK(rel_diff(dq, dq_d, nq) <= tb && rel_diff(dk_, dk_d, nk) <= tb &&
              rel_diff(dv_, dv_d, nk) <= tb,
          "bwd t%lld s%lld d%lld mask%d causal%d: rel diff dq %.3g dk %.3g dv %.3g > %.3g",
          (long long)T, (long long)S, (long long)dk, use_mask, causal, rel_diff(dq, dq_d, nq),
          rel_diff(dk_, dk_d, nk), rel_diff(dv_, dv_d, nk), tb);
    mcdl_onednn_mha_destroy(&m);
    free(mask), free(q), free(k), free(v), free(g), free(buf), free(ws);
}

int main(void) {
    check_require_isa();
    printf("ISA path: %s\n", mcdl_isa_name(mcdl_cpu_active_isa()));
    static const int64_t cases[][5] = {{2, 2, 1, 1, 16},
                                       {2, 2, 7, 7, 16},
                                       {1, 3, 100, 100, 64},
                                       {2, 2, 64, 257, 80},
                                       {1, 2, 257, 64, 64}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int variant = 0; variant < 4; variant++)
            run(cases[i][0], cases[i][1], cases[i][2], cases[i][3], cases[i][4], variant & 1,
                variant >> 1);
    return check_finish();
}
