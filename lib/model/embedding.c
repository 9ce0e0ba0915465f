/* Embedding (token ids -> rows of a table, sparse row-scatter backward), the mask_zero
 * mask (NotEqual 0), and positional encodings: keras_hub's SinePositionEncoding and
 * PositionEmbedding, which return the encoding alone (the model adds it). */
#include <math.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/attention_layers.h"
#include "lib/model/core_layers.h"

mcdl_node *mcdl_attn_call_n(mcdl_layer *l, int n, mcdl_node *const *xs) {
    if (!l) return NULL;
    for (int i = 0; i < n; i++)
        if (!xs[i]) return NULL;
    mcdl_node *out = NULL;
    return mcdl_call_multi(l, n, xs, 1, &out) == MCDL_OK ? out : NULL;
}

/* ---- Embedding ------------------------------------------------------------------------ */

typedef struct {
    int64_t input_dim, output_dim;
    bool mask_zero;
    mcdl_init init;
    int w;
} embedding_state;

static mcdl_status embedding_check(const mcdl_layer *l, const embedding_state *st) {
    if (st->input_dim <= 0 || st->output_dim <= 0)
        return mcdl_error(MCDL_ERR_ARG,
                          "Embedding '%s': input_dim and output_dim must be > 0, got %lld and %lld",
                          mcdl_layer_name(l), (long long)st->input_dim, (long long)st->output_dim);
    if ((unsigned)st->init >= MCDL_INIT_COUNT)
        return mcdl_error(MCDL_ERR_ARG, "Embedding '%s': unknown initializer id",
                          mcdl_layer_name(l));
    return MCDL_OK;
}

static mcdl_status embedding_from_config(mcdl_layer *l, const mcdl_config *c) {
    embedding_state *st = mcdl_layer_state(l);
    st->init = MCDL_INIT_RANDOM_UNIFORM;
    MCDL_TRY(mcdl_cfg_get_int(l, c, "input_dim", &st->input_dim));
    MCDL_TRY(mcdl_cfg_get_int(l, c, "output_dim", &st->output_dim));
    MCDL_TRY(mcdl_cfg_get_bool(l, c, "mask_zero", &st->mask_zero));
    MCDL_TRY(mcdl_cfg_get_init(l, c, "embeddings_initializer", &st->init));
    return embedding_check(l, st);
}

static void embedding_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const embedding_state *st = mcdl_layer_state(l);
    mcdl_cfg_put_number(w, "input_dim", (double)st->input_dim);
    mcdl_cfg_put_number(w, "output_dim", (double)st->output_dim);
    mcdl_cfg_put_bool(w, "mask_zero", st->mask_zero);
    mcdl_cfg_put_init(w, "embeddings_initializer", st->init);
}

static mcdl_status embedding_infer(mcdl_layer *l, mcdl_infer_args *a) {
    embedding_state *st = mcdl_layer_state(l);
    if (a->in[0].rank >= MCDL_MAX_RANK) {
        char sb[128];
        mcdl_shape_keras_str(&a->in[0], sb, sizeof sb);
        return mcdl_error(MCDL_ERR_SHAPE, "Embedding '%s' cannot add an axis to %s from '%s'",
                          mcdl_layer_name(l), sb, a->in_from[0]);
    }
    if (a->call == 0) {
        st->w = mcdl_layer_add_weight(l, "embeddings", 2,
                                      (int64_t[]){st->input_dim, st->output_dim}, st->init, true);
        if (st->w < 0) return mcdl_graph_status(mcdl_layer_graph(l));
    }
    a->n_out = 1;
    a->out[0] = a->in[0];
    a->out[0].d[a->out[0].rank++] = st->output_dim;
    return MCDL_OK;
}

/* Checks every id before any row is read: the first bad one is the error. */
static mcdl_status embedding_ids_ok(const mcdl_layer *l, const float *x, int64_t n, int64_t per,
                                    int64_t input_dim) {
    for (int64_t i = 0; i < n; i++) {
        const float v = x[i];
        if (!(v > -1.0f && v < (float)input_dim) || (int64_t)v >= input_dim)
            return mcdl_error(MCDL_ERR_ARG,
                              "Embedding '%s': token id %g at index %lld (sample %lld, position "
                              "%lld) is outside [0, %lld)",
                              mcdl_layer_name(l), (double)v, (long long)i, (long long)(i / per),
                              (long long)(i % per), (long long)input_dim);
    }
    return MCDL_OK;
}

static mcdl_status embedding_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const embedding_state *st = mcdl_layer_state(l);
    const int64_t per = mcdl_shape_numel(&a->x_shape[0]), n = a->batch * per, D = st->output_dim;
    MCDL_TRY(embedding_ids_ok(l, a->x[0], n, per, st->input_dim));
    const float *W = mcdl_layer_weight_data(l, st->w);
    for (int64_t i = 0; i < n; i++)
        memcpy(a->y[0] + i * D, W + (int64_t)a->x[0][i] * D, (size_t)D * sizeof(float));
    return MCDL_OK;
}

static mcdl_status embedding_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const embedding_state *st = mcdl_layer_state(l);
    const int64_t per = mcdl_shape_numel(&a->x_shape[0]), n = a->batch * per, D = st->output_dim;
    MCDL_TRY(embedding_ids_ok(l, a->x[0], n, per, st->input_dim));
    if (a->weight_grads) {
        /* rows touched by the batch only, in input order: deterministic */
        float *dW = mcdl_layer_weight_grad(l, st->w);
        for (int64_t i = 0; i < n; i++) {
            float *row = dW + (int64_t)a->x[0][i] * D;
            const float *g = a->dy[0] + i * D;
            for (int64_t c = 0; c < D; c++) row[c] += g[c];
        }
    }
    if (a->dx[0]) memset(a->dx[0], 0, (size_t)n * sizeof(float)); /* ids: no gradient */
    return MCDL_OK;
}

/* mask_zero: the output carries Keras' mask, id != 0 (a NotEqual node on the ids). */
static mcdl_node *embedding_output_mask(mcdl_layer *l, int call, int n_in, mcdl_node *const *in,
                                        mcdl_node *const *masks) {
    (void)call, (void)n_in, (void)masks;
    const embedding_state *st = mcdl_layer_state(l);
    return st->mask_zero ? mcdl_embedding_mask(mcdl_layer_graph(l), in[0], NULL) : NULL;
}

const mcdl_layer_class mcdl_embedding_class = {
    .output_mask = embedding_output_mask,
    .class_name = "Embedding",
    .auto_name = "embedding",
    .state_size = sizeof(embedding_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = embedding_from_config,
    .to_config = embedding_to_config,
    .infer = embedding_infer,
    .forward = embedding_forward,
    .backward = embedding_backward,
};

mcdl_layer *mcdl_embedding_layer(mcdl_graph *g, const mcdl_embedding_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    if (!o) {
        mcdl_graph_record(
            g, mcdl_error(MCDL_ERR_ARG, "Embedding: options are required (input_dim, output_dim)"));
        return NULL;
    }
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_embedding_class, o->name);
    if (!l) return NULL;
    embedding_state *st = mcdl_layer_state(l);
    st->input_dim = o->input_dim;
    st->output_dim = o->output_dim;
    st->mask_zero = o->mask_zero;
    st->init = o->embeddings_initializer ? o->embeddings_initializer : MCDL_INIT_RANDOM_UNIFORM;
    const mcdl_status s = embedding_check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

mcdl_node *mcdl_embedding(mcdl_graph *g, mcdl_node *ids, const mcdl_embedding_opts *o) {
    return ids ? mcdl_build_and_call(mcdl_embedding_layer(g, o), ids) : NULL;
}

/* ---- NotEqual(0): the mask_zero mask ---------------------------------------------------- */

static mcdl_status not_equal_from_config(mcdl_layer *l, const mcdl_config *c) {
    (void)l, (void)c;
    return MCDL_OK;
}
static void not_equal_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) { (void)l, (void)w; }
static mcdl_status not_equal_infer(mcdl_layer *l, mcdl_infer_args *a) {
    (void)l;
    a->n_out = 1;
    a->out[0] = a->in[0];
    return MCDL_OK;
}
static mcdl_status not_equal_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    (void)l;
    const int64_t n = a->batch * mcdl_shape_numel(&a->x_shape[0]);
    for (int64_t i = 0; i < n; i++) a->y[0][i] = a->x[0][i] != 0.0f ? 1.0f : 0.0f;
    return MCDL_OK;
}
static mcdl_status not_equal_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    (void)l;
    if (a->dx[0])
        memset(a->dx[0], 0, (size_t)(a->batch * mcdl_shape_numel(&a->x_shape[0])) * sizeof(float));
    return MCDL_OK;
}

const mcdl_layer_class mcdl_not_equal_class = {
    .class_name = "NotEqual",
    .auto_name = "not_equal",
    .state_size = 0,
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = not_equal_from_config,
    .to_config = not_equal_to_config,
    .infer = not_equal_infer,
    .forward = not_equal_forward,
    .backward = not_equal_backward,
};

mcdl_node *mcdl_embedding_mask(mcdl_graph *g, mcdl_node *ids, const char *name) {
    if (!g || !ids || mcdl_graph_status(g) != MCDL_OK) return NULL;
    return mcdl_build_and_call(mcdl_layer_new(g, &mcdl_not_equal_class, name), ids);
}

/* ---- positional encodings --------------------------------------------------------------- */

typedef struct {
    bool learned;
    int64_t sequence_length;
    float max_wavelength;
    int w;
} posenc_state;

static mcdl_status posenc_check(const mcdl_layer *l, const posenc_state *st) {
    if (st->learned && st->sequence_length <= 0)
        return mcdl_error(MCDL_ERR_ARG,
                          "PositionEmbedding '%s': sequence_length must be > 0, got %lld",
                          mcdl_layer_name(l), (long long)st->sequence_length);
    if (!st->learned && !(st->max_wavelength > 0.0f))
        return mcdl_error(MCDL_ERR_ARG,
                          "SinePositionEncoding '%s': max_wavelength must be > 0, got %g",
                          mcdl_layer_name(l), (double)st->max_wavelength);
    return MCDL_OK;
}

static mcdl_status posenc_from_config(mcdl_layer *l, const mcdl_config *c) {
    posenc_state *st = mcdl_layer_state(l);
    st->learned = mcdl_layer_get_class(l) == &mcdl_position_embedding_class;
    st->max_wavelength = 10000.0f;
    MCDL_TRY(mcdl_cfg_get_int(l, c, "sequence_length", &st->sequence_length));
    MCDL_TRY(mcdl_cfg_get_float(l, c, "max_wavelength", &st->max_wavelength));
    return posenc_check(l, st);
}

static void posenc_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const posenc_state *st = mcdl_layer_state(l);
    if (st->learned)
        mcdl_cfg_put_number(w, "sequence_length", (double)st->sequence_length);
    else
        mcdl_cfg_put_number(w, "max_wavelength", (double)st->max_wavelength);
}

static mcdl_status posenc_infer(mcdl_layer *l, mcdl_infer_args *a) {
    posenc_state *st = mcdl_layer_state(l);
    const mcdl_shape *in = &a->in[0];
    char sb[128];
    mcdl_shape_keras_str(in, sb, sizeof sb);
    if (in->rank != 2)
        return mcdl_error(MCDL_ERR_SHAPE, "%s '%s' needs (None, T, D), got %s from '%s'",
                          mcdl_layer_class_name(l), mcdl_layer_name(l), sb, a->in_from[0]);
    if (st->learned) {
        if (in->d[0] > st->sequence_length)
            return mcdl_error(
                MCDL_ERR_SHAPE,
                "PositionEmbedding '%s' has sequence_length %lld but gets %s from '%s'",
                mcdl_layer_name(l), (long long)st->sequence_length, sb, a->in_from[0]);
        if (a->call == 0) {
            st->w = mcdl_layer_add_weight(l, "embeddings", 2,
                                          (int64_t[]){st->sequence_length, in->d[1]},
                                          MCDL_INIT_GLOROT_UNIFORM, true);
            if (st->w < 0) return mcdl_graph_status(mcdl_layer_graph(l));
        }
    }
    a->n_out = 1;
    a->out[0] = *in;
    return MCDL_OK;
}

static mcdl_status posenc_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const posenc_state *st = mcdl_layer_state(l);
    const int64_t T = a->x_shape[0].d[0], D = a->x_shape[0].d[1];
    float *y = a->y[0];
    if (st->learned) {
        memcpy(y, mcdl_layer_weight_data(l, st->w), (size_t)(T * D) * sizeof(float));
    } else {
        for (int64_t t = 0; t < T; t++)
            for (int64_t i = 0; i < D; i++) {
                /* keras_hub: timescale = (1/w)^(2*(i//2)/D), sin on even, cos on odd */
                const double ang =
                    (double)t * pow(1.0 / st->max_wavelength, 2.0 * (double)(i / 2) / (double)D);
                y[t * D + i] = (float)(i % 2 ? cos(ang) : sin(ang));
            }
    }
    for (int64_t b = 1; b < a->batch; b++)
        memcpy(y + b * T * D, y, (size_t)(T * D) * sizeof(float));
    return MCDL_OK;
}

static mcdl_status posenc_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const posenc_state *st = mcdl_layer_state(l);
    const int64_t T = a->x_shape[0].d[0], D = a->x_shape[0].d[1];
    if (st->learned && a->weight_grads) {
        float *dW = mcdl_layer_weight_grad(l, st->w);
        for (int64_t b = 0; b < a->batch; b++)
            for (int64_t i = 0; i < T * D; i++) dW[i] += a->dy[0][b * T * D + i];
    }
    if (a->dx[0]) memset(a->dx[0], 0, (size_t)(a->batch * T * D) * sizeof(float));
    return MCDL_OK;
}

const mcdl_layer_class mcdl_sine_position_encoding_class = {
    .keeps_mask = true, /* Keras supports_masking: the mask passes through */
    .class_name = "SinePositionEncoding",
    .auto_name = "sine_position_encoding",
    .state_size = sizeof(posenc_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = posenc_from_config,
    .to_config = posenc_to_config,
    .infer = posenc_infer,
    .forward = posenc_forward,
    .backward = posenc_backward,
};

const mcdl_layer_class mcdl_position_embedding_class = {
    .keeps_mask = true, /* Keras supports_masking: the mask passes through */
    .class_name = "PositionEmbedding",
    .auto_name = "position_embedding",
    .state_size = sizeof(posenc_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = posenc_from_config,
    .to_config = posenc_to_config,
    .infer = posenc_infer,
    .forward = posenc_forward,
    .backward = posenc_backward,
};

mcdl_layer *mcdl_positional_encoding_layer(mcdl_graph *g, const mcdl_positional_encoding_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    const bool learned = o && o->learned;
    mcdl_layer *l = mcdl_layer_new(
        g, learned ? &mcdl_position_embedding_class : &mcdl_sine_position_encoding_class,
        o ? o->name : NULL);
    if (!l) return NULL;
    posenc_state *st = mcdl_layer_state(l);
    st->learned = learned;
    st->sequence_length = o ? o->sequence_length : 0;
    st->max_wavelength = o && o->max_wavelength != 0.0f ? o->max_wavelength : 10000.0f;
    const mcdl_status s = posenc_check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

mcdl_node *mcdl_positional_encoding(mcdl_graph *g, mcdl_node *x,
                                    const mcdl_positional_encoding_opts *o) {
    return x ? mcdl_build_and_call(mcdl_positional_encoding_layer(g, o), x) : NULL;
}
