/* Models: functional construction over a graph, the Sequential builder, topological
 * order, and the weight list in Keras' order. */
#include <stdlib.h>
#include <string.h>

#include "lib/core/alloc.h"
#include "lib/core/error.h"
#include "lib/model/core_layers.h"
#include "lib/model/model_internal.h"

bool mcdl_layer_is_input(const mcdl_layer *l) { return l->cls == &mcdl_input_layer_class; }

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void unbuild(mcdl_model *m) {
    free(m->steps);
    free(m->nodes);
    free(m->node_index);
    free(m->layers);
    free(m->w);
    free(m->w_layer);
    m->steps = NULL;
    m->nodes = NULL;
    m->node_index = NULL;
    m->layers = NULL;
    m->w = NULL;
    m->w_layer = NULL;
    m->n_steps = m->n_nodes = m->n_layers = m->n_w = m->n_node_index = 0;
    mcdl_plan_free(&m->plan);
    m->built = false;
}

static void free_compile(mcdl_model *m) {
    for (int i = 0; i < m->n_trained * m->n_slots; i++) {
        mcdl_free(m->slots[i]);
        mcdl_tensor_destroy(m->slot_views[i]);
    }
    free(m->slots);
    free(m->slot_views);
    free(m->trained);
    free(m->slot_of);
    free(m->layer_trained);
    m->layer_trained = NULL;
    m->n_layer_trained = 0;
    m->slots = NULL;
    m->slot_views = NULL;
    m->trained = m->slot_of = NULL;
    m->n_trained = m->n_slots = 0;
    m->compiled = false;
}

mcdl_status mcdl_model_check_handle(const mcdl_model *m, const char *fn) {
    if (!m) return mcdl_error(MCDL_ERR_ARG, "%s: model is NULL", fn);
#ifndef NDEBUG
    if (m->magic == MCDL_MODEL_DEAD)
        return mcdl_error(MCDL_ERR_STATE,
                          "%s: the model handle %p was already destroyed (mcdl_model_destroy)", fn,
                          (const void *)m);
    if (m->magic != MCDL_MODEL_MAGIC)
        return mcdl_error(MCDL_ERR_STATE, "%s: %p is not a model handle", fn, (const void *)m);
#endif
    return MCDL_OK;
}

#ifndef NDEBUG
static mcdl_model *quarantine[MCDL_MODEL_QUARANTINE];
static int quarantine_next;
#endif

void mcdl_model_destroy(mcdl_model *m) {
    if (!m) return;
#ifndef NDEBUG
    if (m->magic != MCDL_MODEL_MAGIC) return; /* destroyed twice: a no-op, not a double free */
#endif
    free_compile(m);
    unbuild(m);
    free(m->in);
    free(m->out);
    free(m->name);
    mcdl_graph_destroy(m->g);
#ifndef NDEBUG
    /* Keep the husk so later use of the handle is reported; free the oldest husk. */
    memset(m, 0, sizeof *m);
    m->magic = MCDL_MODEL_DEAD;
    mcdl_model *old;
#pragma omp critical(mcdl_model_quarantine)
    {
        old = quarantine[quarantine_next];
        quarantine[quarantine_next] = m;
        quarantine_next = (quarantine_next + 1) % MCDL_MODEL_QUARANTINE;
    }
    free(old);
#else
    free(m);
#endif
}

int mcdl_model_node_index(const mcdl_model *m, const mcdl_node *n) {
    return n->id < m->n_node_index ? m->node_index[n->id] : -1;
}

typedef struct {
    mcdl_model *m;
    char *step_seen; /* per layer id * calls: flattened via offsets */
    int *call_base;
    mcdl_status err;
} topo_ctx;

static void visit(topo_ctx *c, mcdl_node *n, int depth) {
    if (c->err != MCDL_OK) return;
    mcdl_layer *l = n->layer;
    const int key = c->call_base[l->id] + n->call;
    if (c->step_seen[key]) return;
    if (depth > 100000) {
        c->err = mcdl_error(MCDL_ERR_ARG, "model graph is too deep (over 100000 layers)");
        return;
    }
    c->step_seen[key] = 1;
    const mcdl_layer_call *call = &l->calls[n->call];
    for (int i = 0; i < call->n_in; i++) visit(c, call->in[i], depth + 1);
    mcdl_model *m = c->m;
    if (mcdl_layer_is_input(l)) {
        bool ok = false;
        for (int i = 0; i < m->n_in; i++) ok |= m->in[i] == n;
        if (!ok && c->err == MCDL_OK)
            c->err = mcdl_error(MCDL_ERR_ARG,
                                "model '%s': its outputs depend on input layer '%s', which is "
                                "not among the model's inputs",
                                m->name, l->name);
    }
    m->steps[m->n_steps++] = (mcdl_step){l, n->call};
}

mcdl_status mcdl_model_build(mcdl_model *m) {
    if (m->built) return MCDL_OK;
    mcdl_graph *g = m->g;
    if (g->err != MCDL_OK) return mcdl_error(g->err, "%s", g->errmsg);
    int total_calls = 0;
    for (int i = 0; i < g->n_layers; i++) total_calls += g->layers[i]->n_calls;
    topo_ctx c = {.m = m};
    c.step_seen = calloc((size_t)total_calls + 1, 1);
    c.call_base = calloc((size_t)g->n_layers + 1, sizeof *c.call_base);
    m->steps = calloc((size_t)total_calls + 1, sizeof *m->steps);
    m->node_index = malloc(((size_t)g->n_nodes + 1) * sizeof *m->node_index);
    m->nodes = calloc((size_t)g->n_nodes + 1, sizeof *m->nodes);
    m->layers = calloc((size_t)g->n_layers + 1, sizeof *m->layers);
    if (!c.step_seen || !c.call_base || !m->steps || !m->node_index || !m->nodes || !m->layers) {
        free(c.step_seen);
        free(c.call_base);
        unbuild(m);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory building model '%s'", m->name);
    }
    for (int i = 0, acc = 0; i < g->n_layers; i++) {
        c.call_base[i] = acc;
        acc += g->layers[i]->n_calls;
    }
    m->n_node_index = g->n_nodes;
    for (int i = 0; i < g->n_nodes; i++) m->node_index[i] = -1;
    for (int i = 0; i < m->n_in; i++) visit(&c, m->in[i], 0);
    for (int i = 0; i < m->n_out; i++) visit(&c, m->out[i], 0);
    free(c.step_seen);
    free(c.call_base);
    if (c.err != MCDL_OK) {
        unbuild(m);
        return c.err;
    }
    /* nodes in step order; layers: first appearance (inputs first, as visited) */
    bool *layer_seen = calloc((size_t)g->n_layers + 1, 1);
    if (!layer_seen) {
        unbuild(m);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory building model '%s'", m->name);
    }
    int n_weights = 0;
    for (int s = 0; s < m->n_steps; s++) {
        const mcdl_layer_call *call = &m->steps[s].layer->calls[m->steps[s].call];
        for (int j = 0; j < call->n_out; j++) {
            m->node_index[call->out[j]->id] = m->n_nodes;
            m->nodes[m->n_nodes++] = call->out[j];
        }
        mcdl_layer *l = m->steps[s].layer;
        if (!layer_seen[l->id]) {
            layer_seen[l->id] = true;
            m->layers[m->n_layers++] = l;
            n_weights += l->n_weights;
        }
    }
    free(layer_seen);
    m->w = calloc((size_t)n_weights + 1, sizeof *m->w);
    m->w_layer = calloc((size_t)n_weights + 1, sizeof *m->w_layer);
    if (!m->w || !m->w_layer) {
        unbuild(m);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory building model '%s'", m->name);
    }
    for (int i = 0; i < m->n_layers; i++)
        for (int k = 0; k < m->layers[i]->n_weights; k++) {
            m->w[m->n_w] = &m->layers[i]->weights[k];
            m->w_layer[m->n_w++] = m->layers[i];
        }
    m->built = true;
    return MCDL_OK;
}

static mcdl_status model_alloc(mcdl_model **out, mcdl_graph *g, const char *name) {
    mcdl_model *m = calloc(1, sizeof *m);
    if (!m || !(m->name = dup_str(name))) {
        free(m);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory creating model '%s'", name);
    }
    m->g = g;
#ifndef NDEBUG
    m->magic = MCDL_MODEL_MAGIC;
#endif
    mcdl_graph_retain(g);
    *out = m;
    return MCDL_OK;
}

mcdl_status mcdl_model_create(mcdl_model **out, mcdl_graph *g, int n_in, mcdl_node *const *inputs,
                              int n_out, mcdl_node *const *outputs, const char *name) {
    if (!out || !g) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_create: NULL argument");
    *out = NULL;
    if (g->err != MCDL_OK) return mcdl_error(g->err, "%s", g->errmsg);
    if (n_in < 1 || n_out < 1 || !inputs || !outputs)
        return mcdl_error(MCDL_ERR_ARG,
                          "mcdl_model_create: a model needs at least one input and one "
                          "output (got %d and %d)",
                          n_in, n_out);
    for (int i = 0; i < n_in; i++) {
        if (!inputs[i]) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_create: input %d is NULL", i);
        if (!mcdl_layer_is_input(inputs[i]->layer))
            return mcdl_error(MCDL_ERR_ARG,
                              "mcdl_model_create: input %d comes from layer '%s' (%s), "
                              "not from an Input",
                              i, inputs[i]->layer->name, inputs[i]->layer->cls->class_name);
        if (inputs[i]->layer->graph != g)
            return mcdl_error(MCDL_ERR_ARG, "mcdl_model_create: input %d belongs to another graph",
                              i);
    }
    for (int i = 0; i < n_out; i++) {
        if (!outputs[i]) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_create: output %d is NULL", i);
        if (outputs[i]->layer->graph != g)
            return mcdl_error(MCDL_ERR_ARG, "mcdl_model_create: output %d belongs to another graph",
                              i);
    }
    mcdl_model *m = NULL;
    MCDL_TRY(model_alloc(&m, g, name ? name : "functional"));
    m->in = malloc((size_t)n_in * sizeof *m->in);
    m->out = malloc((size_t)n_out * sizeof *m->out);
    if (!m->in || !m->out) {
        mcdl_model_destroy(m);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory creating a model");
    }
    memcpy(m->in, inputs, (size_t)n_in * sizeof *m->in);
    memcpy(m->out, outputs, (size_t)n_out * sizeof *m->out);
    m->n_in = n_in;
    m->n_out = n_out;
    mcdl_status s = mcdl_model_build(m);
    if (s != MCDL_OK) {
        mcdl_model_destroy(m);
        return s;
    }
    *out = m;
    return MCDL_OK;
}

mcdl_status mcdl_sequential_create(mcdl_model **out, uint64_t seed, const mcdl_input_opts *input,
                                   const char *name) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_sequential_create: out is NULL");
    *out = NULL;
    mcdl_graph *g;
    MCDL_TRY(mcdl_graph_create(&g, seed));
    mcdl_node *x = mcdl_input(g, input);
    if (!x) {
        mcdl_status s = mcdl_graph_status(g);
        mcdl_error(s, "%s", mcdl_graph_error(g));
        mcdl_graph_destroy(g);
        return s;
    }
    mcdl_status s = mcdl_model_create(out, g, 1, &x, 1, &x, name ? name : "sequential");
    mcdl_graph_destroy(g);
    if (s == MCDL_OK) (*out)->sequential = true;
    return s;
}

mcdl_status mcdl_sequential_add(mcdl_model *m, mcdl_layer *l) {
    if (!m) return mcdl_error(MCDL_ERR_ARG, "mcdl_sequential_add: model is NULL");
    if (!l) {
        if (m->g->err != MCDL_OK) return mcdl_error(m->g->err, "%s", m->g->errmsg);
        return mcdl_error(MCDL_ERR_ARG, "mcdl_sequential_add: layer is NULL");
    }
    if (!m->sequential) return mcdl_error(MCDL_ERR_STATE, "model '%s' is not Sequential", m->name);
    if (m->compiled)
        return mcdl_error(MCDL_ERR_STATE, "Sequential '%s': cannot add layer '%s' after compile",
                          m->name, l->name);
    if (l->graph != m->g)
        return mcdl_error(MCDL_ERR_ARG,
                          "Sequential '%s': layer '%s' was made on another graph "
                          "(use mcdl_model_graph(model))",
                          m->name, l->name);
    mcdl_node *y = NULL;
    MCDL_TRY(mcdl_call_multi(l, 1, &m->out[0], 1, &y));
    m->out[0] = y;
    unbuild(m);
    return mcdl_model_build(m);
}

mcdl_graph *mcdl_model_graph(const mcdl_model *m) { return m ? m->g : NULL; }
const char *mcdl_model_name(const mcdl_model *m) { return m ? m->name : ""; }
uint64_t mcdl_model_graph_seed(const mcdl_model *m) { return m && m->g ? m->g->seed : 0; }
bool mcdl_model_is_sequential(const mcdl_model *m) { return m && m->sequential; }
int mcdl_model_num_inputs(const mcdl_model *m) { return m ? m->n_in : 0; }
int mcdl_model_num_outputs(const mcdl_model *m) { return m ? m->n_out : 0; }
mcdl_node *mcdl_model_input(const mcdl_model *m, int i) {
    return m && i >= 0 && i < m->n_in ? m->in[i] : NULL;
}
mcdl_node *mcdl_model_output(const mcdl_model *m, int i) {
    return m && i >= 0 && i < m->n_out ? m->out[i] : NULL;
}
int mcdl_model_num_layers(const mcdl_model *m) { return m ? m->n_layers : 0; }
mcdl_layer *mcdl_model_layer(const mcdl_model *m, int i) {
    return m && i >= 0 && i < m->n_layers ? m->layers[i] : NULL;
}

int mcdl_model_num_weights(const mcdl_model *m) { return m ? m->n_w : 0; }

mcdl_status mcdl_model_weight(const mcdl_model *m, int i, mcdl_weight_info *info) {
    if (!m || !info || i < 0 || i >= m->n_w)
        return mcdl_error(MCDL_ERR_ARG, "model has no weight %d (it has %d)", i, m ? m->n_w : 0);
    const mcdl_layer *l = m->w_layer[i];
    return mcdl_layer_weight(l, (int)(m->w[i] - l->weights), info);
}

/* "lstm/kernel" matches "lstm/lstm_cell/kernel": the path with one inner scope removed. */
static bool path_matches_without_cell(const char *full, const char *want) {
    const char *first = strchr(full, '/');
    const char *last = strrchr(full, '/');
    if (!first || first == last || strchr(first + 1, '/') != last) return false; /* one scope */
    size_t head = (size_t)(first - full);
    return !strncmp(full, want, head + 1) && !strcmp(want + head + 1, last + 1) &&
           strchr(want + head + 1, '/') == NULL;
}

mcdl_status mcdl_model_find_weight(const mcdl_model *m, const char *path, int *index,
                                   mcdl_weight_info *info) {
    if (!m || !path) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_find_weight: NULL argument");
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < m->n_w; i++) {
            bool hit = pass == 0 ? !strcmp(m->w[i]->path, path)
                                 : path_matches_without_cell(m->w[i]->path, path);
            if (hit) {
                if (index) *index = i;
                return info ? mcdl_model_weight(m, i, info) : MCDL_OK;
            }
        }
    return mcdl_error(MCDL_ERR_ARG, "model '%s' has no weight '%s'", m->name, path);
}

void mcdl_model_weights_changed(mcdl_model *m) { (void)m; }

void mcdl_model_count_params(const mcdl_model *m, int64_t *total, int64_t *trainable,
                             int64_t *non_trainable) {
    int64_t t = 0, tr = 0;
    for (int i = 0; m && i < m->n_w; i++) {
        t += m->w[i]->numel;
        if (m->w[i]->trainable && m->w_layer[i]->trainable) tr += m->w[i]->numel;
    }
    if (total) *total = t;
    if (trainable) *trainable = tr;
    if (non_trainable) *non_trainable = t - tr;
}
