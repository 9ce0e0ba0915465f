/* `mcdl train MODEL --x ... --y ... --loss ... --save OUT.mcdl`: Keras compile + fit from
 * the command line, printing Keras' per-epoch lines, then writing the trained model.
 * --checkpoint DIR --every N [--keep K] writes DIR/ckpt-EEEEEE.mcdl during training;
 * --resume DIR continues from the newest checkpoint there, bit-exactly (same seed, data,
 * batch size and thread count as the interrupted run). */
#include <stdio.h>

#include "tools/mcdl/commands.h"
#include "tools/mcdl/files/cli_common.h"

static const char k_usage[] =
    "usage: mcdl train MODEL.json|MODEL.mcdl --x X.npy [--x X2.npy ...] --y Y.npy [--y ...]\n"
    "                  [--loss NAME] [--optimizer adam|sgd|rmsprop] [--lr F] [--epochs N]\n"
    "                  [--batch-size N] [--validation-split F] [--metrics accuracy,mse,mae]\n"
    "                  [--seed N] [--threads N] [--weights W.npz|M.mcdl] [--max-memory SIZE]\n"
    "                  [--checkpoint DIR [--every N] [--keep K]] [--resume DIR] --save OUT.mcdl\n"
    "  defaults as Keras' fit: epochs 1, batch size 32, shuffled; optimizer adam with Keras'\n"
    "  settings; the loss has no default (an .mcdl saved after training keeps its own)\n"
    "  --checkpoint DIR: write DIR/ckpt-EEEEEE.mcdl (atomically) every N epochs (default 1)\n"
    "    and after the last, keeping the newest K (default all)\n"
    "  --resume DIR: continue from DIR's newest checkpoint up to --epochs (MODEL may be left\n"
    "    out; pass the same --x/--y/--seed/--batch-size/--threads as the first run);\n"
    "    checkpoints go on into --checkpoint, or DIR when none is given\n";

/* Loads the model: the newest checkpoint for --resume (compiled with its optimizer
 * state, which a recompile would reset), else MODEL compiled from the options. */
static int open_and_compile(const cli_opts *o, mcdl_model **m, int *done) {
    *done = 0;
    if (o->resume) {
        if (cli_apply_runtime(o) != MCDL_OK) return cli_fail();
        if (mcdl_checkpoint_load_latest(o->resume, m, done) != MCDL_OK) return cli_fail();
        printf("resuming '%s' from %s after epoch %d\n", mcdl_model_name(*m), o->resume, *done);
        return 0;
    }
    if (cli_open_model(o, m) != MCDL_OK) return cli_fail();
    bool no_loss;
    mcdl_status s = cli_compile(*m, o, &no_loss);
    if (no_loss) {
        fprintf(stderr, "mcdl: train needs --loss (Keras has no default loss)\n%s", k_usage);
        mcdl_model_destroy(*m);
        return CLI_USAGE;
    }
    if (s != MCDL_OK) {
        int rc = cli_fail();
        mcdl_model_destroy(*m);
        return rc;
    }
    return 0;
}

int mcdl_cmd_train(int argc, char **argv) {
    cli_opts o;
    int r = cli_parse(argc, argv,
                      CLI_X | CLI_Y | CLI_LOSS | CLI_OPTIMIZER | CLI_LR | CLI_EPOCHS | CLI_BATCH |
                          CLI_VSPLIT | CLI_METRICS | CLI_SEED | CLI_THREADS | CLI_WEIGHTS |
                          CLI_SAVE | CLI_CHECKPOINT | CLI_MAX_MEMORY,
                      k_usage, &o);
    if (r) return r < 0 ? 0 : r;
    if (o.n_x == 0 || o.n_y == 0 || !o.save) {
        fprintf(stderr, "mcdl: train needs --x, --y and --save\n%s", k_usage);
        return CLI_USAGE;
    }
    if ((o.every || o.keep) && !o.checkpoint && !o.resume) {
        fprintf(stderr, "mcdl: --every and --keep need --checkpoint DIR\n%s", k_usage);
        return CLI_USAGE;
    }
    mcdl_model *m;
    int done = 0;
    if ((r = open_and_compile(&o, &m, &done)) != 0) return r;
    mcdl_tensor *x[CLI_MAX_ARRAYS], *y[CLI_MAX_ARRAYS];
    mcdl_status s = cli_load_arrays(o.x, o.n_x, x);
    if (s == MCDL_OK) {
        s = cli_load_arrays(o.y, o.n_y, y);
        if (s != MCDL_OK) cli_free_arrays(x, o.n_x);
    }
    if (s == MCDL_OK) {
        const mcdl_checkpoint_opts ck = {.dir = o.checkpoint ? o.checkpoint : o.resume,
                                         .every = (int)o.every,
                                         .keep = (int)o.keep,
                                         .epochs = (int)o.epochs};
        mcdl_fit_opts f = {.epochs = (int)o.epochs,
                           .batch_size = o.batch_size,
                           .validation_split = (float)o.validation_split,
                           .seed = (uint64_t)o.seed,
                           .verbose = 1,
                           .initial_epoch = done < o.epochs ? done : (int)o.epochs,
                           .on_epoch_end = ck.dir ? mcdl_checkpoint_epoch : NULL,
                           .user = (void *)&ck};
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
