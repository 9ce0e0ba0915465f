/* Timing harness for the peak probes in kernels/peak: thread team, calibration, best of
 * trials. */
#include "lib/perf/peak.h"

#include <omp.h>
#include <stdint.h>
#include <time.h>

#include "kernels/peak/peak.h"
#include "lib/core/alloc.h"
#include "lib/core/error.h"

/* Keeps the probes' results observable so the compiler cannot drop the loops. */
static volatile float g_sink;

static double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now_s(void) { return clock_s(CLOCK_MONOTONIC); }

static mcdl_status check_args(const char *what, const char *isa_name, int threads, double seconds,
                              mcdl_isa *isa) {
    if (mcdl_isa_parse(isa_name, isa) != 0)
        return mcdl_error(MCDL_ERR_ARG, "%s: unknown ISA path '%s' (use ref, avx2, avx512, neon)",
                          what, isa_name ? isa_name : "(null)");
    if (!mcdl_cpu_isa_supported(*isa) || !mcdl_peak_fma_fn_for(*isa))
        return mcdl_error(MCDL_ERR_UNSUPPORTED, "%s: this CPU or build cannot run the %s path",
                          what, isa_name);
    if (threads < 1)
        return mcdl_error(MCDL_ERR_ARG, "%s: threads must be >= 1 (got %d)", what, threads);
    if (!(seconds > 0))
        return mcdl_error(MCDL_ERR_ARG, "%s: seconds must be positive (got %g)", what, seconds);
    return MCDL_OK;
}

mcdl_status mcdl_perf_fma_gflops(const char *isa_name, int threads, double seconds, double *gflops,
                                 double *gflops_cpu) {
    mcdl_isa isa;
    MCDL_TRY(check_args("peak FMA", isa_name, threads, seconds, &isa));
    mcdl_peak_fma_fn fma = mcdl_peak_fma_fn_for(isa);
    /* One call of about 2 ms: long against the timer and the barrier (microseconds), short
     * enough that on a busy machine many trials run without being preempted. */
    int64_t iters = 1 << 12;
    for (;;) {
        double t0 = now_s();
        g_sink = fma(iters);
        if (now_s() - t0 > 0.002 || iters > ((int64_t)1 << 40)) break;
        iters *= 2;
    }
    double best = 0, best_cpu = 0, start = now_s();
    for (int trial = 0; trial < 3 || now_s() - start < seconds; ++trial) {
        double t0 = 0, t1 = 0, c0 = 0, c1 = 0;
#pragma omp parallel num_threads(threads)
        {
#pragma omp barrier
#pragma omp master
            {
                t0 = now_s();
                c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
            }
            float r = fma(iters);
#pragma omp barrier
#pragma omp master
            {
                t1 = now_s();
                c1 = clock_s(CLOCK_THREAD_CPUTIME_ID);
                g_sink = r;
            }
        }
        double flops = 2.0 * (double)iters * MCDL_PEAK_FMA_CHAINS * mcdl_peak_lanes(isa) * threads;
        double g = flops / (t1 - t0) * 1e-9;
        if (g > best) best = g;
        if (c1 > c0 && flops / (c1 - c0) * 1e-9 > best_cpu) best_cpu = flops / (c1 - c0) * 1e-9;
        if (trial > 100000) break;
    }
    *gflops = best;
    if (gflops_cpu) *gflops_cpu = threads == 1 && best_cpu > 0 ? best_cpu : best;
    return MCDL_OK;
}

mcdl_status mcdl_perf_read_gbps(const char *isa_name, int threads, size_t bytes, double seconds,
                                double *gbps) {
    mcdl_isa isa;
    MCDL_TRY(check_args("peak read bandwidth", isa_name, threads, seconds, &isa));
    mcdl_peak_read_fn rd = mcdl_peak_read_fn_for(isa);
    int64_t n = (int64_t)(bytes / 512) * 128; /* floats: a multiple of 8 x 16 lanes */
    if (n < 128) n = 128;
    /* Repeat the buffer until one call reads about 64 MB (0.3 ms from L1, a few ms from
     * DRAM): long against the barriers, short enough that on a busy machine many trials run
     * without being preempted; small buffers are timed over many passes, large ones over at
     * least one. */
    int64_t reps = ((int64_t)64 << 20) / (n * 4);
    if (reps < 1) reps = 1;
    double best = 0, start = now_s();
    int alloc_failed = 0, stop = 0;
#pragma omp parallel num_threads(threads)
    {
        /* Each thread allocates and first-touches its own buffer: on a NUMA machine its
         * pages land on the thread's node. */
        float *buf = mcdl_alloc((size_t)n * sizeof(float));
        if (buf) {
            for (int64_t i = 0; i < n; ++i) buf[i] = 1.0f;
            g_sink = rd(buf, n, 1);
        } else {
#pragma omp atomic write
            alloc_failed = 1;
        }
        /* Barriers flush shared variables, so every thread sees the same alloc_failed and
         * stop and takes the same branch (no thread is left waiting at a barrier). */
#pragma omp barrier
        for (int trial = 0; !alloc_failed; ++trial) {
            double t0 = 0;
#pragma omp master
            t0 = now_s();
            float r = rd(buf, n, reps);
#pragma omp barrier
#pragma omp master
            {
                double t1 = now_s();
                double g = (double)n * 4.0 * (double)reps * threads / (t1 - t0) * 1e-9;
                if (g > best) best = g;
                g_sink = r;
                stop = trial >= 2 && (t1 - start >= seconds || trial >= 1000);
            }
#pragma omp barrier
            if (stop) break;
        }
        mcdl_free(buf);
    }
    if (alloc_failed)
        return mcdl_error(MCDL_ERR_NOMEM,
                          "peak read bandwidth: cannot allocate %zu bytes per thread", bytes);
    *gbps = best;
    return MCDL_OK;
}
