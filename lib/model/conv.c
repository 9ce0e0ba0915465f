/* Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D and SeparableConv2D: one state and one
 * set of class functions, switched on the kind. Forward is the kernel with bias and (relu,
 * sigmoid, tanh, leaky_relu) fused; other activations run after it with the pre-activation
 * kept for backward. Backward: dz = dy * act'(.), then the kernels' backward-weights (into
 * scratch, then added: weight gradients accumulate) and backward-data passes.
 * SeparableConv2D = depthwise (no bias) into a kept intermediate t, then a pointwise GEMM
 * with the bias and activation fused. 1-D layers are the 2-D kernels with H = 1. */
#include <string.h>

#include "kernels/gemm/gemm.h"
#include "lib/core/error.h"
#include "lib/model/conv_layers.h"

enum { K_CONV, K_DW, K_SEP, K_DECONV };

typedef struct {
    int kind, rank; /* rank: spatial axes, 1 or 2 */
    int64_t filters, k[2], s[2], d[2], dm, op[2];
    bool has_op, use_bias;
    mcdl_padding_mode pad;
    mcdl_activation_id act;
    float alpha;
    mcdl_init kinit, pinit, binit;
    /* built: image side H, W (input; for the transpose its output), GEMM side OH, OW */
    int64_t cin, H, W, OH, OW, PT, PL;
    int wk, wp, wb;
} conv_state;

/* Per-axis values as the 2-D kernels see them (1-D: a single row). */
static int64_t kh(const conv_state *s) { return s->rank == 1 ? 1 : s->k[0]; }
static int64_t kw(const conv_state *s) { return s->rank == 1 ? s->k[0] : s->k[1]; }
static int64_t sh(const conv_state *s) { return s->rank == 1 ? 1 : s->s[0]; }
static int64_t sw(const conv_state *s) { return s->rank == 1 ? s->s[0] : s->s[1]; }
static int64_t dh(const conv_state *s) { return s->rank == 1 ? 1 : s->d[0]; }
static int64_t dw(const conv_state *s) { return s->rank == 1 ? s->d[0] : s->d[1]; }

static const char *cls_name(const mcdl_layer *l) { return mcdl_layer_get_class(l)->class_name; }

static bool fused(mcdl_activation_id a) {
    return a == MCDL_LINEAR || a == MCDL_RELU || a == MCDL_SIGMOID || a == MCDL_TANH ||
           a == MCDL_LEAKY_RELU;
}
static bool keeps_z(const conv_state *st) {
    return !fused(st->act) && mcdl_act_needs_x(st->act, st->alpha);
}
/* channels of the output, and of the depthwise intermediate */
static int64_t out_ch(const conv_state *st) {
    return st->kind == K_DW ? st->cin * st->dm : st->filters;
}
static int64_t mid_ch(const conv_state *st) { return st->cin * st->dm; }

static void defaults(conv_state *st) {
    for (int i = 0; i < 2; i++) {
        if (st->s[i] == 0) st->s[i] = 1;
        if (st->d[i] == 0) st->d[i] = 1;
    }
    if (st->rank == 2 && st->k[1] == 0) st->k[1] = st->k[0];
    if (st->dm == 0) st->dm = 1;
    if (!st->kinit) st->kinit = MCDL_INIT_GLOROT_UNIFORM;
    if (!st->pinit) st->pinit = MCDL_INIT_GLOROT_UNIFORM;
    if (!st->binit) st->binit = MCDL_INIT_ZEROS;
}

static mcdl_status conv_check(const mcdl_layer *l, const conv_state *st) {
    const char *nm = mcdl_layer_name(l), *cn = cls_name(l);
    if (st->kind != K_DW && st->filters <= 0)
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' (%s): filters must be > 0, got %lld", nm, cn,
                          (long long)st->filters);
    for (int i = 0; i < st->rank; i++) {
        if (st->k[i] <= 0 || st->s[i] <= 0 || st->d[i] <= 0)
            return mcdl_error(MCDL_ERR_ARG,
                              "layer '%s' (%s): kernel_size, strides and dilation_rate must be > "
                              "0, got kernel %lld, stride %lld, dilation %lld on axis %d",
                              nm, cn, (long long)st->k[i], (long long)st->s[i], (long long)st->d[i],
                              i);
        if (st->s[i] > 1 && st->d[i] > 1)
            return mcdl_error(MCDL_ERR_ARG,
                              "layer '%s' (%s): strides > 1 and dilation_rate > 1 together are not "
                              "allowed (Keras), got %lld and %lld",
                              nm, cn, (long long)st->s[i], (long long)st->d[i]);
        if (st->has_op && (st->op[i] < 0 || st->op[i] >= st->s[i]))
            return mcdl_error(MCDL_ERR_ARG,
                              "layer '%s' (%s): output_padding %lld must be >= 0 and < the stride "
                              "%lld on axis %d",
                              nm, cn, (long long)st->op[i], (long long)st->s[i], i);
    }
    if (st->dm <= 0)
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' (%s): depth_multiplier must be > 0, got %lld",
                          nm, cn, (long long)st->dm);
    if (st->pad == MCDL_PADDING_CAUSAL && !(st->kind == K_CONV && st->rank == 1))
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' (%s): padding 'causal' is for Conv1D only", nm,
                          cn);
    if ((unsigned)st->act >= MCDL_ACTIVATION_COUNT)
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' (%s): unknown activation id %d", nm, cn,
                          (int)st->act);
    if ((unsigned)st->kinit >= MCDL_INIT_COUNT || (unsigned)st->pinit >= MCDL_INIT_COUNT ||
        (unsigned)st->binit >= MCDL_INIT_COUNT)
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' (%s): unknown initializer id", nm, cn);
    return MCDL_OK;
}

static mcdl_conv2d_geom geom_of(const conv_state *st, int64_t batch, int nthreads) {
    mcdl_conv2d_geom g = {0};
    g.N = batch, g.H = st->H, g.W = st->W, g.OH = st->OH, g.OW = st->OW;
    g.KH = kh(st), g.KW = kw(st), g.SH = sh(st), g.SW = sw(st), g.DH = dh(st), g.DW = dw(st);
    g.PT = st->PT, g.PL = st->PL, g.nthreads = nthreads;
    switch (st->kind) {
    case K_CONV:
        g.C = st->cin, g.F = st->filters;
        break;
    case K_DW:
    case K_SEP:
        g.C = st->cin, g.F = st->cin * st->dm;
        break;
    default:
        g.C = st->filters, g.F = st->cin;
        break; /* transpose: image side is the output */
    }
    return g;
}

static void kind_of(const mcdl_layer_class *c, int *kind, int *rank);

static mcdl_status conv_from_config(mcdl_layer *l, const mcdl_config *c) {
    conv_state *st = mcdl_layer_state(l);
    kind_of(mcdl_layer_get_class(l), &st->kind, &st->rank);
    st->use_bias = true;
    st->alpha = 0.2f;
    MCDL_TRY(mcdl_cfg_get_int(l, c, "filters", &st->filters));
    MCDL_TRY(mcdl_conv_cfg_pair(l, c, "kernel_size", st->k));
    MCDL_TRY(mcdl_conv_cfg_pair(l, c, "strides", st->s));
    MCDL_TRY(mcdl_conv_cfg_pair(l, c, "dilation_rate", st->d));
    MCDL_TRY(mcdl_conv_cfg_common(l, c, st->rank == 1 && st->kind == K_CONV, &st->pad));
    MCDL_TRY(mcdl_cfg_get_activation(l, c, "activation", &st->act));
    MCDL_TRY(mcdl_cfg_get_bool(l, c, "use_bias", &st->use_bias));
    MCDL_TRY(mcdl_cfg_get_int(l, c, "depth_multiplier", &st->dm));
    MCDL_TRY(mcdl_cfg_get_init(l, c,
                               st->kind == K_DW || st->kind == K_SEP ? "depthwise_initializer"
                                                                     : "kernel_initializer",
                               &st->kinit));
    MCDL_TRY(mcdl_cfg_get_init(l, c, "pointwise_initializer", &st->pinit));
    MCDL_TRY(mcdl_cfg_get_init(l, c, "bias_initializer", &st->binit));
    int64_t groups = 1;
    MCDL_TRY(mcdl_cfg_get_int(l, c, "groups", &groups));
    if (groups != 1)
        return mcdl_error(MCDL_ERR_UNSUPPORTED, "layer '%s' (%s): groups=%lld is not supported",
                          mcdl_layer_name(l), cls_name(l), (long long)groups);
    if (st->kind == K_DECONV) {
        const mcdl_cfg_item *it = mcdl_config_find(c, "output_padding");
        if (it && it->type != MCDL_CFG_NULL) {
            st->op[0] = st->op[1] = -1;
            MCDL_TRY(mcdl_conv_cfg_pair(l, c, "output_padding", st->op));
            st->has_op = true;
        }
    }
    if (!mcdl_config_find(c, "kernel_size") ||
        (st->kind != K_DW && !mcdl_config_find(c, "filters")))
        return mcdl_error(MCDL_ERR_FORMAT, "layer '%s' (%s): config needs %s", mcdl_layer_name(l),
                          cls_name(l),
                          st->kind == K_DW ? "'kernel_size'" : "'filters' and 'kernel_size'");
    defaults(st);
    return conv_check(l, st);
}

static void put_pair(mcdl_cfg_writer *w, const conv_state *st, const char *key, const int64_t *v) {
    const double p[2] = {(double)v[0], (double)v[1]};
    mcdl_cfg_put_numbers(w, key, st->rank, p);
}

static void conv_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const conv_state *st = mcdl_layer_state(l);
    if (st->kind != K_DW) mcdl_cfg_put_number(w, "filters", (double)st->filters);
    put_pair(w, st, "kernel_size", st->k);
    put_pair(w, st, "strides", st->s);
    mcdl_cfg_put_string(w, "padding", mcdl_conv_padding_name(st->pad));
    mcdl_cfg_put_string(w, "data_format", "channels_last");
    put_pair(w, st, "dilation_rate", st->d);
    if (st->kind == K_DW || st->kind == K_SEP)
        mcdl_cfg_put_number(w, "depth_multiplier", (double)st->dm);
    if (st->kind == K_DECONV) {
        if (st->has_op)
            put_pair(w, st, "output_padding", st->op);
        else
            mcdl_cfg_put_null(w, "output_padding");
    }
    mcdl_cfg_put_string(w, "activation", mcdl_activation_name(st->act));
    mcdl_cfg_put_bool(w, "use_bias", st->use_bias);
    if (st->kind == K_DW || st->kind == K_SEP) {
        mcdl_cfg_put_init(w, "depthwise_initializer", st->kinit);
        if (st->kind == K_SEP) mcdl_cfg_put_init(w, "pointwise_initializer", st->pinit);
    } else {
        mcdl_cfg_put_init(w, "kernel_initializer", st->kinit);
    }
    mcdl_cfg_put_init(w, "bias_initializer", st->binit);
}

static mcdl_status conv_infer(mcdl_layer *l, mcdl_infer_args *a) {
    conv_state *st = mcdl_layer_state(l);
    const mcdl_shape *in = &a->in[0];
    char sb[128];
    mcdl_shape_keras_str(in, sb, sizeof sb);
    if (in->rank != st->rank + 1)
        return mcdl_error(
            MCDL_ERR_SHAPE, "layer '%s' (%s) needs a rank-%d input %s, got %s from '%s'",
            mcdl_layer_name(l), cls_name(l), st->rank + 2,
            st->rank == 1 ? "(batch, steps, channels)" : "(batch, rows, cols, channels)", sb,
            a->in_from[0]);
    const int64_t ih = st->rank == 1 ? 1 : in->d[0], iw = in->d[st->rank - 1], C = in->d[st->rank];
    int64_t oh, ow, pt, pl;
    int bad;
    if (st->kind == K_DECONV) {
        bad = mcdl_deconv_out_len(ih, kh(st), sh(st), dh(st), (mcdl_padding)st->pad,
                                  st->has_op ? st->op[0] : -1, &oh, &pt) ||
              mcdl_deconv_out_len(iw, kw(st), sw(st), dw(st), (mcdl_padding)st->pad,
                                  st->has_op ? st->op[st->rank - 1] : -1, &ow, &pl);
    } else {
        bad = mcdl_conv_out_len(ih, kh(st), sh(st), dh(st),
                                st->pad == MCDL_PADDING_CAUSAL ? MCDL_PAD_VALID
                                                               : (mcdl_padding)st->pad,
                                &oh, &pt) ||
              mcdl_conv_out_len(iw, kw(st), sw(st), dw(st), (mcdl_padding)st->pad, &ow, &pl);
    }
    if (bad)
        return mcdl_error(
            MCDL_ERR_SHAPE,
            "layer '%s' (%s): kernel %lldx%lld (stride %lldx%lld, dilation %lldx%lld, "
            "padding '%s') does not fit the input %s from '%s'",
            mcdl_layer_name(l), cls_name(l), (long long)kh(st), (long long)kw(st),
            (long long)sh(st), (long long)sw(st), (long long)dh(st), (long long)dw(st),
            mcdl_conv_padding_name(st->pad), sb, a->in_from[0]);
    if (a->call == 0) {
        st->cin = C;
        const int64_t F = st->filters, M = st->dm;
        int64_t ks[4];
        int kr;
        if (st->rank == 1)
            kr = 3, ks[0] = st->k[0], ks[1] = C,
            ks[2] = st->kind == K_DW || st->kind == K_SEP ? M : F;
        else
            kr = 4, ks[0] = st->k[0], ks[1] = st->k[1], ks[2] = C,
            ks[3] = st->kind == K_DW || st->kind == K_SEP ? M : F;
        if (st->kind == K_DECONV) ks[2] = F, ks[3] = C;
        st->wk = mcdl_layer_add_weight(l, st->kind == K_SEP ? "depthwise_kernel" : "kernel", kr, ks,
                                       st->kinit, true);
        if (st->wk < 0) return mcdl_graph_status(mcdl_layer_graph(l));
        st->wp = -1;
        if (st->kind == K_SEP) {
            st->wp = mcdl_layer_add_weight(l, "pointwise_kernel", 4, (int64_t[]){1, 1, C * M, F},
                                           st->pinit, true);
            if (st->wp < 0) return mcdl_graph_status(mcdl_layer_graph(l));
        }
        st->wb = -1;
        if (st->use_bias) {
            st->wb = mcdl_layer_add_weight(l, "bias", 1, (int64_t[]){out_ch(st)}, st->binit, true);
            if (st->wb < 0) return mcdl_graph_status(mcdl_layer_graph(l));
        }
    } else if (C != st->cin) {
        return mcdl_error(MCDL_ERR_SHAPE,
                          "layer '%s' (%s) was built for %lld input channels but gets %s from '%s'",
                          mcdl_layer_name(l), cls_name(l), (long long)st->cin, sb, a->in_from[0]);
    }
    if (st->kind == K_DECONV)
        st->H = oh, st->W = ow, st->OH = ih, st->OW = iw;
    else
        st->H = ih, st->W = iw, st->OH = oh, st->OW = ow;
    st->PT = pt, st->PL = pl;
    a->n_out = 1;
    a->out[0].rank = in->rank;
    if (st->rank == 2) a->out[0].d[0] = oh;
    a->out[0].d[st->rank - 1] = ow;
    a->out[0].d[st->rank] = out_ch(st);
    return MCDL_OK;
}

/* Scratch layout (floats): [dz | weight-grad tmp | kernel workspace | dT (separable)]. */
typedef struct {
    size_t dz, gtmp, kws, dt, total_fwd, total_bwd, saved_z, saved_t;
} conv_sizes;

static int64_t nweights(const conv_state *st) {
    return kh(st) * kw(st) * st->cin *
           (st->kind == K_DW || st->kind == K_SEP ? st->dm : st->filters);
}

static size_t size_max(size_t a, size_t b) { return a > b ? a : b; }

/* Kernel workspaces for a team of nt threads. */
static void kernel_ws(const conv_state *st, int64_t batch, int nt, size_t *kf, size_t *kb) {
    const mcdl_conv2d_geom g = geom_of(st, batch, nt);
    switch (st->kind) {
    case K_CONV:
        *kf = mcdl_conv2d_fwd_workspace_size(&g);
        *kb = size_max(mcdl_conv2d_bwd_data_workspace_size(&g),
                       mcdl_conv2d_bwd_weights_workspace_size(&g));
        break;
    case K_DECONV:
        *kf = mcdl_deconv2d_fwd_workspace_size(&g);
        *kb = size_max(mcdl_deconv2d_bwd_data_workspace_size(&g),
                       mcdl_deconv2d_bwd_weights_workspace_size(&g));
        break;
    default:
        *kf = 0;
        *kb = mcdl_dwconv2d_bwd_weights_workspace_size(&g);
        break;
    }
}

static conv_sizes sizes_of(const conv_state *st, int64_t batch) {
    conv_sizes z = {0};
    const int64_t rows = st->kind == K_DECONV ? batch * st->H * st->W : batch * st->OH * st->OW;
    /* A call runs on any team size up to the planned one (fewer when the work is small, see
     * conv_forward, or after mcdl_set_num_threads lowered it), and a smaller team can need
     * a larger workspace (fewer, longer im2col chunks): plan for the largest. */
    size_t kf = 0, kb = 0;
    for (int nt = 1; nt <= mcdl_conv_plan_threads(); nt++) {
        size_t f, b;
        kernel_ws(st, batch, nt, &f, &b);
        kf = size_max(kf, f);
        kb = size_max(kb, b);
    }
    z.dz = st->act != MCDL_LINEAR ? (size_t)(rows * out_ch(st)) : 0;
    z.gtmp = (size_t)(nweights(st) + out_ch(st) + mid_ch(st));
    z.kws = kb;
    z.dt = st->kind == K_SEP ? (size_t)(rows * mid_ch(st)) : 0;
    z.total_bwd = z.dz + z.gtmp + z.kws + z.dt;
    z.total_fwd = st->kind == K_SEP ? (size_t)(rows * mid_ch(st)) : kf;
    z.saved_z = keeps_z(st) ? (size_t)(rows * out_ch(st)) : 0;
    z.saved_t = z.dt;
    return z;
}

static void conv_workspace(const mcdl_layer *l, int call, int64_t batch, bool training,
                           size_t *saved, size_t *scratch) {
    (void)call;
    const conv_state *st = mcdl_layer_state(l);
    const conv_sizes z = sizes_of(st, batch);
    size_t s = z.total_fwd > z.total_bwd ? z.total_fwd : z.total_bwd;
    if (!training) s = z.total_fwd;
    *scratch = (s + 16) * sizeof(float);
    *saved = training ? (z.saved_z + z.saved_t + 16) * sizeof(float) : 0;
}

static int64_t out_rows(const conv_state *st, int64_t batch) {
    return st->kind == K_DECONV ? batch * st->H * st->W : batch * st->OH * st->OW;
}

static mcdl_status conv_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const conv_state *st = mcdl_layer_state(l);
    const int64_t rows = out_rows(st, a->batch), F = out_ch(st);
    const double macs = (double)rows * (double)F * (double)(kh(st) * kw(st)) *
                            (double)(st->kind == K_CONV || st->kind == K_DECONV ? st->cin : 1) +
                        (st->kind == K_SEP ? (double)rows * (double)F * (double)mid_ch(st) : 0.0);
    const mcdl_conv2d_geom g =
        geom_of(st, a->batch, mcdl_conv_threads_for_work(macs, MCDL_CONV_FWD_MIN_MACS_PER_THREAD));
    const conv_sizes z = sizes_of(st, a->batch);
    const float *W = mcdl_layer_weight_data(l, st->wk);
    const float *b = st->use_bias ? mcdl_layer_weight_data(l, st->wb) : NULL;
    float *y = a->y[0], *ws = a->scratch;
    float *zbuf = fused(st->act) ? y : (a->training && keeps_z(st) ? (float *)a->saved : y);
    const mcdl_act ak = fused(st->act) ? mcdl_act_of(st->act) : MCDL_ACT_NONE;
    switch (st->kind) {
    case K_CONV:
        mcdl_f32_conv2d_fwd(&g, a->x[0], W, b, ak, st->alpha, zbuf, ws);
        break;
    case K_DW:
        mcdl_f32_dwconv2d_fwd(&g, a->x[0], W, b, ak, st->alpha, zbuf);
        break;
    case K_DECONV:
        mcdl_f32_deconv2d_fwd(&g, a->x[0], W, b, ak, st->alpha, zbuf, ws);
        break;
    default: {
        float *t = a->training ? (float *)a->saved + z.saved_z : ws;
        mcdl_f32_dwconv2d_fwd(&g, a->x[0], W, NULL, MCDL_ACT_NONE, 0.0f, t);
        const mcdl_gemm_epilogue ep = {.bias = b, .act = ak, .act_alpha = st->alpha};
        mcdl_f32_gemm('N', 'N', rows, F, mid_ch(st), 1.0f, t, mid_ch(st),
                      mcdl_layer_weight_data(l, st->wp), F, 0.0f, zbuf, F, &ep);
    }
    }
    if (!fused(st->act)) mcdl_apply_act_fwd(st->act, st->alpha, zbuf, y, rows, F);
    return MCDL_OK;
}

static void add_into(float *dst, const float *src, int64_t n) {
    for (int64_t i = 0; i < n; i++) dst[i] += src[i];
}

static mcdl_status conv_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const conv_state *st = mcdl_layer_state(l);
    const mcdl_conv2d_geom g = geom_of(st, a->batch, mcdl_conv_run_threads());
    const conv_sizes z = sizes_of(st, a->batch);
    const int64_t rows = out_rows(st, a->batch), F = out_ch(st), nw = nweights(st);
    float *ws = a->scratch, *gtmp = ws + z.dz, *kws = gtmp + z.gtmp, *dT = kws + z.kws;
    const float *dz = a->dy[0];
    if (st->act != MCDL_LINEAR) {
        mcdl_apply_act_bwd(st->act, st->alpha, keeps_z(st) ? (const float *)a->saved : NULL,
                           a->y[0], a->dy[0], ws, rows, F);
        dz = ws;
    }
    const bool train = a->weight_grads; /* this model trains the kernel (fixed at compile) */
    const float *W = mcdl_layer_weight_data(l, st->wk);
    float *gb = st->use_bias ? gtmp + nw : NULL;
    float *dx = a->dx[0];
    switch (st->kind) {
    case K_CONV:
        if (train) mcdl_f32_conv2d_bwd_weights(&g, a->x[0], dz, gtmp, gb, kws);
        if (dx) mcdl_f32_conv2d_bwd_data(&g, dz, W, dx, kws);
        break;
    case K_DW:
        if (train) mcdl_f32_dwconv2d_bwd_weights(&g, a->x[0], dz, gtmp, gb, kws);
        if (dx) mcdl_f32_dwconv2d_bwd_data(&g, dz, W, dx);
        break;
    case K_DECONV:
        if (train) mcdl_f32_deconv2d_bwd_weights(&g, a->x[0], dz, gtmp, gb, kws);
        if (dx) mcdl_f32_deconv2d_bwd_data(&g, dz, W, dx, kws);
        break;
    default: {
        const int64_t Cm = mid_ch(st);
        const float *t = (const float *)a->saved + z.saved_z,
                    *Wp = mcdl_layer_weight_data(l, st->wp);
        mcdl_f32_gemm('N', 'T', rows, Cm, F, 1.0f, dz, F, Wp, F, 0.0f, dT, Cm, NULL);
        if (train) {
            mcdl_f32_gemm('T', 'N', Cm, F, rows, 1.0f, t, Cm, dz, F, 1.0f,
                          mcdl_layer_weight_grad(l, st->wp), F, NULL);
            if (gb) {
                memset(gb, 0, (size_t)F * sizeof(float));
                for (int64_t r = 0; r < rows; r++) add_into(gb, dz + r * F, F);
            }
            mcdl_f32_dwconv2d_bwd_weights(&g, a->x[0], dT, gtmp, NULL, kws);
        }
        if (dx) mcdl_f32_dwconv2d_bwd_data(&g, dT, W, dx);
    }
    }
    if (train) {
        add_into(mcdl_layer_weight_grad(l, st->wk), gtmp, nw);
        if (gb) add_into(mcdl_layer_weight_grad(l, st->wb), gb, F);
    }
    return MCDL_OK;
}

#define CONV_CLASS(var, cname, aname)                                                              \
    const mcdl_layer_class var = {                                                                 \
        .class_name = cname,                                                                       \
        .auto_name = aname,                                                                        \
        .state_size = sizeof(conv_state),                                                          \
        .min_inputs = 1,                                                                           \
        .max_inputs = 1,                                                                           \
        .from_config = conv_from_config,                                                           \
        .to_config = conv_to_config,                                                               \
        .infer = conv_infer,                                                                       \
        .workspace = conv_workspace,                                                               \
        .forward = conv_forward,                                                                   \
        .backward = conv_backward,                                                                 \
    }

CONV_CLASS(mcdl_conv1d_class, "Conv1D", "conv1d");
CONV_CLASS(mcdl_conv2d_class, "Conv2D", "conv2d");
CONV_CLASS(mcdl_conv2d_transpose_class, "Conv2DTranspose", "conv2d_transpose");
CONV_CLASS(mcdl_depthwise_conv2d_class, "DepthwiseConv2D", "depthwise_conv2d");
CONV_CLASS(mcdl_separable_conv2d_class, "SeparableConv2D", "separable_conv2d");

/* Kind and spatial rank of a class (the state starts zeroed in both construction paths). */
static void kind_of(const mcdl_layer_class *c, int *kind, int *rank) {
    *rank = c == &mcdl_conv1d_class ? 1 : 2;
    *kind = c == &mcdl_conv2d_transpose_class   ? K_DECONV
            : c == &mcdl_depthwise_conv2d_class ? K_DW
            : c == &mcdl_separable_conv2d_class ? K_SEP
                                                : K_CONV;
}

static mcdl_layer *make(mcdl_graph *g, const mcdl_layer_class *cls, const char *name,
                        const conv_state *init) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    mcdl_layer *l = mcdl_layer_new(g, cls, name);
    if (!l) return NULL;
    conv_state *st = mcdl_layer_state(l);
    *st = *init;
    kind_of(cls, &st->kind, &st->rank);
    defaults(st);
    mcdl_status s = conv_check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

static mcdl_layer *from_conv_opts(mcdl_graph *g, const mcdl_layer_class *cls,
                                  const mcdl_conv_opts *o) {
    if (!o) {
        if (g)
            mcdl_graph_record(g, mcdl_error(MCDL_ERR_ARG,
                                            "%s: options are required (filters, kernel_size)",
                                            cls->class_name));
        return NULL;
    }
    conv_state st = {.filters = o->filters,
                     .pad = o->padding,
                     .act = o->activation,
                     .alpha = mcdl_opt_float(o->alpha, 0.2f),
                     .use_bias = !o->no_bias,
                     .kinit = o->kernel_initializer,
                     .binit = o->bias_initializer};
    memcpy(st.k, o->kernel_size, sizeof st.k);
    memcpy(st.s, o->strides, sizeof st.s);
    memcpy(st.d, o->dilation_rate, sizeof st.d);
    return make(g, cls, o->name, &st);
}

mcdl_layer *mcdl_conv1d_layer(mcdl_graph *g, const mcdl_conv_opts *o) {
    return from_conv_opts(g, &mcdl_conv1d_class, o);
}
mcdl_layer *mcdl_conv2d_layer(mcdl_graph *g, const mcdl_conv_opts *o) {
    return from_conv_opts(g, &mcdl_conv2d_class, o);
}
mcdl_node *mcdl_conv1d(mcdl_graph *g, mcdl_node *x, const mcdl_conv_opts *o) {
    return x ? mcdl_build_and_call(mcdl_conv1d_layer(g, o), x) : NULL;
}
mcdl_node *mcdl_conv2d(mcdl_graph *g, mcdl_node *x, const mcdl_conv_opts *o) {
    return x ? mcdl_build_and_call(mcdl_conv2d_layer(g, o), x) : NULL;
}

mcdl_layer *mcdl_conv2d_transpose_layer(mcdl_graph *g, const mcdl_conv2d_transpose_opts *o) {
    if (!o) {
        if (g)
            mcdl_graph_record(g, mcdl_error(MCDL_ERR_ARG, "Conv2DTranspose: options are required"));
        return NULL;
    }
    conv_state st = {.filters = o->filters,
                     .pad = o->padding,
                     .act = o->activation,
                     .alpha = mcdl_opt_float(o->alpha, 0.2f),
                     .use_bias = !o->no_bias,
                     .kinit = o->kernel_initializer,
                     .binit = o->bias_initializer,
                     .has_op = o->has_output_padding};
    memcpy(st.k, o->kernel_size, sizeof st.k);
    memcpy(st.s, o->strides, sizeof st.s);
    memcpy(st.d, o->dilation_rate, sizeof st.d);
    memcpy(st.op, o->output_padding, sizeof st.op);
    return make(g, &mcdl_conv2d_transpose_class, o->name, &st);
}
mcdl_node *mcdl_conv2d_transpose(mcdl_graph *g, mcdl_node *x, const mcdl_conv2d_transpose_opts *o) {
    return x ? mcdl_build_and_call(mcdl_conv2d_transpose_layer(g, o), x) : NULL;
}

static mcdl_layer *from_dw_opts(mcdl_graph *g, const mcdl_layer_class *cls,
                                const mcdl_depthwise_opts *o) {
    if (!o) {
        if (g)
            mcdl_graph_record(g, mcdl_error(MCDL_ERR_ARG, "%s: options are required (kernel_size)",
                                            cls->class_name));
        return NULL;
    }
    conv_state st = {.filters = o->filters,
                     .pad = o->padding,
                     .act = o->activation,
                     .alpha = mcdl_opt_float(o->alpha, 0.2f),
                     .use_bias = !o->no_bias,
                     .kinit = o->depthwise_initializer,
                     .pinit = o->pointwise_initializer,
                     .binit = o->bias_initializer,
                     .dm = o->depth_multiplier};
    memcpy(st.k, o->kernel_size, sizeof st.k);
    memcpy(st.s, o->strides, sizeof st.s);
    memcpy(st.d, o->dilation_rate, sizeof st.d);
    return make(g, cls, o->name, &st);
}
mcdl_layer *mcdl_depthwise_conv2d_layer(mcdl_graph *g, const mcdl_depthwise_opts *o) {
    return from_dw_opts(g, &mcdl_depthwise_conv2d_class, o);
}
mcdl_layer *mcdl_separable_conv2d_layer(mcdl_graph *g, const mcdl_depthwise_opts *o) {
    return from_dw_opts(g, &mcdl_separable_conv2d_class, o);
}
mcdl_node *mcdl_depthwise_conv2d(mcdl_graph *g, mcdl_node *x, const mcdl_depthwise_opts *o) {
    return x ? mcdl_build_and_call(mcdl_depthwise_conv2d_layer(g, o), x) : NULL;
}
mcdl_node *mcdl_separable_conv2d(mcdl_graph *g, mcdl_node *x, const mcdl_depthwise_opts *o) {
    return x ? mcdl_build_and_call(mcdl_separable_conv2d_layer(g, o), x) : NULL;
}
