/* `mcdl evaluate MODEL --weights W --x ... --y ...`: Keras evaluate, printing `loss: F`
 * and one `name: F` line per metric. */
#include <stdio.h>

#include "tools/mcdl/commands.h"
#include "tools/mcdl/files/cli_common.h"

static const char k_usage[] =
    "usage: mcdl evaluate MODEL.mcdl|MODEL.json [--weights W.npz|M.mcdl] --x X.npy [--x ...]\n"
    "                     --y Y.npy [--y ...] [--loss NAME] [--metrics accuracy,mse,mae]\n"
    "                     [--batch-size N] [--threads N]\n"
    "  --loss is needed unless MODEL is an .mcdl saved after compile/train\n";

int mcdl_cmd_evaluate(int argc, char **argv) {
    cli_opts o;
    int r = cli_parse(argc, argv,
                      CLI_X | CLI_Y | CLI_WEIGHTS | CLI_LOSS | CLI_METRICS | CLI_BATCH |
                          CLI_THREADS | CLI_MAX_MEMORY,
                      k_usage, &o);
    if (r) return r < 0 ? 0 : r;
    if (o.n_x == 0 || o.n_y == 0) {
        fprintf(stderr, "mcdl: evaluate needs --x and --y\n%s", k_usage);
        return CLI_USAGE;
    }
    mcdl_model *m;
    if (cli_open_model(&o, &m) != MCDL_OK) return cli_fail();
    bool no_loss;
    mcdl_status s = cli_compile(m, &o, &no_loss);
    if (no_loss) {
        fprintf(stderr, "mcdl: evaluate needs --loss (model '%s' was not saved compiled)\n%s",
                mcdl_model_name(m), k_usage);
        mcdl_model_destroy(m);
        return CLI_USAGE;
    }
    mcdl_tensor *x[CLI_MAX_ARRAYS], *y[CLI_MAX_ARRAYS];
    if (s == MCDL_OK) s = cli_load_arrays(o.x, o.n_x, x);
    if (s == MCDL_OK) {
        s = cli_load_arrays(o.y, o.n_y, y);
        if (s != MCDL_OK) cli_free_arrays(x, o.n_x);
    }
    if (s == MCDL_OK) {
        double res[8];
        int n = mcdl_model_num_results(m);
        s = mcdl_model_evaluate(m, o.n_x, (const mcdl_tensor *const *)x, o.n_y,
                                (const mcdl_tensor *const *)y,
                                &(mcdl_eval_opts){.batch_size = o.batch_size}, res, 8);
        for (int i = 0; i < n && i < 8 && s == MCDL_OK; i++)
            printf("%s: %.6f\n", mcdl_model_result_name(m, i), res[i]);
        cli_free_arrays(x, o.n_x);
        cli_free_arrays(y, o.n_y);
    }
    int rc = s == MCDL_OK ? 0 : cli_fail();
    mcdl_model_destroy(m);
    return rc;
}
