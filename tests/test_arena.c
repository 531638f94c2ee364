/*
 * test_arena.c - the arena reader: counts and a few values of
 * ../shared/arena (skipped when absent), and exact messages for defective
 * folders. Data: Django de Vreng, DGX Spark benchmark runs, CC-BY-4.0.
 */
#include "cs_test.h"

#include "calibrate/arena.h"

static void test_shared_arena_loads_every_row(void **state)
{
    (void)state;
    if (!cs_have_shared())
        skip();
    struct arena *a;
    struct cs_err err = { 0 };
    assert_int_equal(arena_load(SHARED_DIR "/arena", &a, &err), CS_OK);
    /* Counts stated in ../shared/arena/README.md. */
    assert_int_equal(a->n_runs, 24);
    assert_int_equal(a->n_closed, 600);
    assert_int_equal(a->n_open, 224);
    size_t r = arena_find_run(a, "nemotron-3-super-120b-a12b/nvfp4");
    assert_true(r != (size_t)-1);
    assert_string_equal(a->runs[r].spec_method, "mtp");
    assert_int_equal(a->runs[r].num_speculative_tokens, 3);
    assert_int_equal(a->runs[r].max_num_seqs, 20);
    assert_string_equal(a->runs[r].linear_backend, "marlin");
    assert_true(a->runs[r].force_fp8_marlin); /* its env VLLM_TEST_FORCE_FP8_MARLIN=1 */
    size_t q = arena_find_run(a, "qwen-3.5-9b/bf16");
    assert_true(a->runs[q].language_model_only);
    assert_false(a->runs[q].force_fp8_marlin);
    assert_int_equal(a->runs[q].max_num_batched_tokens, 2048);
    /* The first open-loop row is gemma bf16-v23's office baseline. */
    assert_string_equal(a->open[0].test, "07-office-baseline");
    assert_int_equal(a->open[0].num_prompts, 200);
    assert_close(a->open[0].burstiness, 0.7, 0, 1e-12);
    assert_true(isnan(a->open[0].step_rate));
    assert_false(isnan(a->open[0].measured[AM_P99_TTFT_MS]));
    arena_free(a);
}

static void test_malformed_line_names_file_and_line(void **state)
{
    (void)state;
    struct arena *a = NULL;
    struct cs_err err = { 0 };
    assert_int_equal(arena_load("tests/fixtures/bad/arena_bad_line", &a, &err), CS_EINPUT);
    assert_string_equal(err.msg,
                        "tests/fixtures/bad/arena_bad_line/closed_loop.jsonl:2: malformed JSON line");
    assert_null(a);
}

static void test_row_of_unknown_run_is_an_error(void **state)
{
    (void)state;
    struct arena *a = NULL;
    struct cs_err err = { 0 };
    assert_int_equal(arena_load("tests/fixtures/bad/arena_unknown_run", &a, &err), CS_EINPUT);
    assert_string_equal(err.msg, "tests/fixtures/bad/arena_unknown_run/closed_loop.jsonl: "
                                 "line 1.run_id: no such run in runs.json (got 'other/bf16')");
}

static void test_missing_folder_is_an_io_error(void **state)
{
    (void)state;
    struct arena *a = NULL;
    struct cs_err err = { 0 };
    assert_int_equal(arena_load("tests/fixtures/no-such-dir", &a, &err), CS_EIO);
    assert_string_equal(err.msg, "cannot open 'tests/fixtures/no-such-dir/runs.json': "
                                 "No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_arena_loads_every_row),
        cmocka_unit_test(test_malformed_line_names_file_and_line),
        cmocka_unit_test(test_row_of_unknown_run_is_an_error),
        cmocka_unit_test(test_missing_folder_is_an_io_error),
    };
    return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
