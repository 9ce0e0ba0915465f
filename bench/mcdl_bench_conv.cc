// Convolution-family benchmarks over the seed models' layers at batch 32: mcdl beside
// oneDNN (NHWC activations; oneDNN picks its preferred weight layout, as a framework
// that keeps weights in oneDNN's format would). Cases are named <op>:<impl>:<case>_<dir>
// with dir in fwd, bwd_data, bwd_weights (bwd for pooling and batch norm) and report a
// GFLOPS counter (2 flops per multiply-add; pooling/bnorm count one flop per element read).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

extern "C" {
#include "kernels/conv/conv.h"
#include "kernels/norm/batchnorm.h"
}
#ifdef MCDL_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace {

struct Buf {
    std::vector<float> v;
    explicit Buf(size_t n, float scale = 1.0f) : v(n ? n : 1) {
        uint32_t s = 12345u + (uint32_t)n;
        for (auto &x : v) {
            s = s * 1664525u + 1013904223u;
            x = scale * ((float)(s >> 8) / 8388608.0f - 1.0f);
        }
    }
    float *p() { return v.data(); }
};

enum Op { CONV, DWCONV, DECONV, MAXPOOL, AVGPOOL, BNORM };
enum Dir { FWD, BWD_DATA, BWD_WEIGHTS };

struct Case {
    const char *op_name, *name;
    Op op;
    // image side (input of conv/pool, output of deconv) and kernel, Keras semantics
    int64_t N, H, W, C, F, K, S;
    mcdl_padding pad;
};

// The seed layers (SEED_MODELS.md) at batch 32.
const Case kCases[] = {
    {"conv2d", "cnn_conv_64x64x3_32_k3", CONV, 32, 64, 64, 3, 32, 3, 1, MCDL_PAD_VALID},
    {"conv2d", "sep_pointwise_29x29x32_64", CONV, 32, 29, 29, 32, 64, 1, 1, MCDL_PAD_VALID},
    {"conv2d", "mnist_conv_28x28x1_32_k3", CONV, 32, 28, 28, 1, 32, 3, 1, MCDL_PAD_VALID},
    {"conv2d", "resnet_conv_32x32x64_64_k3", CONV, 32, 32, 32, 64, 64, 3, 1, MCDL_PAD_SAME},
    {"dwconv2d", "sep_depthwise_31x31x32_k3", DWCONV, 32, 31, 31, 32, 32, 3, 1, MCDL_PAD_VALID},
    {"dwconv2d", "cnn_depthwise_14x14x64_k3", DWCONV, 32, 14, 14, 64, 64, 3, 1, MCDL_PAD_VALID},
    // deconv: image side is the output (14x14x128 from 7x7x128; 28x28x64 from 14x14x128)
    {"deconv2d", "gan_7x7x128_128_k4s2", DECONV, 32, 14, 14, 128, 128, 4, 2, MCDL_PAD_SAME},
    {"deconv2d", "gan_14x14x128_64_k4s2", DECONV, 32, 28, 28, 64, 128, 4, 2, MCDL_PAD_SAME},
    {"maxpool2d", "cnn_62x62x32_p2", MAXPOOL, 32, 62, 62, 32, 32, 2, 2, MCDL_PAD_VALID},
    {"maxpool2d", "mnist_26x26x32_p2", MAXPOOL, 32, 26, 26, 32, 32, 2, 2, MCDL_PAD_VALID},
    {"avgpool2d", "cnn_29x29x64_p2", AVGPOOL, 32, 29, 29, 64, 64, 2, 2, MCDL_PAD_VALID},
    {"bnorm", "resnet_32x32x64", BNORM, 32, 32, 32, 64, 64, 1, 1, MCDL_PAD_VALID},
};

mcdl_conv2d_geom geom_of(const Case &c) {
    mcdl_conv2d_geom g{};
    g.N = c.N, g.H = c.H, g.W = c.W, g.C = c.C, g.F = c.F, g.KH = g.KW = c.K, g.SH = g.SW = c.S;
    g.DH = g.DW = 1;
    // for a deconvolution: the geometry of the convolution it transposes (same sizes as
    // Keras' n*s for 'same')
    mcdl_conv_out_len(c.H, c.K, c.S, 1, c.pad, &g.OH, &g.PT);
    mcdl_conv_out_len(c.W, c.K, c.S, 1, c.pad, &g.OW, &g.PL);
    return g;
}

double flops_of(const Case &c, const mcdl_conv2d_geom &g) {
    const double pos = (double)g.N * g.OH * g.OW;
    switch (c.op) {
    case CONV:
    case DECONV:
        return 2.0 * pos * g.KH * g.KW * g.C * g.F;
    case DWCONV:
        return 2.0 * pos * g.KH * g.KW * g.F;
    case MAXPOOL:
    case AVGPOOL:
        return pos * g.KH * g.KW * g.C;
    case BNORM:
        return (double)g.N * g.H * g.W * g.C;
    }
    return 0;
}

void run_loop(benchmark::State &st, double flops, const std::function<void()> &f) {
    f(); // warm-up (first-touch, oneDNN primitive caches)
    for (auto _ : st) f();
    st.counters["GFLOPS"] =
        benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void bench_mcdl(benchmark::State &st, const Case &c, Dir dir) {
    mcdl_conv2d_geom g = geom_of(c);
    const size_t nimg = (size_t)(g.N * g.H * g.W * g.C), nout = (size_t)(g.N * g.OH * g.OW * g.F);
    const size_t nw = (size_t)(g.KH * g.KW * (c.op == DWCONV ? 1 : g.C) * g.F);
    Buf img(nimg), out(nout), w(nw, 0.1f), b(g.F), dimg(nimg), dout(nout), dw(nw), db(g.F);
    size_t wsn = 0;
    if (c.op == CONV)
        wsn = std::max({mcdl_conv2d_fwd_workspace_size(&g), mcdl_conv2d_bwd_data_workspace_size(&g),
                        mcdl_conv2d_bwd_weights_workspace_size(&g)});
    if (c.op == DECONV)
        wsn = std::max({mcdl_deconv2d_fwd_workspace_size(&g),
                        mcdl_deconv2d_bwd_data_workspace_size(&g),
                        mcdl_deconv2d_bwd_weights_workspace_size(&g)});
    if (c.op == DWCONV) wsn = mcdl_dwconv2d_bwd_weights_workspace_size(&g);
    mcdl_bnorm_desc bd{g.N * g.H * g.W, g.C, 1e-3f, 0.99f, 0};
    if (c.op == BNORM) wsn = mcdl_bnorm_workspace_size(&bd);
    Buf ws(wsn), mean(g.C), istd(g.C), mm(g.C), mv(g.C);
    std::vector<uint8_t> argv(nout + 64);
    uint8_t *arg = argv.data();
    std::function<void()> f;
    switch (c.op) {
    case CONV:
        if (dir == FWD)
            f = [&] {
                mcdl_f32_conv2d_fwd(&g, img.p(), w.p(), b.p(), MCDL_ACT_NONE, 0, out.p(), ws.p());
            };
        if (dir == BWD_DATA)
            f = [&] { mcdl_f32_conv2d_bwd_data(&g, dout.p(), w.p(), dimg.p(), ws.p()); };
        if (dir == BWD_WEIGHTS)
            f = [&] { mcdl_f32_conv2d_bwd_weights(&g, img.p(), dout.p(), dw.p(), db.p(), ws.p()); };
        break;
    case DECONV: // x = out side, y = image side
        if (dir == FWD)
            f = [&] {
                mcdl_f32_deconv2d_fwd(&g, out.p(), w.p(), b.p(), MCDL_ACT_NONE, 0, img.p(), ws.p());
            };
        if (dir == BWD_DATA)
            f = [&] { mcdl_f32_deconv2d_bwd_data(&g, dimg.p(), w.p(), dout.p(), ws.p()); };
        if (dir == BWD_WEIGHTS)
            f = [&] {
                mcdl_f32_deconv2d_bwd_weights(&g, out.p(), dimg.p(), dw.p(), db.p(), ws.p());
            };
        break;
    case DWCONV:
        if (dir == FWD)
            f = [&] {
                mcdl_f32_dwconv2d_fwd(&g, img.p(), w.p(), b.p(), MCDL_ACT_NONE, 0, out.p());
            };
        if (dir == BWD_DATA) f = [&] { mcdl_f32_dwconv2d_bwd_data(&g, dout.p(), w.p(), dimg.p()); };
        if (dir == BWD_WEIGHTS)
            f = [&] {
                mcdl_f32_dwconv2d_bwd_weights(&g, img.p(), dout.p(), dw.p(), db.p(), ws.p());
            };
        break;
    case MAXPOOL: // the training forms, as oneDNN's forward_training with its workspace
        if (dir == FWD) {
            f = [&] { mcdl_f32_maxpool2d_fwd_argmax(&g, img.p(), out.p(), arg); };
        } else {
            mcdl_f32_maxpool2d_fwd_argmax(&g, img.p(), out.p(), arg);
            f = [&] { mcdl_f32_maxpool2d_bwd_argmax(&g, arg, dout.p(), dimg.p()); };
        }
        break;
    case AVGPOOL:
        if (dir == FWD)
            f = [&] { mcdl_f32_avgpool2d_fwd(&g, img.p(), out.p()); };
        else
            f = [&] { mcdl_f32_avgpool2d_bwd(&g, dout.p(), dimg.p()); };
        break;
    case BNORM:
        if (dir == FWD)
            f = [&] {
                mcdl_f32_bnorm_fwd_train(&bd, img.p(), w.p(), b.p(), out.p(), mean.p(), istd.p(),
                                         mm.p(), mv.p(), ws.p());
            };
        else {
            mcdl_f32_bnorm_fwd_train(&bd, img.p(), w.p(), b.p(), out.p(), mean.p(), istd.p(),
                                     mm.p(), mv.p(), ws.p());
            f = [&] {
                mcdl_f32_bnorm_bwd_train(&bd, img.p(), dout.p(), w.p(), mean.p(), istd.p(),
                                         dimg.p(), dw.p(), db.p(), ws.p());
            };
        }
        break;
    }
    run_loop(st, flops_of(c, g), f);
}

#ifdef MCDL_HAVE_ONEDNN
using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

void bench_onednn(benchmark::State &st, const Case &c, Dir dir) {
    static engine eng(engine::kind::cpu, 0);
    stream s(eng);
    mcdl_conv2d_geom g = geom_of(c);
    const memory::dims strides = {g.SH, g.SW}, dil = {0, 0}, pl = {g.PT, g.PL};
    auto pr0 = (g.OH - 1) * g.SH + g.KH - g.H - g.PT, pr1 = (g.OW - 1) * g.SW + g.KW - g.W - g.PL;
    const memory::dims pr = {pr0 > 0 ? pr0 : 0, pr1 > 0 ? pr1 : 0};
    auto nhwc = [&](int64_t n, int64_t ch, int64_t h, int64_t w) {
        return memory::desc({n, ch, h, w}, dt::f32, tag::nhwc);
    };
    memory::desc img = nhwc(g.N, g.C, g.H, g.W), out = nhwc(g.N, g.F, g.OH, g.OW);
    std::vector<std::unique_ptr<Buf>> keep;
    auto mem = [&](const memory::desc &d) {
        keep.emplace_back(new Buf(d.get_size() / sizeof(float) + 16));
        return memory(d, eng, keep.back()->p());
    };
    std::function<void()> f;
    std::unordered_map<int, memory> args;
    primitive prim;
    if (c.op == CONV || c.op == DWCONV || c.op == DECONV) {
        memory::desc wany, bias({c.op == DECONV ? g.C : g.F}, dt::f32, tag::a);
        if (c.op == CONV) wany = memory::desc({g.F, g.C, g.KH, g.KW}, dt::f32, tag::any);
        if (c.op == DWCONV) wany = memory::desc({g.C, g.F / g.C, 1, g.KH, g.KW}, dt::f32, tag::any);
        if (c.op == DECONV) wany = memory::desc({g.C, g.F, g.KH, g.KW}, dt::f32, tag::any);
        if (c.op != DECONV) {
            auto fd = convolution_forward::desc(prop_kind::forward_training,
                                                algorithm::convolution_direct, img, wany, bias, out,
                                                strides, dil, pl, pr);
            auto fpd = convolution_forward::primitive_desc(fd, eng);
            if (dir == FWD) {
                prim = convolution_forward(fpd);
                args = {{DNNL_ARG_SRC, mem(img)},
                        {DNNL_ARG_WEIGHTS, mem(fpd.weights_desc())},
                        {DNNL_ARG_BIAS, mem(bias)},
                        {DNNL_ARG_DST, mem(out)}};
            } else if (dir == BWD_DATA) {
                auto bd = convolution_backward_data::desc(algorithm::convolution_direct, img, wany,
                                                          out, strides, dil, pl, pr);
                auto bpd = convolution_backward_data::primitive_desc(bd, eng, fpd);
                prim = convolution_backward_data(bpd);
                args = {{DNNL_ARG_DIFF_SRC, mem(img)},
                        {DNNL_ARG_WEIGHTS, mem(bpd.weights_desc())},
                        {DNNL_ARG_DIFF_DST, mem(out)}};
            } else {
                auto bd = convolution_backward_weights::desc(algorithm::convolution_direct, img,
                                                             wany, bias, out, strides, dil, pl, pr);
                auto bpd = convolution_backward_weights::primitive_desc(bd, eng, fpd);
                prim = convolution_backward_weights(bpd);
                args = {{DNNL_ARG_SRC, mem(img)},
                        {DNNL_ARG_DIFF_WEIGHTS, mem(bpd.diff_weights_desc())},
                        {DNNL_ARG_DIFF_BIAS, mem(bias)},
                        {DNNL_ARG_DIFF_DST, mem(out)}};
            }
        } else { // src = out side, dst = image side
            auto fd = deconvolution_forward::desc(prop_kind::forward_training,
                                                  algorithm::deconvolution_direct, out, wany, bias,
                                                  img, strides, dil, pl, pr);
            auto fpd = deconvolution_forward::primitive_desc(fd, eng);
            if (dir == FWD) {
                prim = deconvolution_forward(fpd);
                args = {{DNNL_ARG_SRC, mem(out)},
                        {DNNL_ARG_WEIGHTS, mem(fpd.weights_desc())},
                        {DNNL_ARG_BIAS, mem(bias)},
                        {DNNL_ARG_DST, mem(img)}};
            } else if (dir == BWD_DATA) {
                auto bd = deconvolution_backward_data::desc(algorithm::deconvolution_direct, out,
                                                            wany, img, strides, dil, pl, pr);
                auto bpd = deconvolution_backward_data::primitive_desc(bd, eng, fpd);
                prim = deconvolution_backward_data(bpd);
                args = {{DNNL_ARG_DIFF_SRC, mem(out)},
                        {DNNL_ARG_WEIGHTS, mem(bpd.weights_desc())},
                        {DNNL_ARG_DIFF_DST, mem(img)}};
            } else {
                auto bd = deconvolution_backward_weights::desc(
                    algorithm::deconvolution_direct, out, wany, bias, img, strides, dil, pl, pr);
                auto bpd = deconvolution_backward_weights::primitive_desc(bd, eng, fpd);
                prim = deconvolution_backward_weights(bpd);
                args = {{DNNL_ARG_SRC, mem(out)},
                        {DNNL_ARG_DIFF_WEIGHTS, mem(bpd.diff_weights_desc())},
                        {DNNL_ARG_DIFF_BIAS, mem(bias)},
                        {DNNL_ARG_DIFF_DST, mem(img)}};
            }
        }
    } else if (c.op == MAXPOOL || c.op == AVGPOOL) {
        const auto alg =
            c.op == MAXPOOL ? algorithm::pooling_max : algorithm::pooling_avg_exclude_padding;
        const memory::dims k = {g.KH, g.KW};
        auto fd = pooling_v2_forward::desc(prop_kind::forward_training, alg, img, out, strides, k,
                                           dil, pl, pr);
        auto fpd = pooling_v2_forward::primitive_desc(fd, eng);
        memory wsm = mem(fpd.workspace_desc());
        if (dir == FWD) {
            prim = pooling_v2_forward(fpd);
            args = {{DNNL_ARG_SRC, mem(img)}, {DNNL_ARG_DST, mem(out)}, {DNNL_ARG_WORKSPACE, wsm}};
        } else {
            auto bd = pooling_v2_backward::desc(alg, img, out, strides, k, dil, pl, pr);
            auto bpd = pooling_v2_backward::primitive_desc(bd, eng, fpd);
            prim = pooling_v2_backward(bpd);
            args = {{DNNL_ARG_DIFF_SRC, mem(img)},
                    {DNNL_ARG_DIFF_DST, mem(out)},
                    {DNNL_ARG_WORKSPACE, wsm}};
        }
    } else {
        const auto flags = normalization_flags::use_scale | normalization_flags::use_shift;
        memory::desc cm({g.C}, dt::f32, tag::a);
        auto fd = batch_normalization_forward::desc(prop_kind::forward_training, img, 1e-3f, flags);
        auto fpd = batch_normalization_forward::primitive_desc(fd, eng);
        memory src = mem(img), sc = mem(cm), sh = mem(cm), mean = mem(cm), var = mem(cm);
        if (dir == FWD) {
            prim = batch_normalization_forward(fpd);
            args = {{DNNL_ARG_SRC, src},  {DNNL_ARG_DST, mem(img)}, {DNNL_ARG_SCALE, sc},
                    {DNNL_ARG_SHIFT, sh}, {DNNL_ARG_MEAN, mean},    {DNNL_ARG_VARIANCE, var}};
        } else {
            auto bd =
                batch_normalization_backward::desc(prop_kind::backward, img, img, 1e-3f, flags);
            auto bpd = batch_normalization_backward::primitive_desc(bd, eng, fpd);
            prim = batch_normalization_backward(bpd);
            args = {{DNNL_ARG_SRC, src},           {DNNL_ARG_DIFF_DST, mem(img)},
                    {DNNL_ARG_SCALE, sc},          {DNNL_ARG_SHIFT, sh},
                    {DNNL_ARG_MEAN, mean},         {DNNL_ARG_VARIANCE, var},
                    {DNNL_ARG_DIFF_SRC, mem(img)}, {DNNL_ARG_DIFF_SCALE, mem(cm)},
                    {DNNL_ARG_DIFF_SHIFT, mem(cm)}};
        }
    }
    f = [&] {
        prim.execute(s, args);
        s.wait();
    };
    run_loop(st, flops_of(c, g), f);
}
#endif

const char *dir_name(const Case &c, Dir d) {
    const bool two = c.op == MAXPOOL || c.op == AVGPOOL || c.op == BNORM;
    if (d == FWD) return "fwd";
    if (two) return "bwd";
    return d == BWD_DATA ? "bwd_data" : "bwd_weights";
}

void register_all() {
    const bool smoke = std::getenv("MCDL_BENCH_SMOKE") != nullptr;
    static std::vector<Case> smoke_cases = {
        {"conv2d", "smoke_8x8x4_8_k3", CONV, 2, 8, 8, 4, 8, 3, 1, MCDL_PAD_SAME},
        {"dwconv2d", "smoke_8x8x8_k3", DWCONV, 2, 8, 8, 8, 8, 3, 1, MCDL_PAD_SAME}};
    const Case *cases = smoke ? smoke_cases.data() : kCases;
    const size_t n = smoke ? smoke_cases.size() : sizeof kCases / sizeof kCases[0];
    for (size_t i = 0; i < n; i++) {
        const Case &c = cases[i];
        const bool two = c.op == MAXPOOL || c.op == AVGPOOL || c.op == BNORM;
        for (int d = 0; d < (two ? 2 : 3); d++) {
            const Dir dir = (Dir)d;
            std::string tail = std::string(c.name) + "_" + dir_name(c, dir);
            benchmark::RegisterBenchmark((std::string(c.op_name) + ":mcdl:" + tail).c_str(),
                                         [c, dir](benchmark::State &st) { bench_mcdl(st, c, dir); })
                ->Unit(benchmark::kMicrosecond)
                ->UseRealTime();
#ifdef MCDL_HAVE_ONEDNN
            benchmark::RegisterBenchmark(
                (std::string(c.op_name) + ":onednn:" + tail).c_str(),
                [c, dir](benchmark::State &st) { bench_onednn(st, c, dir); })
                ->Unit(benchmark::kMicrosecond)
                ->UseRealTime();
#endif
        }
    }
}

} // namespace

int main(int argc, char **argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
