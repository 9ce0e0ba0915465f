/* Fuzz target: the IDX (MNIST format) loader, fed through a memfd. */
#include "mcdl/data.h"
#include "mcdl/tensor.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[64];
    int fd = fuzz_memfd_path(data, size, path, sizeof path);
    if (fd < 0) return 0;
    mcdl_tensor *t = NULL;
    if (mcdl_idx_load(path, &t) == MCDL_OK) mcdl_tensor_destroy(t);
    close(fd);
    return 0;
}
