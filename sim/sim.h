/*
 * sim.h - one vLLM v1 engine on one machine, simulated event by event.
 *
 * Requests reach the engine at their arrival time, wait in the FCFS queue,
 * are scheduled step by step as vLLM v1's Scheduler.schedule() does
 * (sim/sched.h: running first, token budget, chunked prefill, FCFS
 * admission with head-of-line blocking, preemption by recompute of the
 * most recently admitted request), stream tokens and finish. Each step
 * lasts what the cost model says (sim/cost.h).
 *
 * Time is in seconds from 0 (double); tokens in 64-bit counters.
 * Determinism: the engine draws no random numbers; equal inputs give
 * equal event sequences. Ties pop by (time, kind, sequence).
 *
 * Drivers (open loop, closed loop, scenarios) talk to the engine through
 * sim_submit() and the hooks: a hook may call sim_submit() (closed loop:
 * a new request when one finishes) with an arrival time >= now.
 *
 * Ownership: sim_new() copies the config; the cost model and work it
 * points to are borrowed and must outlive the sim. Free with sim_free().
 */
#ifndef CAPSIM_SIM_SIM_H
#define CAPSIM_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "model/kv_layout.h"
#include "model/work.h"
#include "sim/cost.h"
#include "sim/prefix_cache.h"

struct sim;

struct sim_config {
    /* vllm serve flags, same names */
    uint32_t max_num_batched_tokens;   /* token budget per step */
    uint32_t max_num_seqs;             /* running requests at most */
    uint32_t max_model_len;            /* prompt + output at most */
    bool async_scheduling;
    bool enable_prefix_caching;        /* automatic prefix caching (sim/prefix_cache.h) */
    bool prefix_cache_drop_last;       /* an EAGLE/MTP drafter (vLLM use_eagle) */
    /* Speculative decoding: each decoding request schedules 1 + k tokens
     * and gains `spec_mean_accepted + 1` tokens per step on average. */
    uint32_t num_speculative_tokens;
    double spec_mean_accepted;
    struct kv_layout kv;
    const struct model_work *work;     /* borrowed */
    struct cost_model *cost;           /* borrowed; steps fill its memo */
    bool check_invariants;             /* walk the state after every step (tests) */
};

struct sim_request {
    uint64_t id;          /* caller's id, echoed in hooks */
    double arrival_s;     /* when the client sends it; the engine sees it after
                           * the API server's front-end time (cost.h) */
    uint32_t n_prompt;    /* prompt tokens (server-side count) */
    uint32_t n_output;    /* tokens to generate (max_tokens; replies run to it) */
    /* What the prompt says, for the prefix cache (sim/prefix_cache.h):
     * segments of shared content from its start; tokens past them are
     * unique to this request. The reply's content is out_content (0: unique),
     * so a later turn can re-send it as a segment. Copied at submit. */
    const struct pc_segment *segs;
    uint32_t n_segs;
    uint64_t out_content;
};

struct sim_hooks {
    void *ud;
    /* A chunk of n output tokens reaches the client at t (the first call
     * for a request is its first token). May be NULL. */
    void (*on_tokens)(void *ud, uint64_t id, double t, uint32_t n);
    /* The request finished at t (its last token). May be NULL. */
    void (*on_finish)(void *ud, uint64_t id, double t);
    /* The request can never run (prompt + output > max_model_len, or it
     * needs more KV blocks than the pool has). May be NULL. */
    void (*on_reject)(void *ud, uint64_t id, double t, const char *why);
    /* Prefix cache lookup at admission (each time the request is looked up,
     * as vLLM counts it): tokens queried, tokens hit, and whether the
     * request had been preempted. May be NULL. */
    void (*on_cache_lookup)(void *ud, uint64_t id, uint32_t tokens, uint32_t hits, bool preempted);
};

struct sim_stats {
    int64_t n_steps;
    int64_t n_preemptions;
    int64_t n_finished;
    int64_t n_rejected;
    int64_t n_tokens_prefill;      /* incl. recompute after preemption */
    int64_t n_tokens_decode;
    uint32_t peak_running;
    uint32_t peak_waiting;
    int64_t peak_kv_blocks_used;
    /* vLLM's PrefixCacheStats (v1/metrics/stats.py), in tokens, as exported
     * to vllm:prefix_cache_queries / vllm:prefix_cache_hits; lookups of
     * preempted requests are counted apart, as vLLM does. */
    int64_t prefix_cache_queries, prefix_cache_hits;
    int64_t prefix_cache_preempted_queries, prefix_cache_preempted_hits;
    double busy_s;                 /* time with a step running */
    double end_s;                  /* time of the last event */
};

/* Life cycle */
struct sim *sim_new(const struct sim_config *cfg, const struct sim_hooks *hooks);
void sim_free(struct sim *s);

/* Queue a request. arrival_s must be >= sim_now(). */
void sim_submit(struct sim *s, const struct sim_request *r);
/* Run until nothing is left to do (no arrivals pending, nothing running
 * or waiting). */
void sim_run(struct sim *s);
/* Run until time t (events at t included), then return. */
void sim_run_until(struct sim *s, double t);

/* Queries */
double sim_now(const struct sim *s);
const struct sim_stats *sim_stats(const struct sim *s);
/* For timelines: running, waiting, KV blocks used right now. */
uint32_t sim_n_running(const struct sim *s);
uint32_t sim_n_waiting(const struct sim *s);
int64_t sim_kv_blocks_used(const struct sim *s);

#endif /* CAPSIM_SIM_SIM_H */
