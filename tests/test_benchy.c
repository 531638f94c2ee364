/*
 * test_benchy.c - llama-benchy 0.4.0's statistics on a hand-built batch
 * (results.py, serving-semantics.md 2.6) and, on the GB10 profile, a
 * c = 1 point whose TTFT is one prefill step of the idle engine plus the
 * client latency.
 */
#include "cs_test.h"

#include "client/benchy.h"

/* c = 2, sent at 0, latency L = 0.1 s, 1000 prompt tokens each.
 * A: tokens at 0.5 (first), 0.6, 0.7, 0.8   B: 0.9 (first), 1.0, 1.1 */
static const double ts_a[] = { 0.5, 0.6, 0.7, 0.8 }, ts_b[] = { 0.9, 1.0, 1.1 };

static void test_batch_statistics(void **state)
{
    (void)state;
    struct benchy_times r[2] = { { ts_a, 4 }, { ts_b, 3 } };
    struct benchy_acc acc;
    benchy_acc_init(&acc, 2, 0.1);
    benchy_acc_batch(&acc, r, 1000);
    benchy_acc_batch(&acc, r, 1000); /* two identical runs */
    struct benchy_row row;
    memset(&row, 0, sizeof row);
    benchy_acc_finish(&acc, &row);
    /* ttfr 500, 900 (twice): mean 700, population std 200 */
    assert_close(row.ttfr_ms.mean, 700, 1e-12, 0);
    assert_close(row.ttfr_ms.std, 200, 1e-9, 0);
    assert_close(row.est_ppt_ms.mean, 600, 1e-12, 0);
    /* pp per request: 1000/0.4 = 2500, 1000/0.8 = 1250 */
    assert_close(row.pp_tps_req.mean, 1875, 1e-12, 0);
    assert_close(row.pp_tps_req.std, 625, 1e-9, 0);
    /* pp total per batch: 2000 / last first token 0.9 */
    assert_close(row.pp_tps_total.mean, 2000 / 0.9, 1e-12, 0);
    assert_close(row.pp_tps_total.std, 0, 0, 1e-9);
    /* tg per request: 3 / 0.3 and 2 / 0.2 */
    assert_close(row.tg_tps_req.mean, 10, 1e-9, 0);
    /* tg total: 5 tokens after the firsts over 1.1 - 0.5 */
    assert_close(row.tg_tps_total.mean, 5 / 0.6, 1e-9, 0);
    /* peaks: spans under 1 s give tokens / span */
    assert_close(row.tg_peak_tps_req.mean, (4 / 0.3 + 3 / 0.2) / 2, 1e-9, 0);
    assert_close(row.tg_peak_tps.mean, 7 / 0.6, 1e-9, 0);
    assert_close(row.e2e_ttft_ms.mean, row.ttfr_ms.mean, 0, 0);
}

static void test_zero_est_ppt_left_out(void **state)
{
    (void)state;
    struct benchy_times r[2] = { { ts_a, 4 }, { ts_b, 3 } };
    struct benchy_acc acc;
    benchy_acc_init(&acc, 2, 0.6); /* L above A's ttfr: est_ppt 0 */
    benchy_acc_batch(&acc, r, 900);
    struct benchy_row row;
    benchy_acc_finish(&acc, &row);
    assert_close(row.est_ppt_ms.mean, 150, 1e-9, 0);       /* (0 + 300) / 2 */
    assert_close(row.pp_tps_req.mean, 900 / 0.3, 1e-9, 0); /* B only */
    assert_close(row.pp_tps_req.std, 0, 0, 0);
}

static void test_usage_check(void **state)
{
    (void)state;
    /* within 20% of expected: the server's count; else the expected */
    assert_close(benchy_prompt_tokens(1150, 1000), 1150, 0, 0);
    assert_close(benchy_prompt_tokens(1200, 1000), 1000, 0, 0);
    assert_close(benchy_prompt_tokens(700, 1000), 1000, 0, 0);
}

static void test_single_request_ttft_is_one_prefill_step(void **state)
{
    (void)state;
    struct deploy_args da;
    deploy_args_init(&da);
    da.model = "qwen-3.5-2b";
    /* as the arena ran it: with prefix caching on, this hybrid's prefill
     * would be cut at its state block boundary (align mode) */
    da.enable_prefix_caching = 0;
    struct deploy *d;
    struct cs_err err = { 0 };
    if (deploy_new(&da, &d, &err))
        fail_msg("%s", err.msg);
    struct benchy_args b;
    benchy_args_init(&b);
    b.pp = 1500; /* under the 2048-token budget: one step */
    b.tg = 8;
    b.runs = 2;
    b.latency_mode = BENCHY_LATENCY_NONE;
    struct benchy_row row;
    assert_int_equal(benchy_run(d, &b, &row, &err), CS_OK);
    struct step_shape s;
    memset(&s, 0, sizeof s);
    work_shape_add(&s, &d->work, 0, 1500, false, 1);
    /* the API server's preparation, one prefill step, the client's latency */
    double want = (cost_frontend_s(d->cost) + cost_step_seconds(d->cost, &s, NULL) +
                   cost_client_latency_s(d->cost)) *
                  1e3;
    assert_close(row.ttfr_ms.mean, want, 1e-9, 0);
    assert_close(row.ttfr_ms.std, 0, 0, 1e-9);
    assert_close(row.prompt_tokens, 1500, 0, 0);
    /* depth: context minus its template delta plus pp, template added back */
    b.depth = 4000;
    b.pp = 100;
    b.delta_context = 30;
    assert_int_equal(benchy_run(d, &b, &row, &err), CS_OK);
    assert_close(row.prompt_tokens, 4000 - 30 + 100 + 30, 0, 0);
    deploy_free(d);
}

/* llama-benchy's defaults, so a copied command means the same thing. */
static void test_defaults_are_llama_benchys(void **state)
{
    (void)state;
    struct benchy_args b;
    benchy_args_init(&b);
    assert_int_equal(b.pp, 2048);
    assert_int_equal(b.tg, 32);
    assert_int_equal(b.runs, 3);
    assert_int_equal(b.concurrency, 1);
    assert_int_equal(b.latency_mode, BENCHY_LATENCY_API);
    struct cs_err err = { 0 };
    enum benchy_latency m;
    const char *names[] = { "api", "generation", "none" };
    for (size_t i = 0; i < CS_ARRAY_LEN(names); i++) {
        assert_int_equal(benchy_latency_parse(names[i], &m, &err), CS_OK);
        assert_string_equal(benchy_latency_name(m), names[i]);
    }
    assert_int_equal(benchy_latency_parse("models", &m, &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--latency-mode: api, generation or none (got 'models')");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_llama_benchys),
        cmocka_unit_test(test_batch_statistics),
        cmocka_unit_test(test_zero_est_ppt_left_out),
        cmocka_unit_test(test_usage_check),
        cmocka_unit_test(test_single_request_ttft_is_one_prefill_step),
    };
    return cmocka_run_group_tests_name("benchy", tests, NULL, NULL);
}
