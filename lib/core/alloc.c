/* 64-byte aligned, zero-filled allocation (cache-line and AVX-512 aligned buffers). */
#include "lib/core/alloc.h"

#include <stdlib.h>
#include <string.h>

void *mcdl_alloc(size_t bytes) {
    if (bytes == 0) bytes = MCDL_ALIGN;
    if (bytes > SIZE_MAX - MCDL_ALIGN) return NULL;
    size_t rounded = (bytes + MCDL_ALIGN - 1) / MCDL_ALIGN * MCDL_ALIGN;
    void *p = aligned_alloc(MCDL_ALIGN, rounded);
    if (p) memset(p, 0, rounded);
    return p;
}

void mcdl_free(void *p) { free(p); }
