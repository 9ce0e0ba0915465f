/* Keras layer configs: typed getters for from_config, the writer behind to_config and
 * mcdl_layer_get_config, and the generic mcdl_layer_from_config. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/graph_internal.h"

const mcdl_cfg_item *mcdl_config_find(const mcdl_config *c, const char *key) {
    if (!c || !key) return NULL;
    for (int i = 0; i < c->n; i++)
        if (c->items[i].key && !strcmp(c->items[i].key, key)) return &c->items[i];
    return NULL;
}

static const char *type_name(mcdl_cfg_type t) {
    switch (t) {
    case MCDL_CFG_NULL:
        return "null";
    case MCDL_CFG_BOOL:
        return "a boolean";
    case MCDL_CFG_NUMBER:
        return "a number";
    case MCDL_CFG_STRING:
        return "a string";
    case MCDL_CFG_NUMBERS:
        return "a list of numbers";
    case MCDL_CFG_LAYER:
        return "a layer config";
    }
    return "unknown";
}

static mcdl_status wrong(const mcdl_layer *l, const char *key, const mcdl_cfg_item *it,
                         const char *want) {
    return mcdl_error(MCDL_ERR_FORMAT, "layer '%s' (%s): config key '%s' must be %s, got %s",
                      l->name, l->cls->class_name, key, want, type_name(it->type));
}

mcdl_status mcdl_cfg_get_int(const mcdl_layer *l, const mcdl_config *c, const char *key,
                             int64_t *out) {
    const mcdl_cfg_item *it = mcdl_config_find(c, key);
    if (!it || it->type == MCDL_CFG_NULL) return MCDL_OK;
    double v;
    if (it->type == MCDL_CFG_NUMBER)
        v = it->num;
    else if (it->type == MCDL_CFG_NUMBERS && it->n == 1)
        v = it->nums[0];
    else
        return wrong(l, key, it, "an integer");
    if (!(v == floor(v)) || fabs(v) > 9.0e15)
        return mcdl_error(MCDL_ERR_FORMAT,
                          "layer '%s' (%s): config key '%s' must be an integer, got %g", l->name,
                          l->cls->class_name, key, v);
    *out = (int64_t)v;
    return MCDL_OK;
}

mcdl_status mcdl_cfg_get_float(const mcdl_layer *l, const mcdl_config *c, const char *key,
                               float *out) {
    const mcdl_cfg_item *it = mcdl_config_find(c, key);
    if (!it || it->type == MCDL_CFG_NULL) return MCDL_OK;
    if (it->type != MCDL_CFG_NUMBER) return wrong(l, key, it, "a number");
    *out = (float)it->num;
    return MCDL_OK;
}

mcdl_status mcdl_cfg_get_bool(const mcdl_layer *l, const mcdl_config *c, const char *key,
                              bool *out) {
    const mcdl_cfg_item *it = mcdl_config_find(c, key);
    if (!it || it->type == MCDL_CFG_NULL) return MCDL_OK;
    if (it->type == MCDL_CFG_BOOL)
        *out = it->b;
    else if (it->type == MCDL_CFG_NUMBER && (it->num == 0 || it->num == 1))
        *out = it->num != 0;
    else
        return wrong(l, key, it, "a boolean");
    return MCDL_OK;
}

mcdl_status mcdl_cfg_get_string(const mcdl_layer *l, const mcdl_config *c, const char *key,
                                const char **out) {
    const mcdl_cfg_item *it = mcdl_config_find(c, key);
    if (!it || it->type == MCDL_CFG_NULL) return MCDL_OK;
    if (it->type != MCDL_CFG_STRING || !it->str) return wrong(l, key, it, "a string");
    *out = it->str;
    return MCDL_OK;
}

mcdl_status mcdl_cfg_get_ints(const mcdl_layer *l, const mcdl_config *c, const char *key,
                              int64_t *out, int max, int *n) {
    const mcdl_cfg_item *it = mcdl_config_find(c, key);
    if (!it || it->type == MCDL_CFG_NULL) return MCDL_OK;
    if (it->type == MCDL_CFG_NUMBER) {
        /* |v| <= 9e15 keeps the conversion to int64_t defined (1e300 or Inf would not be). */
        if (max < 1 || it->num != floor(it->num) || fabs(it->num) > 9.0e15)
            return wrong(l, key, it, "a list of integers");
        out[0] = (int64_t)it->num;
        *n = 1;
        return MCDL_OK;
    }
    if (it->type != MCDL_CFG_NUMBERS) return wrong(l, key, it, "a list of integers");
    if (it->n > max)
        return mcdl_error(MCDL_ERR_FORMAT,
                          "layer '%s' (%s): config key '%s' has %d entries, at most %d", l->name,
                          l->cls->class_name, key, it->n, max);
    for (int i = 0; i < it->n; i++) {
        double v = it->nums[i];
        if (isnan(v)) {
            out[i] = -1;
            continue;
        }
        if (v != floor(v) || fabs(v) > 9.0e15)
            return mcdl_error(MCDL_ERR_FORMAT,
                              "layer '%s' (%s): config key '%s' entry %d is %g, not an integer",
                              l->name, l->cls->class_name, key, i, v);
        out[i] = (int64_t)v;
    }
    *n = it->n;
    return MCDL_OK;
}

mcdl_status mcdl_cfg_get_activation(const mcdl_layer *l, const mcdl_config *c, const char *key,
                                    mcdl_activation_id *out) {
    const char *s = NULL;
    MCDL_TRY(mcdl_cfg_get_string(l, c, key, &s));
    if (!s) return MCDL_OK;
    if (mcdl_activation_from_name(s, out) != MCDL_OK)
        return mcdl_error(MCDL_ERR_UNSUPPORTED, "layer '%s' (%s): unknown activation '%s'", l->name,
                          l->cls->class_name, s);
    return MCDL_OK;
}

mcdl_status mcdl_cfg_get_init(const mcdl_layer *l, const mcdl_config *c, const char *key,
                              mcdl_init *out) {
    const char *s = NULL;
    MCDL_TRY(mcdl_cfg_get_string(l, c, key, &s));
    if (!s) return MCDL_OK;
    if (mcdl_init_from_name(s, out) != MCDL_OK)
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "layer '%s' (%s): unknown initializer '%s' for '%s'", l->name,
                          l->cls->class_name, s, key);
    return MCDL_OK;
}

/* ---- writer ---- */

static void *own(mcdl_cfg_writer *w, void *p) {
    if (!p) {
        w->failed = true;
        return NULL;
    }
    if (w->n_owned == w->cap_owned) {
        int nc = w->cap_owned ? 2 * w->cap_owned : 16;
        void **q = realloc(w->owned, (size_t)nc * sizeof *q);
        if (!q) {
            free(p);
            w->failed = true;
            return NULL;
        }
        w->owned = q;
        w->cap_owned = nc;
    }
    w->owned[w->n_owned++] = p;
    return p;
}

static char *own_str(mcdl_cfg_writer *w, const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return own(w, d);
}

static mcdl_cfg_item *push(mcdl_cfg_writer *w, const char *key, mcdl_cfg_type t) {
    if (!w || w->failed) return NULL;
    if (w->n == w->cap) {
        int nc = w->cap ? 2 * w->cap : 16;
        mcdl_cfg_item *q = realloc(w->items, (size_t)nc * sizeof *q);
        if (!q) {
            w->failed = true;
            return NULL;
        }
        w->items = q;
        w->cap = nc;
    }
    mcdl_cfg_item *it = &w->items[w->n];
    memset(it, 0, sizeof *it);
    it->key = own_str(w, key);
    it->type = t;
    if (!it->key) return NULL;
    w->n++;
    return it;
}

void mcdl_cfg_put_number(mcdl_cfg_writer *w, const char *key, double v) {
    mcdl_cfg_item *it = push(w, key, MCDL_CFG_NUMBER);
    if (it) it->num = v;
}
void mcdl_cfg_put_bool(mcdl_cfg_writer *w, const char *key, bool v) {
    mcdl_cfg_item *it = push(w, key, MCDL_CFG_BOOL);
    if (it) it->b = v;
}
void mcdl_cfg_put_string(mcdl_cfg_writer *w, const char *key, const char *v) {
    mcdl_cfg_item *it = push(w, key, MCDL_CFG_STRING);
    if (it) it->str = own_str(w, v);
}
void mcdl_cfg_put_null(mcdl_cfg_writer *w, const char *key) { push(w, key, MCDL_CFG_NULL); }
void mcdl_cfg_put_numbers(mcdl_cfg_writer *w, const char *key, int n, const double *v) {
    mcdl_cfg_item *it = push(w, key, MCDL_CFG_NUMBERS);
    if (!it) return;
    double *d = own(w, malloc((size_t)(n > 0 ? n : 1) * sizeof *d));
    if (!d) return;
    if (n > 0) memcpy(d, v, (size_t)n * sizeof *d);
    it->n = n;
    it->nums = d;
}

static const char *const k_init_class[MCDL_INIT_COUNT] = {
    [MCDL_INIT_DEFAULT] = "GlorotUniform",
    [MCDL_INIT_ZEROS] = "Zeros",
    [MCDL_INIT_ONES] = "Ones",
    [MCDL_INIT_GLOROT_UNIFORM] = "GlorotUniform",
    [MCDL_INIT_GLOROT_NORMAL] = "GlorotNormal",
    [MCDL_INIT_HE_UNIFORM] = "HeUniform",
    [MCDL_INIT_HE_NORMAL] = "HeNormal",
    [MCDL_INIT_LECUN_UNIFORM] = "LecunUniform",
    [MCDL_INIT_LECUN_NORMAL] = "LecunNormal",
    [MCDL_INIT_ORTHOGONAL] = "Orthogonal",
    [MCDL_INIT_RANDOM_UNIFORM] = "RandomUniform",
    [MCDL_INIT_RANDOM_NORMAL] = "RandomNormal",
};
static const char *const k_init_snake[MCDL_INIT_COUNT] = {
    [MCDL_INIT_DEFAULT] = "glorot_uniform",
    [MCDL_INIT_ZEROS] = "zeros",
    [MCDL_INIT_ONES] = "ones",
    [MCDL_INIT_GLOROT_UNIFORM] = "glorot_uniform",
    [MCDL_INIT_GLOROT_NORMAL] = "glorot_normal",
    [MCDL_INIT_HE_UNIFORM] = "he_uniform",
    [MCDL_INIT_HE_NORMAL] = "he_normal",
    [MCDL_INIT_LECUN_UNIFORM] = "lecun_uniform",
    [MCDL_INIT_LECUN_NORMAL] = "lecun_normal",
    [MCDL_INIT_ORTHOGONAL] = "orthogonal",
    [MCDL_INIT_RANDOM_UNIFORM] = "random_uniform",
    [MCDL_INIT_RANDOM_NORMAL] = "random_normal",
};

void mcdl_cfg_put_init(mcdl_cfg_writer *w, const char *key, mcdl_init i) {
    mcdl_cfg_put_string(w, key, (unsigned)i < MCDL_INIT_COUNT ? k_init_class[i] : "GlorotUniform");
}

mcdl_cfg_writer *mcdl_cfg_put_layer(mcdl_cfg_writer *w, const char *key, const char *class_name) {
    mcdl_cfg_item *it = push(w, key, MCDL_CFG_LAYER);
    if (!it) return NULL;
    it->class_name = own_str(w, class_name);
    if (!it->class_name) return NULL;
    if (w->n_subs == w->cap_subs) {
        int nc = w->cap_subs ? 2 * w->cap_subs : 2;
        mcdl_cfg_sub **q = realloc(w->subs, (size_t)nc * sizeof *q);
        if (!q) return w->failed = true, NULL;
        w->subs = q;
        w->cap_subs = nc;
    }
    mcdl_cfg_sub *sub = calloc(1, sizeof *sub);
    if (!sub) return w->failed = true, NULL;
    sub->item = w->n - 1;
    w->subs[w->n_subs++] = sub;
    return &sub->w;
}

void mcdl_cfg_writer_clear(mcdl_cfg_writer *w) {
    for (int i = 0; i < w->n_owned; i++) free(w->owned[i]);
    for (int i = 0; i < w->n_subs; i++) {
        mcdl_cfg_writer_free(&w->subs[i]->w);
        free(w->subs[i]);
    }
    w->n_owned = w->n_subs = w->n = 0;
    w->failed = false;
}

void mcdl_cfg_writer_free(mcdl_cfg_writer *w) {
    mcdl_cfg_writer_clear(w);
    free(w->owned);
    free(w->subs);
    free(w->items);
    memset(w, 0, sizeof *w);
}

bool mcdl_cfg_writer_finish(mcdl_cfg_writer *w) {
    bool ok = !w->failed;
    for (int i = 0; i < w->n_subs; i++) {
        mcdl_cfg_sub *sub = w->subs[i];
        ok = mcdl_cfg_writer_finish(&sub->w) && ok;
        sub->view.n = sub->w.n;
        sub->view.items = sub->w.items;
        w->items[sub->item].config = &sub->view;
    }
    return ok;
}

const char *mcdl_init_name(mcdl_init i) {
    return (unsigned)i < MCDL_INIT_COUNT ? k_init_snake[i] : "unknown";
}

mcdl_status mcdl_init_from_name(const char *name, mcdl_init *out) {
    if (!name || !out) return mcdl_error(MCDL_ERR_ARG, "mcdl_init_from_name: NULL argument");
    for (int i = 1; i < MCDL_INIT_COUNT; i++)
        if (!strcmp(name, k_init_class[i]) || !strcmp(name, k_init_snake[i])) {
            *out = (mcdl_init)i;
            return MCDL_OK;
        }
    /* Keras 3 also writes the short uniform/normal names */
    if (!strcmp(name, "uniform")) return (*out = MCDL_INIT_RANDOM_UNIFORM), MCDL_OK;
    if (!strcmp(name, "normal")) return (*out = MCDL_INIT_RANDOM_NORMAL), MCDL_OK;
    return mcdl_error(MCDL_ERR_UNSUPPORTED, "unknown initializer '%s'", name);
}

static const char *const k_act_names[MCDL_ACTIVATION_COUNT] = {
    [MCDL_LINEAR] = "linear",
    [MCDL_RELU] = "relu",
    [MCDL_SIGMOID] = "sigmoid",
    [MCDL_TANH] = "tanh",
    [MCDL_LEAKY_RELU] = "leaky_relu",
    [MCDL_ELU] = "elu",
    [MCDL_SELU] = "selu",
    [MCDL_GELU] = "gelu",
    [MCDL_SWISH] = "swish",
    [MCDL_SOFTPLUS] = "softplus",
    [MCDL_SOFTMAX] = "softmax",
};

const char *mcdl_activation_name(mcdl_activation_id a) {
    return (unsigned)a < MCDL_ACTIVATION_COUNT ? k_act_names[a] : "unknown";
}

mcdl_status mcdl_activation_from_name(const char *name, mcdl_activation_id *out) {
    if (!name || !out) return mcdl_error(MCDL_ERR_ARG, "mcdl_activation_from_name: NULL argument");
    for (int i = 0; i < MCDL_ACTIVATION_COUNT; i++)
        if (!strcmp(name, k_act_names[i])) {
            *out = (mcdl_activation_id)i;
            return MCDL_OK;
        }
    if (!strcmp(name, "silu")) return (*out = MCDL_SWISH), MCDL_OK;
    if (!strcmp(name, "None") || !*name) return (*out = MCDL_LINEAR), MCDL_OK;
    return mcdl_error(MCDL_ERR_UNSUPPORTED, "unknown activation '%s'", name);
}

/* ---- generic construction and config export ---- */

mcdl_status mcdl_layer_from_config(mcdl_graph *g, const char *class_name, const mcdl_config *cfg,
                                   mcdl_layer **out) {
    if (!g || !class_name || !out)
        return mcdl_error(MCDL_ERR_ARG, "mcdl_layer_from_config: NULL argument");
    if (g->err != MCDL_OK) return mcdl_error(g->err, "%s", g->errmsg);
    const mcdl_layer_class *cls = mcdl_layer_class_find(class_name);
    if (!cls)
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "unknown layer class '%s' (this build knows no such layer)", class_name);
    const mcdl_cfg_item *nm = mcdl_config_find(cfg, "name");
    const char *name = nm && nm->type == MCDL_CFG_STRING ? nm->str : NULL;
    mcdl_layer *l = mcdl_layer_new(g, cls, name);
    if (!l) return g->err;
    bool trainable = true;
    mcdl_status s = mcdl_cfg_get_bool(l, cfg, "trainable", &trainable);
    if (s == MCDL_OK) s = cls->from_config(l, cfg ? cfg : &(mcdl_config){0, NULL});
    if (s != MCDL_OK) return mcdl_graph_record(g, s);
    l->trainable = trainable;
    *out = l;
    return MCDL_OK;
}

mcdl_status mcdl_layer_get_config(const mcdl_layer *cl, const mcdl_config **out) {
    if (!cl || !out) return mcdl_error(MCDL_ERR_ARG, "mcdl_layer_get_config: NULL argument");
    mcdl_layer *l = (mcdl_layer *)cl;
    mcdl_cfg_writer *w = &l->cfg;
    mcdl_cfg_writer_clear(w);
    mcdl_cfg_put_string(w, "name", l->name);
    mcdl_cfg_put_bool(w, "trainable", l->trainable);
    if (l->cls->to_config) l->cls->to_config(l, w);
    if (!mcdl_cfg_writer_finish(w))
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory writing the config of '%s'", l->name);
    l->cfg_view.n = w->n;
    l->cfg_view.items = w->items;
    *out = &l->cfg_view;
    return MCDL_OK;
}
