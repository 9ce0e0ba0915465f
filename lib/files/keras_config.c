/* Keras layer configs between cJSON and the core's flat mcdl_config: the one place that
 * decides which JSON values a layer can see, so unknown keys are ignored uniformly. */
#include "lib/files/keras_config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void *mcdl_cfg_arena_alloc(mcdl_cfg_arena *a, size_t bytes) {
    if (a->n == a->cap) {
        int cap = a->cap ? a->cap * 2 : 64;
        void **b = realloc(a->blocks, (size_t)cap * sizeof *b);
        if (!b) return NULL;
        a->blocks = b;
        a->cap = cap;
    }
    void *p = calloc(1, bytes ? bytes : 1);
    if (p) a->blocks[a->n++] = p;
    return p;
}

void mcdl_cfg_arena_free(mcdl_cfg_arena *a) {
    for (int i = 0; i < a->n; i++) free(a->blocks[i]);
    free(a->blocks);
    a->blocks = NULL;
    a->n = a->cap = 0;
}

static bool is_nested_layer_key(const char *k) {
    return !strcmp(k, "layer") || !strcmp(k, "backward_layer") || !strcmp(k, "forward_layer") ||
           !strcmp(k, "cell");
}

/* Fills one item from one JSON value; false when the value is of a kind no layer reads. */
static bool convert_value(mcdl_cfg_arena *a, const cJSON *v, mcdl_cfg_item *it, bool *oom) {
    if (cJSON_IsNull(v)) {
        it->type = MCDL_CFG_NULL;
    } else if (cJSON_IsBool(v)) {
        it->type = MCDL_CFG_BOOL;
        it->b = cJSON_IsTrue(v);
    } else if (cJSON_IsNumber(v)) {
        it->type = MCDL_CFG_NUMBER;
        it->num = v->valuedouble;
    } else if (cJSON_IsString(v)) {
        it->type = MCDL_CFG_STRING;
        it->str = v->valuestring;
    } else if (cJSON_IsArray(v)) {
        int n = cJSON_GetArraySize(v);
        const cJSON *e;
        cJSON_ArrayForEach(e, v) if (!cJSON_IsNumber(e) && !cJSON_IsNull(e)) return false;
        double *nums = mcdl_cfg_arena_alloc(a, (size_t)n * sizeof *nums);
        if (!nums) return *oom = true, false;
        int i = 0;
        cJSON_ArrayForEach(e, v) nums[i++] = cJSON_IsNumber(e) ? e->valuedouble : NAN;
        it->type = MCDL_CFG_NUMBERS;
        it->n = n;
        it->nums = nums;
    } else if (cJSON_IsObject(v)) {
        const cJSON *cls = cJSON_GetObjectItemCaseSensitive(v, "class_name");
        if (!cJSON_IsString(cls)) return false;
        const cJSON *sub = cJSON_GetObjectItemCaseSensitive(v, "config");
        if (is_nested_layer_key(it->key) && cJSON_IsObject(sub)) {
            it->type = MCDL_CFG_LAYER;
            it->class_name = cls->valuestring;
            it->config = mcdl_cfg_from_json(a, sub, NULL);
            if (!it->config) return *oom = true, false;
        } else {
            it->type = MCDL_CFG_STRING;
            it->str = cls->valuestring;
        }
    } else {
        return false;
    }
    return true;
}

mcdl_config *mcdl_cfg_from_json(mcdl_cfg_arena *a, const cJSON *obj, const char *name) {
    int n = cJSON_GetArraySize(obj);
    mcdl_config *c = mcdl_cfg_arena_alloc(a, sizeof *c);
    mcdl_cfg_item *items = mcdl_cfg_arena_alloc(a, (size_t)(n + 1) * sizeof *items);
    if (!c || !items) return NULL;
    int k = 0;
    bool oom = false, named = false;
    const cJSON *v;
    cJSON_ArrayForEach(v, obj) {
        if (!v->string) continue;
        mcdl_cfg_item *it = &items[k];
        memset(it, 0, sizeof *it);
        it->key = v->string;
        if (name && !strcmp(v->string, "name")) {
            it->type = MCDL_CFG_STRING;
            it->str = name;
            named = true;
            k++;
            continue;
        }
        if (convert_value(a, v, it, &oom)) k++;
        if (oom) return NULL;
    }
    if (name && !named) {
        memset(&items[k], 0, sizeof items[k]);
        items[k].key = "name";
        items[k].type = MCDL_CFG_STRING;
        items[k].str = name;
        k++;
    }
    c->n = k;
    c->items = items;
    return c;
}

cJSON *mcdl_cfg_to_json(const mcdl_config *c) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    for (int i = 0; c && i < c->n; i++) {
        const mcdl_cfg_item *it = &c->items[i];
        cJSON *v = NULL;
        switch (it->type) {
        case MCDL_CFG_NULL:
            v = cJSON_CreateNull();
            break;
        case MCDL_CFG_BOOL:
            v = cJSON_CreateBool(it->b);
            break;
        case MCDL_CFG_NUMBER:
            v = cJSON_CreateNumber(it->num);
            break;
        case MCDL_CFG_STRING:
            v = cJSON_CreateString(it->str ? it->str : "");
            break;
        case MCDL_CFG_NUMBERS:
            v = cJSON_CreateArray();
            for (int j = 0; v && j < it->n; j++) {
                cJSON *e =
                    isnan(it->nums[j]) ? cJSON_CreateNull() : cJSON_CreateNumber(it->nums[j]);
                if (!e || !cJSON_AddItemToArray(v, e)) {
                    cJSON_Delete(e);
                    cJSON_Delete(v);
                    v = NULL;
                }
            }
            break;
        case MCDL_CFG_LAYER: {
            v = cJSON_CreateObject();
            cJSON *sub = mcdl_cfg_to_json(it->config);
            if (!v || !sub || !cJSON_AddStringToObject(v, "class_name", it->class_name) ||
                !cJSON_AddItemToObject(v, "config", sub)) {
                if (sub && (!v || !cJSON_GetObjectItemCaseSensitive(v, "config")))
                    cJSON_Delete(sub);
                cJSON_Delete(v);
                v = NULL;
            }
            break;
        }
        }
        if (!v || !cJSON_AddItemToObject(o, it->key, v)) {
            cJSON_Delete(v);
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}
