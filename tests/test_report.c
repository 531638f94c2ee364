/*
 * test_report.c - the output formats against golden text written by hand
 * from vllm bench serve's print statements ("{:=^50}", "{:-^50}",
 * "{:<40} {:<10}" and "{:<40} {:<10.2f}") and llama-benchy's table; the
 * JSON's keys and their order against a result file vLLM wrote
 * (tests/fixtures/vllm/SOURCE.md), and round-trip numbers.
 */
#include "cs_test.h"

#include <cJSON.h>

#include "common/json.h"
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
    "============ Serving Benchmark Result ============\n"
    "simulated by capsim: m/x, nvfp4, profile gb10, seed 7\n"
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
    "Total token throughput (tok/s):          6340.56   \n"
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
    "==================================================\n";

/* vLLM's header, then capsim's note; its default --percentile-metrics
 * (ttft,tpot,itl: no E2EL block). */
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
    struct serve_echo e = { .model_id = "m/x", .precision = "nvfp4", .profile = "gb10",
                            .request_rate = 1.5, .burstiness = 1.0, .max_concurrency = 25,
                            .num_prompts = 300, .seed = 7, .seeds = 1 };
    char buf[8192] = { 0 };
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    report_serve_text(f, &r, &a, &e);
    fclose(f);
    assert_string_equal(buf, golden);
    /* --percentile-metrics e2el,ttft: vLLM's order, only those two */
    a.percentile_metrics = SERVE_PM_E2EL | SERVE_PM_TTFT;
    f = fmemopen(buf, sizeof buf - 1, "w");
    report_serve_text(f, &r, &a, &e);
    fclose(f);
    const char *t = strstr(buf, "Time to First Token"), *x = strstr(buf, "End-to-end Latency");
    assert_non_null(t);
    assert_non_null(x);
    assert_true(t < x);
    assert_non_null(strstr(buf, "P99 E2EL (ms):                           41000.12  \n"));
    assert_null(strstr(buf, "TPOT"));
    assert_null(strstr(buf, "ITL"));
}

/* vLLM leaves "Request rate configured" out for an infinite rate
 * (serve.py benchmark(): if request_rate != float("inf")). */
static void test_infinite_rate_and_no_cap(void **state)
{
    (void)state;
    struct serve_result r;
    fill(&r);
    struct serve_args a;
    serve_args_init(&a);
    struct serve_echo e = { .model_id = "m", .precision = "bf16", .profile = "gb10",
                            .request_rate = INFINITY, .burstiness = 1.0, .num_prompts = 300,
                            .seeds = 3 };
    char buf[8192] = { 0 };
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    report_serve_text(f, &r, &a, &e);
    fclose(f);
    assert_null(strstr(buf, "Maximum request concurrency"));
    assert_null(strstr(buf, "Request rate configured"));
    assert_non_null(strstr(buf, "(mean of 3 seeds)"));
}

/* The keys of a result file vLLM wrote, in its order. */
static size_t fixture_keys(const char **keys, size_t max)
{
    cJSON *o = NULL;
    struct cs_err err = { 0 };
    if (json_load_file("tests/fixtures/vllm/bench_serve_10-monday-peak.json", &o, &err))
        fail_msg("%s", err.msg);
    size_t n = 0;
    static char store[64][40];
    for (const cJSON *c = o->child; c && n < max; c = c->next, n++) {
        snprintf(store[n], sizeof store[n], "%s", c->string);
        keys[n] = store[n];
    }
    cJSON_Delete(o);
    return n;
}

static cJSON *result_file(const struct serve_result *r, bool detailed, char **text)
{
    struct serve_args a;
    serve_args_init(&a);
    /* the fixture's run: --percentile-metrics ttft,tpot,itl,e2el
     * --metric-percentiles 50,90,95,99 --request-rate 1.5 --max-concurrency 25 */
    a.request_rate = 1.5;
    a.max_concurrency = 25;
    a.percentile_metrics = SERVE_PM_TTFT | SERVE_PM_TPOT | SERVE_PM_ITL | SERVE_PM_E2EL;
    const double p[] = { 50, 90, 95, 99 };
    memcpy(a.pcts, p, sizeof p);
    a.n_pcts = 4;
    struct serve_echo e = { .model_id = "google/gemma-4-26B-A4B-it", .precision = "bf16",
                            .profile = "gb10", .request_rate = 1.5, .burstiness = 1.0,
                            .max_concurrency = 25, .num_prompts = 300, .seed = 42, .seeds = 1,
                            .backend = "openai-chat", .date = "20260816-122821",
                            .detailed = detailed, .one_line = true };
    size_t len = 0;
    FILE *f = open_memstream(text, &len);
    struct cs_err err = { 0 };
    assert_int_equal(report_serve_json(f, r, &a, &e, &err), CS_OK);
    fclose(f);
    /* one line, as json.dump writes it */
    assert_ptr_equal(strchr(*text, '\n'), *text + len - 1);
    cJSON *o = cJSON_Parse(*text);
    assert_non_null(o);
    return o;
}

static void test_result_file_has_vllms_keys_in_order(void **state)
{
    (void)state;
    const char *want[64];
    size_t n = fixture_keys(want, 64);
    assert_true(n > 40);
    struct serve_result r;
    fill(&r);
    char *text;
    cJSON *o = result_file(&r, false, &text);
    const cJSON *c = o->child;
    for (size_t i = 0; i < n; i++, c = c->next) {
        if (!c)
            fail_msg("key %s missing", want[i]);
        if (strcmp(c->string, want[i]) != 0)
            fail_msg("key %zu: %s, vLLM writes %s", i, c->string, want[i]);
    }
    for (; c; c = c->next) /* after vLLM's, only capsim's own */
        if (strncmp(c->string, "capsim_", 7) != 0 && strcmp(c->string, "server") != 0)
            fail_msg("key %s is neither vLLM's nor capsim_", c->string);
    assert_string_equal(cJSON_GetObjectItem(o, "date")->valuestring, "20260816-122821");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "label")));
    assert_string_equal(cJSON_GetObjectItem(o, "endpoint_type")->valuestring, "openai-chat");
    assert_true(cJSON_GetObjectItem(o, "rtfx")->valuedouble == 0);
    cJSON_Delete(o);
    free(text);
}

/* --save-detailed: vLLM's seven per-request arrays right after
 * total_token_throughput (serve.py benchmark()'s result dict); a
 * simulation's generated text is "", a refused request's error is the
 * client's HTTP reason. */
static void test_result_file_detailed_arrays(void **state)
{
    (void)state;
    const char *want[64];
    size_t n = fixture_keys(want, 64);
    struct serve_result r;
    fill(&r);
    struct serve_request_detail d[2];
    memset(d, 0, sizeof d);
    double gaps[3] = { 0, 0.031, 0.032 };
    d[0] = (struct serve_request_detail){ .start_s = 0.5, .ttft_s = 0.25, .input_len = 1000,
                                          .output_len = 3, .itl_s = gaps, .n_itl = 3 };
    d[1] = (struct serve_request_detail){ .start_s = 0.75, .input_len = 9000, .failed = true };
    r.detail = d;
    r.n_detail = 2;
    char *text;
    cJSON *o = result_file(&r, true, &text);
    static const char *const arrays[] = { "input_lens", "output_lens", "ttfts", "itls",
                                          "start_times", "generated_texts", "errors" };
    const cJSON *c = o->child;
    for (size_t i = 0; i < n; i++, c = c->next) {
        assert_non_null(c);
        assert_string_equal(c->string, want[i]);
        if (strcmp(want[i], "total_token_throughput") == 0)
            for (size_t k = 0; k < CS_ARRAY_LEN(arrays); k++) {
                c = c->next;
                assert_non_null(c);
                assert_string_equal(c->string, arrays[k]);
                assert_int_equal(cJSON_GetArraySize(c), 2);
            }
    }
    cJSON *itls = cJSON_GetObjectItem(o, "itls"), *errs = cJSON_GetObjectItem(o, "errors");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetArrayItem(itls, 0)), 3);
    assert_true(cJSON_GetArrayItem(cJSON_GetArrayItem(itls, 0), 2)->valuedouble == 0.032);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetArrayItem(itls, 1)), 0);
    assert_string_equal(cJSON_GetArrayItem(errs, 0)->valuestring, "");
    assert_string_equal(cJSON_GetArrayItem(errs, 1)->valuestring, "Bad Request");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "generated_texts"), 1)->valuestring, "");
    assert_int_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "output_lens"), 1)->valueint, 0);
    assert_int_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "input_lens"), 1)->valueint, 9000);
    cJSON_Delete(o);
    free(text);
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
    a.percentile_metrics = SERVE_PM_TTFT | SERVE_PM_TPOT | SERVE_PM_ITL | SERVE_PM_E2EL;
    struct serve_echo e = { .model_id = "m", .precision = "bf16", .profile = "gb10",
                            .request_rate = INFINITY, .burstiness = 1.0, .num_prompts = 300,
                            .seeds = 1 };
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
        cmocka_unit_test(test_result_file_has_vllms_keys_in_order),
        cmocka_unit_test(test_result_file_detailed_arrays),
        cmocka_unit_test(test_benchy_table),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
