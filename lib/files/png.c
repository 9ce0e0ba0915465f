/* PNG image grids through libpng (GAN samples, autoencoder reconstructions): the image is
 * encoded into memory and then written atomically. */
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/alloc.h"
#include "lib/core/error.h"
#include "lib/data/fileio.h"
#include "mcdl/data.h"

typedef struct {
    mcdl_bytes out;
    bool oom;
} png_sink;

static void sink_write(png_structp png, png_bytep data, png_size_t len) {
    png_sink *s = png_get_io_ptr(png);
    if (mcdl_bytes_append(&s->out, data, len) != MCDL_OK) {
        s->oom = true;
        png_error(png, "out of memory");
    }
}

static void sink_flush(png_structp png) { (void)png; }

/* libpng reports errors by longjmp; the message is kept for the error sentence. */
static void on_png_error(png_structp png, png_const_charp msg) {
    char *keep = png_get_error_ptr(png);
    snprintf(keep, 128, "%s", msg);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg) { (void)png, (void)msg; }

static mcdl_status encode(png_sink *sink, const unsigned char *pixels, uint32_t w, uint32_t h,
                          int channels, const char *path) {
    char msg[128] = "";
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, msg, on_png_error, on_png_warning);
    if (!png) return mcdl_error(MCDL_ERR_NOMEM, "out of memory encoding '%s'", path);
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory encoding '%s'", path);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return mcdl_error(MCDL_ERR_IO, "encoding '%s' as PNG failed: %s", path, msg);
    }
    png_set_write_fn(png, sink, sink_write, sink_flush);
    png_set_IHDR(png, info, w, h, 8, channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < h; y++)
        png_write_row(png, (png_const_bytep)(pixels + (size_t)y * w * (size_t)channels));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return MCDL_OK;
}

mcdl_status mcdl_png_write_grid(const char *path, const mcdl_tensor *images,
                                const mcdl_png_opts *opts) {
    if (!path || !images) return mcdl_error(MCDL_ERR_ARG, "mcdl_png_write_grid: NULL argument");
    mcdl_png_opts o = opts ? *opts : (mcdl_png_opts){0};
    int rank = mcdl_tensor_rank(images);
    const int64_t *sh = mcdl_tensor_shape(images);
    int64_t n, ih, iw, ch;
    if (rank == 2)
        n = 1, ih = sh[0], iw = sh[1], ch = 1;
    else if (rank == 3)
        n = sh[0], ih = sh[1], iw = sh[2], ch = 1;
    else if (rank == 4)
        n = sh[0], ih = sh[1], iw = sh[2], ch = sh[3];
    else
        n = ih = iw = ch = 0;
    char shs[96];
    mcdl_shape_str(shs, sizeof shs, rank, sh);
    if (n <= 0 || ih <= 0 || iw <= 0 || (ch != 1 && ch != 3))
        return mcdl_error(MCDL_ERR_SHAPE,
                          "PNG grid '%s': images of shape %s are not (N, H, W), (N, H, W, 1) or "
                          "(N, H, W, 3) with N, H, W > 0",
                          path, shs);
    if (o.cols < 0 || o.scale < 0 || (o.lo == o.hi && (o.lo != 0 || o.hi != 0)))
        return mcdl_error(MCDL_ERR_ARG, "PNG grid '%s': cols and scale must be >= 0 and lo != hi",
                          path);
    float lo = o.lo, hi = o.hi;
    if (lo == 0 && hi == 0) hi = 1;
    int64_t cols = o.cols ? o.cols : (int64_t)ceil(sqrt((double)n));
    if (cols > n) cols = n;
    int64_t rows = (n + cols - 1) / cols;
    int64_t gap = o.gap < 0 ? 0 : o.gap == 0 ? 1 : o.gap;
    int64_t sc = o.scale ? o.scale : 1;
    int64_t cw = iw * sc, chh = ih * sc;
    int64_t W = cols * cw + (cols - 1) * gap, H = rows * chh + (rows - 1) * gap;
    if (W > 1000000 || H > 1000000 || W * H > 400000000)
        return mcdl_error(MCDL_ERR_ARG, "PNG grid '%s' would be %lld x %lld pixels: too large",
                          path, (long long)W, (long long)H);
    unsigned char *px = calloc((size_t)(W * H * ch), 1);
    if (!px)
        return mcdl_error(MCDL_ERR_NOMEM, "out of memory for a %lld x %lld image", (long long)W,
                          (long long)H);
    mcdl_tensor *src = NULL;
    const float *d;
    if (mcdl_tensor_is_contiguous(images)) {
        d = mcdl_tensor_data(images);
    } else {
        mcdl_status s = mcdl_tensor_create(&src, rank, sh);
        if (s == MCDL_OK) s = mcdl_tensor_copy(src, images);
        if (s != MCDL_OK) {
            mcdl_tensor_destroy(src);
            free(px);
            return s;
        }
        d = mcdl_tensor_data(src);
    }
    float inv = 255.0f / (hi - lo);
    for (int64_t k = 0; k < n; k++) {
        int64_t oy = (k / cols) * (chh + gap), ox = (k % cols) * (cw + gap);
        for (int64_t y = 0; y < chh; y++)
            for (int64_t x = 0; x < cw; x++)
                for (int64_t c = 0; c < ch; c++) {
                    float v = d[((k * ih + y / sc) * iw + x / sc) * ch + c];
                    float q = (v - lo) * inv;
                    q = q != q ? 0.0f : q < 0 ? 0.0f : q > 255.0f ? 255.0f : q;
                    px[((oy + y) * W + ox + x) * ch + c] = (unsigned char)lrintf(q);
                }
    }
    mcdl_tensor_destroy(src);
    png_sink sink = {{0}, false};
    mcdl_status s = encode(&sink, px, (uint32_t)W, (uint32_t)H, (int)ch, path);
    free(px);
    if (s == MCDL_OK) s = mcdl_file_write_atomic(path, sink.out.data, sink.out.len);
    mcdl_bytes_free(&sink.out);
    return s;
}
