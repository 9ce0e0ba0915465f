/* Resource limits: the process-wide cap on a model's planned activation arena (set in code
 * or by MCDL_MAX_MEMORY), size parsing ("512M") and printing ("3.2 GiB") for its errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/alloc.h"
#include "lib/core/error.h"
#include "mcdl/runtime.h"

static int64_t max_memory_set = -1; /* -1: not set in code, fall back to the environment */

mcdl_status mcdl_parse_bytes(const char *text, int64_t *bytes) {
    if (!text || !bytes) return mcdl_error(MCDL_ERR_ARG, "mcdl_parse_bytes: NULL argument");
    char *end = NULL;
    const double v = strtod(text, &end);
    double mult = 1;
    if (end && (*end == 'K' || *end == 'k'))
        mult = 1024.0, end++;
    else if (end && (*end == 'M' || *end == 'm'))
        mult = 1048576.0, end++;
    else if (end && (*end == 'G' || *end == 'g'))
        mult = 1073741824.0, end++;
    else if (end && (*end == 'T' || *end == 't'))
        mult = 1099511627776.0, end++;
    if (end && (*end == 'i' || *end == 'B')) end += *end == 'i' ? 1 : 0;
    if (end && *end == 'B') end++;
    /* 9.2e18 bounds the cast to int64_t (larger doubles are undefined to convert). */
    if (end == text || !end || *end != '\0' || !(v >= 0) || v * mult > 9.2e18)
        return mcdl_error(MCDL_ERR_ARG,
                          "'%s' is not a memory size (bytes, or a number with K, M, G or T: "
                          "512M, 2G)",
                          text);
    *bytes = (int64_t)(v * mult);
    return MCDL_OK;
}

mcdl_status mcdl_set_max_memory(int64_t bytes) {
    if (bytes < 0)
        return mcdl_error(MCDL_ERR_ARG, "max memory must not be negative (got %lld)",
                          (long long)bytes);
    max_memory_set = bytes;
    return MCDL_OK;
}

int64_t mcdl_get_max_memory(void) {
    if (max_memory_set >= 0) return max_memory_set;
    const char *env = getenv("MCDL_MAX_MEMORY");
    int64_t v = 0;
    /* An unparsable MCDL_MAX_MEMORY is no cap; the CLI checks the variable up front and
     * reports it, a library user gets mcdl_parse_bytes to do the same. */
    if (env && *env && mcdl_parse_bytes(env, &v) == MCDL_OK) return v;
    return 0;
}

const char *mcdl_format_bytes(double bytes, char *buf, size_t n) {
    if (bytes >= 1073741824.0)
        snprintf(buf, n, "%.1f GiB", bytes / 1073741824.0);
    else if (bytes >= 1048576.0)
        snprintf(buf, n, "%.1f MiB", bytes / 1048576.0);
    else if (bytes >= 1024.0)
        snprintf(buf, n, "%.1f KiB", bytes / 1024.0);
    else
        snprintf(buf, n, "%.0f bytes", bytes);
    return buf;
}
