/* Fused recurrent cells on the active ISA path (MCDL_ISA) against the double reference
 * (kernels/rnn/rnn_ref.c) on edge shapes, and backward through time against central
 * finite differences of that reference in one random direction per gradient tensor,
 * for every cell and option: go_backwards, masks, initial states, no bias, wide input
 * (GEMM projection), GRU reset_after both ways, other activations. */
#include <float.h>
#include <omp.h>
#include <string.h>

#include "check.h"
#include "kernels/rnn/rnn.h"

typedef struct {
    mcdl_rnn_cell cell;
    bool reset_after;
    int64_t B, T, in, u;
    bool back, mask, h0, bias;
    mcdl_act act, rec_act;
    bool rdrop; /* recurrent dropout mask (rate 0.3) */
} cfg;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static double urand(void) { /* xorshift64*, uniform in [-1, 1) */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) * 0x1p-52 - 1.0;
}
static void fill(float *p, int64_t n, double scale) {
    for (int64_t i = 0; i < n; i++) p[i] = (float)(scale * urand());
}
static float *falloc(int64_t n) { return calloc((size_t)(n > 0 ? n : 1), sizeof(float)); }

typedef struct {
    mcdl_rnn_desc d;
    int64_t nx, nw, nu, nb, ns, ny;
    float *x, *w, *uk, *b, *h0, *c0, *rmask;
    uint8_t *mask;
    float *dy, *dyl, *dhl, *dcl; /* loss weights = incoming gradients */
} problem;

static void problem_make(problem *p, const cfg *c) {
    memset(p, 0, sizeof *p);
    p->d = (mcdl_rnn_desc){.cell = c->cell,
                           .batch = c->B,
                           .steps = c->T,
                           .in = c->in,
                           .units = c->u,
                           .act = c->act,
                           .rec_act = c->rec_act,
                           .reset_after = c->reset_after,
                           .go_backwards = c->back,
                           .rec_dropout = c->rdrop};
    int64_t G = mcdl_rnn_gates(c->cell);
    p->nx = c->B * c->T * c->in;
    p->nw = c->in * G * c->u;
    p->nu = c->u * G * c->u;
    p->nb = mcdl_rnn_bias_size(&p->d);
    p->ns = c->B * c->u;
    p->ny = c->B * c->T * c->u;
    p->x = falloc(p->nx), p->w = falloc(p->nw), p->uk = falloc(p->nu), p->b = falloc(p->nb);
    p->h0 = falloc(p->ns), p->c0 = falloc(p->ns);
    p->dy = falloc(p->ny), p->dyl = falloc(p->ns), p->dhl = falloc(p->ns), p->dcl = falloc(p->ns);
    p->mask = calloc((size_t)(c->B * c->T), 1);
    p->rmask = falloc(p->ns);
    for (int64_t i = 0; i < p->ns; i++) p->rmask[i] = urand() > -0.4 ? (float)(1.0 / 0.7) : 0.0f;
    fill(p->x, p->nx, 1.0);
    /* Glorot-like scales keep the pre-activations O(1) so gradients are not saturated */
    fill(p->w, p->nw, 1.0 / sqrt((double)c->in));
    fill(p->uk, p->nu, 1.0 / sqrt((double)c->u));
    fill(p->b, p->nb, 0.3);
    fill(p->h0, p->ns, 0.5);
    fill(p->c0, p->ns, 0.5);
    fill(p->dy, p->ny, 1.0);
    fill(p->dyl, p->ns, 1.0);
    fill(p->dhl, p->ns, 1.0);
    fill(p->dcl, p->ns, 1.0);
    for (int64_t i = 0; i < c->B * c->T; i++) p->mask[i] = urand() > -0.4;
    if (c->mask && c->T > 1) p->mask[0] = p->mask[c->T - 1] = 0; /* leading/trailing pads */
}

static void problem_free(problem *p) {
    free(p->x), free(p->w), free(p->uk), free(p->b), free(p->h0), free(p->c0), free(p->mask);
    free(p->rmask);
    free(p->dy), free(p->dyl), free(p->dhl), free(p->dcl);
}

static mcdl_rnn_fwd_args fwd_args(const problem *p, const cfg *c, float *y, float *yl, float *hl,
                                  float *cl) {
    return (mcdl_rnn_fwd_args){.x = p->x,
                               .kernel = p->w,
                               .rkernel = p->uk,
                               .bias = c->bias ? p->b : NULL,
                               .h0 = c->h0 ? p->h0 : NULL,
                               .c0 = c->h0 ? p->c0 : NULL,
                               .mask = c->mask ? p->mask : NULL,
                               .rmask = c->rdrop ? p->rmask : NULL,
                               .y = y,
                               .y_last = yl,
                               .h_last = hl,
                               .c_last = cl};
}

static const char *cell_name(const cfg *c) {
    return c->cell == MCDL_RNN_SIMPLE ? "simple"
           : c->cell == MCDL_RNN_LSTM ? "lstm"
           : c->reset_after           ? "gru_ra"
                                      : "gru_rf";
}

static double maxdiff(const float *a, const float *b, int64_t n) {
    double m = 0;
    for (int64_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - b[i]));
    return m;
}

/* Loss of the reference forward: <dy, y> + <dyl, y_last> + <dhl, h_last> + <dcl, c_last>. */
static double ref_loss(const problem *p, const cfg *c, float *y, float *yl, float *hl, float *cl) {
    mcdl_rnn_fwd_args a = fwd_args(p, c, y, yl, hl, cl);
    if (mcdl_rnn_fwd_ref(&p->d, &a) != 0) return NAN;
    double L = 0;
    for (int64_t i = 0; i < p->ny; i++) L += (double)p->dy[i] * y[i];
    for (int64_t i = 0; i < p->ns; i++) {
        L += (double)p->dyl[i] * yl[i] + (double)p->dhl[i] * hl[i];
        if (c->cell == MCDL_RNN_LSTM) L += (double)p->dcl[i] * cl[i];
    }
    return L;
}

static void run_case(const cfg *c) {
    problem p;
    problem_make(&p, c);
    size_t fws = mcdl_rnn_fwd_workspace_size(&p.d), bws = mcdl_rnn_bwd_workspace_size(&p.d);
    void *wf = aligned_alloc(64, (fws + 63) / 64 * 64),
         *wb = aligned_alloc(64, (bws + 63) / 64 * 64);
    float *y = falloc(p.ny), *yl = falloc(p.ns), *hl = falloc(p.ns), *cl = falloc(p.ns);
    float *ry = falloc(p.ny), *ryl = falloc(p.ns), *rhl = falloc(p.ns), *rcl = falloc(p.ns);
    char msg[256];
    CHECK(mcdl_rnn_desc_check(&p.d, msg, sizeof msg) == 0, "%s", msg);

    /* forward against the reference */
    mcdl_rnn_fwd_args a = fwd_args(&p, c, y, yl, hl, cl);
    mcdl_rnn_fwd(&p.d, &a, wf);
    mcdl_rnn_fwd_args ra = fwd_args(&p, c, ry, ryl, rhl, rcl);
    CHECK(mcdl_rnn_fwd_ref(&p.d, &ra) == 0, "reference allocation");
    /* per step: K = in + u products in float plus ~3 ulp activations, carried through T
     * contracting steps */
    double tol = 4.0 * FLT_EPSILON * (double)(c->in + c->u + 8) * sqrt((double)c->T);
    double e = fmax(fmax(maxdiff(y, ry, p.ny), maxdiff(yl, ryl, p.ns)), maxdiff(hl, rhl, p.ns));
    if (c->cell == MCDL_RNN_LSTM) e = fmax(e, maxdiff(cl, rcl, p.ns));
    CHECK(e <= tol,
          "%s B%lld T%lld in%lld u%lld back%d mask%d h0%d bias%d act%d rdrop%d: fwd max err %.3g > "
          "%.3g",
          cell_name(c), (long long)c->B, (long long)c->T, (long long)c->in, (long long)c->u,
          c->back, c->mask, c->h0, c->bias, (int)c->act, c->rdrop, e, tol);

    /* bitwise reproducible: the same call twice, and with one thread */
    float *y2 = falloc(p.ny);
    mcdl_rnn_fwd_args a2 = fwd_args(&p, c, y2, NULL, NULL, NULL);
    int nt = omp_get_max_threads();
    omp_set_num_threads(1);
    mcdl_rnn_fwd(&p.d, &a2, wf);
    omp_set_num_threads(nt);
    if (c->in <= 16)
        CHECK(memcmp(y, y2, (size_t)p.ny * sizeof(float)) == 0, "%s: 1 vs %d threads differ",
              cell_name(c), nt);
    /* pre-packed weights give the very same result */
    void *pk = aligned_alloc(64, (mcdl_rnn_packed_size(&p.d) + 63) / 64 * 64);
    mcdl_rnn_pack(&p.d, p.w, p.uk, pk);
    a2.packed = pk;
    a2.inference = true;
    memset(y2, 0, (size_t)p.ny * sizeof(float));
    mcdl_rnn_fwd(&p.d, &a2, wf);
    CHECK(memcmp(y, y2, (size_t)p.ny * sizeof(float)) == 0,
          "%s: pre-packed weights / inference mode differ", cell_name(c));
    free(pk);

    /* backward against central differences of the reference, per gradient tensor */
    float *dx = falloc(p.nx), *dw = falloc(p.nw), *du = falloc(p.nu), *db = falloc(p.nb);
    float *dh0 = falloc(p.ns), *dc0 = falloc(p.ns);
    mcdl_rnn_fwd(&p.d, &a, wf);
    mcdl_rnn_bwd_args g = {.dy = p.dy,
                           .dy_last = p.dyl,
                           .dh_last = p.dhl,
                           .dc_last = p.dcl,
                           .dx = dx,
                           .dkernel = dw,
                           .drkernel = du,
                           .dbias = c->bias ? db : NULL,
                           .dh0 = dh0,
                           .dc0 = dc0};
    mcdl_rnn_bwd(&p.d, &a, &g, wf, wb);
    {
        /* backward bitwise reproducible with one thread (the weight-gradient pass splits
         * output tiles, not sums) */
        float *dx1 = falloc(p.nx), *dw1 = falloc(p.nw), *du1 = falloc(p.nu), *db1 = falloc(p.nb);
        mcdl_rnn_bwd_args g1 = g;
        g1.dx = dx1, g1.dkernel = dw1, g1.drkernel = du1, g1.dbias = c->bias ? db1 : NULL;
        g1.dh0 = g1.dc0 = NULL;
        omp_set_num_threads(1);
        mcdl_rnn_fwd(&p.d, &a, wf);
        mcdl_rnn_bwd(&p.d, &a, &g1, wf, wb);
        omp_set_num_threads(nt);
        /* (the input-projection GEMM of wide inputs may split sums by threads) */
        const bool same =
            !memcmp(dx, dx1, (size_t)p.nx * 4) && !memcmp(dw, dw1, (size_t)p.nw * 4) &&
            !memcmp(du, du1, (size_t)p.nu * 4) && (!c->bias || !memcmp(db, db1, (size_t)p.nb * 4));
        CHECK(c->in > 16 || same, "%s: backward with 1 vs %d threads differs", cell_name(c), nt);
        free(dx1), free(dw1), free(du1), free(db1);
    }
    struct {
        const char *name;
        float *param, *grad;
        int64_t n;
        bool on;
    } t[] = {{"x", p.x, dx, p.nx, true},
             {"kernel", p.w, dw, p.nw, true},
             {"recurrent_kernel", p.uk, du, p.nu, true},
             {"bias", p.b, db, p.nb, c->bias},
             {"h0", p.h0, dh0, p.ns, c->h0},
             {"c0", p.c0, dc0, p.ns, c->h0 && c->cell == MCDL_RNN_LSTM}};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        if (!t[k].on) continue;
        float *v = falloc(t[k].n), *save = falloc(t[k].n);
        fill(v, t[k].n, 1.0);
        memcpy(save, t[k].param, (size_t)t[k].n * sizeof(float));
        /* relu kinks (and selu's: its slope jumps from scale·alpha to scale at 0): a step of 1e-3
         * can cross one and bend the difference, so kinked activations get a smaller step (float
         * rounding of the perturbed inputs then costs ~ulp/eps = 3e-4 relative, still inside the
         * tolerance) */
        const bool kinked = c->act == MCDL_ACT_RELU || c->act == MCDL_ACT_LEAKY_RELU ||
                            c->act == MCDL_ACT_SELU || c->rec_act == MCDL_ACT_RELU ||
                            c->rec_act == MCDL_ACT_LEAKY_RELU || c->rec_act == MCDL_ACT_SELU;
        const double eps = kinked ? 2e-4 : 1e-3;
        double an = 0, mag = 0;
        for (int64_t i = 0; i < t[k].n; i++) {
            an += (double)t[k].grad[i] * v[i];
            mag += fabs((double)t[k].grad[i] * v[i]);
        }
        for (int64_t i = 0; i < t[k].n; i++) t[k].param[i] = (float)(save[i] + eps * v[i]);
        double lp = ref_loss(&p, c, ry, ryl, rhl, rcl);
        for (int64_t i = 0; i < t[k].n; i++) t[k].param[i] = (float)(save[i] - eps * v[i]);
        double lm = ref_loss(&p, c, ry, ryl, rhl, rcl);
        memcpy(t[k].param, save, (size_t)t[k].n * sizeof(float));
        double fd = (lp - lm) / (2 * eps);
        /* O(eps^2) truncation plus float rounding of the outputs and gradients, relative
         * to the sum of |terms| of the directional derivative */
        double gtol = 2e-3 * (mag + 1.0);
        CHECK(fabs(fd - an) <= gtol,
              "%s B%lld T%lld in%lld u%lld back%d mask%d h0%d bias%d act%d rdrop%d: d/d%s analytic "
              "%.7g, "
              "finite difference %.7g (tol %.3g)",
              cell_name(c), (long long)c->B, (long long)c->T, (long long)c->in, (long long)c->u,
              c->back, c->mask, c->h0, c->bias, (int)c->act, c->rdrop, t[k].name, an, fd, gtol);
        free(v), free(save);
    }
    free(dx), free(dw), free(du), free(db), free(dh0), free(dc0), free(y2);
    free(y), free(yl), free(hl), free(cl), free(ry), free(ryl), free(rhl), free(rcl);
    free(wf), free(wb);
    problem_free(&p);
}

int main(void) {
    check_require_isa();
    printf("ISA path: %s, %d threads\n", mcdl_isa_name(mcdl_cpu_active_isa()),
           omp_get_max_threads());
    const struct {
        mcdl_rnn_cell cell;
        bool ra;
    } cells[] = {{MCDL_RNN_SIMPLE, false},
                 {MCDL_RNN_LSTM, false},
                 {MCDL_RNN_GRU, true},
                 {MCDL_RNN_GRU, false}};
    /* shapes: batch tails of every row tile, unit tails of every vector width, the
     * fused and the GEMM input projection */
    const int64_t shapes[][4] = {{1, 1, 1, 1},   {3, 4, 3, 7},  {5, 3, 2, 17},
                                 {4, 2, 20, 16}, {2, 5, 1, 33}, {8, 3, 4, 64}};
    for (size_t ci = 0; ci < sizeof cells / sizeof cells[0]; ci++) {
        for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
            /* opt 4, 5: recurrent dropout, with go_backwards and no h0 / with masks and h0 */
            for (int opt = 0; opt < 6; opt++) {
                cfg c = {.cell = cells[ci].cell,
                         .reset_after = cells[ci].ra,
                         .B = shapes[si][0],
                         .T = shapes[si][1],
                         .in = shapes[si][2],
                         .u = shapes[si][3],
                         .back = opt == 1 || opt == 3 || opt == 4,
                         .mask = opt == 2 || opt == 3 || opt == 5,
                         .h0 = opt != 1 && opt != 4,
                         .bias = opt != 3,
                         .act = MCDL_ACT_TANH,
                         .rec_act = MCDL_ACT_SIGMOID,
                         .rdrop = opt >= 4};
                run_case(&c);
            }
        }
        /* other activations (Keras accepts any for both): each one in both places, since the
         * backward derives each derivative from what the forward kept (swish: its input) */
        const mcdl_act acts[][2] = {
            {MCDL_ACT_RELU, MCDL_ACT_TANH},          {MCDL_ACT_NONE, MCDL_ACT_SIGMOID},
            {MCDL_ACT_ELU, MCDL_ACT_SWISH},          {MCDL_ACT_SELU, MCDL_ACT_SOFTPLUS},
            {MCDL_ACT_LEAKY_RELU, MCDL_ACT_SIGMOID}, {MCDL_ACT_SWISH, MCDL_ACT_ELU},
            {MCDL_ACT_SOFTPLUS, MCDL_ACT_SELU}};
        for (size_t k = 0; k < sizeof acts / sizeof acts[0]; k++) {
            cfg c = {.cell = cells[ci].cell,
                     .reset_after = cells[ci].ra,
                     .B = 3,
                     .T = 3,
                     .in = 2,
                     .u = 9,
                     .back = k & 1,
                     .mask = true,
                     .h0 = true,
                     .bias = true,
                     .act = acts[k][0],
                     .rec_act = acts[k][1],
                     .rdrop = k == 1 || k == 2 ||
                              k == 5}; /* smooth ones: kinks + masks bend differences */
            run_case(&c);
        }
    }
    mcdl_rnn_desc bad = {.cell = MCDL_RNN_LSTM,
                         .batch = 2,
                         .steps = 0,
                         .in = 3,
                         .units = 4,
                         .act = MCDL_ACT_TANH,
                         .rec_act = MCDL_ACT_SIGMOID};
    char msg[256];
    CHECK(mcdl_rnn_desc_check(&bad, msg, sizeof msg) != 0 && strstr(msg, "sequence length 0"),
          "length 0 accepted or unclear: %s", msg);
    bad.steps = 3;
    bad.act = MCDL_ACT_GELU;
    CHECK(mcdl_rnn_desc_check(&bad, msg, sizeof msg) != 0, "gelu accepted");
    return check_finish();
}
