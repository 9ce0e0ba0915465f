/* Thread-local error sentence behind mcdl_last_error(), and the status code names. */
#include "lib/core/error.h"

#include <stdarg.h>
#include <stdio.h>

#include "simd/cpu.h"

static _Thread_local char g_msg[1024];

mcdl_status mcdl_error(mcdl_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_msg, sizeof g_msg, fmt, ap);
    va_end(ap);
    return s;
}

const char *mcdl_last_error(void) { return g_msg; }

void mcdl_clear_error(void) { g_msg[0] = '\0'; }

const char *mcdl_status_name(mcdl_status s) {
    switch (s) {
    case MCDL_OK:
        return "MCDL_OK";
    case MCDL_ERR_ARG:
        return "MCDL_ERR_ARG";
    case MCDL_ERR_SHAPE:
        return "MCDL_ERR_SHAPE";
    case MCDL_ERR_IO:
        return "MCDL_ERR_IO";
    case MCDL_ERR_FORMAT:
        return "MCDL_ERR_FORMAT";
    case MCDL_ERR_NOMEM:
        return "MCDL_ERR_NOMEM";
    case MCDL_ERR_UNSUPPORTED:
        return "MCDL_ERR_UNSUPPORTED";
    case MCDL_ERR_STATE:
        return "MCDL_ERR_STATE";
    case MCDL_ERR_NUMERIC:
        return "MCDL_ERR_NUMERIC";
    }
    return "MCDL_ERR_UNKNOWN";
}

mcdl_status mcdl_check_isa(void) {
    const char *why = mcdl_cpu_isa_error();
    if (why) return mcdl_error(MCDL_ERR_UNSUPPORTED, "%s", why);
    return MCDL_OK;
}
