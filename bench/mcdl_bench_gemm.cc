// SGEMM side by side: mcdl_sgemm, oneDNN's dnnl_sgemm and OpenBLAS's cblas_sgemm on the
// same row-major problems, cases named gemm:<impl>:m<M>n<N>k<K>[t<ta><tb>] with a GFLOPS
// counter. Threads: MCDL_BENCH_THREADS (default: OpenMP's default), applied to all three.
// Run with --benchmark_enable_random_interleaving=true --benchmark_repetitions=5 so the
// implementations are measured interleaved on a noisy machine, and MCDL_BENCH_MIN_OF=R
// to time each iteration as the fastest of up to R calls.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <time.h>
#include <vector>

#include "kernels/gemm/gemm_peak.h"
#include "mcdl/mcdl.h"
#ifdef MCDL_HAVE_ONEDNN
#include <dnnl.h>
#endif
#ifdef MCDL_HAVE_OPENBLAS
#include <cblas.h>
extern "C" void openblas_set_num_threads(int);
#endif

namespace {

struct Shape {
    int64_t m, n, k;
    char ta, tb;
};

// The shape set: squares, then the seed models' layers, then GEMV rows.
const Shape kShapes[] = {
    {64, 64, 64, 'N', 'N'},
    {128, 128, 128, 'N', 'N'},
    {256, 256, 256, 'N', 'N'},
    {512, 512, 512, 'N', 'N'},
    {1024, 1024, 1024, 'N', 'N'},
    {2048, 2048, 2048, 'N', 'N'},
    {320, 256, 8, 'N', 'N'},
    {320, 192, 8, 'N', 'N'},
    {32, 256, 64, 'N', 'N'},
    {32, 192, 64, 'N', 'N'},
    {32, 64, 64, 'N', 'N'},
    {32, 64, 20, 'N', 'N'},
    {32, 128, 5408, 'N', 'N'},
    {256, 128, 784, 'N', 'N'},
    {256, 784, 128, 'N', 'N'},
    {3844, 32, 27, 'N', 'N'},
    {841, 64, 32, 'N', 'N'},
    {676, 32, 9, 'N', 'N'},
    {1024, 64, 576, 'N', 'N'},
    {169, 64, 288, 'N', 'N'},
    {3200, 512, 128, 'N', 'N'},
    {100, 100, 64, 'N', 'N'},
    {1, 1024, 256, 'N', 'N'},
    {1, 128, 5408, 'N', 'N'},
    {1, 256, 64, 'N', 'N'},
    // Transposed operands as the backward passes use them.
    {256, 784, 128, 'N', 'T'},
    {784, 128, 256, 'T', 'N'},
    {512, 512, 512, 'T', 'T'},
    // GEMV with the weights stored N x K (op(B) = B^T), as a Dense layer's transposed use.
    {1, 128, 5408, 'N', 'T'},
    {1, 1024, 256, 'N', 'T'},
};
const Shape kSmoke[] = {{64, 64, 64, 'N', 'N'}, {1, 256, 64, 'N', 'N'}};

int bench_threads() {
    const char *s = std::getenv("MCDL_BENCH_THREADS");
    return s && std::atoi(s) > 0 ? std::atoi(s) : omp_get_max_threads();
}

struct Operands {
    std::vector<float> a, b, c;
    int64_t lda, ldb, ldc;
    explicit Operands(const Shape &s)
        : a(s.m * s.k), b(s.k * s.n), c(s.m * s.n), lda(s.ta == 'T' ? s.m : s.k),
          ldb(s.tb == 'T' ? s.k : s.n), ldc(s.n) {
        mcdl_rng_fill_uniform(1, 0, 0, a.data(), (int64_t)a.size(), -1.0f, 1.0f);
        mcdl_rng_fill_uniform(2, 0, 0, b.data(), (int64_t)b.size(), -1.0f, 1.0f);
    }
};

void set_threads(int t) {
    omp_set_num_threads(t);
#ifdef MCDL_HAVE_OPENBLAS
    openblas_set_num_threads(t);
#endif
}

// MCDL_BENCH_MIN_OF=R: each benchmark iteration makes up to R calls and reports the
// fastest (manual time), the robust estimate on a machine shared with other work.
int min_of() {
    const char *s = std::getenv("MCDL_BENCH_MIN_OF");
    return s && std::atoi(s) > 1 ? std::atoi(s) : 1;
}

// MCDL_BENCH_CLOCK=thread: with MCDL_BENCH_MIN_OF, time each call by the calling thread's
// CPU time instead of wall time. Only meaningful with one thread (OpenMP workers' time is
// not counted); on a loaded machine it leaves out the time the thread was descheduled.
bool thread_clock() {
    const char *s = std::getenv("MCDL_BENCH_CLOCK");
    return s && std::strcmp(s, "thread") == 0;
}

double now_s(bool thread_cpu) {
    if (thread_cpu) {
        timespec t;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

template <class F> void timed_loop(benchmark::State &st, const Shape &s, F &&call) {
    const int want = min_of();
    const double flops = 2.0 * s.m * s.n * s.k;
    // Large products need fewer calls for a clean one (and each takes long).
    const int r = want <= 1 ? 1 : std::max(3, std::min(want, (int)(4e9 / flops)));
    for (auto _ : st) {
        if (r == 1) {
            call();
            continue;
        }
        double best = 1e30;
        const bool cpu = thread_clock();
        for (int i = 0; i < r; i++) {
            const double t0 = now_s(cpu);
            call();
            best = std::min(best, now_s(cpu) - t0);
        }
        st.SetIterationTime(best);
    }
}

void finish(benchmark::State &st, const Shape &s, int threads) {
    st.counters["GFLOPS"] = benchmark::Counter(2.0 * s.m * s.n * s.k / 1e9,
                                               benchmark::Counter::kIsIterationInvariantRate);
    st.counters["threads"] = threads;
}

void run_mcdl(benchmark::State &st, Shape s) {
    const int t = bench_threads();
    set_threads(t);
    Operands o(s);
    if (mcdl_sgemm(s.ta, s.tb, s.m, s.n, s.k, 1.0f, o.a.data(), o.lda, o.b.data(), o.ldb, 0.0f,
                   o.c.data(), o.ldc) != MCDL_OK) {
        st.SkipWithError(mcdl_last_error());
        return;
    }
    timed_loop(st, s, [&] {
        mcdl_sgemm(s.ta, s.tb, s.m, s.n, s.k, 1.0f, o.a.data(), o.lda, o.b.data(), o.ldb, 0.0f,
                   o.c.data(), o.ldc);
        benchmark::DoNotOptimize(o.c.data());
    });
    finish(st, s, t);
}

#ifdef MCDL_HAVE_ONEDNN
void run_onednn(benchmark::State &st, Shape s) {
    const int t = bench_threads();
    set_threads(t);
    Operands o(s);
    if (dnnl_sgemm(s.ta, s.tb, s.m, s.n, s.k, 1.0f, o.a.data(), o.lda, o.b.data(), o.ldb, 0.0f,
                   o.c.data(), o.ldc) != dnnl_success) {
        st.SkipWithError("dnnl_sgemm failed");
        return;
    }
    timed_loop(st, s, [&] {
        dnnl_sgemm(s.ta, s.tb, s.m, s.n, s.k, 1.0f, o.a.data(), o.lda, o.b.data(), o.ldb, 0.0f,
                   o.c.data(), o.ldc);
        benchmark::DoNotOptimize(o.c.data());
    });
    finish(st, s, t);
}
#endif

#ifdef MCDL_HAVE_OPENBLAS
void run_openblas(benchmark::State &st, Shape s) {
    const int t = bench_threads();
    set_threads(t);
    Operands o(s);
    timed_loop(st, s, [&] {
        cblas_sgemm(CblasRowMajor, s.ta == 'T' ? CblasTrans : CblasNoTrans,
                    s.tb == 'T' ? CblasTrans : CblasNoTrans, (int)s.m, (int)s.n, (int)s.k, 1.0f,
                    o.a.data(), (int)o.lda, o.b.data(), (int)o.ldb, 0.0f, o.c.data(), (int)o.ldc);
        benchmark::DoNotOptimize(o.c.data());
    });
    finish(st, s, t);
}
#endif

#if defined(__x86_64__)
// The FMA peak of one core (kernels/gemm/gemm_peak.h), rated by CPU time: the probe is
// single-threaded and CPU time is what other processes on the machine do not inflate.
void run_peak(benchmark::State &st, int lanes) {
    const int64_t iters = 1 << 16;
    float sink = 0;
    for (auto _ : st) {
        sink += lanes == 16 ? mcdl_f32_fma_peak_avx512(iters) : mcdl_f32_fma_peak_avx2(iters);
        benchmark::DoNotOptimize(sink);
    }
    const int chains = lanes == 16 ? 16 : 12;
    st.counters["GFLOPS"] = benchmark::Counter(2.0 * chains * lanes * iters / 1e9,
                                               benchmark::Counter::kIsIterationInvariantRate);
}
#endif

std::string case_name(const char *impl, const Shape &s) {
    std::string n = std::string("gemm:") + impl + ":m" + std::to_string(s.m) + "n" +
                    std::to_string(s.n) + "k" + std::to_string(s.k);
    if (s.ta != 'N' || s.tb != 'N') n += std::string("t") + s.ta + s.tb;
    return n;
}

// Wall time, plus the minimum over repetitions: on a shared machine the fastest
// repetition is the one least disturbed by other processes.
void with_min(benchmark::internal::Benchmark *b) {
    if (min_of() > 1)
        b->UseManualTime();
    else
        b->UseRealTime();
    b->ComputeStatistics(
        "min", [](const std::vector<double> &v) { return *std::min_element(v.begin(), v.end()); });
}

void register_all() {
    const bool smoke =
        std::getenv("MCDL_BENCH_SMOKE") && std::atoi(std::getenv("MCDL_BENCH_SMOKE"));
    const Shape *first = smoke ? kSmoke : kShapes;
    const size_t count = smoke ? std::size(kSmoke) : std::size(kShapes);
#if defined(__x86_64__)
    char features[128];
    mcdl_cpu_features_str(features, sizeof features);
    if (!smoke && std::strstr(features, "avx512f"))
        benchmark::RegisterBenchmark("gemm:peak:fma512", run_peak, 16);
    if (!smoke) benchmark::RegisterBenchmark("gemm:peak:fma256", run_peak, 8);
#endif
    for (size_t i = 0; i < count; i++) {
        const Shape &s = first[i];
        with_min(benchmark::RegisterBenchmark(case_name("mcdl", s).c_str(), run_mcdl, s));
#ifdef MCDL_HAVE_ONEDNN
        with_min(benchmark::RegisterBenchmark(case_name("onednn", s).c_str(), run_onednn, s));
#endif
#ifdef MCDL_HAVE_OPENBLAS
        with_min(benchmark::RegisterBenchmark(case_name("openblas", s).c_str(), run_openblas, s));
#endif
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
