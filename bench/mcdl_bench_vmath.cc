// Vectorised math benches: mcdl_vexp/vtanh/vsigmoid (the active ISA path; MCDL_ISA=ref
// selects the scalar one) beside a plain libm loop. Cases vexp:mcdl:n<N>, vexp:libm:n<N>.
// Counters: Gelem (1e9 elements per second) and GFLOPS from a nominal flop count per element
// (the vector arithmetic of simd/f32_math.inc, fma = 2), plus bytes_per_second (x read,
// y written) for the roofline in experiments/scaling.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "mcdl/mcdl.h"

namespace {

struct op_desc {
    const char *name;
    mcdl_status (*mcdl_fn)(const float *, float *, int64_t);
    float (*libm_fn)(float);
    double flops_per_elem;
};

float libm_exp(float x) { return std::exp(x); }
float libm_tanh(float x) { return std::tanh(x); }
float libm_sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

const op_desc k_ops[] = {
    {"vexp", mcdl_vexp, libm_exp, 24.0},
    {"vtanh", mcdl_vtanh, libm_tanh, 44.0},
    {"vsigmoid", mcdl_vsigmoid, libm_sigmoid, 30.0},
};

// Inputs in [-5, 5): the range activations see; a fixed LCG so every run times the same data.
std::vector<float> make_input(int64_t n) {
    std::vector<float> x((size_t)n);
    uint32_t s = 12345u;
    for (auto &v : x) {
        s = s * 1664525u + 1013904223u;
        v = (float)(s >> 8) * (10.0f / 16777216.0f) - 5.0f;
    }
    return x;
}

void set_counters(benchmark::State &st, const op_desc &op, int64_t n) {
    st.counters["Gelem"] =
        benchmark::Counter((double)n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    st.counters["GFLOPS"] = benchmark::Counter(op.flops_per_elem * (double)n * 1e-9,
                                               benchmark::Counter::kIsIterationInvariantRate);
    st.SetBytesProcessed((int64_t)st.iterations() * n * 8);
}

void bench_mcdl(benchmark::State &st, const op_desc &op, int64_t n) {
    std::vector<float> x = make_input(n), y((size_t)n);
    for (auto _ : st) {
        if (op.mcdl_fn(x.data(), y.data(), n) != MCDL_OK) {
            st.SkipWithError(mcdl_last_error());
            break;
        }
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    set_counters(st, op, n);
}

void bench_libm(benchmark::State &st, const op_desc &op, int64_t n) {
    std::vector<float> x = make_input(n), y((size_t)n);
    for (auto _ : st) {
        for (int64_t i = 0; i < n; ++i) y[(size_t)i] = op.libm_fn(x[(size_t)i]);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    set_counters(st, op, n);
}

void register_all() {
    const bool smoke = std::getenv("MCDL_BENCH_SMOKE") != nullptr;
    // n4096 stays in L1 and on one thread; n1048576 is split over the OpenMP threads.
    const int64_t sizes[] = {4096, 1048576};
    for (const op_desc &op : k_ops) {
        for (int64_t n : sizes) {
            if (smoke && (n != 4096 || std::string(op.name) != "vexp")) continue;
            std::string tail = ":n" + std::to_string(n);
            benchmark::RegisterBenchmark((std::string(op.name) + ":mcdl" + tail).c_str(),
                                         [&op, n](benchmark::State &st) { bench_mcdl(st, op, n); })
                ->UseRealTime();
            benchmark::RegisterBenchmark((std::string(op.name) + ":libm" + tail).c_str(),
                                         [&op, n](benchmark::State &st) { bench_libm(st, op, n); })
                ->UseRealTime();
        }
    }
}

} // namespace

int main(int argc, char **argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
