/* model -> Keras 3 JSON, the form model.to_json() writes: Sequential as a layer list,
 * Functional with inbound_nodes of __keras_tensor__ arguments. Only the calls that belong
 * to this model are written (a graph may be shared with other models, as a GAN's
 * discriminator is), renumbered as Keras renumbers nodes. */
#include <stdlib.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/data/fileio.h"
#include "lib/files/keras_config.h"
#include "lib/model/layer.h"
#include "mcdl/files.h"

typedef struct {
    const mcdl_layer *layer;
    int call;
} lcall;

typedef struct {
    lcall *v;
    int n, cap;
    bool oom;
} lcall_set;

static bool set_has(const lcall_set *s, const mcdl_layer *l, int call) {
    for (int i = 0; i < s->n; i++)
        if (s->v[i].layer == l && s->v[i].call == call) return true;
    return false;
}

static void set_add(lcall_set *s, const mcdl_layer *l, int call) {
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 32;
        lcall *v = realloc(s->v, (size_t)cap * sizeof *v);
        if (!v) {
            s->oom = true;
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (lcall){l, call};
}

static bool is_model_input(const mcdl_model *m, const mcdl_node *n) {
    for (int i = 0; i < mcdl_model_num_inputs(m); i++)
        if (mcdl_model_input(m, i) == n) return true;
    return false;
}

/* Marks every (layer, call) between the model's inputs and outputs. */
static void mark_calls(const mcdl_model *m, const mcdl_node *n, lcall_set *s) {
    const mcdl_layer *l = mcdl_node_layer(n);
    int call = mcdl_node_call_index(n);
    if (!l || set_has(s, l, call) || s->oom) return;
    set_add(s, l, call);
    if (is_model_input(m, n)) return;
    for (int i = 0; i < mcdl_layer_call_num_inputs(l, call); i++)
        mark_calls(m, mcdl_layer_call_input(l, call, i), s);
}

/* Keras' node index of a call within this model: its rank among the model's calls of l. */
static int model_node_index(const lcall_set *s, const mcdl_layer *l, int call) {
    int k = 0;
    for (int c = 0; c < call; c++) k += set_has(s, l, c);
    return k;
}

static cJSON *shape_json(const mcdl_node *n) {
    int64_t shape[MCDL_MAX_RANK];
    int rank = mcdl_node_shape(n, shape);
    cJSON *a = cJSON_CreateArray();
    if (!a) return NULL;
    cJSON_AddItemToArray(a, cJSON_CreateNull());
    for (int d = 0; d < rank; d++) cJSON_AddItemToArray(a, cJSON_CreateNumber((double)shape[d]));
    return a;
}

static cJSON *keras_tensor(const lcall_set *s, const mcdl_node *n) {
    const mcdl_layer *src = mcdl_node_layer(n);
    cJSON *t = cJSON_CreateObject(), *cfg = cJSON_CreateObject(), *h = cJSON_CreateArray();
    if (!t || !cfg || !h) {
        cJSON_Delete(t), cJSON_Delete(cfg), cJSON_Delete(h);
        return NULL;
    }
    cJSON_AddStringToObject(t, "class_name", "__keras_tensor__");
    cJSON_AddItemToObject(t, "config", cfg);
    cJSON_AddItemToObject(cfg, "shape", shape_json(n));
    cJSON_AddStringToObject(cfg, "dtype", "float32");
    cJSON_AddItemToArray(h, cJSON_CreateString(mcdl_layer_name(src)));
    cJSON_AddItemToArray(h, cJSON_CreateNumber(model_node_index(s, src, mcdl_node_call_index(n))));
    cJSON_AddItemToArray(h, cJSON_CreateNumber(mcdl_node_tensor_index(n)));
    cJSON_AddItemToObject(cfg, "keras_history", h);
    return t;
}

/* Merge layers take their inputs as one list argument, as Keras writes them. */
static bool takes_list(const char *cls) {
    static const char *const merge[] = {"Add",     "Concatenate", "Subtract", "Multiply",
                                        "Average", "Maximum",     "Minimum",  "Dot"};
    for (size_t i = 0; i < sizeof merge / sizeof *merge; i++)
        if (!strcmp(cls, merge[i])) return true;
    return false;
}

static cJSON *inbound_nodes(const lcall_set *s, const mcdl_layer *l) {
    cJSON *nodes = cJSON_CreateArray();
    if (!nodes || !strcmp(mcdl_layer_class_name(l), "InputLayer")) return nodes;
    bool list = takes_list(mcdl_layer_class_name(l));
    for (int c = 0; c < mcdl_layer_num_calls(l); c++) {
        if (!set_has(s, l, c)) continue;
        cJSON *node = cJSON_CreateObject(), *args = cJSON_CreateArray();
        cJSON *holder = list ? cJSON_CreateArray() : args;
        if (!node || !args || !holder) {
            cJSON_Delete(node), cJSON_Delete(args);
            if (list) cJSON_Delete(holder);
            cJSON_Delete(nodes);
            return NULL;
        }
        for (int i = 0; i < mcdl_layer_call_num_inputs(l, c); i++)
            cJSON_AddItemToArray(holder, keras_tensor(s, mcdl_layer_call_input(l, c, i)));
        if (list) cJSON_AddItemToArray(args, holder);
        cJSON_AddItemToObject(node, "args", args);
        cJSON_AddItemToObject(node, "kwargs", cJSON_CreateObject());
        cJSON_AddItemToArray(nodes, node);
    }
    return nodes;
}

/* One entry of the "layers" list; functional adds name and inbound_nodes. */
static mcdl_status layer_entry(const mcdl_layer *l, const lcall_set *s, bool functional,
                               cJSON **out) {
    const mcdl_config *cfg;
    MCDL_TRY(mcdl_layer_get_config(l, &cfg));
    cJSON *e = cJSON_CreateObject(), *c = mcdl_cfg_to_json(cfg);
    if (!e || !c) {
        cJSON_Delete(e), cJSON_Delete(c);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory writing Keras JSON");
    }
    bool input = !strcmp(mcdl_layer_class_name(l), "InputLayer");
    if (input && !cJSON_GetObjectItemCaseSensitive(c, "batch_shape") &&
        !cJSON_GetObjectItemCaseSensitive(c, "batch_input_shape"))
        cJSON_AddItemToObject(c, "batch_shape", shape_json(mcdl_layer_output(l, 0, 0)));
    cJSON_AddStringToObject(e, "module", "keras.layers");
    cJSON_AddStringToObject(e, "class_name", mcdl_layer_class_name(l));
    cJSON_AddItemToObject(e, "config", c);
    cJSON_AddNullToObject(e, "registered_name");
    if (functional) {
        cJSON_AddStringToObject(e, "name", mcdl_layer_name(l));
        cJSON *nodes = inbound_nodes(s, l);
        if (!nodes) {
            cJSON_Delete(e);
            return mcdl_error(MCDL_ERR_NOMEM, "out of memory writing Keras JSON");
        }
        cJSON_AddItemToObject(e, "inbound_nodes", nodes);
    }
    *out = e;
    return MCDL_OK;
}

static cJSON *io_list(const lcall_set *s, const mcdl_model *m, bool outputs) {
    cJSON *a = cJSON_CreateArray();
    int n = outputs ? mcdl_model_num_outputs(m) : mcdl_model_num_inputs(m);
    for (int i = 0; a && i < n; i++) {
        const mcdl_node *nd = outputs ? mcdl_model_output(m, i) : mcdl_model_input(m, i);
        const mcdl_layer *l = mcdl_node_layer(nd);
        cJSON *r = cJSON_CreateArray();
        cJSON_AddItemToArray(r, cJSON_CreateString(mcdl_layer_name(l)));
        cJSON_AddItemToArray(r,
                             cJSON_CreateNumber(model_node_index(s, l, mcdl_node_call_index(nd))));
        cJSON_AddItemToArray(r, cJSON_CreateNumber(mcdl_node_tensor_index(nd)));
        cJSON_AddItemToArray(a, r);
    }
    return a;
}

mcdl_status mcdl_model_to_json(const mcdl_model *m, char **json) {
    if (!m || !json) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_to_json: NULL argument");
    *json = NULL;
    bool seq = mcdl_model_is_sequential(m);
    lcall_set s = {0};
    for (int i = 0; i < mcdl_model_num_outputs(m); i++) mark_calls(m, mcdl_model_output(m, i), &s);
    cJSON *root = cJSON_CreateObject(), *cfg = cJSON_CreateObject(), *layers = cJSON_CreateArray();
    mcdl_status st = MCDL_OK;
    if (!root || !cfg || !layers || s.oom) {
        cJSON_Delete(root), cJSON_Delete(cfg), cJSON_Delete(layers);
        free(s.v);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory writing Keras JSON");
    }
    cJSON_AddStringToObject(root, "module", "keras");
    cJSON_AddStringToObject(root, "class_name", seq ? "Sequential" : "Functional");
    cJSON_AddItemToObject(root, "config", cfg);
    cJSON_AddStringToObject(root, "registered_name", seq ? "Sequential" : "Functional");
    cJSON_AddStringToObject(cfg, "name", mcdl_model_name(m));
    cJSON_AddBoolToObject(cfg, "trainable", true);
    cJSON_AddItemToObject(cfg, "layers", layers);
    for (int i = 0; i < mcdl_model_num_layers(m) && st == MCDL_OK; i++) {
        cJSON *e = NULL;
        const mcdl_layer *l = mcdl_model_layer(m, i);
        /* layers reached only through implicit masks (Embedding(mask_zero=True)'s NotEqual)
         * are not Keras layers: Keras rebuilds the mask itself */
        bool reached = false;
        for (int c = 0; c < mcdl_layer_num_calls(l); c++) reached |= set_has(&s, l, c);
        if (!reached) continue;
        st = layer_entry(l, &s, !seq, &e);
        if (st == MCDL_OK) cJSON_AddItemToArray(layers, e);
    }
    if (st == MCDL_OK && !seq) {
        cJSON_AddItemToObject(cfg, "input_layers", io_list(&s, m, false));
        cJSON_AddItemToObject(cfg, "output_layers", io_list(&s, m, true));
    }
    if (st == MCDL_OK) {
        *json = cJSON_Print(root);
        if (!*json) st = mcdl_error(MCDL_ERR_NOMEM, "out of memory writing Keras JSON");
    }
    cJSON_Delete(root);
    free(s.v);
    return st;
}

mcdl_status mcdl_model_save_json(const mcdl_model *m, const char *path) {
    char *json;
    MCDL_TRY(mcdl_model_to_json(m, &json));
    size_t n = strlen(json);
    json[n] = '\n'; /* replaces the terminator; the length below excludes it */
    mcdl_status s = mcdl_file_write_atomic(path, json, n + 1);
    free(json);
    return s;
}
