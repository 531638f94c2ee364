/*
 * capsim.c - main(): dispatch to a subcommand from one table (git.c's
 * commands[]). Results go to stdout, everything else to stderr.
 */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "common/strutil.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static const struct command commands[] = {
    { "run", cmd_run, "simulate an office scenario (default: the built-in office-25 on GB10)" },
    { "serve", cmd_serve, "open loop, as `vllm bench serve` against a simulated vLLM server" },
    { "benchy", cmd_benchy, "closed loop, as llama-benchy 0.4.0" },
    { "validate", cmd_validate, "simulate every run of an arena folder and compare" },
    { "calibrate", cmd_calibrate, "fit a hardware profile to arena runs or kernel benchmarks" },
    { "memory", cmd_memory, "weights, KV cache size and max concurrency as vLLM logs them" },
    { "list", cmd_list, "list models, profiles, scenarios or precisions" },
    { "capacity", cmd_capacity, "largest load of a scenario that meets its SLOs" },
    { "users", cmd_users, "how many users at a given context length" },
    { "compare", cmd_compare, "precisions side by side for one model and scenario" },
};

int cli_fail(const char *cmd, const struct cs_err *err)
{
    fprintf(stderr, "capsim: %s\n", err->msg);
    if (err->code == CS_EUSAGE)
        fprintf(stderr, "Try 'capsim %s --help'.\n", cmd ? cmd : "");
    return cs_err_exit_status(err->code);
}

/* One warning for all the flags that only mean something to a real
 * server, so a command copied from a benchmark log runs unchanged. */
static void warn_ignored(const char *cmd, const struct opt *table, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!table[i].seen || !str_starts_with(table[i].help, "accepted and ignored"))
            continue;
        if (!k)
            fprintf(stderr, "capsim %s: ignoring ", cmd);
        fprintf(stderr, "%s--%s", k++ ? ", " : "", table[i].name);
    }
    if (k)
        fprintf(stderr, " (meaningful only against a real server)\n");
}

bool cli_parse(const char *cmd, const char *synopsis, struct opt *table, size_t n, int argc,
               char **argv, const char **pos, size_t max_pos, size_t *n_pos, int *status)
{
    struct cs_err err = { 0 };
    bool help = false;
    if (opts_parse(cmd, table, n, argc, argv, pos, max_pos, n_pos, &help, &err)) {
        *status = cli_fail(cmd, &err);
        return true;
    }
    warn_ignored(cmd, table, n);
    if (help) {
        opts_usage(stdout, cmd, synopsis, table, n);
        *status = 0;
        return true;
    }
    return false;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: capsim <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < CS_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'capsim <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts; every GSL status is checked instead. */
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("capsim %s\n", CAPSIM_VERSION);
        return 0;
    }
    for (size_t i = 0; i < CS_ARRAY_LEN(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    const char *names[CS_ARRAY_LEN(commands)];
    for (size_t i = 0; i < CS_ARRAY_LEN(commands); i++)
        names[i] = commands[i].name;
    const char *near = str_nearest(name, names, CS_ARRAY_LEN(commands));
    if (near)
        fprintf(stderr, "capsim: unknown command '%s' (did you mean '%s'?)\n", name, near);
    else
        fprintf(stderr, "capsim: unknown command '%s'\n", name);
    fprintf(stderr, "Try 'capsim --help'.\n");
    return 2;
}
