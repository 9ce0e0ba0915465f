/* Numeric CSV reader: features to a (rows, columns) tensor, an optional label column that
 * may hold numbers or class names. Every bad field is reported with its line and column. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/data/fileio.h"
#include "mcdl/data.h"

#define CSV_FIELD_MAX 256
#define CSV_MAX_COLS 65536

typedef struct {
    char **names;
    int count, cap;
} label_set;

static void label_set_free(label_set *l) {
    for (int i = 0; i < l->count; i++) free(l->names[i]);
    free(l->names);
}

/* Class id of a text label, assigning the next id on first sight. -1 when out of memory. */
static int label_id(label_set *l, const char *s) {
    for (int i = 0; i < l->count; i++)
        if (!strcmp(l->names[i], s)) return i;
    if (l->count == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        char **n = realloc(l->names, (size_t)cap * sizeof *n);
        if (!n) return -1;
        l->names = n;
        l->cap = cap;
    }
    l->names[l->count] = strdup(s);
    if (!l->names[l->count]) return -1;
    return l->count++;
}

/* Splits one line (NUL-terminated, no newline) into fields; quoted fields may contain the
 * delimiter and doubled quotes. Returns the field count, or -1 with *why set. */
static int split_line(const char *line, char delim, char (*fields)[CSV_FIELD_MAX], int max,
                      const char **why) {
    int n = 0;
    const char *p = line;
    for (;;) {
        if (n == max) {
            *why = "has too many fields";
            return -1;
        }
        char *out = fields[n];
        size_t len = 0;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p) {
                    *why = "has an unterminated quoted field";
                    return -1;
                }
                if (*p == '"') {
                    if (p[1] == '"') {
                        p++;
                    } else {
                        p++;
                        break;
                    }
                }
                if (len + 1 >= CSV_FIELD_MAX) {
                    *why = "has a field longer than 255 characters";
                    return -1;
                }
                out[len++] = *p++;
            }
            while (*p == ' ' || *p == '\t') p++;
            if (*p && *p != delim) {
                *why = "has text after a closing quote";
                return -1;
            }
        } else {
            while (*p && *p != delim) {
                if (len + 1 >= CSV_FIELD_MAX) {
                    *why = "has a field longer than 255 characters";
                    return -1;
                }
                out[len++] = *p++;
            }
            while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == '\t')) len--;
        }
        out[len] = 0;
        n++;
        if (!*p) return n;
        p++; /* delimiter */
    }
}

static bool parse_number(const char *s, double *v) {
    if (!*s) return false;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *end == 0 && errno != ERANGE;
}

typedef struct {
    double *vals;
    size_t len, cap;
} dvec;

static bool dvec_push(dvec *d, double v) {
    if (d->len == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        double *n = realloc(d->vals, cap * sizeof *n);
        if (!n) return false;
        d->vals = n;
        d->cap = cap;
    }
    d->vals[d->len++] = v;
    return true;
}

typedef struct {
    const char *path;
    mcdl_csv_opts o;
    int cols, label_col; /* label_col 0-based, -1 none */
    int64_t rows;
    dvec feats, labels;
    label_set names;
    bool text_labels;
} csv_state;

static mcdl_status csv_row(csv_state *st, char (*f)[CSV_FIELD_MAX], int nf, int64_t line_no) {
    if (st->cols == 0) {
        st->cols = nf;
        if (st->o.label_column == -1)
            st->label_col = nf - 1;
        else if (st->o.label_column > 0)
            st->label_col = st->o.label_column - 1;
        if (st->label_col >= nf)
            return mcdl_error(MCDL_ERR_ARG,
                              "'%s': label column %d does not exist (rows have %d "
                              "fields)",
                              st->path, st->o.label_column, nf);
        if (st->label_col >= 0 && nf == 1)
            return mcdl_error(MCDL_ERR_FORMAT,
                              "'%s': rows have a single field, so no features remain beside the "
                              "label column",
                              st->path);
    }
    if (nf != st->cols)
        return mcdl_error(MCDL_ERR_FORMAT, "'%s' line %lld has %d fields, expected %d", st->path,
                          (long long)line_no, nf, st->cols);
    for (int c = 0; c < nf; c++) {
        double v;
        bool num = parse_number(f[c], &v);
        if (c == st->label_col) {
            if (st->rows == 0) st->text_labels = !num;
            if (st->text_labels) {
                if (!f[c][0])
                    return mcdl_error(MCDL_ERR_FORMAT, "'%s' line %lld: the label is empty",
                                      st->path, (long long)line_no);
                int id = label_id(&st->names, f[c]);
                if (id < 0)
                    return mcdl_error(MCDL_ERR_NOMEM, "out of memory reading '%s'", st->path);
                v = id;
            } else if (!num) {
                return mcdl_error(MCDL_ERR_FORMAT,
                                  "'%s' line %lld column %d: label '%s' is not a number (earlier "
                                  "labels were)",
                                  st->path, (long long)line_no, c + 1, f[c]);
            }
            if (!dvec_push(&st->labels, v))
                return mcdl_error(MCDL_ERR_NOMEM, "out of memory reading '%s'", st->path);
            continue;
        }
        if (!num)
            return mcdl_error(MCDL_ERR_FORMAT, "'%s' line %lld column %d: '%s' is %s", st->path,
                              (long long)line_no, c + 1, f[c],
                              f[c][0] ? "not a number" : "empty (missing value)");
        if (!dvec_push(&st->feats, v))
            return mcdl_error(MCDL_ERR_NOMEM, "out of memory reading '%s'", st->path);
    }
    st->rows++;
    return MCDL_OK;
}

static mcdl_status csv_parse(csv_state *st, char *text, size_t n) {
    char delim = st->o.delimiter ? st->o.delimiter : ',';
    char(*f)[CSV_FIELD_MAX] = malloc(sizeof(*f) * 1024);
    if (!f) return mcdl_error(MCDL_ERR_NOMEM, "out of memory reading '%s'", st->path);
    int max_fields = 1024;
    mcdl_status s = MCDL_OK;
    char *p = text, *end = text + n;
    int64_t line_no = 0;
    bool first = true;
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3; /* UTF-8 byte order mark */
    while (p < end && s == MCDL_OK) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        if (le > p && le[-1] == '\r') le--;
        *le = 0; /* the buffer has a spare byte after the data for the last line */
        line_no++;
        char *line = p;
        p = nl ? nl + 1 : end;
        if (strlen(line) != (size_t)(le - line)) {
            s = mcdl_error(MCDL_ERR_FORMAT, "'%s' line %lld contains a NUL byte: not a text file",
                           st->path, (long long)line_no);
            break;
        }
        if (strspn(line, " \t") == strlen(line)) continue; /* blank line */
        const char *why = NULL;
        int nf = split_line(line, delim, f, max_fields, &why);
        if (nf < 0) {
            s = mcdl_error(MCDL_ERR_FORMAT, "'%s' line %lld %s", st->path, (long long)line_no, why);
            break;
        }
        if (first) {
            first = false;
            bool header = st->o.header == 1;
            if (st->o.header == 0) {
                for (int c = 0; c < nf && !header; c++) {
                    double v;
                    if (!parse_number(f[c], &v)) header = true;
                }
                /* A last text field is a class name, not a header, when the others are numbers. */
                if (header && st->o.label_column != 0) {
                    int lc = st->o.label_column == -1 ? nf - 1 : st->o.label_column - 1;
                    bool others_numeric = true;
                    for (int c = 0; c < nf; c++) {
                        double v;
                        if (c != lc && !parse_number(f[c], &v)) others_numeric = false;
                    }
                    if (others_numeric && nf > 1) header = false;
                }
            }
            if (header) continue;
        }
        s = csv_row(st, f, nf, line_no);
    }
    free(f);
    return s;
}

mcdl_status mcdl_csv_load(const char *path, const mcdl_csv_opts *opts, mcdl_tensor **x,
                          mcdl_tensor **y) {
    if (!x) return mcdl_error(MCDL_ERR_ARG, "mcdl_csv_load: x is NULL");
    *x = NULL;
    if (y) *y = NULL;
    csv_state st;
    memset(&st, 0, sizeof st);
    st.path = path;
    if (opts) st.o = *opts;
    st.label_col = -1;
    if (st.o.label_column < -1)
        return mcdl_error(MCDL_ERR_ARG, "label_column %d is invalid (0 none, k > 0, -1 last)",
                          st.o.label_column);
    if (st.o.label_column != 0 && !y)
        return mcdl_error(MCDL_ERR_ARG,
                          "mcdl_csv_load: a label column was asked for but y is NULL");
    void *buf;
    size_t n;
    MCDL_TRY(mcdl_file_read_all(path, &buf, &n));
    mcdl_status s = csv_parse(&st, buf, n);
    free(buf);
    if (s == MCDL_OK && st.rows == 0)
        s = mcdl_error(MCDL_ERR_FORMAT, "'%s' has no data rows", path);
    int64_t fc = st.cols - (st.label_col >= 0 ? 1 : 0);
    mcdl_tensor *tx = NULL, *ty = NULL;
    if (s == MCDL_OK) s = mcdl_tensor_create(&tx, 2, (int64_t[]){st.rows, fc});
    if (s == MCDL_OK && st.label_col >= 0) s = mcdl_tensor_create(&ty, 1, (int64_t[]){st.rows});
    if (s == MCDL_OK) {
        float *px = mcdl_tensor_data(tx);
        for (size_t i = 0; i < st.feats.len; i++) px[i] = (float)st.feats.vals[i];
        if (ty) {
            float *py = mcdl_tensor_data(ty);
            for (size_t i = 0; i < st.labels.len; i++) py[i] = (float)st.labels.vals[i];
        }
    }
    free(st.feats.vals);
    free(st.labels.vals);
    label_set_free(&st.names);
    if (s != MCDL_OK) {
        mcdl_tensor_destroy(tx);
        mcdl_tensor_destroy(ty);
        return s;
    }
    *x = tx;
    if (y) *y = ty;
    return MCDL_OK;
}
