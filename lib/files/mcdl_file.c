/* The .mcdl model file: one zip holding mcdl.json (format name and version), config.json
 * (Keras JSON), weights/<path>.npy, and for a compiled model compile.json plus
 * optimizer/<slot>/<path>.npy. Loading verifies every entry against the architecture
 * before the model is handed out. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/data/fileio.h"
#include "lib/files/zipio.h"
#include "mcdl/files.h"
#include "mcdl/version.h"

#define MCDL_FILE_FORMAT_VERSION 1

typedef struct {
    mcdl_zip_entry *e;
    int64_t n, cap;
} entry_list;

/* Takes ownership of data (malloc'ed, len bytes). */
static mcdl_status push(entry_list *l, const char *name, void *data, size_t len) {
    if (l->n == l->cap) {
        int64_t cap = l->cap ? l->cap * 2 : 16;
        mcdl_zip_entry *e = realloc(l->e, (size_t)cap * sizeof *e);
        if (!e) {
            free(data);
            return mcdl_error(MCDL_ERR_NOMEM, "out of memory saving a model");
        }
        l->e = e;
        l->cap = cap;
    }
    l->e[l->n].name = strdup(name);
    l->e[l->n].data = data;
    l->e[l->n].len = len;
    l->n++;
    if (!l->e[l->n - 1].name) return mcdl_error(MCDL_ERR_NOMEM, "out of memory saving a model");
    return MCDL_OK;
}

static mcdl_status push_json(entry_list *l, const char *name, cJSON *j) {
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (!text) return mcdl_error(MCDL_ERR_NOMEM, "out of memory saving a model");
    return push(l, name, text, strlen(text));
}

static mcdl_status push_tensor(entry_list *l, const char *name, const mcdl_tensor *t) {
    void *buf;
    size_t n;
    MCDL_TRY(mcdl_npy_save_mem(t, &buf, &n));
    return push(l, name, buf, n);
}

static const char *const k_metric_names[] = {"accuracy", "mse", "mae"};

/* A float as the shortest decimal that reads back to the same float (0.001, not
 * 0.0010000000474974513), so compile.json reads like Keras' own configs. */
static double float_json(float v) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.9g", (double)v);
    for (int p = 1; p < 9; p++) {
        char t[32];
        snprintf(t, sizeof t, "%.*g", p, (double)v);
        if (strtof(t, NULL) == v) return strtod(t, NULL);
    }
    return strtod(buf, NULL);
}

static cJSON *compile_json(const mcdl_model *m, const mcdl_compile_opts *o) {
    cJSON *c = cJSON_CreateObject(), *opt = cJSON_CreateObject(), *mets = cJSON_CreateArray();
    if (!c || !opt || !mets) {
        cJSON_Delete(c), cJSON_Delete(opt), cJSON_Delete(mets);
        return NULL;
    }
    cJSON_AddStringToObject(opt, "name", mcdl_optimizer_name(o->optimizer.kind));
    cJSON_AddNumberToObject(opt, "learning_rate", float_json(o->optimizer.learning_rate));
    cJSON_AddNumberToObject(opt, "beta_1", float_json(o->optimizer.beta_1));
    cJSON_AddNumberToObject(opt, "beta_2", float_json(o->optimizer.beta_2));
    cJSON_AddNumberToObject(opt, "epsilon", float_json(o->optimizer.epsilon));
    cJSON_AddNumberToObject(opt, "rho", float_json(o->optimizer.rho));
    cJSON_AddNumberToObject(opt, "momentum", float_json(o->optimizer.momentum));
    cJSON_AddBoolToObject(opt, "nesterov", o->optimizer.nesterov);
    int64_t it = 0;
    mcdl_model_optimizer_iterations(m, &it);
    cJSON_AddNumberToObject(opt, "iterations", (double)it);
    cJSON_AddItemToObject(c, "optimizer", opt);
    cJSON_AddStringToObject(c, "loss", mcdl_loss_name(o->loss));
    cJSON_AddBoolToObject(c, "from_logits", o->from_logits);
    for (int k = 0; k < 3; k++)
        if (o->metrics & (1u << k))
            cJSON_AddItemToArray(mets, cJSON_CreateString(k_metric_names[k]));
    cJSON_AddItemToObject(c, "metrics", mets);
    return c;
}

/* A saved file must load: the architecture written to config.json is rebuilt here and its
 * weights compared by path and shape, so a layer whose config cannot describe it is an
 * error at save time instead of a file that fails later. */
static mcdl_status check_rebuilds(const mcdl_model *m, const char *cfg) {
    mcdl_model *r = NULL;
    mcdl_status s = mcdl_model_from_json(cfg, strlen(cfg), "config.json", 0, &r);
    char why[800] = "";
    if (s != MCDL_OK) {
        snprintf(why, sizeof why, "%s", mcdl_last_error());
    } else if (mcdl_model_num_weights(r) != mcdl_model_num_weights(m)) {
        snprintf(why, sizeof why, "it rebuilds with %d weights instead of %d",
                 mcdl_model_num_weights(r), mcdl_model_num_weights(m));
    } else {
        for (int i = 0; i < mcdl_model_num_weights(m) && !why[0]; i++) {
            mcdl_weight_info a, b;
            char sa[128], sb[128];
            if (mcdl_model_weight(m, i, &a) != MCDL_OK || mcdl_model_weight(r, i, &b) != MCDL_OK)
                break;
            mcdl_shape_str(sa, sizeof sa, mcdl_tensor_rank(a.value), mcdl_tensor_shape(a.value));
            mcdl_shape_str(sb, sizeof sb, mcdl_tensor_rank(b.value), mcdl_tensor_shape(b.value));
            if (strcmp(a.path, b.path) != 0 || strcmp(sa, sb) != 0)
                snprintf(why, sizeof why, "weight %d rebuilds as '%s' %s instead of '%s' %s", i,
                         b.path, sb, a.path, sa);
        }
    }
    mcdl_model_destroy(r);
    if (!why[0]) return MCDL_OK;
    return mcdl_error(MCDL_ERR_UNSUPPORTED,
                      "model '%s' cannot be saved: its Keras JSON does not rebuild it (%s)",
                      mcdl_model_name(m), why);
}

mcdl_status mcdl_model_save(const mcdl_model *m, const char *path) {
    if (!m || !path) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_save: NULL argument");
    entry_list l = {0};
    cJSON *meta = cJSON_CreateObject();
    if (meta) {
        cJSON_AddStringToObject(meta, "format", "mcdl");
        cJSON_AddNumberToObject(meta, "format_version", MCDL_FILE_FORMAT_VERSION);
        cJSON_AddStringToObject(meta, "mcdl_version", MCDL_VERSION_STRING);
        /* The graph seed keys Dropout's streams: a checkpoint resumed from this file must
         * draw the same masks as the run that wrote it. A string: uint64 does not fit a
         * JSON double exactly. */
        char seed[24];
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)mcdl_model_graph_seed(m));
        cJSON_AddStringToObject(meta, "graph_seed", seed);
    }
    mcdl_status s = push_json(&l, "mcdl.json", meta);
    char *cfg = NULL;
    if (s == MCDL_OK) s = mcdl_model_to_json(m, &cfg);
    if (s == MCDL_OK) s = check_rebuilds(m, cfg);
    if (s == MCDL_OK)
        s = push(&l, "config.json", cfg, strlen(cfg));
    else
        free(cfg);
    char name[1200];
    for (int i = 0; i < mcdl_model_num_weights(m) && s == MCDL_OK; i++) {
        mcdl_weight_info w;
        s = mcdl_model_weight(m, i, &w);
        snprintf(name, sizeof name, "weights/%s.npy", w.path);
        if (s == MCDL_OK) s = push_tensor(&l, name, w.value);
    }
    if (s == MCDL_OK && mcdl_model_is_compiled(m)) {
        mcdl_compile_opts o;
        s = mcdl_model_compile_opts(m, &o);
        if (s == MCDL_OK) s = push_json(&l, "compile.json", compile_json(m, &o));
        int slots = mcdl_model_optimizer_num_slots(m);
        for (int i = 0; i < mcdl_model_num_weights(m) && s == MCDL_OK; i++) {
            mcdl_weight_info w;
            s = mcdl_model_weight(m, i, &w);
            for (int k = 0; k < slots && s == MCDL_OK; k++) {
                mcdl_tensor *view;
                if (mcdl_model_optimizer_slot(m, i, k, &view) != MCDL_OK) break; /* not trained */
                snprintf(name, sizeof name, "optimizer/%s/%s.npy",
                         mcdl_model_optimizer_slot_name(m, k), w.path);
                s = push_tensor(&l, name, view);
            }
        }
        mcdl_clear_error();
    }
    if (s == MCDL_OK) s = mcdl_zip_write(path, l.e, l.n, false);
    mcdl_zip_entries_free(l.e, l.n);
    return s;
}

/* ---- load ---- */

typedef struct {
    const char *path;
    zip_t *z;
    size_t size; /* of the file, for the entries' size plausibility checks */
    int64_t n;
    bool *used;
} archive;

/* Index of the entry, marked as used, or -1. */
static int64_t find_entry(archive *a, const char *name) {
    zip_int64_t i = zip_name_locate(a->z, name, 0);
    if (i < 0 || i >= a->n) return -1;
    a->used[i] = true;
    return i;
}

/* Reads a small text entry whole; e's members are freed by the caller (free_entry). */
static mcdl_status read_text(archive *a, int64_t i, const char *name, mcdl_zip_entry *e) {
    char what[1200];
    snprintf(what, sizeof what, "%s:%s", a->path, name);
    return mcdl_zip_entry_bytes(a->z, (zip_uint64_t)i, what, a->size, e);
}

static void free_entry(mcdl_zip_entry *e) {
    free(e->name);
    free(e->data);
}

/* Streams entry `name` into a tensor, checks it has exactly dst's shape, copies it in. */
static mcdl_status load_into(archive *a, const char *name, mcdl_tensor *dst) {
    char want[128], got[128], what[1400];
    mcdl_shape_str(want, sizeof want, mcdl_tensor_rank(dst), mcdl_tensor_shape(dst));
    int64_t i = find_entry(a, name);
    if (i < 0)
        return mcdl_error(MCDL_ERR_FORMAT, "'%s' lacks entry '%s' (shape %s)", a->path, name, want);
    snprintf(what, sizeof what, "%s:%s", a->path, name);
    mcdl_tensor *t;
    MCDL_TRY(mcdl_zip_entry_tensor(a->z, (zip_uint64_t)i, what, a->size, &t));
    mcdl_shape_str(got, sizeof got, mcdl_tensor_rank(t), mcdl_tensor_shape(t));
    mcdl_status s = strcmp(want, got) != 0
                        ? mcdl_error(MCDL_ERR_FORMAT,
                                     "'%s': entry '%s' has shape %s but the architecture needs %s",
                                     a->path, name, got, want)
                        : mcdl_tensor_copy(dst, t);
    mcdl_tensor_destroy(t);
    return s;
}

static mcdl_status parse_meta(archive *a, uint64_t *seed) {
    int64_t i = find_entry(a, "mcdl.json");
    if (i < 0)
        return mcdl_error(MCDL_ERR_FORMAT, "'%s' is not an mcdl model file (no mcdl.json entry)",
                          a->path);
    mcdl_zip_entry e;
    MCDL_TRY(read_text(a, i, "mcdl.json", &e));
    cJSON *j = cJSON_ParseWithLength((const char *)e.data, e.len);
    free_entry(&e);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "format");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "format_version");
    mcdl_status s = MCDL_OK;
    if (!cJSON_IsString(f) || strcmp(f->valuestring, "mcdl") != 0 || !cJSON_IsNumber(v))
        s = mcdl_error(MCDL_ERR_FORMAT, "'%s': mcdl.json is damaged (no format / format_version)",
                       a->path);
    else if (v->valuedouble > MCDL_FILE_FORMAT_VERSION || v->valuedouble < 1)
        s = mcdl_error(MCDL_ERR_FORMAT,
                       "'%s' has format version %g; this mcdl reads version %d (upgrade mcdl)",
                       a->path, v->valuedouble, MCDL_FILE_FORMAT_VERSION);
    const cJSON *gs = cJSON_GetObjectItemCaseSensitive(j, "graph_seed");
    *seed = cJSON_IsString(gs) ? strtoull(gs->valuestring, NULL, 10) : 0; /* older files: 0 */
    cJSON_Delete(j);
    return s;
}

static mcdl_status parse_compile(archive *a, const mcdl_zip_entry *e, mcdl_compile_opts *o,
                                 int64_t *iterations) {
    memset(o, 0, sizeof *o);
    cJSON *j = cJSON_ParseWithLength((const char *)e->data, e->len);
    const cJSON *opt = cJSON_GetObjectItemCaseSensitive(j, "optimizer");
    const cJSON *oname = cJSON_GetObjectItemCaseSensitive(opt, "name");
    const cJSON *loss = cJSON_GetObjectItemCaseSensitive(j, "loss");
    mcdl_status s = MCDL_OK;
    if (!cJSON_IsString(oname) || !cJSON_IsString(loss)) {
        s = mcdl_error(MCDL_ERR_FORMAT, "'%s': compile.json is damaged (no optimizer name or loss)",
                       a->path);
    } else {
        s = mcdl_optimizer_from_name(oname->valuestring, &o->optimizer.kind);
        if (s == MCDL_OK) s = mcdl_loss_from_name(loss->valuestring, &o->loss);
    }
    if (s == MCDL_OK) {
        struct {
            const char *k;
            float *dst;
        } nums[] = {{"learning_rate", &o->optimizer.learning_rate},
                    {"beta_1", &o->optimizer.beta_1},
                    {"beta_2", &o->optimizer.beta_2},
                    {"epsilon", &o->optimizer.epsilon},
                    {"rho", &o->optimizer.rho},
                    {"momentum", &o->optimizer.momentum}};
        for (size_t k = 0; k < sizeof nums / sizeof *nums; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(opt, nums[k].k);
            /* A stored 0 is a real 0 (the settings were saved resolved). */
            if (cJSON_IsNumber(v))
                *nums[k].dst = v->valuedouble == 0 ? MCDL_ZERO : (float)v->valuedouble;
        }
        o->optimizer.nesterov = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(opt, "nesterov"));
        o->from_logits = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "from_logits"));
        const cJSON *mets = cJSON_GetObjectItemCaseSensitive(j, "metrics"), *mt;
        cJSON_ArrayForEach(mt, mets) {
            for (int k = 0; k < 3; k++)
                if (cJSON_IsString(mt) && !strcmp(mt->valuestring, k_metric_names[k]))
                    o->metrics |= 1u << k;
        }
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(opt, "iterations");
        /* 9e18 bounds the conversion: a larger double does not fit int64_t (undefined). */
        *iterations = cJSON_IsNumber(it) && it->valuedouble >= 0 && it->valuedouble < 9e18
                          ? (int64_t)it->valuedouble
                          : 0;
    } else if (s != MCDL_ERR_FORMAT) {
        char inner[600];
        snprintf(inner, sizeof inner, "%s", mcdl_last_error());
        s = mcdl_error(MCDL_ERR_FORMAT, "'%s': compile.json: %s", a->path, inner);
    }
    cJSON_Delete(j);
    return s;
}

static mcdl_status restore(archive *a, mcdl_model **out) {
    uint64_t seed = 0;
    MCDL_TRY(parse_meta(a, &seed));
    int64_t ci = find_entry(a, "config.json");
    if (ci < 0) return mcdl_error(MCDL_ERR_FORMAT, "'%s' lacks entry 'config.json'", a->path);
    mcdl_zip_entry cfg;
    MCDL_TRY(read_text(a, ci, "config.json", &cfg));
    char what[1100];
    snprintf(what, sizeof what, "%s:config.json", a->path);
    mcdl_model *m;
    mcdl_status s = mcdl_model_from_json((const char *)cfg.data, cfg.len, what, seed, &m);
    free_entry(&cfg);
    if (s != MCDL_OK) return s;
    char name[1200];
    for (int i = 0; i < mcdl_model_num_weights(m) && s == MCDL_OK; i++) {
        mcdl_weight_info w;
        s = mcdl_model_weight(m, i, &w);
        snprintf(name, sizeof name, "weights/%s.npy", w.path);
        if (s == MCDL_OK) s = load_into(a, name, w.value);
    }
    int64_t cc = s == MCDL_OK ? find_entry(a, "compile.json") : -1;
    if (cc >= 0) {
        mcdl_compile_opts o;
        int64_t iterations = 0;
        mcdl_zip_entry ce;
        s = read_text(a, cc, "compile.json", &ce);
        if (s == MCDL_OK) {
            s = parse_compile(a, &ce, &o, &iterations);
            free_entry(&ce);
        }
        if (s == MCDL_OK) s = mcdl_model_compile(m, &o);
        if (s == MCDL_OK) s = mcdl_model_set_optimizer_iterations(m, iterations);
        int slots = mcdl_model_optimizer_num_slots(m);
        for (int i = 0; i < mcdl_model_num_weights(m) && s == MCDL_OK; i++) {
            mcdl_weight_info w;
            s = mcdl_model_weight(m, i, &w);
            for (int k = 0; k < slots && s == MCDL_OK; k++) {
                mcdl_tensor *view;
                if (mcdl_model_optimizer_slot(m, i, k, &view) != MCDL_OK) break;
                snprintf(name, sizeof name, "optimizer/%s/%s.npy",
                         mcdl_model_optimizer_slot_name(m, k), w.path);
                s = load_into(a, name, view);
            }
        }
    }
    for (int64_t i = 0; i < a->n && s == MCDL_OK; i++) {
        const char *name = zip_get_name(a->z, (zip_uint64_t)i, 0);
        bool ours = name && (!strncmp(name, "weights/", 8) || !strncmp(name, "optimizer/", 10));
        if (ours && !a->used[i])
            s = mcdl_error(MCDL_ERR_FORMAT, "'%s': entry '%s' belongs to no weight of the model",
                           a->path, name);
    }
    if (s != MCDL_OK) {
        mcdl_model_destroy(m);
        return s;
    }
    mcdl_model_weights_changed(m);
    *out = m;
    return MCDL_OK;
}

mcdl_status mcdl_model_load(const char *path, mcdl_model **out) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_load: out is NULL");
    *out = NULL;
    archive a = {path, NULL, 0, 0, NULL};
    MCDL_TRY(mcdl_zip_open_path(path, &a.z, &a.size));
    zip_int64_t n = zip_get_num_entries(a.z, 0);
    a.n = n > 0 ? n : 0;
    a.used = calloc((size_t)(a.n > 0 ? a.n : 1), sizeof *a.used);
    mcdl_status s =
        a.used ? restore(&a, out) : mcdl_error(MCDL_ERR_NOMEM, "out of memory loading '%s'", path);
    free(a.used);
    zip_discard(a.z);
    return s;
}

mcdl_status mcdl_model_open(const char *path, uint64_t seed, mcdl_model **out) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_open: out is NULL");
    *out = NULL;
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) return mcdl_model_load_json(path, seed, out); /* reports the open error */
    unsigned char magic[2] = {0, 0};
    size_t got = fread(magic, 1, 2, f);
    fclose(f);
    if (got == 2 && magic[0] == 'P' && magic[1] == 'K') return mcdl_model_load(path, out);
    return mcdl_model_load_json(path, seed, out);
}
