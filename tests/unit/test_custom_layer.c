/* A layer family written outside lib/ through lib/model/layer.h, as docs/LAYERS.md tells
 * other engineers to: a per-feature scale with its weight in a cell sublayer
 * ("scale/scale_cell/gamma"), saved memory and scratch from the arena, a shared call.
 * Checks shapes, the weight path and its cell-less alias, the gradient, and the summary. */
#include <string.h>

#include "check.h"
#include "gradcheck.h"
#include "lib/core/error.h"
#include "lib/model/layer.h"

typedef struct {
    int64_t dim;
    int w;
} scale_state;

static mcdl_status scale_infer(mcdl_layer *l, mcdl_infer_args *a) {
    scale_state *st = mcdl_layer_state(l);
    const int64_t d = a->in[0].d[a->in[0].rank - 1];
    if (a->call == 0) {
        st->dim = d;
        st->w = mcdl_layer_add_weight(l, "scale_cell/gamma", 1, (int64_t[]){d},
                                      MCDL_INIT_GLOROT_UNIFORM, true);
        if (st->w < 0) return mcdl_graph_status(mcdl_layer_graph(l));
    } else if (d != st->dim) {
        return mcdl_error(MCDL_ERR_SHAPE, "Scale '%s' built for %lld features gets %lld from '%s'",
                          mcdl_layer_name(l), (long long)st->dim, (long long)d, a->in_from[0]);
    }
    a->out[0] = a->in[0];
    return MCDL_OK;
}

static void scale_workspace(const mcdl_layer *l, int call, int64_t batch, bool training,
                            size_t *saved, size_t *scratch) {
    int64_t shape[MCDL_MAX_RANK];
    const int r = mcdl_node_shape(mcdl_layer_call_input(l, call, 0), shape);
    int64_t n = batch;
    for (int i = 0; i < r; i++) n *= shape[i];
    *saved = training ? (size_t)n * sizeof(float) : 0; /* a copy of x, to show saved memory */
    *scratch = sizeof(float) * 16;
}

static mcdl_status scale_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const scale_state *st = mcdl_layer_state(l);
    const float *gamma = mcdl_layer_weight_data(l, st->w);
    const int64_t rows = a->batch * mcdl_shape_numel(&a->x_shape[0]) / st->dim;
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < st->dim; c++)
            a->y[0][r * st->dim + c] = a->x[0][r * st->dim + c] * gamma[c];
    if (a->training) memcpy(a->saved, a->x[0], (size_t)(rows * st->dim) * sizeof(float));
    ((float *)a->scratch)[15] = 1.0f; /* scratch is writable */
    return MCDL_OK;
}

static mcdl_status scale_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const scale_state *st = mcdl_layer_state(l);
    const float *gamma = mcdl_layer_weight_data(l, st->w), *x = a->saved;
    float *dg = mcdl_layer_weight_grad(l, st->w);
    const int64_t rows = a->batch * mcdl_shape_numel(&a->x_shape[0]) / st->dim;
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < st->dim; c++) {
            dg[c] += a->dy[0][r * st->dim + c] * x[r * st->dim + c];
            if (a->dx[0]) a->dx[0][r * st->dim + c] = a->dy[0][r * st->dim + c] * gamma[c];
        }
    return MCDL_OK;
}

static const mcdl_layer_class scale_class = {
    .class_name = "Scale",
    .auto_name = "scale",
    .state_size = sizeof(scale_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .infer = scale_infer,
    .workspace = scale_workspace,
    .forward = scale_forward,
    .backward = scale_backward,
};

int main(void) {
    mcdl_graph *g;
    CHECK_OK(mcdl_graph_create(&g, 4));
    mcdl_node *a = mcdl_input(g, &(mcdl_input_opts){.shape = {3, 5}});
    mcdl_node *b = mcdl_input(g, &(mcdl_input_opts){.shape = {5}});
    mcdl_layer *s = mcdl_layer_new(g, &scale_class, NULL);
    mcdl_node *ha = mcdl_call(s, mcdl_dense(g, a, &(mcdl_dense_opts){.units = 5}));
    mcdl_node *hb = mcdl_call(s, b);
    mcdl_node *y1 = mcdl_dense(g, mcdl_flatten(g, ha, NULL), &(mcdl_dense_opts){.units = 2});
    mcdl_node *y2 = mcdl_dense(g, hb, &(mcdl_dense_opts){.units = 2});
    CHECK(mcdl_call(s, mcdl_input(g, &(mcdl_input_opts){.shape = {4}})) == NULL,
          "shared call on 4 features fails");
    CHECK(mcdl_graph_status(g) == MCDL_ERR_SHAPE && strstr(mcdl_graph_error(g), "'scale'"), "%s",
          mcdl_graph_error(g));
    mcdl_graph_destroy(g);

    CHECK_OK(mcdl_graph_create(&g, 4));
    a = mcdl_input(g, &(mcdl_input_opts){.shape = {3, 5}});
    b = mcdl_input(g, &(mcdl_input_opts){.shape = {5}});
    s = mcdl_layer_new(g, &scale_class, NULL);
    ha = mcdl_call(s, mcdl_dense(g, a, &(mcdl_dense_opts){.units = 5}));
    hb = mcdl_call(s, b);
    y1 = mcdl_dense(g, mcdl_flatten(g, ha, NULL), &(mcdl_dense_opts){.units = 2});
    y2 = mcdl_dense(g, hb, &(mcdl_dense_opts){.units = 2});
    mcdl_model *m = NULL;
    CHECK_OK(
        mcdl_model_create(&m, g, 2, (mcdl_node *[]){a, b}, 2, (mcdl_node *[]){y1, y2}, "custom"));
    mcdl_graph_destroy(g);
    if (!m) return check_finish();
    mcdl_weight_info wi;
    int idx = -1, idx2 = -2;
    CHECK_OK(mcdl_model_find_weight(m, "scale/scale_cell/gamma", &idx, &wi));
    CHECK(!strcmp(wi.name, "gamma") && mcdl_tensor_dim(wi.value, 0) == 5, "weight name and shape");
    CHECK_OK(mcdl_model_find_weight(m, "scale/gamma", &idx2, NULL));
    CHECK(idx == idx2, "cell-less alias finds the same weight");
    CHECK_STATUS(mcdl_model_find_weight(m, "gamma", NULL, NULL), MCDL_ERR_ARG);
    const double err = gradcheck_model(m, 3, 5, 1e-3f);
    CHECK(err < 2e-2, "custom layer gradient relative error %.3g", err);
    int64_t total;
    mcdl_model_count_params(m, &total, NULL, NULL);
    CHECK(total == 30 + 5 + 32 + 12, "params %lld", (long long)total);
    FILE *f = tmpfile();
    CHECK_OK(mcdl_model_summary(m, f));
    char txt[8192];
    rewind(f);
    txt[fread(txt, 1, sizeof txt - 1, f)] = '\0';
    fclose(f);
    CHECK(strstr(txt, "scale (Scale)") && strstr(txt, "multiple"), "summary:\n%s", txt);
    mcdl_model_destroy(m);
    return check_finish();
}
