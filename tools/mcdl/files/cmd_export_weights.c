/* `mcdl export-weights MODEL.mcdl OUT.npz`: the weights keyed by Keras 3 variable paths,
 * loadable in Keras with model.get_layer(...) / variable.assign from np.load. */
#include <stdio.h>
#include <string.h>

#include "tools/mcdl/commands.h"
#include "tools/mcdl/files/cli_common.h"

static const char k_usage[] =
    "usage: mcdl export-weights MODEL.mcdl OUT.npz\n"
    "  writes every weight as an .npz keyed by Keras 3 variable paths (dense/kernel, ...)\n";

int mcdl_cmd_export_weights(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        printf("%s", k_usage);
        return 0;
    }
    if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-') {
        fprintf(stderr, "mcdl: export-weights takes a model file and an output file\n%s", k_usage);
        return CLI_USAGE;
    }
    cli_opts o = {.model = argv[1]};
    mcdl_model *m;
    if (cli_open_model(&o, &m) != MCDL_OK) return cli_fail();
    mcdl_status s = mcdl_model_save_weights_npz(m, argv[2]);
    if (s == MCDL_OK)
        printf("wrote %d weights of model '%s' to %s\n", mcdl_model_num_weights(m),
               mcdl_model_name(m), argv[2]);
    mcdl_model_destroy(m);
    return s == MCDL_OK ? 0 : cli_fail();
}
