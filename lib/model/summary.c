/* model.summary(): the table tf.keras 2.15 prints (the seeds' form: columns at 45/85/100%
 * of 65 characters for Sequential, 33/55/67/100% of 98 with "Connected to" for functional
 * models), with Keras 3's thousands separators and byte sizes in the totals. */
#include <stdio.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/model_internal.h"

static void commas(char *buf, size_t n, int64_t v) {
    char raw[32];
    snprintf(raw, sizeof raw, "%lld", (long long)v);
    const size_t len = strlen(raw);
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < n; i++) {
        if (i > 0 && (len - i) % 3 == 0 && raw[0] != '-') buf[o++] = ',';
        if (o + 1 < n) buf[o++] = raw[i];
    }
    buf[o] = '\0';
}

/* Keras 3 readable_memory_size: 1024-based units with two decimals. */
static void mem_size(char *buf, size_t n, double bytes) {
    const char *units[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 4) {
        bytes /= 1024.0;
        u++;
    }
    snprintf(buf, n, "%.2f %s", bytes, units[u]);
}

/* One table row as tf.keras prints it: field 0 starts at column 1, field i > 0 at
 * column pos[i-1], each cut to leave at least one space before the next. */
static void row(FILE *f, int ncols, const int *pos, const char *const *fields) {
    char line[256];
    const int L = pos[ncols - 1];
    memset(line, ' ', (size_t)L);
    line[L] = '\0';
    for (int i = 0; i < ncols; i++) {
        const int start = i == 0 ? 1 : pos[i - 1];
        const int stop = i + 1 < ncols ? pos[i] - 1 : L;
        int len = (int)strlen(fields[i]);
        if (len > stop - start) len = stop - start;
        if (len > 0) memcpy(line + start, fields[i], (size_t)len);
    }
    fprintf(f, "%s\n", line);
}

static void rule(FILE *f, char c, int n) {
    for (int i = 0; i < n; i++) fputc(c, f);
    fputc('\n', f);
}

/* Calls of l that belong to the model. */
static int model_calls(const mcdl_model *m, const mcdl_layer *l, int *first) {
    int k = 0;
    *first = -1;
    for (int s = 0; s < m->n_steps; s++)
        if (m->steps[s].layer == l) {
            if (*first < 0) *first = m->steps[s].call;
            k++;
        }
    return k;
}

mcdl_status mcdl_model_summary(const mcdl_model *cm, FILE *f) {
    if (!cm || !f) return mcdl_error(MCDL_ERR_ARG, "mcdl_model_summary: NULL argument");
    mcdl_model *m = (mcdl_model *)cm;
    MCDL_TRY(mcdl_model_build(m));
    const bool seq = m->sequential;
    const int L = seq ? 65 : 98;
    const int pos_seq[] = {29, 55, 65}, pos_fn[] = {32, 53, 65, 98};
    const int *pos = seq ? pos_seq : pos_fn;
    const int nc = seq ? 3 : 4;
    fprintf(f, "Model: \"%s\"\n", m->name);
    rule(f, '_', L);
    const char *hdr[] = {"Layer (type)", "Output Shape", "Param #", "Connected to"};
    row(f, nc, pos, hdr);
    rule(f, '=', L);
    char blank[128];
    memset(blank, ' ', (size_t)L);
    blank[L] = '\0';
    for (int i = 0; i < m->n_layers; i++) {
        const mcdl_layer *l = m->layers[i];
        const bool is_in = mcdl_layer_is_input(l);
        if (seq && is_in) continue;
        char name[160], shape[160], params[32], conn[160];
        snprintf(name, sizeof name, "%s (%s)", l->name, l->cls->class_name);
        int first;
        const int ncalls = model_calls(m, l, &first);
        const mcdl_layer_call *c = &l->calls[first];
        if (ncalls > 1 || c->n_out > 1) {
            snprintf(shape, sizeof shape, "multiple");
        } else {
            char s[140];
            mcdl_shape_keras_str(&c->out[0]->shape, s, sizeof s);
            if (is_in)
                snprintf(shape, sizeof shape, "[%s]", s);
            else
                snprintf(shape, sizeof shape, "%s", s);
        }
        commas(params, sizeof params, mcdl_layer_count_params(l));
        /* connected to: every input of every call of the layer in this model */
        int printed = 0;
        for (int s = 0; s < m->n_steps || (!seq && printed == 0); s++) {
            if (s >= m->n_steps) {
                const char *fields[] = {name, shape, params, is_in ? "[]" : ""};
                row(f, nc, pos, fields);
                printed++;
                break;
            }
            if (m->steps[s].layer != l) continue;
            const mcdl_layer_call *cc = &l->calls[m->steps[s].call];
            if (seq) {
                const char *fields[] = {name, shape, params};
                row(f, nc, pos, fields);
                printed++;
                break;
            }
            for (int k = 0; k < cc->n_in; k++) {
                const mcdl_node *in = cc->in[k];
                snprintf(conn, sizeof conn, "%s[%d][%d]%s", in->layer->name, in->call, in->tensor,
                         k + 1 < cc->n_in ? "," : "");
                if (printed == 0) {
                    const char *fields[] = {name, shape, params, conn};
                    row(f, nc, pos, fields);
                } else {
                    const char *fields[] = {"", "", "", conn};
                    row(f, nc, pos, fields);
                }
                printed++;
            }
        }
        fprintf(f, "%s\n", blank);
    }
    rule(f, '=', L);
    int64_t total, trainable, frozen;
    mcdl_model_count_params(m, &total, &trainable, &frozen);
    char n1[32], b1[32];
    commas(n1, sizeof n1, total);
    mem_size(b1, sizeof b1, 4.0 * (double)total);
    fprintf(f, "Total params: %s (%s)\n", n1, b1);
    commas(n1, sizeof n1, trainable);
    mem_size(b1, sizeof b1, 4.0 * (double)trainable);
    fprintf(f, "Trainable params: %s (%s)\n", n1, b1);
    commas(n1, sizeof n1, frozen);
    mem_size(b1, sizeof b1, 4.0 * (double)frozen);
    fprintf(f, "Non-trainable params: %s (%s)\n", n1, b1);
    rule(f, '_', L);
    return MCDL_OK;
}
