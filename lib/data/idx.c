/* IDX reader (the format of the MNIST distribution files): magic 0 0 type rank, rank
 * big-endian u32 dimensions, then big-endian data. Sizes are checked before any use. */
#include <stdlib.h>
#include <string.h>

#include "lib/core/alloc.h"
#include "lib/core/error.h"
#include "lib/data/fileio.h"
#include "mcdl/data.h"

static uint64_t be(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

static float idx_value(const unsigned char *p, int type) {
    switch (type) {
    case 0x08:
        return (float)p[0];
    case 0x09:
        return (float)(int8_t)p[0];
    case 0x0B:
        return (float)(int16_t)(uint16_t)be(p, 2);
    case 0x0C:
        return (float)(int32_t)(uint32_t)be(p, 4);
    case 0x0D: {
        uint32_t u = (uint32_t)be(p, 4);
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    default: {
        uint64_t u = be(p, 8);
        double d;
        memcpy(&d, &u, 8);
        return (float)d;
    }
    }
}

static mcdl_status idx_parse(const unsigned char *b, size_t n, const char *path,
                             mcdl_tensor **out) {
    if (n < 4 || b[0] != 0 || b[1] != 0)
        return mcdl_error(MCDL_ERR_FORMAT, "'%s' is not an IDX file (bad magic)", path);
    int type = b[2], rank = b[3], size;
    switch (type) {
    case 0x08:
    case 0x09:
        size = 1;
        break;
    case 0x0B:
        size = 2;
        break;
    case 0x0C:
    case 0x0D:
        size = 4;
        break;
    case 0x0E:
        size = 8;
        break;
    default:
        return mcdl_error(MCDL_ERR_FORMAT, "'%s': unknown IDX data type 0x%02x", path, type);
    }
    if (rank < 1 || rank > MCDL_MAX_RANK)
        return mcdl_error(MCDL_ERR_FORMAT, "'%s': IDX rank %d is outside [1, %d]", path, rank,
                          MCDL_MAX_RANK);
    if (n < 4 + 4 * (size_t)rank)
        return mcdl_error(MCDL_ERR_FORMAT, "'%s' is truncated inside the IDX dimensions", path);
    int64_t shape[MCDL_MAX_RANK], numel = 1, bytes;
    for (int d = 0; d < rank; d++) {
        shape[d] = (int64_t)be(b + 4 + 4 * d, 4);
        if (!mcdl_mul_ok(numel, shape[d], &numel))
            return mcdl_error(MCDL_ERR_FORMAT, "'%s': the IDX element count overflows", path);
    }
    if (!mcdl_mul_ok(numel, size, &bytes))
        return mcdl_error(MCDL_ERR_FORMAT, "'%s': the IDX byte count overflows", path);
    size_t have = n - 4 - 4 * (size_t)rank;
    char sh[128];
    mcdl_shape_str(sh, sizeof sh, rank, shape);
    if ((uint64_t)bytes != (uint64_t)have)
        return mcdl_error(MCDL_ERR_FORMAT, "'%s': shape %s needs %lld data bytes but %zu are %s",
                          path, sh, (long long)bytes, have,
                          (uint64_t)bytes > (uint64_t)have ? "present (truncated)" : "present");
    mcdl_tensor *t;
    MCDL_TRY(mcdl_tensor_create(&t, rank, shape));
    float *dst = mcdl_tensor_data(t);
    const unsigned char *src = b + 4 + 4 * rank;
    for (int64_t i = 0; i < numel; i++) dst[i] = idx_value(src + i * size, type);
    *out = t;
    return MCDL_OK;
}

mcdl_status mcdl_idx_load(const char *path, mcdl_tensor **out) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_idx_load: out is NULL");
    *out = NULL;
    void *buf;
    size_t n;
    MCDL_TRY(mcdl_file_read_all(path, &buf, &n));
    mcdl_status s = idx_parse(buf, n, path, out);
    free(buf);
    return s;
}
