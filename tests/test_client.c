/*
 * test_client.c - the emulated clients: metric definitions on hand-built
 * timelines, vLLM's text block layout, and whole runs on the GB10 profile:
 * serve is deterministic and respects --max-concurrency, benchy's c=1 TTFT
 * is the prompt's prefill steps plus the client latency.
 */
#include "cs_test.h"

#include "client/benchy.h"
#include "client/metrics.h"
#include "client/serve.h"
#include "report/report.h"

static void test_percentiles_and_std_as_numpy(void **state)
{
    (void)state;
    struct sample s = { 0 };
    double v[] = { 10, 40, 20, 30 };
    for (int i = 0; i < 4; i++)
        sample_push(&s, v[i]);
    const double p[] = { 50, 99 };
    struct metric_summary m;
    metric_summarize(&s, p, 2, &m);
    assert_close(m.mean, 25, 0, 1e-12);
    assert_close(m.median, 25, 0, 1e-12);
    assert_close(m.std, sqrt(125.0), 0, 1e-12);  /* ddof 0 */
    assert_close(m.pct[1], 10 + 0.99 * 3 * 10, 0, 1e-9); /* 39.7 */
    sample_release(&s);
}

static void test_bucket_peak_concurrency_overcounts_like_the_arena_client(void **state)
{
    (void)state;
    /* Two requests that never overlap in time, one ending at 1.2 s and the
     * next starting at 1.5 s, share bucket 1: the old client counts 2. */
    double start[] = { 0.0, 1.5 }, end[] = { 1.2, 2.5 };
    assert_int_equal(metric_bucket_peak_concurrency(start, end, 2), 2);
    double start2[] = { 0.0, 2.5 }, end2[] = { 1.2, 3.0 };
    assert_int_equal(metric_bucket_peak_concurrency(start2, end2, 2), 1);
}

static void test_peak_window_is_one_second(void **state)
{
    (void)state;
    double ts[] = { 0.0, 0.5, 0.9, 1.2, 1.3, 3.0 };
    /* window (0.3, 1.3] holds 0.5, 0.9, 1.2, 1.3 */
    assert_close(metric_peak_per_s(ts, 6), 4.0, 0, 0);
    double quick[] = { 0.0, 0.25, 0.5 };
    assert_close(metric_peak_per_s(quick, 3), 6.0, 0, 1e-12); /* 3 / 0.5 s */
}

static struct deploy *gb10(const char *model, uint32_t budget)
{
    struct deploy_args a;
    deploy_args_init(&a);
    a.model = model;
    a.kv_cache_dtype = "fp8";
    a.max_num_batched_tokens = budget;
    struct deploy *d;
    struct cs_err err = { 0 };
    if (deploy_new(&a, &d, &err))
        fail_msg("%s", err.msg);
    return d;
}

static void test_serve_is_deterministic_and_respects_max_concurrency(void **state)
{
    (void)state;
    struct deploy *d = gb10("qwen-3.5-2b", 2048);
    struct serve_args a;
    serve_args_init(&a);
    a.num_prompts = 60;
    a.request_rate = 5;
    a.seed = 3;
    a.max_concurrency = 4;
    struct serve_result r1, r2;
    struct cs_err err = { 0 };
    assert_int_equal(serve_run(d, &a, &r1, &err), CS_OK);
    assert_int_equal(serve_run(d, &a, &r2, &err), CS_OK);
    assert_memory_equal(&r1, &r2, sizeof r1);
    assert_int_equal(r1.completed, 60);
    /* the engine never runs more than 4 at once, though the client's
     * bucketed peak may say more (see above) */
    assert_int_equal(r1.peak_running, 4);
    a.seed = 4;
    assert_int_equal(serve_run(d, &a, &r2, &err), CS_OK);
    assert_true(r1.ttft_ms.mean != r2.ttft_ms.mean);
    deploy_free(d);
}

static void test_benchy_single_request_ttft_is_its_prefill(void **state)
{
    (void)state;
    /* 8000-token prompt, budget 2048: 4 prefill steps on an idle engine;
     * TTFT = their sum + client latency. The sum is the cost model's, so
     * compare two prompt lengths: 8000 tokens take 4 steps, 2000 one. */
    struct deploy *d = gb10("granite-4.1-8b", 2048);
    struct benchy_args b;
    benchy_args_init(&b);
    b.tg = 2;
    b.runs = 1;
    b.latency_mode = BENCHY_LATENCY_NONE;
    b.pp = 2000;
    struct benchy_row one, four;
    struct cs_err err = { 0 };
    assert_int_equal(benchy_run(d, &b, &one, &err), CS_OK);
    b.pp = 8000;
    assert_int_equal(benchy_run(d, &b, &four, &err), CS_OK);
    double lat = cost_client_latency_s(d->cost) * 1e3;
    /* four chunks of ~2000 cost ~4x one chunk (attention grows a little) */
    double r = (four.ttfr_ms.mean - lat) / (one.ttfr_ms.mean - lat);
    assert_true(r > 3.9 && r < 5.0);
    /* with latency mode none, est_ppt equals ttfr */
    assert_close(four.est_ppt_ms.mean, four.ttfr_ms.mean, 1e-12, 0);
    deploy_free(d);
}

static void test_text_block_follows_vllm_layout(void **state)
{
    (void)state;
    struct serve_result r;
    memset(&r, 0, sizeof r);
    r.completed = 200;
    r.duration = 750.0912;
    r.ttft_ms.mean = 1577.961;
    struct serve_args a;
    serve_args_init(&a);
    a.request_rate = 0.3;
    struct serve_echo e = { .model_id = "m", .precision = "bf16", .profile = "gb10",
                            .request_rate = 0.3, .burstiness = 0.7, .num_prompts = 200, .seed = 42,
                            .seeds = 1 };
    char buf[8192];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    report_serve_text(f, &r, &a, &e);
    fclose(f);
    /* "{:=^50}" of " Serving Benchmark Result " and "{:<40} {:<10}" rows */
    assert_non_null(strstr(buf, "============ Serving Benchmark Result ============\n"));
    assert_non_null(strstr(buf, "Successful requests:                     200       \n"));
    assert_non_null(strstr(buf, "Benchmark duration (s):                  750.09    \n"));
    assert_non_null(strstr(buf, "---------------Time to First Token----------------\n"));
    assert_non_null(strstr(buf, "Mean TTFT (ms):                          1577.96   \n"));
    assert_non_null(strstr(buf, "P99 TTFT (ms):"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentiles_and_std_as_numpy),
        cmocka_unit_test(test_bucket_peak_concurrency_overcounts_like_the_arena_client),
        cmocka_unit_test(test_peak_window_is_one_second),
        cmocka_unit_test(test_serve_is_deterministic_and_respects_max_concurrency),
        cmocka_unit_test(test_benchy_single_request_ttft_is_its_prefill),
        cmocka_unit_test(test_text_block_follows_vllm_layout),
    };
    return cmocka_run_group_tests_name("client", tests, NULL, NULL);
}
