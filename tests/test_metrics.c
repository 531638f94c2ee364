/*
 * test_metrics.c - vllm bench serve's metric definitions on hand-built
 * timelines (client/metrics.h): TPOT leaves the first token out, ITL pools
 * every gap including the ~0 role-chunk gap, numpy percentiles, the
 * bucketed peaks, and a bucketed concurrency above the client's cap.
 */
#include "cs_test.h"

#include "client/metrics.h"

static void test_numpy_percentiles(void **state)
{
    (void)state;
    struct sample s = { 0 };
    for (int i = 10; i >= 1; i--) /* 1..10, pushed unsorted */
        sample_push(&s, i);
    const double p[] = { 50, 90, 99, 99.9 };
    struct metric_summary m;
    metric_summarize(&s, p, 4, &m);
    /* np.percentile(range(1, 11), q): index q/100 * 9, linear */
    assert_close(m.median, 5.5, 0, 1e-12);
    assert_close(m.pct[0], 5.5, 0, 1e-12);
    assert_close(m.pct[1], 9.1, 0, 1e-12);
    assert_close(m.pct[2], 9.91, 0, 1e-12);
    assert_close(m.pct[3], 9.991, 0, 1e-12);
    assert_close(m.std, sqrt(8.25), 0, 1e-12); /* np.std: (n^2 - 1) / 12 */
    sample_release(&s);
}

/* Two requests:
 *  A sent 0.0, chunks at 1.0 (role + first token), 1.1, 1.2, 1.3, 1.4:
 *    5 tokens; TTFT 1000 ms, TPOT (1.4-1.0)/4 = 100 ms, E2EL 1400 ms;
 *    gaps 0 (role -> token 1), 100, 100, 100, 100 ms.
 *  B sent 0.5, one token at 2.5: TTFT = E2EL = 2000 ms, no TPOT, gap 0.
 *  C sent 0.7, never answered: failed. */
static void build(struct metric_req *r, struct sample *itl, struct metric_buckets *chunks)
{
    r[0] = (struct metric_req){ 0.0, 1.0, 1.4, 100, 5 };
    r[1] = (struct metric_req){ 0.5, 2.5, 2.5, 300, 1 };
    r[2] = (struct metric_req){ 0.7, 0, 0, 50, 0 };
    const double gaps[] = { 0, 100, 100, 100, 100, 0 };
    for (int i = 0; i < 6; i++)
        sample_push(itl, gaps[i]);
    const double t[] = { 1.0, 1.0, 1.1, 1.2, 1.3, 1.4, 2.5, 2.5 };
    for (int i = 0; i < 8; i++)
        metric_buckets_add(chunks, t[i]);
}

static void test_vllm_definitions_on_a_timeline(void **state)
{
    (void)state;
    struct metric_req r[3];
    struct sample itl = { 0 };
    struct metric_buckets chunks = { 0 };
    chunks.t0 = 0.0; /* the earliest send */
    build(r, &itl, &chunks);
    const double p[] = { 99 };
    struct metric_vllm m;
    metric_vllm_compute(r, 3, &itl, &chunks, p, 1, NULL, &m);
    assert_int_equal(m.completed, 2);
    assert_int_equal(m.failed, 1);
    assert_int_equal(m.total_input_tokens, 400);  /* the failed one is not counted */
    assert_int_equal(m.total_output_tokens, 6);
    assert_close(m.duration, 2.5, 0, 1e-12);       /* from 0 to the last chunk */
    assert_close(m.request_throughput, 2 / 2.5, 1e-12, 0);
    assert_close(m.output_throughput, 6 / 2.5, 1e-12, 0);
    assert_close(m.total_token_throughput, 406 / 2.5, 1e-12, 0);
    assert_close(m.ttft_ms.mean, 1500, 1e-12, 0);
    assert_close(m.ttft_ms.std, 500, 1e-12, 0);
    /* TPOT: only A has a second token */
    assert_close(m.tpot_ms.mean, 100, 1e-9, 0);
    assert_close(m.tpot_ms.std, 0, 0, 1e-9);
    /* ITL pooled with the two zero gaps: mean 400/6 < TPOT */
    assert_close(m.itl_ms.mean, 400.0 / 6, 1e-12, 0);
    assert_close(m.itl_ms.median, 100, 1e-12, 0);
    assert_close(m.e2el_ms.mean, 1700, 1e-12, 0);
    assert_close(m.e2el_ms.pct[0], 1400 + 0.99 * 600, 1e-12, 0);
    /* chunks in bucket int(t - 0.0): bucket 1 holds the six of A */
    assert_close(m.max_output_tokens_per_s, 6, 0, 0);
    /* A [0, 1.4] covers buckets 0-1, B [0.5, 2.5] 0-2: peak 2 */
    assert_int_equal(m.max_concurrent_requests, 2);
    assert_false(m.has_goodput); /* no objectives: vLLM reports null */
    sample_release(&itl);
    metric_buckets_release(&chunks);
}

/* Goodput as vLLM counts it on the same timeline: every objective given
 * must hold, each inclusive; B's one token has TPOT 0; the failed C never
 * counts; good requests per second of the 2.5 s duration. */
static double goodput_of(struct metric_goodput g)
{
    struct metric_req r[3];
    struct sample itl = { 0 };
    struct metric_buckets chunks = { 0 };
    build(r, &itl, &chunks);
    const double p[] = { 99 };
    struct metric_vllm m;
    metric_vllm_compute(r, 3, &itl, &chunks, p, 1, &g, &m);
    assert_true(m.has_goodput);
    sample_release(&itl);
    metric_buckets_release(&chunks);
    return m.request_goodput;
}

static void test_goodput_counts_requests_meeting_every_objective(void **state)
{
    (void)state;
    /* TTFT: A 1000 ms (on the bound: good), B 2000 ms */
    assert_close(goodput_of((struct metric_goodput){ .has_ttft = true, .ttft_ms = 1000 }),
                 1 / 2.5, 1e-12, 0);
    /* TPOT: A 100 ms, B 0 (one token) */
    assert_close(goodput_of((struct metric_goodput){ .has_tpot = true, .tpot_ms = 50 }),
                 1 / 2.5, 1e-12, 0);
    /* both objectives: A fails E2EL (1400 > 1399), B fails TTFT */
    assert_close(goodput_of((struct metric_goodput){ .has_ttft = true, .ttft_ms = 1500,
                                                     .has_e2el = true, .e2el_ms = 1399 }),
                 0, 0, 0);
    assert_close(goodput_of((struct metric_goodput){ .has_e2el = true, .e2el_ms = 2000 }),
                 2 / 2.5, 1e-12, 0);
}

static void test_bucket_concurrency_exceeds_the_cap(void **state)
{
    (void)state;
    /* A client with --max-concurrency 2: slot 1 runs [0, 0.4] then
     * [0.6, 1.5]; slot 2 runs [0.1, 0.9]. Never more than 2 at once, but
     * all three touch bucket 0, as the arena's 27-29 at a cap of 25. */
    double start[] = { 0.0, 0.6, 0.1 }, end[] = { 0.4, 1.5, 0.9 };
    assert_int_equal(metric_bucket_peak_concurrency(start, end, 3), 3);
    /* bucket boundaries are from the earliest start, not from 0 */
    double s2[] = { 10.5, 11.6 }, e2[] = { 11.4, 12.0 };
    assert_int_equal(metric_bucket_peak_concurrency(s2, e2, 2), 1);
}

static void test_bucket_peak_rate(void **state)
{
    (void)state;
    double ts[] = { 5.2, 5.9, 6.1, 6.2, 6.3, 8.0 };
    /* from t0 = 5.0: buckets 0: 2, 1: 3, 3: 1 */
    assert_close(metric_bucket_peak_rate(ts, 6, 5.0), 3, 0, 0);
    /* from t0 = 4.5: buckets 0: 1 (5.2), 1: 4 (5.9 .. 6.3) */
    assert_close(metric_bucket_peak_rate(ts, 6, 4.5), 4, 0, 0);
    assert_close(metric_bucket_peak_rate(ts, 0, 0), 0, 0, 0);
}

static void test_sliding_peak(void **state)
{
    (void)state;
    /* window (t - 1, t]: at t = 2.0 it holds 1.2, 1.5, 1.9, 2.0 (1.0 is out) */
    double ts[] = { 0.0, 1.0, 1.2, 1.5, 1.9, 2.0, 4.0 };
    assert_close(metric_peak_per_s(ts, 7), 4, 0, 0);
    double short_span[] = { 3.0, 3.1, 3.2, 3.4 }; /* 4 tokens in 0.4 s */
    assert_close(metric_peak_per_s(short_span, 4), 10, 1e-12, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numpy_percentiles),
        cmocka_unit_test(test_vllm_definitions_on_a_timeline),
        cmocka_unit_test(test_goodput_counts_requests_meeting_every_objective),
        cmocka_unit_test(test_bucket_concurrency_exceeds_the_cap),
        cmocka_unit_test(test_bucket_peak_rate),
        cmocka_unit_test(test_sliding_peak),
    };
    return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
