/*
 * test_serve.c - the open-loop client against the engine on the GB10
 * profile: byte-identical JSON for the same seed, --max-concurrency held
 * by the engine while the client's bucketed peak may exceed it, TTFT
 * counted from the send (not the arrival), --seeds as a mean, the
 * trace dataset with chat-template tokens, and requests longer than
 * max_model_len refused and counted as failed, freeing their slot.
 */
#include "cs_test.h"

#include <unistd.h>

#include "client/serve.h"
#include "report/report.h"

static struct deploy *gb10(const char *model)
{
    struct deploy_args a;
    deploy_args_init(&a);
    a.model = model;
    struct deploy *d;
    struct cs_err err = { 0 };
    if (deploy_new(&a, &d, &err))
        fail_msg("%s", err.msg);
    return d;
}

static char *json_of(const struct deploy *d, const struct serve_args *a, size_t *len)
{
    struct serve_result r;
    struct cs_err err = { 0 };
    assert_int_equal(serve_run(d, a, &r, &err), CS_OK);
    struct serve_echo e = { .model_id = "m", .precision = "bf16", .profile = "gb10",
                            .request_rate = a->request_rate, .burstiness = a->burstiness,
                            .max_concurrency = a->max_concurrency, .num_prompts = a->num_prompts,
                            .seed = a->seed, .seeds = 1 };
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_int_equal(report_serve_json(f, &r, a, &e, &err), CS_OK);
    fclose(f);
    return buf;
}

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    struct deploy *d = gb10("qwen-3.5-2b");
    struct serve_args a;
    serve_args_init(&a);
    a.num_prompts = 80;
    a.request_rate = 4;
    a.burstiness = 0.7;
    a.random.range_ratio = 0.9;
    a.seed = 42;
    size_t n1, n2, n3;
    char *j1 = json_of(d, &a, &n1), *j2 = json_of(d, &a, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(j1, j2, n1);
    a.seed = 43;
    char *j3 = json_of(d, &a, &n3);
    assert_true(n1 != n3 || memcmp(j1, j3, n1) != 0);
    free(j1);
    free(j2);
    free(j3);
    deploy_free(d);
}

static void test_max_concurrency_and_ttft_from_send(void **state)
{
    (void)state;
    struct deploy *d = gb10("qwen-3.5-2b");
    struct serve_args a;
    serve_args_init(&a);
    a.num_prompts = 40;
    a.max_concurrency = 1; /* all arrive at 0; each waits for the previous */
    struct serve_result r;
    struct cs_err err = { 0 };
    assert_int_equal(serve_run(d, &a, &r, &err), CS_OK);
    assert_int_equal(r.completed, 40);
    assert_int_equal(r.peak_running, 1);
    /* identical requests on an idle engine, timed from their send: the
     * same TTFT for all (from the arrival it would grow 40-fold) */
    assert_close(r.ttft_ms.std, 0, 0, 1e-6 * r.ttft_ms.mean);
    /* one request ending in a second and the next starting in it share
     * the bucket: the client's peak is 2 with a cap of 1 */
    assert_int_equal(r.max_concurrent_requests, 2);
    /* ITL pools a ~0 gap per request: below TPOT */
    assert_true(r.itl_ms.mean < r.tpot_ms.mean);
    assert_close(r.itl_ms.mean, r.tpot_ms.mean * 127.0 / 128.0, 1e-6, 0);
    deploy_free(d);
}

static void test_seeds_are_a_mean(void **state)
{
    (void)state;
    struct deploy *d = gb10("qwen-3.5-0.8b");
    struct serve_args a;
    serve_args_init(&a);
    a.num_prompts = 30;
    a.request_rate = 3;
    a.seed = 5;
    struct serve_result r5, r6, m;
    struct cs_err err = { 0 };
    assert_int_equal(serve_run(d, &a, &r5, &err), CS_OK);
    a.seed = 6;
    assert_int_equal(serve_run(d, &a, &r6, &err), CS_OK);
    a.seed = 5;
    assert_int_equal(serve_run_seeds(d, &a, 2, &m, &err), CS_OK);
    assert_close(m.duration, (r5.duration + r6.duration) / 2, 1e-12, 0);
    assert_close(m.ttft_ms.pct[0], (r5.ttft_ms.pct[0] + r6.ttft_ms.pct[0]) / 2, 1e-12, 0);
    assert_int_equal(m.completed, 30);
    assert_int_equal(m.peak_running, r5.peak_running > r6.peak_running ? r5.peak_running
                                                                       : r6.peak_running);
    deploy_free(d);
}

static void test_trace_with_template_tokens(void **state)
{
    (void)state;
    char path[] = "/tmp/capsim_test_trace_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,100,10\n0.5,200,1\n2.0,300,5\n", f);
    fclose(f);
    struct deploy *d = gb10("qwen-3.5-0.8b");
    struct serve_args a;
    serve_args_init(&a);
    a.dataset = DATASET_TRACE;
    a.dataset_path = path;
    a.chat_template_tokens = 7;
    struct serve_result r;
    struct cs_err err = { 0 };
    int rc = serve_run(d, &a, &r, &err);
    unlink(path);
    assert_int_equal(rc, CS_OK);
    assert_int_equal(r.completed, 3);
    assert_int_equal(r.total_input_tokens, 600 + 3 * 7);
    assert_int_equal(r.total_output_tokens, 16);
    assert_true(r.duration > 2.0); /* the last one arrives at 2.0 s */
    a.dataset_path = NULL;
    assert_int_equal(serve_run(d, &a, &r, &err), CS_EUSAGE);
    deploy_free(d);
}

/* vLLM's server answers a prompt + max_tokens over max_model_len with
 * HTTP 400 at once; its client counts it failed. With --max-concurrency
 * the refusal frees the slot: every request still gets its answer. */
static void test_too_long_requests_fail_and_free_their_slot(void **state)
{
    (void)state;
    struct deploy_args da;
    deploy_args_init(&da);
    da.model = "qwen-3.5-0.8b";
    da.max_model_len = 4096;
    struct deploy *d;
    struct cs_err err = { 0 };
    if (deploy_new(&da, &d, &err))
        fail_msg("%s", err.msg);
    struct serve_args a;
    serve_args_init(&a);
    a.num_prompts = 40;
    a.random.input_len = 3000;
    a.random.output_len = 1200;
    a.random.range_ratio = 0.5; /* totals 1500+600 .. 4500+1800: some over 4096 */
    a.max_concurrency = 2;
    a.keep_detail = true;
    struct serve_result r;
    assert_int_equal(serve_run(d, &a, &r, &err), CS_OK);
    assert_true(r.n_too_long > 0 && r.n_too_long < 40);
    assert_int_equal(r.failed, r.n_too_long);
    assert_int_equal(r.completed + r.failed, 40);
    assert_int_equal(r.max_model_len, 4096);
    assert_true(r.too_long_prompt + r.too_long_output > 4096);
    assert_int_equal(r.n_detail, 40);
    int64_t failed = 0, tokens = 0;
    for (size_t i = 0; i < r.n_detail; i++) {
        const struct serve_request_detail *x = &r.detail[i];
        if (x->failed) {
            failed++;
            assert_int_equal(x->output_len, 0);
            assert_int_equal(x->n_itl, 0);
        } else {
            assert_true(x->input_len + x->output_len <= 4096);
            assert_int_equal(x->n_itl, x->output_len); /* role chunk with token 1: one gap each */
            assert_true(x->ttft_s > 0);
            tokens += x->output_len;
        }
    }
    assert_int_equal(failed, r.failed);
    assert_int_equal(tokens, r.total_output_tokens);
    serve_result_release(&r);
    assert_null(r.detail);
    deploy_free(d);
}

static void test_deploy_rejects_bad_settings(void **state)
{
    (void)state;
    struct deploy_args a;
    deploy_args_init(&a);
    a.model = "gemma-4-26b-a4b-it";
    a.max_model_len = 300000;
    struct deploy *d = NULL;
    struct cs_err err = { 0 };
    assert_true(deploy_new(&a, &d, &err) < 0);
    assert_non_null(strstr(err.msg, "--max-model-len"));
    assert_non_null(strstr(err.msg, "300000"));
    deploy_args_init(&a);
    a.model = "no-such-model";
    assert_true(deploy_new(&a, &d, &err) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_max_concurrency_and_ttft_from_send),
        cmocka_unit_test(test_seeds_are_a_mean),
        cmocka_unit_test(test_trace_with_template_tokens),
        cmocka_unit_test(test_too_long_requests_fail_and_free_their_slot),
        cmocka_unit_test(test_deploy_rejects_bad_settings),
    };
    return cmocka_run_group_tests_name("serve", tests, NULL, NULL);
}
