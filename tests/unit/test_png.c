/* PNG grids: written through mcdl_png_write_grid and read back with libpng's simplified
 * API, checking size, layout (gaps, columns, scale), value mapping and bad shapes. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "mcdl/data.h"

#ifndef MCDL_WITH_FILES
int main(void) {
    printf("skipped: built without MCDL_WITH_FILES (libpng)\n");
    return 77;
}
#else
#include <png.h>

/* Reads path as 8-bit gray or RGB; returns malloc'ed pixels. */
static unsigned char *read_png(const char *path, int rgb, unsigned *w, unsigned *h) {
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) return NULL;
    img.format = rgb ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
    if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
        free(px);
        png_image_free(&img);
        return NULL;
    }
    *w = img.width;
    *h = img.height;
    return px;
}

int main(void) {
    char path[] = "/tmp/mcdl_test_png_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    close(fd);
    /* 5 gray 3x2 images, values k/4 (image k uniform): 3 columns, 1-pixel gaps. */
    mcdl_tensor *g;
    CHECK_OK(mcdl_tensor_create(&g, 3, (int64_t[]){5, 3, 2}));
    for (int k = 0; k < 5; k++)
        for (int i = 0; i < 6; i++) mcdl_tensor_data(g)[k * 6 + i] = (float)k / 4.0f;
    mcdl_tensor_data(g)[0] = -3.0f; /* clipped to black */
    CHECK_OK(mcdl_png_write_grid(path, g, &(mcdl_png_opts){.cols = 3}));
    unsigned w = 0, h = 0;
    unsigned char *px = read_png(path, 0, &w, &h);
    CHECK(px != NULL, "libpng cannot read the grid back");
    CHECK(w == 3 * 2 + 2 && h == 2 * 3 + 1, "grid is %ux%u, want 8x7", w, h);
    if (px && w == 8 && h == 7) {
        CHECK(px[0] == 0, "clipped value %d", px[0]);
        CHECK(px[1] == 0, "image 0 is 0");
        CHECK(px[3] == 64, "image 1 (0.25) at x=3 is %d, want 64", px[3]); /* round(63.75) */
        CHECK(px[2] == 0, "gap column is %d", px[2]);
        CHECK(px[6] == 128, "image 2 (0.5) at x=6 is %d", px[6]);
        CHECK(px[4 * 8 + 0] == 191, "image 3 (0.75) at row 4 is %d", px[4 * 8]);
        CHECK(px[4 * 8 + 3] == 255, "image 4 (1.0) is %d", px[4 * 8 + 3]);
        CHECK(px[4 * 8 + 6] == 0, "empty cell is black: %d", px[4 * 8 + 6]);
    }
    free(px);
    /* RGB, custom range [-1, 1], scale 2, no gaps. */
    mcdl_tensor *c;
    CHECK_OK(mcdl_tensor_create(&c, 4, (int64_t[]){2, 1, 1, 3}));
    const float v[6] = {-1, 0, 1, 1, -1, 0};
    memcpy(mcdl_tensor_data(c), v, sizeof v);
    CHECK_OK(
        mcdl_png_write_grid(path, c, &(mcdl_png_opts){.lo = -1, .hi = 1, .gap = -1, .scale = 2}));
    px = read_png(path, 1, &w, &h);
    CHECK(px && w == 4 && h == 2, "rgb grid %ux%u", w, h);
    if (px && w == 4 && h == 2) {
        CHECK(px[0] == 0 && px[1] == 128 && px[2] == 255, "rgb pixel 0: %d %d %d", px[0], px[1],
              px[2]);
        CHECK(px[3 * 3] == 255 && px[3 * 3 + 1] == 0, "rgb image 1 at x=3");
        CHECK(px[(4 + 1) * 3 + 2] == 255, "scaled row 1 repeats row 0");
    }
    free(px);
    mcdl_tensor *bad;
    CHECK_OK(mcdl_tensor_create(&bad, 4, (int64_t[]){1, 2, 2, 2}));
    CHECK_STATUS(mcdl_png_write_grid(path, bad, NULL), MCDL_ERR_SHAPE);
    CHECK(strstr(mcdl_last_error(), "(1, 2, 2, 2)") != NULL, "sentence: %s", mcdl_last_error());
    CHECK_STATUS(mcdl_png_write_grid("/nonexistent-dir/x.png", g, NULL), MCDL_ERR_IO);
    mcdl_tensor_destroy(g);
    mcdl_tensor_destroy(c);
    mcdl_tensor_destroy(bad);
    unlink(path);
    return check_finish();
}
#endif
