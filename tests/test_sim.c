/*
 * test_sim.c - the engine against hand-worked schedules. Every step costs
 * 10 ms (tests/sim_fixture.h), so a token's time tells which step made it.
 * Pinned: chunked prefill at the token budget, decodes before prefill
 * chunks, FCFS admission with head-of-line blocking, max_num_seqs,
 * preemption of the most recently admitted request by recompute, the
 * async one-step lag, rejection, invariants on a random mix (checked after
 * every step by check_invariants), and determinism.
 */
#include "cs_test.h"

#include "sim/sim.h"
#include "sim_fixture.h"

static struct fixture fx;

static void test_long_prompt_is_chunked_at_the_budget(void **state)
{
    (void)state;
    /* 25,000 tokens with budget 8192: 8192, 8192, 8192, 424 -> the first
     * token comes at the end of the 4th step. */
    fix_init(&fx, 8192, 256, 100000);
    struct sim *s = fix_sim(&fx);
    fix_submit(s, 1, 0.0, 25000, 3);
    sim_run(s);
    assert_close(fix_first_token(&fx, 1), 0.040, 0, 1e-12);
    /* then two decode steps */
    assert_close(fix_finish(&fx, 1), 0.060, 0, 1e-12);
    assert_int_equal(sim_stats(s)->n_steps, 6);
    assert_int_equal(sim_stats(s)->n_tokens_prefill, 25000);
    sim_free(s);
    cost_free(fx.cost);
}

static void test_decode_goes_before_a_new_prefill(void **state)
{
    (void)state;
    /* A decodes from step 2; B (1000 tokens) arrives at 5 ms and is admitted
     * in step 2 with what is left of the budget after A's decode token:
     * budget 100 -> B takes 99 tokens per step. */
    fix_init(&fx, 100, 256, 100000);
    struct sim *s = fix_sim(&fx);
    fix_submit(s, 1, 0.0, 50, 10);
    fix_submit(s, 2, 0.005, 1000, 1);
    sim_run(s);
    /* A: first token after step 1 (10 ms), then one per step. */
    assert_close(fix_first_token(&fx, 1), 0.010, 0, 1e-12);
    assert_close(fix_finish(&fx, 1), 0.100, 0, 1e-12);
    /* B: steps 2..10 while A decodes give 99 each (891), then steps 11, 12
     * give 100 and 9 -> first token at the end of step 12. */
    assert_close(fix_first_token(&fx, 2), 0.120, 0, 1e-12);
    sim_free(s);
    cost_free(fx.cost);
}

static void test_admission_stops_at_the_first_request_that_does_not_fit(void **state)
{
    (void)state;
    /* 10 blocks of 16 tokens. A holds 100 tokens (7 blocks); B needs 80
     * tokens (5 blocks) and cannot fit; C (10 tokens, 1 block) would fit but
     * waits behind B: FCFS, no skipping. */
    fix_init(&fx, 1000, 256, 10);
    struct sim *s = fix_sim(&fx);
    fix_submit(s, 1, 0.0, 100, 2);
    fix_submit(s, 2, 0.0, 80, 1);
    fix_submit(s, 3, 0.0, 10, 1);
    sim_run(s);
    /* A: prefill step 1 (first token 10 ms), decode step 2 -> finishes 20 ms.
     * B and C are admitted in step 3 -> first tokens at 30 ms. */
    assert_close(fix_finish(&fx, 1), 0.020, 0, 1e-12);
    assert_close(fix_first_token(&fx, 2), 0.030, 0, 1e-12);
    assert_close(fix_first_token(&fx, 3), 0.030, 0, 1e-12);
    sim_free(s);
    cost_free(fx.cost);
}

static void test_max_num_seqs_caps_the_batch(void **state)
{
    (void)state;
    fix_init(&fx, 1000, 2, 1000);
    struct sim *s = fix_sim(&fx);
    for (uint64_t i = 1; i <= 3; i++)
        fix_submit(s, i, 0.0, 10, 3);
    sim_run(s);
    assert_close(fix_finish(&fx, 1), 0.030, 0, 1e-12);
    assert_close(fix_finish(&fx, 2), 0.030, 0, 1e-12);
    /* the third starts after the first two leave */
    assert_close(fix_first_token(&fx, 3), 0.040, 0, 1e-12);
    assert_int_equal(sim_stats(s)->peak_running, 2);
    sim_free(s);
    cost_free(fx.cost);
}

static void test_preemption_takes_the_most_recently_admitted(void **state)
{
    (void)state;
    /* 4 blocks of 16 tokens. A and B each have a 16-token prompt (1 block)
     * and 40 outputs. When they cross 32 tokens both need more blocks than
     * remain; B, admitted last, is preempted and recomputed after A. */
    fix_init(&fx, 1000, 256, 4);
    struct sim *s = fix_sim(&fx);
    fix_submit(s, 1, 0.0, 16, 40);
    fix_submit(s, 2, 0.0, 16, 40);
    sim_run(s);
    assert_true(sim_stats(s)->n_preemptions >= 1);
    assert_true(fix_finish(&fx, 1) < fix_finish(&fx, 2));
    /* A never waits: 1 prefill step + 39 decode steps. */
    assert_close(fix_finish(&fx, 1), 0.400, 0, 1e-12);
    assert_int_equal(sim_stats(s)->n_finished, 2);
    sim_free(s);
    cost_free(fx.cost);
}

static void test_async_scheduling_delays_admission_one_step(void **state)
{
    (void)state;
    /* A decodes; B arrives at 5 ms, during step 1. Synchronously B joins
     * step 2 (first token 20 ms); with async, step 2 was planned at 0 ms so
     * B joins step 3 (first token 30 ms). */
    for (int async = 0; async <= 1; async++) {
        fix_init(&fx, 1000, 256, 1000);
        fx.cfg.async_scheduling = async;
        struct sim *s = fix_sim(&fx);
        fix_submit(s, 1, 0.0, 10, 10);
        fix_submit(s, 2, 0.005, 10, 1);
        sim_run(s);
        assert_close(fix_first_token(&fx, 2), async ? 0.030 : 0.020, 0, 1e-12);
        sim_free(s);
        cost_free(fx.cost);
    }
}

/* The API server prepares requests one at a time, in the order they are
 * sent (not the order a client submits future sends): four sent together
 * reach the engine 30 ms apart, and a later one waits for the front end to
 * be free. Steps cost 10 ms, synchronous scheduling. */
static void test_front_end_prepares_one_request_at_a_time(void **state)
{
    (void)state;
    fix_init(&fx, 1000, 256, 1000);
    fx.prof.v[PROF_FRONTEND_REQUEST_S] = 0.030;
    cost_free(fx.cost);
    fx.cost = cost_new(&fx.work, &fx.prof, false);
    fx.cfg.cost = fx.cost;
    struct sim *s = fix_sim(&fx);
    fix_submit(s, 6, 5.0, 10, 1); /* a think-time send, submitted first */
    for (uint64_t id = 1; id <= 4; id++)
        fix_submit(s, id, 0.0, 10, 1);
    fix_submit(s, 5, 0.100, 10, 1);
    sim_run(s);
    assert_close(fix_first_token(&fx, 6), 5.040, 0, 1e-12);
    for (uint64_t id = 1; id <= 4; id++)
        assert_close(fix_first_token(&fx, id), 0.030 * (double)id + 0.010, 0, 1e-12);
    /* front end free at 0.120: engine sees it at 0.150, one step later */
    assert_close(fix_first_token(&fx, 5), 0.160, 0, 1e-12);
    sim_free(s);
    cost_free(fx.cost);
}

static void test_impossible_requests_are_rejected(void **state)
{
    (void)state;
    fix_init(&fx, 1000, 256, 4);
    fx.cfg.max_model_len = 100;
    struct sim *s = fix_sim(&fx);
    fix_submit(s, 1, 0.0, 90, 20);  /* 110 > max_model_len */
    fix_submit(s, 2, 0.0, 60, 10);  /* 70 tokens need 5 blocks of 4 */
    fix_submit(s, 3, 0.0, 10, 1);
    sim_run(s);
    assert_int_equal(sim_stats(s)->n_rejected, 2);
    assert_int_equal(sim_stats(s)->n_finished, 1);
    sim_free(s);
    cost_free(fx.cost);
}

/* A random mix under memory pressure; check_invariants runs after each
 * step. Every request finishes exactly once; the log is reproducible. */
static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

static size_t run_mix(uint64_t seed, struct fix_event *copy)
{
    fix_init(&fx, 512, 32, 300);
    fx.cfg.async_scheduling = true;
    fx.cfg.num_speculative_tokens = 3;
    fx.cfg.spec_mean_accepted = 1.7;
    struct sim *s = fix_sim(&fx);
    double t = 0;
    for (uint64_t i = 0; i < 500; i++) {
        t += (double)(lcg(&seed) % 1000) / 20000.0;
        fix_submit(s, i, t, 1 + (uint32_t)(lcg(&seed) % 1500), 1 + (uint32_t)(lcg(&seed) % 300));
    }
    sim_run(s);
    assert_int_equal(sim_stats(s)->n_finished + sim_stats(s)->n_rejected, 500);
    int finished[500] = { 0 };
    double last_t = 0;
    for (size_t i = 0; i < fx.n_ev; i++) {
        assert_true(fx.ev[i].t >= last_t);
        last_t = fx.ev[i].t;
        if (fx.ev[i].what == 'f' || fx.ev[i].what == 'r')
            finished[fx.ev[i].id]++;
    }
    for (int i = 0; i < 500; i++)
        assert_int_equal(finished[i], 1);
    size_t n = fx.n_ev;
    memcpy(copy, fx.ev, n * sizeof *copy);
    sim_free(s);
    cost_free(fx.cost);
    return n;
}

static struct fix_event run_a[FIX_MAX_EVENTS], run_b[FIX_MAX_EVENTS];

static void test_random_mix_keeps_invariants_and_is_deterministic(void **state)
{
    (void)state;
    size_t na = run_mix(42, run_a);
    size_t nb = run_mix(42, run_b);
    assert_int_equal(na, nb);
    assert_memory_equal(run_a, run_b, na * sizeof *run_a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_prompt_is_chunked_at_the_budget),
        cmocka_unit_test(test_decode_goes_before_a_new_prefill),
        cmocka_unit_test(test_admission_stops_at_the_first_request_that_does_not_fit),
        cmocka_unit_test(test_max_num_seqs_caps_the_batch),
        cmocka_unit_test(test_preemption_takes_the_most_recently_admitted),
        cmocka_unit_test(test_async_scheduling_delays_admission_one_step),
        cmocka_unit_test(test_front_end_prepares_one_request_at_a_time),
        cmocka_unit_test(test_impossible_requests_are_rejected),
        cmocka_unit_test(test_random_mix_keeps_invariants_and_is_deterministic),
    };
    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
