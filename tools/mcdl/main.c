/* The mcdl command: dispatches sub-commands (info, bench, summary, train, evaluate, predict,
 * export-weights). Exit codes: 0 success, 2 bad usage, 1 any other error with
 * mcdl_last_error()'s sentence on stderr. */
#include <stdio.h>
#include <string.h>

#include "mcdl/mcdl.h"
#include "tools/mcdl/commands.h"

static void usage(FILE *f) {
    fprintf(f, "usage: mcdl <command> [options]\n"
               "commands:\n"
               "  info                 CPU features, the kernel path in use, math accuracy table\n"
               "  version              print the library version\n"
               "  bench                seed models: training samples/s and batch-1 latency\n"
#ifdef MCDL_WITH_FILES
               "  summary              Keras' summary table of a model file (.json or .mcdl)\n"
               "  train                compile + fit a model file on .npy arrays, save an .mcdl\n"
               "  evaluate             loss and metrics of a model on .npy arrays\n"
               "  predict              run a model on .npy arrays, write its outputs as .npy\n"
               "  export-weights       write an .mcdl model's weights as .npz (Keras paths)\n"
#endif
               "run 'mcdl <command> --help' for a command's options\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("mcdl %s\n", MCDL_VERSION_STRING);
        return 0;
    }
    if (!strcmp(cmd, "info")) return mcdl_cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench")) return mcdl_cmd_bench(argc - 1, argv + 1);
#ifdef MCDL_WITH_FILES
    if (!strcmp(cmd, "summary")) return mcdl_cmd_summary(argc - 1, argv + 1);
    if (!strcmp(cmd, "train")) return mcdl_cmd_train(argc - 1, argv + 1);
    if (!strcmp(cmd, "evaluate")) return mcdl_cmd_evaluate(argc - 1, argv + 1);
    if (!strcmp(cmd, "predict")) return mcdl_cmd_predict(argc - 1, argv + 1);
    if (!strcmp(cmd, "export-weights")) return mcdl_cmd_export_weights(argc - 1, argv + 1);
#endif
    fprintf(stderr, "mcdl: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
