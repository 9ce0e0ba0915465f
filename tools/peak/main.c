/* tools/peak: measures this machine's single-precision FMA peak (per core and all cores,
 * per ISA path) and its read bandwidth over growing buffer sizes (L1, L2, L3, DRAM), prints
 * a table and optionally writes JSON. Method: docs/tooling.md "peak". Exit codes: 0 done,
 * 2 bad usage, 1 a measurement failed (the sentence is on stderr). On a shared machine run
 * it with OMP_WAIT_POLICY=PASSIVE: spinning idle threads lose their CPU share and with it
 * the all-thread figures. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/perf/peak.h"
#include "mcdl/mcdl.h"

#define MAX_SIZES 64

typedef struct {
    const char *json;
    double seconds;
    int threads;
    size_t max_bytes;
    const char *bw_isa;
} options;

typedef struct {
    const char *isa;
    double gflops_1t, gflops_1t_cpu, gflops_all;
} fma_row;

typedef struct {
    size_t bytes;
    double gbps_1t, gbps_all;
} bw_row;

static void usage(FILE *f) {
    fprintf(f, "usage: peak [--json FILE] [--seconds S] [--threads N] [--max-mib M] [--isa NAME]\n"
               "  --json FILE   also write the results as JSON\n"
               "  --seconds S   time per measurement, best of trials (default 0.5)\n"
               "  --threads N   the 'all cores' thread count (default: online CPUs)\n"
               "  --max-mib M   largest read buffer per thread in MiB (default 256)\n"
               "  --isa NAME    ISA path of the bandwidth loads (default: the active one)\n");
}

/* Size in bytes of the data or unified cache of the given level, from sysfs; 0 if unknown. */
static size_t cache_bytes(int level) {
    for (int idx = 0; idx < 8; ++idx) {
        char path[128], buf[64];
        int lv = 0;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", idx);
        FILE *f = fopen(path, "r");
        if (!f) break;
        if (fscanf(f, "%d", &lv) != 1) lv = 0;
        fclose(f);
        if (lv != level) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", idx);
        f = fopen(path, "r");
        if (!f) continue;
        int is_insn = fgets(buf, sizeof buf, f) && !strncmp(buf, "Instruction", 11);
        fclose(f);
        if (is_insn) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", idx);
        f = fopen(path, "r");
        if (!f) continue;
        unsigned long v = 0;
        char unit = 0;
        int got = fscanf(f, "%lu%c", &v, &unit);
        fclose(f);
        if (got >= 1) return (size_t)v * (unit == 'K' ? 1024u : unit == 'M' ? 1048576u : 1u);
    }
    return 0;
}

static void cpu_model(char *out, size_t n) {
    snprintf(out, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "model name", 10)) {
            char *p = strchr(line, ':');
            if (p) {
                p += 1 + (p[1] == ' ');
                p[strcspn(p, "\n")] = 0;
                snprintf(out, n, "%s", p);
            }
            break;
        }
    }
    fclose(f);
}

static int parse_args(int argc, char **argv, options *o) {
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--json") && v) {
            o->json = v;
        } else if (!strcmp(a, "--seconds") && v) {
            o->seconds = atof(v);
        } else if (!strcmp(a, "--threads") && v) {
            o->threads = atoi(v);
        } else if (!strcmp(a, "--max-mib") && v) {
            o->max_bytes = (size_t)atol(v) << 20;
        } else if (!strcmp(a, "--isa") && v) {
            o->bw_isa = v;
        } else {
            fprintf(stderr, "peak: unknown option or missing value: '%s'\n", a);
            return -1;
        }
        ++i;
    }
    if (!(o->seconds > 0) || o->threads < 1 || o->max_bytes < 4096) {
        fprintf(stderr, "peak: --seconds, --threads and --max-mib must be positive "
                        "(--max-mib at least 1)\n");
        return -1;
    }
    return 0;
}

static int add_size(size_t *sizes, int n, size_t s) {
    for (int i = 0; i < n; ++i)
        if (sizes[i] == s) return n;
    if (n == MAX_SIZES) return n;
    int i = n;
    while (i > 0 && sizes[i - 1] > s) {
        sizes[i] = sizes[i - 1];
        --i;
    }
    sizes[i] = s;
    return n + 1;
}

/* The sweep row closest to (not above) bytes. */
static const bw_row *row_at(const bw_row *rows, int n, size_t bytes) {
    const bw_row *best = &rows[0];
    for (int i = 0; i < n; ++i)
        if (rows[i].bytes <= bytes) best = &rows[i];
    return best;
}

static void fmt_size(char *out, size_t n, size_t b) {
    if (b >= (1u << 20) && b % (1u << 20) == 0)
        snprintf(out, n, "%zu MiB", b >> 20);
    else
        snprintf(out, n, "%zu KiB", b >> 10);
}

int main(int argc, char **argv) {
    options o = {.seconds = 0.5,
                 .threads = (int)sysconf(_SC_NPROCESSORS_ONLN),
                 .max_bytes = (size_t)256 << 20,
                 .bw_isa = mcdl_active_isa()};
    if (o.threads < 1) o.threads = 1;
    if (parse_args(argc, argv, &o) != 0) {
        usage(stderr);
        return 2;
    }
    double probe;
    if (mcdl_perf_read_gbps(o.bw_isa, 1, 4096, 1e-3, &probe) != MCDL_OK) {
        fprintf(stderr, "peak: --isa: %s\n", mcdl_last_error());
        return 2;
    }
    char model[160];
    cpu_model(model, sizeof model);
    size_t l1 = cache_bytes(1), l2 = cache_bytes(2), l3 = cache_bytes(3);
    if (!l1) l1 = 32 << 10;
    if (!l2) l2 = 1 << 20;
    if (!l3) l3 = 8 << 20;
    printf("machine: %s, %d threads, L1d %zu KiB, L2 %zu KiB, L3 %zu KiB\n", model, o.threads,
           l1 >> 10, l2 >> 10, l3 >> 10);

    /* FMA peak on every path this CPU runs. */
    static const char *const isas[] = {"ref", "neon", "avx2", "avx512"};
    fma_row fr[4];
    int nf = 0;
    printf("\nFMA peak, single precision (GFLOPS; best of trials)\n");
    printf("%-8s %12s %18s %14s %16s\n", "isa", "1 thread", "1 thread cpu-time", "all threads",
           "per core (all)");
    for (int i = 0; i < 4; ++i) {
        double g1, g1c, ga;
        if (mcdl_perf_fma_gflops(isas[i], 1, o.seconds, &g1, &g1c) != MCDL_OK) continue;
        if (mcdl_perf_fma_gflops(isas[i], o.threads, o.seconds, &ga, NULL) != MCDL_OK) {
            fprintf(stderr, "peak: %s\n", mcdl_last_error());
            return 1;
        }
        fr[nf++] = (fma_row){isas[i], g1, g1c, ga};
        printf("%-8s %12.1f %18.1f %14.1f %16.1f\n", isas[i], g1, g1c, ga, ga / o.threads);
        fflush(stdout);
    }

    /* Read bandwidth sweep: powers of two plus one size inside each cache level. */
    size_t sizes[MAX_SIZES];
    int ns = 0;
    for (size_t s = 4096; s <= o.max_bytes; s *= 2) ns = add_size(sizes, ns, s);
    size_t rep_l1 = l1 / 2, rep_l2 = l2 / 2, rep_l3 = l3 / (2 * (size_t)o.threads);
    size_t rep_dram = o.max_bytes;
    /* the sweep never exceeds --max-mib: with an L3 larger than that (300 MiB on a Xeon
     * here) the L3 row is taken at half the cap and the "DRAM" row is still in L3 */
    const bool dram_in_l3 = rep_dram < 2 * l3;
    if (rep_l3 > rep_dram / 2) rep_l3 = rep_dram / 2;
    ns = add_size(sizes, ns, rep_l1);
    ns = add_size(sizes, ns, rep_l2);
    if (rep_l3 > rep_l2) ns = add_size(sizes, ns, rep_l3);
    bw_row br[MAX_SIZES];
    printf("\nRead bandwidth, %s loads (GB/s = 1e9 B/s; buffer size per thread)\n", o.bw_isa);
    printf("%-10s %12s %14s\n", "size", "1 thread", "all threads");
    for (int i = 0; i < ns; ++i) {
        double g1, ga;
        if (mcdl_perf_read_gbps(o.bw_isa, 1, sizes[i], o.seconds / 2, &g1) != MCDL_OK ||
            mcdl_perf_read_gbps(o.bw_isa, o.threads, sizes[i], o.seconds / 2, &ga) != MCDL_OK) {
            fprintf(stderr, "peak: %s\n", mcdl_last_error());
            return 1;
        }
        br[i] = (bw_row){sizes[i], g1, ga};
        char sz[32];
        fmt_size(sz, sizeof sz, sizes[i]);
        printf("%-10s %12.1f %14.1f\n", sz, g1, ga);
        fflush(stdout);
    }
    const char *lvl_name[4] = {"L1", "L2", "L3", "DRAM"};
    const bw_row *lvl[4] = {row_at(br, ns, rep_l1), row_at(br, ns, rep_l2), row_at(br, ns, rep_l3),
                            row_at(br, ns, rep_dram)};
    printf("\nLevels (one representative size each)\n%-6s %-10s %12s %14s\n", "level", "size",
           "1 thread", "all threads");
    for (int i = 0; i < 4; ++i) {
        char sz[32];
        fmt_size(sz, sizeof sz, lvl[i]->bytes);
        printf("%-6s %-10s %12.1f %14.1f\n", lvl_name[i], sz, lvl[i]->gbps_1t, lvl[i]->gbps_all);
    }
    if (dram_in_l3)
        printf("(the DRAM row's %zu MiB fit in the %zu MiB L3: raise --max-mib above %zu for "
               "DRAM)\n",
               rep_dram >> 20, l3 >> 20, (2 * l3) >> 20);

    if (o.json) {
        FILE *f = fopen(o.json, "w");
        if (!f) {
            fprintf(stderr, "peak: cannot write '%s'\n", o.json);
            return 1;
        }
        fprintf(f,
                "{\n  \"machine\": {\"model\": \"%s\", \"threads\": %d, \"l1d_bytes\": %zu, "
                "\"l2_bytes\": %zu, \"l3_bytes\": %zu},\n",
                model, o.threads, l1, l2, l3);
        fprintf(f, "  \"seconds_per_measurement\": %g,\n  \"fma\": [\n", o.seconds);
        for (int i = 0; i < nf; ++i)
            fprintf(f,
                    "    {\"isa\": \"%s\", \"gflops_1t\": %.2f, \"gflops_1t_cputime\": %.2f, "
                    "\"gflops_all\": %.2f, \"gflops_per_core_all\": %.2f}%s\n",
                    fr[i].isa, fr[i].gflops_1t, fr[i].gflops_1t_cpu, fr[i].gflops_all,
                    fr[i].gflops_all / o.threads, i + 1 < nf ? "," : "");
        /* The machine's peak: the best path for each figure (AVX2 and AVX-512 tie on
         * cores that split 512-bit FMAs in two). */
        double p1 = 0, p1c = 0, pa = 0;
        for (int i = 0; i < nf; ++i) {
            if (fr[i].gflops_1t > p1) p1 = fr[i].gflops_1t;
            if (fr[i].gflops_1t_cpu > p1c) p1c = fr[i].gflops_1t_cpu;
            if (fr[i].gflops_all > pa) pa = fr[i].gflops_all;
        }
        fprintf(f,
                "  ],\n  \"peak_gflops_1t\": %.2f,\n  \"peak_gflops_1t_cputime\": %.2f,\n"
                "  \"peak_gflops_all\": %.2f,\n",
                p1, p1c, pa);
        fprintf(f, "  \"bandwidth_isa\": \"%s\",\n  \"bandwidth\": [\n", o.bw_isa);
        for (int i = 0; i < ns; ++i)
            fprintf(f, "    {\"bytes\": %zu, \"gbps_1t\": %.2f, \"gbps_all\": %.2f}%s\n",
                    br[i].bytes, br[i].gbps_1t, br[i].gbps_all, i + 1 < ns ? "," : "");
        fprintf(f, "  ],\n  \"levels\": {\n");
        for (int i = 0; i < 4; ++i)
            fprintf(f, "    \"%s\": {\"bytes\": %zu, \"gbps_1t\": %.2f, \"gbps_all\": %.2f}%s\n",
                    lvl_name[i], lvl[i]->bytes, lvl[i]->gbps_1t, lvl[i]->gbps_all,
                    i < 3 ? "," : "");
        fprintf(f, "  }\n}\n");
        if (fclose(f) != 0) {
            fprintf(stderr, "peak: error writing '%s'\n", o.json);
            return 1;
        }
    }
    return 0;
}
