/* Helpers shared by the convolution-family layers: Keras padding names, the common config
 * keys, and the thread count that sizes kernel workspaces. */
#include <omp.h>
#include <stdatomic.h>
#include <string.h>

#include "lib/core/error.h"
#include "lib/model/conv_layers.h"

mcdl_status mcdl_conv_padding_parse(const mcdl_layer *l, const char *s, bool allow_causal,
                                    mcdl_padding_mode *out) {
    if (!strcmp(s, "valid")) {
        *out = MCDL_PADDING_VALID;
    } else if (!strcmp(s, "same")) {
        *out = MCDL_PADDING_SAME;
    } else if (allow_causal && !strcmp(s, "causal")) {
        *out = MCDL_PADDING_CAUSAL;
    } else {
        return mcdl_error(MCDL_ERR_ARG, "layer '%s' (%s): padding must be %s, got '%s'",
                          mcdl_layer_name(l), mcdl_layer_get_class(l)->class_name,
                          allow_causal ? "'valid', 'same' or 'causal'" : "'valid' or 'same'", s);
    }
    return MCDL_OK;
}

const char *mcdl_conv_padding_name(mcdl_padding_mode p) {
    return p == MCDL_PADDING_SAME ? "same" : p == MCDL_PADDING_CAUSAL ? "causal" : "valid";
}

mcdl_status mcdl_conv_cfg_common(mcdl_layer *l, const mcdl_config *c, bool allow_causal,
                                 mcdl_padding_mode *pad) {
    const char *s = NULL;
    MCDL_TRY(mcdl_cfg_get_string(l, c, "padding", &s));
    if (s) MCDL_TRY(mcdl_conv_padding_parse(l, s, allow_causal, pad));
    s = NULL;
    MCDL_TRY(mcdl_cfg_get_string(l, c, "data_format", &s));
    if (s && strcmp(s, "channels_last"))
        return mcdl_error(MCDL_ERR_UNSUPPORTED,
                          "layer '%s' (%s): data_format '%s' is not supported (channels_last only)",
                          mcdl_layer_name(l), mcdl_layer_get_class(l)->class_name, s);
    return MCDL_OK;
}

mcdl_status mcdl_conv_cfg_pair(mcdl_layer *l, const mcdl_config *c, const char *key,
                               int64_t out[2]) {
    int64_t v[2];
    int n = 0;
    MCDL_TRY(mcdl_cfg_get_ints(l, c, key, v, 2, &n));
    if (n == 1) out[0] = out[1] = v[0];
    if (n == 2) out[0] = v[0], out[1] = v[1];
    return MCDL_OK;
}

int mcdl_conv_plan_threads(void) {
    /* omp_get_num_procs asks the kernel for the affinity mask (a system call) every time;
     * the conv layers ask on every forward, batch-1 inference included. */
    static atomic_int procs;
    int b = atomic_load_explicit(&procs, memory_order_relaxed);
    if (b == 0) {
        b = omp_get_num_procs();
        atomic_store_explicit(&procs, b, memory_order_relaxed);
    }
    const int a = omp_get_max_threads();
    return a > b ? a : b;
}

int mcdl_conv_run_threads(void) {
    const int a = omp_get_max_threads(), b = mcdl_conv_plan_threads();
    return a < b ? a : b;
}

int mcdl_conv_threads_for_work(double work, double min_per_thread) {
    int nt = mcdl_conv_run_threads();
    if (nt > work / min_per_thread) nt = (int)(work / min_per_thread);
    return nt < 1 ? 1 : nt;
}
