/* Status codes returned by every fallible mcdl call, and the thread-local error sentence. */
#ifndef MCDL_STATUS_H
#define MCDL_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/** Result of every fallible call. On anything but MCDL_OK, mcdl_last_error() holds a
 *  sentence naming what was wrong (layer, shape, file, index), and the call has
 *  changed nothing the caller owns unless its documentation says otherwise. */
typedef enum {
    MCDL_OK = 0,
    MCDL_ERR_ARG = 1,         /**< invalid argument: null pointer, negative size, bad option */
    MCDL_ERR_SHAPE = 2,       /**< shapes do not fit together */
    MCDL_ERR_IO = 3,          /**< a file could not be opened, read or written */
    MCDL_ERR_FORMAT = 4,      /**< a file's contents are malformed or truncated */
    MCDL_ERR_NOMEM = 5,       /**< an allocation failed or a size overflowed */
    MCDL_ERR_UNSUPPORTED = 6, /**< valid request this build or CPU cannot do */
    MCDL_ERR_STATE = 7,       /**< call out of order (e.g. fit before compile) */
    MCDL_ERR_NUMERIC = 8,     /**< NaN or Inf where numbers must be finite */
} mcdl_status;

/** The sentence describing the last failure on this thread ("" if none). */
const char *mcdl_last_error(void);
/** A short name for a status code, e.g. "MCDL_ERR_SHAPE". */
const char *mcdl_status_name(mcdl_status s);
/** Clears this thread's error sentence. */
void mcdl_clear_error(void);

#ifdef __cplusplus
}
#endif
#endif
