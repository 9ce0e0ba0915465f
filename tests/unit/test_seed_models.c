/* mcdl/zoo.h: every seed model builds with Keras' parameter count (SEED_MODELS.md), its
 * synthetic data has the input shapes and target ranges, one training step on a few
 * samples gives a finite loss, and unknown names are refused with the list of names. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "mcdl/mcdl.h"

int main(void) {
    CHECK(mcdl_seed_model_count() == 13, "count %d", mcdl_seed_model_count());
    CHECK(mcdl_seed_model_name(13) == NULL, "name past the end");
    for (int k = 0; k < mcdl_seed_model_count(); k++) {
        const char *name = mcdl_seed_model_name(k);
        mcdl_model *m = NULL;
        mcdl_seed_model_info info;
        CHECK_OK(mcdl_seed_model_build(name, 3, &m, &info));
        if (!m) continue;
        CHECK(!strcmp(info.name, name), "%s: info name %s", name, info.name);
        int64_t total, trainable, frozen;
        mcdl_model_count_params(m, &total, &trainable, &frozen);
        CHECK(total == info.params, "%s: %lld params, Keras has %lld", name, (long long)total,
              (long long)info.params);
        CHECK(frozen == (strcmp(name, "resnet") ? 0 : 768), "%s: %lld non-trainable", name,
              (long long)frozen);
        mcdl_tensor *x[2] = {NULL, NULL}, *y = NULL;
        const int64_t n = 3;
        CHECK_OK(mcdl_seed_model_synthetic_data(m, &info, n, 5, x, &y));
        int n_in = mcdl_model_num_inputs(m);
        for (int i = 0; i < n_in && x[i]; i++) {
            int64_t shape[MCDL_MAX_RANK];
            int r = mcdl_node_shape(mcdl_model_input(m, i), shape);
            CHECK(mcdl_tensor_rank(x[i]) == r + 1 && mcdl_tensor_dim(x[i], 0) == n, "%s x%d rank",
                  name, i);
            for (int d = 0; d < r; d++)
                CHECK(mcdl_tensor_dim(x[i], d + 1) == shape[d], "%s x%d dim %d", name, i, d);
            const float *v = mcdl_tensor_data(x[i]);
            float hi = info.vocab > 0 ? (float)info.vocab : 1.0f;
            for (int64_t j = 0; j < mcdl_tensor_numel(x[i]); j++)
                if (!(v[j] >= 0 && v[j] < hi)) {
                    CHECK(0, "%s x%d[%lld] = %g outside [0, %g)", name, i, (long long)j, v[j], hi);
                    break;
                }
        }
        if (y && info.num_classes > 0) {
            const float *v = mcdl_tensor_data(y);
            int64_t k_cls = info.num_classes == 1 ? 2 : info.num_classes;
            for (int64_t j = 0; j < n; j++)
                CHECK(v[j] == floorf(v[j]) && v[j] >= 0 && v[j] < k_cls, "%s y[%lld] = %g", name,
                      (long long)j, v[j]);
        }
        CHECK_OK(mcdl_model_compile(m, &(mcdl_compile_opts){.loss = info.loss}));
        double loss = NAN;
        if (y && x[0])
            CHECK_OK(mcdl_model_train_on_batch(m, n_in, (const mcdl_tensor *const *)x, 1,
                                               (const mcdl_tensor *const *)&y, &loss, 1));
        CHECK(isfinite(loss) && loss >= 0, "%s: loss %g", name, loss);
        for (int i = 0; i < 2; i++) mcdl_tensor_destroy(x[i]);
        mcdl_tensor_destroy(y);
        mcdl_model_destroy(m);
    }
    /* The anchor's variants: the transformer with 16 per head (PyTorch's
     * nn.MultiheadAttention(128, 8)), every other model the Keras seed itself. */
    for (int k = 0; k < mcdl_seed_model_count(); k++) {
        const char *name = mcdl_seed_model_name(k);
        mcdl_model *a = NULL, *b = NULL;
        mcdl_seed_model_info ia, ib;
        CHECK_OK(mcdl_seed_model_build_anchor(name, 3, &a, &ia));
        CHECK_OK(mcdl_seed_model_build(name, 3, &b, &ib));
        int64_t ta = -1, tb = -1;
        mcdl_model_count_params(a, &ta, NULL, NULL);
        mcdl_model_count_params(b, &tb, NULL, NULL);
        const bool tr = !strcmp(name, "transformer");
        CHECK(ta == ia.params && ta == (tr ? MCDL_SEED_TRANSFORMER_ANCHOR_PARAMS : tb),
              "%s anchor variant: %lld params (info %lld, Keras seed %lld)", name, (long long)ta,
              (long long)ia.params, (long long)tb);
        CHECK(ia.batch_size == ib.batch_size && ia.n_samples == ib.n_samples, "%s info", name);
        mcdl_model_destroy(a);
        mcdl_model_destroy(b);
    }
    mcdl_model *m = NULL;
    CHECK_STATUS(mcdl_seed_model_build("vgg", 1, &m, NULL), MCDL_ERR_ARG);
    CHECK(m == NULL && strstr(mcdl_last_error(), "'vgg'") && strstr(mcdl_last_error(), "resnet"),
          "message: %s", mcdl_last_error());
    return check_finish();
}
