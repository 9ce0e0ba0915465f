// Attention core and layer norm: mcdl's fused kernels beside oneDNN 2.6 compositions.
//   mha_fwd:<impl>:b<B>h<H>t<T>d<D>   self-attention core, T = S, key_dim = value_dim = D
//   mha_bwd:<impl>:b<B>h<H>t<T>d<D>   dQ, dK, dV from dO (inputs of a finished forward)
//   layernorm:<impl>:<fwd|bwd>_r<rows>n<n>
// impl: mcdl (fused, flash-style, never forms T x S), onednn (matmul + softmax
// primitives, bench/onednn_attention.h, dense (B, H, T, D) tensors: its fastest layout).
// GFLOPS counts 4·B·H·T²·D for the forward and 8·B·H·T²·D for the backward for both
// implementations (mcdl's recomputation of Q·Kᵀ is not credited). Each case reports
// rss_MB = the process's peak resident set (getrusage): run one case per process
// (--benchmark_filter) to read its own peak. Time is wall-clock (UseRealTime); the CPU
// column is the whole process's CPU time (MeasureProcessCPUTime), which stays
// meaningful on a shared, oversubscribed machine.
#include <benchmark/benchmark.h>
#include <omp.h>
#include <sys/resource.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" {
#include "kernels/attention/attention.h"
#include "kernels/norm/layernorm.h"
}
#if MCDL_HAVE_ONEDNN
#include "bench/onednn_attention.h"
#endif

namespace {

struct Case {
    int64_t B, H, T, D;
};

std::vector<float> random_vec(size_t n, uint32_t seed) {
    std::vector<float> v(n);
    uint32_t s = seed * 2654435761u + 1;
    for (auto &x : v) {
        s = s * 1664525u + 1013904223u;
        x = (float)((s >> 8) * (1.0 / 16777216.0) * 2.0 - 1.0);
    }
    return v;
}

double peak_rss_mb() {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

struct AlignedFloats {
    float *p = nullptr;
    explicit AlignedFloats(size_t n) {
        p = static_cast<float *>(std::aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64 + 64));
    }
    ~AlignedFloats() { std::free(p); }
};

void bm_mha_mcdl(benchmark::State &st, Case c, bool backward) {
    const int64_t nq = c.B * c.T * c.H * c.D;
    mcdl_mha_desc d = {};
    d.batch = c.B, d.tq = c.T, d.tk = c.T, d.heads = c.H, d.key_dim = c.D, d.value_dim = c.D;
    d.scale = 1.0f / std::sqrt((float)c.D);
    auto q = random_vec(nq, 1), k = random_vec(nq, 2), v = random_vec(nq, 3), g = random_vec(nq, 4);
    std::vector<float> o(nq), lse(c.B * c.H * c.T), dq(nq), dk(nq), dv(nq);
    const int nthr = omp_get_max_threads();
    AlignedFloats ws(backward ? mcdl_f32_mha_bwd_ws_floats(&d, nthr)
                              : mcdl_f32_mha_fwd_ws_floats(&d, nthr));
    AlignedFloats wsf(mcdl_f32_mha_fwd_ws_floats(&d, nthr));
    mcdl_f32_mha_fwd(&d, q.data(), k.data(), v.data(), o.data(), lse.data(), wsf.p);
    for (auto _ : st) {
        if (backward)
            mcdl_f32_mha_bwd(&d, q.data(), k.data(), v.data(), o.data(), g.data(), lse.data(),
                             dq.data(), dk.data(), dv.data(), ws.p);
        else
            mcdl_f32_mha_fwd(&d, q.data(), k.data(), v.data(), o.data(), lse.data(), ws.p);
        benchmark::ClobberMemory();
    }
    const double flops = (backward ? 8.0 : 4.0) * c.B * c.H * (double)c.T * c.T * c.D;
    st.counters["GFLOPS"] =
        benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    st.counters["rss_MB"] = peak_rss_mb();
}

#if MCDL_HAVE_ONEDNN
void bm_mha_onednn(benchmark::State &st, Case c, bool backward) {
    const int64_t nq = c.B * c.T * c.H * c.D;
    auto q = random_vec(nq, 1), k = random_vec(nq, 2), v = random_vec(nq, 3), g = random_vec(nq, 4);
    std::vector<float> o(nq), dq(nq), dk(nq), dv(nq);
    mcdl_onednn_mha m;
    if (mcdl_onednn_mha_init(&m, c.B, c.T, c.T, c.H, c.D, c.D, 1.0f / std::sqrt((float)c.D), 1,
                             backward)) {
        mcdl_onednn_mha_destroy(&m);
        st.SkipWithError("oneDNN composition could not be created");
        return;
    }
    mcdl_onednn_mha_fwd(&m, q.data(), k.data(), v.data(), o.data());
    for (auto _ : st) {
        if (backward)
            mcdl_onednn_mha_bwd(&m, q.data(), k.data(), v.data(), g.data(), dq.data(), dk.data(),
                                dv.data());
        else
            mcdl_onednn_mha_fwd(&m, q.data(), k.data(), v.data(), o.data());
        benchmark::ClobberMemory();
    }
    const double flops = (backward ? 8.0 : 4.0) * c.B * c.H * (double)c.T * c.T * c.D;
    st.counters["GFLOPS"] =
        benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    st.counters["rss_MB"] = peak_rss_mb();
    mcdl_onednn_mha_destroy(&m);
}
#endif

void bm_layernorm_mcdl(benchmark::State &st, int64_t rows, int64_t n, bool backward) {
    auto x = random_vec(rows * n, 5), dy = random_vec(rows * n, 6), gam = random_vec(n, 7),
         bet = random_vec(n, 8);
    std::vector<float> y(rows * n), dx(rows * n), mean(rows), rstd(rows), dg(n), db(n),
        part(mcdl_f32_layernorm_bwd_ws_floats(rows, n));
    mcdl_f32_layernorm_fwd(rows, n, x.data(), gam.data(), bet.data(), 1e-3f, y.data(), mean.data(),
                           rstd.data());
    for (auto _ : st) {
        if (backward)
            mcdl_f32_layernorm_bwd(rows, n, x.data(), dy.data(), gam.data(), mean.data(),
                                   rstd.data(), dx.data(), dg.data(), db.data(), part.data());
        else
            mcdl_f32_layernorm_fwd(rows, n, x.data(), gam.data(), bet.data(), 1e-3f, y.data(),
                                   mean.data(), rstd.data());
        benchmark::ClobberMemory();
    }
    st.counters["GB/s"] = benchmark::Counter((backward ? 3.0 : 2.0) * rows * n * 4.0 * 1e-9,
                                             benchmark::Counter::kIsIterationInvariantRate);
}

#if MCDL_HAVE_ONEDNN
void bm_layernorm_onednn(benchmark::State &st, int64_t rows, int64_t n, bool backward) {
    auto x = random_vec(rows * n, 5), dy = random_vec(rows * n, 6), gam = random_vec(n, 7),
         bet = random_vec(n, 8);
    std::vector<float> y(rows * n), dx(rows * n), mean(rows), var(rows), dg(n), db(n);
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    dnnl_engine_create(&eng, dnnl_cpu, 0);
    dnnl_stream_create(&strm, eng, dnnl_stream_default_flags);
    dnnl_memory_desc_t md_x, md_s, md_w;
    dnnl_dims_t xd = {rows, n}, sd = {rows}, wd = {n};
    dnnl_memory_desc_init_by_tag(&md_x, 2, xd, dnnl_f32, dnnl_ab);
    dnnl_memory_desc_init_by_tag(&md_s, 1, sd, dnnl_f32, dnnl_a);
    dnnl_memory_desc_init_by_tag(&md_w, 1, wd, dnnl_f32, dnnl_a);
    const unsigned flags = dnnl_use_scale | dnnl_use_shift;
    dnnl_layer_normalization_desc_t fd, bd;
    dnnl_primitive_desc_t fpd, bpd;
    dnnl_primitive_t fp, bp;
    dnnl_layer_normalization_forward_desc_init(&fd, dnnl_forward_training, &md_x, &md_s, 1e-3f,
                                               flags);
    dnnl_primitive_desc_create(&fpd, &fd, nullptr, eng, nullptr);
    dnnl_primitive_create(&fp, fpd);
    dnnl_layer_normalization_backward_desc_init(&bd, dnnl_backward, &md_x, &md_x, &md_s, 1e-3f,
                                                flags);
    dnnl_primitive_desc_create(&bpd, &bd, nullptr, eng, fpd);
    dnnl_primitive_create(&bp, bpd);
    auto wrap = [&](const dnnl_memory_desc_t *md, void *p) {
        dnnl_memory_t m;
        dnnl_memory_create(&m, md, eng, p);
        return m;
    };
    std::vector<dnnl_exec_arg_t> fa = {
        {DNNL_ARG_SRC, wrap(&md_x, x.data())},     {DNNL_ARG_DST, wrap(&md_x, y.data())},
        {DNNL_ARG_SCALE, wrap(&md_w, gam.data())}, {DNNL_ARG_SHIFT, wrap(&md_w, bet.data())},
        {DNNL_ARG_MEAN, wrap(&md_s, mean.data())}, {DNNL_ARG_VARIANCE, wrap(&md_s, var.data())}};
    std::vector<dnnl_exec_arg_t> ba = {
        {DNNL_ARG_SRC, wrap(&md_x, x.data())},        {DNNL_ARG_DIFF_DST, wrap(&md_x, dy.data())},
        {DNNL_ARG_SCALE, wrap(&md_w, gam.data())},    {DNNL_ARG_SHIFT, wrap(&md_w, bet.data())},
        {DNNL_ARG_MEAN, wrap(&md_s, mean.data())},    {DNNL_ARG_VARIANCE, wrap(&md_s, var.data())},
        {DNNL_ARG_DIFF_SRC, wrap(&md_x, dx.data())},  {DNNL_ARG_DIFF_SCALE, wrap(&md_w, dg.data())},
        {DNNL_ARG_DIFF_SHIFT, wrap(&md_w, db.data())}};
    dnnl_primitive_execute(fp, strm, (int)fa.size(), fa.data());
    dnnl_stream_wait(strm);
    for (auto _ : st) {
        if (backward)
            dnnl_primitive_execute(bp, strm, (int)ba.size(), ba.data());
        else
            dnnl_primitive_execute(fp, strm, (int)fa.size(), fa.data());
        dnnl_stream_wait(strm);
    }
    st.counters["GB/s"] = benchmark::Counter((backward ? 3.0 : 2.0) * rows * n * 4.0 * 1e-9,
                                             benchmark::Counter::kIsIterationInvariantRate);
    for (auto &a : fa) dnnl_memory_destroy(a.memory);
    for (auto &a : ba) dnnl_memory_destroy(a.memory);
    dnnl_primitive_destroy(fp);
    dnnl_primitive_destroy(bp);
    dnnl_primitive_desc_destroy(fpd);
    dnnl_primitive_desc_destroy(bpd);
    dnnl_stream_destroy(strm);
    dnnl_engine_destroy(eng);
}
#endif

std::string case_name(const Case &c) {
    return "b" + std::to_string(c.B) + "h" + std::to_string(c.H) + "t" + std::to_string(c.T) + "d" +
           std::to_string(c.D);
}

void register_all() {
    const bool smoke = std::getenv("MCDL_BENCH_SMOKE") != nullptr;
    // the seed case, then longer sequences with fewer sequences per batch
    const std::vector<Case> cases =
        smoke ? std::vector<Case>{{2, 2, 33, 16}}
              : std::vector<Case>{
                    {64, 8, 100, 64}, {16, 8, 256, 64}, {2, 8, 1024, 64}, {1, 8, 4096, 64}};
    for (const char *op : {"mha_fwd", "mha_bwd"}) {
        const bool bwd = op[4] == 'b';
        for (const Case &c : cases) {
            const std::string n = case_name(c);
            benchmark::RegisterBenchmark((std::string(op) + ":mcdl:" + n).c_str(), bm_mha_mcdl, c,
                                         bwd)
                ->Unit(benchmark::kMillisecond)
                ->UseRealTime()
                ->MeasureProcessCPUTime();
#if MCDL_HAVE_ONEDNN
            benchmark::RegisterBenchmark((std::string(op) + ":onednn:" + n).c_str(), bm_mha_onednn,
                                         c, bwd)
                ->Unit(benchmark::kMillisecond)
                ->UseRealTime()
                ->MeasureProcessCPUTime();
#endif
        }
    }
    const int64_t rows = smoke ? 37 : 64 * 100, n = 128; // the seed's LayerNormalization input
    for (bool bwd : {false, true}) {
        const std::string cs = std::string(bwd ? "bwd" : "fwd") + "_r" + std::to_string(rows) +
                               "n" + std::to_string(n);
        benchmark::RegisterBenchmark(("layernorm:mcdl:" + cs).c_str(), bm_layernorm_mcdl, rows, n,
                                     bwd)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime()
            ->MeasureProcessCPUTime();
#if MCDL_HAVE_ONEDNN
        benchmark::RegisterBenchmark(("layernorm:onednn:" + cs).c_str(), bm_layernorm_onednn, rows,
                                     n, bwd)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime()
            ->MeasureProcessCPUTime();
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
