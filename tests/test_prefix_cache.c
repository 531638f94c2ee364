/* The prefix cache against hand-worked block sequences (block size 4
 * unless said): hits, the recomputed last token, sharing, LRU eviction,
 * preemption, a sliding-window group and a hybrid state group. */
#include "cs_test.h"

#include "sim/prefix_cache.h"
#include "sim_fixture.h"

static struct prefix_cache *mk(int64_t n_blocks, uint32_t full, uint32_t swa, uint32_t state,
                               uint32_t window)
{
    struct pc_config c = { .block_size = 4, .n_blocks = n_blocks, .weight = { full, swa, state },
                           .swa_window = window };
    return pc_new(&c);
}

/* A request whose prompt is `len` tokens of `content` (then unique). */
static void req(struct pc_req *q, uint64_t content, uint32_t len, uint32_t n_prompt, uint64_t id)
{
    struct pc_segment sg = { content, len };
    memset(q, 0, sizeof *q);
    pc_req_reset(q, &sg, 1, n_prompt, 0, id);
}

/* Admit a request as the scheduler does: look up, then allocate the rest. */
static int64_t admit(struct prefix_cache *pc, struct pc_req *q, int64_t n_tokens)
{
    int64_t hit = pc_lookup(pc, q, n_tokens);
    assert_true(pc_allocate(pc, q, 0, hit, n_tokens - hit, n_tokens));
    pc_check(pc);
    return hit;
}

static void test_hits_and_the_recomputed_last_token(void **state)
{
    (void)state;
    struct prefix_cache *pc = mk(64, 1, 0, 0, 0);
    struct pc_req a, b, c, d, e, f;
    /* A: 10 tokens of content 7 -> blocks 0, 1 full and hashed, block 2 partial */
    req(&a, 7, 10, 10, 1);
    assert_int_equal(admit(pc, &a, 10), 0);
    assert_int_equal(pc_n_cached(pc), 2);
    assert_int_equal(pc_n_free(pc), 64 - 3);
    /* B, the same 10 tokens: at most 9 may hit -> 2 blocks, 8 tokens; it
     * shares them and takes one block of its own */
    req(&b, 7, 10, 10, 2);
    assert_int_equal(admit(pc, &b, 10), 8);
    assert_int_equal(pc_n_free(pc), 64 - 4);
    /* C, exactly 8 of them: the last token is recomputed, and with it its
     * whole block (hits are whole blocks) -> 4 */
    req(&c, 7, 8, 8, 3);
    assert_int_equal(admit(pc, &c, 8), 4);
    /* D, 9 of them: both blocks hit, one token computed */
    req(&d, 7, 9, 9, 4);
    assert_int_equal(admit(pc, &d, 9), 8);
    /* E: other content, no hit; F: content 7 for 6 tokens then its own:
     * block 1 mixes the two, so only block 0 hits */
    req(&e, 8, 10, 10, 5);
    assert_int_equal(admit(pc, &e, 10), 0);
    req(&f, 7, 6, 10, 6);
    assert_int_equal(admit(pc, &f, 10), 4);
    struct pc_req *all[] = { &a, &b, &c, &d, &e, &f };
    for (size_t i = 0; i < 6; i++) {
        pc_release(pc, all[i], false);
        pc_check(pc);
        pc_req_release(all[i]);
    }
    assert_int_equal(pc_n_free(pc), 64);
    pc_free(pc);
}

static void test_shared_blocks_are_reference_counted(void **state)
{
    (void)state;
    struct prefix_cache *pc = mk(16, 1, 0, 0, 0);
    struct pc_req a, b;
    req(&a, 3, 8, 9, 1);
    req(&b, 3, 8, 9, 2);
    assert_int_equal(admit(pc, &a, 9), 0);   /* 3 blocks */
    assert_int_equal(admit(pc, &b, 9), 8);   /* shares 2, owns 1 */
    assert_int_equal(pc_n_free(pc), 16 - 4);
    pc_release(pc, &a, false);                      /* the shared two stay held by B */
    assert_int_equal(pc_n_free(pc), 16 - 3);
    pc_release(pc, &b, false);
    assert_int_equal(pc_n_free(pc), 16);
    assert_int_equal(pc_n_cached(pc), 2);    /* free, still cached */
    pc_check(pc);
    pc_req_release(&a);
    pc_req_release(&b);
    pc_free(pc);
}

static void test_free_cached_blocks_are_evicted_lru_tail_first(void **state)
{
    (void)state;
    struct prefix_cache *pc = mk(6, 1, 0, 0, 0);
    struct pc_req a, b, c, a2, b2;
    /* A and B: 8 tokens each (2 full blocks), then both finish. Free queue,
     * head first: a1 a0 b1 b0 (each request frees its tail first); 2
     * blocks were never used. */
    req(&a, 1, 8, 8, 1);
    req(&b, 2, 8, 8, 2);
    admit(pc, &a, 8);
    admit(pc, &b, 8);
    pc_release(pc, &a, false);
    pc_release(pc, &b, false);
    assert_int_equal(pc_n_free(pc), 6);
    assert_int_equal(pc_n_cached(pc), 4);
    /* C needs 3 blocks: the 2 unused, then the queue's head, a1 */
    req(&c, 9, 12, 12, 3);
    assert_int_equal(admit(pc, &c, 12), 0);
    assert_int_equal(pc_n_cached(pc), 3 + 3);
    /* A again (9 tokens): block 0 hits, block 1 is gone; B hits both */
    req(&a2, 1, 8, 9, 4);
    assert_int_equal(pc_lookup(pc, &a2, 9), 4);
    req(&b2, 2, 8, 9, 5);
    assert_int_equal(pc_lookup(pc, &b2, 9), 8);
    /* B's allocation takes its 2 hit blocks out of the queue (they count as
     * needed: free 3 = a0 b1 b0) plus 1 new: a0, the head, is evicted */
    assert_true(pc_allocate(pc, &b2, 0, 8, 1, 9));
    assert_int_equal(pc_n_free(pc), 0);
    assert_int_equal(pc_lookup(pc, &a2, 9), 0);
    /* nothing left: A cannot even get one block */
    assert_false(pc_allocate(pc, &a2, 0, 0, 9, 9));
    pc_check(pc);
    struct pc_req *all[] = { &a, &b, &c, &a2, &b2 };
    for (size_t i = 0; i < 5; i++) {
        pc_release(pc, all[i], false);
        pc_req_release(all[i]);
    }
    pc_check(pc);
    pc_free(pc);
}

static void test_a_preempted_request_hits_what_survived_of_its_own_blocks(void **state)
{
    (void)state;
    struct prefix_cache *pc = mk(5, 1, 0, 0, 0);
    struct pc_req a, x;
    /* A: prompt 12 (3 blocks, all hashed), then decodes 2 tokens: 14 tokens */
    req(&a, 5, 12, 12, 1);
    admit(pc, &a, 12);
    assert_true(pc_allocate(pc, &a, 12, 0, 1, 13)); /* a 4th block for token 12 */
    assert_true(pc_allocate(pc, &a, 13, 0, 1, 14));
    assert_int_equal(pc_n_free(pc), 1);
    /* preempted: its 4 blocks go to the queue tail first: a3 a2 a1 a0 */
    pc_release(pc, &a, true);
    assert_int_equal(pc_lookup(pc, &a, 14), 12);    /* resumes after 12 */
    /* X takes 3 blocks: the unused one, a3 (unhashed), a2 */
    req(&x, 6, 12, 12, 2);
    admit(pc, &x, 12);
    assert_int_equal(pc_lookup(pc, &a, 14), 8);     /* its prefix outlived its tail */
    pc_release(pc, &x, false);
    pc_req_release(&x);
    pc_req_release(&a);
    pc_check(pc);
    pc_free(pc);
}

static void test_sliding_window_needs_only_the_window(void **state)
{
    (void)state;
    /* window 8, block 4: a hit needs cdiv(7, 4) = 2 cached blocks before it */
    struct prefix_cache *pc = mk(8, 0, 1, 0, 8);
    struct pc_req a, b, x;
    req(&a, 4, 20, 20, 1);
    admit(pc, &a, 20);                               /* blocks 0-4, all hashed */
    assert_int_equal(pc_n_free(pc), 3);
    /* one decode step: blocks 0-2 slide out (tokens < 20 - 8 + 1 = 13) and
     * are freed, cached, in the order 2 1 0; one new block for token 20 */
    assert_true(pc_allocate(pc, &a, 20, 0, 1, 21));
    assert_int_equal(pc_n_free(pc), 8 - 3);
    req(&b, 4, 20, 20, 2);
    /* B (max 19 tokens, 4 blocks): right to left, blocks 3 and 2 -> 16 */
    assert_int_equal(pc_lookup(pc, &b, 20), 16);
    /* X takes 3 blocks: the 2 unused, then the head of the queue, block 2 */
    req(&x, 9, 12, 12, 3);
    admit(pc, &x, 12);
    /* now 3 (held by A) and 1, 0 are cached, 2 is not: the run of two ends
     * at block 1 -> 8 */
    assert_int_equal(pc_lookup(pc, &b, 20), 8);
    pc_release(pc, &x, false);
    pc_release(pc, &a, false);
    pc_check(pc);
    pc_req_release(&a);
    pc_req_release(&b);
    pc_req_release(&x);
    pc_free(pc);
}

static void test_hybrid_state_hits_stop_at_the_last_stored_state(void **state)
{
    (void)state;
    struct prefix_cache *pc = mk(32, 1, 0, 1, 0);
    struct pc_req a, b, e;
    /* A, prompt 14: the first chunk is cut to the last block boundary, 12,
     * where its state is stored; then 2 more tokens */
    req(&a, 9, 14, 14, 1);
    assert_int_equal(pc_lookup(pc, &a, 14), 0);
    int64_t n = pc_align_split(pc, 0, 14, 14, 14);
    assert_int_equal(n, 12);
    assert_true(pc_allocate(pc, &a, 0, 0, n, 14));
    assert_int_equal(pc_n_free(pc), 32 - 3 - 1);    /* 3 attention blocks, 1 state */
    assert_int_equal(pc_align_split(pc, 12, 2, 14, 14), 2);
    pc_new_step(pc);
    assert_true(pc_allocate(pc, &a, 12, 0, 2, 14));
    /* the state moved to block 3; block 2 (state at 12) is held until the
     * next allocation frees it */
    assert_int_equal(pc_n_free(pc), 32 - 4 - 2);
    pc_check(pc);
    /* B, the same prompt: attention hits 3 blocks, the state at 12 too */
    req(&b, 9, 14, 14, 2);
    assert_int_equal(pc_lookup(pc, &b, 14), 12);
    /* E shares only 10 tokens: attention would hit 2 blocks (8), but no
     * state was stored at 4 or 8 (the chunk went straight to 12): no hit */
    req(&e, 9, 10, 14, 3);
    assert_int_equal(pc_lookup(pc, &e, 14), 0);
    pc_release(pc, &a, false);
    pc_check(pc);
    pc_req_release(&a);
    pc_req_release(&b);
    pc_req_release(&e);
    pc_free(pc);
}

static void test_a_state_cached_in_this_step_waits_for_the_next(void **state)
{
    (void)state;
    struct prefix_cache *pc = mk(32, 1, 0, 1, 0);
    struct pc_req a, b;
    req(&a, 9, 8, 9, 1);
    assert_true(pc_allocate(pc, &a, 0, 0, pc_align_split(pc, 0, 9, 9, 9), 9)); /* 8: state at 8 */
    req(&b, 9, 8, 9, 2);
    int64_t hit = pc_lookup(pc, &b, 9);
    assert_int_equal(hit, 8);
    assert_false(pc_allocate(pc, &b, 0, hit, 1, 9)); /* same step */
    pc_new_step(pc);
    hit = pc_lookup(pc, &b, 9);
    assert_true(pc_allocate(pc, &b, 0, hit, 1, 9));
    pc_release(pc, &a, false);
    pc_release(pc, &b, false);
    pc_check(pc);
    pc_req_release(&a);
    pc_req_release(&b);
    pc_free(pc);
}

/* The engine with the cache: requests sharing a 64-token prefix skip it,
 * and the hits are counted as vLLM counts them. */
static struct fixture fx;

static void test_engine_skips_a_shared_prefix(void **state)
{
    (void)state;
    int64_t prefill[2], hits[2], queries[2];
    for (int on = 0; on < 2; on++) {
        fix_init(&fx, 32, 8, 1000);
        fx.cfg.enable_prefix_caching = on;
        struct sim *s = fix_sim(&fx);
        struct pc_segment sys = { 42, 64 };
        for (uint64_t i = 0; i < 4; i++) {
            struct sim_request r = { .id = i, .arrival_s = 1.0 * (double)i, .n_prompt = 80,
                                     .n_output = 4, .segs = &sys, .n_segs = 1 };
            sim_submit(s, &r);
        }
        sim_run(s);
        const struct sim_stats *st = sim_stats(s);
        assert_int_equal(st->n_finished, 4);
        prefill[on] = st->n_tokens_prefill;
        hits[on] = st->prefix_cache_hits;
        queries[on] = st->prefix_cache_queries;
        sim_free(s);
        cost_free(fx.cost);
    }
    assert_int_equal(prefill[0], 4 * 80);
    assert_int_equal(hits[0], 0);
    assert_int_equal(queries[0], 0);
    /* requests 1-3 hit the 4 blocks of the prefix: 3 x 16 tokens fewer */
    assert_int_equal(hits[1], 3 * 64);
    assert_int_equal(queries[1], 4 * 80);
    assert_int_equal(prefill[1], 4 * 80 - 3 * 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hits_and_the_recomputed_last_token),
        cmocka_unit_test(test_shared_blocks_are_reference_counted),
        cmocka_unit_test(test_free_cached_blocks_are_evicted_lru_tail_first),
        cmocka_unit_test(test_a_preempted_request_hits_what_survived_of_its_own_blocks),
        cmocka_unit_test(test_sliding_window_needs_only_the_window),
        cmocka_unit_test(test_hybrid_state_hits_stop_at_the_last_stored_state),
        cmocka_unit_test(test_a_state_cached_in_this_step_waits_for_the_next),
        cmocka_unit_test(test_engine_skips_a_shared_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
