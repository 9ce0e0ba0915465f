/* SimpleRNN, LSTM and GRU layers over the fused kernels of kernels/rnn: Keras options and
 * config keys, weights under the cell sublayer (lstm/lstm_cell/kernel, ...), extra inputs
 * for initial_state, return_sequences / return_state outputs, input dropout in training.
 * The kernel's forward workspace is this call's saved memory in training (backward
 * reads the gate pre-activations and states from it), scratch otherwise. */
#include <stdio.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/core_layers.h"
#include "lib/model/rnn_layers.h"
#include "mcdl/rng.h"

static const char *const k_class[] = {"SimpleRNN", "LSTM", "GRU"};

const char *mcdl_rnn_cell_sublayer(mcdl_rnn_cell cell) {
    return cell == MCDL_RNN_LSTM  ? "lstm_cell"
           : cell == MCDL_RNN_GRU ? "gru_cell"
                                  : "simple_rnn_cell";
}

const char *mcdl_rnn_auto_name(mcdl_rnn_cell cell) {
    return cell == MCDL_RNN_LSTM ? "lstm" : cell == MCDL_RNN_GRU ? "gru" : "simple_rnn";
}

int mcdl_rnn_num_states(mcdl_rnn_cell cell) { return cell == MCDL_RNN_LSTM ? 2 : 1; }

void mcdl_rnn_cfg_defaults(mcdl_rnn_cfg *c, mcdl_rnn_cell cell) {
    memset(c, 0, sizeof *c);
    c->cell = cell;
    c->act = MCDL_TANH;
    c->rec_act = MCDL_SIGMOID;
    c->use_bias = c->unit_forget_bias = c->reset_after = true;
    c->kinit = MCDL_INIT_GLOROT_UNIFORM;
    c->rinit = MCDL_INIT_ORTHOGONAL;
    c->binit = MCDL_INIT_ZEROS;
    c->wb = -1;
}

void mcdl_rnn_cfg_from_opts(mcdl_rnn_cfg *c, mcdl_rnn_cell cell, const mcdl_rnn_opts *o) {
    mcdl_rnn_cfg_defaults(c, cell);
    c->units = o->units;
    c->act = o->linear_activation ? MCDL_LINEAR : o->activation ? o->activation : MCDL_TANH;
    c->rec_act = o->linear_recurrent_activation ? MCDL_LINEAR
                 : o->recurrent_activation      ? o->recurrent_activation
                                                : MCDL_SIGMOID;
    c->use_bias = !o->no_bias;
    c->return_sequences = o->return_sequences;
    c->return_state = o->return_state;
    c->go_backwards = o->go_backwards;
    c->unit_forget_bias = !o->no_unit_forget_bias;
    c->reset_after = !o->no_reset_after;
    c->dropout = o->dropout;
    c->recurrent_dropout = o->recurrent_dropout;
    c->mask_input = o->mask_input;
    if (o->kernel_initializer) c->kinit = o->kernel_initializer;
    if (o->recurrent_initializer) c->rinit = o->recurrent_initializer;
    if (o->bias_initializer) c->binit = o->bias_initializer;
}

mcdl_status mcdl_rnn_cfg_read(const mcdl_layer *l, mcdl_rnn_cfg *c, const mcdl_config *cfg) {
    MCDL_TRY(mcdl_cfg_get_int(l, cfg, "units", &c->units));
    MCDL_TRY(mcdl_cfg_get_activation(l, cfg, "activation", &c->act));
    MCDL_TRY(mcdl_cfg_get_activation(l, cfg, "recurrent_activation", &c->rec_act));
    MCDL_TRY(mcdl_cfg_get_bool(l, cfg, "use_bias", &c->use_bias));
    MCDL_TRY(mcdl_cfg_get_bool(l, cfg, "return_sequences", &c->return_sequences));
    MCDL_TRY(mcdl_cfg_get_bool(l, cfg, "return_state", &c->return_state));
    MCDL_TRY(mcdl_cfg_get_bool(l, cfg, "go_backwards", &c->go_backwards));
    MCDL_TRY(mcdl_cfg_get_bool(l, cfg, "unit_forget_bias", &c->unit_forget_bias));
    MCDL_TRY(mcdl_cfg_get_bool(l, cfg, "reset_after", &c->reset_after));
    MCDL_TRY(mcdl_cfg_get_float(l, cfg, "dropout", &c->dropout));
    MCDL_TRY(mcdl_cfg_get_float(l, cfg, "recurrent_dropout", &c->recurrent_dropout));
    MCDL_TRY(mcdl_cfg_get_init(l, cfg, "kernel_initializer", &c->kinit));
    MCDL_TRY(mcdl_cfg_get_init(l, cfg, "recurrent_initializer", &c->rinit));
    MCDL_TRY(mcdl_cfg_get_init(l, cfg, "bias_initializer", &c->binit));
    if (!mcdl_config_find(cfg, "units"))
        return mcdl_error(MCDL_ERR_FORMAT, "%s '%s': config has no 'units'", k_class[c->cell],
                          mcdl_layer_name(l));
    return MCDL_OK;
}

void mcdl_rnn_cfg_write(const mcdl_rnn_cfg *c, mcdl_cfg_writer *w) {
    mcdl_cfg_put_number(w, "units", (double)c->units);
    mcdl_cfg_put_string(w, "activation", mcdl_activation_name(c->act));
    if (c->cell != MCDL_RNN_SIMPLE)
        mcdl_cfg_put_string(w, "recurrent_activation", mcdl_activation_name(c->rec_act));
    mcdl_cfg_put_bool(w, "use_bias", c->use_bias);
    mcdl_cfg_put_bool(w, "return_sequences", c->return_sequences);
    mcdl_cfg_put_bool(w, "return_state", c->return_state);
    mcdl_cfg_put_bool(w, "go_backwards", c->go_backwards);
    if (c->cell == MCDL_RNN_LSTM) mcdl_cfg_put_bool(w, "unit_forget_bias", c->unit_forget_bias);
    if (c->cell == MCDL_RNN_GRU) mcdl_cfg_put_bool(w, "reset_after", c->reset_after);
    mcdl_cfg_put_number(w, "dropout", c->dropout);
    mcdl_cfg_put_number(w, "recurrent_dropout", c->recurrent_dropout);
    mcdl_cfg_put_init(w, "kernel_initializer", c->kinit);
    mcdl_cfg_put_init(w, "recurrent_initializer", c->rinit);
    mcdl_cfg_put_init(w, "bias_initializer", c->binit);
}

mcdl_status mcdl_rnn_cfg_check(const mcdl_layer *l, const mcdl_rnn_cfg *c) {
    const char *cls = k_class[c->cell], *name = mcdl_layer_name(l);
    if (c->units <= 0)
        return mcdl_error(MCDL_ERR_ARG, "%s '%s': units must be > 0, got %lld", cls, name,
                          (long long)c->units);
    if ((unsigned)c->act >= MCDL_ACTIVATION_COUNT ||
        (unsigned)c->rec_act >= MCDL_ACTIVATION_COUNT ||
        !mcdl_rnn_act_supported((mcdl_act)c->act) || !mcdl_rnn_act_supported((mcdl_act)c->rec_act))
        return mcdl_error(
            MCDL_ERR_UNSUPPORTED,
            "%s '%s': activation '%s' / recurrent_activation '%s' is not supported in "
            "a recurrent cell (gelu and softmax are not)",
            cls, name, mcdl_activation_name(c->act), mcdl_activation_name(c->rec_act));
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f) ||
        !(c->recurrent_dropout >= 0.0f && c->recurrent_dropout < 1.0f))
        return mcdl_error(MCDL_ERR_ARG,
                          "%s '%s': dropout %g and recurrent_dropout %g must be in [0, 1)", cls,
                          name, (double)c->dropout, (double)c->recurrent_dropout);
    if ((unsigned)c->kinit >= MCDL_INIT_COUNT || (unsigned)c->rinit >= MCDL_INIT_COUNT ||
        (unsigned)c->binit >= MCDL_INIT_COUNT)
        return mcdl_error(MCDL_ERR_ARG, "%s '%s': unknown initializer id", cls, name);
    return MCDL_OK;
}

mcdl_status mcdl_rnn_cfg_build(mcdl_layer *l, mcdl_rnn_cfg *c, const char *prefix, int64_t in_dim) {
    const int64_t G = mcdl_rnn_gates(c->cell), u = c->units;
    char path[256];
    c->in_dim = in_dim;
    snprintf(path, sizeof path, "%s/kernel", prefix);
    c->wk = mcdl_layer_add_weight(l, path, 2, (int64_t[]){in_dim, G * u}, c->kinit, true);
    snprintf(path, sizeof path, "%s/recurrent_kernel", prefix);
    c->wr = mcdl_layer_add_weight(l, path, 2, (int64_t[]){u, G * u}, c->rinit, true);
    if (c->wk < 0 || c->wr < 0) return mcdl_graph_status(mcdl_layer_graph(l));
    c->wb = -1;
    if (c->use_bias) {
        snprintf(path, sizeof path, "%s/bias", prefix);
        const bool two = c->cell == MCDL_RNN_GRU && c->reset_after;
        c->wb = two ? mcdl_layer_add_weight(l, path, 2, (int64_t[]){2, G * u}, c->binit, true)
                    : mcdl_layer_add_weight(l, path, 1, (int64_t[]){G * u}, c->binit, true);
        if (c->wb < 0) return mcdl_graph_status(mcdl_layer_graph(l));
        /* Keras LSTM unit_forget_bias: the forget gate's block starts at 1 */
        if (c->cell == MCDL_RNN_LSTM && c->unit_forget_bias) {
            float *b = mcdl_layer_weight_data(l, c->wb);
            for (int64_t j = u; j < 2 * u; j++) b[j] = 1.0f;
        }
    }
    return MCDL_OK;
}

mcdl_rnn_desc mcdl_rnn_cfg_desc(const mcdl_rnn_cfg *c, int64_t batch, int64_t steps,
                                bool training) {
    return (mcdl_rnn_desc){.cell = c->cell,
                           .batch = batch,
                           .steps = steps,
                           .in = c->in_dim,
                           .units = c->units,
                           .act = (mcdl_act)c->act,
                           .rec_act = (mcdl_act)c->rec_act,
                           .reset_after = c->reset_after,
                           .go_backwards = c->go_backwards,
                           .rec_dropout = training && c->recurrent_dropout > 0};
}

size_t mcdl_rnn_xdrop_bytes(const mcdl_rnn_cfg *c, int64_t batch, int64_t steps, bool training) {
    return training && c->dropout > 0
               ? mcdl_rnn_round64((size_t)(batch * steps * c->in_dim) * sizeof(float))
               : 0;
}

size_t mcdl_rnn_rmask_bytes(const mcdl_rnn_cfg *c, int64_t batch, bool training) {
    return training && c->recurrent_dropout > 0
               ? mcdl_rnn_round64((size_t)(batch * c->units) * sizeof(float))
               : 0;
}

/* Counter of mask element i: the input mask first, then the recurrent one, per salt. For
 * salt 0 the input mask keeps the counters it always had (b * in + k). */
static float rnn_mask_value(const mcdl_exec_args *a, uint64_t counter, float rate) {
    return mcdl_rng_uniform(a->rng_seed, a->rng_stream, a->rng_offset + counter) >= rate
               ? 1.0f / (1.0f - rate)
               : 0.0f;
}

static uint64_t rnn_mask_base(const mcdl_rnn_cfg *c, const mcdl_exec_args *a, int salt) {
    return (uint64_t)salt * (uint64_t)(a->batch * (c->in_dim + c->units));
}

void mcdl_rnn_drop_inputs(const mcdl_rnn_cfg *c, const mcdl_exec_args *a, int salt, const float *x,
                          float *xd) {
    const int64_t B = a->batch, T = a->x_shape[0].d[0], in = c->in_dim;
    const uint64_t base = rnn_mask_base(c, a, salt);
    for (int64_t b = 0; b < B; b++)
        for (int64_t k = 0; k < in; k++) {
            const float m = rnn_mask_value(a, base + (uint64_t)(b * in + k), c->dropout);
            for (int64_t t = 0; t < T; t++) xd[(b * T + t) * in + k] = x[(b * T + t) * in + k] * m;
        }
}

void mcdl_rnn_drop_inputs_grad(const mcdl_rnn_cfg *c, const mcdl_exec_args *a, int salt,
                               const float *dxd, float *dx, bool accumulate) {
    const int64_t B = a->batch, T = a->x_shape[0].d[0], in = c->in_dim;
    const uint64_t base = rnn_mask_base(c, a, salt);
    for (int64_t b = 0; b < B; b++)
        for (int64_t k = 0; k < in; k++) {
            const float m = rnn_mask_value(a, base + (uint64_t)(b * in + k), c->dropout);
            for (int64_t t = 0; t < T; t++) {
                const int64_t i = (b * T + t) * in + k;
                dx[i] = accumulate ? dx[i] + dxd[i] * m : dxd[i] * m;
            }
        }
}

void mcdl_rnn_rec_mask(const mcdl_rnn_cfg *c, const mcdl_exec_args *a, int salt, float *rm) {
    const int64_t B = a->batch, u = c->units;
    const uint64_t base = rnn_mask_base(c, a, salt) + (uint64_t)(B * c->in_dim);
    for (int64_t i = 0; i < B * u; i++)
        rm[i] = rnn_mask_value(a, base + (uint64_t)i, c->recurrent_dropout);
}

mcdl_rnn_fwd_args mcdl_rnn_cfg_fwd_args(const mcdl_layer *l, const mcdl_rnn_cfg *c,
                                        const float *x) {
    return (mcdl_rnn_fwd_args){.x = x,
                               .kernel = mcdl_layer_weight_data(l, c->wk),
                               .rkernel = mcdl_layer_weight_data(l, c->wr),
                               .bias = c->wb >= 0 ? mcdl_layer_weight_data(l, c->wb) : NULL};
}

/* ---- the SimpleRNN / LSTM / GRU layer ------------------------------------------------- */

static mcdl_status rnn_from_config(mcdl_layer *l, const mcdl_config *cfg) {
    mcdl_rnn_cfg *c = mcdl_layer_state(l);
    const mcdl_layer_class *cls = mcdl_layer_get_class(l);
    mcdl_rnn_cfg_defaults(c, cls == &mcdl_lstm_class  ? MCDL_RNN_LSTM
                             : cls == &mcdl_gru_class ? MCDL_RNN_GRU
                                                      : MCDL_RNN_SIMPLE);
    MCDL_TRY(mcdl_rnn_cfg_read(l, c, cfg));
    return mcdl_rnn_cfg_check(l, c);
}

static void rnn_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    mcdl_rnn_cfg_write(mcdl_layer_state(l), w);
}

static mcdl_status rnn_infer(mcdl_layer *l, mcdl_infer_args *a) {
    mcdl_rnn_cfg *c = mcdl_layer_state(l);
    const char *cls = k_class[c->cell], *name = mcdl_layer_name(l);
    const mcdl_shape *in = &a->in[0];
    char sb[128];
    mcdl_shape_keras_str(in, sb, sizeof sb);
    if (in->rank != 2)
        return mcdl_error(MCDL_ERR_SHAPE,
                          "%s '%s' needs (batch, steps, features) inputs, got %s from '%s'", cls,
                          name, sb, a->in_from[0]);
    if (in->d[0] < 1 || in->d[1] < 1)
        return mcdl_error(MCDL_ERR_SHAPE,
                          "%s '%s': sequence length %lld and features %lld must be >= 1 (input %s "
                          "from '%s')",
                          cls, name, (long long)in->d[0], (long long)in->d[1], sb, a->in_from[0]);
    const int ns = mcdl_rnn_num_states(c->cell), nm = c->mask_input ? 1 : 0;
    if (a->n_in - nm < 1)
        return mcdl_error(MCDL_ERR_SHAPE, "%s '%s' was made with mask_input but got no mask input",
                          cls, name);
    if (nm) {
        const mcdl_shape *ms = &a->in[a->n_in - 1];
        if (ms->rank != 1 || ms->d[0] != in->d[0]) {
            mcdl_shape_keras_str(ms, sb, sizeof sb);
            return mcdl_error(MCDL_ERR_SHAPE,
                              "%s '%s': the mask must be (None, %lld), got %s from '%s'", cls, name,
                              (long long)in->d[0], sb, a->in_from[a->n_in - 1]);
        }
    }
    if (a->n_in - nm != 1 && a->n_in - nm != 1 + ns)
        return mcdl_error(MCDL_ERR_SHAPE, "%s '%s': initial_state needs %d tensor%s (%s), got %d",
                          cls, name, ns, ns > 1 ? "s" : "", ns > 1 ? "[h, c]" : "[h]",
                          a->n_in - nm - 1);
    for (int i = 1; i < a->n_in - nm; i++)
        if (a->in[i].rank != 1 || a->in[i].d[0] != c->units) {
            mcdl_shape_keras_str(&a->in[i], sb, sizeof sb);
            return mcdl_error(MCDL_ERR_SHAPE,
                              "%s '%s': initial state %d must be (None, %lld), got %s from '%s'",
                              cls, name, i - 1, (long long)c->units, sb, a->in_from[i]);
        }
    if (a->call == 0) {
        char prefix[128];
        snprintf(prefix, sizeof prefix, "%s", mcdl_rnn_cell_sublayer(c->cell));
        MCDL_TRY(mcdl_rnn_cfg_build(l, c, prefix, in->d[1]));
    } else if (in->d[1] != c->in_dim) {
        return mcdl_error(MCDL_ERR_SHAPE,
                          "%s '%s' was built for %lld features but gets %s from '%s'", cls, name,
                          (long long)c->in_dim, sb, a->in_from[0]);
    }
    a->n_out = 1;
    a->out[0] = (mcdl_shape){.rank = c->return_sequences ? 2 : 1};
    if (c->return_sequences) {
        a->out[0].d[0] = in->d[0];
        a->out[0].d[1] = c->units;
    } else {
        a->out[0].d[0] = c->units;
    }
    if (c->return_state)
        for (int i = 0; i < ns; i++) a->out[a->n_out++] = (mcdl_shape){.rank = 1, .d = {c->units}};
    return MCDL_OK;
}

static int64_t rnn_steps(const mcdl_layer *l, int call) {
    int64_t shape[MCDL_MAX_RANK];
    mcdl_node_shape(mcdl_layer_call_input(l, call, 0), shape);
    return shape[0];
}

/* Byte offsets of this call's buffers. saved (training): [kernel fwd workspace][dropped-out
 * inputs][recurrent mask][step mask]; scratch: [bwd workspace][dropped-out inputs'
 * gradient] in training, [fwd workspace][step mask] in inference. */
typedef struct {
    size_t fws, bws, xd, rm, mb;
} rnn_layout;

static rnn_layout rnn_plan(const mcdl_rnn_cfg *c, int64_t B, int64_t T, bool training) {
    mcdl_rnn_desc d = mcdl_rnn_cfg_desc(c, B, T, training);
    return (rnn_layout){.fws = mcdl_rnn_round64(mcdl_rnn_fwd_workspace_size(&d)),
                        .bws = training ? mcdl_rnn_round64(mcdl_rnn_bwd_workspace_size(&d)) : 0,
                        .xd = mcdl_rnn_xdrop_bytes(c, B, T, training),
                        .rm = mcdl_rnn_rmask_bytes(c, B, training),
                        .mb = c->mask_input ? mcdl_rnn_round64((size_t)(B * T)) : 0};
}

static void rnn_workspace(const mcdl_layer *l, int call, int64_t batch, bool training,
                          size_t *saved, size_t *scratch) {
    const mcdl_rnn_cfg *c = mcdl_layer_state(l);
    const rnn_layout z = rnn_plan(c, batch, rnn_steps(l, call), training);
    *saved = training ? z.fws + z.xd + z.rm + z.mb : 0;
    *scratch = training ? z.bws + z.xd : z.fws + z.mb;
}

/* The step mask (bytes after the workspace, the dropped-out inputs and the recurrent
 * mask) from the call's last input, or NULL without mask_input. */
static const uint8_t *rnn_mask(const mcdl_rnn_cfg *c, const mcdl_exec_args *a, char *mem,
                               const rnn_layout *z, bool fill) {
    if (!c->mask_input) return NULL;
    const int64_t B = a->batch, T = a->x_shape[0].d[0];
    uint8_t *m = (uint8_t *)(mem + z->fws + z->xd + z->rm);
    if (fill) {
        const float *src = a->x[a->n_in - 1];
        for (int64_t i = 0; i < B * T; i++) m[i] = src[i] != 0.0f;
    }
    return m;
}

/* Number of initial-state inputs of this call. */
static int rnn_nstates(const mcdl_rnn_cfg *c, const mcdl_exec_args *a) {
    return a->n_in - 1 - (c->mask_input ? 1 : 0);
}

static mcdl_status rnn_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const mcdl_rnn_cfg *c = mcdl_layer_state(l);
    const int64_t B = a->batch, T = a->x_shape[0].d[0];
    mcdl_rnn_desc d = mcdl_rnn_cfg_desc(c, B, T, a->training);
    const rnn_layout z = rnn_plan(c, B, T, a->training);
    char *mem = a->training ? a->saved : a->scratch;
    const float *x = a->x[0];
    if (z.xd) {
        float *xd = (float *)(mem + z.fws);
        mcdl_rnn_drop_inputs(c, a, 0, x, xd);
        x = xd;
    }
    mcdl_rnn_fwd_args fa = mcdl_rnn_cfg_fwd_args(l, c, x);
    if (z.rm) {
        float *rm = (float *)(mem + z.fws + z.xd);
        mcdl_rnn_rec_mask(c, a, 0, rm);
        fa.rmask = rm;
    }
    const int nst = rnn_nstates(c, a);
    fa.h0 = nst > 0 ? a->x[1] : NULL;
    fa.c0 = nst > 1 ? a->x[2] : NULL;
    fa.mask = rnn_mask(c, a, mem, &z, true);
    fa.y = c->return_sequences ? a->y[0] : NULL;
    fa.y_last = c->return_sequences ? NULL : a->y[0];
    fa.h_last = c->return_state ? a->y[1] : NULL;
    fa.c_last = c->return_state && c->cell == MCDL_RNN_LSTM ? a->y[2] : NULL;
    fa.inference = !a->training;
    mcdl_rnn_fwd(&d, &fa, mem);
    return MCDL_OK;
}

static mcdl_status rnn_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const mcdl_rnn_cfg *c = mcdl_layer_state(l);
    const int64_t B = a->batch, T = a->x_shape[0].d[0];
    mcdl_rnn_desc d = mcdl_rnn_cfg_desc(c, B, T, true);
    const rnn_layout z = rnn_plan(c, B, T, true);
    char *mem = a->saved;
    const float *x = z.xd ? (const float *)(mem + z.fws) : a->x[0];
    float *dxd = z.xd && a->dx[0] ? (float *)((char *)a->scratch + z.bws) : a->dx[0];
    mcdl_rnn_fwd_args fa = mcdl_rnn_cfg_fwd_args(l, c, x);
    fa.rmask = z.rm ? (const float *)(mem + z.fws + z.xd) : NULL;
    const int nst = rnn_nstates(c, a);
    fa.h0 = nst > 0 ? a->x[1] : NULL;
    fa.c0 = nst > 1 ? a->x[2] : NULL;
    fa.mask = rnn_mask(c, a, mem, &z, false);
    if (c->mask_input && a->dx[a->n_in - 1])
        memset(a->dx[a->n_in - 1], 0, (size_t)(B * T) * sizeof(float));
    const bool lstm = c->cell == MCDL_RNN_LSTM;
    mcdl_rnn_bwd_args g = {
        .dy = c->return_sequences ? a->dy[0] : NULL,
        .dy_last = c->return_sequences ? NULL : a->dy[0],
        .dh_last = c->return_state ? a->dy[1] : NULL,
        .dc_last = c->return_state && lstm ? a->dy[2] : NULL,
        .dx = dxd,
        .dkernel = mcdl_layer_weight_grad(l, c->wk),
        .drkernel = mcdl_layer_weight_grad(l, c->wr),
        .dbias = c->wb >= 0 ? mcdl_layer_weight_grad(l, c->wb) : NULL,
        .dh0 = nst > 0 ? a->dx[1] : NULL,
        .dc0 = nst > 1 ? a->dx[2] : NULL,
        .accumulate = true,
    };
    mcdl_rnn_bwd(&d, &fa, &g, mem, a->scratch);
    if (z.xd && a->dx[0]) mcdl_rnn_drop_inputs_grad(c, a, 0, dxd, a->dx[0], false);
    return MCDL_OK;
}

/* Keras' implicit mask (Embedding(mask_zero=True) upstream) becomes the step mask input:
 * masked steps carry the state and output over, exactly as with mask_input. An explicit
 * mask_input wins. */
static mcdl_status rnn_take_masks(mcdl_layer *l, int call, int n_in, mcdl_node *const *in,
                                  mcdl_node *const *masks, mcdl_node **extra, int *n_extra) {
    (void)call, (void)n_in, (void)in;
    mcdl_rnn_cfg *c = mcdl_layer_state(l);
    *n_extra = 0;
    if (!masks[0] || (c->mask_input && !c->mask_implicit)) return MCDL_OK;
    c->mask_input = c->mask_implicit = true;
    extra[(*n_extra)++] = masks[0];
    return MCDL_OK;
}

/* return_sequences keeps the steps and their mask; the last output has none. */
static mcdl_node *rnn_output_mask(mcdl_layer *l, int call, int n_in, mcdl_node *const *in,
                                  mcdl_node *const *masks) {
    (void)call, (void)n_in, (void)in;
    const mcdl_rnn_cfg *c = mcdl_layer_state(l);
    return c->return_sequences && n_in > 0 ? masks[0] : NULL;
}

#define RNN_CLASS(var, cls_name, auto)                                                             \
    const mcdl_layer_class var = {                                                                 \
        .take_masks = rnn_take_masks,                                                              \
        .output_mask = rnn_output_mask,                                                            \
        .class_name = cls_name,                                                                    \
        .auto_name = auto,                                                                         \
        .state_size = sizeof(mcdl_rnn_cfg),                                                        \
        .min_inputs = 1,                                                                           \
        .max_inputs = 4,                                                                           \
        .from_config = rnn_from_config,                                                            \
        .to_config = rnn_to_config,                                                                \
        .infer = rnn_infer,                                                                        \
        .workspace = rnn_workspace,                                                                \
        .forward = rnn_forward,                                                                    \
        .backward = rnn_backward,                                                                  \
    }

RNN_CLASS(mcdl_simple_rnn_class, "SimpleRNN", "simple_rnn");
RNN_CLASS(mcdl_lstm_class, "LSTM", "lstm");
RNN_CLASS(mcdl_gru_class, "GRU", "gru");

static mcdl_layer *rnn_make(mcdl_graph *g, const mcdl_layer_class *cls, mcdl_rnn_cell cell,
                            const mcdl_rnn_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    if (!o) {
        mcdl_graph_record(
            g, mcdl_error(MCDL_ERR_ARG, "%s: options are required (units)", k_class[cell]));
        return NULL;
    }
    mcdl_layer *l = mcdl_layer_new(g, cls, o->name);
    if (!l) return NULL;
    mcdl_rnn_cfg *c = mcdl_layer_state(l);
    mcdl_rnn_cfg_from_opts(c, cell, o);
    mcdl_status s = mcdl_rnn_cfg_check(l, c);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

mcdl_layer *mcdl_simple_rnn_layer(mcdl_graph *g, const mcdl_rnn_opts *o) {
    return rnn_make(g, &mcdl_simple_rnn_class, MCDL_RNN_SIMPLE, o);
}
mcdl_node *mcdl_simple_rnn(mcdl_graph *g, mcdl_node *x, const mcdl_rnn_opts *o) {
    return x ? mcdl_build_and_call(mcdl_simple_rnn_layer(g, o), x) : NULL;
}
mcdl_layer *mcdl_lstm_layer(mcdl_graph *g, const mcdl_rnn_opts *o) {
    return rnn_make(g, &mcdl_lstm_class, MCDL_RNN_LSTM, o);
}
mcdl_node *mcdl_lstm(mcdl_graph *g, mcdl_node *x, const mcdl_rnn_opts *o) {
    return x ? mcdl_build_and_call(mcdl_lstm_layer(g, o), x) : NULL;
}
mcdl_layer *mcdl_gru_layer(mcdl_graph *g, const mcdl_rnn_opts *o) {
    return rnn_make(g, &mcdl_gru_class, MCDL_RNN_GRU, o);
}
mcdl_node *mcdl_gru(mcdl_graph *g, mcdl_node *x, const mcdl_rnn_opts *o) {
    return x ? mcdl_build_and_call(mcdl_gru_layer(g, o), x) : NULL;
}
