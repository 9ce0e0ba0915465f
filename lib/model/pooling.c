/* Max/AveragePooling1D/2D and GlobalMax/AveragePooling1D/2D over the pooling kernels
 * (kernels/conv): windows ignore padded cells ('same' average divides by the real count);
 * global pooling is the window H x W with keepdims=False. No weights, no workspace. */
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/conv_layers.h"

typedef struct {
    int rank; /* spatial axes */
    bool is_max, global;
    int64_t p[2], s[2];
    mcdl_padding_mode pad;
    int64_t H, W, C, OH, OW, PT, PL;
} pool_state;

static void kind_of(const mcdl_layer_class *c, pool_state *st);

static const char *cls_name(const mcdl_layer *l) { return mcdl_layer_get_class(l)->class_name; }

static void defaults(pool_state *st) {
    for (int i = 0; i < 2; i++) {
        if (st->p[i] == 0) st->p[i] = (st->rank == 2 && i == 1) ? st->p[0] : 2;
        if (st->s[i] == 0) st->s[i] = st->p[i];
    }
    if (st->rank == 2 && st->p[1] == 0) st->p[1] = st->p[0];
}

static mcdl_status pool_check(const mcdl_layer *l, const pool_state *st) {
    if (st->global) return MCDL_OK;
    for (int i = 0; i < st->rank; i++)
        if (st->p[i] <= 0 || st->s[i] <= 0)
            return mcdl_error(MCDL_ERR_ARG,
                              "layer '%s' (%s): pool_size and strides must be > 0, got %lld and "
                              "%lld on axis %d",
                              mcdl_layer_name(l), cls_name(l), (long long)st->p[i],
                              (long long)st->s[i], i);
    if (st->pad == MCDL_PADDING_CAUSAL)
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' (%s): padding must be 'valid' or 'same'",
                          mcdl_layer_name(l), cls_name(l));
    return MCDL_OK;
}

static mcdl_status pool_from_config(mcdl_layer *l, const mcdl_config *c) {
    pool_state *st = mcdl_layer_state(l);
    kind_of(mcdl_layer_get_class(l), st);
    MCDL_TRY(mcdl_conv_cfg_common(l, c, false, &st->pad));
    if (st->global) {
        bool keep = false;
        MCDL_TRY(mcdl_cfg_get_bool(l, c, "keepdims", &keep));
        if (keep)
            return mcdl_error(MCDL_ERR_UNSUPPORTED,
                              "layer '%s' (%s): keepdims=True is not supported", mcdl_layer_name(l),
                              cls_name(l));
        return MCDL_OK;
    }
    MCDL_TRY(mcdl_conv_cfg_pair(l, c, "pool_size", st->p));
    MCDL_TRY(mcdl_conv_cfg_pair(l, c, "strides", st->s));
    defaults(st);
    return pool_check(l, st);
}

static void pool_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const pool_state *st = mcdl_layer_state(l);
    mcdl_cfg_put_string(w, "data_format", "channels_last");
    if (st->global) {
        mcdl_cfg_put_bool(w, "keepdims", false);
        return;
    }
    const double p[2] = {(double)st->p[0], (double)st->p[1]},
                 s[2] = {(double)st->s[0], (double)st->s[1]};
    mcdl_cfg_put_numbers(w, "pool_size", st->rank, p);
    mcdl_cfg_put_numbers(w, "strides", st->rank, s);
    mcdl_cfg_put_string(w, "padding", mcdl_conv_padding_name(st->pad));
}

static mcdl_status pool_infer(mcdl_layer *l, mcdl_infer_args *a) {
    pool_state *st = mcdl_layer_state(l);
    const mcdl_shape *in = &a->in[0];
    char sb[128];
    mcdl_shape_keras_str(in, sb, sizeof sb);
    if (in->rank != st->rank + 1)
        return mcdl_error(MCDL_ERR_SHAPE, "layer '%s' (%s) needs a rank-%d input, got %s from '%s'",
                          mcdl_layer_name(l), cls_name(l), st->rank + 2, sb, a->in_from[0]);
    st->H = st->rank == 1 ? 1 : in->d[0];
    st->W = in->d[st->rank - 1];
    st->C = in->d[st->rank];
    a->n_out = 1;
    if (st->global) {
        st->OH = st->OW = 1, st->PT = st->PL = 0;
        a->out[0].rank = 1;
        a->out[0].d[0] = st->C;
        return MCDL_OK;
    }
    const int64_t ph = st->rank == 1 ? 1 : st->p[0], pw = st->p[st->rank - 1];
    const int64_t shh = st->rank == 1 ? 1 : st->s[0], sww = st->s[st->rank - 1];
    if (mcdl_conv_out_len(st->H, ph, shh, 1, (mcdl_padding)st->pad, &st->OH, &st->PT) ||
        mcdl_conv_out_len(st->W, pw, sww, 1, (mcdl_padding)st->pad, &st->OW, &st->PL))
        return mcdl_error(
            MCDL_ERR_SHAPE,
            "layer '%s' (%s): pool %lldx%lld (padding '%s') does not fit the input %s "
            "from '%s'",
            mcdl_layer_name(l), cls_name(l), (long long)ph, (long long)pw,
            mcdl_conv_padding_name(st->pad), sb, a->in_from[0]);
    a->out[0] = *in;
    if (st->rank == 2) a->out[0].d[0] = st->OH;
    a->out[0].d[st->rank - 1] = st->OW;
    return MCDL_OK;
}

static mcdl_conv2d_geom geom_of(const pool_state *st, int64_t batch) {
    mcdl_conv2d_geom g = {0};
    g.N = batch, g.H = st->H, g.W = st->W, g.C = g.F = st->C, g.OH = st->OH, g.OW = st->OW;
    g.KH = st->global ? st->H : (st->rank == 1 ? 1 : st->p[0]);
    g.KW = st->global ? st->W : st->p[st->rank - 1];
    g.SH = st->global ? 1 : (st->rank == 1 ? 1 : st->s[0]);
    g.SW = st->global ? 1 : st->s[st->rank - 1];
    g.DH = g.DW = 1, g.PT = st->PT, g.PL = st->PL, g.nthreads = mcdl_conv_run_threads();
    return g;
}

/* Max pooling keeps the window-local argmax of each output from forward to backward in
 * training (one byte per output), so backward does not re-read the input windows; windows
 * of more than MCDL_MAXPOOL_ARGMAX_MAX_CELLS cells (large global pooling) re-read x. */
static bool keeps_argmax(const pool_state *st) {
    const mcdl_conv2d_geom g = geom_of(st, 1);
    return st->is_max && g.KH * g.KW <= MCDL_MAXPOOL_ARGMAX_MAX_CELLS;
}

static void pool_workspace(const mcdl_layer *l, int call, int64_t batch, bool training,
                           size_t *saved, size_t *scratch) {
    (void)call;
    const pool_state *st = mcdl_layer_state(l);
    *scratch = 0;
    *saved = training && keeps_argmax(st) ? (size_t)(batch * st->OH * st->OW * st->C + 64) : 0;
}

static mcdl_status pool_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const pool_state *st = mcdl_layer_state(l);
    mcdl_conv2d_geom g = geom_of(st, a->batch);
    g.nthreads =
        mcdl_conv_threads_for_work((double)(g.N * g.OH * g.OW) * (double)(g.C * g.KH * g.KW),
                                   MCDL_POOL_FWD_MIN_READS_PER_THREAD);
    if (a->training && keeps_argmax(st))
        mcdl_f32_maxpool2d_fwd_argmax(&g, a->x[0], a->y[0], a->saved);
    else if (st->is_max)
        mcdl_f32_maxpool2d_fwd(&g, a->x[0], a->y[0]);
    else
        mcdl_f32_avgpool2d_fwd(&g, a->x[0], a->y[0]);
    return MCDL_OK;
}

static mcdl_status pool_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const pool_state *st = mcdl_layer_state(l);
    if (!a->dx[0]) return MCDL_OK;
    const mcdl_conv2d_geom g = geom_of(st, a->batch);
    if (keeps_argmax(st))
        mcdl_f32_maxpool2d_bwd_argmax(&g, a->saved, a->dy[0], a->dx[0]);
    else if (st->is_max)
        mcdl_f32_maxpool2d_bwd(&g, a->x[0], a->dy[0], a->dx[0]);
    else
        mcdl_f32_avgpool2d_bwd(&g, a->dy[0], a->dx[0]);
    return MCDL_OK;
}

#define POOL_CLASS(var, cname, aname)                                                              \
    const mcdl_layer_class var = {.class_name = cname,                                             \
                                  .auto_name = aname,                                              \
                                  .state_size = sizeof(pool_state),                                \
                                  .min_inputs = 1,                                                 \
                                  .max_inputs = 1,                                                 \
                                  .from_config = pool_from_config,                                 \
                                  .to_config = pool_to_config,                                     \
                                  .infer = pool_infer,                                             \
                                  .workspace = pool_workspace,                                     \
                                  .forward = pool_forward,                                         \
                                  .backward = pool_backward}

POOL_CLASS(mcdl_max_pooling1d_class, "MaxPooling1D", "max_pooling1d");
POOL_CLASS(mcdl_max_pooling2d_class, "MaxPooling2D", "max_pooling2d");
POOL_CLASS(mcdl_average_pooling1d_class, "AveragePooling1D", "average_pooling1d");
POOL_CLASS(mcdl_average_pooling2d_class, "AveragePooling2D", "average_pooling2d");
POOL_CLASS(mcdl_global_max_pooling1d_class, "GlobalMaxPooling1D", "global_max_pooling1d");
POOL_CLASS(mcdl_global_max_pooling2d_class, "GlobalMaxPooling2D", "global_max_pooling2d");
POOL_CLASS(mcdl_global_average_pooling2d_class, "GlobalAveragePooling2D",
           "global_average_pooling2d");

static void kind_of(const mcdl_layer_class *c, pool_state *st) {
    st->rank = (c == &mcdl_max_pooling1d_class || c == &mcdl_average_pooling1d_class ||
                c == &mcdl_global_max_pooling1d_class)
                   ? 1
                   : 2;
    st->is_max = c == &mcdl_max_pooling1d_class || c == &mcdl_max_pooling2d_class ||
                 c == &mcdl_global_max_pooling1d_class || c == &mcdl_global_max_pooling2d_class;
    st->global = c == &mcdl_global_max_pooling1d_class || c == &mcdl_global_max_pooling2d_class ||
                 c == &mcdl_global_average_pooling2d_class;
}

static mcdl_node *make(mcdl_graph *g, mcdl_node *x, const mcdl_layer_class *cls, const char *name,
                       const mcdl_pool_opts *o) {
    if (!x || !g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    mcdl_layer *l = mcdl_layer_new(g, cls, name);
    if (!l) return NULL;
    pool_state *st = mcdl_layer_state(l);
    kind_of(cls, st);
    if (o) {
        memcpy(st->p, o->pool_size, sizeof st->p);
        memcpy(st->s, o->strides, sizeof st->s);
        st->pad = o->padding;
    }
    defaults(st);
    mcdl_status s = pool_check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return mcdl_build_and_call(l, x);
}

mcdl_node *mcdl_max_pooling1d(mcdl_graph *g, mcdl_node *x, const mcdl_pool_opts *o) {
    return make(g, x, &mcdl_max_pooling1d_class, o ? o->name : NULL, o);
}
mcdl_node *mcdl_max_pooling2d(mcdl_graph *g, mcdl_node *x, const mcdl_pool_opts *o) {
    return make(g, x, &mcdl_max_pooling2d_class, o ? o->name : NULL, o);
}
mcdl_node *mcdl_average_pooling1d(mcdl_graph *g, mcdl_node *x, const mcdl_pool_opts *o) {
    return make(g, x, &mcdl_average_pooling1d_class, o ? o->name : NULL, o);
}
mcdl_node *mcdl_average_pooling2d(mcdl_graph *g, mcdl_node *x, const mcdl_pool_opts *o) {
    return make(g, x, &mcdl_average_pooling2d_class, o ? o->name : NULL, o);
}
mcdl_node *mcdl_global_max_pooling1d(mcdl_graph *g, mcdl_node *x, const mcdl_global_pool_opts *o) {
    return make(g, x, &mcdl_global_max_pooling1d_class, o ? o->name : NULL, NULL);
}
mcdl_node *mcdl_global_max_pooling2d(mcdl_graph *g, mcdl_node *x, const mcdl_global_pool_opts *o) {
    return make(g, x, &mcdl_global_max_pooling2d_class, o ? o->name : NULL, NULL);
}
mcdl_node *mcdl_global_average_pooling2d(mcdl_graph *g, mcdl_node *x,
                                         const mcdl_global_pool_opts *o) {
    return make(g, x, &mcdl_global_average_pooling2d_class, o ? o->name : NULL, NULL);
}
