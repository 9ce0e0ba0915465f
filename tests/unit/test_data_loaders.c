/* CSV, IDX and data-set loaders: values, header detection, text labels, every bad-input
 * sentence (file, line, column), the shipped Iris table, and the "run tools/fetch-data"
 * message for data that has not been fetched. PNG grids are checked in test_png.c. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "mcdl/data.h"
#include "mcdl/npy.h"

static const char *fixture(const char *name) {
    static char buf[4][1024];
    static int k;
    const char *dir = getenv("MCDL_TEST_DATA");
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir ? dir : "tests/data", name);
    return buf[k];
}

static void check_floats(const mcdl_tensor *t, const float *want, int64_t n, const char *what) {
    CHECK(t && mcdl_tensor_numel(t) == n, "%s: %lld elements, want %lld", what,
          t ? (long long)mcdl_tensor_numel(t) : -1LL, (long long)n);
    for (int64_t i = 0; t && i < n && i < mcdl_tensor_numel(t); i++)
        CHECK(mcdl_tensor_data(t)[i] == want[i], "%s[%lld] = %g, want %g", what, (long long)i,
              mcdl_tensor_data(t)[i], want[i]);
}

static void test_csv(void) {
    mcdl_tensor *x = NULL, *y = NULL;
    /* Quoted header, text labels -> ids in order of first appearance. */
    CHECK_OK(
        mcdl_csv_load(fixture("small_named.csv"), &(mcdl_csv_opts){.label_column = -1}, &x, &y));
    CHECK(x && mcdl_tensor_dim(x, 0) == 3 && mcdl_tensor_dim(x, 1) == 2, "named: x shape");
    check_floats(x, (float[]){1.5f, 2, -3, 400, 5, 6}, 6, "named x");
    check_floats(y, (float[]){0, 1, 0}, 3, "named y");
    mcdl_tensor_destroy(x), mcdl_tensor_destroy(y);
    /* No header (auto-detected), CRLF line ends, a blank line, numeric label column 3. */
    CHECK_OK(
        mcdl_csv_load(fixture("small_numeric.csv"), &(mcdl_csv_opts){.label_column = 3}, &x, &y));
    check_floats(x, (float[]){1, 2, 3, 4, 5, 6}, 6, "numeric x");
    check_floats(y, (float[]){0, 1, 2}, 3, "numeric y");
    mcdl_tensor_destroy(x), mcdl_tensor_destroy(y);
    /* Label column 1 (the first) and no label at all. */
    CHECK_OK(
        mcdl_csv_load(fixture("small_numeric.csv"), &(mcdl_csv_opts){.label_column = 1}, &x, &y));
    check_floats(y, (float[]){1, 3, 5}, 3, "first-column labels");
    check_floats(x, (float[]){2, 0, 4, 1, 6, 2}, 6, "features beside the first column");
    mcdl_tensor_destroy(x), mcdl_tensor_destroy(y);
    CHECK_OK(mcdl_csv_load(fixture("small_numeric.csv"), NULL, &x, NULL));
    CHECK(x && mcdl_tensor_dim(x, 1) == 3, "all columns are features without a label column");
    mcdl_tensor_destroy(x);
    /* header = 1 forces the first row out even though it is numeric. */
    CHECK_OK(mcdl_csv_load(fixture("small_numeric.csv"), &(mcdl_csv_opts){.header = 1}, &x, NULL));
    CHECK(x && mcdl_tensor_dim(x, 0) == 2, "forced header");
    mcdl_tensor_destroy(x);

    struct {
        const char *file, *words;
        mcdl_csv_opts o;
    } bad[] = {
        {"bad_field.csv", "line 3 column 2: 'abc' is not a number", {0}},
        {"bad_ragged.csv", "line 2 has 2 fields, expected 3", {0}},
        {"bad_missing.csv", "line 2 column 2: '' is empty (missing value)", {0}},
        {"f4_2x3.npy", "", {0}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        x = (mcdl_tensor *)1;
        mcdl_status s = mcdl_csv_load(fixture(bad[i].file), &bad[i].o, &x, NULL);
        CHECK(s == MCDL_ERR_FORMAT && x == NULL, "%s: got %s (%s)", bad[i].file,
              mcdl_status_name(s), mcdl_last_error());
        CHECK(strstr(mcdl_last_error(), bad[i].file) && strstr(mcdl_last_error(), bad[i].words),
              "%s: sentence '%s' lacks '%s'", bad[i].file, mcdl_last_error(), bad[i].words);
    }
    CHECK_STATUS(
        mcdl_csv_load(fixture("small_numeric.csv"), &(mcdl_csv_opts){.label_column = 9}, &x, &y),
        MCDL_ERR_ARG);
    CHECK_STATUS(mcdl_csv_load(fixture("nope.csv"), NULL, &x, NULL), MCDL_ERR_IO);
}

static void test_idx(void) {
    mcdl_tensor *t = NULL;
    CHECK_OK(mcdl_idx_load(fixture("u8_2x2x3.idx"), &t));
    CHECK(t && mcdl_tensor_rank(t) == 3 && mcdl_tensor_dim(t, 2) == 3, "idx u8 shape");
    check_floats(t, (float[]){0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220}, 12, "idx u8");
    mcdl_tensor_destroy(t);
    CHECK_OK(mcdl_idx_load(fixture("f32_2.idx"), &t));
    check_floats(t, (float[]){0.25f, -8.0f}, 2, "idx f32");
    mcdl_tensor_destroy(t);
    CHECK_STATUS(mcdl_idx_load(fixture("bad_trunc.idx"), &t), MCDL_ERR_FORMAT);
    CHECK(strstr(mcdl_last_error(), "bad_trunc.idx") && strstr(mcdl_last_error(), "truncated"),
          "sentence: %s", mcdl_last_error());
    CHECK_STATUS(mcdl_idx_load(fixture("bad_type.idx"), &t), MCDL_ERR_FORMAT);
    CHECK(strstr(mcdl_last_error(), "0x07"), "sentence: %s", mcdl_last_error());
    CHECK_STATUS(mcdl_idx_load(fixture("f4_2x3.npy"), &t), MCDL_ERR_FORMAT);
}

static void test_iris(void) {
    /* The shipped CSV is found from the repository root (tests/data/../..). */
    char root[1024], old[1024];
    snprintf(root, sizeof root, "%s/../..",
             getenv("MCDL_TEST_DATA") ? getenv("MCDL_TEST_DATA") : "tests/data");
    if (!getcwd(old, sizeof old) || chdir(root) != 0) {
        CHECK(0, "cannot enter the repository root %s", root);
        return;
    }
    mcdl_tensor *x = NULL, *y = NULL;
    CHECK_OK(mcdl_data_iris(&x, &y));
    if (x && y) {
        CHECK(mcdl_tensor_dim(x, 0) == 150 && mcdl_tensor_dim(x, 1) == 4, "iris x shape");
        const float *d = mcdl_tensor_data(x);
        CHECK(d[0] == 5.1f && d[1] == 3.5f && d[2] == 1.4f && d[3] == 0.2f, "iris first row");
        int count[3] = {0, 0, 0};
        double sum_petal = 0;
        for (int i = 0; i < 150; i++) {
            int c = (int)mcdl_tensor_data(y)[i];
            if (c >= 0 && c < 3) count[c]++;
            sum_petal += mcdl_tensor_data(x)[i * 4 + 2];
        }
        CHECK(count[0] == 50 && count[1] == 50 && count[2] == 50, "iris classes %d %d %d", count[0],
              count[1], count[2]);
        CHECK_NEAR(sum_petal / 150.0, 3.758, 1e-3); /* Fisher's petal length mean */
    }
    mcdl_tensor_destroy(x), mcdl_tensor_destroy(y);
    CHECK(chdir(old) == 0, "chdir back");
}

static void test_missing_data(void) {
    char dir[] = "/tmp/mcdl_test_data_XXXXXX";
    if (!mkdtemp(dir)) return;
    setenv("MCDL_DATA", dir, 1);
    mcdl_tensor *x = (mcdl_tensor *)1, *y = (mcdl_tensor *)1;
    CHECK_STATUS(mcdl_data_mnist(true, &x, &y), MCDL_ERR_IO);
    CHECK(x == NULL && y == NULL, "outputs not cleared");
    CHECK(strstr(mcdl_last_error(), "run tools/fetch-data") &&
              strstr(mcdl_last_error(), "mnist/x_train.npy"),
          "sentence: %s", mcdl_last_error());
    CHECK_STATUS(mcdl_data_series("co2", &x), MCDL_ERR_IO);
    CHECK(strstr(mcdl_last_error(), "run tools/fetch-data"), "sentence: %s", mcdl_last_error());
    CHECK_STATUS(mcdl_data_series("weather", &x), MCDL_ERR_ARG);

    /* A data directory laid out as tools/fetch-data leaves it. */
    char p[1024];
    snprintf(p, sizeof p, "%s/mnist", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/series", dir);
    mkdir(p, 0755);
    mcdl_tensor *img, *lab;
    CHECK_OK(mcdl_tensor_create(&img, 3, (int64_t[]){5, 28, 28}));
    CHECK_OK(mcdl_tensor_create(&lab, 1, (int64_t[]){5}));
    mcdl_tensor_data(lab)[3] = 7;
    snprintf(p, sizeof p, "%s/mnist/x_test.npy", dir);
    CHECK_OK(mcdl_npy_save(p, img));
    snprintf(p, sizeof p, "%s/mnist/y_test.npy", dir);
    CHECK_OK(mcdl_npy_save(p, lab));
    CHECK_OK(mcdl_data_mnist(false, &x, &y));
    CHECK(x && y && mcdl_tensor_dim(x, 0) == 5 && mcdl_tensor_data(y)[3] == 7, "mnist from dir");
    mcdl_tensor_destroy(x), mcdl_tensor_destroy(y);
    snprintf(p, sizeof p, "%s/series/sunspots.csv", dir);
    FILE *f = fopen(p, "w");
    if (f) fputs("\"YEAR\",\"SUNACTIVITY\"\n1700,5\n1701,11\n1702,16\n", f), fclose(f);
    CHECK_OK(mcdl_data_series("sunspots", &x));
    check_floats(x, (float[]){5, 11, 16}, 3, "sunspots");
    mcdl_tensor_destroy(x);
    unlink(p);

    /* Fortunes: topic files split on '%' lines, classes in name order or as asked. */
    snprintf(p, sizeof p, "%s/fortunes", dir);
    CHECK_STATUS(mcdl_data_fortunes(NULL, 0, &(mcdl_text_set *){NULL}), MCDL_ERR_IO);
    CHECK(strstr(mcdl_last_error(), "run tools/fetch-data"), "sentence: %s", mcdl_last_error());
    mkdir(p, 0755);
    char fa[1100], fb[1100];
    snprintf(fa, sizeof fa, "%s/fortunes/alpha.txt", dir);
    snprintf(fb, sizeof fb, "%s/fortunes/beta.txt", dir);
    FILE *ta = fopen(fa, "w"), *tb = fopen(fb, "w");
    if (ta) fputs("q1\n%\n  q2 line1\nline2\n%\n\n%\nq3", ta), fclose(ta);
    if (tb) fputs("x\r\n%\r\n", tb), fclose(tb);
    mcdl_text_set *ts = NULL;
    CHECK_OK(mcdl_data_fortunes(NULL, 0, &ts));
    if (ts) {
        CHECK(ts->n_classes == 2 && !strcmp(ts->class_names[0], "alpha") &&
                  !strcmp(ts->class_names[1], "beta"),
              "fortunes classes");
        CHECK(ts->n == 4, "fortunes: %lld texts, want 4", (long long)ts->n);
        if (ts->n == 4) {
            CHECK(!strcmp(ts->texts[0], "q1") && !strcmp(ts->texts[1], "q2 line1\nline2") &&
                      !strcmp(ts->texts[2], "q3") && !strcmp(ts->texts[3], "x"),
                  "fortunes texts: '%s' '%s' '%s' '%s'", ts->texts[0], ts->texts[1], ts->texts[2],
                  ts->texts[3]);
            CHECK(ts->labels[0] == 0 && ts->labels[2] == 0 && ts->labels[3] == 1, "labels");
        }
    }
    mcdl_text_set_destroy(ts);
    ts = NULL;
    CHECK_OK(mcdl_data_fortunes((const char *const[]){"beta"}, 1, &ts));
    CHECK(ts && ts->n == 1 && ts->labels[0] == 0, "one chosen topic");
    mcdl_text_set_destroy(ts);
    CHECK_STATUS(mcdl_data_fortunes((const char *const[]){"gamma"}, 1, &ts), MCDL_ERR_IO);
    CHECK(strstr(mcdl_last_error(), "'gamma'"), "sentence: %s", mcdl_last_error());
    unlink(fa), unlink(fb);
    snprintf(p, sizeof p, "%s/fortunes", dir), rmdir(p);
    snprintf(p, sizeof p, "%s/mnist/x_test.npy", dir), unlink(p);
    snprintf(p, sizeof p, "%s/mnist/y_test.npy", dir), unlink(p);
    snprintf(p, sizeof p, "%s/mnist", dir), rmdir(p);
    snprintf(p, sizeof p, "%s/series", dir), rmdir(p);
    rmdir(dir);
    mcdl_tensor_destroy(img), mcdl_tensor_destroy(lab);
    unsetenv("MCDL_DATA");
}

int main(void) {
    test_csv();
    test_idx();
    test_iris();
    test_missing_data();
    return check_finish();
}
