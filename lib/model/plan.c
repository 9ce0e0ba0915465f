/* Memory plan and executor: one arena per (model, batch size) holding every activation,
 * gradient, saved workspace, the shared scratch and the target rows; forward runs the
 * steps in topological order, backward in reverse, summing gradients of nodes consumed
 * more than once. No allocation happens inside a step. */
#include <stdlib.h>
#include <string.h>

#include "lib/core/alloc.h"
#include "lib/core/error.h"
#include "lib/model/model_internal.h"
#include "mcdl/runtime.h"

void mcdl_plan_free(mcdl_plan *p) {
    mcdl_free(p->arena);
    free(p->act);
    free(p->grad);
    free(p->saved);
    free(p->target);
    free(p->written);
    memset(p, 0, sizeof *p);
}

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

/* Offsets for inference activations: node k lives from the step that makes it (model
 * inputs: from before the first step) to the last step that reads it (model outputs and
 * inputs: to the end). Each node goes at the lowest offset that overlaps no placed node
 * whose lifetime meets its own, so an input and an output of one step never share memory.
 * Writes node_off[2k] and the bytes used. */
static mcdl_status plan_by_liveness(const mcdl_model *m, int64_t batch, size_t *node_off,
                                    size_t *used) {
    const int n = m->n_nodes;
    int *birth = malloc(((size_t)n + 1) * sizeof *birth);
    int *death = malloc(((size_t)n + 1) * sizeof *death);
    size_t *size = malloc(((size_t)n + 1) * sizeof *size);
    if (!birth || !death || !size) {
        free(birth);
        free(death);
        free(size);
        return MCDL_ERR_NOMEM;
    }
    for (int s = 0; s < m->n_steps; s++) {
        const mcdl_layer_call *c = &m->steps[s].layer->calls[m->steps[s].call];
        const bool is_input = mcdl_layer_is_input(m->steps[s].layer);
        for (int j = 0; j < c->n_out; j++) {
            const int k = mcdl_model_node_index(m, c->out[j]);
            birth[k] = is_input ? -1 : s;
            death[k] = is_input ? 0 : s;
            size[k] =
                align64((size_t)(batch * mcdl_shape_numel(&c->out[j]->shape)) * sizeof(float));
        }
    }
    for (int s = 0; s < m->n_steps; s++) {
        const mcdl_layer_call *c = &m->steps[s].layer->calls[m->steps[s].call];
        for (int i = 0; i < c->n_in; i++) {
            const int k = mcdl_model_node_index(m, c->in[i]);
            if (death[k] < s) death[k] = s;
        }
    }
    for (int j = 0; j < m->n_out; j++) death[mcdl_model_node_index(m, m->out[j])] = m->n_steps;
    for (int j = 0; j < m->n_in; j++) death[mcdl_model_node_index(m, m->in[j])] = m->n_steps;
    size_t top = 0;
    for (int k = 0; k < n; k++) {
        size_t off = 0;
        bool moved = true;
        while (moved) { /* first fit: step past every conflicting block until none overlaps */
            moved = false;
            for (int o = 0; o < k; o++) {
                const bool live = !(death[o] < birth[k] || death[k] < birth[o]);
                const bool overlap =
                    off < node_off[2 * o] + size[o] && node_off[2 * o] < off + size[k];
                if (live && overlap) {
                    off = node_off[2 * o] + size[o];
                    moved = true;
                }
            }
        }
        node_off[2 * k] = off;
        if (off + size[k] > top) top = off + size[k];
    }
    *used = top;
    free(birth);
    free(death);
    free(size);
    return MCDL_OK;
}

mcdl_status mcdl_plan_ensure(mcdl_model *m, int64_t batch, bool training) {
    MCDL_TRY(mcdl_model_build(m));
    mcdl_plan *p = &m->plan;
    if (p->arena && p->batch >= batch && (p->training || !training)) return MCDL_OK;
    mcdl_plan_free(p);
    p->act = calloc((size_t)m->n_nodes + 1, sizeof *p->act);
    p->grad = calloc((size_t)m->n_nodes + 1, sizeof *p->grad);
    p->saved = calloc((size_t)m->n_steps + 1, sizeof *p->saved);
    p->target = calloc((size_t)m->n_out + 1, sizeof *p->target);
    p->written = calloc((size_t)m->n_nodes + 1, sizeof *p->written);
    if (!p->act || !p->grad || !p->saved || !p->target || !p->written) {
        mcdl_plan_free(p);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory planning model '%s'", m->name);
    }
    /* offsets first (one pass), then one allocation */
    size_t total = 0, scratch = 0, max_node = 0;
    size_t *node_off = calloc((size_t)m->n_nodes * 2 + 1, sizeof *node_off);
    size_t *step_off = calloc((size_t)m->n_steps + 1, sizeof *step_off);
    size_t *tgt_off = calloc((size_t)m->n_out + 1, sizeof *tgt_off);
    if (!node_off || !step_off || !tgt_off) {
        free(node_off);
        free(step_off);
        free(tgt_off);
        mcdl_plan_free(p);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory planning model '%s'", m->name);
    }
    bool overflow = false;
    for (int i = 0; i < m->n_nodes; i++) {
        int64_t n = 0;
        overflow |= !mcdl_mul_ok(batch, mcdl_shape_numel(&m->nodes[i]->shape), &n);
        overflow |= n > (int64_t)(SIZE_MAX / 16);
        size_t bytes = align64((size_t)n * sizeof(float));
        if (bytes > max_node) max_node = bytes;
        node_off[2 * i] = total;
        total += bytes;
        if (training) {
            node_off[2 * i + 1] = total;
            total += bytes;
        }
    }
    /* Inference keeps no activation for a backward pass: activations share memory by
     * liveness (the node-only part of the arena is re-laid out). */
    if (!training && !overflow) {
        size_t used = 0;
        if (plan_by_liveness(m, batch, node_off, &used) == MCDL_OK) total = used;
    }
    int max_in = 1;
    for (int s = 0; s < m->n_steps; s++) {
        const mcdl_step *st = &m->steps[s];
        size_t sv = 0, sc = 0;
        if (st->layer->cls->workspace) {
            st->layer->cls->workspace(st->layer, st->call, batch, training, &sv, &sc);
            if (training) {
                /* evaluate/validation run inference-mode forwards on the training plan,
                 * so the scratch must also fit what the inference forward asks for. */
                size_t sv_inf = 0, sc_inf = 0;
                st->layer->cls->workspace(st->layer, st->call, batch, false, &sv_inf, &sc_inf);
                if (sc_inf > sc) sc = sc_inf;
            }
        }
        step_off[s] = total;
        total += align64(sv);
        if (sc > scratch) scratch = sc;
        if (st->layer->calls[st->call].n_in > max_in) max_in = st->layer->calls[st->call].n_in;
    }
    const size_t scratch_off = total;
    total += align64(scratch);
    const size_t tmp_off = total;
    if (training) total += (size_t)max_in * max_node;
    for (int j = 0; j < m->n_out; j++) {
        tgt_off[j] = total;
        total +=
            align64((size_t)batch * (size_t)mcdl_shape_numel(&m->out[j]->shape) * sizeof(float));
    }
    if (overflow) {
        free(node_off);
        free(step_off);
        free(tgt_off);
        mcdl_plan_free(p);
        return mcdl_error(MCDL_ERR_NOMEM, "model '%s': batch size %lld makes activations too large",
                          m->name, (long long)batch);
    }
    const int64_t cap = m->max_memory > 0 ? m->max_memory : mcdl_get_max_memory();
    if (cap > 0 && total > (size_t)cap) {
        free(node_off);
        free(step_off);
        free(tgt_off);
        mcdl_plan_free(p);
        char need[32], have[32];
        return mcdl_error(MCDL_ERR_NOMEM,
                          "model '%s': planned %s of activations%s at batch size %lld exceeds "
                          "the cap of %s (max_memory, MCDL_MAX_MEMORY or --max-memory)",
                          m->name, mcdl_format_bytes((double)total, need, sizeof need),
                          training ? " and gradients" : "", (long long)batch,
                          mcdl_format_bytes((double)cap, have, sizeof have));
    }
    char *arena = mcdl_alloc(total ? total : 64);
    if (!arena) {
        free(node_off);
        free(step_off);
        free(tgt_off);
        mcdl_plan_free(p);
        return mcdl_error(
            MCDL_ERR_NOMEM,
            "out of memory: model '%s' needs %.1f MiB of activations at batch size %lld", m->name,
            (double)total / 1048576.0, (long long)batch);
    }
    p->arena = arena;
    for (int i = 0; i < m->n_nodes; i++) {
        p->act[i] = (float *)(arena + node_off[2 * i]);
        p->grad[i] = training ? (float *)(arena + node_off[2 * i + 1]) : NULL;
    }
    for (int s = 0; s < m->n_steps; s++) p->saved[s] = arena + step_off[s];
    p->scratch = arena + scratch_off;
    for (int i = 0; i < MCDL_MAX_CALL_IO; i++)
        p->tmp[i] =
            training && i < max_in ? (float *)(arena + tmp_off + (size_t)i * max_node) : NULL;
    for (int j = 0; j < m->n_out; j++) p->target[j] = (float *)(arena + tgt_off[j]);
    p->batch = batch;
    p->training = training;
    free(node_off);
    free(step_off);
    free(tgt_off);
    return MCDL_OK;
}

/* Fills the pointer arrays of one step's arguments. */
static void step_args(mcdl_model *m, int s, int64_t batch, bool training, mcdl_exec_args *a,
                      const float **x, mcdl_shape *xs, float **y, mcdl_shape *ys) {
    const mcdl_step *st = &m->steps[s];
    const mcdl_layer_call *c = &st->layer->calls[st->call];
    mcdl_plan *p = &m->plan;
    for (int i = 0; i < c->n_in; i++) {
        const int k = mcdl_model_node_index(m, c->in[i]);
        x[i] = p->act[k];
        xs[i] = c->in[i]->shape;
    }
    for (int j = 0; j < c->n_out; j++) {
        const int k = mcdl_model_node_index(m, c->out[j]);
        y[j] = p->act[k];
        ys[j] = c->out[j]->shape;
    }
    memset(a, 0, sizeof *a);
    a->call = st->call;
    a->batch = batch;
    a->training = training;
    a->n_in = c->n_in;
    a->x = x;
    a->x_shape = xs;
    a->n_out = c->n_out;
    a->y = y;
    a->y_shape = ys;
    a->saved = p->saved[s];
    a->scratch = p->scratch;
    a->rng_seed = m->g->seed;
    /* top bit set: never collides with the weight initialiser streams */
    a->rng_stream = (1ull << 63) | ((m->rng_step & 0xffffffffffull) << 22) |
                    ((uint64_t)st->layer->id << 8) | (uint64_t)(st->call & 0xff);
    a->rng_offset = 0;
}

mcdl_status mcdl_exec_forward(mcdl_model *m, int64_t batch, bool training) {
    for (int s = 0; s < m->n_steps; s++) {
        const mcdl_step *st = &m->steps[s];
        if (mcdl_layer_is_input(st->layer)) continue;
        const float *x[MCDL_MAX_CALL_IO];
        float *y[MCDL_MAX_CALL_IO];
        mcdl_shape xs[MCDL_MAX_CALL_IO], ys[MCDL_MAX_CALL_IO];
        mcdl_exec_args a;
        step_args(m, s, batch, training, &a, x, xs, y, ys);
        MCDL_TRY(st->layer->cls->forward(st->layer, &a));
    }
    return MCDL_OK;
}

mcdl_status mcdl_exec_backward(mcdl_model *m, int64_t batch) {
    mcdl_plan *p = &m->plan;
    for (int i = 0; i < m->n_w; i++)
        memset(m->w[i]->grad, 0, (size_t)m->w[i]->numel * sizeof(float));
    for (int s = m->n_steps - 1; s >= 0; s--) {
        const mcdl_step *st = &m->steps[s];
        mcdl_layer *l = st->layer;
        if (mcdl_layer_is_input(l)) continue;
        const mcdl_layer_call *c = &l->calls[st->call];
        bool any = false;
        for (int j = 0; j < c->n_out; j++) any |= p->written[mcdl_model_node_index(m, c->out[j])];
        if (!any) continue; /* no path from this call to the loss */
        if (!l->cls->backward)
            return mcdl_error(MCDL_ERR_UNSUPPORTED,
                              "layer '%s' (%s) cannot be trained through (no backward)", l->name,
                              l->cls->class_name);
        const float *x[MCDL_MAX_CALL_IO];
        float *y[MCDL_MAX_CALL_IO];
        mcdl_shape xs[MCDL_MAX_CALL_IO], ys[MCDL_MAX_CALL_IO];
        mcdl_exec_args a;
        step_args(m, s, batch, true, &a, x, xs, y, ys);
        const float *dy[MCDL_MAX_CALL_IO];
        float *dx[MCDL_MAX_CALL_IO];
        bool via_tmp[MCDL_MAX_CALL_IO] = {false};
        for (int j = 0; j < c->n_out; j++) {
            const int k = mcdl_model_node_index(m, c->out[j]);
            if (!p->written[k]) {
                memset(p->grad[k], 0,
                       (size_t)(batch * mcdl_shape_numel(&c->out[j]->shape)) * sizeof(float));
                p->written[k] = true;
            }
            dy[j] = p->grad[k];
        }
        for (int i = 0; i < c->n_in; i++) {
            const int k = mcdl_model_node_index(m, c->in[i]);
            if (mcdl_layer_is_input(c->in[i]->layer)) {
                dx[i] = NULL;
            } else if (!p->written[k]) {
                dx[i] = p->grad[k];
                p->written[k] = true;
            } else {
                dx[i] = p->tmp[i];
                via_tmp[i] = true;
            }
        }
        a.dy = dy;
        a.dx = dx;
        /* compiled: the weights this model trains; not compiled (gradient checks): live flag */
        a.weight_grads =
            m->compiled ? (l->id < m->n_layer_trained && m->layer_trained[l->id]) : l->trainable;
        MCDL_TRY(l->cls->backward(l, &a));
        for (int i = 0; i < c->n_in; i++)
            if (via_tmp[i]) {
                float *g = p->grad[mcdl_model_node_index(m, c->in[i])];
                const int64_t n = batch * mcdl_shape_numel(&c->in[i]->shape);
                for (int64_t e = 0; e < n; e++) g[e] += p->tmp[i][e];
            }
    }
    return MCDL_OK;
}
