/*
 * sim_fixture.h - a tiny engine for tests: a model whose steps cost a
 * constant 10 ms whatever they hold (only the step overhead is non-zero),
 * and hooks that record every token chunk, finish and rejection.
 */
#ifndef CAPSIM_TESTS_SIM_FIXTURE_H
#define CAPSIM_TESTS_SIM_FIXTURE_H

#include "profile/profile.h"
#include "sim/sim.h"

#define FIX_MAX_EVENTS 100000

struct fix_event {
    char what;        /* 't' tokens, 'f' finish, 'r' reject */
    uint64_t id;
    double t;
    uint32_t n;
};

struct fixture {
    struct model_work work;
    struct profile prof;
    struct cost_model *cost;
    struct sim_config cfg;
    struct fix_event ev[FIX_MAX_EVENTS];
    size_t n_ev;
};

static void fix_on_tokens(void *ud, uint64_t id, double t, uint32_t n)
{
    struct fixture *f = ud;
    if (f->n_ev < FIX_MAX_EVENTS)
        f->ev[f->n_ev++] = (struct fix_event){ 't', id, t, n };
}

static void fix_on_finish(void *ud, uint64_t id, double t)
{
    struct fixture *f = ud;
    if (f->n_ev < FIX_MAX_EVENTS)
        f->ev[f->n_ev++] = (struct fix_event){ 'f', id, t, 0 };
}

static void fix_on_reject(void *ud, uint64_t id, double t, const char *why)
{
    (void)why;
    struct fixture *f = ud;
    if (f->n_ev < FIX_MAX_EVENTS)
        f->ev[f->n_ev++] = (struct fix_event){ 'r', id, t, 0 };
}

/* Constant 10 ms per step, synchronous scheduling, 16-token blocks. */
static inline void fix_init(struct fixture *f, uint32_t budget, uint32_t max_seqs,
                            int64_t n_blocks)
{
    memset(f, 0, sizeof *f);
    for (int k = 0; k < PROF_COUNT; k++)
        f->prof.v[k] = 1.0; /* efficiencies 1; bandwidth etc. irrelevant: no bytes */
    f->prof.v[PROF_BLOCK_OVERHEAD_S] = 0.010;
    f->work.n_residual_blocks = 1; /* so that every step costs block_overhead_s */
    f->prof.v[PROF_SEQ_OVERHEAD_S] = 0;
    f->prof.v[PROF_TOKEN_OVERHEAD_S] = 0;
    f->prof.v[PROF_CPU_STEP_S] = 0;
    f->prof.v[PROF_CLIENT_LATENCY_S] = 0;
    f->prof.v[PROF_FRONTEND_REQUEST_S] = 0;
    f->cost = cost_new(&f->work, &f->prof, false);
    f->cfg.max_num_batched_tokens = budget;
    f->cfg.max_num_seqs = max_seqs;
    f->cfg.max_model_len = 1 << 20;
    f->cfg.kv = (struct kv_layout){ .block_size = 16, .n_blocks = n_blocks, .n_full_groups = 1 };
    f->cfg.work = &f->work;
    f->cfg.cost = f->cost;
    f->cfg.check_invariants = true;
}

static inline struct sim *fix_sim(struct fixture *f)
{
    struct sim_hooks h = { .ud = f, .on_tokens = fix_on_tokens, .on_finish = fix_on_finish, .on_reject = fix_on_reject };
    return sim_new(&f->cfg, &h);
}

static inline void fix_submit(struct sim *s, uint64_t id, double t, uint32_t prompt,
                              uint32_t out)
{
    struct sim_request r = { .id = id, .arrival_s = t, .n_prompt = prompt, .n_output = out };
    sim_submit(s, &r);
}

/* Time of request id's first token (-1 if none). */
static inline double fix_first_token(const struct fixture *f, uint64_t id)
{
    for (size_t i = 0; i < f->n_ev; i++)
        if (f->ev[i].what == 't' && f->ev[i].id == id)
            return f->ev[i].t;
    return -1;
}

static inline double fix_finish(const struct fixture *f, uint64_t id)
{
    for (size_t i = 0; i < f->n_ev; i++)
        if (f->ev[i].what == 'f' && f->ev[i].id == id)
            return f->ev[i].t;
    return -1;
}

#endif /* CAPSIM_TESTS_SIM_FIXTURE_H */
