/*
 * opts.h - command-line options from one table per subcommand: parsing,
 * bounds checks and --help all come from the same rows (Redis config.c,
 * ROSS tw-opts). Flags are long, kebab-case, named as vLLM and the
 * benchmark clients name them; "--flag value" and "--flag=value" both work.
 *
 * Errors are usage errors (CS_EUSAGE, exit 2), one line:
 *   "serve: --request-rate: must be > 0 (got -1)"
 *   "serve: unknown option '--request-rat' (did you mean '--request-rate'?)"
 *
 * Ownership: string targets borrow from argv.
 */
#ifndef CAPSIM_CLI_OPTS_H
#define CAPSIM_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

enum opt_type {
    OPT_FLAG,     /* bool, no value */
    OPT_INT,      /* int64_t */
    OPT_DOUBLE,   /* double; "inf" allowed when max is INFINITY */
    OPT_STRING,   /* const char * */
    OPT_LIST,     /* struct opt_list: values after the flag until the next
                     "--", space- or comma-separated (argparse nargs="+") */
    OPT_IGNORED,  /* accepted with a value and ignored with one warning
                     (server-only flags such as --base-url) */
    OPT_STRINGS,  /* struct opt_strings: every occurrence is kept (--slo A --slo B) */
    OPT_WORDS,    /* struct opt_strings: the values after the flag until the next
                     "--" (argparse nargs="+" of strings: --goodput ttft:500 tpot:50) */
};

#define OPT_STRINGS_MAX 8
struct opt_strings {
    const char *v[OPT_STRINGS_MAX];
    size_t n;
};

#define OPT_LIST_MAX 64
struct opt_list {
    double v[OPT_LIST_MAX];
    size_t n;
};

struct opt {
    const char *name;     /* without the leading "--" */
    enum opt_type type;
    void *target;
    double min, max;      /* bounds for numbers (inclusive) */
    const char *help;     /* one line; the default in brackets */
    bool seen;            /* set by the parser */
};

/* Parse argv[1..] (argv[0] is the subcommand name). Positional arguments are
 * collected into pos (borrowing argv), at most max_pos. --help prints usage
 * to stdout and sets *help. */
int opts_parse(const char *cmd, struct opt *table, size_t n, int argc, char **argv,
               const char **pos, size_t max_pos, size_t *n_pos, bool *help,
               struct cs_err *err);

void opts_usage(FILE *f, const char *cmd, const char *synopsis, const struct opt *table,
                size_t n);

/* The row named `name`, or NULL. */
const struct opt *opts_find(const struct opt *table, size_t n, const char *name);

#endif /* CAPSIM_CLI_OPTS_H */
