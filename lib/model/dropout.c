/* Dropout (inverted): in training each unit is kept with probability 1 - rate and scaled
 * by 1/(1 - rate); the mask (0 or the scale) is kept for backward. At inference: identity.
 * Keras keeps a unit when its uniform draw is >= rate. */
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/core_layers.h"
#include "mcdl/rng.h"

typedef struct {
    float rate;
    uint64_t seed;
} dropout_state;

static mcdl_status dropout_check(mcdl_layer *l, const dropout_state *st) {
    if (!(st->rate >= 0.0f && st->rate < 1.0f))
        return mcdl_error(MCDL_ERR_ARG, "Dropout '%s': rate must be in [0, 1), got %g",
                          mcdl_layer_name(l), st->rate);
    return MCDL_OK;
}

static mcdl_status dropout_from_config(mcdl_layer *l, const mcdl_config *c) {
    dropout_state *st = mcdl_layer_state(l);
    int64_t seed = 0;
    MCDL_TRY(mcdl_cfg_get_float(l, c, "rate", &st->rate));
    MCDL_TRY(mcdl_cfg_get_int(l, c, "seed", &seed));
    st->seed = (uint64_t)seed;
    return dropout_check(l, st);
}

static void dropout_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const dropout_state *st = mcdl_layer_state(l);
    mcdl_cfg_put_number(w, "rate", st->rate);
    if (st->seed)
        mcdl_cfg_put_number(w, "seed", (double)st->seed);
    else
        mcdl_cfg_put_null(w, "seed");
}

static mcdl_status dropout_infer(mcdl_layer *l, mcdl_infer_args *a) {
    (void)l;
    a->out[0] = a->in[0];
    return MCDL_OK;
}

static void dropout_workspace(const mcdl_layer *l, int call, int64_t batch, bool training,
                              size_t *saved, size_t *scratch) {
    int64_t shape[MCDL_MAX_RANK];
    const int r = mcdl_node_shape(mcdl_layer_output(l, call, 0), shape);
    int64_t n = batch;
    for (int i = 0; i < r; i++) n *= shape[i];
    *saved = training ? (size_t)n * sizeof(float) : 0;
    *scratch = 0;
}

static mcdl_status dropout_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const dropout_state *st = mcdl_layer_state(l);
    const int64_t n = a->batch * mcdl_shape_numel(&a->x_shape[0]);
    const float *x = a->x[0];
    float *y = a->y[0];
    if (!a->training || st->rate == 0.0f) {
        memcpy(y, x, (size_t)n * sizeof *y);
        if (a->training) {
            float *mask = a->saved;
            for (int64_t i = 0; i < n; i++) mask[i] = 1.0f;
        }
        return MCDL_OK;
    }
    float *mask = a->saved;
    const uint64_t seed = st->seed ? st->seed : a->rng_seed;
    mcdl_rng_fill_uniform(seed, a->rng_stream, a->rng_offset, mask, n, 0.0f, 1.0f);
    const float scale = 1.0f / (1.0f - st->rate);
    for (int64_t i = 0; i < n; i++) {
        mask[i] = mask[i] >= st->rate ? scale : 0.0f;
        y[i] = x[i] * mask[i];
    }
    return MCDL_OK;
}

static mcdl_status dropout_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    (void)l;
    if (!a->dx[0]) return MCDL_OK;
    const int64_t n = a->batch * mcdl_shape_numel(&a->x_shape[0]);
    const float *mask = a->saved;
    for (int64_t i = 0; i < n; i++) a->dx[0][i] = a->dy[0][i] * mask[i];
    return MCDL_OK;
}

const mcdl_layer_class mcdl_dropout_class = {
    .keeps_mask = true, /* Keras supports_masking: the mask passes through */
    .class_name = "Dropout",
    .auto_name = "dropout",
    .state_size = sizeof(dropout_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = dropout_from_config,
    .to_config = dropout_to_config,
    .infer = dropout_infer,
    .workspace = dropout_workspace,
    .forward = dropout_forward,
    .backward = dropout_backward,
};

mcdl_layer *mcdl_dropout_layer(mcdl_graph *g, const mcdl_dropout_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    mcdl_dropout_opts d = {0};
    if (!o) o = &d;
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_dropout_class, o->name);
    if (!l) return NULL;
    dropout_state *st = mcdl_layer_state(l);
    st->rate = o->rate;
    st->seed = o->seed;
    mcdl_status s = dropout_check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

mcdl_node *mcdl_dropout(mcdl_graph *g, mcdl_node *x, const mcdl_dropout_opts *o) {
    return x ? mcdl_build_and_call(mcdl_dropout_layer(g, o), x) : NULL;
}
