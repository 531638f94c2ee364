/*
 * sim_impl.h - the engine's internals, shared by sim/sim.c, sim/sched.c
 * and the tests that pin scheduler rules. Not a public API.
 *
 * Requests live in a pool of slots reused through a free list, so memory
 * is bounded by the requests in flight, not by how many ran. RUNNING is an
 * array in admission order (vLLM's self.running list); WAITING is a deque
 * (preempted requests go back to its front, new ones to its back).
 */
#ifndef CAPSIM_SIM_SIM_IMPL_H
#define CAPSIM_SIM_SIM_IMPL_H

#include "sim/evq.h"
#include "sim/kv_cache.h"
#include "sim/sim.h"

enum req_state { REQ_FREE, REQ_PENDING, REQ_WAITING, REQ_RUNNING };

struct req {
    uint64_t id;
    double arrival_s;
    uint32_t n_prompt;
    uint32_t n_output;
    uint32_t n_generated;      /* output tokens sampled so far */
    int64_t n_computed;        /* tokens whose KV is in the cache */
    int64_t blocks;            /* KV blocks held */
    uint32_t n_scheduled;      /* tokens scheduled in the step in flight */
    uint32_t n_preempted;
    uint8_t state;
    uint8_t samples;           /* the step in flight ends its known tokens */
    uint8_t is_decode;
    int32_t next_free;
    struct pc_req pc;          /* prefix cache view (cache on); arrays reused */
};

/* Tokens the request knows: prompt plus every sampled output. */
static inline int64_t req_num_tokens(const struct req *r)
{
    return (int64_t)r->n_prompt + r->n_generated;
}

struct sim {
    struct sim_config cfg;
    struct sim_hooks hooks;
    struct kv_cache *kv;
    struct prefix_cache *pc;   /* NULL when prefix caching is off */
    uint64_t n_submitted;      /* for unique content ids */
    struct evq *arrivals;

    struct req *reqs;          /* slot pool */
    size_t n_reqs_cap;
    int32_t free_head;

    int32_t *running;          /* slot ids in admission order */
    size_t n_running, running_cap;

    int32_t *waiting;          /* ring buffer deque of slot ids */
    size_t wait_head, n_waiting, waiting_cap;

    double now;
    bool step_in_flight;
    double step_start_s, step_end_s;
    double prev_step_start_s;  /* when the step before the one in flight started */
    bool prev_step_valid;
    double spec_accum;         /* fractional accepted-token accumulator */
    double frontend_free_s;    /* when the API server finishes its last request */
    struct sim_stats stats;
    int64_t n_live;            /* submitted, not yet finished or rejected */
};

/* sched.c: build the next step from RUNNING and WAITING as vLLM v1's
 * Scheduler.schedule() does; `eligible_before` bounds the arrival time of
 * waiting requests that may be admitted (async scheduling). Fills shape;
 * returns the number of scheduled requests (0 = nothing to do). */
uint32_t sched_step(struct sim *s, double eligible_before, struct step_shape *shape);

/* sched.c: blocks for n more tokens of a request (hit: the waiting
 * request's prefix-cache hit), and giving all of them back. */
bool sched_alloc(struct sim *s, struct req *r, int64_t hit, int64_t n);
void sched_release(struct sim *s, struct req *r, bool preempted);

/* Deque helpers used by sched.c and sim.c. */
void sim_waiting_push_back(struct sim *s, int32_t slot);
void sim_waiting_push_front(struct sim *s, int32_t slot);
int32_t sim_waiting_peek(const struct sim *s);
void sim_waiting_pop_front(struct sim *s);

#endif /* CAPSIM_SIM_SIM_IMPL_H */
