/* TimeDistributed(layer): any layer that acts on one input per sample (Dense, Conv2D,
 * pooling, Flatten, Dropout, ...) applied to every step by folding the step axis into the
 * batch: (batch, steps, ...) runs as the inner layer on (batch * steps, ...) in one call,
 * forward and backward, so Dense is one GEMM over all rows. The inner layer lives outside
 * the graph (mcdl_layer_inner_create); its weights keep Keras' paths below the wrapper:
 * time_distributed/dense/kernel. */
#include <stdio.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/core_layers.h"
#include "lib/model/rnn_layers.h"

typedef struct {
    mcdl_layer *inner;
    char inner_name[64]; /* the wrapped layer's own name, as its config gives it */
} td_state;

static mcdl_status td_from_config(mcdl_layer *l, const mcdl_config *cfg) {
    td_state *st = mcdl_layer_state(l);
    const mcdl_cfg_item *it = mcdl_config_find(cfg, "layer");
    if (!it || it->type != MCDL_CFG_LAYER || !it->class_name || !it->config)
        return mcdl_error(MCDL_ERR_FORMAT, "TimeDistributed '%s': config has no wrapped 'layer'",
                          mcdl_layer_name(l));
    if (st->inner)
        return mcdl_error(MCDL_ERR_ARG, "TimeDistributed '%s' is already configured",
                          mcdl_layer_name(l));
    if (!strcmp(it->class_name, "InputLayer") || !strcmp(it->class_name, "TimeDistributed"))
        return mcdl_error(MCDL_ERR_UNSUPPORTED, "TimeDistributed '%s' cannot wrap a '%s'",
                          mcdl_layer_name(l), it->class_name);
    MCDL_TRY(mcdl_layer_inner_create(l, it->class_name, it->config, &st->inner));
    const char *full = mcdl_layer_name(st->inner);
    snprintf(st->inner_name, sizeof st->inner_name, "%s", full + strlen(mcdl_layer_name(l)) + 1);
    return MCDL_OK;
}

/* Keras 3's form: the wrapped layer's own config under "layer". */
static void td_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const td_state *st = mcdl_layer_state(l);
    if (!st->inner) return;
    const mcdl_layer_class *cls = mcdl_layer_get_class(st->inner);
    mcdl_cfg_writer *sub = mcdl_cfg_put_layer(w, "layer", cls->class_name);
    mcdl_cfg_put_string(sub, "name", st->inner_name);
    mcdl_cfg_put_bool(sub, "trainable", mcdl_layer_trainable(l));
    if (cls->to_config && sub) cls->to_config(st->inner, sub);
}

static mcdl_status td_infer(mcdl_layer *l, mcdl_infer_args *a) {
    td_state *st = mcdl_layer_state(l);
    const mcdl_shape *in = &a->in[0];
    char sb[128];
    mcdl_shape_keras_str(in, sb, sizeof sb);
    if (!st->inner)
        return mcdl_error(MCDL_ERR_ARG, "TimeDistributed '%s' wraps no layer", mcdl_layer_name(l));
    if (in->rank < 2 || in->d[0] < 1)
        return mcdl_error(MCDL_ERR_SHAPE,
                          "TimeDistributed '%s' needs (batch, steps >= 1, ...) inputs, got %s "
                          "from '%s'",
                          mcdl_layer_name(l), sb, a->in_from[0]);
    mcdl_shape step = {.rank = in->rank - 1};
    for (int i = 1; i < in->rank; i++) step.d[i - 1] = in->d[i];
    mcdl_infer_args ia = {
        .call = a->call, .n_in = 1, .in = &step, .in_from = a->in_from, .n_out = 1, .out = {step}};
    MCDL_TRY(mcdl_layer_inner_infer(l, st->inner, &ia));
    if (ia.n_out != 1 || ia.out[0].rank + 1 > MCDL_MAX_RANK)
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "TimeDistributed '%s': the wrapped '%s' gives %d outputs of rank %d; "
                          "one output of rank < %d is supported",
                          mcdl_layer_name(l), mcdl_layer_name(st->inner), ia.n_out, ia.out[0].rank,
                          MCDL_MAX_RANK);
    a->n_out = 1;
    a->out[0] = (mcdl_shape){.rank = ia.out[0].rank + 1, .d = {in->d[0]}};
    for (int i = 0; i < ia.out[0].rank; i++) a->out[0].d[i + 1] = ia.out[0].d[i];
    return MCDL_OK;
}

static int64_t td_steps(const mcdl_layer *l, int call) {
    int64_t shape[MCDL_MAX_RANK];
    mcdl_node_shape(mcdl_layer_call_input(l, call, 0), shape);
    return shape[0];
}

static void td_workspace(const mcdl_layer *l, int call, int64_t batch, bool training, size_t *saved,
                         size_t *scratch) {
    const td_state *st = mcdl_layer_state(l);
    const mcdl_layer_class *cls = mcdl_layer_get_class(st->inner);
    *saved = *scratch = 0;
    if (cls->workspace)
        cls->workspace(st->inner, call, batch * td_steps(l, call), training, saved, scratch);
}

/* The inner layer's view of one execution: batch * steps samples of one step each. */
static mcdl_exec_args td_inner_args(const mcdl_exec_args *a, mcdl_shape *xs, mcdl_shape *ys) {
    *xs = (mcdl_shape){.rank = a->x_shape[0].rank - 1};
    *ys = (mcdl_shape){.rank = a->y_shape[0].rank - 1};
    for (int i = 0; i < xs->rank; i++) xs->d[i] = a->x_shape[0].d[i + 1];
    for (int i = 0; i < ys->rank; i++) ys->d[i] = a->y_shape[0].d[i + 1];
    mcdl_exec_args ia = *a;
    ia.batch = a->batch * a->x_shape[0].d[0];
    ia.x_shape = xs;
    ia.y_shape = ys;
    return ia;
}

static mcdl_status td_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const td_state *st = mcdl_layer_state(l);
    mcdl_shape xs, ys;
    const mcdl_exec_args ia = td_inner_args(a, &xs, &ys);
    return mcdl_layer_get_class(st->inner)->forward(st->inner, &ia);
}

static mcdl_status td_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const td_state *st = mcdl_layer_state(l);
    const mcdl_layer_class *cls = mcdl_layer_get_class(st->inner);
    if (!cls->backward)
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "TimeDistributed '%s': the wrapped %s '%s' cannot be trained through",
                          mcdl_layer_name(l), cls->class_name, mcdl_layer_name(st->inner));
    mcdl_shape xs, ys;
    const mcdl_exec_args ia = td_inner_args(a, &xs, &ys);
    return cls->backward(st->inner, &ia);
}

static void td_destroy(mcdl_layer *l) {
    td_state *st = mcdl_layer_state(l);
    mcdl_layer_inner_free(st->inner);
    st->inner = NULL;
}

const mcdl_layer_class mcdl_time_distributed_class = {
    .class_name = "TimeDistributed",
    .auto_name = "time_distributed",
    .state_size = sizeof(td_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = td_from_config,
    .to_config = td_to_config,
    .infer = td_infer,
    .workspace = td_workspace,
    .forward = td_forward,
    .backward = td_backward,
    .destroy = td_destroy,
};

/* The C constructor wraps a Dense given by its options, through its Keras config. */
mcdl_layer *mcdl_time_distributed_layer(mcdl_graph *g, const mcdl_time_distributed_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    if (!o) {
        mcdl_graph_record(
            g, mcdl_error(MCDL_ERR_ARG, "TimeDistributed: options are required (dense.units)"));
        return NULL;
    }
    const mcdl_dense_opts *d = &o->dense;
    if ((unsigned)d->activation >= MCDL_ACTIVATION_COUNT ||
        (unsigned)d->kernel_initializer >= MCDL_INIT_COUNT ||
        (unsigned)d->bias_initializer >= MCDL_INIT_COUNT) {
        mcdl_graph_record(g, mcdl_error(MCDL_ERR_ARG,
                                        "TimeDistributed: unknown activation or initializer id "
                                        "in the Dense options"));
        return NULL;
    }
    const mcdl_cfg_item items[] = {
        {.key = "name", .type = MCDL_CFG_STRING, .str = d->name ? d->name : "dense"},
        {.key = "units", .type = MCDL_CFG_NUMBER, .num = (double)d->units},
        {.key = "activation", .type = MCDL_CFG_STRING, .str = mcdl_activation_name(d->activation)},
        {.key = "use_bias", .type = MCDL_CFG_BOOL, .b = !d->no_bias},
        {.key = "kernel_initializer",
         .type = MCDL_CFG_STRING,
         .str = mcdl_init_name(d->kernel_initializer ? d->kernel_initializer
                                                     : MCDL_INIT_GLOROT_UNIFORM)},
        {.key = "bias_initializer",
         .type = MCDL_CFG_STRING,
         .str = mcdl_init_name(d->bias_initializer ? d->bias_initializer : MCDL_INIT_ZEROS)},
    };
    const mcdl_config dense_cfg = {(int)(sizeof items / sizeof *items), items};
    const mcdl_cfg_item top[] = {
        {.key = "name", .type = o->name ? MCDL_CFG_STRING : MCDL_CFG_NULL, .str = o->name},
        {.key = "layer", .type = MCDL_CFG_LAYER, .class_name = "Dense", .config = &dense_cfg},
    };
    mcdl_layer *l = NULL;
    if (mcdl_layer_from_config(g, "TimeDistributed", &(mcdl_config){2, top}, &l) != MCDL_OK)
        return NULL;
    return l;
}

mcdl_node *mcdl_time_distributed(mcdl_graph *g, mcdl_node *x, const mcdl_time_distributed_opts *o) {
    return x ? mcdl_build_and_call(mcdl_time_distributed_layer(g, o), x) : NULL;
}
