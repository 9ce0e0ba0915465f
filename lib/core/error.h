/* Internal: setting the thread-local error sentence and returning its status in one go. */
#ifndef MCDL_LIB_CORE_ERROR_H
#define MCDL_LIB_CORE_ERROR_H

#include "mcdl/status.h"

#if defined(__GNUC__)
#define MCDL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MCDL_PRINTF(a, b)
#endif

/* Formats the sentence into this thread's buffer and returns s. */
mcdl_status mcdl_error(mcdl_status s, const char *fmt, ...) MCDL_PRINTF(2, 3);

/* Checks that the requested ISA (MCDL_ISA) can be honoured; every public entry point that
 * runs kernels calls it first, so a bad request is an error rather than a silent fallback. */
mcdl_status mcdl_check_isa(void);

#define MCDL_TRY(expr)                                                                             \
    do {                                                                                           \
        mcdl_status mcdl_try_s_ = (expr);                                                          \
        if (mcdl_try_s_ != MCDL_OK) return mcdl_try_s_;                                            \
    } while (0)

#endif
