/* The fortunes corpus as labelled texts (topic = class), for the transformer's text
 * classification experiment. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/data/fileio.h"
#include "mcdl/data.h"

void mcdl_text_set_destroy(mcdl_text_set *t) {
    if (!t) return;
    for (int64_t i = 0; i < t->n; i++) free(t->texts[i]);
    for (int c = 0; c < t->n_classes; c++) free(t->class_names[c]);
    free(t->texts);
    free(t->labels);
    free(t->class_names);
    free(t);
}

static mcdl_status push_text(mcdl_text_set *t, int64_t *cap, const char *s, size_t len, int label) {
    if (t->n == *cap) {
        int64_t c = *cap ? *cap * 2 : 1024;
        char **tx = realloc(t->texts, (size_t)c * sizeof *tx);
        if (tx) t->texts = tx;
        int *lb = tx ? realloc(t->labels, (size_t)c * sizeof *lb) : NULL;
        if (!tx || !lb) return mcdl_error(MCDL_ERR_NOMEM, "out of memory reading the fortunes");
        t->labels = lb;
        *cap = c;
    }
    char *copy = malloc(len + 1);
    if (!copy) return mcdl_error(MCDL_ERR_NOMEM, "out of memory reading the fortunes");
    memcpy(copy, s, len);
    copy[len] = 0;
    t->texts[t->n] = copy;
    t->labels[t->n] = label;
    t->n++;
    return MCDL_OK;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Splits one topic file on lines that hold only '%'. */
static mcdl_status read_topic(mcdl_text_set *t, int64_t *cap, const char *path, int label) {
    void *buf;
    size_t n;
    MCDL_TRY(mcdl_file_read_all(path, &buf, &n));
    char *text = buf, *end = text + n, *start = text, *p = text;
    mcdl_status s = MCDL_OK;
    while (s == MCDL_OK && p <= end) {
        char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        char *le = nl ? nl : end;
        bool sep = (le - p == 1 && p[0] == '%') || (le - p == 2 && p[0] == '%' && p[1] == '\r');
        if (sep || !nl) {
            char *qe = sep ? p : end;
            while (start < qe && is_space(*start)) start++;
            while (qe > start && is_space(qe[-1])) qe--;
            if (qe > start) s = push_text(t, cap, start, (size_t)(qe - start), label);
            start = nl ? nl + 1 : end;
        }
        if (!nl) break;
        p = nl + 1;
    }
    free(buf);
    return s;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every <topic>.txt of the directory, sorted by name. */
static mcdl_status list_topics(const char *dir, mcdl_text_set *t) {
    DIR *d = opendir(dir);
    if (!d) return mcdl_error(MCDL_ERR_IO, "cannot list '%s': run tools/fetch-data", dir);
    struct dirent *e;
    int cap = 0;
    mcdl_status s = MCDL_OK;
    while (s == MCDL_OK && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".txt") != 0) continue;
        if (t->n_classes == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(t->class_names, (size_t)cap * sizeof *nn);
            if (!nn) {
                s = mcdl_error(MCDL_ERR_NOMEM, "out of memory listing '%s'", dir);
                break;
            }
            t->class_names = nn;
        }
        char *name = strndup(e->d_name, len - 4);
        if (!name)
            s = mcdl_error(MCDL_ERR_NOMEM, "out of memory listing '%s'", dir);
        else
            t->class_names[t->n_classes++] = name;
    }
    closedir(d);
    if (s == MCDL_OK && t->n_classes == 0)
        s = mcdl_error(MCDL_ERR_IO, "'%s' holds no topic files: run tools/fetch-data", dir);
    if (s == MCDL_OK) qsort(t->class_names, (size_t)t->n_classes, sizeof(char *), cmp_str);
    return s;
}

mcdl_status mcdl_data_fortunes(const char *const *topics, int n_topics, mcdl_text_set **out) {
    if (!out) return mcdl_error(MCDL_ERR_ARG, "mcdl_data_fortunes: out is NULL");
    *out = NULL;
    if (n_topics < 0 || (n_topics > 0 && !topics))
        return mcdl_error(MCDL_ERR_ARG, "mcdl_data_fortunes: bad topic list");
    char dir[4096];
    MCDL_TRY(mcdl_data_path("fortunes", dir, sizeof dir));
    mcdl_text_set *t = calloc(1, sizeof *t);
    if (!t) return mcdl_error(MCDL_ERR_NOMEM, "out of memory reading the fortunes");
    mcdl_status s = MCDL_OK;
    if (n_topics == 0) {
        s = list_topics(dir, t);
    } else {
        t->class_names = calloc((size_t)n_topics, sizeof *t->class_names);
        if (!t->class_names) s = mcdl_error(MCDL_ERR_NOMEM, "out of memory reading the fortunes");
        for (int c = 0; c < n_topics && s == MCDL_OK; c++) {
            t->class_names[c] = strdup(topics[c]);
            if (!t->class_names[c])
                s = mcdl_error(MCDL_ERR_NOMEM, "out of memory");
            else
                t->n_classes++;
        }
    }
    int64_t cap = 0;
    for (int c = 0; c < t->n_classes && s == MCDL_OK; c++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.txt", dir, t->class_names[c]);
        s = read_topic(t, &cap, path, c);
        if (s == MCDL_ERR_IO)
            s = mcdl_error(MCDL_ERR_IO,
                           "fortunes topic '%s' not found (%s): run tools/fetch-data, or pick "
                           "a topic from %s",
                           t->class_names[c], path, dir);
    }
    if (s != MCDL_OK) {
        mcdl_text_set_destroy(t);
        return s;
    }
    *out = t;
    return MCDL_OK;
}
