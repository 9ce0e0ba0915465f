/* Internal: conversion between cJSON objects and the core's flat layer configs
 * (mcdl_config), shared by the Keras JSON reader and writer. */
#ifndef MCDL_LIB_FILES_KERAS_CONFIG_H
#define MCDL_LIB_FILES_KERAS_CONFIG_H

#include <cjson/cJSON.h>

#include "mcdl/graph.h"

/* Every allocation made while converting one model, freed at once. */
typedef struct {
    void **blocks;
    int n, cap;
} mcdl_cfg_arena;

void *mcdl_cfg_arena_alloc(mcdl_cfg_arena *a, size_t bytes);
void mcdl_cfg_arena_free(mcdl_cfg_arena *a);

/* Converts a Keras layer "config" object into a flat mcdl_config: null, bools, numbers,
 * strings and lists of numbers (None entries NaN) map one to one; an object with a
 * "class_name" (initialisers, dtype policies) becomes that name as a string, except under
 * the nested-layer keys (layer, backward_layer, forward_layer, cell), which become LAYER
 * items. Other values (lists of lists, objects without class_name) are left out: no layer
 * reads them. If name is non-NULL, it replaces or adds the "name" key. NULL when out of
 * memory. The result lives in the arena. */
mcdl_config *mcdl_cfg_from_json(mcdl_cfg_arena *a, const cJSON *obj, const char *name);

/* The inverse: a JSON object with the config's keys (NUMBERS entries that are NaN become
 * null, LAYER items become {"class_name", "config"}). NULL when out of memory. */
cJSON *mcdl_cfg_to_json(const mcdl_config *c);

#endif
