/* UpSampling2D (nearest: y[h, w] = x[h / sh, w / sw], backward sums each sh x sw block) and
 * ZeroPadding2D (copy into a zeroed frame, backward crops). Channel rows are copied whole. */
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/conv_layers.h"

typedef struct {
    bool pad;        /* ZeroPadding2D, else UpSampling2D */
    int64_t v[4];    /* size (sh, sw) or padding (top, bottom, left, right) */
    int64_t H, W, C; /* input */
} resize_state;

static const char *cls_name(const mcdl_layer *l) { return mcdl_layer_get_class(l)->class_name; }

static mcdl_status resize_check(const mcdl_layer *l, const resize_state *st) {
    for (int i = 0; i < (st->pad ? 4 : 2); i++)
        if (st->pad ? st->v[i] < 0 : st->v[i] <= 0)
            return mcdl_error(MCDL_ERR_ARG, "layer '%s' (%s): %s must be %s, got %lld at index %d",
                              mcdl_layer_name(l), cls_name(l), st->pad ? "padding" : "size",
                              st->pad ? ">= 0" : "> 0", (long long)st->v[i], i);
    return MCDL_OK;
}

static mcdl_status resize_from_config(mcdl_layer *l, const mcdl_config *c) {
    resize_state *st = mcdl_layer_state(l);
    st->pad = mcdl_layer_get_class(l) == &mcdl_zero_padding2d_class;
    const char *fmt = NULL;
    MCDL_TRY(mcdl_cfg_get_string(l, c, "data_format", &fmt));
    if (fmt && strcmp(fmt, "channels_last"))
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "layer '%s' (%s): data_format '%s' is not supported (channels_last only)",
                          mcdl_layer_name(l), cls_name(l), fmt);
    int64_t v[4] = {1, 1, 1, 1};
    int n = 0;
    if (st->pad) {
        MCDL_TRY(mcdl_cfg_get_ints(l, c, "padding", v, 4, &n));
        /* 1 -> all sides, (a, b) -> rows a, columns b, ((t, b), (l, r)) arrives flat */
        if (n == 1) v[1] = v[2] = v[3] = v[0];
        if (n == 2) v[2] = v[3] = v[1], v[1] = v[0];
        if (n == 3)
            return mcdl_error(MCDL_ERR_FORMAT,
                              "layer '%s' (ZeroPadding2D): padding needs 1, 2 or 4 numbers",
                              mcdl_layer_name(l));
    } else {
        v[0] = v[1] = 2;
        MCDL_TRY(mcdl_cfg_get_ints(l, c, "size", v, 2, &n));
        if (n == 1) v[1] = v[0];
        const char *interp = NULL;
        MCDL_TRY(mcdl_cfg_get_string(l, c, "interpolation", &interp));
        if (interp && strcmp(interp, "nearest"))
            return mcdl_error(
                MCDL_ERR_UNSUPPORTED,
                "layer '%s' (UpSampling2D): interpolation '%s' is not supported (nearest only)",
                mcdl_layer_name(l), interp);
    }
    memcpy(st->v, v, sizeof v);
    return resize_check(l, st);
}

static void resize_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const resize_state *st = mcdl_layer_state(l);
    const double v[4] = {(double)st->v[0], (double)st->v[1], (double)st->v[2], (double)st->v[3]};
    mcdl_cfg_put_numbers(w, st->pad ? "padding" : "size", st->pad ? 4 : 2, v);
    mcdl_cfg_put_string(w, "data_format", "channels_last");
    if (!st->pad) mcdl_cfg_put_string(w, "interpolation", "nearest");
}

static mcdl_status resize_infer(mcdl_layer *l, mcdl_infer_args *a) {
    resize_state *st = mcdl_layer_state(l);
    const mcdl_shape *in = &a->in[0];
    if (in->rank != 3) {
        char sb[128];
        mcdl_shape_keras_str(in, sb, sizeof sb);
        return mcdl_error(MCDL_ERR_SHAPE,
                          "layer '%s' (%s) needs a rank-4 input (batch, rows, cols, "
                          "channels), got %s from '%s'",
                          mcdl_layer_name(l), cls_name(l), sb, a->in_from[0]);
    }
    st->H = in->d[0], st->W = in->d[1], st->C = in->d[2];
    a->n_out = 1;
    a->out[0] = *in;
    if (st->pad) {
        a->out[0].d[0] = st->H + st->v[0] + st->v[1];
        a->out[0].d[1] = st->W + st->v[2] + st->v[3];
    } else {
        a->out[0].d[0] = st->H * st->v[0];
        a->out[0].d[1] = st->W * st->v[1];
    }
    return MCDL_OK;
}

static mcdl_status resize_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const resize_state *st = mcdl_layer_state(l);
    const int64_t H = st->H, W = st->W, C = st->C;
    const size_t row = (size_t)C * sizeof(float);
    if (st->pad) {
        const int64_t OH = H + st->v[0] + st->v[1], OW = W + st->v[2] + st->v[3];
        memset(a->y[0], 0, (size_t)(a->batch * OH * OW) * row);
#pragma omp parallel for schedule(static)
        for (int64_t nh = 0; nh < a->batch * H; nh++) {
            const int64_t n = nh / H, h = nh % H;
            memcpy(a->y[0] + ((n * OH + h + st->v[0]) * OW + st->v[2]) * C,
                   a->x[0] + (n * H + h) * W * C, (size_t)W * row);
        }
        return MCDL_OK;
    }
    const int64_t sh = st->v[0], sw = st->v[1], OH = H * sh, OW = W * sw;
#pragma omp parallel for schedule(static)
    for (int64_t no = 0; no < a->batch * OH; no++) {
        const int64_t n = no / OH, oh = no % OH;
        const float *xr = a->x[0] + (n * H + oh / sh) * W * C;
        float *yr = a->y[0] + no * OW * C;
        for (int64_t ow = 0; ow < OW; ow++) memcpy(yr + ow * C, xr + (ow / sw) * C, row);
    }
    return MCDL_OK;
}

static mcdl_status resize_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const resize_state *st = mcdl_layer_state(l);
    float *dx = a->dx[0];
    if (!dx) return MCDL_OK;
    const int64_t H = st->H, W = st->W, C = st->C;
    if (st->pad) {
        const int64_t OH = H + st->v[0] + st->v[1], OW = W + st->v[2] + st->v[3];
#pragma omp parallel for schedule(static)
        for (int64_t nh = 0; nh < a->batch * H; nh++) {
            const int64_t n = nh / H, h = nh % H;
            memcpy(dx + (n * H + h) * W * C,
                   a->dy[0] + ((n * OH + h + st->v[0]) * OW + st->v[2]) * C,
                   (size_t)(W * C) * sizeof(float));
        }
        return MCDL_OK;
    }
    const int64_t sh = st->v[0], sw = st->v[1], OW = W * sw;
#pragma omp parallel for schedule(static)
    for (int64_t nh = 0; nh < a->batch * H; nh++) {
        float *d = dx + nh * W * C;
        memset(d, 0, (size_t)(W * C) * sizeof(float));
        for (int64_t i = 0; i < sh; i++) {
            const float *yr = a->dy[0] + (nh * sh + i) * OW * C;
            for (int64_t ow = 0; ow < OW; ow++)
                for (int64_t c = 0; c < C; c++) d[(ow / sw) * C + c] += yr[ow * C + c];
        }
    }
    return MCDL_OK;
}

const mcdl_layer_class mcdl_up_sampling2d_class = {.class_name = "UpSampling2D",
                                                   .auto_name = "up_sampling2d",
                                                   .state_size = sizeof(resize_state),
                                                   .min_inputs = 1,
                                                   .max_inputs = 1,
                                                   .from_config = resize_from_config,
                                                   .to_config = resize_to_config,
                                                   .infer = resize_infer,
                                                   .forward = resize_forward,
                                                   .backward = resize_backward};
const mcdl_layer_class mcdl_zero_padding2d_class = {.class_name = "ZeroPadding2D",
                                                    .auto_name = "zero_padding2d",
                                                    .state_size = sizeof(resize_state),
                                                    .min_inputs = 1,
                                                    .max_inputs = 1,
                                                    .from_config = resize_from_config,
                                                    .to_config = resize_to_config,
                                                    .infer = resize_infer,
                                                    .forward = resize_forward,
                                                    .backward = resize_backward};

static mcdl_node *make(mcdl_graph *g, mcdl_node *x, const mcdl_layer_class *cls, const char *name,
                       const int64_t *v) {
    if (!x || !g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    mcdl_layer *l = mcdl_layer_new(g, cls, name);
    if (!l) return NULL;
    resize_state *st = mcdl_layer_state(l);
    st->pad = cls == &mcdl_zero_padding2d_class;
    memcpy(st->v, v, sizeof st->v);
    mcdl_status s = resize_check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return mcdl_build_and_call(l, x);
}

mcdl_node *mcdl_up_sampling2d(mcdl_graph *g, mcdl_node *x, const mcdl_up_sampling2d_opts *o) {
    int64_t v[4] = {2, 2, 0, 0};
    if (o && o->size[0]) v[0] = o->size[0], v[1] = o->size[1] ? o->size[1] : o->size[0];
    return make(g, x, &mcdl_up_sampling2d_class, o ? o->name : NULL, v);
}

mcdl_node *mcdl_zero_padding2d(mcdl_graph *g, mcdl_node *x, const mcdl_zero_padding2d_opts *o) {
    int64_t v[4] = {1, 1, 1, 1};
    if (o && (o->padding[0] || o->padding[1] || o->padding[2] || o->padding[3]))
        memcpy(v, o->padding, sizeof v);
    return make(g, x, &mcdl_zero_padding2d_class, o ? o->name : NULL, v);
}
