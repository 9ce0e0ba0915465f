/* Keras JSON (model.to_json()) -> model. Layers are created through the core's class
 * registry (mcdl_layer_from_config), so any family registered there loads without changes
 * here. Calls are replayed in dependency order, which also detects references to missing
 * layers or nodes and cycles in inbound_nodes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/data/fileio.h"
#include "lib/files/keras_config.h"
#include "lib/model/layer.h"
#include "mcdl/files.h"

typedef struct {
    int layer; /* index into the JSON layer list */
    int node, tensor;
} tref;

typedef struct {
    int n;
    tref in[MCDL_MAX_CALL_IO];
} jcall;

typedef struct {
    const char *name, *class_name;
    const cJSON *config;
    mcdl_layer *layer;
    int n_calls, done;
    jcall *calls;
} jlayer;

typedef struct {
    const char *what;
    mcdl_cfg_arena arena;
    jlayer *layers;
    int n;
} loader;

static mcdl_status bad(const loader *L, const char *fmt, const char *a, const char *b) {
    char msg[600];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    return mcdl_error(MCDL_ERR_FORMAT, "'%s': %s", L->what, msg);
}

static int find_layer(const loader *L, const char *name) {
    for (int i = 0; i < L->n; i++)
        if (L->layers[i].name && !strcmp(L->layers[i].name, name)) return i;
    return -1;
}

/* Reads [name, node, tensor(, ...)] into r; the name must be a layer of the model. */
static mcdl_status parse_history(const loader *L, const cJSON *h, const char *user, tref *r) {
    const cJSON *nm = cJSON_GetArrayItem(h, 0), *nd = cJSON_GetArrayItem(h, 1),
                *tn = cJSON_GetArrayItem(h, 2);
    if (!cJSON_IsArray(h) || !cJSON_IsString(nm) || !cJSON_IsNumber(nd) || !cJSON_IsNumber(tn) ||
        nd->valuedouble < 0 || tn->valuedouble < 0 || nd->valuedouble > 1e6 ||
        tn->valuedouble > 1e6)
        return bad(L, "layer '%s' has a malformed tensor reference (want [layer, node, tensor])",
                   user, NULL);
    r->layer = find_layer(L, nm->valuestring);
    if (r->layer < 0)
        return bad(L, "layer '%s' refers to layer '%s', which is not in the model", user,
                   nm->valuestring);
    r->node = (int)nd->valuedouble;
    r->tensor = (int)tn->valuedouble;
    return MCDL_OK;
}

static mcdl_status add_ref(const loader *L, jcall *c, const cJSON *h, const char *user) {
    if (c->n == MCDL_MAX_CALL_IO)
        return bad(L, "layer '%s' is called with more than 8 tensors", user, NULL);
    return parse_history(L, h, user, &c->in[c->n++]);
}

/* Keras 3: a __keras_tensor__ object, or lists of them (a merge layer's list argument). */
static mcdl_status collect_k3(const loader *L, jcall *c, const cJSON *v, const char *user) {
    if (cJSON_IsArray(v)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, v) MCDL_TRY(collect_k3(L, c, e, user));
        return MCDL_OK;
    }
    if (!cJSON_IsObject(v)) return MCDL_OK; /* a plain value argument */
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(v, "class_name");
    if (!cJSON_IsString(cls) || strcmp(cls->valuestring, "__keras_tensor__") != 0) return MCDL_OK;
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(v, "config");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(cfg, "keras_history");
    return add_ref(L, c, h, user);
}

/* True when v (or every element of a list v) is a tensor reference in either form. */
static bool holds_tensor(const cJSON *v, bool tf2) {
    if (tf2 && cJSON_IsArray(v) && cJSON_IsString(cJSON_GetArrayItem(v, 0))) return true;
    if (cJSON_IsArray(v)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, v) if (holds_tensor(e, tf2)) return true;
        return false;
    }
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(v, "class_name");
    return cJSON_IsObject(v) && cJSON_IsString(cls) &&
           !strcmp(cls->valuestring, "__keras_tensor__");
}

/* Tensor keyword arguments become further inputs in this order (the call signatures of
 * the layers that take them: MultiHeadAttention(query, value, key, attention_mask), RNN
 * initial_state). Other keyword tensors are refused rather than silently misplaced. */
static const char *const k_tensor_kwargs[] = {"inputs", "query",         "value",
                                              "key",    "initial_state", "attention_mask"};

static mcdl_status collect_tf2_ref(const loader *L, jcall *c, const cJSON *v, const char *user) {
    if (cJSON_IsArray(v) && cJSON_IsString(cJSON_GetArrayItem(v, 0))) return add_ref(L, c, v, user);
    const cJSON *e;
    cJSON_ArrayForEach(e, v) MCDL_TRY(collect_tf2_ref(L, c, e, user));
    return MCDL_OK;
}

static mcdl_status collect_kwargs(const loader *L, jcall *c, const cJSON *kw, bool tf2,
                                  const char *user) {
    if (!cJSON_IsObject(kw)) return MCDL_OK;
    const cJSON *v;
    cJSON_ArrayForEach(v, kw) {
        bool known = false;
        for (size_t k = 0; k < sizeof k_tensor_kwargs / sizeof *k_tensor_kwargs; k++)
            known |= !strcmp(v->string, k_tensor_kwargs[k]);
        if (!known && holds_tensor(v, tf2))
            return mcdl_error(MCDL_ERR_UNSUPPORTED,
                              "'%s': layer '%s' is called with the tensor keyword argument '%s', "
                              "which mcdl does not support",
                              L->what, user, v->string);
    }
    for (size_t k = 0; k < sizeof k_tensor_kwargs / sizeof *k_tensor_kwargs; k++) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(kw, k_tensor_kwargs[k]);
        if (!t || !holds_tensor(t, tf2)) continue;
        /* MultiHeadAttention(query, value, attention_mask=m) means key = value: the layer
         * takes its inputs positionally, so the value is repeated in the key's place */
        if (!strcmp(k_tensor_kwargs[k], "attention_mask") && c->n == 2) {
            const cJSON *key = cJSON_GetObjectItemCaseSensitive(kw, "key");
            if (!key || !holds_tensor(key, tf2)) c->in[c->n++] = c->in[1];
        }
        MCDL_TRY(tf2 ? collect_tf2_ref(L, c, t, user) : collect_k3(L, c, t, user));
    }
    return MCDL_OK;
}

static mcdl_status parse_node(const loader *L, const cJSON *node, jcall *c, const char *user) {
    memset(c, 0, sizeof *c);
    if (cJSON_IsObject(node)) { /* Keras 3 */
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(node, "args");
        if (args && !cJSON_IsArray(args))
            return bad(L, "layer '%s' has inbound node args that are not a list", user, NULL);
        MCDL_TRY(collect_k3(L, c, args, user));
        MCDL_TRY(
            collect_kwargs(L, c, cJSON_GetObjectItemCaseSensitive(node, "kwargs"), false, user));
    } else if (cJSON_IsArray(node)) { /* tf.keras 2: [[name, node, tensor, kwargs], ...] */
        const cJSON *e;
        cJSON_ArrayForEach(e, node) {
            MCDL_TRY(add_ref(L, c, e, user));
            MCDL_TRY(collect_kwargs(L, c, cJSON_GetArrayItem(e, 3), true, user));
        }
    } else {
        return bad(L, "layer '%s' has an inbound node that is neither a list nor an object", user,
                   NULL);
    }
    if (c->n == 0)
        return bad(L, "layer '%s' has an inbound node without input tensors", user, NULL);
    return MCDL_OK;
}

static const char *entry_name(const cJSON *entry, const cJSON *cfg) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(entry, "name");
    if (!cJSON_IsString(n)) n = cJSON_GetObjectItemCaseSensitive(cfg, "name");
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

static mcdl_status read_layer_list(loader *L, const cJSON *layers, bool functional) {
    if (!cJSON_IsArray(layers))
        return bad(L, "the model config has no \"layers\" list", NULL, NULL);
    L->n = cJSON_GetArraySize(layers);
    L->layers = mcdl_cfg_arena_alloc(&L->arena, (size_t)L->n * sizeof *L->layers);
    if (!L->layers) return mcdl_error(MCDL_ERR_NOMEM, "out of memory loading '%s'", L->what);
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, layers) {
        jlayer *j = &L->layers[i++];
        const cJSON *cls = cJSON_GetObjectItemCaseSensitive(e, "class_name");
        const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(e, "config");
        char idx[32];
        snprintf(idx, sizeof idx, "%d", i - 1);
        if (!cJSON_IsString(cls)) return bad(L, "layer entry %s has no class_name", idx, NULL);
        if (!cJSON_IsObject(cfg)) return bad(L, "layer entry %s has no config object", idx, NULL);
        j->class_name = cls->valuestring;
        j->config = cfg;
        j->name = entry_name(e, cfg);
        if (functional && !j->name) return bad(L, "layer entry %s has no name", idx, NULL);
        for (int k = 0; j->name && k < i - 1; k++)
            if (L->layers[k].name && !strcmp(L->layers[k].name, j->name))
                return bad(L, "two layers are named '%s'", j->name, NULL);
    }
    return MCDL_OK;
}

static mcdl_status make_layer(loader *L, mcdl_graph *g, jlayer *j) {
    mcdl_config *cfg = mcdl_cfg_from_json(&L->arena, j->config, j->name);
    if (!cfg) return mcdl_error(MCDL_ERR_NOMEM, "out of memory loading '%s'", L->what);
    if (!mcdl_layer_class_known(j->class_name))
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "'%s': layer '%s' has class '%s', which this build of mcdl does not "
                          "have",
                          L->what, j->name ? j->name : "?", j->class_name);
    mcdl_status s = mcdl_layer_from_config(g, j->class_name, cfg, &j->layer);
    if (s != MCDL_OK) {
        char inner[700];
        snprintf(inner, sizeof inner, "%s", mcdl_last_error());
        return mcdl_error(s, "'%s': %s", L->what, inner);
    }
    return MCDL_OK;
}

/* Replays every call once its inputs exist; what is left afterwards is explained. */
static mcdl_status replay_calls(loader *L) {
    bool progress = true;
    while (progress) {
        progress = false;
        for (int i = 0; i < L->n; i++) {
            jlayer *j = &L->layers[i];
            while (j->done < j->n_calls) {
                jcall *c = &j->calls[j->done];
                bool ready = true;
                for (int k = 0; k < c->n; k++)
                    ready &= L->layers[c->in[k].layer].done > c->in[k].node;
                if (!ready) break;
                mcdl_node *in[MCDL_MAX_CALL_IO], *out[MCDL_MAX_CALL_IO];
                for (int k = 0; k < c->n; k++) {
                    jlayer *src = &L->layers[c->in[k].layer];
                    in[k] = mcdl_layer_output(src->layer, c->in[k].node, c->in[k].tensor);
                    if (!in[k]) {
                        char ref[160];
                        snprintf(ref, sizeof ref, "output %d of call %d of layer '%s'",
                                 c->in[k].tensor, c->in[k].node, src->name);
                        return bad(L, "layer '%s' refers to %s, which does not exist", j->name,
                                   ref);
                    }
                }
                mcdl_status s = mcdl_call_multi(j->layer, c->n, in, MCDL_MAX_CALL_IO, out);
                if (s != MCDL_OK) {
                    char inner[700];
                    snprintf(inner, sizeof inner, "%s", mcdl_last_error());
                    return mcdl_error(s, "'%s': %s", L->what, inner);
                }
                j->done++;
                progress = true;
            }
        }
    }
    bool pending = false;
    for (int i = 0; i < L->n; i++) pending |= L->layers[i].done < L->layers[i].n_calls;
    if (!pending) return MCDL_OK;
    for (int i = 0; i < L->n; i++) {
        jlayer *j = &L->layers[i];
        if (j->done == j->n_calls) continue;
        const jcall *c = &j->calls[j->done];
        for (int k = 0; k < c->n; k++) {
            const jlayer *src = &L->layers[c->in[k].layer];
            if (c->in[k].node >= src->n_calls) {
                char ref[160];
                snprintf(ref, sizeof ref, "call %d of layer '%s', which is called %d time%s",
                         c->in[k].node, src->name, src->n_calls, src->n_calls == 1 ? "" : "s");
                return bad(L, "layer '%s' refers to %s", j->name, ref);
            }
        }
    }
    char names[400] = "";
    size_t used = 0;
    for (int i = 0; i < L->n && used < sizeof names - 40; i++)
        if (L->layers[i].done < L->layers[i].n_calls)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s'%s'", used ? ", " : "",
                                     L->layers[i].name);
    return bad(L, "inbound_nodes form a cycle: layers %s wait on each other", names, NULL);
}

static mcdl_status parse_io_list(loader *L, const cJSON *v, const char *key, int *n, tref *refs) {
    if (!cJSON_IsArray(v)) return bad(L, "the model config has no \"%s\" list", key, NULL);
    *n = 0;
    if (cJSON_IsString(cJSON_GetArrayItem(v, 0))) /* a single [name, node, tensor] */
        return *n = 1, parse_history(L, v, key, &refs[0]);
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        if (*n == MCDL_MAX_CALL_IO) return bad(L, "\"%s\" lists more than 8 tensors", key, NULL);
        MCDL_TRY(parse_history(L, e, key, &refs[(*n)++]));
    }
    if (*n == 0) return bad(L, "\"%s\" is empty", key, NULL);
    return MCDL_OK;
}

static mcdl_status load_functional(loader *L, const cJSON *cfg, uint64_t seed, mcdl_model **out) {
    MCDL_TRY(read_layer_list(L, cJSON_GetObjectItemCaseSensitive(cfg, "layers"), true));
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(cfg, "layers");
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, layers) {
        jlayer *j = &L->layers[i++];
        if (!strcmp(j->class_name, "InputLayer")) continue;
        const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(e, "inbound_nodes");
        if (!cJSON_IsArray(nodes) || cJSON_GetArraySize(nodes) == 0)
            return bad(L, "layer '%s' has no inbound_nodes (it is never called)", j->name, NULL);
        j->n_calls = cJSON_GetArraySize(nodes);
        j->calls = mcdl_cfg_arena_alloc(&L->arena, (size_t)j->n_calls * sizeof *j->calls);
        if (!j->calls) return mcdl_error(MCDL_ERR_NOMEM, "out of memory loading '%s'", L->what);
        int k = 0;
        const cJSON *nd;
        cJSON_ArrayForEach(nd, nodes) MCDL_TRY(parse_node(L, nd, &j->calls[k++], j->name));
    }
    int n_in, n_out;
    tref ins[MCDL_MAX_CALL_IO], outs[MCDL_MAX_CALL_IO];
    MCDL_TRY(parse_io_list(L, cJSON_GetObjectItemCaseSensitive(cfg, "input_layers"), "input_layers",
                           &n_in, ins));
    MCDL_TRY(parse_io_list(L, cJSON_GetObjectItemCaseSensitive(cfg, "output_layers"),
                           "output_layers", &n_out, outs));
    mcdl_graph *g;
    MCDL_TRY(mcdl_graph_create(&g, seed));
    mcdl_status s = MCDL_OK;
    for (i = 0; i < L->n && s == MCDL_OK; i++) {
        jlayer *j = &L->layers[i];
        s = make_layer(L, g, j);
        if (s == MCDL_OK && !strcmp(j->class_name, "InputLayer")) j->n_calls = j->done = 1;
    }
    if (s == MCDL_OK) s = replay_calls(L);
    mcdl_node *in_nodes[MCDL_MAX_CALL_IO], *out_nodes[MCDL_MAX_CALL_IO];
    for (i = 0; i < n_in && s == MCDL_OK; i++) {
        in_nodes[i] = mcdl_layer_output(L->layers[ins[i].layer].layer, ins[i].node, ins[i].tensor);
        if (!in_nodes[i])
            s = bad(L, "input_layers names a tensor of '%s' that does not exist",
                    L->layers[ins[i].layer].name, NULL);
    }
    for (i = 0; i < n_out && s == MCDL_OK; i++) {
        out_nodes[i] =
            mcdl_layer_output(L->layers[outs[i].layer].layer, outs[i].node, outs[i].tensor);
        if (!out_nodes[i])
            s = bad(L, "output_layers names a tensor of '%s' that does not exist",
                    L->layers[outs[i].layer].name, NULL);
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(cfg, "name");
    if (s == MCDL_OK)
        s = mcdl_model_create(out, g, n_in, in_nodes, n_out, out_nodes,
                              cJSON_IsString(name) ? name->valuestring : NULL);
    mcdl_graph_destroy(g);
    return s;
}

/* Input shape of a Sequential: its InputLayer, else the first layer's batch_input_shape /
 * batch_shape (tf.keras 2 style), else the model's build_input_shape. */
static mcdl_status sequential_input(loader *L, const cJSON *cfg, mcdl_input_opts *in, int *first) {
    const cJSON *shape = NULL;
    *first = 0;
    if (L->n > 0 && !strcmp(L->layers[0].class_name, "InputLayer")) {
        *first = 1;
        in->name = L->layers[0].name;
    }
    const cJSON *c0 = L->n > 0 ? L->layers[0].config : NULL;
    shape = cJSON_GetObjectItemCaseSensitive(c0, "batch_shape");
    if (!cJSON_IsArray(shape)) shape = cJSON_GetObjectItemCaseSensitive(c0, "batch_input_shape");
    if (!cJSON_IsArray(shape)) shape = cJSON_GetObjectItemCaseSensitive(cfg, "build_input_shape");
    if (!cJSON_IsArray(shape))
        return bad(L,
                   "the Sequential model has no input shape (no InputLayer, batch_shape or "
                   "build_input_shape)",
                   NULL, NULL);
    int rank = cJSON_GetArraySize(shape) - 1;
    if (rank < 1 || rank > MCDL_MAX_RANK)
        return bad(L, "the Sequential model's input shape has an unsupported rank", NULL, NULL);
    for (int d = 0; d < rank; d++) {
        const cJSON *v = cJSON_GetArrayItem(shape, d + 1);
        if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 9.0e15 ||
            v->valuedouble != floor(v->valuedouble)) {
            char ax[16];
            snprintf(ax, sizeof ax, "%d", d + 1);
            return mcdl_error(MCDL_ERR_UNSUPPORTED,
                              "'%s': input dimension %s is unknown (None) or invalid; mcdl needs "
                              "fixed per-sample shapes",
                              L->what, ax);
        }
        in->shape[d] = (int64_t)v->valuedouble;
    }
    in->rank = rank;
    return MCDL_OK;
}

static mcdl_status load_sequential(loader *L, const cJSON *cfg, uint64_t seed, mcdl_model **out) {
    MCDL_TRY(read_layer_list(L, cJSON_GetObjectItemCaseSensitive(cfg, "layers"), false));
    mcdl_input_opts in;
    memset(&in, 0, sizeof in);
    int first;
    MCDL_TRY(sequential_input(L, cfg, &in, &first));
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(cfg, "name");
    mcdl_model *m;
    MCDL_TRY(
        mcdl_sequential_create(&m, seed, &in, cJSON_IsString(name) ? name->valuestring : NULL));
    mcdl_status s = MCDL_OK;
    for (int i = first; i < L->n && s == MCDL_OK; i++) {
        jlayer *j = &L->layers[i];
        s = make_layer(L, mcdl_model_graph(m), j);
        if (s == MCDL_OK) {
            s = mcdl_sequential_add(m, j->layer);
            if (s != MCDL_OK) {
                char inner[700];
                snprintf(inner, sizeof inner, "%s", mcdl_last_error());
                s = mcdl_error(s, "'%s': %s", L->what, inner);
            }
        }
    }
    if (s != MCDL_OK) {
        mcdl_model_destroy(m);
        return s;
    }
    *out = m;
    return MCDL_OK;
}

mcdl_status mcdl_model_from_json(const char *json, size_t len, const char *what, uint64_t seed,
                                 mcdl_model **out) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_from_json: out is NULL");
    *out = NULL;
    if (!json) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_from_json: json is NULL");
    loader L;
    memset(&L, 0, sizeof L);
    L.what = what ? what : "(json)";
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, false);
    if (!root) {
        size_t at = end && end >= json ? (size_t)(end - json) : 0;
        return mcdl_error(MCDL_ERR_FORMAT, "'%s' is not valid JSON (error near byte %zu of %zu)",
                          L.what, at, len);
    }
    mcdl_status s;
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(root, "class_name");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(root, "config");
    if (!cJSON_IsString(cls) || !cJSON_IsObject(cfg)) {
        s = bad(&L, "not a Keras model file (no top-level class_name and config)", NULL, NULL);
    } else if (!strcmp(cls->valuestring, "Sequential")) {
        s = load_sequential(&L, cfg, seed, out);
    } else if (!strcmp(cls->valuestring, "Functional") || !strcmp(cls->valuestring, "Model")) {
        s = load_functional(&L, cfg, seed, out);
    } else {
        s = mcdl_error(MCDL_ERR_UNSUPPORTED,
                       "'%s': model class '%s' is not supported (Sequential, Functional and Model "
                       "are)",
                       L.what, cls->valuestring);
    }
    cJSON_Delete(root);
    mcdl_cfg_arena_free(&L.arena);
    return s;
}

mcdl_status mcdl_model_load_json(const char *path, uint64_t seed, mcdl_model **out) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_load_json: out is NULL");
    *out = NULL;
    void *buf;
    size_t n;
    MCDL_TRY(mcdl_file_read_all(path, &buf, &n));
    mcdl_status s = mcdl_model_from_json(buf, n, path, seed, out);
    free(buf);
    return s;
}
