/* Data the seeds need prepared from the fetched sets: text classification from the fortunes
 * corpus for the text seeds (transformer, imdb_lstm) -- a fixed seeded train/test split, a
 * word tokeniser and a vocabulary built on the training texts only (Keras
 * Tokenizer(num_words) + pad_sequences conventions) -- and 'MNIST-32', the MNIST digits in
 * CIFAR's shape for the CIFAR seeds (resnet, cifar_cnn). */
#ifndef MCDL_EXPERIMENTS_DATASETS_H
#define MCDL_EXPERIMENTS_DATASETS_H

#include <stdint.h>

#include "experiments/common.h"
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

/** MNIST-32: the MNIST digits of mcdl_data_mnist (train 8,000 / held-out 2,000) zero-padded
 *  by 2 pixels on each side to 32x32 and repeated over 3 channels: x (N, 32, 32, 3) in
 *  [0, 1], y (N,) class ids. limit > 0 keeps the first limit digits (smoke runs). */
mcdl_status exp_mnist32(bool train, int64_t limit, mcdl_tensor **x, mcdl_tensor **y);

/** Compiles a 10-class model (Adam with learning_rate, 0 = Keras' 0.001; sparse
 *  categorical crossentropy; accuracy), trains it on MNIST-32 with the held-out digits as
 *  validation data, then prints its test accuracy beside the majority class and
 *  seed_note. train_digits > 0 trains on the first train_digits of the 8,000 only. Smoke
 *  runs use 128 / 32 digits.
 *  Returns 0, 77 when MNIST is missing, 1 on a failure. */
int exp_mnist32_run(const exp_args *a, mcdl_model *m, const char *name, int64_t train_digits,
                    int64_t batch_size, int epochs, float learning_rate, const char *seed_note);

/** Accuracy of class scores p (n, classes) against class ids y (n) or (n, 1). */
double exp_class_accuracy(const mcdl_tensor *p, const mcdl_tensor *y);

/** Majority-class accuracy: the most common class of y_train (ids below 16), scored on
 *  y_test. */
double exp_majority_accuracy(const mcdl_tensor *y_train, const mcdl_tensor *y_test);

#endif
