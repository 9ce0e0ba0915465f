/* Sub-commands of the mcdl program; each takes (argc, argv) with argv[0] the command name
 * and returns the process exit code (0 ok, 1 error, 2 bad usage). */
#ifndef MCDL_TOOLS_COMMANDS_H
#define MCDL_TOOLS_COMMANDS_H

int mcdl_cmd_info(int argc, char **argv);
int mcdl_cmd_bench(int argc, char **argv);

/* File-based commands (tools/mcdl/files/), built with MCDL_WITH_FILES. */
int mcdl_cmd_summary(int argc, char **argv);
int mcdl_cmd_train(int argc, char **argv);
int mcdl_cmd_evaluate(int argc, char **argv);
int mcdl_cmd_predict(int argc, char **argv);
int mcdl_cmd_export_weights(int argc, char **argv);

#endif
