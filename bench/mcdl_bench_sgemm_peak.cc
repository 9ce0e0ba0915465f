// Square SGEMM by the reference libraries (oneDNN dnnl_sgemm, OpenBLAS cblas_sgemm) and by
// mcdl_f32_gemm, sizes 64..2048: the "best GEMM GFLOPS" that tools/peak's FMA figure is
// checked against, and the GEMM points of the roofline in experiments/scaling. Cases
// sgemm:<impl>:m<M>n<N>k<K>; counters GFLOPS (2MNK per call) and bytes_per_second (the
// compulsory traffic 4(MK + KN + 2MN), for the arithmetic intensity).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" {
#include "kernels/gemm/gemm.h"
}
#include "mcdl/mcdl.h"

#ifdef MCDL_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#endif
#ifdef MCDL_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace {

enum class impl { mcdl, onednn, openblas };

std::vector<float> filled(int64_t n, uint32_t seed) {
    std::vector<float> v((size_t)n);
    for (auto &x : v) {
        seed = seed * 1664525u + 1013904223u;
        x = (float)(seed >> 8) * (2.0f / 16777216.0f) - 1.0f;
    }
    return v;
}

void bench_sgemm(benchmark::State &st, impl which, int64_t n) {
    std::vector<float> a = filled(n * n, 1), b = filled(n * n, 2), c((size_t)(n * n));
    for (auto _ : st) {
        switch (which) {
        case impl::mcdl:
            mcdl_f32_gemm('N', 'N', n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n,
                          nullptr);
            break;
        case impl::onednn:
#ifdef MCDL_HAVE_ONEDNN
            dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
#endif
            break;
        case impl::openblas:
#ifdef MCDL_HAVE_OPENBLAS
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0f,
                        a.data(), (int)n, b.data(), (int)n, 0.0f, c.data(), (int)n);
#endif
            break;
        }
        benchmark::DoNotOptimize(c.data());
        benchmark::ClobberMemory();
    }
    const double nn = (double)n;
    st.counters["GFLOPS"] = benchmark::Counter(2.0 * nn * nn * nn * 1e-9,
                                               benchmark::Counter::kIsIterationInvariantRate);
    st.SetBytesProcessed((int64_t)st.iterations() * 4 * 4 * n * n);
}

void register_all() {
    const bool smoke = std::getenv("MCDL_BENCH_SMOKE") != nullptr;
    std::vector<std::pair<impl, const char *>> impls;
#ifdef MCDL_HAVE_ONEDNN
    impls.push_back({impl::onednn, "onednn"});
#endif
#ifdef MCDL_HAVE_OPENBLAS
    impls.push_back({impl::openblas, "openblas"});
#endif
    impls.push_back({impl::mcdl, "mcdl"});
    for (int64_t n : {64, 128, 256, 512, 1024, 2048}) {
        if (smoke && n != 64) continue;
        for (auto [which, name] : impls) {
            // The reference mcdl GEMM on main runs ~1 GFLOPS: keep its cases small until the
            // fast one lands (it is the same call either way).
            if (which == impl::mcdl && n > 512) continue;
            std::string id = std::string("sgemm:") + name + ":m" + std::to_string(n) + "n" +
                             std::to_string(n) + "k" + std::to_string(n);
            impl w = which;
            benchmark::RegisterBenchmark(id.c_str(), [w, n](benchmark::State &st) {
                bench_sgemm(st, w, n);
            })->UseRealTime();
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
