/* `mcdl summary MODEL.json|MODEL.mcdl`: Keras' summary table of a model file. */
#include <stdio.h>

#include "tools/mcdl/commands.h"
#include "tools/mcdl/files/cli_common.h"

static const char k_usage[] = "usage: mcdl summary MODEL.json|MODEL.mcdl\n"
                              "  prints Keras' model.summary() table and the parameter counts\n";

int mcdl_cmd_summary(int argc, char **argv) {
    cli_opts o;
    int r = cli_parse(argc, argv, 0, k_usage, &o);
    if (r) return r < 0 ? 0 : r;
    mcdl_model *m;
    if (cli_open_model(&o, &m) != MCDL_OK) return cli_fail();
    mcdl_status s = mcdl_model_summary(m, stdout);
    mcdl_model_destroy(m);
    return s == MCDL_OK ? 0 : cli_fail();
}
