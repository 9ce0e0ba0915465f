/* fit, evaluate, predict, train_on_batch: data checks, batching (Keras' split, shuffle and
 * partial last batch), the loss and metrics over each batch, optimizer steps, history and
 * the progress lines. compile is in compile.c. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/loss.h"
#include "lib/model/model_internal.h"
#include "lib/model/optimizer.h"
#include "lib/model/progress.h"
#include "mcdl/rng.h"

/* ---- data checks ---- */

/* A float is NaN or Inf exactly when its exponent bits are all ones, i.e. when its
 * magnitude's bit pattern is >= 0x7f800000, i.e. when adding 0x00800000 to that pattern
 * carries into bit 31. An OR over those sums (vectorised even on baseline SSE2, unlike an
 * isfinite loop with an early exit) answers for the whole tensor; fit checks every sample
 * on every call, predict on every call. */
static bool all_finite(const float *d, int64_t n) {
    uint32_t any = 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, d + i, sizeof u);
        any |= (u & 0x7fffffffu) + 0x00800000u;
    }
    return (any & 0x80000000u) == 0;
}

static mcdl_status check_finite(const mcdl_tensor *t, const char *what, int idx) {
    const float *d = mcdl_tensor_data(t);
    const int64_t n = mcdl_tensor_numel(t);
    if (all_finite(d, n)) return MCDL_OK;
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(d[i])) {
            char pos[160];
            int used = snprintf(pos, sizeof pos, "(");
            int64_t rem = i;
            const int r = mcdl_tensor_rank(t);
            int64_t idxs[MCDL_MAX_RANK];
            for (int a = r - 1; a >= 0; a--) {
                idxs[a] = rem % mcdl_tensor_dim(t, a);
                rem /= mcdl_tensor_dim(t, a);
            }
            for (int a = 0; a < r && used < (int)sizeof pos; a++)
                used += snprintf(pos + used, sizeof pos - (size_t)used, "%s%lld", a ? ", " : "",
                                 (long long)idxs[a]);
            if (used < (int)sizeof pos) snprintf(pos + used, sizeof pos - (size_t)used, ")");
            return mcdl_error(MCDL_ERR_NUMERIC, "%s[%d] holds %s at index %s (flat %lld)", what,
                              idx, isnan(d[i]) ? "NaN" : "Inf", pos, (long long)i);
        }
    return MCDL_OK;
}

/* Checks inputs (and targets when y != NULL); *n receives the sample count. */
static mcdl_status check_data(mcdl_model *m, int n_x, const mcdl_tensor *const *x, int n_y,
                              const mcdl_tensor *const *y, const char *xname, const char *yname,
                              int64_t *n) {
    if (n_x != m->n_in || !x)
        return mcdl_error(MCDL_ERR_ARG, "model '%s' has %d input%s, got %d %s tensor%s", m->name,
                          m->n_in, m->n_in == 1 ? "" : "s", n_x, xname, n_x == 1 ? "" : "s");
    int64_t N = -1;
    for (int i = 0; i < n_x; i++) {
        const mcdl_tensor *t = x[i];
        const mcdl_shape *s = &m->in[i]->shape;
        if (!t) return mcdl_error(MCDL_ERR_ARG, "%s[%d] is NULL", xname, i);
        if (!mcdl_tensor_is_contiguous(t))
            return mcdl_error(MCDL_ERR_ARG, "%s[%d] must be contiguous (row-major)", xname, i);
        bool ok = mcdl_tensor_rank(t) == s->rank + 1;
        for (int d = 0; ok && d < s->rank; d++) ok = mcdl_tensor_dim(t, d + 1) == s->d[d];
        if (!ok) {
            char want[128], got[128];
            mcdl_shape_keras_str(s, want, sizeof want);
            mcdl_shape_str(got, sizeof got, mcdl_tensor_rank(t), mcdl_tensor_shape(t));
            return mcdl_error(MCDL_ERR_SHAPE, "%s[%d] has shape %s but input '%s' expects %s",
                              xname, i, got, m->in[i]->layer->name, want);
        }
        const int64_t ni = mcdl_tensor_dim(t, 0);
        if (N >= 0 && ni != N)
            return mcdl_error(MCDL_ERR_ARG, "%s[%d] has %lld samples but %s[0] has %lld", xname, i,
                              (long long)ni, xname, (long long)N);
        N = ni;
        MCDL_TRY(check_finite(t, xname, i));
    }
    if (N == 0) return mcdl_error(MCDL_ERR_ARG, "%s: no samples (0 rows)", xname);
    if (y) {
        if (n_y != m->n_out)
            return mcdl_error(MCDL_ERR_ARG, "model '%s' has %d output%s, got %d %s tensor%s",
                              m->name, m->n_out, m->n_out == 1 ? "" : "s", n_y, yname,
                              n_y == 1 ? "" : "s");
        const bool sparse = m->copts.loss == MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
        for (int j = 0; j < n_y; j++) {
            const mcdl_tensor *t = y[j];
            if (!t) return mcdl_error(MCDL_ERR_ARG, "%s[%d] is NULL", yname, j);
            if (!mcdl_tensor_is_contiguous(t))
                return mcdl_error(MCDL_ERR_ARG, "%s[%d] must be contiguous (row-major)", yname, j);
            if (mcdl_tensor_rank(t) < 1 || mcdl_tensor_dim(t, 0) != N)
                return mcdl_error(
                    MCDL_ERR_ARG, "%s[%d] has %lld samples but the inputs have %lld", yname, j,
                    (long long)(mcdl_tensor_rank(t) ? mcdl_tensor_dim(t, 0) : 0), (long long)N);
            const mcdl_shape *os = &m->out[j]->shape;
            const int64_t per = mcdl_tensor_numel(t) / N;
            const int64_t cols = os->d[os->rank - 1];
            const int64_t want = sparse ? mcdl_shape_numel(os) / cols : mcdl_shape_numel(os);
            if (per != want) {
                char os_s[128], got[128];
                mcdl_shape_keras_str(os, os_s, sizeof os_s);
                mcdl_shape_str(got, sizeof got, mcdl_tensor_rank(t), mcdl_tensor_shape(t));
                return mcdl_error(
                    MCDL_ERR_SHAPE,
                    "%s[%d] has shape %s, which does not fit output '%s' %s with loss %s "
                    "(%s %lld value%s per sample)",
                    yname, j, got, m->out[j]->layer->name, os_s, mcdl_loss_name(m->copts.loss),
                    sparse ? "class ids:" : "expected", (long long)want, want == 1 ? "" : "s");
            }
            MCDL_TRY(check_finite(t, yname, j));
            if (sparse) {
                const float *d = mcdl_tensor_data(t);
                for (int64_t i = 0; i < mcdl_tensor_numel(t); i++)
                    if (d[i] < 0 || d[i] >= (float)cols || d[i] != floorf(d[i]))
                        return mcdl_error(
                            MCDL_ERR_ARG,
                            "%s[%d] entry %lld is %g, not a class id in [0, %lld) for output '%s'",
                            yname, j, (long long)i, d[i], (long long)cols, m->out[j]->layer->name);
            }
        }
    }
    *n = N;
    return MCDL_OK;
}

/* ---- batches ---- */

static void gather(mcdl_model *m, int n_x, const mcdl_tensor *const *x, int n_y,
                   const mcdl_tensor *const *y, const int64_t *idx, int64_t start, int64_t b) {
    mcdl_plan *p = &m->plan;
    for (int i = 0; i < n_x; i++) {
        const int64_t S = mcdl_shape_numel(&m->in[i]->shape);
        float *dst = p->act[mcdl_model_node_index(m, m->in[i])];
        const float *src = mcdl_tensor_data(x[i]);
        for (int64_t r = 0; r < b; r++) {
            const int64_t s = idx ? idx[start + r] : start + r;
            memcpy(dst + r * S, src + s * S, (size_t)S * sizeof(float));
        }
    }
    for (int j = 0; y && j < n_y; j++) {
        const int64_t S = mcdl_tensor_numel(y[j]) / mcdl_tensor_dim(y[j], 0);
        const float *src = mcdl_tensor_data(y[j]);
        for (int64_t r = 0; r < b; r++) {
            const int64_t s = idx ? idx[start + r] : start + r;
            memcpy(p->target[j] + r * S, src + s * S, (size_t)S * sizeof(float));
        }
    }
}

static mcdl_loss_desc loss_desc(const mcdl_model *m, int j, int64_t b) {
    const mcdl_shape *os = &m->out[j]->shape;
    mcdl_loss_desc d = {.loss = m->copts.loss, .from_logits = m->copts.from_logits};
    d.cols = os->d[os->rank - 1];
    d.rows = b * (mcdl_shape_numel(os) / d.cols);
    return d;
}

static mcdl_acc_kind acc_kind(const mcdl_model *m, const mcdl_loss_desc *d) {
    if (m->copts.loss == MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) return MCDL_ACC_SPARSE;
    if (m->copts.loss == MCDL_LOSS_BINARY_CROSSENTROPY || d->cols == 1) return MCDL_ACC_BINARY;
    return MCDL_ACC_CATEGORICAL;
}

/* Accumulators for one pass: sum of batch losses x samples, metric sums, rows seen. */
typedef struct {
    double loss_w;
    int64_t samples;
    double correct[MCDL_MAX_CALL_IO], sq[MCDL_MAX_CALL_IO], ab[MCDL_MAX_CALL_IO];
    int64_t rows[MCDL_MAX_CALL_IO];
} pass_acc;

/* Loss (and output gradients when grads) of the batch now in the plan. */
static double batch_loss(mcdl_model *m, int64_t b, bool grads, pass_acc *acc) {
    mcdl_plan *p = &m->plan;
    double loss = 0;
    if (grads) memset(p->written, 0, (size_t)m->n_nodes * sizeof *p->written);
    for (int j = 0; j < m->n_out; j++) {
        const int k = mcdl_model_node_index(m, m->out[j]);
        const mcdl_loss_desc d = loss_desc(m, j, b);
        loss += mcdl_loss_eval(&d, p->act[k], p->target[j], grads ? p->grad[k] : NULL);
        if (grads) p->written[k] = true;
        if (acc && j < MCDL_MAX_CALL_IO) {
            mcdl_metric_sums(&d, acc_kind(m, &d), p->act[k], p->target[j], &acc->correct[j],
                             &acc->sq[j], &acc->ab[j]);
            acc->rows[j] += d.rows;
        }
    }
    if (acc) {
        acc->loss_w += loss * (double)b;
        acc->samples += b;
    }
    return loss;
}

static void pass_results(const mcdl_model *m, const pass_acc *a, double *r) {
    r[0] = a->samples ? a->loss_w / (double)a->samples : 0;
    int k = 1;
    for (int j = 0; j < m->n_out; j++) {
        const double rows = a->rows[j] ? (double)a->rows[j] : 1;
        if (m->copts.metrics & MCDL_METRIC_ACCURACY) r[k++] = a->correct[j] / rows;
        if (m->copts.metrics & MCDL_METRIC_MSE) r[k++] = a->sq[j] / rows;
        if (m->copts.metrics & MCDL_METRIC_MAE) r[k++] = a->ab[j] / rows;
    }
}

static void optimizer_step(mcdl_model *m) {
    const int64_t t = m->iterations + 1;
    for (int k = 0; k < m->n_trained; k++) {
        mcdl_weight *w = m->w[m->trained[k]];
        float *s0 = m->n_slots > 0 ? m->slots[k * m->n_slots] : NULL;
        float *s1 = m->n_slots > 1 ? m->slots[k * m->n_slots + 1] : NULL;
        mcdl_optimizer_update(&m->copts.optimizer, t, w->data, w->grad, s0, s1, w->numel);
    }
    m->iterations++;
}

/* Where a training step runs, for the numeric guard's sentence: fit passes its epoch and
 * batch (1-based), train_on_batch passes 0s. */
typedef struct {
    int epoch;
    int64_t batch;
    bool allow_nonfinite; /* fit's continue_on_nonfinite: skip the guard */
} step_ctx;

static const char *step_where(const step_ctx *c, char *buf, size_t n) {
    if (c->epoch > 0)
        snprintf(buf, n, "epoch %d, batch %lld", c->epoch, (long long)c->batch);
    else
        snprintf(buf, n, "train_on_batch step");
    return buf;
}

/* First non-finite gradient of a trained weight, in trained-weight order; -1 when none.
 * Checked before the optimizer step so a NaN never reaches the weights or the slots. */
static int first_bad_grad(const mcdl_model *m, int64_t *at) {
    for (int k = 0; k < m->n_trained; k++) {
        const mcdl_weight *w = m->w[m->trained[k]];
        for (int64_t i = 0; i < w->numel; i++)
            if (!isfinite(w->grad[i])) {
                *at = i;
                return m->trained[k];
            }
    }
    return -1;
}

static mcdl_status train_step(mcdl_model *m, int64_t b, pass_acc *acc, const step_ctx *c) {
    MCDL_TRY(mcdl_exec_forward(m, b, true));
    const double loss = batch_loss(m, b, true, acc);
    char where[64];
    if (!c->allow_nonfinite && !isfinite(loss))
        return mcdl_error(MCDL_ERR_NUMERIC,
                          "model '%s': the loss became %s at %s (iteration %lld); lower the "
                          "learning rate or check the data",
                          m->name, isnan(loss) ? "NaN" : "Inf", step_where(c, where, sizeof where),
                          (long long)m->iterations + 1);
    MCDL_TRY(mcdl_exec_backward(m, b));
    int64_t at = 0;
    const int bad = c->allow_nonfinite ? -1 : first_bad_grad(m, &at);
    if (bad >= 0) {
        const mcdl_weight *w = m->w[bad];
        return mcdl_error(MCDL_ERR_NUMERIC,
                          "layer '%s': the gradient of weight '%s' holds %s at flat index %lld "
                          "at %s (iteration %lld); the weights were not updated",
                          m->w_layer[bad]->name, w->name, isnan(w->grad[at]) ? "NaN" : "Inf",
                          (long long)at, step_where(c, where, sizeof where),
                          (long long)m->iterations + 1);
    }
    optimizer_step(m);
    m->rng_step++;
    return MCDL_OK;
}

/* Inference pass over samples [start, start + count) in batches; fills results. */
static mcdl_status eval_range(mcdl_model *m, int n_x, const mcdl_tensor *const *x, int n_y,
                              const mcdl_tensor *const *y, int64_t start, int64_t count, int64_t bs,
                              double *results) {
    pass_acc acc;
    memset(&acc, 0, sizeof acc);
    for (int64_t s = 0; s < count; s += bs) {
        const int64_t b = count - s < bs ? count - s : bs;
        gather(m, n_x, x, n_y, y, NULL, start + s, b);
        MCDL_TRY(mcdl_exec_forward(m, b, false));
        batch_loss(m, b, false, &acc);
    }
    pass_results(m, &acc, results);
    return MCDL_OK;
}

static mcdl_status need_compiled(const mcdl_model *m, const char *what) {
    if (!m->compiled)
        return mcdl_error(MCDL_ERR_STATE,
                          "%s: model '%s' must be compiled first (mcdl_model_compile)", what,
                          m->name);
    return MCDL_OK;
}

mcdl_status mcdl_model_evaluate(mcdl_model *m, int n_x, const mcdl_tensor *const *x, int n_y,
                                const mcdl_tensor *const *y, const mcdl_eval_opts *o,
                                double *results, int n_results) {
    MCDL_TRY(mcdl_model_check_handle(m, "mcdl_model_evaluate"));
    if (!results) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_evaluate: NULL argument");
    MCDL_TRY(mcdl_check_isa());
    MCDL_TRY(need_compiled(m, "evaluate"));
    if (n_results < mcdl_model_num_results(m))
        return mcdl_error(MCDL_ERR_ARG,
                          "evaluate: results has room for %d values, the model reports %d",
                          n_results, mcdl_model_num_results(m));
    if (!y) return mcdl_error(MCDL_ERR_ARG, "evaluate: targets y are required");
    const mcdl_eval_opts d = {0};
    if (!o) o = &d;
    if (o->batch_size < 0)
        return mcdl_error(MCDL_ERR_ARG, "evaluate: batch_size %lld < 0", (long long)o->batch_size);
    int64_t N = 0;
    MCDL_TRY(check_data(m, n_x, x, n_y, y, "x", "y", &N));
    int64_t bs = o->batch_size ? o->batch_size : 32;
    if (bs > N) bs = N;
    MCDL_TRY(mcdl_plan_ensure(m, bs, m->plan.training));
    MCDL_TRY(eval_range(m, n_x, x, n_y, y, 0, N, bs, results));
    if (o->verbose) mcdl_progress_eval_line(m, results);
    return MCDL_OK;
}

mcdl_status mcdl_model_train_on_batch(mcdl_model *m, int n_x, const mcdl_tensor *const *x, int n_y,
                                      const mcdl_tensor *const *y, double *results, int n_results) {
    MCDL_TRY(mcdl_model_check_handle(m, "mcdl_model_train_on_batch"));
    MCDL_TRY(mcdl_check_isa());
    MCDL_TRY(need_compiled(m, "train_on_batch"));
    if (results && n_results < mcdl_model_num_results(m))
        return mcdl_error(MCDL_ERR_ARG,
                          "train_on_batch: results has room for %d values, the model reports %d",
                          n_results, mcdl_model_num_results(m));
    if (!y) return mcdl_error(MCDL_ERR_ARG, "train_on_batch: targets y are required");
    int64_t N = 0;
    MCDL_TRY(check_data(m, n_x, x, n_y, y, "x", "y", &N));
    MCDL_TRY(mcdl_plan_ensure(m, N, true));
    gather(m, n_x, x, n_y, y, NULL, 0, N);
    pass_acc acc;
    memset(&acc, 0, sizeof acc);
    const step_ctx c = {0, 0, false};
    MCDL_TRY(train_step(m, N, &acc, &c));
    if (results) pass_results(m, &acc, results);
    return MCDL_OK;
}

mcdl_status mcdl_model_predict(mcdl_model *m, int n_x, const mcdl_tensor *const *x,
                               const mcdl_predict_opts *o, int n_out, mcdl_tensor **out) {
    MCDL_TRY(mcdl_model_check_handle(m, "mcdl_model_predict"));
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_predict: NULL argument");
    MCDL_TRY(mcdl_check_isa());
    MCDL_TRY(mcdl_model_build(m));
    if (n_out != m->n_out)
        return mcdl_error(MCDL_ERR_ARG, "predict: model '%s' has %d output%s, room for %d given",
                          m->name, m->n_out, m->n_out == 1 ? "" : "s", n_out);
    const mcdl_predict_opts d = {0};
    if (!o) o = &d;
    if (o->batch_size < 0)
        return mcdl_error(MCDL_ERR_ARG, "predict: batch_size %lld < 0", (long long)o->batch_size);
    int64_t N = 0;
    MCDL_TRY(check_data(m, n_x, x, 0, NULL, "x", "y", &N));
    int64_t bs = o->batch_size ? o->batch_size : 32;
    if (bs > N) bs = N;
    MCDL_TRY(mcdl_plan_ensure(m, bs, m->plan.training));
    for (int j = 0; j < n_out; j++) out[j] = NULL;
    mcdl_status s = MCDL_OK;
    for (int j = 0; j < n_out && s == MCDL_OK; j++) {
        int64_t shape[MCDL_MAX_RANK];
        shape[0] = N;
        for (int a = 0; a < m->out[j]->shape.rank; a++) shape[a + 1] = m->out[j]->shape.d[a];
        s = mcdl_tensor_create(&out[j], m->out[j]->shape.rank + 1, shape);
    }
    for (int64_t st = 0; st < N && s == MCDL_OK; st += bs) {
        const int64_t b = N - st < bs ? N - st : bs;
        gather(m, n_x, x, 0, NULL, NULL, st, b);
        s = mcdl_exec_forward(m, b, false);
        for (int j = 0; j < n_out && s == MCDL_OK; j++) {
            const int64_t S = mcdl_shape_numel(&m->out[j]->shape);
            memcpy(mcdl_tensor_data(out[j]) + st * S,
                   m->plan.act[mcdl_model_node_index(m, m->out[j])],
                   (size_t)(b * S) * sizeof(float));
        }
    }
    if (s != MCDL_OK)
        for (int j = 0; j < n_out; j++) {
            mcdl_tensor_destroy(out[j]);
            out[j] = NULL;
        }
    return s;
}

/* ---- fit ---- */

struct mcdl_history {
    int n_epochs, n_keys;
    char **keys;
    double **values;
};

static void history_free(mcdl_history *h) {
    if (!h) return;
    for (int i = 0; i < h->n_keys; i++) {
        free(h->keys[i]);
        free(h->values[i]);
    }
    free(h->keys);
    free(h->values);
    free(h);
}

void mcdl_history_destroy(mcdl_history *h) { history_free(h); }
int mcdl_history_num_epochs(const mcdl_history *h) { return h ? h->n_epochs : 0; }
int mcdl_history_num_keys(const mcdl_history *h) { return h ? h->n_keys : 0; }
const char *mcdl_history_key(const mcdl_history *h, int i) {
    return h && i >= 0 && i < h->n_keys ? h->keys[i] : "";
}
const double *mcdl_history_values(const mcdl_history *h, const char *key) {
    for (int i = 0; h && key && i < h->n_keys; i++)
        if (!strcmp(h->keys[i], key)) return h->values[i];
    return NULL;
}

static mcdl_history *history_new(const mcdl_model *m, int epochs, bool val) {
    const int nr = mcdl_model_num_results(m);
    mcdl_history *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->n_epochs = epochs;
    h->keys = calloc((size_t)(2 * nr), sizeof *h->keys);
    h->values = calloc((size_t)(2 * nr), sizeof *h->values);
    if (!h->keys || !h->values) {
        history_free(h);
        return NULL;
    }
    for (int v = 0; v < (val ? 2 : 1); v++)
        for (int i = 0; i < nr; i++) {
            const char *name = mcdl_model_result_name(m, i);
            size_t len = strlen(name) + 5;
            char *k = malloc(len);
            double *vals = calloc((size_t)(epochs > 0 ? epochs : 1), sizeof *vals);
            if (k) snprintf(k, len, "%s%s", v ? "val_" : "", name);
            h->keys[h->n_keys] = k;
            h->values[h->n_keys] = vals;
            h->n_keys++;
            if (!k || !vals) {
                history_free(h);
                return NULL;
            }
        }
    return h;
}

mcdl_status mcdl_model_fit(mcdl_model *m, int n_x, const mcdl_tensor *const *x, int n_y,
                           const mcdl_tensor *const *y, const mcdl_fit_opts *o,
                           mcdl_history **history) {
    if (history) *history = NULL;
    MCDL_TRY(mcdl_model_check_handle(m, "mcdl_model_fit"));
    MCDL_TRY(mcdl_check_isa());
    MCDL_TRY(need_compiled(m, "fit"));
    const mcdl_fit_opts d = {0};
    if (!o) o = &d;
    if (o->epochs < 0 || o->batch_size < 0)
        return mcdl_error(MCDL_ERR_ARG,
                          "fit: epochs (%d) and batch_size (%lld) must not be negative", o->epochs,
                          (long long)o->batch_size);
    if (!(o->validation_split >= 0.0f && o->validation_split < 1.0f))
        return mcdl_error(MCDL_ERR_ARG, "fit: validation_split must be in [0, 1), got %g",
                          o->validation_split);
    if (!y) return mcdl_error(MCDL_ERR_ARG, "fit: targets y are required");
    int64_t N = 0;
    MCDL_TRY(check_data(m, n_x, x, n_y, y, "x", "y", &N));
    int64_t n_val_ext = 0;
    const bool ext_val = o->validation_x != NULL;
    if (ext_val) {
        if (!o->validation_y)
            return mcdl_error(MCDL_ERR_ARG, "fit: validation_x given without validation_y");
        MCDL_TRY(check_data(m, m->n_in, o->validation_x, m->n_out, o->validation_y, "validation_x",
                            "validation_y", &n_val_ext));
    }
    const int epochs = o->epochs ? o->epochs : 1;
    if (o->initial_epoch < 0 || o->initial_epoch > epochs)
        return mcdl_error(MCDL_ERR_ARG, "fit: initial_epoch %d is outside [0, epochs = %d]",
                          o->initial_epoch, epochs);
    if (o->max_memory < 0)
        return mcdl_error(MCDL_ERR_ARG, "fit: max_memory %lld < 0", (long long)o->max_memory);
    m->max_memory = o->max_memory;
    /* Keras: int(N * (1 - split)) in double. The float field holds 0.2 as 0.2000000030, which
     * would give 799 of 1000; rounding it to 7 significant digits first recovers the 0.2 the
     * caller wrote. */
    const double vsplit = round((double)o->validation_split * 1e7) / 1e7;
    const int64_t split_at = ext_val ? N : (int64_t)floor((double)N * (1.0 - vsplit));
    const int64_t n_train = split_at, n_val = ext_val ? n_val_ext : N - split_at;
    if (n_train <= 0)
        return mcdl_error(MCDL_ERR_ARG,
                          "fit: validation_split %g leaves no training samples out of %lld",
                          o->validation_split, (long long)N);
    int64_t bs = o->batch_size ? o->batch_size : 32;
    if (bs > n_train) bs = n_train;
    int64_t eval_bs = bs;
    mcdl_status ps = mcdl_plan_ensure(m, bs, true);
    m->max_memory = 0;
    MCDL_TRY(ps);
    int64_t *perm = malloc((size_t)n_train * sizeof *perm);
    const bool val = n_val > 0;
    const int e0 = o->initial_epoch;
    mcdl_history *h = history_new(m, epochs - e0, val);
    if (!perm || !h) {
        free(perm);
        history_free(h);
        return mcdl_error(MCDL_ERR_NOMEM, "fit: out of memory");
    }
    for (int64_t i = 0; i < n_train; i++) perm[i] = i;
    const int nr = mcdl_model_num_results(m);
    const int64_t steps = (n_train + bs - 1) / bs;
    mcdl_progress pr;
    mcdl_progress_init(&pr, m, o->verbose, epochs, steps);
    mcdl_status s = MCDL_OK;
    for (int e = 0; e < epochs && s == MCDL_OK; e++) {
        /* Fisher-Yates on the epoch's own counter stream; each epoch permutes the previous
         * order, so a resumed fit replays the skipped epochs' shuffles (cheap) to stand
         * exactly where the uninterrupted run stood. */
        if (!o->no_shuffle)
            for (int64_t i = n_train - 1; i > 0; i--) {
                const int64_t j =
                    (int64_t)mcdl_rng_below(o->seed, (uint64_t)e + 1, (uint64_t)i, (uint64_t)i + 1);
                const int64_t t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
        if (e < e0) continue;
        mcdl_progress_epoch_begin(&pr, e);
        pass_acc acc;
        memset(&acc, 0, sizeof acc);
        double r[MCDL_MAX_RESULTS], vr[MCDL_MAX_RESULTS];
        for (int64_t st = 0; st < steps && s == MCDL_OK; st++) {
            const int64_t b0 = st * bs, b = n_train - b0 < bs ? n_train - b0 : bs;
            gather(m, n_x, x, n_y, y, perm, b0, b);
            const step_ctx c = {e + 1, st + 1, o->continue_on_nonfinite};
            s = train_step(m, b, &acc, &c);
            if (s == MCDL_OK) {
                pass_results(m, &acc, r);
                mcdl_progress_step(&pr, st + 1, r);
            }
        }
        if (s != MCDL_OK) break;
        if (val) {
            if (ext_val)
                s = eval_range(m, m->n_in, o->validation_x, m->n_out, o->validation_y, 0, n_val,
                               eval_bs, vr);
            else
                s = eval_range(m, n_x, x, n_y, y, split_at, n_val, eval_bs, vr);
            if (s != MCDL_OK) break;
        }
        double all[2 * MCDL_MAX_RESULTS];
        for (int i = 0; i < nr; i++) {
            h->values[i][e - e0] = all[i] = r[i];
            if (val) h->values[nr + i][e - e0] = all[nr + i] = vr[i];
        }
        mcdl_progress_epoch_end(&pr, r, val ? vr : NULL);
        if (o->on_epoch_end) s = o->on_epoch_end(m, e, all, val ? 2 * nr : nr, o->user);
    }
    free(perm);
    if (s != MCDL_OK || !history)
        history_free(h);
    else
        *history = h;
    return s;
}
