/* The functional graph: layer objects, calls on nodes (with shape inference at call
 * time), Keras' automatic names, weights storage, and the sticky builder error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/alloc.h"
#include "lib/core/error.h"
#include "lib/model/graph_internal.h"

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static bool grow(void **p, int *cap, int need, size_t elem) {
    if (need <= *cap) return true;
    int nc = *cap ? *cap * 2 : 8;
    while (nc < need) nc *= 2;
    void *q = realloc(*p, (size_t)nc * elem);
    if (!q) return false;
    memset((char *)q + (size_t)*cap * elem, 0, (size_t)(nc - *cap) * elem);
    *p = q;
    *cap = nc;
    return true;
}

int64_t mcdl_shape_numel(const mcdl_shape *s) {
    /* Saturates instead of overflowing (undefined in C): a shape from a damaged file may
     * multiply past int64; callers see INT64_MAX and refuse it (mcdl_graph_check_shape). */
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        if (__builtin_mul_overflow(n, s->d[i], &n)) return INT64_MAX;
    return n;
}

bool mcdl_shape_equal(const mcdl_shape *a, const mcdl_shape *b) {
    if (a->rank != b->rank) return false;
    for (int i = 0; i < a->rank; i++)
        if (a->d[i] != b->d[i]) return false;
    return true;
}

void mcdl_shape_keras_str(const mcdl_shape *s, char *buf, size_t n) {
    size_t used = (size_t)snprintf(buf, n, "(None");
    for (int i = 0; i < s->rank && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, ", %lld", (long long)s->d[i]);
    if (used < n) snprintf(buf + used, n - used, ")");
}

/* ---- graph ---- */

mcdl_status mcdl_graph_create(mcdl_graph **out, uint64_t seed) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_graph_create: out is NULL");
    mcdl_graph *g = calloc(1, sizeof *g);
    if (!g) return mcdl_error(MCDL_ERR_NOMEM, "mcdl_graph_create: out of memory");
    g->refs = 1;
    g->seed = seed;
    *out = g;
    return MCDL_OK;
}

void mcdl_graph_retain(mcdl_graph *g) { g->refs++; }

static void layer_free(mcdl_layer *l) {
    if (l->cls->destroy) l->cls->destroy(l);
    free(l->state);
    free(l->name);
    free(l->calls);
    for (int i = 0; i < l->n_weights; i++) {
        mcdl_weight *w = &l->weights[i];
        free(w->path);
        free(w->name);
        mcdl_free(w->data);
        mcdl_free(w->grad);
        mcdl_tensor_destroy(w->view);
    }
    free(l->weights);
    mcdl_cfg_writer_free(&l->cfg);
    free(l);
}

/* ---- inner layers of wrappers ---- */

mcdl_status mcdl_layer_inner_create(mcdl_layer *outer, const char *class_name,
                                    const mcdl_config *cfg, mcdl_layer **out) {
    const mcdl_layer_class *cls = mcdl_layer_class_find(class_name);
    if (!cls)
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "layer '%s' (%s) wraps unknown layer class '%s' (this build knows no "
                          "such layer)",
                          outer->name, outer->cls->class_name, class_name);
    if (!cls->infer || !cls->forward || cls->min_inputs > 1)
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "layer '%s' (%s) cannot wrap a '%s' (it does not act on one input)",
                          outer->name, outer->cls->class_name, class_name);
    const mcdl_cfg_item *nm = mcdl_config_find(cfg, "name");
    const char *name =
        nm && nm->type == MCDL_CFG_STRING && nm->str && *nm->str ? nm->str : cls->auto_name;
    mcdl_layer *l = calloc(1, sizeof *l);
    size_t len = strlen(outer->name) + strlen(name) + 2;
    if (l) l->state = cls->state_size ? calloc(1, cls->state_size) : NULL;
    if (l) l->name = malloc(len);
    if (!l || (cls->state_size && !l->state) || !l->name) {
        if (l) free(l->state), free(l->name), free(l);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory creating the layer inside '%s'",
                          outer->name);
    }
    snprintf(l->name, len, "%s/%s", outer->name, name);
    l->graph = outer->graph;
    l->cls = cls;
    l->trainable = true;
    l->id = -1;
    bool trainable = true;
    mcdl_status s = mcdl_cfg_get_bool(l, cfg, "trainable", &trainable);
    if (s == MCDL_OK) s = cls->from_config(l, cfg);
    if (s != MCDL_OK) {
        mcdl_layer_inner_free(l);
        return s;
    }
    *out = l;
    return MCDL_OK;
}

mcdl_status mcdl_layer_inner_infer(mcdl_layer *outer, mcdl_layer *inner, mcdl_infer_args *a) {
    if (a->call != inner->n_calls)
        return mcdl_error(MCDL_ERR_ARG, "layer '%s': inner call %d out of order (%d made)",
                          inner->name, a->call, inner->n_calls);
    if (!grow((void **)&inner->calls, &inner->cap_calls, inner->n_calls + 1, sizeof *inner->calls))
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory calling '%s'", inner->name);
    MCDL_TRY(inner->cls->infer(inner, a));
    if (a->n_out < 1 || a->n_in > MCDL_MAX_CALL_IO || a->n_out > MCDL_MAX_CALL_IO)
        return mcdl_error(MCDL_ERR_SHAPE, "layer '%s' gave no output", inner->name);
    /* the call's nodes carry the per-sample shapes the inner workspace() reads */
    mcdl_layer_call *c = &inner->calls[inner->n_calls];
    memset(c, 0, sizeof *c);
    for (int i = 0; i < a->n_in + a->n_out; i++) {
        mcdl_node *n = calloc(1, sizeof *n);
        if (!n) {
            for (int j = 0; j < c->n_in; j++) free(c->in[j]);
            for (int j = 0; j < c->n_out; j++) free(c->out[j]);
            return mcdl_error(MCDL_ERR_NOMEM, "out of memory calling '%s'", inner->name);
        }
        n->layer = inner;
        n->call = a->call;
        n->id = -1;
        if (i < a->n_in) {
            n->shape = a->in[i];
            c->in[c->n_in++] = n;
        } else {
            n->tensor = i - a->n_in;
            n->shape = a->out[i - a->n_in];
            c->out[c->n_out++] = n;
        }
    }
    inner->n_calls++;
    if (a->call == 0 && inner->n_weights > 0) {
        if (outer->n_weights > 0)
            return mcdl_error(MCDL_ERR_ARG, "layer '%s' has weights of its own besides '%s'",
                              outer->name, inner->name);
        /* shared, owned by outer: the model lists and trains them through outer */
        outer->weights = inner->weights;
        outer->n_weights = inner->n_weights;
        outer->cap_weights = inner->cap_weights;
    }
    return MCDL_OK;
}

void mcdl_layer_inner_free(mcdl_layer *inner) {
    if (!inner) return;
    for (int i = 0; i < inner->n_calls; i++) {
        for (int j = 0; j < inner->calls[i].n_in; j++) free(inner->calls[i].in[j]);
        for (int j = 0; j < inner->calls[i].n_out; j++) free(inner->calls[i].out[j]);
    }
    if (inner->n_calls > 0) { /* weights were handed to the outer layer */
        inner->weights = NULL;
        inner->n_weights = 0;
    }
    layer_free(inner);
}

void mcdl_graph_destroy(mcdl_graph *g) {
    if (!g || --g->refs > 0) return;
    for (int i = 0; i < g->n_layers; i++) layer_free(g->layers[i]);
    for (int i = 0; i < g->n_nodes; i++) free(g->nodes[i]);
    free(g->layers);
    free(g->nodes);
    free(g);
}

mcdl_status mcdl_graph_record(mcdl_graph *g, mcdl_status s) {
    if (g && s != MCDL_OK && g->err == MCDL_OK) {
        g->err = s;
        snprintf(g->errmsg, sizeof g->errmsg, "%s", mcdl_last_error());
    }
    return s;
}

mcdl_status mcdl_graph_status(const mcdl_graph *g) { return g ? g->err : MCDL_ERR_ARG; }
const char *mcdl_graph_error(const mcdl_graph *g) { return g ? g->errmsg : ""; }
int mcdl_graph_num_layers(const mcdl_graph *g) { return g ? g->n_layers : 0; }
mcdl_layer *mcdl_graph_layer(const mcdl_graph *g, int i) {
    return g && i >= 0 && i < g->n_layers ? g->layers[i] : NULL;
}
mcdl_layer *mcdl_graph_find_layer(const mcdl_graph *g, const char *name) {
    if (!g || !name) return NULL;
    for (int i = 0; i < g->n_layers; i++)
        if (!strcmp(g->layers[i]->name, name)) return g->layers[i];
    return NULL;
}

/* ---- layers ---- */

mcdl_layer *mcdl_layer_new(mcdl_graph *g, const mcdl_layer_class *cls, const char *name) {
    if (!g) return NULL;
    char buf[256];
    if (name && !*name) name = NULL;
    if (name) {
        if (mcdl_graph_find_layer(g, name)) {
            mcdl_graph_record(g, mcdl_error(MCDL_ERR_ARG,
                                            "layer name '%s' is already used in this model "
                                            "(every layer name must be unique)",
                                            name));
            return NULL;
        }
        snprintf(buf, sizeof buf, "%s", name);
    } else {
        /* Keras: dense, dense_1, dense_2, ... counting layers of the same base name */
        int k = 0;
        for (int i = 0; i < g->n_layers; i++)
            if (!strcmp(g->layers[i]->cls->auto_name, cls->auto_name)) k++;
        for (;; k++) {
            if (k == 0)
                snprintf(buf, sizeof buf, "%s", cls->auto_name);
            else
                snprintf(buf, sizeof buf, "%s_%d", cls->auto_name, k);
            if (!mcdl_graph_find_layer(g, buf)) break;
        }
    }
    mcdl_layer *l = calloc(1, sizeof *l);
    if (l) l->state = cls->state_size ? calloc(1, cls->state_size) : NULL;
    if (l) l->name = dup_str(buf);
    if (!l || (cls->state_size && !l->state) || !l->name ||
        !grow((void **)&g->layers, &g->cap_layers, g->n_layers + 1, sizeof *g->layers)) {
        if (l) {
            free(l->state);
            free(l->name);
            free(l);
        }
        mcdl_graph_record(g, mcdl_error(MCDL_ERR_NOMEM, "out of memory creating layer '%s'", buf));
        return NULL;
    }
    l->graph = g;
    l->cls = cls;
    l->trainable = true;
    l->id = g->n_layers;
    g->layers[g->n_layers++] = l;
    return l;
}

void *mcdl_layer_state(const mcdl_layer *l) { return l->state; }
const mcdl_layer_class *mcdl_layer_get_class(const mcdl_layer *l) { return l->cls; }
mcdl_graph *mcdl_layer_graph(const mcdl_layer *l) { return l->graph; }
const char *mcdl_layer_name(const mcdl_layer *l) { return l ? l->name : ""; }
const char *mcdl_layer_class_name(const mcdl_layer *l) { return l ? l->cls->class_name : ""; }
int mcdl_layer_num_calls(const mcdl_layer *l) { return l ? l->n_calls : 0; }
int mcdl_layer_call_num_inputs(const mcdl_layer *l, int c) {
    return l && c >= 0 && c < l->n_calls ? l->calls[c].n_explicit : 0;
}
mcdl_node *mcdl_layer_call_input(const mcdl_layer *l, int c, int i) {
    if (!l || c < 0 || c >= l->n_calls || i < 0 || i >= l->calls[c].n_explicit) return NULL;
    return l->calls[c].in[i];
}
int mcdl_layer_call_num_outputs(const mcdl_layer *l, int c) {
    return l && c >= 0 && c < l->n_calls ? l->calls[c].n_out : 0;
}
mcdl_node *mcdl_layer_output(const mcdl_layer *l, int c, int t) {
    if (!l || c < 0 || c >= l->n_calls || t < 0 || t >= l->calls[c].n_out) return NULL;
    return l->calls[c].out[t];
}
void mcdl_layer_set_trainable(mcdl_layer *l, bool trainable) {
    if (l) l->trainable = trainable;
}
bool mcdl_layer_trainable(const mcdl_layer *l) { return l && l->trainable; }

int mcdl_node_shape(const mcdl_node *n, int64_t shape[MCDL_MAX_RANK]) {
    if (!n) return -1;
    for (int i = 0; i < n->shape.rank; i++) shape[i] = n->shape.d[i];
    return n->shape.rank;
}
mcdl_layer *mcdl_node_layer(const mcdl_node *n) { return n ? n->layer : NULL; }
int mcdl_node_call_index(const mcdl_node *n) { return n ? n->call : -1; }
int mcdl_node_tensor_index(const mcdl_node *n) { return n ? n->tensor : -1; }
mcdl_node *mcdl_node_keras_mask(const mcdl_node *n) { return n ? n->mask : NULL; }

/* Runs infer for a new call and records it; in == NULL with n_in == 0 for Input layers. */
static mcdl_status call_layer(mcdl_layer *l, int n_in, mcdl_node *const *in_given, int n_out,
                              mcdl_node **out) {
    mcdl_graph *g = l->graph;
    const mcdl_layer_class *cls = l->cls;
    const int n_explicit = n_in;
    mcdl_node *in[MCDL_MAX_CALL_IO], *masks[MCDL_MAX_CALL_IO];
    bool any_mask = false;
    for (int i = 0; i < n_in && i < MCDL_MAX_CALL_IO; i++) {
        in[i] = in_given[i];
        masks[i] = in[i]->mask;
        any_mask |= masks[i] != NULL;
    }
    if (n_in < cls->min_inputs || n_in > cls->max_inputs) {
        if (cls->min_inputs == cls->max_inputs)
            return mcdl_error(MCDL_ERR_ARG, "layer '%s' (%s) takes %d input%s, got %d", l->name,
                              cls->class_name, cls->min_inputs, cls->min_inputs == 1 ? "" : "s",
                              n_in);
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' (%s) takes %d to %d inputs, got %d", l->name,
                          cls->class_name, cls->min_inputs, cls->max_inputs, n_in);
    }
    if (any_mask && cls->take_masks) {
        int k = 0;
        MCDL_TRY(cls->take_masks(l, l->n_calls, n_in, in, masks, in + n_in, &k));
        n_in += k;
    }
    mcdl_infer_args a = {.call = l->n_calls, .n_in = n_in, .n_explicit = n_explicit, .n_out = 1};
    mcdl_shape shapes[MCDL_MAX_CALL_IO];
    const char *from[MCDL_MAX_CALL_IO];
    for (int i = 0; i < n_in; i++) {
        if (in[i]->layer->graph != g)
            return mcdl_error(MCDL_ERR_ARG,
                              "layer '%s' (%s) was called on a node of another graph (from '%s')",
                              l->name, cls->class_name, in[i]->layer->name);
        shapes[i] = in[i]->shape;
        from[i] = in[i]->layer->name;
    }
    a.in = shapes;
    a.in_from = from;
    if (n_in > 0) a.out[0] = shapes[0];
    MCDL_TRY(cls->infer(l, &a));
    if (a.n_out < 1 || a.n_out > MCDL_MAX_CALL_IO)
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' (%s) reported %d outputs", l->name,
                          cls->class_name, a.n_out);
    if (!grow((void **)&l->calls, &l->cap_calls, l->n_calls + 1, sizeof *l->calls) ||
        !grow((void **)&g->nodes, &g->cap_nodes, g->n_nodes + a.n_out, sizeof *g->nodes))
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory calling layer '%s'", l->name);
    mcdl_layer_call *c = &l->calls[l->n_calls];
    memset(c, 0, sizeof *c);
    c->n_in = n_in;
    c->n_explicit = n_explicit;
    for (int i = 0; i < n_in; i++) c->in[i] = in[i];
    for (int j = 0; j < a.n_out; j++) {
        mcdl_node *n = calloc(1, sizeof *n);
        if (!n) {
            for (int k = 0; k < j; k++) free(c->out[k]);
            return mcdl_error(MCDL_ERR_NOMEM, "out of memory calling layer '%s'", l->name);
        }
        for (int d = 0; d < a.out[j].rank; d++)
            if (a.out[j].d[d] <= 0) {
                free(n);
                for (int k = 0; k < j; k++) free(c->out[k]);
                char sb[128];
                mcdl_shape_keras_str(&a.out[j], sb, sizeof sb);
                return mcdl_error(MCDL_ERR_SHAPE, "layer '%s' (%s) would output the empty shape %s",
                                  l->name, cls->class_name, sb);
            }
        /* 2^40 values per sample: far past any real model, and low enough that batch x
         * numel x 4 bytes cannot overflow int64 in the planner. */
        if (mcdl_shape_numel(&a.out[j]) > ((int64_t)1 << 40)) {
            free(n);
            for (int k = 0; k < j; k++) free(c->out[k]);
            char sb[128];
            mcdl_shape_keras_str(&a.out[j], sb, sizeof sb);
            return mcdl_error(MCDL_ERR_SHAPE,
                              "layer '%s' (%s) would output %s, more than 2^40 values per sample",
                              l->name, cls->class_name, sb);
        }
        n->layer = l;
        n->call = l->n_calls;
        n->tensor = j;
        n->shape = a.out[j];
        c->out[j] = n;
    }
    c->n_out = a.n_out;
    for (int j = 0; j < a.n_out; j++) {
        c->out[j]->id = g->n_nodes;
        g->nodes[g->n_nodes++] = c->out[j];
    }
    l->n_calls++;
    for (int j = 0; j < n_out && out; j++) out[j] = j < a.n_out ? c->out[j] : NULL;
    if (any_mask || cls->output_mask) {
        /* c may move if output_mask calls this layer again: keep the node */
        mcdl_node *o0 = c->out[0], *m = NULL;
        if (cls->output_mask)
            m = cls->output_mask(l, o0->call, n_explicit, in, masks);
        else if (cls->keeps_mask)
            m = masks[0];
        if (g->err != MCDL_OK) return g->err;
        /* a mask only fits an output that still has the masked steps as its first axis */
        if (m && o0->shape.rank >= 1 && m->shape.rank == 1 && m->shape.d[0] == o0->shape.d[0])
            o0->mask = m;
    }
    return MCDL_OK;
}

mcdl_status mcdl_call_multi(mcdl_layer *l, int n_in, mcdl_node *const *in, int n_out,
                            mcdl_node **out) {
    if (!l) return mcdl_error(MCDL_ERR_ARG, "mcdl_call_multi: layer is NULL");
    mcdl_graph *g = l->graph;
    if (g->err != MCDL_OK) return mcdl_error(g->err, "%s", g->errmsg);
    if (n_in < 0 || n_in > MCDL_MAX_CALL_IO || (n_in > 0 && !in))
        return mcdl_graph_record(g, mcdl_error(MCDL_ERR_ARG,
                                               "layer '%s': %d inputs given (at most %d)", l->name,
                                               n_in, MCDL_MAX_CALL_IO));
    for (int i = 0; i < n_in; i++)
        if (!in[i])
            return mcdl_graph_record(
                g, mcdl_error(MCDL_ERR_ARG, "layer '%s': input %d is NULL", l->name, i));
    return mcdl_graph_record(g, call_layer(l, n_in, in, n_out, out));
}

mcdl_node *mcdl_call(mcdl_layer *l, mcdl_node *x) {
    if (!l || !x) return NULL;
    if (l->graph->err != MCDL_OK) return NULL;
    mcdl_node *out = NULL;
    if (mcdl_call_multi(l, 1, &x, 1, &out) != MCDL_OK) return NULL;
    return out;
}

/* Input layers are called once, with no inputs, when they are made. */
mcdl_node *mcdl_layer_call_source(mcdl_layer *l) {
    if (!l) return NULL;
    mcdl_node *out = NULL;
    if (mcdl_graph_record(l->graph, call_layer(l, 0, NULL, 1, &out)) != MCDL_OK) return NULL;
    return out;
}

/* ---- weights ---- */

int mcdl_layer_add_weight(mcdl_layer *l, const char *subpath, int rank, const int64_t *shape,
                          mcdl_init init, bool trainable) {
    mcdl_graph *g = l->graph;
    int64_t n = 1;
    for (int i = 0; i < rank; i++)
        /* 2^40 elements at most: n * sizeof(float) must not wrap size_t into a small
         * allocation that initialisation would then overrun. */
        if (shape[i] <= 0 || !mcdl_mul_ok(n, shape[i], &n) || n > ((int64_t)1 << 40)) {
            mcdl_graph_record(g,
                              mcdl_error(MCDL_ERR_SHAPE, "layer '%s': weight '%s' has a bad shape",
                                         l->name, subpath));
            return -1;
        }
    if (!grow((void **)&l->weights, &l->cap_weights, l->n_weights + 1, sizeof *l->weights)) {
        mcdl_graph_record(g, mcdl_error(MCDL_ERR_NOMEM, "out of memory for layer '%s'", l->name));
        return -1;
    }
    mcdl_weight *w = &l->weights[l->n_weights];
    memset(w, 0, sizeof *w);
    size_t plen = strlen(l->name) + strlen(subpath) + 2;
    w->path = malloc(plen);
    if (w->path) snprintf(w->path, plen, "%s/%s", l->name, subpath);
    const char *slash = strrchr(subpath, '/');
    w->name = dup_str(slash ? slash + 1 : subpath);
    w->rank = rank;
    for (int i = 0; i < rank; i++) w->shape[i] = shape[i];
    w->numel = n;
    w->trainable = trainable;
    w->data = mcdl_alloc((size_t)n * sizeof(float));
    w->grad = mcdl_alloc((size_t)n * sizeof(float));
    if (w->data) mcdl_tensor_wrap(&w->view, w->data, rank, shape, NULL);
    if (!w->path || !w->name || !w->data || !w->grad || !w->view) {
        free(w->path);
        free(w->name);
        mcdl_free(w->data);
        mcdl_free(w->grad);
        mcdl_tensor_destroy(w->view);
        mcdl_graph_record(g, mcdl_error(MCDL_ERR_NOMEM,
                                        "out of memory for weight '%s/%s' (%lld floats)", l->name,
                                        subpath, (long long)n));
        return -1;
    }
    mcdl_status s = mcdl_init_fill(init, w->data, rank, shape, g->seed, g->next_stream++);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        free(w->path);
        free(w->name);
        mcdl_free(w->data);
        mcdl_free(w->grad);
        mcdl_tensor_destroy(w->view);
        return -1;
    }
    return l->n_weights++;
}

float *mcdl_layer_weight_data(const mcdl_layer *l, int i) { return l->weights[i].data; }
float *mcdl_layer_weight_grad(const mcdl_layer *l, int i) { return l->weights[i].grad; }
int mcdl_layer_num_weights(const mcdl_layer *l) { return l ? l->n_weights : 0; }

mcdl_status mcdl_layer_weight(const mcdl_layer *l, int i, mcdl_weight_info *info) {
    if (!l || !info || i < 0 || i >= l->n_weights)
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' has no weight %d (it has %d)",
                          l ? l->name : "(null)", i, l ? l->n_weights : 0);
    const mcdl_weight *w = &l->weights[i];
    info->path = w->path;
    info->name = w->name;
    info->value = w->view;
    info->trainable = w->trainable && l->trainable;
    info->layer = (mcdl_layer *)l;
    return MCDL_OK;
}

int64_t mcdl_layer_count_params(const mcdl_layer *l) {
    int64_t n = 0;
    for (int i = 0; l && i < l->n_weights; i++) n += l->weights[i].numel;
    return n;
}
