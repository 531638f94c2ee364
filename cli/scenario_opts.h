/*
 * scenario_opts.h - the options of the commands that simulate a scenario
 * (run, capacity, compare), one set of rows for all three: which scenario,
 * how many employees, which objectives, which seed. SLOs given with --slo
 * (repeatable, every one must hold) replace the scenario's.
 */
#ifndef CAPSIM_CLI_SCENARIO_OPTS_H
#define CAPSIM_CLI_SCENARIO_OPTS_H

#include "cli/opts.h"
#include "scenarios/scenario.h"

struct scenario_flags {
    const char *scenario;     /* NULL: office-25 */
    int64_t employees;        /* 0: the scenario's */
    int64_t seed;             /* -1: the scenario's */
    struct opt_strings slo;
};

#define SCENARIO_FLAGS_INIT { NULL, 0, -1, { { 0 }, 0 } }

#define SCENARIO_OPTS(f)                                                                        \
    { "scenario", OPT_STRING, &(f).scenario, 0, 0, "preset name or scenario file [office-25]", false }, \
    { "employees", OPT_INT, &(f).employees, 1, 1e6, "employees in the office [the scenario's]", false }, \
    { "slo", OPT_STRINGS, &(f).slo, 0, 0,                                                       \
      "objective over all requests, like 'p95_ttft_ms<=5000'; repeat to combine (all must "    \
      "hold); replaces the scenario's", false },                                                \
    { "seed", OPT_INT, &(f).seed, 0, 4294967295.0, "[the scenario's]", false }

/* Parse --slo values ("CMD: --slo" in messages) into slos[0..*n). */
int scenario_opts_slos(const char *cmd, const struct opt_strings *text, struct slo *slos,
                       size_t *n, struct cs_err *err);

/* Load the scenario (`positional` wins over --scenario), replace its SLOs
 * with --slo's and its seed with --seed. Employees stay as flags say:
 * office_run() takes them (a trace's clock depends on both). */
int scenario_opts_load(const char *cmd, const struct scenario_flags *f, const char *positional,
                       struct scenario *s, struct cs_err *err);

#endif /* CAPSIM_CLI_SCENARIO_OPTS_H */
