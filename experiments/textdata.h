/* Text classification data for the text seeds (transformer, imdb_lstm) from the fortunes
 * corpus: a fixed seeded train/test split, a word tokeniser and a vocabulary built on the
 * training texts only (Keras Tokenizer(num_words) + pad_sequences conventions). */
#ifndef MCDL_EXPERIMENTS_TEXTDATA_H
#define MCDL_EXPERIMENTS_TEXTDATA_H

#include <stdint.h>

#include "mcdl/mcdl.h"

/** Token ids: 0 = padding, 1 = out-of-vocabulary, 2 .. vocab-1 = the training texts'
 *  (vocab - 2) most frequent words, most frequent first (ties by spelling). */
enum { EXP_TEXT_PAD = 0, EXP_TEXT_OOV = 1 };

typedef struct {
    mcdl_tensor *x_train, *y_train; /**< (n, maxlen) token ids as floats, (n, 1) class ids */
    mcdl_tensor *x_test, *y_test;
    int64_t n_train, n_test;
    int64_t distinct_words;    /**< distinct words in the training texts */
    int64_t vocab_used;        /**< ids in use: min(vocab, distinct_words + 2) */
    double test_oov_fraction;  /**< share of the test texts' tokens that map to OOV */
    double truncated_fraction; /**< share of texts longer than maxlen (their start is cut) */
    int64_t train_class_count[16], test_class_count[16];
    int n_classes;
} exp_text_split;

/** Loads the fortunes quotes of the given topics (class i = topics[i], at most 16),
 *  shuffles them with a fixed seed, holds out the last test_fraction, builds the vocabulary
 *  on the training part, and encodes every text: lower-cased words of letters, digits and
 *  inner apostrophes, padded and truncated at the front to maxlen (Keras' 'pre' default).
 *  Returns MCDL_ERR_IO when the corpus is missing (the caller reports it, exit 77). */
mcdl_status exp_text_load_fortunes(const char *const *topics, int n_topics, int64_t vocab,
                                   int64_t maxlen, double test_fraction, uint64_t seed,
                                   exp_text_split *out);
void exp_text_split_destroy(exp_text_split *s);

/** Keeps the first n_train training and n_test test texts (smoke runs), recounting the
 *  classes. Larger counts keep everything. */
void exp_text_trim(exp_text_split *s, int64_t n_train, int64_t n_test);

/** Majority-class accuracy on the test part: the training part's most common class,
 *  scored on the test labels. */
double exp_text_majority_accuracy(const exp_text_split *s);

/** Prints the split: sizes per class, vocabulary, OOV and truncation shares. */
void exp_text_describe(const exp_text_split *s, const char *const *topics);

/** Binary accuracy of sigmoid outputs p (n, 1) against 0/1 labels y (threshold 0.5). */
double exp_binary_accuracy(const mcdl_tensor *p, const mcdl_tensor *y);

#endif
