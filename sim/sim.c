/*
 * sim.c - the event loop of one engine. Events: a client sends a request,
 * the request reaches the engine (after the API server's front-end time),
 * and the step in flight ends.
 * Steps run one after another: when one ends, its tokens stream out, its
 * finished requests leave, and the next step is scheduled at once if there
 * is work. An idle engine waits for the next arrival.
 *
 * Async scheduling (vLLM >= 0.14, async_scheduler.py): the CPU schedules
 * step N+1 while the GPU runs step N, so a request that arrives during
 * step N can first join step N+2. With it off, it joins N+1.
 */
#include "sim/sim_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

/* A request is sent by its client (EV_SENT), prepared by the API server,
 * and then reaches the engine (EV_ARRIVAL). */
enum { EV_ARRIVAL = 0, EV_SENT = 1 };

/* ---------------------------------------------------------------- queues */

void sim_waiting_push_back(struct sim *s, int32_t slot)
{
    if (s->n_waiting == s->waiting_cap) {
        size_t cap = s->waiting_cap ? s->waiting_cap * 2 : 64;
        int32_t *w = xmalloc(cap * sizeof *w);
        for (size_t i = 0; i < s->n_waiting; i++)
            w[i] = s->waiting[(s->wait_head + i) % s->waiting_cap];
        free(s->waiting);
        s->waiting = w;
        s->waiting_cap = cap;
        s->wait_head = 0;
    }
    s->waiting[(s->wait_head + s->n_waiting) % s->waiting_cap] = slot;
    s->n_waiting++;
}

void sim_waiting_push_front(struct sim *s, int32_t slot)
{
    sim_waiting_push_back(s, slot); /* ensures capacity */
    s->n_waiting--;
    s->wait_head = (s->wait_head + s->waiting_cap - 1) % s->waiting_cap;
    s->waiting[s->wait_head] = slot;
    s->n_waiting++;
}

int32_t sim_waiting_peek(const struct sim *s)
{
    return s->waiting[s->wait_head];
}

void sim_waiting_pop_front(struct sim *s)
{
    s->wait_head = (s->wait_head + 1) % s->waiting_cap;
    s->n_waiting--;
}

/* ---------------------------------------------------------------- slots */

static int32_t slot_alloc(struct sim *s)
{
    if (s->free_head < 0) {
        size_t old = s->n_reqs_cap;
        xgrow((void **)&s->reqs, &s->n_reqs_cap, old + 1, sizeof *s->reqs);
        for (size_t i = s->n_reqs_cap; i-- > old;) {
            memset(&s->reqs[i].pc, 0, sizeof s->reqs[i].pc);
            s->reqs[i].state = REQ_FREE;
            s->reqs[i].next_free = s->free_head;
            s->free_head = (int32_t)i;
        }
    }
    int32_t slot = s->free_head;
    s->free_head = s->reqs[slot].next_free;
    return slot;
}

static void slot_release(struct sim *s, int32_t slot)
{
    s->reqs[slot].state = REQ_FREE;
    s->reqs[slot].next_free = s->free_head;
    s->free_head = slot;
}

/* ---------------------------------------------------------------- life cycle */

struct sim *sim_new(const struct sim_config *cfg, const struct sim_hooks *hooks)
{
    CS_ASSERT(cfg->max_num_batched_tokens > 0 && cfg->max_num_seqs > 0);
    CS_ASSERT(cfg->work && cfg->cost);
    struct sim *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    if (hooks)
        s->hooks = *hooks;
    s->kv = kv_cache_new(&cfg->kv);
    if (cfg->enable_prefix_caching) {
        struct pc_config pcc = {
            .block_size = cfg->kv.block_size,
            .n_blocks = cfg->kv.n_blocks,
            .weight = { cfg->kv.n_full_groups, cfg->kv.n_swa_groups, cfg->kv.n_state_groups },
            .swa_window = cfg->kv.swa_window,
            .drop_last_block = cfg->prefix_cache_drop_last,
        };
        s->pc = pc_new(&pcc);
    }
    s->arrivals = evq_new(64);
    s->free_head = -1;
    s->running_cap = cfg->max_num_seqs;
    s->running = xmalloc(s->running_cap * sizeof *s->running);
    return s;
}

void sim_free(struct sim *s)
{
    if (!s)
        return;
    kv_cache_free(s->kv);
    pc_free(s->pc);
    evq_free(s->arrivals);
    for (size_t i = 0; i < s->n_reqs_cap; i++)
        pc_req_release(&s->reqs[i].pc);
    free(s->reqs);
    free(s->running);
    free(s->waiting);
    free(s);
}

static void reject(struct sim *s, int32_t slot, const char *why)
{
    struct req *r = &s->reqs[slot];
    uint64_t id = r->id;
    slot_release(s, slot);
    s->n_live--;
    s->stats.n_rejected++;
    if (s->hooks.on_reject)
        s->hooks.on_reject(s->hooks.ud, id, s->now, why);
}

void sim_submit(struct sim *s, const struct sim_request *q)
{
    CS_ASSERT(q->arrival_s >= s->now);
    int32_t slot = slot_alloc(s);
    struct req *r = &s->reqs[slot];
    struct pc_req keep = r->pc;   /* its arrays are reused */
    memset(r, 0, sizeof *r);
    r->pc = keep;
    r->id = q->id;
    r->arrival_s = q->arrival_s;
    r->n_prompt = q->n_prompt;
    r->n_output = q->n_output ? q->n_output : 1;
    r->state = REQ_PENDING;
    r->next_free = -1;
    s->n_submitted++;
    if (s->pc)
        pc_req_reset(&r->pc, q->segs, q->n_segs, r->n_prompt, q->out_content,
                     0x8000000000000000ULL | s->n_submitted);
    s->n_live++;
    evq_push(s->arrivals, q->arrival_s, EV_SENT, (uint64_t)slot);
}

/* An arriving request joins WAITING, or is rejected if it can never run. */
static void arrive(struct sim *s, int32_t slot)
{
    struct req *r = &s->reqs[slot];
    int64_t total = (int64_t)r->n_prompt + r->n_output;
    if (r->n_prompt == 0 || total > s->cfg.max_model_len) {
        reject(s, slot, "prompt + output exceeds max_model_len");
        return;
    }
    if (kv_cache_blocks_for(s->kv, total, s->cfg.max_num_batched_tokens) >
        kv_cache_n_blocks(s->kv)) {
        reject(s, slot, "needs more KV cache blocks than the pool has");
        return;
    }
    r->state = REQ_WAITING;
    sim_waiting_push_back(s, slot);
    if (s->n_waiting > s->stats.peak_waiting)
        s->stats.peak_waiting = (uint32_t)s->n_waiting;
}

/* ---------------------------------------------------------------- steps */

static void check_invariants(const struct sim *s)
{
    int64_t held = 0;
    for (size_t i = 0; i < s->n_running; i++) {
        const struct req *r = &s->reqs[s->running[i]];
        CS_ASSERT(r->state == REQ_RUNNING);
        CS_ASSERT(r->n_generated <= r->n_output);
        held += r->blocks;
    }
    for (size_t i = 0; i < s->n_waiting; i++) {
        const struct req *r = &s->reqs[s->waiting[(s->wait_head + i) % s->waiting_cap]];
        CS_ASSERT(r->state == REQ_WAITING);
        CS_ASSERT(r->blocks == 0 && r->n_computed == 0);
        CS_ASSERT(!s->pc || !pc_req_holds_blocks(&r->pc));
    }
    if (s->pc)
        pc_check(s->pc);
    else
        CS_ASSERT(held + kv_cache_n_free(s->kv) == kv_cache_n_blocks(s->kv));
    CS_ASSERT(s->n_running <= s->cfg.max_num_seqs);
    CS_ASSERT(s->n_live >= (int64_t)(s->n_running + s->n_waiting));
}

/* Start a step at s->now if there is work; true if one started. */
static bool start_step(struct sim *s)
{
    /* Which arrivals the scheduler saw: with async scheduling this step was
     * planned when the previous one started. */
    double eligible = s->now;
    if (s->cfg.async_scheduling && s->prev_step_valid)
        eligible = s->prev_step_start_s;
    struct step_shape shape;
    if (s->pc)
        pc_new_step(s->pc);
    uint32_t n = sched_step(s, eligible, &shape);
    if (n == 0)
        return false;
    int64_t sched_tokens = shape.n_tokens;
    CS_ASSERT(sched_tokens <= (int64_t)s->cfg.max_num_batched_tokens);
    double dt = cost_step_seconds(s->cfg.cost, &shape, NULL);
    CS_ASSERT(dt > 0 && isfinite(dt));
    s->step_in_flight = true;
    s->prev_step_start_s = s->now;
    s->prev_step_valid = true;
    s->step_start_s = s->now;
    s->step_end_s = s->now + dt;
    s->stats.n_steps++;
    s->stats.n_tokens_prefill += shape.n_prefill_tokens;
    s->stats.n_tokens_decode += shape.n_tokens - shape.n_prefill_tokens;
    if (s->n_running > s->stats.peak_running)
        s->stats.peak_running = (uint32_t)s->n_running;
    int64_t used = sim_kv_blocks_used(s);
    if (used > s->stats.peak_kv_blocks_used)
        s->stats.peak_kv_blocks_used = used;
    return true;
}

/* Tokens a sampling decode step yields: 1 plus the accepted drafts, whose
 * mean is spec_mean_accepted; a running accumulator gives that mean
 * exactly without drawing random numbers. */
static uint32_t tokens_yielded(struct sim *s, const struct req *r)
{
    if (!r->is_decode || s->cfg.num_speculative_tokens == 0)
        return 1;
    s->spec_accum += s->cfg.spec_mean_accepted;
    uint32_t acc = (uint32_t)floor(s->spec_accum);
    s->spec_accum -= acc;
    if (acc > s->cfg.num_speculative_tokens)
        acc = s->cfg.num_speculative_tokens;
    return 1 + acc;
}

static void end_step(struct sim *s)
{
    s->now = s->step_end_s;
    s->step_in_flight = false;
    s->stats.busy_s += s->step_end_s - s->step_start_s;
    size_t keep = 0;
    for (size_t i = 0; i < s->n_running; i++) {
        int32_t slot = s->running[i];
        struct req *r = &s->reqs[slot];
        if (r->n_scheduled == 0) {
            s->running[keep++] = slot;
            continue;
        }
        uint32_t sampled = 0;
        if (r->samples) {
            sampled = tokens_yielded(s, r);
            if (sampled > r->n_output - r->n_generated)
                sampled = r->n_output - r->n_generated;
            /* KV holds everything but the newest sampled token. */
            r->n_computed = req_num_tokens(r) + sampled - 1;
            r->n_generated += sampled;
        } else {
            r->n_computed += r->n_scheduled;
        }
        r->n_scheduled = 0;
        if (sampled && s->hooks.on_tokens)
            s->hooks.on_tokens(s->hooks.ud, r->id, s->now, sampled);
        if (r->n_generated >= r->n_output) {
            uint64_t id = r->id;
            sched_release(s, r, false);
            slot_release(s, slot);
            s->n_live--;
            s->stats.n_finished++;
            if (s->hooks.on_finish)
                s->hooks.on_finish(s->hooks.ud, id, s->now);
        } else {
            s->running[keep++] = slot;
        }
    }
    s->n_running = keep;
    if (s->cfg.check_invariants)
        check_invariants(s);
}

/* The API server prepares requests (chat template, tokenizer, input
 * processor) one at a time, in the order they were sent: requests sent
 * together reach the engine one front-end time apart. */
static void frontend(struct sim *s, int32_t slot, double sent_s)
{
    double fe = cost_frontend_s(s->cfg.cost);
    if (fe <= 0) {
        arrive(s, slot);
        return;
    }
    double at = (s->frontend_free_s > sent_s ? s->frontend_free_s : sent_s) + fe;
    s->frontend_free_s = at;
    s->reqs[slot].arrival_s = at;
    evq_push(s->arrivals, at, EV_ARRIVAL, (uint64_t)slot);
}

/* Handle every send and arrival at or before t: sent requests go through
 * the front end, arriving ones into WAITING. */
static void admit_arrivals(struct sim *s, double t)
{
    const struct evq_event *e;
    while ((e = evq_peek(s->arrivals)) && e->time_s <= t) {
        struct evq_event ev;
        evq_pop(s->arrivals, &ev);
        if (ev.kind == EV_SENT)
            frontend(s, (int32_t)ev.payload, ev.time_s);
        else
            arrive(s, (int32_t)ev.payload);
    }
}

void sim_run_until(struct sim *s, double t_stop)
{
    for (;;) {
        if (s->step_in_flight) {
            if (s->step_end_s > t_stop)
                break;
            admit_arrivals(s, s->step_end_s);
            end_step(s);
            if (!start_step(s) && s->cfg.async_scheduling)
                s->prev_step_valid = false; /* idle: the next step plans at once */
            continue;
        }
        admit_arrivals(s, s->now);
        if (start_step(s))
            continue;
        s->prev_step_valid = false;
        /* Idle. Work conservation: nothing is waiting that could run. */
        if (s->cfg.check_invariants)
            CS_ASSERT(s->n_running == 0);
        const struct evq_event *e = evq_peek(s->arrivals);
        if (!e || e->time_s > t_stop)
            break;
        s->now = e->time_s;
    }
    if (t_stop > s->now && isfinite(t_stop) && !s->step_in_flight)
        s->now = t_stop;
    s->stats.end_s = s->now > s->stats.end_s ? s->now : s->stats.end_s;
}

void sim_run(struct sim *s)
{
    sim_run_until(s, INFINITY);
}

/* ---------------------------------------------------------------- queries */

double sim_now(const struct sim *s)
{
    return s->now;
}

const struct sim_stats *sim_stats(const struct sim *s)
{
    return &s->stats;
}

uint32_t sim_n_running(const struct sim *s)
{
    return (uint32_t)s->n_running;
}

uint32_t sim_n_waiting(const struct sim *s)
{
    return (uint32_t)s->n_waiting;
}

int64_t sim_kv_blocks_used(const struct sim *s)
{
    /* vLLM's usage: cached blocks nobody holds count as free */
    return kv_cache_n_blocks(s->kv) - (s->pc ? pc_n_free(s->pc) : kv_cache_n_free(s->kv));
}
