/* TimeDistributed(Dense): the Dense applied to every step, as one GEMM over all
 * batch x step rows (bias and activation fused in the epilogue). Weights keep the inner
 * layer's scope: time_distributed/dense/kernel, time_distributed/dense/bias. Other
 * wrapped layers are refused with an error naming both. */
#include <stdio.h>
#include <string.h>

#include "kernels/gemm/gemm.h"
#include "lib/core/error.h"
#include "lib/model/core_layers.h"
#include "lib/model/rnn_layers.h"

typedef struct {
    int64_t units, in_dim;
    mcdl_activation_id act;
    float alpha;
    bool use_bias;
    mcdl_init kinit, binit;
    char inner[64];
    int wk, wb;
} td_state;

static mcdl_status td_check(const mcdl_layer *l, const td_state *st) {
    if (st->units <= 0)
        return mcdl_error(MCDL_ERR_ARG, "TimeDistributed '%s': Dense units must be > 0, got %lld",
                          mcdl_layer_name(l), (long long)st->units);
    if ((unsigned)st->act >= MCDL_ACTIVATION_COUNT || st->act == MCDL_SOFTMAX ||
        mcdl_act_needs_x(st->act, st->alpha))
        return mcdl_error(
            MCDL_ERR_UNSUPPORTED,
            "TimeDistributed '%s': Dense activation '%s' is not supported inside "
            "TimeDistributed (linear, relu, sigmoid, tanh are); add an Activation layer",
            mcdl_layer_name(l), mcdl_activation_name(st->act));
    return MCDL_OK;
}

static mcdl_status td_from_config(mcdl_layer *l, const mcdl_config *cfg) {
    td_state *st = mcdl_layer_state(l);
    const mcdl_cfg_item *it = mcdl_config_find(cfg, "layer");
    if (!it || it->type != MCDL_CFG_LAYER || !it->class_name || !it->config)
        return mcdl_error(MCDL_ERR_FORMAT, "TimeDistributed '%s': config has no wrapped 'layer'",
                          mcdl_layer_name(l));
    if (strcmp(it->class_name, "Dense"))
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "TimeDistributed '%s' wraps a '%s'; only Dense is supported inside "
                          "TimeDistributed",
                          mcdl_layer_name(l), it->class_name);
    st->use_bias = true;
    st->alpha = 0.2f;
    st->kinit = MCDL_INIT_GLOROT_UNIFORM;
    st->binit = MCDL_INIT_ZEROS;
    const char *inner = "dense";
    MCDL_TRY(mcdl_cfg_get_int(l, it->config, "units", &st->units));
    MCDL_TRY(mcdl_cfg_get_activation(l, it->config, "activation", &st->act));
    MCDL_TRY(mcdl_cfg_get_bool(l, it->config, "use_bias", &st->use_bias));
    MCDL_TRY(mcdl_cfg_get_init(l, it->config, "kernel_initializer", &st->kinit));
    MCDL_TRY(mcdl_cfg_get_init(l, it->config, "bias_initializer", &st->binit));
    MCDL_TRY(mcdl_cfg_get_string(l, it->config, "name", &inner));
    snprintf(st->inner, sizeof st->inner, "%s", inner);
    return td_check(l, st);
}

static mcdl_status td_infer(mcdl_layer *l, mcdl_infer_args *a) {
    td_state *st = mcdl_layer_state(l);
    const mcdl_shape *in = &a->in[0];
    char sb[128];
    mcdl_shape_keras_str(in, sb, sizeof sb);
    if (in->rank < 2)
        return mcdl_error(MCDL_ERR_SHAPE,
                          "TimeDistributed '%s' needs (batch, steps, ...) inputs, got %s from '%s'",
                          mcdl_layer_name(l), sb, a->in_from[0]);
    const int64_t k = in->d[in->rank - 1];
    if (a->call == 0) {
        char p[160];
        st->in_dim = k;
        snprintf(p, sizeof p, "%s/kernel", st->inner);
        st->wk = mcdl_layer_add_weight(l, p, 2, (int64_t[]){k, st->units}, st->kinit, true);
        if (st->wk < 0) return mcdl_graph_status(mcdl_layer_graph(l));
        st->wb = -1;
        if (st->use_bias) {
            snprintf(p, sizeof p, "%s/bias", st->inner);
            st->wb = mcdl_layer_add_weight(l, p, 1, (int64_t[]){st->units}, st->binit, true);
            if (st->wb < 0) return mcdl_graph_status(mcdl_layer_graph(l));
        }
    } else if (k != st->in_dim) {
        return mcdl_error(MCDL_ERR_SHAPE,
                          "TimeDistributed '%s' was built for %lld features but gets %s from '%s'",
                          mcdl_layer_name(l), (long long)st->in_dim, sb, a->in_from[0]);
    }
    a->n_out = 1;
    a->out[0] = *in;
    a->out[0].d[in->rank - 1] = st->units;
    return MCDL_OK;
}

static int64_t td_rows(const td_state *st, const mcdl_exec_args *a) {
    return a->batch * (mcdl_shape_numel(&a->x_shape[0]) / st->in_dim);
}

static void td_workspace(const mcdl_layer *l, int call, int64_t batch, bool training, size_t *saved,
                         size_t *scratch) {
    const td_state *st = mcdl_layer_state(l);
    int64_t shape[MCDL_MAX_RANK];
    const int r = mcdl_node_shape(mcdl_layer_output(l, call, 0), shape);
    int64_t n = batch;
    for (int i = 0; i < r; i++) n *= shape[i];
    *saved = 0;
    *scratch = training && st->act != MCDL_LINEAR ? (size_t)n * sizeof(float) : 0;
}

static mcdl_status td_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const td_state *st = mcdl_layer_state(l);
    const int64_t M = td_rows(st, a);
    mcdl_gemm_epilogue ep = {.bias = st->wb >= 0 ? mcdl_layer_weight_data(l, st->wb) : NULL,
                             .act = mcdl_act_of(st->act),
                             .act_alpha = st->alpha};
    mcdl_f32_gemm('N', 'N', M, st->units, st->in_dim, 1.0f, a->x[0], st->in_dim,
                  mcdl_layer_weight_data(l, st->wk), st->units, 0.0f, a->y[0], st->units, &ep);
    return MCDL_OK;
}

static mcdl_status td_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const td_state *st = mcdl_layer_state(l);
    const int64_t M = td_rows(st, a), N = st->units, K = st->in_dim;
    const float *dz = a->dy[0];
    if (st->act != MCDL_LINEAR) {
        mcdl_apply_act_bwd(st->act, st->alpha, NULL, a->y[0], a->dy[0], a->scratch, M, N);
        dz = a->scratch;
    }
    mcdl_f32_gemm('T', 'N', K, N, M, 1.0f, a->x[0], K, dz, N, 1.0f,
                  mcdl_layer_weight_grad(l, st->wk), N, NULL);
    if (st->wb >= 0) {
        float *db = mcdl_layer_weight_grad(l, st->wb);
        for (int64_t m = 0; m < M; m++)
            for (int64_t n = 0; n < N; n++) db[n] += dz[m * N + n];
    }
    if (a->dx[0])
        mcdl_f32_gemm('N', 'T', M, K, N, 1.0f, dz, N, mcdl_layer_weight_data(l, st->wk), N, 0.0f,
                      a->dx[0], K, NULL);
    return MCDL_OK;
}

const mcdl_layer_class mcdl_time_distributed_class = {
    .class_name = "TimeDistributed",
    .auto_name = "time_distributed",
    .state_size = sizeof(td_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = td_from_config,
    .infer = td_infer,
    .workspace = td_workspace,
    .forward = td_forward,
    .backward = td_backward,
};

mcdl_layer *mcdl_time_distributed_layer(mcdl_graph *g, const mcdl_time_distributed_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    if (!o) {
        mcdl_graph_record(
            g, mcdl_error(MCDL_ERR_ARG, "TimeDistributed: options are required (dense.units)"));
        return NULL;
    }
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_time_distributed_class, o->name);
    if (!l) return NULL;
    td_state *st = mcdl_layer_state(l);
    st->units = o->dense.units;
    st->act = o->dense.activation;
    st->alpha = mcdl_opt_float(o->dense.alpha, 0.2f);
    st->use_bias = !o->dense.no_bias;
    st->kinit =
        o->dense.kernel_initializer ? o->dense.kernel_initializer : MCDL_INIT_GLOROT_UNIFORM;
    st->binit = o->dense.bias_initializer ? o->dense.bias_initializer : MCDL_INIT_ZEROS;
    snprintf(st->inner, sizeof st->inner, "%s", o->dense.name ? o->dense.name : "dense");
    mcdl_status s = td_check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

mcdl_node *mcdl_time_distributed(mcdl_graph *g, mcdl_node *x, const mcdl_time_distributed_opts *o) {
    return x ? mcdl_build_and_call(mcdl_time_distributed_layer(g, o), x) : NULL;
}
