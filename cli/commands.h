/*
 * commands.h - one function per subcommand, in cli/cmd_<name>.c. Each
 * takes the arguments after "capsim" (argv[0] is the subcommand name) and
 * returns the process exit status: 0, 1 for bad input, 2 for bad usage.
 */
#ifndef CAPSIM_CLI_COMMANDS_H
#define CAPSIM_CLI_COMMANDS_H

#include "common/err.h"

int cmd_run(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_benchy(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_memory(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_capacity(int argc, char **argv);
int cmd_users(int argc, char **argv);
int cmd_compare(int argc, char **argv);

/* Print "capsim: MSG" for err and return its exit status; usage errors
 * add "Try 'capsim CMD --help'." */
int cli_fail(const char *cmd, const struct cs_err *err);

#endif /* CAPSIM_CLI_COMMANDS_H */
