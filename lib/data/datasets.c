/* The real data sets: where tools/fetch-data put them, and loaders that say which command
 * fetches a missing one instead of failing obscurely. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/core/error.h"
#include "mcdl/data.h"
#include "mcdl/npy.h"

static bool exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

mcdl_status mcdl_data_path(const char *rel, char *buf, size_t n) {
    if (!rel || !buf || n == 0) return mcdl_error(MCDL_ERR_ARG, "mcdl_data_path: NULL argument");
    const char *env = getenv("MCDL_DATA");
    if (env && *env) {
        if ((size_t)snprintf(buf, n, "%s/%s", env, rel) >= n)
            return mcdl_error(MCDL_ERR_ARG, "data path for '%s' is too long", rel);
        if (exists(buf)) return MCDL_OK;
        return mcdl_error(MCDL_ERR_IO,
                          "data '%s' not found in MCDL_DATA=%s: run tools/fetch-data (it writes "
                          "to $MCDL_DATA when set)",
                          rel, env);
    }
    static const char *const dirs[] = {"data", "../data", "../../data", "../../../data"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if ((size_t)snprintf(buf, n, "%s/%s", dirs[i], rel) >= n)
            return mcdl_error(MCDL_ERR_ARG, "data path for '%s' is too long", rel);
        if (exists(buf)) return MCDL_OK;
    }
    return mcdl_error(
        MCDL_ERR_IO,
        "data '%s' not found in ./data or a parent's data/ (up to 3 levels): run tools/fetch-data "
        "from the repository root (or set MCDL_DATA to the data directory)",
        rel);
}

static mcdl_status load_npy_data(const char *rel, mcdl_tensor **t) {
    char path[4096];
    MCDL_TRY(mcdl_data_path(rel, path, sizeof path));
    return mcdl_npy_load(path, t);
}

mcdl_status mcdl_data_mnist(bool train, mcdl_tensor **x, mcdl_tensor **y) {
    if (!x || !y) return mcdl_error(MCDL_ERR_ARG, "mcdl_data_mnist: NULL argument");
    *x = *y = NULL;
    mcdl_tensor *tx, *ty;
    MCDL_TRY(load_npy_data(train ? "mnist/x_train.npy" : "mnist/x_test.npy", &tx));
    mcdl_status s = load_npy_data(train ? "mnist/y_train.npy" : "mnist/y_test.npy", &ty);
    if (s != MCDL_OK) {
        mcdl_tensor_destroy(tx);
        return s;
    }
    int64_t nx = mcdl_tensor_dim(tx, 0), ny = mcdl_tensor_dim(ty, 0);
    if (mcdl_tensor_rank(tx) != 3 || mcdl_tensor_dim(tx, 1) != 28 || mcdl_tensor_dim(tx, 2) != 28 ||
        mcdl_tensor_rank(ty) != 1 || nx != ny) {
        mcdl_tensor_destroy(tx);
        mcdl_tensor_destroy(ty);
        return mcdl_error(MCDL_ERR_FORMAT,
                          "the MNIST files in the data directory have unexpected shapes (want "
                          "(N, 28, 28) and (N,)): run tools/fetch-data --force");
    }
    *x = tx;
    *y = ty;
    return MCDL_OK;
}

mcdl_status mcdl_data_iris(mcdl_tensor **x, mcdl_tensor **y) {
    if (!x || !y) return mcdl_error(MCDL_ERR_ARG, "mcdl_data_iris: NULL argument");
    *x = *y = NULL;
    static const char *const shipped[] = {
        "experiments/data/iris.csv", "../experiments/data/iris.csv",
        "../../experiments/data/iris.csv", "../../../experiments/data/iris.csv"};
    char path[4096];
    bool found = false;
    for (size_t i = 0; i < sizeof shipped / sizeof shipped[0] && !found; i++) {
        snprintf(path, sizeof path, "%s", shipped[i]);
        found = exists(path);
    }
    if (!found && mcdl_data_path("iris.csv", path, sizeof path) != MCDL_OK)
        return mcdl_error(MCDL_ERR_IO,
                          "iris.csv not found: it ships as experiments/data/iris.csv; run from "
                          "the repository root or build/release, or run tools/fetch-data to copy "
                          "it into the data directory");
    MCDL_TRY(mcdl_csv_load(path, &(mcdl_csv_opts){.header = 1, .label_column = -1}, x, y));
    if (mcdl_tensor_dim(*x, 0) != 150 || mcdl_tensor_dim(*x, 1) != 4) {
        mcdl_tensor_destroy(*x);
        mcdl_tensor_destroy(*y);
        *x = *y = NULL;
        return mcdl_error(MCDL_ERR_FORMAT, "'%s' is not the 150 x 4 Iris table", path);
    }
    return MCDL_OK;
}

mcdl_status mcdl_data_series(const char *name, mcdl_tensor **values) {
    if (!name || !values) return mcdl_error(MCDL_ERR_ARG, "mcdl_data_series: NULL argument");
    *values = NULL;
    if (strcmp(name, "co2") != 0 && strcmp(name, "sunspots") != 0)
        return mcdl_error(MCDL_ERR_ARG, "unknown series '%s' (co2 and sunspots are available)",
                          name);
    char rel[64], path[4096];
    snprintf(rel, sizeof rel, "series/%s.csv", name);
    MCDL_TRY(mcdl_data_path(rel, path, sizeof path));
    mcdl_tensor *cols, *v;
    /* Two columns: time stamp, value; the value becomes the "label" so it comes out 1-D. */
    MCDL_TRY(mcdl_csv_load(path, &(mcdl_csv_opts){.header = 1, .label_column = 2}, &cols, &v));
    mcdl_tensor_destroy(cols);
    *values = v;
    return MCDL_OK;
}
