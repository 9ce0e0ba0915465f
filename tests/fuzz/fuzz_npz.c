/* Fuzz target: the .npz (zip of .npy) reader from memory; walks every entry it accepts. */
#include "mcdl/npy.h"
#include "mcdl/tensor.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mcdl_npz *z = NULL;
    if (mcdl_npz_load_mem(data, size, "fuzz.npz", &z) != MCDL_OK) return 0;
    int64_t n = mcdl_npz_count(z);
    for (int64_t i = 0; i < n; i++) {
        const mcdl_tensor *t = NULL;
        const char *name = mcdl_npz_name(z, i);
        if (name) (void)mcdl_npz_find(z, name, &t);
    }
    mcdl_npz_destroy(z);
    return 0;
}
