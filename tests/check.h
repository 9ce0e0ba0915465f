/* Minimal test harness: CHECK macros that count, and a closing "N passed, N failed"
 * line. A test exits 77 (CTest SKIP_RETURN_CODE) when MCDL_ISA asks for a path this CPU
 * lacks, so the per-ISA test loop reports a skip instead of a false failure. */
#ifndef MCDL_TESTS_CHECK_H
#define MCDL_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mcdl/mcdl.h"

static int check_passed_, check_failed_;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_passed_++;                                                                       \
        } else {                                                                                   \
            check_failed_++;                                                                       \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_OK(expr)                                                                             \
    do {                                                                                           \
        mcdl_status check_s_ = (expr);                                                             \
        CHECK(check_s_ == MCDL_OK, "%s returned %s: %s", #expr, mcdl_status_name(check_s_),        \
              mcdl_last_error());                                                                  \
    } while (0)

#define CHECK_STATUS(expr, want)                                                                   \
    do {                                                                                           \
        mcdl_status check_s_ = (expr);                                                             \
        CHECK(check_s_ == (want), "%s returned %s, wanted %s (%s)", #expr,                         \
              mcdl_status_name(check_s_), mcdl_status_name(want), mcdl_last_error());              \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double check_a_ = (a), check_b_ = (b), check_t_ = (tol);                                   \
        CHECK(fabs(check_a_ - check_b_) <= check_t_, "%s = %.9g, %s = %.9g, |diff| %.3g > %.3g",   \
              #a, check_a_, #b, check_b_, fabs(check_a_ - check_b_), check_t_);                    \
    } while (0)

/* Exit 77 (skipped) when the requested ISA cannot run here. */
static inline void check_require_isa(void) {
    if (mcdl_isa_status() != MCDL_OK) {
        printf("skipped: %s\n", mcdl_last_error());
        exit(77);
    }
}

static inline int check_finish(void) {
    printf("%d passed, %d failed\n", check_passed_, check_failed_);
    return check_failed_ ? 1 : 0;
}

#endif
