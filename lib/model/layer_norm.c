/* LayerNormalization (last axis, kernels/norm), GlobalAveragePooling1D with an optional
 * step mask, and the TransformerEncoder block builder composed from MultiHeadAttention,
 * Add, LayerNormalization and Dense. */
#include <stdio.h>
#include <string.h>

#include "kernels/norm/layernorm.h"
#include "lib/core/error.h"
#include "lib/model/attention_layers.h"
#include "lib/model/core_layers.h"
#include "mcdl/layers.h"

/* ---- LayerNormalization ----------------------------------------------------------------- */

typedef struct {
    float eps;
    bool center, scale;
    int64_t axis; /* as configured: -1, or a positive axis counting the batch axis */
    int64_t D;
    int wg, wb;
} ln_state;

static mcdl_status ln_check(const mcdl_layer *l, const ln_state *st) {
    if (!(st->eps > 0.0f))
        return mcdl_error(MCDL_ERR_ARG, "LayerNormalization '%s': epsilon must be > 0, got %g",
                          mcdl_layer_name(l), (double)st->eps);
    return MCDL_OK;
}

static mcdl_status ln_from_config(mcdl_layer *l, const mcdl_config *c) {
    ln_state *st = mcdl_layer_state(l);
    st->eps = 1e-3f;
    st->center = st->scale = true;
    st->axis = -1;
    int64_t ax[MCDL_MAX_RANK];
    int n = 0;
    MCDL_TRY(
        mcdl_cfg_get_ints(l, c, "axis", ax, MCDL_MAX_RANK, &n)); /* -1 or tf.keras 2's [rank] */
    if (n > 1)
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "LayerNormalization '%s': normalising over %d axes is not supported",
                          mcdl_layer_name(l), n);
    if (n == 1) st->axis = ax[0];
    MCDL_TRY(mcdl_cfg_get_float(l, c, "epsilon", &st->eps));
    MCDL_TRY(mcdl_cfg_get_bool(l, c, "center", &st->center));
    MCDL_TRY(mcdl_cfg_get_bool(l, c, "scale", &st->scale));
    return ln_check(l, st);
}

static void ln_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const ln_state *st = mcdl_layer_state(l);
    mcdl_cfg_put_number(w, "axis", -1);
    mcdl_cfg_put_number(w, "epsilon", (double)st->eps);
    mcdl_cfg_put_bool(w, "center", st->center);
    mcdl_cfg_put_bool(w, "scale", st->scale);
}

static mcdl_status ln_infer(mcdl_layer *l, mcdl_infer_args *a) {
    ln_state *st = mcdl_layer_state(l);
    const mcdl_shape *in = &a->in[0];
    char sb[128];
    mcdl_shape_keras_str(in, sb, sizeof sb);
    if (in->rank < 1 || (st->axis != -1 && st->axis != in->rank))
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "LayerNormalization '%s' normalises the last axis only (axis %lld) but "
                          "gets %s from '%s'",
                          mcdl_layer_name(l), (long long)st->axis, sb, a->in_from[0]);
    const int64_t D = in->d[in->rank - 1];
    if (a->call == 0) {
        st->D = D;
        st->wg = st->scale
                     ? mcdl_layer_add_weight(l, "gamma", 1, (int64_t[]){D}, MCDL_INIT_ONES, true)
                     : -1;
        st->wb = st->center
                     ? mcdl_layer_add_weight(l, "beta", 1, (int64_t[]){D}, MCDL_INIT_ZEROS, true)
                     : -1;
        if ((st->scale && st->wg < 0) || (st->center && st->wb < 0))
            return mcdl_graph_status(mcdl_layer_graph(l));
    } else if (D != st->D) {
        return mcdl_error(
            MCDL_ERR_SHAPE,
            "LayerNormalization '%s' was built for last axis %lld but gets %s from '%s'",
            mcdl_layer_name(l), (long long)st->D, sb, a->in_from[0]);
    }
    a->n_out = 1;
    a->out[0] = *in;
    return MCDL_OK;
}

static int64_t ln_rows(const mcdl_layer *l, int call, int64_t batch) {
    int64_t sh[MCDL_MAX_RANK], n = batch;
    const int r = mcdl_node_shape(mcdl_layer_call_input(l, call, 0), sh);
    for (int i = 0; i < r - 1; i++) n *= sh[i];
    return n;
}

static void ln_workspace(const mcdl_layer *l, int call, int64_t batch, bool training, size_t *saved,
                         size_t *scratch) {
    const ln_state *st = mcdl_layer_state(l);
    const int64_t rows = ln_rows(l, call, batch);
    *saved = training ? (size_t)(2 * rows) * sizeof(float) : 0;
    /* inference: mean/rstd; training: dgamma, dbeta and a dx for when none is wanted */
    *scratch = training ? (size_t)(2 * st->D + rows * st->D) * sizeof(float)
                        : (size_t)(2 * rows) * sizeof(float);
}

static mcdl_status ln_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const ln_state *st = mcdl_layer_state(l);
    const int64_t rows = a->batch * (mcdl_shape_numel(&a->x_shape[0]) / st->D);
    float *stats = a->training ? a->saved : a->scratch;
    mcdl_f32_layernorm_fwd(rows, st->D, a->x[0],
                           st->scale ? mcdl_layer_weight_data(l, st->wg) : NULL,
                           st->center ? mcdl_layer_weight_data(l, st->wb) : NULL, st->eps, a->y[0],
                           stats, stats + rows);
    return MCDL_OK;
}

static mcdl_status ln_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const ln_state *st = mcdl_layer_state(l);
    const int64_t rows = a->batch * (mcdl_shape_numel(&a->x_shape[0]) / st->D), D = st->D;
    const float *stats = a->saved;
    float *dg = a->scratch, *db = dg + D, *part = db + D,
          *dx = a->dx[0] ? a->dx[0] : part + mcdl_f32_layernorm_bwd_ws_floats(rows, D);
    mcdl_f32_layernorm_bwd(rows, D, a->x[0], a->dy[0],
                           st->scale ? mcdl_layer_weight_data(l, st->wg) : NULL, stats,
                           stats + rows, dx, st->scale ? dg : NULL, st->center ? db : NULL, part);
    if (a->weight_grads) {
        if (st->scale) {
            float *g = mcdl_layer_weight_grad(l, st->wg);
            for (int64_t i = 0; i < D; i++) g[i] += dg[i];
        }
        if (st->center) {
            float *g = mcdl_layer_weight_grad(l, st->wb);
            for (int64_t i = 0; i < D; i++) g[i] += db[i];
        }
    }
    return MCDL_OK;
}

const mcdl_layer_class mcdl_layer_norm_class = {
    .keeps_mask = true, /* Keras supports_masking: the mask passes through */
    .class_name = "LayerNormalization",
    .auto_name = "layer_normalization",
    .state_size = sizeof(ln_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = ln_from_config,
    .to_config = ln_to_config,
    .infer = ln_infer,
    .workspace = ln_workspace,
    .forward = ln_forward,
    .backward = ln_backward,
};

mcdl_layer *mcdl_layer_normalization_layer(mcdl_graph *g, const mcdl_layer_norm_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_layer_norm_class, o ? o->name : NULL);
    if (!l) return NULL;
    ln_state *st = mcdl_layer_state(l);
    st->eps = mcdl_opt_float(o ? o->epsilon : 0.0f, 1e-3f);
    st->center = !(o && o->no_center);
    st->scale = !(o && o->no_scale);
    st->axis = -1;
    const mcdl_status s = ln_check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

mcdl_node *mcdl_layer_normalization(mcdl_graph *g, mcdl_node *x, const mcdl_layer_norm_opts *o) {
    return x ? mcdl_build_and_call(mcdl_layer_normalization_layer(g, o), x) : NULL;
}

/* ---- GlobalAveragePooling1D ------------------------------------------------------------- */

static mcdl_status gap_from_config(mcdl_layer *l, const mcdl_config *c) {
    const char *fmt = NULL;
    MCDL_TRY(mcdl_cfg_get_string(l, c, "data_format", &fmt));
    if (fmt && strcmp(fmt, "channels_last"))
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "GlobalAveragePooling1D '%s': data_format '%s' is not supported",
                          mcdl_layer_name(l), fmt);
    return MCDL_OK;
}
static void gap_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    (void)l;
    mcdl_cfg_put_string(w, "data_format", "channels_last");
}

static mcdl_status gap_infer(mcdl_layer *l, mcdl_infer_args *a) {
    char s1[128], s2[128];
    mcdl_shape_keras_str(&a->in[0], s1, sizeof s1);
    if (a->in[0].rank != 2)
        return mcdl_error(MCDL_ERR_SHAPE,
                          "GlobalAveragePooling1D '%s' needs (None, T, D), got %s from '%s'",
                          mcdl_layer_name(l), s1, a->in_from[0]);
    if (a->n_in == 2 && (a->in[1].rank != 1 || a->in[1].d[0] != a->in[0].d[0])) {
        mcdl_shape_keras_str(&a->in[1], s2, sizeof s2);
        return mcdl_error(
            MCDL_ERR_SHAPE,
            "GlobalAveragePooling1D '%s': mask %s from '%s' does not fit %s from '%s'",
            mcdl_layer_name(l), s2, a->in_from[1], s1, a->in_from[0]);
    }
    a->n_out = 1;
    a->out[0].rank = 1;
    a->out[0].d[0] = a->in[0].d[1];
    return MCDL_OK;
}

/* weight of step t of sample b: 1/T, or mask/count (0 when nothing is kept) */
static float gap_weight(const mcdl_exec_args *a, int64_t b, int64_t t, int64_t T) {
    if (a->n_in < 2) return 1.0f / (float)T;
    const float *m = a->x[1] + b * T;
    float cnt = 0.0f;
    for (int64_t i = 0; i < T; i++) cnt += m[i] != 0.0f;
    return cnt > 0.0f && m[t] != 0.0f ? 1.0f / cnt : 0.0f;
}

static mcdl_status gap_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    (void)l;
    const int64_t T = a->x_shape[0].d[0], D = a->x_shape[0].d[1];
    for (int64_t b = 0; b < a->batch; b++) {
        float *y = a->y[0] + b * D;
        memset(y, 0, (size_t)D * sizeof(float));
        for (int64_t t = 0; t < T; t++) {
            const float w = gap_weight(a, b, t, T);
            const float *x = a->x[0] + (b * T + t) * D;
            if (w != 0.0f)
                for (int64_t c = 0; c < D; c++) y[c] += w * x[c];
        }
    }
    return MCDL_OK;
}

static mcdl_status gap_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    (void)l;
    const int64_t T = a->x_shape[0].d[0], D = a->x_shape[0].d[1];
    if (a->dx[0])
        for (int64_t b = 0; b < a->batch; b++)
            for (int64_t t = 0; t < T; t++) {
                const float w = gap_weight(a, b, t, T);
                float *dx = a->dx[0] + (b * T + t) * D;
                for (int64_t c = 0; c < D; c++) dx[c] = w * a->dy[0][b * D + c];
            }
    if (a->n_in == 2 && a->dx[1]) memset(a->dx[1], 0, (size_t)(a->batch * T) * sizeof(float));
    return MCDL_OK;
}

/* Keras' implicit mask of the input (Embedding(mask_zero=True) upstream) becomes the
 * optional mask input: the masked mean. */
static mcdl_status gap_take_masks(mcdl_layer *l, int call, int n_in, mcdl_node *const *in,
                                  mcdl_node *const *masks, mcdl_node **extra, int *n_extra) {
    (void)l, (void)call, (void)in;
    *n_extra = 0;
    if (n_in == 1 && masks[0]) extra[(*n_extra)++] = masks[0];
    return MCDL_OK;
}

const mcdl_layer_class mcdl_gap1d_class = {
    .take_masks = gap_take_masks,
    .class_name = "GlobalAveragePooling1D",
    .auto_name = "global_average_pooling1d",
    .state_size = 0,
    .min_inputs = 1,
    .max_inputs = 2,
    .from_config = gap_from_config,
    .to_config = gap_to_config,
    .infer = gap_infer,
    .forward = gap_forward,
    .backward = gap_backward,
};

mcdl_layer *mcdl_global_average_pooling1d_layer(mcdl_graph *g, const mcdl_gap1d_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    return mcdl_layer_new(g, &mcdl_gap1d_class, o ? o->name : NULL);
}

mcdl_node *mcdl_global_average_pooling1d(mcdl_graph *g, mcdl_node *x, mcdl_node *mask,
                                         const mcdl_gap1d_opts *o) {
    if (!x) return NULL;
    mcdl_node *in[2] = {x, mask};
    return mcdl_attn_call_n(mcdl_global_average_pooling1d_layer(g, o), mask ? 2 : 1, in);
}

/* ---- TransformerEncoder block ------------------------------------------------------------ */

mcdl_node *mcdl_transformer_encoder(mcdl_graph *g, mcdl_node *x, mcdl_node *attention_mask,
                                    const mcdl_transformer_encoder_opts *o) {
    if (!g || !x || mcdl_graph_status(g) != MCDL_OK) return NULL;
    int64_t sh[MCDL_MAX_RANK];
    const int r = mcdl_node_shape(x, sh);
    if (!o || o->num_heads <= 0 || o->intermediate_dim <= 0 || r != 2) {
        mcdl_graph_record(
            g,
            mcdl_error(
                MCDL_ERR_ARG,
                "TransformerEncoder: needs num_heads > 0, intermediate_dim > 0 and a (None, T, D) "
                "input (got rank %d)",
                r + 1));
        return NULL;
    }
    const int64_t D = sh[1];
    const int64_t kd = o->key_dim ? o->key_dim : D / o->num_heads;
    if (kd <= 0) {
        mcdl_graph_record(
            g, mcdl_error(MCDL_ERR_ARG,
                          "TransformerEncoder: key_dim %lld from D %lld / %lld heads must be > 0",
                          (long long)kd, (long long)D, (long long)o->num_heads));
        return NULL;
    }
    const float eps = o->layer_norm_epsilon != 0.0f ? o->layer_norm_epsilon : 1e-5f;
    char n[7][160];
    const char *parts[7] = {"self_attention",     "add",          "self_attention_layer_norm",
                            "intermediate_dense", "output_dense", "add_1",
                            "output_layer_norm"};
    for (int i = 0; i < 7; i++)
        snprintf(n[i], sizeof n[i], "%s_%s", o->name ? o->name : "", parts[i]);
#define TE_NAME(i) (o->name ? n[i] : NULL)
    mcdl_node *att =
        mcdl_multi_head_attention(g, x, NULL, NULL, attention_mask,
                                  &(mcdl_mha_opts){.num_heads = o->num_heads,
                                                   .key_dim = kd,
                                                   .use_causal_mask = o->use_causal_mask,
                                                   .name = TE_NAME(0)});
    mcdl_node *h = mcdl_add(g, 2, (mcdl_node *[]){x, att}, &(mcdl_add_opts){.name = TE_NAME(1)});
    h = mcdl_layer_normalization(g, h, &(mcdl_layer_norm_opts){.epsilon = eps, .name = TE_NAME(2)});
    mcdl_node *f =
        mcdl_dense(g, h,
                   &(mcdl_dense_opts){
                       .units = o->intermediate_dim, .activation = MCDL_RELU, .name = TE_NAME(3)});
    f = mcdl_dense(g, f, &(mcdl_dense_opts){.units = D, .name = TE_NAME(4)});
    mcdl_node *y =
        h && f ? mcdl_add(g, 2, (mcdl_node *[]){h, f}, &(mcdl_add_opts){.name = TE_NAME(5)}) : NULL;
    return mcdl_layer_normalization(g, y,
                                    &(mcdl_layer_norm_opts){.epsilon = eps, .name = TE_NAME(6)});
#undef TE_NAME
}
