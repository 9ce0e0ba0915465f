/* compile and what it fixes: the loss, optimizer and metric names, the trainable weight
 * set and the optimizer state (slots, iterations) that save/load reads and writes. */
#include <stdlib.h>
#include <string.h>

#include "lib/core/alloc.h"
#include "lib/core/error.h"
#include "lib/model/model_internal.h"
#include "lib/model/optimizer.h"

static const char *const k_loss_names[MCDL_LOSS_COUNT] = {
    [MCDL_LOSS_NONE] = "none",
    [MCDL_LOSS_BINARY_CROSSENTROPY] = "binary_crossentropy",
    [MCDL_LOSS_CATEGORICAL_CROSSENTROPY] = "categorical_crossentropy",
    [MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY] = "sparse_categorical_crossentropy",
    [MCDL_LOSS_MSE] = "mse",
    [MCDL_LOSS_MAE] = "mae",
};

const char *mcdl_loss_name(mcdl_loss l) {
    return (unsigned)l < MCDL_LOSS_COUNT ? k_loss_names[l] : "unknown";
}

mcdl_status mcdl_loss_from_name(const char *name, mcdl_loss *out) {
    if (!name || !out) return mcdl_error(MCDL_ERR_ARG, "mcdl_loss_from_name: NULL argument");
    for (int i = 1; i < MCDL_LOSS_COUNT; i++)
        if (!strcmp(name, k_loss_names[i])) return (*out = (mcdl_loss)i), MCDL_OK;
    if (!strcmp(name, "mean_squared_error")) return (*out = MCDL_LOSS_MSE), MCDL_OK;
    if (!strcmp(name, "mean_absolute_error")) return (*out = MCDL_LOSS_MAE), MCDL_OK;
    return mcdl_error(MCDL_ERR_UNSUPPORTED,
                      "unknown loss '%s' (known: binary_crossentropy, categorical_crossentropy, "
                      "sparse_categorical_crossentropy, mse, mae)",
                      name);
}

const char *mcdl_optimizer_name(mcdl_optimizer_kind k) {
    switch (k) {
    case MCDL_OPTIMIZER_ADAM:
        return "adam";
    case MCDL_OPTIMIZER_SGD:
        return "sgd";
    case MCDL_OPTIMIZER_RMSPROP:
        return "rmsprop";
    }
    return "unknown";
}

mcdl_status mcdl_optimizer_from_name(const char *name, mcdl_optimizer_kind *out) {
    if (!name || !out) return mcdl_error(MCDL_ERR_ARG, "mcdl_optimizer_from_name: NULL argument");
    const char *names[] = {"adam", "sgd", "rmsprop"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, names[i])) return (*out = (mcdl_optimizer_kind)i), MCDL_OK;
    return mcdl_error(MCDL_ERR_UNSUPPORTED, "unknown optimizer '%s' (known: adam, sgd, rmsprop)",
                      name);
}

/* ---- result names ---- */

static int n_metric_kinds(unsigned flags) {
    return !!(flags & MCDL_METRIC_ACCURACY) + !!(flags & MCDL_METRIC_MSE) +
           !!(flags & MCDL_METRIC_MAE);
}

int mcdl_model_num_results(const mcdl_model *m) {
    if (!m || !m->compiled) return 1;
    return 1 + m->n_out * n_metric_kinds(m->copts.metrics);
}

const char *mcdl_model_result_name(const mcdl_model *m, int i) {
    static _Thread_local char buf[160];
    if (i == 0) return "loss";
    if (!m || !m->compiled || i < 0 || i >= mcdl_model_num_results(m)) return "";
    const int k = n_metric_kinds(m->copts.metrics);
    const int out = (i - 1) / k, which = (i - 1) % k;
    const char *names[3];
    int n = 0;
    if (m->copts.metrics & MCDL_METRIC_ACCURACY) names[n++] = "accuracy";
    if (m->copts.metrics & MCDL_METRIC_MSE) names[n++] = "mse";
    if (m->copts.metrics & MCDL_METRIC_MAE) names[n++] = "mae";
    if (m->n_out == 1) return names[which];
    snprintf(buf, sizeof buf, "%s_%s", m->out[out]->layer->name, names[which]);
    return buf;
}

/* ---- compile ---- */

mcdl_status mcdl_model_compile(mcdl_model *m, const mcdl_compile_opts *o) {
    MCDL_TRY(mcdl_model_check_handle(m, "mcdl_model_compile"));
    if (!o) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_compile: NULL argument");
    if (o->loss == MCDL_LOSS_NONE || (unsigned)o->loss >= MCDL_LOSS_COUNT)
        return mcdl_error(MCDL_ERR_ARG,
                          "compile '%s': a loss is required (Keras has no default loss)", m->name);
    if ((unsigned)o->optimizer.kind > MCDL_OPTIMIZER_RMSPROP)
        return mcdl_error(MCDL_ERR_ARG, "compile '%s': unknown optimizer id %d", m->name,
                          (int)o->optimizer.kind);
    if (o->metrics & ~(unsigned)(MCDL_METRIC_ACCURACY | MCDL_METRIC_MSE | MCDL_METRIC_MAE))
        return mcdl_error(MCDL_ERR_ARG, "compile '%s': unknown metric flags 0x%x", m->name,
                          o->metrics);
    if (o->from_logits && o->loss != MCDL_LOSS_BINARY_CROSSENTROPY &&
        o->loss != MCDL_LOSS_CATEGORICAL_CROSSENTROPY &&
        o->loss != MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY)
        return mcdl_error(MCDL_ERR_ARG,
                          "compile '%s': from_logits applies to crossentropies only, not %s",
                          m->name, mcdl_loss_name(o->loss));
    MCDL_TRY(mcdl_model_build(m));
    if (1 + m->n_out * n_metric_kinds(o->metrics) > MCDL_MAX_RESULTS)
        return mcdl_error(MCDL_ERR_ARG, "compile '%s': too many outputs x metrics", m->name);
    mcdl_compile_opts c = *o;
    c.optimizer = mcdl_optimizer_resolve(&o->optimizer);
    const int n_slots = mcdl_optimizer_slots(&c.optimizer);
    int n_tr = 0;
    for (int i = 0; i < m->n_w; i++) n_tr += m->w[i]->trainable && m->w_layer[i]->trainable;
    int *trained = malloc(((size_t)n_tr + 1) * sizeof *trained);
    int *slot_of = malloc(((size_t)m->n_w + 1) * sizeof *slot_of);
    float **slots = calloc((size_t)n_tr * (size_t)n_slots + 1, sizeof *slots);
    mcdl_tensor **views = calloc((size_t)n_tr * (size_t)n_slots + 1, sizeof *views);
    const int n_layers = m->g->n_layers;
    bool *layer_trained = calloc((size_t)n_layers + 1, sizeof *layer_trained);
    bool ok = trained && slot_of && slots && views && layer_trained;
    for (int i = 0, k = 0; ok && i < m->n_w; i++) {
        slot_of[i] = -1;
        if (!(m->w[i]->trainable && m->w_layer[i]->trainable)) continue;
        slot_of[i] = k;
        trained[k] = i;
        layer_trained[m->w_layer[i]->id] = true;
        for (int s = 0; s < n_slots && ok; s++) {
            float *p = mcdl_alloc((size_t)m->w[i]->numel * sizeof(float));
            slots[k * n_slots + s] = p;
            ok = p && mcdl_tensor_wrap(&views[k * n_slots + s], p, m->w[i]->rank, m->w[i]->shape,
                                       NULL) == MCDL_OK;
        }
        k++;
    }
    if (!ok) {
        for (int i = 0; slots && views && i < n_tr * n_slots; i++) {
            mcdl_free(slots[i]);
            mcdl_tensor_destroy(views[i]);
        }
        free(trained);
        free(slot_of);
        free(slots);
        free(views);
        free(layer_trained);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory compiling model '%s'", m->name);
    }
    /* release the previous compile state */
    for (int i = 0; i < m->n_trained * m->n_slots; i++) {
        mcdl_free(m->slots[i]);
        mcdl_tensor_destroy(m->slot_views[i]);
    }
    free(m->slots);
    free(m->slot_views);
    free(m->trained);
    free(m->slot_of);
    free(m->layer_trained);
    m->layer_trained = layer_trained;
    m->n_layer_trained = n_layers;
    m->copts = c;
    m->trained = trained;
    m->n_trained = n_tr;
    m->slot_of = slot_of;
    m->n_slots = n_slots;
    m->slots = slots;
    m->slot_views = views;
    m->iterations = 0;
    m->rng_step = 0;
    m->compiled = true;
    return MCDL_OK;
}

bool mcdl_model_is_compiled(const mcdl_model *m) { return m && m->compiled; }

mcdl_status mcdl_model_compile_opts(const mcdl_model *m, mcdl_compile_opts *out) {
    if (!m || !out) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_compile_opts: NULL argument");
    if (!m->compiled) return mcdl_error(MCDL_ERR_STATE, "model '%s' is not compiled", m->name);
    *out = m->copts;
    return MCDL_OK;
}

mcdl_status mcdl_model_optimizer_iterations(const mcdl_model *m, int64_t *it) {
    if (!m || !it)
        return mcdl_error(MCDL_ERR_ARG, "mcdl_model_optimizer_iterations: NULL argument");
    if (!m->compiled) return mcdl_error(MCDL_ERR_STATE, "model '%s' is not compiled", m->name);
    *it = m->iterations;
    return MCDL_OK;
}

mcdl_status mcdl_model_set_optimizer_iterations(mcdl_model *m, int64_t it) {
    if (!m || it < 0)
        return mcdl_error(MCDL_ERR_ARG, "mcdl_model_set_optimizer_iterations: bad argument");
    if (!m->compiled) return mcdl_error(MCDL_ERR_STATE, "model '%s' is not compiled", m->name);
    m->iterations = it;
    m->rng_step = (uint64_t)it; /* Dropout streams follow the steps: a loaded model resumes them */
    return MCDL_OK;
}

int mcdl_model_optimizer_num_slots(const mcdl_model *m) {
    return m && m->compiled ? m->n_slots : 0;
}

const char *mcdl_model_optimizer_slot_name(const mcdl_model *m, int slot) {
    if (!m || !m->compiled || slot < 0 || slot >= m->n_slots) return "";
    return mcdl_optimizer_slot_name_of(&m->copts.optimizer, slot);
}

mcdl_status mcdl_model_optimizer_slot(const mcdl_model *m, int weight, int slot,
                                      mcdl_tensor **view) {
    if (!m || !view) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_optimizer_slot: NULL argument");
    if (!m->compiled) return mcdl_error(MCDL_ERR_STATE, "model '%s' is not compiled", m->name);
    if (weight < 0 || weight >= m->n_w || m->slot_of[weight] < 0 || slot < 0 || slot >= m->n_slots)
        return mcdl_error(MCDL_ERR_ARG, "model '%s': weight %d has no optimizer slot %d", m->name,
                          weight, slot);
    *view = m->slot_views[m->slot_of[weight] * m->n_slots + slot];
    return MCDL_OK;
}
