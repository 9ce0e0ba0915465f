/* `mcdl predict MODEL [--weights W] --x X.npy [--x ...] --out Y.npy [--out ...]`:
 * batched inference, one .npy per model output. */
#include <stdio.h>

#include "tools/mcdl/commands.h"
#include "tools/mcdl/files/cli_common.h"

static const char k_usage[] =
    "usage: mcdl predict MODEL.json|MODEL.mcdl [--weights W.npz|M.mcdl] --x X.npy [--x X2.npy "
    "...]\n"
    "                    --out Y.npy [--out Y2.npy ...] [--batch-size N] [--threads N]\n"
    "  one --x per model input and one --out per model output, in the model's order\n";

int mcdl_cmd_predict(int argc, char **argv) {
    cli_opts o;
    int r = cli_parse(argc, argv,
                      CLI_X | CLI_OUT | CLI_WEIGHTS | CLI_BATCH | CLI_THREADS | CLI_MAX_MEMORY,
                      k_usage, &o);
    if (r) return r < 0 ? 0 : r;
    if (o.n_x == 0 || o.n_out == 0) {
        fprintf(stderr, "mcdl: predict needs --x and --out\n%s", k_usage);
        return CLI_USAGE;
    }
    mcdl_model *m;
    if (cli_open_model(&o, &m) != MCDL_OK) return cli_fail();
    if (o.n_x != mcdl_model_num_inputs(m) || o.n_out != mcdl_model_num_outputs(m)) {
        fprintf(stderr,
                "mcdl: model '%s' has %d input(s) and %d output(s), but %d --x and %d --out "
                "were given\n",
                mcdl_model_name(m), mcdl_model_num_inputs(m), mcdl_model_num_outputs(m), o.n_x,
                o.n_out);
        mcdl_model_destroy(m);
        return CLI_USAGE;
    }
    mcdl_tensor *x[CLI_MAX_ARRAYS], *y[CLI_MAX_ARRAYS] = {0};
    mcdl_status s = cli_load_arrays(o.x, o.n_x, x);
    if (s == MCDL_OK) {
        s = mcdl_model_predict(m, o.n_x, (const mcdl_tensor *const *)x,
                               &(mcdl_predict_opts){.batch_size = o.batch_size}, o.n_out, y);
        for (int i = 0; i < o.n_out && s == MCDL_OK; i++) s = mcdl_npy_save(o.out[i], y[i]);
        cli_free_arrays(x, o.n_x);
    }
    int rc = s == MCDL_OK ? 0 : cli_fail();
    for (int i = 0; i < o.n_out; i++) mcdl_tensor_destroy(y[i]);
    mcdl_model_destroy(m);
    return rc;
}
