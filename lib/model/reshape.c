/* Flatten and Reshape: row-major reinterpretations of the per-sample axes (a copy of the
 * buffer forward, a copy of the gradient backward). */
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/core_layers.h"

typedef struct {
    mcdl_shape target; /* Reshape: may hold one -1 */
} reshape_state;

static mcdl_status copy_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    (void)l;
    memcpy(a->y[0], a->x[0], (size_t)(a->batch * mcdl_shape_numel(&a->x_shape[0])) * sizeof(float));
    return MCDL_OK;
}

static mcdl_status copy_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    (void)l;
    if (a->dx[0])
        memcpy(a->dx[0], a->dy[0],
               (size_t)(a->batch * mcdl_shape_numel(&a->x_shape[0])) * sizeof(float));
    return MCDL_OK;
}

/* ---- Flatten ---- */

static mcdl_status flatten_from_config(mcdl_layer *l, const mcdl_config *c) {
    const char *fmt = NULL;
    MCDL_TRY(mcdl_cfg_get_string(l, c, "data_format", &fmt));
    if (fmt && strcmp(fmt, "channels_last") != 0)
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "Flatten '%s': data_format '%s' (only channels_last)", mcdl_layer_name(l),
                          fmt);
    return MCDL_OK;
}

static void flatten_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    (void)l;
    mcdl_cfg_put_string(w, "data_format", "channels_last");
}

static mcdl_status flatten_infer(mcdl_layer *l, mcdl_infer_args *a) {
    (void)l;
    a->out[0].rank = 1;
    a->out[0].d[0] = mcdl_shape_numel(&a->in[0]);
    return MCDL_OK;
}

const mcdl_layer_class mcdl_flatten_class = {
    .class_name = "Flatten",
    .auto_name = "flatten",
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = flatten_from_config,
    .to_config = flatten_to_config,
    .infer = flatten_infer,
    .forward = copy_forward,
    .backward = copy_backward,
};

mcdl_layer *mcdl_flatten_layer(mcdl_graph *g, const mcdl_flatten_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    return mcdl_layer_new(g, &mcdl_flatten_class, o ? o->name : NULL);
}

mcdl_node *mcdl_flatten(mcdl_graph *g, mcdl_node *x, const mcdl_flatten_opts *o) {
    return x ? mcdl_build_and_call(mcdl_flatten_layer(g, o), x) : NULL;
}

/* ---- Reshape ---- */

static mcdl_status reshape_check(mcdl_layer *l, const mcdl_shape *t) {
    int unknown = 0;
    if (t->rank < 1 || t->rank > MCDL_MAX_RANK - 1)
        return mcdl_error(MCDL_ERR_ARG,
                          "Reshape '%s': target_shape must have 1 to %d entries, got %d",
                          mcdl_layer_name(l), MCDL_MAX_RANK - 1, t->rank);
    for (int i = 0; i < t->rank; i++) {
        if (t->d[i] == -1)
            unknown++;
        else if (t->d[i] <= 0)
            return mcdl_error(MCDL_ERR_ARG, "Reshape '%s': target_shape entry %d is %lld",
                              mcdl_layer_name(l), i, (long long)t->d[i]);
    }
    if (unknown > 1)
        return mcdl_error(MCDL_ERR_ARG, "Reshape '%s': at most one target_shape entry may be -1",
                          mcdl_layer_name(l));
    return MCDL_OK;
}

static mcdl_status reshape_from_config(mcdl_layer *l, const mcdl_config *c) {
    reshape_state *st = mcdl_layer_state(l);
    int n = 0;
    MCDL_TRY(mcdl_cfg_get_ints(l, c, "target_shape", st->target.d, MCDL_MAX_RANK - 1, &n));
    st->target.rank = n;
    return reshape_check(l, &st->target);
}

static void reshape_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const reshape_state *st = mcdl_layer_state(l);
    double v[MCDL_MAX_RANK];
    for (int i = 0; i < st->target.rank; i++) v[i] = (double)st->target.d[i];
    mcdl_cfg_put_numbers(w, "target_shape", st->target.rank, v);
}

static mcdl_status reshape_infer(mcdl_layer *l, mcdl_infer_args *a) {
    const reshape_state *st = mcdl_layer_state(l);
    const int64_t n = mcdl_shape_numel(&a->in[0]);
    int64_t known = 1;
    int unk = -1;
    for (int i = 0; i < st->target.rank; i++) {
        if (st->target.d[i] == -1)
            unk = i;
        else
            known *= st->target.d[i];
    }
    mcdl_shape out = st->target;
    if (unk >= 0 && known > 0 && n % known == 0) out.d[unk] = n / known;
    if (mcdl_shape_numel(&out) != n || (unk >= 0 && n % known != 0)) {
        char a1[128], a2[128];
        mcdl_shape_keras_str(&a->in[0], a1, sizeof a1);
        mcdl_shape_keras_str(&st->target, a2, sizeof a2);
        return mcdl_error(MCDL_ERR_SHAPE,
                          "Reshape '%s' cannot reshape %s from '%s' (%lld values per sample) to %s",
                          mcdl_layer_name(l), a1, a->in_from[0], (long long)n, a2);
    }
    a->out[0] = out;
    return MCDL_OK;
}

const mcdl_layer_class mcdl_reshape_class = {
    .class_name = "Reshape",
    .auto_name = "reshape",
    .state_size = sizeof(reshape_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = reshape_from_config,
    .to_config = reshape_to_config,
    .infer = reshape_infer,
    .forward = copy_forward,
    .backward = copy_backward,
};

mcdl_layer *mcdl_reshape_layer(mcdl_graph *g, const mcdl_reshape_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    if (!o) {
        mcdl_graph_record(
            g, mcdl_error(MCDL_ERR_ARG, "Reshape: options with target_shape are required"));
        return NULL;
    }
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_reshape_class, o->name);
    if (!l) return NULL;
    reshape_state *st = mcdl_layer_state(l);
    int rank = o->rank;
    if (rank == 0)
        while (rank < MCDL_MAX_RANK && o->target_shape[rank] != 0) rank++;
    st->target.rank = rank;
    for (int i = 0; i < rank && i < MCDL_MAX_RANK; i++) st->target.d[i] = o->target_shape[i];
    mcdl_status s = reshape_check(l, &st->target);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

mcdl_node *mcdl_reshape(mcdl_graph *g, mcdl_node *x, const mcdl_reshape_opts *o) {
    return x ? mcdl_build_and_call(mcdl_reshape_layer(g, o), x) : NULL;
}
