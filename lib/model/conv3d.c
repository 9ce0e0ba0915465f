/* Conv3D: y = act(conv3d(x, kernel) + bias) on (batch, depth, rows, cols, channels), over
 * the im2col-per-depth-slice kernels (kernels/conv/conv3d.h). Activations as in Conv2D:
 * (relu, sigmoid, tanh, leaky_relu) fused in the GEMM epilogue, others after it with the
 * pre-activation kept for backward. */
#include <string.h>

#include "kernels/conv/conv3d.h"
#include "lib/core/error.h"
#include "lib/model/conv_layers.h"

typedef struct {
    int64_t filters, k[3], s[3], d[3];
    mcdl_padding_mode pad;
    mcdl_activation_id act;
    float alpha;
    bool use_bias;
    mcdl_init kinit, binit;
    int64_t in[4], out[3], pb[3]; /* built: D, H, W, C; OD, OH, OW; padding before */
    int wk, wb;
} conv3d_state;

static bool fused(mcdl_activation_id a) {
    return a == MCDL_LINEAR || a == MCDL_RELU || a == MCDL_SIGMOID || a == MCDL_TANH ||
           a == MCDL_LEAKY_RELU;
}
static bool keeps_z(const conv3d_state *st) {
    return !fused(st->act) && mcdl_act_needs_x(st->act, st->alpha);
}

static void defaults(conv3d_state *st) {
    for (int i = 0; i < 3; i++) {
        if (st->k[i] == 0 && i > 0) st->k[i] = st->k[0];
        if (st->s[i] == 0) st->s[i] = 1;
        if (st->d[i] == 0) st->d[i] = 1;
    }
    if (!st->kinit) st->kinit = MCDL_INIT_GLOROT_UNIFORM;
    if (!st->binit) st->binit = MCDL_INIT_ZEROS;
}

static mcdl_status check(const mcdl_layer *l, const conv3d_state *st) {
    if (st->filters <= 0)
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' (Conv3D): filters must be > 0, got %lld",
                          mcdl_layer_name(l), (long long)st->filters);
    for (int i = 0; i < 3; i++)
        if (st->k[i] <= 0 || st->s[i] <= 0 || st->d[i] <= 0 || (st->s[i] > 1 && st->d[i] > 1))
            return mcdl_error(MCDL_ERR_ARG,
                              "layer '%s' (Conv3D): kernel %lld, stride %lld, dilation %lld on "
                              "axis %d (each > 0, not both stride and dilation > 1)",
                              mcdl_layer_name(l), (long long)st->k[i], (long long)st->s[i],
                              (long long)st->d[i], i);
    if (st->pad == MCDL_PADDING_CAUSAL)
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' (Conv3D): padding must be 'valid' or 'same'",
                          mcdl_layer_name(l));
    if ((unsigned)st->act >= MCDL_ACTIVATION_COUNT || (unsigned)st->kinit >= MCDL_INIT_COUNT ||
        (unsigned)st->binit >= MCDL_INIT_COUNT)
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' (Conv3D): unknown activation or initializer",
                          mcdl_layer_name(l));
    return MCDL_OK;
}

static mcdl_status triple(mcdl_layer *l, const mcdl_config *c, const char *key, int64_t *out) {
    int64_t v[3];
    int n = 0;
    MCDL_TRY(mcdl_cfg_get_ints(l, c, key, v, 3, &n));
    if (n == 1) out[0] = out[1] = out[2] = v[0];
    if (n == 3) memcpy(out, v, sizeof v);
    if (n == 2)
        return mcdl_error(MCDL_ERR_FORMAT, "layer '%s' (Conv3D): '%s' needs 1 or 3 numbers",
                          mcdl_layer_name(l), key);
    return MCDL_OK;
}

static mcdl_status c3_from_config(mcdl_layer *l, const mcdl_config *c) {
    conv3d_state *st = mcdl_layer_state(l);
    st->use_bias = true;
    st->alpha = 0.2f;
    MCDL_TRY(mcdl_cfg_get_int(l, c, "filters", &st->filters));
    MCDL_TRY(triple(l, c, "kernel_size", st->k));
    MCDL_TRY(triple(l, c, "strides", st->s));
    MCDL_TRY(triple(l, c, "dilation_rate", st->d));
    MCDL_TRY(mcdl_conv_cfg_common(l, c, false, &st->pad));
    MCDL_TRY(mcdl_cfg_get_activation(l, c, "activation", &st->act));
    MCDL_TRY(mcdl_cfg_get_bool(l, c, "use_bias", &st->use_bias));
    MCDL_TRY(mcdl_cfg_get_init(l, c, "kernel_initializer", &st->kinit));
    MCDL_TRY(mcdl_cfg_get_init(l, c, "bias_initializer", &st->binit));
    if (!mcdl_config_find(c, "filters") || !mcdl_config_find(c, "kernel_size"))
        return mcdl_error(MCDL_ERR_FORMAT,
                          "layer '%s' (Conv3D): config needs 'filters' and 'kernel_size'",
                          mcdl_layer_name(l));
    defaults(st);
    return check(l, st);
}

static void c3_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const conv3d_state *st = mcdl_layer_state(l);
    const double k[3] = {(double)st->k[0], (double)st->k[1], (double)st->k[2]};
    const double s[3] = {(double)st->s[0], (double)st->s[1], (double)st->s[2]};
    const double d[3] = {(double)st->d[0], (double)st->d[1], (double)st->d[2]};
    mcdl_cfg_put_number(w, "filters", (double)st->filters);
    mcdl_cfg_put_numbers(w, "kernel_size", 3, k);
    mcdl_cfg_put_numbers(w, "strides", 3, s);
    mcdl_cfg_put_string(w, "padding", mcdl_conv_padding_name(st->pad));
    mcdl_cfg_put_string(w, "data_format", "channels_last");
    mcdl_cfg_put_numbers(w, "dilation_rate", 3, d);
    mcdl_cfg_put_string(w, "activation", mcdl_activation_name(st->act));
    mcdl_cfg_put_bool(w, "use_bias", st->use_bias);
    mcdl_cfg_put_init(w, "kernel_initializer", st->kinit);
    mcdl_cfg_put_init(w, "bias_initializer", st->binit);
}

static mcdl_status c3_infer(mcdl_layer *l, mcdl_infer_args *a) {
    conv3d_state *st = mcdl_layer_state(l);
    const mcdl_shape *in = &a->in[0];
    char sb[128];
    mcdl_shape_keras_str(in, sb, sizeof sb);
    if (in->rank != 4)
        return mcdl_error(MCDL_ERR_SHAPE,
                          "layer '%s' (Conv3D) needs a rank-5 input (batch, depth, rows, cols, "
                          "channels), got %s from '%s'",
                          mcdl_layer_name(l), sb, a->in_from[0]);
    int64_t out[3], pb[3];
    for (int i = 0; i < 3; i++)
        if (mcdl_conv_out_len(in->d[i], st->k[i], st->s[i], st->d[i], (mcdl_padding)st->pad,
                              &out[i], &pb[i]))
            return mcdl_error(MCDL_ERR_SHAPE,
                              "layer '%s' (Conv3D): kernel %lldx%lldx%lld (padding '%s') does not "
                              "fit the input %s from '%s'",
                              mcdl_layer_name(l), (long long)st->k[0], (long long)st->k[1],
                              (long long)st->k[2], mcdl_conv_padding_name(st->pad), sb,
                              a->in_from[0]);
    if (a->call == 0) {
        st->in[3] = in->d[3];
        st->wk = mcdl_layer_add_weight(
            l, "kernel", 5, (int64_t[]){st->k[0], st->k[1], st->k[2], in->d[3], st->filters},
            st->kinit, true);
        if (st->wk < 0) return mcdl_graph_status(mcdl_layer_graph(l));
        st->wb = -1;
        if (st->use_bias) {
            st->wb = mcdl_layer_add_weight(l, "bias", 1, (int64_t[]){st->filters}, st->binit, true);
            if (st->wb < 0) return mcdl_graph_status(mcdl_layer_graph(l));
        }
    } else if (in->d[3] != st->in[3]) {
        return mcdl_error(
            MCDL_ERR_SHAPE,
            "layer '%s' (Conv3D) was built for %lld input channels but gets %s from '%s'",
            mcdl_layer_name(l), (long long)st->in[3], sb, a->in_from[0]);
    }
    for (int i = 0; i < 3; i++) st->in[i] = in->d[i], st->out[i] = out[i], st->pb[i] = pb[i];
    a->n_out = 1;
    a->out[0] = *in;
    for (int i = 0; i < 3; i++) a->out[0].d[i] = out[i];
    a->out[0].d[3] = st->filters;
    return MCDL_OK;
}

static mcdl_conv3d_geom geom_of(const conv3d_state *st, int64_t batch, int nt) {
    const mcdl_conv3d_geom g = {.N = batch,
                                .D = st->in[0],
                                .H = st->in[1],
                                .W = st->in[2],
                                .C = st->in[3],
                                .OD = st->out[0],
                                .OH = st->out[1],
                                .OW = st->out[2],
                                .F = st->filters,
                                .KD = st->k[0],
                                .KH = st->k[1],
                                .KW = st->k[2],
                                .SD = st->s[0],
                                .SH = st->s[1],
                                .SW = st->s[2],
                                .DD = st->d[0],
                                .DH = st->d[1],
                                .DW = st->d[2],
                                .PF = st->pb[0],
                                .PT = st->pb[1],
                                .PL = st->pb[2],
                                .nthreads = nt};
    return g;
}

static int64_t rows_of(const conv3d_state *st, int64_t batch) {
    return batch * st->out[0] * st->out[1] * st->out[2];
}
static int64_t nweights(const conv3d_state *st) {
    return st->k[0] * st->k[1] * st->k[2] * st->in[3] * st->filters;
}

static void c3_workspace(const mcdl_layer *l, int call, int64_t batch, bool training, size_t *saved,
                         size_t *scratch) {
    (void)call;
    const conv3d_state *st = mcdl_layer_state(l);
    const mcdl_conv3d_geom g = geom_of(st, batch, mcdl_conv_plan_threads());
    const size_t rowsF = (size_t)(rows_of(st, batch) * st->filters);
    const size_t bwd = (st->act != MCDL_LINEAR ? rowsF : 0) + (size_t)(nweights(st) + st->filters);
    *scratch = (mcdl_conv3d_workspace_size(&g) + (training ? bwd : 0) + 16) * sizeof(float);
    *saved = training && keeps_z(st) ? (rowsF + 16) * sizeof(float) : 0;
}

static mcdl_status c3_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const conv3d_state *st = mcdl_layer_state(l);
    const mcdl_conv3d_geom g = geom_of(st, a->batch, mcdl_conv_run_threads());
    float *y = a->y[0];
    float *z = fused(st->act) ? y : (a->training && keeps_z(st) ? (float *)a->saved : y);
    mcdl_f32_conv3d_fwd(&g, a->x[0], mcdl_layer_weight_data(l, st->wk),
                        st->use_bias ? mcdl_layer_weight_data(l, st->wb) : NULL,
                        fused(st->act) ? mcdl_act_of(st->act) : MCDL_ACT_NONE, st->alpha, z,
                        a->scratch);
    if (!fused(st->act))
        mcdl_apply_act_fwd(st->act, st->alpha, z, y, rows_of(st, a->batch), st->filters);
    return MCDL_OK;
}

static mcdl_status c3_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const conv3d_state *st = mcdl_layer_state(l);
    const mcdl_conv3d_geom g = geom_of(st, a->batch, mcdl_conv_run_threads());
    const mcdl_conv3d_geom gp = geom_of(st, a->batch, mcdl_conv_plan_threads());
    const int64_t rows = rows_of(st, a->batch), F = st->filters, nw = nweights(st);
    float *kws = a->scratch, *dzb = kws + mcdl_conv3d_workspace_size(&gp);
    float *gtmp = dzb + (st->act != MCDL_LINEAR ? rows * F : 0);
    const float *dz = a->dy[0];
    if (st->act != MCDL_LINEAR) {
        mcdl_apply_act_bwd(st->act, st->alpha, keeps_z(st) ? (const float *)a->saved : NULL,
                           a->y[0], a->dy[0], dzb, rows, F);
        dz = dzb;
    }
    if (mcdl_layer_trainable(l)) {
        mcdl_f32_conv3d_bwd_weights(&g, a->x[0], dz, gtmp, gtmp + nw, kws);
        float *gk = mcdl_layer_weight_grad(l, st->wk);
        for (int64_t i = 0; i < nw; i++) gk[i] += gtmp[i];
        if (st->use_bias) {
            float *gb = mcdl_layer_weight_grad(l, st->wb);
            for (int64_t f = 0; f < F; f++) gb[f] += gtmp[nw + f];
        }
    }
    if (a->dx[0])
        mcdl_f32_conv3d_bwd_data(&g, dz, mcdl_layer_weight_data(l, st->wk), a->dx[0], kws);
    return MCDL_OK;
}

const mcdl_layer_class mcdl_conv3d_class = {.class_name = "Conv3D",
                                            .auto_name = "conv3d",
                                            .state_size = sizeof(conv3d_state),
                                            .min_inputs = 1,
                                            .max_inputs = 1,
                                            .from_config = c3_from_config,
                                            .to_config = c3_to_config,
                                            .infer = c3_infer,
                                            .workspace = c3_workspace,
                                            .forward = c3_forward,
                                            .backward = c3_backward};

mcdl_layer *mcdl_conv3d_layer(mcdl_graph *g, const mcdl_conv3d_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    if (!o) {
        mcdl_graph_record(
            g, mcdl_error(MCDL_ERR_ARG, "Conv3D: options are required (filters, kernel_size)"));
        return NULL;
    }
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_conv3d_class, o->name);
    if (!l) return NULL;
    conv3d_state *st = mcdl_layer_state(l);
    st->filters = o->filters;
    memcpy(st->k, o->kernel_size, sizeof st->k);
    memcpy(st->s, o->strides, sizeof st->s);
    memcpy(st->d, o->dilation_rate, sizeof st->d);
    st->pad = o->padding;
    st->act = o->activation;
    st->alpha = mcdl_opt_float(o->alpha, 0.2f);
    st->use_bias = !o->no_bias;
    st->kinit = o->kernel_initializer;
    st->binit = o->bias_initializer;
    defaults(st);
    mcdl_status s = check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

mcdl_node *mcdl_conv3d(mcdl_graph *g, mcdl_node *x, const mcdl_conv3d_opts *o) {
    return x ? mcdl_build_and_call(mcdl_conv3d_layer(g, o), x) : NULL;
}
