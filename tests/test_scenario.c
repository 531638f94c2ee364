/*
 * test_scenario.c - scenario files (one fixture per error class, exact
 * messages), SLO parsing, the three load modes, and office runs: the same seed gives the same answer, and more
 * employees give more requests from the same stream (common random
 * numbers).
 */
#include "cs_test.h"

#include "common/json.h"
#include "scenarios/office.h"
#include "scenarios/scenario.h"
#include "scenarios/slo.h"

#define BAD "tests/fixtures/bad/"

static void expect(const char *file, const char *msg)
{
    struct scenario s;
    struct cs_err err = { 0 };
    assert_int_not_equal(scenario_load(file, &s, &err), CS_OK);
    assert_string_equal(err.msg, msg);
}

static void test_bad_scenarios_name_file_and_field(void **state)
{
    (void)state;
    expect(BAD "scenario_unknown_key.json", BAD "scenario_unknown_key.json: .employes: unknown key (did you mean 'employees'?)");
    expect(BAD "scenario_wrong_type.json", BAD "scenario_wrong_type.json: .employees: must be an integer (got \"many\")");
    expect(BAD "scenario_negative_rate.json", BAD "scenario_negative_rate.json: .requests_per_active_hour: must be between 1e-06 and 100000 (got -2)");
    expect(BAD "scenario_shares_not_one.json", BAD "scenario_shares_not_one.json: .tasks: shares must add up to 1 (got 1.45)");
    expect(BAD "scenario_share_above_one.json", BAD "scenario_share_above_one.json: .tasks[0].share: must be between 0 and 1 (got 1.5)");
    expect(BAD "scenario_bad_slo.json", BAD "scenario_bad_slo.json: .tasks[0].slo[0]: SLO 'p95_ttft<=3000': metric must be p<N>_|mean_|median_ then ttft|tpot|itl|e2el then _ms");
    expect(BAD "scenario_active_share_range.json", BAD "scenario_active_share_range.json: .active_share[1]: must be a share between 0 and 1 (got 1.2)");
    expect(BAD "scenario_no_tasks.json", BAD "scenario_no_tasks.json: .tasks: must be a non-empty array (got [])");
    expect(BAD "scenario_unknown_task_key.json", BAD "scenario_unknown_task_key.json: .tasks[0].outputs: unknown key");
    expect(BAD "scenario_unknown_server_key.json", BAD "scenario_unknown_server_key.json: .server.max_num_seq: unknown key (did you mean 'max_num_seqs'?)");
    expect(BAD "scenario_bad_speculative_method.json", BAD "scenario_bad_speculative_method.json: .server.speculative_config.method: unknown speculative method 'dflsh' (mtp, dflash, eagle, eagle3, ngram, draft_model, ...)");
    expect(BAD "scenario_malformed.json", BAD "scenario_malformed.json:2:18: malformed JSON");
    expect("tests/fixtures/bad/no_such_scenario.json", "cannot open 'tests/fixtures/bad/no_such_scenario.json': No such file or directory");
    expect("office-52", "unknown scenario 'office-52' (did you mean 'office-25'?)");
    expect(BAD "scenario_bad_load.json", BAD "scenario_bad_load.json: .load: must be open, closed or trace (got \"closd\"; did you mean 'closed'?)");
    expect(BAD "scenario_trace_no_file.json", BAD "scenario_trace_no_file.json: .trace: missing (\"load\": \"trace\" needs a CSV path)");
    expect(BAD "scenario_document_without_tokens.json", BAD "scenario_document_without_tokens.json: .tasks[0]: documents and document_tokens go together (got 20 documents of 0 tokens)");
    expect(BAD "scenario_bad_name.json", BAD "scenario_bad_name.json: .tasks[0].name: use letters, digits and ' ._:/+-' only (got \"chat \"quoted\"\")");
}

/* server.speculative_config reads as vLLM's flag and reaches the server
 * with the scenario's acceptance. */
static void test_speculative_config_reaches_the_server(void **state)
{
    (void)state;
    struct scenario s;
    struct cs_err err = { 0 };
    assert_int_equal(scenario_load("tests/fixtures/good/scenario_speculative.json", &s, &err), CS_OK);
    struct deploy_args a;
    office_deploy_args(&s, &a);
    assert_int_equal(a.spec_method, SPEC_DFLASH);
    assert_int_equal(a.num_speculative_tokens, 15);
    assert_true(a.spec_mean_accepted == 2.4);
    assert_int_equal(scenario_load("office-25", &s, &err), CS_OK);
    office_deploy_args(&s, &a);
    assert_int_equal(a.num_speculative_tokens, 0);
}

/* vLLM's defaults, then the scenario's server over them, key by key; the
 * deploy prints what it resolved. */
static void test_scenario_server_goes_over_vllm_defaults(void **state)
{
    (void)state;
    struct deploy_args a;
    deploy_args_init(&a);
    assert_string_equal(a.kv_cache_dtype, "auto");
    assert_int_equal(a.max_num_batched_tokens, 2048);
    assert_int_equal(a.max_num_seqs, 256);
    assert_true(a.gpu_memory_utilization == 0.9);
    assert_int_equal(a.async_scheduling, 1);
    struct scenario s;
    struct cs_err err = { 0 };
    /* a file without a server section: vLLM's defaults, untouched */
    assert_int_equal(scenario_load("tests/fixtures/good/scenario_closed.json", &s, &err), CS_OK);
    office_deploy_args(&s, &a);
    assert_string_equal(a.kv_cache_dtype, "auto");
    assert_int_equal(a.max_num_batched_tokens, 2048);
    /* office-25 chooses FP8 KV and 8192 tokens, and nothing else */
    assert_int_equal(scenario_load("office-25", &s, &err), CS_OK);
    office_deploy_args(&s, &a);
    assert_string_equal(a.kv_cache_dtype, "fp8");
    assert_int_equal(a.max_num_batched_tokens, 8192);
    assert_int_equal(a.max_num_seqs, 256);
    assert_int_equal(a.async_scheduling, 1);
    struct deploy *d;
    assert_int_equal(deploy_new(&a, &d, &err), CS_OK);
    char line[1024];
    deploy_settings_format(&d->settings, line, sizeof line);
    assert_string_equal(line, "--model gemma-4-26b-a4b-it --precision bf16 --kv-cache-dtype fp8 "
                              "--gpu-memory-utilization 0.9 --max-model-len 262144 "
                              "--max-num-batched-tokens 8192 --max-num-seqs 256 "
                              "--async-scheduling --enable-prefix-caching --hardware gb10");
    cJSON *o = deploy_settings_json(&d->settings);
    assert_non_null(o);
    char *txt = cJSON_PrintUnformatted(o);
    assert_non_null(strstr(txt, "\"kv_cache_dtype\":\"fp8\""));
    assert_non_null(strstr(txt, "\"max_num_batched_tokens\":8192,"));
    assert_non_null(strstr(txt, "\"hardware\":\"gb10\""));
    cJSON_free(txt);
    cJSON_Delete(o);
    deploy_free(d);
}

static void test_context_longer_than_the_model_allows(void **state)
{
    (void)state;
    struct scenario s;
    struct cs_err err = { 0 };
    assert_int_equal(scenario_load(BAD "scenario_context_too_long.json", &s, &err), CS_OK);
    assert_int_equal(scenario_check_context(&s, 4096, &err), CS_EINPUT);
    /* rag-8k: 8000 +-30% prompt, 400 +-30% reply: ceil(10400) + ceil(520) */
    assert_string_equal(err.msg, BAD "scenario_context_too_long.json: .tasks[1]: context longer than "
                                 "max_model_len 4096 (got 10920 tokens for 'rag-8k')");
}

static void test_slo_parsing(void **state)
{
    (void)state;
    struct slo s;
    struct cs_err err = { 0 };
    assert_int_equal(slo_parse("p95_ttft_ms<=5000", &s, "t", &err), CS_OK);
    assert_int_equal(s.metric, SLO_TTFT);
    assert_close(s.percentile, 95, 0, 0);
    assert_true(slo_met(&s, 5000) && !slo_met(&s, 5000.1));
    assert_int_equal(slo_parse("mean_tpot_ms<100", &s, "t", &err), CS_OK);
    assert_true(!slo_met(&s, 100) && s.percentile == 0);
    assert_int_not_equal(slo_parse("p95_ttft_ms<=-1", &s, "t", &err), CS_OK);
    assert_string_equal(err.msg, "t: SLO 'p95_ttft_ms<=-1': the limit must be a positive number of ms");
    assert_int_not_equal(slo_parse("p95_ttft_ms>=5", &s, "t", &err), CS_OK);
}

static void test_office_runs_are_reproducible_and_share_random_numbers(void **state)
{
    (void)state;
    struct scenario s;
    struct cs_err err = { 0 };
    assert_int_equal(scenario_load("office-25", &s, &err), CS_OK);
    struct deploy_args da;
    office_deploy_args(&s, &da);
    struct deploy *d;
    assert_int_equal(deploy_new(&da, &d, &err), CS_OK);
    struct office_result a, b, big;
    assert_int_equal(office_run(&s, d, 0, 7, &a, &err), CS_OK);
    assert_int_equal(office_run(&s, d, 0, 7, &b, &err), CS_OK);
    assert_int_equal(a.requests, b.requests);
    assert_true(a.all.ttft_ms.pct[1] == b.all.ttft_ms.pct[1]);
    assert_int_equal(office_run(&s, d, 50, 7, &big, &err), CS_OK);
    /* twice the employees: about twice the conversations from the same stream */
    assert_true(big.conversations > a.conversations * 17 / 10 && big.conversations < a.conversations * 23 / 10);
    office_result_release(&a);
    office_result_release(&b);
    office_result_release(&big);
    deploy_free(d);
}


/* A shared system prompt, a document set and a conversation's history
 * are hit in the prefix cache; with it off, nothing is, and the latencies
 * are worse. The preset lists what it shares. */
static void test_shared_prefixes_hit_the_cache(void **state)
{
    (void)state;
    struct scenario s;
    struct cs_err err = { 0 };
    assert_int_equal(scenario_load("office-shared", &s, &err), CS_OK);
    struct office_result r[2];
    for (int on = 0; on < 2; on++) {
        s.enable_prefix_caching = on;
        struct deploy_args da;
        office_deploy_args(&s, &da);
        struct deploy *d;
        assert_int_equal(deploy_new(&da, &d, &err), CS_OK);
        assert_int_equal(office_run(&s, d, 0, 1, &r[on], &err), CS_OK);
        deploy_free(d);
    }
    assert_int_equal(r[0].all.prefix_cache_queries, 0);
    assert_int_equal(r[0].requests, r[1].requests);
    /* every task but the unique long documents hits; they never do */
    for (size_t k = 0; k < s.n_tasks; k++) {
        const struct office_task_result *t = &r[1].task[k];
        assert_true(t->prefix_cache_queries > 0);
        if (strcmp(s.tasks[k].name, "long-context-25k") == 0)
            assert_int_equal(t->prefix_cache_hits, 0);
        else
            assert_true(t->prefix_cache_hits > t->prefix_cache_queries / 4);
    }
    assert_true(r[1].all.ttft_ms.pct[0] < r[0].all.ttft_ms.pct[0]);
    office_result_release(&r[0]);
    office_result_release(&r[1]);
}

static struct deploy *deploy_for(const struct scenario *s)
{
    struct deploy_args da;
    office_deploy_args(s, &da);
    struct deploy *d;
    struct cs_err err = { 0 };
    assert_int_equal(deploy_new(&da, &d, &err), CS_OK);
    return d;
}

static void test_closed_loop_users_with_think_time(void **state)
{
    (void)state;
    struct scenario s;
    struct cs_err err = { 0 };
    assert_int_equal(scenario_load("tests/fixtures/good/scenario_closed.json", &s, &err), CS_OK);
    assert_int_equal(s.load, SCEN_CLOSED);
    assert_int_equal(s.n_slos, 1);
    struct deploy *d = deploy_for(&s);
    struct office_result a, b;
    assert_int_equal(office_run(&s, d, 0, s.seed, &a, &err), CS_OK);
    assert_int_equal(office_run(&s, d, 20, s.seed, &b, &err), CS_OK);
    /* 10 users for an hour, each conversation (~5 s of replies, 120 s
     * mean pause; multi-turn adds 2 x 20 s) takes 125-165 s: about
     * 3600/145 = 25 per user. */
    assert_true(a.conversations > 10 * 15 && a.conversations < 10 * 35);
    /* half the conversations are 3-turn: requests = conv + 2 x multi */
    assert_true(a.requests > a.conversations && a.requests < 3 * a.conversations);
    /* twice the users, about twice the conversations (a closed loop
     * slows down only as latency grows, and here it does not) */
    assert_true(b.conversations > a.conversations * 17 / 10);
    /* a p95 ITL SLO is measured on token gaps, not TPOT */
    assert_true(a.task[0].itl_ms.pct[1] > 0);
    assert_true(a.all_slos_met);
    office_result_release(&a);
    office_result_release(&b);
    deploy_free(d);
}

static void test_trace_replay_scales_time_by_employees(void **state)
{
    (void)state;
    struct scenario s;
    struct cs_err err = { 0 };
    assert_int_equal(scenario_load("tests/fixtures/good/scenario_trace.json", &s, &err), CS_OK);
    assert_int_equal(s.load, SCEN_TRACE);
    /* relative to the scenario file's folder */
    assert_string_equal(s.trace, "tests/fixtures/good/trace_small.csv");
    struct deploy *d = deploy_for(&s);
    struct office_result a;
    assert_int_equal(office_run(&s, d, 0, 0, &a, &err), CS_OK);
    assert_int_equal(a.requests, 3);
    assert_int_equal(a.all.requests, 3);
    /* the last request arrives at 2.0 s and writes 300 tokens: the run
     * lasts past 2 s; with 20 employees (clock halved) it arrives at 1 s,
     * so the run ends up to 1 s earlier (less if it now shares steps with
     * the others) */
    assert_true(a.duration_s > 2.0);
    struct office_result b;
    assert_int_equal(office_run(&s, d, 20, 0, &b, &err), CS_OK);
    assert_true(a.duration_s - b.duration_s > 0.3 && a.duration_s - b.duration_s <= 1.0 + 1e-9);
    office_result_release(&a);
    office_result_release(&b);
    deploy_free(d);
}

static void test_overload_is_flagged(void **state)
{
    (void)state;
    struct scenario s;
    struct cs_err err = { 0 };
    assert_int_equal(scenario_load("rag-8k", &s, &err), CS_OK);
    s.n_hours = 1; /* one hour keeps the test fast */
    struct deploy *d = deploy_for(&s);
    struct office_result r;
    /* 5000 employees x 0.3 x 6 = 9000 prompts of 8k in an hour: 20k
     * prompt tokens a second, beyond any one GB10 */
    assert_int_equal(office_run(&s, d, 5000, 0, &r, &err), CS_OK);
    assert_true(r.overloaded);
    assert_true(r.drain_s > OFFICE_DRAIN_LIMIT_S);
    assert_false(r.all_slos_met);
    char why[128];
    office_binding(&s, &r, why, sizeof why);
    assert_true(strstr(why, "rag-8k: p95_ttft_ms<=8000") != NULL);
    office_result_release(&r);
    deploy_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_prefixes_hit_the_cache),
        cmocka_unit_test(test_bad_scenarios_name_file_and_field),
        cmocka_unit_test(test_speculative_config_reaches_the_server),
        cmocka_unit_test(test_scenario_server_goes_over_vllm_defaults),
        cmocka_unit_test(test_context_longer_than_the_model_allows),
        cmocka_unit_test(test_slo_parsing),
        cmocka_unit_test(test_office_runs_are_reproducible_and_share_random_numbers),
        cmocka_unit_test(test_closed_loop_users_with_think_time),
        cmocka_unit_test(test_trace_replay_scales_time_by_employees),
        cmocka_unit_test(test_overload_is_flagged),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
