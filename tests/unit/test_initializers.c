/* Initialisers: orthogonal gives orthonormal columns (rows >= cols) or rows (rows < cols,
 * as an LSTM recurrent kernel (u, 4u)); glorot/he/lecun uniform stay inside Keras' limits
 * and fill them; truncated normals stay within 2 std; values depend only on (seed, stream). */
#include <string.h>

#include "check.h"
#include "lib/model/layer.h"

static void check_orthonormal(int64_t rows, int64_t cols) {
    float *w = malloc((size_t)(rows * cols) * sizeof *w);
    CHECK_OK(mcdl_init_fill(MCDL_INIT_ORTHOGONAL, w, 2, (int64_t[]){rows, cols}, 5, 1));
    /* columns orthonormal when rows >= cols, else rows */
    const int64_t k = rows >= cols ? cols : rows;
    double worst = 0;
    for (int64_t a = 0; a < k; a++)
        for (int64_t b = 0; b < k; b++) {
            double dot = 0;
            if (rows >= cols)
                for (int64_t r = 0; r < rows; r++) dot += (double)w[r * cols + a] * w[r * cols + b];
            else
                for (int64_t c = 0; c < cols; c++) dot += (double)w[a * cols + c] * w[b * cols + c];
            const double e = fabs(dot - (a == b));
            if (e > worst) worst = e;
        }
    CHECK(worst < 1e-5, "orthogonal %lldx%lld: |Q^T Q - I| max %.3g", (long long)rows,
          (long long)cols, worst);
    free(w);
}

int main(void) {
    check_orthonormal(16, 16);
    check_orthonormal(40, 8);
    check_orthonormal(8, 32); /* LSTM recurrent kernel (u, 4u) */
    enum { N = 4096 };
    static float w[N], w2[N];
    /* Dense (64, 64): glorot limit sqrt(6 / 128); he sqrt(6 / 64); lecun sqrt(3 / 64) */
    const struct {
        mcdl_init init;
        double limit;
    } uni[] = {{MCDL_INIT_GLOROT_UNIFORM, sqrt(6.0 / 128)},
               {MCDL_INIT_HE_UNIFORM, sqrt(6.0 / 64)},
               {MCDL_INIT_LECUN_UNIFORM, sqrt(3.0 / 64)},
               {MCDL_INIT_RANDOM_UNIFORM, 0.05}};
    for (size_t i = 0; i < sizeof uni / sizeof uni[0]; i++) {
        CHECK_OK(mcdl_init_fill(uni[i].init, w, 2, (int64_t[]){64, 64}, 9, 3));
        double lo = 1e9, hi = -1e9;
        for (int k = 0; k < N; k++) {
            lo = fmin(lo, w[k]);
            hi = fmax(hi, w[k]);
        }
        CHECK(lo >= -uni[i].limit && hi <= uni[i].limit && hi > 0.95 * uni[i].limit &&
                  lo < -0.95 * uni[i].limit,
              "%s: range [%g, %g], limit %g", mcdl_init_name(uni[i].init), lo, hi, uni[i].limit);
    }
    /* conv kernel (3, 3, 8, 16): receptive field 9, fans 72 and 144 */
    CHECK_OK(mcdl_init_fill(MCDL_INIT_GLOROT_UNIFORM, w, 4, (int64_t[]){3, 3, 8, 16}, 9, 4));
    double hi = 0;
    for (int k = 0; k < 3 * 3 * 8 * 16; k++) hi = fmax(hi, fabs(w[k]));
    CHECK(hi <= sqrt(6.0 / 216) && hi > 0.9 * sqrt(6.0 / 216), "conv glorot max %g", hi);
    /* truncated normal: within 2 std (std = sqrt(2 / fan_in) / 0.8796) and roughly that std */
    CHECK_OK(mcdl_init_fill(MCDL_INIT_HE_NORMAL, w, 2, (int64_t[]){64, 64}, 9, 5));
    const double sd = sqrt(2.0 / 64) / 0.87962566103423978;
    double ss = 0, mx = 0;
    for (int k = 0; k < N; k++) {
        ss += (double)w[k] * w[k];
        mx = fmax(mx, fabs(w[k]));
    }
    CHECK(mx <= 2 * sd + 1e-6, "he_normal max %g > 2 std %g", mx, 2 * sd);
    CHECK(fabs(sqrt(ss / N) - sqrt(2.0 / 64)) < 0.1 * sqrt(2.0 / 64), "he_normal std %g",
          sqrt(ss / N));
    /* zeros, ones; same (seed, stream) gives the same values, another stream different ones */
    CHECK_OK(mcdl_init_fill(MCDL_INIT_ONES, w, 1, (int64_t[]){7}, 1, 1));
    CHECK(w[0] == 1 && w[6] == 1, "ones");
    CHECK_OK(mcdl_init_fill(MCDL_INIT_GLOROT_UNIFORM, w, 2, (int64_t[]){64, 64}, 9, 3));
    CHECK_OK(mcdl_init_fill(MCDL_INIT_GLOROT_UNIFORM, w2, 2, (int64_t[]){64, 64}, 9, 3));
    CHECK(!memcmp(w, w2, sizeof w), "deterministic");
    CHECK_OK(mcdl_init_fill(MCDL_INIT_GLOROT_UNIFORM, w2, 2, (int64_t[]){64, 64}, 9, 6));
    CHECK(memcmp(w, w2, sizeof w) != 0, "streams differ");
    mcdl_init id;
    CHECK_OK(mcdl_init_from_name("Orthogonal", &id));
    CHECK(id == MCDL_INIT_ORTHOGONAL, "class name parses");
    CHECK_OK(mcdl_init_from_name("he_normal", &id));
    CHECK(id == MCDL_INIT_HE_NORMAL, "snake name parses");
    CHECK_STATUS(mcdl_init_from_name("Magic", &id), MCDL_ERR_UNSUPPORTED);
    return check_finish();
}
