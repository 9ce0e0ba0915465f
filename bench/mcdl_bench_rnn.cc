// Recurrent layers, mcdl's fused kernels beside oneDNN's RNN primitives on the seed
// model cases. Names: <cell>_<fwd|bwd>:<mcdl|onednn>:<case>, cell in rnn (SimpleRNN /
// vanilla_rnn tanh), lstm, gru (reset_after=True / lbr_gru).
//   fwd: inference forward, full output sequence (oneDNN forward_inference).
//   bwd: one training step's recurrent work = training forward + backward through time
//        with every gradient (dx, dW, dU, db, dh0), oneDNN forward_training + backward.
// Weights are converted to each library's layout once, outside the timed loop, for
// inference (oneDNN reorders into its chosen layout, mcdl_rnn_pack packs); in a training
// step mcdl packs inside the timing (the weights change every step).
// GFLOPS counts 2*B*T*G*u*(in+u) per forward and 3x that per training step.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "kernels/rnn/rnn.h"
}
#ifdef MCDL_HAVE_ONEDNN
#include "tests/crosscheck/onednn_rnn.h"
#endif

namespace {

struct Case {
    const char *name;
    int64_t B, T, in, u;
    bool train; // batch-1 cases are inference only
};

// The seed shapes (SEED_MODELS.md): lstm/gru/simplernn models, lstm_forecast, and
// the 5-feature sequence classifier; batch 1 = single-sample inference of each.
const Case kCases[] = {
    {"b32_t10_i8_u64", 32, 10, 8, 64, true},  {"b64_t100_i1_u50", 64, 100, 1, 50, true},
    {"b32_t20_i5_u64", 32, 20, 5, 64, true},  {"b1_t10_i8_u64", 1, 10, 8, 64, false},
    {"b1_t100_i1_u50", 1, 100, 1, 50, false}, {"b1_t20_i5_u64", 1, 20, 5, 64, false},
};
const Case kSmoke[] = {{"b2_t3_i2_u8", 2, 3, 2, 8, true}};

float frand(uint64_t *s) {
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    return (float)((double)((*s * 2685821657736338717ull) >> 11) * 0x1p-52 - 1.0);
}

void fill(float *p, int64_t n, float scale, uint64_t *s) {
    for (int64_t i = 0; i < n; i++) p[i] = scale * frand(s);
}

double flops(mcdl_rnn_cell cell, const Case &c) {
    return 2.0 * c.B * c.T * mcdl_rnn_gates(cell) * c.u * (double)(c.in + c.u);
}

struct AlignedFree {
    void operator()(void *p) const { std::free(p); }
};

void *aligned(size_t n) { return std::aligned_alloc(64, (n + 63) / 64 * 64); }

void bench_mcdl(benchmark::State &st, mcdl_rnn_cell cell, Case c, bool train) {
    mcdl_rnn_desc d{};
    d.cell = cell, d.batch = c.B, d.steps = c.T, d.in = c.in, d.units = c.u;
    d.act = MCDL_ACT_TANH, d.rec_act = MCDL_ACT_SIGMOID, d.reset_after = true;
    const int64_t G = mcdl_rnn_gates(cell), u = c.u;
    uint64_t s = 42;
    std::vector<float> x(c.B * c.T * c.in), w(c.in * G * u), uk(u * G * u),
        b(mcdl_rnn_bias_size(&d));
    std::vector<float> y(c.B * c.T * u), hT(c.B * u), cT(c.B * u), dy(c.B * c.T * u), dx(x.size());
    std::vector<float> dw(w.size()), du(uk.size()), db(b.size()), dh0(c.B * u);
    fill(x.data(), x.size(), 1.0f, &s), fill(w.data(), w.size(), 0.3f, &s);
    fill(uk.data(), uk.size(), 0.15f, &s), fill(b.data(), b.size(), 0.1f, &s);
    fill(dy.data(), dy.size(), 1.0f, &s);
    std::unique_ptr<void, AlignedFree> wf(aligned(mcdl_rnn_fwd_workspace_size(&d)));
    std::unique_ptr<void, AlignedFree> wb(aligned(mcdl_rnn_bwd_workspace_size(&d)));
    mcdl_rnn_fwd_args a{};
    a.x = x.data(), a.kernel = w.data(), a.rkernel = uk.data(), a.bias = b.data();
    a.y = y.data(), a.h_last = hT.data(), a.c_last = cT.data();
    // inference uses weights packed once, as oneDNN's weights are reordered once
    std::unique_ptr<void, AlignedFree> packed(aligned(mcdl_rnn_packed_size(&d)));
    if (!train) {
        mcdl_rnn_pack(&d, w.data(), uk.data(), packed.get());
        a.packed = packed.get();
        a.inference = true;
    }
    mcdl_rnn_bwd_args g{};
    g.dy = dy.data(), g.dx = dx.data(), g.dkernel = dw.data(), g.drkernel = du.data();
    g.dbias = db.data(), g.dh0 = dh0.data();
    for (auto _ : st) {
        mcdl_rnn_fwd(&d, &a, wf.get());
        if (train) mcdl_rnn_bwd(&d, &a, &g, wf.get(), wb.get());
        benchmark::DoNotOptimize(y.data());
        benchmark::DoNotOptimize(dw.data());
    }
    st.counters["GFLOPS"] = benchmark::Counter(flops(cell, c) * (train ? 3 : 1) * 1e-9,
                                               benchmark::Counter::kIsIterationInvariantRate);
}

#ifdef MCDL_HAVE_ONEDNN
void bench_onednn(benchmark::State &st, int cell, mcdl_rnn_cell mcell, Case c, bool train) {
    onednn_rnn r;
    if (onednn_rnn_init(&r, cell, dnnl_unidirectional_left2right, c.T, c.B, c.in, c.u, train) !=
        0) {
        st.SkipWithError("oneDNN primitive creation failed");
        onednn_rnn_destroy(&r);
        return;
    }
    uint64_t s = 42;
    fill(r.x, c.B * c.T * c.in, 1.0f, &s), fill(r.wl, c.in * r.G * c.u, 0.3f, &s);
    fill(r.wi, c.u * r.G * c.u, 0.15f, &s), fill(r.b, r.Gb * c.u, 0.1f, &s);
    if (train) fill(r.dy, c.B * c.T * c.u, 1.0f, &s);
    if (onednn_rnn_prepare(&r) != 0) {
        st.SkipWithError("oneDNN weight reorder failed");
        onednn_rnn_destroy(&r);
        return;
    }
    for (auto _ : st) {
        onednn_rnn_fwd(&r);
        if (train) onednn_rnn_bwd(&r);
        benchmark::DoNotOptimize(r.y);
    }
    st.counters["GFLOPS"] = benchmark::Counter(flops(mcell, c) * (train ? 3 : 1) * 1e-9,
                                               benchmark::Counter::kIsIterationInvariantRate);
    onednn_rnn_destroy(&r);
}
#endif

// The fastest repetition: on a shared machine the least disturbed run.
double vmin(const std::vector<double> &v) { return *std::min_element(v.begin(), v.end()); }

void register_all() {
    const bool smoke = std::getenv("MCDL_BENCH_SMOKE") != nullptr;
    const Case *cases = smoke ? kSmoke : kCases;
    const size_t ncases = smoke ? 1 : sizeof kCases / sizeof kCases[0];
    struct Cell {
        const char *name;
        mcdl_rnn_cell cell;
        int onednn;
    };
    const Cell cells[] = {
        {"lstm", MCDL_RNN_LSTM, 1}, {"gru", MCDL_RNN_GRU, 2}, {"rnn", MCDL_RNN_SIMPLE, 0}};
    for (const Cell &cl : cells) {
        for (int train = 0; train < 2; train++) {
            for (size_t k = 0; k < ncases; k++) {
                const Case c = cases[k];
                if (train && !c.train) continue;
                std::string op = std::string(cl.name) + (train ? "_bwd" : "_fwd");
                // mcdl and oneDNN side by side, so each pair runs back to back
                benchmark::RegisterBenchmark((op + ":mcdl:" + c.name).c_str(), bench_mcdl, cl.cell,
                                             c, train != 0)
                    ->Unit(benchmark::kMicrosecond)
                    ->UseRealTime()
                    ->ComputeStatistics("min", vmin);
#ifdef MCDL_HAVE_ONEDNN
                benchmark::RegisterBenchmark((op + ":onednn:" + c.name).c_str(), bench_onednn,
                                             cl.onednn, cl.cell, c, train != 0)
                    ->Unit(benchmark::kMicrosecond)
                    ->UseRealTime()
                    ->ComputeStatistics("min", vmin);
#endif
            }
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
