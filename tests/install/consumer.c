/* A program outside the tree that uses the installed library (tests/install). */
#include <mcdl/mcdl.h>
#include <stdio.h>

int main(void) {
    mcdl_tensor *t;
    if (mcdl_tensor_create(&t, 2, (int64_t[]){2, 8}) != MCDL_OK) return 1;
    mcdl_rng_fill_uniform(1, 0, 0, mcdl_tensor_data(t), 16, -1.0f, 1.0f);
    if (mcdl_vtanh(mcdl_tensor_data(t), mcdl_tensor_data(t), 16) != MCDL_OK) return 1;
    printf("mcdl %s on %s: tanh ok\n", MCDL_VERSION_STRING, mcdl_active_isa());
    mcdl_tensor_destroy(t);
    return 0;
}
