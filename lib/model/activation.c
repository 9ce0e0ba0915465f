/* Activation and LeakyReLU layers, and the activation helpers Dense shares. */
#include <math.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/core_layers.h"

_Static_assert((int)MCDL_RELU == (int)MCDL_ACT_RELU && (int)MCDL_SOFTMAX == (int)MCDL_ACT_SOFTMAX &&
                   (int)MCDL_LEAKY_RELU == (int)MCDL_ACT_LEAKY_RELU &&
                   (int)MCDL_SOFTPLUS == (int)MCDL_ACT_SOFTPLUS,
               "public activation ids must equal the kernel ids");

float mcdl_opt_float(float v, float dflt) {
    if (v == 0.0f) return signbit(v) ? 0.0f : dflt;
    return v;
}

mcdl_node *mcdl_build_and_call(mcdl_layer *l, mcdl_node *x) { return l ? mcdl_call(l, x) : NULL; }

void mcdl_apply_act_fwd(mcdl_activation_id a, float alpha, const float *x, float *y, int64_t rows,
                        int64_t cols) {
    if (a == MCDL_SOFTMAX)
        mcdl_f32_softmax_fwd(x, y, rows, cols);
    else if (a == MCDL_LINEAR) {
        if (x != y) memcpy(y, x, (size_t)(rows * cols) * sizeof *y);
    } else
        mcdl_f32_act_fwd(mcdl_act_of(a), alpha, x, y, rows * cols);
}

void mcdl_apply_act_bwd(mcdl_activation_id a, float alpha, const float *x, const float *y,
                        const float *dy, float *dx, int64_t rows, int64_t cols) {
    if (a == MCDL_SOFTMAX)
        mcdl_f32_softmax_bwd(y, dy, dx, rows, cols);
    else if (a == MCDL_LINEAR) {
        if (dx != dy) memcpy(dx, dy, (size_t)(rows * cols) * sizeof *dx);
    } else
        mcdl_f32_act_bwd(mcdl_act_of(a), alpha, x, y, dy, dx, rows * cols);
}

bool mcdl_act_needs_x(mcdl_activation_id a, float alpha) {
    if (a == MCDL_SOFTMAX || a == MCDL_LINEAR) return false;
    return mcdl_act_bwd_needs_x(mcdl_act_of(a), alpha);
}

/* ---- Activation ---- */

typedef struct {
    mcdl_activation_id act;
    float alpha;
} act_state;

static mcdl_status act_check(mcdl_layer *l, act_state *st) {
    if ((unsigned)st->act >= MCDL_ACTIVATION_COUNT)
        return mcdl_error(MCDL_ERR_ARG, "layer '%s': unknown activation id %d", mcdl_layer_name(l),
                          (int)st->act);
    return MCDL_OK;
}

static mcdl_status act_from_config(mcdl_layer *l, const mcdl_config *c) {
    act_state *st = mcdl_layer_state(l);
    st->alpha = 0.2f;
    MCDL_TRY(mcdl_cfg_get_activation(l, c, "activation", &st->act));
    return act_check(l, st);
}

static void act_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const act_state *st = mcdl_layer_state(l);
    mcdl_cfg_put_string(w, "activation", mcdl_activation_name(st->act));
}

static mcdl_status act_infer(mcdl_layer *l, mcdl_infer_args *a) {
    (void)l;
    a->out[0] = a->in[0];
    return MCDL_OK;
}

static mcdl_status act_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const act_state *st = mcdl_layer_state(l);
    const int64_t cols = a->x_shape[0].rank ? a->x_shape[0].d[a->x_shape[0].rank - 1] : 1;
    const int64_t rows = a->batch * mcdl_shape_numel(&a->x_shape[0]) / cols;
    mcdl_apply_act_fwd(st->act, st->alpha, a->x[0], a->y[0], rows, cols);
    return MCDL_OK;
}

static mcdl_status act_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const act_state *st = mcdl_layer_state(l);
    if (!a->dx[0]) return MCDL_OK;
    const int64_t cols = a->x_shape[0].rank ? a->x_shape[0].d[a->x_shape[0].rank - 1] : 1;
    const int64_t rows = a->batch * mcdl_shape_numel(&a->x_shape[0]) / cols;
    mcdl_apply_act_bwd(st->act, st->alpha, a->x[0], a->y[0], a->dy[0], a->dx[0], rows, cols);
    return MCDL_OK;
}

const mcdl_layer_class mcdl_activation_class = {
    .keeps_mask = true, /* Keras supports_masking: the mask passes through */
    .class_name = "Activation",
    .auto_name = "activation",
    .state_size = sizeof(act_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = act_from_config,
    .to_config = act_to_config,
    .infer = act_infer,
    .forward = act_forward,
    .backward = act_backward,
};

mcdl_layer *mcdl_activation_layer(mcdl_graph *g, const mcdl_activation_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    mcdl_activation_opts d = {0};
    if (!o) o = &d;
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_activation_class, o->name);
    if (!l) return NULL;
    act_state *st = mcdl_layer_state(l);
    st->act = o->activation;
    st->alpha = mcdl_opt_float(o->alpha, 0.2f);
    if (act_check(l, st) != MCDL_OK) {
        mcdl_graph_record(g, MCDL_ERR_ARG);
        return NULL;
    }
    return l;
}

mcdl_node *mcdl_activation(mcdl_graph *g, mcdl_node *x, const mcdl_activation_opts *o) {
    return x ? mcdl_build_and_call(mcdl_activation_layer(g, o), x) : NULL;
}

/* ---- LeakyReLU ---- */

static mcdl_status leaky_from_config(mcdl_layer *l, const mcdl_config *c) {
    act_state *st = mcdl_layer_state(l);
    st->act = MCDL_LEAKY_RELU;
    st->alpha = 0.3f;
    MCDL_TRY(mcdl_cfg_get_float(l, c, "alpha", &st->alpha)); /* tf.keras 2 name */
    MCDL_TRY(mcdl_cfg_get_float(l, c, "negative_slope", &st->alpha));
    return MCDL_OK;
}

static void leaky_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const act_state *st = mcdl_layer_state(l);
    mcdl_cfg_put_number(w, "negative_slope", st->alpha);
}

const mcdl_layer_class mcdl_leaky_relu_class = {
    .keeps_mask = true, /* Keras supports_masking: the mask passes through */
    .class_name = "LeakyReLU",
    .auto_name = "leaky_re_lu",
    .state_size = sizeof(act_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = leaky_from_config,
    .to_config = leaky_to_config,
    .infer = act_infer,
    .forward = act_forward,
    .backward = act_backward,
};

mcdl_layer *mcdl_leaky_relu_layer(mcdl_graph *g, const mcdl_leaky_relu_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    mcdl_leaky_relu_opts d = {0};
    if (!o) o = &d;
    const bool has_slope = o->negative_slope != 0.0f || signbit(o->negative_slope);
    const bool has_alpha = o->alpha != 0.0f || signbit(o->alpha);
    if (has_slope && has_alpha && o->negative_slope != o->alpha) {
        mcdl_graph_record(g, mcdl_error(MCDL_ERR_ARG,
                                        "LeakyReLU '%s': negative_slope %g and alpha %g disagree "
                                        "(alpha is the old name of the same slope)",
                                        o->name ? o->name : "leaky_re_lu", o->negative_slope,
                                        o->alpha));
        return NULL;
    }
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_leaky_relu_class, o->name);
    if (!l) return NULL;
    act_state *st = mcdl_layer_state(l);
    st->act = MCDL_LEAKY_RELU;
    st->alpha =
        has_slope ? mcdl_opt_float(o->negative_slope, 0.3f) : mcdl_opt_float(o->alpha, 0.3f);
    return l;
}

mcdl_node *mcdl_leaky_relu(mcdl_graph *g, mcdl_node *x, const mcdl_leaky_relu_opts *o) {
    return x ? mcdl_build_and_call(mcdl_leaky_relu_layer(g, o), x) : NULL;
}
