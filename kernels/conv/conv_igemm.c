/* Implicit-GEMM Conv2D forward and backward data: the per-ISA register tile
 * (convdirect_igemm.inc) reads the input pixels in place through per-tap row pointers,
 * so no im2col matrix is written and the GEMM's packing pass disappears; the only copy is
 * the weights, packed once per call into igemm_cols-wide column blocks (zero-padded).
 *
 * Forward: a tile is igemm_rows consecutive output pixels of the flattened (n, oh, ow)
 * grid; tap (kh, kw) of pixel (oh, ow) reads x at (oh*SH - PT + kh*DH, ow*SW - PL + kw*DW)
 * or a zero row. Backward data is the gather form of the scatter: dx pixel (ih, iw)
 * collects dz(oh, ow) w[kh, kw]^T over the taps with ih = oh*SH - PT + kh*DH. Which taps
 * can contribute depends only on ih mod SH and iw mod SW, so tiles are taken inside one
 * such phase (a strided sub-grid) and carry only that phase's taps: a stride-2 4x4
 * transposed convolution runs 4 taps per pixel, not 16 mostly-zero ones. Every dx pixel
 * is written once (no zeroing, no overlapping chunks), which also lets deconvolution's
 * forward fuse its bias and activation.
 *
 * Threading: one team; each thread takes a static range of tiles and walks the column
 * blocks outermost, so a block's packed weights stay in its L2 while the tiles stream. */
#include <omp.h>
#include <string.h>

#include "kernels/conv/conv.h"

#define IG_MAX_TAPS 64
#define IG_MAX_ROWS 8
#define IG_MAX_STRIDE 8
#define IG_MAX_COLS 64

int mcdl_conv2d_igemm_fits(const mcdl_conv2d_geom *g, int bwd) {
    const mcdl_conv_isa_ops *ops = mcdl_conv_ops_active();
    if (ops->igemm_rows_narrow > IG_MAX_ROWS || ops->igemm_cols > IG_MAX_COLS) return 0;
    if (g->KH * g->KW > IG_MAX_TAPS) return 0;
    if ((bwd ? g->F : g->C) < 8) return 0;
    return !bwd || (g->SH <= IG_MAX_STRIDE && g->SW <= IG_MAX_STRIDE);
}

static int64_t round_up(int64_t a, int64_t b) { return (a + b - 1) / b * b; }

/* The tile for nout output channels: the narrow one when its columns hold them all. */
typedef struct {
    void (*tile)(int64_t, int64_t, const float *const *, const float *const *, const float *,
                 mcdl_act, float, int64_t, float *const *, int64_t);
    int64_t rows, cols;
} ig_tile;

static ig_tile pick_tile(const mcdl_conv_isa_ops *ops, int64_t nout) {
    if (nout <= ops->igemm_cols_narrow)
        return (ig_tile){ops->igemm_tile_narrow, ops->igemm_rows_narrow, ops->igemm_cols_narrow};
    return (ig_tile){ops->igemm_tile, ops->igemm_rows, ops->igemm_cols};
}

size_t mcdl_conv2d_igemm_workspace_size(const mcdl_conv2d_geom *g, int bwd) {
    const int64_t K = bwd ? g->F : g->C, nout = bwd ? g->C : g->F;
    return (size_t)(g->KH * g->KW * K * round_up(nout, IG_MAX_COLS) + round_up(K, 16));
}

/* Packs w (KH, KW, C, F) into blocks [blk][tap][k][cols]: forward k = c and the columns
 * are filters; backward (bwd != 0) k = f and the columns are input channels. */
static void pack_weights(const mcdl_conv2d_geom *g, const float *w, int bwd, int64_t cols,
                         float *wp, int nt) {
    const int64_t T = g->KH * g->KW, C = g->C, F = g->F;
    const int64_t K = bwd ? F : C, nout = bwd ? C : F, nb = (nout + cols - 1) / cols;
#pragma omp parallel for num_threads(nt) schedule(static) if (nb * T * K * cols > 65536)
    for (int64_t bt = 0; bt < nb * T; bt++) {
        const int64_t blk = bt / T, t = bt % T;
        float *d = wp + bt * K * cols;
        for (int64_t k = 0; k < K; k++)
            for (int64_t j = 0; j < cols; j++) {
                const int64_t o = blk * cols + j;
                float v = 0.0f;
                if (o < nout) v = bwd ? w[(t * C + o) * F + k] : w[(t * C + k) * F + o];
                d[k * cols + j] = v;
            }
    }
}

void mcdl_f32_conv2d_igemm_fwd(const mcdl_conv2d_geom *g, const float *x, const float *w,
                               const float *bias, mcdl_act act, float act_alpha, float *y,
                               float *ws) {
    const ig_tile it = pick_tile(mcdl_conv_ops_active(), g->F);
    const int64_t R = it.rows, cols = it.cols;
    const int64_t T = g->KH * g->KW, K = g->C, F = g->F, nb = (F + cols - 1) / cols;
    const int64_t img = g->OH * g->OW, P = g->N * img, ntile = (P + R - 1) / R;
    const int nt = mcdl_conv_threads(g);
    float *wp = ws, *zero = ws + nb * T * K * cols;
    memset(zero, 0, (size_t)K * sizeof(float));
    pack_weights(g, w, 0, cols, wp, nt);
#pragma omp parallel num_threads(nt)
    {
        const int tid = omp_get_thread_num();
        const int64_t lo = ntile * tid / nt, hi = ntile * (tid + 1) / nt;
        const float *a[IG_MAX_TAPS * IG_MAX_ROWS], *b[IG_MAX_TAPS];
        float *yrow[IG_MAX_ROWS];
        for (int64_t blk = 0; blk < nb; blk++) {
            const int64_t nf = F - blk * cols < cols ? F - blk * cols : cols;
            for (int64_t tile = lo; tile < hi; tile++) {
                const int64_t p0 = tile * R, np = P - p0 < R ? P - p0 : R;
                /* the tile's pixels: image base, top-left input row and column (rows past
                 * np repeat pixel p0; they are computed and dropped) */
                const float *xb[IG_MAX_ROWS];
                int64_t ih0[IG_MAX_ROWS], iw0[IG_MAX_ROWS];
                {
                    int64_t n = p0 / img, oh = p0 % img / g->OW, ow = p0 % g->OW;
                    for (int64_t r = 0; r < R; r++) {
                        if (r == np) n = p0 / img, oh = p0 % img / g->OW, ow = p0 % g->OW;
                        xb[r] = x + n * g->H * g->W * K;
                        ih0[r] = oh * g->SH - g->PT, iw0[r] = ow * g->SW - g->PL;
                        if (r + 1 >= np) continue; /* from np on, every row repeats p0 */
                        if (++ow == g->OW) {
                            ow = 0;
                            if (++oh == g->OH) oh = 0, n++;
                        }
                    }
                }
                int64_t ntap = 0;
                const int one = T == 1 && g->SH == 1 && g->SW == 1 && g->PT == 0 && g->PL == 0 &&
                                g->OH == g->H && g->OW == g->W;
                if (one) { /* 1x1 unpadded: the pixel rows are the A rows */
                    for (int64_t r = 0; r < R; r++) a[r] = x + (p0 + (r < np ? r : 0)) * K;
                    b[0] = wp + blk * K * cols;
                    ntap = 1;
                }
                for (int64_t kh = 0; kh < g->KH && !one; kh++)
                    for (int64_t kw = 0; kw < g->KW; kw++) {
                        int any = 0;
                        for (int64_t r = 0; r < R; r++) {
                            const int64_t ih = ih0[r] + kh * g->DH, iw = iw0[r] + kw * g->DW;
                            const int in = ih >= 0 && ih < g->H && iw >= 0 && iw < g->W;
                            a[ntap * R + r] = in ? xb[r] + (ih * g->W + iw) * K : zero;
                            any |= in;
                        }
                        if (!any) continue; /* the whole tile reads padding: skip the tap */
                        b[ntap++] = wp + (blk * T + kh * g->KW + kw) * K * cols;
                    }
                for (int64_t r = 0; r < np; r++) yrow[r] = y + (p0 + r) * F + blk * cols;
                it.tile(ntap, K, a, b, bias ? bias + blk * cols : NULL, act, act_alpha, np, yrow,
                        nf);
            }
        }
    }
}

/* Floor division and modulus for a possibly negative numerator (d > 0). */
static int64_t mod_pos(int64_t a, int64_t d) { return ((a % d) + d) % d; }

/* Number of i in [0, n) with i = ph (mod s). */
static int64_t phase_len(int64_t n, int64_t ph, int64_t s) {
    return ph < n ? (n - ph + s - 1) / s : 0;
}

void mcdl_f32_conv2d_igemm_bwd_data(const mcdl_conv2d_geom *g, const float *dz, const float *w,
                                    const float *bias, mcdl_act act, float act_alpha, float *dx,
                                    float *ws) {
    const ig_tile it = pick_tile(mcdl_conv_ops_active(), g->C);
    const int64_t R = it.rows, cols = it.cols;
    const int64_t T = g->KH * g->KW, K = g->F, C = g->C, nb = (C + cols - 1) / cols;
    const int64_t SH = g->SH, SW = g->SW, nph = SH * SW;
    const int nt = mcdl_conv_threads(g);
    float *wp = ws, *zero = ws + nb * T * K * cols;
    memset(zero, 0, (size_t)K * sizeof(float));
    pack_weights(g, w, 1, cols, wp, nt);
    /* Tiles of one image, phase by phase: phase q = ph * SW + pw starts at tile first[q]. */
    int64_t first[IG_MAX_STRIDE * IG_MAX_STRIDE + 1];
    first[0] = 0;
    for (int64_t q = 0; q < nph; q++) {
        const int64_t cnt = phase_len(g->H, q / SW, SH) * phase_len(g->W, q % SW, SW);
        first[q + 1] = first[q] + (cnt + R - 1) / R;
    }
    const int64_t per_img = first[nph], ntile = g->N * per_img;
#pragma omp parallel num_threads(nt)
    {
        const int tid = omp_get_thread_num();
        const int64_t lo = ntile * tid / nt, hi = ntile * (tid + 1) / nt;
        const float *a[IG_MAX_TAPS * IG_MAX_ROWS], *b[IG_MAX_TAPS];
        float *yrow[IG_MAX_ROWS];
        int64_t khs[IG_MAX_TAPS], kws[IG_MAX_TAPS];
        for (int64_t blk = 0; blk < nb; blk++) {
            const int64_t nf = C - blk * cols < cols ? C - blk * cols : cols;
            int64_t q = 0, n = lo / per_img, local = lo % per_img, ntap = -1;
            for (int64_t tile = lo; tile < hi; tile++, local++) {
                if (local == per_img) local = 0, n++, q = 0, ntap = -1;
                while (first[q + 1] <= local) q++, ntap = -1;
                const int64_t ph = q / SW, pw = q % SW, wc = phase_len(g->W, pw, SW);
                const int64_t cnt = phase_len(g->H, ph, SH) * wc, q0 = (local - first[q]) * R;
                const int64_t np = cnt - q0 < R ? cnt - q0 : R;
                /* The phase's taps (kh*DH = ph + PT mod SH, likewise for kw), listed again
                 * only when the phase changes. */
                if (ntap < 0) {
                    ntap = 0;
                    for (int64_t kh = 0; kh < g->KH; kh++) {
                        if (SH > 1 && mod_pos(ph + g->PT - kh * g->DH, SH)) continue;
                        for (int64_t kw = 0; kw < g->KW; kw++) {
                            if (SW > 1 && mod_pos(pw + g->PL - kw * g->DW, SW)) continue;
                            khs[ntap] = kh;
                            kws[ntap] = kw;
                            b[ntap++] = wp + (blk * T + kh * g->KW + kw) * K * cols;
                        }
                    }
                }
                int64_t qi = q0 / wc, qj = q0 % wc; /* walked incrementally, no divisions */
                for (int64_t r = 0; r < R; r++) {
                    if (r == np) qi = q0 / wc, qj = q0 % wc; /* padding rows repeat pixel q0 */
                    const int64_t ih = ph + qi * SH, iw = pw + qj * SW;
                    if (r + 1 < np && ++qj == wc) qj = 0, qi++;
                    if (r < np) yrow[r] = dx + ((n * g->H + ih) * g->W + iw) * C + blk * cols;
                    for (int64_t t = 0; t < ntap; t++) {
                        const int64_t hn = ih + g->PT - khs[t] * g->DH;
                        const int64_t wn = iw + g->PL - kws[t] * g->DW;
                        const int64_t oh = SH == 1 ? hn : hn / SH, ow = SW == 1 ? wn : wn / SW;
                        const int in = hn >= 0 && wn >= 0 && oh < g->OH && ow < g->OW;
                        a[t * R + r] = in ? dz + ((n * g->OH + oh) * g->OW + ow) * K : zero;
                    }
                }
                it.tile(ntap, K, a, b, bias ? bias + blk * cols : NULL, act, act_alpha, np, yrow,
                        nf);
            }
        }
    }
}
