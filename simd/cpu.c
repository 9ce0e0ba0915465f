/* CPU feature detection (cpuid + xgetbv on x86-64, compile-time on aarch64) and the
 * process-wide ISA choice, honouring MCDL_ISA=ref|avx2|avx512|neon. */
#include "simd/cpu.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

static unsigned long long read_xcr0(void) {
    unsigned eax, edx;
    /* xgetbv with ecx = 0; encoded by hand so no -mxsave flag is needed. */
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static unsigned detect(void) {
    unsigned a, b, c, d, f = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int osxsave = (c >> 27) & 1, fma = (c >> 12) & 1, f16c = (c >> 29) & 1;
    if (!osxsave) return 0;
    unsigned long long xcr0 = read_xcr0();
    int ymm_ok = (xcr0 & 0x6) == 0x6;   /* SSE + AVX state saved by the OS */
    int zmm_ok = (xcr0 & 0xe6) == 0xe6; /* + opmask, ZMM_Hi256, Hi16_ZMM */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1;
    if (ymm_ok && avx2) f |= MCDL_CPU_AVX2;
    if (ymm_ok && fma) f |= MCDL_CPU_FMA;
    if (ymm_ok && f16c) f |= MCDL_CPU_F16C;
    if (zmm_ok && avx512f) f |= MCDL_CPU_AVX512F;
    return f;
}
#elif defined(__aarch64__)
static unsigned detect(void) { return MCDL_CPU_NEON; } /* Advanced SIMD is mandatory */
#else
static unsigned detect(void) { return 0; }
#endif

static void features_string(unsigned f, char *buf, size_t n);

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static unsigned g_features;
static mcdl_isa g_active;
static char g_error[192];

static const char *const k_names[MCDL_ISA_COUNT] = {"ref", "neon", "avx2", "avx512"};

const char *mcdl_isa_name(mcdl_isa isa) {
    return (unsigned)isa < MCDL_ISA_COUNT ? k_names[isa] : "unknown";
}

int mcdl_isa_parse(const char *name, mcdl_isa *out) {
    for (int i = 0; i < MCDL_ISA_COUNT; i++) {
        if (name && strcmp(name, k_names[i]) == 0) {
            *out = (mcdl_isa)i;
            return 0;
        }
    }
    return -1;
}

static int supported(unsigned f, mcdl_isa isa) {
    switch (isa) {
    case MCDL_ISA_REF:
        return 1;
    case MCDL_ISA_NEON:
        return (f & MCDL_CPU_NEON) != 0;
    case MCDL_ISA_AVX2:
        return (f & MCDL_CPU_AVX2) && (f & MCDL_CPU_FMA);
    case MCDL_ISA_AVX512:
        return (f & MCDL_CPU_AVX512F) && (f & MCDL_CPU_AVX2) && (f & MCDL_CPU_FMA);
    default:
        return 0;
    }
}

static mcdl_isa best(unsigned f) {
    for (int i = MCDL_ISA_COUNT - 1; i > 0; i--)
        if (supported(f, (mcdl_isa)i)) return (mcdl_isa)i;
    return MCDL_ISA_REF;
}

static void init_once(void) {
    g_features = detect();
    g_active = best(g_features);
    const char *env = getenv("MCDL_ISA");
    if (env && *env) {
        mcdl_isa want;
        char have[96];
        features_string(g_features, have, sizeof have);
        if (mcdl_isa_parse(env, &want) != 0) {
            snprintf(g_error, sizeof g_error,
                     "MCDL_ISA=%.20s is not a known path (use ref, avx2, avx512 or neon)", env);
        } else if (!supported(g_features, want)) {
            snprintf(g_error, sizeof g_error,
                     "MCDL_ISA=%s asks for a path this CPU lacks (CPU features: %s)", env,
                     have[0] ? have : "none");
        } else {
            g_active = want;
        }
    }
}

unsigned mcdl_cpu_features(void) {
    pthread_once(&g_once, init_once);
    return g_features;
}

int mcdl_cpu_isa_supported(mcdl_isa isa) { return supported(mcdl_cpu_features(), isa); }

mcdl_isa mcdl_cpu_best_isa(void) { return best(mcdl_cpu_features()); }

mcdl_isa mcdl_cpu_active_isa(void) {
    pthread_once(&g_once, init_once);
    return g_active;
}

const char *mcdl_cpu_isa_error(void) {
    pthread_once(&g_once, init_once);
    return g_error[0] ? g_error : NULL;
}

int mcdl_cpu_force_isa(mcdl_isa isa) {
    pthread_once(&g_once, init_once);
    if ((unsigned)isa >= MCDL_ISA_COUNT || !supported(g_features, isa)) return -1;
    g_active = isa;
    g_error[0] = '\0';
    return 0;
}

void mcdl_cpu_features_string(char *buf, size_t n) { features_string(mcdl_cpu_features(), buf, n); }

static void features_string(unsigned f, char *buf, size_t n) {
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{MCDL_CPU_AVX2, "avx2"},
                 {MCDL_CPU_FMA, "fma"},
                 {MCDL_CPU_F16C, "f16c"},
                 {MCDL_CPU_AVX512F, "avx512f"},
                 {MCDL_CPU_NEON, "neon"}};
    size_t used = 0;
    if (n == 0) return;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(f & names[i].bit)) continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? "," : "", names[i].name);
        if (w < 0 || (size_t)w >= n - used) break;
        used += (size_t)w;
    }
}
