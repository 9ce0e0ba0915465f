/* Internal: the model object shared by model.c (structure, weights), plan.c (arena and
 * executor), train.c (compile/fit/evaluate/predict) and summary.c. */
#ifndef MCDL_LIB_MODEL_MODEL_INTERNAL_H
#define MCDL_LIB_MODEL_MODEL_INTERNAL_H

#include "lib/model/graph_internal.h"
#include "mcdl/model.h"

#define MCDL_MAX_RESULTS 32 /* loss + outputs x metrics */

typedef struct {
    mcdl_layer *layer;
    int call;
} mcdl_step;

/* Buffers for one (model, batch size): every node's activation (and gradient when
 * training), every step's saved workspace, one shared scratch, gradient-sum temporaries and
 * the per-output target rows, all in one 64-byte aligned arena. */
typedef struct {
    int64_t batch;
    bool training;
    void *arena;
    float **act, **grad; /* per model node */
    void **saved;        /* per step */
    void *scratch;
    float *tmp[MCDL_MAX_CALL_IO];
    float **target; /* per model output: batch x output numel */
    bool *written;  /* per model node: gradient written this step */
} mcdl_plan;

struct mcdl_model {
    mcdl_graph *g;
    char *name;
    bool sequential;
    int n_in, n_out, cap_in;
    mcdl_node **in, **out;
    /* built structure (mcdl_model_build) */
    bool built;
    mcdl_step *steps;
    int n_steps;
    mcdl_node **nodes; /* model nodes: step outputs in step order */
    int n_nodes;
    int *node_index; /* graph node id -> model node index, -1 when not in the model */
    int n_node_index;
    mcdl_layer **layers;
    int n_layers;
    mcdl_weight **w;
    mcdl_layer **w_layer;
    int n_w;
    /* compile state */
    bool compiled;
    mcdl_compile_opts copts;
    int *trained; /* model weight indices trained by this model */
    int n_trained;
    int *slot_of;        /* model weight index -> position in trained, or -1 */
    bool *layer_trained; /* graph layer id -> this model trains some of its weights */
    int n_layer_trained;
    int n_slots;
    float **slots; /* n_trained * n_slots arrays */
    mcdl_tensor **slot_views;
    int64_t iterations;
    uint64_t rng_step;  /* training steps run, for Dropout streams */
    int64_t max_memory; /* arena cap for the fit in progress (0: see mcdl_max_memory) */
#ifndef NDEBUG
    uint32_t magic; /* MCDL_MODEL_MAGIC while alive; debug builds catch use after destroy */
#endif
    mcdl_plan plan;
};

/* Handle check: in debug builds (no NDEBUG) every model carries MCDL_MODEL_MAGIC and a
 * destroyed one is kept (quarantined, magic MCDL_MODEL_DEAD) for the next
 * MCDL_MODEL_QUARANTINE destroys, so using it after mcdl_model_destroy is a clear
 * MCDL_ERR_STATE instead of a read of freed memory. Release builds check only for NULL. */
#define MCDL_MODEL_MAGIC 0x4c44434du /* "MCDL" */
#define MCDL_MODEL_DEAD 0xdeadd0d0u
#define MCDL_MODEL_QUARANTINE 16
mcdl_status mcdl_model_check_handle(const mcdl_model *m, const char *fn);

/* Topological order, node and weight lists; idempotent. */
mcdl_status mcdl_model_build(mcdl_model *m);
/* Arena for batch (and gradients when training); reuses the current one when it fits. */
mcdl_status mcdl_plan_ensure(mcdl_model *m, int64_t batch, bool training);
void mcdl_plan_free(mcdl_plan *p);
/* Runs every step forward on the first `batch` rows of the input nodes. */
mcdl_status mcdl_exec_forward(mcdl_model *m, int64_t batch, bool training);
/* Backward from the output gradients already written (plan.grad of the outputs, marked in
 * plan.written); accumulates weight gradients (zeroed here first). */
mcdl_status mcdl_exec_backward(mcdl_model *m, int64_t batch);
bool mcdl_layer_is_input(const mcdl_layer *l);
int mcdl_model_node_index(const mcdl_model *m, const mcdl_node *n);

#endif
