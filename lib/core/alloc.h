/* Internal: 64-byte aligned allocation and overflow-checked size arithmetic. */
#ifndef MCDL_LIB_CORE_ALLOC_H
#define MCDL_LIB_CORE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MCDL_ALIGN 64

/* Zero-filled, 64-byte aligned; NULL on failure or bytes == 0 overflow. Free with mcdl_free. */
void *mcdl_alloc(size_t bytes);
void mcdl_free(void *p);

/* *out = a * b; false when the product overflows int64 or either factor is negative. */
static inline bool mcdl_mul_ok(int64_t a, int64_t b, int64_t *out) {
    if (a < 0 || b < 0) return false;
    return !__builtin_mul_overflow(a, b, out);
}
/* "3.2 GiB", "512.0 MiB", "900 bytes" into buf (n bytes); returns buf. */
const char *mcdl_format_bytes(double bytes, char *buf, size_t n);

static inline bool mcdl_add_ok(int64_t a, int64_t b, int64_t *out) {
    return !__builtin_add_overflow(a, b, out);
}

#endif
