/*
 * validate.h - simulate every case of an arena folder (each closed-loop
 * row with llama-benchy's client, each open-loop test and sweep step with
 * vllm bench serve's) under that run's model, precision and server
 * config, and compare with what was measured.
 *
 * What the simulation takes from a run is what a user would know before
 * measuring: the server flags, the client commands, the chat template's
 * token count and the workload's reply lengths and speculative acceptance
 * (properties of the model and prompts, not of the hardware). Everything
 * hardware comes from the profile.
 *
 * Ownership: validate_new() returns predictions you free with validate_free().
 */
#ifndef CAPSIM_CALIBRATE_VALIDATE_H
#define CAPSIM_CALIBRATE_VALIDATE_H

#include <stdbool.h>
#include <stdio.h>

#include "calibrate/arena.h"
#include "client/deploy.h"
#include "profile/profile.h"

struct validation {
    const struct arena *arena;
    double (*closed)[AM_COUNT];   /* predicted, per closed row (NaN where not predicted) */
    double (*open)[AM_COUNT];     /* predicted, per open row */
    bool *closed_ok, *open_ok;    /* false if the case could not be simulated */
    /* Per run: why its server could not be set up (msg "" if it could);
     * such a run's cases are left out, not the whole validation. */
    struct cs_err *run_err;
};

/* Which cases to simulate: runs whose model is `model` (NULL = all) or,
 * with exclude, all but that model; closed and/or open loop. Initialise
 * by field name: fields left out are off (NULL, false, 0). */
struct validate_filter {
    const char *model;
    bool exclude;
    bool closed, open;
    int seeds;                    /* open loop: mean over this many seeds (1) */
    bool skip_itl;                /* open loop: no ITL predictions (a fit reads none) */
};

/* Simulate the cases `f` selects. A run whose server cannot be set up (it
 * does not fit, a flag capsim rejects) gets its message in run_err and
 * its cases left out; the others are still simulated. */
int validate_run(const struct arena *a, const struct profile *p, const struct validate_filter *f,
                 struct validation **out, struct cs_err *err);
void validate_free(struct validation *v);

/* One JSON line per simulated case: the case keys, "predicted" and "measured". */
int validate_write_jsonl(const struct validation *v, FILE *f, struct cs_err *err);

/* The server of arena run `run` as its runs.json describes it, with
 * `accept_len` tokens per speculative step (NaN: none accepted). */
int validate_run_deploy(const struct arena *a, size_t run, const struct profile *p,
                        double accept_len, struct deploy **out, struct cs_err *err);

/* Replace v's predictions with those of a file validate_write_jsonl
 * wrote for the same arena (a leave-one-model-out run kept for later):
 * each line's case is found by run, test and shape. Cases the file does
 * not have are marked not predicted. */
int validate_read_jsonl(struct validation *v, const char *path, struct cs_err *err);

/* Median and p90 absolute percentage error per metric group, as a table. */
void validate_print_table(const struct validation *v, FILE *f);
/* Per run, the median signed percentage error of the main groups, signed
 * so that + means capsim predicts slower (longer times, lower rates). */
void validate_print_by_run(const struct validation *v, FILE *f);

/* The metric groups of the error table. */
enum vgroup {
    VG_TG_REQ, VG_TG_TOTAL, VG_CLOSED_TTFT, VG_LATENCY, VG_P50_TTFT, VG_P95_TTFT, VG_P99_TTFT,
    VG_P50_TPOT, VG_P95_TPOT, VG_REQ_RATE, VG_COUNT
};
const char *vgroup_name(enum vgroup g);
/* Absolute percentage errors of group g into out (caller-sized to the
 * number of rows); returns how many. */
size_t validate_group_errors(const struct validation *v, enum vgroup g, double *out);
/* Signed percentage errors, 100 (predicted / measured - 1), of group g in
 * one run's cases (or all runs: VALIDATE_ALL_RUNS) into out. */
#define VALIDATE_ALL_RUNS ((size_t)-1)
/* An open-loop case whose measurement is trustworthy: no failed
 * requests, replies not cut below 90% of their sampled length. */
bool validate_open_usable(const struct arena_open *o);

size_t validate_run_errors(const struct validation *v, enum vgroup g, size_t run, double *out);

/* Capacity from the rate sweeps: for each run and each p95 TTFT limit
 * (2, 5, 10 s), whether the highest passing configured rate is predicted
 * within one sweep step. *n_cases and *n_within count the comparisons. */
void validate_capacity(const struct validation *v, int *n_cases, int *n_within);

#endif /* CAPSIM_CALIBRATE_VALIDATE_H */
