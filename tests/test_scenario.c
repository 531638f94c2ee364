/*
 * test_scenario.c - scenario files (one fixture per error class, exact
 * messages), SLO parsing, the capacity bisection on a synthetic threshold,
 * and office runs: the same seed gives the same answer, and more
 * employees give more requests from the same stream (common random
 * numbers).
 */
#include "cs_test.h"

#include "scenarios/capacity.h"
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
    expect(BAD "scenario_wrong_type.json", BAD "scenario_wrong_type.json: .employees: must be an integer");
    expect(BAD "scenario_negative_rate.json", BAD "scenario_negative_rate.json: .requests_per_active_hour: must be between 1e-06 and 100000 (got -2)");
    expect(BAD "scenario_shares_not_one.json", BAD "scenario_shares_not_one.json: .tasks: shares must add up to 1 (got 1.45)");
    expect(BAD "scenario_share_above_one.json", BAD "scenario_share_above_one.json: .tasks[0].share: must be between 0 and 1 (got 1.5)");
    expect(BAD "scenario_bad_slo.json", BAD "scenario_bad_slo.json: .tasks[0].slo[0]: SLO 'p95_ttft<=3000': metric must be p<N>_|mean_|median_ then ttft|tpot|itl|e2el then _ms");
    expect(BAD "scenario_active_share_range.json", BAD "scenario_active_share_range.json: .active_share[1]: must be a share between 0 and 1");
    expect(BAD "scenario_no_tasks.json", BAD "scenario_no_tasks.json: .tasks: must be a non-empty array");
    expect(BAD "scenario_unknown_task_key.json", BAD "scenario_unknown_task_key.json: .tasks[0].outputs: unknown key");
    expect(BAD "scenario_unknown_server_key.json", BAD "scenario_unknown_server_key.json: .server.max_num_seq: unknown key (did you mean 'max_num_seqs'?)");
    expect(BAD "scenario_malformed.json", BAD "scenario_malformed.json:2:18: malformed JSON");
    expect("tests/fixtures/bad/no_such_scenario.json", "cannot open 'tests/fixtures/bad/no_such_scenario.json': No such file or directory");
    expect("office-52", "unknown scenario 'office-52' (did you mean 'office-25'?)");
}

static void test_context_longer_than_the_model_allows(void **state)
{
    (void)state;
    struct scenario s;
    struct cs_err err = { 0 };
    assert_int_equal(scenario_load(BAD "scenario_context_too_long.json", &s, &err), CS_OK);
    assert_int_equal(scenario_check_context(&s, 4096, &err), CS_EINPUT);
    assert_string_equal(err.msg, BAD "scenario_context_too_long.json: .tasks[1]: 'rag-8k' reaches "
                                 "10920 tokens of context, more than max_model_len 4096");
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

/* A monotone synthetic predicate: passes up to 137. */
static int upto137(int64_t load, void *ud, bool *pass, double *v, struct cs_err *err)
{
    (void)ud, (void)err;
    *pass = load <= 137;
    *v = (double)load;
    return CS_OK;
}

static void test_bisection_finds_a_known_threshold(void **state)
{
    (void)state;
    int64_t best;
    struct capacity_curve c;
    struct cs_err err = { 0 };
    assert_int_equal(capacity_search(upto137, NULL, 25, 5000, &best, &c, &err), CS_OK);
    assert_int_equal(best, 137);
    assert_int_equal(capacity_search(upto137, NULL, 500, 5000, &best, &c, &err), CS_OK);
    assert_int_equal(best, 137); /* bracketing down from a failing start */
    assert_int_equal(capacity_search(upto137, NULL, 10, 100, &best, &c, &err), CS_OK);
    assert_int_equal(best, 100); /* capped by the maximum */
    for (size_t i = 1; i < c.n; i++)
        assert_true(c.load[i] > c.load[i - 1]); /* curve sorted */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_scenarios_name_file_and_field),
        cmocka_unit_test(test_context_longer_than_the_model_allows),
        cmocka_unit_test(test_slo_parsing),
        cmocka_unit_test(test_bisection_finds_a_known_threshold),
        cmocka_unit_test(test_office_runs_are_reproducible_and_share_random_numbers),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
