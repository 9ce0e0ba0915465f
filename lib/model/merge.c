/* Merge layers: Concatenate(axis) and Add. Several inputs, one output; shapes are checked
 * at call time against every input, naming the layers that made them. */
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/core_layers.h"

typedef struct {
    int axis; /* Keras axis (counts the batch axis), -1 default */
} concat_state;

/* The per-sample axis of a Keras axis for inputs of per-sample rank r, or -1. */
static int sample_axis(int axis, int r) {
    int a = axis < 0 ? axis + r + 1 : axis;
    return a >= 1 && a <= r ? a - 1 : -1;
}

static mcdl_status concat_from_config(mcdl_layer *l, const mcdl_config *c) {
    concat_state *st = mcdl_layer_state(l);
    int64_t axis = -1;
    MCDL_TRY(mcdl_cfg_get_int(l, c, "axis", &axis));
    st->axis = (int)axis;
    return MCDL_OK;
}

static void concat_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const concat_state *st = mcdl_layer_state(l);
    mcdl_cfg_put_number(w, "axis", st->axis);
}

static mcdl_status merge_shape_error(mcdl_layer *l, const mcdl_infer_args *a, int i,
                                     const char *why) {
    char s0[128], si[128];
    mcdl_shape_keras_str(&a->in[0], s0, sizeof s0);
    mcdl_shape_keras_str(&a->in[i], si, sizeof si);
    return mcdl_error(MCDL_ERR_SHAPE, "%s '%s': input %s from '%s' and input %s from '%s' %s",
                      mcdl_layer_class_name(l), mcdl_layer_name(l), s0, a->in_from[0], si,
                      a->in_from[i], why);
}

static mcdl_status concat_infer(mcdl_layer *l, mcdl_infer_args *a) {
    const concat_state *st = mcdl_layer_state(l);
    const int r = a->in[0].rank;
    const int p = sample_axis(st->axis, r);
    if (p < 0)
        return mcdl_error(MCDL_ERR_SHAPE,
                          "Concatenate '%s': axis %d is out of range for inputs of rank %d",
                          mcdl_layer_name(l), st->axis, r + 1);
    mcdl_shape out = a->in[0];
    for (int i = 1; i < a->n_in; i++) {
        if (a->in[i].rank != r) return merge_shape_error(l, a, i, "differ in rank");
        for (int d = 0; d < r; d++)
            if (d != p && a->in[i].d[d] != out.d[d])
                return merge_shape_error(l, a, i, "differ outside the concatenation axis");
        out.d[p] += a->in[i].d[p];
    }
    a->out[0] = out;
    return MCDL_OK;
}

/* rows = batch * prod(d[0..p)), each input contributes a block of prod(d[p..]) per row */
static void concat_geometry(const mcdl_exec_args *a, int p, int64_t *rows) {
    int64_t r = a->batch;
    for (int d = 0; d < p; d++) r *= a->x_shape[0].d[d];
    *rows = r;
}

static int64_t inner(const mcdl_shape *s, int p) {
    int64_t n = 1;
    for (int d = p; d < s->rank; d++) n *= s->d[d];
    return n;
}

static mcdl_status concat_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const concat_state *st = mcdl_layer_state(l);
    const int p = sample_axis(st->axis, a->x_shape[0].rank);
    int64_t rows;
    concat_geometry(a, p, &rows);
    const int64_t out_inner = inner(&a->y_shape[0], p);
    int64_t off = 0;
    for (int i = 0; i < a->n_in; i++) {
        const int64_t w = inner(&a->x_shape[i], p);
        for (int64_t r = 0; r < rows; r++)
            memcpy(a->y[0] + r * out_inner + off, a->x[i] + r * w, (size_t)w * sizeof(float));
        off += w;
    }
    return MCDL_OK;
}

static mcdl_status concat_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const concat_state *st = mcdl_layer_state(l);
    const int p = sample_axis(st->axis, a->x_shape[0].rank);
    int64_t rows;
    concat_geometry(a, p, &rows);
    const int64_t out_inner = inner(&a->y_shape[0], p);
    int64_t off = 0;
    for (int i = 0; i < a->n_in; i++) {
        const int64_t w = inner(&a->x_shape[i], p);
        if (a->dx[i])
            for (int64_t r = 0; r < rows; r++)
                memcpy(a->dx[i] + r * w, a->dy[0] + r * out_inner + off, (size_t)w * sizeof(float));
        off += w;
    }
    return MCDL_OK;
}

const mcdl_layer_class mcdl_concatenate_class = {
    .class_name = "Concatenate",
    .auto_name = "concatenate",
    .state_size = sizeof(concat_state),
    .min_inputs = 1,
    .max_inputs = MCDL_MAX_CALL_IO,
    .from_config = concat_from_config,
    .to_config = concat_to_config,
    .infer = concat_infer,
    .forward = concat_forward,
    .backward = concat_backward,
};

mcdl_layer *mcdl_concatenate_layer(mcdl_graph *g, const mcdl_concatenate_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_concatenate_class, o ? o->name : NULL);
    if (!l) return NULL;
    concat_state *st = mcdl_layer_state(l);
    st->axis = o && o->axis ? o->axis : -1;
    return l;
}

static mcdl_node *call_n(mcdl_layer *l, int n, mcdl_node *const *xs) {
    if (!l || !xs) return NULL;
    for (int i = 0; i < n; i++)
        if (!xs[i]) return NULL;
    mcdl_node *out = NULL;
    return mcdl_call_multi(l, n, xs, 1, &out) == MCDL_OK ? out : NULL;
}

mcdl_node *mcdl_concatenate(mcdl_graph *g, int n, mcdl_node *const *xs,
                            const mcdl_concatenate_opts *o) {
    if (!xs) return NULL;
    for (int i = 0; i < n; i++)
        if (!xs[i]) return NULL;
    return call_n(mcdl_concatenate_layer(g, o), n, xs);
}

/* ---- Add ---- */

static mcdl_status add_from_config(mcdl_layer *l, const mcdl_config *c) {
    (void)l;
    (void)c;
    return MCDL_OK;
}

static mcdl_status add_infer(mcdl_layer *l, mcdl_infer_args *a) {
    for (int i = 1; i < a->n_in; i++)
        if (!mcdl_shape_equal(&a->in[i], &a->in[0]))
            return merge_shape_error(l, a, i, "differ (Add needs equal shapes)");
    a->out[0] = a->in[0];
    return MCDL_OK;
}

static mcdl_status add_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    (void)l;
    const int64_t n = a->batch * mcdl_shape_numel(&a->y_shape[0]);
    float *y = a->y[0];
    memcpy(y, a->x[0], (size_t)n * sizeof *y);
    for (int i = 1; i < a->n_in; i++) {
        const float *x = a->x[i];
        for (int64_t k = 0; k < n; k++) y[k] += x[k];
    }
    return MCDL_OK;
}

static mcdl_status add_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    (void)l;
    const int64_t n = a->batch * mcdl_shape_numel(&a->y_shape[0]);
    for (int i = 0; i < a->n_in; i++)
        if (a->dx[i]) memcpy(a->dx[i], a->dy[0], (size_t)n * sizeof(float));
    return MCDL_OK;
}

/* Keras ANDs the inputs' masks; here the mask passes when every masked input carries the
 * same one (x + f(x) after an Embedding(mask_zero=True)); different masks are dropped. */
static mcdl_node *add_output_mask(mcdl_layer *l, int call, int n_in, mcdl_node *const *in,
                                  mcdl_node *const *masks) {
    (void)l, (void)call, (void)in;
    mcdl_node *m = NULL;
    for (int i = 0; i < n_in; i++) {
        if (!masks[i]) continue;
        if (m && masks[i] != m) return NULL;
        m = masks[i];
    }
    return m;
}

const mcdl_layer_class mcdl_add_class = {
    .output_mask = add_output_mask,
    .class_name = "Add",
    .auto_name = "add",
    .min_inputs = 1,
    .max_inputs = MCDL_MAX_CALL_IO,
    .from_config = add_from_config,
    .infer = add_infer,
    .forward = add_forward,
    .backward = add_backward,
};

mcdl_layer *mcdl_add_layer(mcdl_graph *g, const mcdl_add_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    return mcdl_layer_new(g, &mcdl_add_class, o ? o->name : NULL);
}

mcdl_node *mcdl_add(mcdl_graph *g, int n, mcdl_node *const *xs, const mcdl_add_opts *o) {
    if (!xs) return NULL;
    for (int i = 0; i < n; i++)
        if (!xs[i]) return NULL;
    return call_n(mcdl_add_layer(g, o), n, xs);
}
