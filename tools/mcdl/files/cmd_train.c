/* `mcdl train MODEL --x ... --y ... --loss ... --save OUT.mcdl`: Keras compile + fit from
 * the command line, printing Keras' per-epoch lines, then writing the trained model. */
#include <stdio.h>

#include "tools/mcdl/commands.h"
#include "tools/mcdl/files/cli_common.h"

static const char k_usage[] =
    "usage: mcdl train MODEL.json|MODEL.mcdl --x X.npy [--x X2.npy ...] --y Y.npy [--y ...]\n"
    "                  [--loss NAME] [--optimizer adam|sgd|rmsprop] [--lr F] [--epochs N]\n"
    "                  [--batch-size N] [--validation-split F] [--metrics accuracy,mse,mae]\n"
    "                  [--seed N] [--threads N] [--weights W.npz|M.mcdl] --save OUT.mcdl\n"
    "  defaults as Keras' fit: epochs 1, batch size 32, shuffled; optimizer adam with Keras'\n"
    "  settings; the loss has no default (an .mcdl saved after training keeps its own)\n";

int mcdl_cmd_train(int argc, char **argv) {
    cli_opts o;
    int r =
        cli_parse(argc, argv,
                  CLI_X | CLI_Y | CLI_LOSS | CLI_OPTIMIZER | CLI_LR | CLI_EPOCHS | CLI_BATCH |
                      CLI_VSPLIT | CLI_METRICS | CLI_SEED | CLI_THREADS | CLI_WEIGHTS | CLI_SAVE,
                  k_usage, &o);
    if (r) return r < 0 ? 0 : r;
    if (o.n_x == 0 || o.n_y == 0 || !o.save) {
        fprintf(stderr, "mcdl: train needs --x, --y and --save\n%s", k_usage);
        return CLI_USAGE;
    }
    mcdl_model *m;
    if (cli_open_model(&o, &m) != MCDL_OK) return cli_fail();
    bool no_loss;
    mcdl_status s = cli_compile(m, &o, &no_loss);
    if (no_loss) {
        fprintf(stderr, "mcdl: train needs --loss (Keras has no default loss)\n%s", k_usage);
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
        mcdl_fit_opts f = {.epochs = (int)o.epochs,
                           .batch_size = o.batch_size,
                           .validation_split = (float)o.validation_split,
                           .seed = (uint64_t)o.seed,
                           .verbose = 1};
        s = mcdl_model_fit(m, o.n_x, (const mcdl_tensor *const *)x, o.n_y,
                           (const mcdl_tensor *const *)y, &f, NULL);
        cli_free_arrays(x, o.n_x);
        cli_free_arrays(y, o.n_y);
    }
    if (s == MCDL_OK) s = mcdl_model_save(m, o.save);
    if (s == MCDL_OK) printf("saved model '%s' to %s\n", mcdl_model_name(m), o.save);
    int rc = s == MCDL_OK ? 0 : cli_fail();
    mcdl_model_destroy(m);
    return rc;
}
