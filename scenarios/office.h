/*
 * office.h - a scenario simulated over its working day. Conversations
 * start as a gamma process whose rate follows the active share hour by
 * hour (employees x share x requests_per_active_hour); each conversation
 * picks a task type, and its turns follow one another, each sent
 * think_time_s after the previous reply, with the whole conversation so
 * far as context.
 *
 * Common random numbers: arrivals are drawn in "operational time" (one
 * unit per expected conversation) and mapped to clock time, and each
 * conversation's task and lengths come from its own index in fixed
 * streams; so the same seed with more employees gives the same
 * conversations, earlier and more of them. Capacity search relies on it.
 *
 * Ownership: office_run() fills a caller-owned result; office_result_release()
 * frees its timeline.
 */
#ifndef CAPSIM_SCENARIOS_OFFICE_H
#define CAPSIM_SCENARIOS_OFFICE_H

#include "client/deploy.h"
#include "client/metrics.h"
#include "scenarios/scenario.h"

#define OFFICE_PCTS 3   /* p50, p95, p99 */

struct office_task_result {
    int64_t requests;
    struct metric_summary ttft_ms, tpot_ms, e2el_ms;   /* pct[] = p50, p95, p99 */
    double slo_value[SLO_MAX];   /* the metric an SLO names, measured */
    bool slo_met[SLO_MAX];
    double slo_attainment[SLO_MAX]; /* share of requests within the SLO's limit */
};

struct office_result {
    int64_t conversations, requests, rejected;
    double duration_s, achieved_rate;
    struct office_task_result task[SCEN_MAX_TASKS];
    struct office_task_result all;
    bool all_slos_met;
    int64_t preemptions;
    double kv_usage_peak;
    /* one sample per minute: waiting, running, KV blocks used */
    double *tl_t, *tl_waiting, *tl_running, *tl_kv;
    size_t tl_n;
};

/* Simulate s on d with `employees` (0 = the scenario's) and seed. */
int office_run(const struct scenario *s, const struct deploy *d, int64_t employees, int64_t seed,
               struct office_result *out, struct cs_err *err);
void office_result_release(struct office_result *r);

/* Deploy arguments for the scenario's server section. */
void office_deploy_args(const struct scenario *s, struct deploy_args *a);

#endif /* CAPSIM_SCENARIOS_OFFICE_H */
