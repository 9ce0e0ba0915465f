/* Fused recurrent kernels (active ISA path) against oneDNN's vanilla_rnn (tanh),
 * vanilla_lstm and lbr_gru (= Keras GRU reset_after=True), forward and backward, in
 * every direction: left-to-right, right-to-left (= Keras go_backwards, whose outputs
 * come in processing order), and Bidirectional concat and sum built from a forward and
 * a go_backwards kernel call (= Keras Bidirectional). Weights are converted from Keras
 * layouts (kernel (in, G*u) = oneDNN ldigo; GRU biases folded into oneDNN's four rows). */
#include <float.h>
#include <string.h>

#include "check.h"
#include "crosscheck/onednn_rnn.h"
#include "kernels/rnn/rnn.h"

static uint64_t rs = 0x2545f4914f6cdd1dull;
static float urand(void) {
    rs ^= rs >> 12, rs ^= rs << 25, rs ^= rs >> 27;
    return (float)((double)((rs * 2685821657736338717ull) >> 11) * 0x1p-52 - 1.0);
}
static void fill(float *p, int64_t n, float s) {
    for (int64_t i = 0; i < n; i++) p[i] = s * urand();
}

/* max |a - b| / (max |b| + 1): errors relative to the tensor's scale */
static double relerr(const float *a, const float *b, int64_t n) {
    double m = 0, e = 0;
    for (int64_t i = 0; i < n; i++) {
        m = fmax(m, fabs((double)b[i]));
        e = fmax(e, fabs((double)a[i] - b[i]));
    }
    return e / (m + 1.0);
}

typedef struct {
    mcdl_rnn_desc d;
    float *w, *uk, *b, *h0, *c0, *y, *hT, *cT;
    float *dx, *dw, *du, *db, *dh0, *dc0;
    void *wf, *wb;
} one_dir;

static void dir_alloc(one_dir *o, const mcdl_rnn_desc *d) {
    o->d = *d;
    int64_t G = mcdl_rnn_gates(d->cell), u = d->units, ns = d->batch * u;
    o->w = calloc((size_t)(d->in * G * u), 4), o->uk = calloc((size_t)(u * G * u), 4);
    o->b = calloc((size_t)mcdl_rnn_bias_size(d), 4);
    o->h0 = calloc((size_t)ns, 4), o->c0 = calloc((size_t)ns, 4), o->hT = calloc((size_t)ns, 4),
    o->cT = calloc((size_t)ns, 4);
    o->y = calloc((size_t)(d->batch * d->steps * u), 4);
    o->dx = calloc((size_t)(d->batch * d->steps * d->in), 4),
    o->dw = calloc((size_t)(d->in * G * u), 4);
    o->du = calloc((size_t)(u * G * u), 4), o->db = calloc((size_t)mcdl_rnn_bias_size(d), 4);
    o->dh0 = calloc((size_t)ns, 4), o->dc0 = calloc((size_t)ns, 4);
    o->wf = aligned_alloc(64, (mcdl_rnn_fwd_workspace_size(d) + 63) / 64 * 64);
    o->wb = aligned_alloc(64, (mcdl_rnn_bwd_workspace_size(d) + 63) / 64 * 64);
}

static void dir_free(one_dir *o) {
    float *p[] = {o->w,  o->uk, o->b,  o->h0, o->c0, o->y,   o->hT,
                  o->cT, o->dx, o->dw, o->du, o->db, o->dh0, o->dc0};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) free(p[i]);
    free(o->wf), free(o->wb);
}

static void run(int cell, dnnl_rnn_direction_t dir, int64_t B, int64_t T, int64_t in, int64_t u) {
    onednn_rnn r;
    const char *names[] = {"vanilla_rnn", "vanilla_lstm", "lbr_gru"};
    const char *dname = dir == dnnl_unidirectional_left2right   ? "l2r"
                        : dir == dnnl_unidirectional_right2left ? "r2l"
                        : dir == dnnl_bidirectional_concat      ? "bi_concat"
                                                                : "bi_sum";
    if (onednn_rnn_init(&r, cell, dir, T, B, in, u, true) != 0) {
        CHECK(0, "%s %s: oneDNN primitive creation failed", names[cell], dname);
        onednn_rnn_destroy(&r);
        return;
    }
    const int64_t D = r.D, G = r.G, ns = B * u;
    mcdl_rnn_desc d = {.cell = cell == ONEDNN_RNN_VANILLA ? MCDL_RNN_SIMPLE
                               : cell == ONEDNN_RNN_LSTM  ? MCDL_RNN_LSTM
                                                          : MCDL_RNN_GRU,
                       .batch = B,
                       .steps = T,
                       .in = in,
                       .units = u,
                       .act = MCDL_ACT_TANH,
                       .rec_act = MCDL_ACT_SIGMOID,
                       .reset_after = true};
    one_dir od[2];
    fill(r.x, B * T * in, 1.0f);
    for (int64_t k = 0; k < D; k++) {
        d.go_backwards = dir == dnnl_unidirectional_right2left || k == 1;
        dir_alloc(&od[k], &d);
        one_dir *o = &od[k];
        fill(o->w, in * G * u, 1.0f / sqrtf((float)in));
        fill(o->uk, u * G * u, 1.0f / sqrtf((float)u));
        fill(o->b, mcdl_rnn_bias_size(&d), 0.3f);
        fill(o->h0, ns, 0.5f);
        fill(o->c0, ns, 0.5f);
        memcpy(r.wl + k * in * G * u, o->w, (size_t)(in * G * u) * 4);
        memcpy(r.wi + k * u * G * u, o->uk, (size_t)(u * G * u) * 4);
        memcpy(r.h0 + k * ns, o->h0, (size_t)ns * 4);
        memcpy(r.c0 + k * ns, o->c0, (size_t)ns * 4);
        float *rb = r.b + k * r.Gb * u;
        if (cell == ONEDNN_RNN_LBR_GRU) {
            for (int64_t j = 0; j < 2 * u; j++) rb[j] = o->b[j] + o->b[3 * u + j];
            for (int64_t j = 0; j < u; j++)
                rb[2 * u + j] = o->b[2 * u + j], rb[3 * u + j] = o->b[5 * u + j];
        } else {
            memcpy(rb, o->b, (size_t)(G * u) * 4);
        }
    }
    CHECK(onednn_rnn_prepare(&r) == 0 && onednn_rnn_fwd(&r) == 0, "%s %s: oneDNN forward",
          names[cell], dname);
    const int64_t Oy = r.Oy;
    fill(r.dy, B * T * Oy, 1.0f);
    fill(r.dhT, D * ns, 1.0f);
    fill(r.dcT, D * ns, 1.0f);
    CHECK(onednn_rnn_bwd(&r) == 0, "%s %s: oneDNN backward", names[cell], dname);

    /* ours, one kernel call per direction; y and dy in processing order per direction */
    float *y = calloc((size_t)(B * T * Oy), 4), *dx = calloc((size_t)(B * T * in), 4);
    float *dyk = calloc((size_t)(B * T * u), 4);
    for (int64_t k = 0; k < D; k++) {
        one_dir *o = &od[k];
        const bool rev = o->d.go_backwards;
        mcdl_rnn_fwd_args a = {.x = r.x,
                               .kernel = o->w,
                               .rkernel = o->uk,
                               .bias = o->b,
                               .h0 = o->h0,
                               .c0 = o->c0,
                               .y = o->y,
                               .h_last = o->hT,
                               .c_last = o->cT};
        mcdl_rnn_fwd(&o->d, &a, o->wf);
        const int64_t off = dir == dnnl_bidirectional_concat ? k * u : 0;
        for (int64_t b = 0; b < B; b++)
            for (int64_t s = 0; s < T; s++) {
                int64_t t = rev ? T - 1 - s : s;
                for (int64_t j = 0; j < u; j++) {
                    y[(b * T + t) * Oy + off + j] += o->y[(b * T + s) * u + j];
                    dyk[(b * T + s) * u + j] = r.dy[(b * T + t) * Oy + off + j];
                }
            }
        mcdl_rnn_bwd_args g = {.dy = dyk,
                               .dh_last = r.dhT + k * ns,
                               .dc_last = r.dcT + k * ns,
                               .dx = o->dx,
                               .dkernel = o->dw,
                               .drkernel = o->du,
                               .dbias = o->db,
                               .dh0 = o->dh0,
                               .dc0 = o->dc0};
        mcdl_rnn_bwd(&o->d, &a, &g, o->wf, o->wb);
        for (int64_t i = 0; i < B * T * in; i++) dx[i] += o->dx[i];
    }
    /* forward: K = in + u per step, T steps; backward weight gradients reduce over B*T */
    const double tf = 8.0 * FLT_EPSILON * (double)(in + u) * sqrt((double)T);
    const double tb =
        8.0 * FLT_EPSILON * (double)(in + G * u) * sqrt((double)(B * T)) * sqrt((double)T);
    double e = relerr(y, r.y, B * T * Oy);
    CHECK(e <= tf, "%s %s B%lld T%lld in%lld u%lld: y rel err %.3g > %.3g", names[cell], dname,
          (long long)B, (long long)T, (long long)in, (long long)u, e, tf);
    e = relerr(dx, r.dx, B * T * in);
    CHECK(e <= tb, "%s %s: dx rel err %.3g > %.3g", names[cell], dname, e, tb);
    for (int64_t k = 0; k < D; k++) {
        one_dir *o = &od[k];
        e = relerr(o->hT, r.hT + k * ns, ns);
        CHECK(e <= tf, "%s %s dir %lld: h_T rel err %.3g", names[cell], dname, (long long)k, e);
        e = relerr(o->dw, r.dwl + k * in * G * u, in * G * u);
        CHECK(e <= tb, "%s %s dir %lld: d kernel rel err %.3g > %.3g", names[cell], dname,
              (long long)k, e, tb);
        e = relerr(o->du, r.dwi + k * u * G * u, u * G * u);
        CHECK(e <= tb, "%s %s dir %lld: d recurrent_kernel rel err %.3g > %.3g", names[cell], dname,
              (long long)k, e, tb);
        e = relerr(o->dh0, r.dh0 + k * ns, ns);
        CHECK(e <= tb, "%s %s dir %lld: d h0 rel err %.3g > %.3g", names[cell], dname, (long long)k,
              e, tb);
        float *rb = r.db + k * r.Gb * u;
        if (cell == ONEDNN_RNN_LBR_GRU) {
            /* Keras (2, 3u): input row [z r h], recurrent row [z r h]; z and r of both rows
             * get oneDNN's summed-bias gradient */
            float kb[6 * 1024];
            for (int64_t j = 0; j < 2 * u; j++) kb[j] = kb[3 * u + j] = rb[j];
            for (int64_t j = 0; j < u; j++)
                kb[2 * u + j] = rb[2 * u + j], kb[5 * u + j] = rb[3 * u + j];
            e = relerr(o->db, kb, 6 * u);
        } else {
            e = relerr(o->db, rb, G * u);
        }
        CHECK(e <= tb, "%s %s dir %lld: d bias rel err %.3g > %.3g", names[cell], dname,
              (long long)k, e, tb);
        if (cell == ONEDNN_RNN_LSTM) {
            e = relerr(o->cT, r.cT + k * ns, ns);
            CHECK(e <= tf, "%s %s dir %lld: c_T rel err %.3g", names[cell], dname, (long long)k, e);
            e = relerr(o->dc0, r.dc0 + k * ns, ns);
            CHECK(e <= tb, "%s %s dir %lld: d c0 rel err %.3g > %.3g", names[cell], dname,
                  (long long)k, e, tb);
        }
        dir_free(o);
    }
    free(y), free(dx), free(dyk);
    onednn_rnn_destroy(&r);
}

int main(void) {
    check_require_isa();
    printf("ISA path: %s\n", mcdl_isa_name(mcdl_cpu_active_isa()));
    const dnnl_rnn_direction_t dirs[] = {dnnl_unidirectional_left2right,
                                         dnnl_unidirectional_right2left, dnnl_bidirectional_concat,
                                         dnnl_bidirectional_sum};
    /* the last shape has T*B > 256 rows: the blocked weight-gradient sum */
    const int64_t shapes[][4] = {{3, 5, 4, 17}, {1, 3, 2, 8}, {8, 6, 24, 32}, {16, 20, 3, 20}};
    for (int cell = 0; cell < 3; cell++)
        for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
                run(cell, dirs[k], shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3]);
    return check_finish();
}
