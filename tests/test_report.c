/*
 * test_report.c - the output formats against golden text written by hand
 * from vllm bench serve's print statements ("{:=^50}", "{:-^50}",
 * "{:<40} {:<10}" and "{:<40} {:<10.2f}") and llama-benchy's table; the
 * JSON's key order and round-trip numbers.
 */
#include "cs_test.h"

#include <cJSON.h>

#include "report/report.h"

static void fill(struct serve_result *r)
{
    memset(r, 0, sizeof *r);
    r->completed = 300;
    r->failed = 0;
    r->duration = 215.4321;
    r->total_input_tokens = 1215843;
    r->total_output_tokens = 150123;
    r->request_throughput = 1.3925;
    r->output_throughput = 696.84;
    r->total_token_throughput = 6340.555;
    r->max_output_tokens_per_s = 812;
    r->max_concurrent_requests = 28;
    r->ttft_ms = (struct metric_summary){ 1234.567, 1000.004, 1.0, { 9.87654, 5000.5 } };
    r->tpot_ms = (struct metric_summary){ 35.125, 34.1, 2.0, { 50.0, 61.239 } };
    r->itl_ms = (struct metric_summary){ 33.3, 30.0, 3.0, { 48.0, 99.999 } };
    r->e2el_ms = (struct metric_summary){ 18000.0, 17500.25, 4.0, { 30000.0, 41000.125 } };
}

static const char golden[] =
    "============ Simulated Serving Result ============\n"
    "Successful requests:                     300       \n"
    "Failed requests:                         0         \n"
    "Maximum request concurrency:             25        \n"
    "Request rate configured (RPS):           1.50      \n"
    "Benchmark duration (s):                  215.43    \n"
    "Total input tokens:                      1215843   \n"
    "Total generated tokens:                  150123    \n"
    "Request throughput (req/s):              1.39      \n"
    "Output token throughput (tok/s):         696.84    \n"
    "Peak output token throughput (tok/s):    812.00    \n"
    "Peak concurrent requests:                28.00     \n"
    "Total Token throughput (tok/s):          6340.56   \n"
    "---------------Time to First Token----------------\n"
    "Mean TTFT (ms):                          1234.57   \n"
    "Median TTFT (ms):                        1000.00   \n"
    "P90 TTFT (ms):                           9.88      \n"
    "P99 TTFT (ms):                           5000.50   \n"
    "-----Time per Output Token (excl. 1st token)------\n"
    "Mean TPOT (ms):                          35.12     \n"
    "Median TPOT (ms):                        34.10     \n"
    "P90 TPOT (ms):                           50.00     \n"
    "P99 TPOT (ms):                           61.24     \n"
    "---------------Inter-token Latency----------------\n"
    "Mean ITL (ms):                           33.30     \n"
    "Median ITL (ms):                         30.00     \n"
    "P90 ITL (ms):                            48.00     \n"
    "P99 ITL (ms):                            100.00    \n"
    "----------------End-to-end Latency----------------\n"
    "Mean E2EL (ms):                          18000.00  \n"
    "Median E2EL (ms):                        17500.25  \n"
    "P90 E2EL (ms):                           30000.00  \n"
    "P99 E2EL (ms):                           41000.12  \n"
    "==================================================\n"
    "simulated by capsim: m/x, nvfp4, profile gb10, seed 7\n";

static void test_text_block_is_vllms(void **state)
{
    (void)state;
    struct serve_result r;
    fill(&r);
    struct serve_args a;
    serve_args_init(&a);
    a.request_rate = 1.5;
    a.max_concurrency = 25;
    a.pcts[0] = 90;
    a.pcts[1] = 99;
    a.n_pcts = 2;
    struct serve_echo e = { "m/x", "nvfp4", "gb10", 1.5, 1.0, 25, 300, 7, 1, NULL };
    char buf[8192] = { 0 };
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    report_serve_text(f, &r, &a, &e);
    fclose(f);
    assert_string_equal(buf, golden);
}

static void test_infinite_rate_and_no_cap(void **state)
{
    (void)state;
    struct serve_result r;
    fill(&r);
    struct serve_args a;
    serve_args_init(&a);
    struct serve_echo e = { "m", "bf16", "gb10", INFINITY, 1.0, 0, 300, 0, 3, NULL };
    char buf[8192] = { 0 };
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    report_serve_text(f, &r, &a, &e);
    fclose(f);
    assert_null(strstr(buf, "Maximum request concurrency"));
    assert_non_null(strstr(buf, "Request rate configured (RPS):           inf       \n"));
    assert_non_null(strstr(buf, "(mean of 3 seeds)"));
}

static void test_json_keys_in_vllm_order_and_round_trip(void **state)
{
    (void)state;
    struct serve_result r;
    fill(&r);
    r.duration = 0.1 + 0.2; /* 0.30000000000000004 must survive */
    struct serve_args a;
    serve_args_init(&a);
    a.pcts[0] = 99.9;
    struct serve_echo e = { "m", "bf16", "gb10", INFINITY, 1.0, 0, 300, 0, 1, NULL };
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct cs_err err = { 0 };
    assert_int_equal(report_serve_json(f, &r, &a, &e, &err), CS_OK);
    fclose(f);
    const char *keys[] = { "\"duration\"", "\"completed\"", "\"failed\"", "\"total_input_tokens\"",
                           "\"total_output_tokens\"", "\"request_throughput\"",
                           "\"request_goodput\"", "\"output_throughput\"",
                           "\"total_token_throughput\"", "\"max_output_tokens_per_s\"",
                           "\"max_concurrent_requests\"", "\"mean_ttft_ms\"", "\"p99.9_ttft_ms\"",
                           "\"mean_tpot_ms\"", "\"mean_itl_ms\"", "\"p99.9_e2el_ms\"",
                           "\"capsim_version\"", "\"capsim_overloaded\"" };
    const char *prev = buf;
    for (size_t i = 0; i < CS_ARRAY_LEN(keys); i++) {
        const char *k = strstr(buf, keys[i]);
        if (!k || k < prev)
            fail_msg("key %s missing or out of order", keys[i]);
        prev = k;
    }
    cJSON *o = cJSON_Parse(buf);
    assert_non_null(o);
    assert_true(cJSON_GetObjectItem(o, "duration")->valuedouble == 0.1 + 0.2);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "request_goodput")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "max_concurrency")));
    assert_string_equal(cJSON_GetObjectItem(o, "request_rate")->valuestring, "inf");
    cJSON_Delete(o);
    free(buf);

    /* With --goodput objectives it is a number, as in vLLM. */
    r.has_goodput = true;
    r.request_goodput = 1.25;
    f = open_memstream(&buf, &len);
    assert_int_equal(report_serve_json(f, &r, &a, &e, &err), CS_OK);
    fclose(f);
    o = cJSON_Parse(buf);
    assert_non_null(o);
    assert_true(cJSON_GetObjectItem(o, "request_goodput")->valuedouble == 1.25);
    cJSON_Delete(o);
    free(buf);
}

static void test_benchy_table(void **state)
{
    (void)state;
    struct benchy_point p[1];
    memset(p, 0, sizeof p);
    p[0].pp = 2048;
    p[0].tg = 32;
    p[0].depth = 4096;
    p[0].concurrency = 2;
    p[0].row.pp_tps_total = (struct mean_std){ 3000.456, 12.5 };
    p[0].row.ttfr_ms = (struct mean_std){ 700, 0 };
    p[0].row.tg_peak_tps = (struct mean_std){ 51, 1.005 };
    char buf[4096] = { 0 };
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    report_benchy_md(f, "m", "generation", p, 1, 2);
    fclose(f);
    assert_non_null(strstr(buf, "| model | test | t/s (total) | t/s (req) | peak t/s |"));
    assert_non_null(strstr(buf, "| m | pp2048 @ d4096 (c2) | 3000.46 ± 12.50 |"));
    assert_non_null(strstr(buf, "| m | tg32 @ d4096 (c2) |"));
    assert_non_null(strstr(buf, "(simulated llama-benchy 0.4.0)"));
    /* a suite whose largest concurrency is 1: header "t/s", no "(c1)" */
    p[0].depth = 0;
    p[0].concurrency = 1;
    f = fmemopen(buf, sizeof buf - 1, "w");
    report_benchy_md(f, "m", "none", p, 1, 1);
    fclose(f);
    assert_non_null(strstr(buf, "| model | test | t/s | t/s (req) |"));
    assert_non_null(strstr(buf, "| m | pp2048 | "));
    assert_non_null(strstr(buf, "| m | tg32 | "));
    assert_non_null(strstr(buf, "latency mode: none"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_block_is_vllms),
        cmocka_unit_test(test_infinite_rate_and_no_cap),
        cmocka_unit_test(test_json_keys_in_vllm_order_and_round_trip),
        cmocka_unit_test(test_benchy_table),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
