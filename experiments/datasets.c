/* Fortunes text classification data (split, tokeniser, vocabulary, encoding) and MNIST-32
 * (datasets.h). */
#define _POSIX_C_SOURCE 200809L
#include "experiments/datasets.h"

#include "experiments/common.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small string -> count/id hash table (open addressing, power-of-two size) ------ */
typedef struct {
    char *word;
    int64_t count;
    int64_t id;
} word_slot;

typedef struct {
    word_slot *slots;
    int64_t cap, used;
} word_table;

static uint64_t hash_word(const char *s) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static word_slot *table_find(word_table *t, const char *w, bool insert) {
    if (insert && 2 * (t->used + 1) > t->cap) {
        word_table n = {calloc((size_t)(t->cap ? 2 * t->cap : 1024), sizeof(word_slot)),
                        t->cap ? 2 * t->cap : 1024, 0};
        if (!n.slots) return NULL;
        for (int64_t i = 0; i < t->cap; i++)
            if (t->slots[i].word) {
                int64_t j = (int64_t)(hash_word(t->slots[i].word) & (uint64_t)(n.cap - 1));
                while (n.slots[j].word) j = (j + 1) & (n.cap - 1);
                n.slots[j] = t->slots[i];
                n.used++;
            }
        free(t->slots);
        *t = n;
    }
    if (!t->cap) return NULL;
    int64_t j = (int64_t)(hash_word(w) & (uint64_t)(t->cap - 1));
    while (t->slots[j].word && strcmp(t->slots[j].word, w) != 0) j = (j + 1) & (t->cap - 1);
    if (t->slots[j].word) return &t->slots[j];
    if (!insert) return NULL;
    t->slots[j].word = strdup(w);
    if (!t->slots[j].word) return NULL;
    t->slots[j].id = EXP_TEXT_OOV;
    t->used++;
    return &t->slots[j];
}

static void table_free(word_table *t) {
    for (int64_t i = 0; i < t->cap; i++) free(t->slots[i].word);
    free(t->slots);
}

/* Calls fn on each lower-cased word of text: letters and digits, with apostrophes kept
 * only between them ("don't" is one word, "'quoted'" is "quoted"). */
static int64_t for_each_word(const char *text, void (*fn)(const char *w, void *u), void *u) {
    char w[128];
    int64_t count = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        while (*p && !isalnum(*p)) p++;
        int n = 0;
        while (*p && (isalnum(*p) || (*p == '\'' && isalnum(p[1]) && n > 0))) {
            if (n < (int)sizeof w - 1) w[n++] = (char)tolower(*p);
            p++;
        }
        if (n > 0) {
            w[n] = 0;
            fn(w, u);
            count++;
        }
    }
    return count;
}

typedef struct {
    word_table *t;
    bool failed;
} count_ctx;
static void count_word(const char *w, void *u) {
    count_ctx *c = u;
    word_slot *s = table_find(c->t, w, true);
    if (s)
        s->count++;
    else
        c->failed = true;
}

static int by_count_then_word(const void *a, const void *b) {
    const word_slot *x = *(const word_slot *const *)a, *y = *(const word_slot *const *)b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->word, y->word);
}

typedef struct {
    word_table *t;
    float *ids; /* maxlen-wide buffer of all the text's ids (grown as needed) */
    int64_t n, cap, oov;
} encode_ctx;
static void encode_word(const char *w, void *u) {
    encode_ctx *c = u;
    word_slot *s = table_find(c->t, w, false);
    int64_t id = s ? s->id : EXP_TEXT_OOV;
    if (id == EXP_TEXT_OOV) c->oov++;
    if (c->n == c->cap) {
        int64_t cap = c->cap ? 2 * c->cap : 256;
        float *g = realloc(c->ids, (size_t)cap * sizeof *g);
        if (!g) return;
        c->ids = g, c->cap = cap;
    }
    c->ids[c->n++] = (float)id;
}

/* Encodes text into row (maxlen floats): the last maxlen tokens, zero-padded in front. */
static bool encode(word_table *t, const char *text, int64_t maxlen, float *row, int64_t *tokens,
                   int64_t *oov, bool *truncated) {
    encode_ctx c = {.t = t};
    for_each_word(text, encode_word, &c);
    memset(row, 0, (size_t)maxlen * sizeof *row);
    int64_t keep = c.n < maxlen ? c.n : maxlen;
    if (keep > 0) memcpy(row + maxlen - keep, c.ids + c.n - keep, (size_t)keep * sizeof *row);
    *tokens += c.n, *oov += c.oov, *truncated = c.n > maxlen;
    free(c.ids);
    return true;
}

mcdl_status exp_text_load_fortunes(const char *const *topics, int n_topics, int64_t vocab,
                                   int64_t maxlen, double test_fraction, uint64_t seed,
                                   exp_text_split *out) {
    *out = (exp_text_split){0};
    if (n_topics < 2 || n_topics > 16) {
        fprintf(stderr, "exp_text_load_fortunes: %d topics (2 to 16 allowed)\n", n_topics);
        return MCDL_ERR_ARG;
    }
    mcdl_text_set *ts = NULL;
    mcdl_status st = mcdl_data_fortunes(topics, n_topics, &ts);
    if (st != MCDL_OK) return st;
    int64_t n = ts->n, *perm = malloc((size_t)n * sizeof *perm);
    if (!perm) {
        mcdl_text_set_destroy(ts);
        return MCDL_ERR_NOMEM;
    }
    /* Fisher-Yates with the Philox stream: the same split on every machine */
    for (int64_t i = 0; i < n; i++) perm[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)mcdl_rng_below(seed, 7, (uint64_t)i, (uint64_t)i + 1);
        int64_t k = perm[i];
        perm[i] = perm[j], perm[j] = k;
    }
    int64_t n_test = (int64_t)((double)n * test_fraction + 0.5), n_train = n - n_test;

    word_table t = {0};
    count_ctx cc = {&t, false};
    for (int64_t i = 0; i < n_train; i++) for_each_word(ts->texts[perm[i]], count_word, &cc);
    word_slot **order = malloc((size_t)(t.used ? t.used : 1) * sizeof *order);
    if (cc.failed || !order) {
        free(order), free(perm), table_free(&t), mcdl_text_set_destroy(ts);
        return MCDL_ERR_NOMEM;
    }
    int64_t k = 0;
    for (int64_t i = 0; i < t.cap; i++)
        if (t.slots[i].word) order[k++] = &t.slots[i];
    qsort(order, (size_t)k, sizeof *order, by_count_then_word);
    for (int64_t i = 0; i < k && i + 2 < vocab; i++) order[i]->id = i + 2;
    out->distinct_words = k;
    out->vocab_used = k + 2 < vocab ? k + 2 : vocab;
    free(order);

    out->n_train = n_train, out->n_test = n_test, out->n_classes = n_topics;
    mcdl_tensor_create(&out->x_train, 2, (int64_t[]){n_train, maxlen});
    mcdl_tensor_create(&out->y_train, 2, (int64_t[]){n_train, 1});
    mcdl_tensor_create(&out->x_test, 2, (int64_t[]){n_test, maxlen});
    mcdl_tensor_create(&out->y_test, 2, (int64_t[]){n_test, 1});
    if (!out->x_train || !out->y_train || !out->x_test || !out->y_test) {
        free(perm), table_free(&t), mcdl_text_set_destroy(ts), exp_text_split_destroy(out);
        return MCDL_ERR_NOMEM;
    }
    int64_t test_tokens = 0, test_oov = 0, trunc = 0, tok_unused = 0, oov_unused = 0;
    for (int64_t i = 0; i < n; i++) {
        const char *text = ts->texts[perm[i]];
        int label = ts->labels[perm[i]];
        bool test = i >= n_train, cut = false;
        int64_t r = test ? i - n_train : i;
        float *row = mcdl_tensor_data(test ? out->x_test : out->x_train) + r * maxlen;
        encode(&t, text, maxlen, row, test ? &test_tokens : &tok_unused,
               test ? &test_oov : &oov_unused, &cut);
        trunc += cut;
        mcdl_tensor_data(test ? out->y_test : out->y_train)[r] = (float)label;
        (test ? out->test_class_count : out->train_class_count)[label]++;
    }
    out->test_oov_fraction = test_tokens ? (double)test_oov / (double)test_tokens : 0;
    out->truncated_fraction = (double)trunc / (double)n;
    free(perm), table_free(&t), mcdl_text_set_destroy(ts);
    return MCDL_OK;
}

void exp_text_split_destroy(exp_text_split *s) {
    mcdl_tensor_destroy(s->x_train), mcdl_tensor_destroy(s->y_train);
    mcdl_tensor_destroy(s->x_test), mcdl_tensor_destroy(s->y_test);
    *s = (exp_text_split){0};
}

static void trim_part(mcdl_tensor **x, mcdl_tensor **y, int64_t *n, int64_t keep, int64_t *count) {
    if (keep >= *n) return;
    mcdl_tensor *xs = exp_rows(*x, 0, keep), *ys = exp_rows(*y, 0, keep);
    if (!xs || !ys) {
        mcdl_tensor_destroy(xs), mcdl_tensor_destroy(ys);
        return;
    }
    mcdl_tensor_destroy(*x), mcdl_tensor_destroy(*y);
    *x = xs, *y = ys, *n = keep;
    memset(count, 0, 16 * sizeof *count);
    for (int64_t i = 0; i < keep; i++) count[(int)mcdl_tensor_data(ys)[i]]++;
}

void exp_text_trim(exp_text_split *s, int64_t n_train, int64_t n_test) {
    trim_part(&s->x_train, &s->y_train, &s->n_train, n_train, s->train_class_count);
    trim_part(&s->x_test, &s->y_test, &s->n_test, n_test, s->test_class_count);
}

double exp_text_majority_accuracy(const exp_text_split *s) {
    int best = 0;
    for (int c = 1; c < s->n_classes; c++)
        if (s->train_class_count[c] > s->train_class_count[best]) best = c;
    return s->n_test ? (double)s->test_class_count[best] / (double)s->n_test : 0;
}

void exp_text_describe(const exp_text_split *s, const char *const *topics) {
    printf("fortunes topics:");
    for (int c = 0; c < s->n_classes; c++)
        printf(" %s (class %d: %lld train, %lld test)", topics[c], c,
               (long long)s->train_class_count[c], (long long)s->test_class_count[c]);
    printf("\nvocabulary: %lld distinct training words, %lld ids in use (pad 0, OOV 1); "
           "test OOV tokens %.1f%%, texts truncated %.1f%%\n",
           (long long)s->distinct_words, (long long)s->vocab_used, 100.0 * s->test_oov_fraction,
           100.0 * s->truncated_fraction);
}

double exp_binary_accuracy(const mcdl_tensor *p, const mcdl_tensor *y) {
    int64_t n = mcdl_tensor_dim(y, 0), hit = 0;
    for (int64_t i = 0; i < n; i++)
        hit += (mcdl_tensor_data(p)[i] >= 0.5f) == (mcdl_tensor_data(y)[i] >= 0.5f);
    return n ? (double)hit / (double)n : 0;
}

mcdl_status exp_mnist32(bool train, int64_t limit, mcdl_tensor **x, mcdl_tensor **y) {
    *x = *y = NULL;
    mcdl_tensor *x28 = NULL;
    mcdl_status st = mcdl_data_mnist(train, &x28, y);
    if (st != MCDL_OK) return st;
    int64_t n = mcdl_tensor_dim(x28, 0);
    if (limit > 0 && limit < n) {
        mcdl_tensor *ys = exp_rows(*y, 0, limit);
        mcdl_tensor_destroy(*y);
        *y = ys, n = limit;
    }
    st = *y ? mcdl_tensor_create(x, 4, (int64_t[]){n, 32, 32, 3}) : MCDL_ERR_NOMEM;
    if (st != MCDL_OK) {
        mcdl_tensor_destroy(x28), mcdl_tensor_destroy(*y);
        *y = NULL;
        return st;
    }
    const float *src = mcdl_tensor_data(x28);
    float *dst = mcdl_tensor_data(*x); /* zeroed by create: the 2-pixel border stays 0 */
    for (int64_t i = 0; i < n; i++)
        for (int r = 0; r < 28; r++)
            for (int c = 0; c < 28; c++) {
                float v = src[(i * 28 + r) * 28 + c];
                float *px = dst + ((i * 32 + r + 2) * 32 + c + 2) * 3;
                px[0] = px[1] = px[2] = v;
            }
    mcdl_tensor_destroy(x28);
    return MCDL_OK;
}

double exp_class_accuracy(const mcdl_tensor *p, const mcdl_tensor *y) {
    int64_t n = mcdl_tensor_dim(p, 0), k = mcdl_tensor_dim(p, 1), hit = 0;
    for (int64_t i = 0; i < n; i++) {
        const float *row = mcdl_tensor_data(p) + i * k;
        int64_t best = 0;
        for (int64_t j = 1; j < k; j++)
            if (row[j] > row[best]) best = j;
        hit += best == (int64_t)mcdl_tensor_data(y)[i];
    }
    return n ? (double)hit / (double)n : 0;
}

double exp_majority_accuracy(const mcdl_tensor *y_train, const mcdl_tensor *y_test) {
    int64_t count[16] = {0}, best = 0, n = mcdl_tensor_dim(y_test, 0), hit = 0;
    for (int64_t i = 0; i < mcdl_tensor_dim(y_train, 0); i++) {
        int c = (int)mcdl_tensor_data(y_train)[i];
        if (c >= 0 && c < 16) count[c]++;
    }
    for (int c = 1; c < 16; c++)
        if (count[c] > count[best]) best = c;
    for (int64_t i = 0; i < n; i++) hit += (int64_t)mcdl_tensor_data(y_test)[i] == best;
    return n ? (double)hit / (double)n : 0;
}

int exp_mnist32_run(const exp_args *a, mcdl_model *m, const char *name, int64_t train_digits,
                    int64_t batch_size, int epochs, float learning_rate, const char *seed_note) {
    mcdl_tensor *xtr = NULL, *ytr = NULL, *xte = NULL, *yte = NULL;
    if (exp_mnist32(true, a->smoke ? 128 : train_digits, &xtr, &ytr) != MCDL_OK ||
        exp_mnist32(false, a->smoke ? 32 : 0, &xte, &yte) != MCDL_OK) {
        mcdl_tensor_destroy(xtr), mcdl_tensor_destroy(ytr);
        return exp_missing_data("data/mnist/*.npy");
    }
    printf("MNIST-32 (MNIST padded to 32x32, 3 channels): %lld train, %lld held out\n",
           (long long)mcdl_tensor_dim(xtr, 0), (long long)mcdl_tensor_dim(xte, 0));
    int rc = 1;
    double secs = 0;
    mcdl_tensor *p = NULL;
    if (exp_ok(mcdl_model_compile(
                   m, &(mcdl_compile_opts){.loss = MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                           .optimizer = {.learning_rate = learning_rate},
                                           .metrics = MCDL_METRIC_ACCURACY}),
               "compile")) {
        mcdl_fit_opts fo = {.epochs = epochs,
                            .batch_size = batch_size,
                            .seed = 1,
                            .validation_x = (const mcdl_tensor *const[]){xte},
                            .validation_y = (const mcdl_tensor *const[]){yte}};
        rc = exp_fit(a, name, m, 1, &xtr, 1, &ytr, &fo, &secs);
    }
    if (rc == 0 && exp_ok(mcdl_model_predict(m, 1, (const mcdl_tensor *const[]){xte},
                                             &(mcdl_predict_opts){.batch_size = 64}, 1, &p),
                          "predict")) {
        printf("%s: test accuracy %.4f on %lld held-out MNIST-32 digits, majority class %.4f "
               "(%s), %d epochs, Adam lr %g, train %.1f s\n",
               name, exp_class_accuracy(p, yte), (long long)mcdl_tensor_dim(xte, 0),
               exp_majority_accuracy(ytr, yte), seed_note, epochs,
               learning_rate > 0 ? learning_rate : 0.001, secs);
        if (mcdl_tensor_dim(p, 1) != 10) rc = 1;
    }
    mcdl_tensor_destroy(p), mcdl_tensor_destroy(xtr), mcdl_tensor_destroy(ytr),
        mcdl_tensor_destroy(xte), mcdl_tensor_destroy(yte);
    return rc;
}
