/* NumPy .npy reader and writer (format versions 1.0/2.0/3.0), the container every array
 * and weight file of mcdl goes through. Every byte count read from a file is checked
 * against the bytes actually present, with overflow-checked products, before it is used. */
#include "mcdl/npy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/core/alloc.h"
#include "lib/core/error.h"
#include "lib/data/fileio.h"
#include "lib/data/npy_stream.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAX_HEADER_RANK 32
/* Integers up to 2^24 in magnitude are exact in float32. */
#define NPY_EXACT_INT_LIMIT 16777216

typedef struct {
    char kind; /* 'f', 'i', 'u', 'b' */
    int size;  /* bytes per element */
    bool big;  /* big-endian data */
} npy_dtype;

typedef struct {
    npy_dtype dt;
    bool fortran;
    int rank;
    int64_t shape[NPY_MAX_HEADER_RANK];
} npy_header;

static bool host_is_little(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* ---- header dictionary: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" ---- */

typedef struct {
    const char *p, *end;
    const char *what;
} hparse;

static void skip_ws(hparse *h) {
    while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r'))
        h->p++;
}

static mcdl_status hbad(const hparse *h, const char *why) {
    return mcdl_error(MCDL_ERR_FORMAT, "'%s' is not a valid .npy file: header %s", h->what, why);
}

static bool accept(hparse *h, char c) {
    skip_ws(h);
    if (h->p < h->end && *h->p == c) {
        h->p++;
        return true;
    }
    return false;
}

/* A Python string literal in single or double quotes, without escapes (numpy never writes
 * any in the keys and dtype strings this reader accepts). */
static mcdl_status parse_str(hparse *h, char *out, size_t cap) {
    skip_ws(h);
    if (h->p >= h->end || (*h->p != '\'' && *h->p != '"')) return hbad(h, "expects a string");
    char q = *h->p++;
    size_t n = 0;
    while (h->p < h->end && *h->p != q) {
        if (*h->p == '\\' || n + 1 >= cap) return hbad(h, "has an unexpected string");
        out[n++] = *h->p++;
    }
    if (h->p >= h->end) return hbad(h, "has an unterminated string");
    h->p++;
    out[n] = 0;
    return MCDL_OK;
}

static mcdl_status parse_descr(hparse *h, npy_dtype *dt) {
    skip_ws(h);
    if (h->p < h->end && *h->p == '[')
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "'%s': structured (record) arrays are not supported; save a plain "
                          "numeric array",
                          h->what);
    char s[32];
    MCDL_TRY(parse_str(h, s, sizeof s));
    const char *c = s;
    bool big = false;
    if (*c == '<' || *c == '|' || *c == '=') {
        c++;
    } else if (*c == '>') {
        big = true;
        c++;
    }
    char kind = *c ? *c++ : 0;
    char *endp;
    long size = strtol(c, &endp, 10);
    if (kind == 'O')
        return mcdl_error(MCDL_ERR_FORMAT,
                          "'%s': object arrays are not supported (dtype '%s'); save a numeric "
                          "array",
                          h->what, s);
    if (*endp || endp == c)
        return mcdl_error(MCDL_ERR_FORMAT, "'%s': unreadable dtype '%s' in the .npy header",
                          h->what, s);
    bool ok =
        (kind == 'f' && (size == 2 || size == 4 || size == 8)) ||
        ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
        (kind == 'b' && size == 1);
    if (!ok)
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "'%s': dtype '%s' is not supported (float16/32/64, int8..64, "
                          "uint8..64 and bool are)",
                          h->what, s);
    dt->kind = kind;
    dt->size = (int)size;
    dt->big = big && size > 1;
    return MCDL_OK;
}

static mcdl_status parse_bool(hparse *h, bool *v) {
    skip_ws(h);
    size_t left = (size_t)(h->end - h->p);
    if (left >= 4 && !memcmp(h->p, "True", 4)) {
        h->p += 4;
        *v = true;
        return MCDL_OK;
    }
    if (left >= 5 && !memcmp(h->p, "False", 5)) {
        h->p += 5;
        *v = false;
        return MCDL_OK;
    }
    return hbad(h, "expects True or False for fortran_order");
}

static mcdl_status parse_shape(hparse *h, npy_header *hd) {
    if (!accept(h, '(')) return hbad(h, "expects a tuple for shape");
    hd->rank = 0;
    for (;;) {
        if (accept(h, ')')) break;
        skip_ws(h);
        if (h->p >= h->end || *h->p < '0' || *h->p > '9')
            return hbad(h, "has a shape entry that is not a non-negative integer");
        int64_t v = 0;
        while (h->p < h->end && *h->p >= '0' && *h->p <= '9') {
            if (!mcdl_mul_ok(v, 10, &v) || !mcdl_add_ok(v, *h->p - '0', &v))
                return hbad(h, "has a shape entry that overflows 64 bits");
            h->p++;
        }
        if (h->p < h->end && (*h->p == 'L' || *h->p == 'l')) h->p++; /* Python 2 longs */
        if (hd->rank == NPY_MAX_HEADER_RANK) return hbad(h, "has too many dimensions");
        hd->shape[hd->rank++] = v;
        if (accept(h, ')')) break;
        if (!accept(h, ',')) return hbad(h, "has a malformed shape tuple");
    }
    return MCDL_OK;
}

static mcdl_status parse_header(const char *text, size_t len, const char *what, npy_header *hd) {
    hparse h = {text, text + len, what};
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    if (!accept(&h, '{')) return hbad(&h, "does not start with '{'");
    for (;;) {
        if (accept(&h, '}')) break;
        char key[32];
        MCDL_TRY(parse_str(&h, key, sizeof key));
        if (!accept(&h, ':')) return hbad(&h, "misses ':' after a key");
        if (!strcmp(key, "descr")) {
            MCDL_TRY(parse_descr(&h, &hd->dt));
            seen_descr = true;
        } else if (!strcmp(key, "fortran_order")) {
            MCDL_TRY(parse_bool(&h, &hd->fortran));
            seen_fortran = true;
        } else if (!strcmp(key, "shape")) {
            MCDL_TRY(parse_shape(&h, hd));
            seen_shape = true;
        } else {
            return mcdl_error(MCDL_ERR_FORMAT,
                              "'%s' is not a valid .npy file: unknown header key '%s'", what, key);
        }
        if (accept(&h, '}')) break;
        if (!accept(&h, ',')) return hbad(&h, "misses ',' between entries");
    }
    if (!seen_descr || !seen_fortran || !seen_shape)
        return hbad(&h, "lacks one of 'descr', 'fortran_order', 'shape'");
    if (hd->fortran)
        return mcdl_error(MCDL_ERR_FORMAT,
                          "'%s': Fortran-ordered arrays are not supported; save with "
                          "np.ascontiguousarray(a)",
                          what);
    return MCDL_OK;
}

/* ---- element conversion ---- */

static void index_str(char *buf, size_t n, int64_t flat, int rank, const int64_t *shape) {
    int64_t idx[NPY_MAX_HEADER_RANK];
    for (int d = rank - 1; d >= 0; d--) {
        idx[d] = shape[d] ? flat % shape[d] : 0;
        flat = shape[d] ? flat / shape[d] : 0;
    }
    mcdl_shape_str(buf, n, rank, idx);
}

static void load_bytes(unsigned char *dst, const unsigned char *src, int size, bool swap) {
    if (!swap) {
        memcpy(dst, src, (size_t)size);
    } else {
        for (int i = 0; i < size; i++) dst[i] = src[size - 1 - i];
    }
}

static float half_to_float(uint16_t h) {
    int sign = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    float v;
    if (e == 0)
        v = ldexpf((float)m, -24);
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexpf((float)(m | 1024), e - 25);
    return sign ? -v : v;
}

static mcdl_status convert(const unsigned char *src, float *dst, int64_t n, const npy_header *hd,
                           const char *what) {
    const npy_dtype dt = hd->dt;
    bool swap = dt.big == host_is_little();
    if (dt.size == 1) swap = false;
    if (dt.kind == 'f' && dt.size == 4 && !swap) {
        memcpy(dst, src, (size_t)n * 4);
        return MCDL_OK;
    }
    unsigned char tmp[8];
    for (int64_t i = 0; i < n; i++) {
        load_bytes(tmp, src + i * dt.size, dt.size, swap);
        if (dt.kind == 'f') {
            if (dt.size == 4) {
                memcpy(&dst[i], tmp, 4);
            } else if (dt.size == 8) {
                double d;
                memcpy(&d, tmp, 8);
                dst[i] = (float)d;
            } else {
                uint16_t h;
                memcpy(&h, tmp, 2);
                dst[i] = half_to_float(h);
            }
            continue;
        }
        if (dt.kind == 'b') {
            dst[i] = tmp[0] ? 1.0f : 0.0f;
            continue;
        }
        bool too_big;
        double v;
        if (dt.kind == 'i') {
            int64_t x;
            if (dt.size == 1) {
                int8_t t;
                memcpy(&t, tmp, 1);
                x = t;
            } else if (dt.size == 2) {
                int16_t t;
                memcpy(&t, tmp, 2);
                x = t;
            } else if (dt.size == 4) {
                int32_t t;
                memcpy(&t, tmp, 4);
                x = t;
            } else
                memcpy(&x, tmp, 8);
            too_big = x > NPY_EXACT_INT_LIMIT || x < -NPY_EXACT_INT_LIMIT;
            v = (double)x;
        } else {
            uint64_t x;
            if (dt.size == 1)
                x = tmp[0];
            else if (dt.size == 2) {
                uint16_t t;
                memcpy(&t, tmp, 2);
                x = t;
            } else if (dt.size == 4) {
                uint32_t t;
                memcpy(&t, tmp, 4);
                x = t;
            } else
                memcpy(&x, tmp, 8);
            too_big = x > NPY_EXACT_INT_LIMIT;
            v = (double)x;
        }
        if (too_big) {
            char idx[128];
            index_str(idx, sizeof idx, i, hd->rank, hd->shape);
            return mcdl_error(MCDL_ERR_FORMAT,
                              "'%s': integer %.0f at index %s exceeds 2^24 in magnitude and "
                              "cannot be held exactly as float32",
                              what, v, idx);
        }
        dst[i] = (float)v;
    }
    return MCDL_OK;
}

/* ---- public: load ---- */

/* Magic, version and header length. avail bytes of b are present (at least min(total, 12));
 * total is the whole file's size, used for the truncation checks. */
static mcdl_status npy_preamble(const unsigned char *b, size_t avail, size_t total,
                                const char *what, size_t *off, size_t *hlen) {
    if (total < 10 || avail < 10 || memcmp(b, NPY_MAGIC, 6) != 0)
        return mcdl_error(MCDL_ERR_FORMAT, "'%s' is not an .npy file (%s)", what,
                          total < 6 ? "shorter than the 6-byte magic"
                                    : "bad magic, expected \\x93NUMPY");
    int major = b[6], minor = b[7];
    if (major == 1) {
        *hlen = (size_t)b[8] | (size_t)b[9] << 8;
        *off = 10;
    } else if (major == 2 || major == 3) {
        if (total < 12 || avail < 12)
            return mcdl_error(MCDL_ERR_FORMAT, "'%s' is truncated inside the .npy preamble", what);
        *hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        *off = 12;
    } else {
        return mcdl_error(MCDL_ERR_FORMAT,
                          "'%s': .npy format version %d.%d is not supported "
                          "(1.0, 2.0 and 3.0 are)",
                          what, major, minor);
    }
    if (minor != 0)
        return mcdl_error(MCDL_ERR_FORMAT, "'%s': .npy format version %d.%d is not supported", what,
                          major, minor);
    if (*hlen > total - *off)
        return mcdl_error(MCDL_ERR_FORMAT,
                          "'%s' is truncated: the .npy header says %zu bytes but only %zu follow",
                          what, *hlen, total - *off);
    return MCDL_OK;
}

/* Parses the header dict and checks its shape against the `have` data bytes present. */
static mcdl_status npy_describe(const char *hdr, size_t hlen, size_t have, const char *what,
                                npy_header *hd, int64_t *numel) {
    memset(hd, 0, sizeof *hd);
    MCDL_TRY(parse_header(hdr, hlen, what, hd));
    if (hd->rank > MCDL_MAX_RANK)
        return mcdl_error(MCDL_ERR_UNSUPPORTED, "'%s': rank %d exceeds mcdl's maximum of %d", what,
                          hd->rank, MCDL_MAX_RANK);
    int64_t count = 1, bytes;
    for (int d = 0; d < hd->rank; d++)
        if (!mcdl_mul_ok(count, hd->shape[d], &count))
            return mcdl_error(MCDL_ERR_FORMAT, "'%s': the shape's element count overflows", what);
    if (!mcdl_mul_ok(count, hd->dt.size, &bytes))
        return mcdl_error(MCDL_ERR_FORMAT, "'%s': the shape's byte count overflows", what);
    char sh[160];
    mcdl_shape_str(sh, sizeof sh, hd->rank, hd->shape);
    if ((uint64_t)bytes > (uint64_t)have)
        return mcdl_error(
            MCDL_ERR_FORMAT,
            "'%s' is truncated: shape %s needs %lld data bytes but only %zu are present", what, sh,
            (long long)bytes, have);
    if ((uint64_t)bytes < (uint64_t)have)
        return mcdl_error(MCDL_ERR_FORMAT,
                          "'%s': shape %s needs %lld data bytes but %zu are present (size does "
                          "not match the header)",
                          what, sh, (long long)bytes, have);
    *numel = count;
    return MCDL_OK;
}

static bool is_native_f32(const npy_header *hd) {
    return hd->dt.kind == 'f' && hd->dt.size == 4 && hd->dt.big != host_is_little();
}

mcdl_status mcdl_npy_load_mem(const void *buf, size_t n, const char *what, mcdl_tensor **out) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_npy_load_mem: out is NULL");
    *out = NULL;
    if (!what) what = "(memory)";
    if (!buf && n) return mcdl_error(MCDL_ERR_ARG, "mcdl_npy_load_mem: buffer is NULL");
    const unsigned char *b = buf;
    size_t off = 0, hlen = 0;
    MCDL_TRY(npy_preamble(b, n, n, what, &off, &hlen));
    npy_header hd;
    int64_t numel;
    MCDL_TRY(npy_describe((const char *)b + off, hlen, n - off - hlen, what, &hd, &numel));
    mcdl_tensor *t;
    MCDL_TRY(mcdl_tensor_create(&t, hd.rank, hd.shape));
    mcdl_status s = convert(b + off + hlen, mcdl_tensor_data(t), numel, &hd, what);
    if (s != MCDL_OK) {
        mcdl_tensor_destroy(t);
        return s;
    }
    *out = t;
    return MCDL_OK;
}

static mcdl_status file_read(void *ctx, void *dst, size_t n, const char *path) {
    if (n && fread(dst, 1, n, (FILE *)ctx) != n)
        return mcdl_error(MCDL_ERR_IO, "reading '%s' failed (the file changed or is unreadable)",
                          path);
    return MCDL_OK;
}

/* Streams an .npy image: preamble and header first, then the data straight into the tensor
 * (a native float32 array is read in place, with no intermediate copy of the whole image). */
mcdl_status mcdl_npy_load_stream(mcdl_npy_read_fn rd, void *ctx, size_t total, const char *path,
                                 mcdl_tensor **out) {
    *out = NULL;
    unsigned char pre[12];
    size_t avail = total < sizeof pre ? total : sizeof pre;
    MCDL_TRY(rd(ctx, pre, avail, path));
    size_t off = 0, hlen = 0;
    MCDL_TRY(npy_preamble(pre, avail, total, path, &off, &hlen));
    char *hdr = malloc(hlen + 1);
    if (!hdr) return mcdl_error(MCDL_ERR_NOMEM, "out of memory reading '%s'", path);
    /* The preamble may have read a little of the header already. */
    size_t have_hdr = avail - off < hlen ? avail - off : hlen;
    memcpy(hdr, pre + off, have_hdr);
    mcdl_status s = rd(ctx, hdr + have_hdr, hlen - have_hdr, path);
    npy_header hd;
    int64_t numel = 0;
    if (s == MCDL_OK) s = npy_describe(hdr, hlen, total - off - hlen, path, &hd, &numel);
    free(hdr);
    if (s != MCDL_OK) return s;
    /* Data bytes already taken into pre[] (only for a header shorter than 2 bytes). */
    size_t pre_data = avail - off > hlen ? avail - off - hlen : 0;
    size_t bytes = (size_t)numel * (size_t)hd.dt.size;
    mcdl_tensor *t;
    MCDL_TRY(mcdl_tensor_create(&t, hd.rank, hd.shape));
    if (is_native_f32(&hd)) {
        unsigned char *dst = (unsigned char *)mcdl_tensor_data(t);
        memcpy(dst, pre + off + hlen, pre_data);
        s = rd(ctx, dst + pre_data, bytes - pre_data, path);
    } else {
        unsigned char *raw = malloc(bytes ? bytes : 1);
        if (!raw) {
            s = mcdl_error(MCDL_ERR_NOMEM, "out of memory reading '%s' (%zu bytes)", path, bytes);
        } else {
            memcpy(raw, pre + off + hlen, pre_data);
            s = rd(ctx, raw + pre_data, bytes - pre_data, path);
            if (s == MCDL_OK) s = convert(raw, mcdl_tensor_data(t), numel, &hd, path);
            free(raw);
        }
    }
    if (s != MCDL_OK) {
        mcdl_tensor_destroy(t);
        return s;
    }
    *out = t;
    return MCDL_OK;
}

mcdl_status mcdl_npy_load(const char *path, mcdl_tensor **out) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_npy_load: out is NULL");
    *out = NULL;
    if (!path) return mcdl_error(MCDL_ERR_ARG, "mcdl_npy_load: path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f) return mcdl_error(MCDL_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    mcdl_status s;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        s = mcdl_error(MCDL_ERR_IO, "'%s' is not a regular file", path);
    else
        s = mcdl_npy_load_stream(file_read, f, (size_t)st.st_size, path, out);
    fclose(f);
    return s;
}

/* ---- public: save ---- */

mcdl_status mcdl_npy_save_mem(const mcdl_tensor *t, void **buf, size_t *n) {
    if (!t || !buf || !n) return mcdl_error(MCDL_ERR_ARG, "mcdl_npy_save_mem: NULL argument");
    *buf = NULL;
    *n = 0;
    int rank = mcdl_tensor_rank(t);
    const int64_t *shape = mcdl_tensor_shape(t);
    char dict[512];
    int len = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int d = 0; d < rank; d++)
        len += snprintf(dict + len, sizeof dict - (size_t)len, "%s%lld", d ? ", " : "",
                        (long long)shape[d]);
    len += snprintf(dict + len, sizeof dict - (size_t)len, "%s), }", rank == 1 ? "," : "");
    /* Pad with spaces so the data starts on a 64-byte boundary, then '\n', as numpy does. */
    size_t total_hdr = 10 + (size_t)len + 1;
    size_t pad = (64 - total_hdr % 64) % 64;
    size_t hlen = (size_t)len + pad + 1;
    int64_t numel = mcdl_tensor_numel(t);
    size_t bytes = (size_t)numel * 4;
    unsigned char *p = malloc(10 + hlen + bytes);
    if (!p)
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory serialising a tensor of %lld floats",
                          (long long)numel);
    memcpy(p, NPY_MAGIC, 6);
    p[6] = 1;
    p[7] = 0;
    p[8] = (unsigned char)(hlen & 0xff);
    p[9] = (unsigned char)(hlen >> 8);
    memcpy(p + 10, dict, (size_t)len);
    memset(p + 10 + len, ' ', pad);
    p[10 + hlen - 1] = '\n';
    float *dst = (float *)(void *)(p + 10 + hlen);
    if (mcdl_tensor_is_contiguous(t)) {
        memcpy(dst, mcdl_tensor_data(t), bytes);
    } else {
        mcdl_tensor *view;
        mcdl_status s = mcdl_tensor_wrap(&view, dst, rank, shape, NULL);
        if (s == MCDL_OK) s = mcdl_tensor_copy(view, t);
        mcdl_tensor_destroy(view);
        if (s != MCDL_OK) {
            free(p);
            return s;
        }
    }
    if (!host_is_little()) {
        unsigned char *d = p + 10 + hlen;
        for (size_t i = 0; i < bytes; i += 4) {
            unsigned char a = d[i], c = d[i + 1];
            d[i] = d[i + 3], d[i + 1] = d[i + 2], d[i + 2] = c, d[i + 3] = a;
        }
    }
    *buf = p;
    *n = 10 + hlen + bytes;
    return MCDL_OK;
}

mcdl_status mcdl_npy_save(const char *path, const mcdl_tensor *t) {
    void *buf;
    size_t n;
    MCDL_TRY(mcdl_npy_save_mem(t, &buf, &n));
    mcdl_status s = mcdl_file_write_atomic(path, buf, n);
    free(buf);
    return s;
}
