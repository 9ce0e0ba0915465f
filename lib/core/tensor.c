/* mcdl_tensor: creation, views, element access, reshape and strided copy. */
#include "mcdl/tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/alloc.h"
#include "lib/core/error.h"

struct mcdl_tensor {
    int rank;
    int64_t shape[MCDL_MAX_RANK];
    int64_t strides[MCDL_MAX_RANK];
    int64_t numel;
    float *data;
    bool owns;
};

void mcdl_shape_str(char *buf, size_t n, int rank, const int64_t *shape) {
    size_t used = 0;
    if (n == 0) return;
    buf[0] = '\0';
    used += (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < rank && used < n; i++) {
        used +=
            (size_t)snprintf(buf + used, n - used, "%s%lld", i ? ", " : "", (long long)shape[i]);
    }
    if (used < n) snprintf(buf + used, n - used, rank == 1 ? ",)" : ")");
}

static mcdl_status check_shape(int rank, const int64_t *shape, int64_t *numel) {
    if (rank < 0 || rank > MCDL_MAX_RANK)
        return mcdl_error(MCDL_ERR_ARG, "tensor rank %d is outside [0, %d]", rank, MCDL_MAX_RANK);
    if (rank > 0 && !shape)
        return mcdl_error(MCDL_ERR_ARG, "tensor shape is NULL for rank %d", rank);
    /* nz: the product of the non-zero dimensions, which the strides multiply out even
     * when a zero dimension makes the tensor empty (fuzz finding: an empty IDX array of
     * shape (0, 3725131792, 3739147785) overflowed the stride computation). */
    int64_t n = 1, nz = 1;
    for (int i = 0; i < rank; i++) {
        if (shape[i] < 0)
            return mcdl_error(MCDL_ERR_ARG, "tensor dimension %d is negative (%lld)", i,
                              (long long)shape[i]);
        if (!mcdl_mul_ok(n, shape[i], &n) || n > INT64_MAX / (int64_t)sizeof(float) ||
            !mcdl_mul_ok(nz, shape[i] ? shape[i] : 1, &nz) ||
            nz > INT64_MAX / (int64_t)sizeof(float))
            return mcdl_error(MCDL_ERR_NOMEM, "tensor element count overflows at dimension %d", i);
    }
    *numel = n;
    return MCDL_OK;
}

static void set_contiguous_strides(mcdl_tensor *t) {
    int64_t s = 1;
    for (int i = t->rank - 1; i >= 0; i--) {
        t->strides[i] = s;
        s *= t->shape[i] ? t->shape[i] : 1;
    }
}

mcdl_status mcdl_tensor_create(mcdl_tensor **out, int rank, const int64_t *shape) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_tensor_create: out is NULL");
    *out = NULL;
    int64_t numel;
    MCDL_TRY(check_shape(rank, shape, &numel));
    mcdl_tensor *t = calloc(1, sizeof *t);
    if (!t) return mcdl_error(MCDL_ERR_NOMEM, "out of memory for a tensor header");
    t->data = mcdl_alloc((size_t)numel * sizeof(float));
    if (!t->data) {
        free(t);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory for a tensor of %lld floats",
                          (long long)numel);
    }
    t->rank = rank;
    t->numel = numel;
    t->owns = true;
    if (rank) memcpy(t->shape, shape, (size_t)rank * sizeof *shape);
    set_contiguous_strides(t);
    *out = t;
    return MCDL_OK;
}

mcdl_status mcdl_tensor_wrap(mcdl_tensor **out, float *data, int rank, const int64_t *shape,
                             const int64_t *strides) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_tensor_wrap: out is NULL");
    *out = NULL;
    int64_t numel;
    MCDL_TRY(check_shape(rank, shape, &numel));
    if (!data && numel > 0) return mcdl_error(MCDL_ERR_ARG, "mcdl_tensor_wrap: data is NULL");
    mcdl_tensor *t = calloc(1, sizeof *t);
    if (!t) return mcdl_error(MCDL_ERR_NOMEM, "out of memory for a tensor header");
    t->rank = rank;
    t->numel = numel;
    t->data = data;
    if (rank) memcpy(t->shape, shape, (size_t)rank * sizeof *shape);
    if (strides) {
        for (int i = 0; i < rank; i++) {
            if (strides[i] < 0) {
                free(t);
                return mcdl_error(MCDL_ERR_ARG, "mcdl_tensor_wrap: stride %d is negative", i);
            }
        }
        memcpy(t->strides, strides, (size_t)rank * sizeof *strides);
    } else {
        set_contiguous_strides(t);
    }
    *out = t;
    return MCDL_OK;
}

void mcdl_tensor_destroy(mcdl_tensor *t) {
    if (!t) return;
    if (t->owns) mcdl_free(t->data);
    free(t);
}

float *mcdl_tensor_data(const mcdl_tensor *t) { return t ? t->data : NULL; }
int mcdl_tensor_rank(const mcdl_tensor *t) { return t ? t->rank : -1; }
const int64_t *mcdl_tensor_shape(const mcdl_tensor *t) { return t ? t->shape : NULL; }
const int64_t *mcdl_tensor_strides(const mcdl_tensor *t) { return t ? t->strides : NULL; }
int64_t mcdl_tensor_numel(const mcdl_tensor *t) { return t ? t->numel : 0; }

int64_t mcdl_tensor_dim(const mcdl_tensor *t, int axis) {
    if (!t) return -1;
    if (axis < 0) axis += t->rank;
    if (axis < 0 || axis >= t->rank) return -1;
    return t->shape[axis];
}

bool mcdl_tensor_is_contiguous(const mcdl_tensor *t) {
    if (!t) return false;
    int64_t s = 1;
    for (int i = t->rank - 1; i >= 0; i--) {
        if (t->shape[i] != 1 && t->strides[i] != s) return false;
        s *= t->shape[i];
    }
    return true;
}

static mcdl_status offset_of(const mcdl_tensor *t, const int64_t *index, int64_t *off) {
    if (!t || (t->rank && !index)) return mcdl_error(MCDL_ERR_ARG, "tensor or index is NULL");
    int64_t o = 0;
    for (int i = 0; i < t->rank; i++) {
        if (index[i] < 0 || index[i] >= t->shape[i]) {
            char s[128];
            mcdl_shape_str(s, sizeof s, t->rank, t->shape);
            return mcdl_error(MCDL_ERR_ARG, "index %lld on axis %d is out of range for shape %s",
                              (long long)index[i], i, s);
        }
        o += index[i] * t->strides[i];
    }
    *off = o;
    return MCDL_OK;
}

mcdl_status mcdl_tensor_get(const mcdl_tensor *t, const int64_t *index, float *value) {
    int64_t o;
    MCDL_TRY(offset_of(t, index, &o));
    if (!value) return mcdl_error(MCDL_ERR_ARG, "mcdl_tensor_get: value is NULL");
    *value = t->data[o];
    return MCDL_OK;
}

mcdl_status mcdl_tensor_set(mcdl_tensor *t, const int64_t *index, float value) {
    int64_t o;
    MCDL_TRY(offset_of(t, index, &o));
    t->data[o] = value;
    return MCDL_OK;
}

mcdl_status mcdl_tensor_reshape(mcdl_tensor *t, int rank, const int64_t *shape) {
    if (!t) return mcdl_error(MCDL_ERR_ARG, "mcdl_tensor_reshape: tensor is NULL");
    if (!mcdl_tensor_is_contiguous(t))
        return mcdl_error(MCDL_ERR_ARG, "mcdl_tensor_reshape: tensor is not contiguous");
    if (rank < 0 || rank > MCDL_MAX_RANK || (rank && !shape))
        return mcdl_error(MCDL_ERR_ARG, "mcdl_tensor_reshape: rank %d is invalid", rank);
    int64_t s[MCDL_MAX_RANK], known = 1;
    int infer = -1;
    for (int i = 0; i < rank; i++) {
        s[i] = shape[i];
        if (s[i] == -1 && infer < 0) {
            infer = i;
            continue;
        }
        if (s[i] < 0 || !mcdl_mul_ok(known, s[i], &known))
            return mcdl_error(MCDL_ERR_ARG, "mcdl_tensor_reshape: dimension %d (%lld) is invalid",
                              i, (long long)s[i]);
    }
    if (infer >= 0) {
        if (known == 0 || t->numel % known)
            return mcdl_error(MCDL_ERR_SHAPE,
                              "cannot infer dimension %d: %lld elements do not divide by %lld",
                              infer, (long long)t->numel, (long long)known);
        s[infer] = t->numel / known;
        known *= s[infer];
    }
    if (known != t->numel) {
        char a[128], b[128];
        mcdl_shape_str(a, sizeof a, t->rank, t->shape);
        mcdl_shape_str(b, sizeof b, rank, s);
        return mcdl_error(MCDL_ERR_SHAPE, "cannot reshape %s into %s: element counts differ", a, b);
    }
    t->rank = rank;
    if (rank) memcpy(t->shape, s, (size_t)rank * sizeof *s);
    set_contiguous_strides(t);
    return MCDL_OK;
}

mcdl_status mcdl_tensor_copy(mcdl_tensor *dst, const mcdl_tensor *src) {
    if (!dst || !src) return mcdl_error(MCDL_ERR_ARG, "mcdl_tensor_copy: NULL tensor");
    if (dst->rank != src->rank ||
        memcmp(dst->shape, src->shape, (size_t)src->rank * sizeof(int64_t))) {
        char a[128], b[128];
        mcdl_shape_str(a, sizeof a, src->rank, src->shape);
        mcdl_shape_str(b, sizeof b, dst->rank, dst->shape);
        return mcdl_error(MCDL_ERR_SHAPE, "cannot copy a %s tensor into a %s tensor", a, b);
    }
    if (mcdl_tensor_is_contiguous(dst) && mcdl_tensor_is_contiguous(src)) {
        memmove(dst->data, src->data, (size_t)src->numel * sizeof(float));
        return MCDL_OK;
    }
    int64_t idx[MCDL_MAX_RANK] = {0};
    for (int64_t n = 0; n < src->numel; n++) {
        int64_t so = 0, d = 0;
        for (int i = 0; i < src->rank; i++) {
            so += idx[i] * src->strides[i];
            d += idx[i] * dst->strides[i];
        }
        dst->data[d] = src->data[so];
        for (int i = src->rank - 1; i >= 0; i--) {
            if (++idx[i] < src->shape[i]) break;
            idx[i] = 0;
        }
    }
    return MCDL_OK;
}

mcdl_status mcdl_tensor_fill(mcdl_tensor *t, float value) {
    if (!t) return mcdl_error(MCDL_ERR_ARG, "mcdl_tensor_fill: tensor is NULL");
    int64_t idx[MCDL_MAX_RANK] = {0};
    for (int64_t n = 0; n < t->numel; n++) {
        int64_t o = 0;
        for (int i = 0; i < t->rank; i++) o += idx[i] * t->strides[i];
        t->data[o] = value;
        for (int i = t->rank - 1; i >= 0; i--) {
            if (++idx[i] < t->shape[i]) break;
            idx[i] = 0;
        }
    }
    return MCDL_OK;
}
