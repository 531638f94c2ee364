/*
 * test_workload.c - requests drawn as vllm bench serve draws them: the
 * sampling ranges its log line prints, lengths and arrivals from numpy's
 * streams (values from numpy 1.24 via scripts/gen_nprng_golden.py), the
 * rescaling of arrivals to N/rate, the ShareGPT length model, traces.
 */
#include "cs_test.h"

#include "client/workload.h"

static void test_ranges_match_vllm_log_lines(void **state)
{
    (void)state;
    /* arena logs: "Sampling input_len from [399, 7600] and output_len from [49, 950]" */
    struct workload_random_args a = { 4000, 500, 0.9, 0, 0 };
    int64_t il, ih, ol, oh;
    workload_random_ranges(&a, &il, &ih, &ol, &oh);
    assert_int_equal(il, 399);
    assert_int_equal(ih, 7600);
    assert_int_equal(ol, 49);
    assert_int_equal(oh, 950);
    struct workload_random_args b = { 1024, 4096, 0.9, 0, 0 };
    workload_random_ranges(&b, &il, &ih, &ol, &oh);
    assert_int_equal(il, 102);
    assert_int_equal(ih, 1946);
    assert_int_equal(ol, 409);
    assert_int_equal(oh, 7783);
}

static void test_random_lengths_are_numpy_default_rng_draws(void **state)
{
    (void)state;
    /* default_rng(42).integers(399, 7601, 10) then integers(49, 951, 10):
     * the first values of tests/data/nprng_golden.txt. */
    struct workload_random_args a = { 4000, 500, 0.9, 0, 0 };
    struct workload_req r[10];
    struct cs_err err = { 0 };
    assert_int_equal(workload_random(&a, 42, 10, r, &err), CS_OK);
    assert_int_equal(r[0].n_prompt, 1041);
    assert_int_equal(r[1].n_prompt, 5973);
    assert_int_equal(r[0].n_output, 523);
    assert_int_equal(r[1].n_output, 929);
}

static void test_last_arrival_is_at_n_over_rate(void **state)
{
    (void)state;
    double t[200];
    struct cs_err err = { 0 };
    assert_int_equal(workload_arrivals(0.3, 0.7, 42, 200, t, &err), CS_OK);
    assert_close(t[199], 200 / 0.3, 1e-12, 0);
    for (int i = 1; i < 200; i++)
        assert_true(t[i] >= t[i - 1]);
    assert_true(t[0] > 0);
    /* infinite rate: everything at 0 */
    assert_int_equal(workload_arrivals(INFINITY, 1.0, 42, 200, t, &err), CS_OK);
    assert_close(t[199], 0.0, 0, 0);
}

static void test_bad_rates_are_usage_errors(void **state)
{
    (void)state;
    double t[2];
    struct cs_err err = { 0 };
    assert_int_equal(workload_arrivals(-1, 1.0, 0, 2, t, &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--request-rate: must be > 0 (got -1)");
    assert_int_equal(workload_arrivals(1, 0, 0, 2, t, &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--burstiness: must be > 0 (got 0)");
}

static void test_sharegpt_model_respects_the_filter_and_means(void **state)
{
    (void)state;
    enum { N = 20000 };
    static struct workload_req r[N];
    struct cs_err err = { 0 };
    assert_int_equal(workload_sharegpt_builtin(0, N, r, &err), CS_OK);
    double in = 0, out = 0;
    for (int i = 0; i < N; i++) {
        assert_true(r[i].n_prompt >= 4 && r[i].n_prompt <= 1024);
        assert_true(r[i].n_output >= 4 && r[i].n_prompt + r[i].n_output <= 2048);
        in += r[i].n_prompt;
        out += r[i].n_output;
    }
    /* arena 08-sharegpt: ~200 prompt tokens before the template, ~205 out */
    assert_true(in / N > 170 && in / N < 240);
    assert_true(out / N > 180 && out / N < 230);
}

static void test_trace_loads_offsets_from_the_first_row(void **state)
{
    (void)state;
    struct workload_req *r;
    size_t n;
    struct cs_err err = { 0 };
    assert_int_equal(workload_trace_load("tests/fixtures/good/trace_small.csv", &r, &n, &err), CS_OK);
    assert_int_equal(n, 3);
    assert_close(r[1].arrival_s, 0.25, 0, 1e-12);
    assert_int_equal(r[2].n_output, 300);
    free(r);
}

static void expect_trace_error(const char *path, const char *msg)
{
    struct workload_req *r = NULL;
    size_t n;
    struct cs_err err = { 0 };
    assert_int_not_equal(workload_trace_load(path, &r, &n, &err), CS_OK);
    assert_string_equal(err.msg, msg);
}

static void test_bad_traces_name_file_and_line(void **state)
{
    (void)state;
    expect_trace_error("tests/fixtures/bad/trace_out_of_order.csv",
                       "tests/fixtures/bad/trace_out_of_order.csv:3: arrived_at goes back in time (0.5 after 1)");
    expect_trace_error("tests/fixtures/bad/trace_negative_length.csv",
                       "tests/fixtures/bad/trace_negative_length.csv:2: token counts must be between 1 and 10000000 (got -5, 10)");
    expect_trace_error("tests/fixtures/bad/trace_not_a_number.csv",
                       "tests/fixtures/bad/trace_not_a_number.csv:2: expected 'seconds,prompt_tokens,output_tokens' (got '1.0,abc,10')");
    expect_trace_error("tests/fixtures/bad/trace_no_header.csv",
                       "tests/fixtures/bad/trace_no_header.csv:1: header must be 'arrived_at,num_prefill_tokens,num_decode_tokens' (got '1.0,100,10')");
    expect_trace_error("tests/fixtures/bad/no_such_trace.csv",
                       "cannot open 'tests/fixtures/bad/no_such_trace.csv': No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges_match_vllm_log_lines),
        cmocka_unit_test(test_random_lengths_are_numpy_default_rng_draws),
        cmocka_unit_test(test_last_arrival_is_at_n_over_rate),
        cmocka_unit_test(test_bad_rates_are_usage_errors),
        cmocka_unit_test(test_sharegpt_model_respects_the_filter_and_means),
        cmocka_unit_test(test_trace_loads_offsets_from_the_first_row),
        cmocka_unit_test(test_bad_traces_name_file_and_line),
    };
    return cmocka_run_group_tests_name("workload", tests, NULL, NULL);
}
