/*
 * sched.c - one engine step, following vLLM v1's Scheduler.schedule()
 * (vllm/v1/core/sched/scheduler.py; rules quoted in
 * shared/research/serving-semantics.md 1.1):
 *
 *  1. RUNNING requests first, in admission order, each taking what it still
 *     has to compute (1 token when decoding, 1 + k with k speculative
 *     tokens, the rest of its prompt when in chunked prefill), capped by the
 *     token budget (--max-num-batched-tokens).
 *  2. When a running request's KV blocks cannot be allocated, the most
 *     recently admitted running request is preempted by recompute: its
 *     blocks are freed, its computed tokens reset to 0, and it goes back to
 *     the FRONT of WAITING. If it was the request being scheduled, phase 1
 *     stops.
 *  3. Only if nothing was preempted in this step, WAITING requests are
 *     admitted first-come first-served while budget and --max-num-seqs
 *     allow; a prefill takes whatever budget is left (even one token), and
 *     admission stops at the first request whose blocks do not fit
 *     (head-of-line blocking, no skipping).
 *
 * With prefix caching on (sim/prefix_cache.h), a waiting request is
 * first looked up in the cache (kv_cache_manager.get_computed_blocks): its
 * hit counts as computed, only the rest is scheduled; with Mamba state
 * groups, prefill chunks are cut at block multiples (align mode).
 *
 * Left out: priorities, long_prefill_token_threshold (0 by default),
 * structured output, LoRA.
 */
#include "sim/sim_impl.h"

bool sched_alloc(struct sim *s, struct req *r, int64_t hit, int64_t n)
{
    if (!s->pc)
        return kv_cache_alloc_blocks(s->kv, &r->blocks, r->n_computed + n, n);
    return pc_allocate(s->pc, &r->pc, r->n_computed, hit, n, req_num_tokens(r));
}

void sched_release(struct sim *s, struct req *r, bool preempted)
{
    if (s->pc)
        pc_release(s->pc, &r->pc, preempted);
    else
        kv_cache_release(s->kv, &r->blocks);
}

/* Remove running[idx] (the last element, for preemption). */
static void preempt_last(struct sim *s)
{
    int32_t victim = s->running[--s->n_running];
    struct req *r = &s->reqs[victim];
    sched_release(s, r, true);
    r->n_computed = 0;
    r->n_scheduled = 0;
    r->n_preempted++;
    r->state = REQ_WAITING;
    sim_waiting_push_front(s, victim);
    s->stats.n_preemptions++;
}

static void add_to_shape(const struct sim *s, struct req *r, uint32_t n, struct step_shape *sh)
{
    int64_t known = req_num_tokens(r);
    r->n_scheduled = n;
    /* The step ends this request's known tokens: it samples at its end. */
    r->samples = r->n_computed + n >= known;
    /* Decoding: past its prompt with outputs already (not a recompute). */
    r->is_decode = r->n_generated > 0 && r->n_computed + 1 >= known;
    uint32_t logits = 0;
    if (r->samples)
        logits = r->is_decode ? 1 + s->cfg.num_speculative_tokens : 1;
    work_shape_add(sh, s->cfg.work, r->n_computed, n, r->is_decode, logits);
}

uint32_t sched_step(struct sim *s, double eligible_before, struct step_shape *sh)
{
    int64_t budget = s->cfg.max_num_batched_tokens;
    bool preempted = false;
    uint32_t n_sched = 0;
    *sh = (struct step_shape){ 0 };

    /* Phase 1: running requests. */
    for (size_t i = 0; i < s->n_running && budget > 0; i++) {
        struct req *r = &s->reqs[s->running[i]];
        int64_t n = req_num_tokens(r) - r->n_computed;
        if (r->n_generated > 0 && n == 1)
            n += s->cfg.num_speculative_tokens; /* draft tokens to verify */
        if (n > budget)
            n = budget;
        if (s->pc && s->cfg.kv.n_state_groups)
            n = pc_align_split(s->pc, r->n_computed, n, r->n_prompt, req_num_tokens(r));
        if (n <= 0)
            continue;
        bool scheduled = false;
        for (;;) {
            if (sched_alloc(s, r, 0, n)) {
                scheduled = true;
                break;
            }
            preempted = true;
            bool self = (size_t)(s->n_running - 1) == i;
            preempt_last(s);
            if (self)
                break;
        }
        if (!scheduled)
            break;
        add_to_shape(s, r, (uint32_t)n, sh);
        budget -= n;
        n_sched++;
    }

    /* Phase 2: admission, only in a step without preemption. */
    while (!preempted && budget > 0 && s->n_waiting > 0 &&
           s->n_running < s->cfg.max_num_seqs) {
        int32_t slot = sim_waiting_peek(s);
        struct req *r = &s->reqs[slot];
        /* A preempted request is always eligible; a new one only if it had
         * arrived when this step was scheduled. */
        if (r->n_preempted == 0 && r->arrival_s > eligible_before)
            break;
        int64_t hit = 0, known = req_num_tokens(r);
        if (s->pc) {
            /* kv_cache_manager.py get_computed_blocks, and its stats: every
             * lookup counts, even one whose allocation then fails */
            hit = pc_lookup(s->pc, &r->pc, known);
            bool pre = r->n_preempted > 0;
            *(pre ? &s->stats.prefix_cache_preempted_queries : &s->stats.prefix_cache_queries) += known;
            *(pre ? &s->stats.prefix_cache_preempted_hits : &s->stats.prefix_cache_hits) += hit;
            if (s->hooks.on_cache_lookup)
                s->hooks.on_cache_lookup(s->hooks.ud, r->id, (uint32_t)known, (uint32_t)hit, pre);
        }
        int64_t n = known - hit;
        if (n > budget)
            n = budget;
        if (s->pc) {
            n = pc_align_split(s->pc, hit, n, r->n_prompt, known);
            if (n <= 0)
                break;
        }
        if (!sched_alloc(s, r, hit, n))
            break;
        r->n_computed = hit;
        sim_waiting_pop_front(s);
        r->state = REQ_RUNNING;
        if (s->n_running == s->running_cap) {
            /* capacity is max_num_seqs, allocated in sim_new */
            CS_ASSERT(0);
        }
        s->running[s->n_running++] = slot;
        add_to_shape(s, r, (uint32_t)n, sh);
        budget -= n;
        n_sched++;
    }
    return n_sched;
}
