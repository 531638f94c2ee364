/*
 * test_workload.c - requests drawn as vllm bench serve draws them: the
 * sampling ranges its log line prints, lengths and arrivals equal to a
 * numpy replay of vLLM's code (scripts/gen_nprng_golden.py ->
 * tests/data/nprng_golden.txt), output totals equal to the arena's
 * measured ones, the rescaling of arrivals to N/rate, the ShareGPT length
 * model, traces.
 */
#include "cs_test.h"

#include <cJSON.h>

#include "client/workload.h"
#include "common/stats.h"

#include "nprng_golden.h"

static const char *golden(const char *key, int idx)
{
    const char *v = golden_find(key, idx);
    if (!v)
        fail_msg("no golden value %s %d in " GOLDEN_PATH, key, idx);
    return v;
}

/* The arena's open-loop configurations (serving-semantics.md §3.7). */
struct arena_cfg {
    const char *name;
    size_t n;
    int64_t in_len, out_len;
    double ratio, rate, burstiness;
};

static const struct arena_cfg ARENA[] = {
    { "07", 200, 4000, 500, 0.9, 0.3, 0.7 },     { "09", 50, 1024, 4096, 0.9, 0.2, 1.0 },
    { "10", 300, 4000, 500, 0.9, 1.5, 1.0 },     { "11_0.1", 100, 4000, 500, 0.9, 0.1, 0.7 },
    { "11_0.5", 125, 4000, 500, 0.9, 0.5, 0.7 }, { "11_0.7", 175, 4000, 500, 0.9, 0.7, 0.7 },
    { "11_1.0", 250, 4000, 500, 0.9, 1.0, 0.7 },
};

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
    /* one special token (a BOS): 3999 * 0.1 = 399.9 -> 399, 3999 * 1.9 ->
     * 7599, as the arena logs print it for such tokenizers */
    struct workload_random_args c = { 4000, 500, 0.9, 0, 1 };
    workload_random_ranges(&c, &il, &ih, &ol, &oh);
    assert_int_equal(il, 399);
    assert_int_equal(ih, 7599);
    /* the arena's 09-reasoning line for such a tokenizer: [102, 1944] */
    struct workload_random_args e = { 1024, 4096, 0.9, 0, 1 };
    workload_random_ranges(&e, &il, &ih, &ol, &oh);
    assert_int_equal(il, 102);
    assert_int_equal(ih, 1944);
    /* small lengths: 7 * 0.5 = 3.5 -> [3, 11]; 3 * 0.5 = 1.5 -> [1, 5] */
    struct workload_random_args d = { 7, 3, 0.5, 0, 0 };
    workload_random_ranges(&d, &il, &ih, &ol, &oh);
    assert_int_equal(il, 3);
    assert_int_equal(ih, 11);
    assert_int_equal(ol, 1);
    assert_int_equal(oh, 5);
    /* the same four cases through Python's math.floor/ceil */
    assert_int_equal(ih, strtoll(golden("vllm_ranges_7_3_0.5", 1), NULL, 10));
    workload_random_ranges(&c, &il, &ih, &ol, &oh);
    assert_int_equal(ih, strtoll(golden("vllm_ranges_special_4000_500_0.9_1", 1), NULL, 10));
}

static void test_random_lengths_are_vllms_draws(void **state)
{
    (void)state;
    for (size_t c = 0; c < CS_ARRAY_LEN(ARENA); c++) {
        const struct arena_cfg *k = &ARENA[c];
        struct workload_random_args a = { k->in_len, k->out_len, k->ratio, 0, 0 };
        struct workload_req *r = calloc(k->n, sizeof *r);
        struct cs_err err = { 0 };
        assert_int_equal(workload_random(&a, 42, k->n, r, &err), CS_OK);
        char kin[64], kout[64], ksum[64];
        snprintf(kin, sizeof kin, "vllm_random_%s_in", k->name);
        snprintf(kout, sizeof kout, "vllm_random_%s_out", k->name);
        snprintf(ksum, sizeof ksum, "vllm_random_%s_sum", k->name);
        long long sin = 0, sout = 0;
        for (size_t i = 0; i < k->n; i++) {
            const char *vi = golden_find(kin, (int)i), *vo = golden_find(kout, (int)i);
            if (vi)
                assert_int_equal(r[i].n_prompt, strtoll(vi, NULL, 10));
            if (vo)
                assert_int_equal(r[i].n_output, strtoll(vo, NULL, 10));
            sin += r[i].n_prompt;
            sout += r[i].n_output;
        }
        assert_int_equal(sin, strtoll(golden(ksum, 0), NULL, 10));
        assert_int_equal(sout, strtoll(golden(ksum, 1), NULL, 10));
        free(r);
    }
    /* prefix tokens are added to every prompt, not drawn */
    struct workload_random_args p = { 4000, 500, 0.9, 100, 0 };
    struct workload_req r[2];
    assert_int_equal(workload_random(&p, 42, 2, r, NULL), CS_OK);
    assert_int_equal(r[0].n_prompt, strtoll(golden("vllm_random_07_in", 0), NULL, 10) + 100);
}

/* Most common total_output_tokens of a test in open_loop.jsonl (almost
 * every model replies to random prompts with exactly max_tokens). */
static long long arena_modal_output_total(const char *test, long long num_prompts)
{
    FILE *f = fopen(SHARED_DIR "/arena/open_loop.jsonl", "r");
    if (!f)
        return -1;
    long long tot[64];
    int cnt[64], nd = 0;
    static char line[1 << 16];
    while (fgets(line, sizeof line, f)) {
        cJSON *o = cJSON_Parse(line);
        if (!o)
            continue;
        const cJSON *t = cJSON_GetObjectItem(o, "test"), *np = cJSON_GetObjectItem(o, "num_prompts"),
                    *to = cJSON_GetObjectItem(o, "total_output_tokens");
        if (cJSON_IsString(t) && strcmp(t->valuestring, test) == 0 && cJSON_IsNumber(np) &&
            (long long)np->valuedouble == num_prompts && cJSON_IsNumber(to)) {
            long long v = (long long)to->valuedouble;
            int j = 0;
            while (j < nd && tot[j] != v)
                j++;
            if (j == nd && nd < 64) {
                tot[nd] = v;
                cnt[nd++] = 0;
            }
            if (j < nd)
                cnt[j]++;
        }
        cJSON_Delete(o);
    }
    fclose(f);
    int best = -1;
    for (int j = 0; j < nd; j++)
        if (best < 0 || cnt[j] > cnt[best])
            best = j;
    return best < 0 ? -1 : tot[best];
}

static void test_output_totals_equal_the_arena_runs(void **state)
{
    (void)state;
    if (!cs_have_shared())
        skip();
    /* Data: Django de Vreng, DGX Spark benchmark runs, CC-BY-4.0. */
    const char *tests[] = { "07-office-baseline", "09-reasoning", "10-monday-peak",
                            "11-rate-sweep",      "11-rate-sweep", "11-rate-sweep",
                            "11-rate-sweep" };
    for (size_t c = 0; c < CS_ARRAY_LEN(ARENA); c++) {
        const struct arena_cfg *k = &ARENA[c];
        long long want = arena_modal_output_total(tests[c], (long long)k->n);
        assert_true(want > 0);
        struct workload_random_args a = { k->in_len, k->out_len, k->ratio, 0, 0 };
        struct workload_req *r = calloc(k->n, sizeof *r);
        assert_int_equal(workload_random(&a, 42, k->n, r, NULL), CS_OK);
        long long got = 0;
        for (size_t i = 0; i < k->n; i++)
            got += r[i].n_output;
        assert_int_equal(got, want);
        free(r);
    }
}

static void test_random_rejects_what_vllm_rejects(void **state)
{
    (void)state;
    struct workload_req r[1];
    struct cs_err err = { 0 };
    struct workload_random_args a = { 4000, 500, 1.0, 0, 0 };
    assert_int_equal(workload_random(&a, 42, 1, r, &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--random-range-ratio: must be in [0, 1) (got 1)");
    /* 1 * (1 - 0.5) = 0.5 -> 0 tokens with no prefix: vLLM raises */
    struct workload_random_args b = { 1, 10, 0.5, 0, 0 };
    assert_int_equal(workload_random(&b, 42, 1, r, &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--random-input-len: too small, the shortest prompt would have 0 "
                                 "tokens (prefix 0 + 0 sampled, after 0 special tokens)");
    b.prefix_len = 1;
    assert_int_equal(workload_random(&b, 42, 1, r, &err), CS_OK);
    assert_int_equal(workload_random(&a, -1, 1, r, &err), CS_EUSAGE);
}

static void test_arrivals_are_vllms_get_request(void **state)
{
    (void)state;
    for (size_t c = 0; c < CS_ARRAY_LEN(ARENA); c++) {
        const struct arena_cfg *k = &ARENA[c];
        double *t = calloc(k->n, sizeof *t);
        struct cs_err err = { 0 };
        assert_int_equal(workload_arrivals(k->rate, k->burstiness, 42, k->n, t, &err), CS_OK);
        char key[64];
        snprintf(key, sizeof key, "vllm_arrivals_%s", k->name);
        for (size_t i = 0; i < k->n; i++) {
            const char *v = golden_find(key, (int)i);
            if (v && t[i] != strtod(v, NULL))
                fail_msg("%s[%zu] = %.17g, vLLM/numpy gives %s", key, i, t[i], v);
        }
        free(t);
    }
    /* burstiness inf: every gap exactly 1/rate */
    double t[4];
    assert_int_equal(workload_arrivals(0.5, INFINITY, 42, 4, t, NULL), CS_OK);
    assert_close(t[0], 2.0, 0, 0);
    assert_close(t[3], 8.0, 0, 0);
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

/* Coefficient of variation of the gaps (t[-1] = 0). */
static double gap_cv(const double *t, size_t n)
{
    double *g = malloc(n * sizeof *g);
    for (size_t i = 0; i < n; i++)
        g[i] = t[i] - (i ? t[i - 1] : 0.0);
    double cv = stats_pstd(g, n) / stats_mean(g, n);
    free(g);
    return cv;
}

static void test_burstiness_sets_the_gap_spread(void **state)
{
    (void)state;
    enum { N = 20000 };
    static double t[N];
    /* gamma gaps: mean 1/rate (exact after rescaling), CV 1/sqrt(burstiness) */
    assert_int_equal(workload_arrivals(2.0, 1.0, 1, N, t, NULL), CS_OK);
    assert_close(t[N - 1] / N, 0.5, 1e-12, 0);
    assert_close(gap_cv(t, N), 1.0, 0.03, 0);
    assert_int_equal(workload_arrivals(2.0, 0.7, 1, N, t, NULL), CS_OK);
    assert_close(gap_cv(t, N), 1.0 / sqrt(0.7), 0.03, 0);
    assert_int_equal(workload_arrivals(2.0, 4.0, 1, N, t, NULL), CS_OK);
    assert_close(gap_cv(t, N), 0.5, 0.03, 0);
}

static void test_bad_arrival_arguments_are_usage_errors(void **state)
{
    (void)state;
    double t[2];
    struct cs_err err = { 0 };
    assert_int_equal(workload_arrivals(-1, 1.0, 0, 2, t, &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--request-rate: must be > 0 (got -1)");
    assert_int_equal(workload_arrivals(NAN, 1.0, 0, 2, t, &err), CS_EUSAGE);
    assert_int_equal(workload_arrivals(1, 0, 0, 2, t, &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--burstiness: must be > 0 (got 0)");
    assert_int_equal(workload_arrivals(1, NAN, 0, 2, t, &err), CS_EUSAGE);
    /* np.random.seed() takes 0 .. 2^32 - 1 */
    assert_int_equal(workload_arrivals(1, 1, 4294967296LL, 2, t, &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--seed: must be between 0 and 4294967295 (got 4294967296)");
    assert_int_equal(workload_arrivals(1, 1, 4294967295LL, 2, t, &err), CS_OK);
}

static void test_sharegpt_model_respects_the_filter_and_means(void **state)
{
    (void)state;
    enum { N = 20000 };
    static struct workload_req r[N], r2[N];
    struct cs_err err = { 0 };
    assert_int_equal(workload_sharegpt_builtin(0, N, r, &err), CS_OK);
    double in = 0, out = 0;
    for (int i = 0; i < N; i++) {
        assert_true(r[i].n_prompt >= 4 && r[i].n_prompt <= 1024);
        assert_true(r[i].n_output >= 4 && r[i].n_prompt + r[i].n_output <= 2048);
        in += r[i].n_prompt;
        out += r[i].n_output;
    }
    /* arena 08-sharegpt (docs/workload.md): 213-228 prompt tokens before
     * the chat template, 211.6 reply tokens at the dataset caps; the
     * standard error of a 20000-request mean is about 1.5 tokens */
    assert_true(in / N > 208 && in / N < 228);
    assert_true(out / N > 204 && out / N < 219);
    /* deterministic for a seed, different across seeds */
    assert_int_equal(workload_sharegpt_builtin(0, N, r2, &err), CS_OK);
    assert_memory_equal(r, r2, sizeof r);
    assert_int_equal(workload_sharegpt_builtin(1, N, r2, &err), CS_OK);
    assert_memory_not_equal(r, r2, sizeof r);
}

static void test_trace_loads_offsets_from_the_first_row(void **state)
{
    (void)state;
    struct workload_req *r;
    size_t n;
    struct cs_err err = { 0 };
    assert_int_equal(workload_trace_load("tests/fixtures/good/trace_small.csv", &r, &n, &err), CS_OK);
    /* rows 0.5,100,10 / 0.75,2000,5 / 2.0,30,300 */
    assert_int_equal(n, 3);
    assert_close(r[0].arrival_s, 0.0, 0, 0);
    assert_close(r[1].arrival_s, 0.25, 0, 1e-12);
    assert_close(r[2].arrival_s, 1.5, 0, 1e-12);
    assert_int_equal(r[1].n_prompt, 2000);
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

/* Write `text` to a fresh file under /tmp; path into buf. */
static void write_tmp(char *buf, size_t n, const char *text)
{
    snprintf(buf, n, "/tmp/capsim_test_trace_XXXXXX");
    int fd = mkstemp(buf);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

static void test_trace_edge_cases(void **state)
{
    (void)state;
    char p[64], want[256];
    struct workload_req *r;
    size_t n;
    /* CRLF line ends and a byte-order mark are accepted */
    write_tmp(p, sizeof p, "\xef\xbb\xbf" "arrived_at,num_prefill_tokens,num_decode_tokens\r\n"
                           "10,5,6\r\n\r\n12.5,7,8\r\n");
    assert_int_equal(workload_trace_load(p, &r, &n, NULL), CS_OK);
    assert_int_equal(n, 2);
    assert_close(r[1].arrival_s, 2.5, 0, 0);
    free(r);
    remove(p);
    write_tmp(p, sizeof p, "");
    snprintf(want, sizeof want, "%s: empty file (expected a header "
             "'arrived_at,num_prefill_tokens,num_decode_tokens')", p);
    expect_trace_error(p, want);
    remove(p);
    write_tmp(p, sizeof p, "arrived_at,num_prefill_tokens,num_decode_tokens\n");
    snprintf(want, sizeof want, "%s: no requests after the header", p);
    expect_trace_error(p, want);
    remove(p);
    write_tmp(p, sizeof p, "arrived_at,num_prefill_tokens,num_decode_tokens\n1,2,3,4\n");
    snprintf(want, sizeof want, "%s:2: expected 'seconds,prompt_tokens,output_tokens' (got '1,2,3,4')", p);
    expect_trace_error(p, want);
    remove(p);
    write_tmp(p, sizeof p, "arrived_at,num_prefill_tokens,num_decode_tokens\nnan,2,3\n");
    snprintf(want, sizeof want, "%s:2: expected 'seconds,prompt_tokens,output_tokens' (got 'nan,2,3')", p);
    expect_trace_error(p, want);
    remove(p);
    char big[1200] = "arrived_at,num_prefill_tokens,num_decode_tokens\n1,2,3";
    memset(big + strlen(big), '0', 600);
    write_tmp(p, sizeof p, big);
    snprintf(want, sizeof want, "%s:2: line longer than 510 characters", p);
    expect_trace_error(p, want);
    remove(p);
}

static void test_shared_azure_traces_load(void **state)
{
    (void)state;
    if (!cs_have_shared())
        skip();
    /* ../shared/traces/README.md: 19,366 requests over 3,502 s, mean
     * prompt 1,155 and reply 211 tokens. Credit: Azure LLM inference
     * trace 2023 (Azure Public Dataset), via Vidur. */
    struct workload_req *r;
    size_t n;
    struct cs_err err = { 0 };
    assert_int_equal(workload_trace_load(SHARED_DIR "/traces/azure_conv_2023.csv", &r, &n, &err), CS_OK);
    assert_int_equal(n, 19366);
    double in = 0, out = 0;
    for (size_t i = 0; i < n; i++) {
        in += r[i].n_prompt;
        out += r[i].n_output;
    }
    assert_close(in / n, 1155, 0, 0.5);
    assert_close(out / n, 211, 0, 0.5);
    assert_close(r[n - 1].arrival_s, 3502, 0, 1);
    free(r);
}

/* prefix_repetition: num_prompts rounded down to whole prefixes, every
 * prefix's requests there, in random.shuffle's order for the seed. */
static void test_prefix_repetition_draws_as_vllm(void **state)
{
    (void)state;
    struct workload_prefix_repetition_args a = { 100, 20, 3, 7 };
    struct workload_req *w;
    size_t n;
    struct cs_err err = { 0 };
    assert_int_equal(workload_prefix_repetition(&a, 0, 10, &w, &n, &err), CS_OK);
    assert_int_equal(n, 9);
    /* requests 0-2 use prefix 0, 3-5 prefix 1, 6-8 prefix 2, then
     * random.seed(0); random.shuffle(range(9)) = [7, 5, 1, 3, 4, 2, 0, 8, 6]
     * (printed by CPython) */
    const int prefix_of[] = { 2, 1, 0, 1, 1, 0, 0, 2, 2 };
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(w[i].n_prompt, 120);
        assert_int_equal(w[i].n_output, 7);
        assert_int_equal(w[i].shared_len, 100);
        for (size_t k = 0; k < n; k++)
            assert_true((w[i].shared_id == w[k].shared_id) == (prefix_of[i] == prefix_of[k]));
    }
    free(w);
    assert_true(workload_prefix_repetition(&a, 0, 2, &w, &n, &err) < 0); /* fewer than prefixes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix_repetition_draws_as_vllm),
        cmocka_unit_test(test_ranges_match_vllm_log_lines),
        cmocka_unit_test(test_random_lengths_are_vllms_draws),
        cmocka_unit_test(test_output_totals_equal_the_arena_runs),
        cmocka_unit_test(test_random_rejects_what_vllm_rejects),
        cmocka_unit_test(test_arrivals_are_vllms_get_request),
        cmocka_unit_test(test_last_arrival_is_at_n_over_rate),
        cmocka_unit_test(test_burstiness_sets_the_gap_spread),
        cmocka_unit_test(test_bad_arrival_arguments_are_usage_errors),
        cmocka_unit_test(test_sharegpt_model_respects_the_filter_and_means),
        cmocka_unit_test(test_trace_loads_offsets_from_the_first_row),
        cmocka_unit_test(test_bad_traces_name_file_and_line),
        cmocka_unit_test(test_trace_edge_cases),
        cmocka_unit_test(test_shared_azure_traces_load),
    };
    return cmocka_run_group_tests_name("workload", tests, golden_setup, golden_teardown);
}
