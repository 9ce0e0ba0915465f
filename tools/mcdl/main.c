/* The mcdl command: dispatches sub-commands (info, ...). Exit codes: 0 success,
 * 2 bad usage, 1 any other error with mcdl_last_error()'s sentence on stderr. */
#include <stdio.h>
#include <string.h>

#include "mcdl/mcdl.h"
#include "tools/mcdl/commands.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: mcdl <command> [options]\n"
            "commands:\n"
            "  info                 CPU features, the kernel path in use, math accuracy table\n"
            "  version              print the library version\n"
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
    fprintf(stderr, "mcdl: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
