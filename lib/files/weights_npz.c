/* Model weights <-> .npz keyed by Keras 3 variable paths. Loading checks every key and
 * shape before it changes anything, so a bad file leaves the model as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/error.h"
#include "mcdl/files.h"

static void shape_of(const mcdl_tensor *t, char *buf, size_t n) {
    mcdl_shape_str(buf, n, mcdl_tensor_rank(t), mcdl_tensor_shape(t));
}

static bool same_shape(const mcdl_tensor *a, const mcdl_tensor *b) {
    if (mcdl_tensor_rank(a) != mcdl_tensor_rank(b)) return false;
    for (int i = 0; i < mcdl_tensor_rank(a); i++)
        if (mcdl_tensor_shape(a)[i] != mcdl_tensor_shape(b)[i]) return false;
    return true;
}

/* Keras 3 names the variables of layers built inside a model with the model's scope first
 * ("sequential/dense/kernel"); such a key is accepted as the path below that scope. */
static mcdl_status find_weight(const mcdl_model *m, const char *key, int *idx,
                               mcdl_weight_info *info) {
    if (mcdl_model_find_weight(m, key, idx, info) == MCDL_OK) return MCDL_OK;
    const char *name = mcdl_model_name(m);
    size_t n = name ? strlen(name) : 0;
    if (n && !strncmp(key, name, n) && key[n] == '/' &&
        mcdl_model_find_weight(m, key + n + 1, idx, info) == MCDL_OK)
        return MCDL_OK;
    return MCDL_ERR_ARG;
}

mcdl_status mcdl_model_set_weights_npz(mcdl_model *m, const mcdl_npz *z) {
    if (!m || !z) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_set_weights_npz: NULL argument");
    int nw = mcdl_model_num_weights(m);
    int64_t nk = mcdl_npz_count(z);
    int64_t *src = malloc((size_t)(nw > 0 ? nw : 1) * sizeof *src);
    if (!src) return mcdl_error(MCDL_ERR_NOMEM, "out of memory setting weights");
    for (int i = 0; i < nw; i++) src[i] = -1;
    mcdl_status s = MCDL_OK;
    char a[128], b[128];
    for (int64_t k = 0; k < nk && s == MCDL_OK; k++) {
        const char *key = mcdl_npz_name(z, k);
        const mcdl_tensor *t = mcdl_npz_get(z, key);
        int idx = -1;
        mcdl_weight_info info;
        shape_of(t, a, sizeof a);
        if (find_weight(m, key, &idx, &info) != MCDL_OK) {
            s = mcdl_error(MCDL_ERR_ARG,
                           "the weights hold '%s' of shape %s, which names no weight of model '%s'",
                           key, a, mcdl_model_name(m));
        } else if (src[idx] >= 0) {
            s = mcdl_error(MCDL_ERR_ARG, "the weights hold both '%s' and '%s' for weight '%s'",
                           mcdl_npz_name(z, src[idx]), key, info.path);
        } else if (!same_shape(t, info.value)) {
            shape_of(info.value, b, sizeof b);
            s = mcdl_error(MCDL_ERR_SHAPE,
                           "weight '%s' has shape %s in the weights but %s in model '%s'", key, a,
                           b, mcdl_model_name(m));
        } else {
            src[idx] = k;
        }
    }
    for (int i = 0; i < nw && s == MCDL_OK; i++) {
        if (src[i] >= 0) continue;
        mcdl_weight_info info;
        s = mcdl_model_weight(m, i, &info);
        if (s != MCDL_OK) break;
        shape_of(info.value, b, sizeof b);
        s = mcdl_error(MCDL_ERR_ARG, "weight '%s' of shape %s is missing from the weights",
                       info.path, b);
    }
    for (int i = 0; i < nw && s == MCDL_OK; i++) {
        mcdl_weight_info info;
        s = mcdl_model_weight(m, i, &info);
        if (s == MCDL_OK)
            s = mcdl_tensor_copy(info.value, mcdl_npz_get(z, mcdl_npz_name(z, src[i])));
    }
    free(src);
    if (s == MCDL_OK) mcdl_model_weights_changed(m);
    return s;
}

mcdl_status mcdl_model_load_weights_npz(mcdl_model *m, const char *path) {
    if (!m) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_load_weights_npz: model is NULL");
    mcdl_npz *z;
    MCDL_TRY(mcdl_npz_load(path, &z));
    mcdl_status s = mcdl_model_set_weights_npz(m, z);
    mcdl_npz_destroy(z);
    if (s != MCDL_OK) {
        char inner[800];
        snprintf(inner, sizeof inner, "%s", mcdl_last_error());
        return mcdl_error(s, "'%s': %s", path, inner);
    }
    return MCDL_OK;
}

mcdl_status mcdl_model_get_weights_npz(const mcdl_model *m, mcdl_npz **out) {
    if (!m || !out) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_get_weights_npz: NULL argument");
    *out = NULL;
    mcdl_npz *z;
    MCDL_TRY(mcdl_npz_create(&z));
    mcdl_status s = MCDL_OK;
    for (int i = 0; i < mcdl_model_num_weights(m) && s == MCDL_OK; i++) {
        mcdl_weight_info info;
        s = mcdl_model_weight(m, i, &info);
        if (s == MCDL_OK) s = mcdl_npz_add(z, info.path, info.value);
    }
    if (s != MCDL_OK) {
        mcdl_npz_destroy(z);
        return s;
    }
    *out = z;
    return MCDL_OK;
}

mcdl_status mcdl_model_save_weights_npz(const mcdl_model *m, const char *path) {
    mcdl_npz *z;
    MCDL_TRY(mcdl_model_get_weights_npz(m, &z));
    mcdl_status s = mcdl_npz_save(z, path, false);
    mcdl_npz_destroy(z);
    return s;
}
