/* Keras-style progress: "25/25 [==============================] - 0s 2ms/step - loss: 0.6912
 * - accuracy: 0.5125 - val_loss: ..." redrawn in place on a terminal (at most every 0.1 s),
 * or "Epoch 3/10 - 25/25 - 0s 2ms/step - loss: ..." once per epoch off a terminal. */
#include "lib/model/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void mcdl_progress_init(mcdl_progress *p, const mcdl_model *m, int verbose, int epochs,
                        int64_t steps) {
    p->m = m;
    p->verbose = verbose;
    p->epochs = epochs;
    p->steps = steps;
    p->bar = verbose == 1 && isatty(fileno(stdout));
    p->epoch = 0;
    p->t0 = p->t_last_draw = 0;
}

void mcdl_progress_epoch_begin(mcdl_progress *p, int epoch) {
    p->epoch = epoch;
    p->t0 = now_s();
    p->t_last_draw = 0;
    if (p->bar) printf("Epoch %d/%d\n", epoch + 1, p->epochs);
}

static void print_results(const mcdl_model *m, const double *r, const char *prefix) {
    const int n = mcdl_model_num_results(m);
    for (int i = 0; i < n; i++) printf(" - %s%s: %.4f", prefix, mcdl_model_result_name(m, i), r[i]);
}

static void print_time(double elapsed, int64_t steps) {
    const double per = steps > 0 ? elapsed / (double)steps : 0;
    if (per >= 1.0)
        printf(" - %.0fs %.0fs/step", elapsed, per);
    else if (per >= 1e-3)
        printf(" - %.0fs %.0fms/step", elapsed, per * 1e3);
    else
        printf(" - %.0fs %.0fus/step", elapsed, per * 1e6);
}

static void draw_bar(const mcdl_progress *p, int64_t step, const double *r, const double *vr) {
    const int width = 30;
    const int done = (int)((double)width * (double)step / (double)p->steps);
    char bar[32];
    for (int i = 0; i < width; i++) bar[i] = i < done ? '=' : '.';
    if (step < p->steps && done > 0) bar[done - 1] = '>';
    if (step < p->steps && done == 0) bar[0] = '>';
    bar[width] = '\0';
    const int digits = snprintf(NULL, 0, "%lld", (long long)p->steps);
    printf("\r%*lld/%lld [%s]", digits, (long long)step, (long long)p->steps, bar);
    print_time(now_s() - p->t0, step);
    print_results(p->m, r, "");
    if (vr) print_results(p->m, vr, "val_");
    fflush(stdout);
}

void mcdl_progress_step(mcdl_progress *p, int64_t step, const double *results) {
    if (!p->bar || step == p->steps) return;
    const double t = now_s();
    if (t - p->t_last_draw < 0.1) return;
    p->t_last_draw = t;
    draw_bar(p, step, results, NULL);
}

void mcdl_progress_epoch_end(mcdl_progress *p, const double *results, const double *val_results) {
    if (p->verbose == 0) return;
    if (p->bar) {
        draw_bar(p, p->steps, results, val_results);
        printf("\n");
    } else {
        printf("Epoch %d/%d - %lld/%lld", p->epoch + 1, p->epochs, (long long)p->steps,
               (long long)p->steps);
        print_time(now_s() - p->t0, p->steps);
        print_results(p->m, results, "");
        if (val_results) print_results(p->m, val_results, "val_");
        printf("\n");
    }
    fflush(stdout);
}

void mcdl_progress_eval_line(const mcdl_model *m, const double *results) {
    const int n = mcdl_model_num_results(m);
    for (int i = 0; i < n; i++)
        printf("%s%s: %.4f", i ? " - " : "", mcdl_model_result_name(m, i), results[i]);
    printf("\n");
    fflush(stdout);
}
