// File I/O throughput: .npy load/save (float32 and float64 -> float32 conversion), .npz
// stored/deflate, .mcdl model save/load, each beside the floor of plain fread/fwrite of the
// same bytes. Cases are named <op>:<impl>:<case>; bytes/s is reported per case. Saves include
// the atomic-write protocol (temporary file, fsync, rename).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "mcdl/mcdl.h"
}

namespace {

std::string tmp_path(const std::string &name) {
    const char *dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/mcdl_bench_files_" + name;
}

mcdl_tensor *make_tensor(int64_t rows, int64_t cols) {
    mcdl_tensor *t = nullptr;
    const int64_t shape[2] = {rows, cols};
    if (mcdl_tensor_create(&t, 2, shape) != MCDL_OK) return nullptr;
    mcdl_rng_fill_uniform(1, 0, 0, mcdl_tensor_data(t), rows * cols, 0.0f, 1.0f);
    return t;
}

void fail(benchmark::State &state) { state.SkipWithError(mcdl_last_error()); }

void npy_save_mcdl(benchmark::State &state, int64_t rows, int64_t cols) {
    mcdl_tensor *t = make_tensor(rows, cols);
    std::string p = tmp_path("save.npy");
    for (auto _ : state)
        if (mcdl_npy_save(p.c_str(), t) != MCDL_OK) return fail(state);
    state.SetBytesProcessed(state.iterations() * rows * cols * 4);
    mcdl_tensor_destroy(t);
    std::remove(p.c_str());
}

void npy_load_mcdl(benchmark::State &state, int64_t rows, int64_t cols) {
    mcdl_tensor *t = make_tensor(rows, cols);
    std::string p = tmp_path("load.npy");
    if (mcdl_npy_save(p.c_str(), t) != MCDL_OK) return fail(state);
    for (auto _ : state) {
        mcdl_tensor *back = nullptr;
        if (mcdl_npy_load(p.c_str(), &back) != MCDL_OK) return fail(state);
        benchmark::DoNotOptimize(mcdl_tensor_data(back));
        mcdl_tensor_destroy(back);
    }
    state.SetBytesProcessed(state.iterations() * rows * cols * 4);
    mcdl_tensor_destroy(t);
    std::remove(p.c_str());
}

// The floor: read the same file's bytes into memory with stdio, no parsing.
void npy_load_fread(benchmark::State &state, int64_t rows, int64_t cols) {
    mcdl_tensor *t = make_tensor(rows, cols);
    std::string p = tmp_path("fread.npy");
    if (mcdl_npy_save(p.c_str(), t) != MCDL_OK) return fail(state);
    std::vector<char> buf(static_cast<size_t>(rows * cols * 4 + 4096));
    for (auto _ : state) {
        FILE *f = std::fopen(p.c_str(), "rb");
        size_t n = f ? std::fread(buf.data(), 1, buf.size(), f) : 0;
        if (f) std::fclose(f);
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(state.iterations() * rows * cols * 4);
    mcdl_tensor_destroy(t);
    std::remove(p.c_str());
}

// The floor for saving: fwrite + fflush without the temp-file/fsync/rename protocol.
void npy_save_fwrite(benchmark::State &state, int64_t rows, int64_t cols) {
    mcdl_tensor *t = make_tensor(rows, cols);
    std::string p = tmp_path("fwrite.bin");
    for (auto _ : state) {
        FILE *f = std::fopen(p.c_str(), "wb");
        if (!f) return state.SkipWithError("fopen failed");
        std::fwrite(mcdl_tensor_data(t), 4, static_cast<size_t>(rows * cols), f);
        std::fclose(f);
    }
    state.SetBytesProcessed(state.iterations() * rows * cols * 4);
    mcdl_tensor_destroy(t);
    std::remove(p.c_str());
}

#ifdef MCDL_WITH_FILES
void npz_save_mcdl(benchmark::State &state, int64_t rows, int64_t cols, bool compressed) {
    mcdl_tensor *t = make_tensor(rows, cols);
    mcdl_npz *z = nullptr;
    if (mcdl_npz_create(&z) != MCDL_OK || mcdl_npz_add(z, "x", t) != MCDL_OK) return fail(state);
    std::string p = tmp_path("save.npz");
    for (auto _ : state)
        if (mcdl_npz_save(z, p.c_str(), compressed) != MCDL_OK) return fail(state);
    state.SetBytesProcessed(state.iterations() * rows * cols * 4);
    mcdl_npz_destroy(z);
    mcdl_tensor_destroy(t);
    std::remove(p.c_str());
}

void npz_load_mcdl(benchmark::State &state, int64_t rows, int64_t cols, bool compressed) {
    mcdl_tensor *t = make_tensor(rows, cols);
    mcdl_npz *z = nullptr;
    std::string p = tmp_path("load.npz");
    if (mcdl_npz_create(&z) != MCDL_OK || mcdl_npz_add(z, "x", t) != MCDL_OK ||
        mcdl_npz_save(z, p.c_str(), compressed) != MCDL_OK)
        return fail(state);
    for (auto _ : state) {
        mcdl_npz *back = nullptr;
        if (mcdl_npz_load(p.c_str(), &back) != MCDL_OK) return fail(state);
        mcdl_npz_destroy(back);
    }
    state.SetBytesProcessed(state.iterations() * rows * cols * 4);
    mcdl_npz_destroy(z);
    mcdl_tensor_destroy(t);
    std::remove(p.c_str());
}

// An MLP 784 -> hidden -> hidden -> 10 (Adam-compiled, so the file holds 3x the weights).
mcdl_model *make_mlp(int64_t hidden) {
    mcdl_graph *g = nullptr;
    if (mcdl_graph_create(&g, 7) != MCDL_OK) return nullptr;
    mcdl_input_opts in = {};
    in.shape[0] = 784;
    mcdl_node *x = mcdl_input(g, &in);
    mcdl_dense_opts d = {};
    d.units = hidden;
    d.activation = MCDL_RELU;
    mcdl_node *h = mcdl_dense(g, mcdl_dense(g, x, &d), &d);
    d.units = 10;
    d.activation = MCDL_SOFTMAX;
    mcdl_node *y = mcdl_dense(g, h, &d);
    mcdl_model *m = nullptr;
    mcdl_status s = mcdl_model_create(&m, g, 1, &x, 1, &y, "mlp");
    mcdl_graph_destroy(g);
    mcdl_compile_opts c = {};
    c.loss = MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    if (s != MCDL_OK || mcdl_model_compile(m, &c) != MCDL_OK) {
        mcdl_model_destroy(m);
        return nullptr;
    }
    return m;
}

void mcdl_save_bench(benchmark::State &state, int64_t hidden) {
    mcdl_model *m = make_mlp(hidden);
    if (!m) return fail(state);
    std::string p = tmp_path("save.mcdl");
    for (auto _ : state)
        if (mcdl_model_save(m, p.c_str()) != MCDL_OK) return fail(state);
    int64_t params = 0;
    mcdl_model_count_params(m, &params, nullptr, nullptr);
    state.SetBytesProcessed(state.iterations() * params * 4 * 3);
    state.counters["params"] = static_cast<double>(params);
    mcdl_model_destroy(m);
    std::remove(p.c_str());
}

void mcdl_load_bench(benchmark::State &state, int64_t hidden) {
    mcdl_model *m = make_mlp(hidden);
    std::string p = tmp_path("load.mcdl");
    if (!m || mcdl_model_save(m, p.c_str()) != MCDL_OK) return fail(state);
    for (auto _ : state) {
        mcdl_model *back = nullptr;
        if (mcdl_model_load(p.c_str(), &back) != MCDL_OK) return fail(state);
        mcdl_model_destroy(back);
    }
    int64_t params = 0;
    mcdl_model_count_params(m, &params, nullptr, nullptr);
    state.SetBytesProcessed(state.iterations() * params * 4 * 3);
    mcdl_model_destroy(m);
    std::remove(p.c_str());
}
#endif

void register_all() {
    const bool smoke = std::getenv("MCDL_BENCH_SMOKE") != nullptr;
    struct Case {
        int64_t rows, cols;
        const char *name;
    };
    std::vector<Case> cases = {{100, 784, "f32_100x784"}};
    if (!smoke) cases.push_back({8000, 784, "f32_8000x784"}); // MNIST x_train
    for (const Case &c : cases) {
        const std::string n = c.name;
        benchmark::RegisterBenchmark(("npy_load:mcdl:" + n).c_str(), npy_load_mcdl, c.rows, c.cols)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("npy_load:fread:" + n).c_str(), npy_load_fread, c.rows,
                                     c.cols)
            ->UseRealTime();
        if (smoke) continue;
        benchmark::RegisterBenchmark(("npy_save:mcdl:" + n).c_str(), npy_save_mcdl, c.rows, c.cols)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("npy_save:fwrite:" + n).c_str(), npy_save_fwrite, c.rows,
                                     c.cols)
            ->UseRealTime();
#ifdef MCDL_WITH_FILES
        for (bool comp : {false, true}) {
            const std::string kind = comp ? "deflate:" : "stored:";
            benchmark::RegisterBenchmark(("npz_save:mcdl:" + kind + n).c_str(), npz_save_mcdl,
                                         c.rows, c.cols, comp)
                ->UseRealTime();
            benchmark::RegisterBenchmark(("npz_load:mcdl:" + kind + n).c_str(), npz_load_mcdl,
                                         c.rows, c.cols, comp)
                ->UseRealTime();
        }
#endif
    }
#ifdef MCDL_WITH_FILES
    for (int64_t hidden : smoke ? std::vector<int64_t>{32} : std::vector<int64_t>{32, 512}) {
        const std::string n = "mlp784_" + std::to_string(hidden);
        benchmark::RegisterBenchmark(("model_save:mcdl:" + n).c_str(), mcdl_save_bench, hidden)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("model_load:mcdl:" + n).c_str(), mcdl_load_bench, hidden)
            ->UseRealTime();
    }
#endif
}

} // namespace

int main(int argc, char **argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
