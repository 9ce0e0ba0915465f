/* Recurrent layers: parameter counts and output shapes of every recurrent seed model
 * (SEED_MODELS.md), Keras weight paths, finite-difference gradient checks through the
 * layers for every cell and option (a Dense in front checks the input gradient; extra
 * Inputs through Dense layers check initial-state gradients), and the bad-input errors. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "gradcheck.h"
#include "lib/model/rnn_layers.h"

#define EPS 1e-3f
#define TOL 2e-2

static mcdl_node *in2(mcdl_graph *g, int64_t t, int64_t f) {
    return mcdl_input(g, &(mcdl_input_opts){.shape = {t, f}});
}
static mcdl_node *dense(mcdl_graph *g, mcdl_node *x, int64_t u, mcdl_activation_id a) {
    return mcdl_dense(g, x, &(mcdl_dense_opts){.units = u, .activation = a});
}

static void expect_params(mcdl_graph *g, mcdl_node *x, mcdl_node *y, const char *what,
                          int64_t want) {
    mcdl_model *m = NULL;
    mcdl_status s = mcdl_model_create(&m, g, 1, &x, 1, &y, "m");
    CHECK(s == MCDL_OK, "%s: model: %s", what, mcdl_last_error());
    mcdl_graph_destroy(g);
    if (!m) return;
    int64_t t;
    mcdl_model_count_params(m, &t, NULL, NULL);
    CHECK(t == want, "%s: %lld params, want %lld", what, (long long)t, (long long)want);
    mcdl_model_destroy(m);
}

static void check_shape(mcdl_node *n, int rank, int64_t d0, int64_t d1, const char *what) {
    int64_t s[MCDL_MAX_RANK] = {0};
    const int r = n ? mcdl_node_shape(n, s) : -1;
    CHECK(r == rank && s[0] == d0 && (rank < 2 || s[1] == d1), "%s: shape rank %d (%lld, %lld)",
          what, r, (long long)s[0], (long long)s[1]);
}

static void test_seed_models(void) {
    mcdl_graph *g;
    mcdl_node *x, *h;
    const mcdl_rnn_opts u64 = {.units = 64}, u32 = {.units = 32};
    /* simplernn / lstm / gru (000): (10, 8) -> RNN 64 -> Dense 16 relu -> Dense 3 softmax */
    const int64_t want000[3] = {5763, 19779, 15299};
    for (int k = 0; k < 3; k++) {
        mcdl_graph_create(&g, 1);
        x = in2(g, 10, 8);
        h = k == 0   ? mcdl_simple_rnn(g, x, &u64)
            : k == 1 ? mcdl_lstm(g, x, &u64)
                     : mcdl_gru(g, x, &u64);
        check_shape(h, 1, 64, 0, "rnn 64 output");
        h = dense(g, dense(g, h, 16, MCDL_RELU), 3, MCDL_SOFTMAX);
        expect_params(g, x, h, k == 0 ? "simplernn" : k == 1 ? "lstm" : "gru", want000[k]);
    }
    /* birnn: Bidirectional(SimpleRNN 64) -> Dense 16 -> Dense 3 */
    mcdl_graph_create(&g, 2);
    x = in2(g, 10, 8);
    h = mcdl_bidirectional(g, x,
                           &(mcdl_bidirectional_opts){.cell = MCDL_CELL_SIMPLE_RNN, .layer = u64});
    check_shape(h, 1, 128, 0, "birnn concat");
    expect_params(g, x, dense(g, dense(g, h, 16, MCDL_RELU), 3, MCDL_SOFTMAX), "birnn", 11459);
    /* nested_rnn: SimpleRNN 64 (sequences) -> SimpleRNN 32 -> Dense 16 -> Dense 3 */
    mcdl_graph_create(&g, 3);
    x = in2(g, 10, 8);
    h = mcdl_simple_rnn(g, x, &(mcdl_rnn_opts){.units = 64, .return_sequences = true});
    check_shape(h, 2, 10, 64, "return_sequences");
    h = mcdl_simple_rnn(g, h, &u32);
    expect_params(g, x, dense(g, dense(g, h, 16, MCDL_RELU), 3, MCDL_SOFTMAX), "nested_rnn", 8355);
    /* seed 001, (10, 1): SimpleRNN 32, stacked SimpleRNN 32, LSTM 32, GRU 32, then Dense 1 */
    mcdl_graph_create(&g, 4);
    x = in2(g, 10, 1);
    expect_params(g, x, dense(g, mcdl_simple_rnn(g, x, &u32), 1, MCDL_SIGMOID), "rnn_1feat", 1121);
    mcdl_graph_create(&g, 5);
    x = in2(g, 10, 1);
    h = mcdl_simple_rnn(g, x, &(mcdl_rnn_opts){.units = 32, .return_sequences = true});
    expect_params(g, x, dense(g, mcdl_simple_rnn(g, h, &u32), 1, MCDL_SIGMOID), "stacked_rnn_1feat",
                  3201);
    mcdl_graph_create(&g, 6);
    x = in2(g, 10, 1);
    expect_params(g, x, dense(g, mcdl_lstm(g, x, &u32), 1, MCDL_SIGMOID), "lstm_1feat", 4385);
    mcdl_graph_create(&g, 7);
    x = in2(g, 10, 1);
    expect_params(g, x, dense(g, mcdl_gru(g, x, &u32), 1, MCDL_SIGMOID), "gru_1feat", 3393);
    /* timedistributed: TimeDistributed(Dense 16 relu) -> LSTM 32 -> Dense 1 */
    mcdl_graph_create(&g, 8);
    x = in2(g, 10, 8);
    h = mcdl_time_distributed(
        g, x, &(mcdl_time_distributed_opts){.dense = {.units = 16, .activation = MCDL_RELU}});
    check_shape(h, 2, 10, 16, "time_distributed");
    expect_params(g, x, dense(g, mcdl_lstm(g, h, &u32), 1, MCDL_LINEAR), "timedistributed", 6449);
    /* imdb_lstm (100, 1): LSTM 50 -> Dense 1 */
    mcdl_graph_create(&g, 9);
    x = in2(g, 100, 1);
    expect_params(g, x, dense(g, mcdl_lstm(g, x, &(mcdl_rnn_opts){.units = 50}), 1, MCDL_SIGMOID),
                  "imdb_lstm", 10451);
    /* lstm_classifier (20, 5): LSTM 64 -> Dense 10 softmax */
    mcdl_graph_create(&g, 10);
    x = in2(g, 20, 5);
    expect_params(g, x, dense(g, mcdl_lstm(g, x, &u64), 10, MCDL_SOFTMAX), "lstm_classifier",
                  18570);
    /* lstm_forecast (20, 1): LSTM 64 -> Dense 32 -> Dense 1 */
    mcdl_graph_create(&g, 11);
    x = in2(g, 20, 1);
    expect_params(g, x, dense(g, dense(g, mcdl_lstm(g, x, &u64), 32, MCDL_RELU), 1, MCDL_LINEAR),
                  "lstm_forecast", 19009);
    /* stacked_lstm_forecast (30, 3): LSTM 64 (sequences) -> LSTM 64 -> Dense 32 -> Dense 1 */
    mcdl_graph_create(&g, 12);
    x = in2(g, 30, 3);
    h = mcdl_lstm(g, x, &(mcdl_rnn_opts){.units = 64, .return_sequences = true});
    h = mcdl_lstm(g, h, &u64);
    expect_params(g, x, dense(g, dense(g, h, 32, MCDL_RELU), 1, MCDL_LINEAR),
                  "stacked_lstm_forecast", 52545);
}

static void test_weight_names(void) {
    mcdl_graph *g;
    mcdl_graph_create(&g, 1);
    mcdl_node *x = in2(g, 5, 3);
    mcdl_node *h = mcdl_lstm(g, x, &(mcdl_rnn_opts){.units = 4, .return_sequences = true});
    h = mcdl_gru(g, h, &(mcdl_rnn_opts){.units = 4, .return_sequences = true});
    h = mcdl_bidirectional(
        g, h, &(mcdl_bidirectional_opts){.cell = MCDL_CELL_LSTM, .layer = {.units = 2}});
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_model_create(&m, g, 1, &x, 1, &h, "m"));
    mcdl_graph_destroy(g);
    if (!m) return;
    static const char *const want[] = {"lstm/lstm_cell/kernel",
                                       "lstm/lstm_cell/recurrent_kernel",
                                       "lstm/lstm_cell/bias",
                                       "gru/gru_cell/kernel",
                                       "gru/gru_cell/recurrent_kernel",
                                       "gru/gru_cell/bias",
                                       "bidirectional/forward_lstm/lstm_cell/kernel",
                                       "bidirectional/forward_lstm/lstm_cell/recurrent_kernel",
                                       "bidirectional/forward_lstm/lstm_cell/bias",
                                       "bidirectional/backward_lstm/lstm_cell/kernel"};
    const int n = mcdl_model_num_weights(m);
    CHECK(n == 12, "weights: %d, want 12", n);
    for (int i = 0; i < n && i < 10; i++) {
        mcdl_weight_info w;
        CHECK_OK(mcdl_model_weight(m, i, &w));
        CHECK(!strcmp(w.path, want[i]), "weight %d path %s, want %s", i, w.path, want[i]);
        if (i == 5) CHECK(w.value && mcdl_tensor_rank(w.value) == 2, "GRU bias is (2, 3u)");
    }
    /* unit_forget_bias: the LSTM forget block starts at 1 */
    mcdl_weight_info b;
    CHECK_OK(mcdl_model_weight(m, 2, &b));
    const float *bd = mcdl_tensor_data(b.value);
    CHECK(bd[0] == 0.0f && bd[4] == 1.0f && bd[7] == 1.0f && bd[8] == 0.0f,
          "unit_forget_bias %g %g %g", bd[0], bd[4], bd[8]);
    mcdl_model_destroy(m);
}

static void gc(mcdl_graph *g, int n_in, mcdl_node **in, int n_out, mcdl_node **out,
               const char *what) {
    mcdl_model *m = NULL;
    mcdl_status s = mcdl_model_create(&m, g, n_in, in, n_out, out, "gc");
    CHECK(s == MCDL_OK, "%s: model: %s", what, mcdl_last_error());
    mcdl_graph_destroy(g);
    if (!m) return;
    const double err = gradcheck_model(m, 3, 17, EPS);
    CHECK(err < TOL, "%s: gradient check relative error %.3g", what, err);
    mcdl_model_destroy(m);
}

static mcdl_node *cell_call(mcdl_graph *g, int cell, mcdl_node *x, const mcdl_rnn_opts *o) {
    return cell == 0   ? mcdl_simple_rnn(g, x, o)
           : cell == 1 ? mcdl_lstm(g, x, o)
                       : mcdl_gru(g, x, o);
}

static void test_gradients(void) {
    for (int cell = 0; cell < 4; cell++) { /* 3 = GRU reset_after=False */
        /* opt 4, 5: recurrent dropout (with input dropout and sequences / go_backwards) */
        for (int opt = 0; opt < 6; opt++) {
            mcdl_graph *g;
            mcdl_graph_create(&g, 40 + (uint64_t)opt);
            mcdl_node *x = in2(g, 4, 3);
            mcdl_node *h = dense(g, x, 5, MCDL_TANH);
            const bool seq = opt == 1 || opt == 3 || opt == 4,
                       back = opt == 2 || opt == 3 || opt == 5;
            mcdl_rnn_opts o = {.units = 6,
                               .return_sequences = seq,
                               .go_backwards = back,
                               .no_reset_after = cell == 3,
                               .no_bias = opt == 3,
                               .dropout = opt == 2 || opt == 4 ? 0.3f : 0,
                               .recurrent_dropout = opt >= 4 ? 0.4f : 0};
            mcdl_node *y = cell_call(g, cell < 3 ? cell : 2, h, &o);
            char what[96];
            snprintf(what, sizeof what, "cell %d seq %d back %d bias %d dropout %g/%g", cell, seq,
                     back, opt != 3, (double)o.dropout, (double)o.recurrent_dropout);
            gc(g, 1, &x, 1, &y, what);
        }
        /* return_state and initial_state (states through Dense layers from a second input) */
        mcdl_graph *g;
        mcdl_graph_create(&g, 60 + (uint64_t)cell);
        mcdl_node *ins[2] = {in2(g, 3, 2), mcdl_input(g, &(mcdl_input_opts){.shape = {4}})};
        const int c = cell < 3 ? cell : 2, ns = c == 1 ? 2 : 1;
        mcdl_rnn_opts o = {.units = 5,
                           .return_state = true,
                           .return_sequences = true,
                           .no_reset_after = cell == 3};
        mcdl_layer *l = c == 0   ? mcdl_simple_rnn_layer(g, &o)
                        : c == 1 ? mcdl_lstm_layer(g, &o)
                                 : mcdl_gru_layer(g, &o);
        mcdl_node *call_in[3] = {dense(g, ins[0], 3, MCDL_LINEAR), dense(g, ins[1], 5, MCDL_TANH),
                                 dense(g, ins[1], 5, MCDL_LINEAR)};
        mcdl_node *outs[3] = {NULL, NULL, NULL};
        CHECK_OK(mcdl_call_multi(l, 1 + ns, call_in, 1 + ns, outs));
        char what[64];
        snprintf(what, sizeof what, "cell %d return_state + initial_state", cell);
        gc(g, 2, ins, 1 + ns, outs, what);
    }
    /* Bidirectional with initial_state (forward states, then backward ones; states through
     * Dense layers from a second input, so their gradients are checked too) */
    for (int c = 1; c <= 2; c++) {
        mcdl_graph *g;
        mcdl_graph_create(&g, 90 + (uint64_t)c);
        mcdl_node *ins[2] = {in2(g, 3, 2), mcdl_input(g, &(mcdl_input_opts){.shape = {4}})};
        const int ns = c == 1 ? 2 : 1;
        mcdl_layer *l = mcdl_bidirectional_layer(
            g, &(mcdl_bidirectional_opts){.cell = (mcdl_cell_kind)c,
                                          .layer = {.units = 5, .return_sequences = c == 2}});
        mcdl_node *call_in[5] = {dense(g, ins[0], 3, MCDL_LINEAR)};
        for (int k = 0; k < 2 * ns; k++)
            call_in[1 + k] = dense(g, ins[1], 5, k % 2 ? MCDL_LINEAR : MCDL_TANH);
        mcdl_node *out = NULL;
        CHECK_OK(mcdl_call_multi(l, 1 + 2 * ns, call_in, 1, &out));
        char what[64];
        snprintf(what, sizeof what, "bidirectional cell %d initial_state", c);
        gc(g, 2, ins, 1, &out, what);
    }
    {
        mcdl_graph *g;
        mcdl_graph_create(&g, 95);
        mcdl_node *x = in2(g, 3, 2), *h0 = mcdl_input(g, &(mcdl_input_opts){.shape = {5}});
        mcdl_layer *l = mcdl_bidirectional_layer(
            g, &(mcdl_bidirectional_opts){
                   .cell = MCDL_CELL_LSTM, .layer = {.units = 5}, .name = "bi"});
        mcdl_node *out = NULL;
        CHECK_STATUS(mcdl_call_multi(l, 3, (mcdl_node *[]){x, h0, h0}, 1, &out), MCDL_ERR_SHAPE);
        CHECK(strstr(mcdl_last_error(), "'bi'") && strstr(mcdl_last_error(), "needs 4 tensors"),
              "Bidirectional initial_state count: %s", mcdl_last_error());
        mcdl_graph_destroy(g);
    }
    /* Bidirectional with input and recurrent dropout (each direction draws its own masks) */
    for (int c = 0; c <= 2; c++) {
        mcdl_graph *g;
        mcdl_graph_create(&g, 70 + (uint64_t)c);
        mcdl_node *x = in2(g, 4, 3);
        mcdl_node *y = mcdl_bidirectional(
            g, dense(g, x, 4, MCDL_TANH),
            &(mcdl_bidirectional_opts){.cell = (mcdl_cell_kind)c,
                                       .layer = {.units = 5,
                                                 .return_sequences = c == 1,
                                                 .dropout = 0.3f,
                                                 .recurrent_dropout = 0.4f},
                                       .merge_mode = c == 2 ? MCDL_MERGE_SUM : MCDL_MERGE_CONCAT});
        char what[64];
        snprintf(what, sizeof what, "bidirectional cell %d dropout + recurrent_dropout", c);
        gc(g, 1, &x, 1, &y, what);
    }
    /* Bidirectional, every merge mode, with and without sequences */
    for (int mode = 0; mode <= MCDL_MERGE_NONE; mode++) {
        for (int seq = 0; seq < 2; seq++) {
            mcdl_graph *g;
            mcdl_graph_create(&g, 80 + (uint64_t)mode);
            mcdl_node *x = in2(g, 4, 3);
            mcdl_layer *l = mcdl_bidirectional_layer(
                g, &(mcdl_bidirectional_opts){
                       .cell = (mcdl_cell_kind)(mode % 3),
                       .layer = {.units = 4, .return_sequences = seq, .return_state = mode == 1},
                       .merge_mode = (mcdl_merge_mode)mode});
            mcdl_node *hx = dense(g, x, 3, MCDL_TANH);
            mcdl_node *outs[8] = {NULL};
            const int n_out =
                (mode == MCDL_MERGE_NONE ? 2 : 1) + (mode == 1 ? 2 * (mode % 3 == 1 ? 2 : 1) : 0);
            CHECK_OK(mcdl_call_multi(l, 1, &hx, n_out, outs));
            char what[64];
            snprintf(what, sizeof what, "bidirectional merge %d seq %d", mode, seq);
            gc(g, 1, &x, n_out, outs, what);
        }
    }
    /* TimeDistributed(Dense) */
    mcdl_graph *g;
    mcdl_graph_create(&g, 99);
    mcdl_node *x = in2(g, 4, 3);
    mcdl_node *y = mcdl_time_distributed(
        g, dense(g, x, 3, MCDL_TANH),
        &(mcdl_time_distributed_opts){.dense = {.units = 5, .activation = MCDL_TANH}});
    gc(g, 1, &x, 1, &y, "time_distributed");
}

static void test_bad_inputs(void) {
    mcdl_graph *g;
    /* initial_state: wrong count and wrong shape */
    mcdl_graph_create(&g, 1);
    mcdl_node *x = in2(g, 5, 3), *h0 = mcdl_input(g, &(mcdl_input_opts){.shape = {8}});
    mcdl_layer *l = mcdl_lstm_layer(g, &(mcdl_rnn_opts){.units = 8, .name = "enc"});
    mcdl_node *out[3];
    CHECK_STATUS(mcdl_call_multi(l, 2, (mcdl_node *[]){x, h0}, 1, out), MCDL_ERR_SHAPE);
    CHECK(strstr(mcdl_last_error(), "'enc'") && strstr(mcdl_last_error(), "initial_state"),
          "count error: %s", mcdl_last_error());
    mcdl_graph_destroy(g);
    mcdl_graph_create(&g, 1);
    x = in2(g, 5, 3);
    mcdl_node *bad = mcdl_input(g, &(mcdl_input_opts){.shape = {7}});
    l = mcdl_gru_layer(g, &(mcdl_rnn_opts){.units = 8});
    CHECK_STATUS(mcdl_call_multi(l, 2, (mcdl_node *[]){x, bad}, 1, out), MCDL_ERR_SHAPE);
    CHECK(strstr(mcdl_last_error(), "'gru'") && strstr(mcdl_last_error(), "(None, 7)"),
          "shape error: %s", mcdl_last_error());
    mcdl_graph_destroy(g);
    /* a sequence input of the wrong rank, and sequence length 0 (refused at the Input) */
    mcdl_graph_create(&g, 1);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {8}});
    CHECK(mcdl_simple_rnn(g, x, &(mcdl_rnn_opts){.units = 4}) == NULL, "rank-1 input accepted");
    CHECK(strstr(mcdl_graph_error(g), "'simple_rnn'") != NULL, "rank error: %s",
          mcdl_graph_error(g));
    mcdl_graph_destroy(g);
    mcdl_graph_create(&g, 1);
    x = mcdl_input(g, &(mcdl_input_opts){.shape = {0, 8}, .rank = 2});
    CHECK(x == NULL || mcdl_lstm(g, x, &(mcdl_rnn_opts){.units = 4}) == NULL,
          "sequence length 0 accepted");
    CHECK(mcdl_graph_status(g) != MCDL_OK, "sequence length 0: no error");
    mcdl_graph_destroy(g);
    /* Bidirectional around a non-recurrent layer, from C and from a Keras config */
    mcdl_graph_create(&g, 1);
    mcdl_layer *d = mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 3, .name = "proj"});
    CHECK(mcdl_bidirectional_wrap(g, d, MCDL_MERGE_CONCAT, NULL) == NULL,
          "Bidirectional(Dense) accepted");
    CHECK(strstr(mcdl_graph_error(g), "'proj'") && strstr(mcdl_graph_error(g), "not a recurrent"),
          "wrap error: %s", mcdl_graph_error(g));
    mcdl_graph_destroy(g);
    mcdl_graph_create(&g, 1);
    mcdl_cfg_item inner_items[] = {{.key = "units", .type = MCDL_CFG_NUMBER, .num = 3}};
    mcdl_config inner = {1, inner_items};
    mcdl_cfg_item items[] = {
        {.key = "name", .type = MCDL_CFG_STRING, .str = "bi"},
        {.key = "layer", .type = MCDL_CFG_LAYER, .class_name = "Dense", .config = &inner}};
    mcdl_config cfg = {2, items};
    mcdl_layer *out_l = NULL;
    CHECK(mcdl_layer_from_config(g, "Bidirectional", &cfg, &out_l) != MCDL_OK,
          "config Bidirectional(Dense)");
    CHECK(strstr(mcdl_last_error(), "'bi'") && strstr(mcdl_last_error(), "Dense"),
          "config error: %s", mcdl_last_error());
    mcdl_graph_destroy(g);
    /* dropout rates outside [0, 1) name the layer and both rates */
    mcdl_graph_create(&g, 1);
    CHECK(mcdl_lstm_layer(
              g, &(mcdl_rnn_opts){.units = 4, .recurrent_dropout = 1.0f, .name = "x"}) == NULL,
          "recurrent_dropout 1 accepted");
    CHECK(strstr(mcdl_graph_error(g),
                 "LSTM 'x': dropout 0 and recurrent_dropout 1 must be in [0, 1)"),
          "rate error: %s", mcdl_graph_error(g));
    mcdl_graph_destroy(g);
    mcdl_graph_create(&g, 1);
    CHECK(mcdl_gru_layer(g, &(mcdl_rnn_opts){.units = 4, .dropout = -0.1f}) == NULL,
          "dropout -0.1 accepted");
    CHECK(strstr(mcdl_graph_error(g), "'gru'") && strstr(mcdl_graph_error(g), "[0, 1)"),
          "rate error: %s", mcdl_graph_error(g));
    mcdl_graph_destroy(g);
    /* units 0 and an unsupported activation name the layer */
    mcdl_graph_create(&g, 1);
    CHECK(mcdl_lstm_layer(g, &(mcdl_rnn_opts){.units = 0, .name = "zero"}) == NULL, "units 0");
    CHECK(strstr(mcdl_graph_error(g), "'zero'") != NULL, "units error: %s", mcdl_graph_error(g));
    mcdl_graph_destroy(g);
}

/* text_rnn (003): Embedding 10x8 on (4) ids -> SimpleRNN 16 -> Dense 10 softmax = 650; and
 * an Embedding(mask_zero) style mask: an LSTM over [a, b, pad, c, pad] equals the same
 * LSTM over [a, b, c]. */
static void test_mask(void) {
    mcdl_graph *g;
    mcdl_graph_create(&g, 5);
    mcdl_node *ids = mcdl_input(g, &(mcdl_input_opts){.shape = {4}});
    mcdl_node *e = mcdl_embedding(g, ids, &(mcdl_embedding_opts){.input_dim = 10, .output_dim = 8});
    mcdl_layer *rl = mcdl_simple_rnn_layer(g, &(mcdl_rnn_opts){.units = 16, .mask_input = true});
    mcdl_node *h = NULL;
    CHECK_OK(mcdl_call_multi(rl, 2, (mcdl_node *[]){e, mcdl_embedding_mask(g, ids, NULL)}, 1, &h));
    expect_params(g, ids, dense(g, h, 10, MCDL_SOFTMAX), "text_rnn", 650);

    mcdl_graph *g1, *g2;
    mcdl_graph_create(&g1, 7);
    mcdl_graph_create(&g2, 8);
    mcdl_node *xs[2] = {in2(g1, 5, 3), mcdl_input(g1, &(mcdl_input_opts){.shape = {5}})};
    mcdl_layer *l1 = mcdl_lstm_layer(g1, &(mcdl_rnn_opts){.units = 4, .mask_input = true});
    mcdl_node *y1 = NULL;
    CHECK_OK(mcdl_call_multi(l1, 2, xs, 1, &y1));
    mcdl_node *x2 = in2(g2, 3, 3);
    mcdl_node *y2 = mcdl_lstm(g2, x2, &(mcdl_rnn_opts){.units = 4});
    mcdl_model *m1 = NULL, *m2 = NULL;
    CHECK_OK(mcdl_model_create(&m1, g1, 2, xs, 1, &y1, "masked"));
    CHECK_OK(mcdl_model_create(&m2, g2, 1, &x2, 1, &y2, "plain"));
    mcdl_graph_destroy(g1);
    mcdl_graph_destroy(g2);
    if (!m1 || !m2) return;
    for (int i = 0; i < 3; i++) {
        mcdl_weight_info a, b;
        CHECK_OK(mcdl_model_weight(m1, i, &a));
        CHECK_OK(mcdl_model_weight(m2, i, &b));
        memcpy(mcdl_tensor_data(b.value), mcdl_tensor_data(a.value),
               (size_t)mcdl_tensor_numel(a.value) * sizeof(float));
    }
    mcdl_model_weights_changed(m2);
    mcdl_tensor *tx, *tm, *tx2, *o1 = NULL, *o2 = NULL;
    mcdl_tensor_create(&tx, 3, (int64_t[]){1, 5, 3});
    mcdl_tensor_create(&tm, 2, (int64_t[]){1, 5});
    mcdl_tensor_create(&tx2, 3, (int64_t[]){1, 3, 3});
    const float mask[5] = {1, 1, 0, 1, 0};
    for (int t = 0, k = 0; t < 5; t++) {
        for (int f = 0; f < 3; f++)
            mcdl_tensor_data(tx)[t * 3 + f] = (float)(0.3 * t - 0.2 * f + 0.1);
        mcdl_tensor_data(tm)[t] = mask[t];
        if (mask[t] != 0) {
            memcpy(mcdl_tensor_data(tx2) + k * 3, mcdl_tensor_data(tx) + t * 3, 3 * sizeof(float));
            k++;
        }
    }
    CHECK_OK(mcdl_model_predict(m1, 2, (const mcdl_tensor *[]){tx, tm}, NULL, 1, &o1));
    CHECK_OK(mcdl_model_predict(m2, 1, (const mcdl_tensor *[]){tx2}, NULL, 1, &o2));
    if (o1 && o2)
        for (int j = 0; j < 4; j++)
            CHECK_NEAR(mcdl_tensor_data(o1)[j], mcdl_tensor_data(o2)[j], 1e-6);
    mcdl_tensor_destroy(tx), mcdl_tensor_destroy(tm), mcdl_tensor_destroy(tx2);
    mcdl_tensor_destroy(o1), mcdl_tensor_destroy(o2);
    mcdl_model_destroy(m1), mcdl_model_destroy(m2);
}

static void test_from_config(void) {
    mcdl_graph *g;
    mcdl_graph_create(&g, 1);
    mcdl_cfg_item items[] = {{.key = "name", .type = MCDL_CFG_STRING, .str = "enc"},
                             {.key = "units", .type = MCDL_CFG_NUMBER, .num = 7},
                             {.key = "return_sequences", .type = MCDL_CFG_BOOL, .b = true},
                             {.key = "reset_after", .type = MCDL_CFG_BOOL, .b = false}};
    mcdl_config cfg = {4, items};
    mcdl_layer *l = NULL;
    CHECK_OK(mcdl_layer_from_config(g, "GRU", &cfg, &l));
    mcdl_node *x = in2(g, 6, 2);
    mcdl_node *y = l ? mcdl_call(l, x) : NULL;
    check_shape(y, 2, 6, 7, "GRU from config");
    mcdl_model *m = NULL;
    if (y) CHECK_OK(mcdl_model_create(&m, g, 1, &x, 1, &y, "m"));
    mcdl_graph_destroy(g);
    if (!m) return;
    int64_t t;
    mcdl_model_count_params(m, &t, NULL, NULL);
    CHECK(t == 3 * (2 * 7 + 7 * 7 + 7), "GRU reset_after=False params %lld", (long long)t);
    mcdl_model_destroy(m);
}

/* Embedding(mask_zero) -> Bidirectional(LSTM, return_sequences) -> Bidirectional(GRU) ->
 * Dense over ids [3, 1, 0, 6, 0] equals the same layers over [3, 1, 6] without a mask
 * (both directions skip the padded steps; the sequence output keeps the mask), forward and
 * after one SGD step (every weight gradient the same). */
static mcdl_model *bidir_mask_model(int64_t T, bool mask_zero) {
    mcdl_graph *g = NULL;
    CHECK_OK(mcdl_graph_create(&g, 31));
    mcdl_node *x = mcdl_input(g, &(mcdl_input_opts){.shape = {T}});
    mcdl_node *e = mcdl_embedding(
        g, x, &(mcdl_embedding_opts){.input_dim = 7, .output_dim = 4, .mask_zero = mask_zero});
    mcdl_node *h = mcdl_bidirectional(
        g, e,
        &(mcdl_bidirectional_opts){.cell = MCDL_CELL_LSTM,
                                   .layer = {.units = 3, .return_sequences = true}});
    CHECK(!mask_zero || (h && mcdl_node_keras_mask(h)), "Bidirectional sequences keep the mask");
    h = mcdl_bidirectional(g, h,
                           &(mcdl_bidirectional_opts){.cell = MCDL_CELL_GRU,
                                                      .layer = {.units = 2},
                                                      .merge_mode = MCDL_MERGE_SUM});
    mcdl_node *y = mcdl_dense(g, h, &(mcdl_dense_opts){.units = 1});
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_model_create(&m, g, 1, &x, 1, &y, "bidir_mask"));
    mcdl_graph_destroy(g);
    if (m)
        CHECK_OK(mcdl_model_compile(
            m,
            &(mcdl_compile_opts){.optimizer = {.kind = MCDL_OPTIMIZER_SGD, .learning_rate = 0.5f},
                                 .loss = MCDL_LOSS_MSE}));
    return m;
}

static void test_bidirectional_mask(void) {
    mcdl_model *mm = bidir_mask_model(5, true), *mp = bidir_mask_model(3, false);
    if (!mm || !mp) goto out;
    const int nw = mcdl_model_num_weights(mm);
    CHECK(nw == mcdl_model_num_weights(mp), "same weights");
    for (int i = 0; i < nw; i++) {
        mcdl_weight_info a, b;
        CHECK_OK(mcdl_model_weight(mm, i, &a));
        CHECK_OK(mcdl_model_weight(mp, i, &b));
        memcpy(mcdl_tensor_data(b.value), mcdl_tensor_data(a.value),
               (size_t)mcdl_tensor_numel(a.value) * sizeof(float));
    }
    mcdl_model_weights_changed(mp);
    const float ids_m[5] = {3, 1, 0, 6, 0}, ids_p[3] = {3, 1, 6}, target = 0.5f;
    mcdl_tensor *xm = NULL, *xp = NULL, *yt = NULL, *om = NULL, *op = NULL;
    CHECK_OK(mcdl_tensor_create(&xm, 2, (int64_t[]){1, 5}));
    CHECK_OK(mcdl_tensor_create(&xp, 2, (int64_t[]){1, 3}));
    CHECK_OK(mcdl_tensor_create(&yt, 2, (int64_t[]){1, 1}));
    if (!xm || !xp || !yt) goto out_t;
    memcpy(mcdl_tensor_data(xm), ids_m, sizeof ids_m);
    memcpy(mcdl_tensor_data(xp), ids_p, sizeof ids_p);
    mcdl_tensor_data(yt)[0] = target;
    CHECK_OK(mcdl_model_predict(mm, 1, (const mcdl_tensor *const[]){xm}, NULL, 1, &om));
    CHECK_OK(mcdl_model_predict(mp, 1, (const mcdl_tensor *const[]){xp}, NULL, 1, &op));
    CHECK(om && op && fabs(mcdl_tensor_data(om)[0] - mcdl_tensor_data(op)[0]) < 1e-6,
          "masked Bidirectional %g = Bidirectional over the kept steps %g",
          om ? mcdl_tensor_data(om)[0] : -1.0, op ? mcdl_tensor_data(op)[0] : -1.0);
    double lm = 0, lp = 0;
    CHECK_OK(mcdl_model_train_on_batch(mm, 1, (const mcdl_tensor *const[]){xm}, 1,
                                       (const mcdl_tensor *const[]){yt}, &lm, 1));
    CHECK_OK(mcdl_model_train_on_batch(mp, 1, (const mcdl_tensor *const[]){xp}, 1,
                                       (const mcdl_tensor *const[]){yt}, &lp, 1));
    CHECK(lm > 1e-6 && fabs(lm - lp) < 1e-6 * fmax(1.0, lm), "losses %g %g", lm, lp);
    double err = 0, moved = 0;
    for (int i = 0; i < nw; i++) {
        mcdl_weight_info a, b;
        CHECK_OK(mcdl_model_weight(mm, i, &a));
        CHECK_OK(mcdl_model_weight(mp, i, &b));
        for (int64_t k = 0; k < mcdl_tensor_numel(a.value); k++)
            err = fmax(err, fabs(mcdl_tensor_data(a.value)[k] - mcdl_tensor_data(b.value)[k]));
    }
    /* the Dense bias started at 0: the step moved it */
    mcdl_weight_info bias;
    CHECK_OK(mcdl_model_weight(mm, nw - 1, &bias));
    moved = fabs(mcdl_tensor_data(bias.value)[0]);
    CHECK(err < 1e-6 && moved > 0, "weights after one SGD step differ by %.3g (moved %g)", err,
          moved);
out_t:
    mcdl_tensor_destroy(xm), mcdl_tensor_destroy(xp), mcdl_tensor_destroy(yt);
    mcdl_tensor_destroy(om), mcdl_tensor_destroy(op);
out:
    mcdl_model_destroy(mm);
    mcdl_model_destroy(mp);
}

/* Bidirectional(LSTM) with initial_state [fh, fc, bh, bc] = concat(LSTM from [fh, fc],
 * go_backwards LSTM from [bh, bc]) with the same weights. */
static mcdl_model *bidir_state_model(bool split) {
    mcdl_graph *g = NULL;
    CHECK_OK(mcdl_graph_create(&g, 33));
    mcdl_node *in[5] = {mcdl_input(g, &(mcdl_input_opts){.shape = {4, 3}})};
    for (int k = 1; k < 5; k++) in[k] = mcdl_input(g, &(mcdl_input_opts){.shape = {5}});
    mcdl_node *y = NULL;
    if (split) {
        mcdl_layer *f = mcdl_lstm_layer(g, &(mcdl_rnn_opts){.units = 5});
        mcdl_layer *b = mcdl_lstm_layer(g, &(mcdl_rnn_opts){.units = 5, .go_backwards = true});
        mcdl_node *yf = NULL, *yb = NULL;
        CHECK_OK(mcdl_call_multi(f, 3, (mcdl_node *[]){in[0], in[1], in[2]}, 1, &yf));
        CHECK_OK(mcdl_call_multi(b, 3, (mcdl_node *[]){in[0], in[3], in[4]}, 1, &yb));
        y = mcdl_concatenate(g, 2, (mcdl_node *[]){yf, yb}, NULL);
    } else {
        mcdl_layer *l = mcdl_bidirectional_layer(
            g, &(mcdl_bidirectional_opts){.cell = MCDL_CELL_LSTM, .layer = {.units = 5}});
        CHECK_OK(mcdl_call_multi(l, 5, in, 1, &y));
    }
    mcdl_model *m = NULL;
    CHECK_OK(mcdl_model_create(&m, g, 5, in, 1, &y, "bidir_state"));
    mcdl_graph_destroy(g);
    return m;
}

static void test_bidirectional_state(void) {
    mcdl_model *a = bidir_state_model(false), *b = bidir_state_model(true);
    mcdl_tensor *x[5] = {NULL}, *ya = NULL, *yb = NULL;
    if (!a || !b) goto out;
    CHECK(mcdl_model_num_weights(a) == 6 && mcdl_model_num_weights(b) == 6, "6 weights each");
    for (int i = 0; i < 6; i++) {
        mcdl_weight_info wa, wb;
        CHECK_OK(mcdl_model_weight(a, i, &wa));
        CHECK_OK(mcdl_model_weight(b, i, &wb));
        memcpy(mcdl_tensor_data(wb.value), mcdl_tensor_data(wa.value),
               (size_t)mcdl_tensor_numel(wa.value) * sizeof(float));
    }
    mcdl_model_weights_changed(b);
    CHECK_OK(mcdl_tensor_create(&x[0], 3, (int64_t[]){2, 4, 3}));
    for (int k = 1; k < 5; k++) CHECK_OK(mcdl_tensor_create(&x[k], 2, (int64_t[]){2, 5}));
    for (int k = 0; k < 5; k++)
        if (x[k])
            mcdl_rng_fill_uniform(50 + (uint64_t)k, 0, 0, mcdl_tensor_data(x[k]),
                                  mcdl_tensor_numel(x[k]), -1, 1);
    CHECK_OK(mcdl_model_predict(a, 5, (const mcdl_tensor *const *)x, NULL, 1, &ya));
    CHECK_OK(mcdl_model_predict(b, 5, (const mcdl_tensor *const *)x, NULL, 1, &yb));
    double err = ya && yb ? 0 : 1;
    for (int64_t i = 0; ya && yb && i < 20; i++)
        err = fmax(err, fabs(mcdl_tensor_data(ya)[i] - mcdl_tensor_data(yb)[i]));
    CHECK(err < 1e-6, "Bidirectional initial_state = two LSTMs with those states: error %.3g", err);
out:
    for (int k = 0; k < 5; k++) mcdl_tensor_destroy(x[k]);
    mcdl_tensor_destroy(ya), mcdl_tensor_destroy(yb);
    mcdl_model_destroy(a), mcdl_model_destroy(b);
}

/* The dropout masks of a call: values 0 or 1/(1 - rate), about rate of them zero, fixed by
 * the call's random triple, different per direction (salt) and between the input and the
 * recurrent mask; none in inference. */
static void test_dropout_masks(void) {
    mcdl_rnn_cfg c;
    mcdl_rnn_cfg_defaults(&c, MCDL_RNN_LSTM);
    c.units = 50, c.in_dim = 50, c.dropout = 0.2f, c.recurrent_dropout = 0.3f;
    enum { B = 64, T = 3 };
    mcdl_shape xs = {.rank = 2, .d = {T, 50}};
    mcdl_exec_args a = {.batch = B, .x_shape = &xs, .rng_seed = 7, .rng_stream = 11};
    CHECK(mcdl_rnn_rmask_bytes(&c, B, false) == 0 && mcdl_rnn_xdrop_bytes(&c, B, T, false) == 0,
          "dropout buffers in inference");
    CHECK(mcdl_rnn_rmask_bytes(&c, B, true) >= B * 50 * sizeof(float), "recurrent mask size");
    static float r0[B * 50], r1[B * 50], r0b[B * 50], x[B * T * 50], xd[B * T * 50];
    mcdl_rnn_rec_mask(&c, &a, 0, r0);
    mcdl_rnn_rec_mask(&c, &a, 1, r1);
    mcdl_rnn_rec_mask(&c, &a, 0, r0b);
    for (int i = 0; i < B * T * 50; i++) x[i] = 1.0f;
    mcdl_rnn_drop_inputs(&c, &a, 0, x, xd);
    int zeros = 0, bad = 0, same01 = 0, same_in = 0, steps_differ = 0, xzeros = 0;
    for (int i = 0; i < B * 50; i++) {
        zeros += r0[i] == 0.0f;
        bad += r0[i] != 0.0f && fabsf(r0[i] - 1.0f / 0.7f) > 1e-6f;
        same01 += (r0[i] == 0.0f) == (r1[i] == 0.0f);
        /* the input mask of (b, k) sits at xd[(b, t, k)] for every step t */
        const int b = i / 50, k = i % 50;
        const float m = xd[(b * T) * 50 + k];
        xzeros += m == 0.0f;
        bad += m != 0.0f && fabsf(m - 1.0f / 0.8f) > 1e-6f;
        same_in += (m == 0.0f) == (r0[i] == 0.0f);
        for (int t = 1; t < T; t++) steps_differ += xd[(b * T + t) * 50 + k] != m;
    }
    const double n = B * 50;
    CHECK(bad == 0, "%d mask values are neither 0 nor 1/(1 - rate)", bad);
    CHECK(fabs(zeros / n - 0.3) < 0.04, "recurrent mask: %.3f dropped, want ~0.3", zeros / n);
    CHECK(fabs(xzeros / n - 0.2) < 0.04, "input mask: %.3f dropped, want ~0.2", xzeros / n);
    CHECK(!memcmp(r0, r0b, sizeof r0), "the same call's recurrent mask differs");
    CHECK(steps_differ == 0, "the input mask changes between steps");
    /* independent masks agree on about 0.3^2 + 0.7^2 = 0.58 of the units, equal ones on all */
    CHECK(same01 < 0.7 * n, "directions share their recurrent mask (%d of %.0f agree)", same01, n);
    CHECK(same_in < 0.75 * n, "input and recurrent masks coincide (%d of %.0f)", same_in, n);
}

/* The masks reach the forward in training only: train_on_batch's loss (computed before the
 * update, in training mode) equals evaluate's without recurrent dropout and differs with it. */
static void test_recurrent_dropout_applied(void) {
    for (int cell = 0; cell < 3; cell++)
        for (int rd = 0; rd < 2; rd++) {
            mcdl_graph *g;
            mcdl_graph_create(&g, 21);
            mcdl_node *x = in2(g, 6, 3);
            mcdl_node *h = cell_call(
                g, cell, x, &(mcdl_rnn_opts){.units = 8, .recurrent_dropout = rd ? 0.5f : 0});
            mcdl_node *y = dense(g, h, 1, MCDL_LINEAR);
            mcdl_model *m = NULL;
            CHECK_OK(mcdl_model_create(&m, g, 1, &x, 1, &y, "m"));
            mcdl_graph_destroy(g);
            if (!m) continue;
            CHECK_OK(mcdl_model_compile(m, &(mcdl_compile_opts){.loss = MCDL_LOSS_MSE}));
            mcdl_tensor *tx = NULL, *ty = NULL;
            mcdl_tensor_create(&tx, 3, (int64_t[]){16, 6, 3});
            mcdl_tensor_create(&ty, 2, (int64_t[]){16, 1});
            mcdl_rng_fill_uniform(3, 0, 0, mcdl_tensor_data(tx), 16 * 18, -1, 1);
            mcdl_rng_fill_uniform(4, 0, 0, mcdl_tensor_data(ty), 16, -1, 1);
            double ev = 0, tr = 0;
            CHECK_OK(mcdl_model_evaluate(m, 1, (const mcdl_tensor *[]){tx}, 1,
                                         (const mcdl_tensor *[]){ty},
                                         &(mcdl_eval_opts){.batch_size = 16}, &ev, 1));
            CHECK_OK(mcdl_model_train_on_batch(m, 1, (const mcdl_tensor *[]){tx}, 1,
                                               (const mcdl_tensor *[]){ty}, &tr, 1));
            if (rd)
                CHECK(fabs(ev - tr) > 1e-4 * ev,
                      "cell %d: recurrent_dropout 0.5 left the training "
                      "loss at %.7g (inference %.7g)",
                      cell, tr, ev);
            else
                CHECK(fabs(ev - tr) <= 1e-5 * ev, "cell %d: training loss %.7g vs inference %.7g",
                      cell, tr, ev);
            mcdl_tensor_destroy(tx), mcdl_tensor_destroy(ty);
            mcdl_model_destroy(m);
        }
}

int main(void) {
    test_dropout_masks();
    test_recurrent_dropout_applied();
    test_seed_models();
    test_weight_names();
    test_gradients();
    test_bad_inputs();
    test_from_config();
    test_mask();
    test_bidirectional_mask();
    test_bidirectional_state();
    return check_finish();
}
