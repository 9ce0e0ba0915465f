/* InputLayer: the source of a model input. Its single call is made when it is created;
 * the executor copies each batch's rows into its node. */
#include <math.h>

#include "lib/core/error.h"
#include "lib/model/core_layers.h"

typedef struct {
    mcdl_shape shape;
} input_state;

static mcdl_status input_check(mcdl_layer *l, const mcdl_shape *s) {
    if (s->rank < 1 || s->rank > MCDL_MAX_RANK - 1)
        return mcdl_error(MCDL_ERR_SHAPE, "Input '%s': per-sample rank must be 1 to %d, got %d",
                          mcdl_layer_name(l), MCDL_MAX_RANK - 1, s->rank);
    for (int i = 0; i < s->rank; i++)
        if (s->d[i] <= 0) {
            char sb[128];
            mcdl_shape_keras_str(s, sb, sizeof sb);
            return mcdl_error(MCDL_ERR_SHAPE,
                              "Input '%s': shape %s has an unknown or empty dimension %d (every "
                              "per-sample dimension must be known)",
                              mcdl_layer_name(l), sb, i + 1);
        }
    return MCDL_OK;
}

static mcdl_status input_from_config(mcdl_layer *l, const mcdl_config *c) {
    input_state *st = mcdl_layer_state(l);
    const char *keys[] = {"batch_shape", "batch_input_shape"};
    for (int k = 0; k < 2; k++) {
        const mcdl_cfg_item *it = mcdl_config_find(c, keys[k]);
        if (!it || it->type == MCDL_CFG_NULL) continue;
        if (it->type != MCDL_CFG_NUMBERS || it->n < 2 || it->n > MCDL_MAX_RANK)
            return mcdl_error(MCDL_ERR_FORMAT,
                              "InputLayer '%s': '%s' must be a list [batch, dims...] of 2 to %d "
                              "entries",
                              mcdl_layer_name(l), keys[k], MCDL_MAX_RANK);
        st->shape.rank = it->n - 1;
        for (int i = 1; i < it->n; i++) {
            double v = it->nums[i];
            st->shape.d[i - 1] = isnan(v) ? -1 : (int64_t)v;
        }
        MCDL_TRY(input_check(l, &st->shape));
        return mcdl_layer_call_source(l) ? MCDL_OK : mcdl_graph_status(mcdl_layer_graph(l));
    }
    return mcdl_error(MCDL_ERR_FORMAT,
                      "InputLayer '%s': config has no batch_shape or batch_input_shape",
                      mcdl_layer_name(l));
}

static void input_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const input_state *st = mcdl_layer_state(l);
    double v[MCDL_MAX_RANK + 1];
    v[0] = NAN;
    for (int i = 0; i < st->shape.rank; i++) v[i + 1] = (double)st->shape.d[i];
    mcdl_cfg_put_numbers(w, "batch_shape", st->shape.rank + 1, v);
    mcdl_cfg_put_string(w, "dtype", "float32");
    mcdl_cfg_put_bool(w, "sparse", false);
}

static mcdl_status input_infer(mcdl_layer *l, mcdl_infer_args *a) {
    const input_state *st = mcdl_layer_state(l);
    if (a->call > 0)
        return mcdl_error(MCDL_ERR_ARG, "Input '%s' cannot be called", mcdl_layer_name(l));
    a->n_out = 1;
    a->out[0] = st->shape;
    return MCDL_OK;
}

static mcdl_status input_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    (void)l;
    (void)a;
    return MCDL_OK;
}

const mcdl_layer_class mcdl_input_layer_class = {
    .class_name = "InputLayer",
    .auto_name = "input_layer",
    .state_size = sizeof(input_state),
    .min_inputs = 0,
    .max_inputs = 0,
    .from_config = input_from_config,
    .to_config = input_to_config,
    .infer = input_infer,
    .forward = input_forward,
    .backward = input_forward,
};

mcdl_node *mcdl_input(mcdl_graph *g, const mcdl_input_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    if (!o) {
        mcdl_graph_record(g,
                          mcdl_error(MCDL_ERR_ARG, "Input: options with the shape are required"));
        return NULL;
    }
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_input_layer_class, o->name);
    if (!l) return NULL;
    input_state *st = mcdl_layer_state(l);
    int rank = o->rank;
    if (rank == 0)
        while (rank < MCDL_MAX_RANK && o->shape[rank] != 0) rank++;
    st->shape.rank = rank;
    for (int i = 0; i < rank && i < MCDL_MAX_RANK; i++) st->shape.d[i] = o->shape[i];
    mcdl_status s = input_check(l, &st->shape);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return mcdl_layer_call_source(l);
}
