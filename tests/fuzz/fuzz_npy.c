/* Fuzz target: the .npy reader from memory (mcdl_npy_load_mem), then a save round trip
 * of whatever loaded, so a tensor the reader accepts is also one the writer can handle. */
#include <stdlib.h>

#include "mcdl/npy.h"
#include "mcdl/tensor.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mcdl_tensor *t = NULL;
    if (mcdl_npy_load_mem(data, size, "fuzz.npy", &t) == MCDL_OK) {
        void *buf = NULL;
        size_t n = 0;
        if (mcdl_npy_save_mem(t, &buf, &n) == MCDL_OK) free(buf);
        mcdl_tensor_destroy(t);
    }
    return 0;
}
