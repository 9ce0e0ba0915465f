/* mcdl_sgemm's argument checks: each bad input is MCDL_ERR_ARG with a sentence naming the
 * argument, and C is left untouched; valid corner cases (empty sizes, NULL A/B when
 * unused, lower-case trans) succeed. */
#include <string.h>

#include "check.h"

static float C[4 * 4], A[4 * 4], B[4 * 4];

static void expect_arg_error(mcdl_status s, const char *needle, const char *what) {
    CHECK(s == MCDL_ERR_ARG, "%s: got %s", what, mcdl_status_name(s));
    CHECK(strstr(mcdl_last_error(), needle) != NULL, "%s: message '%s' lacks '%s'", what,
          mcdl_last_error(), needle);
    int untouched = 1;
    for (int i = 0; i < 16; i++) untouched &= C[i] == 7.0f;
    CHECK(untouched, "%s: C was written", what);
}

int main(void) {
    check_require_isa();
    for (int i = 0; i < 16; i++) A[i] = 1.0f, B[i] = 2.0f, C[i] = 7.0f;
    expect_arg_error(mcdl_sgemm('X', 'N', 2, 2, 2, 1, A, 2, B, 2, 0, C, 2), "transa", "transa X");
    expect_arg_error(mcdl_sgemm('N', 'c', 2, 2, 2, 1, A, 2, B, 2, 0, C, 2), "transb", "transb c");
    expect_arg_error(mcdl_sgemm('N', 'N', -1, 2, 2, 1, A, 2, B, 2, 0, C, 2), "M=-1", "M < 0");
    expect_arg_error(mcdl_sgemm('N', 'N', 2, -3, 2, 1, A, 2, B, 2, 0, C, 2), "N=-3", "N < 0");
    expect_arg_error(mcdl_sgemm('N', 'N', 2, 2, -2, 1, A, 2, B, 2, 0, C, 2), "K=-2", "K < 0");
    expect_arg_error(mcdl_sgemm('N', 'N', 2, 2, 3, 1, A, 2, B, 2, 0, C, 2), "lda=2", "lda < K");
    expect_arg_error(mcdl_sgemm('T', 'N', 3, 2, 2, 1, A, 2, B, 2, 0, C, 2), "lda=2", "lda < M (T)");
    expect_arg_error(mcdl_sgemm('N', 'N', 2, 3, 2, 1, A, 2, B, 2, 0, C, 3), "ldb=2", "ldb < N");
    expect_arg_error(mcdl_sgemm('N', 'T', 2, 2, 3, 1, A, 3, B, 2, 0, C, 2), "ldb=2", "ldb < K (T)");
    expect_arg_error(mcdl_sgemm('N', 'N', 2, 3, 2, 1, A, 2, B, 3, 0, C, 2), "ldc=2", "ldc < N");
    expect_arg_error(mcdl_sgemm('N', 'N', 2, 2, 2, 1, A, 2, B, 2, 0, C, 0), "ldc=0", "ldc = 0");
    expect_arg_error(mcdl_sgemm('N', 'N', 2, 2, 2, 1, NULL, 2, B, 2, 0, C, 2), "A is NULL",
                     "A NULL");
    expect_arg_error(mcdl_sgemm('N', 'N', 2, 2, 2, 1, A, 2, NULL, 2, 0, C, 2), "B is NULL",
                     "B NULL");
    CHECK_STATUS(mcdl_sgemm('N', 'N', 2, 2, 2, 1, A, 2, B, 2, 0, NULL, 2), MCDL_ERR_ARG);
    CHECK(strstr(mcdl_last_error(), "C is NULL") != NULL, "message '%s'", mcdl_last_error());

    /* Valid corners. */
    CHECK_OK(mcdl_sgemm('n', 't', 0, 0, 0, 1, NULL, 1, NULL, 1, 0, NULL, 1));
    CHECK_OK(mcdl_sgemm('N', 'N', 2, 2, 0, 1, NULL, 1, NULL, 2, 0.5f, C, 2));
    CHECK(C[0] == 3.5f && C[3] == 3.5f && C[4] == 7.0f, "K = 0 scales C by beta (got %g %g %g)",
          C[0], C[3], C[4]);
    CHECK_OK(mcdl_sgemm('N', 'N', 2, 2, 2, 0.0f, NULL, 2, NULL, 2, 1.0f, C, 2));
    CHECK(C[0] == 3.5f, "alpha = 0 leaves beta * C (got %g)", C[0]);
    const float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 0, 0, 1, 1, 1};
    float c[4] = {NAN, NAN, NAN, NAN};
    CHECK_OK(mcdl_sgemm('n', 'n', 2, 2, 3, 1.0f, a, 3, b, 2, 0.0f, c, 2));
    CHECK(c[0] == 4 && c[1] == 5 && c[2] == 10 && c[3] == 11, "2x3 * 3x2 gave %g %g %g %g", c[0],
          c[1], c[2], c[3]);
    return check_finish();
}
