/* Bidirectional(layer, merge_mode): a forward copy and a go_backwards copy of a SimpleRNN,
 * LSTM or GRU (keras/src/layers/rnn/bidirectional.py). Each copy is one fused kernel
 * call; with return_sequences the backward copy's outputs (in its processing order) are
 * flipped back so step t lines up with step t, then merged: concat, sum, ave, mul, or
 * none (two outputs). Weights: <name>/forward_<inner>/<cell>/kernel, ... */
#include <stdio.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/core_layers.h"
#include "lib/model/rnn_layers.h"

typedef struct {
    mcdl_rnn_cfg f, b;
    mcdl_merge_mode merge;
    char inner[64];
} bidir_state;

static const char *const k_merge[] = {"concat", "sum", "ave", "mul", "none"};

static mcdl_status bidir_check(const mcdl_layer *l, bidir_state *st) {
    if ((unsigned)st->merge > MCDL_MERGE_NONE)
        return mcdl_error(MCDL_ERR_ARG, "Bidirectional '%s': unknown merge_mode %d",
                          mcdl_layer_name(l), (int)st->merge);
    st->b = st->f;
    st->b.go_backwards = !st->f.go_backwards;
    return mcdl_rnn_cfg_check(l, &st->f);
}

static mcdl_status bidir_from_config(mcdl_layer *l, const mcdl_config *cfg) {
    bidir_state *st = mcdl_layer_state(l);
    const mcdl_cfg_item *it = mcdl_config_find(cfg, "layer");
    if (!it || it->type != MCDL_CFG_LAYER || !it->class_name || !it->config)
        return mcdl_error(MCDL_ERR_FORMAT, "Bidirectional '%s': config has no wrapped 'layer'",
                          mcdl_layer_name(l));
    mcdl_rnn_cell cell;
    if (!strcmp(it->class_name, "SimpleRNN"))
        cell = MCDL_RNN_SIMPLE;
    else if (!strcmp(it->class_name, "LSTM"))
        cell = MCDL_RNN_LSTM;
    else if (!strcmp(it->class_name, "GRU"))
        cell = MCDL_RNN_GRU;
    else
        return mcdl_error(
            MCDL_ERR_ARG,
            "Bidirectional '%s' wraps a '%s', which is not a recurrent layer (SimpleRNN, "
            "LSTM or GRU)",
            mcdl_layer_name(l), it->class_name);
    mcdl_rnn_cfg_defaults(&st->f, cell);
    MCDL_TRY(mcdl_rnn_cfg_read(l, &st->f, it->config));
    const char *inner = mcdl_rnn_auto_name(cell), *mode = "concat";
    MCDL_TRY(mcdl_cfg_get_string(l, it->config, "name", &inner));
    /* Keras names the forward copy forward_<inner> and strips that prefix when it
     * recreates the wrapper, so a saved config reloads with the same weight paths */
    if (!strncmp(inner, "forward_", 8) && inner[8]) inner += 8;
    snprintf(st->inner, sizeof st->inner, "%s", inner);
    const mcdl_cfg_item *bl = mcdl_config_find(cfg, "backward_layer");
    if (bl && bl->type == MCDL_CFG_LAYER && bl->class_name &&
        strcmp(bl->class_name, it->class_name))
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "Bidirectional '%s': backward_layer '%s' differs from layer '%s'; "
                          "only a backward copy of the same class is supported",
                          mcdl_layer_name(l), bl->class_name, it->class_name);
    const mcdl_cfg_item *m = mcdl_config_find(cfg, "merge_mode");
    st->merge = MCDL_MERGE_CONCAT;
    if (m && m->type == MCDL_CFG_NULL) {
        st->merge = MCDL_MERGE_NONE;
    } else {
        MCDL_TRY(mcdl_cfg_get_string(l, cfg, "merge_mode", &mode));
        int k = 0;
        while (k < 4 && strcmp(mode, k_merge[k])) k++;
        if (k == 4)
            return mcdl_error(MCDL_ERR_FORMAT, "Bidirectional '%s': unknown merge_mode '%s'",
                              mcdl_layer_name(l), mode);
        st->merge = (mcdl_merge_mode)k;
    }
    return bidir_check(l, st);
}

/* Keras 3's form: "layer" is the forward copy (named forward_<inner>), "backward_layer"
 * the go_backwards copy (backward_<inner>). */
static void bidir_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const bidir_state *st = mcdl_layer_state(l);
    if (st->merge == MCDL_MERGE_NONE)
        mcdl_cfg_put_null(w, "merge_mode");
    else
        mcdl_cfg_put_string(w, "merge_mode", k_merge[st->merge]);
    const char *cls = st->f.cell == MCDL_RNN_LSTM  ? "LSTM"
                      : st->f.cell == MCDL_RNN_GRU ? "GRU"
                                                   : "SimpleRNN";
    const mcdl_rnn_cfg *dir[2] = {&st->f, &st->b};
    const char *key[2] = {"layer", "backward_layer"}, *prefix[2] = {"forward_", "backward_"};
    for (int k = 0; k < 2; k++) {
        mcdl_cfg_writer *sub = mcdl_cfg_put_layer(w, key[k], cls);
        char name[96];
        snprintf(name, sizeof name, "%s%s", prefix[k], st->inner);
        mcdl_cfg_put_string(sub, "name", name);
        mcdl_cfg_put_bool(sub, "trainable", mcdl_layer_trainable(l));
        mcdl_rnn_cfg_write(dir[k], sub);
    }
}

static int64_t bidir_out_units(const bidir_state *st) {
    return st->merge == MCDL_MERGE_CONCAT ? 2 * st->f.units : st->f.units;
}

static mcdl_status bidir_infer(mcdl_layer *l, mcdl_infer_args *a) {
    bidir_state *st = mcdl_layer_state(l);
    const mcdl_shape *in = &a->in[0];
    char sb[128];
    mcdl_shape_keras_str(in, sb, sizeof sb);
    if (in->rank != 2 || in->d[0] < 1 || in->d[1] < 1)
        return mcdl_error(
            MCDL_ERR_SHAPE,
            "Bidirectional '%s' needs (batch, steps >= 1, features) inputs, got %s from "
            "'%s'",
            mcdl_layer_name(l), sb, a->in_from[0]);
    if (a->call == 0) {
        char p[160];
        snprintf(p, sizeof p, "forward_%s/%s", st->inner, mcdl_rnn_cell_sublayer(st->f.cell));
        MCDL_TRY(mcdl_rnn_cfg_build(l, &st->f, p, in->d[1]));
        snprintf(p, sizeof p, "backward_%s/%s", st->inner, mcdl_rnn_cell_sublayer(st->f.cell));
        MCDL_TRY(mcdl_rnn_cfg_build(l, &st->b, p, in->d[1]));
    } else if (in->d[1] != st->f.in_dim) {
        return mcdl_error(MCDL_ERR_SHAPE,
                          "Bidirectional '%s' was built for %lld features but gets %s from '%s'",
                          mcdl_layer_name(l), (long long)st->f.in_dim, sb, a->in_from[0]);
    }
    /* inputs: the sequence, then initial states (forward h[, c], backward h[, c]), then
     * the mask when one was taken */
    const int nmask = st->f.mask_input ? 1 : 0, nst = a->n_in - 1 - nmask;
    const int ns2 = 2 * mcdl_rnn_num_states(st->f.cell);
    if (nst != 0 && nst != ns2)
        return mcdl_error(MCDL_ERR_SHAPE,
                          "Bidirectional '%s': initial_state needs %d tensors (forward %s, then "
                          "backward %s), got %d",
                          mcdl_layer_name(l), ns2, ns2 == 4 ? "[h, c]" : "[h]",
                          ns2 == 4 ? "[h, c]" : "[h]", nst);
    for (int i = 1; i <= nst; i++)
        if (a->in[i].rank != 1 || a->in[i].d[0] != st->f.units) {
            mcdl_shape_keras_str(&a->in[i], sb, sizeof sb);
            return mcdl_error(
                MCDL_ERR_SHAPE,
                "Bidirectional '%s': initial state %d must be (None, %lld), got %s from '%s'",
                mcdl_layer_name(l), i - 1, (long long)st->f.units, sb, a->in_from[i]);
        }
    const mcdl_shape *ms = &a->in[a->n_in - 1];
    if (nmask && (ms->rank != 1 || ms->d[0] != in->d[0])) {
        mcdl_shape_keras_str(ms, sb, sizeof sb);
        return mcdl_error(MCDL_ERR_SHAPE,
                          "Bidirectional '%s': the mask must be (None, %lld), got %s from '%s'",
                          mcdl_layer_name(l), (long long)in->d[0], sb, a->in_from[a->n_in - 1]);
    }
    const int nm = st->merge == MCDL_MERGE_NONE ? 2 : 1;
    const int64_t ou = st->merge == MCDL_MERGE_NONE ? st->f.units : bidir_out_units(st);
    a->n_out = 0;
    for (int k = 0; k < nm; k++) {
        mcdl_shape s = {.rank = st->f.return_sequences ? 2 : 1};
        if (st->f.return_sequences) {
            s.d[0] = in->d[0];
            s.d[1] = ou;
        } else {
            s.d[0] = ou;
        }
        a->out[a->n_out++] = s;
    }
    if (st->f.return_state)
        for (int k = 0; k < 2 * mcdl_rnn_num_states(st->f.cell); k++)
            a->out[a->n_out++] = (mcdl_shape){.rank = 1, .d = {st->f.units}};
    return MCDL_OK;
}

/* Per direction k: fws, ybuf, xd (dropped-out inputs) and rm (recurrent mask). Memory of
 * the forward (saved in training, scratch in inference): [fws 0][fws 1][y 0][y 1][xd 0]
 * [xd 1][rm 0][rm 1][step mask]; scratch of the backward: [bws][dy 0][dy 1][dxt][dxd]. */
typedef struct {
    size_t fws, bws, ybuf, dxt, xd, rm, mb;
} bidir_sizes;

static bidir_sizes bidir_plan(const bidir_state *st, int64_t B, int64_t T, bool training) {
    mcdl_rnn_desc d = mcdl_rnn_cfg_desc(&st->f, B, T, training);
    const int64_t rows = st->f.return_sequences ? B * T : B;
    return (bidir_sizes){mcdl_rnn_round64(mcdl_rnn_fwd_workspace_size(&d)),
                         mcdl_rnn_round64(mcdl_rnn_bwd_workspace_size(&d)),
                         mcdl_rnn_round64((size_t)(rows * st->f.units) * sizeof(float)),
                         mcdl_rnn_round64((size_t)(B * T * st->f.in_dim) * sizeof(float)),
                         mcdl_rnn_xdrop_bytes(&st->f, B, T, training),
                         mcdl_rnn_rmask_bytes(&st->f, B, training),
                         st->f.mask_input ? mcdl_rnn_round64((size_t)(B * T)) : 0};
}

static size_t bidir_fwd_bytes(const bidir_sizes *z) {
    return 2 * (z->fws + z->ybuf + z->xd + z->rm) + z->mb;
}

static void bidir_workspace(const mcdl_layer *l, int call, int64_t batch, bool training,
                            size_t *saved, size_t *scratch) {
    const bidir_state *st = mcdl_layer_state(l);
    int64_t shape[MCDL_MAX_RANK];
    mcdl_node_shape(mcdl_layer_call_input(l, call, 0), shape);
    bidir_sizes z = bidir_plan(st, batch, shape[0], training);
    *saved = training ? bidir_fwd_bytes(&z) : 0;
    *scratch = training ? z.bws + 2 * z.ybuf + z.dxt + z.xd : bidir_fwd_bytes(&z);
}

/* Row r of the backward copy's output that lines up with row r of the forward one. */
static int64_t bidir_row_b(const bidir_state *st, int64_t r, int64_t T) {
    if (!st->f.return_sequences) return r;
    const int64_t b = r / T, t = r % T;
    return b * T + (T - 1 - t);
}

static mcdl_status bidir_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const bidir_state *st = mcdl_layer_state(l);
    const int64_t B = a->batch, T = a->x_shape[0].d[0], u = st->f.units;
    const bidir_sizes z = bidir_plan(st, B, T, a->training);
    char *mem = a->training ? a->saved : a->scratch;
    float *yf = (float *)(mem + 2 * z.fws), *yb = (float *)(mem + 2 * z.fws + z.ybuf);
    const int nm = st->merge == MCDL_MERGE_NONE ? 2 : 1, ns = mcdl_rnn_num_states(st->f.cell);
    const mcdl_rnn_cfg *cfg[2] = {&st->f, &st->b};
    float *ys[2] = {yf, yb};
    char *xd = mem + 2 * (z.fws + z.ybuf), *rm = xd + 2 * z.xd;
    uint8_t *mask = st->f.mask_input ? (uint8_t *)(rm + 2 * z.rm) : NULL;
    for (int64_t i = 0; mask && i < B * T; i++) mask[i] = a->x[a->n_in - 1][i] != 0.0f;
    const int nst = a->n_in - 1 - (mask ? 1 : 0); /* initial states: 0 or 2·ns */
    for (int k = 0; k < 2; k++) {
        mcdl_rnn_desc d = mcdl_rnn_cfg_desc(cfg[k], B, T, a->training);
        const float *x = a->x[0];
        if (z.xd) {
            /* each direction is a layer of its own in Keras, with masks of its own */
            float *xk = (float *)(xd + k * z.xd);
            mcdl_rnn_drop_inputs(cfg[k], a, k, x, xk);
            x = xk;
        }
        mcdl_rnn_fwd_args fa = mcdl_rnn_cfg_fwd_args(l, cfg[k], x);
        if (z.rm) {
            float *rk = (float *)(rm + k * z.rm);
            mcdl_rnn_rec_mask(cfg[k], a, k, rk);
            fa.rmask = rk;
        }
        fa.mask = mask;
        fa.h0 = nst ? a->x[1 + k * ns] : NULL;
        fa.c0 = nst && ns == 2 ? a->x[2 + k * ns] : NULL;
        fa.y = st->f.return_sequences ? ys[k] : NULL;
        fa.y_last = st->f.return_sequences ? NULL : ys[k];
        fa.h_last = st->f.return_state ? a->y[nm + k * ns] : NULL;
        fa.c_last = st->f.return_state && ns == 2 ? a->y[nm + k * ns + 1] : NULL;
        fa.inference = !a->training;
        mcdl_rnn_fwd(&d, &fa, mem + k * z.fws);
    }
    const int64_t rows = st->f.return_sequences ? B * T : B;
    const int64_t ou = bidir_out_units(st);
    for (int64_t r = 0; r < rows; r++) {
        const float *vf = yf + r * u, *vb = yb + bidir_row_b(st, r, T) * u;
        float *o = a->y[0] + r * (st->merge == MCDL_MERGE_NONE ? u : ou);
        switch (st->merge) {
        case MCDL_MERGE_CONCAT:
            memcpy(o, vf, (size_t)u * sizeof(float));
            memcpy(o + u, vb, (size_t)u * sizeof(float));
            break;
        case MCDL_MERGE_SUM:
            for (int64_t j = 0; j < u; j++) o[j] = vf[j] + vb[j];
            break;
        case MCDL_MERGE_AVE:
            for (int64_t j = 0; j < u; j++) o[j] = 0.5f * (vf[j] + vb[j]);
            break;
        case MCDL_MERGE_MUL:
            for (int64_t j = 0; j < u; j++) o[j] = vf[j] * vb[j];
            break;
        default:
            memcpy(o, vf, (size_t)u * sizeof(float));
            memcpy(a->y[1] + r * u, vb, (size_t)u * sizeof(float));
            break;
        }
    }
    return MCDL_OK;
}

static mcdl_status bidir_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const bidir_state *st = mcdl_layer_state(l);
    const int64_t B = a->batch, T = a->x_shape[0].d[0], u = st->f.units, in = st->f.in_dim;
    const bidir_sizes z = bidir_plan(st, B, T, true);
    char *mem = a->saved, *sc = a->scratch;
    const float *yf = (const float *)(mem + 2 * z.fws),
                *yb = (const float *)(mem + 2 * z.fws + z.ybuf);
    float *dyf = (float *)(sc + z.bws), *dyb = (float *)(sc + z.bws + z.ybuf);
    float *dxt = (float *)(sc + z.bws + 2 * z.ybuf),
          *dxd = (float *)(sc + z.bws + 2 * z.ybuf + z.dxt);
    const int nm = st->merge == MCDL_MERGE_NONE ? 2 : 1, ns = mcdl_rnn_num_states(st->f.cell);
    const int64_t rows = st->f.return_sequences ? B * T : B, ou = bidir_out_units(st);
    for (int64_t r = 0; r < rows; r++) {
        const int64_t rb = bidir_row_b(st, r, T);
        const float *g = a->dy[0] + r * (st->merge == MCDL_MERGE_NONE ? u : ou);
        float *gf = dyf + r * u, *gb = dyb + rb * u;
        for (int64_t j = 0; j < u; j++) {
            switch (st->merge) {
            case MCDL_MERGE_CONCAT:
                gf[j] = g[j], gb[j] = g[u + j];
                break;
            case MCDL_MERGE_SUM:
                gf[j] = gb[j] = g[j];
                break;
            case MCDL_MERGE_AVE:
                gf[j] = gb[j] = 0.5f * g[j];
                break;
            case MCDL_MERGE_MUL:
                gf[j] = g[j] * yb[rb * u + j], gb[j] = g[j] * yf[r * u + j];
                break;
            default:
                gf[j] = g[j], gb[j] = a->dy[1][r * u + j];
                break;
            }
        }
    }
    const mcdl_rnn_cfg *cfg[2] = {&st->f, &st->b};
    const float *dys[2] = {dyf, dyb};
    const char *xd = mem + 2 * (z.fws + z.ybuf), *rm = xd + 2 * z.xd;
    const uint8_t *mask = st->f.mask_input ? (const uint8_t *)(rm + 2 * z.rm) : NULL;
    if (mask && a->dx[a->n_in - 1]) memset(a->dx[a->n_in - 1], 0, (size_t)(B * T) * sizeof(float));
    const int nst = a->n_in - 1 - (mask ? 1 : 0);
    for (int k = 0; k < 2; k++) {
        mcdl_rnn_desc d = mcdl_rnn_cfg_desc(cfg[k], B, T, true);
        mcdl_rnn_fwd_args fa =
            mcdl_rnn_cfg_fwd_args(l, cfg[k], z.xd ? (const float *)(xd + k * z.xd) : a->x[0]);
        fa.rmask = z.rm ? (const float *)(rm + k * z.rm) : NULL;
        fa.mask = mask;
        fa.h0 = nst ? a->x[1 + k * ns] : NULL;
        fa.c0 = nst && ns == 2 ? a->x[2 + k * ns] : NULL;
        /* the kernel writes dx; the directions' shares are summed below (through the
         * dropout masks when there are any) */
        float *dxk = z.xd ? dxd : k == 0 ? a->dx[0] : dxt;
        mcdl_rnn_bwd_args g = {
            .dy = st->f.return_sequences ? dys[k] : NULL,
            .dy_last = st->f.return_sequences ? NULL : dys[k],
            .dh_last = st->f.return_state ? a->dy[nm + k * ns] : NULL,
            .dc_last = st->f.return_state && ns == 2 ? a->dy[nm + k * ns + 1] : NULL,
            .dx = a->dx[0] ? dxk : NULL,
            .dkernel = mcdl_layer_weight_grad(l, cfg[k]->wk),
            .drkernel = mcdl_layer_weight_grad(l, cfg[k]->wr),
            .dbias = cfg[k]->wb >= 0 ? mcdl_layer_weight_grad(l, cfg[k]->wb) : NULL,
            .dh0 = nst ? a->dx[1 + k * ns] : NULL,
            .dc0 = nst && ns == 2 ? a->dx[2 + k * ns] : NULL,
            .accumulate = true,
        };
        mcdl_rnn_bwd(&d, &fa, &g, mem + k * z.fws, sc);
        if (z.xd && a->dx[0]) mcdl_rnn_drop_inputs_grad(cfg[k], a, k, dxd, a->dx[0], k == 1);
    }
    if (a->dx[0] && !z.xd)
        for (int64_t i = 0; i < B * T * in; i++) a->dx[0][i] += dxt[i];
    return MCDL_OK;
}

/* Keras' implicit mask (Embedding(mask_zero) upstream) becomes a second input: both
 * directions skip the masked steps (the backward copy reads the mask reversed, as Keras
 * does); with return_sequences the output keeps the mask. */
static mcdl_status bidir_take_masks(mcdl_layer *l, int call, int n_in, mcdl_node *const *in,
                                    mcdl_node *const *masks, mcdl_node **extra, int *n_extra) {
    (void)call, (void)n_in, (void)in;
    bidir_state *st = mcdl_layer_state(l);
    *n_extra = 0;
    if (!masks[0]) return MCDL_OK;
    st->f.mask_input = st->b.mask_input = true;
    extra[(*n_extra)++] = masks[0];
    return MCDL_OK;
}

static mcdl_node *bidir_output_mask(mcdl_layer *l, int call, int n_in, mcdl_node *const *in,
                                    mcdl_node *const *masks) {
    (void)call, (void)in;
    const bidir_state *st = mcdl_layer_state(l);
    return st->f.return_sequences && n_in > 0 ? masks[0] : NULL;
}

const mcdl_layer_class mcdl_bidirectional_class = {
    .take_masks = bidir_take_masks,
    .output_mask = bidir_output_mask,
    .class_name = "Bidirectional",
    .auto_name = "bidirectional",
    .state_size = sizeof(bidir_state),
    .min_inputs = 1,
    .max_inputs = 6, /* x, 4 initial states (LSTM), mask */
    .from_config = bidir_from_config,
    .to_config = bidir_to_config,
    .infer = bidir_infer,
    .workspace = bidir_workspace,
    .forward = bidir_forward,
    .backward = bidir_backward,
};

static mcdl_layer *bidir_make(mcdl_graph *g, const mcdl_rnn_cfg *inner_cfg, const char *inner,
                              mcdl_merge_mode merge, const char *name) {
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_bidirectional_class, name);
    if (!l) return NULL;
    bidir_state *st = mcdl_layer_state(l);
    st->f = *inner_cfg;
    st->merge = merge;
    snprintf(st->inner, sizeof st->inner, "%s", inner);
    mcdl_status s = bidir_check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

mcdl_layer *mcdl_bidirectional_layer(mcdl_graph *g, const mcdl_bidirectional_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    if (!o || (unsigned)o->cell > MCDL_CELL_GRU) {
        mcdl_graph_record(g, mcdl_error(MCDL_ERR_ARG,
                                        "Bidirectional: options with a SimpleRNN, LSTM or "
                                        "GRU cell are required"));
        return NULL;
    }
    const mcdl_rnn_cell cell = o->cell == MCDL_CELL_LSTM  ? MCDL_RNN_LSTM
                               : o->cell == MCDL_CELL_GRU ? MCDL_RNN_GRU
                                                          : MCDL_RNN_SIMPLE;
    mcdl_rnn_cfg c;
    mcdl_rnn_cfg_from_opts(&c, cell, &o->layer);
    return bidir_make(g, &c, o->layer.name ? o->layer.name : mcdl_rnn_auto_name(cell),
                      o->merge_mode, o->name);
}

mcdl_node *mcdl_bidirectional(mcdl_graph *g, mcdl_node *x, const mcdl_bidirectional_opts *o) {
    return x ? mcdl_build_and_call(mcdl_bidirectional_layer(g, o), x) : NULL;
}

mcdl_layer *mcdl_bidirectional_wrap(mcdl_graph *g, mcdl_layer *inner, mcdl_merge_mode merge_mode,
                                    const char *name) {
    if (!g || mcdl_graph_status(g) != MCDL_OK || !inner) return NULL;
    const mcdl_layer_class *cls = mcdl_layer_get_class(inner);
    if (cls != &mcdl_simple_rnn_class && cls != &mcdl_lstm_class && cls != &mcdl_gru_class) {
        mcdl_graph_record(
            g, mcdl_error(MCDL_ERR_ARG,
                          "Bidirectional%s%s%s wraps '%s' (%s), which is not a recurrent "
                          "layer (SimpleRNN, LSTM or GRU)",
                          name ? " '" : "", name ? name : "", name ? "'" : "",
                          mcdl_layer_name(inner), cls->class_name));
        return NULL;
    }
    if (mcdl_layer_num_calls(inner) > 0) {
        mcdl_graph_record(g,
                          mcdl_error(MCDL_ERR_ARG,
                                     "Bidirectional: layer '%s' was already called; wrap a fresh "
                                     "layer",
                                     mcdl_layer_name(inner)));
        return NULL;
    }
    return bidir_make(g, mcdl_layer_state(inner), mcdl_layer_name(inner), merge_mode, name);
}
