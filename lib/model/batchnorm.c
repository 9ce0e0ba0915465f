/* BatchNormalization over the last axis (Keras axis -1) on the batch-norm kernels
 * (kernels/norm). Training mode (batch mean, biased variance, moving update with momentum)
 * only when training AND trainable, as Keras: a frozen layer normalises with the moving
 * statistics and its backward is the folded per-channel scale. */
#include <string.h>

#include "kernels/norm/batchnorm.h"
#include "lib/core/error.h"
#include "lib/model/conv_layers.h"

typedef struct {
    float momentum, eps;
    bool center, scale;
    int64_t C;
    int wg, wb, wm, wv;
} bn_state;

static mcdl_status bn_check(const mcdl_layer *l, const bn_state *st) {
    if (!(st->momentum >= 0.0f && st->momentum <= 1.0f) || !(st->eps > 0.0f))
        return mcdl_error(MCDL_ERR_ARG,
                          "layer '%s' (BatchNormalization): momentum must be in [0, 1] and "
                          "epsilon > 0, got %g and %g",
                          mcdl_layer_name(l), (double)st->momentum, (double)st->eps);
    return MCDL_OK;
}

static mcdl_status bn_from_config(mcdl_layer *l, const mcdl_config *c) {
    bn_state *st = mcdl_layer_state(l);
    st->momentum = 0.99f, st->eps = 1e-3f, st->center = st->scale = true;
    MCDL_TRY(mcdl_cfg_get_float(l, c, "momentum", &st->momentum));
    MCDL_TRY(mcdl_cfg_get_float(l, c, "epsilon", &st->eps));
    MCDL_TRY(mcdl_cfg_get_bool(l, c, "center", &st->center));
    MCDL_TRY(mcdl_cfg_get_bool(l, c, "scale", &st->scale));
    int64_t axis[4] = {-1};
    int n = 0;
    MCDL_TRY(mcdl_cfg_get_ints(l, c, "axis", axis, 4, &n));
    /* -1 or the last axis index (tf.keras writes [3] for NHWC); checked against the rank in
     * infer through axis_ */
    if (n > 1)
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "layer '%s' (BatchNormalization): only one axis is supported",
                          mcdl_layer_name(l));
    st->C = n == 1 ? axis[0] : -1; /* until infer: the requested axis */
    return bn_check(l, st);
}

static void bn_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const bn_state *st = mcdl_layer_state(l);
    mcdl_cfg_put_number(w, "axis", -1);
    mcdl_cfg_put_number(w, "momentum", st->momentum);
    mcdl_cfg_put_number(w, "epsilon", st->eps);
    mcdl_cfg_put_bool(w, "center", st->center);
    mcdl_cfg_put_bool(w, "scale", st->scale);
}

static mcdl_status bn_infer(mcdl_layer *l, mcdl_infer_args *a) {
    bn_state *st = mcdl_layer_state(l);
    const mcdl_shape *in = &a->in[0];
    char sb[128];
    mcdl_shape_keras_str(in, sb, sizeof sb);
    const int64_t C = in->rank >= 1 ? in->d[in->rank - 1] : 0;
    if (a->call == 0) {
        /* the axis from a config: -1 or the last axis counted with the batch axis */
        if (in->rank < 1 || (st->C != -1 && st->C != 0 && st->C != in->rank))
            return mcdl_error(MCDL_ERR_UNSUPPORTED,
                              "layer '%s' (BatchNormalization): only the last axis is supported, "
                              "got axis %lld for the input %s from '%s'",
                              mcdl_layer_name(l), (long long)st->C, sb, a->in_from[0]);
        st->C = C;
        const int64_t sh[1] = {C};
        st->wg = st->scale ? mcdl_layer_add_weight(l, "gamma", 1, sh, MCDL_INIT_ONES, true) : -1;
        st->wb = st->center ? mcdl_layer_add_weight(l, "beta", 1, sh, MCDL_INIT_ZEROS, true) : -1;
        st->wm = mcdl_layer_add_weight(l, "moving_mean", 1, sh, MCDL_INIT_ZEROS, false);
        st->wv = mcdl_layer_add_weight(l, "moving_variance", 1, sh, MCDL_INIT_ONES, false);
        if ((st->scale && st->wg < 0) || (st->center && st->wb < 0) || st->wm < 0 || st->wv < 0)
            return mcdl_graph_status(mcdl_layer_graph(l));
    } else if (C != st->C) {
        return mcdl_error(MCDL_ERR_SHAPE,
                          "layer '%s' (BatchNormalization) was built for %lld channels but gets %s "
                          "from '%s'",
                          mcdl_layer_name(l), (long long)st->C, sb, a->in_from[0]);
    }
    a->n_out = 1;
    a->out[0] = *in;
    return MCDL_OK;
}

static mcdl_bnorm_desc desc_of(const bn_state *st, const mcdl_exec_args *a, int nthreads) {
    const mcdl_bnorm_desc d = {.rows =
                                   a ? a->batch * (mcdl_shape_numel(&a->x_shape[0]) / st->C) : 0,
                               .C = st->C,
                               .eps = st->eps,
                               .momentum = st->momentum,
                               .nthreads = nthreads};
    return d;
}

static void bn_workspace(const mcdl_layer *l, int call, int64_t batch, bool training, size_t *saved,
                         size_t *scratch) {
    const bn_state *st = mcdl_layer_state(l);
    const mcdl_node *y = mcdl_layer_output(l, call, 0);
    int64_t shape[MCDL_MAX_RANK];
    const int r = mcdl_node_shape(y, shape);
    int64_t n = batch;
    for (int i = 0; i < r; i++) n *= shape[i];
    mcdl_bnorm_desc d = {.rows = n / st->C, .C = st->C, .nthreads = mcdl_conv_plan_threads()};
    *scratch =
        (mcdl_bnorm_workspace_size(&d) + (size_t)(2 * st->C) + (training ? (size_t)n : 0) + 16) *
        sizeof(float);
    *saved = training ? (size_t)(2 * st->C + 16) * sizeof(float) : 0;
}

static bool train_mode(const mcdl_layer *l, const mcdl_exec_args *a) {
    return a->training && mcdl_layer_trainable(l);
}

static mcdl_status bn_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const bn_state *st = mcdl_layer_state(l);
    const mcdl_bnorm_desc d = desc_of(st, a, mcdl_conv_run_threads());
    const float *gamma = st->scale ? mcdl_layer_weight_data(l, st->wg) : NULL;
    const float *beta = st->center ? mcdl_layer_weight_data(l, st->wb) : NULL;
    float *mm = mcdl_layer_weight_data(l, st->wm), *mv = mcdl_layer_weight_data(l, st->wv);
    if (train_mode(l, a)) {
        float *mean = a->saved, *istd = (float *)a->saved + st->C;
        mcdl_f32_bnorm_fwd_train(&d, a->x[0], gamma, beta, a->y[0], mean, istd, mm, mv, a->scratch);
    } else {
        mcdl_f32_bnorm_fwd_infer(&d, a->x[0], gamma, beta, mm, mv, a->y[0], a->scratch);
    }
    return MCDL_OK;
}

static mcdl_status bn_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const bn_state *st = mcdl_layer_state(l);
    const mcdl_bnorm_desc d = desc_of(st, a, mcdl_conv_run_threads());
    const mcdl_bnorm_desc dp = {.rows = d.rows, .C = st->C, .nthreads = mcdl_conv_plan_threads()};
    float *ws = a->scratch, *dg = ws + mcdl_bnorm_workspace_size(&dp), *db = dg + st->C;
    float *dx = a->dx[0] ? a->dx[0] : db + st->C;
    const float *gamma = st->scale ? mcdl_layer_weight_data(l, st->wg) : NULL;
    if (train_mode(l, a))
        mcdl_f32_bnorm_bwd_train(&d, a->x[0], a->dy[0], gamma, a->saved,
                                 (const float *)a->saved + st->C, dx, dg, db, ws);
    else
        mcdl_f32_bnorm_bwd_infer(&d, a->x[0], a->dy[0], gamma, mcdl_layer_weight_data(l, st->wm),
                                 mcdl_layer_weight_data(l, st->wv), dx, dg, db, ws);
    if (a->weight_grads) {
        if (st->scale) {
            float *g = mcdl_layer_weight_grad(l, st->wg);
            for (int64_t c = 0; c < st->C; c++) g[c] += dg[c];
        }
        if (st->center) {
            float *g = mcdl_layer_weight_grad(l, st->wb);
            for (int64_t c = 0; c < st->C; c++) g[c] += db[c];
        }
    }
    return MCDL_OK;
}

const mcdl_layer_class mcdl_batch_normalization_class = {
    .keeps_mask = true, /* Keras supports_masking: the mask passes through */
    .class_name = "BatchNormalization",
    .auto_name = "batch_normalization",
    .state_size = sizeof(bn_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = bn_from_config,
    .to_config = bn_to_config,
    .infer = bn_infer,
    .workspace = bn_workspace,
    .forward = bn_forward,
    .backward = bn_backward,
};

mcdl_layer *mcdl_batch_normalization_layer(mcdl_graph *g, const mcdl_batch_norm_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_batch_normalization_class, o ? o->name : NULL);
    if (!l) return NULL;
    bn_state *st = mcdl_layer_state(l);
    st->momentum = o ? mcdl_opt_float(o->momentum, 0.99f) : 0.99f;
    st->eps = o ? mcdl_opt_float(o->epsilon, 1e-3f) : 1e-3f;
    st->center = !(o && o->no_center);
    st->scale = !(o && o->no_scale);
    st->C = -1;
    mcdl_status s = bn_check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

mcdl_node *mcdl_batch_normalization(mcdl_graph *g, mcdl_node *x, const mcdl_batch_norm_opts *o) {
    return x ? mcdl_build_and_call(mcdl_batch_normalization_layer(g, o), x) : NULL;
}
