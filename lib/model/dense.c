/* Dense: y = act(x . kernel + bias) on the last axis of an input of any rank. Forward is
 * one GEMM over all leading axes with the bias and (relu, sigmoid, tanh, leaky_relu) the
 * activation fused in the GEMM epilogue; other activations run after it (their input is
 * kept for backward). Backward: dz = dy * act'(.), dkernel += x^T dz, dbias += colsum(dz),
 * dx = dz kernel^T. */
#include <omp.h>
#include <string.h>

#include "kernels/gemm/gemm.h"
#include "lib/core/error.h"
#include "lib/model/core_layers.h"

typedef struct {
    int64_t units, in_dim;
    mcdl_activation_id act;
    float alpha;
    bool use_bias;
    mcdl_init kinit, binit;
    int wk, wb; /* weight indices */
} dense_state;

static bool fused(mcdl_activation_id a) {
    return a == MCDL_LINEAR || a == MCDL_RELU || a == MCDL_SIGMOID || a == MCDL_TANH ||
           a == MCDL_LEAKY_RELU;
}
/* pre-activation values kept in saved memory for backward */
static bool keeps_z(const dense_state *st) { return mcdl_act_needs_x(st->act, st->alpha); }

static mcdl_status dense_check(mcdl_layer *l, const dense_state *st) {
    if (st->units <= 0)
        return mcdl_error(MCDL_ERR_ARG, "Dense '%s': units must be > 0, got %lld",
                          mcdl_layer_name(l), (long long)st->units);
    if ((unsigned)st->act >= MCDL_ACTIVATION_COUNT)
        return mcdl_error(MCDL_ERR_ARG, "Dense '%s': unknown activation id %d", mcdl_layer_name(l),
                          (int)st->act);
    if ((unsigned)st->kinit >= MCDL_INIT_COUNT || (unsigned)st->binit >= MCDL_INIT_COUNT)
        return mcdl_error(MCDL_ERR_ARG, "Dense '%s': unknown initializer id", mcdl_layer_name(l));
    return MCDL_OK;
}

static mcdl_status dense_from_config(mcdl_layer *l, const mcdl_config *c) {
    dense_state *st = mcdl_layer_state(l);
    st->use_bias = true;
    st->alpha = 0.2f;
    st->kinit = MCDL_INIT_GLOROT_UNIFORM;
    st->binit = MCDL_INIT_ZEROS;
    MCDL_TRY(mcdl_cfg_get_int(l, c, "units", &st->units));
    MCDL_TRY(mcdl_cfg_get_activation(l, c, "activation", &st->act));
    MCDL_TRY(mcdl_cfg_get_bool(l, c, "use_bias", &st->use_bias));
    MCDL_TRY(mcdl_cfg_get_init(l, c, "kernel_initializer", &st->kinit));
    MCDL_TRY(mcdl_cfg_get_init(l, c, "bias_initializer", &st->binit));
    if (!mcdl_config_find(c, "units"))
        return mcdl_error(MCDL_ERR_FORMAT, "Dense '%s': config has no 'units'", mcdl_layer_name(l));
    return dense_check(l, st);
}

static void dense_to_config(const mcdl_layer *l, mcdl_cfg_writer *w) {
    const dense_state *st = mcdl_layer_state(l);
    mcdl_cfg_put_number(w, "units", (double)st->units);
    mcdl_cfg_put_string(w, "activation", mcdl_activation_name(st->act));
    mcdl_cfg_put_bool(w, "use_bias", st->use_bias);
    mcdl_cfg_put_init(w, "kernel_initializer", st->kinit);
    mcdl_cfg_put_init(w, "bias_initializer", st->binit);
}

static mcdl_status dense_infer(mcdl_layer *l, mcdl_infer_args *a) {
    dense_state *st = mcdl_layer_state(l);
    const mcdl_shape *in = &a->in[0];
    char sb[128];
    if (in->rank < 1) {
        mcdl_shape_keras_str(in, sb, sizeof sb);
        return mcdl_error(MCDL_ERR_SHAPE,
                          "Dense '%s' needs an input of rank >= 1, got %s from '%s'",
                          mcdl_layer_name(l), sb, a->in_from[0]);
    }
    const int64_t k = in->d[in->rank - 1];
    if (a->call == 0) {
        st->in_dim = k;
        st->wk = mcdl_layer_add_weight(l, "kernel", 2, (int64_t[]){k, st->units},
                                       st->kinit ? st->kinit : MCDL_INIT_GLOROT_UNIFORM, true);
        if (st->wk < 0) return mcdl_graph_status(mcdl_layer_graph(l));
        st->wb = -1;
        if (st->use_bias) {
            st->wb = mcdl_layer_add_weight(l, "bias", 1, (int64_t[]){st->units},
                                           st->binit ? st->binit : MCDL_INIT_ZEROS, true);
            if (st->wb < 0) return mcdl_graph_status(mcdl_layer_graph(l));
        }
    } else if (k != st->in_dim) {
        mcdl_shape_keras_str(in, sb, sizeof sb);
        return mcdl_error(
            MCDL_ERR_SHAPE,
            "Dense '%s' was built for inputs with last axis %lld but gets %s from '%s'",
            mcdl_layer_name(l), (long long)st->in_dim, sb, a->in_from[0]);
    }
    a->n_out = 1;
    a->out[0] = *in;
    a->out[0].d[in->rank - 1] = st->units;
    return MCDL_OK;
}

static void dense_workspace(const mcdl_layer *l, int call, int64_t batch, bool training,
                            size_t *saved, size_t *scratch) {
    const dense_state *st = mcdl_layer_state(l);
    (void)call;
    /* rows are not known here per call: the executor asks with the call's node sizes via
     * the generic rule below (rows <= batch * numel / in_dim); use the output size */
    const mcdl_node *y = mcdl_layer_output(l, call, 0);
    int64_t shape[MCDL_MAX_RANK];
    const int r = mcdl_node_shape(y, shape);
    int64_t n = batch;
    for (int i = 0; i < r; i++) n *= shape[i];
    *saved = training && keeps_z(st) ? (size_t)n * sizeof(float) : 0;
    *scratch = training && st->act != MCDL_LINEAR ? (size_t)n * sizeof(float) : 0;
}

/* Few rows (batch-1 inference): the product is a GEMV whose time is reading the kernel
 * (K x N floats at the cache's bandwidth), which the GEMM keeps on one thread below its
 * per-thread work minimum. Above DENSE_SPLIT_MIN_WEIGHTS per thread, column ranges of the
 * kernel go to the threads instead: each thread always reads the same half, which then
 * stays in its own L2 from call to call. */
#define DENSE_SPLIT_MAX_ROWS 4
/* From this K on the GEMM itself runs a GEMV on threads (split along K: each thread
 * streams a contiguous slab of rows, 15-25% faster than column halves measured on
 * 5408 x 128), so the layer leaves it alone. */
#define DENSE_SPLIT_MAX_K 2048
#define DENSE_SPLIT_MIN_WEIGHTS 32768
#define DENSE_SPLIT_ALIGN 16 /* columns: one 64-byte line of a kernel row */

static int dense_split_threads(int64_t M, int64_t K, int64_t N) {
    if (M > DENSE_SPLIT_MAX_ROWS || K >= DENSE_SPLIT_MAX_K || omp_in_parallel()) return 1;
    int64_t nt = omp_get_max_threads();
    if (nt > K * N / DENSE_SPLIT_MIN_WEIGHTS) nt = K * N / DENSE_SPLIT_MIN_WEIGHTS;
    if (nt > N / DENSE_SPLIT_ALIGN) nt = N / DENSE_SPLIT_ALIGN;
    return nt < 1 ? 1 : (int)nt;
}

static void dense_gemm(int64_t M, int64_t N, int64_t K, const float *x, const float *W, float *y,
                       const mcdl_gemm_epilogue *ep) {
    const int nt = dense_split_threads(M, K, N);
    if (nt == 1) {
        mcdl_f32_gemm('N', 'N', M, N, K, 1.0f, x, K, W, N, 0.0f, y, N, ep);
        return;
    }
    const int64_t units = (N + DENSE_SPLIT_ALIGN - 1) / DENSE_SPLIT_ALIGN;
#pragma omp parallel num_threads(nt)
    {
        const int64_t t = omp_get_thread_num(), n = omp_get_num_threads();
        const int64_t c0 = units * t / n * DENSE_SPLIT_ALIGN;
        int64_t c1 = units * (t + 1) / n * DENSE_SPLIT_ALIGN;
        if (c1 > N) c1 = N;
        if (c0 < c1) {
            mcdl_gemm_epilogue e = *ep;
            if (e.bias) e.bias += c0;
            mcdl_f32_gemm('N', 'N', M, c1 - c0, K, 1.0f, x, K, W + c0, N, 0.0f, y + c0, N, &e);
        }
    }
}

static mcdl_status dense_forward(mcdl_layer *l, const mcdl_exec_args *a) {
    const dense_state *st = mcdl_layer_state(l);
    const int64_t K = st->in_dim, N = st->units;
    const int64_t M = a->batch * (mcdl_shape_numel(&a->x_shape[0]) / K);
    const float *W = mcdl_layer_weight_data(l, st->wk);
    const float *b = st->use_bias ? mcdl_layer_weight_data(l, st->wb) : NULL;
    float *y = a->y[0];
    if (fused(st->act)) {
        mcdl_gemm_epilogue ep = {.bias = b, .act = mcdl_act_of(st->act), .act_alpha = st->alpha};
        dense_gemm(M, N, K, a->x[0], W, y, &ep);
        return MCDL_OK;
    }
    float *z = a->training && keeps_z(st) ? a->saved : y;
    mcdl_gemm_epilogue ep = {.bias = b, .act = MCDL_ACT_NONE};
    dense_gemm(M, N, K, a->x[0], W, z, &ep);
    mcdl_apply_act_fwd(st->act, st->alpha, z, y, M, N);
    return MCDL_OK;
}

static mcdl_status dense_backward(mcdl_layer *l, const mcdl_exec_args *a) {
    const dense_state *st = mcdl_layer_state(l);
    const int64_t K = st->in_dim, N = st->units;
    const int64_t M = a->batch * (mcdl_shape_numel(&a->x_shape[0]) / K);
    const float *dz = a->dy[0];
    if (st->act != MCDL_LINEAR) {
        float *t = a->scratch;
        mcdl_apply_act_bwd(st->act, st->alpha, keeps_z(st) ? a->saved : NULL, a->y[0], a->dy[0], t,
                           M, N);
        dz = t;
    }
    const float *W = mcdl_layer_weight_data(l, st->wk);
    if (a->weight_grads) {
        mcdl_f32_gemm('T', 'N', K, N, M, 1.0f, a->x[0], K, dz, N, 1.0f,
                      mcdl_layer_weight_grad(l, st->wk), N, NULL);
        if (st->use_bias) {
            float *db = mcdl_layer_weight_grad(l, st->wb);
            for (int64_t m = 0; m < M; m++)
                for (int64_t n = 0; n < N; n++) db[n] += dz[m * N + n];
        }
    }
    if (a->dx[0]) mcdl_f32_gemm('N', 'T', M, K, N, 1.0f, dz, N, W, N, 0.0f, a->dx[0], K, NULL);
    return MCDL_OK;
}

const mcdl_layer_class mcdl_dense_class = {
    .keeps_mask = true, /* Keras supports_masking: the mask passes through */
    .class_name = "Dense",
    .auto_name = "dense",
    .state_size = sizeof(dense_state),
    .min_inputs = 1,
    .max_inputs = 1,
    .from_config = dense_from_config,
    .to_config = dense_to_config,
    .infer = dense_infer,
    .workspace = dense_workspace,
    .forward = dense_forward,
    .backward = dense_backward,
};

mcdl_layer *mcdl_dense_layer(mcdl_graph *g, const mcdl_dense_opts *o) {
    if (!g || mcdl_graph_status(g) != MCDL_OK) return NULL;
    if (!o) {
        mcdl_graph_record(g, mcdl_error(MCDL_ERR_ARG, "Dense: options are required (units)"));
        return NULL;
    }
    mcdl_layer *l = mcdl_layer_new(g, &mcdl_dense_class, o->name);
    if (!l) return NULL;
    dense_state *st = mcdl_layer_state(l);
    st->units = o->units;
    st->act = o->activation;
    st->alpha = mcdl_opt_float(o->alpha, 0.2f);
    st->use_bias = !o->no_bias;
    st->kinit = o->kernel_initializer ? o->kernel_initializer : MCDL_INIT_GLOROT_UNIFORM;
    st->binit = o->bias_initializer ? o->bias_initializer : MCDL_INIT_ZEROS;
    mcdl_status s = dense_check(l, st);
    if (s != MCDL_OK) {
        mcdl_graph_record(g, s);
        return NULL;
    }
    return l;
}

mcdl_node *mcdl_dense(mcdl_graph *g, mcdl_node *x, const mcdl_dense_opts *o) {
    return x ? mcdl_build_and_call(mcdl_dense_layer(g, o), x) : NULL;
}
