/* Fuzz target: the Keras JSON model loader (mcdl_model_from_json); a model it accepts is
 * also written back to JSON, exercising the writer on every graph the reader builds. */
#include <stdlib.h>

#include "mcdl/files.h"
#include "mcdl/model.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mcdl_model *m = NULL;
    if (mcdl_model_from_json((const char *)data, size, "fuzz.json", 1, &m) != MCDL_OK) return 0;
    char *json = NULL;
    if (mcdl_model_to_json(m, &json) == MCDL_OK) free(json);
    mcdl_model_destroy(m);
    return 0;
}
