/*
 * office.h - a scenario simulated over its working day (the whole day:
 * a day of office traffic takes milliseconds to simulate).
 *
 *  - open: conversations start as a gamma process whose rate follows the
 *    active share hour by hour (employees x share x requests_per_active_hour);
 *  - closed: user i is active in hour h when i < round(employees x share[h]);
 *    an active user starts a conversation, and after its last reply waits
 *    an exponential pause (mean user_think_time_s) before the next;
 *  - trace: the CSV's requests, one turn each, arrival times multiplied by
 *    scenario employees / employees.
 * Each conversation picks a task type; its turns follow one another, each
 * sent think_time_s after the previous reply, carrying the whole
 * conversation so far plus a follow-up prompt.
 *
 * Common random numbers: open arrivals are drawn in "operational time"
 * (one unit per expected conversation) and mapped to clock time; a
 * conversation's task and lengths come from a hash of (seed, its index or
 * its user and number); so the same seed with more employees gives the
 * same conversations, earlier and more of them. Capacity search relies
 * on it.
 *
 * Overload: above capacity an open-loop queue grows all day and the
 * percentiles depend on how long the day is. A run whose last reply comes
 * more than OFFICE_DRAIN_LIMIT_S after the last request was sent is
 * flagged `overloaded` (BLIS's saturation check, simplified).
 *
 * Ownership: office_run() fills a caller-owned result;
 * office_result_release() frees its timeline and latency samples.
 */
#ifndef CAPSIM_SCENARIOS_OFFICE_H
#define CAPSIM_SCENARIOS_OFFICE_H

#include "client/deploy.h"
#include "client/metrics.h"
#include "scenarios/scenario.h"

#define OFFICE_PCTS 3   /* p50, p95, p99 */
/* Ten minutes of backlog after the last request: nobody waits that long
 * for an assistant; the office is past what the box carries. */
#define OFFICE_DRAIN_LIMIT_S 600.0
/* Timeline sample period: one minute. */
#define OFFICE_TICK_S 60.0

struct office_task_result {
    int64_t requests;
    struct metric_summary ttft_ms, tpot_ms, itl_ms, e2el_ms; /* pct[] = p50, p95, p99 */
    double slo_value[SLO_MAX];      /* the metric an SLO names, measured */
    bool slo_met[SLO_MAX];
    double slo_attainment[SLO_MAX]; /* share of requests within the SLO's limit */
    /* vLLM's prefix cache counters over this task's lookups (tokens;
     * lookups of preempted requests left out, as vLLM does) */
    int64_t prefix_cache_queries, prefix_cache_hits;
};

struct office_result {
    int64_t employees;
    int64_t conversations, requests, rejected;
    double duration_s, achieved_rate;   /* rate: requests per second of the run */
    struct office_task_result task[SCEN_MAX_TASKS];
    struct office_task_result all;      /* with the scenario's overall SLOs */
    bool all_slos_met;                  /* every SLO, no rejection, not overloaded */
    bool overloaded;
    double drain_s;                     /* last reply minus last request sent */
    int64_t preemptions;
    double kv_usage_peak;               /* share of KV blocks */
    /* one sample per OFFICE_TICK_S: waiting, running, KV share used */
    double *tl_t, *tl_waiting, *tl_running, *tl_kv;
    size_t tl_n;
    /* every request's TTFT and E2EL in ms (sorted), for CDFs */
    double *ttft_ms, *e2el_ms;
    size_t n_lat;
};

/* Simulate s on d with `employees` (0 = the scenario's) and seed. */
int office_run(const struct scenario *s, const struct deploy *d, int64_t employees, int64_t seed,
               struct office_result *out, struct cs_err *err);
void office_result_release(struct office_result *r);

/* vLLM's defaults with the scenario's server section over them; a
 * command's flags go over these (cli/server_opts.h). */
void office_deploy_args(const struct scenario *s, struct deploy_args *a);

/* Build the engine for a into *d and check that every task of s fits its
 * max_model_len. On failure nothing is left allocated. You free *d with
 * deploy_free(). */
int office_deploy(const struct scenario *s, const struct deploy_args *a, struct deploy **d,
                  struct cs_err *err);

/* The binding SLO, as "task: slo" ("all: slo" for an overall one): the
 * one whose measured value is closest to, or furthest past, its limit
 * (largest value/limit). "overloaded" or "rejected" when those fail. */
void office_binding(const struct scenario *s, const struct office_result *r, char *buf, size_t n);

/* A uniform in [0, 1) that depends only on (seed, key, draw): the
 * counter-based stream behind the common random numbers. */
double office_uniform(uint64_t seed, uint64_t key, uint64_t draw);

#endif /* CAPSIM_SCENARIOS_OFFICE_H */
