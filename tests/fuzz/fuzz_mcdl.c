/* Fuzz target: the .mcdl model archive loader (mcdl_model_load: zip of config, weights,
 * optimizer state). The bytes go through a memfd because the loader takes a path. */
#include "mcdl/files.h"
#include "mcdl/model.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[64];
    int fd = fuzz_memfd_path(data, size, path, sizeof path);
    if (fd < 0) return 0;
    mcdl_model *m = NULL;
    if (mcdl_model_load(path, &m) == MCDL_OK) mcdl_model_destroy(m);
    close(fd);
    return 0;
}
