/* mcdl: many-core deep learning in C11. Umbrella header: include this one.
 *
 * Worked example: seed 000's feed-forward network, written as it reads in Keras.
 *
 *     #include <mcdl/mcdl.h>
 *     #include <stdio.h>
 *
 *     int main(void) {
 *         mcdl_graph *g;
 *         if (mcdl_graph_create(&g, 42) != MCDL_OK) return 1;          // seed of the weights
 *         mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {20}});
 *         mcdl_node *h = mcdl_dense(g, x, &(mcdl_dense_opts){.units = 64, .activation =
 * MCDL_RELU}); h = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 32, .activation = MCDL_RELU});
 *         mcdl_node *y = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 1, .activation =
 * MCDL_SIGMOID}); mcdl_model *m; mcdl_status s = mcdl_model_create(&m, g, 1, &x, 1, &y, "ffnn"); //
 * checks the graph mcdl_graph_destroy(g);                                  // the model keeps it
 * alive if (s != MCDL_OK) { fprintf(stderr, "%s\n", mcdl_last_error()); return 1; }
 *         mcdl_model_summary(m, stdout);                          // Total params: 3,457 (13.50 KB)
 *         s = mcdl_model_compile(m, &(mcdl_compile_opts){.loss = MCDL_LOSS_BINARY_CROSSENTROPY,
 *                                                        .metrics = MCDL_METRIC_ACCURACY});
 *         mcdl_tensor *X, *Y;                                     // 1000 samples
 *         mcdl_tensor_create(&X, 2, (int64_t[]){1000, 20});
 *         mcdl_tensor_create(&Y, 2, (int64_t[]){1000, 1});
 *         mcdl_rng_fill_uniform(1, 0, 0, mcdl_tensor_data(X), 1000 * 20, 0.0f, 1.0f);
 *         for (int i = 0; i < 1000; i++) mcdl_tensor_data(Y)[i] = (float)(i % 2);
 *         mcdl_history *h10;
 *         if (s == MCDL_OK)
 *             s = mcdl_model_fit(m, 1, (const mcdl_tensor *const[]){X}, 1,
 *                                (const mcdl_tensor *const[]){Y},
 *                                &(mcdl_fit_opts){.epochs = 10, .validation_split = 0.2f,
 *                                                 .verbose = 1}, &h10);
 *         if (s != MCDL_OK) fprintf(stderr, "%s\n", mcdl_last_error());
 *         else printf("last val_loss %.4f\n", mcdl_history_values(h10, "val_loss")[9]);
 *         mcdl_history_destroy(s == MCDL_OK ? h10 : NULL);
 *         mcdl_tensor_destroy(X); mcdl_tensor_destroy(Y); mcdl_model_destroy(m);
 *         return s == MCDL_OK ? 0 : 1;
 *     }
 *
 * Headers: status.h (status codes, mcdl_last_error), runtime.h (threads, ISA path),
 * tensor.h, rng.h, gemm.h (mcdl_sgemm), graph.h (nodes, layers, configs, weights),
 * layers.h (core layers), conv.h (convolution, pooling, batch norm), attention.h
 * (attention, embedding, layer norm), model.h (models, training, summary), npy.h
 * (.npy/.npz), data.h (CSV, IDX, PNG, data sets), files.h (Keras JSON, weights .npz,
 * .mcdl model files). Every fallible call returns mcdl_status; on failure
 * mcdl_last_error() names what was wrong. The library never exits or aborts on bad
 * input. */
#ifndef MCDL_MCDL_H
#define MCDL_MCDL_H

#include "mcdl/version.h"
#include "mcdl/status.h"
#include "mcdl/runtime.h"
#include "mcdl/tensor.h"
#include "mcdl/rng.h"
#include "mcdl/gemm.h"
#include "mcdl/graph.h"
#include "mcdl/layers.h"
#include "mcdl/model.h"
#include "mcdl/conv.h"
#include "mcdl/attention.h"
#include "mcdl/npy.h"
#include "mcdl/data.h"
#include "mcdl/files.h"
#include "mcdl/rnn.h"
#include "mcdl/zoo.h"

#endif
