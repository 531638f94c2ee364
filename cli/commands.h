/*
 * commands.h - one function per subcommand, in cli/cmd_<name>.c. Each
 * takes the arguments after "capsim" (argv[0] is the subcommand name) and
 * returns the process exit status: 0, 1 for bad input, 2 for bad usage,
 * and with --check (run, capacity, users) CLI_EXIT_MISSED when an
 * objective is not met.
 */
#ifndef CAPSIM_CLI_COMMANDS_H
#define CAPSIM_CLI_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/opts.h"
#include "common/err.h"

/* --check: an objective missed, or no user fits (distinct from 1 and 2,
 * so a script can tell a bad answer from a bad question). */
#define CLI_EXIT_MISSED 3

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

/* Parse a subcommand's option table (cli/opts.h) as every command does:
 * a usage error prints its message, --help prints the usage with
 * `synopsis`; either way it returns true and *status is what the command
 * returns. Flags accepted and ignored (server-only ones) get one warning. */
bool cli_parse(const char *cmd, const char *synopsis, struct opt *table, size_t n, int argc,
               char **argv, const char **pos, size_t max_pos, size_t *n_pos, int *status);

#endif /* CAPSIM_CLI_COMMANDS_H */
