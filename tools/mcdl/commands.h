/* Sub-commands of the mcdl program; each takes (argc, argv) with argv[0] the command name
 * and returns the process exit code (0 ok, 1 error, 2 bad usage). */
#ifndef MCDL_TOOLS_COMMANDS_H
#define MCDL_TOOLS_COMMANDS_H

int mcdl_cmd_info(int argc, char **argv);

#endif
