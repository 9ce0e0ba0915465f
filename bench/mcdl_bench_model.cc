// Training and inference speed of the dense seed models (ffnn, iris, autoencoder) through
// the model API: train_step:mcdl:<model>_b<batch> runs one mcdl_model_train_on_batch
// (forward, loss, backward, Adam), predict:mcdl:<model>_b<batch> one batched predict.
// Counters: samples/s and GFLOPS (2 flops per multiply-add; a Dense layer costs
// 2*in*out per sample forward and twice that backward).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "mcdl/mcdl.h"

namespace {

struct DenseModel {
    const char *name;
    int64_t in;
    std::vector<int64_t> units;
    std::vector<mcdl_activation_id> acts;
    mcdl_loss loss;
};

const DenseModel kModels[] = {
    {"ffnn", 20, {64, 32, 1}, {MCDL_RELU, MCDL_RELU, MCDL_SIGMOID}, MCDL_LOSS_BINARY_CROSSENTROPY},
    {"iris",
     4,
     {64, 64, 3},
     {MCDL_RELU, MCDL_RELU, MCDL_SOFTMAX},
     MCDL_LOSS_CATEGORICAL_CROSSENTROPY},
    {"autoencoder",
     784,
     {128, 64, 32, 64, 128, 784},
     {MCDL_RELU, MCDL_RELU, MCDL_RELU, MCDL_RELU, MCDL_RELU, MCDL_SIGMOID},
     MCDL_LOSS_MSE},
};

double forward_flops(const DenseModel &d) {
    double f = 0, in = (double)d.in;
    for (int64_t u : d.units) {
        f += 2.0 * in * (double)u;
        in = (double)u;
    }
    return f;
}

mcdl_model *build(const DenseModel &d) {
    mcdl_model *m = nullptr;
    mcdl_input_opts io = {};
    io.shape[0] = d.in;
    if (mcdl_sequential_create(&m, 1, &io, d.name) != MCDL_OK) return nullptr;
    for (size_t i = 0; i < d.units.size(); i++) {
        mcdl_dense_opts o = {};
        o.units = d.units[i];
        o.activation = d.acts[i];
        mcdl_sequential_add(m, mcdl_dense_layer(mcdl_model_graph(m), &o));
    }
    mcdl_compile_opts c = {};
    c.loss = d.loss;
    mcdl_model_compile(m, &c);
    return m;
}

void run(benchmark::State &st, const DenseModel *d, int64_t batch, bool train) {
    mcdl_model *m = build(*d);
    mcdl_tensor *x = nullptr, *y = nullptr;
    int64_t xs[2] = {batch, d->in}, ys[2] = {batch, d->units.back()};
    mcdl_tensor_create(&x, 2, xs);
    mcdl_tensor_create(&y, 2, ys);
    mcdl_rng_fill_uniform(1, 0, 0, mcdl_tensor_data(x), batch * d->in, 0.0f, 1.0f);
    float *yd = mcdl_tensor_data(y);
    for (int64_t i = 0; i < batch; i++) yd[i * d->units.back()] = 1.0f; /* one-hot / 1 */
    const mcdl_tensor *xa[1] = {x}, *ya[1] = {y};
    mcdl_predict_opts po = {};
    po.batch_size = batch;
    for (auto _ : st) {
        if (train) {
            if (mcdl_model_train_on_batch(m, 1, xa, 1, ya, nullptr, 0) != MCDL_OK) {
                st.SkipWithError(mcdl_last_error());
                break;
            }
        } else {
            mcdl_tensor *out[1] = {nullptr};
            if (mcdl_model_predict(m, 1, xa, &po, 1, out) != MCDL_OK) {
                st.SkipWithError(mcdl_last_error());
                break;
            }
            mcdl_tensor_destroy(out[0]);
        }
    }
    const double flops = forward_flops(*d) * (double)batch * (train ? 3.0 : 1.0);
    st.counters["GFLOPS"] =
        benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
    st.counters["samples/s"] =
        benchmark::Counter((double)batch, benchmark::Counter::kIsIterationInvariantRate);
    mcdl_tensor_destroy(x);
    mcdl_tensor_destroy(y);
    mcdl_model_destroy(m);
}

} // namespace

int main(int argc, char **argv) {
    const bool smoke = std::getenv("MCDL_BENCH_SMOKE") != nullptr;
    for (const DenseModel &d : kModels) {
        if (smoke && std::string(d.name) != "ffnn") continue;
        const int64_t batches[] = {1, 32, 256};
        for (int64_t b : batches) {
            if (smoke && b != 32) continue;
            for (int train = 1; train >= 0; train--) {
                const std::string name = std::string(train ? "train_step" : "predict") +
                                         ":mcdl:" + d.name + "_b" + std::to_string(b);
                benchmark::RegisterBenchmark(name.c_str(), run, &d, b, train != 0)->UseRealTime();
            }
        }
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
